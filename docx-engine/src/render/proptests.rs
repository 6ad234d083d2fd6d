//! Property tests: any document the commands can make renders without panicking, to the
//! same bytes every time, as a package whose XML parts are well-formed.

use proptest::prelude::*;
use serde_json::{Value, json};

use super::*;

/// One command, as a client would send it, aimed at block `at` (commands that do not fit
/// the block there are refused and skipped, as a server would).
fn command(op: u8, at: usize, n: usize, text: &str, on: bool) -> Value {
    let t = if text.is_empty() { "x" } else { text };
    match op {
        0 => json!({"type": "add_paragraph", "runs": [
            {"text": t, "superscript": on, "small_caps": !on},
            {"text": t, "link": format!("https://example.com/{n}")},
            {"text": "1", "field": if on { "page" } else { "num_pages" }}]}),
        1 => json!({"type": "add_heading", "text": t, "level": n % 9 + 1}),
        2 => json!({"type": "add_table", "data": [[t, "b", "c"], ["d", t, "f"], ["g", "h", t]],
                    "header_row": on}),
        3 => json!({"type": "add_list", "kind": if on { "numbered" } else { "bullet" },
                    "items": [t, {"text": t, "level": n % 9}]}),
        4 => json!({"type": "add_table_of_contents", "max_level": n % 9 + 1,
                    "title": if on { Value::from(t) } else { Value::Null }}),
        5 => json!({"type": "add_bookmark", "block_index": at, "name": format!("B{n}")}),
        6 => json!({"type": "add_hyperlink", "block_index": at, "bookmark": format!("B{n}"),
                    "text": t}),
        7 => json!({"type": "merge_table_cells", "block_index": at, "from_row": n % 3,
                    "from_col": n % 2, "to_row": 2, "to_col": 2}),
        8 => json!({"type": "set_table_cell_format", "block_index": at, "row": n % 3, "col": 0,
                    "shading": "ABCDEF", "vertical_align": "bottom"}),
        20 => json!({"type": "set_table_cell", "block_index": at, "row": n % 3, "col": n % 2,
                     "runs": [{"text": t, "bold": true}, {"text": t, "link": "https://x.org"}]}),
        9 => json!({"type": "set_table_column_widths", "block_index": at,
                    "widths_mm": [10 + n % 50, 20, 30]}),
        10 => json!({"type": "set_list_numbering", "block_index": at,
                     "format": "upper_roman", "start": n}),
        11 => json!({"type": "set_list_numbering", "block_index": at, "bullet": "✓"}),
        12 => json!({"type": "set_footer", "kind": (["default", "first", "even"][n % 3]),
                     "text": format!("{t} {{PAGE}} of {{NUMPAGES}} {{DATE}}")}),
        13 => {
            json!({"type": "set_page_setup", "orientation": if on { "landscape" } else { "portrait" },
                     "columns": n % 3 + 1, "margin_left_mm": n % 40})
        }
        14 => json!({"type": "create_style", "name": format!("S{n}"),
                     "kind": (["paragraph", "character", "table"][n % 3]), "bold": on}),
        15 => json!({"type": "apply_style", "block_index": at, "style_id": format!("S{n}"),
                     "start": if on { Value::Null } else { Value::from(0) }}),
        16 => json!({"type": "delete_block", "block_index": at}),
        17 => json!({"type": "move_block", "block_index": at, "position": {"index": n}}),
        18 => json!({"type": "add_section_break", "position": {"index": at},
                     "kind": if on { "continuous" } else { "next_page" },
                     "orientation": if n.is_multiple_of(2) { "landscape" } else { "portrait" }}),
        19 => json!({"type": "set_page_setup", "section": n % 3, "columns": n % 4 + 1}),
        21 => json!({"type": "add_image", "data_base64": super::tests::PNG_3X2,
                     "alt_text": t, "width_px": n + 1}),
        22 => json!({"type": "add_image", "data_base64": super::tests::PNG_3X2,
                     "block_index": at, "offset": n % 3}),
        24 => json!({"type": "set_table_cell", "block_index": at, "row": n % 3, "col": n % 2,
                     "blocks": [{"type": "paragraph", "text": t, "alignment": "right"},
                                {"type": "list", "kind": if on { "numbered" } else { "bullet" },
                                 "items": [t, {"text": t, "level": n % 9}]},
                                {"type": "table", "data": [[t, "x"], ["y"]]}]}),
        23 => json!({"type": "add_hyperlink", "block_index": at, "url": "https://example.com",
                     "start": 0}),
        _ => json!({"type": "add_page_break"}),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn any_document_renders_the_same_well_formed_bytes(
        ops in prop::collection::vec((0u8..26, 0usize..8, 0usize..12, "[a-zA-Z <&é]{0,6}", any::<bool>()), 1..40)
    ) {
        let mut doc = domain::Document::default();
        let create = json!({"type": "create_document", "document_id": "d", "title": "P"});
        let limits = domain::Limits::default();
        for c in std::iter::once(create).chain(
            ops.iter().map(|(op, at, n, text, on)| command(*op, *at, *n, text, *on)),
        ) {
            let command: domain::DocumentCommand = serde_json::from_value(c).unwrap();
            if let Ok(events) = doc.decide(&command, &limits) {
                for e in events {
                    doc.apply(&e);
                }
            }
        }
        // The image's bytes are there on even runs, missing on odd ones.
        let mut options = RenderOptions::default();
        if ops.len().is_multiple_of(2) && let Some((_, _, _, image)) = doc.images().next() {
            options.media.insert(image.media.clone(), std::sync::Arc::from(&b"\x89PNG"[..]));
        }
        let first = render_docx(&doc, &options).unwrap();
        let second = render_docx(&doc, &options).unwrap();
        prop_assert!(first == second, "the same document rendered to other bytes");
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(&first)).unwrap();
        for i in 0..zip.len() {
            let mut entry = zip.by_index(i).unwrap();
            if !entry.name().ends_with(".xml") && !entry.name().ends_with(".rels") {
                continue;
            }
            let name = entry.name().to_string();
            let mut xml = String::new();
            std::io::Read::read_to_string(&mut entry, &mut xml).unwrap();
            let mut reader = quick_xml::Reader::from_str(&xml);
            loop {
                match reader.read_event() {
                    Ok(quick_xml::events::Event::Eof) => break,
                    Ok(_) => {}
                    Err(e) => prop_assert!(false, "{name} is not well-formed: {e}"),
                }
            }
            // Every element's children in the schema's order.
            if let Err(e) = crate::write::schema_order::check(xml.as_bytes()) {
                prop_assert!(false, "{name}: {e}");
            }
        }
    }
}

