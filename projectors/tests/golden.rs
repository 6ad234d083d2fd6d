//! Golden event streams: rows exactly as earlier builds stored them, replayed by this
//! build. The first one holds the poison events of issue 9 (a `delete_text` whose
//! `offset + length` wraps), which the build of 2026-11-26 accepted and stored; its
//! projector then panicked on them for every document. They must replay to a readable
//! document, the same on every replay, in the write path, time travel and the projector.

use std::path::Path;

use domain::{Block, DocumentId};
use infrastructure::sqlite::open_data_dir;
use infrastructure::store::EventLog;
use infrastructure::views::Views;
use projectors::ReadModelProjector;
use serde_json::Value;

/// Stores the rows of a golden stream as they are, through SQL (not through folio's
/// append, which would check them).
async fn store_rows(pool: &sqlx::SqlitePool, file: &str) -> DocumentId {
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(file)).unwrap();
    let mut id = None;
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let row: Value = serde_json::from_str(line).unwrap();
        sqlx::query(
            "INSERT INTO events (aggregate_type, aggregate_id, sequence, event_type, event_version, payload, metadata) \
             VALUES ('Document', ?, ?, ?, ?, ?, ?)",
        )
        .bind(row["aggregate_id"].as_str().unwrap())
        .bind(row["sequence"].as_i64().unwrap())
        .bind(row["event_type"].as_str().unwrap())
        .bind(row["event_version"].as_str().unwrap())
        .bind(row["payload"].to_string())
        .bind(row["metadata"].to_string())
        .execute(pool)
        .await
        .unwrap();
        id = Some(DocumentId::new(row["aggregate_id"].as_str().unwrap()));
    }
    id.unwrap()
}

fn texts(blocks: &[Block]) -> Vec<String> {
    blocks.iter().map(Block::text).collect()
}

// See: issue 9 ("No single request takes folio down").
#[tokio::test]
async fn the_stored_poison_delete_replays_to_a_readable_document() {
    // Arrange
    let dir = tempfile::tempdir().unwrap();
    let databases = open_data_dir(dir.path()).await.unwrap();
    let id = store_rows(&databases.events, "tests/golden/poison_delete_text.jsonl").await;
    let log = EventLog::sqlite(databases.events.clone());
    let views = Views::sqlite(databases.views.clone());

    // Act
    let loaded = log.load(&id).await.unwrap().unwrap();
    let again = log.load(&id).await.unwrap().unwrap();
    let past = log.document_at(&id, 4).await.unwrap().unwrap();
    let mut projector = ReadModelProjector::new(log.clone(), views.clone(), (8, usize::MAX), None);
    projector.catch_up().await.unwrap();
    let projected = views
        .projected("default", id.as_str())
        .await
        .unwrap()
        .unwrap();

    // Assert: the poison events changed nothing but the version, deterministically.
    assert_eq!(texts(&loaded.document.blocks), ["hello world", "after"]);
    assert_eq!(loaded.document.version.get(), 5);
    assert_eq!(loaded.document, again.document);
    assert_eq!(texts(&past.document.blocks), ["hello world"]);
    assert_eq!(projected.document, loaded.document);
    assert!(views.failures().await.unwrap().is_empty());
}
