//! Editing text inside paragraphs and headings: insert, delete, replace (tables and lists included), format.
//!
//! The commands, how they are decided and how their events are applied.

use serde::{Deserialize, Serialize};

use crate::error::{DocumentError, EventMisfit};
use crate::event::{DocumentEvent, Occurrence, Within};
use crate::ids::BlockId;
use crate::input::{Limits, check_text, text_runs, too_large};
use crate::model::{Block, Document, Heading, Paragraph, runs_text};
use crate::text;
use crate::text::FormatPatch;

/// `insert_text`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct InsertText {
    /// Target block id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub block_id: Option<BlockId>,
    /// Target block index.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub block_index: Option<usize>,
    /// Character offset (0 = start; the text length = end).
    pub offset: usize,
    /// Text to insert; it takes the formatting of the run it lands in.
    pub text: String,
}

/// `delete_text`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct DeleteText {
    /// Target block id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub block_id: Option<BlockId>,
    /// Target block index.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub block_index: Option<usize>,
    /// Character offset of the first character to delete.
    pub offset: usize,
    /// Number of characters to delete.
    pub length: usize,
}

/// `replace_text`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ReplaceText {
    /// Text to find (not empty).
    pub find: String,
    /// Replacement.
    pub replace: String,
    /// Case-sensitive (default true).
    #[serde(default = "yes")]
    pub match_case: bool,
    /// Only whole words (default false).
    #[serde(default)]
    pub whole_word: bool,
}

fn yes() -> bool {
    true
}

/// `format_text`: formats characters `start..end` of a paragraph or heading.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct FormatText {
    /// Target block id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub block_id: Option<BlockId>,
    /// Target block index.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub block_index: Option<usize>,
    /// First character (inclusive); default 0.
    #[serde(default)]
    pub start: usize,
    /// Last character (exclusive); default the end of the text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<usize>,
    /// Bold.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bold: Option<bool>,
    /// Italic.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub italic: Option<bool>,
    /// Underline.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub underline: Option<bool>,
    /// Strike-through.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub strike: Option<bool>,
    /// Font family.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub font: Option<String>,
    /// Size in points.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 1638))]
    pub size_pt: Option<f32>,
    /// Colour, six hex digits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(pattern = "^#?[0-9A-Fa-f]{6}$"))]
    pub color: Option<String>,
    /// Highlight colour name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub highlight: Option<String>,
    /// Superscript on or off (on clears subscript).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub superscript: Option<bool>,
    /// Subscript on or off (on clears superscript).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subscript: Option<bool>,
    /// Small capitals on or off.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub small_caps: Option<bool>,
}

impl Document {
    /// Decides `insert_text`.
    pub(crate) fn decide_insert_text(
        &self,
        c: &InsertText,
        limits: &Limits,
    ) -> Result<Option<DocumentEvent>, DocumentError> {
        let event = {
            let (_, block) = self.target(c.block_id.as_ref(), c.block_index)?;
            let len = text::char_len(text_runs(block)?);
            if c.offset > len {
                return Err(DocumentError::TextRangeOutOfBounds {
                    field: "offset",
                    value: c.offset,
                    len,
                });
            }
            if c.text.is_empty() {
                return Err(DocumentError::invalid("text", "must not be empty"));
            }
            check_text("text", &c.text, limits.max_text_chars)?;
            if len.saturating_add(text::str_len(&c.text)) > limits.max_text_chars {
                return Err(too_large("paragraph text", limits.max_text_chars));
            }
            DocumentEvent::TextInserted {
                block_id: block.id().clone(),
                offset: c.offset,
                text: c.text.clone(),
            }
        };
        Ok(Some(event))
    }

    /// Decides `delete_text`.
    pub(crate) fn decide_delete_text(
        &self,
        c: &DeleteText,
    ) -> Result<Option<DocumentEvent>, DocumentError> {
        let event = {
            let (_, block) = self.target(c.block_id.as_ref(), c.block_index)?;
            let len = text::char_len(text_runs(block)?);
            if c.offset > len {
                return Err(DocumentError::TextRangeOutOfBounds {
                    field: "offset",
                    value: c.offset,
                    len,
                });
            }
            if c.length == 0 || c.offset.checked_add(c.length).is_none_or(|end| end > len) {
                return Err(DocumentError::TextRangeOutOfBounds {
                    field: "length",
                    value: c.length,
                    len,
                });
            }
            DocumentEvent::TextDeleted {
                block_id: block.id().clone(),
                offset: c.offset,
                length: c.length,
            }
        };
        Ok(Some(event))
    }

