//! Importing a Word file: the document an importer read from it becomes version 1
//! (`DocumentImported`: title, properties, section, styles, warnings, the source file's
//! hash) and the events after it (`BlocksImported`, each under [`IMPORT_EVENT_BYTES`] of
//! JSON, so every event fits the bus) carry its blocks, whose ids are minted from their
//! own event's sequence as every block's are.
//!
//! Reading the file is the importer's work (`docx-engine`); the domain checks what it was
//! given as it checks every command — text a .docx can hold, limits, tables that are
//! rectangular, merges inside them, list levels, heading levels — so a stored import is
//! as sound as a document made by commands.

use serde::{Deserialize, Serialize};

use crate::error::{DocumentError, EventMisfit};
use crate::event::DocumentEvent;
use crate::ids::{BlockId, DocumentId};
use crate::input::{Limits, MAX_LIST_LEVEL, MAX_TABLE_COLS, check_text, too_large};
pub use crate::model::ImportWarning;
use crate::model::{
    Block, CellBlock, Document, DocumentMetadata, HeaderFooter, ImportSource, Run, Section,
    StyleDef,
};

/// The JSON size a `BlocksImported` event aims to stay under (one block larger than this
/// gets an event of its own, up to [`MAX_IMPORT_BLOCK_BYTES`]).
pub const IMPORT_EVENT_BYTES: usize = 256 * 1024;
/// The largest block an import takes, as JSON: an event must fit the bus (JetStream's
/// default payload limit is 1 MiB).
pub const MAX_IMPORT_BLOCK_BYTES: usize = 768 * 1024;
/// Most warnings an import records (each kind once, with a count).
pub const MAX_IMPORT_WARNINGS: usize = 200;

/// `import_document`: what an importer read from a Word file. Not a client command: the
/// import operation builds it from the uploaded file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ImportDocument {
    /// The new document's id.
    pub document_id: DocumentId,
    /// Its title.
    pub title: String,
    /// The uploaded file.
    pub source: ImportSource,
    /// What was read from it.
    pub content: Box<ImportedContent>,
}

/// A document as an importer read it. Block ids are placeholders: the import mints them.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportedContent {
    /// Core properties other than the title.
    #[serde(default)]
    pub metadata: DocumentMetadata,
    /// The first section's page setup, headers and footers (later sections' are on their
    /// section breaks).
    #[serde(default)]
    pub section: Section,
    /// The file's styles.
    #[serde(default)]
    pub styles: Vec<StyleDef>,
    /// The blocks, in reading order.
    #[serde(default)]
    pub blocks: Vec<Block>,
    /// What was kept opaque or changed.
    #[serde(default)]
    pub warnings: Vec<ImportWarning>,
    /// The file's comments (roots before their replies), their anchors marked on the
    /// blocks' runs.
    #[serde(default)]
    pub comments: Vec<crate::model::Comment>,
    /// The file's footnotes and endnotes, their references in the blocks' runs.
    #[serde(default)]
    pub notes: Vec<crate::model::Note>,
    /// The file's tracked changes as open suggestions, their anchors in the blocks' runs.
    #[serde(default)]
    pub suggestions: Vec<crate::model::Suggestion>,
}

