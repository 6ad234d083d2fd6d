//! The document read model.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use domain::{Document, DocumentEvent};
use infrastructure::StoredEvent;
use infrastructure::budget::BudgetLru;
use infrastructure::panics::guarded;
use infrastructure::store::{EventLog, StoreError};
use infrastructure::views::{Projected, ProjectionFailure, SummaryRow, Views};
use tokio::sync::{broadcast, mpsc, watch};

/// Most events taken from the bus per transaction.
const MAX_BATCH: usize = 2_000;
/// Batches that take longer than this are followed by a rest.
const REST_AFTER: Duration = Duration::from_millis(1);

/// Keeps `documents` and `document_blocks` in step with the events.
pub struct ReadModelProjector {
    log: EventLog,
    views: Views,
    cache: BudgetLru<Projected>,
    /// Documents whose projection stopped (recorded in the read models too): their events
    /// are skipped, every other document keeps projecting.
    failed: HashSet<String>,
    /// Document ids whose read model changed (for the .docx materialiser).
    changed: Option<mpsc::UnboundedSender<String>>,
}

impl std::fmt::Debug for ReadModelProjector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReadModelProjector").finish_non_exhaustive()
    }
}

impl ReadModelProjector {
    /// A projector writing to `views`, reading gaps from `log`, telling `changed` which
    /// documents it updated. It keeps at most `cached_documents` documents in memory, and
    /// at most about `cache_bytes` of them.
    pub fn new(
        log: EventLog,
        views: Views,
        (cached_documents, cache_bytes): (usize, usize),
        changed: Option<mpsc::UnboundedSender<String>>,
    ) -> Self {
        Self {
            log,
            views,
            cache: BudgetLru::new(cached_documents, cache_bytes),
            failed: HashSet::new(),
            changed,
        }
    }

    /// Consumes the bus until it closes or `shutdown` turns true. Catches up from the event
    /// store first, and again whenever it lagged behind the bus or a write failed.
    pub async fn run(
        mut self,
        mut events: broadcast::Receiver<Arc<StoredEvent>>,
        mut shutdown: watch::Receiver<bool>,
    ) {
        let mut need_catch_up = true;
        loop {
            if need_catch_up {
                match self.catch_up().await {
                    Ok(()) => need_catch_up = false,
                    Err(e) => {
                        tracing::error!(error = %e, "read-model catch-up failed; retrying");
                        tokio::select! {
                            () = tokio::time::sleep(Duration::from_secs(1)) => continue,
                            _ = shutdown.changed() => return,
                        }
                    }
                }
            }
            let first = tokio::select! {
                received = events.recv() => received,
                _ = shutdown.changed() => return,
            };
            let mut batch = match first {
                Ok(e) => vec![e],
                Err(broadcast::error::RecvError::Lagged(skipped)) => {
                    tracing::warn!(
                        skipped,
                        "read-model projector lagged; catching up from the store"
                    );
                    need_catch_up = true;
                    continue;
                }
                Err(broadcast::error::RecvError::Closed) => return,
            };
            while batch.len() < MAX_BATCH {
                match events.try_recv() {
                    Ok(e) => batch.push(e),
                    Err(broadcast::error::TryRecvError::Lagged(_)) => {
                        need_catch_up = true;
                        break;
                    }
                    Err(_) => break,
                }
            }
            let started = tokio::time::Instant::now();
            if let Err(e) = self.apply(&batch).await {
                tracing::error!(error = %e, "read-model projection failed; will catch up");
                self.cache.clear();
                need_catch_up = true;
            }
            // A batch costs time in proportion to the documents it touches (their state is
            // rewritten). After an expensive batch, rest twice as long as it took, so that
            // projecting long documents takes at most a third of a core from the commands;
            // the events meanwhile gather into the next batch. Cheap batches do not rest.
            let spent = started.elapsed();
            if spent > REST_AFTER {
                tokio::select! {
                    () = tokio::time::sleep(spent * 2) => {}
                    _ = shutdown.changed() => return,
                }
            }
        }
    }

    /// Forgets cached documents (after a conflict: someone else stored meanwhile).
    pub fn forget(&mut self) {
        self.cache.clear();
    }

    /// Brings every document's read model up to the event store.
    ///
    /// # Errors
    /// Store failures.
    #[tracing::instrument(name = "folio.projector.catch_up", skip_all, err)]
    pub async fn catch_up(&mut self) -> Result<(), StoreError> {
        self.failed = self
            .views
            .failures()
            .await?
            .into_iter()
            .map(|f| f.document_id)
            .collect();
        for (id, head) in self.log.heads().await? {
            if self.failed.contains(id.as_str()) {
                continue;
            }
            let projected = self.views.version(id.as_str()).await?.unwrap_or(0);
            if projected < head {
                let events = self.log.events(&id, projected, Some(head), None).await?;
                let arcs: Vec<Arc<StoredEvent>> = events.into_iter().map(Arc::new).collect();
                self.apply(&arcs).await?;
            }
        }
        Ok(())
    }

