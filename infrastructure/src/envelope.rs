//! The bus envelope of an event (what the outbox relay publishes: the event with its
//! document, sequence, type and metadata, as JSON) and the largest one folio accepts.
//!
//! JetStream refuses a message above the server's `max_payload` (1 MiB by default), and an
//! event that was appended but cannot be published would hold the relay back. So the write
//! path weighs every event it is about to append in exactly the form the relay will
//! publish, and refuses the request (413, nothing appended) when one is heavier than
//! [`EventLimit::bytes`]: the configured `--max-event-bytes`, and in the distributed
//! deployment also the connected server's `max_payload` less room for the message headers.

use domain::{DocumentEvent, DocumentId};
use serde::Serialize;

use crate::store::{EventMetadata, StoredEvent};

/// The default largest envelope: 1 MiB (JetStream's default `max_payload`) less
/// [`HEADER_ROOM`].
pub const DEFAULT_MAX_EVENT_BYTES: usize = (1 << 20) - HEADER_ROOM;

/// Room kept for a message's headers (`Nats-Msg-Id: <document>:<sequence>` and the header
/// preamble take about 80 bytes).
pub const HEADER_ROOM: usize = 256;

/// An event as the bus carries it. Serialises exactly as [`StoredEvent`] does (a test
/// holds them together), without owning the event.
#[derive(Debug, Serialize)]
pub struct Envelope<'a> {
    /// The document.
    pub document_id: &'a DocumentId,
    /// The event's sequence.
    pub sequence: u64,
    /// Its type name.
    pub event_type: &'a str,
    /// Its payload's schema version.
    pub event_version: &'a str,
    /// The event.
    pub event: &'a DocumentEvent,
    /// Its metadata.
    pub metadata: &'a EventMetadata,
}

impl<'a> From<&'a StoredEvent> for Envelope<'a> {
    fn from(e: &'a StoredEvent) -> Self {
        Self {
            document_id: &e.document_id,
            sequence: e.sequence,
            event_type: &e.event_type,
            event_version: &e.event_version,
            event: &e.event,
            metadata: &e.metadata,
        }
    }
}

impl Envelope<'_> {
    /// Its JSON, as published.
    ///
    /// # Errors
    /// Serialisation failures (none for folio's types).
    pub fn to_json(&self) -> serde_json::Result<Vec<u8>> {
        serde_json::to_vec(self)
    }

    /// The length of its JSON, counted without building it.
    pub fn json_len(&self) -> usize {
        let mut count = Count(0);
        // Writing into a counter cannot fail; a serialisation error (none for these types)
        // counts what was written before it.
        let _ = serde_json::to_writer(&mut count, self);
        count.0
    }
}

/// A writer that only counts bytes.
struct Count(usize);

impl std::io::Write for Count {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0 = self.0.saturating_add(buf.len());
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The largest event envelope the write path accepts.
#[derive(Debug, Clone)]
pub struct EventLimit {
    configured: usize,
    bus: Option<async_nats::Client>,
}

impl Default for EventLimit {
    fn default() -> Self {
        Self::configured(DEFAULT_MAX_EVENT_BYTES)
    }
}

impl EventLimit {
    /// At most `bytes` (`--max-event-bytes`).
    pub fn configured(bytes: usize) -> Self {
        Self {
            configured: bytes.max(1),
            bus: None,
        }
    }

    /// Also at most what the NATS server this client is connected to accepts, less
    /// [`HEADER_ROOM`] (before the first connection: the client's default, 1 MiB).
    #[must_use]
    pub fn with_bus(mut self, client: async_nats::Client) -> Self {
        self.bus = Some(client);
        self
    }

    /// The limit now, in bytes of envelope JSON.
    pub fn bytes(&self) -> usize {
        let bus = self.bus.as_ref().map_or(usize::MAX, |c| {
            c.max_payload().saturating_sub(HEADER_ROOM).max(1)
        });
        self.configured.min(bus)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_envelope_serialises_as_the_stored_event() {
        let stored = StoredEvent {
            document_id: DocumentId::new("d-1"),
            sequence: 7,
            event_type: "TitleSet".into(),
            event_version: "1".into(),
            event: DocumentEvent::TitleSet {
                title: "a \"quoted\" é title".into(),
            },
            metadata: EventMetadata {
                tenant: "acme".into(),
                actor: "user:ann".into(),
                ..EventMetadata::default()
            },
        };
        let envelope = Envelope::from(&stored);
        let json = envelope.to_json().unwrap();
        assert_eq!(json, serde_json::to_vec(&stored).unwrap());
        assert_eq!(envelope.json_len(), json.len());
    }

    #[test]
    fn the_limit_is_the_configured_one_without_a_bus() {
        assert_eq!(EventLimit::default().bytes(), (1 << 20) - HEADER_ROOM);
        assert_eq!(EventLimit::configured(1000).bytes(), 1000);
        assert_eq!(EventLimit::configured(0).bytes(), 1);
    }
}
