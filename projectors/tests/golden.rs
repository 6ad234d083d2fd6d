//! Golden event streams: rows exactly as earlier builds stored them, replayed by this
//! build. The first one holds the poison events of issue 9 (a `delete_text` whose
//! `offset + length` wraps), which the build of 2026-11-26 accepted and stored; its
//! projector then panicked on them for every document. They must replay to a readable
//! document, the same on every replay, in the write path, time travel and the projector.

use std::path::Path;

use domain::{Block, DocumentId};
use infrastructure::sqlite::open_data_dir;
use infrastructure::store::EventLog;
use infrastructure::views::Views;
use projectors::ReadModelProjector;
use serde_json::Value;

/// Stores the rows of a golden stream as they are, through SQL (not through folio's
/// append, which would check them).
async fn store_rows(pool: &sqlx::SqlitePool, file: &str) -> DocumentId {
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(file)).unwrap();
    // (`file` may also be absolute: `join` then takes it as it is.)
    let mut id = None;
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let row: Value = serde_json::from_str(line).unwrap();
        sqlx::query(
            "INSERT INTO events (aggregate_type, aggregate_id, sequence, event_type, event_version, payload, metadata) \
             VALUES ('Document', ?, ?, ?, ?, ?, ?)",
        )
        .bind(row["aggregate_id"].as_str().unwrap())
        .bind(row["sequence"].as_i64().unwrap())
        .bind(row["event_type"].as_str().unwrap())
        .bind(row["event_version"].as_str().unwrap())
        .bind(row["payload"].to_string())
        .bind(row["metadata"].to_string())
        .execute(pool)
        .await
        .unwrap();
        id = Some(DocumentId::new(row["aggregate_id"].as_str().unwrap()));
    }
    id.unwrap()
}

/// Catches the read-model projector up and reads the document it stored.
async fn project(log: &EventLog, views: &Views, id: &DocumentId) -> domain::Document {
    let mut projector = ReadModelProjector::new(log.clone(), views.clone(), (8, usize::MAX), None);
    projector.catch_up().await.unwrap();
    views
        .projected("default", id.as_str())
        .await
        .unwrap()
        .unwrap()
        .document
}

fn texts(blocks: &[Block]) -> Vec<String> {
    blocks.iter().map(Block::text).collect()
}

// See: issue 9 ("No single request takes folio down").
#[tokio::test]
async fn the_stored_poison_delete_replays_to_a_readable_document() {
    // Arrange
    let dir = tempfile::tempdir().unwrap();
    let databases = open_data_dir(dir.path()).await.unwrap();
    let id = store_rows(&databases.events, "tests/golden/poison_delete_text.jsonl").await;
    let log = EventLog::sqlite(databases.events.clone());
    let views = Views::sqlite(databases.views.clone());

    // Act
    let loaded = log.load(&id).await.unwrap().unwrap();
    let again = log.load(&id).await.unwrap().unwrap();
    let past = log.document_at(&id, 4).await.unwrap().unwrap();
    let projected = project(&log, &views, &id).await;

    // Assert: the poison events changed nothing but the version, deterministically.
    assert_eq!(texts(&loaded.document.blocks), ["hello world", "after"]);
    assert_eq!(loaded.document.version.get(), 5);
    assert_eq!(loaded.document, again.document);
    assert_eq!(texts(&past.document.blocks), ["hello world"]);
    assert_eq!(projected, loaded.document);
    assert!(views.failures().await.unwrap().is_empty());
}

/// The corpus of event streams frozen from the build of 2026-12-02: every command type,
/// stored as the rows that build appended, with the content JSON and the .docx text they
/// gave. Every later build must replay them to the same document. `FOLIO_BLESS=1` writes a
/// stream that is missing (never one that exists: a frozen stream is never regenerated;
/// a new build adds a stream under a new name).
const REPLAY_CORPUS: &[&str] = &[
    "every_command_2026_12_02",
    "richer_model_2026_12_02",
    "sections_2026_12_02",
    "images_2026_12_02",
    "section_headers_2026_12_02",
    "cell_blocks_2026_12_02",
    "bookmark_ranges_2026_12_02",
    "builtin_styles_2026_12_02",
    "cell_images_2026_12_02",
    "header_images_2026_12_02",
    "import_2026_12_02",
    "history_2026_12_02",
];

