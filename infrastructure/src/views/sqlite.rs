//! Read models in SQLite (`views.db`).

use sqlx::SqlitePool;

use super::{BlockHit, DocumentWrite, LoadedRows, SUMMARY_COLUMNS, SummaryRow};
use crate::rows;
use crate::store::StoreError;

/// The SQLite backend of [`super::Views`].
#[derive(Debug, Clone)]
pub struct SqliteViews {
    pub(super) pool: SqlitePool,
    /// Queues this process's writers (see the event store): SQLite's busy handler sleeps.
    pub(super) writer: std::sync::Arc<tokio::sync::Mutex<()>>,
}

impl SqliteViews {
    pub(super) fn new(pool: SqlitePool) -> Self {
        Self {
            pool,
            writer: std::sync::Arc::default(),
        }
    }

    pub(super) async fn summary(
        &self,
        tenant: &str,
        id: &str,
    ) -> Result<Option<SummaryRow>, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {SUMMARY_COLUMNS} FROM documents WHERE id = ? AND tenant = ?"
        ))
        .bind(id)
        .bind(tenant)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(rows::summary).transpose()
    }

    pub(super) async fn list(
        &self,
        tenant: &str,
        pattern: Option<String>,
        limit: i64,
        cursor: Option<&str>,
    ) -> Result<Vec<SummaryRow>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {SUMMARY_COLUMNS} FROM documents
              WHERE tenant = ?1 AND archived = 0
                AND (?2 IS NULL OR title LIKE ?2 ESCAPE '\\')
                AND (?3 IS NULL OR id < ?3)
              ORDER BY id DESC LIMIT ?4"
        ))
        .bind(tenant)
        .bind(pattern)
        .bind(cursor)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(rows::summary).collect()
    }

    pub(super) async fn load(
        &self,
        id: &str,
        tenant: Option<&str>,
    ) -> Result<Option<LoadedRows>, StoreError> {
        let mut tx = self.pool.begin().await?;
        let row = sqlx::query(&format!(
            "SELECT {SUMMARY_COLUMNS} FROM documents WHERE id = ?1 AND (?2 IS NULL OR tenant = ?2)"
        ))
        .bind(id)
        .bind(tenant)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(summary) = row.as_ref().map(rows::summary).transpose()? else {
            return Ok(None);
        };
        let rows =
            sqlx::query("SELECT ord, body FROM document_blocks WHERE document_id = ? ORDER BY ord")
                .bind(id)
                .fetch_all(&mut *tx)
                .await?;
        tx.commit().await?;
        let blocks = rows
            .iter()
            .map(rows::block)
            .collect::<Result<_, StoreError>>()?;
        Ok(Some((summary, blocks)))
    }

    pub(super) async fn version(&self, id: &str) -> Result<Option<u64>, StoreError> {
        let v: Option<i64> = sqlx::query_scalar("SELECT version FROM documents WHERE id = ?")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        Ok(v.map(|v| v as u64))
    }

    pub(super) async fn versions(&self) -> Result<Vec<(String, u64)>, StoreError> {
        let rows: Vec<(String, i64)> =
            sqlx::query_as("SELECT id, version FROM documents ORDER BY id")
                .fetch_all(&self.pool)
                .await?;
        Ok(rows.into_iter().map(|(id, v)| (id, v as u64)).collect())
    }

    pub(super) async fn write(&self, writes: &[DocumentWrite]) -> Result<(), StoreError> {
        let _writer = self.writer.lock().await;
        let mut tx = self.pool.begin().await?;
        for w in writes {
            let s = &w.summary;
            let query = match w.expected_version {
                None => format!(
                    "INSERT INTO documents ({SUMMARY_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
                     ON CONFLICT (id) DO NOTHING"
                ),
                // ?8 and ?9 (creation) are bound but never change.
                Some(_) => "UPDATE documents SET title = ?3, version = ?4, archived = ?5, metadata = ?6,
                              stats = ?7, updated_at = ?10, updated_by = ?11
                            WHERE id = ?1 AND tenant = ?2 AND version = ?12"
                    .to_string(),
            };
            let mut statement = sqlx::query(&query)
                .bind(&s.id)
                .bind(&s.tenant)
                .bind(&s.title)
                .bind(s.version as i64)
                .bind(s.archived)
                .bind(&w.metadata)
                .bind(&w.stats)
                .bind(&s.created_at)
                .bind(&s.created_by)
                .bind(&s.updated_at)
                .bind(&s.updated_by);
            if let Some(expected) = w.expected_version {
                statement = statement.bind(expected as i64);
            }
            let done = statement.execute(&mut *tx).await?;
            if done.rows_affected() != 1 {
                return Err(StoreError::Conflict);
            }
            if w.delete_all {
                sqlx::query("DELETE FROM document_blocks WHERE document_id = ?")
                    .bind(&s.id)
                    .execute(&mut *tx)
                    .await?;
            }
            for block_id in &w.removed {
                sqlx::query("DELETE FROM document_blocks WHERE document_id = ? AND block_id = ?")
                    .bind(&s.id)
                    .bind(block_id)
                    .execute(&mut *tx)
                    .await?;
            }
            for b in &w.upserts {
                sqlx::query(
                    "INSERT INTO document_blocks (document_id, block_id, ord, body, plain) VALUES (?, ?, ?, ?, ?)
                     ON CONFLICT (document_id, block_id) DO UPDATE SET ord = excluded.ord, body = excluded.body,
                       plain = excluded.plain",
                )
                .bind(&s.id)
                .bind(&b.block_id)
                .bind(b.ord)
                .bind(&b.body)
                .bind(&b.plain)
                .execute(&mut *tx)
                .await?;
            }
        }
        tx.commit().await?;
        Ok(())
    }

    pub(super) async fn search_blocks(
        &self,
        tenant: &str,
        pattern: &str,
        after: Option<(&str, f64)>,
        limit: i64,
    ) -> Result<Vec<BlockHit>, StoreError> {
        let rows = sqlx::query(
            "SELECT b.document_id, b.block_id, b.ord, b.plain
               FROM document_blocks b JOIN documents d ON d.id = b.document_id
              WHERE d.tenant = ?1 AND d.archived = 0 AND b.plain LIKE ?2 ESCAPE '\\'
                AND (?3 IS NULL OR b.document_id < ?3 OR (b.document_id = ?3 AND b.ord > ?4))
              ORDER BY b.document_id DESC, b.ord LIMIT ?5",
        )
        .bind(tenant)
        .bind(pattern)
        .bind(after.map(|(id, _)| id))
        .bind(after.map_or(0.0, |(_, ord)| ord))
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(rows::block_hit).collect()
    }

    pub(super) async fn blob_version(&self, id: &str) -> Result<Option<u64>, StoreError> {
        let v: Option<i64> =
            sqlx::query_scalar("SELECT version FROM docx_blobs WHERE document_id = ?")
                .bind(id)
                .fetch_optional(&self.pool)
                .await?;
        Ok(v.map(|v| v as u64))
    }

    pub(super) async fn stale_blobs(&self) -> Result<Vec<String>, StoreError> {
        Ok(sqlx::query_scalar(
            "SELECT d.id FROM documents d LEFT JOIN docx_blobs b ON b.document_id = d.id
              WHERE b.version IS NULL OR b.version < d.version",
        )
        .fetch_all(&self.pool)
        .await?)
    }

    pub(super) async fn set_blob(
        &self,
        tenant: &str,
        id: &str,
        version: i64,
        size: i64,
    ) -> Result<(), StoreError> {
        let _writer = self.writer.lock().await;
        sqlx::query(
            "INSERT INTO docx_blobs (document_id, tenant, version, size) VALUES (?, ?, ?, ?)
             ON CONFLICT (document_id) DO UPDATE SET version = excluded.version, size = excluded.size
             WHERE excluded.version > docx_blobs.version",
        )
        .bind(id)
        .bind(tenant)
        .bind(version)
        .bind(size)
        .execute(&self.pool)
        .await?;
        Ok(())
    }
}
