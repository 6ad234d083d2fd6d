//! A redline's blocks: inserted or deleted whole, or changed — a paragraph word by word,
//! a list item by item, a table row by row.

use std::io::{self, Write};

use domain::{Block, Run, RunFormat};

use super::PartRels;
use super::body::*;
use super::paragraphs::*;
use super::revision::{Op, Stamp};
use super::runs::*;
use super::tables::*;
use super::xml::Xml;

/// Who made a block's change of text and of its formatting.
#[derive(Debug, Clone)]
pub(crate) struct Marks {
    pub(crate) text: crate::Mark,
    pub(crate) format: crate::Mark,
}

/// A's and B's version of a paragraph: properties and runs.
pub(crate) struct Pair<'p, 'r> {
    pub(crate) old: (&'p ParaProps<'p>, &'r [Run]),
    pub(crate) new: (&'p ParaProps<'p>, &'r [Run]),
}

/// A list item's runs (plain text as one run).
pub(crate) fn item_runs(item: &domain::ListItem) -> Vec<Run> {
    match &item.runs {
        Some(runs) => runs.clone(),
        None => vec![Run {
            text: item.text.clone(),
            format: RunFormat::default(),
        }],
    }
}

impl Body<'_, '_> {
    /// A block inserted or deleted whole (a section break or opaque block, whose change
    /// cannot be marked, is written as B has it).
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn whole<W: Write>(
        &mut self,
        x: &mut Xml<W>,
        at: Option<usize>,
        block: &Block,
        op: Op,
        revisions: &Revisions<'_>,
        width: usize,
        rels: &mut PartRels,
    ) -> io::Result<()> {
        match block {
            Block::SectionBreak(_) | Block::Opaque(_) => {
                if op == Op::Insert {
                    self.block(x, at, block, width, rels)?;
                }
                Ok(())
            }
            _ => {
                self.whole = Some((op, (revisions.by)(block.id(), crate::MarkKind::Text)));
                let written = match block {
                    // Its text, as the change (its field cannot be wrapped).
                    Block::TableOfContents(_) => {
                        let text = block.text();
                        self.text_paragraph(x, &ParaProps::default(), &text, RunExtra::default())
                    }
                    _ => self.block(x, at, block, width, rels),
                };
                self.whole = None;
                written
            }
        }
    }

    /// A block both versions have, changed: a paragraph or heading word by word, a table
    /// row by row; anything else deleted as it was and inserted as it is.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn changed<W: Write>(
        &mut self,
        x: &mut Xml<W>,
        at: Option<usize>,
        old: &Block,
        new: &Block,
        revisions: &Revisions<'_>,
        width: usize,
        rels: &mut PartRels,
    ) -> io::Result<()> {
        let marks = Marks {
            text: (revisions.by)(new.id(), crate::MarkKind::Text),
            format: (revisions.by)(new.id(), crate::MarkKind::Format),
        };
        match (old, new) {
            (Block::Paragraph(_) | Block::Heading(_), Block::Paragraph(_) | Block::Heading(_)) => {
                let (mut old_style, mut new_style) = (String::new(), String::new());
                let (props, bookmarks) = self.props(new, at, &mut new_style);
                let (old_props, _) = self.props(old, None, &mut old_style);
                let pair = Pair {
                    old: (&old_props, old.runs()),
                    new: (&props, new.runs()),
                };
                self.changed_paragraph(x, pair, &bookmarks, &marks, rels)
            }
            (Block::List(a), Block::List(b)) if a.kind == b.kind => {
                let num = self.used.numbering.list(b);
                self.changed_items(x, num, &a.items, &b.items, &marks, rels)
            }
            (Block::Table(a), Block::Table(b)) if a.cols() == b.cols() => {
                self.changed_table(x, a, b, &marks, width, rels)
            }
            (_, Block::SectionBreak(_) | Block::Opaque(_)) => self.block(x, at, new, width, rels),
            _ => {
                self.whole(x, None, old, Op::Delete, revisions, width, rels)?;
                self.whole(x, at, new, Op::Insert, revisions, width, rels)
            }
        }
    }

    /// A paragraph both versions have, changed: A's and B's runs word by word, B's
    /// properties (A's in a `w:pPrChange` where they differ).
    pub(crate) fn changed_paragraph<W: Write>(
        &mut self,
        x: &mut Xml<W>,
        pair: Pair<'_, '_>,
        bookmarks: &[String],
        marks: &Marks,
        rels: &mut PartRels,
    ) -> io::Result<()> {
        let (old_props, old_runs) = pair.old;
        let (new_props, new_runs) = pair.new;
        if old_runs == new_runs && old_props.same(new_props) {
            return self.paragraph(x, new_props, new_runs, bookmarks, rels);
        }
        let (runs, revs) = super::revision::pieces(old_runs, new_runs, &marks.text, &marks.format);
        let mut props = new_props.clone();
        if !props.same(old_props) {
            let stamp = Stamp::new(self.ids, &marks.format);
            props.change = Some((Box::new(old_props.clone()), stamp));
        }
        self.paragraph_with(x, &props, &runs, Some(&revs), bookmarks, rels)
    }

    /// The items of a list both versions have (numbering instance `num`): the same ones
    /// kept, a changed one word by word (in pairs, where as many changed on both sides),
    /// the others deleted and inserted.
    pub(crate) fn changed_items<W: Write>(
        &mut self,
        x: &mut Xml<W>,
        num: u64,
        old: &[domain::ListItem],
        new: &[domain::ListItem],
        marks: &Marks,
        rels: &mut PartRels,
    ) -> io::Result<()> {
        let key = |items: &[domain::ListItem]| -> Vec<String> {
            items.iter().map(|i| format!("{i:?}")).collect()
        };
        let (a, b) = (key(old), key(new));
        for op in similar::capture_diff_slices(similar::Algorithm::Patience, &a, &b) {
            match op {
                similar::DiffOp::Equal { new_index, len, .. } => {
                    for item in &new[new_index..new_index + len] {
                        self.list_item(x, num, item, rels)?;
                    }
                }
                similar::DiffOp::Replace {
                    old_index,
                    old_len,
                    new_index,
                    new_len,
                } if old_len == new_len => {
                    for (o, n) in old[old_index..old_index + old_len]
                        .iter()
                        .zip(&new[new_index..new_index + new_len])
                    {
                        let props = |level: u8| ParaProps {
                            style: Some("ListParagraph"),
                            num: Some((num, level)),
                            ..ParaProps::default()
                        };
                        let (old_props, new_props) = (props(o.level), props(n.level));
                        let (old_runs, new_runs) = (item_runs(o), item_runs(n));
                        let pair = Pair {
                            old: (&old_props, &old_runs),
                            new: (&new_props, &new_runs),
                        };
                        self.changed_paragraph(x, pair, &[], marks, rels)?;
                    }
                }
                op => self.replaced(
                    x,
                    &marks.text,
                    rels,
                    |body, x, rels| {
                        for item in &old[op.old_range()] {
                            body.list_item(x, num, item, rels)?;
                        }
                        Ok(())
                    },
                    |body, x, rels| {
                        for item in &new[op.new_range()] {
                            body.list_item(x, num, item, rels)?;
                        }
                        Ok(())
                    },
                )?,
            }
        }
        Ok(())
    }

    /// A changed table: identical rows kept, a changed row cell by cell (in pairs, where
    /// as many rows changed on both sides with as many cells), the others deleted and
    /// inserted; B's grid and properties.
    pub(crate) fn changed_table<W: Write>(
        &mut self,
        x: &mut Xml<W>,
        old: &domain::Table,
        new: &domain::Table,
        marks: &Marks,
        width: usize,
        rels: &mut PartRels,
    ) -> io::Result<()> {
        let mut rows: Vec<RowPlan<'_>> = Vec::new();
        for op in similar::capture_diff_slices(similar::Algorithm::Patience, &old.rows, &new.rows) {
            match op {
                similar::DiffOp::Equal {
                    old_index,
                    new_index,
                    len,
                } => {
                    // The same texts; their runs, blocks or formats may still differ.
                    rows.extend((0..len).map(|k| {
                        let (o, n) = (old_index + k, new_index + k);
                        if same_row(old, o, new, n) {
                            RowPlan::Kept(new, n)
                        } else {
                            RowPlan::Changed(o, n)
                        }
                    }));
                }
                similar::DiffOp::Replace {
                    old_index,
                    old_len,
                    new_index,
                    new_len,
                } if old_len == new_len
                    && (0..old_len).all(|k| {
                        old.rows[old_index + k].len() == new.rows[new_index + k].len()
                    }) =>
                {
                    rows.extend(
                        (0..old_len).map(|k| RowPlan::Changed(old_index + k, new_index + k)),
                    );
                }
                op => {
                    rows.extend(op.old_range().map(|r| RowPlan::Marked(old, r, Op::Delete)));
                    rows.extend(op.new_range().map(|r| RowPlan::Marked(new, r, Op::Insert)));
                }
            }
        }
        self.table_rows(x, new, Some(old), &rows, Some(marks), width, rels)
    }

    /// A's content (written by `old`) deleted and B's (by `new`) inserted, as `mark`'s
    /// change.
    pub(crate) fn replaced<W: Write>(
        &mut self,
        x: &mut Xml<W>,
        mark: &crate::Mark,
        rels: &mut PartRels,
        old: impl FnOnce(&mut Self, &mut Xml<W>, &mut PartRels) -> io::Result<()>,
        new: impl FnOnce(&mut Self, &mut Xml<W>, &mut PartRels) -> io::Result<()>,
    ) -> io::Result<()> {
        self.whole = Some((Op::Delete, mark.clone()));
        old(self, x, rels)?;
        self.whole = Some((Op::Insert, mark.clone()));
        new(self, x, rels)?;
        self.whole = None;
        Ok(())
    }
}
