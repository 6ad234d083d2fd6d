//! Read models in PostgreSQL.

use sqlx::PgPool;

use super::{BlockHit, DocumentWrite, SUMMARY_COLUMNS, SummaryRow};
use crate::rows;
use crate::store::StoreError;

/// Block rows as columns (for `UNNEST`).
#[derive(Default)]
struct BlockColumns {
    document_ids: Vec<String>,
    block_ids: Vec<String>,
    ords: Vec<f64>,
    bodies: Vec<String>,
    plains: Vec<String>,
    blames: Vec<String>,
}

/// The PostgreSQL backend of [`super::Views`].
#[derive(Debug, Clone)]
pub struct PgViews {
    pub(super) pool: PgPool,
}

impl PgViews {
    pub(super) fn new(pool: PgPool) -> Self {
        Self { pool }
    }

    /// Writes a batch in a fixed number of statements, whatever its size: each kind of row
    /// goes in one statement over arrays (`UNNEST`).
    pub(super) async fn write(&self, writes: &[DocumentWrite]) -> Result<(), StoreError> {
        let (new, updated): (Vec<&DocumentWrite>, Vec<&DocumentWrite>) =
            writes.iter().partition(|w| w.expected_version.is_none());
        let mut tx = self.pool.begin().await?;
        if !new.is_empty() {
            let column = |f: fn(&SummaryRow) -> &String| -> Vec<String> {
                new.iter().map(|w| f(&w.summary).clone()).collect()
            };
            let done = sqlx::query(&format!(
                "INSERT INTO documents ({SUMMARY_COLUMNS}, review)
                 SELECT * FROM UNNEST($1::text[], $2::text[], $3::text[], $4::bigint[], $5::bool[],
                                      $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[],
                                      $12::text[])
                 ON CONFLICT (id) DO NOTHING"
            ))
            .bind(column(|s| &s.id))
            .bind(column(|s| &s.tenant))
            .bind(column(|s| &s.title))
            .bind(new.iter().map(|w| w.summary.version as i64).collect::<Vec<_>>())
            .bind(new.iter().map(|w| w.summary.archived).collect::<Vec<_>>())
            .bind(new.iter().map(|w| w.metadata.clone()).collect::<Vec<_>>())
            .bind(new.iter().map(|w| w.stats.clone()).collect::<Vec<_>>())
            .bind(column(|s| &s.created_at))
            .bind(column(|s| &s.created_by))
            .bind(column(|s| &s.updated_at))
            .bind(column(|s| &s.updated_by))
            .bind(new.iter().map(|w| w.review.clone()).collect::<Vec<_>>())
            .execute(&mut *tx)
            .await?;
            if done.rows_affected() != new.len() as u64 {
                return Err(StoreError::Conflict);
            }
        }
        if !updated.is_empty() {
            let column = |f: fn(&SummaryRow) -> &String| -> Vec<String> {
                updated.iter().map(|w| f(&w.summary).clone()).collect()
            };
            let done = sqlx::query(
                "UPDATE documents d SET title = n.title, version = n.version, archived = n.archived,
                        metadata = n.metadata, stats = n.stats, updated_at = n.updated_at,
                        updated_by = n.updated_by, review = n.review
                   FROM UNNEST($1::text[], $2::text[], $3::bigint[], $4::bool[], $5::text[], $6::text[],
                               $7::text[], $8::text[], $9::bigint[], $10::text[])
                        AS n(id, title, version, archived, metadata, stats, updated_at, updated_by, expected, review)
                  WHERE d.id = n.id AND d.version = n.expected",
            )
            .bind(column(|s| &s.id))
            .bind(column(|s| &s.title))
            .bind(updated.iter().map(|w| w.summary.version as i64).collect::<Vec<_>>())
            .bind(updated.iter().map(|w| w.summary.archived).collect::<Vec<_>>())
            .bind(updated.iter().map(|w| w.metadata.clone()).collect::<Vec<_>>())
            .bind(updated.iter().map(|w| w.stats.clone()).collect::<Vec<_>>())
            .bind(column(|s| &s.updated_at))
            .bind(column(|s| &s.updated_by))
            .bind(
                updated
                    .iter()
                    .map(|w| w.expected_version.unwrap_or_default() as i64)
                    .collect::<Vec<_>>(),
            )
            .bind(updated.iter().map(|w| w.review.clone()).collect::<Vec<_>>())
            .execute(&mut *tx)
            .await?;
            if done.rows_affected() != updated.len() as u64 {
                return Err(StoreError::Conflict);
            }
        }
        let cleared: Vec<String> = writes
            .iter()
            .filter(|w| w.delete_all)
            .map(|w| w.summary.id.clone())
            .collect();
        if !cleared.is_empty() {
            sqlx::query("DELETE FROM document_blocks WHERE document_id = ANY($1)")
                .bind(&cleared)
                .execute(&mut *tx)
                .await?;
        }
        let (mut removed_documents, mut removed_blocks) = (Vec::new(), Vec::new());
        for w in writes {
            for block in &w.removed {
                removed_documents.push(w.summary.id.clone());
                removed_blocks.push(block.clone());
            }
        }
        if !removed_blocks.is_empty() {
            sqlx::query(
                "DELETE FROM document_blocks b USING UNNEST($1::text[], $2::text[]) AS r(document_id, block_id)
                  WHERE b.document_id = r.document_id AND b.block_id = r.block_id",
            )
            .bind(&removed_documents)
            .bind(&removed_blocks)
            .execute(&mut *tx)
            .await?;
        }
        let mut rows = BlockColumns::default();
        for w in writes {
            for b in &w.upserts {
                rows.document_ids.push(w.summary.id.clone());
                rows.block_ids.push(b.block_id.clone());
                rows.ords.push(b.ord);
                rows.bodies.push(b.body.clone());
                rows.plains.push(b.plain.clone());
                rows.blames.push(b.blame.clone());
            }
        }
        if !rows.block_ids.is_empty() {
            sqlx::query(
                "INSERT INTO document_blocks (document_id, block_id, ord, body, plain, blame)
                 SELECT * FROM UNNEST($1::text[], $2::text[], $3::float8[], $4::text[], $5::text[], $6::text[])
                 ON CONFLICT (document_id, block_id) DO UPDATE SET ord = excluded.ord, body = excluded.body,
                   plain = excluded.plain, blame = excluded.blame",
            )
            .bind(&rows.document_ids)
            .bind(&rows.block_ids)
            .bind(&rows.ords)
            .bind(&rows.bodies)
            .bind(&rows.plains)
            .bind(&rows.blames)
            .execute(&mut *tx)
            .await?;
        }
        // Wakes `?min_version=` waiters in query-api processes (delivered at commit): one
        // notification per document, "<version>:<id>".
        let payloads: Vec<String> = writes
            .iter()
            .map(|w| format!("{}:{}", w.summary.version, w.summary.id))
            .collect();
        sqlx::query("SELECT pg_notify('folio_views', p) FROM UNNEST($1::text[]) AS p")
            .bind(&payloads)
            .execute(&mut *tx)
            .await?;
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
        rows.iter().map(rows::block_hit).collect()
    }
}
