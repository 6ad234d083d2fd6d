//! `POST /v1/auth/token`: a username and password for an access token. (API keys and
//! users are managed through the `app` layer's access use cases, routed by command-api and
//! query-api.)

use actix_web::{HttpRequest, HttpResponse, post, web};
use api_types::{ApiError, ProblemDetails, TokenRequest, TokenResponse, parse_json, read_body};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::service::Authenticator;

/// Largest body of a token, key or user request.
pub const MAX_BODY: usize = 16 * 1024;

/// The route that issues access tokens (command API).
pub fn configure_token(cfg: &mut ServiceConfig) {
    cfg.service(issue_token);
}

/// Exchange a username and password for an access token.
#[utoipa::path(
    tag = "auth",
    security(()),
    request_body = TokenRequest,
    responses(
        (status = 200, description = "a signed access token", body = TokenResponse),
        (status = 401, description = "wrong username or password", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, description = "invalid request", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 429, description = "too many attempts from this address or for this user (Retry-After)", body = ProblemDetails, content_type = "application/problem+json"),
    )
)]
#[post("/v1/auth/token")]
async fn issue_token(
    req: HttpRequest,
    payload: web::Payload,
    auth: web::Data<Authenticator>,
) -> Result<HttpResponse, ApiError> {
    let ip = auth.client_ip(&req);
    let body = read_body(&req, payload, MAX_BODY).await?;
    let request: TokenRequest = parse_json(&body)?;
    let token = auth.login(request, ip).await?;
    Ok(HttpResponse::Ok()
        .insert_header(("cache-control", "no-store"))
        .json(token))
}
