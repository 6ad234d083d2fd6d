//! Re-packing what docx-rs wrote: deflate compression, our core properties, header rows.

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

fn esc(s: &str) -> std::borrow::Cow<'_, str> {
    quick_xml::escape::escape(s)
}

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
}

/// Copies every entry of the package into a deflate-compressed one, replacing the core
/// properties and marking header rows.
pub(crate) fn repack(
    raw: &[u8],
    core: &CoreProperties<'_>,
    header_rows: bool,
) -> Result<Vec<u8>, RenderError> {
    let mut input = ZipArchive::new(Cursor::new(raw))?;
    let mut output = ZipWriter::new(Cursor::new(Vec::with_capacity(raw.len() / 3)));
    let options = SimpleFileOptions::default().compression_method(CompressionMethod::Deflated);
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
            "word/document.xml" if header_rows => mark_header_rows(&data),
            _ => data,
        };
        output.start_file(name, options)?;
        output.write_all(&data)?;
    }
    if !saw_core {
        return Err(RenderError::Pack(
            "docx-rs wrote no docProps/core.xml".into(),
        ));
    }
    Ok(output.finish()?.into_inner())
}

/// Adds `w:tblHeader` beside each `w:cantSplit` (which the renderer puts on header rows
/// only). `CT_TrPr` is a free choice of elements, so the order is valid.
fn mark_header_rows(xml: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(xml);
    text.replace("<w:cantSplit />", "<w:cantSplit /><w:tblHeader />")
        .replace("<w:cantSplit/>", "<w:cantSplit/><w:tblHeader/>")
        .into_bytes()
}
