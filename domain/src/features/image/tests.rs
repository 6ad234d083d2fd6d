//! Tests of `image`.

use base64::Engine as _;

use super::file::sniff;
use super::*;
use crate::command::DocumentCommand as C;
use crate::decide::tests::{create, given, limits, para};
use crate::model::ImageFormat;

/// A 3×2 PNG (valid header and data), base64.
pub(crate) const PNG_3X2: &str = "iVBORw0KGgoAAAANSUhEUgAAAAMAAAACCAIAAAASFvFNAAAAEElEQVR4nGP4z8AAQQxwFgBB0gX7h/C5SAAAAABJRU5ErkJggg==";

fn created() -> Document {
    given(&[create()])
}

fn with_paragraph() -> Document {
    given(&[create(), para("ab")])
}

fn run(doc: &mut Document, command: C) -> Result<(), DocumentError> {
    for event in doc.decide(&command, &limits())? {
        doc.try_apply(&event).unwrap();
    }
    Ok(())
}

#[test]
fn an_image_becomes_a_paragraph_of_one_inline() {
    let mut doc = created();
    run(
        &mut doc,
        C::AddImage(AddImage {
            data_base64: PNG_3X2.into(),
            alt_text: Some("A tiny picture".into()),
            ..Default::default()
        }),
    )
    .unwrap();
    let (_, _, offset, image) = doc.images().next().unwrap();
    assert_eq!(offset, 0);
    assert_eq!((image.width_px, image.height_px), (3, 2));
    assert_eq!((image.width_emu, image.height_emu), (3 * 9_525, 2 * 9_525));
    assert_eq!(image.format, ImageFormat::Png);
    assert!(is_media_id(&image.media));
    assert_eq!(doc.blocks[0].text(), "\u{FFFC}");
    assert_eq!(doc.stats().images, 1);
}

#[test]
fn an_image_goes_inside_a_paragraph_and_text_edits_keep_it() {
    let mut doc = with_paragraph();
    run(
        &mut doc,
        C::AddImage(AddImage {
            data_base64: PNG_3X2.into(),
            block_index: Some(0),
            offset: Some(1),
            width_mm: Some(30.0),
            ..Default::default()
        }),
    )
    .unwrap();
    assert_eq!(doc.blocks[0].text(), "a\u{FFFC}b");
    let (_, _, _, image) = doc.images().next().unwrap();
    assert_eq!((image.width_emu, image.height_emu), (1_080_000, 720_000));
    // Text typed right after the image is text, not part of it.
    run(
        &mut doc,
        C::InsertText(crate::command::InsertText {
            block_id: None,
            block_index: Some(0),
            offset: 2,
            text: "X".into(),
        }),
    )
    .unwrap();
    assert_eq!(doc.blocks[0].text(), "a\u{FFFC}Xb");
    assert_eq!(doc.images().count(), 1);
    run(
        &mut doc,
        C::ResizeImage(ResizeImage {
            block_index: Some(0),
            height_px: Some(100),
            ..Default::default()
        }),
    )
    .unwrap();
    let (_, _, offset, image) = doc.images().next().unwrap();
    assert_eq!(offset, 1);
    assert_eq!((image.width_emu, image.height_emu), (1_428_750, 952_500));
    run(
        &mut doc,
        C::SetImageAltText(SetImageAltText {
            block_index: Some(0),
            offset: Some(1),
            alt_text: "Logo".into(),
            ..Default::default()
        }),
    )
    .unwrap();
    assert_eq!(doc.images().next().unwrap().3.alt_text, "Logo");
    // Deleting its character deletes the image.
    run(
        &mut doc,
        C::DeleteText(crate::command::DeleteText {
            block_id: None,
            block_index: Some(0),
            offset: 1,
            length: 1,
        }),
    )
    .unwrap();
    assert_eq!(doc.images().count(), 0);
}

#[test]
fn a_large_picture_fits_between_the_margins() {
    // 2,000 px wide: 190.5 mm at 96 dpi; an A4 page has 159.2 mm between margins.
    let checked = SizeRequest {
        width_px: None,
        height_px: None,
        width_mm: None,
        height_mm: None,
    }
    .resolve(2_000, 1_000, created().text_width_emu(0))
    .unwrap();
    assert_eq!(checked.0 as u64, created().text_width_emu(0));
    assert_eq!(checked.1, checked.0 / 2);
}

