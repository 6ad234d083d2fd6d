//! The tracing subscriber, built once per process.

use tracing_subscriber::EnvFilter;

/// Installs the global subscriber: JSON lines when `json`, human-readable otherwise, always
/// on stderr (stdout belongs to command output and to MCP). The filter comes from
/// `RUST_LOG`, defaulting to `default_filter`.
pub fn init(json: bool, default_filter: &str) {
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default_filter));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    // A second init (tests start several apps in one process) is harmless.
    let _ = if json {
        builder.json().try_init()
    } else {
        builder.try_init()
    };
}

/// Seconds since an RFC 3339 time (an event's `at`), if it parses.
pub fn seconds_since(at: &str) -> Option<f64> {
    let then = chrono::DateTime::parse_from_rfc3339(at).ok()?;
    let age = chrono::Utc::now().signed_duration_since(then.with_timezone(&chrono::Utc));
    Some(age.num_milliseconds().max(0) as f64 / 1e3)
}

/// Metrics of the event pipeline. Labels never carry a tenant, document or principal.
pub mod pipeline {
    use crate::StoredEvent;

    /// Events appended by this process's write path.
    pub fn appended(events: usize) {
        metrics::counter!("folio_events_appended_total").increment(events as u64);
    }

    /// A relay round published `events`: counts them and records how long the last one
    /// waited between its commit and its publication.
    pub fn relayed<'a>(events: impl Iterator<Item = &'a StoredEvent>) {
        let mut n = 0_u64;
        let mut last = None;
        for e in events {
            n += 1;
            last = Some(e);
        }
        metrics::counter!("folio_events_relayed_total").increment(n);
        if let Some(age) = last.and_then(|e| super::seconds_since(&e.metadata.at)) {
            metrics::gauge!("folio_relay_lag_seconds").set(age);
        }
    }

    /// Outbox rows not yet relayed.
    pub fn outbox_backlog(rows: u64) {
        metrics::gauge!("folio_outbox_backlog").set(rows as f64);
    }

    /// How far behind the events it has applied a projector (`consumer`) is: the age of
    /// the newest one.
    pub fn projection_lag(consumer: &'static str, at: &str) {
        if let Some(age) = super::seconds_since(at) {
            metrics::gauge!("folio_projection_lag_seconds", "consumer" => consumer).set(age);
        }
    }
}
