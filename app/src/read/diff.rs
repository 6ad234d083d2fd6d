//! What changed between two versions: blocks aligned by their stable ids (added, removed,
//! moved, changed), changed text as a word-level diff (Unicode words, with a time bound),
//! tables cell by cell, title and properties; each change attributed to the last event
//! between the versions that touched its block.

use std::collections::HashMap;

use api_types::{
    BlockDiff, CellDiff, ChangeBy, DiffResponse, MetadataChange, TextSpan, ValueChange,
};
use docx_engine::{Mark, MarkKind, redline_docx, redline_html};

use super::*;

/// `GET …/diff` parameters.
#[derive(Debug, Clone, Deserialize, IntoParams, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DiffParams {
    /// The version to compare from: its number or its label.
    pub from: VersionRef,
    /// The version to compare to (either order works: a diff and its reverse are
    /// inverses): its number or its label.
    pub to: VersionRef,
    /// `json` (the default): the changes as data; `docx`: a Word file of `to` in which
    /// every change from `from` is a tracked change (accept all gives `to`, reject all
    /// gives `from`); `html`: the same with `<ins>` and `<del>`.
    #[param(pattern = "^(json|docx|html)$")]
    #[schema(pattern = "^(json|docx|html)$")]
    pub format: Option<String>,
}

/// What a diff (JSON, HTML or the Word redline) may cost.
#[derive(Debug, Clone, Copy)]
pub struct DiffLimits {
    /// Most bytes of text in the blocks that differ (their text at both versions added
    /// up): a diff past it is refused with 413 before anything is compared.
    pub max_bytes: usize,
    /// How long the word diffs of one request may take: past it, the remaining changed
    /// blocks are reported wholesale (`coarse_blocks`).
    pub budget: std::time::Duration,
}

impl DiffLimits {
    /// The defaults: 4 MiB of changed text, 2 s of word diffs.
    pub const DEFAULT: Self = Self {
        max_bytes: 4 << 20,
        budget: std::time::Duration::from_secs(2),
    };

    /// Refuses a comparison of more changed text than the limit.
    fn check(&self, from: &Document, to: &Document) -> Result<(), ApiError> {
        let changed = changed_bytes(from, to);
        if changed > self.max_bytes {
            return Err(ApiError::PayloadTooLarge {
                detail: format!(
                    "the blocks that differ between these versions hold {changed} bytes of text; a diff compares at most {} (--max-diff-bytes): compare versions closer together",
                    self.max_bytes
                ),
            });
        }
        Ok(())
    }
}

impl Default for DiffLimits {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// The bytes of text in the blocks that differ between two states: both texts of a
/// changed block, the whole text of an added or removed one (moved blocks count only when
/// they changed too).
pub fn changed_bytes(from: &Document, to: &Document) -> usize {
    let at: HashMap<&BlockId, &Block> = from.blocks.iter().map(|b| (b.id(), b)).collect();
    let mut total = 0_usize;
    let mut seen = std::collections::HashSet::new();
    for block in &to.blocks {
        match at.get(block.id()) {
            Some(old) => {
                seen.insert(block.id());
                if *old != block {
                    total = total
                        .saturating_add(old.text().len())
                        .saturating_add(block.text().len());
                }
            }
            None => total = total.saturating_add(block.text().len()),
        }
    }
    for block in &from.blocks {
        if !seen.contains(block.id()) {
            total = total.saturating_add(block.text().len());
        }
    }
    total
}

/// Two versions of a document and the events between them.
struct Between {
    from: u64,
    to: u64,
    at_from: Document,
    at_to: infrastructure::store::HistoricDocument,
    events: Vec<StoredEvent>,
}

impl Reads {
    /// Loads versions `from` and `to` (numbers or labels) and the events between them.
    async fn between(
        &self,
        principal: &Principal,
        raw_id: &str,
        params: &DiffParams,
    ) -> Result<(DocumentId, Between), ApiError> {
        let id = api_types::parse_document_id(raw_id)?;
        let head = self.head(principal, &id).await?;
        let from = self.version_number(principal, &id, &params.from).await?;
        let to = self.version_number(principal, &id, &params.to).await?;
        let at_from = self.past(principal, &id, from, head).await?.document;
        let at_to = self.past(principal, &id, to, head).await?;
        let (lo, hi) = (from.min(to), from.max(to));
        let events = self
            .log
            .events(&id, lo, Some(hi), None)
            .await
            .map_err(store_error)?;
        Ok((
            id,
            Between {
                from,
                to,
                at_from,
                at_to,
                events,
            },
        ))
    }

