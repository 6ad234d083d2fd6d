//! The write use case over an in-memory storage port: what it decides, rebases, resolves
//! and stores, without SQL (the end-to-end tests run it over both real stores).

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use domain::command::{AddParagraph, LabelVersion, RevertToVersion, SetTitle, UpdateParagraph};
use domain::{Document, DocumentCommand, DocumentEvent, DocumentId, Limits, VersionRef};
use infrastructure::store::{HistoricDocument, IdempotencyRecord, LoadedDocument, NewEvent};
use infrastructure::{RequestContext, StoreError, StoredEvent};

use super::WriteRequest;
use super::port::WriteStore;
use super::service::{CommandService, WriteError};

/// Events, by document, in memory; `conflicts` makes that many appends fail as if
/// another writer had taken the sequence numbers.
#[derive(Default)]
struct Memory {
    events: Mutex<HashMap<String, Vec<StoredEvent>>>,
    media: Mutex<HashMap<String, Vec<u8>>>,
    conflicts: Mutex<u32>,
}

impl Memory {
    fn stream(&self, id: &DocumentId) -> Vec<StoredEvent> {
        self.events
            .lock()
            .unwrap()
            .get(id.as_str())
            .cloned()
            .unwrap_or_default()
    }

    fn fold(events: &[StoredEvent]) -> Document {
        let mut document = Document::default();
        for e in events {
            document.apply(&e.event);
        }
        document
    }
}

impl WriteStore for Memory {
    async fn load(&self, id: &DocumentId) -> Result<Option<LoadedDocument>, StoreError> {
        let events = self.stream(id);
        Ok(events.first().map(|first| LoadedDocument {
            document: Self::fold(&events),
            tenant: first.metadata.tenant.clone(),
            snapshot_version: 0,
        }))
    }

    async fn head(&self, id: &DocumentId) -> Result<Option<(u64, String)>, StoreError> {
        let events = self.stream(id);
        Ok(events
            .last()
            .map(|e| (e.sequence, e.metadata.tenant.clone())))
    }

    async fn document_at(
        &self,
        id: &DocumentId,
        version: u64,
    ) -> Result<Option<HistoricDocument>, StoreError> {
        let events = self.stream(id);
        if version == 0 || version > events.len() as u64 {
            return Ok(None);
        }
        let upto = &events[..version as usize];
        Ok(Some(HistoricDocument {
            document: Self::fold(upto),
            tenant: upto[0].metadata.tenant.clone(),
            created_at: upto[0].metadata.at.clone(),
            created_by: upto[0].metadata.actor.clone(),
            updated_at: upto[upto.len() - 1].metadata.at.clone(),
            updated_by: upto[upto.len() - 1].metadata.actor.clone(),
        }))
    }

    async fn events_between(
        &self,
        id: &DocumentId,
        after: u64,
        upto: u64,
    ) -> Result<Vec<StoredEvent>, StoreError> {
        Ok(self
            .stream(id)
            .into_iter()
            .filter(|e| e.sequence > after && e.sequence <= upto)
            .collect())
    }

    async fn labels(&self, id: &DocumentId) -> Result<BTreeMap<String, u64>, StoreError> {
        let mut labels = BTreeMap::new();
        for e in self.stream(id) {
            if let DocumentEvent::VersionLabeled { version, name } = e.event {
                labels.entry(name).or_insert(version);
            }
        }
        Ok(labels)
    }

    async fn idempotency(
        &self,
        _tenant: &str,
        _key: &str,
    ) -> Result<Option<(IdempotencyRecord, Vec<StoredEvent>)>, StoreError> {
        Ok(None)
    }

    async fn append(&self, id: &DocumentId, events: &[NewEvent]) -> Result<(), StoreError> {
        {
            let mut conflicts = self.conflicts.lock().unwrap();
            if *conflicts > 0 {
                *conflicts -= 1;
                return Err(StoreError::Conflict);
            }
        }
        let mut all = self.events.lock().unwrap();
        let stream = all.entry(id.as_str().to_string()).or_default();
        if events.first().map(|e| e.sequence) != Some(stream.len() as u64 + 1) {
            return Err(StoreError::Conflict);
        }
        stream.extend(events.iter().map(|e| StoredEvent {
            document_id: id.clone(),
            sequence: e.sequence,
            event_type: e.event.name().to_string(),
            event_version: domain::event::EVENT_VERSION.to_string(),
            event: e.event.clone(),
            metadata: e.metadata.clone(),
        }));
        Ok(())
    }

    async fn save_snapshot(&self, _tenant: &str, _document: &Document) -> Result<(), StoreError> {
        Ok(())
    }

    async fn put_media(&self, _tenant: &str, media: &str, bytes: &[u8]) -> Result<(), StoreError> {
        self.media
            .lock()
            .unwrap()
            .insert(media.to_string(), bytes.to_vec());
        Ok(())
    }
}

fn service(memory: Memory) -> CommandService<Memory> {
    CommandService::new(
        memory,
        Limits::default(),
        100,
        (8, usize::MAX),
        Arc::default(),
    )
}

fn paragraph(text: &str) -> DocumentCommand {
    DocumentCommand::AddParagraph(AddParagraph {
        text: Some(text.into()),
        ..AddParagraph::default()
    })
}

async fn created(service: &CommandService<Memory>, ctx: &RequestContext) -> DocumentId {
    service
        .create(ctx, "Memo".into(), &WriteRequest::default())
        .await
        .unwrap()
        .document_id
}

