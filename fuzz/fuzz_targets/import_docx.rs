//! The import gate and reader on any bytes: importing never panics (and never aborts: no
//! allocation is sized by what a file declares); whatever imports is a document the
//! domain takes, renders without a panic, and imports again.
#![no_main]

use docx_engine::{ImportLimits, RenderOptions, import_docx, render_docx};
use domain::{Document, DocumentCommand, DocumentId, ImportSource, Limits};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let limits = ImportLimits {
        max_total_bytes: 16 * 1024 * 1024,
        max_xml_part_bytes: 8 * 1024 * 1024,
        ..ImportLimits::default()
    };
    let model = Limits::default();
    let Ok(imported) = import_docx(data, &limits, &model) else {
        return;
    };
    let command = DocumentCommand::ImportDocument(domain::command::ImportDocument {
        document_id: DocumentId::new("d"),
        title: "fuzz".into(),
        source: ImportSource {
            media: "0".repeat(64),
            bytes: data.len() as u64,
        },
        content: Box::new(imported.content),
    });
    let Ok(events) = Document::default().decide(&command, &model) else {
        return;
    };
    let mut doc = Document::default();
    for event in &events {
        doc.try_apply(event).expect("decided import events fit");
    }
    let options = RenderOptions {
        media: imported
            .media
            .into_iter()
            .map(|(k, v)| (k, std::sync::Arc::from(v)))
            .collect(),
        source: Some(std::sync::Arc::from(data)),
        ..RenderOptions::default()
    };
    let rendered = render_docx(&doc, &options).expect("an imported document renders");
    import_docx(&rendered, &limits, &model).expect("folio's own file imports");
});
