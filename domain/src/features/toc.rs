//! Tables of contents: Word's TOC field over the document's headings.
//!
//! The command, how it is decided and how its event is applied.

use serde::{Deserialize, Serialize};

use crate::error::{DocumentError, EventMisfit};
use crate::event::DocumentEvent;
use crate::ids::BlockId;
use crate::input::Position;
use crate::input::{Limits, check_text};
use crate::model::{Block, Document, TableOfContents};

/// Longest title, in characters.
const MAX_TITLE_CHARS: usize = 200;

/// `add_table_of_contents`: a table of contents listing the headings down to `max_level`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AddTableOfContents {
    /// Where to put it (default: the end).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub position: Option<Position>,
    /// Deepest heading level listed, 1-9 (default 3).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 9))]
    pub max_level: Option<u8>,
    /// A title above the entries ("Contents"); none by default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(max_length = 200))]
    pub title: Option<String>,
}

impl Document {
    /// Decides `add_table_of_contents`.
    pub(crate) fn decide_add_table_of_contents(
        &self,
        c: &AddTableOfContents,
        new_id: BlockId,
        limits: &Limits,
    ) -> Result<DocumentEvent, DocumentError> {
        let max_level = c.max_level.unwrap_or(3);
        if !(1..=9).contains(&max_level) {
            return Err(DocumentError::invalid(
                "max_level",
                "max_level must be 1 to 9",
            ));
        }
        let title = match &c.title {
            Some(t) if t.trim().is_empty() => {
                return Err(DocumentError::invalid(
                    "title",
                    "leave the title out rather than blank",
                ));
            }
            Some(t) => {
                check_text("title", t, MAX_TITLE_CHARS)?;
                if t.contains(['\n', '\r', '\t']) {
                    return Err(DocumentError::invalid("title", "a title is one line"));
                }
                Some(t.clone())
            }
            None => None,
        };
        Ok(DocumentEvent::TableOfContentsAdded {
            block_id: new_id,
            index: self.insertion_index(c.position.as_ref(), limits)?,
            max_level,
            title,
        })
    }

    /// Folds a table of contents event into the state (see [`Document::try_apply`]).
    pub(crate) fn apply_toc(
        &mut self,
        event: &DocumentEvent,
        misfit: &dyn Fn(&'static str) -> EventMisfit,
    ) -> Result<(), EventMisfit> {
        let DocumentEvent::TableOfContentsAdded {
            block_id,
            index,
            max_level,
            title,
        } = event
        else {
            return Err(misfit("not an event of this feature"));
        };
        self.insert_block(
            *index,
            Block::TableOfContents(TableOfContents {
                id: block_id.clone(),
                max_level: (*max_level).clamp(1, 9),
                title: title.clone(),
                pages: Vec::new(),
            }),
        );
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    //! Given/when/then: this feature's rules.

    use crate::command::*;
    use crate::decide::tests::{create, given, when};
    use crate::model::Block;

    fn heading(text: &str, level: u8) -> DocumentCommand {
        DocumentCommand::AddHeading(AddHeading {
            text: text.into(),
            level,
            position: None,
        })
    }

    #[test]
    fn lists_the_headings_down_to_its_level_as_they_are_now() {
        let doc = given(&[
            create(),
            DocumentCommand::AddTableOfContents(AddTableOfContents {
                max_level: Some(2),
                title: Some("Contents".into()),
                ..AddTableOfContents::default()
            }),
            heading("One", 1),
            heading("One.a", 2),
            heading("deep", 3),
        ]);
        let Block::TableOfContents(toc) = &doc.blocks[0] else {
            panic!("{:?}", doc.blocks[0]);
        };
        let entries: Vec<(u8, String)> = doc
            .toc_entries(toc.max_level)
            .map(|(_, level, text)| (level, text))
            .collect();
        assert_eq!(entries, [(1, "One".into()), (2, "One.a".into())]);
        assert_eq!(doc.blocks[0].text(), "Contents");
    }

    #[test]
    fn bad_levels_and_titles_are_refused() {
        let doc = given(&[create()]);
        for c in [
            AddTableOfContents {
                max_level: Some(0),
                ..AddTableOfContents::default()
            },
            AddTableOfContents {
                max_level: Some(10),
                ..AddTableOfContents::default()
            },
            AddTableOfContents {
                title: Some("  ".into()),
                ..AddTableOfContents::default()
            },
            AddTableOfContents {
                title: Some("a\nb".into()),
                ..AddTableOfContents::default()
            },
        ] {
            assert!(
                when(&doc, DocumentCommand::AddTableOfContents(c.clone())).is_err(),
                "{c:?}"
            );
        }
    }
}
