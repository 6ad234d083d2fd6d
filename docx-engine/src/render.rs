//! Model → .docx bytes, through folio's own writer ([`crate::write`]).

use domain::Document;

use crate::RenderError;
pub(crate) use crate::write::body::toc_bookmark;

/// Facts about the document that are not in the model: its timestamps and last editor
/// (from event metadata, so a rebuild from events gives identical bytes), and the bytes of
/// its images (from the media store).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RenderOptions {
    /// Image bytes by media id (SHA-256 hex), for every image the document shows. An image
    /// whose bytes are missing is written as its alternative text in brackets.
    pub media: std::collections::BTreeMap<String, std::sync::Arc<[u8]>>,
    /// Creation time, RFC 3339 (`dcterms:created`).
    pub created_at: Option<String>,
    /// Last modification time, RFC 3339 (`dcterms:modified`).
    pub modified_at: Option<String>,
    /// Who made the last change (`cp:lastModifiedBy`).
    pub last_modified_by: Option<String>,
    /// The file an imported document came from (its `source`): the parts folio does not
    /// regenerate are written back from it, and its style sheet is the base of the
    /// document's.
    pub source: Option<std::sync::Arc<[u8]>>,
}

/// The suggestions the runs writer writes as tracked changes where their anchors are.
pub(crate) const INLINE_SUGGESTIONS: [&str; 2] = ["insert_text", "delete_text"];

/// Renders a document as .docx bytes. Its open suggestions are tracked changes, each by
/// its author at its time (what accepting them all would give, marked against the
/// accepted content, by the redline writer).
///
/// # Errors
/// [`RenderError`] when writing the package fails (never for valid documents in practice:
/// the package is written into memory).
pub fn render_docx(doc: &Document, options: &RenderOptions) -> Result<Vec<u8>, RenderError> {
    let open = doc
        .suggestions
        .iter()
        .any(|s| s.status == domain::SuggestionStatus::Open);
    if !open {
        return crate::write::package(doc, options, None);
    }
    // Insertions and deletions of text are written where their anchors are, each by its
    // author; the others as the redline of accepting them.
    let redlined = |s: &domain::Suggestion| !INLINE_SUGGESTIONS.contains(&s.kind.as_str());
    let (proposed, changed) = doc.with_suggestions_accepted(&redlined);
    let accepted = doc.without_suggestion_marks(&redlined);
    let mut marks: std::collections::HashMap<domain::BlockId, crate::Mark> =
        std::collections::HashMap::new();
    for (id, blocks) in changed {
        let Some(s) = doc.suggestion(&id) else {
            continue;
        };
        for block in blocks {
            marks.insert(
                block,
                crate::Mark {
                    author: s.author.name.clone(),
                    date: s.date.clone(),
                },
            );
        }
    }
    let unknown = crate::Mark {
        author: "folio".into(),
        date: options.modified_at.clone().unwrap_or_default(),
    };
    let by = |id: &domain::BlockId, _: crate::MarkKind| {
        marks.get(id).cloned().unwrap_or_else(|| unknown.clone())
    };
    crate::redline_docx(&accepted, &proposed, &by, options)
}

#[cfg(test)]
mod proptests;

#[cfg(test)]
pub(crate) mod tests {
    use std::io::{Cursor, Read};

    use super::*;

    fn entry(bytes: &[u8], name: &str) -> (String, zip::CompressionMethod) {
        let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
        let mut file = zip.by_name(name).unwrap();
        let method = file.compression();
        let mut s = String::new();
        file.read_to_string(&mut s).unwrap();
        (s, method)
    }

    fn rendered() -> Vec<u8> {
        let mut doc = crate::export::tests::sample();
        doc.metadata.author = Some("Ada & Co".into());
        doc.metadata.keywords = Some("q3, report".into());
        let options = RenderOptions {
            created_at: Some("2026-01-02T03:04:05Z".into()),
            modified_at: Some("2026-01-03T03:04:05Z".into()),
            last_modified_by: Some("editor".into()),
            ..RenderOptions::default()
        };
        render_docx(&doc, &options).unwrap()
    }

    #[test]
    fn core_properties_are_ours() {
        let (core, _) = entry(&rendered(), "docProps/core.xml");
        assert!(core.contains("<dc:title>Q3 &lt;Report&gt;</dc:title>"));
        assert!(core.contains("<dc:creator>Ada &amp; Co</dc:creator>"));
        assert!(core.contains("<cp:keywords>q3, report</cp:keywords>"));
        assert!(core.contains("2026-01-02T03:04:05Z"));
        assert!(!core.contains("unknown"));
    }

