//! Bulleted and numbered lists: adding them and their items, setting item levels.
//!
//! The commands, how they are decided and how their events are applied.

use serde::{Deserialize, Serialize};

use crate::error::{DocumentError, EventMisfit};
use crate::event::DocumentEvent;
use crate::ids::BlockId;
use crate::input::Position;
use crate::input::{Limits, MAX_LIST_LEVEL, check_index, check_text, too_large, wrong_type};
use crate::model::{Block, Document, List, ListItem, ListKind};

/// A list item as a client sends it: a string, or `{"text" | "runs", "level"}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(untagged)]
pub enum ListItemInput {
    /// Just the text, level 0.
    Text(String),
    /// Text or formatted runs, and a level.
    Item {
        /// Text (not with `runs`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        text: Option<String>,
        /// Formatted runs (not with `text`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        runs: Option<Vec<crate::input::RunInput>>,
        /// Level 0-8.
        #[serde(default)]
        #[cfg_attr(feature = "openapi", schema(maximum = 8))]
        level: u8,
    },
}

/// `add_list`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AddList {
    /// Bullet or numbered.
    pub kind: ListKind,
    /// Items (at least one).
    pub items: Vec<ListItemInput>,
    /// Where to put it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub position: Option<Position>,
}

/// `add_list_item`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AddListItem {
    /// Target block id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub block_id: Option<BlockId>,
    /// Target block index.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub block_index: Option<usize>,
    /// Item text (not with `runs`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// Formatted runs (not with `text`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub runs: Option<Vec<crate::input::RunInput>>,
    /// Level 0-8 (default 0).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(maximum = 8))]
    pub level: u8,
    /// Insert before this item (default: at the end).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item: Option<usize>,
}

/// `set_list_item_level`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SetListItemLevel {
    /// Target block id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub block_id: Option<BlockId>,
    /// Target block index.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub block_index: Option<usize>,
    /// Item, 0-based.
    pub item: usize,
    /// New level 0-8.
    #[cfg_attr(feature = "openapi", schema(maximum = 8))]
    pub level: u8,
}

impl Document {
    /// Decides `add_list`.
    /// Checks the items of a list as a client sent them (`prefix` names them in errors).
    pub(crate) fn list_items(
        &self,
        prefix: &str,
        inputs: &[ListItemInput],
        limits: &Limits,
    ) -> Result<Vec<ListItem>, DocumentError> {
        let mut items = Vec::with_capacity(inputs.len());
        for (i, item) in inputs.iter().enumerate() {
            let field = format!("{prefix}.{i}");
            let (runs, level) = match item {
                ListItemInput::Text(text) => {
                    check_text(&format!("{field}.text"), text, limits.max_text_chars)?;
                    (crate::model::plain_runs(text), 0)
                }
                ListItemInput::Item { text, runs, level } => (
                    self.item_runs(&field, text.as_deref(), runs.as_deref(), limits)?,
                    *level,
                ),
            };
            check_level(&format!("{field}.level"), level)?;
            items.push(ListItem::from_runs(runs, level));
        }
        Ok(items)
    }

    pub(crate) fn decide_add_list(
        &self,
        c: &AddList,
        new_id: BlockId,
        limits: &Limits,
    ) -> Result<Option<DocumentEvent>, DocumentError> {
        let event = {
            if c.items.is_empty() {
                return Err(DocumentError::invalid(
                    "items",
                    "a list needs at least one item",
                ));
            }
            if c.items.len() > limits.max_list_items {
                return Err(too_large("list items", limits.max_list_items));
            }
            let items = self.list_items("items", &c.items, limits)?;
            DocumentEvent::ListAdded {
                block_id: new_id,
                index: self.insertion_index(c.position.as_ref(), limits)?,
                kind: c.kind,
                items,
            }
        };
        Ok(Some(event))
    }

    /// Decides `add_list_item`.
    pub(crate) fn decide_add_list_item(
        &self,
        c: &AddListItem,
        limits: &Limits,
    ) -> Result<Option<DocumentEvent>, DocumentError> {
        let event = {
            let list = self.list(c.block_id.as_ref(), c.block_index)?;
            let item = c.item.unwrap_or(list.items.len());
            check_index("item", item, list.items.len() + 1)?;
            check_level("level", c.level)?;
            let runs = self.item_runs("", c.text.as_deref(), c.runs.as_deref(), limits)?;
            if list.items.len() + 1 > limits.max_list_items {
                return Err(too_large("list items", limits.max_list_items));
            }
            let added = ListItem::from_runs(runs, c.level);
            DocumentEvent::ListItemAdded {
                block_id: list.id.clone(),
                item,
                text: added.text,
                level: c.level,
                runs: added.runs,
            }
        };
        Ok(Some(event))
    }

