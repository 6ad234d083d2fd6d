//! Given/when/then: this feature's rules.

use crate::command::*;
use crate::decide::tests::{create, given, when};
use crate::event::DocumentEvent;
use crate::ids::BlockId;
use crate::model::*;

#[test]
fn tables_grow_and_shrink() {
    let doc = given(&[
        create(),
        DocumentCommand::AddTable(AddTable {
            rows: Some(2),
            cols: Some(2),
            ..AddTable::default()
        }),
    ]);
    let id = Some(BlockId::new("b2"));
    let doc = when(
        &doc,
        DocumentCommand::AddTableRow(AddTableRow {
            block_id: id.clone(),
            row: Some(0),
            data: Some(vec!["h1".into(), "h2".into()]),
            ..AddTableRow::default()
        }),
    )
    .unwrap();
    let doc = when(
        &doc,
        DocumentCommand::AddTableColumn(AddTableColumn {
            block_id: id.clone(),
            ..AddTableColumn::default()
        }),
    )
    .unwrap();
    let doc = when(
        &doc,
        DocumentCommand::DeleteTableRow(DeleteTableRow {
            block_id: id.clone(),
            block_index: None,
            row: 2,
        }),
    )
    .unwrap();
    let Block::Table(t) = &doc.blocks[0] else {
        panic!("table expected")
    };
    assert_eq!(t.rows, vec![vec!["h1", "h2", ""], vec!["", "", ""]]);
    let err = when(
        &doc,
        DocumentCommand::SetTableCell(SetTableCell {
            block_id: id,
            block_index: None,
            row: 9,
            col: 0,
            text: Some("x".into()),
            runs: None,
            blocks: None,
        }),
    )
    .unwrap_err();
    assert_eq!(err.field().as_deref(), Some("row"));
}

#[test]
fn table_events_on_ragged_rows_do_not_panic() {
    let mut doc = given(&[create()]);
    doc.apply(&DocumentEvent::TableAdded {
        block_id: BlockId::new("t"),
        index: 9,
        rows: vec![vec!["a".into(), "b".into()], vec!["c".into()]],
        header_row: false,
        style: None,
    });
    doc.apply(&DocumentEvent::TableColumnDeleted {
        block_id: BlockId::new("t"),
        col: 1,
    });
    doc.apply(&DocumentEvent::TableColumnAdded {
        block_id: BlockId::new("t"),
        col: 1,
        cells: vec!["x".into(), "y".into()],
    });
    let Block::Table(t) = &doc.blocks[0] else {
        panic!("a table")
    };
    assert_eq!(t.rows, vec![vec!["a", "x"], vec!["c", "y"]]);
}
