//! NATS JetStream: the event bus of the distributed deployment, and the outbox relay that
//! feeds it from PostgreSQL.
//!
//! - Stream `<prefix>_EVENTS`, subjects `<prefix>.events.<tenant>.<document>`, file storage,
//!   a two-minute duplicate window; each message's `Nats-Msg-Id` is `<document>:<sequence>`,
//!   so a re-published event is stored once.
//! - The relay runs in every `folio command-api`. Each round runs in one transaction under
//!   a transaction-scoped advisory lock (one relay at a time, so a document's events are
//!   published in order): it reads the outbox rows after the shared cursor in the gap-safe
//!   `(txid, position)` order, publishes them, waits for every ack, then moves the cursor
//!   and commits. Relayed rows are deleted in bulk about once a second. A crash or a NATS
//!   outage rolls the round back: the rows are published again later (dedupe absorbs the
//!   repeats). Writes never wait for NATS.
//! - It wakes when its own process appends (in-process signal, lingering 1 ms so a burst
//!   travels as one round), on `LISTEN folio_outbox`, and by polling every 500 ms. A relay
//!   that finds another one mid-round sends `NOTIFY folio_outbox`, so the holder runs
//!   again right after and publishes what the round it was in may have missed. The events
//!   trigger itself sends no NOTIFY: a notifying transaction holds a database-wide lock
//!   through its commit flush, which would serialise every append.

use std::sync::Arc;
use std::time::Duration;

use async_nats::jetstream::{self, consumer, stream};
use bytes::Bytes;
use futures::future::try_join_all;
use sqlx::{PgPool, Row};
use tokio::sync::{Notify, watch};

use crate::envelope::Envelope;
use crate::store::{PgLog, StoreError, StoredEvent};

/// Outbox rows relayed per round.
const RELAY_BATCH: i64 = 1_000;
/// The header naming the request an event came from (its `X-Request-Id`).
pub const REQUEST_ID_HEADER: &str = "Folio-Request-Id";
/// The header naming what caused an event: the command that decided it.
pub const CAUSATION_HEADER: &str = "Folio-Causation";

/// How long a round waits for its publish acks.
const ACK_TIMEOUT: Duration = Duration::from_secs(5);
/// How long the relay waits after a wake-up from its own process, to batch bursts.
const RELAY_LINGER: Duration = Duration::from_millis(1);
/// How often relayed outbox rows are deleted.
const OUTBOX_CLEANUP: Duration = Duration::from_secs(1);
/// Poll interval when no notification arrives.
const RELAY_POLL: Duration = Duration::from_millis(500);
/// The advisory lock key that lets one relay at a time run a round.
const RELAY_LOCK: i64 = 0x666f_6c69_6f01; // "folio" + 1

/// Why talking to JetStream failed.
#[derive(Debug, thiserror::Error)]
pub enum BusError {
    /// NATS refused or timed out.
    #[error("jetstream: {0}")]
    Nats(String),
    /// The event store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn nats(e: impl std::fmt::Display) -> BusError {
    BusError::Nats(e.to_string())
}

/// The JetStream side of the distributed deployment, for one stream prefix.
#[derive(Debug, Clone)]
pub struct Bus {
    context: jetstream::Context,
    prefix: String,
}

impl Bus {
    /// Connects to NATS. The connection is retried in the background, so a process starts
    /// (and its writes work) while NATS is down.
    ///
    /// # Errors
    /// A malformed URL.
    pub async fn connect(url: &str, prefix: &str) -> Result<Self, BusError> {
        let client = async_nats::ConnectOptions::new()
            .retry_on_initial_connect()
            .connection_timeout(Duration::from_secs(2))
            .connect(url)
            .await
            .map_err(nats)?;
        let mut context = jetstream::new(client);
        context.set_timeout(ACK_TIMEOUT);
        Ok(Self {
            context,
            prefix: prefix.to_string(),
        })
    }

    /// The NATS client (its `max_payload` is the server's, once connected).
    pub fn client(&self) -> async_nats::Client {
        self.context.client()
    }