    /// Decides `set_list_item_level`.
    pub(crate) fn decide_set_list_item_level(
        &self,
        c: &SetListItemLevel,
    ) -> Result<Option<DocumentEvent>, DocumentError> {
        let event = {
            let list = self.list(c.block_id.as_ref(), c.block_index)?;
            check_index("item", c.item, list.items.len())?;
            check_level("level", c.level)?;
            DocumentEvent::ListItemLevelSet {
                block_id: list.id.clone(),
                item: c.item,
                level: c.level,
            }
        };
        Ok(Some(event))
    }

    /// An item's runs from `text` or `runs` (one of them), checked like a paragraph's.
    fn item_runs(
        &self,
        field: &str,
        text: Option<&str>,
        runs: Option<&[crate::input::RunInput]>,
        limits: &Limits,
    ) -> Result<Vec<crate::model::Run>, DocumentError> {
        let name = |f: &str| {
            if field.is_empty() {
                f.to_string()
            } else {
                format!("{field}.{f}")
            }
        };
        let runs = crate::input::runs_from(&name("text"), text, runs, limits)?
            .ok_or_else(|| DocumentError::invalid(name("text"), "give text or runs"))?;
        self.check_run_references(&runs, &name("runs"))?;
        Ok(runs)
    }

    pub(crate) fn list(
        &self,
        block_id: Option<&BlockId>,
        block_index: Option<usize>,
    ) -> Result<&List, DocumentError> {
        match self.target(block_id, block_index)?.1 {
            Block::List(l) => Ok(l),
            other => Err(wrong_type(other, "list")),
        }
    }

    /// Folds a list event into the state (see [`Document::try_apply`]).
    pub(crate) fn apply_list(
        &mut self,
        event: &DocumentEvent,
        misfit: &dyn Fn(&'static str) -> EventMisfit,
    ) -> Result<(), EventMisfit> {
        use DocumentEvent as E;
        match event {
            E::ListAdded {
                block_id,
                index,
                kind,
                items,
            } => self.insert_block(
                *index,
                Block::List(List {
                    id: block_id.clone(),
                    kind: *kind,
                    items: items.iter().map(bounded_item).collect(),
                    numbering: crate::model::ListNumbering::default(),
                }),
            ),
            E::ListItemAdded {
                block_id,
                item,
                text: t,
                level,
                runs,
            } => match self.block_mut(block_id) {
                Some(Block::List(l)) if *item <= l.items.len() => l.items.insert(
                    *item,
                    bounded_item(&ListItem {
                        text: t.clone(),
                        level: *level,
                        runs: runs.clone(),
                    }),
                ),
                _ => return Err(misfit("no such list, or item past its end")),
            },
            E::ListItemLevelSet {
                block_id,
                item,
                level,
            } => {
                let Some(Block::List(l)) = self.block_mut(block_id) else {
                    return Err(misfit("no such list"));
                };
                let it = l.items.get_mut(*item).ok_or(misfit("no such item"))?;
                it.level = (*level).min(MAX_LIST_LEVEL);
            }
            _ => return Err(misfit("not an event of this feature")),
        }
        Ok(())
    }
}

/// A list item with its level within Word's nine and, when it has runs, its text theirs
/// (a stored event cannot make the two disagree).
pub(crate) fn bounded_item(item: &ListItem) -> ListItem {
    let level = item.level.min(MAX_LIST_LEVEL);
    match &item.runs {
        Some(runs) => ListItem::from_runs(runs.clone(), level),
        None => ListItem {
            text: item.text.clone(),
            level,
            runs: None,
        },
    }
}

pub(crate) fn check_level(field: &str, level: u8) -> Result<(), DocumentError> {
    if level > MAX_LIST_LEVEL {
        return Err(DocumentError::invalid(
            field,
            format!("list level must be 0 to {MAX_LIST_LEVEL}"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    //! Given/when/then: this feature's rules.

    use crate::command::*;
    use crate::decide::tests::{create, given, when};
    use crate::ids::BlockId;
    use crate::model::*;

    #[test]
    fn list_levels_are_bounded() {
        let doc = given(&[
            create(),
            DocumentCommand::AddList(AddList {
                kind: ListKind::Numbered,
                items: vec![ListItemInput::Text("one".into())],
                position: None,
            }),
        ]);
        let err = when(
            &doc,
            DocumentCommand::SetListItemLevel(SetListItemLevel {
                block_id: Some(BlockId::new("b2")),
                block_index: None,
                item: 0,
                level: 9,
            }),
        )
        .unwrap_err();
        assert_eq!(err.field().as_deref(), Some("level"));
    }
}