impl Document {
    pub(crate) fn decide_import(
        &self,
        c: &ImportDocument,
        limits: &Limits,
    ) -> Result<Vec<DocumentEvent>, DocumentError> {
        if self.exists() {
            return Err(DocumentError::DocumentAlreadyExists);
        }
        let title = self.checked_title(&c.title, limits)?;
        if !crate::is_media_id(&c.source.media) {
            return Err(DocumentError::invalid(
                "source.media",
                "is not a SHA-256 in hex",
            ));
        }
        let content = &c.content;
        if content.blocks.len() > limits.max_blocks {
            return Err(too_large("blocks", limits.max_blocks));
        }
        if content.warnings.len() > MAX_IMPORT_WARNINGS {
            return Err(too_large("import warnings", MAX_IMPORT_WARNINGS));
        }
        if content.styles.len() > crate::features::style::MAX_STYLES {
            return Err(too_large("styles", crate::features::style::MAX_STYLES));
        }
        for (field, value) in content.metadata.values() {
            check_text(field, value, limits.max_title_chars)?;
        }
        check_margins(
            "section",
            [&content.section.header, &content.section.footer],
            limits,
        )?;
        if !content.section.page.is_sound() {
            return Err(DocumentError::invalid(
                "section.page",
                "the page setup is outside what set_page_setup accepts",
            ));
        }
        let mut images = count_images([&content.section.header, &content.section.footer]);
        for (i, block) in content.blocks.iter().enumerate() {
            check_block(block, limits).map_err(|e| e.within(i))?;
            if let Block::SectionBreak(b) = block {
                check_margins("section", [&b.header, &b.footer], limits)?;
                images += count_images([&b.header, &b.footer]);
            }
            images += block
                .inline_runs()
                .iter()
                .map(|(_, runs)| runs.iter().filter(|r| r.format.image.is_some()).count())
                .sum::<usize>()
                + block
                    .cell_block_runs()
                    .iter()
                    .filter(|r| r.format.image.is_some())
                    .count();
        }
        if images > limits.max_images {
            return Err(too_large("images", limits.max_images));
        }
        let mut events = vec![DocumentEvent::DocumentImported {
            document_id: c.document_id.clone(),
            title,
            source: c.source.clone(),
            metadata: Box::new(content.metadata.clone()),
            section: Box::new(content.section.clone()),
            styles: content.styles.clone(),
            warnings: content.warnings.clone(),
        }];
        // Blocks in events of bounded size; each block's id minted from its event's sequence.
        let mut chunk: Vec<Block> = Vec::new();
        let mut chunk_bytes = 0;
        for block in &content.blocks {
            // Its JSON length: measured where it could matter, else bounded by twice the
            // block's estimate (text at most doubles when escaped; the estimate counts
            // every structure at its in-memory size, more than its field names take).
            let estimate = block.approx_bytes().saturating_mul(2);
            let bytes = if estimate > IMPORT_EVENT_BYTES / 4 {
                serde_json::to_vec(block).map_or(usize::MAX, |j| j.len())
            } else {
                estimate
            };
            if bytes > MAX_IMPORT_BLOCK_BYTES {
                return Err(too_large(
                    "bytes of one imported block",
                    MAX_IMPORT_BLOCK_BYTES,
                ));
            }
            if !chunk.is_empty() && chunk_bytes + bytes > IMPORT_EVENT_BYTES {
                events.push(DocumentEvent::BlocksImported {
                    blocks: std::mem::take(&mut chunk),
                });
                chunk_bytes = 0;
            }
            let sequence = self.version.get() + events.len() as u64 + 1;
            let mut block = block.clone();
            block.set_id(BlockId::minted(sequence, chunk.len()));
            chunk.push(block);
            chunk_bytes += bytes;
        }
        if !chunk.is_empty() {
            events.push(DocumentEvent::BlocksImported { blocks: chunk });
        }
        check_imported_review(content)?;
        // Comments and notes after the blocks, in events of bounded size.
        let mut comments: Vec<crate::model::Comment> = Vec::new();
        let mut notes: Vec<crate::model::Note> = Vec::new();
        let mut bytes = 0usize;
        let size = |paragraphs: &[Vec<crate::model::Run>]| -> usize {
            256 + paragraphs
                .iter()
                .flatten()
                .map(|r| 128 + r.text.len().saturating_mul(2))
                .sum::<usize>()
        };
        let mut suggestions: Vec<crate::model::Suggestion> = Vec::new();
        let items = content
            .comments
            .iter()
            .map(|c| (Some(c), None, None, size(&c.paragraphs)))
            .chain(
                content
                    .notes
                    .iter()
                    .map(|n| (None, Some(n), None, size(&n.paragraphs))),
            )
            .chain(content.suggestions.iter().map(|s| {
                let bytes = 256 + s.command.to_string().len();
                (None, None, Some(s), bytes)
            }));
        for (comment, note, suggestion, item_bytes) in items {
            if bytes > 0 && bytes + item_bytes > IMPORT_EVENT_BYTES {
                events.push(DocumentEvent::ReviewImported {
                    comments: std::mem::take(&mut comments),
                    notes: std::mem::take(&mut notes),
                    suggestions: std::mem::take(&mut suggestions),
                });
                bytes = 0;
            }
            comments.extend(comment.cloned());
            notes.extend(note.cloned());
            suggestions.extend(suggestion.cloned());
            bytes += item_bytes;
        }
        if bytes > 0 {
            events.push(DocumentEvent::ReviewImported {
                comments,
                notes,
                suggestions,
            });
        }
        Ok(events)
    }

