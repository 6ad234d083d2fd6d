//! What an imported document's source file gives its renders: the parts folio does not
//! regenerate, written back byte for byte (theme, settings, font table, footnotes,
//! comments, custom XML, glossary, and everything an opaque block refers to, with the
//! parts those refer to in turn), and its style sheet as the base of the document's
//! (the file's own definitions kept; styles folio adds or changed appended or put in
//! their place).

use std::collections::{BTreeMap, BTreeSet};

use crate::import::package::{ContentTypes, refused, rels_name, rels_source};
use crate::import::{ImportLimits, Package};
use crate::xml_safe::escape as esc;

/// A part the render takes from the source file.
#[derive(Debug)]
pub(super) struct CopiedPart {
    pub(super) name: String,
    pub(super) bytes: Vec<u8>,
    pub(super) content_type: Option<String>,
}

/// A part or relationship of the source file that no render passes on, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Dropped {
    /// The part (or, for a relationship, its target).
    pub(crate) part: String,
    /// A warning kind.
    pub(crate) kind: &'static str,
    /// What it means.
    pub(crate) message: String,
}

/// The source file, opened (through the import gate again: it is stored, but still
/// bytes from outside).
pub(crate) struct Source {
    package: Package,
    main: String,
    doc_rels: Vec<crate::import::package::Relationship>,
    content_types: ContentTypes,
    limits: ImportLimits,
    /// Whether each XML part looked at is fit to pass on (well-formed, no DOCTYPE, every
    /// namespace prefix declared), with the reason when it is not.
    checked: std::cell::RefCell<BTreeMap<String, Option<String>>>,
}

/// Relationship types (their last path segment) whose parts replace the ones docx-rs or
/// folio writes under the name given.
const REPLACED: &[(&str, &str)] = &[
    ("/settings", "word/settings.xml"),
    ("/fontTable", "word/fontTable.xml"),
    ("/footnotes", "word/footnotes.xml"),
    ("/comments", "word/comments.xml"),
    ("/commentsExtended", "word/commentsExtended.xml"),
    ("/theme", "word/theme/theme1.xml"),
];

/// Relationship types of the main part folio writes itself (or that only the body's
/// content names, which is mapped or opaque).
const REGENERATED: &[&str] = &[
    "/styles",
    "/numbering",
    "/header",
    "/footer",
    "/image",
    "/hyperlink",
    "/chart",
    "/oleObject",
    "/package",
    "/diagramData",
    "/diagramLayout",
    "/diagramQuickStyle",
    "/diagramColors",
    "/diagramDrawing",
    "/control",
    "/vbaProject",
    "/attachedTemplate",
    "/subDocument",
    // Word 2010's copy of the style sheet: a cache Word rebuilds; with folio's styles
    // added it would no longer match styles.xml.
    "/stylesWithEffects",
];

impl Source {
    /// Opens the source; `None` when it is not a transitional Word package (a strict
    /// file's parts are not mixed into folio's transitional one).
    pub(super) fn open(bytes: &[u8]) -> Option<Self> {
        let limits = ImportLimits::default();
        Self::of(Package::open(bytes, &limits).ok()?)
    }

    /// The source over a package already opened.
    pub(crate) fn of(package: Package) -> Option<Self> {
        let limits = ImportLimits::default();
        let main = package.office_document(&limits).ok()??;
        let main_bytes = package.part(&main)?;
        let head = String::from_utf8_lossy(&main_bytes[..main_bytes.len().min(4096)]);
        if head.contains("purl.oclc.org/ooxml") {
            return None;
        }
        let doc_rels = package.relationships(&main, &limits).ok()?;
        let content_types = package.content_types(&limits);
        Some(Self {
            package,
            main,
            doc_rels,
            content_types,
            limits,
            checked: std::cell::RefCell::new(BTreeMap::new()),
        })
    }

    /// Why the part `name` must not be passed on, if it must not: an XML part (or
    /// relationships part) that is not well-formed, has a DOCTYPE, or uses an undeclared
    /// namespace prefix. Other parts (pictures, embeddings) are bytes and pass.
    fn unfit(&self, name: &str) -> Option<String> {
        if let Some(known) = self.checked.borrow().get(name) {
            return known.clone();
        }
        let xml = name.ends_with(".xml")
            || name.ends_with(".rels")
            || self
                .content_types
                .of(name)
                .is_some_and(|ct| ct.ends_with("xml"));
        let verdict = match self.package.part(name) {
            Some(bytes) if xml => crate::import::xml::parse(
                bytes,
                name,
                self.limits.max_depth,
                self.limits.max_xml_nodes,
            )
            .err()
            .map(|e| e.to_string()),
            _ => None,
        };
        self.checked
            .borrow_mut()
            .insert(name.to_string(), verdict.clone());
        verdict
    }

