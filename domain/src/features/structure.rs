//! The order of blocks: deleting and moving them.
//!
//! The commands, how they are decided and how their events are applied.

use serde::{Deserialize, Serialize};

use crate::command::Position;
use crate::error::{DocumentError, EventMisfit};
use crate::event::DocumentEvent;
use crate::ids::BlockId;
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