    /// The stream's name.
    pub fn stream_name(&self) -> String {
        format!("{}_EVENTS", self.prefix)
    }

    /// The subject of a document's events.
    pub fn subject(&self, tenant: &str, document_id: &str) -> String {
        format!(
            "{}.events.{}.{}",
            self.prefix,
            crate::safe_token(tenant),
            crate::safe_token(document_id)
        )
    }

    /// Creates the stream, or updates it to this configuration.
    ///
    /// # Errors
    /// NATS failures.
    pub async fn ensure_stream(&self) -> Result<stream::Stream, BusError> {
        let config = stream::Config {
            name: self.stream_name(),
            subjects: vec![format!("{}.events.>", self.prefix)],
            storage: stream::StorageType::File,
            duplicate_window: Duration::from_secs(120),
            ..Default::default()
        };
        self.context
            .create_or_update_stream(config)
            .await
            .map_err(nats)?;
        self.context
            .get_stream(self.stream_name())
            .await
            .map_err(nats)
    }

    /// Creates, updates or joins a durable pull consumer of every event, acked explicitly.
    ///
    /// # Errors
    /// NATS failures.
    pub async fn durable_consumer(&self, name: &str) -> Result<consumer::PullConsumer, BusError> {
        let stream = self.ensure_stream().await?;
        let config = consumer::pull::Config {
            durable_name: Some(name.to_string()),
            ack_policy: consumer::AckPolicy::Explicit,
            ack_wait: Duration::from_secs(30),
            max_ack_pending: 20_000,
            deliver_policy: consumer::DeliverPolicy::All,
            ..Default::default()
        };
        // Creating a durable consumer that exists is idempotent with the same configuration
        // and updates its editable settings (ack wait, max ack pending…) with a changed one,
        // so every instance does this at start.
        stream.create_consumer(config).await.map_err(nats)
    }

    /// Publishes events and waits until JetStream stored every one (or recognised it as a
    /// duplicate). An event the bus can never take (larger than the server's
    /// `max_payload`) is not published: it comes back in the answer, with its size and
    /// why, for the relay to park.
    ///
    /// # Errors
    /// NATS failures or timeouts: some may have been stored; publishing again is safe.
    #[tracing::instrument(name = "folio.bus.publish", level = "debug", skip_all, fields(events = events.len()), err(level = "debug"))]
    pub async fn publish(&self, events: &[StoredEvent]) -> Result<Vec<Unpublishable>, BusError> {
        let mut acks = Vec::with_capacity(events.len());
        let mut refused = Vec::new();
        for (index, event) in events.iter().enumerate() {
            let payload = Envelope::from(event).to_json().map_err(nats)?;
            let bytes = payload.len();
            // The request that caused the event and its command travel as headers, so a
            // consumer's log lines name them before it decodes the payload.
            let message = jetstream::message::PublishMessage::build()
                .payload(Bytes::from(payload))
                .message_id(format!("{}:{}", event.document_id, event.sequence))
                .header(REQUEST_ID_HEADER, event.metadata.request_id.as_str())
                .header(CAUSATION_HEADER, event.metadata.command.as_str());
            let sent = self
                .context
                .send_publish(
                    self.subject(event.tenant(), event.document_id.as_str()),
                    message,
                )
                .await;
            match sent {
                Ok(ack) => acks.push(ack.into_future()),
                Err(e) if e.kind() == jetstream::context::PublishErrorKind::MaxPayloadExceeded => {
                    refused.push(Unpublishable {
                        index,
                        bytes,
                        reason: e.to_string(),
                    });
                }
                Err(e) => return Err(nats(e)),
            }
        }
        tokio::time::timeout(ACK_TIMEOUT * 2, try_join_all(acks))
            .await
            .map_err(|_| BusError::Nats("publish acks timed out".into()))?
            .map_err(nats)?;
        Ok(refused)
    }
}