    /// What changed from version `from` to version `to` of a document.
    ///
    /// # Errors
    /// Not found (document, either version or label); a storage failure.
    pub async fn diff(
        &self,
        principal: &Principal,
        raw_id: &str,
        params: DiffParams,
    ) -> Result<DiffResponse, ApiError> {
        let _permit = self.heavy().await?;
        let (_, between) = self.between(principal, raw_id, &params).await?;
        let limits = self.diff_limits;
        blocking(move || {
            limits.check(&between.at_from, &between.at_to.document)?;
            let deadline = std::time::Instant::now() + limits.budget;
            let mut diff =
                diff_documents_within(&between.at_from, &between.at_to.document, deadline);
            diff.from = between.from;
            diff.to = between.to;
            attribute(&mut diff, &between.events);
            Ok(diff)
        })
        .await?
    }

    /// The redline from version `from` to version `to`: a .docx of `to` in which every
    /// change is a tracked change (`format=docx`), or the same as HTML (`format=html`);
    /// each change attributed to the actor and time of the last event that touched its
    /// block.
    ///
    /// # Errors
    /// An unknown format (422); as [`Reads::diff`].
    pub async fn redline(
        &self,
        principal: &Principal,
        raw_id: &str,
        params: DiffParams,
    ) -> Result<DocxFile, ApiError> {
        let format = params.format.clone().unwrap_or_default();
        if !matches!(format.as_str(), "docx" | "html") {
            return Err(ApiError::invalid(
                "format",
                format!("unknown format {format:?}; use json, docx or html"),
            ));
        }
        let _permit = self.heavy().await?;
        let (_, between) = self.between(principal, raw_id, &params).await?;
        self.diff_limits
            .check(&between.at_from, &between.at_to.document)?;
        let marks = marks(&between.events);
        let fallback = Mark {
            author: between.at_to.updated_by.clone(),
            date: between.at_to.updated_at.clone(),
        };
        let (from, to) = (between.from, between.to);
        let stem = format!(
            "{}-redline-v{from}-v{to}",
            file_name(&between.at_to.document.title, "x").trim_end_matches(".x")
        );
        if format == "html" {
            let html = blocking(move || {
                let by = |id: &BlockId, kind| marks(id, kind).unwrap_or_else(|| fallback.clone());
                redline_html(&between.at_from, &between.at_to.document, &by)
            })
            .await?;
            return Ok(DocxFile {
                version: to,
                file_name: format!("{stem}.html"),
                mime_type: "text/html; charset=utf-8",
                bytes: html.into_bytes(),
            });
        }
        let summary = SummaryRow::of(
            &between.at_to.document,
            &between.at_to.tenant,
            (&between.at_to.created_at, &between.at_to.created_by),
            (&between.at_to.updated_at, &between.at_to.updated_by),
        );
        let mut options = summary.render_options();
        self.media
            .render_inputs(&summary.tenant, &between.at_to.document, &mut options)
            .await
            .map_err(|e| ApiError::internal(&e))?;
        self.media
            .add_images(&summary.tenant, &between.at_from, &mut options)
            .await
            .map_err(|e| ApiError::internal(&e))?;
        let bytes = blocking(move || {
            let by = |id: &BlockId, kind| marks(id, kind).unwrap_or_else(|| fallback.clone());
            redline_docx(&between.at_from, &between.at_to.document, &by, &options)
        })
        .await?
        .map_err(|e| ApiError::internal(&e))?;
        Ok(DocxFile {
            version: to,
            file_name: format!("{stem}.docx"),
            mime_type: docx_engine::DOCX_CONTENT_TYPE,
            bytes,
        })
    }
}

/// Who made each block's changes between the versions, as tracked changes record it
/// ([`::history::Attribution`]).
fn marks(events: &[StoredEvent]) -> impl Fn(&BlockId, MarkKind) -> Option<Mark> + Send + use<> {
    let by = ::history::Attribution::of(
        events,
        |e: &StoredEvent| &e.event,
        // An accepted suggestion's change is its proposer's tracked change.
        |e| Mark {
            author: e
                .metadata
                .proposed_by
                .clone()
                .unwrap_or_else(|| e.metadata.actor.clone()),
            date: e.metadata.at.clone(),
        },
    );
    move |id, kind| by.get(id, kind)
}

/// The comments and notes that differ between `from` and `to`: each added, removed,
/// edited, resolved or reopened, comments (in `to`'s order, then the removed ones) before
/// notes.
fn review_changes(from: &Document, to: &Document) -> Vec<api_types::ReviewChange> {
    use api_types::ReviewChange;
    use domain::paragraphs_text;
    let mut out = Vec::new();
    let change =
        |id: &str, kind: &str, change: &str, a: Option<String>, b: Option<String>| ReviewChange {
            id: id.to_string(),
            kind: kind.to_string(),
            change: change.to_string(),
            from: a,
            to: b,
        };
    let comment_kind = |c: &domain::Comment| {
        if c.parent.is_some() {
            "reply"
        } else {
            "comment"
        }
    };
    for c in &to.comments {
        let text = paragraphs_text(&c.paragraphs);
        match from.comment(&c.id) {
            None => out.push(change(&c.id, comment_kind(c), "added", None, Some(text))),
            Some(old) => {
                let old_text = paragraphs_text(&old.paragraphs);
                if old_text != text {
                    out.push(change(
                        &c.id,
                        comment_kind(c),
                        "edited",
                        Some(old_text),
                        Some(text.clone()),
                    ));
                }
                if old.resolved != c.resolved {
                    let what = if c.resolved { "resolved" } else { "reopened" };
                    out.push(change(&c.id, "comment", what, None, None));
                }
            }
        }
    }
    for c in from.comments.iter().filter(|c| to.comment(&c.id).is_none()) {
        let text = paragraphs_text(&c.paragraphs);
        out.push(change(&c.id, comment_kind(c), "removed", Some(text), None));
    }
    for n in &to.notes {
        let text = paragraphs_text(&n.paragraphs);
        match from.note(&n.id) {
            None => out.push(change(&n.id, n.kind.as_str(), "added", None, Some(text))),
            Some(old) if old.paragraphs != n.paragraphs => {
                let old_text = paragraphs_text(&old.paragraphs);
                out.push(change(
                    &n.id,
                    n.kind.as_str(),
                    "edited",
                    Some(old_text),
                    Some(text),
                ));
            }
            Some(_) => {}
        }
    }
    for n in from.notes.iter().filter(|n| to.note(&n.id).is_none()) {
        let text = paragraphs_text(&n.paragraphs);
        out.push(change(&n.id, n.kind.as_str(), "removed", Some(text), None));
    }
    out
}

/// The diff of two states of a document (versions left 0: the caller's to set), with no
/// time budget.
pub fn diff_documents(from: &Document, to: &Document) -> DiffResponse {
    let far = std::time::Instant::now() + std::time::Duration::from_secs(60 * 60 * 24 * 365);
    diff_documents_within(from, to, far)
}

/// The diff of two states of a document; changed blocks reached after `deadline` are
/// reported wholesale (counted in `coarse_blocks`).
fn diff_documents_within(
    from: &Document,
    to: &Document,
    deadline: std::time::Instant,
) -> DiffResponse {
    // Blocks both versions have in the same relative order stay; the other common ones
    // moved (the redline aligns them the same way).
    let ::history::Alignment {
        from_at,
        to_at,
        in_place,
    } = ::history::align(from, to);
    let mut blocks = Vec::new();
    let mut coarse_blocks = 0;
    for (index, block) in to.blocks.iter().enumerate() {
        let id = block.id();
        let Some(&old_index) = from_at.get(id) else {
            blocks.push(whole(block, "added", None, Some(index), "insert"));
            continue;
        };
        let old = &from.blocks[old_index];
        let moved = !in_place.contains(id);
        let in_time = std::time::Instant::now() < deadline;
        let mut change = compare(old, block, in_time);
        if !in_time && change.as_ref().is_some_and(|c| !c.text.is_empty()) {
            coarse_blocks += 1;
        }
        if change.is_none() && !moved {
            continue;
        }
        let mut diff = change.take().unwrap_or_else(|| BlockDiff {
            change: "moved".into(),
            ..whole(block, "moved", None, None, "equal")
        });
        if diff.change == "moved" {
            diff.text.clear();
        }
        diff.from_index = Some(old_index);
        diff.to_index = Some(index);
        diff.moved = moved;
        blocks.push(diff);
    }
    for (index, block) in from.blocks.iter().enumerate() {
        if !to_at.contains_key(block.id()) {
            blocks.push(whole(block, "removed", Some(index), None, "delete"));
        }
    }
    DiffResponse {
        from: 0,
        to: 0,
        title: (from.title != to.title).then(|| ValueChange {
            from: from.title.clone(),
            to: to.title.clone(),
        }),
        metadata: (from.metadata != to.metadata).then(|| MetadataChange {
            from: from.metadata.clone(),
            to: to.metadata.clone(),
        }),
        blocks,
        coarse_blocks,
        review: review_changes(from, to),
    }
}

/// A block added or removed (or only moved): its whole text as one span.
fn whole(
    block: &Block,
    change: &str,
    from_index: Option<usize>,
    to_index: Option<usize>,
    op: &str,
) -> BlockDiff {
    let text = block.text();
    BlockDiff {
        block_id: block.id().to_string(),
        change: change.into(),
        kind: block.kind().into(),
        from_index,
        to_index,
        moved: false,
        text: if text.is_empty() {
            Vec::new()
        } else {
            vec![TextSpan {
                op: op.into(),
                text,
            }]
        },
        formatting_changed: false,
        cells: Vec::new(),
        by: None,
    }
}

/// How a block's content differs between two versions, if it does: its text word by word,
/// or wholesale when not `in_time`.
fn compare(old: &Block, new: &Block, in_time: bool) -> Option<BlockDiff> {
    if old == new {
        return None;
    }
    let (old_text, new_text) = (old.text(), new.text());
    let mut diff = whole(new, "changed", None, None, "equal");
    diff.text.clear();
    let same_shape_tables = match (old, new) {
        (Block::Table(a), Block::Table(b)) => {
            let shape = |t: &domain::Table| (t.rows.len(), t.rows.first().map_or(0, Vec::len));
            (shape(a) == shape(b)).then_some((a, b))
        }
        _ => None,
    };
    if let Some((a, b)) = same_shape_tables {
        for (row, (old_row, new_row)) in a.rows.iter().zip(&b.rows).enumerate() {
            for (col, (from, to)) in old_row.iter().zip(new_row).enumerate() {
                if from != to {
                    diff.cells.push(CellDiff {
                        row,
                        col,
                        from: from.clone(),
                        to: to.clone(),
                    });
                }
            }
        }
    } else if old_text != new_text && in_time {
        diff.text = words(&old_text, &new_text);
    } else if old_text != new_text {
        diff.text = [("delete", old_text.clone()), ("insert", new_text.clone())]
            .into_iter()
            .filter(|(_, text)| !text.is_empty())
            .map(|(op, text)| TextSpan {
                op: op.into(),
                text,
            })
            .collect();
    }
    // Anything else that differs (formatting, styles, merges, the block's type…).
    diff.formatting_changed = old_text == new_text && diff.cells.is_empty()
        || old.kind() != new.kind()
        || without_text(old) != without_text(new);
    Some(diff)
}

/// A block's JSON with its texts blanked, to see whether anything but its text differs.
fn without_text(block: &Block) -> serde_json::Value {
    fn blank(value: &mut serde_json::Value) {
        match value {
            serde_json::Value::Object(map) => {
                for (key, v) in map.iter_mut() {
                    if key == "text" || key == "rows" {
                        *v = serde_json::Value::Null;
                    } else {
                        blank(v);
                    }
                }
            }
            serde_json::Value::Array(items) => items.iter_mut().for_each(blank),
            _ => {}
        }
    }
    let mut value = serde_json::to_value(block).unwrap_or_default();
    blank(&mut value);
    // Run boundaries move with text edits: compare the formatting runs carry, merged.
    if let Some(runs) = value.get_mut("runs") {
        *runs = serde_json::Value::Null;
    }
    let formats: Vec<serde_json::Value> = block
        .runs()
        .iter()
        .map(|r| serde_json::to_value(&r.format).unwrap_or_default())
        .fold(Vec::new(), |mut seen, f| {
            if seen.last() != Some(&f) {
                seen.push(f);
            }
            seen
        });
    serde_json::json!({"block": value, "formats": formats})
}

/// A word-level diff of two texts as spans ([`::history::spans`]: a diff and its reverse
/// are exact inverses).
fn words(old: &str, new: &str) -> Vec<TextSpan> {
    ::history::spans(old, new)
        .into_iter()
        .map(|(op, text)| TextSpan {
            op: op.as_str().into(),
            text,
        })
        .collect()
}

/// Each changed block's last event between the two versions (created, touched or
/// removed it).
fn attribute(diff: &mut DiffResponse, events: &[StoredEvent]) {
    let last = ::history::last_changes(events.iter(), |e: &StoredEvent| &e.event);
    for block in &mut diff.blocks {
        block.by = last
            .get(&BlockId::new(block.block_id.clone()))
            .map(|e| ChangeBy {
                version: e.sequence,
                kind: e.event_type.clone(),
                actor: e.metadata.actor.clone(),
                at: e.metadata.at.clone(),
                reason: e.metadata.reason.clone(),
                proposed_by: e.metadata.proposed_by.clone(),
            });
    }
}

#[cfg(test)]
mod tests {
    use domain::{DocumentCommand, Limits};
    use serde_json::json;

