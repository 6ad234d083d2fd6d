//! Re-packing what docx-rs wrote: deflate compression, our core properties, header rows,
//! a theme part (required by the schema, not written by docx-rs), and children in schema
//! order.

mod schema_order;

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

/// Copies every entry of the package into a deflate-compressed one, replacing the core
/// properties and marking header rows.
/// What the re-pack adds that docx-rs cannot write.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Marks {
    /// Some table has a header row (`w:tblHeader`).
    pub(crate) header_rows: bool,
    /// The document has fields Word should refresh on open (a table of contents).
    pub(crate) update_fields: bool,
}

pub(crate) fn repack(
    raw: &[u8],
    core: &CoreProperties<'_>,
    marks: Marks,
) -> Result<Vec<u8>, RenderError> {
    let mut input = ZipArchive::new(Cursor::new(raw))?;
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
                let data = small_caps(data);
                let data = if marks.header_rows {
                    mark_header_rows(&data)
                } else {
                    data
                };
                schema_order::normalize(&data, false)
            }
            "word/settings.xml" if marks.update_fields => schema_order::normalize(
                &insert_before(&data, "</w:settings>", r#"<w:updateFields w:val="true" />"#),
                false,
            ),
            "word/settings.xml" => schema_order::normalize(&data, false),
            part if is_header_or_footer(part) => schema_order::normalize(&small_caps(data), false),
            "word/styles.xml" => schema_order::normalize(&mark_default_style(&data), true),
            "word/numbering.xml" => schema_order::normalize(&data, true),
            "word/_rels/document.xml.rels" => insert_before(
                &sorted_relationships(&data),
                "</Relationships>",
                &format!(
                    r#"<Relationship Id="rIdFolioTheme" Type="{THEME_REL}" Target="theme/theme1.xml" />"#
                ),
            ),
            "[Content_Types].xml" => insert_before(
                &data,
                "</Types>",
                &format!(
                    r#"<Override PartName="/word/theme/theme1.xml" ContentType="{THEME_TYPE}" />"#
                ),
            ),
            _ => data,
        };
        output.start_file(name, options)?;
        output.write_all(&data)?;
    }
    output.start_file("word/theme/theme1.xml", options)?;
    output.write_all(THEME.as_bytes())?;
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
/// paragraphs without a `w:pStyle` (python-docx answers `None` otherwise).
fn mark_default_style(xml: &[u8]) -> Vec<u8> {
    String::from_utf8_lossy(xml)
        .replacen(
            r#"<w:style w:type="paragraph" w:styleId="Normal">"#,
            r#"<w:style w:type="paragraph" w:default="1" w:styleId="Normal">"#,
            1,
        )
        .into_bytes()
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

/// Whether a part is a header or footer docx-rs wrote (`word/header1.xml`…).
fn is_header_or_footer(name: &str) -> bool {
    name.strip_prefix("word/")
        .and_then(|n| {
            n.strip_prefix("header")
                .or_else(|| n.strip_prefix("footer"))
        })
        .and_then(|n| n.strip_suffix(".xml"))
        .is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
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
