//! What an imported document's source file gives its renders: the parts folio does not
//! regenerate, written back byte for byte (theme, settings, font table, footnotes,
//! comments, custom XML, glossary, and everything an opaque block refers to, with the
//! parts those refer to in turn), and its style sheet as the base of the document's
//! (the file's own definitions kept; styles folio adds or changed appended or put in
//! their place).

use std::collections::{BTreeMap, BTreeSet};

use crate::import::package::{ContentTypes, refused, rels_name, rels_source};
use crate::import::{ImportLimits, Package};

/// A part the render takes from the source file.
#[derive(Debug)]
pub(crate) struct CopiedPart {
    pub(crate) name: String,
    pub(crate) bytes: Vec<u8>,
    pub(crate) content_type: Option<String>,
}

/// A relationship the main part needs for a copied part: id, type, target.
pub(crate) type MainRel = (String, String, String);

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

/// Relationship types (their last path segment) whose parts a render writes under the
/// name given: in place of folio's own (settings, font table, theme), or as the only one
/// (notes, comments).
const REPLACED: &[(&str, &str)] = &[
    ("/settings", "word/settings.xml"),
    ("/fontTable", "word/fontTable.xml"),
    ("/footnotes", "word/footnotes.xml"),
    ("/comments", "word/comments.xml"),
    ("/commentsExtended", "word/commentsExtended.xml"),
    ("/theme", "word/theme/theme1.xml"),
];

/// The source's parts a render writes only when the source has them.
pub(crate) const NOTES_AND_COMMENTS: [&str; 3] = [
    "word/footnotes.xml",
    "word/comments.xml",
    "word/commentsExtended.xml",
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
    pub(crate) fn open(bytes: &[u8]) -> Option<Self> {
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
    pub(crate) fn replacement(&self, name: &str) -> Option<(Vec<u8>, String)> {
        let (suffix, _) = REPLACED.iter().find(|(_, n)| *n == name)?;
        let rel = self.rel_of(suffix)?;
        if Self::folder(&rel.target) != Self::folder(name) || self.unfit(&rel.target).is_some() {
            return None;
        }
        let bytes = self.package.part(&rel.target)?;
        Some((self.passed_on(&rel.target, bytes), rel.target.clone()))
    }

    /// The relationship from the main part to a replaced part folio writes as `name`
    /// (id and type), when the render writes it.
    pub(crate) fn replaced_relationship(&self, name: &str) -> Option<(String, String)> {
        let (n, (suffix, _)) = REPLACED.iter().enumerate().find(|(_, (_, n))| *n == name)?;
        let rel = self.rel_of(suffix)?;
        self.replacement(name)?;
        Some((format!("rIdFolioR{}", n + 1), rel.kind.clone()))
    }

    /// The content type the source declares for one of its parts.
    pub(crate) fn content_type(&self, name: &str) -> Option<&str> {
        self.content_types.of(name)
    }

    /// The parts to copy: for each replaced part, its relationships (and their targets);
    /// the main part's other relationships that folio does not regenerate (custom XML,
    /// glossary, endnotes…) with their targets; the targets of the opaque blocks'
    /// relationships. Names folio writes itself are never overwritten. Also the
    /// relationships the main part needs for the added ones (id, type, target),
    /// and what was left out: relationships the deny list refuses (and their targets),
    /// XML parts unfit to pass on.
    pub(crate) fn parts(
        &self,
        opaque_targets: &BTreeSet<String>,
        taken: &BTreeSet<String>,
    ) -> (Vec<CopiedPart>, Vec<MainRel>, Vec<Dropped>) {
        let mut wanted: Vec<String> = Vec::new();
        let mut doc_rels = Vec::new();
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
            doc_rels.push((
                format!("rIdFolioS{extra}"),
                rel.kind.clone(),
                rel.target.clone(),
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
        (out, doc_rels, dropped)
    }

    /// The style sheet: the source's, with folio's `styles` (those the document needs)
    /// added where the source has no style of that id, and put in place of the source's
    /// for the ids in `own` (styles created or changed after the import).
    pub(crate) fn styles(
        &self,
        styles: &[&crate::write::styles::Style],
        own: &BTreeSet<String>,
    ) -> Option<Vec<u8>> {
        let rel = self.rel_of("/styles")?;
        let source = std::str::from_utf8(self.package.part(&rel.target)?).ok()?;
        let close = source.rfind("</w:styles>")?;
        let source_styles = style_spans(source);
        let mut replace: BTreeMap<usize, (usize, String)> = BTreeMap::new();
        let mut added = String::new();
        for style in styles {
            match source_styles.iter().find(|(sid, _)| *sid == style.id) {
                Some((_, span)) if own.contains(&style.id) => {
                    replace.insert(
                        span.start,
                        (span.end, crate::write::styles::style_xml(style)),
                    );
                }
                Some(_) => {}
                None => added.push_str(&crate::write::styles::style_xml(style)),
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
    pub(crate) fn numbering_base(&self) -> Option<u64> {
        let rel = self.rel_of("/numbering")?;
        let source = std::str::from_utf8(self.package.part(&rel.target)?).ok()?;
        let mut max = 0;
        for prefix in [
            "w:abstractNumId=\"",
            "w:numId=\"",
            "<w:abstractNumId w:val=\"",
        ] {
            max = max.max(max_id(source, prefix));
        }
        max.checked_add(1)
    }

    /// The source's numbering (its root declares what its definitions need) with
    /// folio's definitions (`abstracts`, `nums`: elements already numbered above the
    /// source's ids) added in schema order.
    pub(crate) fn numbering(&self, abstracts: &str, nums: &str) -> Option<Vec<u8>> {
        let rel = self.rel_of("/numbering")?;
        let source = std::str::from_utf8(self.package.part(&rel.target)?).ok()?;
        let close = source.rfind("</w:numbering>")?;
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

/// The largest number written right after `prefix` in `xml`.
fn max_id(xml: &str, prefix: &str) -> u64 {
    xml.match_indices(prefix)
        .filter_map(|(at, _)| {
            let rest = &xml[at + prefix.len()..];
            let digits = rest.len() - rest.trim_start_matches(|c: char| c.is_ascii_digit()).len();
            rest[..digits].parse::<u64>().ok()
        })
        .max()
        .unwrap_or(0)
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

/// The `w:style` elements of a style sheet written with the `w:` prefix: id and span.
fn style_spans(xml: &str) -> Vec<(String, std::ops::Range<usize>)> {
    element_spans(xml, "<w:style ", "</w:style>")
        .into_iter()
        .filter_map(|range| {
            let tag_end = xml[range.clone()].find('>')? + range.start;
            let tag = &xml[range.start..=tag_end];
            let (_, rest) = tag.split_once("w:styleId=\"")?;
            let id = rest.split_once('"')?.0.to_string();
            Some((id, range))
        })
        .collect()
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
}
