//! The package around the body: style sheet and numbering (folio's, or an imported file's
//! with folio's added), settings, font table, theme, the source's parts, relationships,
//! core, app and custom properties, content types, media.

use std::collections::BTreeSet;
use std::io::{self, Write};

use domain::Document;

use super::source::Source;
use super::styles::{self, Style};
use super::xml::Xml;
use super::{MarginPart, Media, PartRels, Used, Zip, entry, part};
use crate::RenderError;
use crate::render::RenderOptions;

const REL_NS: &str = "http://schemas.openxmlformats.org/package/2006/relationships";
const OFFICE_REL: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
const WML: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml";
const THEME: &str = include_str!("theme1.xml");

/// Everything written after the body, and what it needs to know.
pub(crate) struct Written<'a> {
    pub(crate) doc: &'a Document,
    pub(crate) options: &'a RenderOptions,
    pub(crate) source: Option<&'a Source>,
    pub(crate) media: &'a Media<'a>,
    pub(crate) margins: &'a [MarginPart<'a>],
    pub(crate) margin_rels: &'a [PartRels],
    pub(crate) doc_rels: &'a PartRels,
    /// The comment and note parts folio wrote, and their parts' relationships.
    pub(crate) review: super::review::ReviewParts,
    pub(crate) review_rels: &'a [(&'static str, PartRels)],
    pub(crate) used: &'a Used,
    pub(crate) numbering_base: u64,
    /// Some section shows even-page headers or footers (`w:evenAndOddHeaders`).
    pub(crate) even_headers: bool,
    /// Some field needs Word to refresh it on open (a table of contents without its page
    /// numbers).
    pub(crate) update_fields: bool,
}

/// A relationship as written: id, type, target, external.
struct Rel {
    id: String,
    kind: String,
    target: String,
    external: bool,
}

fn rel(id: &str, kind: &str, target: &str) -> Rel {
    Rel {
        id: id.into(),
        kind: format!("{OFFICE_REL}/{kind}"),
        target: target.into(),
        external: false,
    }
}

fn write_rels<W: Write>(x: &mut Xml<W>, rels: &[Rel]) -> io::Result<()> {
    x.start("Relationships", &[("xmlns", REL_NS)])?;
    for r in rels {
        if r.external {
            x.empty(
                "Relationship",
                &[
                    ("Id", &r.id),
                    ("Type", &r.kind),
                    ("Target", &r.target),
                    ("TargetMode", "External"),
                ],
            )?;
        } else {
            x.empty(
                "Relationship",
                &[("Id", &r.id), ("Type", &r.kind), ("Target", &r.target)],
            )?;
        }
    }
    x.end("Relationships")
}

/// A part's relationships to its links and its pictures' media files (`prefix`: the
/// way from the part's folder to `word/`).
fn content_rels(rels: &PartRels, media: &Media<'_>) -> Vec<Rel> {
    let mut out = Vec::new();
    for (id, target) in &rels.links {
        out.push(Rel {
            external: true,
            ..rel(id, "hyperlink", target)
        });
    }
    for n in &rels.images {
        if let Some(file) = n.checked_sub(1).and_then(|i| media.files.get(i)) {
            out.push(rel(&format!("rIdImage{n}"), "image", &file.name));
        }
    }
    // Opaque content's relationships: internal targets as absolute part names of the
    // source file (copied with it), external ones as written.
    for r in &rels.opaque {
        out.push(Rel {
            id: r.id.clone(),
            kind: r.kind.clone(),
            target: if r.external {
                r.target.clone()
            } else {
                format!("/{}", r.target)
            },
            external: r.external,
        });
    }
    out
}

