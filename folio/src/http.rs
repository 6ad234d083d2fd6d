//! The HTTP server every API process runs: the command and/or query routes, OpenAPI and
//! Swagger UI, health and readiness, request ids and access logs, problem+json 404s.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::OnceLock;

use actix_web::body::MessageBody;
use actix_web::dev::ServerHandle;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::{Condition, Next, from_fn};
use actix_web::{App, HttpResponse, HttpServer, get, web};
use anyhow::Context;
use api_types::{ApiError, Code, Health};
use app::Reads;
use auth::Authenticator;
use command_api::CommandApi;
use futures::FutureExt;
use futures::future::BoxFuture;
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use projectors::supervise::Liveness;
use utoipa::OpenApi;
use utoipa_actix_web::AppExt;
use utoipa_swagger_ui::SwaggerUi;

/// Declares the two ways to authenticate: a bearer JWT and the `X-API-Key` header.
struct SecuritySchemes;

impl utoipa::Modify for SecuritySchemes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{
            ApiKey, ApiKeyValue, Http, HttpAuthScheme, SecurityScheme,
        };
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
        );
        components.add_security_scheme(
            "api_key",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::new("X-API-Key"))),
        );
    }
}

#[derive(OpenApi)]
#[openapi(
    modifiers(&SecuritySchemes),
    security(("bearer" = []), ("api_key" = [])),
    info(
        title = "folio",
        description = "Event-sourced Word documents: every edit is an event; any version can be rebuilt as a real .docx."
    ),
    tags(
        (name = "commands", description = "Writes: each appends events"),
        (name = "queries", description = "Reads: read models, time travel, history"),
        (name = "auth", description = "Access tokens and API keys"),
        (name = "operations", description = "Health and readiness"),
    )
)]
struct ApiDoc;

/// Answers whether the process's dependencies are reachable (`/readyz`).
pub(crate) type ReadyCheck = Arc<dyn Fn() -> BoxFuture<'static, Result<(), String>> + Send + Sync>;

/// `ready`, and not ready while a supervised projector task is restarting.
pub(crate) fn with_projectors(ready: ReadyCheck, tasks: Vec<Liveness>) -> ReadyCheck {
    Arc::new(move || {
        let check = ready();
        let down = tasks.iter().any(|t| !t.is_alive());
        Box::pin(async move {
            if down {
                return Err("a projector is restarting".to_string());
            }
            check.await
        })
    })
}

/// What one process serves.
pub(crate) struct Routes {
    pub(crate) command: Option<CommandApi>,
    pub(crate) query: Option<Reads>,
    /// MCP over streamable HTTP at `/mcp` (needs reads and writes).
    pub(crate) mcp: Option<mcp::http::McpHttp>,
    /// Who may call: every route but health, readiness and the API docs needs a principal.
    /// `None` only for a process without API routes (the projector).
    pub(crate) auth: Option<web::Data<Authenticator>>,
    pub(crate) ready: ReadyCheck,
}

/// A started HTTP server.
pub(crate) struct Started {
    pub(crate) addr: SocketAddr,
    pub(crate) handle: ServerHandle,
    pub(crate) server: actix_web::dev::Server,
}