/// An event the bus refused for good (publishing it again would fail the same way).
#[derive(Debug, Clone)]
pub struct Unpublishable {
    /// Its index among the events given to [`Bus::publish`].
    pub index: usize,
    /// Its envelope's size.
    pub bytes: usize,
    /// Why.
    pub reason: String,
}

/// What a relay round did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Round {
    /// Published (and deleted) this many outbox rows.
    Published(usize),
    /// Another relay holds the round lock.
    Busy,
}

/// One relay round: publishes the settled outbox rows after the shared cursor, then moves
/// the cursor (and, about once a second, deletes what is behind it).
///
/// # Errors
/// Store or NATS failures (the round is rolled back; nothing is lost).
#[tracing::instrument(
    name = "folio.bus.relay",
    level = "debug",
    skip_all,
    err(level = "debug")
)]
pub async fn relay_round(log: &PgLog, bus: &Bus) -> Result<Round, BusError> {
    let pool: &PgPool = log.pool();
    let started = std::time::Instant::now();
    let mut tx = pool.begin().await.map_err(StoreError::from)?;
    // A lost cursor update only means rows are published again (and deduplicated), so
    // this transaction does not wait for its commit to be flushed.
    let locked: bool = sqlx::query_scalar(
        "SELECT pg_try_advisory_xact_lock($1), set_config('synchronous_commit', 'off', true)",
    )
    .bind(RELAY_LOCK)
    .fetch_one(&mut *tx)
    .await
    .map_err(StoreError::from)?;
    if !locked {
        return Ok(Round::Busy);
    }
    // The rows after the cursor, only from transactions older than every one in flight (a
    // lower position can commit after a higher one; see the event store), each joined to
    // its event by primary key.
    let rows = sqlx::query(
        "SELECT o.txid::text::bigint AS txid, o.position, o.aggregate_type, e.aggregate_id, e.sequence, e.event_type,
                e.event_version, e.payload, e.metadata
           FROM (SELECT txid, position, aggregate_type, aggregate_id, sequence FROM outbox
                  WHERE txid < pg_snapshot_xmin(pg_current_snapshot())
                    AND (txid, position) > (SELECT txid, position FROM relay_cursor WHERE name = 'jetstream')
                  ORDER BY txid, position LIMIT $1) o
           CROSS JOIN LATERAL (SELECT * FROM events e
                  WHERE e.aggregate_type = o.aggregate_type AND e.aggregate_id = o.aggregate_id
                    AND e.sequence = o.sequence) e
          ORDER BY o.txid, o.position",
    )
    .bind(RELAY_BATCH)
    .fetch_all(&mut *tx)
    .await
    .map_err(StoreError::from)?;
    let Some(last) = rows.last() else {
        return Ok(Round::Published(0));
    };
    let cursor: (i64, i64) = (
        last.try_get("txid").map_err(StoreError::from)?,
        last.try_get("position").map_err(StoreError::from)?,
    );
    let events = rows
        .iter()
        .map(crate::rows::event)
        .collect::<Result<Vec<_>, _>>()?;
    let read = started.elapsed();
    let refused = bus.publish(&events).await?;
    // A row the bus can never take is parked, and the cursor moves past it: one event
    // never holds back every later one (the projectors read it from the store when they
    // fill the gap it leaves).
    for parked in &refused {
        let (event, row) = (&events[parked.index], &rows[parked.index]);
        let position: i64 = row.try_get("position").map_err(StoreError::from)?;
        let aggregate_type: String = row.try_get("aggregate_type").map_err(StoreError::from)?;
        sqlx::query(
            "INSERT INTO outbox_parked
                 (position, aggregate_type, aggregate_id, sequence, tenant, event_type, bytes, reason)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (position) DO NOTHING",
        )
        .bind(position)
        .bind(aggregate_type)
        .bind(event.document_id.as_str())
        .bind(event.sequence as i64)
        .bind(event.tenant())
        .bind(&event.event_type)
        .bind(parked.bytes as i64)
        .bind(&parked.reason)
        .execute(&mut *tx)
        .await
        .map_err(StoreError::from)?;
        tracing::error!(
            document_id = %event.document_id,
            sequence = event.sequence,
            event_type = %event.event_type,
            bytes = parked.bytes,
            reason = %parked.reason,
            "an outbox row cannot be published: parked (see `folio outbox list`)"
        );
        metrics::counter!("folio_outbox_parked_total").increment(1);
    }
    crate::telemetry::pipeline::relayed(
        events
            .iter()
            .enumerate()
            .filter(|(i, _)| !refused.iter().any(|r| r.index == *i))
            .map(|(_, e)| e),
    );
    let published = started.elapsed();
    sqlx::query(
        "UPDATE relay_cursor SET txid = $1::bigint::text::xid8, position = $2 WHERE name = 'jetstream'",
    )
    .bind(cursor.0)
    .bind(cursor.1)
    .execute(&mut *tx)
    .await
    .map_err(StoreError::from)?;
    tx.commit().await.map_err(StoreError::from)?;
    tracing::debug!(
        events = events.len(),
        read_ms = read.as_secs_f64() * 1e3,
        published_ms = published.as_secs_f64() * 1e3,
        total_ms = started.elapsed().as_secs_f64() * 1e3,
        "outbox rows relayed"
    );
    Ok(Round::Published(events.len()))
}

