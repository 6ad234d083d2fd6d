//! Everything that touches storage, the bus and the clock. The only crate with SQL.
//!
//! Layout:
//! - [`context`]: who is acting (tenant, actor, request) — the event metadata.
//! - [`credentials`]: users and API keys (hashes only).
//! - [`sqlite`]: opening the embedded databases and applying migrations.
//! - [`postgres`]: the distributed deployment's database (pool, migrations, LISTEN).
//! - [`store`]: the event store (sqlite-es or postgres-es underneath) with snapshots,
//!   history, time travel and a gap-safe global order.
//! - [`bus`]: the outbox relay and the in-process event bus (embedded).
//! - [`envelope`]: an event as the bus carries it, and the largest one accepted.
//! - [`jetstream`]: the JetStream bus and the PostgreSQL outbox relay (distributed).
//! - [`views`]: read-model repositories and read-your-writes waiting.
//! - [`blobs`]: the .docx blob store.
//! - [`telemetry`]: the tracing subscriber.

pub mod blobs;
pub mod budget;
pub mod bus;
pub mod context;
pub mod credentials;
pub mod envelope;
pub mod jetstream;
pub mod media;
pub mod panics;
pub mod postgres;
mod rows;
pub mod sqlite;
pub mod store;
pub mod telemetry;
pub mod views;

pub use context::{RequestContext, TenantId};
pub use store::{EventLog, EventMetadata, StoreError, StoredEvent};

/// The current time as RFC 3339 with millisecond precision, UTC.
pub fn now_rfc3339() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// `s` with every character other than ASCII letters, digits, `-` and `_` replaced by `_`:
/// safe as a path component (cannot escape a directory) and as a NATS subject token.
pub(crate) fn safe_token(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// Sleeps `delay`, or less when `shutdown` turns true; returns whether it did (the
/// caller then stops).
pub async fn pause(
    delay: std::time::Duration,
    shutdown: &mut tokio::sync::watch::Receiver<bool>,
) -> bool {
    tokio::select! {
        () = tokio::time::sleep(delay) => *shutdown.borrow(),
        _ = shutdown.changed() => true,
    }
}

/// A retry delay that doubles after each failure, from 100 ms up to 5 s.
#[derive(Debug, Clone, Copy)]
pub struct Backoff(std::time::Duration);

impl Default for Backoff {
    fn default() -> Self {
        Self(Self::FIRST)
    }
}

impl Backoff {
    const FIRST: std::time::Duration = std::time::Duration::from_millis(100);
    const MAX: std::time::Duration = std::time::Duration::from_secs(5);

    /// The delay before the next attempt (doubling it for the one after).
    pub fn delay(&mut self) -> std::time::Duration {
        let delay = self.0;
        self.0 = (self.0 * 2).min(Self::MAX);
        delay
    }

    /// Back to the first delay (after a success).
    pub fn reset(&mut self) {
        self.0 = Self::FIRST;
    }
}