    pub(crate) fn apply_import(
        &mut self,
        event: &DocumentEvent,
        misfit: &dyn Fn(&'static str) -> EventMisfit,
    ) -> Result<(), EventMisfit> {
        match event {
            DocumentEvent::DocumentImported {
                document_id,
                title,
                source,
                metadata,
                section,
                styles,
                warnings: _,
            } => {
                if self.exists() {
                    return Err(misfit("the document exists"));
                }
                self.id = Some(document_id.clone());
                self.title.clone_from(title);
                self.metadata = (**metadata).clone();
                self.section = (**section).clone();
                self.styles = styles.clone();
                self.source = Some(source.clone());
            }
            DocumentEvent::BlocksImported { blocks } => {
                if self.source.is_none() {
                    return Err(misfit("the document was not imported"));
                }
                let mut ids: std::collections::HashSet<&BlockId> =
                    self.blocks.iter().map(Block::id).collect();
                for block in blocks {
                    if !ids.insert(block.id()) {
                        return Err(misfit("a block id is taken"));
                    }
                    if !block.is_sound() {
                        return Err(misfit("an imported block is malformed"));
                    }
                }
                self.blocks.extend(blocks.iter().cloned());
            }
            DocumentEvent::ReviewImported {
                comments,
                notes,
                suggestions,
            } => {
                if self.source.is_none() {
                    return Err(misfit("the document was not imported"));
                }
                let mut seen: std::collections::HashSet<&str> = self
                    .comments
                    .iter()
                    .map(|c| c.id.as_str())
                    .chain(self.notes.iter().map(|n| n.id.as_str()))
                    .collect();
                let mut roots: std::collections::HashSet<&str> = self
                    .comments
                    .iter()
                    .filter(|c| c.parent.is_none())
                    .map(|c| c.id.as_str())
                    .collect();
                let mut top = self.review_ids;
                for c in comments {
                    let number = crate::model::review_number(&c.id, 'c')
                        .ok_or(misfit("a malformed comment id"))?;
                    if !seen.insert(&c.id) {
                        return Err(misfit("a comment id is taken"));
                    }
                    match &c.parent {
                        Some(parent) if !roots.contains(parent.as_str()) => {
                            return Err(misfit("a reply to no thread"));
                        }
                        Some(_) => {}
                        None => {
                            roots.insert(&c.id);
                        }
                    }
                    top.comments = top.comments.max(number);
                }
                for n in notes {
                    let number = crate::model::review_number(&n.id, n.kind.prefix())
                        .ok_or(misfit("a malformed note id"))?;
                    if !seen.insert(&n.id) {
                        return Err(misfit("a note id is taken"));
                    }
                    top.notes = top.notes.max(number);
                }
                for s in suggestions {
                    let number = crate::model::review_number(&s.id, 's')
                        .ok_or(misfit("a malformed suggestion id"))?;
                    if !seen.insert(&s.id)
                        || !crate::features::suggestion::SUGGESTIBLE.contains(&s.kind.as_str())
                    {
                        return Err(misfit("a suggestion id is taken or its kind unknown"));
                    }
                    top.suggestions = top.suggestions.max(number);
                }
                self.comments.extend(comments.iter().cloned());
                self.notes.extend(notes.iter().cloned());
                self.suggestions.extend(suggestions.iter().cloned());
                self.review_ids = top;
            }
            _ => return Err(misfit("not an event of this feature")),
        }
        Ok(())
    }
}

/// Refuses imported comments and notes that the commands could not have made: too many,
/// malformed or repeated ids, replies to no thread, text over the limit or not XML.
fn check_imported_review(content: &ImportedContent) -> Result<(), DocumentError> {
    use crate::features::review::{MAX_COMMENTS, MAX_NOTES, MAX_REVIEW_TEXT_CHARS};
    if content.comments.len() > MAX_COMMENTS {
        return Err(too_large("comments", MAX_COMMENTS));
    }
    if content.notes.len() > MAX_NOTES {
        return Err(too_large("notes", MAX_NOTES));
    }
    let mut ids = std::collections::HashSet::new();
    let mut roots = std::collections::HashSet::new();
    let texts = content
        .comments
        .iter()
        .map(|c| (format!("comments.{}", c.id), &c.paragraphs))
        .chain(
            content
                .notes
                .iter()
                .map(|n| (format!("notes.{}", n.id), &n.paragraphs)),
        );
    for c in &content.comments {
        if crate::model::review_number(&c.id, 'c').is_none() || !ids.insert(c.id.as_str()) {
            return Err(DocumentError::invalid(
                "comments",
                format!("a bad or repeated id {}", c.id),
            ));
        }
        match &c.parent {
            Some(p) if !roots.contains(p.as_str()) => {
                return Err(DocumentError::invalid(
                    "comments",
                    format!("{} answers no thread", c.id),
                ));
            }
            Some(_) => {}
            None => {
                roots.insert(c.id.as_str());
            }
        }
        check_text("comments.author", &c.author.name, MAX_REVIEW_TEXT_CHARS)?;
        check_text(
            "comments.initials",
            &c.author.initials,
            MAX_REVIEW_TEXT_CHARS,
        )?;
        check_text("comments.date", &c.date, 64)?;
    }
    if content.suggestions.len() > crate::features::suggestion::MAX_SUGGESTIONS {
        return Err(too_large(
            "suggestions",
            crate::features::suggestion::MAX_SUGGESTIONS,
        ));
    }
    for s in &content.suggestions {
        let known = crate::features::suggestion::SUGGESTIBLE.contains(&s.kind.as_str());
        if crate::model::review_number(&s.id, 's').is_none() || !ids.insert(s.id.as_str()) || !known
        {
            return Err(DocumentError::invalid(
                "suggestions",
                format!("a bad or repeated id {}, or an unknown kind", s.id),
            ));
        }
        check_text("suggestions.author", &s.author.name, MAX_REVIEW_TEXT_CHARS)?;
        check_text("suggestions.date", &s.date, 64)?;
        let command = s.command.to_string();
        check_text("suggestions.command", &command, 4 * MAX_REVIEW_TEXT_CHARS)?;
    }
    for n in &content.notes {
        if crate::model::review_number(&n.id, n.kind.prefix()).is_none()
            || !ids.insert(n.id.as_str())
        {
            return Err(DocumentError::invalid(
                "notes",
                format!("a bad or repeated id {}", n.id),
            ));
        }
    }
    for (field, paragraphs) in texts {
        let text = crate::model::paragraphs_text(paragraphs);
        check_text(&field, &text, MAX_REVIEW_TEXT_CHARS)?;
    }
    Ok(())
}

impl DocumentMetadata {
    /// Every set value, with its field name.
    fn values(&self) -> impl Iterator<Item = (&'static str, &str)> + '_ {
        [
            ("metadata.author", &self.author),
            ("metadata.subject", &self.subject),
            ("metadata.keywords", &self.keywords),
            ("metadata.description", &self.description),
            ("metadata.category", &self.category),
        ]
        .into_iter()
        .filter_map(|(field, value)| Some((field, value.as_deref()?)))
        .chain(
            self.custom
                .values()
                .map(|v| ("metadata.custom", v.as_str())),
        )
    }
}

impl DocumentError {
    /// The same refusal, naming the imported block it is about.
    fn within(self, index: usize) -> Self {
        match self {
            DocumentError::InvalidField { field, reason } => DocumentError::InvalidField {
                field: format!("blocks.{index}.{field}"),
                reason,
            },
            other => other,
        }
    }
}

fn count_images(margins: [&HeaderFooter; 2]) -> usize {
    margins
        .into_iter()
        .flat_map(|hf| [&hf.default, &hf.first, &hf.even])
        .flatten()
        .flat_map(|runs| runs.iter())
        .filter(|r| r.format.image.is_some())
        .count()
}

fn check_margins(
    field: &str,
    margins: [&HeaderFooter; 2],
    limits: &Limits,
) -> Result<(), DocumentError> {
    for hf in margins {
        for runs in [&hf.default, &hf.first, &hf.even].into_iter().flatten() {
            check_runs(field, runs, limits)?;
        }
    }
    Ok(())
}

fn check_runs(field: &str, runs: &[Run], limits: &Limits) -> Result<(), DocumentError> {
    let text: String = runs.iter().map(|r| r.text.as_str()).collect();
    check_text(field, &text, limits.max_text_chars)?;
    for run in runs {
        for value in [&run.format.font, &run.format.link, &run.format.style]
            .into_iter()
            .flatten()
        {
            check_text(field, value, limits.max_title_chars)?;
        }
        if let Some(image) = &run.format.image {
            check_text(field, &image.alt_text, limits.max_title_chars)?;
            if !crate::is_media_id(&image.media) {
                return Err(DocumentError::invalid(
                    field,
                    "names an image by no SHA-256",
                ));
            }
        }
    }
    Ok(())
}

/// The checks a command would have made on the block it adds.
fn check_block(block: &Block, limits: &Limits) -> Result<(), DocumentError> {
    if !block.is_sound() {
        return Err(DocumentError::invalid(
            "type",
            format!("the {} is malformed", block.kind()),
        ));
    }
    for (_, runs) in block.inline_runs() {
        check_runs("runs", runs, limits)?;
    }
    match block {
        Block::Table(t) => {
            let cells = t
                .rows
                .len()
                .saturating_mul(t.rows.first().map_or(0, Vec::len));
            if cells > limits.max_table_cells {
                return Err(too_large("table cells", limits.max_table_cells));
            }
            for cell in t.rows.iter().flatten() {
                check_text("rows", cell, limits.max_text_chars)?;
            }
        }
        Block::List(l) => {
            if l.items.len() > limits.max_list_items {
                return Err(too_large("list items", limits.max_list_items));
            }
            for item in &l.items {
                check_text("items", &item.text, limits.max_text_chars)?;
            }
        }
        Block::Opaque(o) => {
            check_text("text", &o.text, limits.max_text_chars)?;
        }
        Block::TableOfContents(t) => {
            if let Some(title) = &t.title {
                check_text("title", title, limits.max_title_chars)?;
            }
            if t.pages.len() > limits.max_blocks {
                return Err(too_large("table of contents entries", limits.max_blocks));
            }
            for entry in &t.pages {
                check_text("pages", &entry.text, limits.max_text_chars)?;
                check_text("pages", &entry.page, crate::model::MAX_TOC_PAGE_CHARS)?;
                if !(1..=9).contains(&entry.level) {
                    return Err(DocumentError::invalid(
                        "pages",
                        "an entry's level is 1 to 9",
                    ));
                }
            }
        }
        Block::Paragraph(_) | Block::Heading(_) | Block::PageBreak(_) | Block::SectionBreak(_) => {}
    }
    Ok(())
}

impl Block {
    /// Gives the block a new id.
    pub(crate) fn set_id(&mut self, id: BlockId) {
        match self {
            Block::Paragraph(p) => p.id = id,
            Block::Heading(h) => h.id = id,
            Block::Table(t) => t.id = id,
            Block::List(l) => l.id = id,
            Block::PageBreak(b) => b.id = id,
            Block::TableOfContents(t) => t.id = id,
            Block::SectionBreak(b) => b.id = id,
            Block::Opaque(o) => o.id = id,
        }
    }

