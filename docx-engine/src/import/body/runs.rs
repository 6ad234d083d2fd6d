//! Runs: text, breaks, tabs, formatting, hyperlinks and bookmarks inside a paragraph.

use super::*;

impl<'a> Importer<'a> {
    /// Walks the inline content of `node` (a paragraph, a link, a smart tag…).
    pub(super) fn inlines(
        &mut self,
        node: &Node,
        ctx: &PartContext<'_>,
        base: &RunFormat,
        st: &mut Inline,
        place: &str,
    ) -> Result<Result<(), Unmodelled>, ImportError> {
        for child in node.elements() {
            if child.ns != Ns::W {
                if ctx.lenient {
                    self.lenient_text(child, base, st, place);
                    continue;
                }
                let why = unmodelled("element", format!("{} inside a paragraph", child.qname));
                if let Err(why) = self.keep_inline(child, ctx, base, st, why, place) {
                    return Ok(Err(why));
                }
                continue;
            }
            match child.local {
                "pPr" | "proofErr" | "lastRenderedPageBreak" => {}
                "bookmarkStart" => {
                    if let (Some(id), Some(name)) =
                        (child.attr(Ns::W, "id"), child.attr(Ns::W, "name"))
                        && let Some(name) = self.bookmark_name(name)
                    {
                        let at_start = st.pieces.iter().all(Vec::is_empty);
                        st.open_bookmarks.insert(id.to_string(), (name, at_start));
                    }
                }
                "bookmarkEnd" => {
                    // A bookmark over no text marks the paragraph (folio has no empty ones).
                    if let Some(id) = child.attr(Ns::W, "id")
                        && let Some((name, _)) = st.open_bookmarks.remove(id)
                        && !st
                            .pieces
                            .iter()
                            .flatten()
                            .any(|r| r.format.bookmarks.contains(&name))
                    {
                        st.whole.push(name);
                    }
                }
                "r" => {
                    if let Err(why) = self.text_run(child, ctx, base, st, place)? {
                        return Ok(Err(why));
                    }
                }
                "ins" | "del" | "moveFrom" | "moveTo"
                    if st.revisions && matches!(st.field, FieldState::None) =>
                {
                    if let Err(why) = self.revision(child, ctx, base, st, place)?
                        && let Err(why) = self.keep_inline(child, ctx, base, st, why, place)
                    {
                        return Ok(Err(why));
                    }
                }
                // A move's range marks: its text is a deletion and an insertion.
                "moveFromRangeStart" | "moveFromRangeEnd" | "moveToRangeStart"
                | "moveToRangeEnd"
                    if !ctx.lenient => {}
                "commentRangeStart" if !ctx.lenient && self.comment_mark(child).is_some() => {
                    if let Some(Some(id)) = self.comment_mark(child)
                        && !st.open_comments.contains(&id)
                    {
                        st.open_comments.push(id);
                    }
                }
                "commentRangeEnd" if !ctx.lenient && self.comment_mark(child).is_some() => {
                    if let Some(Some(id)) = self.comment_mark(child) {
                        self.end_comment(st, &id);
                    }
                }
                "hyperlink" => {
                    if base.link.is_some() {
                        return Ok(Err(unmodelled("hyperlink", "a link inside a link")));
                    }
                    let target = match self.link_target(child, ctx) {
                        Ok(t) => t,
                        Err(why) if ctx.lenient => {
                            self.warnings
                                .add("link_dropped", || why.reason.clone(), place);
                            None
                        }
                        Err(why) => return Ok(Err(why)),
                    };
                    let mut format = base.clone();
                    format.link = target;
                    if let Err(why) = self.inlines(child, ctx, &format, st, place)? {
                        return Ok(Err(why));
                    }
                }
                "fldSimple" => {
                    let instr = child.attr(Ns::W, "instr").unwrap_or("").to_string();
                    match field_kind(&instr) {
                        Some(FieldKind::Shown(field)) => {
                            let text = clean_text(&child.text());
                            if text.is_empty() {
                                return Ok(Err(unmodelled(
                                    "field",
                                    "a field without a shown value",
                                )));
                            }
                            let mut format = base.clone();
                            format.field = Some(field);
                            push_run(st, text, format);
                        }
                        Some(FieldKind::Link(target)) if base.link.is_none() => {
                            let mut format = base.clone();
                            format.link = Some(target);
                            if let Err(why) = self.inlines(child, ctx, &format, st, place)? {
                                return Ok(Err(why));
                            }
                        }
                        _ if ctx.lenient => self.lenient_text(child, base, st, place),
                        _ => {
                            let why =
                                unmodelled("field", format!("the field {}", field_name(&instr)));
                            if let Err(why) = self.keep_inline(child, ctx, base, st, why, place) {
                                return Ok(Err(why));
                            }
                        }
                    }
                }
                "smartTag" | "customXml" | "sdt" | "ins" | "del" | "moveFrom" | "moveTo"
                | "moveFromRangeStart" | "moveFromRangeEnd" | "moveToRangeStart"
                | "moveToRangeEnd" | "commentRangeStart" | "commentRangeEnd" | "permStart"
                | "permEnd" => {
                    if ctx.lenient {
                        match child.local {
                            "del" | "moveFrom" => {}
                            "sdt" => {
                                if let Some(content) = child.child(Ns::W, "sdtContent")
                                    && let Err(why) = self.inlines(content, ctx, base, st, place)?
                                {
                                    return Ok(Err(why));
                                }
                            }
                            _ => {
                                if let Err(why) = self.inlines(child, ctx, base, st, place)? {
                                    return Ok(Err(why));
                                }
                            }
                        }
                        continue;
                    }
                    let (kind, why) = match child.local {
                        "ins" | "del" | "moveFrom" | "moveTo" | "moveFromRangeStart"
                        | "moveFromRangeEnd" | "moveToRangeStart" | "moveToRangeEnd" => {
                            ("tracked_change", "tracked changes")
                        }
                        "commentRangeStart" | "commentRangeEnd" => ("comment", "comments"),
                        "sdt" => ("content_control", "content controls (w:sdt)"),
                        "smartTag" => ("smart_tag", "smart tags"),
                        "customXml" => ("custom_xml", "custom XML markup"),
                        _ => ("permission", "editing permissions"),
                    };
                    if let Err(why) =
                        self.keep_inline(child, ctx, base, st, unmodelled(kind, why), place)
                    {
                        return Ok(Err(why));
                    }
                }
                _ => {
                    if ctx.lenient {
                        self.lenient_text(child, base, st, place);
                        continue;
                    }
                    let why = unmodelled("element", format!("{} inside a paragraph", child.qname));
                    if let Err(why) = self.keep_inline(child, ctx, base, st, why, place) {
                        return Ok(Err(why));
                    }
                }
            }
        }
        Ok(Ok(()))
    }

