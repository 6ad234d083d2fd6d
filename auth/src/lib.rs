//! Who is calling and what they may do: users (argon2id), access tokens (JWT), API keys,
//! roles and scopes, rate limits (governor), and the request's own facts (request id,
//! client IP, user agent, reason) — as actix middleware and extractors shared by both APIs.
//!
//! - [`principal`]: scopes, roles and the [`Principal`] a request acts as.
//! - [`password`], [`keys`], [`tokens`]: the three kinds of secret and how they are checked.
//! - [`limits`]: rate limits and the client address behind trusted proxies.
//! - [`service`]: the [`Authenticator`] and the [`authorize`] middleware.
//! - [`manage`]: creating users and keys (CLI, REST, bootstrap).
//! - [`routes`]: `POST /v1/auth/token`, `/v1/api-keys` and `/v1/users`.

pub mod keys;
pub mod limits;
pub mod manage;
pub mod password;
pub mod principal;
pub mod routes;
pub mod service;
pub mod tokens;

use std::future::{Ready, ready};

use actix_web::body::MessageBody;
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{FromRequest, HttpMessage, HttpRequest, web};
use api_types::{ApiError, Code};
use infrastructure::RequestContext;
use tracing::Instrument;

pub use limits::{RateLimitSettings, TrustedProxies};
pub use principal::{Principal, Role, Scope, Scopes};
pub use service::{API_KEY_HEADER, Authenticator, DeferredRefusal, authorize};
pub use tokens::Tokens;

/// The request id header, read from clients and echoed on every response.
pub const REQUEST_ID: &str = "x-request-id";
/// The header a client uses to say why it makes a change (recorded on the events).
pub const REASON: &str = "x-folio-reason";
/// Longest accepted reason.
pub const MAX_REASON_CHARS: usize = 500;

/// The request id assigned by [`request_id`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestId(pub String);

/// Middleware: takes `X-Request-Id` from the client (if it is a sane token) or generates
/// one, makes it available to handlers, records it on the tracing span and echoes it back.
pub async fn request_id(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let id = req
        .headers()
        .get(REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|v| {
            !v.is_empty()
                && v.len() <= 128
                && v.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_.:".contains(c))
        })
        .map_or_else(|| uuid::Uuid::now_v7().to_string(), str::to_string);
    req.extensions_mut().insert(RequestId(id.clone()));
    let span = tracing::info_span!(
        "folio.request",
        request_id = %id,
        method = %req.method(),
        path = %req.path(),
        tenant_id = tracing::field::Empty,
        principal = tracing::field::Empty,
    );
    let started = std::time::Instant::now();
    let mut response = next.call(req).instrument(span.clone()).await?;
    span.in_scope(|| {
        tracing::info!(
            status = response.status().as_u16(),
            elapsed_ms = started.elapsed().as_secs_f64() * 1000.0,
            "request"
        );
    });
    if let Ok(value) = HeaderValue::from_str(&id) {
        response
            .headers_mut()
            .insert(HeaderName::from_static(REQUEST_ID), value);
    }
    Ok(response)
}

/// The request's facts for event metadata: principal plus request id, IP, user agent and
/// reason.
#[derive(Debug, Clone)]
pub struct Caller(pub RequestContext);

impl FromRequest for Caller {
    type Error = ApiError;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let principal = match Principal::from_request(req, payload).into_inner() {
            Ok(p) => p,
            Err(e) => return ready(Err(e)),
        };
        let reason = match api_types::single_header(req.headers(), REASON) {
            Err(e) => return ready(Err(e)),
            Ok(None) => None,
            Ok(Some(s)) if s.chars().count() <= MAX_REASON_CHARS => {
                Some(s.trim().to_string()).filter(|s| !s.is_empty())
            }
            Ok(Some(_)) => {
                return ready(Err(ApiError::BadRequest {
                    code: Code::InvalidHeader,
                    detail: format!(
                        "X-Folio-Reason must be visible ASCII of at most {MAX_REASON_CHARS} characters"
                    ),
                }));
            }
        };
        let request_id = req
            .extensions()
            .get::<RequestId>()
            .map_or_else(|| uuid::Uuid::now_v7().to_string(), |r| r.0.clone());
        // X-Forwarded-For only from a configured trusted proxy.
        let ip = match req.app_data::<web::Data<service::Authenticator>>() {
            Some(auth) => auth.client_ip(req),
            None => req.peer_addr().map(|a| a.ip()),
        }
        .map(|ip| ip.to_string());
        let user_agent = req
            .headers()
            .get(actix_web::http::header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(|s| s.chars().take(256).collect());
        ready(Ok(Caller(RequestContext {
            tenant: principal.tenant,
            actor: principal.actor,
            request_id,
            ip,
            user_agent,
            reason,
        })))
    }
}
