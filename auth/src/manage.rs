//! Creating users and keys: shared by the CLI, the REST API and the bootstrap key.

use api_types::CreatedApiKey;
use infrastructure::credentials::{ApiKeyRow, CredentialStore, UserRow};
use infrastructure::{StoreError, TenantId};

use crate::keys;
use crate::password;
use crate::principal::{Role, Scopes, parse_username};

/// Why a user or key could not be made.
#[derive(Debug, thiserror::Error)]
pub enum ManageError {
    /// Input that breaks a rule: the field and what is wrong with it.
    #[error("{message}")]
    Invalid {
        /// `username`, `password`, `name` or `scopes`.
        field: &'static str,
        /// What is wrong.
        message: String,
    },
    /// The system could not do it (no random numbers, no free key id).
    #[error("{0}")]
    Internal(String),
    /// The username exists.
    #[error("the username {0:?} is taken")]
    UsernameTaken(String),
    /// The database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Longest key name, in characters.
pub const MAX_KEY_NAME_CHARS: usize = 100;

/// Adds a user with an argon2id hash of `password`. The hash (tens of milliseconds of
/// CPU) is computed on tokio's blocking pool, off the async workers.
///
/// # Errors
/// A bad name or password, a taken username, a database failure.
pub async fn add_user(
    store: &CredentialStore,
    username: &str,
    tenant: &TenantId,
    role: Role,
    password: &str,
) -> Result<(), ManageError> {
    let username = parse_username(username).map_err(invalid("username"))?;
    password::check_new(password).map_err(invalid("password"))?;
    let password = password.to_string();
    let password_hash = tokio::task::spawn_blocking(move || password::hash(&password))
        .await
        .map_err(|e| ManageError::Internal(e.to_string()))?
        .map_err(ManageError::Internal)?;
    let added = store
        .add_user(&UserRow {
            username: username.clone(),
            tenant: tenant.to_string(),
            role: role.as_str().to_string(),
            password_hash,
            created_at: infrastructure::now_rfc3339(),
        })
        .await?;
    if added {
        Ok(())
    } else {
        Err(ManageError::UsernameTaken(username))
    }
}

/// What a new key is.
#[derive(Debug, Clone)]
pub struct KeySpec {
    /// Tenant it acts in.
    pub tenant: TenantId,
    /// Name.
    pub name: String,
    /// Scopes (not empty).
    pub scopes: Scopes,
    /// Whose it is; `None`: its own (`key:<id>`), for keys the CLI makes.
    pub owner: Option<String>,
    /// Who made it.
    pub created_by: String,
}

fn row(spec: &KeySpec, generated: &keys::GeneratedKey) -> ApiKeyRow {
    ApiKeyRow {
        id: generated.id.clone(),
        tenant: spec.tenant.to_string(),
        name: spec.name.clone(),
        owner: spec
            .owner
            .clone()
            .unwrap_or_else(|| format!("key:{}", generated.id)),
        scopes: spec.scopes.to_string(),
        key_hash: generated.hash.clone(),
        created_at: infrastructure::now_rfc3339(),
        created_by: spec.created_by.clone(),
        revoked_at: None,
    }
}

fn created(spec: &KeySpec, generated: keys::GeneratedKey) -> CreatedApiKey {
    CreatedApiKey {
        id: generated.id,
        key: generated.key,
        tenant: spec.tenant.to_string(),
        name: spec.name.clone(),
        scopes: spec.scopes.names(),
    }
}

fn invalid(field: &'static str) -> impl Fn(String) -> ManageError {
    move |message| ManageError::Invalid { field, message }
}

fn check(spec: &KeySpec) -> Result<(), ManageError> {
    let blank = spec.name.trim().is_empty();
    if blank
        || spec.name.chars().count() > MAX_KEY_NAME_CHARS
        || spec.name.chars().any(char::is_control)
    {
        return Err(invalid("name")(format!(
            "a key name is 1-{MAX_KEY_NAME_CHARS} characters, without control characters"
        )));
    }
    if spec.scopes.is_empty() {
        return Err(invalid("scopes")(
            "a key needs at least one scope (read, suggest, write, admin)".into(),
        ));
    }
    Ok(())
}

/// Creates a key; the answer holds the key itself, which is never stored.
///
/// # Errors
/// A bad name or no scope, a database failure.
pub async fn create_key(
    store: &CredentialStore,
    spec: &KeySpec,
) -> Result<CreatedApiKey, ManageError> {
    check(spec)?;
    // A 48-bit id collides only by extraordinary luck; try again if it does.
    for _ in 0..3 {
        let generated = keys::generate().map_err(ManageError::Internal)?;
        if store.add_key(&row(spec, &generated)).await? {
            return Ok(created(spec, generated));
        }
    }
    Err(ManageError::Internal("could not find a free key id".into()))
}

/// On a store with no user, no key and no earlier bootstrap: creates an admin key of the
/// default tenant and returns it (to be shown once). `None` on every later call.
///
/// # Errors
/// A database failure.
pub async fn bootstrap(store: &CredentialStore) -> Result<Option<CreatedApiKey>, ManageError> {
    let spec = KeySpec {
        tenant: TenantId::default_tenant(),
        name: "bootstrap".into(),
        scopes: Role::Admin.scopes(),
        owner: None,
        created_by: "system:bootstrap".into(),
    };
    let generated = keys::generate().map_err(ManageError::Internal)?;
    Ok(if store.bootstrap(&row(&spec, &generated)).await? {
        Some(created(&spec, generated))
    } else {
        None
    })
}