    /// Keeps `node` as opaque inline content, unless a field is open around it (a field's
    /// parts stay together: then the paragraph is kept whole).
    pub(super) fn keep_inline(
        &mut self,
        node: &Node,
        ctx: &PartContext<'_>,
        base: &RunFormat,
        st: &mut Inline,
        why: Unmodelled,
        place: &str,
    ) -> Result<(), Unmodelled> {
        if !matches!(st.field, FieldState::None) {
            return Err(why);
        }
        self.opaque_inline(node, ctx, base, st, &why, place);
        Ok(())
    }

    /// In a header or footer: unknown content as its text, with a warning.
    pub(super) fn lenient_text(
        &mut self,
        node: &Node,
        base: &RunFormat,
        st: &mut Inline,
        place: &str,
    ) {
        let text = clean_text(&node.text());
        let name = node.qname;
        self.warnings.add(
            "header_content_as_text",
            || "content of headers, footers, comments and notes folio does not model was kept as its text".into(),
            &format!("{place}: {name}"),
        );
        if !text.is_empty() {
            push_run(st, text, base.clone());
        }
    }

    pub(super) fn link_target(
        &mut self,
        node: &Node,
        ctx: &PartContext<'_>,
    ) -> Result<Option<String>, Unmodelled> {
        let anchor = node
            .attr(Ns::W, "anchor")
            .filter(|a| is_bookmark_name(a))
            .map(|a| format!("#{a}"));
        let Some(id) = node.attr(Ns::R, "id") else {
            return Ok(anchor);
        };
        let Some(rel) = ctx.rels.get(id).filter(|r| r.kind.ends_with(REL_HYPERLINK)) else {
            return Ok(anchor);
        };
        let url = rel.target.trim();
        let lower = url.to_ascii_lowercase();
        if !(lower.starts_with("http://")
            || lower.starts_with("https://")
            || lower.starts_with("mailto:"))
        {
            return Err(unmodelled(
                "hyperlink",
                "links to targets other than http, https and mailto",
            ));
        }
        if url.chars().count() > 2_000 || domain::text::first_non_xml_char(url).is_some() {
            return Err(unmodelled("hyperlink", "links with unusable targets"));
        }
        Ok(Some(match node.attr(Ns::W, "anchor") {
            Some(a) if !url.contains('#') => format!("{url}#{a}"),
            _ => url.to_string(),
        }))
    }

