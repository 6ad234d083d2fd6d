//! Finding text: in one document (every match, paged) and across the tenant's documents.

use super::*;

/// Longest search text, in characters.
pub const MAX_QUERY_CHARS: usize = 200;

/// Characters of context on each side of a match in a snippet.
const SNIPPET_CONTEXT: usize = 30;

/// Most matches reported per block by the cross-document search (the document search
/// pages through all of them).
pub const MAX_MATCHES_PER_BLOCK: usize = 100;

/// Search parameters inside one document.
#[derive(Debug, Clone, Default, Deserialize, IntoParams, ToSchema)]
pub struct DocumentSearchParams {
    /// The text to find.
    #[param(required = true, min_length = 1, max_length = 200, pattern = "\\S")]
    #[schema(required = true, min_length = 1, max_length = 200, pattern = "\\S")]
    pub q: Option<String>,
    /// Case-sensitive (default false).
    #[serde(default)]
    pub match_case: bool,
    /// Whole words only (default false).
    #[serde(default)]
    pub whole_word: bool,
    /// Most matches per page, 1-200 (default 100).
    #[param(minimum = 1, maximum = 200)]
    #[schema(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    /// `next_cursor` of the previous page (it carries the version searched, so every page
    /// of a chain is of one version).
    #[param(pattern = "^[0-9]{1,18}:[0-9]{1,18}(\\.[0-9]{1,18})?$")]
    #[schema(pattern = "^[0-9]{1,18}:[0-9]{1,18}(\\.[0-9]{1,18})?$")]
    pub cursor: Option<String>,
    /// A page of at most about this many tokens (each match's JSON characters / 4; at
    /// least one match); the page also ends at `limit`.
    #[param(minimum = 100, maximum = 1000000)]
    #[schema(minimum = 100, maximum = 1000000)]
    pub budget: Option<u32>,
    /// Search this version: its number or its label.
    pub version: Option<domain::VersionRef>,
    /// Wait for this version first.
    #[schema(minimum = 1)]
    pub min_version: Option<u64>,
}

/// Search parameters across documents.
#[derive(Debug, Clone, Default, Deserialize, IntoParams, ToSchema)]
pub struct SearchParams {
    /// The text to find (case-insensitive).
    #[param(required = true, min_length = 1, max_length = 200, pattern = "\\S")]
    #[schema(required = true, min_length = 1, max_length = 200, pattern = "\\S")]
    pub q: Option<String>,
    /// Most blocks per page, 1-200 (default 50); each block gives one item per match, up
    /// to 100 per block (the document search pages through every match).
    #[param(minimum = 1, maximum = 200)]
    #[schema(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    /// `next_cursor` of the previous page.
    #[param(pattern = "^.+@-?[0-9]{1,20}(\\.[0-9]{1,20})?([eE][-+]?[0-9]{1,3})?$")]
    #[schema(pattern = "^.+@-?[0-9]{1,20}(\\.[0-9]{1,20})?([eE][-+]?[0-9]{1,3})?$")]
    pub cursor: Option<String>,
}

impl Reads {
    /// Where a text occurs in a document: block ids and offsets in the blocks' plain text.
    ///
    /// # Errors
    /// No search text, a bad cursor (422); as [`Reads::summary`].
    pub async fn search_document(
        &self,
        principal: &Principal,
        id: &str,
        params: &DocumentSearchParams,
    ) -> Result<DocumentSearchResponse, ApiError> {
        let q = search_text(params.q.as_deref())?.to_string();
        let limit = page_limit(params.limit, 100)? as usize;
        let budget = PageBudget::new(params.budget)?;
        let (cursor, pinned) = match_cursor(params.cursor.as_deref())?;
        let at = match pinned {
            // The cursor's version: every page of a chain is of one version.
            Some(version) if params.version.is_none() => ReadAt {
                version: Some(domain::VersionRef::Number(version)),
                min_version: None,
            },
            Some(_) => {
                return Err(ApiError::invalid(
                    "version",
                    "a cursor carries its version: give one or the other",
                ));
            }
            None => ReadAt {
                version: params.version.clone(),
                min_version: params.min_version,
            },
        };
        let resolved = self.resolve(principal, id, at).await?;
        let version = resolved.version();
        let (match_case, whole_word) = (params.match_case, params.whole_word);
        // Matching is linear but a document can hold millions of characters: off the async
        // workers, so one search never stalls other requests.
        let (items, next_cursor) = blocking(move || {
            document_matches(
                &resolved.document,
                &q,
                (match_case, whole_word),
                cursor,
                (limit, budget),
            )
        })
        .await?;
        Ok(DocumentSearchResponse {
            version,
            items,
            next_cursor: next_cursor.map(|c| format!("{c}.{version}")),
        })
    }

