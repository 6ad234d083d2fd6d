//! The importer on the shared corpus of real files and on hostile files made here.

use std::path::PathBuf;

use super::*;

fn corpus() -> Option<Vec<(String, Vec<u8>)>> {
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
