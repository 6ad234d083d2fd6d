//! Read models in PostgreSQL.

use sqlx::{PgPool, Row};

use super::{BlockHit, DocumentWrite, LoadedRows, SUMMARY_COLUMNS, SummaryRow, summary_from};
use crate::store::StoreError;

fn summary_row(row: &sqlx::postgres::PgRow) -> Result<SummaryRow, StoreError> {
    summary_from(
        row.try_get("id")?,
        row.try_get("tenant")?,
        row.try_get("title")?,
        row.try_get("version")?,
        row.try_get("archived")?,
        &row.try_get::<String, _>("metadata")?,
        &row.try_get::<String, _>("stats")?,
        (row.try_get("created_at")?, row.try_get("created_by")?),
        (row.try_get("updated_at")?, row.try_get("updated_by")?),
    )
}

/// The SQLite backend of [`super::Views`].
#[derive(Debug, Clone)]
pub struct PgViews {
    pool: PgPool,
}

impl PgViews {
    /// The pool (for `folio rebuild`).
    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    pub(super) fn new(pool: PgPool) -> Self {
        Self { pool }
    }

    pub(super) async fn summary(
        &self,
        tenant: &str,
        id: &str,
    ) -> Result<Option<SummaryRow>, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {SUMMARY_COLUMNS} FROM documents WHERE id = $1 AND tenant = $2"
        ))
        .bind(id)
        .bind(tenant)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(summary_row).transpose()
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
              WHERE tenant = $1 AND archived = false
                AND ($2::text IS NULL OR title ILIKE $2 ESCAPE '\\')
                AND ($3::text IS NULL OR id < $3)
              ORDER BY id DESC LIMIT $4"
        ))
        .bind(tenant)
        .bind(pattern)
        .bind(cursor)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(summary_row).collect()
    }

    pub(super) async fn load(
        &self,
        id: &str,
        tenant: Option<&str>,
    ) -> Result<Option<LoadedRows>, StoreError> {
        let mut tx = self.pool.begin().await?;
        let row = sqlx::query(&format!(
            "SELECT {SUMMARY_COLUMNS} FROM documents WHERE id = $1 AND ($2::text IS NULL OR tenant = $2)"
        ))
        .bind(id)
        .bind(tenant)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(summary) = row.as_ref().map(summary_row).transpose()? else {
            return Ok(None);
        };
        let rows = sqlx::query(
            "SELECT ord, body FROM document_blocks WHERE document_id = $1 ORDER BY ord",
        )
        .bind(id)
        .fetch_all(&mut *tx)
        .await?;
        tx.commit().await?;
        let blocks = rows
            .iter()
            .map(|r| Ok((r.try_get("ord")?, r.try_get("body")?)))
            .collect::<Result<_, StoreError>>()?;
        Ok(Some((summary, blocks)))
    }

    pub(super) async fn version(&self, id: &str) -> Result<Option<u64>, StoreError> {
        let v: Option<i64> = sqlx::query_scalar("SELECT version FROM documents WHERE id = $1")
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
        let mut tx = self.pool.begin().await?;
        for w in writes {
            let s = &w.summary;
            let query = match w.expected_version {
                None => format!(
                    "INSERT INTO documents ({SUMMARY_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
                     ON CONFLICT (id) DO NOTHING"
                ),
                Some(_) => "UPDATE documents SET title = $3, version = $4, archived = $5, metadata = $6,
                              stats = $7, updated_at = $10, updated_by = $11
                            WHERE id = $1 AND tenant = $2 AND created_at = $8 AND created_by = $9 AND version = $12"
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
                sqlx::query("DELETE FROM document_blocks WHERE document_id = $1")
                    .bind(&s.id)
                    .execute(&mut *tx)
                    .await?;
            }
            for block_id in &w.removed {
                sqlx::query("DELETE FROM document_blocks WHERE document_id = $1 AND block_id = $2")
                    .bind(&s.id)
                    .bind(block_id)
                    .execute(&mut *tx)
                    .await?;
            }
            for b in &w.upserts {
                sqlx::query(
                    "INSERT INTO document_blocks (document_id, block_id, ord, body, plain) VALUES ($1, $2, $3, $4, $5)
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
        // Wakes `?min_version=` waiters in query-api processes (delivered at commit):
        // one notification per document, "<version>:<id>".
        for w in writes {
            sqlx::query("SELECT pg_notify('folio_views', $1)")
                .bind(format!("{}:{}", w.summary.version, w.summary.id))
                .execute(&mut *tx)
                .await?;
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
              WHERE d.tenant = $1 AND d.archived = false AND b.plain ILIKE $2 ESCAPE '\\'
                AND ($3::text IS NULL OR b.document_id < $3 OR (b.document_id = $3 AND b.ord > $4))
              ORDER BY b.document_id DESC, b.ord LIMIT $5",
        )
        .bind(tenant)
        .bind(pattern)
        .bind(after.map(|(id, _)| id))
        .bind(after.map_or(0.0, |(_, ord)| ord))
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(BlockHit {
                    document_id: r.try_get("document_id")?,
                    block_id: r.try_get("block_id")?,
                    ord: r.try_get("ord")?,
                    text: r.try_get("plain")?,
                })
            })
            .collect()
    }

    pub(super) async fn blob_version(&self, id: &str) -> Result<Option<u64>, StoreError> {
        let v: Option<i64> =
            sqlx::query_scalar("SELECT version FROM docx_blobs WHERE document_id = $1")
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
        sqlx::query(
            "INSERT INTO docx_blobs (document_id, tenant, version, size) VALUES ($1, $2, $3, $4)
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
