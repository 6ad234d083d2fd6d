//! Two versions' blocks aligned by their stable ids.

use std::collections::{HashMap, HashSet};

use domain::{Block, BlockId, Document};
use similar::{Algorithm, DiffOp};

/// Two versions' blocks aligned by their stable ids: where each block stands in either
/// version, and which blocks both have in the same relative order (the others of those
/// they share moved). Ids are unique, so patience alignment is exact and fast. The diff
/// and the redline align blocks with this one piece.
#[derive(Debug)]
pub struct Alignment<'a> {
    /// Each block of the older state, by id: its index there.
    pub from_at: HashMap<&'a BlockId, usize>,
    /// Each block of the newer state, by id: its index there.
    pub to_at: HashMap<&'a BlockId, usize>,
    /// Blocks both have in the same relative order.
    pub in_place: HashSet<&'a BlockId>,
}

/// Aligns the blocks of two states of a document (see [`Alignment`]).
pub fn align<'a>(from: &'a Document, to: &'a Document) -> Alignment<'a> {
    let from_ids: Vec<&BlockId> = from.blocks.iter().map(Block::id).collect();
    let to_ids: Vec<&BlockId> = to.blocks.iter().map(Block::id).collect();
    let index = |ids: &[&'a BlockId]| ids.iter().enumerate().map(|(i, id)| (*id, i)).collect();
    let mut in_place = HashSet::new();
    for op in similar::capture_diff_slices(Algorithm::Patience, &from_ids, &to_ids) {
        if let DiffOp::Equal { new_index, len, .. } = op {
            in_place.extend(to_ids[new_index..new_index + len].iter().copied());
        }
    }
    Alignment {
        from_at: index(&from_ids),
        to_at: index(&to_ids),
        in_place,
    }
}

#[cfg(test)]
mod tests {
    use domain::Position;
    use domain::command::{AddParagraph, CreateDocument, MoveBlock, PositionAt};
    use domain::{DocumentCommand, DocumentId, Limits};

    use super::*;

    fn run(doc: &mut Document, command: DocumentCommand) {
        for event in doc.decide(&command, &Limits::default()).unwrap() {
            doc.apply(&event);
        }
    }

    #[test]
    fn a_moved_block_is_not_in_place_and_the_others_are() {
        let mut from = Document::default();
        run(
            &mut from,
            DocumentCommand::CreateDocument(CreateDocument {
                document_id: DocumentId::new("d"),
                title: "t".into(),
            }),
        );
        for text in ["a", "b", "c"] {
            run(
                &mut from,
                DocumentCommand::AddParagraph(AddParagraph {
                    text: Some(text.into()),
                    ..AddParagraph::default()
                }),
            );
        }
        let mut to = from.clone();
        let first = to.blocks[0].id().clone();
        run(
            &mut to,
            DocumentCommand::MoveBlock(MoveBlock {
                block_id: Some(first.clone()),
                block_index: None,
                position: Position {
                    at: Some(PositionAt::End),
                    ..Position::default()
                },
            }),
        );
        let aligned = align(&from, &to);
        assert_eq!(aligned.from_at[&first], 0);
        assert_eq!(aligned.to_at[&first], 2);
        assert!(!aligned.in_place.contains(&first));
        assert_eq!(aligned.in_place.len(), 2);
    }
}