/// The commands of the 2026-12-02 stream, as that build's wire JSON: each command type once
/// at least, referring to blocks by index.
fn every_command_2026_12_02() -> Vec<Value> {
    use serde_json::json;
    vec![
        json!({"type": "create_document", "document_id": "0190a000-0000-7000-8000-00000000c0de", "title": "Every command"}),
        json!({"type": "set_title", "title": "Every command, frozen"}),
        json!({"type": "set_metadata", "author": "Ada", "subject": "Golden", "keywords": "replay", "description": "d", "category": "c", "custom": {"client": "ACME"}}),
        json!({"type": "add_heading", "text": "Contract", "level": 1}),
        json!({"type": "add_paragraph", "runs": [{"text": "Bold ", "bold": true}, {"text": "italic", "italic": true, "color": "FF0000", "font": "Georgia", "size_pt": 13.5}, {"text": " tail\tx\ny", "underline": true, "strike": true, "highlight": "yellow"}], "style": "Quote", "alignment": "center"}),
        json!({"type": "add_paragraph", "text": "second paragraph"}),
        json!({"type": "update_paragraph", "block_index": 2, "text": "second paragraph, updated"}),
        json!({"type": "insert_text", "block_index": 1, "offset": 5, "text": "and "}),
        json!({"type": "delete_text", "block_index": 2, "offset": 0, "length": 7}),
        json!({"type": "replace_text", "find": "paragraph", "replace": "clause", "match_case": false, "whole_word": true}),
        json!({"type": "format_text", "block_index": 2, "start": 0, "end": 6, "bold": true, "italic": false, "underline": true, "strike": false, "font": "Arial", "size_pt": 11, "color": "00ff00", "highlight": "green"}),
        json!({"type": "set_alignment", "block_index": 0, "alignment": "right"}),
        json!({"type": "set_paragraph_format", "block_index": 2, "spacing_before": 6, "spacing_after": 12, "line_spacing": 1.5, "indent_left": 36, "indent_right": 18, "hanging": 9, "keep_with_next": true, "page_break_before": false}),
        json!({"type": "add_heading", "text": "Second heading", "level": 2, "position": {"index": 1}}),
        json!({"type": "move_block", "block_index": 1, "position": {"index": 3}}),
        json!({"type": "add_table", "data": [["Item", "Price"], ["Tea", "3"]], "header_row": true, "style": "TableGrid"}),
        json!({"type": "set_table_cell", "block_index": 4, "row": 1, "col": 1, "text": "3.50"}),
        json!({"type": "add_table_row", "block_index": 4, "data": ["Cake"]}),
        json!({"type": "add_table_column", "block_index": 4, "col": 1, "data": ["Qty", "1", "2"]}),
        json!({"type": "add_table_row", "block_index": 4, "row": 1, "data": ["gone"]}),
        json!({"type": "delete_table_row", "block_index": 4, "row": 1}),
        json!({"type": "add_table_column", "block_index": 4, "data": ["gone"]}),
        json!({"type": "delete_table_column", "block_index": 4, "col": 3}),
        json!({"type": "add_list", "kind": "numbered", "items": ["one", {"text": "one.a", "level": 1}]}),
        json!({"type": "add_list_item", "block_index": 5, "text": "two"}),
        json!({"type": "add_list_item", "block_index": 5, "item": 0, "text": "zero", "level": 2}),
        json!({"type": "set_list_item_level", "block_index": 5, "item": 0, "level": 0}),
        json!({"type": "add_list", "kind": "bullet", "items": ["dot"], "position": {"index": 0}}),
        json!({"type": "add_page_break"}),
        json!({"type": "add_paragraph", "text": "to be deleted"}),
        json!({"type": "delete_block", "block_index": 8}),
        json!({"type": "add_paragraph", "text": "after the break"}),
        json!({"type": "archive_document"}),
    ]
}