    /// Whether the block's structure holds together as commands keep it: tables
    /// rectangular (at most Word's 63 columns) with merges, formats and formatted cells
    /// inside them, list levels and heading levels in range, an opaque block's XML one
    /// well-formed element. Checked for every imported block, when decided and when applied.
    pub fn is_sound(&self) -> bool {
        match self {
            Block::Heading(h) => (1..=9).contains(&h.level),
            Block::Table(t) => {
                let cols = t.rows.first().map_or(0, Vec::len);
                let inside = |row: usize, col: usize| row < t.rows.len() && col < cols;
                cols <= MAX_TABLE_COLS
                    && t.rows.iter().all(|r| r.len() == cols)
                    && t.merges.iter().all(|m| {
                        m.rows >= 1
                            && m.cols >= 1
                            && m.row
                                .checked_add(m.rows)
                                .is_some_and(|end| end <= t.rows.len())
                            && m.col.checked_add(m.cols).is_some_and(|end| end <= cols)
                    })
                    && t.cell_formats.iter().all(|f| inside(f.row, f.col))
                    && t.cell_runs
                        .iter()
                        .all(|c| inside(c.row, c.col) && c.blocks.iter().all(cell_block_sound))
                    && t.widths_mm.as_ref().is_none_or(|w| {
                        w.len() == cols && w.iter().all(|x| x.is_finite() && *x > 0.0)
                    })
            }
            Block::List(l) => l.items.iter().all(|i| i.level <= MAX_LIST_LEVEL),
            // Its XML is checked again (parsed) where it is written into a file.
            Block::Opaque(o) => o.xml.starts_with('<') && o.xml.ends_with('>'),
            Block::SectionBreak(b) => b.page.is_sound(),
            Block::Paragraph(_) | Block::PageBreak(_) | Block::TableOfContents(_) => true,
        }
    }
}

fn cell_block_sound(block: &CellBlock) -> bool {
    match block {
        CellBlock::Paragraph { .. } => true,
        CellBlock::List { items, .. } => items.iter().all(|i| i.level <= MAX_LIST_LEVEL),
        CellBlock::Table { rows } => {
            let cols = rows.first().map_or(0, Vec::len);
            cols <= MAX_TABLE_COLS && rows.iter().all(|r| r.len() == cols)
        }
    }
}

#[cfg(test)]
mod tests {
    //! Given/when/then: an import's rules.

