//! Table layout: merged cells, column widths, cell shading and vertical alignment — and
//! how rows and columns added or deleted move them.
//!
//! The commands, how they are decided and how their events are applied.

use serde::{Deserialize, Serialize};

use crate::error::{DocumentError, EventMisfit};
use crate::event::DocumentEvent;
use crate::ids::BlockId;
use crate::input::check_index;
use crate::model::{CellFormatAt, CellSpan, Document, Table, VerticalAlign};

/// Column widths, in millimetres.
const WIDTH_RANGE: (f32, f32) = (2.0, 558.8);

/// `merge_table_cells`: merges the rectangle `from_row..=to_row` × `from_col..=to_col`
/// into one cell; the texts of the cells it covers join the top-left cell's, one per line.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct MergeTableCells {
    /// Target block id (a table).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub block_id: Option<BlockId>,
    /// Target block index.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub block_index: Option<usize>,
    /// Top row, 0-based.
    pub from_row: usize,
    /// Left column, 0-based.
    pub from_col: usize,
    /// Bottom row (inclusive).
    pub to_row: usize,
    /// Right column (inclusive).
    pub to_col: usize,
}

/// `split_table_cells`: undoes the merge a cell belongs to (the text stays in the
/// top-left cell).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SplitTableCells {
    /// Target block id (a table).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub block_id: Option<BlockId>,
    /// Target block index.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub block_index: Option<usize>,
    /// Any cell of the merge: row.
    pub row: usize,
    /// Any cell of the merge: column.
    pub col: usize,
}

/// `set_table_column_widths`: one width per column, in millimetres; none gives back equal
/// shares of the text width.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SetTableColumnWidths {
    /// Target block id (a table).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub block_id: Option<BlockId>,
    /// Target block index.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub block_index: Option<usize>,
    /// Widths in millimetres (2 to 558.8), one per column; absent: equal shares.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub widths_mm: Option<Vec<f32>>,
}

/// `set_table_cell_format`: the shading and vertical alignment of a cell, or of the
/// rectangle up to `to_row`/`to_col`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SetTableCellFormat {
    /// Target block id (a table).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub block_id: Option<BlockId>,
    /// Target block index.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub block_index: Option<usize>,
    /// Row, 0-based.
    pub row: usize,
    /// Column, 0-based.
    pub col: usize,
    /// Last row of a rectangle (inclusive; default `row`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to_row: Option<usize>,
    /// Last column of a rectangle (inclusive; default `col`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to_col: Option<usize>,
    /// Background colour, six hex digits, or `auto` for none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(pattern = "^(#?[0-9A-Fa-f]{6}|auto)$"))]
    pub shading: Option<String>,
    /// `top`, `center` or `bottom`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vertical_align: Option<VerticalAlign>,
}

/// Checks an inclusive rectangle against the table and makes it a span.
fn span(
    table: &Table,
    (row, col): (usize, usize),
    (to_row, to_col): (usize, usize),
) -> Result<CellSpan, DocumentError> {
    check_index("from_row", row, table.rows.len())?;
    check_index("from_col", col, table.cols())?;
    check_index("to_row", to_row, table.rows.len())?;
    check_index("to_col", to_col, table.cols())?;
    if to_row < row || to_col < col {
        return Err(DocumentError::invalid(
            "to_row",
            "to_row and to_col are at or after from_row and from_col",
        ));
    }
    Ok(CellSpan {
        row,
        col,
        rows: to_row - row + 1,
        cols: to_col - col + 1,
    })
}