#[test]
fn bad_images_are_refused_naming_the_field() {
    let doc = created();
    let add = |data: &str| {
        doc.decide(
            &C::AddImage(AddImage {
                data_base64: data.into(),
                ..Default::default()
            }),
            &limits(),
        )
    };
    let field = |r: Result<Vec<DocumentEvent>, DocumentError>| match r {
        Err(DocumentError::InvalidField { field, reason }) => format!("{field}: {reason}"),
        other => panic!("expected a refusal, got {other:?}"),
    };
    assert!(field(add("not base64!")).starts_with("data_base64: is not base64"));
    // "BM" (a bitmap) is not one of the formats.
    assert!(field(add("Qk0AAAAA")).contains("not a PNG, JPEG or GIF"));
    // A PNG signature with its header cut off, and a PNG cut after its header.
    assert!(field(add("iVBORw0KGgoAAAAN")).contains("cut short"));
    assert!(field(add(&PNG_3X2[..44])).contains("cut short"));
    // A signature and an end but no header between them; a header with no width.
    let engine = base64::engine::general_purpose::STANDARD;
    let headless = engine.encode(b"\x89PNG\r\n\x1a\n\0\0\0\0IEND\xaeB`\x82");
    assert!(field(add(&headless)).contains("damaged"));
    let mut zero_wide = engine.decode(PNG_3X2).unwrap();
    zero_wide[16..20].copy_from_slice(&[0, 0, 0, 0]);
    assert!(field(add(&engine.encode(zero_wide))).contains("no pixels"));
    // By default at most 40 megapixels: a header claiming 6,400 × 6,400 (41 MP, what a
    // 300 KB PNG of one colour can claim) is refused; 6,000 × 6,000 passes.
    let claiming = |side: u32| {
        let mut png = engine.decode(PNG_3X2).unwrap();
        png[16..20].copy_from_slice(&side.to_be_bytes());
        png[20..24].copy_from_slice(&side.to_be_bytes());
        engine.encode(png)
    };
    assert!(check_image(&claiming(6_400), &Limits::default()).is_err());
    assert!(check_image(&claiming(6_000), &Limits::default()).is_ok());
    let too_many_pixels = Limits {
        max_image_pixels: 5,
        ..limits()
    };
    assert!(matches!(
        check_image(PNG_3X2, &too_many_pixels),
        Err(DocumentError::InvalidField { .. })
    ));
    let small = Limits {
        max_image_bytes: 10,
        ..limits()
    };
    assert!(matches!(
        check_image(PNG_3X2, &small),
        Err(DocumentError::TooLarge { .. })
    ));
    let both = doc.decide(
        &C::AddImage(AddImage {
            data_base64: PNG_3X2.into(),
            width_px: Some(3),
            width_mm: Some(3.0),
            ..Default::default()
        }),
        &limits(),
    );
    assert!(field(both).starts_with("width_mm"));
    let huge = doc.decide(
        &C::AddImage(AddImage {
            data_base64: PNG_3X2.into(),
            width_px: Some(u32::MAX),
            ..Default::default()
        }),
        &limits(),
    );
    assert!(field(huge).contains("22 inches"));
    let tall = doc.decide(
        &C::AddImage(AddImage {
            data_base64: PNG_3X2.into(),
            width_mm: Some(500.0),
            ..Default::default()
        }),
        &limits(),
    );
    assert!(tall.is_ok(), "500 mm wide is 333 mm tall: fine");
}

#[test]
fn images_per_document_are_limited() {
    let mut doc = created();
    let one = Limits {
        max_images: 1,
        ..limits()
    };
    let add = C::AddImage(AddImage {
        data_base64: PNG_3X2.into(),
        ..Default::default()
    });
    for event in doc.decide(&add, &one).unwrap() {
        doc.apply(&event);
    }
    assert!(matches!(
        doc.decide(&add, &one),
        Err(DocumentError::TooLarge { what: "images", .. })
    ));
}

#[test]
fn image_commands_need_an_image() {
    let doc = with_paragraph();
    let refused = doc.decide(
        &C::SetImageAltText(SetImageAltText {
            block_index: Some(0),
            alt_text: "x".into(),
            ..Default::default()
        }),
        &limits(),
    );
    assert!(matches!(refused, Err(DocumentError::InvalidField { .. })));
}

#[test]
fn each_signature_is_recognised() {
    assert_eq!(sniff(b"\x89PNG\r\n\x1a\n...."), Some(ImageFormat::Png));
    assert_eq!(sniff(&[0xFF, 0xD8, 0xFF, 0xE0]), Some(ImageFormat::Jpeg));
    assert_eq!(sniff(b"GIF89a.."), Some(ImageFormat::Gif));
    assert_eq!(sniff(b"GIF88a.."), None);
    assert_eq!(sniff(b""), None);
}

