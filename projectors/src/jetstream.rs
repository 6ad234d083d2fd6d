//! The projectors of the distributed deployment: durable JetStream pull consumers.
//!
//! - `read_model`: applies each batch of events in one read-model transaction, then acks
//!   them (explicit ack after commit). Duplicates are skipped and gaps filled from the
//!   event store by [`ReadModelProjector::apply`]. Several `folio projector` processes
//!   share the consumer; when two touch the same document, the read model's
//!   compare-and-set makes one of them reload and apply again, so nothing is applied
//!   twice.
//! - `docx`: renders each changed document's latest version once its read model has the
//!   event, then acks. Bursts coalesce: one render per document per batch.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use async_nats::jetstream::{AckKind, Message};
use futures::{FutureExt, StreamExt};
use infrastructure::StoredEvent;
use infrastructure::jetstream::{Bus, BusError};
use infrastructure::store::StoreError;
use infrastructure::{Backoff, pause};
use tokio::sync::watch;

use crate::{DocxMaterializer, ReadModelProjector};

/// Most messages handled per batch.
const MAX_BATCH: usize = 1_000;
/// How many times a batch is re-applied after read-model conflicts.
const CONFLICT_RETRIES: usize = 8;

/// The durable consumer names (inside the stream `<prefix>_EVENTS`).
pub const READ_MODEL_CONSUMER: &str = "read_model";
/// See [`READ_MODEL_CONSUMER`].
pub const DOCX_CONSUMER: &str = "docx";

/// Joins the durable consumer and yields batches of messages to `handle` until shutdown.
/// Reconnects (with a capped backoff) whenever NATS goes away.
async fn consume<F, Fut>(bus: &Bus, name: &str, mut shutdown: watch::Receiver<bool>, mut handle: F)
where
    F: FnMut(Vec<Message>) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let mut backoff = Backoff::default();
    loop {
        let messages = match bus.durable_consumer(name).await {
            Ok(consumer) => consumer
                .messages()
                .await
                .map_err(|e| BusError::Nats(e.to_string())),
            Err(e) => Err(e),
        };
        let mut messages = match messages {
            Ok(m) => m,
            Err(e) => {
                tracing::warn!(consumer = name, error = %e, "cannot consume; retrying");
                if pause(backoff.delay(), &mut shutdown).await {
                    return;
                }
                continue;
            }
        };
        backoff.reset();
        loop {
            let first = tokio::select! {
                m = messages.next() => m,
                _ = shutdown.changed() => return,
            };
            let first = match first {
                Some(Ok(m)) => m,
                Some(Err(e)) => {
                    tracing::warn!(consumer = name, error = %e, "consumer error");
                    if pause(Duration::from_millis(200), &mut shutdown).await {
                        return;
                    }
                    continue;
                }
                None => break, // the stream ended: join again
            };
            let mut batch = vec![first];
            while batch.len() < MAX_BATCH {
                match messages.next().now_or_never() {
                    Some(Some(Ok(m))) => batch.push(m),
                    _ => break,
                }
            }
            handle(batch).await;
        }
    }
}

/// Acks or naks every message of a batch (failures are logged: an unacked message is
/// redelivered after the ack wait, which the projectors tolerate).
async fn settle(messages: &[Message], kind: AckKind) {
    for m in messages {
        if let Err(e) = m.ack_with(kind).await {
            tracing::warn!(error = %e, "cannot ack a message");
        }
    }
}

/// Decodes a batch; undecodable messages are terminated (logged, never redelivered).
async fn decode(batch: Vec<Message>) -> (Vec<Message>, Vec<Arc<StoredEvent>>) {
    let mut kept = Vec::with_capacity(batch.len());
    let mut events = Vec::with_capacity(batch.len());
    for m in batch {
        let header = |name| {
            m.headers
                .as_ref()
                .and_then(|h| h.get(name))
                .map(|v| v.as_str().to_string())
                .unwrap_or_default()
        };
        // The request and command that caused the message name what is logged about it.
        let span = tracing::debug_span!(
            "folio.projector.message",
            request_id = %header(infrastructure::jetstream::REQUEST_ID_HEADER),
            causation = %header(infrastructure::jetstream::CAUSATION_HEADER),
            subject = %m.subject,
        );
        match serde_json::from_slice::<StoredEvent>(&m.payload) {
            Ok(e) => {
                span.in_scope(|| tracing::trace!(sequence = e.sequence, "received"));
                events.push(Arc::new(e));
                kept.push(m);
            }
            Err(e) => {
                span.in_scope(|| {
                    tracing::error!(subject = %m.subject, error = %e, "undecodable event message");
                });
                settle(std::slice::from_ref(&m), AckKind::Term).await;
            }
        }
    }
    (kept, events)
}