    /// The part's bytes as a render passes them on: a relationships part without the
    /// relationships the deny list refuses; settings without an attached template.
    fn passed_on(&self, name: &str, bytes: &[u8]) -> Vec<u8> {
        let rels = name.ends_with(".rels");
        // The document's settings, or a glossary's (their content type says so).
        let settings = self.rel_of("/settings").is_some_and(|r| r.target == name)
            || self
                .content_types
                .of(name)
                .is_some_and(|ct| ct.ends_with(".settings+xml"));
        // Only a relationships part and the settings can hold what is cut: every other
        // part passes as it is, without being parsed again.
        if !rels && !settings {
            return bytes.to_vec();
        }
        let Ok(tree) = crate::import::xml::parse(
            bytes,
            name,
            self.limits.max_depth,
            self.limits.max_xml_nodes,
        ) else {
            return bytes.to_vec();
        };
        let mut cut: Vec<std::ops::Range<usize>> = Vec::new();
        if rels {
            let resolved = self
                .package
                .relationships(&rels_source(name), &self.limits)
                .unwrap_or_default();
            for node in tree.root.elements().filter(|n| n.local == "Relationship") {
                let id = node.attrs.iter().find(|a| a.local == "Id");
                // Cut a relationship the deny list refuses, and one the resolver dropped
                // (a target outside the package).
                let kept = id
                    .and_then(|id| resolved.iter().find(|r| r.id == id.value.as_ref()))
                    .is_some_and(|r| refused(r, &self.package).is_none());
                if !kept {
                    cut.push(node.span.clone());
                }
            }
        } else {
            cut.extend(
                tree.root
                    .elements()
                    .filter(|n| n.local == "attachedTemplate")
                    .map(|n| n.span.clone()),
            );
        }
        if cut.is_empty() {
            return bytes.to_vec();
        }
        let mut out = Vec::with_capacity(bytes.len());
        let mut at = 0;
        for range in cut {
            out.extend_from_slice(bytes.get(at..range.start).unwrap_or_default());
            at = range.end;
        }
        out.extend_from_slice(bytes.get(at..).unwrap_or_default());
        out
    }

    /// What no render of this source passes on (for the import's warnings): the parts and
    /// relationships [`Source::parts`] leaves out, reached from the main part and from
    /// the opaque content's targets.
    pub(crate) fn dropped(&self, opaque_targets: &BTreeSet<String>) -> Vec<Dropped> {
        self.parts(opaque_targets, &BTreeSet::new()).2
    }

    fn rel_of(&self, suffix: &str) -> Option<&crate::import::package::Relationship> {
        self.doc_rels
            .iter()
            .find(|r| !r.external && r.kind.ends_with(suffix))
    }

    fn folder(name: &str) -> &str {
        name.rsplit_once('/').map_or("", |(d, _)| d)
    }

    /// The source's bytes for a part folio writes under `name` (settings, font table…),
    /// when the source has that part in the same folder (so its relationships resolve).
    pub(super) fn replacement(&self, name: &str) -> Option<(Vec<u8>, String)> {
        let (suffix, _) = REPLACED.iter().find(|(_, n)| *n == name)?;
        let rel = self.rel_of(suffix)?;
        if Self::folder(&rel.target) != Self::folder(name) || self.unfit(&rel.target).is_some() {
            return None;
        }
        let bytes = self.package.part(&rel.target)?;
        Some((self.passed_on(&rel.target, bytes), rel.target.clone()))
    }

    /// Relationships from the main part to the replaced parts that `existing` (the
    /// relationships docx-rs wrote) lacks: docx-rs writes a footnotes or comments part
    /// always, but names it only when it wrote notes or comments itself.
    pub(super) fn replaced_relationships(&self, existing: &str) -> String {
        let mut out = String::new();
        for (n, (suffix, name)) in REPLACED.iter().enumerate() {
            let Some(rel) = self.rel_of(suffix) else {
                continue;
            };
            if self.replacement(name).is_none() {
                continue;
            }
            let target = name.strip_prefix("word/").unwrap_or(name);
            if existing.contains(&format!("Target=\"{target}\"")) {
                continue;
            }
            out.push_str(&format!(
                r#"<Relationship Id="rIdFolioR{}" Type="{}" Target="{}" />"#,
                n + 1,
                esc(&rel.kind),
                esc(target)
            ));
        }
        out
    }

