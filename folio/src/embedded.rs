//! The embedded deployment: event store, relay, projectors and both APIs in one process.

use std::sync::Arc;

use actix_web::dev::ServerHandle;
use actix_web::middleware::from_fn;
use actix_web::{App, HttpResponse, HttpServer, web};
use anyhow::Context;
use api_types::{ApiError, Health};
use command_api::CommandApi;
use infrastructure::CommandService;
use infrastructure::blobs::BlobStore;
use infrastructure::bus::{EventBus, run_relay};
use infrastructure::sqlite::{Databases, open_data_dir};
use infrastructure::store::EventLog;
use infrastructure::views::Views;
use projectors::{DocxMaterializer, ReadModelProjector};
use query_api::QueryApi;
use tokio::sync::{Notify, mpsc, watch};
use utoipa::OpenApi;
use utoipa_actix_web::AppExt;
use utoipa_swagger_ui::SwaggerUi;

use crate::settings::ServeSettings;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "folio",
        description = "Event-sourced Word documents: every edit is an event; any version can be rebuilt as a real .docx."
    ),
    tags(
        (name = "commands", description = "Writes: each appends events"),
        (name = "queries", description = "Reads: read models, time travel, history"),
        (name = "operations", description = "Health and readiness"),
    )
)]
struct ApiDoc;

/// A running embedded server.
pub(crate) struct Running {
    /// The address it listens on.
    pub(crate) addr: std::net::SocketAddr,
    /// Stops the HTTP server.
    pub(crate) handle: ServerHandle,
    /// Completes when the server and its background tasks have stopped.
    pub(crate) done: tokio::task::JoinHandle<anyhow::Result<()>>,
}

/// `folio serve`: runs until interrupted.
pub(crate) async fn serve(settings: ServeSettings) -> anyhow::Result<()> {
    let running = start(settings).await?;
    tracing::info!(addr = %running.addr, "folio is listening");
    println!("folio listening on http://{}", running.addr);
    running.done.await?
}

/// Opens the data directory, starts the background tasks and the HTTP server.
pub(crate) async fn start(settings: ServeSettings) -> anyhow::Result<Running> {
    let databases = open_data_dir(&settings.data_dir).await.with_context(|| {
        format!(
            "cannot open the data directory {}",
            settings.data_dir.display()
        )
    })?;
    let log = EventLog::sqlite(databases.events.clone());
    let views = Views::sqlite(databases.views.clone());
    let blobs = BlobStore::new(settings.data_dir.join("blobs"));
    let appended = Arc::new(Notify::new());
    let bus = EventBus::new();
    let (shutdown_tx, shutdown) = watch::channel(false);

    // Projectors subscribe before the relay starts, so they see everything it publishes;
    // anything older they catch up from the store.
    let (docx_tx, docx_rx) = mpsc::unbounded_channel();
    let projector = ReadModelProjector::new(
        log.clone(),
        views.clone(),
        settings.cached_documents,
        Some(docx_tx),
    );
    let mut tasks = vec![
        tokio::spawn(projector.run(bus.subscribe(), shutdown.clone())),
        tokio::spawn(
            DocxMaterializer::new(views.clone(), blobs.clone()).run(docx_rx, shutdown.clone()),
        ),
    ];
    tasks.push(tokio::spawn(infrastructure::sqlite::run_checkpoints(
        databases.clone(),
        std::time::Duration::from_secs(1),
        shutdown.clone(),
    )));
    tasks.push(tokio::spawn(run_relay(
        log.clone(),
        bus.clone(),
        appended.clone(),
        shutdown.clone(),
    )));

    let service = Arc::new(CommandService::new(
        log.clone(),
        settings.limits(),
        settings.snapshot_every,
        settings.cached_documents,
        appended,
    ));
    let command = CommandApi {
        service,
        max_body_bytes: settings.max_body_bytes,
        max_batch: settings.max_batch,
    };
    let query = QueryApi {
        log,
        views,
        blobs,
        read_wait: settings.read_wait(),
    };
    let mut server = HttpServer::new(move || {
        let (app, openapi) = App::new()
            .into_utoipa_app()
            .openapi(ApiDoc::openapi())
            .configure(command_api::configure(command.clone()))
            .configure(query_api::configure(query.clone()))
            .split_for_parts();
        app.wrap(from_fn(auth::request_id))
            .app_data(web::Data::new(databases.clone()))
            .route("/healthz", web::get().to(healthz))
            .route("/readyz", web::get().to(readyz))
            .service(SwaggerUi::new("/docs/{_:.*}").url("/openapi.json", openapi))
            .route("/docs", web::get().to(docs_redirect))
            .default_service(web::to(not_found))
    })
    .bind(settings.bind)
    .with_context(|| format!("cannot listen on {}", settings.bind))?;
    if let Some(workers) = settings.workers {
        server = server.workers(workers);
    }
    let addr = server
        .addrs()
        .first()
        .copied()
        .context("the server has no address")?;
    let server = server.run();
    let handle = server.handle();
    let done = tokio::spawn(async move {
        let result = server.await;
        let _ = shutdown_tx.send(true);
        for task in tasks {
            let _ = task.await;
        }
        result.context("the HTTP server failed")
    });
    Ok(Running { addr, handle, done })
}

async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(Health {
        status: "ok".into(),
    })
}

async fn readyz(databases: web::Data<Databases>) -> HttpResponse {
    if databases.ping().await {
        HttpResponse::Ok().json(Health {
            status: "ok".into(),
        })
    } else {
        HttpResponse::ServiceUnavailable().json(Health {
            status: "database unavailable".into(),
        })
    }
}

async fn docs_redirect() -> HttpResponse {
    HttpResponse::PermanentRedirect()
        .insert_header(("Location", "/docs/"))
        .finish()
}

async fn not_found() -> Result<HttpResponse, ApiError> {
    Err(ApiError::NotFound {
        code: "route_not_found",
        detail: "no such route; see /openapi.json".into(),
    })
}
