//! The read-model projector against real SQLite files: duplicates are skipped, gaps are
//! filled from the event store, block order survives inserts, moves and deletes anywhere
//! (including enough inserts at one spot to exhaust the ordering keys), and the stored read
//! model equals the document replayed from its events.

use std::sync::Arc;

use domain::command::*;
use domain::{Document, DocumentCommand, DocumentId, Limits};
use infrastructure::sqlite::open_data_dir;
use infrastructure::store::{EventLog, EventMetadata, NewEvent, StoredEvent};
use infrastructure::views::Views;
use projectors::ReadModelProjector;

fn meta(sequence: u64) -> EventMetadata {
    EventMetadata {
        tenant: "t1".into(),
        actor: "tester".into(),
        at: format!("2026-01-01T00:00:{:02}.000Z", sequence % 60),
        ..EventMetadata::default()
    }
}

/// Decides and appends commands; returns the stored events and the final state.
async fn write(
    log: &EventLog,
    id: &DocumentId,
    commands: &[DocumentCommand],
) -> (Vec<Arc<StoredEvent>>, Document) {
    let mut doc = Document::default();
    let mut stored = Vec::new();
    for c in commands {
        for e in doc.decide(c, &Limits::default()).expect("valid command") {
            doc.apply(&e);
            let sequence = doc.version.get();
            log.append(
                id,
                &[NewEvent {
                    sequence,
                    event: e.clone(),
                    metadata: meta(sequence),
                }],
            )
            .await
            .unwrap();
            stored.push(Arc::new(StoredEvent {
                document_id: id.clone(),
                sequence,
                event_type: e.name().to_string(),
                event_version: domain::event::EVENT_VERSION.to_string(),
                event: e,
                metadata: meta(sequence),
            }));
        }
    }
    (stored, doc)
}

fn para(text: String, index: Option<usize>) -> DocumentCommand {
    DocumentCommand::AddParagraph(AddParagraph {
        text: Some(text),
        position: index.map(|i| Position {
            index: Some(i),
            ..Position::default()
        }),
        ..AddParagraph::default()
    })
}

fn scenario(id: &DocumentId) -> Vec<DocumentCommand> {
    let mut commands = vec![DocumentCommand::CreateDocument(CreateDocument {
        document_id: id.clone(),
        title: "Projection".into(),
    })];
    commands.push(para("first".into(), None));
    commands.push(para("last".into(), None));
    // 80 inserts right before "last" halve the gap below its key 80 times: more than an
    // f64 can split, so the keys must be renumbered along the way.
    for i in 0..80 {
        commands.push(DocumentCommand::AddParagraph(AddParagraph {
            text: Some(format!("wedge {i}")),
            position: Some(Position {
                before: Some(domain::BlockId::new("b3")),
                ..Position::default()
            }),
            ..AddParagraph::default()
        }));
    }
    commands.push(para("second".into(), Some(1)));
    commands.push(DocumentCommand::MoveBlock(MoveBlock {
        block_id: None,
        block_index: Some(0),
        position: Position {
            at: Some(PositionAt::End),
            ..Position::default()
        },
    }));
    commands.push(DocumentCommand::DeleteBlock(DeleteBlock {
        block_id: None,
        block_index: Some(5),
    }));
    commands.push(DocumentCommand::ReplaceText(ReplaceText {
        find: "wedge 1".into(),
        replace: "WEDGE".into(),
        match_case: true,
        whole_word: false,
    }));
    commands.push(DocumentCommand::AddTable(AddTable {
        data: Some(vec![vec!["a".into(), "b".into()]]),
        position: Some(Position {
            at: Some(PositionAt::Start),
            ..Position::default()
        }),
        ..AddTable::default()
    }));
    commands.push(DocumentCommand::SetTitle(SetTitle {
        title: "Renamed".into(),
    }));
    commands
}

async fn stored_document(views: &Views, id: &DocumentId) -> Document {
    views
        .projected("t1", id.as_str())
        .await
        .unwrap()
        .expect("projected")
        .document
}

#[tokio::test]
async fn projected_documents_equal_their_replay_whatever_the_batches() {
    // Arrange
    let dir = tempfile::tempdir().unwrap();
    let dbs = open_data_dir(dir.path()).await.unwrap();
    let log = EventLog::sqlite(dbs.events.clone());
    let views = Views::sqlite(dbs.views.clone());
    let id = DocumentId::new("0190aaaa-0000-7000-8000-000000000001");
    let (events, expected) = write(&log, &id, &scenario(&id)).await;
    let mut projector = ReadModelProjector::new(log.clone(), views.clone(), (16, usize::MAX), None);

    // Act: uneven batches, with every event of the previous batch delivered again
    let mut start = 0;
    let mut size = 1;
    while start < events.len() {
        let end = (start + size).min(events.len());
        let from = start.saturating_sub(size / 2);
        projector.apply(&events[from..end]).await.unwrap();
        start = end;
        size = size % 7 + 2;
    }

    // Assert
    assert_eq!(stored_document(&views, &id).await, expected);
    // and a fresh projector (nothing cached) reads the same rows back
    let mut cold = ReadModelProjector::new(log.clone(), views.clone(), (16, usize::MAX), None);
    cold.apply(&events[events.len() - 1..]).await.unwrap();
    assert_eq!(stored_document(&views, &id).await, expected);
}

#[tokio::test]
async fn a_gap_is_filled_from_the_event_store() {
    // Arrange
    let dir = tempfile::tempdir().unwrap();
    let dbs = open_data_dir(dir.path()).await.unwrap();
    let log = EventLog::sqlite(dbs.events.clone());
    let views = Views::sqlite(dbs.views.clone());
    let id = DocumentId::new("0190aaaa-0000-7000-8000-000000000002");
    let (events, expected) = write(&log, &id, &scenario(&id)).await;
    let mut projector = ReadModelProjector::new(log.clone(), views.clone(), (16, usize::MAX), None);

    // Act: only the first and the last event arrive
    projector.apply(&events[..1]).await.unwrap();
    projector.apply(&events[events.len() - 1..]).await.unwrap();

    // Assert
    let summary = views.summary("t1", id.as_str()).await.unwrap().unwrap();
    assert_eq!(summary.version, events.len() as u64);
    assert_eq!(summary.title, "Renamed");
    assert_eq!(stored_document(&views, &id).await, expected);
    assert!(
        views
            .summary("another-tenant", id.as_str())
            .await
            .unwrap()
            .is_none()
    );
}

#[tokio::test]
async fn catch_up_projects_everything_in_the_store() {
    let dir = tempfile::tempdir().unwrap();
    let dbs = open_data_dir(dir.path()).await.unwrap();
    let log = EventLog::sqlite(dbs.events.clone());
    let views = Views::sqlite(dbs.views.clone());
    let mut expected = Vec::new();
    for n in 0..3 {
        let id = DocumentId::new(format!("0190aaaa-0000-7000-8000-00000000001{n}"));
        let (_, doc) = write(&log, &id, &scenario(&id)).await;
        expected.push((id, doc));
    }
    let mut projector = ReadModelProjector::new(log.clone(), views.clone(), (16, usize::MAX), None);

    projector.catch_up().await.unwrap();

    for (id, doc) in expected {
        assert_eq!(stored_document(&views, &id).await, doc);
    }
}
