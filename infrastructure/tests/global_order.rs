//! The PostgreSQL event store's global order never skips an event that commits late.
//!
//! Positions are assigned at insert, so position 5 can become visible after position 7.
//! A reader that had already moved past 7 would never see 5. `events_after` walks
//! `(txid, position)` below the oldest transaction in flight instead; these tests hold a
//! transaction open to make the late commit happen on purpose.

mod common;

use domain::DocumentId;
use infrastructure::store::{EventLog, GlobalCursor, NewEvent};
use sqlx::{PgPool, Postgres, Transaction};

fn created(id: &str) -> NewEvent {
    let event: domain::DocumentEvent = serde_json::from_value(serde_json::json!({
        "type": "DocumentCreated", "document_id": id, "title": id
    }))
    .unwrap();
    NewEvent {
        sequence: 1,
        event,
        metadata: infrastructure::EventMetadata {
            tenant: "t".into(),
            ..Default::default()
        },
    }
}

/// Inserts the event like postgres-es does, inside `tx` (left open by the caller).
async fn insert_in(tx: &mut Transaction<'_, Postgres>, id: &str) -> i64 {
    let e = created(id);
    sqlx::query_scalar(
        "INSERT INTO events (aggregate_type, aggregate_id, sequence, event_type, event_version, payload, metadata)
         VALUES ('Document', $1, 1, 'DocumentCreated', '1.0', $2, $3) RETURNING position",
    )
    .bind(id)
    .bind(serde_json::to_value(&e.event).unwrap())
    .bind(serde_json::to_value(&e.metadata).unwrap())
    .fetch_one(&mut **tx)
    .await
    .unwrap()
}

async fn read_all(log: &EventLog, cursor: &mut GlobalCursor) -> Vec<String> {
    let (events, next) = log
        .as_postgres()
        .unwrap()
        .events_after(*cursor, 100)
        .await
        .unwrap();
    *cursor = next;
    events.iter().map(|e| e.document_id.to_string()).collect()
}

/// Reads until `n` events arrived (or 10 s passed): transactions of other tests running
/// at the same time on this PostgreSQL server hold the global order back for a moment,
/// because the snapshot's xmin is server-wide.
async fn read_at_least(log: &EventLog, cursor: &mut GlobalCursor, n: usize) -> Vec<String> {
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
    let mut read = Vec::new();
    while read.len() < n && tokio::time::Instant::now() < deadline {
        read.extend(read_all(log, cursor).await);
        if read.len() < n {
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    }
    read
}

async fn begin(pool: &PgPool) -> Transaction<'static, Postgres> {
    let mut tx = pool.begin().await.unwrap();
    // Take a transaction id now, as a writer does with its first insert.
    sqlx::query("SELECT pg_current_xact_id()")
        .execute(&mut *tx)
        .await
        .unwrap();
    tx
}

#[tokio::test]
async fn a_lower_position_that_commits_late_is_still_read() {
    // Arrange: "early" takes a lower position but stays open; "late" commits above it
    let db = common::TestDatabase::create().await;
    let log = EventLog::postgres(db.pool.clone());
    let mut cursor = GlobalCursor::default();
    let mut early = begin(&db.pool).await;
    let early_position = insert_in(&mut early, "early").await;
    log.append(&DocumentId::new("late"), &[created("late")])
        .await
        .unwrap();

    // Act: read while "early" is in flight, then after it commits
    let while_open = read_all(&log, &mut cursor).await;
    early.commit().await.unwrap();
    let after_commit = read_at_least(&log, &mut cursor, 2).await;

    // Assert
    let late_position: i64 =
        sqlx::query_scalar("SELECT position FROM events WHERE aggregate_id = 'late'")
            .fetch_one(&db.pool)
            .await
            .unwrap();
    assert!(early_position < late_position);
    assert_eq!(
        while_open,
        Vec::<String>::new(),
        "nothing past an open transaction"
    );
    assert_eq!(after_commit, vec!["early", "late"]);
    db.drop().await;
}

#[tokio::test]
async fn an_older_transaction_that_inserts_later_is_not_skipped() {
    // Arrange: "first" has the older transaction id but inserts after "second" took a
    // lower position; "second" stays open while "first" commits
    let db = common::TestDatabase::create().await;
    let log = EventLog::postgres(db.pool.clone());
    let mut cursor = GlobalCursor::default();
    let mut first = begin(&db.pool).await;
    let mut second = begin(&db.pool).await;
    let second_position = insert_in(&mut second, "second").await;
    let first_position = insert_in(&mut first, "first").await;
    first.commit().await.unwrap();

    // Act
    let while_second_open = read_at_least(&log, &mut cursor, 1).await;
    second.commit().await.unwrap();
    let after = read_at_least(&log, &mut cursor, 1).await;
    let nothing_more = read_all(&log, &mut cursor).await;

    // Assert: by position alone, reading "first" (higher) would have skipped "second"
    assert!(second_position < first_position);
    assert_eq!(while_second_open, vec!["first"]);
    assert_eq!(after, vec!["second"]);
    assert!(nothing_more.is_empty());
    db.drop().await;
}
