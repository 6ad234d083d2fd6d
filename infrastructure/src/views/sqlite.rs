//! Read models in SQLite (`views.db`).

use sqlx::SqlitePool;

use super::{BlockHit, DocumentWrite, SUMMARY_COLUMNS};
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

    pub(super) async fn write(&self, writes: &[DocumentWrite]) -> Result<(), StoreError> {
        let _writer = self.writer.lock().await;
        let mut tx = self.pool.begin().await?;
        for w in writes {
            let s = &w.summary;
            let query = match w.expected_version {
                None => format!(
                    "INSERT INTO documents ({SUMMARY_COLUMNS}, review) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)
                     ON CONFLICT (id) DO NOTHING"
                ),
                // ?8 and ?9 (creation) are bound but never change.
                Some(_) => "UPDATE documents SET title = ?3, version = ?4, archived = ?5, metadata = ?6,
                              stats = ?7, updated_at = ?10, updated_by = ?11, review = ?12
                            WHERE id = ?1 AND tenant = ?2 AND version = ?13"
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
                .bind(&s.updated_by)
                .bind(&w.review);
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
                    "INSERT INTO document_blocks (document_id, block_id, ord, body, plain, blame) VALUES (?, ?, ?, ?, ?, ?)
                     ON CONFLICT (document_id, block_id) DO UPDATE SET ord = excluded.ord, body = excluded.body,
                       plain = excluded.plain, blame = excluded.blame",
                )
                .bind(&s.id)
                .bind(&b.block_id)
                .bind(b.ord)
                .bind(&b.body)
                .bind(&b.plain)
                .bind(&b.blame)
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
}
