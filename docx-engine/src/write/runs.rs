//! Runs: their properties (`w:rPr`), text, links, bookmarks, fields, pictures and
//! opaque inline content — inside `w:ins`/`w:del` where a redline marks them.

use std::io::{self, Write};

use domain::{Run, RunFormat};

use super::body::*;
use super::drawings::*;
use super::revision::{Op, RunRev, Stamp};
use super::xml::Xml;
use super::{Ids, PartRels, Used};
use crate::Mark;

/// Word's built-in character style for links (blue, underlined).
pub(crate) const HYPERLINK_STYLE: &str = "Hyperlink";

/// What a run's properties add to its format: a character style when it has none (links
/// look like links), bold (a header row's cells).
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct RunExtra<'s> {
    pub(crate) style: Option<&'s str>,
    pub(crate) bold: bool,
}

/// Whether a run's properties are empty.
pub(crate) fn plain(f: &RunFormat, extra: RunExtra<'_>) -> bool {
    !(f.bold
        || extra.bold
        || f.italic
        || f.underline
        || f.strike
        || f.superscript
        || f.subscript
        || f.small_caps
        || f.font.is_some()
        || f.size_pt.is_some()
        || f.color.is_some()
        || f.highlight.is_some()
        || f.style.is_some()
        || extra.style.is_some())
}

/// `w:rPr` of a run, in `CT_RPr`'s order, with A's formatting in a `w:rPrChange` where a
/// redline's run had other formatting; nothing when the run has no formatting.
pub(crate) fn rpr<W: Write>(
    x: &mut Xml<W>,
    f: &RunFormat,
    extra: RunExtra<'_>,
    used: &mut Used,
    change: Option<(&RunFormat, Stamp)>,
) -> io::Result<()> {
    if plain(f, extra) && change.is_none() {
        return Ok(());
    }
    x.start("w:rPr", &[])?;
    rpr_inner(x, f, extra, used)?;
    if let Some((old, stamp)) = change {
        x.start("w:rPrChange", &stamp.attrs())?;
        x.start("w:rPr", &[])?;
        rpr_inner(x, old, extra, used)?;
        x.end("w:rPr")?;
        x.end("w:rPrChange")?;
    }
    x.end("w:rPr")
}

/// The children of a run's `w:rPr`.
pub(crate) fn rpr_inner<W: Write>(
    x: &mut Xml<W>,
    f: &RunFormat,
    extra: RunExtra<'_>,
    used: &mut Used,
) -> io::Result<()> {
    if let Some(style) = f.style.as_deref().or(extra.style) {
        used.style(style);
        x.val("w:rStyle", style)?;
    }
    if let Some(font) = &f.font {
        fonts(x, font)?;
    }
    if f.bold || extra.bold {
        x.empty("w:b", &[])?;
        x.empty("w:bCs", &[])?;
    }
    if f.italic {
        x.empty("w:i", &[])?;
        x.empty("w:iCs", &[])?;
    }
    if f.small_caps {
        x.empty("w:smallCaps", &[])?;
    }
    if f.strike {
        x.empty("w:strike", &[])?;
    }
    if let Some(color) = &f.color {
        x.val("w:color", color)?;
    }
    if let Some(size) = f.size_pt {
        half_points(x, size)?;
    }
    if let Some(highlight) = &f.highlight {
        x.val("w:highlight", highlight)?;
    }
    if f.underline {
        x.val("w:u", "single")?;
    }
    if f.superscript {
        x.val("w:vertAlign", "superscript")?;
    } else if f.subscript {
        x.val("w:vertAlign", "subscript")?;
    }
    Ok(())
}

/// One font for every script (Latin, East Asian, complex).
pub(crate) fn fonts<W: Write>(x: &mut Xml<W>, name: &str) -> io::Result<()> {
    x.empty(
        "w:rFonts",
        &[
            ("w:ascii", name),
            ("w:hAnsi", name),
            ("w:eastAsia", name),
            ("w:cs", name),
        ],
    )
}