    /// The parts to copy: for each replaced part, its relationships (and their targets);
    /// the main part's other relationships that folio does not regenerate (custom XML,
    /// glossary, endnotes…) with their targets; the targets of the opaque blocks'
    /// relationships. Names folio writes itself are never overwritten. Also the
    /// relationships the main part needs for the added ones (XML for document.xml.rels),
    /// and what was left out: relationships the deny list refuses (and their targets),
    /// XML parts unfit to pass on.
    pub(super) fn parts(
        &self,
        opaque_targets: &BTreeSet<String>,
        taken: &BTreeSet<String>,
    ) -> (Vec<CopiedPart>, String, Vec<Dropped>) {
        let mut wanted: Vec<String> = Vec::new();
        let mut doc_rels_xml = String::new();
        let mut dropped: Vec<Dropped> = Vec::new();
        let refuse =
            |dropped: &mut Vec<Dropped>, part: &str, kind: &'static str, message: String| {
                if !dropped.iter().any(|d| d.part == part && d.kind == kind) {
                    dropped.push(Dropped {
                        part: part.to_string(),
                        kind,
                        message,
                    });
                }
            };
        // The relationships of `part` a render may follow (the others recorded).
        let followed = |part: &str, dropped: &mut Vec<Dropped>| -> Vec<String> {
            let mut out = Vec::new();
            for r in self
                .package
                .relationships(part, &self.limits)
                .unwrap_or_default()
            {
                match refused(&r, &self.package) {
                    Some(why) => refuse(dropped, &r.target, why.kind, why.message.to_string()),
                    None if !r.external => out.push(r.target),
                    None => {}
                }
            }
            out
        };
        // Relationships of the replaced parts (settings' attached template, footnotes'
        // pictures…): written beside the part folio writes under the same folder.
        for (_, name) in REPLACED {
            if let Some((_, source_name)) = self.replacement(name) {
                let rels = rels_name(&source_name);
                if self.package.part(&rels).is_some() {
                    wanted.push(rels);
                    wanted.extend(followed(&source_name, &mut dropped));
                }
            }
        }
        let mut extra = 0;
        for rel in &self.doc_rels {
            let replaced = REPLACED.iter().any(|(s, _)| rel.kind.ends_with(s));
            let regenerated = REGENERATED.iter().any(|s| rel.kind.ends_with(s));
            if let Some(why) = refused(rel, &self.package) {
                refuse(&mut dropped, &rel.target, why.kind, why.message.to_string());
                continue;
            }
            if rel.external
                || replaced
                || regenerated
                || rel.target.eq_ignore_ascii_case(&self.main)
            {
                continue;
            }
            if self.package.part(&rel.target).is_none() || taken.contains(&rel.target) {
                continue;
            }
            if let Some(why) = self.unfit(&rel.target) {
                refuse(&mut dropped, &rel.target, "malformed_part", why);
                continue;
            }
            extra += 1;
            doc_rels_xml.push_str(&format!(
                r#"<Relationship Id="rIdFolioS{extra}" Type="{}" Target="/{}" />"#,
                esc(&rel.kind),
                esc(&rel.target)
            ));
            wanted.push(rel.target.clone());
        }
        wanted.extend(opaque_targets.iter().cloned());
        // The closure: each wanted part with its relationships part and their targets.
        let mut done: BTreeSet<String> = BTreeSet::new();
        let mut out = Vec::new();
        while let Some(name) = wanted.pop() {
            if done.len() > self.limits.max_entries || !done.insert(name.clone()) {
                continue;
            }
            if taken.contains(&name) || name.eq_ignore_ascii_case(&self.main) {
                continue;
            }
            let Some(bytes) = self.package.part(&name) else {
                continue;
            };
            if let Some(why) = self.unfit(&name) {
                refuse(&mut dropped, &name, "malformed_part", why);
                continue;
            }
            let stored = self.package.stored_name(&name).unwrap_or(&name).to_string();
            if !name.ends_with(".rels") {
                let rels = rels_name(&name);
                if self.package.part(&rels).is_some() {
                    wanted.push(rels);
                    wanted.extend(
                        followed(&name, &mut dropped)
                            .into_iter()
                            .filter(|t| !t.eq_ignore_ascii_case(&self.main)),
                    );
                }
            }
            out.push(CopiedPart {
                content_type: (!name.ends_with(".rels"))
                    .then(|| self.content_types.of(&name).map(str::to_string))
                    .flatten(),
                name: stored,
                bytes: self.passed_on(&name, bytes),
            });
        }
        out.sort_by(|a, b| a.name.cmp(&b.name));
        dropped.sort_by(|a, b| (&a.part, a.kind).cmp(&(&b.part, b.kind)));
        (out, doc_rels_xml, dropped)
    }

    /// `Override` content types for the replaced parts that `declared` (docx-rs's
    /// `[Content_Types].xml`) does not name.
    pub(super) fn replaced_content_types(&self, declared: &str) -> String {
        let mut out = String::new();
        for (_, name) in REPLACED {
            let Some((_, source_name)) = self.replacement(name) else {
                continue;
            };
            let part = format!("PartName=\"/{name}\"");
            if declared.contains(&part) {
                continue;
            }
            if let Some(ct) = self.content_types.of(&source_name) {
                out.push_str(&format!(r#"<Override {part} ContentType="{}" />"#, esc(ct)));
            }
        }
        out
    }

    /// The style sheet: the source's, with the `w:style` elements of `rendered` (folio's)
    /// added where the source has no style of that id and the document uses it (`used`,
    /// with the styles those are based on), and put in place of the source's for the ids
    /// in `own` (styles created or changed after the import).
    pub(super) fn styles(
        &self,
        rendered: &[u8],
        own: &BTreeSet<String>,
        used: &BTreeSet<String>,
    ) -> Option<Vec<u8>> {
        let rel = self.rel_of("/styles")?;
        let source = std::str::from_utf8(self.package.part(&rel.target)?).ok()?;
        let close = source.rfind("</w:styles>")?;
        let source_styles = style_spans(source);
        let rendered = String::from_utf8_lossy(rendered);
        let folio_styles = style_spans(&rendered);
        // What the document needs: the styles it uses or owns, and their bases.
        let mut needed: BTreeSet<String> = used.iter().chain(own.iter()).cloned().collect();
        let mut queue: Vec<String> = needed.iter().cloned().collect();
        while let Some(id) = queue.pop() {
            let Some((_, range)) = folio_styles.iter().find(|(sid, _)| *sid == id) else {
                continue;
            };
            if let Some(base) = attribute_after(&rendered[range.clone()], "<w:basedOn w:val=\"")
                && needed.insert(base.clone())
            {
                queue.push(base);
            }
        }
        let mut replace: BTreeMap<usize, (usize, String)> = BTreeMap::new();
        let mut added = String::new();
        for (id, range) in folio_styles {
            let xml = &rendered[range];
            match source_styles.iter().find(|(sid, _)| *sid == id) {
                Some((_, span)) if own.contains(&id) => {
                    replace.insert(span.start, (span.end, xml.to_string()));
                }
                Some(_) => {}
                None if needed.contains(&id) => added.push_str(xml),
                None => {}
            }
        }
        let mut out = String::with_capacity(source.len() + added.len());
        let mut at = 0;
        for (start, (end, xml)) in &replace {
            out.push_str(&source[at..*start]);
            out.push_str(xml);
            at = *end;
        }
        out.push_str(&source[at..close]);
        out.push_str(&added);
        out.push_str(&source[close..]);
        Some(out.into_bytes())
    }
}

impl Source {
    /// The first id above every numbering id of the source (instances and abstract
    /// definitions): folio's own numbering moves up to start there, so opaque blocks keep
    /// the ids they were imported with.
    pub(super) fn numbering_base(&self) -> Option<u64> {
        let rel = self.rel_of("/numbering")?;
        let source = std::str::from_utf8(self.package.part(&rel.target)?).ok()?;
        let mut max = 0;
        for prefix in [
            "w:abstractNumId=\"",
            "w:numId=\"",
            "<w:abstractNumId w:val=\"",
        ] {
            map_ids(source, prefix, |n| {
                max = max.max(n);
                n
            });
        }
        max.checked_add(1)
    }

    /// The source's numbering (its root declares what its definitions need) with
    /// folio's definitions, their ids moved up by `base`, added in schema order.
    pub(super) fn numbering(&self, rendered: &[u8], base: u64) -> Option<Vec<u8>> {
        let rel = self.rel_of("/numbering")?;
        let source = std::str::from_utf8(self.package.part(&rel.target)?).ok()?;
        let close = source.rfind("</w:numbering>")?;
        let rendered = String::from_utf8_lossy(rendered);
        let shifted = shift_ids(
            &shift_ids(
                &shift_ids(&rendered, "w:abstractNumId=\"", base),
                "w:numId=\"",
                base,
            ),
            "<w:abstractNumId w:val=\"",
            base,
        );
        let abstracts: String = element_spans(&shifted, "<w:abstractNum ", "</w:abstractNum>")
            .into_iter()
            .map(|r| &shifted[r])
            .collect();
        let nums: String = element_spans(&shifted, "<w:num ", "</w:num>")
            .into_iter()
            .map(|r| &shifted[r])
            .collect();
        // CT_Numbering: picture bullets, abstract definitions, instances, cleanup mark.
        let nums_at = source.find("<w:numIdMacAtCleanup").unwrap_or(close);
        let abstracts_at = source.find("<w:num ").unwrap_or(nums_at);
        Some(
            format!(
                "{}{abstracts}{}{nums}{}",
                &source[..abstracts_at],
                &source[abstracts_at..nums_at],
                &source[nums_at..]
            )
            .into_bytes(),
        )
    }
}

/// Every number written after `prefix` (up to its closing quote) moved up by `by`.
pub(super) fn shift_ids(xml: &str, prefix: &str, by: u64) -> String {
    map_ids(xml, prefix, |n| n.saturating_add(by))
}

/// `xml` with every number written right after `prefix` replaced by `f` of it.
fn map_ids(xml: &str, prefix: &str, mut f: impl FnMut(u64) -> u64) -> String {
    let mut out = String::with_capacity(xml.len());
    let mut rest = xml;
    while let Some(at) = rest.find(prefix) {
        out.push_str(&rest[..at + prefix.len()]);
        rest = &rest[at + prefix.len()..];
        let digits = rest.len() - rest.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        match rest[..digits].parse::<u64>() {
            Ok(n) => out.push_str(&f(n).to_string()),
            Err(_) => out.push_str(&rest[..digits]),
        }
        rest = &rest[digits..];
    }
    out.push_str(rest);
    out
}

/// The spans of the elements opened by `open` (a start tag's beginning) and closed by
/// `close`, or self-closing.
fn element_spans(xml: &str, open: &str, close: &str) -> Vec<std::ops::Range<usize>> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(found) = xml[from..].find(open) {
        let start = from + found;
        let Some(tag_end) = xml[start..].find('>').map(|e| start + e) else {
            break;
        };
        let end = if xml[..=tag_end].ends_with("/>") {
            tag_end + 1
        } else {
            match xml[tag_end..].find(close) {
                Some(e) => tag_end + e + close.len(),
                None => break,
            }
        };
        out.push(start..end);
        from = end;
    }
    out
}

