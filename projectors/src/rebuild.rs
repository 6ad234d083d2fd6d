//! `folio rebuild`: replays the whole event store (PostgreSQL) into fresh read models and
//! .docx blobs while the APIs keep running, then swaps them in.
//!
//! 1. Create a schema `folio_rebuild_<id>` holding empty read-model tables (the same DDL
//!    as the migration).
//! 2. Replay every event in the store's gap-safe global order into it, then render every
//!    document's .docx into it.
//! 3. Swap: in one transaction, drop the live tables and move the new ones into `public`.
//!    Events the live projectors applied meanwhile are replayed from the same cursor after
//!    the swap (the read model's compare-and-set keeps the live projectors and the rebuild
//!    from applying anything twice).
//!
//! With verify, step 3 is a comparison instead: every document's summary, blocks, blame and .docx
//! bytes in the fresh tables must equal the live ones; the fresh schema is dropped.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use futures::{StreamExt, TryStreamExt};
use infrastructure::blobs::BlobStore;
use infrastructure::media::MediaStore;
use infrastructure::store::{EventLog, GlobalCursor, StoreError};
use infrastructure::views::{Projected, Views};
use sha2::{Digest, Sha256};
use sqlx::PgPool;

use crate::{DocxMaterializer, ReadModelProjector};

/// .docx renders run at once while rebuilding (each renders on the blocking pool).
const RENDERS_AT_ONCE: usize = 2;
/// Memory the rebuild's projector may keep documents in.
const REBUILD_CACHE_BYTES: usize = 256 << 20;
/// Events read per round.
const PAGE: i64 = 2_000;
/// The tables the swap replaces.
const TABLES: [&str; 5] = [
    "documents",
    "document_blocks",
    "docx_blobs",
    "docx_blob_data",
    "projection_failures",
];

