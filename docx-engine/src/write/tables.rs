//! Tables: properties, grid, rows (kept, inserted, deleted, or changed cell by cell in a
//! redline), cells and the blocks a cell holds, merges.

use std::io::{self, Write};

use domain::{CellBlock, Run, RunFormat};

use super::PartRels;
use super::body::*;
use super::changes::*;
use super::paragraphs::*;
use super::revision::{Op, Stamp};
use super::runs::*;
use super::xml::Xml;

/// How a redline writes a table row.
#[derive(Debug, Clone, Copy)]
pub(crate) enum RowPlan<'t> {
    /// A row of a table as it is.
    Kept(&'t domain::Table, usize),
    /// A row of a table inserted or deleted whole.
    Marked(&'t domain::Table, usize, Op),
    /// A's row and B's, compared cell by cell.
    Changed(usize, usize),
}

/// What a cell holds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum CellContent<'t> {
    /// Covered by a vertical merge from above.
    Below,
    Blocks(&'t [CellBlock]),
    Runs(&'t [Run]),
    Text(&'t str),
}

/// A cell of a table: its content, and whether it is in a header row.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Cell<'t> {
    pub(crate) content: CellContent<'t>,
    pub(crate) header: bool,
}

impl<'t> Cell<'t> {
    fn of(t: &'t domain::Table, layout: &[Vec<Slot>], r: usize, c: usize) -> Self {
        let content = match (layout[r][c], t.cell_runs_at(r, c), t.cell_blocks_at(r, c)) {
            (Slot::Below { .. }, _, _) => CellContent::Below,
            (_, _, Some(blocks)) => CellContent::Blocks(blocks),
            (_, Some(runs), None) => CellContent::Runs(runs),
            (_, None, None) => CellContent::Text(t.rows[r].get(c).map_or("", String::as_str)),
        };
        Self {
            content,
            header: t.header_row && r == 0,
        }
    }

    /// The cell as one paragraph's runs, when it is one (plain text as one run, bold in a
    /// header row).
    fn runs(&self) -> Option<Vec<Run>> {
        match self.content {
            CellContent::Runs(runs) => Some(runs.to_vec()),
            CellContent::Text(text) => Some(vec![Run {
                text: text.to_string(),
                format: RunFormat {
                    bold: self.header,
                    ..RunFormat::default()
                },
            }]),
            CellContent::Blocks(_) | CellContent::Below => None,
        }
    }
}

/// Whether row `o` of `old` and row `n` of `new` hold the same cells (runs, blocks,
/// formats), not only the same texts.
pub(crate) fn same_row(old: &domain::Table, o: usize, new: &domain::Table, n: usize) -> bool {
    (0..old.rows[o].len().max(new.rows[n].len())).all(|c| {
        old.cell_runs_at(o, c) == new.cell_runs_at(n, c)
            && old.cell_blocks_at(o, c) == new.cell_blocks_at(n, c)
            && old.cell_format(o, c) == new.cell_format(n, c)
            && (old.header_row && o == 0) == (new.header_row && n == 0)
    })
}

/// A table's column widths (twips): the widths set, else equal shares of the text width
/// (one `w:gridCol` per column: pandoc drops a table with an empty grid).
pub(crate) fn grid(t: &domain::Table, text_width: usize) -> Vec<usize> {
    let cols = t.cols().max(1);
    match &t.widths_mm {
        Some(widths) if widths.len() == cols => widths
            .iter()
            .map(|w| mm_twips(*w).max(1) as usize)
            .collect(),
        _ => vec![text_width / cols; cols],
    }
}

/// Writes a table cell's content as it is (the column is not needed).
pub(crate) fn as_it_is<W: Write>(
    body: &mut Body<'_, '_>,
    x: &mut Xml<W>,
    cell: Cell<'_>,
    _column: usize,
    width: usize,
    rels: &mut PartRels,
) -> io::Result<()> {
    body.cell(x, cell, width, rels)
}

/// `w:tbl`'s properties and grid: a table across the text width with single borders.
pub(crate) fn table_start<W: Write>(
    x: &mut Xml<W>,
    style: Option<&str>,
    grid: &[usize],
) -> io::Result<()> {
    x.start("w:tbl", &[])?;
    x.start("w:tblPr", &[])?;
    if let Some(style) = style {
        x.val("w:tblStyle", style)?;
    }
    x.empty("w:tblW", &[("w:w", "0"), ("w:type", "auto")])?;
    x.start("w:tblBorders", &[])?;
    for side in ["top", "left", "bottom", "right", "insideH", "insideV"] {
        x.empty(
            &format!("w:{side}"),
            &[
                ("w:val", "single"),
                ("w:sz", "2"),
                ("w:space", "0"),
                ("w:color", "000000"),
            ],
        )?;
    }
    x.end("w:tblBorders")?;
    x.end("w:tblPr")?;
    x.start("w:tblGrid", &[])?;
    for width in grid {
        x.empty("w:gridCol", &[("w:w", &width.to_string())])?;
    }
    x.end("w:tblGrid")
}

/// `w:tcPr`: width, span, vertical merge, shading, vertical alignment.
pub(crate) fn cell_properties<W: Write>(
    x: &mut Xml<W>,
    width: usize,
    span: usize,
    slot: Slot,
    format: Option<&domain::CellFormatAt>,
) -> io::Result<()> {
    x.start("w:tcPr", &[])?;
    x.empty("w:tcW", &[("w:w", &width.to_string()), ("w:type", "dxa")])?;
    if span > 1 {
        x.val("w:gridSpan", &span.to_string())?;
    }
    match slot {
        Slot::Start { rows, .. } if rows > 1 => x.val("w:vMerge", "restart")?,
        Slot::Below { .. } => x.val("w:vMerge", "continue")?,
        _ => {}
    }
    if let Some(format) = format {
        if let Some(fill) = &format.shading {
            x.empty(
                "w:shd",
                &[("w:val", "clear"), ("w:color", "auto"), ("w:fill", fill)],
            )?;
        }
        if let Some(align) = format.vertical_align {
            x.val(
                "w:vAlign",
                match align {
                    domain::VerticalAlign::Top => "top",
                    domain::VerticalAlign::Center => "center",
                    domain::VerticalAlign::Bottom => "bottom",
                },
            )?;
        }
    }
    x.end("w:tcPr")
}

/// Where each cell of a table stands in its merges: the merges laid on a grid (clamped to
/// the table; of two that overlap — which folio never stores — the first wins).
#[derive(Clone, Copy, PartialEq, Debug)]
pub(crate) enum Slot {
    /// A cell of its own.
    Single,
    /// The top-left cell of a merge `cols` wide; `rows` high (1: a horizontal merge).
    Start { rows: usize, cols: usize },
    /// The first cell of a lower row of a vertical merge `cols` wide.
    Below { cols: usize },
    /// Covered: not written (the merge's grid span stands for it).
    Covered,
}

pub(crate) fn slots(t: &domain::Table) -> Vec<Vec<Slot>> {
    let nrows = t.rows.len();
    let ncols = t.cols();
    let mut grid: Vec<Vec<Slot>> = t
        .rows
        .iter()
        .map(|row| vec![Slot::Single; row.len().max(ncols)])
        .collect();
    for m in &t.merges {
        let rows = m.rows.min(nrows.saturating_sub(m.row));
        let cols = m.cols.min(ncols.saturating_sub(m.col));
        if rows == 0 || cols == 0 || rows * cols < 2 {
            continue;
        }
        let area = m.row..m.row + rows;
        let free = grid[area.clone()].iter().all(|row| {
            row.get(m.col..m.col + cols)
                .is_some_and(|s| s.iter().all(|s| *s == Slot::Single))
        });
        if !free {
            continue;
        }
        for (i, row) in grid[area].iter_mut().enumerate() {
            row[m.col..m.col + cols].fill(Slot::Covered);
            row[m.col] = if i == 0 {
                Slot::Start { rows, cols }
            } else {
                Slot::Below { cols }
            };
        }
    }
    grid
}

impl Body<'_, '_> {
    /// A table: `t`'s properties and grid, then `rows` — kept, inserted or deleted whole
    /// (a row of `t` or of `old`, A's version of it), or changed cell by cell.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn table_rows<W: Write>(
        &mut self,
        x: &mut Xml<W>,
        t: &domain::Table,
        old: Option<&domain::Table>,
        rows: &[RowPlan<'_>],
        marks: Option<&Marks>,
        text_width: usize,
        rels: &mut PartRels,
    ) -> io::Result<()> {
        if let Some(style) = &t.style {
            self.used.style(style);
        }
        let t_grid = grid(t, text_width);
        table_start(x, t.style.as_deref(), &t_grid)?;
        let (whole, row_marked) = (self.whole.take(), self.row_marked);
        let t_layout = slots(t);
        let old_layout = old.map(|o| (slots(o), grid(o, text_width)));
        for plan in rows {
            let (table, r, op) = match *plan {
                RowPlan::Kept(table, r) => (table, r, None),
                RowPlan::Marked(table, r, op) => (table, r, Some(op)),
                RowPlan::Changed(o, n) => {
                    match (old, &old_layout, marks) {
                        (Some(old), Some((layout, grid)), Some(marks))
                            if layout[o] == t_layout[n] =>
                        {
                            self.row(
                                x,
                                t,
                                n,
                                None,
                                &t_layout,
                                &t_grid,
                                rels,
                                |body, x, after, c, width, rels| {
                                    let before = Cell::of(old, layout, o, c);
                                    body.changed_cell(x, before, after, width, marks, rels)
                                },
                            )?;
                        }
                        // Rows merged differently: A's deleted, B's inserted.
                        (Some(old), Some((layout, grid)), Some(marks)) => {
                            let deleted = Some((Op::Delete, &marks.text));
                            self.row(x, old, o, deleted, layout, grid, rels, as_it_is)?;
                            let inserted = Some((Op::Insert, &marks.text));
                            self.row(x, t, n, inserted, &t_layout, &t_grid, rels, as_it_is)?;
                        }
                        // Only a redline plans changed rows; without one, B's row.
                        _ => self.row(x, t, n, None, &t_layout, &t_grid, rels, as_it_is)?,
                    }
                    continue;
                }
            };
            let (layout, grid): (&[Vec<Slot>], &[usize]) =
                match (&old_layout, std::ptr::eq(table, t)) {
                    (Some((layout, grid)), false) => (layout, grid),
                    _ => (&t_layout, &t_grid),
                };
            let marked = op.zip(marks.map(|m| &m.text));
            self.row(x, table, r, marked, layout, grid, rels, as_it_is)?;
        }
        self.whole = whole;
        self.row_marked = row_marked;
        x.end("w:tbl")
    }

    /// One row of `table`: inserted or deleted whole (`marked`: which, and whose change)
    /// or not; each cell's content written by `content` (given its column and width).
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn row<W: Write>(
        &mut self,
        x: &mut Xml<W>,
        table: &domain::Table,
        r: usize,
        marked: Option<(Op, &crate::Mark)>,
        layout: &[Vec<Slot>],
        grid: &[usize],
        rels: &mut PartRels,
        mut content: impl FnMut(
            &mut Self,
            &mut Xml<W>,
            Cell<'_>,
            usize,
            usize,
            &mut PartRels,
        ) -> io::Result<()>,
    ) -> io::Result<()> {
        let header = table.header_row && r == 0;
        x.start("w:tr", &[])?;
        let stamp = marked.map(|(op, mark)| (op, Stamp::new(self.ids, mark)));
        if header || stamp.is_some() {
            x.start("w:trPr", &[])?;
            if header {
                x.empty("w:cantSplit", &[])?;
                x.empty("w:tblHeader", &[])?;
            } else {
                // The schema wants a row property before the mark: `cantSplit` off is the
                // default, so it changes nothing.
                x.val("w:cantSplit", "off")?;
            }
            if let Some((op, stamp)) = &stamp {
                x.empty(op.tag(), &stamp.attrs())?;
            }
            x.end("w:trPr")?;
        }
        self.whole = marked.map(|(op, mark)| (op, mark.clone()));
        self.row_marked = marked.is_some();
        for c in 0..table.rows[r].len() {
            let slot = layout[r][c];
            if slot == Slot::Covered {
                continue;
            }
            let span = match slot {
                Slot::Start { cols, .. } | Slot::Below { cols } => cols,
                _ => 1,
            };
            let width: usize = grid.iter().skip(c).take(span).sum();
            x.start("w:tc", &[])?;
            // The format of a merged cell is its top-left cell's.
            let origin = table.merge_at(r, c).map_or((r, c), |m| (m.row, m.col));
            cell_properties(x, width, span, slot, table.cell_format(origin.0, origin.1))?;
            content(self, x, Cell::of(table, layout, r, c), c, width, rels)?;
            x.end("w:tc")?;
        }
        self.whole = None;
        self.row_marked = false;
        x.end("w:tr")
    }

    /// A cell's content as it is.
    pub(crate) fn cell<W: Write>(
        &mut self,
        x: &mut Xml<W>,
        cell: Cell<'_>,
        width: usize,
        rels: &mut PartRels,
    ) -> io::Result<()> {
        match cell.content {
            CellContent::Below => x.empty("w:p", &[]),
            CellContent::Blocks(blocks) => self.cell_blocks(x, blocks, width, rels),
            CellContent::Runs(runs) => self.paragraph(x, &ParaProps::default(), runs, &[], rels),
            CellContent::Text(text) => {
                let extra = RunExtra {
                    style: None,
                    bold: cell.header,
                };
                self.text_paragraph(x, &ParaProps::default(), text, extra)
            }
        }
    }

    /// A cell both versions have (`before`, A's): the same kept, a paragraph word by word,
    /// blocks one by one where both have the same kinds; else A's content deleted and
    /// B's inserted.
    pub(crate) fn changed_cell<W: Write>(
        &mut self,
        x: &mut Xml<W>,
        before: Cell<'_>,
        after: Cell<'_>,
        width: usize,
        marks: &Marks,
        rels: &mut PartRels,
    ) -> io::Result<()> {
        if before.content == after.content && before.header == after.header {
            return self.cell(x, after, width, rels);
        }
        let plain = ParaProps::default();
        if let (Some(old_runs), Some(new_runs)) = (before.runs(), after.runs()) {
            let pair = Pair {
                old: (&plain, &old_runs),
                new: (&plain, &new_runs),
            };
            return self.changed_paragraph(x, pair, &[], marks, rels);
        }
        if let (CellContent::Blocks(a), CellContent::Blocks(b)) = (before.content, after.content)
            && a.len() == b.len()
            && a.iter()
                .zip(b)
                .all(|(a, b)| std::mem::discriminant(a) == std::mem::discriminant(b))
        {
            for (a, b) in a.iter().zip(b) {
                match (a, b) {
                    (
                        CellBlock::Paragraph {
                            runs: ra,
                            style: sa,
                            alignment: aa,
                        },
                        CellBlock::Paragraph {
                            runs: rb,
                            style: sb,
                            alignment: ab,
                        },
                    ) => {
                        let old_props = ParaProps {
                            style: sa.as_deref(),
                            alignment: *aa,
                            ..ParaProps::default()
                        };
                        let new_props = ParaProps {
                            style: sb.as_deref(),
                            alignment: *ab,
                            ..ParaProps::default()
                        };
                        let pair = Pair {
                            old: (&old_props, ra),
                            new: (&new_props, rb),
                        };
                        self.changed_paragraph(x, pair, &[], marks, rels)?;
                    }
                    (
                        CellBlock::List {
                            kind: ka,
                            items: ia,
                        },
                        CellBlock::List {
                            kind: kb,
                            items: ib,
                        },
                    ) if ka == kb => {
                        let num = self.used.numbering.cell_list(*kb);
                        self.changed_items(x, num, ia, ib, marks, rels)?;
                    }
                    (a, b) if a == b => {
                        self.cell_blocks(x, std::slice::from_ref(b), width, rels)?
                    }
                    (a, b) => self.replaced(
                        x,
                        &marks.text,
                        rels,
                        |body, x, rels| body.cell_blocks(x, std::slice::from_ref(a), width, rels),
                        |body, x, rels| body.cell_blocks(x, std::slice::from_ref(b), width, rels),
                    )?,
                }
            }
            return Ok(());
        }
        self.replaced(
            x,
            &marks.text,
            rels,
            |body, x, rels| body.cell(x, before, width, rels),
            |body, x, rels| body.cell(x, after, width, rels),
        )
    }

    /// A cell holding several blocks: its paragraphs, its lists (numbered ones restart at
    /// 1), its nested tables (equal columns over the cell's `width`, in twips), and a
    /// closing paragraph after a table (Word needs a cell to end with one).
    pub(crate) fn cell_blocks<W: Write>(
        &mut self,
        x: &mut Xml<W>,
        blocks: &[CellBlock],
        width: usize,
        rels: &mut PartRels,
    ) -> io::Result<()> {
        let mut ends_with_table = false;
        if blocks.is_empty() {
            return x.empty("w:p", &[]);
        }
        for block in blocks {
            ends_with_table = false;
            match block {
                CellBlock::Paragraph {
                    runs,
                    style,
                    alignment,
                } => {
                    let props = ParaProps {
                        style: style.as_deref(),
                        alignment: *alignment,
                        ..ParaProps::default()
                    };
                    self.paragraph(x, &props, runs, &[], rels)?;
                }
                CellBlock::List { kind, items } => {
                    let num = self.used.numbering.cell_list(*kind);
                    for item in items {
                        self.list_item(x, num, item, rels)?;
                    }
                }
                CellBlock::Table { rows } => {
                    let cols = rows.iter().map(Vec::len).max().unwrap_or(1).max(1);
                    let each = (width / cols).max(1);
                    self.used.style("TableGrid");
                    table_start(x, Some("TableGrid"), &vec![each; cols])?;
                    for row in rows {
                        x.start("w:tr", &[])?;
                        for c in 0..cols {
                            x.start("w:tc", &[])?;
                            cell_properties(x, each, 1, Slot::Single, None)?;
                            let text = row.get(c).map_or("", String::as_str);
                            self.text_paragraph(
                                x,
                                &ParaProps::default(),
                                text,
                                RunExtra::default(),
                            )?;
                            x.end("w:tc")?;
                        }
                        x.end("w:tr")?;
                    }
                    x.end("w:tbl")?;
                    ends_with_table = true;
                }
            }
        }
        if ends_with_table {
            x.empty("w:p", &[])?;
        }
        Ok(())
    }
}
