//! Tables: adding them, setting cells, adding and deleting rows and columns.
//!
//! The commands, how they are decided and how their events are applied.

use serde::{Deserialize, Serialize};

use crate::error::{DocumentError, EventMisfit};
use crate::event::DocumentEvent;
use crate::features::table_layout::{Axis, check_not_covered};
use crate::ids::BlockId;
use crate::input::Position;
use crate::input::{Limits, MAX_TABLE_COLS, check_index, check_text, too_large, wrong_type};
use crate::model::{Block, CellBlock, Document, Table};
use crate::text;

/// `add_table`: `rows` and `cols`, or `data` (or both; `data` may be smaller).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AddTable {
    /// Number of rows (default: the rows of `data`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(minimum = 1))]
    pub rows: Option<usize>,
    /// Number of columns (default: the longest row of `data`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 63))]
    pub cols: Option<usize>,
    /// Cell texts, row by row.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<Vec<Vec<String>>>,
    /// First row is a header row.
    #[serde(default)]
    pub header_row: bool,
    /// Table style id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, pattern = "^TableGrid$"))]
    pub style: Option<String>,
    /// Where to put it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub position: Option<Position>,
}

/// `set_table_cell`: a cell's new content, as text or formatted runs.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SetTableCell {
    /// Target block id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub block_id: Option<BlockId>,
    /// Target block index.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub block_index: Option<usize>,
    /// Row, 0-based.
    pub row: usize,
    /// Column, 0-based.
    pub col: usize,
    /// New cell text (not with `runs`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// New formatted content (not with `text`): runs as in paragraphs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub runs: Option<Vec<crate::input::RunInput>>,
    /// New content as several blocks (not with `text` or `runs`): paragraphs, lists and
    /// nested tables, at most 100.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub blocks: Option<Vec<CellBlockInput>>,
}

/// Most blocks in one table cell.
pub(crate) const MAX_CELL_BLOCKS: usize = 100;

/// A block of a table cell as a client sends it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum CellBlockInput {
    /// A paragraph: `text` or `runs`, and optionally a paragraph `style` and `alignment`.
    Paragraph {
        /// Text (not with `runs`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        text: Option<String>,
        /// Formatted runs (not with `text`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        runs: Option<Vec<crate::input::RunInput>>,
        /// Paragraph style id.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        style: Option<String>,
        /// Alignment.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        alignment: Option<crate::model::Alignment>,
    },
    /// A list, as `add_list` takes it.
    List {
        /// Bullet or numbered.
        kind: crate::model::ListKind,
        /// Items: strings or `{"text" | "runs", "level"}`.
        items: Vec<crate::features::list::ListItemInput>,
    },
    /// A nested table of plain-text cells, row by row.
    Table {
        /// Cell texts (rows may be shorter than the longest; they are padded).
        data: Vec<Vec<String>>,
    },
}

/// `add_table_row`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AddTableRow {
    /// Target block id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub block_id: Option<BlockId>,
    /// Target block index.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub block_index: Option<usize>,
    /// Insert before this row (default: at the end).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub row: Option<usize>,
    /// Cell texts (may be shorter than the row).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<Vec<String>>,
}

/// `add_table_column`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AddTableColumn {
    /// Target block id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub block_id: Option<BlockId>,
    /// Target block index.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub block_index: Option<usize>,
    /// Insert before this column (default: at the end).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub col: Option<usize>,
    /// Cell texts, top to bottom (may be shorter than the column).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<Vec<String>>,
}

/// `delete_table_row`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct DeleteTableRow {
    /// Target block id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub block_id: Option<BlockId>,
    /// Target block index.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub block_index: Option<usize>,
    /// Row to delete.
    pub row: usize,
}

/// `delete_table_column`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct DeleteTableColumn {
    /// Target block id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub block_id: Option<BlockId>,
    /// Target block index.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub block_index: Option<usize>,
    /// Column to delete.
    pub col: usize,
}

impl Document {
    /// Decides `set_table_cell`.
    pub(crate) fn decide_set_table_cell(
        &self,
        c: &SetTableCell,
        limits: &Limits,
    ) -> Result<Option<DocumentEvent>, DocumentError> {
        let event = {
            let table = self.table(c.block_id.as_ref(), c.block_index)?;
            check_content_cell(table, c.row, c.col)?;
            if let Some(inputs) = &c.blocks {
                if c.text.is_some() || c.runs.is_some() {
                    return Err(DocumentError::invalid(
                        "blocks",
                        "give text, runs or blocks (one)",
                    ));
                }
                return Ok(Some(DocumentEvent::TableCellBlocksSet {
                    block_id: table.id.clone(),
                    row: c.row,
                    col: c.col,
                    blocks: self.cell_blocks(inputs, limits)?,
                }));
            }
            let runs =
                crate::input::runs_from("text", c.text.as_deref(), c.runs.as_deref(), limits)?
                    .ok_or_else(|| DocumentError::invalid("text", "give text or runs"))?;
            self.check_run_references(&runs, "runs")?;
            let (text, runs) = crate::text::text_and_runs(runs);
            DocumentEvent::TableCellSet {
                block_id: table.id.clone(),
                row: c.row,
                col: c.col,
                text,
                runs,
            }
        };
        Ok(Some(event))
    }