    use super::*;

    fn apply(doc: &mut Document, command: serde_json::Value) {
        let command: DocumentCommand = serde_json::from_value(command).unwrap();
        for event in doc.decide(&command, &Limits::default()).unwrap() {
            doc.apply(&event);
        }
    }

    fn start() -> Document {
        let mut doc = Document::default();
        apply(
            &mut doc,
            json!({"type": "create_document", "document_id": "d", "title": "Plan"}),
        );
        for text in ["The supplier shall deliver.", "Second.", "Third."] {
            apply(&mut doc, json!({"type": "add_paragraph", "text": text}));
        }
        apply(
            &mut doc,
            json!({"type": "add_table", "data": [["a", "b"], ["c", "d"]]}),
        );
        doc
    }

    #[test]
    fn blocks_align_by_id_and_text_diffs_by_word() {
        let a = start();
        let mut b = a.clone();
        apply(
            &mut b,
            json!({"type": "replace_text", "find": "supplier", "replace": "vendor"}),
        );
        apply(&mut b, json!({"type": "delete_block", "block_index": 1}));
        apply(
            &mut b,
            json!({"type": "move_block", "block_index": 1, "position": {"at": "start"}}),
        );
        apply(
            &mut b,
            json!({"type": "set_table_cell", "block_index": 2, "row": 1, "col": 0, "text": "z"}),
        );
        apply(&mut b, json!({"type": "add_paragraph", "text": "New."}));
        apply(&mut b, json!({"type": "set_title", "title": "Plan B"}));
        let diff = diff_documents(&a, &b);
        let kinds: Vec<(&str, &str)> = diff
            .blocks
            .iter()
            .map(|d| (d.block_id.as_str(), d.change.as_str()))
            .collect();
        assert_eq!(
            kinds,
            vec![
                ("b4", "moved"),
                ("b2", "changed"),
                ("b5", "changed"),
                ("b10", "added"),
                ("b3", "removed")
            ]
        );
        let changed = &diff.blocks[1];
        assert_eq!(
            changed
                .text
                .iter()
                .map(|s| (s.op.as_str(), s.text.as_str()))
                .collect::<Vec<_>>(),
            vec![
                ("equal", "The "),
                ("delete", "supplier"),
                ("insert", "vendor"),
                ("equal", " shall deliver.")
            ]
        );
        assert!(!changed.formatting_changed);
        assert_eq!(diff.blocks[2].cells[0].to, "z");
        assert_eq!(diff.title.as_ref().unwrap().to, "Plan B");
    }

