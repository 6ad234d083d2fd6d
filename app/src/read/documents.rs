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

/// The smallest and largest `budget` a paged read takes, in tokens.
pub const MIN_BUDGET: u32 = 100;
/// See [`MIN_BUDGET`].
pub const MAX_BUDGET: u32 = 1_000_000;

/// What `GET …/content` reads: a version (or the latest, after `min_version`), all of it
/// or a page within a `budget`, from a `cursor`.
#[derive(Debug, Clone, Default, Deserialize, IntoParams, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContentParams {
    /// Read this version: its number or its label.
    pub version: Option<VersionRef>,
    /// Wait for this version first.
    #[schema(minimum = 1)]
    pub min_version: Option<u64>,
    /// A page of at most about this many tokens (the JSON's characters / 4; at least one
    /// block), with `next_cursor` to continue; without it, every block.
    #[param(minimum = 100, maximum = 1000000)]
    #[schema(minimum = 100, maximum = 1000000)]
    pub budget: Option<u32>,
    /// `next_cursor` of the previous page (it carries the version read).
    #[param(pattern = "^c1\\.[0-9]{1,18}\\.[0-9]{1,18}\\.[0-9a-f]{16}$")]
    #[schema(pattern = "^c1\\.[0-9]{1,18}\\.[0-9]{1,18}\\.[0-9a-f]{16}$")]
    pub cursor: Option<String>,
}

/// A paged read's cursor: `c1.<version>.<index>.<check>`, the check a hash of the
/// document, version and index, so a cursor of another document or one tampered with is
/// refused.
struct Cursor;

impl Cursor {
    fn check(document_id: &str, version: u64, index: usize) -> String {
        use sha2::Digest as _;
        let digest = sha2::Sha256::digest(format!("folio-page:{document_id}:{version}:{index}"));
        digest[..8].iter().map(|b| format!("{b:02x}")).collect()
    }

    fn write(document_id: &str, version: u64, index: usize) -> String {
        format!(
            "c1.{version}.{index}.{}",
            Self::check(document_id, version, index)
        )
    }

    /// The version and block index a cursor names, if it is this document's.
    fn read(cursor: &str, document_id: &str) -> Result<(u64, usize), ApiError> {
        let mut parts = cursor.split('.');
        let (Some("c1"), Some(version), Some(index), Some(check), None) = (
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
        ) else {
            return Err(bad_page_cursor());
        };
        let (Ok(version), Ok(index)) = (version.parse::<u64>(), index.parse::<usize>()) else {
            return Err(bad_page_cursor());
        };
        if version == 0 || Self::check(document_id, version, index) != check {
            return Err(bad_page_cursor());
        }
        Ok((version, index))
    }
}

/// The items from position `start` that fit within `budget` tokens (each costing its
/// `chars` / 4, at least one item a page), and the position after them.
fn take_within<T>(
    items: impl Iterator<Item = T>,
    start: usize,
    mut budget: PageBudget,
    chars: impl Fn(&T) -> usize,
) -> (Vec<T>, usize) {
    let page: Vec<T> = items.take_while(|item| budget.take(chars(item))).collect();
    let next = start + page.len();
    (page, next)
}

/// A block id the document does not have, named by `field`.
fn no_block(field: &str, id: &str) -> ApiError {
    ApiError::invalid(field, format!("the document has no block {id:?}"))
}

fn bad_page_cursor() -> ApiError {
    ApiError::invalid(
        "cursor",
        "not a cursor of this document's pages (pass next_cursor as it was given)",
    )
}

/// Most block ids one `get_blocks` names (they travel in the URL).
pub const MAX_BLOCK_IDS: usize = 500;

/// Which blocks `GET …/blocks` answers with (one of the three forms), at which version.
#[derive(Debug, Clone, Default, Deserialize, IntoParams, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BlocksParams {
    /// Block ids, separated by commas (at most 500, 4,096 characters): those blocks, in
    /// document order.
    #[param(max_length = 4096)]
    #[schema(max_length = 4096)]
    pub block_ids: Option<String>,
    /// The first block of a range (inclusive); alone, the range runs to the end.
    pub from_block: Option<String>,
    /// The last block of a range (inclusive); alone, the range runs from the start.
    pub to_block: Option<String>,
    /// The position of the first block (0-based, inclusive).
    pub from_index: Option<usize>,
    /// The position of the last block (0-based, inclusive).
    pub to_index: Option<usize>,
    /// Read this version: its number or its label.
    pub version: Option<VersionRef>,
    /// Wait for this version first.
    #[schema(minimum = 1)]
    pub min_version: Option<u64>,
}

