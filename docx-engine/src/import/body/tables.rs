//! Tables: rows, cells, merges, widths, cell formats and the blocks inside cells.

use super::*;

impl<'a> Importer<'a> {
    /// Maps a `w:tbl` (depth 0) or says why it stays opaque.
    pub(super) fn table(
        &mut self,
        node: &Node,
        ctx: &PartContext<'_>,
        place: &str,
        depth: usize,
    ) -> Result<Result<Table, Unmodelled>, ImportError> {
        let grid: Vec<f32> = node
            .child(Ns::W, "tblGrid")
            .map(|g| {
                g.elements()
                    .filter(|c| c.is(Ns::W, "gridCol"))
                    .map(|c| {
                        let mm = c.attr(Ns::W, "w").and_then(twips_pt).unwrap_or(0.0) * 25.4 / 72.0;
                        (mm * 10.0).round() / 10.0
                    })
                    .collect()
            })
            .unwrap_or_default();
        let style = node
            .path(Ns::W, &["tblPr", "tblStyle"])
            .and_then(Node::val)
            .filter(|s| self.styles.has(s))
            .map(str::to_string);
        struct CellIn<'n> {
            node: &'n Node<'n>,
            col: usize,
            span: usize,
            merge: Option<bool>,
        }
        let mut rows_in: Vec<Vec<CellIn<'_>>> = Vec::new();
        let mut header_row = false;
        // The table's look sets its first row apart (as readers take a header row).
        let first_row_look = node
            .path(Ns::W, &["tblPr", "tblLook"])
            .is_some_and(|look| match look.attr(Ns::W, "firstRow") {
                Some(v) => matches!(v, "1" | "true" | "on"),
                None => look
                    .val()
                    .and_then(|v| u32::from_str_radix(v, 16).ok())
                    .is_some_and(|bits| bits & 0x0020 != 0),
            });
        let rows = match children_named(node, "tr", &["tblPr", "tblGrid"], "tables") {
            Ok(rows) => rows,
            Err(why) => return Ok(Err(why)),
        };
        for tr in rows {
            let trpr = tr.child(Ns::W, "trPr");
            if rows_in.is_empty()
                && (trpr.and_then(|p| p.flag("tblHeader")) == Some(true) || first_row_look)
            {
                header_row = true;
            }
            let before = trpr
                .and_then(|p| p.child_val("gridBefore"))
                .and_then(|v| v.parse::<usize>().ok())
                .unwrap_or(0)
                .min(64);
            let mut col = before;
            let mut cells = Vec::new();
            let tcs = match children_named(tr, "tc", &["trPr", "tblPrEx"], "table rows") {
                Ok(tcs) => tcs,
                Err(why) => return Ok(Err(why)),
            };
            for tc in tcs {
                let tcpr = tc.child(Ns::W, "tcPr");
                if let Some(tcpr) = tcpr {
                    self.warn_unkept(
                        tcpr,
                        &[
                            "tcW", "gridSpan", "vMerge", "shd", "vAlign", "hMerge", "noWrap",
                            "hideMark",
                        ],
                        "cell_format",
                        place,
                    );
                }
                let span = tcpr
                    .and_then(|p| p.child_val("gridSpan"))
                    .and_then(|v| v.parse::<usize>().ok())
                    .unwrap_or(1)
                    .clamp(1, 64);
                let merge = tcpr
                    .and_then(|p| p.child(Ns::W, "vMerge"))
                    .map(|m| m.val() == Some("restart"));
                cells.push(CellIn {
                    node: tc,
                    col,
                    span,
                    merge,
                });
                col += span;
                if col > domain::MAX_TABLE_COLS {
                    return Ok(Err(unmodelled(
                        "table",
                        format!("tables wider than {} columns", domain::MAX_TABLE_COLS),
                    )));
                }
            }
            rows_in.push(cells);
        }
        let cols = rows_in
            .iter()
            .map(|r| r.last().map_or(0, |c| c.col + c.span))
            .max()
            .unwrap_or(0)
            .max(grid.len())
            .min(domain::MAX_TABLE_COLS);
        if rows_in.is_empty() || cols == 0 {
            return Ok(Err(unmodelled("table", "empty tables")));
        }
        if rows_in.len().saturating_mul(cols) > self.model_limits.max_table_cells {
            return Ok(Err(unmodelled("table", "tables over the cell limit")));
        }
        let mut rows = vec![vec![String::new(); cols]; rows_in.len()];
        let mut merges: Vec<CellSpan> = Vec::new();
        let mut cell_runs: Vec<CellRunsAt> = Vec::new();
        let mut cell_formats: Vec<CellFormatAt> = Vec::new();
        // The open vertical merge starting in each column: index into `merges`.
        let mut open: HashMap<usize, usize> = HashMap::new();
        for (r, cells) in rows_in.iter().enumerate() {
            for cell in cells {
                if cell.merge == Some(false) {
                    // A continuation: the merge above grows (if its columns match).
                    match open.get(&cell.col).and_then(|i| merges.get_mut(*i)) {
                        Some(m) if m.cols == cell.span && m.row + m.rows == r => {
                            m.rows += 1;
                            continue;
                        }
                        _ => {}
                    }
                }
                if cell.span > 1 || cell.merge == Some(true) {
                    merges.push(CellSpan {
                        row: r,
                        col: cell.col,
                        rows: 1,
                        cols: cell.span,
                    });
                    if cell.merge == Some(true) {
                        open.insert(cell.col, merges.len() - 1);
                    } else {
                        open.remove(&cell.col);
                    }
                } else {
                    open.remove(&cell.col);
                }
                if let Some(tcpr) = cell.node.child(Ns::W, "tcPr") {
                    let shading = tcpr
                        .child(Ns::W, "shd")
                        .and_then(|s| s.attr(Ns::W, "fill"))
                        .and_then(color);
                    let vertical_align = match tcpr.child_val("vAlign") {
                        Some("center") => Some(VerticalAlign::Center),
                        Some("bottom") => Some(VerticalAlign::Bottom),
                        _ => None,
                    };
                    if shading.is_some() || vertical_align.is_some() {
                        cell_formats.push(CellFormatAt {
                            row: r,
                            col: cell.col,
                            shading,
                            vertical_align,
                        });
                    }
                }
                match self.cell(cell.node, ctx, place, depth)? {
                    Ok((text, mut runs, blocks)) => {
                        if let Some(slot) = rows.get_mut(r).and_then(|row| row.get_mut(cell.col)) {
                            *slot = text;
                        }
                        // A header row is bold anyway (folio writes it so).
                        if r == 0
                            && header_row
                            && let Some(list) = &mut runs
                        {
                            for run in list.iter_mut() {
                                run.format.bold = false;
                            }
                            runs = domain::text_and_runs(std::mem::take(list)).1;
                        }
                        if runs.is_some() || !blocks.is_empty() {
                            cell_runs.push(CellRunsAt {
                                row: r,
                                col: cell.col,
                                runs: runs.unwrap_or_default(),
                                blocks,
                            });
                        }
                    }
                    Err(why) => return Ok(Err(why)),
                }
            }
        }
        // Merges must not overlap (a file can say anything).
        let mut taken = vec![vec![false; cols]; rows.len()];
        merges.retain(|m| {
            let fits = m.rows >= 1
                && m.row + m.rows <= rows.len()
                && m.col + m.cols <= cols
                && (m.rows > 1 || m.cols > 1);
            if !fits {
                return false;
            }
            let free = (m.row..m.row + m.rows).all(|r| {
                (m.col..m.col + m.cols)
                    .all(|c| taken.get(r).and_then(|row| row.get(c)) == Some(&false))
            });
            if free {
                for row in taken.iter_mut().skip(m.row).take(m.rows) {
                    for cell in row.iter_mut().skip(m.col).take(m.cols) {
                        *cell = true;
                    }
                }
            }
            free
        });
        let widths_mm =
            (grid.len() == cols && grid.iter().all(|w| *w > 0.0 && w.is_finite())).then_some(grid);
        Ok(Ok(Table {
            id: domain::BlockId::new("import"),
            rows,
            header_row,
            style,
            merges,
            widths_mm,
            cell_formats,
            cell_runs,
        }))
    }

    /// A cell's content: its text, its runs (one formatted paragraph) or its blocks.
    #[allow(clippy::type_complexity)]
    pub(super) fn cell(
        &mut self,
        tc: &Node,
        ctx: &PartContext<'_>,
        place: &str,
        depth: usize,
    ) -> Result<Result<(String, Option<Vec<Run>>, Vec<CellBlock>), Unmodelled>, ImportError> {
        let mut blocks: Vec<CellBlock> = Vec::new();
        for child in tc.elements() {
            if child.is(Ns::W, "tcPr")
                || child.is(Ns::W, "bookmarkStart")
                || child.is(Ns::W, "bookmarkEnd")
            {
                continue;
            }
            if child.is(Ns::W, "p") {
                let p = match self.paragraph(child, ctx, place)? {
                    Ok(p) => p,
                    Err(why) => return Ok(Err(why)),
                };
                if p.pieces.len() > 1 || p.section.is_some() {
                    return Ok(Err(unmodelled("table", "page breaks inside table cells")));
                }
                if !p.bookmarks.is_empty() {
                    self.warnings.add(
                        "bookmark_dropped",
                        || "bookmarks inside table cells were dropped".into(),
                        place,
                    );
                }
                let runs = p.pieces.into_iter().next().unwrap_or_default();
                if let Some((num, level)) = p.numbering
                    && let Some(kind) = self.list_kind(num, level)
                {
                    let item = ListItem::from_runs(runs, level.min(domain::MAX_LIST_LEVEL));
                    match blocks.last_mut() {
                        Some(CellBlock::List { kind: k, items }) if *k == kind => items.push(item),
                        _ => blocks.push(CellBlock::List {
                            kind,
                            items: vec![item],
                        }),
                    }
                } else {
                    let style = p.heading.map(|l| format!("Heading{l}")).or(p.style);
                    blocks.push(CellBlock::Paragraph {
                        runs,
                        style,
                        alignment: p.alignment,
                    });
                }
            } else if child.is(Ns::W, "tbl") {
                if depth >= 1 {
                    return Ok(Err(unmodelled(
                        "table",
                        "tables nested more than one level",
                    )));
                }
                match self.table(child, ctx, place, depth + 1)? {
                    Ok(t) => {
                        if !t.merges.is_empty() || !t.cell_runs.is_empty() {
                            self.warnings.add(
                                "nested_table_text",
                                || "tables inside table cells keep their text, not their merges or formatting".into(),
                                place,
                            );
                        }
                        blocks.push(CellBlock::Table { rows: t.rows });
                    }
                    Err(why) => return Ok(Err(why)),
                }
            } else {
                return Ok(Err(unmodelled(
                    "table",
                    format!("table cells holding {}", child.qname),
                )));
            }
        }
        // A cell must end with a paragraph: the empty one after a nested table is that.
        if let [
            ..,
            CellBlock::Table { .. },
            CellBlock::Paragraph {
                runs,
                style: None,
                alignment: None,
            },
        ] = blocks.as_slice()
            && runs.is_empty()
        {
            blocks.pop();
        }
        // One plain paragraph: text (and runs when formatted), the common case.
        if let [
            CellBlock::Paragraph {
                runs,
                style: None,
                alignment: None,
            },
        ] = blocks.as_slice()
        {
            let (text, runs) = domain::text_and_runs(runs.clone());
            return Ok(Ok((text, runs, Vec::new())));
        }
        if blocks.is_empty() {
            return Ok(Ok((String::new(), None, Vec::new())));
        }
        if blocks.len() > 100 {
            return Ok(Err(unmodelled(
                "table",
                "table cells holding more than 100 blocks",
            )));
        }
        let text = blocks
            .iter()
            .flat_map(CellBlock::lines)
            .collect::<Vec<_>>()
            .join("\n");
        Ok(Ok((text, None, blocks)))
    }
}

/// The children of a table or row named `want` (`w:tr`, `w:tc`), past its properties
/// (`skip`) and bookmarks; anything else keeps the table opaque, named.
fn children_named<'n>(
    node: &'n Node<'n>,
    want: &str,
    skip: &[&str],
    holder: &str,
) -> Result<Vec<&'n Node<'n>>, Unmodelled> {
    let mut out = Vec::new();
    for child in node.elements() {
        if child.is(Ns::W, want) {
            out.push(child);
        } else if !(child.ns == Ns::W
            && (skip.contains(&child.local)
                || matches!(child.local, "bookmarkStart" | "bookmarkEnd")))
        {
            return Err(unmodelled(
                "table",
                format!("{holder} holding {}", child.qname),
            ));
        }
    }
    Ok(out)
}
