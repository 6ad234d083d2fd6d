//! Re-packing what docx-rs wrote: deflate compression, our core properties, header rows,
//! a theme part (required by the schema, not written by docx-rs), and children in schema
//! order.

mod schema_order;
pub(crate) mod source;

use std::io::{Cursor, Read, Write};

use domain::DocumentMetadata;
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipArchive, ZipWriter};

use crate::RenderError;
use crate::render::RenderOptions;

/// The values written to `docProps/core.xml`.
pub(crate) struct CoreProperties<'a> {
    pub(crate) title: &'a str,
    pub(crate) metadata: &'a DocumentMetadata,
    pub(crate) options: &'a RenderOptions,
    pub(crate) revision: u64,
}

use crate::xml_safe::escape as esc;

impl CoreProperties<'_> {
    fn xml(&self) -> String {
        let mut x = String::from(
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">"#,
        );
        let mut element = |tag: &str, value: Option<&str>| {
            if let Some(v) = value {
                x.push_str(&format!("<{tag}>{}</{tag}>", esc(v)));
            }
        };
        let m = self.metadata;
        element("dc:title", Some(self.title));
        element("dc:subject", m.subject.as_deref());
        element("dc:creator", m.author.as_deref());
        element("cp:keywords", m.keywords.as_deref());
        element("dc:description", m.description.as_deref());
        element("cp:category", m.category.as_deref());
        element(
            "cp:lastModifiedBy",
            self.options.last_modified_by.as_deref(),
        );
        element("cp:revision", Some(&self.revision.to_string()));
        for (tag, value) in [
            ("dcterms:created", &self.options.created_at),
            ("dcterms:modified", &self.options.modified_at),
        ] {
            if let Some(v) = value {
                x.push_str(&format!(
                    r#"<{tag} xsi:type="dcterms:W3CDTF">{}</{tag}>"#,
                    esc(v)
                ));
            }
        }
        x.push_str("</cp:coreProperties>");
        x
    }

    /// `docProps/custom.xml`: one text property per custom metadata entry. docx-rs writes
    /// these values unescaped, so folio writes the part itself.
    fn custom_xml(&self) -> String {
        let mut x = String::from(
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties" xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">"#,
        );
        // Property ids start at 2 (the schema reserves 0 and 1).
        for (pid, (name, value)) in (2..).zip(&self.metadata.custom) {
            x.push_str(&format!(
                r#"<property fmtid="{{D5CDD505-2E9C-101B-9397-08002B2CF9AE}}" pid="{pid}" name="{}"><vt:lpwstr>{}</vt:lpwstr></property>"#,
                esc(name),
                esc(value)
            ));
        }
        x.push_str("</Properties>");
        x
    }
}

/// What the re-pack adds that docx-rs cannot write.
#[derive(Debug, Clone, Default)]
pub(crate) struct Marks {
    /// Some table has a header row (`w:tblHeader`).
    pub(crate) header_rows: bool,
    /// The document has fields Word should refresh on open (a table of contents).
    pub(crate) update_fields: bool,
    /// The document's `Normal` style, when it redefines it (docx-rs always writes a
    /// plain one of its own, which this replaces).
    pub(crate) normal_style: Option<String>,
}

/// What the renderer wrote besides docx-rs's output, for the re-pack.
pub(crate) struct Written<'a> {
    pub(crate) images: &'a Images,
    pub(crate) parts: &'a Parts,
    pub(crate) opaque: &'a Opaques,
    pub(crate) styles: &'a [domain::StyleDef],
    /// Some section shows even-page headers or footers (`w:evenAndOddHeaders`).
    pub(crate) even_headers: bool,
}

