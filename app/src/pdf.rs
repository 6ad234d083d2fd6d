//! PDF through LibreOffice headless: folio's own .docx of a version (never the user's
//! upload) converted by `soffice` in a bounded pool. Each conversion gets a private profile
//! and working directory (removed afterwards; two conversions sharing a profile make one
//! of them fail), runs in a process group of its own and is killed whole on timeout; the
//! exit code is never trusted, only a non-empty PDF is. LibreOffice is an optional part of
//! the runtime: without it, PDFs answer 503 `pdf_unavailable`.
//!
//! The converter has no network: it runs under `unshare -rn` (a user and network namespace
//! of its own, whose only interface is a loopback that is down), so no link a document
//! carries — a kept part of an imported file may name an external picture — is fetched.
//! Where the kernel does not allow that, folio says so once in its log (at the first
//! conversion) and converts without it.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use api_types::{ApiError, Code};

/// The converter: where `soffice` is, how many run at once, for how long.
#[derive(Debug, Clone)]
pub struct PdfConverter {
    soffice: Option<PathBuf>,
    slots: Arc<tokio::sync::Semaphore>,
    timeout: Duration,
}

impl Default for PdfConverter {
    fn default() -> Self {
        Self::new(None, 2, Duration::from_secs(60))
    }
}

impl PdfConverter {
    /// `workers` conversions at once, each within `timeout`, with `soffice` (or the one
    /// on the `PATH` when `None`).
    pub fn new(soffice: Option<PathBuf>, workers: usize, timeout: Duration) -> Self {
        Self {
            soffice: soffice.or_else(find_soffice),
            slots: Arc::new(tokio::sync::Semaphore::new(workers.max(1))),
            timeout,
        }
    }

    /// The PDF of a .docx.
    ///
    /// # Errors
    /// 503 `pdf_unavailable` without LibreOffice, when the conversion fails or runs past
    /// its time (it is killed, its files removed).
    pub async fn convert(&self, docx: Vec<u8>) -> Result<Vec<u8>, ApiError> {
        let Some(soffice) = self.soffice.clone() else {
            return Err(unavailable(
                "PDF export needs LibreOffice, which is not installed here: install it (Debian: apt-get install libreoffice-writer) or point --soffice at it",
            ));
        };
        let _slot = self
            .slots
            .acquire()
            .await
            .map_err(|e| ApiError::internal(&e))?;
        let _running = Running::start();
        let work = tempfile::tempdir().map_err(|e| ApiError::internal(&e))?;
        let (profile, input, out) = (
            work.path().join("profile"),
            work.path().join("document.docx"),
            work.path().join("out"),
        );
        tokio::fs::write(&input, &docx)
            .await
            .map_err(|e| ApiError::internal(&e))?;
        if !soffice.is_file() {
            return Err(unavailable(&format!(
                "LibreOffice could not be started: {} is not there",
                soffice.display()
            )));
        }
        let mut command = match network_isolation().await {
            Some(unshare) => {
                let mut c = tokio::process::Command::new(unshare);
                c.args(["-rn", "--"]).arg(&soffice);
                c
            }
            None => tokio::process::Command::new(&soffice),
        };
        command
            .arg(format!(
                "-env:UserInstallation=file://{}",
                profile.display()
            ))
            .args([
                "--headless",
                "--norestore",
                "--nologo",
                "--nodefault",
                "--nolockcheck",
                "--infilter=MS Word 2007 XML",
                "--convert-to",
                "pdf",
                "--outdir",
            ])
            .arg(&out)
            .arg(&input)
            .env("HOME", work.path())
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .process_group(0)
            .kill_on_drop(true);
        let mut child = command
            .spawn()
            .map_err(|e| unavailable(&format!("LibreOffice could not be started: {e}")))?;
        let group = child.id();
        let finished = tokio::time::timeout(self.timeout, child.wait()).await;
        // Whatever happened, nothing of the conversion stays behind: soffice forks
        // (oosplash, soffice.bin), so the whole process group is killed.
        if let Some(group) = group {
            kill_group(group).await;
        }
        if finished.is_err() {
            return Err(unavailable(&format!(
                "the PDF conversion took longer than {} s and was stopped",
                self.timeout.as_secs()
            )));
        }
        let pdf = tokio::fs::read(out.join("document.pdf")).await.ok();
        drop(work);
        match pdf {
            Some(pdf) if pdf.starts_with(b"%PDF") => Ok(pdf),
            _ => Err(unavailable(
                "LibreOffice did not make a PDF of this document",
            )),
        }
    }
}

/// Counts a conversion in `folio_pdf_conversions_running` while it runs.
struct Running;

impl Running {
    fn start() -> Self {
        metrics::gauge!("folio_pdf_conversions_running").increment(1.0);
        Self
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        metrics::gauge!("folio_pdf_conversions_running").decrement(1.0);
    }
}

/// Kills every process of a group (the conversion's), with `kill` (no unsafe code).
async fn kill_group(group: u32) {
    let _ = tokio::process::Command::new("kill")
        .args(["-KILL", "--", &format!("-{group}")])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .await;
}

fn unavailable(detail: &str) -> ApiError {
    ApiError::Unavailable {
        code: Code::PdfUnavailable,
        detail: detail.to_string(),
    }
}

/// `unshare` on the `PATH`, if it can run a program in a user and network namespace of
/// its own here: tried once per process, at the first conversion (a process that makes no
/// PDF never spawns it); where it cannot, that is logged then, once.
async fn network_isolation() -> Option<&'static PathBuf> {
    static ISOLATION: tokio::sync::OnceCell<Option<PathBuf>> = tokio::sync::OnceCell::const_new();
    ISOLATION
        .get_or_init(|| async {
            let unshare = find_on_path(&["unshare"]);
            let works = match &unshare {
                Some(unshare) => tokio::process::Command::new(unshare)
                    .args(["-rn", "--", "true"])
                    .stdin(std::process::Stdio::null())
                    .stdout(std::process::Stdio::null())
                    .stderr(std::process::Stdio::null())
                    .status()
                    .await
                    .is_ok_and(|s| s.success()),
                None => false,
            };
            if !works {
                tracing::warn!(
                    "PDF conversions run with the network: `unshare -rn` is not available or not permitted here"
                );
            }
            unshare.filter(|_| works)
        })
        .await
        .as_ref()
}

/// The first of `names` found on the `PATH`.
fn find_on_path(names: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|dir| names.iter().map(move |n| dir.join(n)))
        .find(|candidate| candidate.is_file())
}

/// `soffice` (or `libreoffice`) on the `PATH`.
fn find_soffice() -> Option<PathBuf> {
    find_on_path(&["soffice", "libreoffice"])
}