/// Runs the read-model consumer until `shutdown` turns true. Catches up from the event
/// store first.
pub async fn run_read_model(
    bus: Bus,
    mut projector: ReadModelProjector,
    mut shutdown: watch::Receiver<bool>,
) {
    loop {
        match projector.catch_up().await {
            Ok(()) => break,
            Err(e) => {
                projector.forget();
                tracing::warn!(error = %e, "read-model catch-up failed; retrying");
                if pause(Duration::from_millis(500), &mut shutdown).await {
                    return;
                }
            }
        }
    }
    let projector = tokio::sync::Mutex::new(projector);
    consume(&bus, READ_MODEL_CONSUMER, shutdown, |batch| async {
        let started = std::time::Instant::now();
        let (messages, events) = decode(batch).await;
        let mut projector = projector.lock().await;
        let mut result = Err(StoreError::Conflict);
        for _ in 0..CONFLICT_RETRIES {
            result = projector.apply(&events).await;
            match &result {
                Err(StoreError::Conflict) => projector.forget(),
                _ => break,
            }
        }
        match result {
            Ok(()) => {
                let applied = started.elapsed();
                settle(&messages, AckKind::Ack).await;
                tracing::debug!(
                    events = events.len(),
                    applied_ms = applied.as_secs_f64() * 1e3,
                    total_ms = started.elapsed().as_secs_f64() * 1e3,
                    "read-model batch applied"
                );
            }
            Err(e) => {
                projector.forget();
                tracing::error!(error = %e, "read-model projection failed; redelivering");
                settle(&messages, AckKind::Nak(Some(Duration::from_secs(1)))).await;
            }
        }
    })
    .await;
}

/// Runs the .docx consumer until `shutdown` turns true. Renders what is stale first.
pub async fn run_docx(bus: Bus, materializer: DocxMaterializer, shutdown: watch::Receiver<bool>) {
    materializer.materialize_stale().await;
    let rest_signal = shutdown.clone();
    let materializer = &materializer;
    consume(&bus, DOCX_CONSUMER, shutdown, |batch| {
        let mut rest_signal = rest_signal.clone();
        async move {
        let started = tokio::time::Instant::now();
        let (messages, events) = decode(batch).await;
        // One render per document: its newest event in the batch.
        let mut newest: BTreeMap<String, u64> = BTreeMap::new();
        for e in &events {
            let v = newest.entry(e.document_id.to_string()).or_default();
            *v = (*v).max(e.sequence);
        }
        let mut done: BTreeMap<String, bool> = BTreeMap::new();
        for (id, sequence) in &newest {
            let ok = match materializer.materialize(id).await {
                // The read model has not reached the event yet: try again shortly.
                Ok(Some(v)) => v >= *sequence,
                Ok(None) => false,
                Err(e) => {
                    tracing::warn!(document_id = id, error = %e, "cannot materialise the .docx");
                    false
                }
            };
            done.insert(id.clone(), ok);
        }
        for (m, e) in messages.iter().zip(&events) {
            let kind = if done.get(e.document_id.as_str()).copied().unwrap_or(false) {
                AckKind::Ack
            } else {
                AckKind::Nak(Some(Duration::from_millis(200)))
            };
            settle(std::slice::from_ref(m), kind).await;
        }
        // Rendering costs CPU that the read model and the APIs need. Resting three times
        // as long as the pass took (at least `DOCX_MIN_REST`) lets edits made meanwhile
        // coalesce into one render per document; a reader who needs the newest .docx
        // sooner gets it rendered on demand by the query API.
        let rest = (started.elapsed() * 3).max(DOCX_MIN_REST);
        tokio::select! {
            () = tokio::time::sleep(rest) => {}
            _ = rest_signal.changed() => {}
        }
        }
    })
    .await;
}

/// Shortest pause between two .docx rendering passes.
const DOCX_MIN_REST: Duration = Duration::from_millis(250);
