//! Paragraphs and headings: their properties, list membership and numbering.

use super::*;

impl<'a> Importer<'a> {
    /// Adds a mapped paragraph: into the open list, or as its own block(s).
    pub(super) fn push_paragraph(
        &mut self,
        mut p: MappedParagraph,
        blocks: &mut Vec<Block>,
        list: &mut Option<(u32, List)>,
        previous_numbered: &mut Option<u32>,
    ) {
        let mut bookmarks = std::mem::take(&mut self.pending_bookmarks);
        bookmarks.append(&mut p.bookmarks);
        if let Some((num, level)) = p.numbering
            && p.pieces.len() == 1
            && let Some(kind) = self.list_kind(num, level)
        {
            let runs = p.pieces.pop().unwrap_or_default();
            let item = ListItem::from_runs(runs, level.min(domain::MAX_LIST_LEVEL));
            if !bookmarks.is_empty() {
                self.warnings.add(
                    "bookmark_dropped",
                    || "bookmarks on list items were dropped (folio's bookmarks mark paragraphs and headings)".into(),
                    &bookmarks.join(", "),
                );
            }
            match list {
                // The same numbering goes on; so does a nested item (writers give each
                // level its own numbering instance).
                Some((open, l))
                    if (*open == num || level > 0)
                        && l.items.len() < self.model_limits.max_list_items =>
                {
                    l.items.push(item);
                }
                _ => {
                    flush_list(list, blocks);
                    let numbering = self.list_numbering((num, level), kind, *previous_numbered);
                    if kind == ListKind::Numbered {
                        *previous_numbered = Some(num);
                    }
                    *list = Some((
                        num,
                        List {
                            id: domain::BlockId::new("import"),
                            kind,
                            items: vec![item],
                            numbering,
                        },
                    ));
                }
            }
            return;
        }
        flush_list(list, blocks);
        let pieces = p.pieces.len();
        for (i, runs) in p.pieces.into_iter().enumerate() {
            if i > 0 {
                blocks.push(Block::PageBreak(PageBreak {
                    id: domain::BlockId::new("import"),
                }));
            }
            // A paragraph holding only a page break is that break.
            if pieces > 1 && runs.is_empty() {
                continue;
            }
            let marks = if i == 0 {
                std::mem::take(&mut bookmarks)
            } else {
                Vec::new()
            };
            match p.heading {
                Some(level) => blocks.push(Block::Heading(Heading {
                    id: domain::BlockId::new("import"),
                    level,
                    runs,
                    alignment: p.alignment,
                    format: p.format,
                    bookmarks: marks,
                })),
                None => blocks.push(Block::Paragraph(Paragraph {
                    id: domain::BlockId::new("import"),
                    runs,
                    style: p.style.clone(),
                    alignment: p.alignment,
                    format: p.format,
                    bookmarks: marks,
                })),
            }
        }
    }

    /// Bullets or numbers: what the numbering shows at `level` (where the list's first
    /// item is).
    pub(super) fn list_kind(&self, num: u32, level: u8) -> Option<ListKind> {
        let level = self.numbering.level(num, level)?;
        Some(match level.format.as_str() {
            "bullet" | "none" => ListKind::Bullet,
            _ => ListKind::Numbered,
        })
    }

    pub(super) fn list_numbering(
        &mut self,
        (num, first): (u32, u8),
        kind: ListKind,
        previous: Option<u32>,
    ) -> ListNumbering {
        let level = self.numbering.level(num, first).unwrap_or_default();
        let mut numbering = ListNumbering::default();
        match kind {
            ListKind::Bullet => {
                let mut chars = level.text.chars();
                if let (Some(c), None) = (chars.next(), chars.next())
                    && c != '\u{2022}'
                    && !('\u{E000}'..='\u{F8FF}').contains(&c)
                    && !c.is_control()
                {
                    numbering.bullet = Some(c.to_string());
                }
            }
            ListKind::Numbered => {
                numbering.format = match level.format.as_str() {
                    "decimal" | "decimalZero" => None,
                    "lowerLetter" => Some(NumberStyle::LowerLetter),
                    "upperLetter" => Some(NumberStyle::UpperLetter),
                    "lowerRoman" => Some(NumberStyle::LowerRoman),
                    "upperRoman" => Some(NumberStyle::UpperRoman),
                    other => {
                        let other = other.to_string();
                        self.warnings.add(
                            "number_format",
                            || "number formats folio does not have were written as decimal".into(),
                            &other,
                        );
                        None
                    }
                };
                numbering.start = level.start.filter(|s| *s != 1 && *s <= 32_767);
                let same_definition = previous.is_some_and(|p| {
                    p == num || self.numbering.abstract_of(p) == self.numbering.abstract_of(num)
                });
                if previous == Some(num) || (same_definition && level.start.is_none()) {
                    numbering.continue_previous = previous == Some(num);
                }
            }
        }
        numbering
    }

