//! `POST /v1/auth/token`, `/v1/api-keys` and `/v1/users`. The write side serves the POST
//! and DELETE routes, the read side the GETs (the gateway sends GETs to the query API).

use actix_web::{HttpRequest, HttpResponse, delete, get, post, web};
use api_types::{
    ApiError, ApiKeyView, Code, CreateApiKeyRequest, CreateUserRequest, CreatedApiKey, Page,
    ProblemDetails, TokenRequest, TokenResponse, UserView, parse_json, read_body,
};
use infrastructure::credentials::{ApiKeyRow, KeyFilter};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::manage::{KeySpec, ManageError, add_user, create_key};
use crate::principal::{Principal, Role, Scope, Scopes};
use crate::service::Authenticator;

/// Largest body of a token or key request.
const MAX_BODY: usize = 16 * 1024;

/// The routes that change credentials or issue tokens (command API).
pub fn configure_write(cfg: &mut ServiceConfig) {
    cfg.service(issue_token)
        .service(create_api_key)
        .service(revoke_api_key)
        .service(create_user)
        .service(delete_user);
}

/// The routes that read credentials (query API).
pub fn configure_read(cfg: &mut ServiceConfig) {
    cfg.service(list_api_keys).service(list_users);
}

fn manage_error(e: ManageError) -> ApiError {
    match e {
        ManageError::Invalid { field, message } => ApiError::invalid(field, message),
        ManageError::UsernameTaken(_) => ApiError::Conflict {
            code: Code::UsernameTaken,
            detail: "the username is taken".into(),
        },
        ManageError::Internal(_) => ApiError::internal(&e),
        ManageError::Store(e) => ApiError::internal(&e),
    }
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

/// Create an API key with at most the caller's scopes; the key is shown once.
#[utoipa::path(
    tag = "auth",
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
    auth: web::Data<Authenticator>,
    principal: Principal,
) -> Result<HttpResponse, ApiError> {
    let body = read_body(&req, payload, MAX_BODY).await?;
    let request: CreateApiKeyRequest = parse_json(&body)?;
    // Over REST, scope names are exact (the CLI's comma list may have spaces).
    if let Some(spaced) = request.scopes.iter().find(|s| s.trim() != s.as_str()) {
        return Err(ApiError::invalid(
            "scopes",
            format!("unknown scope {spaced:?}"),
        ));
    }
    let scopes = Scopes::parse(request.scopes.iter().map(String::as_str))
        .map_err(|unknown| ApiError::invalid("scopes", format!("unknown scope {unknown:?}")))?;
    if !principal.scopes.covers(scopes) {
        return Err(ApiError::Forbidden {
            detail: "a key can have at most the scopes of the principal creating it".into(),
        });
    }
    let spec = KeySpec {
        tenant: principal.tenant.clone(),
        name: request.name.trim().to_string(),
        scopes,
        owner: Some(principal.owner.clone()),
        created_by: principal.actor.clone(),
    };
    let created = create_key(auth.store(), &spec)
        .await
        .map_err(manage_error)?;
    tracing::info!(key_id = %created.id, scopes = %spec.scopes, "API key created");
    Ok(HttpResponse::Created()
        .insert_header(("location", format!("/v1/api-keys/{}", created.id)))
        .insert_header(("cache-control", "no-store"))
        .json(created))
}

fn view(row: ApiKeyRow) -> ApiKeyView {
    ApiKeyView {
        scopes: row
            .scopes
            .split(',')
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect(),
        id: row.id,
        name: row.name,
        tenant: row.tenant,
        owner: row.owner,
        created_at: row.created_at,
        created_by: row.created_by,
        revoked_at: row.revoked_at,
    }
}