    /// Maps a `w:r`; a run holding content the model cannot hold (a symbol, a footnote
    /// reference, an object…) is kept whole as opaque inline content, unless it is part
    /// of a field (then its paragraph is kept whole).
    pub(super) fn text_run(
        &mut self,
        node: &Node,
        ctx: &PartContext<'_>,
        base: &RunFormat,
        st: &mut Inline,
        place: &str,
    ) -> Result<Result<(), Unmodelled>, ImportError> {
        let before = (st.pieces.len(), st.pieces.last().map_or(0, Vec::len));
        let in_field = !matches!(st.field, FieldState::None)
            || node
                .elements()
                .any(|c| c.is(Ns::W, "fldChar") || c.is(Ns::W, "instrText"));
        match self.run_content(node, ctx, base, st, place)? {
            Err(why) if !ctx.lenient && !in_field => {
                // What the run wrote before it met the unknown content goes: the run is
                // kept whole.
                st.pieces.truncate(before.0);
                if let Some(last) = st.pieces.last_mut() {
                    last.truncate(before.1);
                }
                self.opaque_inline(node, ctx, base, st, &why, place);
                Ok(Ok(()))
            }
            other => Ok(other),
        }
    }

    pub(super) fn run_content(
        &mut self,
        node: &Node,
        ctx: &PartContext<'_>,
        base: &RunFormat,
        st: &mut Inline,
        place: &str,
    ) -> Result<Result<(), Unmodelled>, ImportError> {
        let mut format = base.clone();
        if let Some(rpr) = node.child(Ns::W, "rPr") {
            self.run_format(rpr, &mut format, place);
        }
        for child in node.elements() {
            if child.ns != Ns::W {
                if ctx.lenient {
                    self.lenient_text(child, &format, st, place);
                    continue;
                }
                return Ok(Err(unmodelled(
                    "element",
                    format!("{} in a run", child.qname),
                )));
            }
            match child.local {
                "rPr" | "lastRenderedPageBreak" => {}
                "fldChar" => {
                    let kind = child.attr(Ns::W, "fldCharType").unwrap_or("");
                    match (kind, std::mem::take(&mut st.field)) {
                        ("begin", FieldState::None) => {
                            st.field = FieldState::Instruction(String::new())
                        }
                        ("separate", FieldState::Instruction(instr)) => match field_kind(&instr) {
                            Some(kind) => st.field = FieldState::Result(kind, Vec::new()),
                            None if ctx.lenient => {
                                st.field =
                                    FieldState::Result(FieldKind::Link(String::new()), Vec::new());
                            }
                            None => {
                                return Ok(Err(unmodelled(
                                    "field",
                                    format!("the field {}", field_name(&instr)),
                                )));
                            }
                        },
                        ("end", FieldState::Result(kind, runs)) => {
                            if let Err(why) = finish_field(kind, runs, st, ctx.lenient) {
                                return Ok(Err(why));
                            }
                        }
                        // A header's field without a shown value shows nothing.
                        ("end", FieldState::Instruction(_)) if ctx.lenient => {}
                        ("end", FieldState::Instruction(instr)) => {
                            return Ok(Err(unmodelled(
                                "field",
                                format!("the field {} (without a shown value)", field_name(&instr)),
                            )));
                        }
                        _ => {
                            return Ok(Err(unmodelled("field", "nested or unbalanced fields")));
                        }
                    }
                }
                // A deleted field's instruction, inside a tracked deletion folio models.
                "instrText" | "delInstrText"
                    if child.local == "instrText" || st.deleting.is_some() =>
                {
                    if let FieldState::Instruction(instr) = &mut st.field {
                        instr.push_str(&child.text_content());
                        if instr.len() > 10_000 {
                            return Ok(Err(unmodelled(
                                "field",
                                "a field with a very long instruction",
                            )));
                        }
                    }
                }
                "t" => {
                    let text = clean_text(&child.text_content());
                    if !text.is_empty() {
                        self.emit(st, text, format.clone());
                    }
                }
                // Deleted text, inside a tracked deletion folio models as a suggestion.
                "delText" if st.deleting.is_some() => {
                    let text = clean_text(&child.text_content());
                    if !text.is_empty() {
                        self.emit(st, text, format.clone());
                    }
                }
                "tab" | "ptab" => self.emit(st, "\t".into(), format.clone()),
                "br" => match child.attr(Ns::W, "type") {
                    Some("page") => {
                        if !matches!(st.field, FieldState::None) {
                            return Ok(Err(unmodelled(
                                "page_break",
                                "a page break inside a field",
                            )));
                        }
                        st.pieces.push(Vec::new());
                    }
                    Some("column") if !ctx.lenient => {
                        return Ok(Err(unmodelled("column_break", "column breaks")));
                    }
                    _ => self.emit(st, "\n".into(), format.clone()),
                },
                "cr" => self.emit(st, "\n".into(), format.clone()),
                "noBreakHyphen" => self.emit(st, "\u{2011}".into(), format.clone()),
                "softHyphen" => self.emit(st, "\u{AD}".into(), format.clone()),
                "drawing" => match self.image(child, ctx, place)? {
                    Ok(image) => {
                        if !matches!(st.field, FieldState::None) {
                            return Ok(Err(unmodelled("picture", "a picture inside a field")));
                        }
                        let mut f = format.clone();
                        f.image = Some(image);
                        push_run(st, domain::IMAGE_CHAR.to_string(), f);
                    }
                    Err(why) if ctx.lenient => {
                        self.warnings
                            .add("header_picture_dropped", || why.reason.clone(), place);
                    }
                    Err(why) => return Ok(Err(why)),
                },
                "delText"
                | "annotationRef"
                | "separator"
                | "continuationSeparator"
                | "footnoteRef"
                | "endnoteRef"
                    if ctx.lenient => {}
                "commentReference" if !ctx.lenient && self.comment_mark(child).is_some() => {
                    if let Some(Some(id)) = self.comment_mark(child) {
                        self.end_comment(st, &id);
                    }
                }
                "footnoteReference" | "endnoteReference"
                    if !ctx.lenient
                        && matches!(st.field, FieldState::None)
                        && self.note_mark(child).is_some() =>
                {
                    if let Some(id) = self.note_mark(child) {
                        let mark = RunFormat {
                            note: Some(id),
                            ..RunFormat::default()
                        };
                        push_run(st, domain::NOTE_CHAR.to_string(), mark);
                    }
                }
                _ => {
                    if ctx.lenient {
                        self.lenient_text(child, &format, st, place);
                        continue;
                    }
                    let (kind, why) = match child.local {
                        "footnoteReference" | "endnoteReference" => {
                            ("note", "footnotes and endnotes".to_string())
                        }
                        "commentReference" => ("comment", "comments".to_string()),
                        "object" | "pict" => {
                            ("object", "embedded objects and VML pictures".to_string())
                        }
                        "sym" => ("symbol", "symbol characters (w:sym)".to_string()),
                        "ruby" => ("ruby", "ruby (phonetic guide) text".to_string()),
                        "fldChar" | "instrText" => ("field", "fields".to_string()),
                        other => ("element", format!("w:{other} in a run")),
                    };
                    return Ok(Err(unmodelled(kind, why)));
                }
            }
        }
        Ok(Ok(()))
    }