/// Deletes the outbox rows the relay has published.
///
/// # Errors
/// Database failures.
pub async fn delete_relayed(log: &PgLog) -> Result<u64, StoreError> {
    let done = sqlx::query(
        "DELETE FROM outbox WHERE (txid, position) <= (SELECT txid, position FROM relay_cursor WHERE name = 'jetstream')",
    )
    .execute(log.pool())
    .await?;
    Ok(done.rows_affected())
}

/// Deletes relayed outbox rows about once a second until `shutdown` turns true.
async fn run_cleanup(log: PgLog, mut shutdown: watch::Receiver<bool>) {
    while !crate::pause(OUTBOX_CLEANUP, &mut shutdown).await {
        if let Err(e) = delete_relayed(&log).await {
            tracing::warn!(error = %e, "cannot delete relayed outbox rows");
            continue;
        }
        // What is left after the relayed rows are gone is what waits to be relayed.
        match sqlx::query_scalar::<_, i64>("SELECT count(*) FROM outbox")
            .fetch_one(log.pool())
            .await
        {
            Ok(n) => crate::telemetry::pipeline::outbox_backlog(n.max(0) as u64),
            Err(e) => tracing::debug!(error = %e, "cannot count the outbox"),
        }
    }
}

/// Aborts a task when dropped (the relay's helper task ends with the relay).
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// How long relay rounds may keep failing, with NATS connected, before `/readyz` calls the
/// relay stuck.
pub const STUCK_AFTER: Duration = Duration::from_secs(30);

/// How the relay fares, for `/readyz`.
#[derive(Debug, Clone, Default)]
pub struct RelayHealth(Arc<std::sync::Mutex<HealthState>>);

/// Since when rounds have failed, and the last failure (`None` after a round that worked).
#[derive(Debug, Default)]
struct HealthState {
    failing: Option<(std::time::Instant, String)>,
}

impl RelayHealth {
    fn state(&self) -> std::sync::MutexGuard<'_, HealthState> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn succeeded(&self) {
        self.state().failing = None;
    }

    fn failed(&self, error: &BusError) {
        let mut state = self.state();
        let since = state
            .failing
            .as_ref()
            .map_or_else(std::time::Instant::now, |(since, _)| *since);
        state.failing = Some((since, error.to_string()));
    }

    /// Why the relay cannot be called healthy, if it cannot: outbox rows parked (the
    /// operator must retry or skip them), or rounds failing for longer than `stuck_after`
    /// while NATS is connected. A NATS outage alone is not a fault of this process: writes
    /// go on into the outbox, which drains when NATS is back.
    ///
    /// # Errors
    /// The database cannot be asked.
    pub async fn problem(
        &self,
        log: &PgLog,
        bus: &Bus,
        stuck_after: Duration,
    ) -> Result<Option<String>, StoreError> {
        let parked: i64 = sqlx::query_scalar("SELECT count(*) FROM outbox_parked")
            .fetch_one(log.pool())
            .await?;
        metrics::gauge!("folio_outbox_parked").set(parked as f64);
        if parked > 0 {
            return Ok(Some(format!(
                "outbox: {parked} parked row(s) the relay cannot publish; see `folio outbox list`"
            )));
        }
        let connected = bus.client().connection_state() == async_nats::connection::State::Connected;
        let state = self.state();
        Ok(match &state.failing {
            Some((since, error)) if connected && since.elapsed() >= stuck_after => Some(format!(
                "outbox relay stuck: rounds have failed for {} s ({error})",
                since.elapsed().as_secs()
            )),
            _ => None,
        })
    }
}