/// A document made of `ops`, as the domain folds the commands it accepts.
fn document_of(ops: &[(u8, usize, usize, String, bool)]) -> domain::Document {
    let mut doc = domain::Document::default();
    let create = json!({"type": "create_document", "document_id": "d", "title": "P"});
    let limits = domain::Limits::default();
    for c in std::iter::once(create).chain(
        ops.iter()
            .map(|(op, at, n, text, on)| command(*op, *at, *n, text, *on)),
    ) {
        let command: domain::DocumentCommand = serde_json::from_value(c).unwrap();
        if let Ok(events) = doc.decide(&command, &limits) {
            for e in events {
                doc.apply(&e);
            }
        }
    }
    doc
}

/// Blocks as JSON without their ids (which the sequence of events mints), page setups
/// resolved (an unset field and folio's default are the same page).
fn shapes(doc: &domain::Document) -> Vec<Value> {
    doc.blocks
        .iter()
        .map(|b| {
            let mut v = serde_json::to_value(b).unwrap();
            let object = v.as_object_mut().unwrap();
            object.remove("id");
            // Numbering from 1 is numbering with no start set.
            if let Some(numbering) = object.get_mut("numbering").and_then(Value::as_object_mut)
                && numbering.get("start") == Some(&Value::from(1))
            {
                numbering.remove("start");
                if numbering.is_empty() {
                    object.remove("numbering");
                }
            }
            if let domain::Block::SectionBreak(s) = b {
                object.insert(
                    "page".into(),
                    serde_json::to_value(s.page.resolved()).unwrap(),
                );
            }
            // A header row is written bold throughout: whether a run of it was bold
            // before is not in the file. The format of a cell a merge covers is not
            // shown (nor written).
            if let domain::Block::Table(t) = b
                && (t.header_row || !t.merges.is_empty())
            {
                let mut t = t.clone();
                let merges = t.merges.clone();
                t.cell_formats.retain(|f| {
                    !merges
                        .iter()
                        .any(|m| m.contains(f.row, f.col) && (m.row, m.col) != (f.row, f.col))
                });
                let header = t.header_row;
                t.cell_runs.retain_mut(|c| {
                    if header && c.row == 0 {
                        c.runs.iter_mut().for_each(|r| r.format.bold = false);
                        c.runs = domain::text_and_runs(std::mem::take(&mut c.runs))
                            .1
                            .unwrap_or_default();
                    }
                    !c.runs.is_empty() || !c.blocks.is_empty()
                });
                let mut table = serde_json::to_value(domain::Block::Table(t)).unwrap();
                table.as_object_mut().unwrap().remove("id");
                return table;
            }
            v
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Any document folio makes, rendered and imported again, is the same model: its
    /// blocks and its first section.
    #[test]
    fn any_document_rendered_and_imported_again_is_the_same(
        ops in prop::collection::vec((0u8..26, 0usize..8, 0usize..12, "[a-zA-Z <&é]{0,6}", any::<bool>()), 1..30)
    ) {
        let doc = document_of(&ops);
        let mut options = RenderOptions::default();
        for (_, _, _, image) in doc.images() {
            let png = base64::Engine::decode(&base64::engine::general_purpose::STANDARD, super::tests::PNG_3X2).unwrap();
            options.media.insert(image.media.clone(), std::sync::Arc::from(png));
        }
        let rendered = render_docx(&doc, &options).unwrap();
        let (again, _) = crate::import::tests::imported_document(&rendered).unwrap();
        let (a, b) = (shapes(&doc), shapes(&again));
        for (i, (x, y)) in a.iter().zip(&b).enumerate() {
            prop_assert_eq!(x, y, "block {} differs", i);
        }
        prop_assert_eq!(a.len(), b.len());
        prop_assert_eq!(doc.section.page.resolved(), again.section.page.resolved());
        prop_assert_eq!(&doc.section.header, &again.section.header);
        prop_assert_eq!(&doc.section.footer, &again.section.footer);
    }
}