pub(crate) fn repack(
    raw: &[u8],
    core: &CoreProperties<'_>,
    marks: Marks,
    written: &Written<'_>,
) -> Result<Vec<u8>, RenderError> {
    let (images, parts) = (written.images, written.parts);
    let source = core
        .options
        .source
        .as_deref()
        .and_then(source::Source::open);
    // Beside an imported file's own media, folio's pictures take names of their own.
    let media_prefix = if source.is_some() {
        "folio-image"
    } else {
        "image"
    };
    let media = images.place(&core.options.media, media_prefix);
    let mut input = ZipArchive::new(Cursor::new(raw))?;
    // Names folio writes: a part copied from the source never takes one.
    let mut taken: std::collections::BTreeSet<String> = (0..input.len())
        .filter_map(|i| input.name_for_index(i).map(str::to_string))
        .collect();
    taken.insert("word/theme/theme1.xml".into());
    taken.extend(media.files.iter().map(|f| format!("word/{}", f.name)));
    taken.extend(parts.parts.iter().map(|p| format!("word/{}", p.name())));
    taken.extend(
        parts
            .parts
            .iter()
            .map(|p| format!("word/_rels/{}.rels", p.name())),
    );
    let opaque_targets: std::collections::BTreeSet<String> = written
        .opaque
        .rels()
        .filter(|r| !r.external)
        .map(|r| r.target.clone())
        .collect();
    let (copied, source_rels) = match &source {
        Some(s) => {
            let (copied, rels, _) = s.parts(&opaque_targets, &taken);
            (copied, rels)
        }
        None => (Vec::new(), String::new()),
    };
    // The styles the document's parts refer to (folio's own are added to an imported
    // file's style sheet only when used).
    let mut used_styles = std::collections::BTreeSet::new();
    if source.is_some() {
        if let Ok(mut entry) = input.by_name("word/document.xml") {
            let mut xml = String::new();
            entry.read_to_string(&mut xml)?;
            source::styles_used(&xml, &mut used_styles);
        }
        for part in &parts.parts {
            source::styles_used(&String::from_utf8_lossy(&part.xml), &mut used_styles);
        }
    }
    // The file's numbering definitions keep their ids (opaque blocks and the file's own
    // styles refer to them); folio's own move above them.
    let numbering_base = source.as_ref().and_then(source::Source::numbering_base);
    let own_styles: std::collections::BTreeSet<String> = written
        .styles
        .iter()
        .filter(|s| !s.imported)
        .map(|s| s.style_id.clone())
        .collect();
    let mut output = ZipWriter::new(Cursor::new(Vec::with_capacity(raw.len() / 3)));
    // A fixed entry time: the same document version always packs to the same bytes.
    let options = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .last_modified_time(zip::DateTime::default());
    let mut saw_core = false;
    for i in 0..input.len() {
        let mut entry = input.by_index(i)?;
        let name = entry.name().to_string();
        let mut data = Vec::with_capacity(usize::try_from(entry.size()).unwrap_or(0));
        entry.read_to_end(&mut data)?;
        drop(entry);
        let data = match name.as_str() {
            "docProps/core.xml" => {
                saw_core = true;
                core.xml().into_bytes()
            }
            "docProps/custom.xml" => core.custom_xml().into_bytes(),
            "word/document.xml" => {
                let data = media.drawings(small_caps(data));
                let data = if marks.header_rows {
                    mark_header_rows(&data)
                } else {
                    data
                };
                // folio's lists moved up beside an imported file's numbering (the opaque
                // blocks, spliced in after this, keep theirs).
                let data = match numbering_base {
                    Some(base) => source::shift_ids(
                        &String::from_utf8_lossy(&data),
                        "<w:numId w:val=\"",
                        base,
                    )
                    .into_bytes(),
                    None => data,
                };
                source::splice_opaque(schema_order::normalize(&data, false), written.opaque)
            }
            "word/settings.xml" => match source.as_ref().and_then(|s| s.replacement(&name)) {
                // The file's own settings, as they were unless folio needs a setting
                // they lack.
                Some((own, _)) => {
                    let mut data = own.to_vec();
                    let text = String::from_utf8_lossy(&own);
                    let mut additions = String::new();
                    if marks.update_fields && !text.contains("updateFields") {
                        additions.push_str(r#"<w:updateFields w:val="true" />"#);
                    }
                    if written.even_headers && !text.contains("evenAndOddHeaders") {
                        additions.push_str("<w:evenAndOddHeaders />");
                    }
                    if !additions.is_empty() && text.contains("</w:settings>") {
                        data = schema_order::normalize(
                            &insert_before(&own, "</w:settings>", &additions),
                            false,
                        );
                    }
                    data
                }
                None if marks.update_fields => schema_order::normalize(
                    &insert_before(&data, "</w:settings>", r#"<w:updateFields w:val="true" />"#),
                    false,
                ),
                None => schema_order::normalize(&data, false),
            },
            "word/fontTable.xml"
            | "word/footnotes.xml"
            | "word/comments.xml"
            | "word/commentsExtended.xml" => {
                match source.as_ref().and_then(|s| s.replacement(&name)) {
                    Some((own, _)) => own.to_vec(),
                    None => data,
                }
            }
            "word/styles.xml" => {
                let folio = schema_order::normalize(
                    &mark_default_style(&data, marks.normal_style.as_deref()),
                    true,
                );
                source
                    .as_ref()
                    .and_then(|s| s.styles(&folio, &own_styles, &used_styles))
                    .unwrap_or(folio)
            }
            "word/numbering.xml" => {
                let folio = schema_order::normalize(&data, true);
                match (source.as_ref(), numbering_base) {
                    (Some(s), Some(base)) => s.numbering(&folio, base).unwrap_or(folio),
                    _ => folio,
                }
            }
            "word/_rels/document.xml.rels" => {
                let existing = String::from_utf8_lossy(&data).to_string();
                let mut replaced = source
                    .as_ref()
                    .map_or_else(String::new, |s| s.replaced_relationships(&existing));
                if numbering_base.is_some() && !existing.contains("Target=\"numbering.xml\"") {
                    replaced.push_str(&format!(
                        r#"<Relationship Id="rIdFolioNumbering" Type="{NUMBERING_REL}" Target="numbering.xml" />"#
                    ));
                }
                insert_before(
                    &sorted_relationships(&data),
                    "</Relationships>",
                    &format!(
                        r#"<Relationship Id="rIdFolioTheme" Type="{THEME_REL}" Target="theme/theme1.xml" />{}{}{}{replaced}{source_rels}"#,
                        media.relationships(),
                        parts.relationships(),
                        written.opaque.relationships(),
                    ),
                )
            }
            "[Content_Types].xml" => {
                let defaults = media.content_types(&String::from_utf8_lossy(&data));
                let declared = String::from_utf8_lossy(&data).to_string();
                let copied_types: String = copied
                    .iter()
                    .filter_map(|p| {
                        let ct = p.content_type.as_ref()?;
                        let part = format!("PartName=\"/{}\"", esc(&p.name));
                        (!declared.contains(&part))
                            .then(|| format!(r#"<Override {part} ContentType="{}" />"#, esc(ct)))
                    })
                    .collect();
                insert_before(
                    &data,
                    "</Types>",
                    &format!(
                        r#"<Override PartName="/word/theme/theme1.xml" ContentType="{THEME_TYPE}" />{defaults}{}{copied_types}{}"#,
                        parts.content_types(),
                        source
                            .as_ref()
                            .map_or_else(String::new, |s| s.replaced_content_types(&declared)),
                    ),
                )
            }
            _ => data,
        };
        output.start_file(name, options)?;
        output.write_all(&data)?;
    }
    output.start_file("word/theme/theme1.xml", options)?;
    match source
        .as_ref()
        .and_then(|s| s.replacement("word/theme/theme1.xml"))
    {
        Some((own, _)) => output.write_all(&own)?,
        None => output.write_all(THEME.as_bytes())?,
    }
    // The source's parts folio does not regenerate, byte for byte (the relationships of a
    // replaced part beside the name folio writes it under, which is in the same folder).
    for part in &copied {
        output.start_file(part.name.clone(), options)?;
        output.write_all(&part.bytes)?;
    }
    for part in &parts.parts {
        let (xml, pictures) = media.drawings_in(small_caps(part.xml.clone()));
        output.start_file(format!("word/{}", part.name()), options)?;
        output.write_all(&schema_order::normalize(&xml, false))?;
        // Its own relationships: its links, and the media files its pictures show.
        let mut rels = String::new();
        for (id, target) in &part.links {
            rels.push_str(&format!(
                r#"<Relationship Id="{}" Type="{LINK_REL}" Target="{}" TargetMode="External" />"#,
                esc(id),
                esc(target)
            ));
        }
        rels.push_str(&media.relationships_for(&pictures));
        if !rels.is_empty() {
            output.start_file(format!("word/_rels/{}.rels", part.name()), options)?;
            output.write_all(
                format!(
                    r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{rels}</Relationships>"#
                )
                .as_bytes(),
            )?;
        }
    }
    // Pictures are compressed already: stored as they are.
    let stored = options.compression_method(CompressionMethod::Stored);
    for file in &media.files {
        output.start_file(format!("word/{}", file.name), stored)?;
        output.write_all(&file.bytes)?;
    }
    if !saw_core {
        return Err(RenderError::Pack(
            "docx-rs wrote no docProps/core.xml".into(),
        ));
    }
    Ok(output.finish()?.into_inner())
}

const THEME: &str = include_str!("package/theme1.xml");
const THEME_REL: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/theme";
const THEME_TYPE: &str = "application/vnd.openxmlformats-officedocument.theme+xml";

/// Inserts `addition` before the last occurrence of `closing`.
fn insert_before(xml: &[u8], closing: &str, addition: &str) -> Vec<u8> {
    let text = String::from_utf8_lossy(xml);
    match text.rfind(closing) {
        Some(at) => format!("{}{addition}{}", &text[..at], &text[at..]).into_bytes(),
        None => xml.to_vec(),
    }
}

/// Marks docx-rs's `Normal` style as the default paragraph style, which readers use for
/// paragraphs without a `w:pStyle` (python-docx answers `None` otherwise), or puts the
/// document's own `Normal` (`redefined`, a `w:style` element) in its place.
fn mark_default_style(xml: &[u8], redefined: Option<&str>) -> Vec<u8> {
    const OPEN: &str = r#"<w:style w:type="paragraph" w:styleId="Normal">"#;
    const DEFAULT: &str = r#"<w:style w:type="paragraph" w:default="1" w:styleId="Normal">"#;
    let text = String::from_utf8_lossy(xml);
    if let Some(redefined) = redefined
        && let Some(start) = text.find(OPEN)
        && let Some(len) = text[start..].find("</w:style>")
    {
        let end = start + len + "</w:style>".len();
        let own = redefined.replacen(OPEN, DEFAULT, 1);
        return format!("{}{own}{}", &text[..start], &text[end..]).into_bytes();
    }
    text.replacen(OPEN, DEFAULT, 1).into_bytes()
}

/// The relationships of a part in the order of their ids (docx-rs collects hyperlink
/// relationships in a hash set, so their order changes from one render to the next).
/// Ids sort by their text before the number, then by the number (`rId2` before `rId10`).
fn sorted_relationships(xml: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(xml);
    let (Some(first), Some(end)) = (text.find("<Relationship "), text.rfind("</Relationships>"))
    else {
        return xml.to_vec();
    };
    let mut items: Vec<&str> = Vec::new();
    let mut rest = &text[first..end];
    while let Some(close) = rest.find("/>") {
        items.push(rest[..close + 2].trim());
        rest = &rest[close + 2..];
    }
    let key = |item: &str| {
        let id = item
            .split_once(" Id=\"")
            .and_then(|(_, after)| after.split_once('"'))
            .map_or("", |(id, _)| id);
        let digits = id.len() - id.trim_end_matches(|c: char| c.is_ascii_digit()).len();
        let (name, number) = id.split_at(id.len() - digits);
        (name.to_string(), number.parse::<u64>().unwrap_or(0))
    };
    items.sort_by_cached_key(|item| key(item));
    format!("{}{}{}", &text[..first], items.concat(), &text[end..]).into_bytes()
}

/// Turns `w:caps` into `w:smallCaps`: docx-rs cannot write small capitals, and the renderer
/// writes `w:caps` only to mark them (folio has no all-capitals format). Both elements sit
/// at the same place in `CT_RPr`, so the order stays valid.
fn small_caps(xml: Vec<u8>) -> Vec<u8> {
    let text = String::from_utf8_lossy(&xml);
    if !text.contains("<w:caps") {
        drop(text);
        return xml;
    }
    text.replace("<w:caps ", "<w:smallCaps ")
        .replace("<w:caps/>", "<w:smallCaps/>")
        .into_bytes()
}

/// Adds `w:tblHeader` beside each `w:cantSplit` (which the renderer puts on header rows
/// only). `CT_TrPr` is a free choice of elements, so the order is valid.
fn mark_header_rows(xml: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(xml);
    text.replace("<w:cantSplit />", "<w:cantSplit /><w:tblHeader />")
        .replace("<w:cantSplit/>", "<w:cantSplit/><w:tblHeader/>")
        .into_bytes()
}

/// The opaque blocks of a render, in the order the renderer wrote their markers.
#[derive(Debug, Default)]
pub(crate) struct Opaques {
    blocks: Vec<domain::OpaqueBlock>,
    /// Opaque inline content and the text shown where its XML cannot be written.
    inlines: Vec<(domain::OpaqueInline, String)>,
}

/// Whether the deny list refuses an opaque relationship.
fn refused(rel: &domain::OpaqueRel) -> bool {
    crate::import::package::refused_kind(&rel.kind, &rel.target, rel.external).is_some()
}

impl Opaques {
    /// Registers a block; returns the text of the marker run that stands for it.
    pub(crate) fn marker(&mut self, block: &domain::OpaqueBlock) -> String {
        let mut block = block.clone();
        // Stored by a build before the deny list: written as its text, as at import now.
        if block.rels.iter().any(refused) {
            block.xml.clear();
            block.rels.clear();
        }
        self.blocks.push(block);
        format!("\u{FFFF}O{}\u{FFFF}", self.blocks.len())
    }

    /// Registers inline content; returns the text of the marker run that stands for it.
    pub(crate) fn inline_marker(&mut self, inline: &domain::OpaqueInline, text: &str) -> String {
        let mut inline = inline.clone();
        if inline.rels.iter().any(refused) {
            inline.xml.clear();
            inline.rels.clear();
        }
        self.inlines.push((inline, text.to_string()));
        format!("\u{FFFF}I{}\u{FFFF}", self.inlines.len())
    }

    /// Every relationship the blocks and inline content name.
    fn rels(&self) -> impl Iterator<Item = &domain::OpaqueRel> + '_ {
        self.blocks
            .iter()
            .flat_map(|b| b.rels.iter())
            .chain(self.inlines.iter().flat_map(|(i, _)| i.rels.iter()))
    }

    /// The relationships the blocks' XML names (each id once): internal targets as
    /// absolute part names of the source file (copied with it), external ones as written.
    fn relationships(&self) -> String {
        let mut seen = std::collections::BTreeSet::new();
        let mut out = String::new();
        for rel in self.rels() {
            if !seen.insert(rel.id.as_str()) {
                continue;
            }
            if rel.external {
                out.push_str(&format!(
                    r#"<Relationship Id="{}" Type="{}" Target="{}" TargetMode="External" />"#,
                    esc(&rel.id),
                    esc(&rel.kind),
                    esc(&rel.target)
                ));
            } else {
                out.push_str(&format!(
                    r#"<Relationship Id="{}" Type="{}" Target="/{}" />"#,
                    esc(&rel.id),
                    esc(&rel.kind),
                    esc(&rel.target)
                ));
            }
        }
        out
    }
}

/// The images of a render, in the order the renderer wrote their markers.
#[derive(Debug, Default)]
pub(crate) struct Images {
    uses: Vec<domain::InlineImage>,
}

/// Opens an image marker: a text no document holds (every string of the document went
/// through `xml_safe`, which removes U+FFFF), as docx-rs writes it.
const MARKER_OPEN: &str = "<w:t xml:space=\"preserve\">\u{FFFF}";
const MARKER_CLOSE: &str = "\u{FFFF}</w:t>";

impl Images {
    /// Registers an image; returns the text of the marker run that stands for it.
    pub(crate) fn marker(&mut self, image: &domain::InlineImage) -> String {
        self.uses.push(image.clone());
        format!("\u{FFFF}{}\u{FFFF}", self.uses.len())
    }

    /// Names the media files: one per distinct picture, numbered by first use, so the same
    /// version always packs the same names.
    fn place(
        &self,
        bytes: &std::collections::BTreeMap<String, std::sync::Arc<[u8]>>,
        prefix: &str,
    ) -> Media {
        let mut media = Media::default();
        let mut numbers: std::collections::HashMap<&str, usize> = Default::default();
        for image in &self.uses {
            let drawing = match bytes.get(&image.media) {
                Some(data) => {
                    let next = media.files.len() + 1;
                    let number = *numbers.entry(image.media.as_str()).or_insert_with(|| {
                        media.files.push(MediaFile {
                            name: format!("media/{prefix}{next}.{}", image.format.extension()),
                            content_type: image.format.content_type(),
                            bytes: data.clone(),
                        });
                        next
                    });
                    let id = media.drawings.len() + 1;
                    media.shows.push(Some(number));
                    drawing_xml(image, id, number)
                }
                // The bytes are gone (a store that lost them): the alternative text stands in.
                None => {
                    media.shows.push(None);
                    format!(
                        r#"<w:t xml:space="preserve">[{}]</w:t>"#,
                        esc(if image.alt_text.is_empty() {
                            "image"
                        } else {
                            &image.alt_text
                        })
                    )
                }
            };
            media.drawings.push(drawing);
        }
        media
    }
}

/// The media files and drawings of a render.
#[derive(Default)]
struct Media {
    files: Vec<MediaFile>,
    /// The XML that replaces each marker, by marker number - 1.
    drawings: Vec<String>,
    /// The media file (numbered from 1) each marker shows, if its bytes are there.
    shows: Vec<Option<usize>>,
}

struct MediaFile {
    /// Inside `word/`.
    name: String,
    content_type: &'static str,
    bytes: std::sync::Arc<[u8]>,
}

impl Media {
    /// Replaces each marker run's text with its drawing (one pass over the part).
    fn drawings(&self, xml: Vec<u8>) -> Vec<u8> {
        self.drawings_in(xml).0
    }

    /// As [`Media::drawings`], and the media files the part's drawings show.
    fn drawings_in(&self, xml: Vec<u8>) -> (Vec<u8>, Vec<usize>) {
        let mut shown = Vec::new();
        if self.drawings.is_empty() {
            return (xml, shown);
        }
        let text = String::from_utf8_lossy(&xml);
        let mut out = String::with_capacity(text.len() + self.drawings.len() * 1_200);
        let mut rest: &str = &text;
        while let Some(at) = rest.find(MARKER_OPEN) {
            out.push_str(&rest[..at]);
            let after = &rest[at + MARKER_OPEN.len()..];
            let replaced = after.find(MARKER_CLOSE).and_then(|end| {
                let number: usize = after[..end].parse().ok()?;
                let drawing = self.drawings.get(number.checked_sub(1)?)?;
                Some((number - 1, drawing, end + MARKER_CLOSE.len()))
            });
            match replaced {
                Some((index, drawing, skip)) => {
                    out.push_str(drawing);
                    if let Some(Some(file)) = self.shows.get(index)
                        && !shown.contains(file)
                    {
                        shown.push(*file);
                    }
                    rest = &after[skip..];
                }
                None => {
                    // Not a marker after all: kept as it is.
                    out.push_str(MARKER_OPEN);
                    rest = after;
                }
            }
        }
        out.push_str(rest);
        (out.into_bytes(), shown)
    }

    /// The relationships of the media files `numbers` (a header's or footer's own).
    fn relationships_for(&self, numbers: &[usize]) -> String {
        numbers
            .iter()
            .filter_map(|n| {
                let file = self.files.get(n.checked_sub(1)?)?;
                Some(format!(
                    r#"<Relationship Id="rIdImage{n}" Type="{IMAGE_REL}" Target="{}" />"#,
                    file.name
                ))
            })
            .collect()
    }

    /// The relationships of the media files, for `document.xml.rels`.
    fn relationships(&self) -> String {
        self.files
            .iter()
            .enumerate()
            .map(|(i, file)| {
                format!(
                    r#"<Relationship Id="rIdImage{}" Type="{IMAGE_REL}" Target="{}" />"#,
                    i + 1,
                    file.name
                )
            })
            .collect()
    }

    /// `Default` content types for the picture extensions `types` does not have yet.
    fn content_types(&self, types: &str) -> String {
        let mut out = String::new();
        for file in &self.files {
            let extension = file.name.rsplit('.').next().unwrap_or("");
            let declared = format!(r#"Extension="{extension}""#);
            if !types.contains(&declared) && !out.contains(&declared) {
                out.push_str(&format!(
                    r#"<Default {declared} ContentType="{}" />"#,
                    file.content_type
                ));
            }
        }
        out
    }
}

const NUMBERING_REL: &str =
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/numbering";
const IMAGE_REL: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/image";
const LINK_REL: &str =
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink";

/// An inline picture as Word writes one: `id` numbers the drawing in the document,
/// `number` its media file (and relationship `rIdImage{number}`).
fn drawing_xml(image: &domain::InlineImage, id: usize, number: usize) -> String {
    let (cx, cy) = (image.width_emu.max(1), image.height_emu.max(1));
    let descr = esc(&image.alt_text);
    format!(
        concat!(
            r#"<w:drawing><wp:inline distT="0" distB="0" distL="0" distR="0">"#,
            r#"<wp:extent cx="{cx}" cy="{cy}" /><wp:effectExtent l="0" t="0" r="0" b="0" />"#,
            r#"<wp:docPr id="{id}" name="Picture {id}" descr="{descr}" />"#,
            r#"<wp:cNvGraphicFramePr><a:graphicFrameLocks xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" noChangeAspect="1" /></wp:cNvGraphicFramePr>"#,
            r#"<a:graphic xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main">"#,
            r#"<a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/picture">"#,
            r#"<pic:pic xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/picture">"#,
            r#"<pic:nvPicPr><pic:cNvPr id="{id}" name="image{number}" descr="{descr}" /><pic:cNvPicPr><a:picLocks noChangeAspect="1" /></pic:cNvPicPr></pic:nvPicPr>"#,
            r#"<pic:blipFill><a:blip r:embed="rIdImage{number}" /><a:stretch><a:fillRect /></a:stretch></pic:blipFill>"#,
            r#"<pic:spPr><a:xfrm><a:off x="0" y="0" /><a:ext cx="{cx}" cy="{cy}" /></a:xfrm><a:prstGeom prst="rect"><a:avLst /></a:prstGeom></pic:spPr>"#,
            r#"</pic:pic></a:graphicData></a:graphic></wp:inline></w:drawing>"#
        ),
        cx = cx,
        cy = cy,
        id = id,
        descr = descr,
        number = number
    )
}

/// Header and footer parts folio writes itself (a later section's own ones: docx-rs has
/// room for one set).
#[derive(Debug, Default)]
pub(crate) struct Parts {
    parts: Vec<Part>,
}

#[derive(Debug)]
struct Part {
    footer: bool,
    /// Numbered per kind, from 1.
    number: usize,
    xml: Vec<u8>,
    /// Its external links: relationship id and target.
    links: Vec<(String, String)>,
}

impl Part {
    fn kind(&self) -> &'static str {
        if self.footer { "footer" } else { "header" }
    }

    /// Inside `word/`; docx-rs's own are `header1.xml`…, so folio's names differ.
    fn name(&self) -> String {
        format!("folio{}{}.xml", self.kind(), self.number)
    }

    fn id(&self) -> String {
        let kind = if self.footer { "Footer" } else { "Header" };
        format!("rIdFolio{kind}{}", self.number)
    }
}

impl Parts {
    fn add(&mut self, footer: bool, xml: Vec<u8>, links: Vec<(String, String)>) -> String {
        let number = self.parts.iter().filter(|p| p.footer == footer).count() + 1;
        let part = Part {
            footer,
            number,
            xml,
            links,
        };
        let id = part.id();
        self.parts.push(part);
        id
    }

    /// Adds a header part (its XML as docx-rs builds a `Header`, and its external links);
    /// returns its relationship id.
    pub(crate) fn header(&mut self, xml: Vec<u8>, links: Vec<(String, String)>) -> String {
        self.add(false, xml, links)
    }

    /// Adds a footer part; returns its relationship id.
    pub(crate) fn footer(&mut self, xml: Vec<u8>, links: Vec<(String, String)>) -> String {
        self.add(true, xml, links)
    }

    fn relationships(&self) -> String {
        self.parts
            .iter()
            .map(|p| {
                format!(
                    r#"<Relationship Id="{}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/{}" Target="{}" />"#,
                    p.id(),
                    p.kind(),
                    p.name()
                )
            })
            .collect()
    }

    fn content_types(&self) -> String {
        self.parts
            .iter()
            .map(|p| {
                format!(
                    r#"<Override PartName="/word/{}" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.{}+xml" />"#,
                    p.name(),
                    p.kind()
                )
            })
            .collect()
    }
}