    /// Decides `format_text`.
    pub(crate) fn decide_format_text(
        &self,
        c: &FormatText,
    ) -> Result<Option<DocumentEvent>, DocumentError> {
        let event = {
            let (_, block) = self.target(c.block_id.as_ref(), c.block_index)?;
            let (start, end) =
                crate::input::text_range(Some(c.start), c.end, text::char_len(text_runs(block)?))?;
            let patch = FormatPatch {
                bold: c.bold,
                italic: c.italic,
                underline: c.underline,
                strike: c.strike,
                font: c.font.clone(),
                size_pt: c.size_pt,
                color: c.color.clone(),
                highlight: c.highlight.clone(),
                superscript: c.superscript,
                subscript: c.subscript,
                small_caps: c.small_caps,
            }
            .validated("")?;
            if patch.is_empty() {
                return Err(DocumentError::invalid(
                    "bold",
                    "give at least one of bold, italic, underline, strike, font, size_pt, color, highlight, superscript, subscript, small_caps",
                ));
            }
            DocumentEvent::TextFormatted {
                block_id: block.id().clone(),
                start,
                end,
                format: patch,
            }
        };
        Ok(Some(event))
    }

    pub(crate) fn decide_replace(
        &self,
        c: &ReplaceText,
        limits: &Limits,
    ) -> Result<Option<DocumentEvent>, DocumentError> {
        if c.find.is_empty() {
            return Err(DocumentError::invalid("find", "must not be empty"));
        }
        check_text("find", &c.find, limits.max_text_chars)?;
        check_text("replace", &c.replace, limits.max_text_chars)?;
        let mut occurrences = Vec::new();
        // In a cell of several blocks (`blocks`), only what one paragraph, item or nested
        // cell holds whole is replaced.
        let mut scan = |block_id: &BlockId,
                        within: Within,
                        text: &str,
                        blocks: Option<&[crate::model::CellBlock]>| {
            let mut found = text::find_matches(text, &c.find, c.match_case, c.whole_word);
            if let Some(blocks) = blocks {
                found.retain(|(offset, length)| {
                    crate::text::cell_part_of(blocks, *offset, *length).is_some()
                });
            }
            let grown = text::str_len(text)
                .saturating_add(found.len().saturating_mul(text::str_len(&c.replace)));
            let shrunk = found.iter().map(|(_, len)| len).sum::<usize>();
            if grown.saturating_sub(shrunk) > limits.max_text_chars {
                return Err(too_large("paragraph text", limits.max_text_chars));
            }
            occurrences.extend(found.into_iter().map(|(offset, length)| Occurrence {
                block_id: block_id.clone(),
                within,
                offset,
                length,
            }));
            Ok(())
        };
        for block in &self.blocks {
            match block {
                Block::Paragraph(Paragraph { id, runs, .. })
                | Block::Heading(Heading { id, runs, .. }) => {
                    scan(id, Within::Text, &runs_text(runs), None)?;
                }
                Block::Table(t) => {
                    for (row, cells) in t.rows.iter().enumerate() {
                        for (col, cell) in cells.iter().enumerate() {
                            scan(
                                &t.id,
                                Within::Cell { row, col },
                                cell,
                                t.cell_blocks_at(row, col),
                            )?;
                        }
                    }
                }
                Block::List(l) => {
                    for (item, li) in l.items.iter().enumerate() {
                        scan(&l.id, Within::Item { item }, &li.text, None)?;
                    }
                }
                // Kept as its XML: only moved or deleted (its text is searched, not edited).
                Block::Opaque(_)
                | Block::PageBreak(_)
                | Block::TableOfContents(_)
                | Block::SectionBreak(_) => {}
            }
        }
        if occurrences.is_empty() {
            return Ok(None);
        }
        Ok(Some(DocumentEvent::TextReplaced {
            find: c.find.clone(),
            replace: c.replace.clone(),
            occurrences,
        }))
    }