/// The caller's API keys (an admin's: every key of the tenant), revoked ones included.
#[utoipa::path(
    tag = "auth",
    responses(
        (status = 200, description = "keys, newest first; never the keys themselves", body = Page<ApiKeyView>),
        (status = 401, description = "no valid credentials", body = ProblemDetails, content_type = "application/problem+json"),
    )
)]
#[get("/v1/api-keys")]
async fn list_api_keys(
    auth: web::Data<Authenticator>,
    principal: Principal,
) -> Result<HttpResponse, ApiError> {
    let filter = if principal.can(Scope::Admin) {
        KeyFilter::Tenant
    } else {
        KeyFilter::Owner(&principal.owner)
    };
    let rows = auth
        .store()
        .keys(principal.tenant.as_str(), filter)
        .await
        .map_err(|e| ApiError::internal(&e))?;
    Ok(HttpResponse::Ok().json(Page {
        items: rows.into_iter().map(view).collect::<Vec<_>>(),
        next_cursor: None,
    }))
}

/// Revoke an API key: the caller's own, or (admin) any of the tenant's. Takes effect at
/// once on every instance.
#[utoipa::path(
    tag = "auth",
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
    auth: web::Data<Authenticator>,
    principal: Principal,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let not_found = || ApiError::NotFound {
        code: Code::ApiKeyNotFound,
        detail: "no such API key".into(),
    };
    let row = auth
        .store()
        .key(&id)
        .await
        .map_err(|e| ApiError::internal(&e))?
        .filter(|row| row.tenant == principal.tenant.as_str())
        .filter(|row| principal.can(Scope::Admin) || row.owner == principal.owner)
        .ok_or_else(not_found)?;
    auth.store()
        .revoke_key(&row.id, Some(&row.tenant), &infrastructure::now_rfc3339())
        .await
        .map_err(|e| ApiError::internal(&e))?;
    tracing::info!(key_id = %row.id, "API key revoked");
    Ok(HttpResponse::NoContent().finish())
}

/// Add a user to the caller's tenant (admins).
#[utoipa::path(
    tag = "auth",
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
    auth: web::Data<Authenticator>,
    principal: Principal,
) -> Result<HttpResponse, ApiError> {
    let body = read_body(&req, payload, MAX_BODY).await?;
    let request: CreateUserRequest = parse_json(&body)?;
    let role = Role::parse(&request.role)
        .ok_or_else(|| ApiError::invalid("role", "use viewer, editor or admin"))?;
    let CreateUserRequest {
        username, password, ..
    } = request;
    add_user(auth.store(), &username, &principal.tenant, role, &password)
        .await
        .map_err(manage_error)?;
    tracing::info!(username = %username, role = role.as_str(), "user created");
    Ok(HttpResponse::Created().json(UserView {
        username,
        tenant: principal.tenant.to_string(),
        role: role.as_str().into(),
        created_at: None,
    }))
}

/// The users of the caller's tenant (admins).
#[utoipa::path(
    tag = "auth",
    responses(
        (status = 200, description = "users by name; never a password or its hash", body = Page<UserView>),
        (status = 401, description = "no valid credentials", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 403, description = "not an admin", body = ProblemDetails, content_type = "application/problem+json"),
    )
)]
#[get("/v1/users")]
async fn list_users(
    auth: web::Data<Authenticator>,
    principal: Principal,
) -> Result<HttpResponse, ApiError> {
    let users = auth
        .store()
        .users(principal.tenant.as_str())
        .await
        .map_err(|e| ApiError::internal(&e))?;
    Ok(HttpResponse::Ok().json(Page {
        items: users
            .into_iter()
            .map(|u| UserView {
                username: u.username,
                tenant: u.tenant,
                role: u.role,
                created_at: Some(u.created_at),
            })
            .collect::<Vec<_>>(),
        next_cursor: None,
    }))
}

/// Remove a user of the caller's tenant (admins). Access tokens already issued to the
/// user stay valid until they expire (`--token-ttl-secs`); its keys stay until revoked.
#[utoipa::path(
    tag = "auth",
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
    auth: web::Data<Authenticator>,
    principal: Principal,
) -> Result<HttpResponse, ApiError> {
    let username = path.into_inner();
    let deleted = auth
        .store()
        .delete_user(principal.tenant.as_str(), &username)
        .await
        .map_err(|e| ApiError::internal(&e))?;
    if !deleted {
        return Err(ApiError::NotFound {
            code: Code::UserNotFound,
            detail: "no such user".into(),
        });
    }
    tracing::info!(username = %username, "user deleted");
    Ok(HttpResponse::NoContent().finish())
}