/// Binds and starts the server (it runs when `server` is awaited).
pub(crate) fn start(
    bind: SocketAddr,
    workers: Option<usize>,
    routes: Routes,
) -> anyhow::Result<Started> {
    metrics_handle();
    let Routes {
        command,
        query,
        mcp,
        auth,
        ready,
    } = routes;
    anyhow::ensure!(
        auth.is_some() || (command.is_none() && query.is_none() && mcp.is_none()),
        "API routes need an authenticator"
    );
    let access = auth.as_ref().map(|a| app::access::Access {
        store: a.store().clone(),
    });
    let mut server = HttpServer::new(move || {
        let mut app = App::new().into_utoipa_app().openapi(ApiDoc::openapi());
        if let (Some(command), Some(access)) = (&command, &access) {
            app = app
                .configure(command_api::configure(command.clone()))
                .configure(command_api::access::configure(access.clone()))
                .configure(auth::routes::configure_token);
        }
        if let (Some(query), Some(access)) = (&query, &access) {
            app = app
                .configure(query_api::configure(query.clone()))
                .configure(query_api::access::configure(access.clone()));
        }
        let (mut app, openapi) = app
            .service(healthz)
            .service(readyz)
            .service(get_metrics)
            .split_for_parts();
        let openapi = if query.is_some() {
            query_api::describe(openapi)
        } else {
            openapi
        };
        let bounds = command
            .as_ref()
            .map(|c| api_types::openapi::Bounds {
                max_title_chars: c.writes.service.limits().max_title_chars,
                max_batch: c.writes.max_batch,
            })
            .unwrap_or_default();
        let openapi = api_types::openapi::truthful(openapi, bounds);
        let routes = web::Data::new(RouteTable::of(&openapi));
        if let Some(auth) = &auth {
            app = app.app_data(auth.clone());
        }
        if let Some(mcp) = &mcp {
            app = app.configure(mcp::http::configure(mcp.clone()));
        }
        if query.is_some() {
            app = app.configure(query_api::ui::configure);
        }
        // The last `wrap` runs first: request id and access log, then authorization.
        app.wrap(Condition::new(auth.is_some(), from_fn(auth::authorize)))
            .wrap(from_fn(observe_operation))
            .wrap(from_fn(catch_panic))
            .wrap(from_fn(auth::request_id))
            .app_data(web::Data::new(ready.clone()))
            .app_data(routes)
            .service(SwaggerUi::new("/docs/{_:.*}").url("/openapi.json", openapi))
            .route("/docs", web::get().to(docs_redirect))
            .default_service(web::to(not_found))
    })
    .bind(bind)
    .with_context(|| format!("cannot listen on {bind}"))?;
    if let Some(workers) = workers {
        server = server.workers(workers);
    }
    let addr = server
        .addrs()
        .first()
        .copied()
        .context("the server has no address")?;
    let server = server.run();
    Ok(Started {
        addr,
        handle: server.handle(),
        server,
    })
}

/// A panic while handling a request is a 500 problem+json, not a dropped connection.
/// (The domain and the write path are total; this is the last line behind them.) The
/// answer is returned as an error, which actix renders with [`ApiError`]'s problem body:
/// the request itself cannot be kept for a response (cloning it breaks routing). The log
/// line carries the request's method and path from the request span around it.
async fn catch_panic(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    match std::panic::AssertUnwindSafe(next.call(req))
        .catch_unwind()
        .await
    {
        Ok(response) => response,
        Err(_) => {
            tracing::error!("a request handler panicked");
            Err(ApiError::Internal("a request handler panicked".into()).into())
        }
    }
}

/// The catalogue operation a REST route serves (`None` for auth, health and MCP routes).
/// A command sent to `/commands` is counted as `run_commands`, as over MCP a batch is.
fn operation_of(method: &str, pattern: &str) -> Option<&'static str> {
    app::ops::catalogue()
        .iter()
        .find(|op| op.rest == (method, pattern))
        .map(|op| op.name)
}

/// Counts every REST call of a catalogue operation, with its outcome code and latency,
/// under the same names as MCP calls (`transport="rest"`). Refusals by authentication and
/// rate limits are counted too: this runs outside them.
async fn observe_operation(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let started = std::time::Instant::now();
    let operation = req
        .match_pattern()
        .and_then(|pattern| operation_of(req.method().as_str(), &pattern));
    let response = next.call(req).await;
    let code = match &response {
        Ok(r) if r.status().is_success() => "ok",
        Ok(r) => r
            .response()
            .error()
            .and_then(|e| e.as_error::<ApiError>())
            .map_or("other", |e| e.code().as_str()),
        Err(e) => e
            .as_error::<ApiError>()
            .map_or("other", |e| e.code().as_str()),
    };
    if let Some(operation) = operation {
        app::metrics::observe(operation, "rest", code, started.elapsed());
    }
    // The request's log line (written by `auth::request_id`) names both.
    if let Ok(r) = &response {
        actix_web::HttpMessage::extensions_mut(r.request()).insert(auth::web::Outcome {
            operation: operation.unwrap_or("-"),
            code,
        });
    }
    response
}