/// Runs the relay until `shutdown` turns true. `appended` is signalled by this process's
/// write path after each append; `health` follows its rounds.
pub async fn run_relay(
    log: PgLog,
    bus: Bus,
    appended: Arc<Notify>,
    health: RelayHealth,
    mut shutdown: watch::Receiver<bool>,
) {
    let mut listener = None;
    let mut backoff = crate::Backoff::default();
    // The stream is created (or updated) before the first round and again after any
    // failure, so the relay works whichever process starts first.
    let mut stream_ready = false;
    // Deleting relayed rows runs beside the rounds, so it never delays one.
    let cleanup = tokio::spawn(run_cleanup(log.clone(), shutdown.clone()));
    let _abort_cleanup = AbortOnDrop(cleanup);
    loop {
        if !stream_ready {
            match bus.ensure_stream().await {
                Ok(_) => stream_ready = true,
                Err(e) => {
                    tracing::warn!(error = %e, "cannot create the stream; retrying");
                    if crate::pause(backoff.delay(), &mut shutdown).await {
                        return;
                    }
                    continue;
                }
            }
        }
        let round = relay_round(&log, &bus).await;
        match &round {
            Ok(_) => health.succeeded(),
            Err(e) => health.failed(e),
        }
        match round {
            Ok(Round::Published(n)) => {
                backoff.reset();
                if n as i64 == RELAY_BATCH {
                    continue;
                }
            }
            Ok(Round::Busy) => {
                // The holder may have read the outbox before our rows committed: ask it
                // to go again once its round ends.
                if let Err(e) = sqlx::query("SELECT pg_notify('folio_outbox', '')")
                    .execute(log.pool())
                    .await
                {
                    tracing::warn!(error = %e, "cannot notify the other relays");
                }
                if crate::pause(RELAY_LINGER * 2, &mut shutdown).await {
                    return;
                }
            }
            Err(e) => {
                stream_ready = false;
                tracing::warn!(error = %e, "outbox relay round failed; retrying");
                if crate::pause(backoff.delay(), &mut shutdown).await {
                    return;
                }
                continue;
            }
        }
        tokio::select! {
            () = appended.notified() => {
                // Linger a moment so concurrent appends travel as one round.
                tokio::time::sleep(RELAY_LINGER).await;
            }
            l = crate::postgres::wait_notified(log.pool(), listener.take(), "folio_outbox", RELAY_POLL) => listener = l,
            _ = shutdown.changed() => return,
        }
    }
}

/// An outbox row the relay parked.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ParkedRow {
    /// Its outbox position (what `folio outbox retry|skip` name it by).
    pub position: i64,
    /// The document.
    pub document_id: String,
    /// The event's sequence.
    pub sequence: i64,
    /// The document's tenant.
    pub tenant: String,
    /// The event's type.
    pub event_type: String,
    /// Its envelope's size in bytes.
    pub bytes: i64,
    /// Why it could not be published.
    pub reason: String,
    /// When it was parked (RFC 3339).
    pub parked_at: String,
}