    /// Checks the blocks of a cell as a client sent them.
    fn cell_blocks(
        &self,
        inputs: &[CellBlockInput],
        limits: &Limits,
    ) -> Result<Vec<CellBlock>, DocumentError> {
        if inputs.is_empty() {
            return Err(DocumentError::invalid(
                "blocks",
                "give at least one block (or text: \"\" for an empty cell)",
            ));
        }
        if inputs.len() > MAX_CELL_BLOCKS {
            return Err(too_large("blocks in a cell", MAX_CELL_BLOCKS));
        }
        let mut blocks = Vec::with_capacity(inputs.len());
        for (i, input) in inputs.iter().enumerate() {
            let field = format!("blocks.{i}");
            blocks.push(match input {
                CellBlockInput::Paragraph {
                    text,
                    runs,
                    style,
                    alignment,
                } => {
                    let runs = crate::input::runs_from(
                        &format!("{field}.text"),
                        text.as_deref(),
                        runs.as_deref(),
                        limits,
                    )?
                    .unwrap_or_default();
                    self.check_run_references(&runs, &format!("{field}.runs"))?;
                    if let Some(style) = style {
                        self.check_style(
                            &format!("{field}.style"),
                            style,
                            crate::model::StyleKind::Paragraph,
                        )?;
                    }
                    CellBlock::Paragraph {
                        runs,
                        style: style.clone(),
                        alignment: *alignment,
                    }
                }
                CellBlockInput::List { kind, items } => {
                    if items.is_empty() {
                        return Err(DocumentError::invalid(
                            format!("{field}.items"),
                            "a list needs at least one item",
                        ));
                    }
                    if items.len() > limits.max_list_items {
                        return Err(too_large("list items", limits.max_list_items));
                    }
                    CellBlock::List {
                        kind: *kind,
                        items: self.list_items(&format!("{field}.items"), items, limits)?,
                    }
                }
                CellBlockInput::Table { data } => {
                    let cols = data.iter().map(Vec::len).max().unwrap_or(0);
                    if data.is_empty() || cols == 0 {
                        return Err(DocumentError::invalid(
                            format!("{field}.data"),
                            "a nested table needs at least one cell",
                        ));
                    }
                    if cols > MAX_TABLE_COLS {
                        return Err(too_large("table columns", MAX_TABLE_COLS));
                    }
                    if data.len().saturating_mul(cols) > limits.max_table_cells {
                        return Err(too_large("table cells", limits.max_table_cells));
                    }
                    let rows = data
                        .iter()
                        .enumerate()
                        .map(|(r, row)| {
                            padded(
                                &format!("{field}.data.{r}"),
                                Some(row.as_slice()),
                                cols,
                                limits,
                            )
                        })
                        .collect::<Result<Vec<_>, _>>()?;
                    CellBlock::Table { rows }
                }
            });
        }
        if text::str_len(&crate::model::cell_blocks_text(&blocks)) > limits.max_text_chars {
            return Err(too_large("cell text", limits.max_text_chars));
        }
        Ok(blocks)
    }

    /// Decides `add_table_row`.
    pub(crate) fn decide_add_table_row(
        &self,
        c: &AddTableRow,
        limits: &Limits,
    ) -> Result<Option<DocumentEvent>, DocumentError> {
        let event = {
            let table = self.table(c.block_id.as_ref(), c.block_index)?;
            let row = c.row.unwrap_or(table.rows.len());
            check_index("row", row, table.rows.len() + 1)?;
            if (table.rows.len() + 1).saturating_mul(table.cols()) > limits.max_table_cells {
                return Err(too_large("table cells", limits.max_table_cells));
            }
            let cells = padded("data", c.data.as_deref(), table.cols(), limits)?;
            check_not_covered(table, Axis::Rows, row, &cells)?;
            DocumentEvent::TableRowAdded {
                block_id: table.id.clone(),
                row,
                cells,
            }
        };
        Ok(Some(event))
    }