    /// Replaces one occurrence; false (and nothing changed) when it is not inside its text.
    pub(crate) fn replace_occurrence(&mut self, o: &Occurrence, replace: &str) -> bool {
        let Some(end) = o.offset.checked_add(o.length) else {
            return false;
        };
        let Some(block) = self.block_mut(&o.block_id) else {
            return false;
        };
        match (block, o.within) {
            (Block::Paragraph(Paragraph { runs, .. }), Within::Text)
            | (Block::Heading(Heading { runs, .. }), Within::Text)
                if end <= text::char_len(runs) =>
            {
                text::replace(runs, o.offset, o.length, replace);
                true
            }
            (Block::Table(t), Within::Cell { row, col }) => {
                // A cell of several blocks: the piece that holds the occurrence is edited,
                // and the cell's text is theirs again.
                if let Some(at) = t
                    .cell_runs
                    .iter_mut()
                    .find(|c| (c.row, c.col) == (row, col) && !c.blocks.is_empty())
                {
                    let Some((part, inner)) =
                        crate::text::cell_part_of(&at.blocks, o.offset, o.length)
                    else {
                        return false;
                    };
                    if !crate::text::replace_in_cell_part(
                        &mut at.blocks,
                        part,
                        inner,
                        o.length,
                        replace,
                    ) {
                        return false;
                    }
                    let text = crate::model::cell_blocks_text(&at.blocks);
                    if let Some(cell) = t.rows.get_mut(row).and_then(|r| r.get_mut(col)) {
                        *cell = text;
                    }
                    return true;
                }
                match t.rows.get_mut(row).and_then(|r| r.get_mut(col)) {
                    Some(cell) if end <= text::str_len(cell) => {
                        text::replace_in_str(cell, o.offset, o.length, replace);
                        if let Some(runs) = t
                            .cell_runs
                            .iter_mut()
                            .find(|c| (c.row, c.col) == (row, col))
                        {
                            text::replace(&mut runs.runs, o.offset, o.length, replace);
                        }
                        true
                    }
                    _ => false,
                }
            }
            (Block::List(l), Within::Item { item }) => match l.items.get_mut(item) {
                Some(it) if end <= text::str_len(&it.text) => {
                    text::replace_in_str(&mut it.text, o.offset, o.length, replace);
                    if let Some(runs) = &mut it.runs {
                        text::replace(runs, o.offset, o.length, replace);
                    }
                    true
                }
                _ => false,
            },
            _ => false,
        }
    }