/// The commands of the richer model (issue 11) as the build that added them sent them:
/// every new command type once at least.
fn richer_model_2026_12_02() -> Vec<Value> {
    use serde_json::json;
    vec![
        json!({"type": "create_document", "document_id": "0190a000-0000-7000-8000-0000000051c4", "title": "Richer model"}),
        json!({"type": "add_heading", "text": "Terms", "level": 1}),
        json!({"type": "add_bookmark", "block_index": 0, "name": "Terms"}),
        json!({"type": "add_paragraph", "runs": [
            {"text": "E = mc"}, {"text": "2", "superscript": true}, {"text": " H"},
            {"text": "2", "subscript": true}, {"text": "O "}, {"text": "Acme", "small_caps": true},
            {"text": " see "}, {"text": "terms", "link": "#Terms"}, {"text": " page "},
            {"text": "1", "field": "page"}]}),
        json!({"type": "add_hyperlink", "block_index": 1, "url": "https://example.com/a?b=c", "text": " site"}),
        json!({"type": "add_hyperlink", "block_index": 1, "url": "mailto:ada@example.com", "start": 0, "end": 1}),
        json!({"type": "remove_hyperlink", "block_index": 1, "start": 0, "end": 1}),
        json!({"type": "add_bookmark", "block_index": 1, "name": "Gone"}),
        json!({"type": "remove_bookmark", "name": "gone"}),
        json!({"type": "format_text", "block_index": 1, "start": 0, "end": 1, "superscript": true, "small_caps": true}),
        json!({"type": "set_page_setup", "size": "Letter", "orientation": "landscape", "margin_left_mm": 20, "columns": 2}),
        json!({"type": "set_header", "kind": "first", "runs": [{"text": "ACME", "bold": true}]}),
        json!({"type": "set_footer", "text": "Page {PAGE} of {NUMPAGES}, {DATE}"}),
        json!({"type": "set_footer", "kind": "even", "text": "Even"}),
        json!({"type": "add_table_of_contents", "title": "Contents", "max_level": 2, "position": {"index": 0}}),
        json!({"type": "create_style", "name": "Legal Clause", "kind": "paragraph", "based_on": "Quote", "font": "Georgia", "size_pt": 12, "bold": true, "spacing_after": 6, "alignment": "justify"}),
        json!({"type": "create_style", "style_id": "Term", "name": "Defined Term", "kind": "character", "italic": true, "color": "1f4e79"}),
        json!({"type": "create_style", "name": "Plain Table", "kind": "table", "based_on": "TableGrid"}),
        json!({"type": "create_style", "name": "Unused", "kind": "paragraph"}),
        json!({"type": "update_style", "style_id": "LegalClause", "size_pt": 13, "next": "Normal"}),
        json!({"type": "delete_style", "style_id": "Unused"}),
        json!({"type": "apply_style", "block_index": 2, "style_id": "LegalClause"}),
        json!({"type": "apply_style", "block_index": 2, "style_id": "Term", "start": 0, "end": 5}),
        json!({"type": "add_table", "data": [["a", "b", "c"], ["d", "e", "f"], ["g", "h", "i"]], "header_row": true}),
        json!({"type": "apply_style", "block_index": 3, "style_id": "PlainTable"}),
        json!({"type": "merge_table_cells", "block_index": 3, "from_row": 1, "from_col": 0, "to_row": 2, "to_col": 1}),
        json!({"type": "merge_table_cells", "block_index": 3, "from_row": 0, "from_col": 1, "to_row": 0, "to_col": 2}),
        json!({"type": "split_table_cells", "block_index": 3, "row": 0, "col": 2}),
        json!({"type": "set_table_column_widths", "block_index": 3, "widths_mm": [40, 30, 20]}),
        json!({"type": "set_table_cell_format", "block_index": 3, "row": 0, "col": 0, "to_col": 2, "shading": "D9E2F3", "vertical_align": "center"}),
        json!({"type": "add_table_row", "block_index": 3, "row": 2}),
        json!({"type": "delete_table_column", "block_index": 3, "col": 2}),
        json!({"type": "add_list", "kind": "numbered", "items": ["one", {"runs": [{"text": "two", "bold": true}, {"text": " link", "link": "https://example.org"}], "level": 1}]}),
        json!({"type": "add_list_item", "block_index": 4, "runs": [{"text": "three", "italic": true}]}),
        json!({"type": "set_list_numbering", "block_index": 4, "format": "upper_roman", "start": 4}),
        json!({"type": "add_list", "kind": "numbered", "items": ["four"]}),
        json!({"type": "set_list_numbering", "block_index": 5, "continue_previous": true}),
        json!({"type": "add_list", "kind": "bullet", "items": ["tick"]}),
        json!({"type": "set_list_numbering", "block_index": 6, "bullet": "✓"}),
        json!({"type": "replace_text", "find": "two", "replace": "2"}),
    ]
}

