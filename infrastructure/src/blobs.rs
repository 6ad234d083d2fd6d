//! The .docx blob store, and the cache of PDFs made from them beside them. Embedded: files
//! under `<data-dir>/blobs/<tenant>/<document>.v<version>.docx` (and `.pdf`), written
//! atomically (temp file + rename) so a reader never sees half a file. Distributed: rows of
//! `docx_blob_data` (and `pdf_blob_data`) in PostgreSQL. Either way the version is part of
//! the key, so a reader that looked up version N gets exactly version N or nothing.

use std::path::{Path, PathBuf};

use sqlx::PgPool;

/// Where blobs live.
#[derive(Debug, Clone)]
pub struct BlobStore {
    backend: Backend,
}

/// Where a store keeps its bytes: files under a root, or a PostgreSQL table (the .docx
/// blobs and the media store share it).
#[derive(Debug, Clone)]
pub(crate) enum Backend {
    Files(PathBuf),
    Postgres(PgPool),
}

/// What a blob of a document version is: the .docx, or the PDF made from it.
#[derive(Debug, Clone, Copy)]
enum Rendition {
    Docx,
    Pdf,
}

impl Rendition {
    fn extension(self) -> &'static str {
        match self {
            Self::Docx => "docx",
            Self::Pdf => "pdf",
        }
    }

    /// The upsert of a version's bytes: a .docx is rewritten (a rebuild renders it
    /// anew), a cached PDF kept (any conversion of the version will do).
    fn insert_sql(self) -> &'static str {
        match self {
            Self::Docx => {
                "INSERT INTO docx_blob_data (tenant, document_id, version, bytes) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (document_id, version) DO UPDATE SET bytes = excluded.bytes"
            }
            Self::Pdf => {
                "INSERT INTO pdf_blob_data (tenant, document_id, version, bytes) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (document_id, version) DO NOTHING"
            }
        }
    }

    fn select_sql(self) -> &'static str {
        match self {
            Self::Docx => {
                "SELECT bytes FROM docx_blob_data WHERE tenant = $1 AND document_id = $2 AND version = $3"
            }
            Self::Pdf => {
                "SELECT bytes FROM pdf_blob_data WHERE tenant = $1 AND document_id = $2 AND version = $3"
            }
        }
    }
}

/// Writes a file whole or not at all, creating its folder: a temporary file of its own
/// beside it (so two writers of the same file never rename each other's half-written
/// one), then a rename.
pub(crate) async fn write_whole(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    tokio::fs::create_dir_all(dir).await?;
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(format!(".{}.tmp", uuid::Uuid::now_v7().simple()));
    tokio::fs::write(&tmp, bytes).await?;
    tokio::fs::rename(&tmp, path).await
}

/// A file's bytes, or `None` when there is no such file.
pub(crate) async fn read_if_there(path: &Path) -> std::io::Result<Option<Vec<u8>>> {
    match tokio::fs::read(path).await {
        Ok(bytes) => Ok(Some(bytes)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

pub(crate) fn db_error(e: sqlx::Error) -> std::io::Error {
    std::io::Error::other(e)
}

impl BlobStore {
    /// A store rooted at `root` (created on first write).
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self {
            backend: Backend::Files(root.into()),
        }
    }

    /// A store in PostgreSQL (the pool's search path selects the schema).
    pub fn postgres(pool: PgPool) -> Self {
        Self {
            backend: Backend::Postgres(pool),
        }
    }

    fn path(
        root: &Path,
        tenant: &str,
        document_id: &str,
        version: u64,
        rendition: Rendition,
    ) -> PathBuf {
        root.join(crate::safe_token(tenant)).join(format!(
            "{}.v{version}.{}",
            crate::safe_token(document_id),
            rendition.extension()
        ))
    }

    async fn put_as(
        &self,
        rendition: Rendition,
        (tenant, document_id, version): (&str, &str, u64),
        bytes: &[u8],
    ) -> std::io::Result<()> {
        match &self.backend {
            Backend::Postgres(pool) => {
                sqlx::query(rendition.insert_sql())
                    .bind(tenant)
                    .bind(document_id)
                    .bind(version as i64)
                    .bind(bytes)
                    .execute(pool)
                    .await
                    .map_err(db_error)?;
                Ok(())
            }
            Backend::Files(root) => {
                let path = Self::path(root, tenant, document_id, version, rendition);
                write_whole(&path, bytes).await
            }
        }
    }

    async fn get_as(
        &self,
        rendition: Rendition,
        (tenant, document_id, version): (&str, &str, u64),
    ) -> std::io::Result<Option<Vec<u8>>> {
        match &self.backend {
            Backend::Postgres(pool) => sqlx::query_scalar(rendition.select_sql())
                .bind(tenant)
                .bind(document_id)
                .bind(version as i64)
                .fetch_optional(pool)
                .await
                .map_err(db_error),
            Backend::Files(root) => {
                read_if_there(&Self::path(root, tenant, document_id, version, rendition)).await
            }
        }
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
        self.put_as(Rendition::Docx, (tenant, document_id, version), bytes)
            .await
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
        self.get_as(Rendition::Docx, (tenant, document_id, version))
            .await
    }

    /// Caches the PDF of one version of a document.
    ///
    /// # Errors
    /// IO failures.
    pub async fn put_pdf(
        &self,
        tenant: &str,
        document_id: &str,
        version: u64,
        bytes: &[u8],
    ) -> std::io::Result<()> {
        self.put_as(Rendition::Pdf, (tenant, document_id, version), bytes)
            .await
    }

    /// The cached PDF of one version, if there is one.
    ///
    /// # Errors
    /// IO failures other than "not found".
    pub async fn get_pdf(
        &self,
        tenant: &str,
        document_id: &str,
        version: u64,
    ) -> std::io::Result<Option<Vec<u8>>> {
        self.get_as(Rendition::Pdf, (tenant, document_id, version))
            .await
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
        let root = match &self.backend {
            Backend::Files(root) => root,
            Backend::Postgres(pool) => {
                sqlx::query("DELETE FROM docx_blob_data WHERE document_id = $1 AND version = $2")
                    .bind(document_id)
                    .bind(version as i64)
                    .execute(pool)
                    .await
                    .map_err(db_error)?;
                return Ok(());
            }
        };
        let path = Self::path(root, tenant, document_id, version, Rendition::Docx);
        match tokio::fs::remove_file(path).await {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        }
    }
}