    /// Applies a batch of events (any documents, each document's in order), skipping
    /// duplicates and filling gaps from the store, and writes the result in one transaction.
    ///
    /// # Errors
    /// Store failures (nothing is written; the cache entries touched are dropped).
    #[tracing::instrument(name = "folio.projector.apply", skip_all, fields(events = batch.len()), err)]
    pub async fn apply(&mut self, batch: &[Arc<StoredEvent>]) -> Result<(), StoreError> {
        let mut order: Vec<String> = Vec::new();
        let mut touched: HashMap<String, Projected> = HashMap::new();
        for event in batch {
            let id = event.document_id.to_string();
            if self.failed.contains(&id) {
                continue;
            }
            if !touched.contains_key(&id) {
                let current = match self.cache.pop(&id) {
                    Some(p) => Some(p),
                    None => self.views.projection(&id).await?,
                };
                let current = current.unwrap_or_else(|| empty(event));
                order.push(id.clone());
                touched.insert(id.clone(), current);
            }
            let Some(projected) = touched.get_mut(&id) else {
                continue;
            };
            let version = projected.document.version.get();
            if event.sequence <= version {
                continue; // already applied
            }
            let mut pending = Vec::new();
            if event.sequence > version + 1 {
                pending = self
                    .log
                    .events(&event.document_id, version, Some(event.sequence - 1), None)
                    .await?;
            }
            let folded = pending
                .iter()
                .chain(std::iter::once(event.as_ref()))
                .try_for_each(|e| fold(projected, e));
            if let Err(failure) = folded {
                touched.remove(&id);
                self.fail(*failure).await?;
            }
        }
        // The summary (stats are linear in the document) once per document and batch.
        let mut broken = Vec::new();
        for (id, projected) in &mut touched {
            if let Err(reason) = guarded(|| refresh_summary(projected)) {
                broken.push(self.failure_of(id, projected, reason));
            }
        }
        for failure in broken {
            touched.remove(&failure.document_id);
            self.fail(failure).await?;
        }
        if touched.is_empty() {
            return Ok(());
        }
        let mut changed: Vec<&mut Projected> = touched.values_mut().collect();
        self.views.upsert(&mut changed).await?;
        if let Some(last) = batch.last() {
            infrastructure::telemetry::pipeline::projection_lag("read_model", &last.metadata.at);
        }
        for id in order {
            if let Some(p) = touched.remove(&id) {
                if let Some(tx) = &self.changed {
                    let _ = tx.send(id.clone());
                }
                // The projection of this batch was linear in the document already.
                let bytes = p.approx_bytes();
                self.cache.put(id, p, bytes);
            }
        }
        Ok(())
    }

    /// Stops projecting a document: records why (once), logs it once, counts it.
    async fn fail(&mut self, failure: ProjectionFailure) -> Result<(), StoreError> {
        tracing::error!(
            document_id = %failure.document_id,
            sequence = failure.sequence,
            event_type = %failure.event_type,
            reason = %failure.reason,
            "projection of this document stopped; every other document keeps projecting"
        );
        metrics::counter!("folio_projection_failures_total").increment(1);
        self.cache.pop(&failure.document_id);
        self.failed.insert(failure.document_id.clone());
        self.views.record_failure(&failure).await
    }

    fn failure_of(&self, id: &str, projected: &Projected, reason: String) -> ProjectionFailure {
        ProjectionFailure {
            document_id: id.to_string(),
            tenant: projected.summary.tenant.clone(),
            sequence: i64::try_from(projected.document.version.get()).unwrap_or(i64::MAX),
            event_type: "summary".into(),
            reason,
            failed_at: infrastructure::now_rfc3339(),
        }
    }
}

fn empty(event: &StoredEvent) -> Projected {
    let document = Document::default();
    let summary = SummaryRow::of(
        &document,
        event.tenant(),
        (event.metadata.at.as_str(), event.metadata.actor.as_str()),
        (event.metadata.at.as_str(), event.metadata.actor.as_str()),
    );
    Projected::new(summary, document)
}

/// Applies one event to a projected document, recording its time and actor (the rest of
/// the summary is refreshed once per batch by [`refresh_summary`]).
///
/// # Errors
/// The failure to record when the event cannot be read or applying it panics. An event
/// that reads but does not fit the state (stored by an earlier build) is skipped, as
/// every replay skips it: the document stays readable.
fn fold(projected: &mut Projected, event: &StoredEvent) -> Result<(), Box<ProjectionFailure>> {
    // The request and command that caused the event name every line logged while it is
    // projected.
    let _span = tracing::debug_span!(
        "folio.projector.event",
        document_id = %event.document_id,
        sequence = event.sequence,
        request_id = %event.metadata.request_id,
        causation = %event.metadata.command,
    )
    .entered();
    let failure = |reason: String| {
        Box::new(ProjectionFailure {
            document_id: event.document_id.to_string(),
            tenant: event.tenant().to_string(),
            sequence: i64::try_from(event.sequence).unwrap_or(i64::MAX),
            event_type: event.event_type.clone(),
            reason,
            failed_at: infrastructure::now_rfc3339(),
        })
    };
    if let DocumentEvent::Unreadable { reason, .. } = &event.event {
        return Err(failure(format!(
            "the stored event cannot be read: {reason}"
        )));
    }
    if let Some(misfit) =
        guarded(|| projected.apply(&event.event, &infrastructure::views::change_of(event)))
            .map_err(failure)?
    {
        tracing::warn!(
            document_id = %event.document_id,
            sequence = event.sequence,
            %misfit,
            "a stored event does not fit its document; skipped, as every replay skips it"
        );
    }
    let at = event.metadata.at.as_str().to_string();
    let actor = event.metadata.actor.as_str().to_string();
    let summary = &mut projected.summary;
    if event.sequence == 1 {
        summary.created_at.clone_from(&at);
        summary.created_by.clone_from(&actor);
    }
    summary.updated_at = at;
    summary.updated_by = actor;
    if summary.id.is_empty() {
        summary.id = event.document_id.to_string();
    }
    Ok(())
}

/// Recomputes the summary from the document state.
fn refresh_summary(projected: &mut Projected) {
    let s = &projected.summary;
    let mut fresh = SummaryRow::of(
        &projected.document,
        &s.tenant,
        (&s.created_at, &s.created_by),
        (&s.updated_at, &s.updated_by),
    );
    if fresh.id.is_empty() {
        fresh.id.clone_from(&s.id);
    }
    projected.summary = fresh;
}