    use super::*;
    use crate::command::DocumentCommand;
    use crate::model::{CellSpan, OpaqueBlock, Paragraph, Run, Table};

    fn paragraph(text: &str) -> Block {
        Block::Paragraph(Paragraph {
            id: BlockId::new("import"),
            runs: vec![Run::plain(text)],
            style: None,
            alignment: None,
            format: Default::default(),
            bookmarks: Vec::new(),
        })
    }

    fn import(blocks: Vec<Block>) -> DocumentCommand {
        DocumentCommand::ImportDocument(ImportDocument {
            document_id: DocumentId::new("d"),
            title: "Imported".into(),
            source: ImportSource {
                media: "ab".repeat(32),
                bytes: 10,
            },
            content: Box::new(ImportedContent {
                blocks,
                ..ImportedContent::default()
            }),
        })
    }

    fn imported(command: &DocumentCommand) -> (Document, Vec<DocumentEvent>) {
        let events = Document::default()
            .decide(command, &Limits::default())
            .expect("decided");
        let mut doc = Document::default();
        for e in &events {
            doc.try_apply(e).expect("applies");
        }
        (doc, events)
    }

    #[test]
    fn blocks_come_in_events_of_bounded_size_with_ids_of_their_own_events() {
        let big = "x".repeat(100_000);
        let blocks: Vec<Block> = (0..8).map(|_| paragraph(&big)).collect();
        let (doc, events) = imported(&import(blocks));
        assert!(matches!(events[0], DocumentEvent::DocumentImported { .. }));
        assert!(events.len() > 2, "{} events", events.len());
        for event in &events[1..] {
            let json = serde_json::to_vec(event).unwrap();
            assert!(json.len() <= IMPORT_EVENT_BYTES + 110_000, "{}", json.len());
        }
        let ids: Vec<String> = doc.blocks.iter().map(|b| b.id().to_string()).collect();
        assert_eq!(ids[0], "b2");
        assert_eq!(ids.len(), 8);
        let unique: std::collections::HashSet<&String> = ids.iter().collect();
        assert_eq!(unique.len(), 8);
        assert_eq!(doc.version.get() as usize, events.len());
        assert!(doc.source.is_some());
    }