    /// Text search across the tenant's live documents.
    ///
    /// # Errors
    /// No search text, a bad cursor (422).
    pub async fn search(
        &self,
        principal: &Principal,
        params: &SearchParams,
    ) -> Result<Page<SearchHit>, ApiError> {
        let q = search_text(params.q.as_deref())?.to_string();
        let limit = page_limit(params.limit, 50)?;
        let after = match &params.cursor {
            None => None,
            Some(c) => Some(
                c.rsplit_once('@')
                    .and_then(|(id, ord)| Some((id, ord.parse::<f64>().ok()?)))
                    .ok_or_else(bad_cursor)?,
            ),
        };
        let blocks = self
            .views
            .search_blocks(principal.tenant.as_str(), &q, after, fetch_size(limit))
            .await
            .map_err(store_error)?;
        let page = paginate(
            blocks,
            limit,
            |b| format!("{}@{}", b.document_id, b.ord),
            |b| b,
        );
        let next_cursor = page.next_cursor;
        let blocks = page.items;
        let items = blocking(move || {
            blocks
                .iter()
                .flat_map(|b| {
                    // LIKE matched case-insensitively for ASCII; report the same matches.
                    domain::text::find_matches_in(
                        &b.text,
                        &q,
                        false,
                        false,
                        0,
                        MAX_MATCHES_PER_BLOCK,
                    )
                    .into_iter()
                    .map(|m| SearchHit {
                        document_id: b.document_id.clone(),
                        block_id: b.block_id.clone(),
                        offset: m.offset,
                        snippet: snippet(&b.text, &m),
                    })
                })
                .collect::<Vec<_>>()
        })
        .await?;
        Ok(Page { items, next_cursor })
    }
}

fn search_text(q: Option<&str>) -> Result<&str, ApiError> {
    match q {
        Some(q) if !q.trim().is_empty() && q.chars().count() <= MAX_QUERY_CHARS => Ok(q),
        _ => Err(ApiError::invalid(
            "q",
            format!("give the text to search for, 1 to {MAX_QUERY_CHARS} characters"),
        )),
    }
}

/// A match with up to [`SNIPPET_CONTEXT`] characters around it; control characters shown
/// as spaces. Costs the snippet's length, not the text's.
fn snippet(text: &str, m: &domain::text::TextMatch) -> String {
    let (from, to) = m.bytes;
    let before: Vec<char> = text[..from]
        .chars()
        .rev()
        .take(SNIPPET_CONTEXT + 1)
        .collect();
    let after: Vec<char> = text[to..].chars().take(SNIPPET_CONTEXT + 1).collect();
    let mut out = String::new();
    if before.len() > SNIPPET_CONTEXT {
        out.push('…');
    }
    let visible = |c: char| if c.is_control() { ' ' } else { c };
    out.extend(
        before
            .iter()
            .take(SNIPPET_CONTEXT)
            .rev()
            .map(|c| visible(*c)),
    );
    out.extend(text[from..to].chars().map(visible));
    out.extend(after.iter().take(SNIPPET_CONTEXT).map(|c| visible(*c)));
    if after.len() > SNIPPET_CONTEXT {
        out.push('…');
    }
    out
}

/// Where a page of document matches starts: `<block index>:<character offset>` (every
/// such pair is a valid cursor; past the end, the page is empty). Pass `version` with it
/// to page through one version while others are written.
/// Where a page of matches starts (block, offset) and the version a chain is pinned to
/// (cursors of earlier builds carry none).
fn match_cursor(cursor: Option<&str>) -> Result<((usize, usize), Option<u64>), ApiError> {
    let Some(cursor) = cursor else {
        return Ok(((0, 0), None));
    };
    let (at, version) = match cursor.split_once('.') {
        Some((at, version)) => (
            at,
            Some(
                version
                    .parse::<u64>()
                    .ok()
                    .filter(|v| *v > 0)
                    .ok_or_else(bad_cursor)?,
            ),
        ),
        None => (cursor, None),
    };
    let at = at
        .split_once(':')
        .and_then(|(block, offset)| Some((block.parse().ok()?, offset.parse().ok()?)))
        .ok_or_else(bad_cursor)?;
    Ok((at, version))
}

