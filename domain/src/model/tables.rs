//! Tables: rows of cells, merges, widths, cell formats, cells of several blocks.

use super::*;

/// A table. Every row has the same number of cells.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Table {
    /// Stable id.
    pub id: BlockId,
    /// Rows of cells, each cell plain text.
    pub rows: Vec<Vec<String>>,
    /// Whether the first row is a header row (repeated on each page).
    #[serde(default)]
    pub header_row: bool,
    /// Table style id, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub style: Option<String>,
    /// Merged cells: each a rectangle shown as one cell holding the text of its top-left
    /// cell (the cells it covers are empty).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub merges: Vec<CellSpan>,
    /// Column widths in millimetres, one per column; equal shares of the text width when
    /// absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub widths_mm: Option<Vec<f32>>,
    /// Shading and vertical alignment of cells, where set.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cell_formats: Vec<CellFormatAt>,
    /// The formatted runs of cells that hold formatting (their text in `rows` is the
    /// runs' text).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cell_runs: Vec<CellRunsAt>,
}

/// The formatted content of one cell: one paragraph of runs, or several blocks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CellRunsAt {
    /// Row.
    pub row: usize,
    /// Column.
    pub col: usize,
    /// Formatted runs of a one-paragraph cell (empty when the cell holds `blocks`).
    pub runs: Vec<Run>,
    /// The blocks of a cell that holds several (paragraphs, lists, a nested table); the
    /// cell's text in `rows` is theirs, one line per paragraph, list item or table row.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub blocks: Vec<CellBlock>,
}

/// A block inside a table cell.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum CellBlock {
    /// A paragraph of formatted runs.
    Paragraph {
        /// Its runs.
        runs: Vec<Run>,
        /// Paragraph style id.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        style: Option<String>,
        /// Alignment.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        alignment: Option<Alignment>,
    },
    /// A bullet or numbered list.
    List {
        /// Bullets or numbers.
        kind: ListKind,
        /// Its items.
        items: Vec<ListItem>,
    },
    /// A nested table of plain-text cells.
    Table {
        /// Cell texts, row by row.
        rows: Vec<Vec<String>>,
    },
}

impl CellBlock {
    /// The block's lines: a paragraph's text, each list item's, each nested row's (cells
    /// separated by tabs).
    pub fn lines(&self) -> Vec<String> {
        match self {
            CellBlock::Paragraph { runs, .. } => vec![runs_text(runs)],
            CellBlock::List { items, .. } => items.iter().map(|i| i.text.clone()).collect(),
            CellBlock::Table { rows } => rows.iter().map(|r| r.join("\t")).collect(),
        }
    }
}

/// Where a piece of a cell's text lives: block `block`, then the list item or the nested
/// table row `line`, then the nested cell `cell`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct CellPartAt {
    pub(crate) block: usize,
    pub(crate) line: usize,
    pub(crate) cell: usize,
}

/// The text of a cell holding blocks: their lines, one per line.
pub fn cell_blocks_text(blocks: &[CellBlock]) -> String {
    blocks
        .iter()
        .flat_map(CellBlock::lines)
        .collect::<Vec<_>>()
        .join("\n")
}

/// A rectangle of cells.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CellSpan {
    /// Top row.
    pub row: usize,
    /// Left column.
    pub col: usize,
    /// Rows spanned (at least 1).
    pub rows: usize,
    /// Columns spanned (at least 1).
    pub cols: usize,
}

impl CellSpan {
    /// Whether the cell at `row`, `col` is inside.
    pub fn contains(&self, row: usize, col: usize) -> bool {
        (self.row..self.row.saturating_add(self.rows)).contains(&row)
            && (self.col..self.col.saturating_add(self.cols)).contains(&col)
    }

    /// Whether two rectangles share a cell.
    pub fn overlaps(&self, other: &CellSpan) -> bool {
        self.row < other.row.saturating_add(other.rows)
            && other.row < self.row.saturating_add(self.rows)
            && self.col < other.col.saturating_add(other.cols)
            && other.col < self.col.saturating_add(self.cols)
    }
}

/// The format of one cell.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CellFormatAt {
    /// Row.
    pub row: usize,
    /// Column.
    pub col: usize,
    /// Background colour, six hex digits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shading: Option<String>,
    /// Vertical alignment of the cell's text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vertical_align: Option<VerticalAlign>,
}

/// Vertical alignment in a cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum VerticalAlign {
    /// At the top (Word's default).
    Top,
    /// Centred.
    Center,
    /// At the bottom.
    Bottom,
}

impl Table {
    /// The merge a cell belongs to, if any.
    pub fn merge_at(&self, row: usize, col: usize) -> Option<&CellSpan> {
        self.merges.iter().find(|m| m.contains(row, col))
    }

    /// The formatted runs of a one-paragraph cell, if it has formatting.
    pub fn cell_runs_at(&self, row: usize, col: usize) -> Option<&[Run]> {
        self.cell_runs
            .iter()
            .find(|c| c.row == row && c.col == col && c.blocks.is_empty())
            .map(|c| c.runs.as_slice())
    }

    /// A one-paragraph cell's content as runs (a plain cell as one plain run); none for a
    /// cell that does not exist.
    pub(crate) fn cell_as_runs(&self, row: usize, col: usize) -> Option<Vec<Run>> {
        let text = self.rows.get(row)?.get(col)?;
        Some(
            self.cell_runs_at(row, col)
                .map_or_else(|| plain_runs(text), <[Run]>::to_vec),
        )
    }

    /// The blocks of a cell that holds several, if it does.
    pub fn cell_blocks_at(&self, row: usize, col: usize) -> Option<&[CellBlock]> {
        self.cell_runs
            .iter()
            .find(|c| c.row == row && c.col == col && !c.blocks.is_empty())
            .map(|c| c.blocks.as_slice())
    }

    /// Sets a cell's content to several blocks (its text becomes theirs).
    pub(crate) fn set_cell_blocks(&mut self, row: usize, col: usize, blocks: Vec<CellBlock>) {
        let text = cell_blocks_text(&blocks);
        self.set_cell(row, col, text, None);
        if !blocks.is_empty() {
            self.cell_runs.push(CellRunsAt {
                row,
                col,
                runs: Vec::new(),
                blocks,
            });
            self.cell_runs.sort_by_key(|c| (c.row, c.col));
        }
    }

    /// Sets a cell's content: its text, and its runs when it has formatting.
    pub(crate) fn set_cell(
        &mut self,
        row: usize,
        col: usize,
        text: String,
        runs: Option<Vec<Run>>,
    ) {
        self.cell_runs.retain(|c| (c.row, c.col) != (row, col));
        if let Some(runs) = runs {
            self.cell_runs.push(CellRunsAt {
                row,
                col,
                runs,
                blocks: Vec::new(),
            });
            self.cell_runs.sort_by_key(|c| (c.row, c.col));
        }
        if let Some(cell) = self.rows.get_mut(row).and_then(|r| r.get_mut(col)) {
            *cell = text;
        }
    }

    /// The format of a cell, if set.
    pub fn cell_format(&self, row: usize, col: usize) -> Option<&CellFormatAt> {
        self.cell_formats
            .iter()
            .find(|f| f.row == row && f.col == col)
    }
}

impl Table {
    /// Number of columns (0 for a table without rows, which the domain never produces).
    pub fn cols(&self) -> usize {
        self.rows.first().map_or(0, Vec::len)
    }
}