    #[test]
    fn twice_the_estimate_bounds_a_block_json() {
        let quoted = paragraph(&"\"\\<&".repeat(50));
        let formatted = Block::Paragraph(Paragraph {
            runs: (0..50)
                .map(|i| Run {
                    text: "\"".into(),
                    format: crate::model::RunFormat {
                        bold: true,
                        italic: true,
                        underline: true,
                        strike: true,
                        superscript: true,
                        small_caps: true,
                        font: Some("F".into()),
                        size_pt: Some(10.5),
                        color: Some("FF0000".into()),
                        highlight: Some("yellow".into()),
                        link: Some(format!("https://example.com/{i}")),
                        style: Some("S".into()),
                        bookmarks: vec!["b".into()],
                        ..Default::default()
                    },
                })
                .collect(),
            ..match paragraph("") {
                Block::Paragraph(p) => p,
                _ => unreachable!(),
            }
        });
        for block in [quoted, formatted] {
            let json = serde_json::to_vec(&block).unwrap().len();
            assert!(
                json <= 2 * block.approx_bytes(),
                "{json} > 2 × {}",
                block.approx_bytes()
            );
        }
    }

    #[test]
    fn what_commands_would_refuse_is_refused() {
        let ragged = Block::Table(Table {
            id: BlockId::new("import"),
            rows: vec![vec!["a".into(), "b".into()], vec!["c".into()]],
            header_row: false,
            style: None,
            merges: Vec::new(),
            widths_mm: None,
            cell_formats: Vec::new(),
            cell_runs: Vec::new(),
        });
        let err = Document::default()
            .decide(&import(vec![ragged]), &Limits::default())
            .unwrap_err();
        assert!(err.to_string().contains("blocks.0"), "{err}");
        let control = paragraph("bell \u{7}");
        assert!(
            Document::default()
                .decide(&import(vec![control]), &Limits::default())
                .is_err()
        );
        let limits = Limits {
            max_blocks: 2,
            ..Limits::default()
        };
        let three = vec![paragraph("a"), paragraph("b"), paragraph("c")];
        assert!(matches!(
            Document::default().decide(&import(three), &limits),
            Err(DocumentError::TooLarge { .. })
        ));
        let (doc, _) = imported(&import(vec![paragraph("a")]));
        assert_eq!(
            doc.decide(&import(vec![]), &Limits::default()),
            Err(DocumentError::DocumentAlreadyExists)
        );
    }