impl Document {
    /// Decides `merge_table_cells`.
    pub(crate) fn decide_merge_table_cells(
        &self,
        c: &MergeTableCells,
    ) -> Result<Option<DocumentEvent>, DocumentError> {
        let table = self.table(c.block_id.as_ref(), c.block_index)?;
        let merge = span(table, (c.from_row, c.from_col), (c.to_row, c.to_col))?;
        if merge.rows * merge.cols < 2 {
            return Err(DocumentError::invalid(
                "to_col",
                "a merge covers at least two cells",
            ));
        }
        // Merges inside the new one are absorbed; one that sticks out is refused.
        if let Some(m) = table.merges.iter().find(|m| {
            m.overlaps(&merge)
                && !(merge.contains(m.row, m.col)
                    && merge.contains(m.row + m.rows - 1, m.col + m.cols - 1))
        }) {
            return Err(DocumentError::invalid(
                "from_row",
                format!(
                    "the cells overlap the merge at row {}, column {} ({}×{}); split it or cover it whole",
                    m.row, m.col, m.rows, m.cols
                ),
            ));
        }
        if table.merges.contains(&merge) {
            return Ok(None);
        }
        Ok(Some(DocumentEvent::TableCellsMerged {
            block_id: table.id.clone(),
            span: merge,
        }))
    }

    /// Decides `split_table_cells`.
    pub(crate) fn decide_split_table_cells(
        &self,
        c: &SplitTableCells,
    ) -> Result<Option<DocumentEvent>, DocumentError> {
        let table = self.table(c.block_id.as_ref(), c.block_index)?;
        check_index("row", c.row, table.rows.len())?;
        check_index("col", c.col, table.cols())?;
        let Some(merge) = table.merge_at(c.row, c.col) else {
            return Ok(None);
        };
        Ok(Some(DocumentEvent::TableCellsSplit {
            block_id: table.id.clone(),
            row: merge.row,
            col: merge.col,
        }))
    }

    /// Decides `set_table_column_widths`.
    pub(crate) fn decide_set_table_column_widths(
        &self,
        c: &SetTableColumnWidths,
    ) -> Result<Option<DocumentEvent>, DocumentError> {
        let table = self.table(c.block_id.as_ref(), c.block_index)?;
        if let Some(widths) = &c.widths_mm {
            if widths.len() != table.cols() {
                return Err(DocumentError::invalid(
                    "widths_mm",
                    format!("give one width per column ({})", table.cols()),
                ));
            }
            let (lo, hi) = WIDTH_RANGE;
            if let Some(i) = widths
                .iter()
                .position(|w| !w.is_finite() || *w < lo || *w > hi)
            {
                return Err(DocumentError::invalid(
                    format!("widths_mm.{i}"),
                    format!("a width is {lo} to {hi} mm"),
                ));
            }
        }
        let widths = c
            .widths_mm
            .as_ref()
            .map(|w| w.iter().map(|v| (v * 10.0).round() / 10.0).collect());
        if table.widths_mm == widths {
            return Ok(None);
        }
        Ok(Some(DocumentEvent::TableColumnWidthsSet {
            block_id: table.id.clone(),
            widths_mm: widths,
        }))
    }

    /// Decides `set_table_cell_format`.
    pub(crate) fn decide_set_table_cell_format(
        &self,
        c: &SetTableCellFormat,
    ) -> Result<Option<DocumentEvent>, DocumentError> {
        let table = self.table(c.block_id.as_ref(), c.block_index)?;
        let cells = span(
            table,
            (c.row, c.col),
            (c.to_row.unwrap_or(c.row), c.to_col.unwrap_or(c.col)),
        )
        .map_err(|e| match e {
            DocumentError::IndexOutOfRange { field, value, len } => {
                DocumentError::IndexOutOfRange {
                    field: field.trim_start_matches("from_"),
                    value,
                    len,
                }
            }
            other => other,
        })?;
        let shading = match &c.shading {
            Some(s) if s.eq_ignore_ascii_case("auto") => Some("auto".to_string()),
            Some(s) => {
                let hex = s.strip_prefix('#').unwrap_or(s);
                if hex.len() != 6 || !hex.chars().all(|ch| ch.is_ascii_hexdigit()) {
                    return Err(DocumentError::invalid(
                        "shading",
                        "shading is six hex digits, like D9E2F3, or auto for none",
                    ));
                }
                Some(hex.to_ascii_uppercase())
            }
            None => None,
        };
        if shading.is_none() && c.vertical_align.is_none() {
            return Err(DocumentError::invalid(
                "shading",
                "give shading or vertical_align",
            ));
        }
        Ok(Some(DocumentEvent::TableCellsFormatted {
            block_id: table.id.clone(),
            span: cells,
            shading,
            vertical_align: c.vertical_align,
        }))
    }

