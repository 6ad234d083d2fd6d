//! The actix glue (feature `actix`): the middleware that resolves and checks the caller of
//! every request, the request id, and the extractors handlers use ([`Principal`],
//! [`Caller`]). Everything it decides, it asks [`Authenticator`] (transport-free).

use std::future::{Ready, ready};
use std::net::IpAddr;

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{FromRequest, HttpMessage, HttpRequest, web};
use api_types::{ApiError, Code};
use infrastructure::RequestContext;
use tracing::Instrument;

use crate::service::{
    API_KEY_HEADER, Authenticator, DeferredRefusal, is_public, needed_scope, unauthorized,
};
use crate::{Caller, MAX_REASON_CHARS, Principal, REASON, REQUEST_ID};

impl Authenticator {
    /// The client address of `req` (see [`crate::TrustedProxies::client_ip`]).
    pub fn client_ip(&self, req: &HttpRequest) -> Option<IpAddr> {
        let peer = req.peer_addr()?.ip();
        let forwarded: Vec<&str> = req
            .headers()
            .get_all("x-forwarded-for")
            .filter_map(|v| v.to_str().ok())
            .collect();
        self.proxies().client_ip(peer, &forwarded)
    }

    /// The principal the credentials of `req` name (see [`Authenticator::authenticate`]).
    ///
    /// # Errors
    /// As [`Authenticator::authenticate`].
    pub async fn authenticate_request(&self, req: &HttpRequest) -> Result<Principal, ApiError> {
        let values = |name: &str| -> Vec<&str> {
            req.headers()
                .get_all(name)
                .map(|v| v.to_str().unwrap_or_default())
                .collect()
        };
        let authorization = values(actix_web::http::header::AUTHORIZATION.as_str());
        let api_key = values(API_KEY_HEADER);
        self.authenticate(&authorization, &api_key).await
    }
}

/// What a request was, for its log line: the catalogue operation its route serves (`-`
/// for none) and its outcome code (`ok`, or the problem's code).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Outcome {
    /// The operation's name.
    pub operation: &'static str,
    /// `ok` or the error code.
    pub code: &'static str,
}

/// Middleware: every request except the public paths needs a principal (401 otherwise)
/// with the scope its method needs (403 otherwise), within its rate limit (429). The
/// principal is then available to handlers and recorded on the request's span.
pub async fn authorize(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    if is_public(req.path()) {
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_left_body);
    }
    let Some(auth) = req.app_data::<web::Data<Authenticator>>().cloned() else {
        let error = ApiError::Internal("no authenticator configured".into());
        return Ok(req.error_response(error).map_into_right_body());
    };
    let checked = async {
        let principal = auth.authenticate_request(req.request()).await?;
        if let Some(scope) = needed_scope(req.method().as_str(), req.path())
            && !principal.can(scope)
        {
            return Err(ApiError::Forbidden {
                detail: format!("this request needs the {} scope", scope.as_str()),
            });
        }
        // Over the rate limit on /mcp, the MCP handler answers: a tool call gets a tool
        // result with the `rate_limited` code an agent can act on (anything else the same
        // 429 as REST). Either way nothing runs.
        let deferred = match auth.rate_limit(&principal) {
            Ok(()) => None,
            Err(limited) if req.path() == "/mcp" => Some(DeferredRefusal(limited)),
            Err(limited) => return Err(limited),
        };
        Ok((principal, deferred))
    }
    .await;
    match checked {
        Ok((principal, deferred)) => {
            let span = tracing::Span::current();
            span.record("tenant_id", principal.tenant.as_str());
            span.record("principal", principal.actor.as_str());
            req.extensions_mut().insert(principal);
            if let Some(deferred) = deferred {
                req.extensions_mut().insert(deferred);
            }
            next.call(req)
                .await
                .map(ServiceResponse::map_into_left_body)
        }
        Err(error) => Ok(req.error_response(error).map_into_right_body()),
    }
}

impl FromRequest for Principal {
    type Error = ApiError;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _payload: &mut Payload) -> Self::Future {
        ready(
            req.extensions().get::<Self>().cloned().ok_or_else(|| {
                unauthorized(Code::Unauthenticated, "this endpoint needs credentials")
            }),
        )
    }
}

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
    let outcome = response.request().extensions().get::<Outcome>().copied();
    span.in_scope(|| {
        tracing::info!(
            operation = outcome.map_or("-", |o| o.operation),
            code = outcome.map_or("-", |o| o.code),
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
        let ip = match req.app_data::<web::Data<Authenticator>>() {
            Some(auth) => auth.client_ip(req),
            None => req.peer_addr().map(|a| a.ip()),
        }
        .map(|ip| ip.to_string());
        let user_agent = req
            .headers()
            .get(actix_web::http::header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(|s| s.chars().take(256).collect());
        let request = RequestContext {
            tenant: principal.tenant.clone(),
            actor: principal.actor.clone(),
            name: principal.name.clone(),
            admin: principal.can(crate::Scope::Admin),
            suggest_only: !principal.can(crate::Scope::Write),
            request_id,
            ip,
            user_agent,
            reason,
        };
        ready(Ok(Caller { principal, request }))
    }
}
