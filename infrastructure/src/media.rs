//! The media store: image bytes, once per tenant, under their SHA-256. Events name an image
//! by that hash and never carry its bytes, so history stays small; the write path stores
//! the bytes before it appends the event that names them, so every stored event's image
//! is there for replay, time travel and rebuild.
//!
//! Embedded: files `<data-dir>/media/<tenant>/<sha256>`, written atomically (temp file +
//! rename). Distributed: rows of the `media` table beside the events (a rebuild of the
//! read models leaves it alone). A hash is only ever stored with the bytes it is the hash
//! of, so writing it twice is harmless.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use sqlx::PgPool;

use crate::blobs::{Backend, db_error, read_if_there, write_whole};

/// Where image bytes live.
#[derive(Debug, Clone)]
pub struct MediaStore {
    backend: Backend,
}

impl MediaStore {
    /// A store rooted at `root` (created on first write).
    pub fn files(root: impl Into<PathBuf>) -> Self {
        Self {
            backend: Backend::Files(root.into()),
        }
    }

    /// A store in PostgreSQL's `media` table (the pool's search path selects the schema).
    pub fn postgres(pool: PgPool) -> Self {
        Self {
            backend: Backend::Postgres(pool),
        }
    }

    fn path(root: &Path, tenant: &str, media: &str) -> PathBuf {
        root.join(crate::safe_token(tenant))
            .join(crate::safe_token(media))
    }

    /// Stores the bytes of `media` (their SHA-256, hex) for `tenant`; nothing happens when
    /// they are stored already.
    ///
    /// # Errors
    /// IO or database failures.
    pub async fn put(&self, tenant: &str, media: &str, bytes: &[u8]) -> std::io::Result<()> {
        match &self.backend {
            Backend::Postgres(pool) => {
                sqlx::query(
                    "INSERT INTO media (tenant, media, bytes) VALUES ($1, $2, $3)
                     ON CONFLICT (tenant, media) DO NOTHING",
                )
                .bind(tenant)
                .bind(media)
                .bind(bytes)
                .execute(pool)
                .await
                .map_err(db_error)?;
                Ok(())
            }
            Backend::Files(root) => {
                let path = Self::path(root, tenant, media);
                if tokio::fs::try_exists(&path).await? {
                    return Ok(());
                }
                write_whole(&path, bytes).await
            }
        }
    }

    /// The bytes of `media` for `tenant`, if stored.
    ///
    /// # Errors
    /// IO or database failures other than "not found".
    pub async fn get(&self, tenant: &str, media: &str) -> std::io::Result<Option<Vec<u8>>> {
        match &self.backend {
            Backend::Postgres(pool) => {
                sqlx::query_scalar("SELECT bytes FROM media WHERE tenant = $1 AND media = $2")
                    .bind(tenant)
                    .bind(media)
                    .fetch_optional(pool)
                    .await
                    .map_err(db_error)
            }
            Backend::Files(root) => read_if_there(&Self::path(root, tenant, media)).await,
        }
    }

    /// What a render of `document` needs from the store: the bytes of every image it
    /// shows and, for an imported document, its source file. An image whose bytes are
    /// missing is left out (the render writes its alternative text); a missing source
    /// file renders without the parts it would give.
    ///
    /// # Errors
    /// IO or database failures.
    pub async fn render_inputs(
        &self,
        tenant: &str,
        document: &domain::Document,
        options: &mut docx_engine::RenderOptions,
    ) -> std::io::Result<()> {
        options.media = self.images(tenant, document).await?;
        options.source = match &document.source {
            Some(source) if domain::is_media_id(&source.media) => {
                let bytes = self.get(tenant, &source.media).await?;
                if bytes.is_none() {
                    tracing::warn!(media = %source.media, "an imported document's source file is missing");
                }
                bytes.map(Arc::from)
            }
            _ => None,
        };
        Ok(())
    }

    /// Adds the bytes of `document`'s pictures to `options` (a redline shows version A's
    /// pictures beside B's).
    pub async fn add_images(
        &self,
        tenant: &str,
        document: &domain::Document,
        options: &mut docx_engine::RenderOptions,
    ) -> std::io::Result<()> {
        for (media, bytes) in self.images(tenant, document).await? {
            options.media.entry(media).or_insert(bytes);
        }
        Ok(())
    }

    async fn images(
        &self,
        tenant: &str,
        document: &domain::Document,
    ) -> std::io::Result<BTreeMap<String, Arc<[u8]>>> {
        let mut found = BTreeMap::new();
        for image in document.all_images() {
            if found.contains_key(&image.media) || !domain::is_media_id(&image.media) {
                continue;
            }
            match self.get(tenant, &image.media).await? {
                Some(bytes) => {
                    found.insert(image.media.clone(), Arc::from(bytes));
                }
                None => tracing::warn!(media = %image.media, "an image's bytes are missing"),
            }
        }
        Ok(found)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn files_are_per_tenant_and_written_once() {
        let dir = tempfile::tempdir().unwrap();
        let store = MediaStore::files(dir.path());
        let media = "ab".repeat(32);
        store.put("t1", &media, b"one").await.unwrap();
        store.put("t1", &media, b"ignored").await.unwrap();
        assert_eq!(
            store.get("t1", &media).await.unwrap().as_deref(),
            Some(&b"one"[..])
        );
        assert_eq!(store.get("t2", &media).await.unwrap(), None);
    }
}
