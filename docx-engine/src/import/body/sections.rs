//! Sections: page setup (`w:sectPr`) and the header and footer parts.

use super::*;

impl<'a> Importer<'a> {
    /// A `w:sectPr`: page setup, how it starts, its headers and footers.
    pub(super) fn section_props(
        &mut self,
        sect: &Node,
        ctx: &PartContext<'_>,
        place: &str,
    ) -> Result<SectionProps, ImportError> {
        let mut props = SectionProps::default();
        let mm = |node: Option<&Node>, name: &str| {
            node.and_then(|n| n.attr(Ns::W, name))
                .and_then(twips_pt)
                .map(|pt| (pt * 25.4 / 72.0 * 10.0).round() / 10.0)
        };
        let size = sect.child(Ns::W, "pgSz");
        let margins = sect.child(Ns::W, "pgMar");
        let mut page = PageSetup {
            width_mm: mm(size, "w"),
            height_mm: mm(size, "h"),
            margin_top_mm: mm(margins, "top").map(f32::abs),
            margin_bottom_mm: mm(margins, "bottom").map(f32::abs),
            margin_left_mm: mm(margins, "left").or(mm(margins, "start")),
            margin_right_mm: mm(margins, "right").or(mm(margins, "end")),
            columns: sect
                .child(Ns::W, "cols")
                .and_then(|c| c.attr(Ns::W, "num"))
                .and_then(|n| n.parse::<u8>().ok()),
        };
        // A value that is folio's default stays unset (as a document folio made has it).
        let d = PageSetup::DEFAULT;
        let default = |v: &mut Option<f32>, of: f32| {
            if v.is_some_and(|x| (x - of).abs() < 0.05) {
                *v = None;
            }
        };
        default(&mut page.width_mm, d.width_mm);
        default(&mut page.height_mm, d.height_mm);
        default(&mut page.margin_top_mm, d.margin_top_mm);
        default(&mut page.margin_bottom_mm, d.margin_bottom_mm);
        default(&mut page.margin_left_mm, d.margin_left_mm);
        default(&mut page.margin_right_mm, d.margin_right_mm);
        if page.columns == Some(1) {
            page.columns = None;
        }
        if !page.is_sound() {
            self.warnings.add(
                "page_setup",
                || {
                    "page setups outside what folio accepts were replaced by folio's default page"
                        .into()
                },
                place,
            );
            page = PageSetup::default();
        }
        props.page = page;
        props.start = match sect.child_val("type") {
            Some("continuous") => SectionStart::Continuous,
            None | Some("nextPage") => SectionStart::NextPage,
            Some(other) => {
                let other = other.to_string();
                self.warnings.add(
                    "section_start",
                    || "sections starting on an even or odd page or a new column start on the next page".into(),
                    &other,
                );
                SectionStart::NextPage
            }
        };
        let title_page = sect.flag("titlePg") == Some(true);
        for reference in sect.elements() {
            let footer = if reference.is(Ns::W, "headerReference") {
                false
            } else if reference.is(Ns::W, "footerReference") {
                true
            } else {
                continue;
            };
            let Some(id) = reference.attr(Ns::R, "id") else {
                continue;
            };
            let Some(rel) = ctx.rels.get(id).filter(|r| !r.external) else {
                continue;
            };
            let kind = reference.attr(Ns::W, "type").unwrap_or("default");
            if (kind == "first" && !title_page) || (kind == "even" && !self.even_and_odd) {
                continue;
            }
            let target = rel.target.clone();
            let runs = self.margin(&target)?;
            let set = if footer {
                &mut props.footer
            } else {
                &mut props.header
            };
            match kind {
                "first" => set.first = runs,
                "even" => set.even = runs,
                _ => set.default = runs,
            }
        }
        Ok(props)
    }

    /// A paragraph of a header, footer, comment or note as runs: its bookmarks and links to
    /// bookmarks are not kept (not link targets); `None` when it cannot be mapped.
    pub(super) fn lenient_runs(
        &mut self,
        p: &Node,
        ctx: &PartContext<'_>,
        place: &str,
    ) -> Result<Option<Vec<Run>>, ImportError> {
        let Ok(mapped) = self.paragraph(p, ctx, place)? else {
            return Ok(None);
        };
        let mut runs: Vec<Run> = mapped.pieces.into_iter().flatten().collect();
        for run in &mut runs {
            run.format.bookmarks.clear();
            if run
                .format
                .link
                .as_deref()
                .is_some_and(|l| l.starts_with('#'))
            {
                run.format.link = None;
            }
        }
        Ok(Some(runs))
    }

    /// A header or footer part as one paragraph of runs (paragraphs joined by line breaks).
    pub(super) fn margin(&mut self, part: &str) -> Result<Option<Vec<Run>>, ImportError> {
        if let Some(done) = self.headers.get(part) {
            return Ok(done.clone());
        }
        let Some(bytes) = self.package.part(part) else {
            return Ok(None);
        };
        let text = std::str::from_utf8(bytes).unwrap_or("");
        let tree = xml::parse(
            bytes,
            part,
            self.limits.max_depth,
            self.limits.max_xml_nodes,
        )?;
        let ctx = self.lenient_context(part, text, tree.root_declarations.clone())?;
        let mut runs: Vec<Run> = Vec::new();
        let mut first = true;
        // Paragraphs wherever they are (inside content controls, text boxes, tables).
        let mut stack: Vec<&Node> = vec![&tree.root];
        let mut paragraphs: Vec<&Node> = Vec::new();
        while let Some(node) = stack.pop() {
            if node.is(Ns::W, "p") {
                paragraphs.push(node);
                continue;
            }
            let mark = stack.len();
            stack.extend(node.elements());
            if let Some(children) = stack.get_mut(mark..) {
                children.reverse();
            }
        }
        for p in paragraphs {
            let place = part.to_string();
            let Some(mut these) = self.lenient_runs(p, &ctx, &place)? else {
                continue;
            };
            if !first {
                runs.push(Run::plain("\n"));
            }
            first = false;
            runs.append(&mut these);
        }
        domain::text::normalize(&mut runs);
        while runs
            .last()
            .is_some_and(|r| r.text == "\n" && r.format == RunFormat::default())
        {
            runs.pop();
        }
        let result = (!runs.is_empty()).then_some(runs);
        self.headers.insert(part.to_string(), result.clone());
        Ok(result)
    }
}
