//! The distributed deployment's database: connecting, migrating, readiness, and listening
//! for the notifications the store and the projectors send.

use std::str::FromStr;
use std::time::Duration;

use sqlx::PgPool;
use sqlx::postgres::{PgConnectOptions, PgListener, PgPoolOptions};
use tokio::sync::watch;

use crate::views::Views;

/// The read-model tables' DDL (also run by `folio rebuild` in a fresh schema): every
/// migration that creates or changes a read-model table.
pub const READ_MODEL_DDL: [&str; 4] = [
    include_str!("../../migrations/postgres/0002_read_models.sql"),
    include_str!("../../migrations/postgres/0004_projection_failures.sql"),
    include_str!("../../migrations/postgres/0007_blame.sql"),
    include_str!("../../migrations/postgres/0010_review.sql"),
];

/// Connects a pool to `url`. With `schema`, every connection resolves unqualified names in
/// that schema first (used by `folio rebuild` to fill fresh tables).
///
/// # Errors
/// A malformed URL or a failed first connection.
pub async fn connect(
    url: &str,
    max_connections: u32,
    schema: Option<&str>,
) -> Result<PgPool, sqlx::Error> {
    let mut options = PgConnectOptions::from_str(url)?;
    if let Some(schema) = schema {
        options = options.options([("search_path", format!("{schema},public"))]);
    }
    PgPoolOptions::new()
        .max_connections(max_connections)
        .acquire_timeout(Duration::from_secs(10))
        // No ping before every acquire (a round trip per query); a broken connection
        // fails its query, and the caller's retry gets a fresh one.
        .test_before_acquire(false)
        .connect_with(options)
        .await
}

/// Applies pending migrations (an advisory lock makes concurrent starts safe).
///
/// # Errors
/// Migration failures.
pub async fn migrate(pool: &PgPool) -> Result<(), sqlx::migrate::MigrateError> {
    sqlx::migrate!("../migrations/postgres").run(pool).await
}

/// Whether the database answers a trivial query.
pub async fn ping(pool: &PgPool) -> bool {
    sqlx::query("SELECT 1").execute(pool).await.is_ok()
}

/// Events the projection-lag probe looks at: the newest ones by position.
const LAG_PROBE_EVENTS: i64 = 500;

/// How far the read models are behind the event store: the age of the oldest of the
/// newest events whose document's read model has not reached it (documents whose
/// projection failed are left out: their reads say so). `None` when the read models have
/// every one of those events. A stopped or stuck projector shows here within one probe.
///
/// # Errors
/// Database failures.
pub async fn projection_lag(pool: &PgPool) -> Result<Option<(Duration, i64)>, sqlx::Error> {
    let row: (Option<f64>, i64) = sqlx::query_as(
        "SELECT extract(epoch FROM now() - min(CASE WHEN e.metadata ->> 'at' ~ '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}'
                                              THEN (e.metadata ->> 'at')::timestamptz END))::float8,
                count(DISTINCT e.aggregate_id)
           FROM (SELECT aggregate_id, sequence, metadata FROM events
                  ORDER BY position DESC LIMIT $1) e
           LEFT JOIN documents d ON d.id = e.aggregate_id
          WHERE (d.version IS NULL OR d.version < e.sequence)
            AND NOT EXISTS (SELECT 1 FROM projection_failures f WHERE f.document_id = e.aggregate_id)",
    )
    .bind(LAG_PROBE_EVENTS)
    .fetch_one(pool)
    .await?;
    Ok(row
        .0
        .map(|seconds| (Duration::from_secs_f64(seconds.max(0.0)), row.1)))
}

/// A listener connected and subscribed to `channel`.
async fn listen(pool: &PgPool, channel: &str) -> Result<PgListener, sqlx::Error> {
    let mut listener = PgListener::connect_with(pool).await?;
    listener.listen(channel).await?;
    Ok(listener)
}

/// Waits for a notification on `channel`, or `poll` at most. Returns the listener to reuse
/// (None after a failure: the caller reconnects next time, meanwhile it polls).
pub async fn wait_notified(
    pool: &PgPool,
    listener: Option<PgListener>,
    channel: &str,
    poll: Duration,
) -> Option<PgListener> {
    let mut listener = match listener {
        Some(l) => l,
        None => match listen(pool, channel).await {
            Ok(l) => l,
            Err(e) => {
                tracing::warn!(error = %e, channel, "cannot LISTEN; polling");
                tokio::time::sleep(poll).await;
                return None;
            }
        },
    };
    match tokio::time::timeout(poll, listener.try_recv()).await {
        Err(_elapsed) => Some(listener),
        Ok(Ok(_)) => Some(listener),
        Ok(Err(e)) => {
            tracing::warn!(error = %e, channel, "listener failed; reconnecting");
            None
        }
    }
}

/// Follows the projectors' commits (`LISTEN folio_views`, payload `<version>:<id>`) and
/// tells `views`' `?min_version=` waiters, until `shutdown` turns true. After a reconnect
/// (notifications may have been missed) every waiter re-reads the database.
pub async fn run_views_listener(pool: PgPool, views: Views, mut shutdown: watch::Receiver<bool>) {
    loop {
        let mut listener = match listen(&pool, "folio_views").await {
            Ok(l) => l,
            Err(e) => {
                tracing::warn!(error = %e, "cannot LISTEN folio_views; retrying");
                if crate::pause(Duration::from_secs(1), &mut shutdown).await {
                    return;
                }
                continue;
            }
        };
        views.notify_changed();
        loop {
            let received = tokio::select! {
                r = listener.try_recv() => r,
                _ = shutdown.changed() => return,
            };
            match received {
                Ok(Some(notification)) => match notification.payload().split_once(':') {
                    Some((version, id)) => match version.parse::<u64>() {
                        Ok(version) => views.notify_version(id, version),
                        Err(_) => views.notify_changed(),
                    },
                    None => views.notify_changed(),
                },
                // The connection was lost (and is re-established by the next call).
                Ok(None) => views.notify_changed(),
                Err(e) => {
                    tracing::warn!(error = %e, "listener failed; reconnecting");
                    views.notify_changed();
                    break;
                }
            }
        }
    }
}