    /// Maps a `w:p`, or says why it stays opaque.
    pub(super) fn paragraph(
        &mut self,
        node: &Node,
        ctx: &PartContext<'_>,
        place: &str,
    ) -> Result<Result<MappedParagraph, Unmodelled>, ImportError> {
        let mut p = MappedParagraph::default();
        if let Some(ppr) = node.child(Ns::W, "pPr") {
            if let Some(style) = ppr.child_val("pStyle") {
                if self.styles.has(style) {
                    if self.styles.default_paragraph.as_deref() != Some(style) {
                        p.style = Some(style.to_string());
                    }
                    p.heading = self.styles.heading_level(style);
                    p.numbering = self.styles.numbering(style);
                } else {
                    self.warnings.add(
                        "missing_style",
                        || "paragraphs named a style the file does not define; they keep the default style".into(),
                        place,
                    );
                }
            }
            if let Some(level) = ppr
                .child_val("outlineLvl")
                .and_then(|v| v.parse::<u8>().ok())
                .filter(|l| *l < 9)
            {
                p.heading = Some(level + 1);
            }
            if let Some(num) = ppr.child(Ns::W, "numPr") {
                let id = num.child_val("numId").and_then(|v| v.parse::<u32>().ok());
                let level = num
                    .child_val("ilvl")
                    .and_then(|v| v.parse::<u8>().ok())
                    .or(p.numbering.map(|(_, l)| l))
                    .unwrap_or(0);
                p.numbering = match id {
                    Some(0) => None,
                    Some(id) => Some((id, level)),
                    None => p.numbering.map(|(id, _)| (id, level)),
                };
            }
            if let Some((num, _)) = p.numbering
                && self.numbering.level(num, 0).is_none()
            {
                p.numbering = None;
            }
            // A heading stays a heading, numbered or not (folio's headings carry no
            // numbering).
            if p.heading.is_some() && p.numbering.take().is_some() {
                self.warnings.add(
                    "heading_numbering",
                    || "numbered headings keep their text; their numbers are not kept".into(),
                    place,
                );
            }
            p.alignment = ppr.child_val("jc").and_then(alignment);
            p.format = paragraph_format(ppr);
            self.warn_unkept(
                ppr,
                &[
                    "pStyle",
                    "keepNext",
                    "pageBreakBefore",
                    "numPr",
                    "spacing",
                    "ind",
                    "jc",
                    "outlineLvl",
                    "sectPr",
                    "rPr",
                    "pPrChange",
                    "widowControl",
                    "snapToGrid",
                    "autoSpaceDE",
                    "autoSpaceDN",
                    "adjustRightInd",
                    "contextualSpacing",
                    "suppressAutoHyphens",
                    "kinsoku",
                    "wordWrap",
                    "overflowPunct",
                    "topLinePunct",
                    "textAlignment",
                    "textboxTightWrap",
                    "mirrorIndents",
                ],
                "paragraph_format",
                place,
            );
            if let Some(sect) = ppr.child(Ns::W, "sectPr") {
                p.section = Some(self.section_props(sect, ctx, place)?);
            }
        }
        if p.heading.is_some() {
            // A heading's look is its level's style.
            p.style = None;
        }
        // Tracked changes of formatting or of the paragraph mark: kept as they are, but a
        // paragraph deleted whole (its mark and all its content) is a suggestion to delete
        // it.
        let mark = |kind: &str| {
            node.path(Ns::W, &["pPr", "rPr"])
                .and_then(|r| r.child(Ns::W, kind))
        };
        let formatting_changed = node.descendants().any(|n| {
            n.ns == Ns::W
                && matches!(
                    n.local,
                    "rPrChange" | "pPrChange" | "sectPrChange" | "numberingChange"
                )
        });
        // Only in the body's own paragraphs, not list items (no command deletes one).
        let revisions = self.top_level && !ctx.lenient && p.numbering.is_none();
        let deleted_whole = mark("del").filter(|_| {
            revisions && mark("ins").is_none() && !formatting_changed && all_content_deleted(node)
        });
        if !ctx.lenient
            && deleted_whole.is_none()
            && (mark("ins").is_some() || mark("del").is_some() || formatting_changed)
        {
            return Ok(Err(unmodelled("tracked_change", "tracked changes")));
        }
        let deletion = deleted_whole
            .filter(|_| !ctx.lenient && self.review.suggestions.len() < domain::MAX_SUGGESTIONS)
            .map(|del| {
                let id = format!("s{}", self.review.suggestions.len() + 1);
                (id, del.attr(Ns::W, "author"), del.attr(Ns::W, "date"))
            });
        let mut inline = Inline {
            pieces: vec![Vec::new()],
            block_deletion: deletion.as_ref().map(|(id, ..)| id.clone()),
            revisions,
            ..Inline::default()
        };
        if let Err(why) = self.inlines(node, ctx, &RunFormat::default(), &mut inline, place)?
            && !ctx.lenient
        {
            return Ok(Err(why));
        }
        if !matches!(inline.field, FieldState::None) {
            return Ok(Err(unmodelled(
                "field",
                "a field that goes on into the next paragraph",
            )));
        }
        if !ctx.lenient {
            self.close_comments(&mut inline);
        }
        if let Some((id, author, date)) = deletion {
            self.block_deletion(&mut inline, id, author, date);
        }
        // Bookmarks still open at the end, or covering every run, mark the paragraph.
        let runs_total: usize = inline.pieces.iter().map(Vec::len).sum();
        for (name, _) in std::mem::take(&mut inline.open_bookmarks).into_values() {
            strip_bookmark(&mut inline.pieces, &name);
            inline.whole.push(name);
        }
        // A range bookmark over every run of the paragraph is a whole-paragraph one.
        if runs_total > 0 {
            let everywhere: Vec<String> = inline
                .pieces
                .first()
                .and_then(|piece| piece.first())
                .map(|r| r.format.bookmarks.clone())
                .unwrap_or_default()
                .into_iter()
                .filter(|name| {
                    inline
                        .pieces
                        .iter()
                        .flatten()
                        .all(|r| r.format.bookmarks.contains(name))
                })
                .collect();
            for name in everywhere {
                strip_bookmark(&mut inline.pieces, &name);
                inline.whole.push(name);
            }
        }
        for piece in &mut inline.pieces {
            domain::text::normalize(piece);
        }
        p.bookmarks = inline.whole;
        p.pieces = inline.pieces;
        if p.heading.is_some() && p.pieces.len() > 1 {
            return Ok(Err(unmodelled(
                "page_break",
                "a heading with a page break inside",
            )));
        }
        Ok(Ok(p))
    }
}

