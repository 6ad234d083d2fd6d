//! Projectors: consumers of the event bus that keep the derived views.
//!
//! - [`read_model`]: document summaries and state in `views.db`. Each row remembers the last
//!   sequence applied: duplicates are skipped and a gap is filled by reading the missing
//!   events from the event store, so the projection is idempotent and self-healing.
//! - [`docx`]: the .docx of each document's latest version in the blob store, rendered
//!   after the read model commits and coalesced (a document edited 100 times while a render
//!   runs is rendered once more, not 100 times).
//! - [`jetstream`]: the same two as durable JetStream consumers (distributed deployment).
//! - [`supervise`]: restarts a projector task that died, and says whether it runs.
//! - [`rebuild`]: replays the whole event store into fresh read models and blobs, then
//!   swaps them in (or, with verify, compares them with the live ones).

pub mod docx;
pub mod jetstream;
pub mod read_model;
pub mod rebuild;
pub mod supervise;

pub use docx::DocxMaterializer;
pub use read_model::ReadModelProjector;
