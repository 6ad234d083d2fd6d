//! The embedded databases: `events.db` (event store, outbox, snapshots, idempotency keys),
//! `views.db` (read models) and `auth.db` (users and API keys). Events and views are two
//! files so that projection writes never hold the lock that command appends need; the
//! credentials are apart so that `folio user add` and `folio api-key` can work on a data
//! directory a server is using without touching its other files.

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use sqlx::SqlitePool;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

/// Both embedded pools.
#[derive(Debug, Clone)]
pub struct Databases {
    /// `events.db`.
    pub events: SqlitePool,
    /// `views.db`.
    pub views: SqlitePool,
    /// `auth.db`.
    pub auth: SqlitePool,
}

impl Databases {
    /// Whether both databases answer a trivial query.
    pub async fn ping(&self) -> bool {
        let ok = |pool: &SqlitePool| {
            let pool = pool.clone();
            async move { sqlx::query("SELECT 1").execute(&pool).await.is_ok() }
        };
        ok(&self.events).await && ok(&self.views).await && ok(&self.auth).await
    }
}

/// Opens (creating if needed) one SQLite database in WAL mode.
///
/// # Errors
/// The sqlx error when the file cannot be opened.
pub async fn open(path: &Path, max_connections: u32) -> Result<SqlitePool, sqlx::Error> {
    let options = SqliteConnectOptions::from_str(&format!("sqlite://{}", path.display()))?
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        // WAL + NORMAL is durable against process crashes; a power cut may lose the last
        // transactions but never corrupts the file.
        .synchronous(SqliteSynchronous::Normal)
        .busy_timeout(Duration::from_secs(10))
        // Checkpoints (which fsync) run in a background task, not in the commit of
        // whichever request happens to cross the threshold.
        .pragma("wal_autocheckpoint", "0")
        .foreign_keys(true);
    SqlitePoolOptions::new()
        .max_connections(max_connections)
        .connect_with(options)
        .await
}

/// Runs a passive WAL checkpoint of both databases every `every` until `shutdown` turns
/// true (and once more then). Passive checkpoints never block writers.
pub async fn run_checkpoints(
    databases: Databases,
    every: Duration,
    mut shutdown: tokio::sync::watch::Receiver<bool>,
) {
    loop {
        let stop = tokio::select! {
            () = tokio::time::sleep(every) => false,
            _ = shutdown.changed() => true,
        };
        for pool in [&databases.events, &databases.views, &databases.auth] {
            if let Err(e) = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
                .execute(pool)
                .await
            {
                tracing::warn!(error = %e, "WAL checkpoint failed");
            }
        }
        if stop {
            return;
        }
    }
}

/// Opens both databases under `data_dir` and applies pending migrations.
///
/// # Errors
/// IO, connection or migration failures.
pub async fn open_data_dir(data_dir: &Path) -> Result<Databases, sqlx::Error> {
    std::fs::create_dir_all(data_dir).map_err(sqlx::Error::Io)?;
    let events = open(&data_dir.join("events.db"), 8).await?;
    let views = open(&data_dir.join("views.db"), 8).await?;
    sqlx::migrate!("../migrations/sqlite/events")
        .run(&events)
        .await?;
    sqlx::migrate!("../migrations/sqlite/views")
        .run(&views)
        .await?;
    let auth = open_auth(data_dir).await?;
    Ok(Databases {
        events,
        views,
        auth,
    })
}

/// Opens only `auth.db` under `data_dir` (creating the directory and applying migrations):
/// what the credential commands need.
///
/// # Errors
/// IO, connection or migration failures.
pub async fn open_auth(data_dir: &Path) -> Result<SqlitePool, sqlx::Error> {
    std::fs::create_dir_all(data_dir).map_err(sqlx::Error::Io)?;
    let auth = open(&data_dir.join("auth.db"), 4).await?;
    sqlx::migrate!("../migrations/sqlite/auth")
        .run(&auth)
        .await?;
    Ok(auth)
}

/// Opens a `views.db`-shaped database at `path` and applies the read-model migrations
/// (the embedded `folio rebuild` fills a fresh one beside the live one).
///
/// # Errors
/// Connection or migration failures.
pub async fn open_views(path: &Path) -> Result<SqlitePool, sqlx::Error> {
    let views = open(path, 4).await?;
    sqlx::migrate!("../migrations/sqlite/views")
        .run(&views)
        .await?;
    Ok(views)
}

/// The read-model tables a rebuild replaces.
const VIEW_TABLES: [&str; 4] = [
    "documents",
    "document_blocks",
    "docx_blobs",
    "projection_failures",
];

/// Replaces every row of the live read models (`live`, a `views.db`) with those of the
/// rebuilt database at `fresh`, in one transaction: readers see the old rows or the new,
/// never a mix.
///
/// # Errors
/// Database failures (nothing is replaced).
pub async fn replace_views(live: &SqlitePool, fresh: &Path) -> Result<(), sqlx::Error> {
    let mut conn = live.acquire().await?;
    sqlx::query("ATTACH DATABASE ? AS fresh")
        .bind(fresh.display().to_string())
        .execute(&mut *conn)
        .await?;
    let copied = async {
        sqlx::query("BEGIN IMMEDIATE").execute(&mut *conn).await?;
        for table in VIEW_TABLES {
            let copy = async {
                sqlx::query(&format!("DELETE FROM main.{table}"))
                    .execute(&mut *conn)
                    .await?;
                sqlx::query(&format!(
                    "INSERT INTO main.{table} SELECT * FROM fresh.{table}"
                ))
                .execute(&mut *conn)
                .await
            };
            if let Err(e) = copy.await {
                sqlx::query("ROLLBACK").execute(&mut *conn).await?;
                return Err(e);
            }
        }
        sqlx::query("COMMIT").execute(&mut *conn).await?;
        Ok::<(), sqlx::Error>(())
    }
    .await;
    sqlx::query("DETACH DATABASE fresh")
        .execute(&mut *conn)
        .await?;
    copied
}
