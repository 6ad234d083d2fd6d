//! The order of blocks: deleting and moving them.
//!
//! The commands, how they are decided and how their events are applied.

use serde::{Deserialize, Serialize};

use crate::error::{DocumentError, EventMisfit};
use crate::event::DocumentEvent;
use crate::ids::BlockId;
use crate::input::Position;
use crate::model::Document;

/// `delete_block`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct DeleteBlock {
    /// Target block id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub block_id: Option<BlockId>,
    /// Target block index.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub block_index: Option<usize>,
}

/// `move_block`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct MoveBlock {
    /// Target block id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub block_id: Option<BlockId>,
    /// Target block index.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub block_index: Option<usize>,
    /// Where to move it, resolved against the document as it is before the move.
    pub position: Position,
}

impl Document {
    /// Decides `delete_block`.
    pub(crate) fn decide_delete_block(
        &self,
        c: &DeleteBlock,
    ) -> Result<Option<DocumentEvent>, DocumentError> {
        let event = {
            let (_, block) = self.target(c.block_id.as_ref(), c.block_index)?;
            DocumentEvent::BlockDeleted {
                block_id: block.id().clone(),
            }
        };
        Ok(Some(event))
    }

    /// Decides `move_block`.
    pub(crate) fn decide_move_block(
        &self,
        c: &MoveBlock,
    ) -> Result<Option<DocumentEvent>, DocumentError> {
        let event = {
            let (from, block) = self.target(c.block_id.as_ref(), c.block_index)?;
            let insert_at = self.resolve_position(Some(&c.position))?;
            let to_index = if insert_at > from {
                insert_at - 1
            } else {
                insert_at
            };
            if to_index == from {
                return Ok(None);
            }
            DocumentEvent::BlockMoved {
                block_id: block.id().clone(),
                to_index,
            }
        };
        Ok(Some(event))
    }

    /// Folds a structure event into the state (see [`Document::try_apply`]).
    pub(crate) fn apply_structure(
        &mut self,
        event: &DocumentEvent,
        misfit: &dyn Fn(&'static str) -> EventMisfit,
    ) -> Result<(), EventMisfit> {
        use DocumentEvent as E;
        match event {
            E::BlockDeleted { block_id } => {
                let i = self.position_of(block_id).ok_or(misfit("no such block"))?;
                self.blocks.remove(i);
            }
            E::BlockMoved { block_id, to_index } => {
                let i = self.position_of(block_id).ok_or(misfit("no such block"))?;
                let block = self.blocks.remove(i);
                let to = (*to_index).min(self.blocks.len());
                self.blocks.insert(to, block);
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
    use crate::decide::tests::{create, given, para, when};
    use crate::decide::*;
    use crate::error::DocumentError;
    use crate::ids::BlockId;
    use crate::model::*;

    #[test]
    fn move_block_to_the_end() {
        let doc = given(&[create(), para("a"), para("b"), para("c")]);
        let doc = when(
            &doc,
            DocumentCommand::MoveBlock(MoveBlock {
                block_id: Some(BlockId::new("b2")),
                block_index: None,
                position: Position {
                    at: Some(PositionAt::End),
                    ..Position::default()
                },
            }),
        )
        .unwrap();
        assert_eq!(doc.plain_text(), "b\nc\na\n");
    }

    #[test]
    fn positions_place_blocks() {
        let doc = given(&[create(), para("a"), para("c")]);
        let doc = when(
            &doc,
            DocumentCommand::AddParagraph(AddParagraph {
                text: Some("b".into()),
                position: Some(Position {
                    after: Some(BlockId::new("b2")),
                    ..Position::default()
                }),
                ..AddParagraph::default()
            }),
        )
        .unwrap();
        let doc = when(
            &doc,
            DocumentCommand::AddHeading(AddHeading {
                text: "T".into(),
                level: 1,
                position: Some(Position {
                    at: Some(PositionAt::Start),
                    ..Position::default()
                }),
            }),
        )
        .unwrap();
        let texts: Vec<_> = doc.blocks.iter().map(Block::text).collect();
        assert_eq!(texts, vec!["T", "a", "b", "c"]);
    }

    #[test]
    fn two_position_fields_are_refused() {
        let doc = given(&[create(), para("a")]);
        let err = when(
            &doc,
            DocumentCommand::AddPageBreak(AddPageBreak {
                position: Some(Position {
                    index: Some(0),
                    at: Some(PositionAt::End),
                    ..Position::default()
                }),
            }),
        )
        .unwrap_err();
        assert_eq!(err.field().as_deref(), Some("position"));
    }

    #[test]
    fn unknown_block_is_a_typed_error() {
        let doc = given(&[create(), para("a")]);
        let err = when(
            &doc,
            DocumentCommand::DeleteBlock(DeleteBlock {
                block_id: Some(BlockId::new("nope")),
                block_index: None,
            }),
        )
        .unwrap_err();
        assert_eq!(
            err,
            DocumentError::BlockNotFound {
                block_id: BlockId::new("nope"),
                field: "block_id"
            }
        );
    }

    #[test]
    fn block_index_resolves_at_the_current_version() {
        let doc = given(&[create(), para("a"), para("b")]);
        let doc = when(
            &doc,
            DocumentCommand::DeleteBlock(DeleteBlock {
                block_id: None,
                block_index: Some(0),
            }),
        )
        .unwrap();
        assert_eq!(doc.plain_text(), "b\n");
        let err = when(
            &doc,
            DocumentCommand::DeleteBlock(DeleteBlock {
                block_id: None,
                block_index: Some(5),
            }),
        )
        .unwrap_err();
        assert_eq!(
            err,
            DocumentError::BlockIndexOutOfRange { index: 5, len: 1 }
        );
    }

    #[test]
    fn the_block_limit_is_enforced() {
        let small = Limits {
            max_blocks: 1,
            ..Limits::default()
        };
        let doc = given(&[create(), para("a")]);
        let err = doc.decide(&para("b"), &small).unwrap_err();
        assert_eq!(
            err,
            DocumentError::TooLarge {
                what: "blocks",
                limit: 1
            }
        );
    }
}
