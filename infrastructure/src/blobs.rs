//! The .docx blob store: files under `<data-dir>/blobs/<tenant>/<document>.docx`, written
//! atomically (temp file + rename) so a reader never sees half a file.

use std::path::{Path, PathBuf};

/// A directory of blobs.
#[derive(Debug, Clone)]
pub struct BlobStore {
    root: PathBuf,
}

/// Keeps a path component to characters that cannot escape the directory.
fn component(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '_' })
        .collect()
}

impl BlobStore {
    /// A store rooted at `root` (created on first write).
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }

    fn path(&self, tenant: &str, document_id: &str) -> PathBuf {
        self.root
            .join(component(tenant))
            .join(format!("{}.docx", component(document_id)))
    }

    /// Writes a document's .docx.
    ///
    /// # Errors
    /// IO failures.
    pub async fn put(&self, tenant: &str, document_id: &str, bytes: &[u8]) -> std::io::Result<()> {
        let path = self.path(tenant, document_id);
        let dir = path.parent().unwrap_or(Path::new("."));
        tokio::fs::create_dir_all(dir).await?;
        let tmp = path.with_extension("docx.tmp");
        tokio::fs::write(&tmp, bytes).await?;
        tokio::fs::rename(&tmp, &path).await
    }

    /// Reads a document's .docx, if there is one.
    ///
    /// # Errors
    /// IO failures other than "not found".
    pub async fn get(&self, tenant: &str, document_id: &str) -> std::io::Result<Option<Vec<u8>>> {
        match tokio::fs::read(self.path(tenant, document_id)).await {
            Ok(bytes) => Ok(Some(bytes)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }
}
