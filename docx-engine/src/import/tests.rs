//! The importer on the shared corpus of real files and on hostile files made here.

use std::path::PathBuf;

use domain::Block;

use super::*;

pub(crate) fn corpus() -> Option<Vec<(String, Vec<u8>)>> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus/docx");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        println!("skipped: the corpus folder {} is absent", dir.display());
        return None;
    };
    let mut files: Vec<(String, Vec<u8>)> = entries
        .filter_map(Result::ok)
        .filter(|e| e.path().extension().is_some_and(|x| x == "docx"))
        .map(|e| {
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(e.path()).expect("readable"),
            )
        })
        .collect();
    files.sort();
    Some(files)
}

const NEGATIVE: &[&str] = &[
    "poi--bug53475-password-is-pass.docx",
    "poi--truncated62886.docx",
];

#[test]
fn every_corpus_file_imports_and_renders() {
    let Some(files) = corpus() else { return };
    let limits = ImportLimits::default();
    let model = domain::Limits::default();
    for (name, bytes) in files {
        let result = import_docx(&bytes, &limits, &model);
        if NEGATIVE.contains(&name.as_str()) {
            let err = result.expect_err(&name);
            println!("{name}: refused: {err}");
            continue;
        }
        let imported = result.unwrap_or_else(|e| panic!("{name}: {e}"));
        let c = &imported.content;
        println!(
            "{name}: {} blocks ({} opaque), {} styles, {} warnings: {:?}",
            c.blocks.len(),
            c.blocks
                .iter()
                .filter(|b| matches!(b, domain::Block::Opaque(_)))
                .count(),
            c.styles.len(),
            c.warnings.len(),
            c.warnings
                .iter()
                .map(|w| format!("{}x{}", w.kind, w.count))
                .collect::<Vec<_>>()
        );
    }
}

/// The document an import makes, as the domain folds it, and the options its renders get.
pub(crate) fn imported_document(
    bytes: &[u8],
) -> Result<(domain::Document, crate::RenderOptions), ImportError> {
    let imported = import_docx(bytes, &ImportLimits::default(), &domain::Limits::default())?;
    let media = domain::media_id(bytes);
    let command = domain::DocumentCommand::ImportDocument(domain::command::ImportDocument {
        document_id: domain::DocumentId::new("d"),
        title: imported.title.clone().unwrap_or_else(|| "t".into()),
        source: domain::ImportSource {
            media,
            bytes: bytes.len() as u64,
        },
        content: Box::new(imported.content),
    });
    let events = domain::Document::default()
        .decide(&command, &domain::Limits::default())
        .expect("the domain takes what the importer read");
    let mut doc = domain::Document::default();
    for event in &events {
        doc.try_apply(event).expect("imported events apply");
    }
    let options = crate::RenderOptions {
        media: imported
            .media
            .into_iter()
            .map(|(k, v)| (k, std::sync::Arc::from(v)))
            .collect(),
        source: Some(std::sync::Arc::from(bytes)),
        ..Default::default()
    };
    Ok((doc, options))
}

/// Blocks without their ids (which the sequence mints), as JSON.
fn shapes(doc: &domain::Document) -> Vec<serde_json::Value> {
    doc.blocks
        .iter()
        .map(|b| {
            let mut v = serde_json::to_value(b).expect("json");
            v.as_object_mut().expect("object").remove("id");
            v
        })
        .collect()
}