    #[test]
    fn opaque_blocks_move_and_delete_but_refuse_edits() {
        let opaque = Block::Opaque(OpaqueBlock {
            id: BlockId::new("import"),
            element: "w:sdt".into(),
            reason: "content control".into(),
            text: "kept".into(),
            xml: "<w:sdt/>".into(),
            rels: Vec::new(),
        });
        let (doc, _) = imported(&import(vec![paragraph("a"), opaque]));
        let id = doc.blocks[1].id().clone();
        let update: DocumentCommand = serde_json::from_value(serde_json::json!(
            {"type": "update_paragraph", "block_id": id, "text": "x"}
        ))
        .unwrap();
        let err = doc.decide(&update, &Limits::default()).unwrap_err();
        assert!(err.to_string().contains("opaque"), "{err}");
        let moved: DocumentCommand = serde_json::from_value(serde_json::json!(
            {"type": "move_block", "block_id": id, "position": {"at": "start"}}
        ))
        .unwrap();
        assert!(doc.decide(&moved, &Limits::default()).is_ok());
        let deleted: DocumentCommand =
            serde_json::from_value(serde_json::json!({"type": "delete_block", "block_id": id}))
                .unwrap();
        assert!(doc.decide(&deleted, &Limits::default()).is_ok());
    }

    #[test]
    fn stored_blocks_that_do_not_hold_together_are_misfits() {
        let (mut doc, _) = imported(&import(vec![paragraph("a")]));
        let taken = doc.blocks[0].id().clone();
        let mut duplicate = paragraph("b");
        duplicate.set_id(taken);
        assert!(
            doc.try_apply(&DocumentEvent::BlocksImported {
                blocks: vec![duplicate]
            })
            .is_err()
        );
        let outside = Block::Table(Table {
            id: BlockId::new("b9"),
            rows: vec![vec!["a".into()]],
            header_row: false,
            style: None,
            merges: vec![CellSpan {
                row: 0,
                col: 0,
                rows: usize::MAX,
                cols: 1,
            }],
            widths_mm: None,
            cell_formats: Vec::new(),
            cell_runs: Vec::new(),
        });
        assert!(
            doc.try_apply(&DocumentEvent::BlocksImported {
                blocks: vec![outside]
            })
            .is_err()
        );
        assert_eq!(doc.blocks.len(), 1);
    }
}