    /// Folds a text edit event into the state (see [`Document::try_apply`]).
    pub(crate) fn apply_text_edit(
        &mut self,
        event: &DocumentEvent,
        misfit: &dyn Fn(&'static str) -> EventMisfit,
    ) -> Result<(), EventMisfit> {
        use DocumentEvent as E;
        match event {
            E::TextInserted {
                block_id,
                offset,
                text: t,
            } => {
                let r = self.runs_mut(block_id).ok_or(misfit("no such paragraph"))?;
                if *offset > text::char_len(r) {
                    return Err(misfit("offset past the end of the text"));
                }
                text::insert(r, *offset, t);
            }
            E::TextDeleted {
                block_id,
                offset,
                length,
            } => {
                let r = self.runs_mut(block_id).ok_or(misfit("no such paragraph"))?;
                let end = offset
                    .checked_add(*length)
                    .filter(|end| *end <= text::char_len(r))
                    .ok_or(misfit("range outside the text"))?;
                text::delete(r, *offset, end);
            }
            E::TextReplaced {
                replace,
                occurrences,
                ..
            } => {
                // Back to front, so earlier offsets stay valid. Each occurrence is checked
                // on its own: one that does not fit is skipped.
                let mut fitted = 0;
                for o in occurrences.iter().rev() {
                    fitted += usize::from(self.replace_occurrence(o, replace));
                }
                if fitted < occurrences.len() {
                    return Err(misfit("an occurrence is outside its text"));
                }
            }
            E::TextFormatted {
                block_id,
                start,
                end,
                format,
            } => {
                let r = self.runs_mut(block_id).ok_or(misfit("no such paragraph"))?;
                if start >= end || *end > text::char_len(r) {
                    return Err(misfit("range outside the text"));
                }
                text::format(r, *start, *end, format);
            }
            _ => return Err(misfit("not an event of this feature")),
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    //! Given/when/then: this feature's rules.

    use crate::command::*;
    use crate::decide::tests::{create, given, limits, para, when};
    use crate::error::DocumentError;
    use crate::event::DocumentEvent;
    use crate::ids::BlockId;
    use crate::model::*;

    #[test]
    fn insert_and_delete_text_check_their_ranges() {
        let doc = given(&[create(), para("hello")]);
        let target = Some(BlockId::new("b2"));
        let doc2 = when(
            &doc,
            DocumentCommand::InsertText(InsertText {
                block_id: target.clone(),
                block_index: None,
                offset: 5,
                text: " world".into(),
            }),
        )
        .unwrap();
        assert_eq!(doc2.blocks[0].text(), "hello world");
        let err = when(
            &doc,
            DocumentCommand::DeleteText(DeleteText {
                block_id: target,
                block_index: None,
                offset: 3,
                length: 3,
            }),
        )
        .unwrap_err();
        assert!(
            matches!(err, DocumentError::TextRangeOutOfBounds { .. }),
            "{err:?}"
        );
    }

    #[test]
    fn replace_text_reaches_tables_and_lists() {
        let doc = given(&[
            create(),
            para("the cat"),
            DocumentCommand::AddTable(AddTable {
                data: Some(vec![vec!["cat".into(), "dog".into()]]),
                ..AddTable::default()
            }),
            DocumentCommand::AddList(AddList {
                kind: ListKind::Bullet,
                items: vec![ListItemInput::Text("a Cat".into())],
                position: None,
            }),
        ]);
        let doc = when(
            &doc,
            DocumentCommand::ReplaceText(ReplaceText {
                find: "cat".into(),
                replace: "lion".into(),
                match_case: false,
                whole_word: true,
            }),
        )
        .unwrap();
        assert_eq!(doc.plain_text(), "the lion\nlion\tdog\na lion\n");
    }

    #[test]
    fn replace_without_matches_produces_no_event() {
        let doc = given(&[create(), para("x")]);
        let events = doc
            .decide(
                &DocumentCommand::ReplaceText(ReplaceText {
                    find: "zzz".into(),
                    replace: "y".into(),
                    match_case: true,
                    whole_word: false,
                }),
                &limits(),
            )
            .unwrap();
        assert!(events.is_empty());
    }

    #[test]
    fn format_text_splits_runs_and_validates_colour() {
        let doc = given(&[create(), para("hello world")]);
        let fmt = |color: &str| {
            DocumentCommand::FormatText(FormatText {
                block_id: Some(BlockId::new("b2")),
                block_index: None,
                start: 0,
                end: Some(5),
                bold: Some(true),
                italic: None,
                underline: None,
                strike: None,
                font: None,
                size_pt: None,
                color: Some(color.into()),
                highlight: None,
                ..FormatText::default()
            })
        };
        let doc2 = when(&doc, fmt("#ff0000")).unwrap();
        let Block::Paragraph(p) = &doc2.blocks[0] else {
            panic!("paragraph expected")
        };
        assert_eq!(p.runs.len(), 2);
        assert!(p.runs[0].format.bold);
        assert_eq!(p.runs[0].format.color.as_deref(), Some("FF0000"));
        assert_eq!(
            when(&doc, fmt("red")).unwrap_err().field().as_deref(),
            Some("color")
        );
    }

    // See: issue 9: a font name with U+0001 made word/document.xml unreadable for good.
    #[test]
    fn font_names_with_characters_xml_cannot_hold_are_refused() {
        let doc = given(&[create()]);
        for font in ["A\u{0}", "A\u{1}", "A\u{b}", "A\u{fffe}", "A\nB"] {
            let err = when(
                &doc,
                DocumentCommand::AddParagraph(AddParagraph {
                    runs: Some(vec![RunInput {
                        text: "x".into(),
                        bold: false,
                        italic: false,
                        underline: false,
                        strike: false,
                        font: Some(font.into()),
                        size_pt: None,
                        color: None,
                        highlight: None,
                        ..RunInput::default()
                    }]),
                    ..AddParagraph::default()
                }),
            )
            .unwrap_err();
            assert_eq!(err.field().as_deref(), Some("runs.0.font"), "{font:?}");
        }
    }

    // See: issue 9 ("No single request takes folio down"): this request was accepted, stored,
    // and then panicked every projector that applied it.
    #[test]
    fn delete_text_with_a_length_that_wraps_is_refused() {
        let doc = given(&[create(), para("hello world")]);
        for (offset, length) in [(1, usize::MAX), (2, usize::MAX - 1), (usize::MAX, 1)] {
            let refused = when(
                &doc,
                DocumentCommand::DeleteText(DeleteText {
                    block_id: Some(BlockId::new("b2")),
                    block_index: None,
                    offset,
                    length,
                }),
            );
            assert!(
                matches!(refused, Err(DocumentError::TextRangeOutOfBounds { .. })),
                "{refused:?}"
            );
        }
    }

    #[test]
    fn a_stored_event_whose_range_wraps_changes_nothing_but_the_version() {
        let mut doc = given(&[create(), para("hello world")]);
        let before = doc.clone();
        let poison = DocumentEvent::TextDeleted {
            block_id: BlockId::new("b2"),
            offset: 1,
            length: usize::MAX,
        };
        assert!(doc.try_apply(&poison).is_err());
        assert_eq!(doc.blocks, before.blocks);
        assert_eq!(doc.version.get(), before.version.get() + 1);
    }
}