/// One page of the matches of `q` in `document`, in document order, after `cursor`; and
/// the cursor of the next page. Linear in the text searched.
fn document_matches(
    document: &Document,
    q: &str,
    (match_case, whole_word): (bool, bool),
    (first, start): (usize, usize),
    (limit, mut budget): (usize, PageBudget),
) -> (Vec<DocumentMatch>, Option<String>) {
    // The blocks, then each section's own headers and footers, then the comments and
    // notes (numbered after the blocks, so a cursor names any).
    let margins = margin_texts(document);
    let total = document.blocks.len() + margins.len();
    let mut items: Vec<DocumentMatch> = Vec::new();
    let mut last_block = first;
    for i in first..total {
        let (text, block_id, part, item_id) = match document.blocks.get(i) {
            Some(block) => (block.text(), Some(block.id().to_string()), None, None),
            None => {
                let m = &margins[i - document.blocks.len()];
                (
                    m.text.clone(),
                    m.block_id.clone(),
                    Some((m.section, m.part.clone())),
                    m.id.clone(),
                )
            }
        };
        // Greedy matching resumes where the previous page's last match ended.
        let from = if i == first { start } else { 0 };
        // One more than the page needs tells whether another page follows.
        let wanted = limit + 1 - items.len();
        for m in domain::text::find_matches_in(&text, q, match_case, whole_word, from, wanted) {
            if items.len() == limit {
                let last = &items[limit - 1];
                let next = format!("{}:{}", last_block, last.offset + last.length);
                return (items, Some(next));
            }
            let item = DocumentMatch {
                block_id: block_id.clone(),
                section: part.as_ref().and_then(|(section, _)| *section),
                part: part.as_ref().map(|(_, part)| part.clone()),
                id: item_id.clone(),
                offset: m.offset,
                length: m.length,
                snippet: snippet(&text, &m),
            };
            if !budget.take_json(&item)
                && let Some(last) = items.last()
            {
                let next = format!("{}:{}", last_block, last.offset + last.length);
                return (items, Some(next));
            }
            last_block = i;
            items.push(item);
        }
    }
    (items, None)
}

/// Text outside the blocks a search reads.
struct OtherText {
    /// A header's or footer's section.
    section: Option<usize>,
    /// `header_default`…, `comment`, `footnote`, `endnote`.
    part: String,
    /// The section break holding a header or footer (none for section 0), the block a
    /// comment is anchored in or a note referenced from.
    block_id: Option<String>,
    /// A comment's or note's id.
    id: Option<String>,
    text: String,
}

/// The text of each header and footer a section sets itself, then of each comment (a
/// reply with its thread's block) and each note.
fn margin_texts(document: &Document) -> Vec<OtherText> {
    let margins = document
        .margin_runs()
        .map(|(section, block, within, runs)| OtherText {
            section: Some(section),
            part: within.margin_part().unwrap_or_default(),
            block_id: block.map(|b| b.id().to_string()),
            id: None,
            text: domain::model::runs_text(runs),
        });
    let anchors = document.comment_anchors();
    let anchor = |root: &str| anchors.get(root).map(|a| a.block.id().to_string());
    let comments = document.comments.iter().map(|c| OtherText {
        section: None,
        part: "comment".into(),
        block_id: anchor(c.parent.as_deref().unwrap_or(&c.id)),
        id: Some(c.id.clone()),
        text: domain::paragraphs_text(&c.paragraphs),
    });
    let references = document.note_references();
    let notes = document.notes.iter().map(|n| OtherText {
        section: None,
        part: n.kind.as_str().into(),
        block_id: references
            .iter()
            .find(|(id, ..)| *id == n.id)
            .map(|(_, block, _)| block.id().to_string()),
        id: Some(n.id.clone()),
        text: domain::paragraphs_text(&n.paragraphs),
    });
    margins.chain(comments).chain(notes).collect()
}
