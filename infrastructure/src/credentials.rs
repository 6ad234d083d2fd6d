//! Users and API keys: `auth.db` in the embedded deployment, the `users` and `api_keys`
//! tables in PostgreSQL. Only hashes are stored; hashing and checking live in `auth`.
//!
//! Every statement is written once with `$N` placeholders, which both SQLite and PostgreSQL
//! accept, and run on whichever pool the store holds.

use sqlx::{PgPool, SqlitePool};

use crate::StoreError;

/// A stored user.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct UserRow {
    /// Login name (unique across tenants).
    pub username: String,
    /// Tenant the user belongs to.
    pub tenant: String,
    /// `viewer`, `editor` or `admin`.
    pub role: String,
    /// argon2id PHC string.
    pub password_hash: String,
    /// RFC 3339.
    pub created_at: String,
}

/// A stored API key (never the key itself).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ApiKeyRow {
    /// Public identifier (part of the key).
    pub id: String,
    /// Tenant the key acts in.
    pub tenant: String,
    /// Human name.
    pub name: String,
    /// `user:<name>` or `key:<id>`.
    pub owner: String,
    /// Comma-separated scopes.
    pub scopes: String,
    /// SHA-256 (hex) of the whole key.
    pub key_hash: String,
    /// RFC 3339.
    pub created_at: String,
    /// Actor that created it.
    pub created_by: String,
    /// RFC 3339, when revoked.
    pub revoked_at: Option<String>,
}

/// Which keys a listing returns.
#[derive(Debug, Clone, Copy)]
pub enum KeyFilter<'a> {
    /// Every key of the tenant.
    Tenant,
    /// The keys of one owner in the tenant.
    Owner(&'a str),
}

/// The credential tables, on either database.
#[derive(Debug, Clone)]
pub enum CredentialStore {
    /// Embedded: `auth.db`.
    Sqlite(SqlitePool),
    /// Distributed: the PostgreSQL database.
    Postgres(PgPool),
}

/// Runs `$body` with `$pool` bound to whichever pool the store holds (the SQL is the same).
macro_rules! dispatch {
    ($store:expr, $pool:ident => $body:expr) => {
        match $store {
            CredentialStore::Sqlite($pool) => $body,
            CredentialStore::Postgres($pool) => $body,
        }
    };
}

const USER_COLUMNS: &str = "username, tenant, role, password_hash, created_at";
const KEY_COLUMNS: &str =
    "id, tenant, name, owner, scopes, key_hash, created_at, created_by, revoked_at";
const INSERT_KEY: &str = "INSERT INTO api_keys \
     (id, tenant, name, owner, scopes, key_hash, created_at, created_by, revoked_at) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";
const CLAIM_BOOTSTRAP: &str = "INSERT INTO credentials_bootstrap (id, key_id, at) \
     SELECT 1, $1, $2 \
     WHERE NOT EXISTS (SELECT 1 FROM users) AND NOT EXISTS (SELECT 1 FROM api_keys) \
     ON CONFLICT (id) DO NOTHING";

/// `Ok(false)` for a unique violation, the error otherwise.
fn inserted(result: Result<u64, sqlx::Error>) -> Result<bool, StoreError> {
    match result {
        Ok(_) => Ok(true),
        Err(e)
            if e.as_database_error()
                .is_some_and(|d| d.kind() == sqlx::error::ErrorKind::UniqueViolation) =>
        {
            Ok(false)
        }
        Err(e) => Err(e.into()),
    }
}

/// `INSERT_KEY` with `key`'s values bound.
macro_rules! insert_key {
    ($key:expr) => {
        sqlx::query(INSERT_KEY)
            .bind(&$key.id)
            .bind(&$key.tenant)
            .bind(&$key.name)
            .bind(&$key.owner)
            .bind(&$key.scopes)
            .bind(&$key.key_hash)
            .bind(&$key.created_at)
            .bind(&$key.created_by)
            .bind(&$key.revoked_at)
    };
}

impl CredentialStore {
    /// Adds a user. `Ok(false)` when the username is taken.
    ///
    /// # Errors
    /// Database failures.
    pub async fn add_user(&self, user: &UserRow) -> Result<bool, StoreError> {
        let sql = format!("INSERT INTO users ({USER_COLUMNS}) VALUES ($1, $2, $3, $4, $5)");
        inserted(dispatch!(self, pool => sqlx::query(&sql)
            .bind(&user.username)
            .bind(&user.tenant)
            .bind(&user.role)
            .bind(&user.password_hash)
            .bind(&user.created_at)
            .execute(pool)
            .await
            .map(|r| r.rows_affected())))
    }

