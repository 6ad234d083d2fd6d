//! Documents as they are: the list, a summary, the blocks, one block, the text, the outline.

use super::*;

/// List parameters.
#[derive(Debug, Clone, Default, Deserialize, IntoParams, ToSchema)]
pub struct ListParams {
    /// Only documents whose title contains this text (case-insensitive for ASCII).
    #[schema(max_length = 200)]
    pub q: Option<String>,
    /// Page size, 1-200 (default 20).
    #[param(minimum = 1, maximum = 200)]
    #[schema(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

impl Reads {
    /// The tenant's documents, newest first.
    ///
    /// # Errors
    /// A bad `limit`; a storage failure.
    pub async fn list(
        &self,
        principal: &Principal,
        params: &ListParams,
    ) -> Result<Page<DocumentSummary>, ApiError> {
        let limit = page_limit(params.limit, 20)?;
        let rows = self
            .views
            .list(
                principal.tenant.as_str(),
                params.q.as_deref().filter(|q| !q.is_empty()),
                fetch_size(limit),
                params.cursor.as_deref(),
            )
            .await
            .map_err(store_error)?;
        Ok(paginate(rows, limit, |r| r.id.clone(), summary_dto))
    }

    /// A document's summary.
    ///
    /// # Errors
    /// Not found (document or version), not ready, a failed projection.
    pub async fn summary(
        &self,
        principal: &Principal,
        id: &str,
        at: ReadAt,
    ) -> Result<DocumentSummary, ApiError> {
        // The latest summary is one row: no need to load the blocks.
        let summary = if at.version.is_none() {
            self.latest_summary(principal, id, at).await?
        } else {
            self.resolve(principal, id, at).await?.summary
        };
        Ok(summary_dto(summary))
    }

    /// A document's blocks.
    ///
    /// # Errors
    /// As [`Reads::summary`].
    pub async fn content(
        &self,
        principal: &Principal,
        id: &str,
        at: ReadAt,
    ) -> Result<ContentResponse, ApiError> {
        let resolved = self.resolve(principal, id, at).await?;
        Ok(ContentResponse {
            version: resolved.version(),
            blocks: resolved
                .document
                .blocks
                .iter()
                .map(BlockView::from)
                .collect(),
        })
    }

    /// One block.
    ///
    /// # Errors
    /// As [`Reads::summary`], and not found for an unknown block.
    pub async fn block(
        &self,
        principal: &Principal,
        id: &str,
        block_id: &str,
        at: ReadAt,
    ) -> Result<BlockResponse, ApiError> {
        let resolved = self.resolve(principal, id, at).await?;
        let block: &Block = resolved
            .document
            .block(&BlockId::new(block_id.to_string()))
            .ok_or_else(|| ApiError::NotFound {
                code: Code::BlockNotFound,
                detail: format!("no block with id {block_id}"),
            })?;
        Ok(BlockResponse {
            version: resolved.version(),
            block: BlockView::from(block),
        })
    }

    /// The document as plain text.
    ///
    /// # Errors
    /// As [`Reads::summary`].
    pub async fn text(
        &self,
        principal: &Principal,
        id: &str,
        at: ReadAt,
    ) -> Result<TextResponse, ApiError> {
        let resolved = self.resolve(principal, id, at).await?;
        Ok(TextResponse {
            version: resolved.version(),
            text: export(&resolved.document, ExportFormat::Text),
        })
    }

    /// The headings.
    ///
    /// # Errors
    /// As [`Reads::summary`].
    pub async fn outline(
        &self,
        principal: &Principal,
        id: &str,
        at: ReadAt,
    ) -> Result<OutlineResponse, ApiError> {
        let resolved = self.resolve(principal, id, at).await?;
        let items = resolved
            .document
            .blocks
            .iter()
            .filter_map(|b| match b {
                Block::Heading(h) => Some(OutlineItem {
                    block_id: h.id.to_string(),
                    level: h.level,
                    text: b.text(),
                }),
                _ => None,
            })
            .collect();
        Ok(OutlineResponse {
            version: resolved.version(),
            items,
        })
    }

    /// The style sheet.
    ///
    /// # Errors
    /// As [`Reads::summary`].
    pub async fn styles(
        &self,
        principal: &Principal,
        id: &str,
        at: ReadAt,
    ) -> Result<StylesResponse, ApiError> {
        let resolved = self.resolve(principal, id, at).await?;
        let styles = &resolved.document.styles;
        let is_builtin = |id: &str| domain::BUILTIN_STYLES.iter().any(|(b, ..)| *b == id);
        let builtin = domain::BUILTIN_STYLES
            .iter()
            .map(|(style_id, name, kind, applicable)| StyleInfo {
                style_id: (*style_id).to_string(),
                name: (*name).to_string(),
                kind: *kind,
                builtin: true,
                applicable: *applicable,
                // What the document changed of Word's definition, if anything.
                definition: styles.iter().find(|s| s.style_id == *style_id).cloned(),
            });
        let own = styles
            .iter()
            .filter(|s| !is_builtin(&s.style_id))
            .map(|s| StyleInfo {
                style_id: s.style_id.clone(),
                name: s.name.clone(),
                kind: s.kind,
                builtin: false,
                applicable: true,
                definition: Some(s.clone()),
            });
        Ok(StylesResponse {
            version: resolved.version(),
            styles: builtin.chain(own).collect(),
        })
    }

    /// The sections: page setup, headers and footers.
    ///
    /// # Errors
    /// As [`Reads::summary`].
    pub async fn sections(
        &self,
        principal: &Principal,
        id: &str,
        at: ReadAt,
    ) -> Result<SectionsResponse, ApiError> {
        let resolved = self.resolve(principal, id, at).await?;
        let document = &resolved.document;
        // Section k starts after the kth section break (section 0 at the start); its blocks
        // run to the next break (the break itself is the first block of its section).
        let mut starts = vec![(0, None, &document.section.page)];
        for (i, block) in document.blocks.iter().enumerate() {
            if let domain::Block::SectionBreak(b) = block {
                starts.push((i, Some(b.id.to_string()), &b.page));
            }
        }
        let ends: Vec<usize> = starts
            .iter()
            .skip(1)
            .map(|(i, ..)| *i)
            .chain(std::iter::once(document.blocks.len()))
            .collect();
        // What each section shows, and which headers and footers it sets itself.
        let shown = document.shown_margins();
        let mut own = vec![Vec::new(); shown.len()];
        for (section, _, within, _) in document.margin_runs() {
            own[section].extend(within.margin_part());
        }
        let sections = starts
            .iter()
            .zip(ends)
            .zip(shown.into_iter().zip(own))
            .enumerate()
            .map(
                |(index, (((first, break_id, page), end), ((header, footer), own)))| SectionInfo {
                    index,
                    first_block_index: *first,
                    blocks: end - first,
                    break_block_id: break_id.clone(),
                    page: page.resolved(),
                    header,
                    footer,
                    own,
                },
            )
            .collect();
        Ok(SectionsResponse {
            version: resolved.version(),
            sections,
        })
    }
}

fn summary_dto(s: SummaryRow) -> DocumentSummary {
    DocumentSummary {
        id: s.id,
        title: s.title,
        version: s.version,
        metadata: s.metadata,
        stats: s.stats,
        created_at: s.created_at,
        updated_at: s.updated_at,
        created_by: s.created_by,
        archived: s.archived,
        labels: s.labels,
    }
}