    /// Decides `add_table_column`.
    pub(crate) fn decide_add_table_column(
        &self,
        c: &AddTableColumn,
        limits: &Limits,
    ) -> Result<Option<DocumentEvent>, DocumentError> {
        let event = {
            let table = self.table(c.block_id.as_ref(), c.block_index)?;
            let col = c.col.unwrap_or(table.cols());
            check_index("col", col, table.cols() + 1)?;
            if table.cols() + 1 > MAX_TABLE_COLS {
                return Err(too_large("table columns", MAX_TABLE_COLS));
            }
            if table.rows.len().saturating_mul(table.cols() + 1) > limits.max_table_cells {
                return Err(too_large("table cells", limits.max_table_cells));
            }
            let cells = padded("data", c.data.as_deref(), table.rows.len(), limits)?;
            check_not_covered(table, Axis::Columns, col, &cells)?;
            DocumentEvent::TableColumnAdded {
                block_id: table.id.clone(),
                col,
                cells,
            }
        };
        Ok(Some(event))
    }

    /// Decides `delete_table_row`.
    pub(crate) fn decide_delete_table_row(
        &self,
        c: &DeleteTableRow,
    ) -> Result<Option<DocumentEvent>, DocumentError> {
        let event = {
            let table = self.table(c.block_id.as_ref(), c.block_index)?;
            check_index("row", c.row, table.rows.len())?;
            if table.rows.len() == 1 {
                return Err(DocumentError::invalid(
                    "row",
                    "cannot delete the only row of a table; delete the table instead",
                ));
            }
            DocumentEvent::TableRowDeleted {
                block_id: table.id.clone(),
                row: c.row,
            }
        };
        Ok(Some(event))
    }

    /// Decides `delete_table_column`.
    pub(crate) fn decide_delete_table_column(
        &self,
        c: &DeleteTableColumn,
    ) -> Result<Option<DocumentEvent>, DocumentError> {
        let event = {
            let table = self.table(c.block_id.as_ref(), c.block_index)?;
            check_index("col", c.col, table.cols())?;
            if table.cols() == 1 {
                return Err(DocumentError::invalid(
                    "col",
                    "cannot delete the only column of a table; delete the table instead",
                ));
            }
            DocumentEvent::TableColumnDeleted {
                block_id: table.id.clone(),
                col: c.col,
            }
        };
        Ok(Some(event))
    }

    pub(crate) fn decide_add_table(
        &self,
        c: &AddTable,
        block_id: BlockId,
        limits: &Limits,
    ) -> Result<DocumentEvent, DocumentError> {
        let data = c.data.clone().unwrap_or_default();
        let rows = c.rows.unwrap_or(data.len());
        let cols = c
            .cols
            .unwrap_or_else(|| data.iter().map(Vec::len).max().unwrap_or(0));
        if rows == 0 {
            return Err(DocumentError::invalid(
                "rows",
                "a table needs at least one row",
            ));
        }
        if cols == 0 {
            return Err(DocumentError::invalid(
                "cols",
                "a table needs at least one column",
            ));
        }
        if cols > MAX_TABLE_COLS {
            return Err(DocumentError::invalid(
                "cols",
                format!("a table has at most {MAX_TABLE_COLS} columns"),
            ));
        }
        if rows.saturating_mul(cols) > limits.max_table_cells {
            return Err(too_large("table cells", limits.max_table_cells));
        }
        if data.len() > rows {
            return Err(DocumentError::invalid(
                "data",
                format!("has {} rows but the table has {rows}", data.len()),
            ));
        }
        let mut cells = Vec::with_capacity(rows);
        for r in 0..rows {
            let given = data.get(r).map(Vec::as_slice);
            cells.push(padded(&format!("data.{r}"), given, cols, limits)?);
        }
        if let Some(style) = &c.style {
            self.check_style("style", style, crate::model::StyleKind::Table)?;
        }
        Ok(DocumentEvent::TableAdded {
            block_id,
            index: self.insertion_index(c.position.as_ref(), limits)?,
            rows: cells,
            header_row: c.header_row,
            style: c.style.clone(),
        })
    }

    pub(crate) fn table(
        &self,
        block_id: Option<&BlockId>,
        block_index: Option<usize>,
    ) -> Result<&Table, DocumentError> {
        match self.target(block_id, block_index)?.1 {
            Block::Table(t) => Ok(t),
            other => Err(wrong_type(other, "table")),
        }
    }

    pub(crate) fn table_mut(&mut self, id: &BlockId) -> Option<&mut Table> {
        match self.block_mut(id)? {
            Block::Table(t) => Some(t),
            _ => None,
        }
    }