// See: issue 11: images in table cells and list items, as in paragraphs.
#[test]
fn images_go_into_cells_and_list_items() {
    let cmd = |json: serde_json::Value| -> C { serde_json::from_value(json).unwrap() };
    let mut doc = given(&[
        create(),
        cmd(serde_json::json!({"type": "add_table", "data": [["Logo", "Name"]]})),
        cmd(
            serde_json::json!({"type": "add_list", "kind": "bullet", "items": ["first", "second"]}),
        ),
    ]);
    for command in [
        serde_json::json!({"type": "add_image", "data_base64": PNG_3X2, "block_index": 0,
            "row": 0, "col": 0, "offset": 0, "alt_text": "In a cell"}),
        serde_json::json!({"type": "add_image", "data_base64": PNG_3X2, "block_index": 1,
            "item": 1}),
        serde_json::json!({"type": "set_image_alt_text", "block_index": 1, "item": 1,
            "alt_text": "In an item"}),
        serde_json::json!({"type": "resize_image", "block_index": 0, "row": 0, "col": 0,
            "width_px": 30}),
    ] {
        run(&mut doc, cmd(command)).unwrap();
    }
    let found: Vec<(Within, usize, &str, u32)> = doc
        .images()
        .map(|(_, within, offset, image)| {
            (within, offset, image.alt_text.as_str(), image.width_emu)
        })
        .collect();
    assert_eq!(
        found,
        [
            (Within::Cell { row: 0, col: 0 }, 0, "In a cell", 30 * 9_525),
            (Within::Item { item: 1 }, 6, "In an item", 3 * 9_525),
        ]
    );
    match &doc.blocks[0] {
        Block::Table(t) => assert_eq!(t.rows[0][0], "\u{FFFC}Logo"),
        other => panic!("{other:?}"),
    }
    match &doc.blocks[1] {
        Block::List(l) => assert_eq!(l.items[1].text, "second\u{FFFC}"),
        other => panic!("{other:?}"),
    }
    for refused in [
        serde_json::json!({"type": "add_image", "data_base64": PNG_3X2, "block_index": 0}),
        serde_json::json!({"type": "add_image", "data_base64": PNG_3X2, "block_index": 0, "row": 3, "col": 0}),
        serde_json::json!({"type": "add_image", "data_base64": PNG_3X2, "block_index": 1, "item": 9}),
        serde_json::json!({"type": "add_image", "data_base64": PNG_3X2, "item": 0}),
    ] {
        assert!(
            doc.decide(&cmd(refused.clone()), &limits()).is_err(),
            "{refused}"
        );
    }
}

// See: issue 11: a logo in a header; a later section's footer image on its break.
#[test]
fn images_go_into_headers_and_footers() {
    let cmd = |json: serde_json::Value| -> C { serde_json::from_value(json).unwrap() };
    let mut doc = given(&[
        create(),
        para("Body"),
        cmd(serde_json::json!({"type": "add_section_break"})),
        cmd(serde_json::json!({"type": "set_header", "text": "ACME"})),
    ]);
    for command in [
        serde_json::json!({"type": "add_image", "data_base64": PNG_3X2, "header": "default",
            "offset": 0, "alt_text": "Logo"}),
        serde_json::json!({"type": "add_image", "data_base64": PNG_3X2, "footer": "first",
            "section": 1}),
        serde_json::json!({"type": "resize_image", "header": "default", "height_mm": 10}),
        serde_json::json!({"type": "set_image_alt_text", "footer": "first", "section": 1,
            "alt_text": "Seal"}),
    ] {
        run(&mut doc, cmd(command)).unwrap();
    }
    let header = doc.section.header.default.as_ref().unwrap();
    assert_eq!(crate::model::runs_text(header), "\u{FFFC}ACME");
    let found: Vec<(Option<String>, Within, &str, u32)> = doc
        .images()
        .map(|(block, within, _, image)| {
            (
                block.map(|b| b.id().to_string()),
                within,
                image.alt_text.as_str(),
                image.height_emu,
            )
        })
        .collect();
    let kind = crate::features::section::HeaderKind::First;
    assert_eq!(found.len(), 2, "{found:?}");
    assert_eq!(
        found[0],
        (
            None,
            Within::Header {
                pages: crate::features::section::HeaderKind::Default
            },
            "Logo",
            360_000
        )
    );
    assert_eq!(found[1].1, Within::Footer { pages: kind });
    assert_eq!(found[1].2, "Seal");
    assert!(found[1].0.is_some(), "on the section break");
    for refused in [
        serde_json::json!({"type": "add_image", "data_base64": PNG_3X2, "header": "default", "section": 5}),
        serde_json::json!({"type": "add_image", "data_base64": PNG_3X2, "header": "default", "block_index": 0}),
        serde_json::json!({"type": "add_image", "data_base64": PNG_3X2, "header": "default", "footer": "default"}),
        serde_json::json!({"type": "add_image", "data_base64": PNG_3X2, "section": 1}),
    ] {
        assert!(
            doc.decide(&cmd(refused.clone()), &limits()).is_err(),
            "{refused}"
        );
    }
}
