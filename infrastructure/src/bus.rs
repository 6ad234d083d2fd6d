//! The outbox relay and the in-process event bus (embedded deployment).
//!
//! The relay reads outbox rows in commit order and publishes each event on a broadcast
//! channel. It remembers how far it got and deletes relayed rows in bulk about once a
//! second, so it adds no write per command to the event store (a restart re-publishes the
//! rows not yet deleted; projectors skip what they already applied). A subscriber that falls behind the channel's capacity is told
//! so (`Lagged`) and catches up from the event store; events are never lost, because the
//! store, not the bus, is the source of truth.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{Notify, broadcast, watch};

use crate::store::{SqliteLog, StoredEvent};

/// How many events the bus buffers per subscriber before it reports lag.
const BUS_CAPACITY: usize = 16_384;
/// Outbox rows relayed per round.
const RELAY_BATCH: u32 = 1_000;
/// The relay also polls, in case a notification was missed (e.g. a write by another process).
const RELAY_POLL: Duration = Duration::from_millis(250);
/// How long the relay waits after a wake-up before reading, to batch bursts.
const RELAY_LINGER: Duration = Duration::from_millis(2);
/// How often relayed rows are deleted.
const OUTBOX_CLEANUP: Duration = Duration::from_secs(1);

/// The in-process event bus.
#[derive(Debug, Clone)]
pub struct EventBus {
    sender: broadcast::Sender<Arc<StoredEvent>>,
}

impl Default for EventBus {
    fn default() -> Self {
        Self::new()
    }
}

impl EventBus {
    /// A bus with the default capacity.
    pub fn new() -> Self {
        let (sender, _) = broadcast::channel(BUS_CAPACITY);
        Self { sender }
    }

    /// A new subscription, receiving every event published from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<Arc<StoredEvent>> {
        self.sender.subscribe()
    }

    fn publish(&self, event: StoredEvent) {
        // No subscriber is fine: projectors catch up from the store when they start.
        let _ = self.sender.send(Arc::new(event));
    }
}

/// Runs the relay until `shutdown` turns true. Wakes on `appended` or every 250 ms.
pub async fn run_relay(
    log: SqliteLog,
    bus: EventBus,
    appended: Arc<Notify>,
    mut shutdown: watch::Receiver<bool>,
) {
    let mut relayed_through = 0_i64;
    let mut deleted_through = 0_i64;
    let mut last_cleanup = tokio::time::Instant::now();
    loop {
        let relayed = match relay_after(&log, &bus, relayed_through).await {
            Ok((n, through)) => {
                relayed_through = through;
                n
            }
            Err(e) => {
                tracing::error!(error = %e, "outbox relay failed; retrying");
                0
            }
        };
        if relayed_through > deleted_through
            && (last_cleanup.elapsed() >= OUTBOX_CLEANUP || *shutdown.borrow())
        {
            match log.outbox_delete_through(relayed_through).await {
                Ok(()) => deleted_through = relayed_through,
                Err(e) => tracing::warn!(error = %e, "cannot delete relayed outbox rows"),
            }
            last_cleanup = tokio::time::Instant::now();
        }
        if *shutdown.borrow() {
            return;
        }
        if relayed < RELAY_BATCH as usize {
            tokio::select! {
                () = appended.notified() => {
                    // Linger a moment so a burst of commands is relayed (and projected) as
                    // one batch instead of one round trip each.
                    tokio::time::sleep(RELAY_LINGER).await;
                }
                () = tokio::time::sleep(RELAY_POLL) => {}
                _ = shutdown.changed() => {}
            }
        }
    }
}

/// Publishes the outbox rows after `position` (one batch); returns how many and the
/// position of the last one.
///
/// # Errors
/// Store failures (nothing is skipped: the next call starts at the same position).
#[tracing::instrument(name = "folio.bus.relay", level = "debug", skip_all, fields(after = position), err(level = "debug"))]
pub async fn relay_after(
    log: &SqliteLog,
    bus: &EventBus,
    position: i64,
) -> Result<(usize, i64), crate::StoreError> {
    let batch = log.outbox_after(position, RELAY_BATCH).await?;
    let last = batch.last().map_or(position, |(p, _)| *p);
    let n = batch.len();
    crate::telemetry::pipeline::relayed(batch.iter().map(|(_, e)| e));
    if n < RELAY_BATCH as usize {
        // Everything committed so far is relayed.
        crate::telemetry::pipeline::outbox_backlog(0);
    } else {
        crate::telemetry::pipeline::outbox_backlog(log.outbox_count_after(last).await?);
    }
    for (_, event) in batch {
        bus.publish(event);
    }
    Ok((n, last))
}
