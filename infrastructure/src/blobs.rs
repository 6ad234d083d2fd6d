//! The .docx blob store: files under `<data-dir>/blobs/<tenant>/<document>.v<version>.docx`,
//! written atomically (temp file + rename) so a reader never sees half a file. The version
//! is in the name, so a reader that looked up version N gets exactly version N or nothing.

use std::path::{Path, PathBuf};

/// A directory of blobs.
#[derive(Debug, Clone)]
pub struct BlobStore {
    root: PathBuf,
}

/// Keeps a path component to characters that cannot escape the directory.
fn component(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

impl BlobStore {
    /// A store rooted at `root` (created on first write).
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }

    fn path(&self, tenant: &str, document_id: &str, version: u64) -> PathBuf {
        self.root
            .join(component(tenant))
            .join(format!("{}.v{version}.docx", component(document_id)))
    }

    /// Writes the .docx of one version of a document.
    ///
    /// # Errors
    /// IO failures.
    pub async fn put(
        &self,
        tenant: &str,
        document_id: &str,
        version: u64,
        bytes: &[u8],
    ) -> std::io::Result<()> {
        let path = self.path(tenant, document_id, version);
        let dir = path.parent().unwrap_or(Path::new("."));
        tokio::fs::create_dir_all(dir).await?;
        let tmp = path.with_extension("docx.tmp");
        tokio::fs::write(&tmp, bytes).await?;
        tokio::fs::rename(&tmp, &path).await
    }

    /// Removes the .docx of one version (no error if it is already gone).
    ///
    /// # Errors
    /// IO failures other than "not found".
    pub async fn remove(
        &self,
        tenant: &str,
        document_id: &str,
        version: u64,
    ) -> std::io::Result<()> {
        match tokio::fs::remove_file(self.path(tenant, document_id, version)).await {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        }
    }

    /// Reads the .docx of one version, if it is stored.
    ///
    /// # Errors
    /// IO failures other than "not found".
    pub async fn get(
        &self,
        tenant: &str,
        document_id: &str,
        version: u64,
    ) -> std::io::Result<Option<Vec<u8>>> {
        match tokio::fs::read(self.path(tenant, document_id, version)).await {
            Ok(bytes) => Ok(Some(bytes)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }
}
