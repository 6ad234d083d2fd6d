//! Command-line and environment configuration. Every flag also reads `FOLIO_<FLAG>`.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::Args;
use domain::Limits;

/// Settings of the embedded server (`folio serve`).
#[derive(Debug, Clone, Args)]
pub(crate) struct ServeSettings {
    /// Directory holding the databases and .docx blobs (created if missing).
    #[arg(long, env = "FOLIO_DATA_DIR", default_value = "./folio-data")]
    pub(crate) data_dir: PathBuf,
    /// Address to listen on.
    #[arg(long, env = "FOLIO_BIND", default_value = "127.0.0.1:8080")]
    pub(crate) bind: SocketAddr,
    /// Largest accepted request body, in bytes.
    #[arg(long, env = "FOLIO_MAX_BODY_BYTES", default_value_t = 1024 * 1024)]
    pub(crate) max_body_bytes: usize,
    /// Most commands in one batch.
    #[arg(long, env = "FOLIO_MAX_BATCH", default_value_t = 1000)]
    pub(crate) max_batch: usize,
    /// Most top-level blocks in one document.
    #[arg(long, env = "FOLIO_MAX_BLOCKS", default_value_t = 100_000)]
    pub(crate) max_blocks: usize,
    /// Most characters in one paragraph, heading, table cell or list item.
    #[arg(long, env = "FOLIO_MAX_TEXT_CHARS", default_value_t = 1_000_000)]
    pub(crate) max_text_chars: usize,
    /// Most cells in one table.
    #[arg(long, env = "FOLIO_MAX_TABLE_CELLS", default_value_t = 100_000)]
    pub(crate) max_table_cells: usize,
    /// Most items in one list.
    #[arg(long, env = "FOLIO_MAX_LIST_ITEMS", default_value_t = 10_000)]
    pub(crate) max_list_items: usize,
    /// How long `?min_version=` waits for the read model before answering 503 (ms).
    #[arg(long, env = "FOLIO_READ_WAIT_MS", default_value_t = 5_000)]
    pub(crate) read_wait_ms: u64,
    /// Write a snapshot of a document every this many events.
    #[arg(long, env = "FOLIO_SNAPSHOT_EVERY", default_value_t = 100)]
    pub(crate) snapshot_every: u64,
    /// Documents kept in memory by the write path and by the projector.
    #[arg(long, env = "FOLIO_CACHED_DOCUMENTS", default_value_t = 256)]
    pub(crate) cached_documents: usize,
    /// HTTP worker threads (default: one per core).
    #[arg(long, env = "FOLIO_WORKERS")]
    pub(crate) workers: Option<usize>,
}

impl ServeSettings {
    /// Defaults for a data directory and address (used by `folio bench`).
    pub(crate) fn for_dir(data_dir: PathBuf, bind: SocketAddr) -> Self {
        Self {
            data_dir,
            bind,
            max_body_bytes: 1024 * 1024,
            max_batch: 1000,
            max_blocks: 100_000,
            max_text_chars: 1_000_000,
            max_table_cells: 100_000,
            max_list_items: 10_000,
            read_wait_ms: 5_000,
            snapshot_every: 100,
            cached_documents: 256,
            workers: None,
        }
    }

    /// The domain limits.
    pub(crate) fn limits(&self) -> Limits {
        Limits {
            max_blocks: self.max_blocks,
            max_text_chars: self.max_text_chars,
            max_table_cells: self.max_table_cells,
            max_list_items: self.max_list_items,
            ..Limits::default()
        }
    }

    /// The `min_version` wait bound.
    pub(crate) fn read_wait(&self) -> Duration {
        Duration::from_millis(self.read_wait_ms)
    }
}