    #[test]
    fn the_package_is_deflated() {
        let bytes = rendered();
        let (_, method) = entry(&bytes, "word/document.xml");
        assert_eq!(method, zip::CompressionMethod::Deflated);
    }

    #[test]
    fn headings_lists_and_header_rows_are_real() {
        let (xml, _) = entry(&rendered(), "word/document.xml");
        assert!(xml.contains(r#"<w:pStyle w:val="Heading1"/>"#), "{xml}");
        assert!(xml.contains("<w:numPr>"));
        assert!(xml.contains("<w:tblHeader/>"));
        assert!(xml.contains(r#"<w:br w:type="page"/>"#));
        let (styles, _) = entry(&rendered(), "word/styles.xml");
        assert!(styles.contains(r#"<w:name w:val="heading 1"/>"#));
    }

    #[test]
    fn rendering_is_deterministic() {
        assert_eq!(rendered(), rendered());
    }

    /// A 3×2 PNG.
    pub(crate) const PNG_3X2: &str = "iVBORw0KGgoAAAANSUhEUgAAAAMAAAACCAIAAAASFvFNAAAAEElEQVR4nGP4z8AAQQxwFgBB0gX7h/C5SAAAAABJRU5ErkJggg==";

    fn decided(commands: &[String]) -> domain::Document {
        let mut doc = domain::Document::default();
        for c in commands {
            let command: domain::DocumentCommand = serde_json::from_str(c).unwrap();
            for e in doc.decide(&command, &domain::Limits::default()).unwrap() {
                doc.apply(&e);
            }
        }
        doc
    }

    // See: issue 11: inline images, their media stored once, alt text as the description.
    #[test]
    fn images_are_inline_drawings_of_their_own_media_files() {
        use base64::Engine as _;
        let doc = decided(&[
            r#"{"type":"create_document","document_id":"d","title":"T"}"#.into(),
            r#"{"type":"add_paragraph","text":"before after"}"#.into(),
            format!(
                r#"{{"type":"add_image","data_base64":"{PNG_3X2}","alt_text":"Red <dot> & co","width_mm":20}}"#
            ),
            format!(
                r#"{{"type":"add_image","data_base64":"{PNG_3X2}","block_index":0,"offset":7}}"#
            ),
        ]);
        let (_, _, _, image) = doc.images().next().unwrap();
        let bytes: std::sync::Arc<[u8]> = base64::engine::general_purpose::STANDARD
            .decode(PNG_3X2)
            .unwrap()
            .into();
        let mut options = RenderOptions::default();
        options.media.insert(image.media.clone(), bytes.clone());
        let docx = render_docx(&doc, &options).unwrap();
        assert!(
            docx == render_docx(&doc, &options).unwrap(),
            "deterministic"
        );
        let (xml, _) = entry(&docx, "word/document.xml");
        assert_eq!(xml.matches("<w:drawing>").count(), 2, "{xml}");
        assert!(!xml.contains('\u{FFFF}'), "no marker left");
        assert!(
            xml.contains(r#"<wp:docPr id="1" name="Picture 1" descr=""/>"#),
            "{xml}"
        );
        assert!(xml.contains(r#"descr="Red &lt;dot&gt; &amp; co""#), "{xml}");
        assert!(
            xml.contains(r#"<wp:extent cx="720000" cy="480000"/>"#),
            "{xml}"
        );
        assert!(
            xml.contains("before <"),
            "text before the inline image stays: {xml}"
        );
        assert_eq!(
            xml.matches(r#"r:embed="rIdImage1""#).count(),
            2,
            "one media file"
        );
        let (rels, _) = entry(&docx, "word/_rels/document.xml.rels");
        assert!(rels.contains(r#"Id="rIdImage1""#) && rels.contains("media/image1.png"));
        let (types, _) = entry(&docx, "[Content_Types].xml");
        assert!(types.contains(r#"Extension="png""#), "{types}");
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(&docx)).unwrap();
        let mut media = Vec::new();
        std::io::Read::read_to_end(
            &mut zip.by_name("word/media/image1.png").unwrap(),
            &mut media,
        )
        .unwrap();
        assert_eq!(&media[..], &bytes[..], "the bytes as uploaded");
        assert!(zip.by_name("word/media/image2.png").is_err());

        // Without its bytes, an image is its alternative text.
        let docx = render_docx(&doc, &RenderOptions::default()).unwrap();
        let (xml, _) = entry(&docx, "word/document.xml");
        assert!(!xml.contains("<w:drawing>"));
        assert!(xml.contains("[Red &lt;dot&gt; &amp; co]"), "{xml}");
        assert!(xml.contains("[image]"), "{xml}");
    }

    // See: issue 11: a picture in a header: its part has its own relationship to the
    // shared media file.
    #[test]
    fn a_header_picture_has_its_parts_own_relationship() {
        use base64::Engine as _;
        let doc = decided(&[
            r#"{"type":"create_document","document_id":"d","title":"T"}"#.into(),
            format!(r#"{{"type":"add_image","data_base64":"{PNG_3X2}"}}"#),
            r#"{"type":"set_header","text":" ACME"}"#.into(),
            format!(
                r#"{{"type":"add_image","data_base64":"{PNG_3X2}","header":"default","offset":0,"alt_text":"Logo"}}"#
            ),
        ]);
        let mut options = RenderOptions::default();
        let (_, _, _, image) = doc.images().next().unwrap();
        let bytes: std::sync::Arc<[u8]> = base64::engine::general_purpose::STANDARD
            .decode(PNG_3X2)
            .unwrap()
            .into();
        options.media.insert(image.media.clone(), bytes);
        let docx = render_docx(&doc, &options).unwrap();
        assert!(docx == render_docx(&doc, &options).unwrap());
        let (header, _) = entry(&docx, "word/folioheader1.xml");
        assert!(header.contains(r#"descr="Logo""#), "{header}");
        assert!(
            header.contains(r#"<wp:docPr id="2""#),
            "ids go on from the body's: {header}"
        );
        assert!(header.contains(r#"r:embed="rIdImage1""#), "{header}");
        let (rels, _) = entry(&docx, "word/_rels/folioheader1.xml.rels");
        assert!(
            rels.contains(r#"Id="rIdImage1""#) && rels.contains("media/image1.png"),
            "{rels}"
        );
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(&docx)).unwrap();
        assert!(
            zip.by_name("word/media/image2.png").is_err(),
            "one file for both"
        );
    }

    // See: issue 11: a redefined built-in style replaces Word's, keeping what it does not
    // change.
    #[test]
    fn redefined_built_in_styles_replace_words() {
        let doc = decided(&[
            r#"{"type":"create_document","document_id":"d","title":"T"}"#.into(),
            r#"{"type":"update_style","style_id":"Normal","font":"Georgia","size_pt":12}"#.into(),
            r#"{"type":"update_style","style_id":"Heading1","color":"1F4E79","bold":false}"#.into(),
        ]);
        let bytes = render_docx(&doc, &RenderOptions::default()).unwrap();
        let (styles, _) = entry(&bytes, "word/styles.xml");
        assert_eq!(
            styles.matches(r#"w:styleId="Normal""#).count(),
            1,
            "{styles}"
        );
        assert_eq!(
            styles.matches(r#"w:styleId="Heading1""#).count(),
            1,
            "{styles}"
        );
        let normal = &styles[styles.find(r#"w:styleId="Normal""#).unwrap()..];
        let normal = &normal[..normal.find("</w:style>").unwrap()];
        assert!(normal.contains(r#"w:ascii="Georgia""#), "{normal}");
        assert!(normal.contains(r#"<w:sz w:val="24"/>"#), "{normal}");
        let heading = &styles[styles.find(r#"w:styleId="Heading1""#).unwrap()..];
        let heading = &heading[..heading.find("</w:style>").unwrap()];
        assert!(heading.contains("1F4E79"), "{heading}");
        assert!(
            heading.contains(r#"<w:outlineLvl w:val="0"/>"#),
            "Word's definition stays: {heading}"
        );
        assert!(heading.contains(r#"<w:b w:val="0"/>"#), "{heading}");
    }

    // See: issue 11: a bookmark over a range of a paragraph, around a link.
    #[test]
    fn range_bookmarks_start_and_end_around_their_runs() {
        let doc = decided(&[
            r#"{"type":"create_document","document_id":"d","title":"T"}"#.into(),
            r#"{"type":"add_paragraph","text":"Pay within thirty days."}"#.into(),
            r#"{"type":"add_bookmark","block_index":0,"name":"Whole"}"#.into(),
            r#"{"type":"add_bookmark","block_index":0,"name":"Term","start":11,"end":22}"#.into(),
            r#"{"type":"add_hyperlink","block_index":0,"bookmark":"Term","start":18,"end":22}"#
                .into(),
        ]);
        let bytes = render_docx(&doc, &RenderOptions::default()).unwrap();
        let (xml, _) = entry(&bytes, "word/document.xml");
        let start = xml.find(r#"w:name="Term""#).expect("a start");
        let text = xml.find("thirty").expect("the text");
        let end = xml.find(r#"<w:bookmarkEnd w:id="1""#).expect("an end");
        let link = xml.find("days").expect("the link");
        assert!(start < text && text < link && link < end, "{xml}");
        assert!(xml.find("within").unwrap() < start, "{xml}");
        assert!(
            end < xml.find(r#"<w:bookmarkEnd w:id="0""#).unwrap(),
            "{xml}"
        );
        let html = crate::export(&doc, crate::ExportFormat::Html);
        assert!(
            html.contains(r##"Pay within <a id="Term"></a>thirty <a href="#Term">days</a>."##),
            "{html}"
        );
    }

    // See: issue 11: a table cell holding paragraphs, a numbered list and a nested table.
    #[test]
    fn cells_hold_paragraphs_lists_and_nested_tables() {
        let doc = decided(&[
            r#"{"type":"create_document","document_id":"d","title":"T"}"#.into(),
            r#"{"type":"add_table","data":[["a","b"]]}"#.into(),
            r#"{"type":"set_table_cell","block_index":0,"row":0,"col":1,"blocks":[
                {"type":"paragraph","text":"Terms"},
                {"type":"list","kind":"numbered","items":["one","two"]},
                {"type":"table","data":[["k","v"]]}]}"#
                .into(),
        ]);
        let bytes = render_docx(&doc, &RenderOptions::default()).unwrap();
        let (xml, _) = entry(&bytes, "word/document.xml");
        assert_eq!(xml.matches("<w:tbl>").count(), 2, "{xml}");
        // The cell's numbered list: an instance of its own (1 is the cells' bullets),
        // restarting at 1.
        assert_eq!(xml.matches(r#"<w:numId w:val="2"/>"#).count(), 2, "{xml}");
        assert!(
            xml.contains("</w:tbl><w:p"),
            "a paragraph closes the cell: {xml}"
        );
        let (numbering, _) = entry(&bytes, "word/numbering.xml");
        assert!(
            numbering.contains(r#"<w:num w:numId="2"><w:abstractNumId w:val="2"/><w:lvlOverride w:ilvl="0"><w:startOverride w:val="1"/>"#),
            "{numbering}"
        );
    }

    // See: issue 11: headers and footers per section, inherited where a section sets none.
    #[test]
    fn a_later_section_shows_its_own_footer_and_inherits_the_rest() {
        let doc = decided(&[
            r#"{"type":"create_document","document_id":"d","title":"T"}"#.into(),
            r#"{"type":"add_paragraph","text":"one"}"#.into(),
            r#"{"type":"add_section_break"}"#.into(),
            r#"{"type":"add_paragraph","text":"two"}"#.into(),
            r#"{"type":"add_section_break"}"#.into(),
            r#"{"type":"add_paragraph","text":"three"}"#.into(),
            r#"{"type":"set_header","text":"Report"}"#.into(),
            r#"{"type":"set_footer","text":"Page {PAGE}"}"#.into(),
            r#"{"type":"set_footer","section":1,"text":"Annex {PAGE}"}"#.into(),
            r#"{"type":"set_header","section":2,"kind":"first","text":"Last part"}"#.into(),
        ]);
        let bytes = render_docx(&doc, &RenderOptions::default()).unwrap();
        assert!(bytes == render_docx(&doc, &RenderOptions::default()).unwrap());
        let (xml, _) = entry(&bytes, "word/document.xml");
        let sections: Vec<&str> = xml.split("<w:sectPr>").skip(1).collect();
        assert_eq!(sections.len(), 3, "{xml}");
        assert!(
            sections[0].contains(r#"r:id="rIdFolioFooter1""#)
                && sections[0].contains(r#"r:id="rIdFolioHeader1""#),
            "section 0 shows the document's: {}",
            sections[0]
        );
        assert!(
            sections[1].contains(r#"r:id="rIdFolioFooter2""#),
            "{}",
            sections[1]
        );
        assert!(
            sections[2].contains(r#"r:id="rIdFolioFooter2""#),
            "inherited: {}",
            sections[2]
        );
        assert!(
            sections[2].contains(r#"r:id="rIdFolioHeader2""#),
            "{}",
            sections[2]
        );
        assert!(sections[2].contains("<w:titlePg"), "{}", sections[2]);
        assert!(!sections[1].contains("<w:titlePg"), "{}", sections[1]);
        assert_eq!(
            sections
                .iter()
                .filter(|s| s.contains("w:type=\"default\" r:id=\"rIdFolioHeader1"))
                .count(),
            3
        );
        let (footer, _) = entry(&bytes, "word/foliofooter2.xml");
        assert!(
            footer.contains("Annex") && footer.contains("PAGE"),
            "{footer}"
        );
        let (rels, _) = entry(&bytes, "word/_rels/document.xml.rels");
        assert!(rels.contains(r#"Target="foliofooter2.xml""#), "{rels}");
        let (types, _) = entry(&bytes, "[Content_Types].xml");
        assert!(
            types.contains(r#"PartName="/word/folioheader2.xml""#),
            "{types}"
        );
    }

    // See: issue 11: section breaks, each section with its page, all with the headers.
    #[test]
    fn section_breaks_write_a_sect_pr_per_section() {
        let mut doc = domain::Document::default();
        for c in [
            r#"{"type":"create_document","document_id":"d","title":"T"}"#,
            r#"{"type":"add_paragraph","text":"portrait"}"#,
            r#"{"type":"add_section_break","orientation":"landscape"}"#,
            r#"{"type":"add_paragraph","text":"landscape"}"#,
            r#"{"type":"add_section_break","kind":"continuous","orientation":"portrait"}"#,
            r#"{"type":"add_paragraph","text":"portrait again"}"#,
            r#"{"type":"set_footer","text":"Page {PAGE}"}"#,
        ] {
            let command: domain::DocumentCommand = serde_json::from_str(c).unwrap();
            for e in doc.decide(&command, &domain::Limits::default()).unwrap() {
                doc.apply(&e);
            }
        }
        let bytes = render_docx(&doc, &RenderOptions::default()).unwrap();
        assert!(bytes == render_docx(&doc, &RenderOptions::default()).unwrap());
        let (xml, _) = entry(&bytes, "word/document.xml");
        assert_eq!(xml.matches("<w:sectPr>").count(), 3, "{xml}");
        assert_eq!(xml.matches("w:orient=\"landscape\"").count(), 1, "{xml}");
        assert_eq!(xml.matches("<w:footerReference").count(), 3, "{xml}");
        assert!(xml.contains(r#"<w:type w:val="nextPage"/>"#), "{xml}");
        assert!(xml.contains(r#"<w:type w:val="continuous"/>"#), "{xml}");
    }

    // See: issue 11: merged cells, widths, shading and vertical alignment.
    #[test]
    fn merged_cells_are_grid_spans_and_vertical_merges() {
        let mut doc = domain::Document::default();
        for c in [
            r#"{"type":"create_document","document_id":"d","title":"T"}"#,
            r#"{"type":"add_table","data":[["a","b","c"],["d","e","f"],["g","h","i"]]}"#,
            r#"{"type":"merge_table_cells","block_index":0,"from_row":0,"from_col":0,"to_row":1,"to_col":1}"#,
            r#"{"type":"set_table_column_widths","block_index":0,"widths_mm":[50,30,20]}"#,
            r#"{"type":"set_table_cell_format","block_index":0,"row":2,"col":2,"shading":"FFEEDD","vertical_align":"bottom"}"#,
        ] {
            let command: domain::DocumentCommand = serde_json::from_str(c).unwrap();
            for e in doc.decide(&command, &domain::Limits::default()).unwrap() {
                doc.apply(&e);
            }
        }
        let bytes = render_docx(&doc, &RenderOptions::default()).unwrap();
        let (xml, _) = entry(&bytes, "word/document.xml");
        assert_eq!(
            xml.matches(r#"<w:gridSpan w:val="2"/>"#).count(),
            2,
            "{xml}"
        );
        assert!(xml.contains(r#"<w:vMerge w:val="restart"/>"#), "{xml}");
        assert!(xml.contains(r#"<w:vMerge w:val="continue"/>"#), "{xml}");
        assert!(xml.contains(r#"<w:gridCol w:w="2835"/>"#), "{xml}");
        assert!(xml.contains(r#"w:fill="FFEEDD""#), "{xml}");
        assert!(xml.contains(r#"<w:vAlign w:val="bottom"/>"#), "{xml}");
    }

    // A link stored in a header (the domain refuses them) would point at a relationship the
    // header part does not have: it is written as text.
    #[test]
    fn a_link_in_a_header_has_the_header_parts_own_relationship() {
        let mut doc = crate::export::tests::linked_sample();
        doc.section.header.default = Some(vec![domain::Run {
            text: "site".into(),
            format: domain::RunFormat {
                link: Some("https://example.com/?a=1&b=2".into()),
                ..domain::RunFormat::default()
            },
        }]);
        let bytes = render_docx(&doc, &RenderOptions::default()).unwrap();
        let (header, _) = entry(&bytes, "word/folioheader1.xml");
        let id = header
            .split("<w:hyperlink r:id=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .unwrap_or_else(|| panic!("no link: {header}"));
        let (rels, _) = entry(&bytes, "word/_rels/folioheader1.xml.rels");
        assert!(
            rels.contains(&format!(
                r#"Id="{id}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink" Target="https://example.com/?a=1&amp;b=2" TargetMode="External""#
            )),
            "{rels}"
        );
        let (document_rels, _) = entry(&bytes, "word/_rels/document.xml.rels");
        assert!(
            !document_rels.contains(&format!(r#"Id="{id}""#)),
            "{document_rels}"
        );
    }

    // See: issue 11: a real TOC field whose current result lists the headings.
    #[test]
    fn a_table_of_contents_is_a_toc_field_listing_the_headings() {
        let mut doc = crate::export::tests::linked_sample();
        let command: domain::DocumentCommand = serde_json::from_str(
            r#"{"type":"add_table_of_contents","title":"Contents","position":{"index":0}}"#,
        )
        .unwrap();
        for e in doc.decide(&command, &domain::Limits::default()).unwrap() {
            doc.apply(&e);
        }
        let bytes = render_docx(&doc, &RenderOptions::default()).unwrap();
        assert!(bytes == render_docx(&doc, &RenderOptions::default()).unwrap());
        let (xml, _) = entry(&bytes, "word/document.xml");
        assert!(xml.contains(r#"TOC \o &quot;1-3&quot; \h \z \u"#), "{xml}");
        assert!(xml.contains(r#"<w:pStyle w:val="TOC1"/>"#), "{xml}");
        assert!(
            xml.contains(r#"<w:hyperlink w:anchor="_Toc00000001""#),
            "{xml}"
        );
        assert!(xml.contains(r#"w:name="_Toc00000001""#), "{xml}");
        let (settings, _) = entry(&bytes, "word/settings.xml");
        assert!(
            settings.contains(r#"<w:updateFields w:val="true"/>"#),
            "{settings}"
        );
    }

    // See: issue 11: page setup, headers and footers with page-number fields.
    #[test]
    fn page_setup_headers_and_footers_are_written() {
        let mut doc = crate::export::tests::linked_sample();
        let limits = domain::Limits::default();
        for c in [
            r#"{"type":"set_page_setup","orientation":"landscape","margin_left_mm":20,"columns":2}"#,
            r#"{"type":"set_footer","text":"Page {PAGE} of {NUMPAGES}"}"#,
            r#"{"type":"set_header","kind":"first","runs":[{"text":"Cover","small_caps":true}]}"#,
            r#"{"type":"set_header","kind":"even","text":"Even {DATE}"}"#,
        ] {
            let command: domain::DocumentCommand = serde_json::from_str(c).unwrap();
            for e in doc.decide(&command, &limits).unwrap() {
                doc.apply(&e);
            }
        }
        let first = render_docx(&doc, &RenderOptions::default()).unwrap();
        let second = render_docx(&doc, &RenderOptions::default()).unwrap();
        assert!(first == second, "the same bytes every time");
        let (xml, _) = entry(&first, "word/document.xml");
        assert!(
            xml.contains(r#"<w:pgSz w:w="16838" w:h="11906" w:orient="landscape"/>"#),
            "{xml}"
        );
        assert!(xml.contains(r#"w:left="1134""#), "{xml}");
        assert!(xml.contains(r#"w:num="2""#), "{xml}");
        assert!(xml.contains("<w:titlePg/>"), "{xml}");
        let footer = (1..=3)
            .map(|i| format!("word/foliofooter{i}.xml"))
            .find_map(|name| {
                let mut zip = zip::ZipArchive::new(Cursor::new(&first)).unwrap();
                let mut text = String::new();
                zip.by_name(&name).ok()?.read_to_string(&mut text).ok()?;
                Some(text)
            })
            .expect("a footer part");
        assert!(footer.contains("PAGE"), "{footer}");
        assert!(footer.contains("NUMPAGES"), "{footer}");
        assert!(footer.contains(r#"w:fldCharType="begin""#), "{footer}");
        let (settings, _) = entry(&first, "word/settings.xml");
        assert!(settings.contains("evenAndOddHeaders"), "{settings}");
    }

    /// A document with everything a render numbers: pictures, links, bookmarks, a table of
    /// contents, headers and footers with fields, sections, lists, a table, an imported
    /// file's kept parts (the corpus file, when the corpus is there); rendered as bytes.
    fn everything_rendered() -> Vec<u8> {
        use base64::Engine as _;
        let mut doc = decided(&[
            r#"{"type":"create_document","document_id":"d","title":"T"}"#.into(),
            r#"{"type":"add_heading","text":"Terms","level":1}"#.into(),
            r#"{"type":"add_paragraph","runs":[{"text":"see "},{"text":"site","link":"https://example.com/?a=1&b=2"}]}"#.into(),
            format!(r#"{{"type":"add_image","data_base64":"{PNG_3X2}","alt_text":"dot"}}"#),
            r#"{"type":"add_bookmark","block_index":1,"name":"Here"}"#.into(),
            r#"{"type":"add_table_of_contents","position":{"index":0}}"#.into(),
            r#"{"type":"add_list","kind":"numbered","items":["a","b"]}"#.into(),
            r#"{"type":"add_table","data":[["x","y"]],"header_row":true}"#.into(),
            r#"{"type":"set_header","text":"Head {PAGE}"}"#.into(),
            r#"{"type":"add_section_break"}"#.into(),
            r#"{"type":"set_footer","section":1,"text":"Annex {NUMPAGES}"}"#.into(),
        ]);
        let (_, _, _, image) = doc.images().next().unwrap();
        let mut options = RenderOptions::default();
        options.media.insert(
            image.media.clone(),
            base64::engine::general_purpose::STANDARD
                .decode(PNG_3X2)
                .unwrap()
                .into(),
        );
        let mut bytes = render_docx(&doc, &options).unwrap();
        if let Some(files) = crate::import::tests::corpus() {
            const KEPT: [&str; 5] = [
                "pandoc--links.docx",
                "poi--Headers.docx",
                "pandoc--image.docx",
                "poi--bookmarks.docx",
                "poi--EmbeddedDocument.docx",
            ];
            for (name, file) in files.iter().filter(|(n, _)| KEPT.contains(&n.as_str())) {
                let Ok((imported, options)) = crate::import::tests::imported_document(file) else {
                    continue;
                };
                bytes.extend(
                    render_docx(&imported, &options).unwrap_or_else(|e| panic!("{name}: {e}")),
                );
            }
        }
        doc.blocks.clear();
        bytes
    }

    // See: issue 21: the same version renders to identical bytes in another process.
    #[test]
    fn the_same_version_renders_to_the_same_bytes_in_another_process() {
        const CHILD: &str = "FOLIO_RENDER_TO";
        if let Ok(path) = std::env::var(CHILD) {
            std::fs::write(path, everything_rendered()).unwrap();
            return;
        }
        let here = everything_rendered();
        assert!(here == everything_rendered(), "twice in one process");
        let dir = std::env::temp_dir().join(format!("folio-render-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("child.bin");
        let status = std::process::Command::new(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "render::tests::the_same_version_renders_to_the_same_bytes_in_another_process",
                "--test-threads=1",
            ])
            .env(CHILD, &path)
            .stdout(std::process::Stdio::null())
            .status()
            .unwrap();
        assert!(status.success());
        let there = std::fs::read(&path).unwrap();
        let _ = std::fs::remove_dir_all(&dir);
        assert!(here == there, "another process rendered other bytes");
    }

    // See: issue 11: docx-rs numbers hyperlink relationships from a process-wide counter.
    #[test]
    fn links_and_bookmarks_render_to_the_same_bytes_every_time() {
        let doc = crate::export::tests::linked_sample();
        let first = render_docx(&doc, &RenderOptions::default()).unwrap();
        let _other = rendered();
        let second = render_docx(&doc, &RenderOptions::default()).unwrap();
        for name in ["word/document.xml", "word/_rels/document.xml.rels"] {
            assert_eq!(entry(&first, name).0, entry(&second, name).0, "{name}");
        }
        assert!(first == second, "the packages differ");
        let (xml, _) = entry(&first, "word/document.xml");
        let (rels, _) = entry(&first, "word/_rels/document.xml.rels");
        assert!(xml.contains(r#"<w:hyperlink r:id="rIdLink1""#), "{xml}");
        assert!(xml.contains(r#"<w:hyperlink w:anchor="Terms""#), "{xml}");
        assert!(
            xml.contains(r#"<w:bookmarkStart w:id="0" w:name="Terms"/>"#),
            "{xml}"
        );
        assert!(xml.contains(r#"<w:bookmarkEnd w:id="1"/>"#), "{xml}");
        assert!(
            xml.contains(r#"<w:vertAlign w:val="superscript"/>"#),
            "{xml}"
        );
        assert!(xml.contains(r#"<w:vertAlign w:val="subscript"/>"#), "{xml}");
        assert!(xml.contains("<w:smallCaps/>"), "{xml}");
        assert!(!xml.contains("<w:caps"), "{xml}");
        assert!(
            rels.contains(r#"Id="rIdLink1""#)
                && rels.contains("https://example.com/a?b=1&amp;c=(2)")
                && rels.contains(r#"TargetMode="External""#),
            "{rels}"
        );
    }

    /// Every XML part of the package parses as XML.
    fn assert_well_formed(bytes: &[u8]) {
        let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
        for i in 0..zip.len() {
            let mut file = zip.by_index(i).unwrap();
            let name = file.name().to_string();
            if !name.ends_with(".xml") && !name.ends_with(".rels") {
                continue;
            }
            let mut s = String::new();
            file.read_to_string(&mut s).unwrap();
            let mut reader = quick_xml::Reader::from_str(&s);
            loop {
                match reader.read_event() {
                    Ok(quick_xml::events::Event::Eof) => break,
                    Ok(quick_xml::events::Event::Text(t)) => {
                        t.decode().unwrap();
                    }
                    Ok(_) => {}
                    Err(e) => panic!("{name} is not well-formed: {e}"),
                }
            }
            assert!(
                s.chars().all(domain::text::is_xml_char),
                "{name} holds a character XML cannot"
            );
            if let Err(e) = crate::write::schema_order::check(s.as_bytes()) {
                panic!("{name}: {e}");
            }
        }
    }

    // See: issue 9: a custom property value went into docProps/custom.xml unescaped, and a
    // font name with U+0001 (stored before fonts were checked) broke word/document.xml.
    #[test]
    fn custom_properties_and_stored_bad_strings_stay_well_formed() {
        let mut doc = crate::export::tests::sample();
        doc.metadata.custom.insert("k".into(), "<w:p>".into());
        doc.metadata.custom.insert(
            "forge".into(),
            r#"x</vt:lpwstr></property><property fmtid="{D5CDD505-2E9C-101B-9397-08002B2CF9AE}" pid="9" name="evil"><vt:lpwstr>y"#.into(),
        );
        if let domain::Block::Paragraph(p) = &mut doc.blocks[1] {
            p.runs[0].format.font = Some("A\u{1}\u{b}\u{fffe}".into());
            p.runs[0].text.push('\u{0}');
        }
        let bytes = render_docx(&doc, &RenderOptions::default()).unwrap();
        assert_well_formed(&bytes);
        let (custom, _) = entry(&bytes, "docProps/custom.xml");
        assert_eq!(custom.matches("<property ").count(), 2, "{custom}");
        assert!(!custom.contains(r#"name="evil""#), "{custom}");
        assert!(custom.contains("<vt:lpwstr>&lt;w:p&gt;</vt:lpwstr>"));
        let (xml, _) = entry(&bytes, "word/document.xml");
        assert!(xml.contains(r#"w:ascii="A""#), "{xml}");
    }
}
