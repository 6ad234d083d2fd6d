//! The application layer: every use case of folio as plain async functions over the
//! caller's principal, and the one catalogue of operations that the transports (REST,
//! MCP) are built from. Nothing here knows HTTP or MCP; nothing in the transports knows
//! SQL, tenants or pagination.
//!
//! - [`read`]: the read use cases ([`Reads`]): summaries, content, text, outline, .docx,
//!   exports, history, audit, search — tenant scope, time travel, read-your-writes.
//! - [`mod@write`]: the write use cases ([`Writes`]): create, import, commands, archive —
//!   If-Match (with rebase), Idempotency-Key, reason, batch, dry run — over the write path
//!   (`write::service`) and its storage port (`write::port`).
//! - [`queries`]: the query table — every read operation declared once, with its handler.
//! - [`access`]: API keys and users ([`access::Access`]).
//! - [`page`]: the one pagination helper.
//! - [`ops`]: the catalogue of operations and [`ops::call`], which runs one by name.
//! - [`schema`]: self-contained JSON Schemas from the utoipa descriptions.
//! - [`metrics`]: per-operation counters and latency.
//! - [`offload`]: reads run on a runtime of their own, off the HTTP workers.
//! - [`docs`]: `docs/api.md`, made from the catalogue.

pub mod access;
pub mod docs;
pub mod metrics;
pub mod offload;
pub mod ops;
pub mod page;
pub mod pdf;
pub mod queries;
pub mod read;
pub mod schema;
pub mod write;

pub use read::Reads;
pub use write::{Imports, WriteRequest, Writes};