/// The parked outbox rows, oldest first.
///
/// # Errors
/// Database failures.
pub async fn parked_rows(log: &PgLog) -> Result<Vec<ParkedRow>, StoreError> {
    let rows = sqlx::query(
        "SELECT position, aggregate_id, sequence, tenant, event_type, bytes, reason,
                to_char(parked_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"') AS parked_at
           FROM outbox_parked ORDER BY position",
    )
    .fetch_all(log.pool())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(ParkedRow {
                position: r.try_get("position")?,
                document_id: r.try_get("aggregate_id")?,
                sequence: r.try_get("sequence")?,
                tenant: r.try_get("tenant")?,
                event_type: r.try_get("event_type")?,
                bytes: r.try_get("bytes")?,
                reason: r.try_get("reason")?,
                parked_at: r.try_get("parked_at")?,
            })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(StoreError::from)
}

/// Which parked rows an operator names: all, or some by position.
#[derive(Debug, Clone)]
pub enum Which {
    /// Every parked row.
    All,
    /// These positions.
    Positions(Vec<i64>),
}

impl Which {
    fn positions(&self, rows: &[ParkedRow]) -> Vec<i64> {
        match self {
            Which::All => rows.iter().map(|r| r.position).collect(),
            Which::Positions(p) => p.clone(),
        }
    }
}

/// What happened to one parked row an operator named.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Handled {
    /// Its outbox position.
    pub position: i64,
    /// Published (retry) or dropped (skip); `false` with `error` when it stayed parked.
    pub done: bool,
    /// Why it stayed parked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// Publishes parked rows again (after the bus's limit was raised, say); each one that is
/// published leaves the parked list. A position that is not parked is reported as such.
///
/// # Errors
/// Database failures; NATS failures for one row are reported in its [`Handled`].
pub async fn retry_parked(log: &PgLog, bus: &Bus, which: &Which) -> Result<Vec<Handled>, BusError> {
    bus.ensure_stream().await?;
    let rows = parked_rows(log).await?;
    let store = crate::store::EventLog::postgres(log.pool().clone());
    let mut handled = Vec::new();
    for position in which.positions(&rows) {
        let Some(row) = rows.iter().find(|r| r.position == position) else {
            handled.push(Handled {
                position,
                done: false,
                error: Some("no parked row at this position".into()),
            });
            continue;
        };
        let sequence = u64::try_from(row.sequence).unwrap_or_default();
        let event = store
            .events(
                &domain::DocumentId::new(row.document_id.clone()),
                sequence.saturating_sub(1),
                Some(sequence),
                Some(1),
            )
            .await?
            .pop();
        let outcome = match event {
            None => Err("the event is no longer in the store".to_string()),
            Some(event) => match bus.publish(std::slice::from_ref(&event)).await {
                Ok(refused) if refused.is_empty() => Ok(()),
                Ok(refused) => Err(refused
                    .first()
                    .map_or_else(String::new, |r| r.reason.clone())),
                Err(e) => Err(e.to_string()),
            },
        };
        if outcome.is_ok() {
            sqlx::query("DELETE FROM outbox_parked WHERE position = $1")
                .bind(position)
                .execute(log.pool())
                .await
                .map_err(StoreError::from)?;
        }
        handled.push(Handled {
            position,
            done: outcome.is_ok(),
            error: outcome.err(),
        });
    }
    Ok(handled)
}

/// Drops parked rows without publishing them: their events stay in the store (the
/// projectors read them from there when they fill the gap), they just never travel on the
/// bus.
///
/// # Errors
/// Database failures.
pub async fn skip_parked(log: &PgLog, which: &Which) -> Result<Vec<Handled>, StoreError> {
    let rows = parked_rows(log).await?;
    let mut handled = Vec::new();
    for position in which.positions(&rows) {
        let done = sqlx::query("DELETE FROM outbox_parked WHERE position = $1")
            .bind(position)
            .execute(log.pool())
            .await?
            .rows_affected()
            == 1;
        if done {
            tracing::warn!(position, "a parked outbox row was skipped by an operator");
        }
        handled.push(Handled {
            position,
            done,
            error: (!done).then(|| "no parked row at this position".to_string()),
        });
    }
    Ok(handled)
}