/// Section breaks and the page setup of later sections, as the build that added them
/// sent them.
fn sections_2026_12_02() -> Vec<Value> {
    use serde_json::json;
    vec![
        json!({"type": "create_document", "document_id": "0190a000-0000-7000-8000-000000005ec7", "title": "Sections"}),
        json!({"type": "add_paragraph", "text": "Portrait"}),
        json!({"type": "add_section_break", "orientation": "landscape"}),
        json!({"type": "add_paragraph", "text": "Landscape"}),
        json!({"type": "add_section_break", "kind": "continuous", "orientation": "portrait"}),
        json!({"type": "add_paragraph", "text": "Portrait again"}),
        json!({"type": "set_page_setup", "section": 1, "margin_left_mm": 15, "columns": 2}),
        json!({"type": "set_page_setup", "section": 0, "size": "Letter"}),
        json!({"type": "set_footer", "text": "Page {PAGE} of {NUMPAGES}"}),
        json!({"type": "add_section_break", "position": {"index": 0}}),
        json!({"type": "delete_block", "block_index": 0}),
    ]
}

/// Inline images, as the build that added them sent them (the events name the pictures by
/// hash; this corpus renders without their bytes, so the .docx text shows the alt texts).
fn images_2026_12_02() -> Vec<Value> {
    use serde_json::json;
    // A 3×2 PNG.
    let png = "iVBORw0KGgoAAAANSUhEUgAAAAMAAAACCAIAAAASFvFNAAAAEElEQVR4nGP4z8AAQQxwFgBB0gX7h/C5SAAAAABJRU5ErkJggg==";
    vec![
        json!({"type": "create_document", "document_id": "0190a000-0000-7000-8000-0000000001a6", "title": "Images"}),
        json!({"type": "add_paragraph", "text": "Logo: here"}),
        json!({"type": "add_image", "data_base64": png, "alt_text": "Logo", "width_mm": 20}),
        json!({"type": "add_image", "data_base64": png, "block_index": 0, "offset": 6, "height_px": 40}),
        json!({"type": "resize_image", "block_index": 1, "width_px": 300}),
        json!({"type": "set_image_alt_text", "block_index": 0, "offset": 6, "alt_text": "Inline"}),
        json!({"type": "insert_text", "block_index": 0, "offset": 7, "text": "!"}),
        json!({"type": "add_image", "data_base64": png, "position": {"at": "start"}}),
        json!({"type": "delete_block", "block_index": 0}),
    ]
}

/// Headers and footers of later sections, as the build that added them sent them.
fn section_headers_2026_12_02() -> Vec<Value> {
    use serde_json::json;
    vec![
        json!({"type": "create_document", "document_id": "0190a000-0000-7000-8000-0000000005f0", "title": "Section headers"}),
        json!({"type": "add_paragraph", "text": "Body"}),
        json!({"type": "add_section_break"}),
        json!({"type": "add_paragraph", "text": "Annex"}),
        json!({"type": "set_header", "text": "Report"}),
        json!({"type": "set_footer", "section": 1, "text": "Annex {PAGE}"}),
        json!({"type": "set_header", "section": 1, "kind": "first", "runs": [{"text": "Annex A", "bold": true}]}),
        json!({"type": "set_footer", "section": 1, "kind": "even", "text": "Even"}),
        json!({"type": "set_footer", "section": 1, "kind": "even", "text": ""}),
    ]
}