/// Why a rebuild failed.
#[derive(Debug, thiserror::Error)]
pub enum RebuildError {
    /// Database failures.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Database failures outside the store.
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    /// Rendering a .docx failed.
    #[error(transparent)]
    Materialize(#[from] crate::docx::MaterializeError),
    /// Rebuild needs the PostgreSQL event store.
    #[error("rebuild needs the PostgreSQL event store (--database-url)")]
    NotPostgres,
}

/// What a rebuild did.
#[derive(Debug, Default)]
pub struct RebuildReport {
    /// Events replayed.
    pub events: u64,
    /// Documents rebuilt.
    pub documents: u64,
    /// With verify: every difference found (empty: identical).
    pub differences: Vec<String>,
}

/// Progress callbacks: the number of events to replay, then how many are done.
pub trait Progress {
    /// The total, once known.
    fn total(&self, events: u64);
    /// Events replayed so far.
    fn done(&self, events: u64);
}

/// Runs a rebuild. `database_url` connects the fresh schema's pool; `live` are the live
/// read models (for verify and the post-swap catch-up).
///
/// # Errors
/// See [`RebuildError`]. A failed rebuild leaves the live tables untouched and drops its
/// schema.
pub async fn rebuild(
    log: &EventLog,
    live: &Views,
    database_url: &str,
    verify: bool,
    progress: &dyn Progress,
) -> Result<RebuildReport, RebuildError> {
    let pg = log.as_postgres().ok_or(RebuildError::NotPostgres)?;
    let admin = pg.pool().clone();
    let schema = format!("folio_rebuild_{}", uuid::Uuid::now_v7().simple());
    sqlx::query(&format!("CREATE SCHEMA {schema}"))
        .execute(&admin)
        .await?;
    let result = build(log, &admin, live, database_url, &schema, verify, progress).await;
    if (verify || result.is_err())
        && let Err(e) = sqlx::query(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"))
            .execute(&admin)
            .await
    {
        tracing::warn!(error = %e, schema, "cannot drop the rebuild schema");
    }
    result
}

/// Fills `schema` and then verifies it against, or swaps it for, the live tables.
/// `admin` is the event store's pool (the `public` schema).
async fn build(
    log: &EventLog,
    admin: &PgPool,
    live: &Views,
    database_url: &str,
    schema: &str,
    verify: bool,
    progress: &dyn Progress,
) -> Result<RebuildReport, RebuildError> {
    let fresh_pool = infrastructure::postgres::connect(database_url, 4, Some(schema)).await?;
    for ddl in infrastructure::postgres::READ_MODEL_DDL {
        sqlx::raw_sql(ddl).execute(&fresh_pool).await?;
    }
    let fresh = Views::postgres(fresh_pool.clone());
    let fresh_blobs = BlobStore::postgres(fresh_pool.clone());
    let total: i64 = sqlx::query_scalar("SELECT count(*) FROM events")
        .fetch_one(admin)
        .await?;
    progress.total(total as u64);

    let mut report = RebuildReport::default();
    let mut projector = new_projector(log, &fresh);
    let cursor = replay(
        log,
        &mut projector,
        GlobalCursor::default(),
        &mut report,
        progress,
    )
    .await?;
    // Image bytes are source data beside the events (never rebuilt): read from there.
    let media = MediaStore::postgres(admin.clone());
    render_all(&fresh, &fresh_blobs, &media, &mut report).await?;

    if verify {
        report.differences = compare(
            log,
            &mut projector,
            cursor,
            (&fresh, &fresh_blobs, &media),
            (live, &BlobStore::postgres(admin.clone())),
            &mut report,
            progress,
        )
        .await?;
        fresh_pool.close().await;
        return Ok(report);
    }

    // Swap, then replay what committed after the cursor into the (now live) tables.
    let cursor = replay(log, &mut projector, cursor, &mut report, progress).await?;
    fresh_pool.close().await;
    swap(admin, schema).await?;
    let mut projector = new_projector(log, live);
    for _ in 0..CONFLICT_ROUNDS {
        match replay(log, &mut projector, cursor, &mut report, progress).await {
            Ok(_) => break,
            Err(StoreError::Conflict) => projector.forget(),
            Err(e) => return Err(e.into()),
        }
    }
    let live_materializer =
        DocxMaterializer::new(live.clone(), BlobStore::postgres(admin.clone()), media);
    for id in live.stale_blobs().await? {
        live_materializer.materialize(&id).await?;
    }
    Ok(report)
}

/// A read-model projector writing to `views`, with the rebuild's cache.
fn new_projector(log: &EventLog, views: &Views) -> ReadModelProjector {
    ReadModelProjector::new(
        log.clone(),
        views.clone(),
        (4_096, REBUILD_CACHE_BYTES),
        None,
    )
}

/// Renders every document of `views` into `blobs` (counting them in the report); returns
/// the materialiser, for documents that move on later.
async fn render_all(
    views: &Views,
    blobs: &BlobStore,
    media: &MediaStore,
    report: &mut RebuildReport,
) -> Result<DocxMaterializer, RebuildError> {
    let materializer = DocxMaterializer::new(views.clone(), blobs.clone(), media.clone());
    let ids = views.versions().await?;
    report.documents = ids.len() as u64;
    // Renders are most of the rebuild's own CPU: one per core at a time.
    futures::stream::iter(ids.iter().map(|(id, _)| materializer.materialize(id)))
        .buffer_unordered(RENDERS_AT_ONCE)
        .try_collect::<Vec<_>>()
        .await?;
    Ok(materializer)
}

/// What differs between a document's fresh and live fingerprints (None: nothing).
fn difference(
    id: &str,
    fresh: Option<&(u64, String)>,
    live: Option<&(u64, String)>,
) -> Option<String> {
    match (fresh, live) {
        (Some(a), Some(b)) if a == b => None,
        (Some(a), Some(b)) if a.0 != b.0 => {
            Some(format!("{id}: rebuilt at version {}, live at {}", a.0, b.0))
        }
        (Some(a), Some(b)) => Some(format!(
            "{id}: differs\n  rebuilt: {}\n  live:    {}",
            a.1, b.1
        )),
        (Some(_), None) => Some(format!("{id}: missing from the live read model")),
        (None, Some(_)) => Some(format!(
            "{id}: in the live read model but not in the event store"
        )),
        (None, None) => None,
    }
}

/// How often a replay that met a live projector's write is retried.
const CONFLICT_ROUNDS: usize = 8;

/// Applies every settled event after `cursor`; returns the new cursor.
async fn replay(
    log: &EventLog,
    projector: &mut ReadModelProjector,
    mut cursor: GlobalCursor,
    report: &mut RebuildReport,
    progress: &dyn Progress,
) -> Result<GlobalCursor, StoreError> {
    let pg = log
        .as_postgres()
        .ok_or_else(|| StoreError::Corrupt("not a PostgreSQL store".into()))?;
    loop {
        let (events, next) = pg.events_after(cursor, PAGE).await?;
        if events.is_empty() {
            return Ok(cursor);
        }
        let n = events.len() as u64;
        let events: Vec<Arc<_>> = events.into_iter().map(Arc::new).collect();
        projector.apply(&events).await?;
        cursor = next;
        report.events += n;
        progress.done(report.events);
    }
}

/// Drops the live read-model tables and moves the fresh ones in, atomically.
async fn swap(admin: &PgPool, schema: &str) -> Result<(), sqlx::Error> {
    let mut tx = admin.begin().await?;
    sqlx::query(&format!(
        "LOCK TABLE {} IN ACCESS EXCLUSIVE MODE",
        TABLES.map(|t| format!("public.{t}")).join(", ")
    ))
    .execute(&mut *tx)
    .await?;
    for t in TABLES {
        sqlx::query(&format!("DROP TABLE public.{t}"))
            .execute(&mut *tx)
            .await?;
        sqlx::query(&format!("ALTER TABLE {schema}.{t} SET SCHEMA public"))
            .execute(&mut *tx)
            .await?;
    }
    sqlx::query(&format!("DROP SCHEMA {schema}"))
        .execute(&mut *tx)
        .await?;
    tx.commit().await
}

/// A comparable form of one document's read model and .docx.
async fn fingerprint(
    views: &Views,
    blobs: &BlobStore,
    id: &str,
) -> Result<Option<(u64, String)>, RebuildError> {
    let Some(p) = views.projection(id).await? else {
        return Ok(None);
    };
    let blob = match views.blob_version(id).await? {
        Some(v) => blobs
            .get(&p.summary.tenant, id, v)
            .await
            .map_err(crate::docx::MaterializeError::from)?
            .map(|bytes| format!("v{v}:{:x}", Sha256::digest(bytes))),
        None => None,
    };
    Ok(Some((p.summary.version, describe(&p, blob))))
}

fn describe(p: &Projected, blob: Option<String>) -> String {
    format!(
        "{:?}\n{}\nblame: {}\n{:?}",
        p.summary,
        serde_json::to_string(&p.document.blocks).unwrap_or_default(),
        serde_json::to_string(&p.blame()).unwrap_or_default(),
        blob
    )
}

/// Compares fresh and live read models. Documents still moving (live writes during the
/// rebuild) are brought to the same version first: the fresh side replays the newest
/// events, the live side is given time to project them.
async fn compare(
    log: &EventLog,
    projector: &mut ReadModelProjector,
    mut cursor: GlobalCursor,
    fresh: (&Views, &BlobStore, &MediaStore),
    live: (&Views, &BlobStore),
    report: &mut RebuildReport,
    progress: &dyn Progress,
) -> Result<Vec<String>, RebuildError> {
    let fresh_materializer =
        DocxMaterializer::new(fresh.0.clone(), fresh.1.clone(), fresh.2.clone());
    let mut ids: BTreeSet<String> = fresh
        .0
        .versions()
        .await?
        .into_iter()
        .map(|(id, _)| id)
        .collect();
    ids.extend(live.0.versions().await?.into_iter().map(|(id, _)| id));
    let mut differences = Vec::new();
    for id in ids {
        let mut outcome = None;
        for attempt in 0..50 {
            let a = fingerprint(fresh.0, fresh.1, &id).await?;
            let b = fingerprint(live.0, live.1, &id).await?;
            outcome = difference(&id, a.as_ref(), b.as_ref());
            if outcome.is_none() {
                break;
            }
            // Still moving? Catch the fresh side up and give the live side a moment.
            if attempt > 0 {
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            cursor = replay(log, projector, cursor, report, progress).await?;
            fresh_materializer.materialize(&id).await?;
        }
        differences.extend(outcome);
    }
    Ok(differences)
}

/// Where an embedded rebuild works: the data directory's live read models, .docx blobs
/// and image bytes, and where it builds the fresh ones.
#[derive(Debug, Clone)]
pub struct EmbeddedDir {
    /// The live `views.db`.
    pub live: Views,
    /// Its pool (for the swap).
    pub live_pool: sqlx::SqlitePool,
    /// The live .docx blobs.
    pub live_blobs: BlobStore,
    /// The image bytes (source data beside the events, never rebuilt).
    pub media: MediaStore,
    /// The data directory (the fresh files are made in it, then removed).
    pub dir: std::path::PathBuf,
}

/// `folio rebuild [--verify]` on an embedded data directory: replays every document's
/// events into a fresh `views.db` (and renders its .docx files), then compares it with the
/// live one (verify) or replaces the live rows with it in one transaction and catches up
/// with whatever the running server appended meanwhile. The server may keep running.
///
/// # Errors
/// See [`RebuildError`]. A failed rebuild leaves the live read models untouched.
pub async fn rebuild_embedded(
    log: &EventLog,
    target: &EmbeddedDir,
    verify: bool,
    progress: &dyn Progress,
) -> Result<RebuildReport, RebuildError> {
    let name = format!("rebuild-{}", uuid::Uuid::now_v7().simple());
    let fresh_path = target.dir.join(format!("views.{name}.db"));
    let blobs_path = target.dir.join(format!("blobs.{name}"));
    let result = build_embedded(log, target, &fresh_path, &blobs_path, verify, progress).await;
    for suffix in ["", "-wal", "-shm"] {
        let mut path = fresh_path.clone().into_os_string();
        path.push(suffix);
        let _ = std::fs::remove_file(path);
    }
    let _ = std::fs::remove_dir_all(&blobs_path);
    result
}

async fn build_embedded(
    log: &EventLog,
    target: &EmbeddedDir,
    fresh_path: &std::path::Path,
    blobs_path: &std::path::Path,
    verify: bool,
    progress: &dyn Progress,
) -> Result<RebuildReport, RebuildError> {
    let fresh_pool = infrastructure::sqlite::open_views(fresh_path).await?;
    let fresh = Views::sqlite(fresh_pool.clone());
    let fresh_blobs = BlobStore::new(blobs_path);
    let heads = log.heads().await?;
    progress.total(heads.iter().map(|(_, head)| head).sum());
    let mut report = RebuildReport::default();
    let mut projector = new_projector(log, &fresh);
    for (id, _) in &heads {
        replay_document(log, &mut projector, id, 0, &mut report, progress).await?;
    }
    let materializer = render_all(&fresh, &fresh_blobs, &target.media, &mut report).await?;
    if verify {
        report.differences = compare_embedded(
            log,
            &mut projector,
            &materializer,
            target,
            &fresh,
            &fresh_blobs,
            &mut report,
            progress,
        )
        .await?;
        fresh_pool.close().await;
        return Ok(report);
    }
    // The fresh .docx files go in first (keyed by version, so the live rows still name
    // files that exist), then the rows in one transaction.
    move_blobs(blobs_path, &target.dir.join("blobs"))
        .map_err(|e| RebuildError::Materialize(crate::docx::MaterializeError::from(e)))?;
    fresh_pool.close().await;
    infrastructure::sqlite::replace_views(&target.live_pool, fresh_path).await?;
    // Whatever the running server appended meanwhile.
    let mut live = new_projector(log, &target.live);
    for _ in 0..CONFLICT_ROUNDS {
        match live.catch_up().await {
            Ok(()) => break,
            Err(StoreError::Conflict) => live.forget(),
            Err(e) => return Err(e.into()),
        }
    }
    let live_materializer = DocxMaterializer::new(
        target.live.clone(),
        target.live_blobs.clone(),
        target.media.clone(),
    );
    for id in target.live.stale_blobs().await? {
        live_materializer.materialize(&id).await?;
    }
    Ok(report)
}

/// Applies a document's events after `after`, in pages.
async fn replay_document(
    log: &EventLog,
    projector: &mut ReadModelProjector,
    id: &domain::DocumentId,
    mut after: u64,
    report: &mut RebuildReport,
    progress: &dyn Progress,
) -> Result<(), StoreError> {
    loop {
        let events = log.events(id, after, None, Some(PAGE as u64)).await?;
        let Some(last) = events.last() else {
            return Ok(());
        };
        after = last.sequence;
        let n = events.len() as u64;
        let events: Vec<Arc<_>> = events.into_iter().map(Arc::new).collect();
        projector.apply(&events).await?;
        report.events += n;
        progress.done(report.events);
    }
}

/// Moves every file under `from` to the same place under `to` (replacing what is there).
fn move_blobs(from: &std::path::Path, to: &std::path::Path) -> std::io::Result<()> {
    let Ok(tenants) = std::fs::read_dir(from) else {
        return Ok(()); // nothing rendered
    };
    for tenant in tenants {
        let tenant = tenant?;
        let dest = to.join(tenant.file_name());
        std::fs::create_dir_all(&dest)?;
        for file in std::fs::read_dir(tenant.path())? {
            let file = file?;
            std::fs::rename(file.path(), dest.join(file.file_name()))?;
        }
    }
    Ok(())
}

/// Compares the fresh read models with the live ones, document by document. A document
/// the running server changed meanwhile is brought to the same version first (the fresh
/// side replays its newest events; the live side is given time to project them).
#[allow(clippy::too_many_arguments)]
async fn compare_embedded(
    log: &EventLog,
    projector: &mut ReadModelProjector,
    materializer: &DocxMaterializer,
    target: &EmbeddedDir,
    fresh: &Views,
    fresh_blobs: &BlobStore,
    report: &mut RebuildReport,
    progress: &dyn Progress,
) -> Result<Vec<String>, RebuildError> {
    let mut ids: BTreeSet<String> = fresh
        .versions()
        .await?
        .into_iter()
        .map(|(id, _)| id)
        .collect();
    ids.extend(target.live.versions().await?.into_iter().map(|(id, _)| id));
    let mut differences = Vec::new();
    for id in ids {
        let mut outcome = None;
        for attempt in 0..50 {
            let a = fingerprint(fresh, fresh_blobs, &id).await?;
            let b = fingerprint(&target.live, &target.live_blobs, &id).await?;
            outcome = difference(&id, a.as_ref(), b.as_ref());
            if outcome.is_none() {
                break;
            }
            if attempt > 0 {
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            let projected = a.as_ref().map_or(0, |a| a.0);
            let document = domain::DocumentId::new(id.clone());
            replay_document(log, projector, &document, projected, report, progress).await?;
            materializer.materialize(&id).await?;
        }
        differences.extend(outcome);
    }
    Ok(differences)
}
