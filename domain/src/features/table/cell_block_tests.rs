//! Given/when/then: cells holding several blocks.

use crate::command::*;
use crate::decide::tests::{create, given, when};
use crate::model::{Block, CellBlock, ListKind, Table};

fn table(doc: &crate::model::Document) -> &Table {
    match &doc.blocks[0] {
        Block::Table(t) => t,
        other => panic!("not a table: {other:?}"),
    }
}

fn blocks_command(json: serde_json::Value) -> DocumentCommand {
    serde_json::from_value(json).unwrap()
}

// See: issue 11: a cell holds paragraphs, lists and a nested table.
#[test]
fn a_cell_holds_blocks_and_text_edits_reach_them() {
    let doc = given(&[
        create(),
        blocks_command(serde_json::json!({"type": "add_table", "data": [["a", "b"], ["c", "d"]]})),
        blocks_command(
            serde_json::json!({"type": "set_table_cell", "block_index": 0, "row": 0, "col": 1,
            "blocks": [
                {"type": "paragraph", "runs": [{"text": "Terms", "bold": true}]},
                {"type": "list", "kind": "numbered", "items": ["first term", {"text": "nested", "level": 1}]},
                {"type": "table", "data": [["k", "v"], ["term"]]},
            ]}),
        ),
    ]);
    let t = table(&doc);
    assert_eq!(t.rows[0][1], "Terms\nfirst term\nnested\nk\tv\nterm\t");
    let blocks = t.cell_blocks_at(0, 1).unwrap();
    assert!(
        matches!(&blocks[1], CellBlock::List { kind: ListKind::Numbered, items } if items[1].level == 1)
    );
    assert!(matches!(&blocks[2], CellBlock::Table { rows } if rows[1] == ["term", ""]));

    // "term" is replaced in the paragraph (case-insensitive), the item and the nested
    // cell, each keeping its formatting.
    let doc = when(
        &doc,
        blocks_command(serde_json::json!({"type": "replace_text", "find": "term", "replace": "clause", "match_case": false})),
    )
    .unwrap();
    let t = table(&doc);
    assert_eq!(
        t.rows[0][1],
        "clauses\nfirst clause\nnested\nk\tv\nclause\t"
    );
    match &t.cell_blocks_at(0, 1).unwrap()[0] {
        CellBlock::Paragraph { runs, .. } => assert!(runs[0].format.bold),
        other => panic!("{other:?}"),
    }

    // A row added above moves the cell and its blocks.
    let doc = when(
        &doc,
        blocks_command(serde_json::json!({"type": "add_table_row", "block_index": 0, "row": 0})),
    )
    .unwrap();
    assert!(table(&doc).cell_blocks_at(1, 1).is_some());
    assert!(table(&doc).cell_blocks_at(0, 1).is_none());

    // Setting text replaces the blocks.
    let doc = when(
        &doc,
        blocks_command(serde_json::json!({"type": "set_table_cell", "block_index": 0, "row": 1, "col": 1, "text": "plain"})),
    )
    .unwrap();
    assert!(table(&doc).cell_blocks_at(1, 1).is_none());
    assert_eq!(table(&doc).rows[1][1], "plain");
}

#[test]
fn occurrences_across_blocks_are_left_alone() {
    let doc = given(&[
        create(),
        blocks_command(serde_json::json!({"type": "add_table", "data": [["a"]]})),
        blocks_command(
            serde_json::json!({"type": "set_table_cell", "block_index": 0, "row": 0, "col": 0,
            "blocks": [{"type": "paragraph", "text": "end"}, {"type": "paragraph", "text": "start"}]}),
        ),
    ]);
    let unchanged = doc.decide(
        &blocks_command(
            serde_json::json!({"type": "replace_text", "find": "end\nstart", "replace": "x"}),
        ),
        &crate::decide::Limits::default(),
    );
    assert_eq!(unchanged.unwrap(), vec![]);
}

#[test]
fn bad_cell_blocks_are_refused_naming_the_field() {
    let doc = given(&[
        create(),
        blocks_command(serde_json::json!({"type": "add_table", "data": [["a"]]})),
    ]);
    let refused = |blocks: serde_json::Value| {
        let c = blocks_command(
            serde_json::json!({"type": "set_table_cell", "block_index": 0,
            "row": 0, "col": 0, "blocks": blocks}),
        );
        match when(&doc, c) {
            Err(crate::error::DocumentError::InvalidField { field, .. }) => field,
            other => panic!("{other:?}"),
        }
    };
    assert_eq!(refused(serde_json::json!([])), "blocks");
    assert_eq!(
        refused(serde_json::json!([{"type": "list", "kind": "bullet", "items": []}])),
        "blocks.0.items"
    );
    assert_eq!(
        refused(serde_json::json!([{"type": "table", "data": [[]]}])),
        "blocks.0.data"
    );
    assert_eq!(
        refused(serde_json::json!([{"type": "paragraph", "text": "x", "style": "Nope"}])),
        "blocks.0.style"
    );
    let unknown: Result<DocumentCommand, _> = serde_json::from_value(serde_json::json!(
        {"type": "set_table_cell", "row": 0, "col": 0, "blocks": [{"type": "image"}]}));
    assert!(unknown.is_err());
}
