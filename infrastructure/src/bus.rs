//! The outbox relay and the in-process event bus (embedded deployment).
//!
//! The relay reads outbox rows in commit order, publishes each event on a broadcast channel
//! and then deletes the rows. A subscriber that falls behind the channel's capacity is told
//! so (`Lagged`) and catches up from the event store; events are never lost, because the
//! store, not the bus, is the source of truth.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{Notify, broadcast, watch};

use crate::store::{EventLog, StoredEvent};

/// How many events the bus buffers per subscriber before it reports lag.
const BUS_CAPACITY: usize = 16_384;
/// Outbox rows relayed per round.
const RELAY_BATCH: u32 = 1_000;
/// The relay also polls, in case a notification was missed (e.g. a write by another process).
const RELAY_POLL: Duration = Duration::from_millis(250);

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
    log: EventLog,
    bus: EventBus,
    appended: Arc<Notify>,
    mut shutdown: watch::Receiver<bool>,
) {
    loop {
        let relayed = match relay_once(&log, &bus).await {
            Ok(n) => n,
            Err(e) => {
                tracing::error!(error = %e, "outbox relay failed; retrying");
                0
            }
        };
        if *shutdown.borrow() {
            return;
        }
        if relayed < RELAY_BATCH as usize {
            tokio::select! {
                () = appended.notified() => {}
                () = tokio::time::sleep(RELAY_POLL) => {}
                _ = shutdown.changed() => {}
            }
        }
    }
}

/// Relays one batch of outbox rows; returns how many.
///
/// # Errors
/// Store failures (the rows stay and are relayed next time).
pub async fn relay_once(log: &EventLog, bus: &EventBus) -> Result<usize, crate::StoreError> {
    let batch = log.outbox_batch(RELAY_BATCH).await?;
    let Some(last) = batch.last().map(|(p, _)| *p) else {
        return Ok(0);
    };
    let n = batch.len();
    for (_, event) in batch {
        bus.publish(event);
    }
    log.outbox_delete_through(last).await?;
    Ok(n)
}
