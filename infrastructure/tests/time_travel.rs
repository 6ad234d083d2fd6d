//! Time travel: every version rebuilt with checkpoints equals the replay of its events
//! from the start — on both event stores.

mod common;

use domain::command::{AddParagraph, DeleteBlock, UpdateParagraph};
use domain::{Document, DocumentCommand, DocumentId, Limits};
use infrastructure::RequestContext;
use infrastructure::sqlite::open_data_dir;
use infrastructure::store::EventLog;
use infrastructure::store::NewEvent;

/// Decides `command` on `document`, appends its events and snapshots every 10 versions
/// (as the write path does with `--snapshot-every 10`).
async fn write(log: &EventLog, document: &mut Document, command: &DocumentCommand) {
    let ctx = RequestContext::system("test");
    let base = document.version.get();
    let events = document.decide(command, &Limits::default()).unwrap();
    let at = infrastructure::now_rfc3339();
    let new: Vec<NewEvent> = events
        .into_iter()
        .enumerate()
        .map(|(i, event)| NewEvent {
            sequence: base + 1 + i as u64,
            metadata: ctx.metadata(command.name(), &at),
            event,
        })
        .collect();
    for e in &new {
        document.apply(&e.event);
    }
    let id = document.id.clone().unwrap();
    log.append(&id, &new).await.unwrap();
    if document.version.get() / 10 != base / 10 {
        log.save_snapshot(ctx.tenant.as_str(), document)
            .await
            .unwrap();
    }
}

#[tokio::test]
async fn every_version_rebuilt_from_checkpoints_equals_a_full_replay() {
    let dir = tempfile::tempdir().unwrap();
    let dbs = open_data_dir(dir.path()).await.unwrap();
    let log = EventLog::sqlite(dbs.events.clone());
    time_travel(&log).await;
    let checkpoints: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM document_checkpoints")
        .fetch_one(&dbs.events)
        .await
        .unwrap();
    assert_eq!(checkpoints, 4, "versions 10, 20, 30 and 40");
}

#[tokio::test]
async fn every_version_rebuilt_from_checkpoints_equals_a_full_replay_on_postgres() {
    let db = common::TestDatabase::create().await;
    let log = EventLog::postgres(db.pool.clone());
    time_travel(&log).await;
    let checkpoints: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM document_checkpoints")
        .fetch_one(&db.pool)
        .await
        .unwrap();
    assert_eq!(checkpoints, 4, "versions 10, 20, 30 and 40");
    db.drop().await;
}

async fn time_travel(log: &EventLog) {
    // Arrange: snapshots (and so checkpoints) every 10 events
    let id = DocumentId::new(uuid::Uuid::now_v7().to_string());
    let mut document = Document::default();
    let create = DocumentCommand::CreateDocument(domain::command::CreateDocument {
        document_id: id.clone(),
        title: "Travel".into(),
    });
    write(log, &mut document, &create).await;
    for i in 0..45 {
        let command = match i % 5 {
            3 => DocumentCommand::UpdateParagraph(UpdateParagraph {
                block_index: Some(0),
                text: Some(format!("edited {i}")),
                ..UpdateParagraph::default()
            }),
            4 => DocumentCommand::DeleteBlock(DeleteBlock {
                block_id: None,
                block_index: Some(1),
            }),
            _ => DocumentCommand::AddParagraph(AddParagraph {
                text: Some(format!("paragraph {i}")),
                ..AddParagraph::default()
            }),
        };
        write(log, &mut document, &command).await;
    }

    // Act + Assert
    let all = log.events(&id, 0, None, None).await.unwrap();
    assert_eq!(all.len(), 46);
    let mut replayed = Document::default();
    for event in &all {
        replayed.apply(&event.event);
        let v = event.sequence;
        let past = log
            .document_at(&id, v)
            .await
            .unwrap()
            .expect("version exists");
        assert_eq!(past.document, replayed, "version {v}");
        assert_eq!(past.updated_at, event.metadata.at);
        assert_eq!(past.created_at, all[0].metadata.at);
    }
    assert!(log.document_at(&id, 47).await.unwrap().is_none());
    assert!(
        log.document_at(&DocumentId::new("nope"), 1)
            .await
            .unwrap()
            .is_none()
    );
}
