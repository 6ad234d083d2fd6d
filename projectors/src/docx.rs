//! The .docx materialiser: renders each document's latest version into the blob store.

use std::collections::BTreeSet;

use docx_engine::render_docx;
use infrastructure::blobs::BlobStore;
use infrastructure::media::MediaStore;
use infrastructure::views::Views;
use tokio::sync::{mpsc, watch};

/// Shortest pause between two rendering passes.
const MIN_REST: std::time::Duration = std::time::Duration::from_millis(250);

/// Renders the latest version of changed documents, coalescing bursts.
#[derive(Debug)]
pub struct DocxMaterializer {
    views: Views,
    blobs: BlobStore,
    media: MediaStore,
}

impl DocxMaterializer {
    /// A materialiser reading `views` (and the images in `media`) and writing `blobs`.
    pub fn new(views: Views, blobs: BlobStore, media: MediaStore) -> Self {
        Self {
            views,
            blobs,
            media,
        }
    }

    /// Runs until the channel closes or `shutdown` turns true. Starts by rendering every
    /// document whose blob is behind its read model.
    pub async fn run(
        self,
        mut changed: mpsc::UnboundedReceiver<String>,
        mut shutdown: watch::Receiver<bool>,
    ) {
        self.materialize_stale().await;
        loop {
            let first = tokio::select! {
                id = changed.recv() => id,
                _ = shutdown.changed() => return,
            };
            let Some(first) = first else { return };
            let mut pending = BTreeSet::from([first]);
            while let Ok(id) = changed.try_recv() {
                pending.insert(id);
            }
            let started = tokio::time::Instant::now();
            for id in pending {
                self.materialize_logged(&id).await;
            }
            // Rendering costs CPU and IO that commands need. Resting three times as long as
            // the pass took (at least `MIN_REST`) keeps the materialiser under a quarter of
            // a core while writes stream in. Edits made meanwhile coalesce into the next
            // pass, and a reader who needs the newest .docx sooner gets it rendered on
            // demand.
            let rest = (started.elapsed() * 3).max(MIN_REST);
            tokio::select! {
                () = tokio::time::sleep(rest) => {}
                _ = shutdown.changed() => return,
            }
        }
    }

    /// Renders every document whose blob is behind its read model (failures are logged).
    pub async fn materialize_stale(&self) {
        match self.views.stale_blobs().await {
            Ok(ids) => {
                for id in ids {
                    self.materialize_logged(&id).await;
                }
            }
            Err(e) => tracing::error!(error = %e, "cannot list stale .docx blobs"),
        }
    }

    async fn materialize_logged(&self, id: &str) {
        if let Err(e) = self.materialize(id).await {
            // The blob stays at its older version; the query API renders on demand.
            tracing::error!(document_id = id, error = %e, "cannot materialise the .docx");
        }
    }

    /// Renders and stores one document's latest version (nothing to do when its blob is
    /// current). Returns the version the blob is at afterwards (None: no such document).
    ///
    /// # Errors
    /// Read-model, render or blob-store failures; the blob stays at its older version.
    #[tracing::instrument(name = "folio.projector.docx", skip(self))]
    pub async fn materialize(&self, id: &str) -> Result<Option<u64>, MaterializeError> {
        let Some(projected) = self.views.projected_any_tenant(id).await? else {
            return Ok(None);
        };
        let previous = self.views.blob_version(id).await?;
        let version = projected.summary.version;
        if previous.is_some_and(|v| v >= version) {
            return Ok(previous);
        }
        let tenant = projected.summary.tenant.clone();
        let updated_at = projected.summary.updated_at.clone();
        let mut options = projected.summary.render_options();
        self.media
            .render_inputs(&tenant, &projected.document, &mut options)
            .await?;
        let bytes = tokio::task::spawn_blocking(move || render_docx(&projected.document, &options))
            .await
            .map_err(|e| MaterializeError::Render(e.to_string()))?
            .map_err(|e| MaterializeError::Render(e.to_string()))?;
        self.blobs.put(&tenant, id, version, &bytes).await?;
        self.views
            .set_blob(&tenant, id, version, bytes.len())
            .await?;
        infrastructure::telemetry::pipeline::projection_lag("docx", &updated_at);
        if let Some(old) = previous
            && let Err(e) = self.blobs.remove(&tenant, id, old).await
        {
            tracing::warn!(error = %e, "cannot remove an older .docx blob");
        }
        Ok(Some(version))
    }
}

/// Why a .docx was not materialised.
#[derive(Debug, thiserror::Error)]
pub enum MaterializeError {
    /// Reading the read model or recording the blob failed.
    #[error(transparent)]
    Store(#[from] infrastructure::StoreError),
    /// Rendering failed.
    #[error("render failed: {0}")]
    Render(String),
    /// Writing the blob failed.
    #[error("blob store: {0}")]
    Blob(#[from] std::io::Error),
}