    /// Folds a table layout event into the state (see [`Document::try_apply`]).
    pub(crate) fn apply_table_layout(
        &mut self,
        event: &DocumentEvent,
        misfit: &dyn Fn(&'static str) -> EventMisfit,
    ) -> Result<(), EventMisfit> {
        use DocumentEvent as E;
        match event {
            E::TableCellsMerged { block_id, span } => {
                let tb = self.table_mut(block_id).ok_or(misfit("no such table"))?;
                let fits = span.rows >= 1
                    && span.cols >= 1
                    && span.row.saturating_add(span.rows) <= tb.rows.len()
                    && span.col.saturating_add(span.cols) <= tb.cols()
                    && tb
                        .rows
                        .get(span.row..span.row + span.rows)
                        .is_some_and(|rows| rows.iter().all(|r| span.col + span.cols <= r.len()));
                if !fits {
                    return Err(misfit("the merge does not fit the table"));
                }
                tb.merges.retain(|m| !span.overlaps(m));
                // The covered cells' texts join the top-left one, a line each.
                let cell = |tb: &mut crate::model::Table, r: usize, c: usize| {
                    tb.rows
                        .get_mut(r)
                        .and_then(|row| row.get_mut(c))
                        .map(std::mem::take)
                };
                let first = tb
                    .rows
                    .get(span.row)
                    .and_then(|row| row.get(span.col))
                    .cloned()
                    .unwrap_or_default();
                let mut texts = Vec::new();
                for r in span.row..span.row + span.rows {
                    for c in span.col..span.col + span.cols {
                        if let Some(text) = cell(tb, r, c).filter(|t| !t.is_empty()) {
                            texts.push(text);
                        }
                    }
                }
                let joined = texts.join("\n");
                // Covered cells lose their runs and blocks; the first keeps its own only
                // when its content is all the merge holds.
                tb.cell_runs.retain(|c| {
                    !span.contains(c.row, c.col)
                        || ((c.row, c.col) == (span.row, span.col) && first == joined)
                });
                if let Some(cell) = tb.rows.get_mut(span.row).and_then(|r| r.get_mut(span.col)) {
                    *cell = joined;
                }
                tb.merges.push(*span);
                tb.merges.sort_by_key(|m| (m.row, m.col));
            }
            E::TableCellsSplit { block_id, row, col } => {
                let tb = self.table_mut(block_id).ok_or(misfit("no such table"))?;
                let before = tb.merges.len();
                tb.merges.retain(|m| (m.row, m.col) != (*row, *col));
                if tb.merges.len() == before {
                    return Err(misfit("no merge starts there"));
                }
            }
            E::TableColumnWidthsSet {
                block_id,
                widths_mm,
            } => {
                let tb = self.table_mut(block_id).ok_or(misfit("no such table"))?;
                if widths_mm.as_ref().is_some_and(|w| w.len() != tb.cols()) {
                    return Err(misfit("not one width per column"));
                }
                tb.widths_mm.clone_from(widths_mm);
            }
            E::TableCellsFormatted {
                block_id,
                span,
                shading,
                vertical_align,
            } => {
                let tb = self.table_mut(block_id).ok_or(misfit("no such table"))?;
                let rows = span.row..span.row.saturating_add(span.rows).min(tb.rows.len());
                let cols = span.col..span.col.saturating_add(span.cols).min(tb.cols());
                if rows.is_empty() || cols.is_empty() {
                    return Err(misfit("no such cells"));
                }
                for r in rows {
                    for c in cols.clone() {
                        let at = match tb
                            .cell_formats
                            .iter()
                            .position(|f| (f.row, f.col) == (r, c))
                        {
                            Some(i) => i,
                            None => {
                                tb.cell_formats.push(CellFormatAt {
                                    row: r,
                                    col: c,
                                    shading: None,
                                    vertical_align: None,
                                });
                                tb.cell_formats.len() - 1
                            }
                        };
                        let Some(format) = tb.cell_formats.get_mut(at) else {
                            continue;
                        };
                        match shading.as_deref() {
                            Some("auto") => format.shading = None,
                            Some(hex) => format.shading = Some(hex.to_string()),
                            None => {}
                        }
                        if vertical_align.is_some() {
                            format.vertical_align = *vertical_align;
                        }
                    }
                }
                tb.cell_formats
                    .retain(|f| f.shading.is_some() || f.vertical_align.is_some());
                tb.cell_formats.sort_by_key(|f| (f.row, f.col));
            }
            _ => return Err(misfit("not an event of this feature")),
        }
        Ok(())
    }
}

/// A direction in a table: rows or columns. A row or column added or deleted moves what
/// lies after it along this axis, the same way for both.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Axis {
    /// Rows: positions are row numbers.
    Rows,
    /// Columns: positions are column numbers.
    Columns,
}

