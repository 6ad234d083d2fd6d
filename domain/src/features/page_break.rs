//! Page breaks.
//!
//! The commands, how they are decided and how their events are applied.

use serde::{Deserialize, Serialize};

use crate::error::{DocumentError, EventMisfit};
use crate::event::DocumentEvent;
use crate::ids::BlockId;
use crate::input::Limits;
use crate::input::Position;
use crate::model::{Block, Document, PageBreak};

/// `add_page_break`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AddPageBreak {
    /// Where to put it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub position: Option<Position>,
}

impl Document {
    /// Decides `add_page_break`.
    pub(crate) fn decide_add_page_break(
        &self,
        c: &AddPageBreak,
        new_id: BlockId,
        limits: &Limits,
    ) -> Result<DocumentEvent, DocumentError> {
        Ok(DocumentEvent::PageBreakAdded {
            block_id: new_id,
            index: self.insertion_index(c.position.as_ref(), limits)?,
        })
    }

    /// Folds a page break event into the state (see [`Document::try_apply`]).
    pub(crate) fn apply_page_break(
        &mut self,
        event: &DocumentEvent,
        misfit: &dyn Fn(&'static str) -> EventMisfit,
    ) -> Result<(), EventMisfit> {
        use DocumentEvent as E;
        match event {
            E::PageBreakAdded { block_id, index } => self.insert_block(
                *index,
                Block::PageBreak(PageBreak {
                    id: block_id.clone(),
                }),
            ),
            _ => return Err(misfit("not an event of this feature")),
        }
        Ok(())
    }
}