/// Where the section a heading of `level` at `index` opens ends: the position of the
/// next heading of the same or a higher level, or the end.
fn section_end(blocks: &[Block], index: usize, level: u8) -> usize {
    blocks
        .iter()
        .enumerate()
        .skip(index + 1)
        .find(|(_, b)| matches!(b, Block::Heading(h) if h.level <= level))
        .map_or(blocks.len(), |(i, _)| i)
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

    /// A document's blocks: all of them, or with a `budget` a page of them within about
    /// that many tokens (its JSON's characters / 4) and the cursor of the next page,
    /// which carries the version, so every page of one chain is of the same version
    /// however the document changes meanwhile.
    ///
    /// # Errors
    /// A cursor of another document, tampered with, or of a version the document does not
    /// have (422 naming `cursor`); a budget out of range; as [`Reads::summary`].
    pub async fn content(
        &self,
        principal: &Principal,
        id: &str,
        params: ContentParams,
    ) -> Result<ContentResponse, ApiError> {
        let (document_id, resolved, start) = self.page_of(principal, id, &params).await?;
        let version = resolved.version();
        let blocks = &resolved.document.blocks;
        let views = blocks[start..].iter().map(BlockView::from);
        let Some(budget) = params.budget else {
            return Ok(ContentResponse {
                version,
                blocks: views.collect(),
                next_cursor: None,
            });
        };
        let (page, next) = take_within(views, start, PageBudget::new(Some(budget))?, |view| {
            serde_json::to_string(view).map_or(0, |j| j.chars().count())
        });
        Ok(ContentResponse {
            version,
            blocks: page,
            next_cursor: (next < blocks.len())
                .then(|| Cursor::write(document_id.as_str(), version, next)),
        })
    }

    /// The version a paged read is of and the block it starts at: the cursor's (the read
    /// model while it is still at that version, else rebuilt as any time travel is), or
    /// the one `version`/`min_version` asks for, from the start.
    async fn page_of(
        &self,
        principal: &Principal,
        id: &str,
        params: &ContentParams,
    ) -> Result<(DocumentId, Resolved, usize), ApiError> {
        let document_id = api_types::parse_document_id(id)?;
        PageBudget::new(params.budget)?;
        let Some(cursor) = &params.cursor else {
            let at = ReadAt {
                version: params.version.clone(),
                min_version: params.min_version,
            };
            let resolved = self.resolve(principal, id, at).await?;
            return Ok((document_id, resolved, 0));
        };
        if params.version.is_some() {
            return Err(ApiError::invalid(
                "version",
                "a cursor carries its version: give one or the other",
            ));
        }
        let (version, start) = Cursor::read(cursor, document_id.as_str())?;
        let head = self.head(principal, &document_id).await?;
        if version > head {
            return Err(bad_page_cursor());
        }
        let projected = self
            .views
            .summary(principal.tenant.as_str(), document_id.as_str())
            .await
            .map_err(store_error)?
            .is_some_and(|s| s.version == version);
        let mut resolved = if projected {
            let at = ReadAt {
                version: None,
                min_version: Some(version),
            };
            self.resolve(principal, id, at).await?
        } else {
            self.past_version(principal, id, version).await?
        };
        // The read model moved on meanwhile: rebuild the cursor's version.
        if resolved.version() != version {
            resolved = self.past_version(principal, id, version).await?;
        }
        if start > resolved.document.blocks.len() {
            return Err(bad_page_cursor());
        }
        Ok((document_id, resolved, start))
    }

    async fn past_version(
        &self,
        principal: &Principal,
        id: &str,
        version: u64,
    ) -> Result<Resolved, ApiError> {
        let at = ReadAt {
            version: Some(VersionRef::Number(version)),
            min_version: None,
        };
        self.resolve(principal, id, at).await
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

    /// The document as plain text: all of it, or with a `budget` the text of a page of
    /// blocks within about that many tokens (characters / 4) and the cursor of the next
    /// page, as [`Reads::content`] pages.
    ///
    /// # Errors
    /// As [`Reads::content`].
    pub async fn text(
        &self,
        principal: &Principal,
        id: &str,
        params: ContentParams,
    ) -> Result<TextResponse, ApiError> {
        let (document_id, resolved, start) = self.page_of(principal, id, &params).await?;
        let version = resolved.version();
        let Some(budget) = params.budget else {
            let mut document = resolved.document;
            if start > 0 {
                document.blocks.drain(..start);
            }
            return Ok(TextResponse {
                version,
                text: blocking(move || export(&document, ExportFormat::Text)).await?,
                next_cursor: None,
            });
        };
        let total = resolved.document.blocks.len();
        let (_, next) = take_within(
            resolved.document.blocks[start..].iter(),
            start,
            PageBudget::new(Some(budget))?,
            |block| block.text().chars().count(),
        );
        let mut document = resolved.document;
        let all = std::mem::take(&mut document.blocks);
        document.blocks = all.into_iter().skip(start).take(next - start).collect();
        let text = blocking(move || export(&document, ExportFormat::Text)).await?;
        Ok(TextResponse {
            version,
            text,
            next_cursor: (next < total).then(|| Cursor::write(document_id.as_str(), version, next)),
        })
    }

    /// The headings: all of them, or with a `budget` a page of them within about that
    /// many tokens (their JSON's characters / 4) and the cursor of the next page, pinned to
    /// one version as [`Reads::content`] pages are.
    ///
    /// # Errors
    /// As [`Reads::content`].
    pub async fn outline(
        &self,
        principal: &Principal,
        id: &str,
        params: ContentParams,
    ) -> Result<OutlineResponse, ApiError> {
        let (document_id, resolved, start) = self.page_of(principal, id, &params).await?;
        let version = resolved.version();
        let blocks = &resolved.document.blocks;
        let words: Vec<usize> = blocks
            .iter()
            .map(|b| b.text().split_whitespace().count())
            .collect();
        let item = |i: usize, b: &Block| match b {
            Block::Heading(h) => {
                let under = section_end(blocks, i, h.level) - i - 1;
                Some(OutlineItem {
                    block_id: h.id.to_string(),
                    level: h.level,
                    text: b.text(),
                    blocks: under,
                    words: words[i + 1..i + 1 + under].iter().sum(),
                })
            }
            _ => None,
        };
        let mut items = Vec::new();
        let mut budget = PageBudget::new(params.budget)?;
        let mut next = None;
        for (i, b) in blocks.iter().enumerate().skip(start) {
            let Some(heading) = item(i, b) else { continue };
            if !budget.take_json(&heading) {
                next = Some(i);
                break;
            }
            items.push(heading);
        }
        Ok(OutlineResponse {
            version,
            items,
            next_cursor: next.map(|i| Cursor::write(document_id.as_str(), version, i)),
        })
    }

    /// Some of a document's blocks: by id (`block_ids`), from one block to another
    /// (`from_block`, `to_block`, inclusive; either alone runs to the end or from the
    /// start), or by position (`from_index`, `to_index`, inclusive, 0-based).
    ///
    /// # Errors
    /// 422 naming the field for a mix of forms, an unknown block, a range backwards or
    /// past the end; as [`Reads::summary`].
    pub async fn blocks(
        &self,
        principal: &Principal,
        id: &str,
        params: BlocksParams,
    ) -> Result<BlocksResponse, ApiError> {
        let at = ReadAt {
            version: params.version.clone(),
            min_version: params.min_version,
        };
        let resolved = self.resolve(principal, id, at).await?;
        let blocks = &resolved.document.blocks;
        let position = |field: &str, id: &str| {
            blocks
                .iter()
                .position(|b| b.id().as_str() == id)
                .ok_or_else(|| no_block(field, id))
        };
        let by_ids = params.block_ids.is_some();
        let by_blocks = params.from_block.is_some() || params.to_block.is_some();
        let by_index = params.from_index.is_some() || params.to_index.is_some();
        if usize::from(by_ids) + usize::from(by_blocks) + usize::from(by_index) != 1 {
            return Err(ApiError::invalid(
                "block_ids",
                "give block_ids, or from_block/to_block, or from_index/to_index (one of them)",
            ));
        }
        let selected: Vec<&Block> = if let Some(ids) = &params.block_ids {
            let ids: Vec<&str> = ids
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .collect();
            if ids.is_empty()
                || ids.len() > MAX_BLOCK_IDS
                || params.block_ids.as_ref().is_some_and(|s| s.len() > 4096)
            {
                return Err(ApiError::invalid(
                    "block_ids",
                    format!("1 to {MAX_BLOCK_IDS} block ids, separated by commas"),
                ));
            }
            // Up to 500 ids: one index of the document rather than a scan per id.
            let index: std::collections::HashMap<&str, usize> = blocks
                .iter()
                .enumerate()
                .map(|(i, b)| (b.id().as_str(), i))
                .collect();
            let mut at: Vec<usize> = ids
                .iter()
                .map(|id| {
                    index
                        .get(id)
                        .copied()
                        .ok_or_else(|| no_block("block_ids", id))
                })
                .collect::<Result<_, _>>()?;
            at.sort_unstable();
            at.dedup();
            at.into_iter().map(|i| &blocks[i]).collect()
        } else {
            let last = blocks
                .len()
                .checked_sub(1)
                .ok_or_else(|| ApiError::invalid("from_index", "the document has no blocks"))?;
            let (from, to) = if by_blocks {
                (
                    params
                        .from_block
                        .as_deref()
                        .map_or(Ok(0), |b| position("from_block", b))?,
                    params
                        .to_block
                        .as_deref()
                        .map_or(Ok(last), |b| position("to_block", b))?,
                )
            } else {
                let from = params.from_index.unwrap_or(0);
                let to = params.to_index.unwrap_or(last);
                if to > last {
                    return Err(ApiError::invalid(
                        "to_index",
                        format!("the document has blocks 0 to {last}"),
                    ));
                }
                (from, to)
            };
            if from > to {
                return Err(ApiError::invalid(
                    if by_blocks {
                        "from_block"
                    } else {
                        "from_index"
                    },
                    "the range starts after it ends",
                ));
            }
            blocks[from..=to].iter().collect()
        };
        Ok(BlocksResponse {
            version: resolved.version(),
            blocks: selected.into_iter().map(BlockView::from).collect(),
        })
    }

    /// A heading and everything under it (to the next heading of the same or a higher
    /// level), as plain text.
    ///
    /// # Errors
    /// 404 for an unknown block, 422 for a block that is not a heading; as
    /// [`Reads::summary`].
    pub async fn section_text(
        &self,
        principal: &Principal,
        id: &str,
        heading_block_id: &str,
        at: ReadAt,
    ) -> Result<SectionTextResponse, ApiError> {
        let resolved = self.resolve(principal, id, at).await?;
        let version = resolved.version();
        let mut document = resolved.document;
        let Some(at) = document
            .blocks
            .iter()
            .position(|b| b.id().as_str() == heading_block_id)
        else {
            return Err(ApiError::NotFound {
                code: Code::BlockNotFound,
                detail: format!("no block with id {heading_block_id}"),
            });
        };
        let Block::Heading(heading) = &document.blocks[at] else {
            return Err(ApiError::invalid(
                "heading_block_id",
                format!("block {heading_block_id} is not a heading"),
            ));
        };
        let level = heading.level;
        let end = section_end(&document.blocks, at, level);
        let all = std::mem::take(&mut document.blocks);
        document.blocks = all.into_iter().skip(at).take(end - at).collect();
        let block_ids = document.blocks.iter().map(|b| b.id().to_string()).collect();
        let text = blocking(move || export(&document, ExportFormat::Text)).await?;
        Ok(SectionTextResponse {
            version,
            heading_block_id: heading_block_id.to_string(),
            level,
            block_ids,
            text,
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
