//! Streamable HTTP at `/mcp`, inside folio's actix server: folio's middleware has already
//! authenticated the request (Bearer token or `X-API-Key`), applied the rate limit and
//! checked the `read` scope; this adapter hands the request, with its caller, to rmcp's
//! streamable HTTP service, and its answer back to actix.
//!
//! The service is stateless (no MCP session to hijack or leak between principals: each
//! POST carries its own credentials) and answers with plain JSON. rmcp checks `Host`
//! against the allowed hosts and `Origin` against the allowed origins (DNS rebinding).

use std::sync::Arc;

use actix_web::{FromRequest, HttpMessage, HttpRequest, HttpResponse, web};
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

/// Answers a refusal decided before MCP (the rate limit): to a tool call, as a tool
/// result with `isError` and the refusal's code; to anything else, as the HTTP problem.
fn refuse(body: &[u8], refusal: ApiError) -> Result<HttpResponse, ApiError> {
    let message: serde_json::Value = serde_json::from_slice(body).unwrap_or_default();
    let id = message.get("id").filter(|id| !id.is_null());
    match (message.get("method").and_then(|m| m.as_str()), id) {
        (Some("tools/call"), Some(id)) => {
            let result = serde_json::to_value(crate::tool_error(&refusal))
                .map_err(|e| ApiError::internal(&e))?;
            let retry_after = match &refusal {
                ApiError::TooManyRequests { retry_after, .. } => Some(*retry_after),
                _ => None,
            };
            let mut answer = HttpResponse::Ok();
            if let Some(seconds) = retry_after {
                answer.insert_header(("retry-after", seconds.to_string()));
            }
            Ok(answer.json(serde_json::json!({"jsonrpc": "2.0", "id": id, "result": result})))
        }
        _ => Err(refusal),
    }
}

/// A JSON-RPC error answer (`id` null when the message has none folio could read).
fn rpc_error(id: serde_json::Value, code: i64, message: &str) -> serde_json::Value {
    serde_json::json!({
        "jsonrpc": "2.0",
        "id": id,
        "error": {"code": code, "message": message},
    })
}

/// What is wrong with a posted message at the JSON-RPC level, as the error to answer
/// (HTTP 400, as the streamable HTTP transport asks): not JSON (-32700); a batch, another
/// `jsonrpc` version, no method (-32600); a tool call without its `params` object or with
/// `arguments` that are not an object (-32602). `None` for a message rmcp should see.
fn protocol_fault(body: &[u8]) -> Option<serde_json::Value> {
    use serde_json::Value;
    let message: Value = match serde_json::from_slice(body) {
        Ok(message) => message,
        Err(e) => return Some(rpc_error(Value::Null, -32700, &format!("parse error: {e}"))),
    };
    let Value::Object(message) = message else {
        let what = if message.is_array() {
            "batches are not supported: send one JSON-RPC message per request"
        } else {
            "a JSON-RPC message is an object"
        };
        return Some(rpc_error(Value::Null, -32600, what));
    };
    let id = message.get("id").cloned().unwrap_or(Value::Null);
    if message.get("jsonrpc").and_then(Value::as_str) != Some("2.0") {
        return Some(rpc_error(id, -32600, "\"jsonrpc\" must be \"2.0\""));
    }
    let Some(method) = message.get("method") else {
        // A response or an error from the client: rmcp answers it.
        return None;
    };
    let Some(method) = method.as_str() else {
        return Some(rpc_error(id, -32600, "\"method\" must be a string"));
    };
    if method == "tools/call" {
        let params = message.get("params");
        let arguments = params.and_then(|p| p.get("arguments"));
        if !params.is_some_and(Value::is_object) {
            return Some(rpc_error(
                id,
                -32602,
                "tools/call needs a \"params\" object with the tool's \"name\"",
            ));
        }
        if !params
            .and_then(|p| p.get("name"))
            .is_some_and(Value::is_string)
        {
            return Some(rpc_error(
                id,
                -32602,
                "tools/call needs the tool's \"name\" (a string)",
            ));
        }
        if arguments.is_some_and(|a| !a.is_object() && !a.is_null()) {
            return Some(rpc_error(
                id,
                -32602,
                "a tool's \"arguments\" are an object",
            ));
        }
    }
    None
}

async fn handle(
    req: HttpRequest,
    payload: web::Payload,
    endpoint: web::Data<McpHttp>,
    // Extracted first so an unauthenticated request is refused before its body is read.
    _principal: Principal,
) -> Result<HttpResponse, ApiError> {
    // A message is JSON within the size limit (problem+json otherwise, as on every route).
    let body = if req.method() == actix_web::http::Method::POST {
        api_types::read_body(&req, payload, endpoint.max_body_bytes).await?
    } else {
        Bytes::new()
    };
    if req.method() == actix_web::http::Method::POST
        && let Some(fault) = protocol_fault(&body)
    {
        return Ok(HttpResponse::BadRequest().json(fault));
    }
    let deferred = req.extensions_mut().remove::<auth::DeferredRefusal>();
    if let Some(auth::DeferredRefusal(refusal)) = deferred {
        return refuse(&body, refusal);
    }
    let caller = Caller::extract(&req).await?;
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
    // The call (a read of a long document, a diff…) and the serialisation of its answer
    // run off the HTTP workers.
    let service = endpoint.service.clone();
    let (parts, bytes) = app::offload::offload(async move {
        let (parts, body) = service.handle(request).await.into_parts();
        let bytes = body
            .collect()
            .await
            .map(|collected| collected.to_bytes())
            .unwrap_or_default();
        (parts, bytes)
    })
    .await?;
    let status = actix_web::http::StatusCode::from_u16(parts.status.as_u16())
        .map_err(|e| ApiError::internal(&e))?;
    let mut answer = HttpResponse::build(status);
    for (name, value) in &parts.headers {
        answer.append_header((name.as_str(), value.as_bytes()));
    }
    Ok(answer.body(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(body: &str) -> Option<i64> {
        protocol_fault(body.as_bytes()).map(|e| e["error"]["code"].as_i64().unwrap())
    }

    #[test]
    fn protocol_faults_are_json_rpc_errors() {
        assert_eq!(code(r#"{"jsonrpc":"2.0","id":1,"method":"#), Some(-32700));
        assert_eq!(
            code(r#"[{"jsonrpc":"2.0","id":1,"method":"ping"}]"#),
            Some(-32600)
        );
        assert_eq!(
            code(r#"{"jsonrpc":"1.0","id":1,"method":"ping"}"#),
            Some(-32600)
        );
        assert_eq!(code(r#"{"jsonrpc":"2.0","id":1,"method":7}"#), Some(-32600));
        assert_eq!(
            code(r#"{"jsonrpc":"2.0","id":1,"method":"tools/call"}"#),
            Some(-32602)
        );
        assert_eq!(
            code(
                r#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"get_text","arguments":[1]}}"#
            ),
            Some(-32602)
        );
        assert_eq!(code(r#"{"jsonrpc":"2.0","id":1,"method":"ping"}"#), None);
        assert_eq!(
            code(
                r#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"get_text","arguments":{}}}"#
            ),
            None
        );
        let answer = protocol_fault(br#"{"jsonrpc":"1.0","id":"x","method":"ping"}"#).unwrap();
        assert_eq!(answer["id"], "x");
    }
}