impl Axis {
    /// A merge's start and extent along this axis.
    fn along(self, m: &mut CellSpan) -> (&mut usize, &mut usize) {
        match self {
            Axis::Rows => (&mut m.row, &mut m.rows),
            Axis::Columns => (&mut m.col, &mut m.cols),
        }
    }

    /// A merge as (start, extent) along this axis, then across it.
    fn split(self, m: &CellSpan) -> ((usize, usize), (usize, usize)) {
        match self {
            Axis::Rows => ((m.row, m.rows), (m.col, m.cols)),
            Axis::Columns => ((m.col, m.cols), (m.row, m.rows)),
        }
    }

    /// Of a cell's row and column, the one along this axis.
    fn pick<T>(self, row: T, col: T) -> T {
        match self {
            Axis::Rows => row,
            Axis::Columns => col,
        }
    }
}

/// The positions of what a table keeps per cell: formats and formatted runs.
fn cell_positions(table: &mut Table) -> impl Iterator<Item = (&mut usize, &mut usize)> {
    table
        .cell_formats
        .iter_mut()
        .map(|f| (&mut f.row, &mut f.col))
        .chain(table.cell_runs.iter_mut().map(|c| (&mut c.row, &mut c.col)))
}

/// Refuses text for cells a new row (or column) at `at` would add inside a merge: the
/// merge grows over them, and their text would be hidden.
pub(crate) fn check_not_covered(
    table: &Table,
    axis: Axis,
    at: usize,
    cells: &[String],
) -> Result<(), DocumentError> {
    for m in &table.merges {
        let ((start, extent), (across, width)) = axis.split(m);
        if start < at && at < start + extent {
            for (i, cell) in cells.iter().enumerate().skip(across).take(width) {
                if !cell.is_empty() {
                    return Err(DocumentError::invalid(
                        format!("data.{i}"),
                        "this cell lands inside merged cells, which show only their first cell's text",
                    ));
                }
            }
        }
    }
    Ok(())
}

/// A row or column was inserted at `at`: what lies after it moves on; a merge it lands
/// inside grows over it.
fn line_inserted(table: &mut Table, axis: Axis, at: usize) {
    for m in &mut table.merges {
        let (start, extent) = axis.along(m);
        if *start >= at {
            *start += 1;
        } else if at < *start + *extent {
            *extent += 1;
        }
    }
    for (row, col) in cell_positions(table) {
        let position = axis.pick(row, col);
        if *position >= at {
            *position += 1;
        }
    }
}

/// A row or column was deleted at `at`: merges over it shrink (and go when one cell is
/// left), its cells' formats and runs go, what lies after it moves back.
fn line_deleted(table: &mut Table, axis: Axis, at: usize) {
    for m in &mut table.merges {
        let (start, extent) = axis.along(m);
        if *start > at {
            *start -= 1;
        } else if at < *start + *extent {
            *extent -= 1;
        }
    }
    table.merges.retain(|m| m.rows * m.cols >= 2);
    table.cell_formats.retain(|f| axis.pick(f.row, f.col) != at);
    table.cell_runs.retain(|c| axis.pick(c.row, c.col) != at);
    for (row, col) in cell_positions(table) {
        let position = axis.pick(row, col);
        if *position > at {
            *position -= 1;
        }
    }
}

/// A row was inserted at `row`.
pub(crate) fn row_inserted(table: &mut Table, row: usize) {
    line_inserted(table, Axis::Rows, row);
}