    /// The user named `username`.
    ///
    /// # Errors
    /// Database failures.
    pub async fn user(&self, username: &str) -> Result<Option<UserRow>, StoreError> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE lower(username) = lower($1)");
        Ok(dispatch!(self, pool => sqlx::query_as(&sql)
            .bind(username)
            .fetch_optional(pool)
            .await?))
    }

    /// The tenant's users, by name.
    ///
    /// # Errors
    /// Database failures.
    pub async fn users(&self, tenant: &str) -> Result<Vec<UserRow>, StoreError> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE tenant = $1 ORDER BY username");
        Ok(dispatch!(self, pool => sqlx::query_as(&sql)
            .bind(tenant)
            .fetch_all(pool)
            .await?))
    }

    /// Deletes a user of `tenant`. Returns whether one was deleted.
    ///
    /// # Errors
    /// Database failures.
    pub async fn delete_user(&self, tenant: &str, username: &str) -> Result<bool, StoreError> {
        let sql = "DELETE FROM users WHERE tenant = $1 AND lower(username) = lower($2)";
        let deleted = dispatch!(self, pool => sqlx::query(sql)
            .bind(tenant)
            .bind(username)
            .execute(pool)
            .await?
            .rows_affected());
        Ok(deleted == 1)
    }

    /// Adds an API key. `Ok(false)` when its id is taken.
    ///
    /// # Errors
    /// Database failures.
    pub async fn add_key(&self, key: &ApiKeyRow) -> Result<bool, StoreError> {
        inserted(dispatch!(self, pool => insert_key!(key)
            .execute(pool)
            .await
            .map(|r| r.rows_affected())))
    }

    /// The key with this id (revoked or not).
    ///
    /// # Errors
    /// Database failures.
    pub async fn key(&self, id: &str) -> Result<Option<ApiKeyRow>, StoreError> {
        let sql = format!("SELECT {KEY_COLUMNS} FROM api_keys WHERE id = $1");
        Ok(dispatch!(self, pool => sqlx::query_as(&sql)
            .bind(id)
            .fetch_optional(pool)
            .await?))
    }

    /// The tenant's keys (or one owner's), newest first, revoked ones included.
    ///
    /// # Errors
    /// Database failures.
    pub async fn keys(
        &self,
        tenant: &str,
        filter: KeyFilter<'_>,
    ) -> Result<Vec<ApiKeyRow>, StoreError> {
        let owner = match filter {
            KeyFilter::Tenant => None,
            KeyFilter::Owner(owner) => Some(owner),
        };
        let sql = format!(
            "SELECT {KEY_COLUMNS} FROM api_keys WHERE tenant = $1 AND ($2 IS NULL OR owner = $2) \
             ORDER BY created_at DESC, id"
        );
        Ok(dispatch!(self, pool => sqlx::query_as(&sql)
            .bind(tenant)
            .bind(owner)
            .fetch_all(pool)
            .await?))
    }

    /// Revokes a key of `tenant` (of any tenant when `None`) at `at`. Returns whether a
    /// key that was not revoked yet is now.
    ///
    /// # Errors
    /// Database failures.
    pub async fn revoke_key(
        &self,
        id: &str,
        tenant: Option<&str>,
        at: &str,
    ) -> Result<bool, StoreError> {
        let sql = "UPDATE api_keys SET revoked_at = $1 \
                   WHERE id = $2 AND revoked_at IS NULL AND ($3 IS NULL OR tenant = $3)";
        let revoked = dispatch!(self, pool => sqlx::query(sql)
            .bind(at)
            .bind(id)
            .bind(tenant)
            .execute(pool)
            .await?
            .rows_affected());
        Ok(revoked == 1)
    }

    /// Stores `key` as the one-time bootstrap key when there is no user, no key and no
    /// earlier bootstrap. Returns whether it did (the caller then prints the key).
    ///
    /// # Errors
    /// Database failures.
    pub async fn bootstrap(&self, key: &ApiKeyRow) -> Result<bool, StoreError> {
        dispatch!(self, pool => {
            let mut tx = pool.begin().await?;
            // The claim is one statement: its check and its insert see the same state, and
            // the row's fixed primary key lets only one start ever claim.
            let claimed = sqlx::query(CLAIM_BOOTSTRAP)
                .bind(&key.id)
                .bind(&key.created_at)
                .execute(&mut *tx)
                .await?
                .rows_affected()
                == 1;
            if claimed {
                insert_key!(key).execute(&mut *tx).await?;
            }
            tx.commit().await?;
            Ok(claimed)
        })
    }
}