/// Settings elements folio may add, in `CT_Settings`' order (the elements before and
/// between them, for placing them among an imported file's own).
pub(crate) const SETTINGS_ORDER: &[&str] = &[
    "writeProtection",
    "view",
    "zoom",
    "removePersonalInformation",
    "removeDateAndTime",
    "doNotDisplayPageBoundaries",
    "displayBackgroundShape",
    "printPostScriptOverText",
    "printFractionalCharacterWidth",
    "printFormsData",
    "embedTrueTypeFonts",
    "embedSystemFonts",
    "saveSubsetFonts",
    "saveFormsData",
    "mirrorMargins",
    "alignBordersAndEdges",
    "bordersDoNotSurroundHeader",
    "bordersDoNotSurroundFooter",
    "gutterAtTop",
    "hideSpellingErrors",
    "hideGrammaticalErrors",
    "activeWritingStyle",
    "proofState",
    "formsDesign",
    "attachedTemplate",
    "linkStyles",
    "stylePaneFormatFilter",
    "stylePaneSortMethod",
    "documentType",
    "mailMerge",
    "revisionView",
    "trackRevisions",
    "doNotTrackMoves",
    "doNotTrackFormatting",
    "documentProtection",
    "autoFormatOverride",
    "styleLockTheme",
    "styleLockQFSet",
    "defaultTabStop",
    "autoHyphenation",
    "consecutiveHyphenLimit",
    "hyphenationZone",
    "doNotHyphenateCaps",
    "showEnvelope",
    "summaryLength",
    "clickAndTypeStyle",
    "defaultTableStyle",
    "evenAndOddHeaders",
    "bookFoldRevPrinting",
    "bookFoldPrinting",
    "bookFoldPrintingSheets",
    "drawingGridHorizontalSpacing",
    "drawingGridVerticalSpacing",
    "displayHorizontalDrawingGridEvery",
    "displayVerticalDrawingGridEvery",
    "doNotUseMarginsForDrawingGridOrigin",
    "drawingGridHorizontalOrigin",
    "drawingGridVerticalOrigin",
    "doNotShadeFormData",
    "noPunctuationKerning",
    "characterSpacingControl",
    "printTwoOnOne",
    "strictFirstAndLastChars",
    "noLineBreaksAfter",
    "noLineBreaksBefore",
    "savePreviewPicture",
    "doNotValidateAgainstSchema",
    "saveInvalidXml",
    "ignoreMixedContent",
    "alwaysShowPlaceholderText",
    "doNotDemarcateInvalidXml",
    "saveXmlDataOnly",
    "useXSLTWhenSaving",
    "saveThroughXslt",
    "showXMLTags",
    "alwaysMergeEmptyNamespace",
    "updateFields",
    "hdrShapeDefaults",
    "footnotePr",
    "endnotePr",
    "compat",
    "docVars",
    "rsids",
    "mathPr",
    "attachedSchema",
    "themeFontLang",
    "clrSchemeMapping",
    "doNotIncludeSubdocsInStats",
    "doNotAutoCompressPictures",
    "forceUpgrade",
    "captions",
    "readModeInkLockDown",
    "smartTagType",
    "schemaLibrary",
    "shapeDefaults",
    "doNotEmbedSmartTags",
    "decimalSymbol",
    "listSeparator",
];