    /// Text of a run: into the field's result when one is open, else into the paragraph.
    pub(super) fn emit(&mut self, st: &mut Inline, text: String, format: RunFormat) {
        match &mut st.field {
            FieldState::Result(_, runs) => runs.push(Run { text, format }),
            // The instruction's own runs hold no shown text.
            FieldState::Instruction(_) => {}
            FieldState::None => push_run(st, text, format),
        }
    }

    pub(super) fn run_format(&mut self, rpr: &Node, f: &mut RunFormat, place: &str) {
        for prop in rpr.elements() {
            if prop.ns != Ns::W {
                continue;
            }
            let on = || !matches!(prop.val(), Some("0" | "false" | "off"));
            match prop.local {
                "b" => f.bold = on(),
                "i" => f.italic = on(),
                "u" => {
                    f.underline = !matches!(prop.val(), Some("none") | None) || prop.val().is_none()
                }
                "strike" | "dstrike" => f.strike = on(),
                "smallCaps" => f.small_caps = on(),
                "rFonts" => {
                    f.font = prop
                        .attr(Ns::W, "ascii")
                        .or(prop.attr(Ns::W, "hAnsi"))
                        .map(clean_text)
                        .filter(|s| !s.is_empty() && s.chars().count() <= 200);
                }
                "sz" => {
                    f.size_pt = prop
                        .val()
                        .and_then(|v| v.parse::<f32>().ok())
                        .filter(|v| (2.0..=3276.0).contains(v))
                        .map(|v| (v / 2.0 * 2.0).round() / 2.0);
                }
                "color" => f.color = prop.val().and_then(color),
                "highlight" => {
                    f.highlight = prop
                        .val()
                        .filter(|v| domain::command::HIGHLIGHT_COLORS.contains(v))
                        .map(str::to_string);
                }
                "vertAlign" => match prop.val() {
                    Some("superscript") => {
                        f.superscript = true;
                        f.subscript = false;
                    }
                    Some("subscript") => {
                        f.subscript = true;
                        f.superscript = false;
                    }
                    _ => {}
                },
                "rStyle" => {
                    f.style = prop
                        .val()
                        .filter(|s| self.styles.has(s))
                        .map(str::to_string);
                }
                // Complex-script twins, proofing, languages and layout hints: no visible
                // change for the model's text.
                "bCs" | "iCs" | "szCs" | "lang" | "noProof" | "kern" | "webHidden" | "rtl"
                | "cs" | "specVanish" | "snapToGrid" | "eastAsianLayout" | "oMath" => {}
                other => {
                    let other = other.to_string();
                    self.warnings.add(
                        &format!("run_format_{other}"),
                        || format!("the run formatting w:{other} (which folio does not model) was not kept on direct formatting"),
                        place,
                    );
                }
            }
        }
    }