/// `w:sz` and `w:szCs` for a size in points (sizes are validated to 1..=1638 in half
/// points; a stored value out of range is brought into it).
pub(crate) fn half_points<W: Write>(x: &mut Xml<W>, size: f32) -> io::Result<()> {
    let half = if size.is_finite() {
        (size.clamp(1.0, 1638.0) * 2.0).round() as u32
    } else {
        22
    };
    let v = half.to_string();
    x.val("w:sz", &v)?;
    x.val("w:szCs", &v)
}

/// The content of a run for `text`: text as `w:t`, tabs as `w:tab` and line breaks as
/// `w:br` (Word shows a raw newline inside `w:t` as a space). `deleted`: `w:delText`.
pub(crate) fn text_content<W: Write>(x: &mut Xml<W>, text: &str, deleted: bool) -> io::Result<()> {
    let tag = if deleted { "w:delText" } else { "w:t" };
    let mut rest = text;
    while !rest.is_empty() {
        let cut = rest.find(['\t', '\n', '\r']).unwrap_or(rest.len());
        if cut > 0 {
            x.element(tag, &[("xml:space", "preserve")], &rest[..cut])?;
        }
        let mut chars = rest[cut..].chars();
        match chars.next() {
            Some('\t') => x.empty("w:tab", &[])?,
            Some('\r') => {
                x.empty("w:br", &[])?;
                // `\r\n` is one break.
                if rest[cut + 1..].starts_with('\n') {
                    chars.next();
                }
            }
            Some('\n') => x.empty("w:br", &[])?,
            _ => {}
        }
        rest = chars.as_str();
    }
    Ok(())
}

/// A field as Word writes it: begin, instruction, separator, the value shown until Word
/// computes it, end — each a run with the same properties.
pub(crate) fn field_instruction(field: domain::Field) -> &'static str {
    match field {
        domain::Field::Page => "PAGE",
        domain::Field::NumPages => "NUMPAGES",
        domain::Field::Date => r#"DATE \@ "d MMMM yyyy""#,
    }
}

pub(crate) fn bookmark_end<W: Write>(x: &mut Xml<W>, id: u64) -> io::Result<()> {
    x.empty("w:bookmarkEnd", &[("w:id", &id.to_string())])
}

/// A run holding only a field character.
pub(crate) fn field_char<W: Write>(x: &mut Xml<W>, kind: &str) -> io::Result<()> {
    x.start("w:r", &[])?;
    x.empty("w:fldChar", &[("w:fldCharType", kind)])?;
    x.end("w:r")
}