/// Table cells of several blocks, as the build that added them sent them.
fn cell_blocks_2026_12_02() -> Vec<Value> {
    use serde_json::json;
    vec![
        json!({"type": "create_document", "document_id": "0190a000-0000-7000-8000-0000000000ce", "title": "Cell blocks"}),
        json!({"type": "add_table", "data": [["Term", "Meaning"], ["Goods", ""]], "header_row": true}),
        json!({"type": "set_table_cell", "block_index": 0, "row": 1, "col": 1, "blocks": [
            {"type": "paragraph", "runs": [{"text": "All ", "bold": true}, {"text": "goods:"}], "alignment": "center"},
            {"type": "list", "kind": "bullet", "items": ["paper", {"text": "ink", "level": 1}]},
            {"type": "table", "data": [["Item", "Qty"], ["paper"]]},
        ]}),
        json!({"type": "replace_text", "find": "paper", "replace": "card"}),
        json!({"type": "add_table_column", "block_index": 0, "col": 0}),
        json!({"type": "set_table_cell", "block_index": 0, "row": 0, "col": 0, "blocks": [{"type": "paragraph", "text": "No."}]}),
        json!({"type": "merge_table_cells", "block_index": 0, "from_row": 0, "from_col": 0, "to_row": 0, "to_col": 1}),
    ]
}

/// Bookmarks over ranges of text, as the build that added them sent them.
fn bookmark_ranges_2026_12_02() -> Vec<Value> {
    use serde_json::json;
    vec![
        json!({"type": "create_document", "document_id": "0190a000-0000-7000-8000-00000000b0a4", "title": "Ranges"}),
        json!({"type": "add_paragraph", "text": "Pay within thirty days."}),
        json!({"type": "add_bookmark", "block_index": 0, "name": "Term", "start": 11, "end": 22}),
        json!({"type": "insert_text", "block_index": 0, "offset": 17, "text": " (30)"}),
        json!({"type": "add_hyperlink", "block_index": 0, "bookmark": "Term", "text": " See the term."}),
        json!({"type": "add_bookmark", "block_index": 0, "name": "Gone", "start": 0, "end": 3}),
        json!({"type": "remove_bookmark", "name": "gone"}),
    ]
}

/// Built-in styles redefined, as the build that allowed it sent them.
fn builtin_styles_2026_12_02() -> Vec<Value> {
    use serde_json::json;
    vec![
        json!({"type": "create_document", "document_id": "0190a000-0000-7000-8000-0000000057e1", "title": "Built-in styles"}),
        json!({"type": "add_heading", "text": "Scope", "level": 1}),
        json!({"type": "add_paragraph", "text": "Body"}),
        json!({"type": "update_style", "style_id": "Normal", "font": "Cambria", "size_pt": 11}),
        json!({"type": "update_style", "style_id": "Heading1", "color": "C00000", "bold": false}),
        json!({"type": "update_style", "style_id": "Quote", "italic": false}),
        json!({"type": "delete_style", "style_id": "Quote"}),
    ]
}

/// Images in table cells and list items, as the build that allowed them sent them.
fn cell_images_2026_12_02() -> Vec<Value> {
    use serde_json::json;
    let png = "iVBORw0KGgoAAAANSUhEUgAAAAMAAAACCAIAAAASFvFNAAAAEElEQVR4nGP4z8AAQQxwFgBB0gX7h/C5SAAAAABJRU5ErkJggg==";
    vec![
        json!({"type": "create_document", "document_id": "0190a000-0000-7000-8000-0000000ce11a", "title": "Cell images"}),
        json!({"type": "add_table", "data": [["", "ACME"]]}),
        json!({"type": "add_image", "data_base64": png, "block_index": 0, "row": 0, "col": 0, "alt_text": "Logo"}),
        json!({"type": "add_list", "kind": "numbered", "items": ["Signed: "]}),
        json!({"type": "add_image", "data_base64": png, "block_index": 1, "item": 0}),
        json!({"type": "set_image_alt_text", "block_index": 1, "item": 0, "alt_text": "Signature"}),
        json!({"type": "resize_image", "block_index": 0, "row": 0, "col": 0, "width_mm": 25}),
        json!({"type": "add_table_row", "block_index": 0, "row": 0}),
    ]
}

