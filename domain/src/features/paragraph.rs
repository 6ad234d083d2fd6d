//! Paragraphs and headings: adding them, replacing their text, aligning them.
//!
//! The commands, how they are decided and how their events are applied.

use serde::{Deserialize, Serialize};

use crate::error::{DocumentError, EventMisfit};
use crate::event::DocumentEvent;
use crate::ids::BlockId;
use crate::input::{Limits, check_text, normalized, runs_from, text_runs};
use crate::input::{Position, RunInput};
use crate::model::plain_runs;
use crate::model::{Alignment, Block, Document, Heading, Paragraph, ParagraphFormat};

/// `add_paragraph`: `text` or `runs` (or neither, for an empty paragraph).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AddParagraph {
    /// Plain text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// Formatted runs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub runs: Option<Vec<RunInput>>,
    /// Paragraph style id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(
        feature = "openapi",
        schema(pattern = "^(Normal|Title|Subtitle|Quote|IntenseQuote|Caption|NoSpacing)$")
    )]
    pub style: Option<String>,
    /// Alignment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alignment: Option<Alignment>,
    /// Where to put it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub position: Option<Position>,
}

/// `add_heading`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AddHeading {
    /// Heading text.
    pub text: String,
    /// Level 1-9 (default 1).
    #[serde(default = "one")]
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 9))]
    pub level: u8,
    /// Where to put it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub position: Option<Position>,
}

fn one() -> u8 {
    1
}

/// `update_paragraph`: replaces the whole content with `text` or `runs`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UpdateParagraph {
    /// Target block id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub block_id: Option<BlockId>,
    /// Target block index.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub block_index: Option<usize>,
    /// Plain text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// Formatted runs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub runs: Option<Vec<RunInput>>,
}

/// `set_alignment`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SetAlignment {
    /// Target block id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub block_id: Option<BlockId>,
    /// Target block index.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub block_index: Option<usize>,
    /// New alignment.
    pub alignment: Alignment,
}

impl Document {
    /// Decides `add_paragraph`.
    pub(crate) fn decide_add_paragraph(
        &self,
        c: &AddParagraph,
        new_id: BlockId,
        limits: &Limits,
    ) -> Result<Option<DocumentEvent>, DocumentError> {
        let event = {
            let runs = runs_from("text", c.text.as_deref(), c.runs.as_deref(), limits)?
                .unwrap_or_default();
            self.check_run_references(&runs, "runs")?;
            if let Some(style) = &c.style {
                self.check_style("style", style, crate::model::StyleKind::Paragraph)?;
            }
            DocumentEvent::ParagraphAdded {
                block_id: new_id,
                index: self.insertion_index(c.position.as_ref(), limits)?,
                runs,
                style: c.style.clone(),
                alignment: c.alignment,
            }
        };
        Ok(Some(event))
    }

    /// Decides `add_heading`.
    pub(crate) fn decide_add_heading(
        &self,
        c: &AddHeading,
        new_id: BlockId,
        limits: &Limits,
    ) -> Result<Option<DocumentEvent>, DocumentError> {
        let event = {
            if !(1..=9).contains(&c.level) {
                return Err(DocumentError::invalid(
                    "level",
                    "heading level must be 1 to 9",
                ));
            }
            check_text("text", &c.text, limits.max_text_chars)?;
            DocumentEvent::HeadingAdded {
                block_id: new_id,
                index: self.insertion_index(c.position.as_ref(), limits)?,
                level: c.level,
                runs: plain_runs(&c.text),
            }
        };
        Ok(Some(event))
    }

    /// Decides `update_paragraph`.
    pub(crate) fn decide_update_paragraph(
        &self,
        c: &UpdateParagraph,
        limits: &Limits,
    ) -> Result<Option<DocumentEvent>, DocumentError> {
        let event = {
            let (_, block) = self.target(c.block_id.as_ref(), c.block_index)?;
            text_runs(block)?;
            let runs = runs_from("text", c.text.as_deref(), c.runs.as_deref(), limits)?
                .ok_or_else(|| DocumentError::invalid("text", "give text or runs"))?;
            self.check_run_references(&runs, "runs")?;
            DocumentEvent::ParagraphUpdated {
                block_id: block.id().clone(),
                runs,
            }
        };
        Ok(Some(event))
    }

    /// Decides `set_alignment`.
    pub(crate) fn decide_set_alignment(
        &self,
        c: &SetAlignment,
    ) -> Result<Option<DocumentEvent>, DocumentError> {
        let event = {
            let (_, block) = self.target(c.block_id.as_ref(), c.block_index)?;
            text_runs(block)?;
            DocumentEvent::AlignmentSet {
                block_id: block.id().clone(),
                alignment: c.alignment,
            }
        };
        Ok(Some(event))
    }

    /// Folds a paragraph event into the state (see [`Document::try_apply`]).
    pub(crate) fn apply_paragraph(
        &mut self,
        event: &DocumentEvent,
        misfit: &dyn Fn(&'static str) -> EventMisfit,
    ) -> Result<(), EventMisfit> {
        use DocumentEvent as E;
        match event {
            E::ParagraphAdded {
                block_id,
                index,
                runs,
                style,
                alignment,
            } => self.insert_block(
                *index,
                Block::Paragraph(Paragraph {
                    id: block_id.clone(),
                    runs: normalized(runs),
                    style: style.clone(),
                    alignment: *alignment,
                    format: ParagraphFormat::default(),
                    bookmarks: Vec::new(),
                }),
            ),
            E::HeadingAdded {
                block_id,
                index,
                level,
                runs,
            } => self.insert_block(
                *index,
                Block::Heading(Heading {
                    id: block_id.clone(),
                    level: (*level).clamp(1, 9),
                    runs: normalized(runs),
                    alignment: None,
                    format: ParagraphFormat::default(),
                    bookmarks: Vec::new(),
                }),
            ),
            E::ParagraphUpdated { block_id, runs } => {
                let current = self.runs_mut(block_id).ok_or(misfit("no such paragraph"))?;
                let mut new = normalized(runs);
                // Comment anchors and note references stay where the text did not change.
                crate::text::carry_marks(current, &mut new);
                *current = new;
            }
            E::AlignmentSet {
                block_id,
                alignment,
            } => match self.block_mut(block_id) {
                Some(Block::Paragraph(p)) => p.alignment = Some(*alignment),
                Some(Block::Heading(h)) => h.alignment = Some(*alignment),
                _ => return Err(misfit("no such paragraph")),
            },
            _ => return Err(misfit("not an event of this feature")),
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    //! Given/when/then: this feature's rules.

    use crate::command::*;
    use crate::decide::tests::{create, given, para, when};

    #[test]
    fn heading_levels_are_one_to_nine() {
        let doc = given(&[create()]);
        let err = when(
            &doc,
            DocumentCommand::AddHeading(AddHeading {
                text: "x".into(),
                level: 10,
                position: None,
            }),
        )
        .unwrap_err();
        assert_eq!(err.field().as_deref(), Some("level"));
    }

    #[test]
    fn control_characters_are_refused() {
        let doc = given(&[create()]);
        let err = when(&doc, para("bad\u{1}")).unwrap_err();
        assert_eq!(err.field().as_deref(), Some("text"));
    }
}