/// The value that follows `prefix` up to the next quote.
fn attribute_after(xml: &str, prefix: &str) -> Option<String> {
    let (_, rest) = xml.split_once(prefix)?;
    rest.split_once('"').map(|(v, _)| v.to_string())
}

/// The style ids a part refers to (`w:pStyle`, `w:rStyle`, `w:tblStyle`).
pub(super) fn styles_used(xml: &str, into: &mut BTreeSet<String>) {
    for prefix in [
        "<w:pStyle w:val=\"",
        "<w:rStyle w:val=\"",
        "<w:tblStyle w:val=\"",
    ] {
        let mut rest = xml;
        while let Some(at) = rest.find(prefix) {
            rest = &rest[at + prefix.len()..];
            if let Some((id, _)) = rest.split_once('"') {
                into.insert(id.to_string());
            }
        }
    }
}

/// The `w:style` elements of a style sheet written with the `w:` prefix: id and span.
fn style_spans(xml: &str) -> Vec<(String, std::ops::Range<usize>)> {
    element_spans(xml, "<w:style ", "</w:style>")
        .into_iter()
        .filter_map(|range| {
            let tag_end = xml[range.clone()].find('>')? + range.start;
            let id = attribute_after(&xml[range.start..=tag_end], "w:styleId=\"")?;
            Some((id, range))
        })
        .collect()
}

