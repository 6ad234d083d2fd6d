//! Paragraph formatting: the spacing, indents and pagination of a paragraph or heading.
//!
//! The command, how it is decided and how its event is applied.

use serde::{Deserialize, Serialize};

use crate::error::{DocumentError, EventMisfit};
use crate::event::DocumentEvent;
use crate::ids::BlockId;
use crate::input::text_runs;
use crate::model::{Block, Document, ParagraphFormat};

/// Largest spacing or indent, in points (Word's own limit: 22 inches).
pub(crate) const MAX_LENGTH_PT: f32 = 1584.0;
/// Line spacing range, as a multiple of single spacing.
pub(crate) const LINE_SPACING_RANGE: (f32, f32) = (0.25, 10.0);

/// `set_paragraph_format`: changes the fields given; the others stay as they are. A
/// first-line indent and a hanging indent exclude each other: setting one clears the other.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SetParagraphFormat {
    /// Target block id (a paragraph or heading).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub block_id: Option<BlockId>,
    /// Target block index.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub block_index: Option<usize>,
    /// Space before, in points (0 to 1584).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(minimum = 0, maximum = 1584))]
    pub spacing_before: Option<f32>,
    /// Space after, in points (0 to 1584).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(minimum = 0, maximum = 1584))]
    pub spacing_after: Option<f32>,
    /// Line spacing as a multiple of single spacing (0.25 to 10; 1.5, 2 for double).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(minimum = 0.25, maximum = 10))]
    pub line_spacing: Option<f32>,
    /// Left indent, in points (-1584 to 1584).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(minimum = -1584, maximum = 1584))]
    pub indent_left: Option<f32>,
    /// Right indent, in points (-1584 to 1584).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(minimum = -1584, maximum = 1584))]
    pub indent_right: Option<f32>,
    /// First-line indent, in points (0 to 1584; clears `hanging`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(minimum = 0, maximum = 1584))]
    pub first_line: Option<f32>,
    /// Hanging indent, in points (0 to 1584; clears `first_line`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(minimum = 0, maximum = 1584))]
    pub hanging: Option<f32>,
    /// Keep on the same page as the next paragraph.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub keep_with_next: Option<bool>,
    /// Start on a new page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page_break_before: Option<bool>,
}

/// Checks a length in points against `min..=MAX_LENGTH_PT`.
fn length(field: &str, value: Option<f32>, min: f32) -> Result<Option<f32>, DocumentError> {
    match value {
        Some(v) if !v.is_finite() || v < min || v > MAX_LENGTH_PT => Err(DocumentError::invalid(
            field,
            format!("must be {min} to {MAX_LENGTH_PT} points"),
        )),
        other => Ok(other),
    }
}

impl Document {
    /// Decides `set_paragraph_format`.
    pub(crate) fn decide_set_paragraph_format(
        &self,
        c: &SetParagraphFormat,
    ) -> Result<Option<DocumentEvent>, DocumentError> {
        let (_, block) = self.target(c.block_id.as_ref(), c.block_index)?;
        text_runs(block)?;
        let current = match block {
            Block::Paragraph(p) => p.format,
            Block::Heading(h) => h.format,
            _ => ParagraphFormat::default(),
        };
        if c.first_line.is_some() && c.hanging.is_some() {
            return Err(DocumentError::invalid(
                "hanging",
                "give first_line or hanging, not both",
            ));
        }
        if let Some(l) = c.line_spacing
            && (!l.is_finite() || l < LINE_SPACING_RANGE.0 || l > LINE_SPACING_RANGE.1)
        {
            return Err(DocumentError::invalid(
                "line_spacing",
                format!(
                    "must be {} to {} times single spacing",
                    LINE_SPACING_RANGE.0, LINE_SPACING_RANGE.1
                ),
            ));
        }
        let mut format = current;
        let set = |slot: &mut Option<f32>, value: Option<f32>| {
            if value.is_some() {
                *slot = value;
            }
        };
        set(
            &mut format.spacing_before,
            length("spacing_before", c.spacing_before, 0.0)?,
        );
        set(
            &mut format.spacing_after,
            length("spacing_after", c.spacing_after, 0.0)?,
        );
        set(&mut format.line_spacing, c.line_spacing);
        let min = -MAX_LENGTH_PT;
        set(
            &mut format.indent_left,
            length("indent_left", c.indent_left, min)?,
        );
        set(
            &mut format.indent_right,
            length("indent_right", c.indent_right, min)?,
        );
        if let Some(first) = length("first_line", c.first_line, 0.0)? {
            format.first_line = Some(first);
            format.hanging = None;
        }
        if let Some(hanging) = length("hanging", c.hanging, 0.0)? {
            format.hanging = Some(hanging);
            format.first_line = None;
        }
        if c.keep_with_next.is_some() {
            format.keep_with_next = c.keep_with_next;
        }
        if c.page_break_before.is_some() {
            format.page_break_before = c.page_break_before;
        }
        let given = c.spacing_before.is_some()
            || c.spacing_after.is_some()
            || c.line_spacing.is_some()
            || c.indent_left.is_some()
            || c.indent_right.is_some()
            || c.first_line.is_some()
            || c.hanging.is_some()
            || c.keep_with_next.is_some()
            || c.page_break_before.is_some();
        if !given {
            return Err(DocumentError::invalid(
                "spacing_before",
                "give at least one of spacing_before, spacing_after, line_spacing, indent_left, indent_right, first_line, hanging, keep_with_next, page_break_before",
            ));
        }
        if format == current {
            return Ok(None);
        }
        Ok(Some(DocumentEvent::ParagraphFormatSet {
            block_id: block.id().clone(),
            format,
        }))
    }

