//! Streamable HTTP at `/mcp`, inside folio's actix server: folio's middleware has already
//! authenticated the request (Bearer token or `X-API-Key`), applied the rate limit and
//! checked the `read` scope; this adapter hands the request, with its caller, to rmcp's
//! streamable HTTP service, and its answer back to actix.
//!
//! The service is stateless (no MCP session to hijack or leak between principals: each
//! POST carries its own credentials) and answers with plain JSON. rmcp checks `Host`
//! against the allowed hosts and `Origin` against the allowed origins (DNS rebinding).

use std::sync::Arc;

use actix_web::{FromRequest, HttpRequest, HttpResponse, web};
use api_types::ApiError;
use app::ops::{Caller, Services};
use auth::Principal;
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use rmcp::transport::streamable_http_server::session::never::NeverSessionManager;
use rmcp::transport::streamable_http_server::{StreamableHttpServerConfig, StreamableHttpService};

use crate::FolioMcp;

/// Who may reach `/mcp` from a browser, and under which host names.
#[derive(Debug, Clone)]
pub struct McpSettings {
    /// `Host` values accepted (`localhost`, `folio.example.com`, `host:port`); empty
    /// accepts any (behind a proxy that checks it).
    pub allowed_hosts: Vec<String>,
    /// `Origin` values accepted (`https://app.example.com:443`); empty refuses every
    /// request that carries an `Origin` (a browser page), which non-browser clients never
    /// send.
    pub allowed_origins: Vec<String>,
    /// Largest MCP message, in bytes.
    pub max_body_bytes: usize,
}

/// The `/mcp` endpoint's state.
#[derive(Clone)]
pub struct McpHttp {
    service: Arc<StreamableHttpService<FolioMcp, NeverSessionManager>>,
    max_body_bytes: usize,
}

impl std::fmt::Debug for McpHttp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("McpHttp").finish_non_exhaustive()
    }
}

impl McpHttp {
    /// The endpoint over `services`.
    pub fn new(services: Arc<Services>, settings: &McpSettings) -> Self {
        let mut config = StreamableHttpServerConfig::default()
            .with_legacy_session_mode(false)
            .with_json_response(true)
            .with_sse_keep_alive(None)
            .with_max_request_body_bytes(settings.max_body_bytes);
        config = if settings.allowed_hosts.is_empty() {
            config.disable_allowed_hosts()
        } else {
            config.with_allowed_hosts(settings.allowed_hosts.clone())
        };
        config = if settings.allowed_origins.is_empty() {
            config.enforce_origin_validation()
        } else {
            config.with_allowed_origins(settings.allowed_origins.clone())
        };
        let server = FolioMcp::new(services);
        Self {
            service: Arc::new(StreamableHttpService::new(
                move || Ok(server.clone()),
                Arc::new(NeverSessionManager::default()),
                config,
            )),
            max_body_bytes: settings.max_body_bytes,
        }
    }
}

/// Registers `/mcp` (POST for messages; GET and DELETE answer as a stateless server
/// does).
pub fn configure(endpoint: McpHttp) -> impl FnOnce(&mut web::ServiceConfig) {
    move |cfg| {
        cfg.app_data(web::Data::new(endpoint)).service(
            web::resource("/mcp")
                .route(web::post().to(handle))
                .route(web::get().to(handle))
                .route(web::delete().to(handle)),
        );
    }
}

async fn handle(
    req: HttpRequest,
    payload: web::Payload,
    endpoint: web::Data<McpHttp>,
    principal: Principal,
) -> Result<HttpResponse, ApiError> {
    // A message is JSON within the size limit (problem+json otherwise, as on every route).
    let body = if req.method() == actix_web::http::Method::POST {
        api_types::read_body(&req, payload, endpoint.max_body_bytes).await?
    } else {
        Bytes::new()
    };
    let auth::Caller(request) = auth::Caller::extract(&req).await?;
    let caller = Caller { principal, request };
    let mut builder = ::http::Request::builder()
        .method(req.method().as_str())
        .uri(req.uri().to_string());
    for (name, value) in req.headers() {
        builder = builder.header(name.as_str(), value.as_bytes());
    }
    let mut request = builder
        .body(Full::new(body))
        .map_err(|e| ApiError::internal(&e))?;
    request.extensions_mut().insert(caller);
    let response = endpoint.service.handle(request).await;
    let (parts, body) = response.into_parts();
    let bytes = body
        .collect()
        .await
        .map(|collected| collected.to_bytes())
        .unwrap_or_default();
    let status = actix_web::http::StatusCode::from_u16(parts.status.as_u16())
        .map_err(|e| ApiError::internal(&e))?;
    let mut answer = HttpResponse::build(status);
    for (name, value) in &parts.headers {
        answer.append_header((name.as_str(), value.as_bytes()));
    }
    Ok(answer.body(bytes))
}
