//! `folio-bench --images`: a long document with pictures rendered as .docx, beside
//! python-docx building the same document, in the same run.
//!
//! The Python side writes the pictures (distinct PNGs, made with the standard library so
//! both sides read the same files), then builds the document with python-docx —
//! paragraphs, a heading every 50 blocks, a picture 80 mm wide at regular intervals — and
//! saves it; its time is the build and the save. folio's side takes the same files and
//! reports two times: the commands decided and applied to the model (what the write path
//! does as they arrive, once per edit in real use), and the render of that document to
//! .docx bytes (what the .docx materialiser and `GET …/docx` do). Each side runs
//! `--runs` times and reports its median.

use std::path::Path;
use std::time::Instant;

use anyhow::{Context, bail};
use base64::Engine as _;
use serde_json::{Value, json};

/// Builds the document with python-docx; prints `{"seconds", "bytes"}` (median of the
/// runs). Arguments: directory for the pictures, blocks, pictures, runs.
const PYTHON: &str = r#"
import io, json, os, statistics, struct, sys, time, zlib
import docx
from docx.shared import Mm

out_dir, blocks, images, runs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])

def png(w, h, seed):
    row = bytes((seed * 37 + x) % 256 for x in range(w * 3))
    raw = b"".join(b"\x00" + row for _ in range(h))
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))

paths = []
for i in range(images):
    path = os.path.join(out_dir, f"img{i}.png")
    with open(path, "wb") as f:
        f.write(png(320, 240, i))
    paths.append(path)
every = blocks // images
times = []
for _ in range(runs):
    start = time.perf_counter()
    d = docx.Document()
    for i in range(blocks):
        if i % every == every - 1:
            d.add_picture(paths[i // every], width=Mm(80))
        elif i % 50 == 0:
            d.add_heading(f"Section {i}", level=1)
        else:
            d.add_paragraph(f"Paragraph {i}: the supplier shall deliver the goods described in schedule {i % 7}.")
    buf = io.BytesIO()
    d.save(buf)
    times.append(time.perf_counter() - start)
print(json.dumps({"seconds": statistics.median(times), "bytes": len(buf.getvalue())}))
"#;

/// What one run measured.
#[derive(Debug, serde::Serialize)]
pub(crate) struct ImagesReport {
    blocks: u64,
    images: u64,
    /// folio: the commands decided and applied (median, s).
    folio_build_seconds: f64,
    /// folio: the render to .docx bytes (median, s).
    folio_render_seconds: f64,
    folio_bytes: usize,
    /// python-docx: build and save (median, s).
    python_docx_seconds: f64,
    python_docx_bytes: u64,
    /// python-docx's time over folio's render.
    render_speedup: f64,
    /// python-docx's time over folio's build and render together.
    total_speedup: f64,
}

/// The median of some times.
pub(crate) fn median(mut times: Vec<f64>) -> f64 {
    times.sort_by(f64::total_cmp);
    times[times.len() / 2]
}

/// The commands of the document: the same blocks as the Python side, in order.
fn commands(blocks: u64, pictures: &[Vec<u8>]) -> anyhow::Result<Vec<domain::DocumentCommand>> {
    let every = blocks / pictures.len() as u64;
    let mut out =
        vec![json!({"type": "create_document", "document_id": "bench", "title": "Pictures"})];
    for i in 0..blocks {
        out.push(if i % every == every - 1 {
            let picture = &pictures[(i / every) as usize];
            json!({"type": "add_image", "width_mm": 80,
                   "data_base64": base64::engine::general_purpose::STANDARD.encode(picture)})
        } else if i % 50 == 0 {
            json!({"type": "add_heading", "text": format!("Section {i}"), "level": 1})
        } else {
            json!({"type": "add_paragraph", "text": format!(
                "Paragraph {i}: the supplier shall deliver the goods described in schedule {}.",
                i % 7
            )})
        });
    }
    out.into_iter()
        .map(|c| serde_json::from_value(c).context("a bench command"))
        .collect()
}

/// Runs the comparison.
pub(crate) fn measure(
    python: &Path,
    blocks: u64,
    images: u64,
    runs: usize,
) -> anyhow::Result<ImagesReport> {
    if images == 0 || blocks < images {
        bail!("--images-count must be between 1 and the number of blocks");
    }
    let dir = tempfile::tempdir()?;
    let output = std::process::Command::new(python)
        .args(["-c", PYTHON])
        .arg(dir.path())
        .args([blocks.to_string(), images.to_string(), runs.to_string()])
        .output()
        .with_context(|| format!("cannot run {} (python-docx)", python.display()))?;
    if !output.status.success() {
        bail!(
            "python-docx failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let python_docx: Value = serde_json::from_slice(&output.stdout)?;
    let pictures = (0..images)
        .map(|i| std::fs::read(dir.path().join(format!("img{i}.png"))))
        .collect::<Result<Vec<_>, _>>()?;
    let commands = commands(blocks, &pictures)?;
    let limits = domain::Limits::default();

    let mut build_times = Vec::new();
    let mut render_times = Vec::new();
    let mut bytes = 0;
    for _ in 0..runs.max(1) {
        let started = Instant::now();
        let mut document = domain::Document::default();
        for command in &commands {
            for event in document
                .decide(command, &limits)
                .map_err(|e| anyhow::anyhow!("{e}"))?
            {
                document.apply(&event);
            }
        }
        build_times.push(started.elapsed().as_secs_f64());
        let mut options = docx_engine::RenderOptions::default();
        for (picture, (_, _, _, image)) in pictures.iter().zip(document.images()) {
            options.media.insert(
                image.media.clone(),
                std::sync::Arc::from(picture.as_slice()),
            );
        }
        let started = Instant::now();
        bytes = docx_engine::render_docx(&document, &options)?.len();
        render_times.push(started.elapsed().as_secs_f64());
    }
    let build = median(build_times);
    let render = median(render_times);
    let python_seconds = python_docx["seconds"]
        .as_f64()
        .context("python-docx's time")?;
    Ok(ImagesReport {
        blocks,
        images,
        folio_build_seconds: build,
        folio_render_seconds: render,
        folio_bytes: bytes,
        python_docx_seconds: python_seconds,
        python_docx_bytes: python_docx["bytes"].as_u64().unwrap_or(0),
        render_speedup: python_seconds / render,
        total_speedup: python_seconds / (build + render),
    })
}

pub(crate) fn print(r: &ImagesReport) {
    println!(
        "{} blocks with {} pictures (PNG, 80 mm wide) as .docx: folio beside python-docx, same run, medians",
        r.blocks, r.images
    );
    println!(
        "  folio        build (decide + apply) {:>8.3} s   render {:>8.3} s   {:>9} bytes",
        r.folio_build_seconds, r.folio_render_seconds, r.folio_bytes
    );
    println!(
        "  python-docx  build + save           {:>8.3} s                     {:>9} bytes",
        r.python_docx_seconds, r.python_docx_bytes
    );
    println!(
        "  python-docx / folio: {:.1}× (render), {:.1}× (build + render)",
        r.render_speedup, r.total_speedup
    );
}