/// Opaque blocks' XML spliced in place of their marker paragraphs, and opaque inline
/// content's in place of its marker runs; XML that does not parse (a stored event is
/// still input) is written as its text.
pub(super) fn splice_opaque(xml: Vec<u8>, opaque: &super::Opaques) -> Vec<u8> {
    if opaque.blocks.is_empty() && opaque.inlines.is_empty() {
        return xml;
    }
    let text = String::from_utf8_lossy(&xml);
    let mut out = String::with_capacity(text.len() * 2);
    let mut rest: &str = &text;
    while let Some(at) = rest.find(super::MARKER_OPEN) {
        let after = &rest[at + super::MARKER_OPEN.len()..];
        let kind = after.chars().next();
        let found = after.find(super::MARKER_CLOSE).and_then(|end| {
            let n: usize = after.get(1..end)?.parse().ok()?;
            let (xml, fallback, open, close) = match kind? {
                'O' => {
                    let b = opaque.blocks.get(n.checked_sub(1)?)?;
                    (&b.xml, &b.text, ["<w:p>", "<w:p "], "</w:p>")
                }
                'I' => {
                    let (i, text) = opaque.inlines.get(n.checked_sub(1)?)?;
                    (&i.xml, text, ["<w:r>", "<w:r "], "</w:r>")
                }
                _ => return None,
            };
            // The marker's element: from its start tag to its end tag.
            let head = &rest[..at];
            let start = open.iter().filter_map(|o| head.rfind(o)).max()?;
            let tail_from = at + super::MARKER_OPEN.len() + end + super::MARKER_CLOSE.len();
            let stop = rest[tail_from..]
                .find(close)
                .map(|e| tail_from + e + close.len())?;
            Some((start, stop, xml, fallback, close == "</w:p>"))
        });
        let Some((start, stop, xml, fallback, block)) = found else {
            out.push_str(&rest[..at + super::MARKER_OPEN.len()]);
            rest = after;
            continue;
        };
        out.push_str(&rest[..start]);
        if well_formed(xml) {
            out.push_str(xml);
        } else {
            let run = format!(
                r#"<w:r><w:t xml:space="preserve">{}</w:t></w:r>"#,
                esc(fallback)
            );
            if block {
                out.push_str(&format!("<w:p>{run}</w:p>"));
            } else {
                out.push_str(&run);
            }
        }
        rest = &rest[stop..];
    }
    out.push_str(rest);
    out.into_bytes()
}

