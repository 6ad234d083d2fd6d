//! The cqrs-es binding: `Document` is the aggregate, `DocumentEvent` its event type.
//! `handle` only delegates to the synchronous [`Document::decide`], where every rule lives.

use cqrs_es::event_sink::EventSink;
use cqrs_es::{Aggregate, DomainEvent};

use crate::command::DocumentCommand;
use crate::decide::Limits;
use crate::error::DocumentError;
use crate::event::{DocumentEvent, EVENT_VERSION};
use crate::model::Document;

impl DomainEvent for DocumentEvent {
    fn event_type(&self) -> String {
        self.name().to_string()
    }

    fn event_version(&self) -> String {
        EVENT_VERSION.to_string()
    }
}

impl Aggregate for Document {
    const TYPE: &'static str = "Document";
    type Command = DocumentCommand;
    type Event = DocumentEvent;
    type Error = DocumentError;
    type Services = Limits;

    async fn handle(
        &mut self,
        command: Self::Command,
        limits: &Self::Services,
        sink: &EventSink<Self>,
    ) -> Result<(), Self::Error> {
        for event in self.decide(&command, limits)? {
            sink.write(event, self).await;
        }
        Ok(())
    }

    fn apply(&mut self, event: Self::Event) {
        Document::apply(self, &event);
    }
}
