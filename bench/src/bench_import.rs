//! `folio-bench --import`: a 10,000-paragraph .docx read by folio's import beside
//! python-docx opening the same file and reading every paragraph, in the same run.
//!
//! python-docx writes the file (paragraphs, a heading every 50, some bold and italic
//! runs, a table every 500 paragraphs) and then times opening it and reading the text of
//! every paragraph and table cell. folio reads the same file: the package gate, the
//! XML reader and the mapping to blocks (`import_docx`), then the import decided and
//! applied by the domain (what `POST /v1/documents/import` does before it appends). Each
//! side runs `--runs` times and reports its median.

use std::path::Path;
use std::time::Instant;

use anyhow::{Context, bail};
use serde_json::Value;

use crate::bench_images::median;

/// Writes the file, then times opening and reading it; prints `{"seconds", "bytes",
/// "paragraphs"}`. Arguments: the file to write, paragraphs, runs.
const PYTHON: &str = r#"
import json, os, statistics, sys, time
import docx

path, paragraphs, runs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
d = docx.Document()
for i in range(paragraphs):
    if i % 50 == 0:
        d.add_heading(f"Section {i}", level=1 + (i // 50) % 3)
    elif i % 500 == 499:
        t = d.add_table(rows=3, cols=3)
        for r, row in enumerate(t.rows):
            for c, cell in enumerate(row.cells):
                cell.text = f"cell {i}.{r}.{c}"
    else:
        p = d.add_paragraph(f"Paragraph {i}: the supplier shall deliver the goods ")
        p.add_run("described in schedule").bold = True
        p.add_run(f" {i % 7}, ").italic = True
        p.add_run("within thirty days.")
d.save(path)
times = []
for _ in range(runs):
    start = time.perf_counter()
    doc = docx.Document(path)
    texts = [p.text for p in doc.paragraphs]
    for t in doc.tables:
        for row in t.rows:
            for cell in row.cells:
                texts.append(cell.text)
    times.append(time.perf_counter() - start)
print(json.dumps({"seconds": statistics.median(times), "bytes": os.path.getsize(path),
                  "paragraphs": len(doc.paragraphs)}))
"#;

/// What one run measured.
#[derive(Debug, serde::Serialize)]
pub(crate) struct ImportReport {
    paragraphs: u64,
    file_bytes: u64,
    blocks: usize,
    /// folio: gate, reader and mapping (median, s).
    folio_read_seconds: f64,
    /// folio: the import decided and applied by the domain (median, s).
    folio_decide_seconds: f64,
    /// python-docx: open and read every paragraph (median, s).
    python_docx_seconds: f64,
    /// python-docx's time over folio's reading.
    read_speedup: f64,
    /// python-docx's time over folio's reading, deciding and applying.
    total_speedup: f64,
}

/// Runs the comparison.
pub(crate) fn measure(python: &Path, paragraphs: u64, runs: usize) -> anyhow::Result<ImportReport> {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("bench.docx");
    let output = std::process::Command::new(python)
        .args(["-c", PYTHON])
        .arg(&path)
        .args([paragraphs.to_string(), runs.to_string()])
        .output()
        .with_context(|| format!("cannot run {} (python-docx)", python.display()))?;
    if !output.status.success() {
        bail!(
            "python-docx failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let python_docx: Value = serde_json::from_slice(&output.stdout)?;
    let bytes = std::fs::read(&path)?;
    let limits = docx_engine::ImportLimits::default();
    let model = domain::Limits::default();
    let mut read_times = Vec::new();
    let mut decide_times = Vec::new();
    let mut blocks = 0;
    for _ in 0..runs.max(1) {
        let started = Instant::now();
        let imported = docx_engine::import_docx(&bytes, &limits, &model)?;
        read_times.push(started.elapsed().as_secs_f64());
        blocks = imported.content.blocks.len();
        let command = domain::DocumentCommand::ImportDocument(domain::command::ImportDocument {
            document_id: domain::DocumentId::new("bench"),
            title: "Bench".into(),
            source: domain::ImportSource {
                media: "0".repeat(64),
                bytes: bytes.len() as u64,
            },
            content: Box::new(imported.content),
        });
        let started = Instant::now();
        let mut document = domain::Document::default();
        for event in domain::Document::default()
            .decide(&command, &model)
            .map_err(|e| anyhow::anyhow!("{e}"))?
        {
            document.apply(&event);
        }
        decide_times.push(started.elapsed().as_secs_f64());
    }
    let read = median(read_times);
    let decide = median(decide_times);
    let python_seconds = python_docx["seconds"]
        .as_f64()
        .context("python-docx's time")?;
    Ok(ImportReport {
        paragraphs,
        file_bytes: bytes.len() as u64,
        blocks,
        folio_read_seconds: read,
        folio_decide_seconds: decide,
        python_docx_seconds: python_seconds,
        read_speedup: python_seconds / read,
        total_speedup: python_seconds / (read + decide),
    })
}

pub(crate) fn print(r: &ImportReport) {
    println!(
        "a {}-paragraph .docx ({} bytes, {} blocks) read: folio beside python-docx, same run, medians",
        r.paragraphs, r.file_bytes, r.blocks
    );
    println!(
        "  folio        gate + reader + mapping {:>8.3} s   decide + apply {:>8.3} s",
        r.folio_read_seconds, r.folio_decide_seconds
    );
    println!(
        "  python-docx  open + read every paragraph {:>8.3} s",
        r.python_docx_seconds
    );
    println!(
        "  python-docx / folio: {:.1}× (reading), {:.1}× (reading + decide + apply)",
        r.read_speedup, r.total_speedup
    );
}
