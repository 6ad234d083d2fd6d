//! Managing access over HTTP: create and revoke API keys, add and remove users. Each
//! route calls one use case of [`app::access::Access`] (the same as the MCP tools).

use actix_web::{HttpRequest, HttpResponse, delete, post, web};
use api_types::{
    ApiError, CreateApiKeyRequest, CreateUserRequest, CreatedApiKey, ProblemDetails, UserView,
    parse_json, read_body,
};
use app::access::Access;
use auth::Principal;
use utoipa_actix_web::service_config::ServiceConfig;

/// Largest body of a key or user request.
const MAX_ACCESS_BODY: usize = auth::routes::MAX_BODY;

/// Registers the routes that change credentials.
pub fn configure(access: Access) -> impl FnOnce(&mut ServiceConfig) {
    move |cfg| {
        cfg.app_data(web::Data::new(access))
            .service(create_api_key)
            .service(revoke_api_key)
            .service(create_user)
            .service(delete_user);
    }
}

/// Create an API key with at most the caller's scopes; the key is shown once.
#[utoipa::path(
    tag = "auth",
    operation_id = "create_api_key",
    request_body = CreateApiKeyRequest,
    responses(
        (status = 201, description = "created; `key` is shown only now", body = CreatedApiKey),
        (status = 401, description = "no valid credentials", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 403, description = "a scope the caller does not have", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, description = "invalid request", body = ProblemDetails, content_type = "application/problem+json"),
    )
)]
#[post("/v1/api-keys")]
async fn create_api_key(
    req: HttpRequest,
    payload: web::Payload,
    access: web::Data<Access>,
    principal: Principal,
) -> Result<HttpResponse, ApiError> {
    let body = read_body(&req, payload, MAX_ACCESS_BODY).await?;
    let request: CreateApiKeyRequest = parse_json(&body)?;
    let created = access.create_key(&principal, &request).await?;
    Ok(HttpResponse::Created()
        .insert_header(("location", format!("/v1/api-keys/{}", created.id)))
        .insert_header(("cache-control", "no-store"))
        .json(created))
}

/// Revoke an API key: the caller's own, or (admin) any of the tenant's. Takes effect at
/// once on every instance.
#[utoipa::path(
    tag = "auth",
    operation_id = "revoke_api_key",
    params(("id" = String, Path, description = "key id")),
    responses(
        (status = 204, description = "revoked (or already revoked)"),
        (status = 401, description = "no valid credentials", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 404, description = "no such key among those the caller manages", body = ProblemDetails, content_type = "application/problem+json"),
    )
)]
#[delete("/v1/api-keys/{id}")]
async fn revoke_api_key(
    path: web::Path<String>,
    access: web::Data<Access>,
    principal: Principal,
) -> Result<HttpResponse, ApiError> {
    access.revoke_key(&principal, &path).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Add a user to the caller's tenant (admins).
#[utoipa::path(
    tag = "auth",
    operation_id = "create_user",
    request_body = CreateUserRequest,
    responses(
        (status = 201, description = "created", body = UserView),
        (status = 401, description = "no valid credentials", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 403, description = "not an admin", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 409, description = "the username is taken", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, description = "invalid username, password or role", body = ProblemDetails, content_type = "application/problem+json"),
    )
)]
#[post("/v1/users")]
async fn create_user(
    req: HttpRequest,
    payload: web::Payload,
    access: web::Data<Access>,
    principal: Principal,
) -> Result<HttpResponse, ApiError> {
    let body = read_body(&req, payload, MAX_ACCESS_BODY).await?;
    let request: CreateUserRequest = parse_json(&body)?;
    Ok(HttpResponse::Created().json(access.create_user(&principal, &request).await?))
}

/// Remove a user of the caller's tenant (admins). Access tokens already issued to the
/// user stay valid until they expire (`--token-ttl-secs`); its keys stay until revoked.
#[utoipa::path(
    tag = "auth",
    operation_id = "delete_user",
    params(("username" = String, Path, description = "login name")),
    responses(
        (status = 204, description = "removed"),
        (status = 401, description = "no valid credentials", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 403, description = "not an admin", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 404, description = "no such user in the tenant", body = ProblemDetails, content_type = "application/problem+json"),
    )
)]
#[delete("/v1/users/{username}")]
async fn delete_user(
    path: web::Path<String>,
    access: web::Data<Access>,
    principal: Principal,
) -> Result<HttpResponse, ApiError> {
    access.delete_user(&principal, &path).await?;
    Ok(HttpResponse::NoContent().finish())
}
