//! Managing access, without a transport: the caller's API keys (an admin's: every key of
//! the tenant), and the tenant's users (admins). The same rules hold over REST and MCP: a
//! key has at most the scopes of the principal creating it; only admins manage users.

use api_types::{
    ApiError, ApiKeyView, Code, CreateApiKeyRequest, CreateUserRequest, CreatedApiKey, Page,
    UserView,
};
use auth::manage::{KeySpec, ManageError, add_user, create_key};
use auth::{Principal, Role, Scope, Scopes};
use infrastructure::credentials::{ApiKeyRow, CredentialStore, KeyFilter};

/// The credential services.
#[derive(Debug, Clone)]
pub struct Access {
    /// Users and API keys.
    pub store: CredentialStore,
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

fn admin_only(principal: &Principal) -> Result<(), ApiError> {
    if principal.can(Scope::Admin) {
        Ok(())
    } else {
        Err(ApiError::Forbidden {
            detail: "managing users needs the admin scope".into(),
        })
    }
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

impl Access {
    /// Creates an API key with at most the caller's scopes; the key is in the answer once.
    ///
    /// # Errors
    /// Invalid name or scopes (422), scopes the caller lacks (403).
    pub async fn create_key(
        &self,
        principal: &Principal,
        request: &CreateApiKeyRequest,
    ) -> Result<CreatedApiKey, ApiError> {
        // Scope names are exact (the CLI's comma list may have spaces).
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
        let created = create_key(&self.store, &spec).await.map_err(manage_error)?;
        tracing::info!(key_id = %created.id, scopes = %spec.scopes, "API key created");
        Ok(created)
    }

    /// The caller's API keys (an admin's: every key of the tenant), revoked ones included.
    ///
    /// # Errors
    /// A storage failure.
    pub async fn keys(&self, principal: &Principal) -> Result<Page<ApiKeyView>, ApiError> {
        let filter = if principal.can(Scope::Admin) {
            KeyFilter::Tenant
        } else {
            KeyFilter::Owner(&principal.owner)
        };
        let rows = self
            .store
            .keys(principal.tenant.as_str(), filter)
            .await
            .map_err(|e| ApiError::internal(&e))?;
        Ok(Page {
            items: rows.into_iter().map(view).collect(),
            next_cursor: None,
        })
    }

    /// Revokes a key: the caller's own, or (admin) any of the tenant's.
    ///
    /// # Errors
    /// Not found (404) for a key the caller does not manage.
    pub async fn revoke_key(&self, principal: &Principal, id: &str) -> Result<(), ApiError> {
        let row = self
            .store
            .key(id)
            .await
            .map_err(|e| ApiError::internal(&e))?
            .filter(|row| row.tenant == principal.tenant.as_str())
            .filter(|row| principal.can(Scope::Admin) || row.owner == principal.owner)
            .ok_or_else(|| ApiError::NotFound {
                code: Code::ApiKeyNotFound,
                detail: "no such API key".into(),
            })?;
        self.store
            .revoke_key(&row.id, Some(&row.tenant), &infrastructure::now_rfc3339())
            .await
            .map_err(|e| ApiError::internal(&e))?;
        tracing::info!(key_id = %row.id, "API key revoked");
        Ok(())
    }

    /// Adds a user to the caller's tenant (admins).
    ///
    /// # Errors
    /// Not an admin (403), invalid name, password or role (422), a taken name (409).
    pub async fn create_user(
        &self,
        principal: &Principal,
        request: &CreateUserRequest,
    ) -> Result<UserView, ApiError> {
        admin_only(principal)?;
        let role = Role::parse(&request.role)
            .ok_or_else(|| ApiError::invalid("role", "use viewer, reviewer, editor or admin"))?;
        add_user(
            &self.store,
            &request.username,
            &principal.tenant,
            role,
            &request.password,
        )
        .await
        .map_err(manage_error)?;
        tracing::info!(username = %request.username, role = role.as_str(), "user created");
        Ok(UserView {
            username: request.username.clone(),
            tenant: principal.tenant.to_string(),
            role: role.as_str().into(),
            created_at: None,
        })
    }

    /// The users of the caller's tenant (admins).
    ///
    /// # Errors
    /// Not an admin (403).
    pub async fn users(&self, principal: &Principal) -> Result<Page<UserView>, ApiError> {
        admin_only(principal)?;
        let users = self
            .store
            .users(principal.tenant.as_str())
            .await
            .map_err(|e| ApiError::internal(&e))?;
        Ok(Page {
            items: users
                .into_iter()
                .map(|u| UserView {
                    username: u.username,
                    tenant: u.tenant,
                    role: u.role,
                    created_at: Some(u.created_at),
                })
                .collect(),
            next_cursor: None,
        })
    }

    /// Removes a user of the caller's tenant (admins).
    ///
    /// # Errors
    /// Not an admin (403), no such user (404).
    pub async fn delete_user(&self, principal: &Principal, username: &str) -> Result<(), ApiError> {
        admin_only(principal)?;
        let deleted = self
            .store
            .delete_user(principal.tenant.as_str(), username)
            .await
            .map_err(|e| ApiError::internal(&e))?;
        if !deleted {
            return Err(ApiError::NotFound {
                code: Code::UserNotFound,
                detail: "no such user".into(),
            });
        }
        tracing::info!(username = %username, "user deleted");
        Ok(())
    }
}
