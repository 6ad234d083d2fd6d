//! The embedded deployment: event store, relay, projectors and both APIs in one process.

use std::sync::Arc;

use actix_web::dev::ServerHandle;
use anyhow::Context;
use infrastructure::blobs::BlobStore;
use infrastructure::bus::{EventBus, run_relay};
use infrastructure::credentials::CredentialStore;
use infrastructure::media::MediaStore;
use infrastructure::sqlite::open_data_dir;
use infrastructure::store::EventLog;
use infrastructure::views::Views;
use projectors::supervise::supervise;
use projectors::{DocxMaterializer, ReadModelProjector};
use secrecy::SecretString;
use tokio::sync::{Notify, mpsc, watch};

use crate::http::{ReadyCheck, Routes};
use crate::settings::ServeSettings;

/// A running embedded server.
#[derive(Debug)]
pub struct Running {
    /// The address it listens on.
    pub addr: std::net::SocketAddr,
    /// Stops the HTTP server.
    pub handle: ServerHandle,
    /// Completes when the server and its background tasks have stopped.
    pub done: tokio::task::JoinHandle<anyhow::Result<()>>,
    /// The one-time bootstrap admin key, on the first start of an empty data directory.
    pub bootstrap_key: Option<api_types::CreatedApiKey>,
}

/// `folio serve`: runs until interrupted.
pub(crate) async fn serve(settings: ServeSettings) -> anyhow::Result<()> {
    let running = start(settings).await?;
    tracing::info!(addr = %running.addr, "folio is listening");
    println!("folio listening on http://{}", running.addr);
    if let Some(key) = &running.bootstrap_key {
        // Printed once, on stdout, never through the logger.
        println!(
            "bootstrap admin API key of tenant {} (shown once; use it as X-API-Key to create users' keys): {}",
            key.tenant, key.key
        );
    }
    running.done.await?
}

/// The token signing secret: the configured one, or the one kept in `<data-dir>/jwt-secret`
/// (generated, readable by the owner only, on first start).
fn jwt_secret(settings: &ServeSettings) -> anyhow::Result<SecretString> {
    if let Some(secret) = &settings.auth.jwt_secret {
        return Ok(secret.clone());
    }
    let path = settings.data_dir.join("jwt-secret");
    match std::fs::read_to_string(&path) {
        Ok(secret) => return Ok(SecretString::from(secret.trim().to_string())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
    }
    let secret = auth::keys::random_hex(48).map_err(anyhow::Error::msg)?;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options
        .open(&path)
        .with_context(|| format!("cannot create {}", path.display()))?;
    std::io::Write::write_all(&mut file, secret.as_bytes())
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(SecretString::from(secret))
}

/// Opens the data directory, starts the background tasks and the HTTP server.
pub async fn start(settings: ServeSettings) -> anyhow::Result<Running> {
    let databases = open_data_dir(&settings.data_dir).await.with_context(|| {
        format!(
            "cannot open the data directory {}",
            settings.data_dir.display()
        )
    })?;
    let credentials = CredentialStore::Sqlite(databases.auth.clone());
    let authenticator = settings.auth.authenticator(
        credentials.clone(),
        settings.auth.tokens(&jwt_secret(&settings)?)?,
    )?;
    let bootstrap_key = auth::manage::bootstrap(&credentials)
        .await
        .map_err(|e| anyhow::anyhow!("cannot create the bootstrap key: {e}"))?;
    let log = EventLog::sqlite(databases.events.clone());
    let views = Views::sqlite(databases.views.clone());
    let blobs = BlobStore::new(settings.data_dir.join("blobs"));
    let media = MediaStore::files(settings.data_dir.join("media"));
    let appended = Arc::new(Notify::new());
    let bus = EventBus::new();
    let (shutdown_tx, shutdown) = watch::channel(false);

    // Projectors subscribe before the relay starts, so they see everything it publishes;
    // anything older they catch up from the store.
    let (docx_tx, docx_rx) = mpsc::unbounded_channel();
    // The read-model projector is restarted should it die (it catches up from the store
    // when it starts); /readyz says not ready meanwhile.
    let (projector, projector_alive) = {
        let (log, views, bus, stop) = (log.clone(), views.clone(), bus.clone(), shutdown.clone());
        let cached = (settings.api.cached_documents, settings.api.cache_bytes());
        let mut events = Some(bus.subscribe());
        supervise(
            "read-model projector",
            move || {
                let projector = ReadModelProjector::new(
                    log.clone(),
                    views.clone(),
                    cached,
                    Some(docx_tx.clone()),
                );
                // The first run takes the subscription made before the relay starts.
                let events = events.take().unwrap_or_else(|| bus.subscribe());
                projector.run(events, stop.clone())
            },
            shutdown.clone(),
        )
    };
    let mut tasks = vec![
        projector,
        tokio::spawn(
            DocxMaterializer::new(views.clone(), blobs.clone(), media.clone())
                .run(docx_rx, shutdown.clone()),
        ),
    ];
    tasks.push(tokio::spawn(infrastructure::sqlite::run_checkpoints(
        databases.clone(),
        std::time::Duration::from_secs(1),
        shutdown.clone(),
    )));
    let outbox = log
        .as_sqlite()
        .context("the embedded event store is SQLite")?
        .clone();
    tasks.push(tokio::spawn(run_relay(
        outbox,
        bus.clone(),
        appended.clone(),
        shutdown.clone(),
    )));

    let command = settings.api.command_api(
        log.clone(),
        appended,
        media.clone(),
        settings.api.event_limit(),
    );
    let query = settings.api.query_api(log, views, (blobs, media));
    let mcp = settings.api.mcp(&query, &command, &credentials);
    let ready: ReadyCheck = Arc::new(move || {
        let databases = databases.clone();
        Box::pin(async move {
            if databases.ping().await {
                Ok(())
            } else {
                Err("database unavailable".to_string())
            }
        })
    });
    let ready = crate::http::with_projectors(ready, vec![projector_alive]);
    let started = crate::http::start(
        settings.bind,
        settings.api.workers,
        Routes {
            command: Some(command),
            query: Some(query),
            mcp: Some(mcp),
            auth: Some(actix_web::web::Data::new(authenticator)),
            ready,
        },
    )?;
    let (addr, handle, server) = (started.addr, started.handle, started.server);
    let done = tokio::spawn(async move {
        let result = server.await;
        let _ = shutdown_tx.send(true);
        for task in tasks {
            let _ = task.await;
        }
        result.context("the HTTP server failed")
    });
    Ok(Running {
        addr,
        handle,
        done,
        bootstrap_key,
    })
}