/// Pictures and links in headers and footers, as the build that allowed them sent them.
fn header_images_2026_12_02() -> Vec<Value> {
    use serde_json::json;
    let png = "iVBORw0KGgoAAAANSUhEUgAAAAMAAAACCAIAAAASFvFNAAAAEElEQVR4nGP4z8AAQQxwFgBB0gX7h/C5SAAAAABJRU5ErkJggg==";
    vec![
        json!({"type": "create_document", "document_id": "0190a000-0000-7000-8000-00000000e4d1", "title": "Header images"}),
        json!({"type": "add_paragraph", "text": "Body"}),
        json!({"type": "add_section_break"}),
        json!({"type": "set_header", "runs": [{"text": " ACME, "}, {"text": "site", "link": "https://acme.example"}]}),
        json!({"type": "add_image", "data_base64": png, "header": "default", "offset": 0, "alt_text": "Logo"}),
        json!({"type": "add_image", "data_base64": png, "footer": "first", "section": 1}),
        json!({"type": "resize_image", "header": "default", "width_mm": 12}),
        json!({"type": "set_image_alt_text", "footer": "first", "section": 1, "alt_text": "Seal"}),
    ]
}

/// A Word file imported (a form with tables, merged cells, lists, a picture, headers,
/// footers, footnotes and form fields kept opaque), then edited, as the build that
/// introduced import decided it. Blessing needs the shared corpus; replaying does not.
fn import_2026_12_02() -> Vec<Value> {
    use serde_json::json;
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/corpus/docx/poi--form_footnotes.docx");
    let bytes = std::fs::read(&path).expect("the shared corpus, to bless this stream");
    let imported = docx_engine::import_docx(
        &bytes,
        &docx_engine::ImportLimits::default(),
        &domain::Limits::default(),
    )
    .unwrap();
    let media = domain::media_id(&bytes);
    let opaque = imported
        .content
        .blocks
        .iter()
        .position(|b| matches!(b, domain::Block::Opaque(_)))
        .unwrap();
    let command = domain::DocumentCommand::ImportDocument(domain::command::ImportDocument {
        document_id: domain::DocumentId::new("0190a000-0000-7000-8000-00000000e4d2"),
        title: "Visa form".into(),
        source: domain::ImportSource {
            media,
            bytes: bytes.len() as u64,
        },
        content: Box::new(imported.content),
    });
    vec![
        serde_json::to_value(command).unwrap(),
        json!({"type": "move_block", "block_index": opaque, "position": {"at": "end"}}),
        json!({"type": "delete_block", "block_index": 0}),
        json!({"type": "add_paragraph", "text": "Filled in by folio"}),
    ]
}

/// Labels and a revert (removing, restoring, reordering and rewording blocks, the title),
/// as the build that introduced them decided them.
fn history_2026_12_02() -> Vec<Value> {
    use serde_json::json;
    vec![
        json!({"type": "create_document", "document_id": "0190a000-0000-7000-8000-0000000015a1", "title": "History"}),
        json!({"type": "add_heading", "text": "Terms", "level": 1}),
        json!({"type": "add_paragraph", "text": "The supplier shall deliver."}),
        json!({"type": "add_table", "data": [["Item", "Price"], ["Paper", "3"]]}),
        json!({"type": "label_version", "name": "draft"}),
        json!({"type": "replace_text", "find": "supplier", "replace": "vendor"}),
        json!({"type": "delete_block", "block_index": 0}),
        json!({"type": "set_table_cell", "block_index": 1, "row": 1, "col": 1, "text": "4"}),
        json!({"type": "add_paragraph", "text": "Annex.", "position": {"at": "start"}}),
        json!({"type": "set_title", "title": "History v2"}),
        json!({"type": "label_version", "version": 2, "name": "heading-only"}),
        json!({"type": "revert_to_version", "version": "draft"}),
        json!({"type": "add_paragraph", "text": "After the revert."}),
    ]
}