#[test]
fn import_render_import_gives_the_same_blocks_and_verbatim_parts() {
    let Some(files) = corpus() else { return };
    for (name, bytes) in files {
        if NEGATIVE.contains(&name.as_str()) {
            continue;
        }
        let (doc, options) = imported_document(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
        let rendered = crate::render_docx(&doc, &options).unwrap_or_else(|e| panic!("{name}: {e}"));
        let (again, _) =
            imported_document(&rendered).unwrap_or_else(|e| panic!("{name} again: {e}"));
        let (a, b) = (shapes(&doc), shapes(&again));
        for (i, (x, y)) in a.iter().zip(&b).enumerate() {
            assert_eq!(x, y, "{name}: block {i} differs after a round trip");
        }
        assert_eq!(a.len(), b.len(), "{name}: block count");
        assert_eq!(doc.section, again.section, "{name}: first section");
        // Parts folio does not regenerate come back byte for byte (a strict file's are
        // not mixed into folio's transitional package).
        if name.contains("strict") {
            continue;
        }
        let source = Package::open(&bytes, &ImportLimits::default()).expect("gate");
        let output = Package::open(&rendered, &ImportLimits::default()).expect("gate");
        for part in [
            "word/theme/theme1.xml",
            "word/fontTable.xml",
            "word/webSettings.xml",
        ] {
            if let (Some(s), Some(o)) = (source.part(part), output.part(part)) {
                assert!(s == o, "{name}: {part} changed");
            }
        }
        for (i, _) in (1..=3).enumerate() {
            let part = format!("customXml/item{}.xml", i + 1);
            if let Some(s) = source.part(&part) {
                assert_eq!(Some(s), output.part(&part), "{name}: {part}");
            }
        }
    }
}

#[test]
fn a_strict_files_unmodelled_content_is_kept_as_text() {
    const STRICT: &str = "http://purl.oclc.org/ooxml/wordprocessingml/main";
    let document = format!(
        r#"<w:document xmlns:w="{STRICT}"><w:body><w:p><w:r><w:t>Price </w:t></w:r><w:r><w:sym w:char="F0E0"/></w:r><w:r><w:t> 10</w:t></w:r></w:p><w:sdt><w:sdtContent><w:p><w:r><w:t>Inside a control</w:t></w:r></w:p></w:sdtContent></w:sdt></w:body></w:document>"#
    );
    let bytes = package_with(
        &document,
        "http://purl.oclc.org/ooxml/officeDocument/relationships/officeDocument",
    );
    let (doc, options) = imported_document(&bytes).unwrap();
    let json = serde_json::to_string(&doc.blocks).unwrap();
    assert!(
        !json.contains("purl.oclc.org"),
        "no strict XML is kept: {json}"
    );
    assert_eq!(doc.blocks.len(), 2);
    assert_eq!(doc.blocks[0].text(), "Price  10");
    assert_eq!(doc.blocks[1].text(), "Inside a control");
    let rendered = crate::render_docx(&doc, &options).unwrap();
    let (again, _) = imported_document(&rendered).unwrap();
    assert_eq!(again.blocks[1].text(), "Inside a control");
}

/// A .docx of `body` (a transitional package with only its main part).
fn package_of(body: &str) -> Vec<u8> {
    const W: &str = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";
    let document = format!(r#"<w:document xmlns:w="{W}"><w:body>{body}</w:body></w:document>"#);
    package_with(
        &document,
        "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument",
    )
}

/// A package of one main part, `document`, named by a relationship of type `main_rel`.
fn package_with(document: &str, main_rel: &str) -> Vec<u8> {
    use std::io::Write as _;
    let rels = format!(
        r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="{main_rel}" Target="word/document.xml"/></Relationships>"#
    );
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default();
    for (name, data) in [
        (
            "[Content_Types].xml",
            r#"<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>"#,
        ),
        ("_rels/.rels", rels.as_str()),
        ("word/document.xml", document),
    ] {
        zip.start_file(name, options).unwrap();
        zip.write_all(data.as_bytes()).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

/// A Word table of contents entry: `text`, a tab, a PAGEREF field showing `page`.
fn toc_entry(level: u8, text: &str, page: &str, begin: bool) -> String {
    let field = if begin {
        r#"<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText> TOC \o "1-3" \h \z \u </w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r>"#
    } else {
        ""
    };
    format!(
        r#"<w:p><w:pPr><w:pStyle w:val="TOC{level}"/></w:pPr>{field}<w:hyperlink w:anchor="_Toc1"><w:r><w:t>{text}</w:t></w:r><w:r><w:tab/></w:r><w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText> PAGEREF _Toc1 \h </w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>{page}</w:t></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r></w:hyperlink></w:p>"#
    )
}

fn heading(level: u8, text: &str) -> String {
    let outline = level - 1;
    format!(
        r#"<w:p><w:pPr><w:outlineLvl w:val="{outline}"/></w:pPr><w:r><w:t>{text}</w:t></w:r></w:p>"#
    )
}

#[test]
fn a_table_of_contents_keeps_its_page_numbers_while_its_headings_stay() {
    let body = [
        toc_entry(1, "Introduction", "3", true),
        toc_entry(2, "Scope", "4", false),
        r#"<w:p><w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>"#.to_string(),
        heading(1, "Introduction"),
        r#"<w:p><w:r><w:t>Some text.</w:t></w:r></w:p>"#.to_string(),
        heading(2, "Scope"),
    ]
    .concat();
    let (doc, options) = imported_document(&package_of(&body)).unwrap();
    let Block::TableOfContents(toc) = &doc.blocks[0] else {
        panic!("a table of contents: {:?}", doc.blocks[0]);
    };
    let pages: Vec<(&str, &str)> = toc
        .pages
        .iter()
        .map(|p| (p.text.as_str(), p.page.as_str()))
        .collect();
    assert_eq!(pages, [("Introduction", "3"), ("Scope", "4")]);
    // Rendered with the page numbers, and no request to update the fields.
    let rendered = crate::render_docx(&doc, &options).unwrap();
    let document = zip_text(&rendered, "word/document.xml");
    assert!(document.contains("PAGEREF"), "{document}");
    assert!(document.contains(">3</w:t>") && document.contains(">4</w:t>"));
    assert!(!zip_text(&rendered, "word/settings.xml").contains("updateFields"));
    // Imported again: the same entries.
    let (again, _) = imported_document(&rendered).unwrap();
    let Block::TableOfContents(again) = &again.blocks[0] else {
        panic!("a table of contents again");
    };
    assert_eq!(
        (again.max_level, &again.title, &again.pages),
        (toc.max_level, &toc.title, &toc.pages)
    );
    // A heading renamed: new entries without numbers, and Word asked to update them.
    let mut changed = doc.clone();
    if let Block::Heading(h) = &mut changed.blocks[3] {
        h.runs = vec![domain::Run::plain("Purpose")];
    }
    let rendered = crate::render_docx(&changed, &options).unwrap();
    let document = zip_text(&rendered, "word/document.xml");
    assert!(!document.contains("PAGEREF"), "{document}");
    assert!(zip_text(&rendered, "word/settings.xml").contains("updateFields"));
}

/// A stale table (entries that are not the document's headings) keeps no page numbers.
#[test]
fn a_stale_table_of_contents_keeps_no_page_numbers() {
    let body = [
        toc_entry(1, "Old title", "3", true),
        r#"<w:p><w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>"#.to_string(),
        heading(1, "New title"),
    ]
    .concat();
    let (doc, _) = imported_document(&package_of(&body)).unwrap();
    let Block::TableOfContents(toc) = &doc.blocks[0] else {
        panic!("a table of contents");
    };
    assert!(toc.pages.is_empty());
}

fn zip_text(bytes: &[u8], name: &str) -> String {
    use std::io::Read as _;
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut text = String::new();
    zip.by_name(name)
        .unwrap()
        .read_to_string(&mut text)
        .unwrap();
    text
}