    /// Folds a paragraph format event into the state (see [`Document::try_apply`]).
    pub(crate) fn apply_paragraph_format(
        &mut self,
        event: &DocumentEvent,
        misfit: &dyn Fn(&'static str) -> EventMisfit,
    ) -> Result<(), EventMisfit> {
        let DocumentEvent::ParagraphFormatSet { block_id, format } = event else {
            return Err(misfit("not an event of this feature"));
        };
        match self.block_mut(block_id) {
            Some(Block::Paragraph(p)) => p.format = *format,
            Some(Block::Heading(h)) => h.format = *format,
            _ => return Err(misfit("no such paragraph")),
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    //! Given/when/then: this feature's rules.

    use crate::command::*;
    use crate::decide::tests::{create, given, para, when};
    use crate::error::DocumentError;
    use crate::model::{Block, ParagraphFormat, Table};

    fn format_of(doc: &crate::model::Document, index: usize) -> ParagraphFormat {
        match &doc.blocks[index] {
            Block::Paragraph(p) => p.format,
            Block::Heading(h) => h.format,
            other => panic!("{other:?}"),
        }
    }

    fn set(c: SetParagraphFormat) -> DocumentCommand {
        DocumentCommand::SetParagraphFormat(SetParagraphFormat {
            block_index: Some(0),
            ..c
        })
    }

    #[test]
    fn formats_patch_and_first_line_excludes_hanging() {
        let doc = given(&[create(), para("text")]);
        let doc = when(
            &doc,
            set(SetParagraphFormat {
                spacing_before: Some(12.0),
                line_spacing: Some(1.5),
                hanging: Some(18.0),
                ..SetParagraphFormat::default()
            }),
        )
        .unwrap();
        let doc = when(
            &doc,
            set(SetParagraphFormat {
                first_line: Some(24.0),
                keep_with_next: Some(true),
                ..SetParagraphFormat::default()
            }),
        )
        .unwrap();
        let f = format_of(&doc, 0);
        assert_eq!(f.spacing_before, Some(12.0));
        assert_eq!(f.line_spacing, Some(1.5));
        assert_eq!(f.first_line, Some(24.0));
        assert_eq!(f.hanging, None);
        assert_eq!(f.keep_with_next, Some(true));
    }

    #[test]
    fn bad_formats_are_refused_and_change_nothing() {
        let doc = given(&[create(), para("text")]);
        let bad = [
            SetParagraphFormat::default(),
            SetParagraphFormat {
                first_line: Some(1.0),
                hanging: Some(1.0),
                ..SetParagraphFormat::default()
            },
            SetParagraphFormat {
                spacing_after: Some(-1.0),
                ..SetParagraphFormat::default()
            },
            SetParagraphFormat {
                indent_left: Some(5000.0),
                ..SetParagraphFormat::default()
            },
            SetParagraphFormat {
                line_spacing: Some(0.0),
                ..SetParagraphFormat::default()
            },
            SetParagraphFormat {
                line_spacing: Some(f32::NAN),
                ..SetParagraphFormat::default()
            },
        ];
        for c in bad {
            let err = when(&doc, set(c.clone())).unwrap_err();
            assert!(
                matches!(err, DocumentError::InvalidField { .. }),
                "{c:?}: {err:?}"
            );
        }
    }

    #[test]
    fn only_paragraphs_and_headings_take_a_format() {
        let doc = given(&[
            create(),
            DocumentCommand::AddTable(AddTable {
                rows: Some(1),
                cols: Some(1),
                ..AddTable::default()
            }),
        ]);
        assert!(matches!(doc.blocks[0], Block::Table(Table { .. })));
        let err = when(
            &doc,
            set(SetParagraphFormat {
                spacing_before: Some(1.0),
                ..SetParagraphFormat::default()
            }),
        )
        .unwrap_err();
        assert!(
            matches!(err, DocumentError::WrongBlockType { .. }),
            "{err:?}"
        );
    }

    #[test]
    fn the_same_format_again_changes_nothing() {
        let doc = given(&[create(), para("text")]);
        let c = set(SetParagraphFormat {
            spacing_after: Some(6.0),
            ..SetParagraphFormat::default()
        });
        let doc = when(&doc, c.clone()).unwrap();
        let events = doc.decide(&c, &crate::decide::Limits::default()).unwrap();
        assert!(events.is_empty());
    }
}