fn replay_script(name: &str) -> Vec<Value> {
    match name {
        "history_2026_12_02" => history_2026_12_02(),
        "import_2026_12_02" => import_2026_12_02(),
        "header_images_2026_12_02" => header_images_2026_12_02(),
        "cell_images_2026_12_02" => cell_images_2026_12_02(),
        "builtin_styles_2026_12_02" => builtin_styles_2026_12_02(),
        "bookmark_ranges_2026_12_02" => bookmark_ranges_2026_12_02(),
        "cell_blocks_2026_12_02" => cell_blocks_2026_12_02(),
        "section_headers_2026_12_02" => section_headers_2026_12_02(),
        "images_2026_12_02" => images_2026_12_02(),
        "sections_2026_12_02" => sections_2026_12_02(),
        "every_command_2026_12_02" => every_command_2026_12_02(),
        "richer_model_2026_12_02" => richer_model_2026_12_02(),
        other => panic!("no script for {other}"),
    }
}

fn corpus_file(name: &str, extension: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden/replay")
        .join(format!("{name}.{extension}"))
}

/// The text of a .docx as Word would show it, read straight from `word/document.xml`
/// (not through folio's model): paragraphs on their own lines, tabs and breaks as `\t`
/// and `\n`, table cells separated by ` | `, a table row per line.
fn docx_text(bytes: &[u8]) -> String {
    use quick_xml::events::Event;
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut xml = String::new();
    std::io::Read::read_to_string(&mut archive.by_name("word/document.xml").unwrap(), &mut xml)
        .unwrap();
    let mut reader = quick_xml::Reader::from_str(&xml);
    let mut out = String::new();
    let mut in_text = false;
    loop {
        match reader.read_event().unwrap() {
            Event::Start(e) if e.name().as_ref() == b"w:t" => in_text = true,
            Event::End(e) if e.name().as_ref() == b"w:t" => in_text = false,
            Event::Text(t) if in_text => out.push_str(&t.decode().unwrap()),
            Event::GeneralRef(r) if in_text => {
                let name = r.decode().unwrap();
                out.push_str(quick_xml::escape::resolve_predefined_entity(&name).unwrap());
            }
            Event::Empty(e) if e.name().as_ref() == b"w:tab" => out.push('\t'),
            Event::Empty(e) if e.name().as_ref() == b"w:br" => out.push('\n'),
            Event::End(e) if e.name().as_ref() == b"w:p" => out.push('\n'),
            Event::End(e) if e.name().as_ref() == b"w:tc" => {
                out.truncate(out.trim_end_matches('\n').len());
                out.push_str(" | ");
            }
            Event::End(e) if e.name().as_ref() == b"w:tr" => {
                if out.ends_with(" | ") {
                    out.truncate(out.len() - " | ".len());
                }
                out.push('\n');
            }
            Event::Eof => break,
            _ => {}
        }
    }
    out
}