    #[test]
    fn a_diff_and_its_reverse_are_inverses() {
        let a = start();
        let mut b = a.clone();
        apply(
            &mut b,
            json!({"type": "insert_text", "block_index": 0, "offset": 4, "text": "new "}),
        );
        apply(&mut b, json!({"type": "delete_block", "block_index": 2}));
        let forward = diff_documents(&a, &b);
        let back = diff_documents(&b, &a);
        fn flip(op: &str) -> &str {
            match op {
                "insert" => "delete",
                "delete" => "insert",
                other => other,
            }
        }
        let changed_forward = &forward.blocks[0];
        let changed_back = back
            .blocks
            .iter()
            .find(|d| d.block_id == changed_forward.block_id)
            .unwrap();
        let flipped: Vec<(&str, &str)> = changed_forward
            .text
            .iter()
            .map(|s| (flip(&s.op), s.text.as_str()))
            .collect();
        let reversed: Vec<(&str, &str)> = changed_back
            .text
            .iter()
            .map(|s| (s.op.as_str(), s.text.as_str()))
            .collect();
        assert_eq!(flipped, reversed);
        let removed = forward
            .blocks
            .iter()
            .find(|d| d.change == "removed")
            .unwrap();
        let added = back.blocks.iter().find(|d| d.change == "added").unwrap();
        assert_eq!(removed.block_id, added.block_id);
        assert!(diff_documents(&a, &a).blocks.is_empty());
    }

    #[test]
    fn formatting_alone_is_a_change() {
        let a = start();
        let mut b = a.clone();
        apply(
            &mut b,
            json!({"type": "format_text", "block_index": 0, "start": 0, "end": 3, "bold": true}),
        );
        let diff = diff_documents(&a, &b);
        assert_eq!(diff.blocks.len(), 1);
        assert!(diff.blocks[0].formatting_changed);
        assert!(diff.blocks[0].text.is_empty());
    }
}