/// `settings` (an imported file's) with the elements of `additions` (local name, XML
/// written with the `w:` prefix) it lacks, each put before the first child that comes
/// after it in the schema's sequence: one pass over the file's bytes, nothing re-sorted.
/// The children named in `replaced` are taken out first (so the additions of those names
/// take their place).
pub(crate) fn settings_with(
    settings: &[u8],
    additions: &[(&str, &str)],
    replaced: &[&str],
) -> Vec<u8> {
    use quick_xml::events::Event;
    let rank = |local: &str| SETTINGS_ORDER.iter().position(|n| *n == local);
    let mut reader = quick_xml::Reader::from_reader(settings);
    let mut depth = 0usize;
    let mut prefix = String::new();
    // Children of the root: local name, byte offset and end; the root's closing tag.
    let mut children: Vec<(String, usize)> = Vec::new();
    let mut cuts: Vec<(usize, usize)> = Vec::new();
    let mut open_cut: Option<usize> = None;
    let mut close: Option<usize> = None;
    loop {
        let at = usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX);
        match reader.read_event() {
            Ok(Event::Start(e)) => {
                if depth == 0 {
                    let name = String::from_utf8_lossy(e.name().as_ref()).into_owned();
                    if let Some((p, _)) = name.split_once(':') {
                        prefix = format!("{p}:");
                    }
                } else if depth == 1 {
                    let local = String::from_utf8_lossy(e.local_name().as_ref()).into_owned();
                    if replaced.contains(&local.as_str()) {
                        open_cut = Some(at);
                    } else {
                        children.push((local, at));
                    }
                }
                depth += 1;
            }
            Ok(Event::Empty(e)) if depth == 1 => {
                let local = String::from_utf8_lossy(e.local_name().as_ref()).into_owned();
                if replaced.contains(&local.as_str()) {
                    let end = usize::try_from(reader.buffer_position()).unwrap_or(at);
                    cuts.push((at, end));
                } else {
                    children.push((local, at));
                }
            }
            Ok(Event::End(_)) => {
                depth = depth.saturating_sub(1);
                if depth == 1
                    && let Some(start) = open_cut.take()
                {
                    let end = usize::try_from(reader.buffer_position()).unwrap_or(start);
                    cuts.push((start, end));
                }
                if depth == 0 {
                    close = Some(at);
                    break;
                }
            }
            Ok(Event::Eof) | Err(_) => break,
            Ok(_) => {}
        }
    }
    let Some(close) = close else {
        return settings.to_vec();
    };
    let mut inserts: Vec<(usize, String)> = Vec::new();
    for (local, xml) in additions {
        if children.iter().any(|(name, _)| name == local) {
            continue;
        }
        let mine = rank(local).unwrap_or(usize::MAX);
        let at = children
            .iter()
            .find(|(name, _)| rank(name).is_some_and(|r| r > mine))
            .map_or(close, |(_, at)| *at);
        inserts.push((at, xml.replace("w:", &prefix)));
    }
    inserts.sort_by_key(|(at, _)| *at);
    let mut out = Vec::with_capacity(settings.len() + 128);
    let mut from = 0;
    // Copies `settings[from..to]` without the cut children.
    let copy = |out: &mut Vec<u8>, from: usize, to: usize| {
        let mut at = from;
        for (start, end) in cuts.iter().filter(|(s, _)| *s >= from && *s < to) {
            out.extend_from_slice(settings.get(at..*start).unwrap_or_default());
            at = *end;
        }
        out.extend_from_slice(settings.get(at.min(to)..to).unwrap_or_default());
    };
    for (at, xml) in inserts {
        copy(&mut out, from, at);
        out.extend_from_slice(xml.as_bytes());
        from = at;
    }
    copy(&mut out, from, settings.len());
    out
}

