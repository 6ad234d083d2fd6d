//! decide + apply on any input: the input is JSON lines, each a command or an event.
//! A command is decided on the current state; `decide` may refuse it, but every event it
//! returns must fit (`try_apply` succeeds). An event line is applied as a store could hold
//! it: it may not fit, but applying it must never panic. At the end, replaying every event
//! from scratch gives the same state.
#![no_main]

use domain::{Document, DocumentCommand, DocumentEvent, Limits};
use libfuzzer_sys::fuzz_target;

fn start() -> (Document, Vec<DocumentEvent>) {
    let mut doc = Document::default();
    let mut log = Vec::new();
    let seed: [DocumentCommand; 2] = [
        serde_json::from_value(serde_json::json!({
            "type": "create_document", "document_id": "d", "title": "fuzz"
        }))
        .expect("a valid command"),
        serde_json::from_value(serde_json::json!({
            "type": "add_paragraph", "text": "hello world"
        }))
        .expect("a valid command"),
    ];
    for command in &seed {
        for event in doc.decide(command, &Limits::default()).expect("seed commands apply") {
            doc.apply(&event);
            log.push(event);
        }
    }
    (doc, log)
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let limits = Limits {
        max_blocks: 64,
        max_text_chars: 4096,
        max_table_cells: 256,
        max_list_items: 64,
        max_title_chars: 256,
        max_image_bytes: 4096,
        max_image_pixels: 1 << 20,
        max_images: 8,
    };
    let (mut doc, mut log) = start();
    for line in text.lines().take(64) {
        if let Ok(command) = serde_json::from_str::<DocumentCommand>(line) {
            if let Ok(events) = doc.decide(&command, &limits) {
                for event in events {
                    assert_eq!(doc.try_apply(&event), Ok(()), "decided events fit");
                    log.push(event);
                }
            }
        } else if let Ok(event) = serde_json::from_str::<DocumentEvent>(line) {
            doc.apply(&event);
            log.push(event);
        }
    }
    let mut replayed = Document::default();
    for event in &log {
        replayed.apply(event);
    }
    assert_eq!(replayed, doc, "replay gives the same state");
});