/// One element, well-formed, no DOCTYPE, nesting within the import's limit.
fn well_formed(xml: &str) -> bool {
    let limits = ImportLimits::default();
    crate::import::xml::parse(
        xml.as_bytes(),
        "opaque block",
        limits.max_depth,
        limits.max_xml_nodes,
    )
    .is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn style_spans_find_ids_and_ends() {
        let xml = r#"<w:styles><w:style w:type="paragraph" w:styleId="A"><w:name w:val="a"/></w:style><w:style w:styleId="B"/></w:styles>"#;
        let spans = style_spans(xml);
        assert_eq!(spans.len(), 2);
        assert_eq!(&xml[spans[1].1.clone()], r#"<w:style w:styleId="B"/>"#);
        assert!(xml[spans[0].1.clone()].ends_with("</w:style>"));
    }

    #[test]
    fn a_malformed_block_is_written_as_its_text() {
        let mut opaque = super::super::Opaques::default();
        let marker = opaque.marker(&domain::OpaqueBlock {
            id: domain::BlockId::new("b1"),
            element: "w:p".into(),
            reason: "test".into(),
            text: "kept <text>".into(),
            xml: "<w:p><w:r>".into(),
            rels: Vec::new(),
        });
        let doc = format!(
            "<w:body><w:p><w:r><w:t>a</w:t></w:r></w:p><w:p w14:paraId=\"1\"><w:r><w:t xml:space=\"preserve\">{marker}</w:t></w:r></w:p></w:body>"
        );
        let out = String::from_utf8(splice_opaque(doc.into_bytes(), &opaque)).unwrap();
        assert!(out.contains("kept &lt;text&gt;"), "{out}");
        assert!(out.starts_with("<w:body><w:p><w:r><w:t>a</w:t></w:r></w:p><w:p><w:r>"));
    }
}