/// The process's Prometheus recorder, installed once (every process serves `/metrics`).
pub(crate) fn metrics_handle() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        // Latencies as histograms (summaries cannot be aggregated across processes).
        let recorder = PrometheusBuilder::new()
            .set_buckets_for_metric(
                metrics_exporter_prometheus::Matcher::Suffix("_duration_seconds".into()),
                &[
                    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
                    10.0,
                ],
            )
            .unwrap_or_else(|_| PrometheusBuilder::new())
            .build_recorder();
        let handle = recorder.handle();
        // Fails only when another recorder is installed, and then this one records nothing.
        if ::metrics::set_global_recorder(recorder).is_err() {
            tracing::warn!("a metrics recorder was already installed");
        }
        handle
    })
}

/// Counters in the Prometheus text format (no credentials; no tenant data, no secrets).
#[utoipa::path(
    tag = "operations",
    security(()),
    responses((status = 200, description = "Prometheus text format", body = String, content_type = "text/plain"))
)]
#[get("/metrics")]
async fn get_metrics() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4")
        .body(metrics_handle().render())
}

/// The process is up.
#[utoipa::path(
    tag = "operations",
    security(()),
    responses((status = 200, description = "the process is up", body = Health))
)]
#[get("/healthz")]
async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(Health {
        status: "ok".into(),
    })
}

/// The process can serve: its database answers and its projectors run.
#[utoipa::path(
    tag = "operations",
    security(()),
    responses(
        (status = 200, description = "ready", body = Health),
        (status = 503, description = "not ready; `status` says why", body = Health),
    )
)]
#[get("/readyz")]
async fn readyz(ready: web::Data<ReadyCheck>) -> HttpResponse {
    match (ready.get_ref())().await {
        Ok(()) => HttpResponse::Ok().json(Health {
            status: "ok".into(),
        }),
        Err(reason) => HttpResponse::ServiceUnavailable().json(Health { status: reason }),
    }
}

async fn docs_redirect() -> HttpResponse {
    HttpResponse::PermanentRedirect()
        .insert_header(("Location", "/docs/"))
        .finish()
}

/// Which methods each route answers, from the OpenAPI document (so a route and its
/// methods are declared once): a known route asked with another method is a 405 with
/// `Allow`, not a 404.
struct RouteTable(Vec<(Vec<Option<String>>, String)>);

impl RouteTable {
    fn of(openapi: &utoipa::openapi::OpenApi) -> Self {
        let mut routes = vec![
            (segments("/openapi.json"), "GET".to_string()),
            (segments("/docs"), "GET".to_string()),
        ];
        for (path, item) in &openapi.paths.paths {
            let item = serde_json::to_value(item).unwrap_or_default();
            let methods: Vec<String> = ["get", "put", "post", "delete", "patch"]
                .into_iter()
                .filter(|m| item.get(*m).is_some())
                .map(str::to_uppercase)
                .collect();
            routes.push((segments(path), methods.join(", ")));
        }
        Self(routes)
    }

    /// The methods of the route `path` matches, if one does.
    fn allowed(&self, path: &str) -> Option<&str> {
        let asked: Vec<&str> = path.trim_end_matches('/').split('/').collect();
        self.0
            .iter()
            .find(|(template, _)| {
                template.len() == asked.len()
                    && template
                        .iter()
                        .zip(&asked)
                        .all(|(t, a)| t.as_deref().is_none_or(|t| t == *a))
            })
            .map(|(_, methods)| methods.as_str())
    }
}

/// A path template's segments; `None` for a `{parameter}`.
fn segments(template: &str) -> Vec<Option<String>> {
    template
        .trim_end_matches('/')
        .split('/')
        .map(|s| (!s.starts_with('{')).then(|| s.to_string()))
        .collect()
}

async fn not_found(
    req: actix_web::HttpRequest,
    routes: web::Data<RouteTable>,
) -> Result<HttpResponse, ApiError> {
    if let Some(allow) = routes.allowed(req.path()) {
        return Err(ApiError::MethodNotAllowed {
            method: req.method().to_string(),
            allow: allow.to_string(),
        });
    }
    Err(ApiError::NotFound {
        code: Code::RouteNotFound,
        detail: "no such route; see /openapi.json".into(),
    })
}