/// A column was inserted at `col`; explicit widths get the average width for it.
pub(crate) fn column_inserted(table: &mut Table, col: usize) {
    line_inserted(table, Axis::Columns, col);
    if let Some(widths) = &mut table.widths_mm {
        let average = widths.iter().sum::<f32>() / widths.len().max(1) as f32;
        widths.insert(col.min(widths.len()), (average * 10.0).round() / 10.0);
    }
}

/// A row was deleted.
pub(crate) fn row_deleted(table: &mut Table, row: usize) {
    line_deleted(table, Axis::Rows, row);
}

/// A column was deleted; its width goes too.
pub(crate) fn column_deleted(table: &mut Table, col: usize) {
    line_deleted(table, Axis::Columns, col);
    if let Some(widths) = &mut table.widths_mm
        && col < widths.len()
    {
        widths.remove(col);
    }
}

#[cfg(test)]
mod tests {
    //! Given/when/then: this feature's rules.

    use crate::command::*;
    use crate::decide::tests::{create, given, when};
    use crate::model::{Block, CellSpan, Table, VerticalAlign};

    fn table_of(doc: &crate::model::Document) -> &Table {
        match &doc.blocks[0] {
            Block::Table(t) => t,
            other => panic!("{other:?}"),
        }
    }

    fn three_by_three() -> crate::model::Document {
        given(&[
            create(),
            DocumentCommand::AddTable(AddTable {
                data: Some(vec![
                    vec!["a".into(), "b".into(), "c".into()],
                    vec!["d".into(), "e".into(), "f".into()],
                    vec!["g".into(), "h".into(), "i".into()],
                ]),
                ..AddTable::default()
            }),
        ])
    }

    fn merge(from: (usize, usize), to: (usize, usize)) -> DocumentCommand {
        DocumentCommand::MergeTableCells(MergeTableCells {
            block_index: Some(0),
            from_row: from.0,
            from_col: from.1,
            to_row: to.0,
            to_col: to.1,
            ..MergeTableCells::default()
        })
    }

    #[test]
    fn merging_joins_the_texts_and_rows_and_columns_move_the_merge() {
        let doc = when(&three_by_three(), merge((0, 0), (1, 1))).unwrap();
        let t = table_of(&doc);
        assert_eq!(t.rows[0][0], "a\nb\nd\ne");
        assert_eq!((t.rows[0][1].as_str(), t.rows[1][1].as_str()), ("", ""));
        assert_eq!(
            t.merges,
            [CellSpan {
                row: 0,
                col: 0,
                rows: 2,
                cols: 2
            }]
        );
        // a row inserted inside the merge grows it; one deleted shrinks it
        let doc = when(
            &doc,
            DocumentCommand::AddTableRow(AddTableRow {
                block_index: Some(0),
                row: Some(1),
                ..AddTableRow::default()
            }),
        )
        .unwrap();
        assert_eq!(table_of(&doc).merges[0].rows, 3);
        let doc = when(
            &doc,
            DocumentCommand::DeleteTableColumn(DeleteTableColumn {
                block_id: None,
                block_index: Some(0),
                col: 1,
            }),
        )
        .unwrap();
        assert_eq!(table_of(&doc).merges[0].cols, 1);
        let set_covered = DocumentCommand::SetTableCell(SetTableCell {
            block_id: None,
            block_index: Some(0),
            row: 1,
            col: 0,
            text: Some("x".into()),
            runs: None,
            blocks: None,
        });
        assert!(when(&doc, set_covered).is_err(), "a covered cell");
    }