#[tokio::test]
async fn commands_are_decided_and_appended_through_the_port() {
    let service = service(Memory::default());
    let ctx = RequestContext::system("r1");
    let id = created(&service, &ctx).await;

    let outcome = service
        .execute(
            &ctx,
            &id,
            &[paragraph("one"), paragraph("two")],
            &WriteRequest::default(),
        )
        .await
        .unwrap();

    assert_eq!(outcome.version, 3);
    let stored = service.store().stream(&id);
    assert_eq!(stored.len(), 3);
    assert!(
        stored
            .iter()
            .all(|e| e.metadata.request_id == "r1" || e.sequence == 1)
    );
    assert_eq!(Memory::fold(&stored).blocks.len(), 2);
}

#[tokio::test]
async fn a_conflicting_append_is_decided_again_and_a_stale_request_rebased() {
    let service = service(Memory::default());
    let ctx = RequestContext::system("r1");
    let id = created(&service, &ctx).await;
    service
        .execute(&ctx, &id, &[paragraph("one")], &WriteRequest::default())
        .await
        .unwrap();
    *service.store().conflicts.lock().unwrap() = 2;

    // Based on version 2, while a title change made version 3: no overlap, so rebased;
    // two appends lose to "another writer" first and are decided again.
    service
        .execute(
            &ctx,
            &id,
            &[DocumentCommand::SetTitle(SetTitle {
                title: "Renamed".into(),
            })],
            &WriteRequest::default(),
        )
        .await
        .unwrap();
    let block = Memory::fold(&service.store().stream(&id)).blocks[0]
        .id()
        .clone();
    let stale = WriteRequest {
        if_match: Some(2),
        ..WriteRequest::default()
    };
    let outcome = service
        .execute(
            &ctx,
            &id,
            &[DocumentCommand::UpdateParagraph(UpdateParagraph {
                block_id: Some(block),
                text: Some("edited".into()),
                ..UpdateParagraph::default()
            })],
            &stale,
        )
        .await
        .unwrap();

    assert_eq!(outcome.rebased_from, Some(2));
    assert_eq!(outcome.version, 4);
    assert_eq!(*service.store().conflicts.lock().unwrap(), 0);
    let strict = WriteRequest {
        if_match: Some(2),
        strict: true,
        ..WriteRequest::default()
    };
    let refused = service
        .execute(&ctx, &id, &[paragraph("late")], &strict)
        .await;
    assert!(matches!(
        refused,
        Err(WriteError::StaleVersion { current: 4, .. })
    ));
}

#[tokio::test]
async fn a_revert_gets_its_version_from_the_port_by_label() {
    let service = service(Memory::default());
    let ctx = RequestContext::system("r1");
    let id = created(&service, &ctx).await;
    service
        .execute(&ctx, &id, &[paragraph("kept")], &WriteRequest::default())
        .await
        .unwrap();
    service
        .execute(
            &ctx,
            &id,
            &[DocumentCommand::LabelVersion(LabelVersion {
                name: "draft".into(),
                version: None,
            })],
            &WriteRequest::default(),
        )
        .await
        .unwrap();
    service
        .execute(&ctx, &id, &[paragraph("dropped")], &WriteRequest::default())
        .await
        .unwrap();

    let revert = |version| {
        DocumentCommand::RevertToVersion(RevertToVersion {
            version,
            target: None,
        })
    };
    service
        .execute(
            &ctx,
            &id,
            &[revert(VersionRef::Label("draft".into()))],
            &WriteRequest::default(),
        )
        .await
        .unwrap();
    let unknown = service
        .execute(
            &ctx,
            &id,
            &[revert(VersionRef::Label("nope".into()))],
            &WriteRequest::default(),
        )
        .await;
    let elsewhere = service
        .execute(
            &RequestContext {
                tenant: infrastructure::TenantId::new("other"),
                ..ctx.clone()
            },
            &id,
            &[revert(VersionRef::Number(2))],
            &WriteRequest::default(),
        )
        .await;

    let document = Memory::fold(&service.store().stream(&id));
    assert_eq!(document.blocks.len(), 1, "back to the labelled version");
    assert!(matches!(unknown, Err(WriteError::LabelNotFound(name)) if name == "nope"));
    assert!(matches!(elsewhere, Err(WriteError::NotFound)));
}

#[tokio::test]
async fn an_image_is_stored_through_the_port_before_its_event() {
    let service = service(Memory::default());
    let ctx = RequestContext::system("r1");
    let id = created(&service, &ctx).await;
    service
        .execute(&ctx, &id, &[paragraph("x")], &WriteRequest::default())
        .await
        .unwrap();
    let block = Memory::fold(&service.store().stream(&id)).blocks[0]
        .id()
        .clone();
    // A 1×1 PNG.
    let png = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==";
    let add: DocumentCommand = serde_json::from_value(serde_json::json!({
        "type": "add_image", "block_id": block, "data_base64": png, "alt_text": "dot"
    }))
    .unwrap();

    service
        .execute(&ctx, &id, &[add], &WriteRequest::default())
        .await
        .unwrap();

    let media = service.store().media.lock().unwrap();
    assert_eq!(media.len(), 1);
    let (hash, bytes) = media.iter().next().unwrap();
    assert_eq!(hash, &domain::media_id(bytes));
}
