//! The cqrs-es binding, where it is used. sqlite-es and postgres-es append events through
//! `PersistedEventRepository::persist::<A: Aggregate>`, so the event stores need an
//! aggregate type; folio's write path decides with [`domain::Document::decide`] itself (it
//! needs each event's command name, the check that every event fits before it is appended,
//! and all-or-nothing batches), so the binding lives here, beside the stores, and the domain
//! crate stays free of cqrs-es and its runtime.

use cqrs_es::event_sink::EventSink;
use cqrs_es::{Aggregate, DomainEvent};
use domain::event::EVENT_VERSION;
use domain::{Document, DocumentCommand, DocumentError, DocumentEvent, Limits};
use serde::{Deserialize, Serialize};

/// The aggregate type the stores persist (`aggregate_type = 'Document'`).
#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub(crate) struct StoredDocument(Document);

impl StoredDocument {
    /// The `aggregate_type` column of folio's events.
    pub(crate) const TYPE: &'static str = <Self as Aggregate>::TYPE;
}

/// Its event type.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub(crate) struct StoredDocumentEvent(DocumentEvent);

impl DomainEvent for StoredDocumentEvent {
    fn event_type(&self) -> String {
        self.0.name().to_string()
    }

    fn event_version(&self) -> String {
        EVENT_VERSION.to_string()
    }
}

impl Aggregate for StoredDocument {
    const TYPE: &'static str = "Document";
    type Command = DocumentCommand;
    type Event = StoredDocumentEvent;
    type Error = DocumentError;
    type Services = Limits;

    /// What cqrs-es would run for a command: the domain's decision, each event applied as
    /// it is written.
    async fn handle(
        &mut self,
        command: Self::Command,
        limits: &Self::Services,
        sink: &EventSink<Self>,
    ) -> Result<(), Self::Error> {
        for event in self.0.decide(&command, limits)? {
            sink.write(StoredDocumentEvent(event), self).await;
        }
        Ok(())
    }

    fn apply(&mut self, event: Self::Event) {
        self.0.apply(&event.0);
    }
}

#[cfg(test)]
mod tests {
    use domain::DocumentId;
    use domain::command::{AddParagraph, CreateDocument};

    use super::*;

    // cqrs-es running a command gives the events and the state the domain's own `decide`
    // and `apply` give: the binding adds nothing.
    #[tokio::test]
    async fn handle_is_decide_then_apply() {
        let limits = Limits::default();
        let commands = [
            DocumentCommand::CreateDocument(CreateDocument {
                document_id: DocumentId::new("d1"),
                title: "T".into(),
            }),
            DocumentCommand::AddParagraph(AddParagraph {
                text: Some("hello".into()),
                ..AddParagraph::default()
            }),
        ];
        let mut bound = StoredDocument::default();
        let mut plain = Document::default();
        for command in commands {
            let expected = plain.decide(&command, &limits).unwrap();
            for e in &expected {
                plain.apply(e);
            }
            let sink = EventSink::default();
            bound.handle(command, &limits, &sink).await.unwrap();
            let events: Vec<DocumentEvent> =
                sink.collect().await.into_iter().map(|e| e.0).collect();
            assert_eq!(events, expected);
        }
        assert_eq!(bound.0, plain);
    }
}