    #[test]
    fn formatted_cells_move_with_their_cells() {
        let bold = |row: usize, col: usize, text: &str| {
            DocumentCommand::SetTableCell(SetTableCell {
                block_id: None,
                block_index: Some(0),
                row,
                col,
                text: None,
                runs: Some(vec![RunInput {
                    text: text.into(),
                    bold: true,
                    ..RunInput::default()
                }]),
                blocks: None,
            })
        };
        let doc = when(&three_by_three(), bold(1, 1, "E")).unwrap();
        let doc = when(&doc, bold(2, 2, "I")).unwrap();
        assert_eq!(table_of(&doc).rows[1][1], "E");
        let doc = when(
            &doc,
            DocumentCommand::AddTableColumn(AddTableColumn {
                block_index: Some(0),
                col: Some(0),
                ..AddTableColumn::default()
            }),
        )
        .unwrap();
        let t = table_of(&doc);
        assert!(t.cell_runs_at(1, 2).is_some_and(|r| r[0].format.bold));
        assert!(t.cell_runs_at(1, 1).is_none());
        let doc = when(
            &doc,
            DocumentCommand::DeleteTableRow(DeleteTableRow {
                block_id: None,
                block_index: Some(0),
                row: 1,
            }),
        )
        .unwrap();
        let t = table_of(&doc);
        assert_eq!(t.cell_runs.len(), 1, "{t:?}");
        assert_eq!((t.cell_runs[0].row, t.cell_runs[0].col), (1, 3));
        // a merge over a formatted cell joins texts: the runs go
        let doc = when(&doc, merge((0, 2), (1, 3))).unwrap();
        assert!(table_of(&doc).cell_runs.is_empty());
        let doc = when(&doc, bold(0, 0, "plain?")).unwrap();
        let doc = when(
            &doc,
            DocumentCommand::ReplaceText(ReplaceText {
                find: "plain".into(),
                replace: "bold".into(),
                match_case: true,
                whole_word: false,
            }),
        )
        .unwrap();
        let t = table_of(&doc);
        assert_eq!(t.rows[0][0], "bold?");
        assert_eq!(
            crate::model::runs_text(t.cell_runs_at(0, 0).unwrap()),
            "bold?"
        );
    }

    #[test]
    fn overlapping_merges_are_refused_containing_ones_absorb() {
        let doc = when(&three_by_three(), merge((0, 0), (0, 1))).unwrap();
        assert!(when(&doc, merge((0, 1), (1, 2))).is_err(), "sticks out");
        assert!(when(&doc, merge((1, 1), (1, 1))).is_err(), "one cell");
        assert!(when(&doc, merge((0, 0), (3, 0))).is_err(), "past the end");
        let doc = when(&doc, merge((0, 0), (1, 2))).unwrap();
        assert_eq!(table_of(&doc).merges.len(), 1);
        let doc = when(
            &doc,
            DocumentCommand::SplitTableCells(SplitTableCells {
                block_index: Some(0),
                row: 1,
                col: 2,
                ..SplitTableCells::default()
            }),
        )
        .unwrap();
        assert!(table_of(&doc).merges.is_empty());
    }

    #[test]
    fn widths_and_cell_formats_are_checked_and_kept_per_cell() {
        let doc = three_by_three();
        let widths = |w: Vec<f32>| {
            DocumentCommand::SetTableColumnWidths(SetTableColumnWidths {
                block_index: Some(0),
                widths_mm: Some(w),
                ..SetTableColumnWidths::default()
            })
        };
        assert!(when(&doc, widths(vec![30.0, 40.0])).is_err());
        assert!(when(&doc, widths(vec![30.0, f32::NAN, 40.0])).is_err());
        let doc = when(&doc, widths(vec![30.0, 40.0, 50.0])).unwrap();
        assert_eq!(table_of(&doc).widths_mm, Some(vec![30.0, 40.0, 50.0]));
        let format = |shading: &str| {
            DocumentCommand::SetTableCellFormat(SetTableCellFormat {
                block_index: Some(0),
                row: 0,
                col: 0,
                to_col: Some(2),
                shading: Some(shading.into()),
                vertical_align: Some(VerticalAlign::Center),
                ..SetTableCellFormat::default()
            })
        };
        assert!(when(&doc, format("blue")).is_err());
        let doc = when(&doc, format("#d9e2f3")).unwrap();
        let t = table_of(&doc);
        assert_eq!(t.cell_formats.len(), 3);
        assert_eq!(
            t.cell_format(0, 2).unwrap().shading.as_deref(),
            Some("D9E2F3")
        );
        let doc = when(&doc, format("auto")).unwrap();
        assert_eq!(table_of(&doc).cell_format(0, 1).unwrap().shading, None);
    }
}