    /// Folds a table event into the state (see [`Document::try_apply`]).
    pub(crate) fn apply_table(
        &mut self,
        event: &DocumentEvent,
        misfit: &dyn Fn(&'static str) -> EventMisfit,
    ) -> Result<(), EventMisfit> {
        use DocumentEvent as E;
        match event {
            E::TableAdded {
                block_id,
                index,
                rows,
                header_row,
                style,
            } => self.insert_block(
                *index,
                Block::Table(Table {
                    id: block_id.clone(),
                    rows: rectangular(rows),
                    header_row: *header_row,
                    style: style.clone(),
                    merges: Vec::new(),
                    widths_mm: None,
                    cell_formats: Vec::new(),
                    cell_runs: Vec::new(),
                }),
            ),
            E::TableCellSet {
                block_id,
                row,
                col,
                text: t,
                runs,
            } => {
                let tb = self.table_mut(block_id).ok_or(misfit("no such table"))?;
                if *row >= tb.rows.len() || *col >= tb.cols() {
                    return Err(misfit("no such cell"));
                }
                // The runs' text is the cell's text, whatever a stored event says.
                let (text, runs) = match runs {
                    Some(runs) => crate::text::text_and_runs(runs.clone()),
                    None => (t.clone(), None),
                };
                tb.set_cell(*row, *col, text, runs);
            }
            E::TableCellBlocksSet {
                block_id,
                row,
                col,
                blocks,
            } => {
                let tb = self.table_mut(block_id).ok_or(misfit("no such table"))?;
                if *row >= tb.rows.len() || *col >= tb.cols() {
                    return Err(misfit("no such cell"));
                }
                tb.set_cell_blocks(*row, *col, blocks.clone());
            }
            E::TableRowAdded {
                block_id,
                row,
                cells,
            } => {
                let tb = self.table_mut(block_id).ok_or(misfit("no such table"))?;
                if *row > tb.rows.len() || cells.len() != tb.cols() {
                    return Err(misfit("row does not fit the table"));
                }
                tb.rows.insert(*row, cells.clone());
                crate::features::table_layout::row_inserted(tb, *row);
            }
            E::TableColumnAdded {
                block_id,
                col,
                cells,
            } => {
                let tb = self.table_mut(block_id).ok_or(misfit("no such table"))?;
                if *col > tb.cols() || cells.len() != tb.rows.len() {
                    return Err(misfit("column does not fit the table"));
                }
                for (r, cell) in tb.rows.iter_mut().zip(cells) {
                    r.insert(*col, cell.clone());
                }
                crate::features::table_layout::column_inserted(tb, *col);
            }
            E::TableRowDeleted { block_id, row } => {
                let tb = self.table_mut(block_id).ok_or(misfit("no such table"))?;
                if *row >= tb.rows.len() || tb.rows.len() < 2 {
                    return Err(misfit("no such row, or the only one"));
                }
                tb.rows.remove(*row);
                crate::features::table_layout::row_deleted(tb, *row);
            }
            E::TableColumnDeleted { block_id, col } => {
                let tb = self.table_mut(block_id).ok_or(misfit("no such table"))?;
                if *col >= tb.cols() || tb.cols() < 2 {
                    return Err(misfit("no such column, or the only one"));
                }
                for r in &mut tb.rows {
                    r.remove(*col);
                }
                crate::features::table_layout::column_deleted(tb, *col);
            }
            _ => return Err(misfit("not an event of this feature")),
        }
        Ok(())
    }
}

/// Table rows padded with empty cells to the widest row, so every row has as many cells as
/// the table has columns (a stored event may hold ragged rows; `decide` never makes them).
pub(crate) fn rectangular(rows: &[Vec<String>]) -> Vec<Vec<String>> {
    let cols = rows.iter().map(Vec::len).max().unwrap_or(0);
    rows.iter()
        .map(|r| {
            let mut r = r.clone();
            r.resize(cols, String::new());
            r
        })
        .collect()
}

/// Cells for a new row or column: the given texts, padded with empty cells to `len`.
/// Checks that `row`, `col` is a cell that holds content: inside the table, and not
/// covered by a merge (whose content is its first cell's).
pub(crate) fn check_content_cell(
    table: &Table,
    row: usize,
    col: usize,
) -> Result<(), DocumentError> {
    check_index("row", row, table.rows.len())?;
    check_index("col", col, table.cols())?;
    if let Some(m) = table.merge_at(row, col)
        && (m.row, m.col) != (row, col)
    {
        return Err(DocumentError::invalid(
            "col",
            format!(
                "the cell is merged into the one at row {}, column {}: use that one",
                m.row, m.col
            ),
        ));
    }
    Ok(())
}

pub(crate) fn padded(
    field: &str,
    given: Option<&[String]>,
    len: usize,
    limits: &Limits,
) -> Result<Vec<String>, DocumentError> {
    let given = given.unwrap_or_default();
    if given.len() > len {
        return Err(DocumentError::invalid(
            field,
            format!("has {} cells but there is room for {len}", given.len()),
        ));
    }
    for (i, text) in given.iter().enumerate() {
        check_text(&format!("{field}.{i}"), text, limits.max_text_chars)?;
    }
    let mut cells = given.to_vec();
    cells.resize(len, String::new());
    Ok(cells)
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod cell_block_tests;
