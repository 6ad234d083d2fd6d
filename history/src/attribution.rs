//! Which event made a block's change: for the diff (each changed block's last event) and
//! the redline (who made a block's text changes, and who its formatting changes, as
//! tracked changes record them).

use std::collections::HashMap;

use domain::{BlockId, DocumentEvent};

/// Which change of a block: its text (insertions, deletions, the block added, removed or
/// moved) or its formatting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeKind {
    /// Text, or the block itself.
    Text,
    /// Formatting.
    Format,
}

/// Whether an event changes only how blocks look or where they are, never their text.
pub fn formats_only(event: &DocumentEvent) -> bool {
    use DocumentEvent as E;
    matches!(
        event,
        E::TextFormatted { .. }
            | E::AlignmentSet { .. }
            | E::ParagraphFormatSet { .. }
            | E::ParagraphStyleSet { .. }
            | E::CharacterStyleSet { .. }
            | E::TableStyleSet { .. }
            | E::HyperlinkSet { .. }
            | E::BookmarkAdded { .. }
            | E::BookmarkRemoved { .. }
            | E::ListNumberingSet { .. }
            | E::TableCellsMerged { .. }
            | E::TableCellsSplit { .. }
            | E::TableColumnWidthsSet { .. }
            | E::TableCellsFormatted { .. }
            | E::ImageResized { .. }
            | E::BlockMoved { .. }
    )
}

/// Each block's last event among `events`, in order (one that created, changed or
/// removed it); `event` gives a recorded event's domain event.
pub fn last_changes<'e, E>(
    events: impl IntoIterator<Item = &'e E>,
    event: impl Fn(&E) -> &DocumentEvent,
) -> HashMap<BlockId, &'e E>
where
    E: 'e,
{
    let mut last = HashMap::new();
    for recorded in events {
        let e = event(recorded);
        for id in e
            .created_block_ids()
            .into_iter()
            .chain(e.touched_block_ids())
        {
            last.insert(id, recorded);
        }
    }
    last
}

/// Who made each block's changes between two versions, as tracked changes record it: for
/// its text, the last event that could change its text (or add, remove or move it); for
/// its formatting, the last event that changed its formatting. Each falls back on the
/// other.
#[derive(Debug, Clone)]
pub struct Attribution<T> {
    by_text: HashMap<BlockId, T>,
    by_format: HashMap<BlockId, T>,
}

impl<T: Clone> Attribution<T> {
    /// The attribution of `events` (in order), each event's facts made by `fact`.
    pub fn of<E>(
        events: &[E],
        event: impl Fn(&E) -> &DocumentEvent + Copy,
        fact: impl Fn(&E) -> T,
    ) -> Self {
        let (formatting, text): (Vec<&E>, Vec<&E>) =
            events.iter().partition(|e| formats_only(event(e)));
        let index = |events: Vec<&E>| {
            last_changes(events, event)
                .into_iter()
                .map(|(id, e)| (id, fact(e)))
                .collect()
        };
        Self {
            by_text: index(text),
            by_format: index(formatting),
        }
    }

    /// Who made `kind` of change to block `id`.
    pub fn get(&self, id: &BlockId, kind: ChangeKind) -> Option<T> {
        let (first, then) = match kind {
            ChangeKind::Text => (&self.by_text, &self.by_format),
            ChangeKind::Format => (&self.by_format, &self.by_text),
        };
        first.get(id).or_else(|| then.get(id)).cloned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn moved(id: &str) -> DocumentEvent {
        DocumentEvent::BlockMoved {
            block_id: BlockId::new(id),
            to_index: 0,
        }
    }

    fn deleted(id: &str) -> DocumentEvent {
        DocumentEvent::BlockDeleted {
            block_id: BlockId::new(id),
        }
    }

    #[test]
    fn text_and_formatting_are_attributed_apart_and_fall_back_on_each_other() {
        let events = vec![(1, deleted("a")), (2, moved("a")), (3, moved("b"))];
        let by = Attribution::of(&events, |e| &e.1, |e| e.0);
        let (a, b) = (BlockId::new("a"), BlockId::new("b"));
        assert_eq!(by.get(&a, ChangeKind::Text), Some(1));
        assert_eq!(by.get(&a, ChangeKind::Format), Some(2));
        assert_eq!(
            by.get(&b, ChangeKind::Text),
            Some(3),
            "falls back on formatting"
        );
        assert_eq!(by.get(&BlockId::new("c"), ChangeKind::Text), None);
        let last = last_changes(events.iter(), |e| &e.1);
        assert_eq!(last[&a].0, 2);
    }
}