/// Writes a frozen stream: the script decided and appended by this build, its rows read
/// back as stored, with the content and .docx text they replay to.
async fn bless(name: &str) {
    let dir = tempfile::tempdir().unwrap();
    let databases = open_data_dir(dir.path()).await.unwrap();
    let log = EventLog::sqlite(databases.events.clone());
    let mut doc = domain::Document::default();
    let start = "2026-12-02T09:00:";
    let mut id = None;
    let mut states = vec![doc.clone()];
    for (i, json) in replay_script(name).into_iter().enumerate() {
        let mut command: domain::DocumentCommand = serde_json::from_value(json).unwrap();
        // A revert gets the state of the version it names, as the write path gives it.
        if let domain::DocumentCommand::RevertToVersion(r) = &mut command {
            let version = match &r.version {
                domain::VersionRef::Number(n) => *n,
                domain::VersionRef::Label(l) => doc.labels[l],
            };
            r.target = Some(Box::new(domain::RevertTarget {
                version,
                document: states[version as usize].clone(),
            }));
        }
        match &command {
            domain::DocumentCommand::CreateDocument(c) => id = Some(c.document_id.clone()),
            domain::DocumentCommand::ImportDocument(c) => id = Some(c.document_id.clone()),
            _ => {}
        }
        let events = doc.decide(&command, &domain::Limits::default()).unwrap();
        let mut new = Vec::new();
        for event in events {
            doc.apply(&event);
            states.push(doc.clone());
            new.push(infrastructure::store::NewEvent {
                sequence: doc.version.get(),
                event,
                metadata: infrastructure::store::EventMetadata {
                    tenant: "default".into(),
                    actor: "key:0123456789ab".into(),
                    request_id: format!("r{}", i + 1),
                    command: command.name().into(),
                    reason: Some("golden corpus".into()),
                    at: format!("{start}{:02}.000Z", i % 60),
                    ..Default::default()
                },
            });
        }
        log.append(id.as_ref().unwrap(), &new).await.unwrap();
    }
    let rows: Vec<(String, i64, String, String, String, String)> = sqlx::query_as(
        "SELECT aggregate_id, sequence, event_type, event_version, payload, metadata FROM events ORDER BY sequence",
    )
    .fetch_all(&databases.events)
    .await
    .unwrap();
    let mut jsonl = String::new();
    for (aggregate_id, sequence, event_type, event_version, payload, metadata) in rows {
        let row = serde_json::json!({
            "aggregate_id": aggregate_id, "sequence": sequence, "event_type": event_type,
            "event_version": event_version,
            "payload": serde_json::from_str::<Value>(&payload).unwrap(),
            "metadata": serde_json::from_str::<Value>(&metadata).unwrap(),
        });
        jsonl.push_str(&row.to_string());
        jsonl.push('\n');
    }
    let docx = docx_engine::render_docx(&doc, &docx_engine::RenderOptions::default()).unwrap();
    std::fs::create_dir_all(corpus_file(name, "jsonl").parent().unwrap()).unwrap();
    std::fs::write(corpus_file(name, "jsonl"), jsonl).unwrap();
    std::fs::write(
        corpus_file(name, "content.json"),
        serde_json::to_string_pretty(&doc).unwrap() + "\n",
    )
    .unwrap();
    std::fs::write(corpus_file(name, "docx.txt"), docx_text(&docx)).unwrap();
}

// See: issue 11 ("Every event stream written by today's build must still replay").
#[tokio::test]
async fn the_frozen_event_streams_replay_to_the_same_documents() {
    for name in REPLAY_CORPUS {
        if !corpus_file(name, "jsonl").exists() {
            assert!(
                std::env::var_os("FOLIO_BLESS").is_some(),
                "{name}: the frozen stream is missing (FOLIO_BLESS=1 writes a new one)"
            );
            bless(name).await;
        }

        // Arrange: the rows exactly as that build stored them.
        let dir = tempfile::tempdir().unwrap();
        let databases = open_data_dir(dir.path()).await.unwrap();
        let id = store_rows(
            &databases.events,
            corpus_file(name, "jsonl").to_str().unwrap(),
        )
        .await;
        let log = EventLog::sqlite(databases.events.clone());
        let views = Views::sqlite(databases.views.clone());
        let expected: Value = serde_json::from_str(
            &std::fs::read_to_string(corpus_file(name, "content.json")).unwrap(),
        )
        .unwrap();
        let expected_text = std::fs::read_to_string(corpus_file(name, "docx.txt")).unwrap();

        // Act: the write path's load, the projector, and a render.
        let loaded = log.load(&id).await.unwrap().unwrap();
        let projected = project(&log, &views, &id).await;
        let docx =
            docx_engine::render_docx(&loaded.document, &docx_engine::RenderOptions::default())
                .unwrap();

        // Assert
        // Compared as JSON text read back, as a client reads the content (a length in
        // f32 prints as its shortest form, 279.4, not as the f64 it widens to).
        let replayed: Value =
            serde_json::from_str(&serde_json::to_string(&loaded.document).unwrap()).unwrap();
        assert_eq!(replayed, expected, "{name}: replayed content differs");
        assert_eq!(projected, loaded.document, "{name}: projector differs");
        assert_eq!(
            docx_text(&docx),
            expected_text,
            "{name}: .docx text differs"
        );
        let again =
            docx_engine::render_docx(&loaded.document, &docx_engine::RenderOptions::default())
                .unwrap();
        assert!(docx == again, "{name}: two renders of one version differ");
        assert!(views.failures().await.unwrap().is_empty(), "{name}");
    }
}
