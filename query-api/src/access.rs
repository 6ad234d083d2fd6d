//! Reading access over HTTP: the caller's API keys and the tenant's users. Each route
//! calls one use case of [`app::access::Access`] (the same as the MCP tools).

use actix_web::{HttpResponse, get, web};
use api_types::{ApiError, ApiKeyView, Page, ProblemDetails, UserView};
use app::access::Access;
use auth::Principal;
use utoipa_actix_web::service_config::ServiceConfig;

/// Registers the routes that read credentials.
pub fn configure(access: Access) -> impl FnOnce(&mut ServiceConfig) {
    move |cfg| {
        cfg.app_data(web::Data::new(access))
            .service(list_api_keys)
            .service(list_users);
    }
}

/// The caller's API keys (an admin's: every key of the tenant), revoked ones included.
#[utoipa::path(
    tag = "auth",
    operation_id = "list_api_keys",
    responses(
        (status = 200, description = "keys, newest first; never the keys themselves", body = Page<ApiKeyView>),
        (status = 401, description = "no valid credentials", body = ProblemDetails, content_type = "application/problem+json"),
    )
)]
#[get("/v1/api-keys")]
async fn list_api_keys(
    access: web::Data<Access>,
    principal: Principal,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(access.keys(&principal).await?))
}

/// The users of the caller's tenant (admins).
#[utoipa::path(
    tag = "auth",
    operation_id = "list_users",
    responses(
        (status = 200, description = "users by name; never a password or its hash", body = Page<UserView>),
        (status = 401, description = "no valid credentials", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 403, description = "not an admin", body = ProblemDetails, content_type = "application/problem+json"),
    )
)]
#[get("/v1/users")]
async fn list_users(
    access: web::Data<Access>,
    principal: Principal,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(access.users(&principal).await?))
}
