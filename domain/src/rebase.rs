//! Rebasing a stale write: commands a client decided against an older version, applied to
//! the current one when the events since do not overlap them.
//!
//! The rule is the one that makes a rebase safe whatever the commands are: a rebase is
//! accepted only when applying the client's commands and the events since in either order
//! gives the same document. (In the order "the client's first", its commands are decided
//! at its version numbered as if after the current one, so blocks they create get the ids
//! they get now.) Positions are re-resolved first: a `block_index` or a `position.index`
//! the client read at its version names the block that stood there, by id.

use serde_json::Value;

use crate::{BlockId, Document, DocumentCommand, DocumentError, DocumentEvent, Limits};

/// Why a rebase was not made.
#[derive(Debug, Clone, PartialEq)]
pub enum RebaseError {
    /// The commands do not apply at the version the client read: the same refusal as an
    /// exact-version write would get (`index`: which command).
    Refused {
        /// Why.
        error: DocumentError,
        /// Which command (0-based).
        index: usize,
    },
    /// The events since that version overlap the commands: `blocks` are the blocks both
    /// touch (empty when the overlap is of positions or of the whole document).
    Conflict {
        /// Blocks the commands read or change that the events since changed.
        blocks: Vec<BlockId>,
    },
}

/// The commands, anchored to block ids, when applying them to `now` (the current version)
/// commutes with the `intervening` events that led from `old` (the version the client
/// read) to `now`.
///
/// # Errors
/// [`RebaseError`].
pub fn rebase(
    old: &Document,
    intervening: &[DocumentEvent],
    now: &Document,
    commands: &[DocumentCommand],
    limits: &Limits,
) -> Result<Vec<DocumentCommand>, RebaseError> {
    // Commands about versions (a label, a revert) mean the version the client read: never
    // moved to another one.
    if commands.iter().any(|c| {
        matches!(
            c,
            DocumentCommand::LabelVersion(_) | DocumentCommand::RevertToVersion(_)
        )
    }) {
        return Err(RebaseError::Conflict { blocks: Vec::new() });
    }
    let anchored: Vec<DocumentCommand> = commands.iter().map(|c| anchor(c, old)).collect();
    // The client's version, numbered as the current one: what its commands create there
    // is named as it is named now.
    let mut renumbered = old.clone();
    renumbered.version = now.version;
    let (mut ours_first, ours) = run(&renumbered, &anchored, limits)
        .map_err(|(error, index)| RebaseError::Refused { error, index })?;
    let touched: Vec<BlockId> = intervening
        .iter()
        .flat_map(|e| {
            e.touched_block_ids()
                .into_iter()
                .chain(e.created_block_ids())
        })
        .collect();
    let referenced: Vec<BlockId> = anchored
        .iter()
        .flat_map(referenced_blocks)
        .chain(ours.iter().flat_map(DocumentEvent::touched_block_ids))
        .collect();
    let conflict = || RebaseError::Conflict {
        blocks: dedup(referenced.iter().filter(|b| touched.contains(b)).cloned()),
    };
    let (after_now, decided_now) = run(now, &anchored, limits).map_err(|_| conflict())?;
    // The other order: the client's commands at its version, then the events since.
    for event in intervening {
        ours_first.try_apply(event).map_err(|_| conflict())?;
    }
    // Only the version count differs between the orders (the renumbering).
    ours_first.version = after_now.version;
    if decided_now.len() == ours.len() && ours_first == after_now {
        Ok(anchored)
    } else {
        Err(conflict())
    }
}

/// Decides and applies `commands` in order on a copy of `doc`: the state after them and
/// the events; or the first refusal and its command's index.
fn run(
    doc: &Document,
    commands: &[DocumentCommand],
    limits: &Limits,
) -> Result<(Document, Vec<DocumentEvent>), (DocumentError, usize)> {
    let mut state = doc.clone();
    let mut events = Vec::new();
    for (index, command) in commands.iter().enumerate() {
        let decided = state.decide(command, limits).map_err(|e| (e, index))?;
        for event in decided {
            // A decided event always fits the state it was decided on.
            state.apply(&event);
            events.push(event);
        }
    }
    Ok((state, events))
}

/// `command` with a `block_index` (where it has no `block_id`) and a `position.index`
/// replaced by the id of the block that stood there in `old`; as it is when that does not
/// parse (the command then names positions, and the order check decides).
fn anchor(command: &DocumentCommand, old: &Document) -> DocumentCommand {
    let Ok(mut value) = serde_json::to_value(command) else {
        return command.clone();
    };
    crate::input::anchor_to_ids(&mut value, old);
    let mut anchored: DocumentCommand =
        serde_json::from_value(value).unwrap_or_else(|_| command.clone());
    // What the write path filled in (never part of the wire form) stays.
    let stamp = command.stamp().cloned().flatten();
    if let Some(slot) = anchored.stamp_mut() {
        *slot = stamp;
    }
    anchored
}

/// The block ids a command names (`block_id`, `position.after`/`before`, ranges).
fn referenced_blocks(command: &DocumentCommand) -> Vec<BlockId> {
    let mut out = Vec::new();
    if let Ok(value) = serde_json::to_value(command) {
        collect_ids(&value, &mut out);
    }
    out
}

fn collect_ids(value: &Value, out: &mut Vec<BlockId>) {
    match value {
        Value::Object(map) => {
            for (key, v) in map {
                match (key.as_str(), v) {
                    (
                        "block_id" | "after" | "before" | "from_block" | "to_block",
                        Value::String(s),
                    ) => {
                        out.push(BlockId::new(s.clone()));
                    }
                    _ => collect_ids(v, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| collect_ids(v, out)),
        _ => {}
    }
}

fn dedup(ids: impl Iterator<Item = BlockId>) -> Vec<BlockId> {
    let mut out: Vec<BlockId> = Vec::new();
    for id in ids {
        if !out.contains(&id) {
            out.push(id);
        }
    }
    out
}

#[cfg(test)]
mod tests;