pub(super) fn flush_list(list: &mut Option<(u32, List)>, blocks: &mut Vec<Block>) {
    if let Some((_, l)) = list.take() {
        blocks.push(Block::List(l));
    }
}

/// [`inline_as_text`] over list items (their text follows their runs).
pub(super) fn items_as_text(items: &mut [ListItem]) -> usize {
    let mut kept = 0;
    for item in items {
        if let Some(mut runs) = item.runs.take() {
            kept += inline_as_text(&mut runs);
            *item = ListItem::from_runs(runs, item.level);
        }
    }
    kept
}

/// Whether every piece of a paragraph's content is inside a tracked deletion (`w:del`,
/// `w:moveFrom`), apart from marks that carry no text.
fn all_content_deleted(node: &Node) -> bool {
    node.elements()
        .filter(|c| c.ns == Ns::W)
        .all(|c| match c.local {
            "pPr" | "del" | "moveFrom" | "bookmarkStart" | "bookmarkEnd" | "proofErr"
            | "commentRangeStart" | "commentRangeEnd" | "moveFromRangeStart"
            | "moveFromRangeEnd" | "permStart" | "permEnd" => true,
            "r" => c.elements().all(|r| {
                r.ns == Ns::W
                    && matches!(
                        r.local,
                        "rPr" | "commentReference" | "lastRenderedPageBreak"
                    )
            }),
            _ => false,
        })
}

fn paragraph_format(ppr: &Node) -> ParagraphFormat {
    let mut f = ParagraphFormat::default();
    let pt = |n: Option<&Node>, name: &str| {
        n.and_then(|n| n.attr(Ns::W, name))
            .and_then(twips_pt)
            .filter(|v| (0.0..=1584.0).contains(v))
    };
    if let Some(spacing) = ppr.child(Ns::W, "spacing") {
        f.spacing_before = pt(Some(spacing), "before");
        f.spacing_after = pt(Some(spacing), "after");
        if matches!(spacing.attr(Ns::W, "lineRule"), None | Some("auto"))
            && let Some(line) = spacing
                .attr(Ns::W, "line")
                .and_then(|v| v.parse::<f32>().ok())
            && (60.0..=2400.0).contains(&line)
        {
            f.line_spacing = Some((line / 240.0 * 100.0).round() / 100.0);
        }
    }
    let ind = ppr.child(Ns::W, "ind");
    // A zero indent is how docx-rs writes "none": read as unset.
    f.indent_left = pt(ind, "left").or(pt(ind, "start")).filter(|v| *v > 0.0);
    f.indent_right = pt(ind, "right").or(pt(ind, "end")).filter(|v| *v > 0.0);
    f.hanging = pt(ind, "hanging").filter(|v| *v > 0.0);
    if f.hanging.is_none() {
        f.first_line = pt(ind, "firstLine").filter(|v| *v > 0.0);
    }
    f.keep_with_next = ppr.flag("keepNext").filter(|v| *v);
    f.page_break_before = ppr.flag("pageBreakBefore").filter(|v| *v);
    f
}
