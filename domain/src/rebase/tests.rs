use proptest::prelude::*;
use serde_json::json;

use super::*;
use crate::decide::tests::{command_from, create, given, limits, para, seed};

fn command(value: serde_json::Value) -> DocumentCommand {
    serde_json::from_value(value).unwrap()
}

/// `doc` after `commands` (each must apply), and the events.
fn after(doc: &Document, commands: &[DocumentCommand]) -> (Document, Vec<DocumentEvent>) {
    run(doc, commands, &limits()).unwrap()
}

fn three() -> Document {
    given(&[create(), para("one"), para("two"), para("three")])
}

#[test]
fn an_edit_of_another_block_is_rebased_by_id() {
    let old = three();
    let (now, since) = after(
        &old,
        &[command(
            json!({"type": "update_paragraph", "block_index": 2, "text": "THREE"}),
        )],
    );
    let mine = [command(
        json!({"type": "update_paragraph", "block_index": 0, "text": "ONE"}),
    )];
    let rebased = rebase(&old, &since, &now, &mine, &limits()).unwrap();
    let first = old.blocks[0].id().to_string();
    assert_eq!(
        serde_json::to_value(&rebased[0]).unwrap()["block_id"],
        json!(first)
    );
    let (done, _) = after(&now, &rebased);
    assert_eq!(done.blocks[0].text(), "ONE");
    assert_eq!(done.blocks[2].text(), "THREE");
}

#[test]
fn a_position_read_before_a_block_was_added_still_names_its_block() {
    let old = three();
    // Someone adds a paragraph at the start; my index 1 meant "two".
    let (now, since) = after(
        &old,
        &[command(
            json!({"type": "add_paragraph", "text": "zero", "position": {"at": "start"}}),
        )],
    );
    let mine = [command(
        json!({"type": "add_paragraph", "text": "one and a half", "position": {"index": 1}}),
    )];
    let rebased = rebase(&old, &since, &now, &mine, &limits()).unwrap();
    let (done, _) = after(&now, &rebased);
    let texts: Vec<String> = done.blocks.iter().map(Block::text).collect();
    assert_eq!(texts, ["zero", "one", "one and a half", "two", "three"]);
}

#[test]
fn an_edit_of_the_same_block_is_a_conflict_naming_it() {
    let old = three();
    let (now, since) = after(
        &old,
        &[command(
            json!({"type": "insert_text", "block_index": 1, "offset": 0, "text": "X"}),
        )],
    );
    let mine = [command(
        json!({"type": "insert_text", "block_index": 1, "offset": 3, "text": "Y"}),
    )];
    let refused = rebase(&old, &since, &now, &mine, &limits()).unwrap_err();
    assert_eq!(
        refused,
        RebaseError::Conflict {
            blocks: vec![old.blocks[1].id().clone()]
        }
    );
    // A command that does not apply at its own version is refused as it would be.
    let bad = [command(
        json!({"type": "insert_text", "block_index": 9, "offset": 0, "text": "Y"}),
    )];
    assert!(matches!(
        rebase(&old, &since, &now, &bad, &limits()),
        Err(RebaseError::Refused { index: 0, .. })
    ));
}

use crate::Block;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// For any document and any two commands decided at the same version: when one is
    /// rebased over the other, the result reads as applying them in the other order (the
    /// rebased one at its version, then the other's events) does; commands about versions
    /// are never rebased.
    #[test]
    fn an_accepted_rebase_commutes(
        setup in prop::collection::vec(seed(), 0..12),
        a in seed(),
        b in seed(),
    ) {
        let mut old = three();
        for s in &setup {
            let c = command_from(s, &old);
            if let Ok(events) = old.decide(&c, &limits()) {
                for e in events { old.apply(&e); }
            }
        }
        let (ca, cb) = (command_from(&a, &old), command_from(&b, &old));
        let (Ok((after_a, events_a)), Ok((after_b, events_b))) =
            (run(&old, std::slice::from_ref(&ca), &limits()), run(&old, std::slice::from_ref(&cb), &limits()))
        else {
            return Ok(());
        };
        let b_over_a = rebase(&old, &events_a, &after_a, std::slice::from_ref(&cb), &limits());
        if matches!(cb, DocumentCommand::LabelVersion(_) | DocumentCommand::RevertToVersion(_)) {
            prop_assert!(b_over_a.is_err());
        }
        if let Ok(b_rebased) = &b_over_a {
            let (ab, ab_events) = run(&after_a, b_rebased, &limits()).unwrap();
            // The other order: b at the version it read, then a's events.
            let mut ba = after_b.clone();
            for e in &events_a {
                prop_assert!(ba.try_apply(e).is_ok());
            }
            // b's blocks are named by the sequence they get after a.
            let created: Vec<BlockId> = ab_events.iter().flat_map(DocumentEvent::created_block_ids).collect();
            let ba_created: Vec<BlockId> = events_b.iter().flat_map(DocumentEvent::created_block_ids).collect();
            prop_assert_eq!(created.len(), ba_created.len());
            prop_assert_eq!(
                ab.blocks.iter().map(Block::text).collect::<Vec<_>>(),
                ba.blocks.iter().map(Block::text).collect::<Vec<_>>()
            );
        }
    }
}