    pub(super) fn bookmark_name(&mut self, name: &str) -> Option<String> {
        let name = clean_text(name);
        // `_Toc…` bookmarks belong to Word's table of contents, which folio writes anew
        // (with bookmarks of its own).
        if name.is_empty()
            || name == GO_BACK
            || name.starts_with("_Toc")
            || name.chars().count() > 40
        {
            return None;
        }
        if !self.bookmark_names.insert(name.to_lowercase()) {
            self.warnings.add(
                "bookmark_duplicate",
                || "bookmarks whose name was taken (ignoring case) were dropped".into(),
                &name,
            );
            return None;
        }
        Some(name)
    }
}

pub(super) fn push_run(st: &mut Inline, text: String, mut format: RunFormat) {
    // Word's (and folio's) style for links is what a link looks like anyway.
    if format.link.is_some() && format.style.as_deref() == Some("Hyperlink") {
        format.style = None;
    }
    for (name, _) in st.open_bookmarks.values() {
        if !format.bookmarks.contains(name) {
            format.bookmarks.push(name.clone());
        }
    }
    for id in &st.open_comments {
        if !format.comments.contains(id) {
            format.comments.push(id.clone());
        }
    }
    if let Some(id) = &st.deleting
        && !format.suggestions.contains(id)
    {
        format.suggestions.push(id.clone());
    }
    if let Some(piece) = st.pieces.last_mut() {
        piece.push(Run { text, format });
    }
}

pub(super) fn strip_bookmark(pieces: &mut [Vec<Run>], name: &str) {
    for run in pieces.iter_mut().flatten() {
        run.format.bookmarks.retain(|n| n != name);
    }
}

/// Whether a name is one Word gives bookmarks (letters, digits, underscores; at most 40),
/// so a link to it is one folio writes as it is.
pub(super) fn is_bookmark_name(name: &str) -> bool {
    !name.is_empty()
        && name.chars().count() <= 40
        && name.chars().all(|c| c.is_alphanumeric() || c == '_')
}

/// Opaque inline runs as plain text (none when they show none); how many there were.
pub(super) fn inline_as_text(runs: &mut Vec<Run>) -> usize {
    let mut kept = 0;
    for run in runs.iter_mut().filter(|r| r.format.opaque.is_some()) {
        run.format.opaque = None;
        if run.text == domain::IMAGE_CHAR.to_string() {
            run.text.clear();
        }
        kept += 1;
    }
    domain::text::normalize(runs);
    kept
}