impl Body<'_, '_> {
    /// The content of a paragraph: its runs, links and bookmarks.
    pub(crate) fn runs<W: Write>(
        &mut self,
        x: &mut Xml<W>,
        runs: &[Run],
        revs: Option<&[RunRev<'_>]>,
        bookmarks: &[String],
        rels: &mut PartRels,
    ) -> io::Result<()> {
        let mut whole = Vec::with_capacity(bookmarks.len());
        for name in bookmarks {
            whole.push(self.bookmark_start(x, name)?);
        }
        let rev = |i: usize| revs.and_then(|r| r.get(i));
        // Open suggestions to insert or delete text are tracked changes where they are
        // (in a paragraph written as it is, not one a redline marks).
        let inline = revs.is_none() && self.whole.is_none();
        // Range bookmarks open now, with their ids; comment ranges open now.
        let mut open: Vec<(&str, u64)> = Vec::new();
        let mut comments: Vec<&str> = Vec::new();
        let mut i = 0;
        while i < runs.len() {
            // A run, or the runs of one link.
            let link = runs[i].format.link.as_deref();
            let mut j = i + 1;
            if link.is_some() {
                while j < runs.len() && runs[j].format.link.as_deref() == link {
                    j += 1;
                }
            }
            self.comment_starts(x, &runs[i..j], &mut comments)?;
            // Range bookmarks that start in this span start before it.
            for run in &runs[i..j] {
                for name in &run.format.bookmarks {
                    if !open.iter().any(|(n, _)| n == name) {
                        let id = self.bookmark_start(x, name)?;
                        open.push((name, id));
                    }
                }
            }
            match link {
                None => {
                    let suggested = if inline {
                        self.suggested(x, &runs[i])?
                    } else {
                        None
                    };
                    let deleted = suggested.as_ref().map(|mark| RunRev {
                        op: Some(Op::Delete),
                        old: None,
                        mark,
                    });
                    self.run(
                        x,
                        &runs[i],
                        RunExtra::default(),
                        rels,
                        deleted.as_ref().or(rev(i)),
                    )?
                }
                Some(target) => {
                    match target.strip_prefix('#') {
                        Some(anchor) => {
                            x.start("w:hyperlink", &[("w:anchor", anchor), ("w:history", "1")])?
                        }
                        None => {
                            let id = format!("rIdLink{}", Ids::next(&mut self.ids.links));
                            x.start("w:hyperlink", &[("r:id", &id), ("w:history", "1")])?;
                            rels.links.push((id, target.to_string()));
                        }
                    }
                    for (k, run) in runs[i..j].iter().enumerate() {
                        // A link looks like one, unless its run has a style of its own.
                        let extra = RunExtra {
                            style: Some(HYPERLINK_STYLE),
                            bold: false,
                        };
                        let suggested = if inline {
                            self.suggested(x, run)?
                        } else {
                            None
                        };
                        let deleted = suggested.as_ref().map(|mark| RunRev {
                            op: Some(Op::Delete),
                            old: None,
                            mark,
                        });
                        self.run(x, run, extra, rels, deleted.as_ref().or(rev(i + k)))?;
                    }
                    x.end("w:hyperlink")?;
                }
            }
            self.comment_ends(x, runs.get(j), &mut comments)?;
            // Range bookmarks the next run is not in end after this span.
            let next = runs
                .get(j)
                .map_or(&[][..], |r| r.format.bookmarks.as_slice());
            let mut k = 0;
            while k < open.len() {
                if next.iter().any(|n| n == open[k].0) {
                    k += 1;
                } else {
                    bookmark_end(x, open.remove(k).1)?;
                }
            }
            i = j;
        }
        for (_, id) in open {
            bookmark_end(x, id)?;
        }
        self.comment_ends(x, None, &mut comments)?;
        for id in whole {
            bookmark_end(x, id)?;
        }
        Ok(())
    }

    /// For a run carrying open text suggestions: writes the insertions proposed at its
    /// point (a `w:ins` by their authors), and answers whose deletion its text is, if any.
    fn suggested<W: Write>(&mut self, x: &mut Xml<W>, run: &Run) -> io::Result<Option<Mark>> {
        let doc = self.doc;
        let mut deletion = None;
        for id in &run.format.suggestions {
            let Some(s) = doc
                .suggestion(id)
                .filter(|s| s.status == domain::SuggestionStatus::Open)
            else {
                continue;
            };
            let Some(mark) = self.marks.get(id.as_str()).cloned() else {
                continue;
            };
            match s.kind.as_str() {
                "insert_text" if run.text.is_empty() => {
                    let text = s
                        .command
                        .get("text")
                        .and_then(serde_json::Value::as_str)
                        .unwrap_or_default();
                    let stamp = Stamp::new(self.ids, &mark);
                    x.start("w:ins", &stamp.attrs())?;
                    x.start("w:r", &[])?;
                    text_content(x, text, false)?;
                    x.end("w:r")?;
                    x.end("w:ins")?;
                }
                "delete_text" if !run.text.is_empty() => deletion = Some(mark),
                _ => {}
            }
        }
        Ok(deletion)
    }

    pub(crate) fn bookmark_start<W: Write>(
        &mut self,
        x: &mut Xml<W>,
        name: &str,
    ) -> io::Result<u64> {
        let id = self.ids.bookmarks;
        self.ids.bookmarks += 1;
        x.empty(
            "w:bookmarkStart",
            &[("w:id", &id.to_string()), ("w:name", name)],
        )?;
        Ok(id)
    }

    /// One run: a field's runs, a picture, opaque inline content, or text; inside a
    /// `w:ins`/`w:del` when a redline marks it (`rev`, or the whole block being written).
    pub(crate) fn run<W: Write>(
        &mut self,
        x: &mut Xml<W>,
        run: &Run,
        extra: RunExtra<'_>,
        rels: &mut PartRels,
        rev: Option<&RunRev<'_>>,
    ) -> io::Result<()> {
        let f = &run.format;
        if f.image.is_none() && f.field.is_none() && f.opaque.is_none() && run.text.is_empty() {
            return Ok(());
        }
        let wrap = match rev {
            Some(RunRev {
                op: Some(op), mark, ..
            }) => {
                let stamp = Stamp::new(self.ids, mark);
                x.start(op.tag(), &stamp.attrs())?;
                Some(*op)
            }
            Some(_) => None,
            None => self.open_whole(x)?,
        };
        let deleted = wrap == Some(Op::Delete);
        if let Some(id) = &f.note {
            self.note_reference(x, id)?;
            return close(x, wrap);
        }
        // A's formatting of a kept run, where it differs.
        let old = rev.and_then(|r| r.old.map(|f| (f, r.mark)));
        let change = |ids: &mut Ids| old.map(|(f, mark)| (f, Stamp::new(ids, mark)));
        if let Some(opaque) = &f.opaque {
            let fits = !deleted && opaque.element == "w:r" || wrap.is_none();
            if fits && !opaque.rels.iter().any(refused) && well_formed(&opaque.xml) {
                add_opaque_rels(rels, &opaque.rels);
                x.raw(&opaque.xml)?;
            } else {
                // Written as its text.
                x.start("w:r", &[])?;
                text_content(x, &run.text, deleted)?;
                x.end("w:r")?;
            }
            return close(x, wrap);
        }
        if let Some(field) = f.field {
            let instr = if deleted {
                "w:delInstrText"
            } else {
                "w:instrText"
            };
            let fld = |x: &mut Xml<W>, body: &mut Self, kind: &str, dirty: &str| {
                x.start("w:r", &[])?;
                let change = change(body.ids);
                rpr(x, f, extra, &mut body.used, change)?;
                x.empty("w:fldChar", &[("w:fldCharType", kind), ("w:dirty", dirty)])?;
                x.end("w:r")
            };
            fld(x, self, "begin", "true")?;
            x.start("w:r", &[])?;
            rpr(x, f, extra, &mut self.used, change(self.ids))?;
            x.element(
                instr,
                &[("xml:space", "preserve")],
                field_instruction(field),
            )?;
            x.end("w:r")?;
            fld(x, self, "separate", "false")?;
            if !run.text.is_empty() {
                x.start("w:r", &[])?;
                rpr(x, f, extra, &mut self.used, change(self.ids))?;
                text_content(x, &run.text, deleted)?;
                x.end("w:r")?;
            }
            fld(x, self, "end", "false")?;
            return close(x, wrap);
        }
        x.start("w:r", &[])?;
        rpr(x, f, extra, &mut self.used, change(self.ids))?;
        match &f.image {
            Some(image) => match self.media.number(image) {
                Some(number) => {
                    let id = Ids::next(&mut self.ids.drawings);
                    if !rels.images.contains(&number) {
                        rels.images.push(number);
                    }
                    drawing(x, image, id, number)?;
                }
                // The bytes are gone (a store that lost them): the alternative text.
                None => {
                    let alt = if image.alt_text.is_empty() {
                        "image"
                    } else {
                        &image.alt_text
                    };
                    text_content(x, &format!("[{alt}]"), deleted)?;
                }
            },
            None => text_content(x, &run.text, deleted)?,
        }
        x.end("w:r")?;
        close(x, wrap)
    }
}