impl Written<'_> {
    /// Writes every part after the body and the margins.
    pub(crate) fn rest(&self, zip: &mut Zip) -> Result<(), RenderError> {
        let mut doc_rels = vec![
            rel("rId1", "styles", "styles.xml"),
            rel("rId2", "fontTable", "fontTable.xml"),
            rel("rId3", "settings", "settings.xml"),
            rel("rId4", "numbering", "numbering.xml"),
            rel("rIdFolioTheme", "theme", "theme/theme1.xml"),
        ];
        let mut overrides: Vec<(String, String)> = vec![
            (
                "/word/document.xml".into(),
                format!("{WML}.document.main+xml"),
            ),
            ("/word/styles.xml".into(), format!("{WML}.styles+xml")),
            ("/word/numbering.xml".into(), format!("{WML}.numbering+xml")),
            ("/word/settings.xml".into(), format!("{WML}.settings+xml")),
            ("/word/fontTable.xml".into(), format!("{WML}.fontTable+xml")),
            (
                "/word/theme/theme1.xml".into(),
                "application/vnd.openxmlformats-officedocument.theme+xml".into(),
            ),
        ];
        // Header and footer parts, with their own relationships.
        for (margin, rels) in self.margins.iter().zip(self.margin_rels) {
            doc_rels.push(rel(&margin.id(), margin.kind(), &margin.name()));
            overrides.push((
                format!("/word/{}", margin.name()),
                format!("{WML}.{}+xml", margin.kind()),
            ));
            let own = content_rels(rels, self.media);
            if !own.is_empty() {
                part(zip, &format!("word/_rels/{}.rels", margin.name()), |x| {
                    write_rels(x, &own)
                })?;
            }
        }
        self.review_rels(zip, &mut doc_rels, &mut overrides)?;
        self.styles(zip)?;
        self.numbering(zip)?;
        self.settings(zip)?;
        // The source's font table and theme, or folio's.
        let replaced = |name: &str| self.source.and_then(|s| s.replacement(name));
        match replaced("word/fontTable.xml") {
            Some((own, _)) => entry(zip, "word/fontTable.xml", &own, false)?,
            // A closure: the generic function item is not general over the entry's lifetime.
            #[allow(clippy::redundant_closure)]
            None => part(zip, "word/fontTable.xml", |x| font_table(x))?,
        }
        match replaced("word/theme/theme1.xml") {
            Some((own, _)) => entry(zip, "word/theme/theme1.xml", &own, false)?,
            None => entry(zip, "word/theme/theme1.xml", THEME.as_bytes(), false)?,
        }
        doc_rels.extend(content_rels(self.doc_rels, self.media));
        if let Some(source) = self.source {
            self.source_parts(zip, source, &mut doc_rels, &mut overrides)?;
        }
        part(zip, "word/_rels/document.xml.rels", |x| {
            write_rels(x, &doc_rels)
        })?;
        self.properties(zip, &mut overrides)?;
        self.content_types(zip, &overrides)?;
        // Pictures are compressed already: stored as they are.
        for file in &self.media.files {
            entry(zip, &format!("word/{}", file.name), &file.bytes, true)?;
        }
        Ok(())
    }

    /// The relationships to the comment and note parts folio wrote, their content types,
    /// and their own relationships (links, pictures).
    fn review_rels(
        &self,
        zip: &mut Zip,
        doc_rels: &mut Vec<Rel>,
        overrides: &mut Vec<(String, String)>,
    ) -> Result<(), RenderError> {
        let mut add = |name: &str, id: &str, kind: String, content_type: String| {
            doc_rels.push(Rel {
                id: id.into(),
                kind,
                target: name.into(),
                external: false,
            });
            overrides.push((format!("/word/{name}"), content_type));
        };
        if self.review.comments {
            add(
                "comments.xml",
                "rIdFolioComments",
                format!("{OFFICE_REL}/comments"),
                format!("{WML}.comments+xml"),
            );
            add(
                "commentsExtended.xml",
                "rIdFolioCommentsEx",
                "http://schemas.microsoft.com/office/2011/relationships/commentsExtended".into(),
                format!("{WML}.commentsExtended+xml"),
            );
            add(
                "commentsIds.xml",
                "rIdFolioCommentsIds",
                "http://schemas.microsoft.com/office/2016/09/relationships/commentsIds".into(),
                format!("{WML}.commentsIds+xml"),
            );
        }
        if self.review.footnotes {
            add(
                "footnotes.xml",
                "rIdFolioFootnotes",
                format!("{OFFICE_REL}/footnotes"),
                format!("{WML}.footnotes+xml"),
            );
        }
        if self.review.endnotes {
            add(
                "endnotes.xml",
                "rIdFolioEndnotes",
                format!("{OFFICE_REL}/endnotes"),
                format!("{WML}.endnotes+xml"),
            );
        }
        for (name, rels) in self.review_rels {
            let own = content_rels(rels, self.media);
            if !own.is_empty() {
                part(zip, &format!("word/_rels/{name}.rels"), |x| {
                    write_rels(x, &own)
                })?;
            }
        }
        Ok(())
    }

    /// The source's notes, comments and the parts folio does not regenerate.
    fn source_parts(
        &self,
        zip: &mut Zip,
        source: &Source,
        doc_rels: &mut Vec<Rel>,
        overrides: &mut Vec<(String, String)>,
    ) -> Result<(), RenderError> {
        for name in super::source::NOTES_AND_COMMENTS {
            if self.review.owns(name) {
                continue;
            }
            if let Some((own, source_name)) = source.replacement(name) {
                entry(zip, name, &own, false)?;
                if let Some((id, kind)) = source.replaced_relationship(name) {
                    doc_rels.push(Rel {
                        id,
                        kind,
                        target: name.trim_start_matches("word/").into(),
                        external: false,
                    });
                }
                if let Some(ct) = source.content_type(&source_name) {
                    overrides.push((format!("/{name}"), ct.to_string()));
                }
            }
        }
        let mut taken: BTreeSet<String> = [
            "word/document.xml",
            "word/styles.xml",
            "word/numbering.xml",
            "word/settings.xml",
            "word/fontTable.xml",
            "word/theme/theme1.xml",
            "word/_rels/document.xml.rels",
            "docProps/core.xml",
            "docProps/app.xml",
            "docProps/custom.xml",
            "[Content_Types].xml",
            "_rels/.rels",
        ]
        .into_iter()
        .map(String::from)
        .collect();
        taken.extend(
            super::source::NOTES_AND_COMMENTS
                .iter()
                .map(|n| n.to_string()),
        );
        // The comment and note parts folio owns, with their relationships.
        for name in [
            "comments.xml",
            "commentsExtended.xml",
            "commentsIds.xml",
            "commentsExtensible.xml",
            "footnotes.xml",
            "endnotes.xml",
        ] {
            if self.review.owns(name) {
                taken.insert(format!("word/{name}"));
                taken.insert(format!("word/_rels/{name}.rels"));
            }
        }
        taken.extend(self.media.files.iter().map(|f| format!("word/{}", f.name)));
        for margin in self.margins {
            taken.insert(format!("word/{}", margin.name()));
            taken.insert(format!("word/_rels/{}.rels", margin.name()));
        }
        let opaque_targets: BTreeSet<String> = std::iter::once(self.doc_rels)
            .chain(self.margin_rels)
            .flat_map(|r| r.opaque.iter())
            .filter(|r| !r.external)
            .map(|r| r.target.clone())
            .collect();
        let (copied, extra_rels, _) = source.parts(&opaque_targets, &taken);
        for (id, kind, target) in extra_rels {
            doc_rels.push(Rel {
                id,
                kind,
                target: format!("/{target}"),
                external: false,
            });
        }
        for p in copied {
            if let Some(ct) = &p.content_type
                && !overrides
                    .iter()
                    .any(|(name, _)| *name == format!("/{}", p.name))
            {
                overrides.push((format!("/{}", p.name), ct.clone()));
            }
            entry(zip, &p.name, &p.bytes, false)?;
        }
        Ok(())
    }

    fn styles(&self, zip: &mut Zip) -> Result<(), RenderError> {
        let all = styles::document_styles(&self.doc.styles);
        if let Some(source) = self.source {
            // folio's own are added to an imported file's style sheet only when used;
            // styles created or changed after the import take the file's one's place.
            let own: BTreeSet<String> = self
                .doc
                .styles
                .iter()
                .filter(|s| !s.imported)
                .map(|s| s.style_id.clone())
                .collect();
            let needed = styles::needed(&all, &self.used.styles, &own);
            let wanted: Vec<&Style> = all.iter().filter(|s| needed.contains(&s.id)).collect();
            if let Some(merged) = source.styles(&wanted, &own) {
                return entry(zip, "word/styles.xml", &merged, false);
            }
        }
        part(zip, "word/styles.xml", |x| styles::write_styles(x, &all))
    }

    fn numbering(&self, zip: &mut Zip) -> Result<(), RenderError> {
        let numbering = &self.used.numbering;
        if self.numbering_base > 0
            && let Some(source) = self.source
        {
            let mut abstracts = Xml::new(Vec::new());
            numbering.write_abstracts(&mut abstracts)?;
            let mut nums = Xml::new(Vec::new());
            numbering.write_nums(&mut nums)?;
            if let Some(merged) = source.numbering(
                &String::from_utf8_lossy(&abstracts.into_inner()),
                &String::from_utf8_lossy(&nums.into_inner()),
            ) {
                return entry(zip, "word/numbering.xml", &merged, false);
            }
        }
        part(zip, "word/numbering.xml", |x| numbering.write(x))
    }

    fn settings(&self, zip: &mut Zip) -> Result<(), RenderError> {
        let mut additions: Vec<(&str, &str)> = Vec::new();
        if self.even_headers {
            additions.push(("evenAndOddHeaders", "<w:evenAndOddHeaders/>"));
        }
        if self.update_fields {
            additions.push(("updateFields", r#"<w:updateFields w:val="true"/>"#));
        }
        // The separator notes every note part starts with.
        // folio's note parts have their separators at -1 and 0: the file's own footnotePr
        // and endnotePr (which may name others) give way.
        let replaced: Vec<&str> = if self.review.footnotes {
            vec!["footnotePr", "endnotePr"]
        } else {
            Vec::new()
        };
        if self.review.footnotes {
            additions.push((
                "footnotePr",
                r#"<w:footnotePr><w:footnote w:id="-1"/><w:footnote w:id="0"/></w:footnotePr>"#,
            ));
        }
        if self.review.endnotes {
            additions.push((
                "endnotePr",
                r#"<w:endnotePr><w:endnote w:id="-1"/><w:endnote w:id="0"/></w:endnotePr>"#,
            ));
        }
        if let Some((own, _)) = self.source.and_then(|s| s.replacement("word/settings.xml")) {
            // The file's own settings, as they were, with what folio needs added.
            return entry(
                zip,
                "word/settings.xml",
                &settings_with(&own, &additions, &replaced),
                false,
            );
        }
        part(zip, "word/settings.xml", |x| {
            x.start(
                "w:settings",
                &[(
                    "xmlns:w",
                    "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
                )],
            )?;
            x.empty("w:zoom", &[("w:percent", "100")])?;
            x.val("w:defaultTabStop", "720")?;
            for (_, xml) in &additions {
                x.raw(xml)?;
            }
            x.start("w:compat", &[])?;
            x.empty(
                "w:compatSetting",
                &[
                    ("w:name", "compatibilityMode"),
                    ("w:uri", "http://schemas.microsoft.com/office/word"),
                    ("w:val", "15"),
                ],
            )?;
            x.end("w:compat")?;
            x.end("w:settings")
        })
    }

    /// `docProps`: core properties (title, author, subject, keywords…, the version as the
    /// revision, times and last editor from the events), app and custom properties.
    fn properties(
        &self,
        zip: &mut Zip,
        overrides: &mut Vec<(String, String)>,
    ) -> Result<(), RenderError> {
        let (doc, options) = (self.doc, self.options);
        let m = &doc.metadata;
        part(zip, "docProps/core.xml", |x| {
            x.start(
                "cp:coreProperties",
                &[
                    (
                        "xmlns:cp",
                        "http://schemas.openxmlformats.org/package/2006/metadata/core-properties",
                    ),
                    ("xmlns:dc", "http://purl.org/dc/elements/1.1/"),
                    ("xmlns:dcterms", "http://purl.org/dc/terms/"),
                    ("xmlns:dcmitype", "http://purl.org/dc/dcmitype/"),
                    ("xmlns:xsi", "http://www.w3.org/2001/XMLSchema-instance"),
                ],
            )?;
            let revision = doc.version.get().to_string();
            for (tag, value) in [
                ("dc:title", Some(doc.title.as_str())),
                ("dc:subject", m.subject.as_deref()),
                ("dc:creator", m.author.as_deref()),
                ("cp:keywords", m.keywords.as_deref()),
                ("dc:description", m.description.as_deref()),
                ("cp:category", m.category.as_deref()),
                ("cp:lastModifiedBy", options.last_modified_by.as_deref()),
                ("cp:revision", Some(revision.as_str())),
            ] {
                if let Some(value) = value {
                    x.element(tag, &[], value)?;
                }
            }
            for (tag, value) in [
                ("dcterms:created", &options.created_at),
                ("dcterms:modified", &options.modified_at),
            ] {
                if let Some(value) = value {
                    x.element(tag, &[("xsi:type", "dcterms:W3CDTF")], value)?;
                }
            }
            x.end("cp:coreProperties")
        })?;
        part(zip, "docProps/app.xml", |x| {
            x.start(
                "Properties",
                &[(
                    "xmlns",
                    "http://schemas.openxmlformats.org/officeDocument/2006/extended-properties",
                )],
            )?;
            x.element("Application", &[], "folio")?;
            x.end("Properties")
        })?;
        part(zip, "docProps/custom.xml", |x| {
            x.start(
                "Properties",
                &[
                    (
                        "xmlns",
                        "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties",
                    ),
                    (
                        "xmlns:vt",
                        "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes",
                    ),
                ],
            )?;
            // Property ids start at 2 (the schema reserves 0 and 1).
            for (pid, (name, value)) in (2u64..).zip(&m.custom) {
                x.start(
                    "property",
                    &[
                        ("fmtid", "{D5CDD505-2E9C-101B-9397-08002B2CF9AE}"),
                        ("pid", &pid.to_string()),
                        ("name", name),
                    ],
                )?;
                x.element("vt:lpwstr", &[], value)?;
                x.end("property")?;
            }
            x.end("Properties")
        })?;
        overrides.extend([
            (
                "/docProps/core.xml".into(),
                "application/vnd.openxmlformats-package.core-properties+xml".into(),
            ),
            (
                "/docProps/app.xml".into(),
                "application/vnd.openxmlformats-officedocument.extended-properties+xml".into(),
            ),
            (
                "/docProps/custom.xml".into(),
                "application/vnd.openxmlformats-officedocument.custom-properties+xml".into(),
            ),
        ]);
        part(zip, "_rels/.rels", |x| {
            write_rels(
                x,
                &[
                    rel("rId1", "officeDocument", "word/document.xml"),
                    Rel {
                        id: "rId2".into(),
                        kind: "http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties".into(),
                        target: "docProps/core.xml".into(),
                        external: false,
                    },
                    rel("rId3", "extended-properties", "docProps/app.xml"),
                    rel("rId4", "custom-properties", "docProps/custom.xml"),
                ],
            )
        })
    }

    fn content_types(
        &self,
        zip: &mut Zip,
        overrides: &[(String, String)],
    ) -> Result<(), RenderError> {
        let mut defaults: Vec<(&str, &str)> = vec![
            (
                "rels",
                "application/vnd.openxmlformats-package.relationships+xml",
            ),
            ("xml", "application/xml"),
        ];
        for file in &self.media.files {
            let extension = file.name.rsplit('.').next().unwrap_or("");
            if !defaults.iter().any(|(e, _)| *e == extension) {
                defaults.push((extension, file.content_type));
            }
        }
        part(zip, "[Content_Types].xml", |x| {
            x.start(
                "Types",
                &[(
                    "xmlns",
                    "http://schemas.openxmlformats.org/package/2006/content-types",
                )],
            )?;
            for (extension, ct) in &defaults {
                x.empty("Default", &[("Extension", extension), ("ContentType", ct)])?;
            }
            for (name, ct) in overrides {
                x.empty("Override", &[("PartName", name), ("ContentType", ct)])?;
            }
            x.end("Types")
        })
    }
}

/// Folio's font table: the fonts Word falls back to.
fn font_table<W: Write>(x: &mut Xml<W>) -> io::Result<()> {
    x.start(
        "w:fonts",
        &[(
            "xmlns:w",
            "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
        )],
    )?;
    for (name, charset, family) in [
        ("Times New Roman", "00", "roman"),
        ("Symbol", "02", "roman"),
        ("Arial", "00", "swiss"),
    ] {
        x.start("w:font", &[("w:name", name)])?;
        x.val("w:charset", charset)?;
        x.val("w:family", family)?;
        x.val("w:pitch", "variable")?;
        x.end("w:font")?;
    }
    x.end("w:fonts")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_additions_go_where_the_schema_puts_them() {
        let own = br#"<?xml version="1.0"?><w:settings xmlns:w="x"><w:zoom w:percent="90"/><w:defaultTabStop w:val="720"/><w:characterSpacingControl w:val="doNotCompress"/><w:compat/><w:rsids><w:rsidRoot w:val="1"/></w:rsids></w:settings>"#;
        let out = settings_with(
            own,
            &[
                ("evenAndOddHeaders", "<w:evenAndOddHeaders/>"),
                ("updateFields", r#"<w:updateFields w:val="true"/>"#),
            ],
            &[],
        );
        let out = String::from_utf8(out).unwrap();
        assert!(
            out.contains(
                r#"<w:defaultTabStop w:val="720"/><w:evenAndOddHeaders/><w:characterSpacingControl"#
            ),
            "{out}"
        );
        assert!(
            out.contains(r#"<w:updateFields w:val="true"/><w:compat/>"#),
            "{out}"
        );
        // Already there: not added twice.
        let again = settings_with(
            out.as_bytes(),
            &[("updateFields", "<w:updateFields/>")],
            &[],
        );
        assert_eq!(String::from_utf8(again).unwrap(), out);
    }

    #[test]
    fn replaced_settings_give_way_to_folios() {
        let own = br#"<w:settings xmlns:w="x"><w:zoom/><w:footnotePr><w:footnote w:id="0"/><w:footnote w:id="1"/></w:footnotePr><w:endnotePr><w:endnote w:id="0"/></w:endnotePr><w:compat/></w:settings>"#;
        let ours = r#"<w:footnotePr><w:footnote w:id="-1"/></w:footnotePr>"#;
        let out = settings_with(own, &[("footnotePr", ours)], &["footnotePr", "endnotePr"]);
        assert_eq!(
            String::from_utf8(out).unwrap(),
            format!(r#"<w:settings xmlns:w="x"><w:zoom/>{ours}<w:compat/></w:settings>"#)
        );
    }

    #[test]
    fn settings_with_another_prefix_get_it() {
        let own = br#"<s:settings xmlns:s="x"><s:zoom s:percent="90"/></s:settings>"#;
        let out = settings_with(
            own,
            &[("updateFields", r#"<w:updateFields w:val="true"/>"#)],
            &[],
        );
        assert_eq!(
            String::from_utf8(out).unwrap(),
            r#"<s:settings xmlns:s="x"><s:zoom s:percent="90"/><s:updateFields s:val="true"/></s:settings>"#
        );
    }
}
