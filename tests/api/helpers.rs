//! `spawn_app()` and a `TestApp` whose methods read like the API, plus the independent
//! .docx checks.
//!
//! Over 800 lines: the whole harness every end-to-end test shares (processes, both
//! deployments, the HTTP helpers, the independent .docx readers), in one place.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use reqwest::{Response, StatusCode};
use serde_json::{Value, json};

/// A running `folio` process, killed on drop.
pub(crate) struct Process {
    child: Child,
    /// Where it listens.
    pub(crate) base: String,
    // Kept open: closing it would make the process's later writes to stdout fail.
    _stdout: BufReader<std::process::ChildStdout>,
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn log_enabled() -> bool {
    std::env::var_os("TEST_LOG").is_some()
}

impl Process {
    /// Starts `folio <args>` and waits for the address it prints first.
    pub(crate) fn start(args: &[String]) -> Self {
        let stderr = if log_enabled() {
            Stdio::inherit()
        } else {
            Stdio::null()
        };
        Self::spawn(args, if log_enabled() { "info" } else { "error" }, stderr)
    }

    /// Like [`Process::start`], logging at debug level into the file `log`.
    pub(crate) fn start_logging(args: &[String], log: &Path) -> Self {
        let file = std::fs::File::create(log).expect("a log file");
        Self::spawn(args, "debug", Stdio::from(file))
    }

    /// `folio serve` on the data directory `data`, logging at debug level into `log`
    /// (as JSON lines with `json`).
    pub(crate) fn serve_logging(data: &Path, log: &Path, json: bool) -> Self {
        let mut args: Vec<String> = if json {
            vec!["--log-json".into()]
        } else {
            Vec::new()
        };
        args.extend([
            "serve".into(),
            "--bind".into(),
            "127.0.0.1:0".into(),
            "--data-dir".into(),
            data.display().to_string(),
        ]);
        Self::start_logging(&args, log)
    }

    fn spawn(args: &[String], filter: &str, stderr: Stdio) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_folio-e2e"))
            .args(args)
            .env("RUST_LOG", filter)
            .stdout(Stdio::piped())
            .stderr(stderr)
            .spawn()
            .expect("folio binary starts");
        let stdout = child.stdout.take().expect("stdout is piped");
        let mut line = String::new();
        let mut reader = BufReader::new(stdout);
        reader
            .read_line(&mut line)
            .expect("folio prints its address");
        let base = line
            .trim()
            .strip_prefix("folio listening on ")
            .unwrap_or_else(|| panic!("unexpected first line of folio {args:?}: {line:?}"))
            .to_string();
        Self {
            child,
            base,
            _stdout: reader,
        }
    }

    /// Stops the process (and waits for it).
    pub(crate) fn terminate(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// What the process printed on stdout after the lines already read, up to its end
    /// (call after [`Process::terminate`]).
    pub(crate) fn rest_of_stdout(&mut self) -> String {
        let mut rest = String::new();
        let _ = std::io::Read::read_to_string(&mut self._stdout, &mut rest);
        rest
    }

    /// The next line the process prints on stdout.
    pub(crate) fn next_line(&mut self) -> String {
        let mut line = String::new();
        self._stdout
            .read_line(&mut line)
            .expect("folio prints a line");
        line.trim_end().to_string()
    }

    /// Kills the process at once (SIGKILL: no shutdown, no flush).
    pub(crate) fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An HTTP client that never reuses a connection the server may be closing: idle
/// connections are dropped well before the server's keep-alive (5 s) ends them.
/// The actor an API key (`folio_<id>_<secret>`) is recorded as: `key:<id>`.
pub(crate) fn actor_of(key: &str) -> String {
    let id = key
        .strip_prefix("folio_")
        .unwrap()
        .split('_')
        .next()
        .unwrap();
    format!("key:{id}")
}

pub(crate) fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .pool_idle_timeout(Duration::from_secs(2))
        .build()
        .expect("an HTTP client")
}

/// A [`client`] that sends `X-API-Key: key` on every request.
pub(crate) fn keyed_client(key: &str) -> reqwest::Client {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert("x-api-key", key.parse().expect("a key is a header value"));
    reqwest::Client::builder()
        .pool_idle_timeout(Duration::from_secs(2))
        .default_headers(headers)
        .build()
        .expect("an HTTP client")
}

/// The key printed on the bootstrap line of a first `folio serve`.
pub(crate) fn bootstrap_key(line: &str) -> String {
    assert!(
        line.starts_with("bootstrap admin API key of tenant default"),
        "expected the bootstrap key line, got {line:?}"
    );
    line.rsplit(' ').next().unwrap().to_string()
}

/// Which deployment a [`TestApp`] runs.
pub(crate) enum Deployment {
    /// `folio serve` on a temporary data directory.
    Embedded {
        dir: tempfile::TempDir,
        extra_args: Vec<String>,
        process: Option<Process>,
    },
    /// command-api, query-api and projector processes on a fresh database and stream.
    Distributed(crate::cluster::Cluster),
}

/// A running folio, driven over HTTP: writes go to `write_base`, reads to `base` (the
/// same address in the embedded deployment). `client` sends `key`, an admin key of the
/// default tenant (the bootstrap key in the embedded deployment).
pub(crate) struct TestApp {
    pub base: String,
    pub write_base: String,
    pub client: reqwest::Client,
    pub key: String,
    pub deployment: Deployment,
}

pub(crate) async fn spawn_app() -> TestApp {
    spawn_app_with(&[]).await
}

/// Starts the embedded binary with extra flags (limits).
pub(crate) async fn spawn_app_with(args: &[&str]) -> TestApp {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut app = TestApp {
        base: String::new(),
        write_base: String::new(),
        client: client(),
        key: String::new(),
        deployment: Deployment::Embedded {
            dir,
            extra_args: args.iter().map(|s| (*s).to_string()).collect(),
            process: None,
        },
    };
    app.start();
    app
}

/// Starts the distributed deployment (one command-api, one query-api, one projector).
pub(crate) async fn spawn_distributed() -> TestApp {
    TestApp::distributed(crate::cluster::Cluster::start(1, 1).await)
}

impl TestApp {
    /// An app over a running cluster: writes to its first command-api, reads from its
    /// query-api.
    pub(crate) fn distributed(cluster: crate::cluster::Cluster) -> Self {
        Self {
            base: cluster.query_base(),
            write_base: cluster.command_base(0),
            client: keyed_client(&cluster.admin_key),
            key: cluster.admin_key.clone(),
            deployment: Deployment::Distributed(cluster),
        }
    }

    /// The cluster of a distributed app.
    pub(crate) fn cluster_ref(&self) -> &crate::cluster::Cluster {
        match &self.deployment {
            Deployment::Distributed(c) => c,
            Deployment::Embedded { .. } => panic!("not a distributed app"),
        }
    }

    fn start(&mut self) {
        if let Deployment::Embedded {
            dir,
            extra_args,
            process,
        } = &mut self.deployment
        {
            let mut args: Vec<String> = [
                "serve",
                "--bind",
                "127.0.0.1:0",
                "--workers",
                "2",
                "--data-dir",
            ]
            .map(String::from)
            .to_vec();
            args.push(dir.path().display().to_string());
            // Tests send bursts far above the default per-principal rate; the rate-limit
            // tests set their own.
            if !extra_args.iter().any(|a| a == "--rate-limit-per-second") {
                args.extend(["--rate-limit-per-second".into(), "0".into()]);
            }
            args.extend(extra_args.iter().cloned());
            let mut started = Process::start(&args);
            if self.key.is_empty() {
                self.key = bootstrap_key(&started.next_line());
                self.client = keyed_client(&self.key);
            }
            self.base.clone_from(&started.base);
            self.write_base.clone_from(&started.base);
            *process = Some(started);
        }
    }

    /// The peak resident memory of the embedded server (`VmHWM`, KiB), if readable.
    pub(crate) fn peak_memory_kib(&self) -> Option<u64> {
        self.memory_kib("VmHWM:")
    }

    /// The resident memory of the embedded server now (`VmRSS`, KiB), if readable.
    pub(crate) fn memory_now_kib(&self) -> Option<u64> {
        self.memory_kib("VmRSS:")
    }

    fn memory_kib(&self, field: &str) -> Option<u64> {
        let Deployment::Embedded {
            process: Some(p), ..
        } = &self.deployment
        else {
            return None;
        };
        let status = std::fs::read_to_string(format!("/proc/{}/status", p.child.id())).ok()?;
        status
            .lines()
            .find_map(|l| l.strip_prefix(field))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
    }

    /// The embedded server's data directory.
    pub(crate) fn data_dir(&self) -> Option<&Path> {
        match &self.deployment {
            Deployment::Embedded { dir, .. } => Some(dir.path()),
            Deployment::Distributed(_) => None,
        }
    }

    pub(crate) fn stop(&mut self) {
        if let Deployment::Embedded { process, .. } = &mut self.deployment {
            *process = None;
        }
    }

    /// Stops the embedded process and starts a new one on the same data directory.
    pub(crate) fn restart(&mut self) {
        self.stop();
        self.start();
    }

    /// The cluster of a distributed app.
    pub(crate) fn cluster(&mut self) -> &mut crate::cluster::Cluster {
        match &mut self.deployment {
            Deployment::Distributed(c) => c,
            Deployment::Embedded { .. } => panic!("not a distributed app"),
        }
    }

    /// Runs `folio <args>` against this app's credential store (`--data-dir` or
    /// `--database-url`), with extra environment variables; returns its output.
    pub(crate) fn cli(&self, args: &[&str], env: &[(&str, &str)]) -> std::process::Output {
        let mut command = Command::new(env!("CARGO_BIN_EXE_folio-e2e"));
        command.args(args).envs(env.iter().copied());
        match &self.deployment {
            Deployment::Embedded { dir, .. } => command.arg("--data-dir").arg(dir.path()),
            Deployment::Distributed(c) => command.args(["--database-url", &c.database.url]),
        };
        command.output().expect("folio runs")
    }

    /// A new API key of `tenant` with `scopes` (comma-separated), made with the CLI.
    pub(crate) fn create_key(&self, tenant: &str, scopes: &str) -> String {
        self.create_named_key(tenant, "test", scopes)
    }

    /// A new API key named `name` (the name its comments are signed with).
    pub(crate) fn create_named_key(&self, tenant: &str, name: &str, scopes: &str) -> String {
        let output = succeeded(self.cli(
            &[
                "api-key", "create", "--tenant", tenant, "--name", name, "--scopes", scopes,
            ],
            &[],
        ));
        let created: Value = serde_json::from_slice(&output.stdout).unwrap();
        created["key"].as_str().unwrap().to_string()
    }

    /// The actor `app.key` is recorded as: `key:<id>`.
    pub(crate) fn key_actor(&self) -> String {
        actor_of(&self.key)
    }

    /// The secret the app signs tokens with (for forging tokens in tests).
    pub(crate) fn jwt_secret(&self) -> String {
        match &self.deployment {
            Deployment::Embedded { dir, .. } => {
                std::fs::read_to_string(dir.path().join("jwt-secret")).unwrap()
            }
            Deployment::Distributed(_) => crate::cluster::JWT_SECRET.to_string(),
        }
    }

    /// A URL on the write side.
    pub(crate) fn write_url(&self, path: &str) -> String {
        format!("{}{path}", self.write_base)
    }

    pub(crate) fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub(crate) async fn get(&self, path: &str) -> Response {
        self.client.get(self.url(path)).send().await.unwrap()
    }

    pub(crate) async fn get_json(&self, path: &str) -> Value {
        let response = self.get(path).await;
        assert_eq!(response.status(), StatusCode::OK, "GET {path}");
        response.json().await.unwrap()
    }

    pub(crate) async fn get_text(&self, path: &str) -> String {
        let response = self.get(path).await;
        assert_eq!(response.status(), StatusCode::OK, "GET {path}");
        response.text().await.unwrap()
    }

    pub(crate) async fn get_bytes(&self, path: &str) -> Vec<u8> {
        let response = self.get(path).await;
        assert_eq!(response.status(), StatusCode::OK, "GET {path}");
        response.bytes().await.unwrap().to_vec()
    }

    /// Creates a document; returns its id.
    pub(crate) async fn create_document(&self, title: &str) -> String {
        self.create_document_as(&self.client, title).await
    }

    /// Creates a document with another client (another key, another tenant).
    pub(crate) async fn create_document_as(&self, client: &reqwest::Client, title: &str) -> String {
        let response = client
            .post(self.write_url("/v1/documents"))
            .json(&json!({ "title": title }))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::CREATED);
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["version"], 1);
        body["id"].as_str().unwrap().to_string()
    }

    /// Sends a command body (one command or a batch) as raw text.
    pub(crate) async fn post_raw(
        &self,
        id: &str,
        body: &str,
        headers: &[(&str, &str)],
    ) -> Response {
        self.post_raw_to(&format!("/v1/documents/{id}/commands"), body, headers)
            .await
    }

    /// Posts `body` to `path` (a document's commands, with its query) with `headers`.
    pub(crate) async fn post_raw_to(
        &self,
        path: &str,
        body: &str,
        headers: &[(&str, &str)],
    ) -> Response {
        let mut request = self
            .client
            .post(self.write_url(path))
            .header("content-type", "application/json")
            .body(body.to_string());
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        request.send().await.unwrap()
    }

    pub(crate) async fn command(&self, id: &str, command: Value) -> Response {
        self.post_raw(id, &command.to_string(), &[]).await
    }

    /// Sends a command that must succeed; returns the result body.
    pub(crate) async fn ok(&self, id: &str, command: Value) -> Value {
        self.ok_as(&self.client, id, command).await
    }

    /// Sends a command as `client` (another principal).
    pub(crate) async fn command_as(
        &self,
        client: &reqwest::Client,
        id: &str,
        command: Value,
    ) -> Response {
        client
            .post(self.write_url(&format!("/v1/documents/{id}/commands")))
            .json(&command)
            .send()
            .await
            .unwrap()
    }

    /// Sends a command as `client` that must succeed; returns the result body.
    pub(crate) async fn ok_as(&self, client: &reqwest::Client, id: &str, command: Value) -> Value {
        let response = self.command_as(client, id, command.clone()).await;
        let status = response.status();
        let body: Value = response.json().await.unwrap();
        assert_eq!(status, StatusCode::OK, "{command} -> {body}");
        body
    }

    /// Archives a document.
    pub(crate) async fn archive(&self, id: &str) -> Response {
        self.client
            .delete(self.write_url(&format!("/v1/documents/{id}")))
            .send()
            .await
            .unwrap()
    }

    /// Appends an event straight into the event store, behind folio's back (as a store
    /// written by another build, or damaged, may hold it): the next sequence of document
    /// `id`, with the metadata of its last event.
    pub(crate) async fn inject_event(&self, id: &str, event_type: &str, payload: &str) {
        const SQL: &str = "INSERT INTO events \
            (aggregate_type, aggregate_id, sequence, event_type, event_version, payload, metadata) \
            SELECT aggregate_type, aggregate_id, sequence + 1, $1, '1.0', $2, metadata \
            FROM events WHERE aggregate_id = $3 ORDER BY sequence DESC LIMIT 1";
        macro_rules! insert {
            ($pool:expr, $sql:expr) => {{
                let done = sqlx::query($sql)
                    .bind(event_type)
                    .bind(payload)
                    .bind(id)
                    .execute($pool)
                    .await
                    .unwrap();
                assert_eq!(done.rows_affected(), 1);
            }};
        }
        match &self.deployment {
            Deployment::Embedded { dir, .. } => {
                let url = format!("sqlite://{}", dir.path().join("events.db").display());
                insert!(&sqlx::SqlitePool::connect(&url).await.unwrap(), SQL);
            }
            // JSONB: a payload that is not JSON cannot be stored here at all.
            Deployment::Distributed(cluster) => insert!(
                &cluster.database.pool().await,
                &SQL.replace("$2", "$2::jsonb")
            ),
        }
    }

    /// The current version, read from the write side's answer to a no-op read.
    pub(crate) async fn version(&self, id: &str) -> u64 {
        let history = self
            .get_json(&format!("/v1/documents/{id}/history?limit=200"))
            .await;
        history["items"]
            .as_array()
            .unwrap()
            .last()
            .map_or(0, |e| e["sequence"].as_u64().unwrap())
    }
}

/// The Prometheus text `/metrics` of the server at `base` serves.
pub(crate) async fn metrics_text(base: &str) -> String {
    client()
        .get(format!("{base}/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

/// `output` of a command that must have succeeded (its stderr otherwise).
pub(crate) fn succeeded(output: std::process::Output) -> std::process::Output {
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

/// Reads a problem+json answer, checking status and content type.
pub(crate) async fn problem(response: Response, status: u16) -> Value {
    assert_eq!(response.status().as_u16(), status);
    let content_type = response
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_string());
    assert_eq!(content_type.as_deref(), Some("application/problem+json"));
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["status"], status);
    assert!(
        body["type"]
            .as_str()
            .unwrap()
            .starts_with("urn:folio:problem:")
    );
    body
}

/// The names of the fields a problem blames.
pub(crate) fn fields(problem: &Value) -> Vec<String> {
    problem["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .map(|e| e["field"].as_str().unwrap().to_string())
                .collect()
        })
        .unwrap_or_default()
}

pub(crate) fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ is inside the workspace")
        .to_path_buf()
}

/// The virtualenv with python-docx and openxml-audit (made by `scripts/test-deps`).
pub(crate) fn venv_bin(tool: &str) -> PathBuf {
    let dir = std::env::var_os("FOLIO_TEST_VENV")
        .map_or_else(|| workspace_root().join(".venv"), PathBuf::from);
    let path = dir.join("bin").join(tool);
    assert!(
        path.exists(),
        "{} is missing: run scripts/test-deps (the README's test command does)",
        path.display()
    );
    path
}

const READ_DOCX: &str = r#"
import json, sys, docx
d = docx.Document(sys.argv[1])
def pt(length):
    return None if length is None else round(length.pt, 2)
def fmt(p):
    f = p.paragraph_format
    return {"space_before": pt(f.space_before), "space_after": pt(f.space_after),
            "line_spacing": f.line_spacing if isinstance(f.line_spacing, float) else None,
            "left_indent": pt(f.left_indent), "right_indent": pt(f.right_indent),
            "first_line_indent": pt(f.first_line_indent),
            "keep_with_next": f.keep_with_next, "page_break_before": f.page_break_before}
def numbered(p):
    ppr = p._p.pPr
    if ppr is None or ppr.numPr is None: return None
    return {"num": ppr.numPr.numId.val, "level": ppr.numPr.ilvl.val if ppr.numPr.ilvl is not None else 0}
def links(p):
    return [{"text": h.text, "address": h.address, "fragment": h.fragment} for h in p.hyperlinks]
def runs(p):
    return [{"text": r.text, "superscript": r.font.superscript, "subscript": r.font.subscript,
             "small_caps": r.font.small_caps, "bold": r.bold, "style": r.style.name if r.style else None} for r in p.runs]
def style(s):
    out = {"id": s.style_id, "name": s.name, "type": str(s.type), "base": s.base_style.name if getattr(s, "base_style", None) else None}
    font = getattr(s, "font", None)
    if font is not None:
        out.update({"bold": font.bold, "italic": font.italic,
                    "size": font.size.pt if font.size else None, "font": font.name,
                    "color": str(font.color.rgb) if font.color and font.color.type else None})
    return out
def bookmarks(p):
    return [b.get(docx.oxml.ns.qn("w:name")) for b in p._p.iter(docx.oxml.ns.qn("w:bookmarkStart"))]
def hf(part):
    return None if part.is_linked_to_previous else "\n".join(p.text for p in part.paragraphs)
def section(s):
    return {"orientation": str(s.orientation), "page_width_mm": round(s.page_width.mm, 1),
            "page_height_mm": round(s.page_height.mm, 1), "left_margin_mm": round(s.left_margin.mm, 1),
            "top_margin_mm": round(s.top_margin.mm, 1),
            "different_first_page": s.different_first_page_header_footer,
            "header": hf(s.header), "footer": hf(s.footer), "first_page_header": hf(s.first_page_header),
            "even_page_footer": hf(s.even_page_footer)}
def shape(sh):
    import hashlib
    rid = sh._inline.graphic.graphicData.pic.blipFill.blip.embed
    part = d.part.related_parts[rid]
    return {"type": str(sh.type), "width_mm": round(sh.width.mm, 1), "height_mm": round(sh.height.mm, 1),
            "descr": sh._inline.docPr.get("descr"), "content_type": part.content_type,
            "partname": str(part.partname), "sha256": hashlib.sha256(part.blob).hexdigest()}
def cell(c):
    return {"paragraphs": [p.text for p in c.paragraphs], "styles": [p.style.name for p in c.paragraphs],
            "numbered": [numbered(p) for p in c.paragraphs],
            "tables": [[[x.text for x in r.cells] for r in t.rows] for t in c.tables]}
out = {
  "inline_shapes": [shape(sh) for sh in d.inline_shapes],
  "cells": [[[cell(c) for c in r.cells] for r in t.rows] for t in d.tables],
  "styles": [style(s) for s in d.styles],
  "sections": [dict(section(s), start=str(s.start_type)) for s in d.sections],
  "paragraphs": [{"style": p.style.name, "text": p.text, "list": numbered(p), "format": fmt(p),
                  "links": links(p), "runs": runs(p), "bookmarks": bookmarks(p)} for p in d.paragraphs],
  "tables": [[[c.text for c in r.cells] for r in t.rows] for t in d.tables],
  "table_styles": [t.style.name if t.style else None for t in d.tables],
  "table_bold": [[[any(r.bold for p in c.paragraphs for r in p.runs) for c in row.cells] for row in t.rows] for t in d.tables],
  "table_layout": [{"spans": [[t.cell(r, c)._tc.grid_span for c in range(len(t.columns))] for r in range(len(t.rows))],
                    "same_as_first": [[t.cell(r, c)._tc is t.cell(0, 0)._tc for c in range(len(t.columns))] for r in range(len(t.rows))],
                    "widths_mm": [round(col.width.mm, 1) if col.width else None for col in t.columns]} for t in d.tables],
  "comments": [{"id": c.comment_id, "author": c.author, "initials": c.initials, "text": c.text}
               for c in d.comments],
  "core": {"title": d.core_properties.title, "author": d.core_properties.author,
           "subject": d.core_properties.subject, "keywords": d.core_properties.keywords,
           "revision": d.core_properties.revision},
}
print(json.dumps(out))
"#;

/// Reads a .docx with python-docx: paragraphs (style, text, list numbering, format,
/// hyperlinks, runs with their vertical alignment and small capitals, bookmarks), tables,
/// core properties.
pub(crate) fn python_docx(bytes: &[u8]) -> Value {
    let file = tempfile::Builder::new().suffix(".docx").tempfile().unwrap();
    std::fs::write(file.path(), bytes).unwrap();
    let output = Command::new(venv_bin("python"))
        .args(["-c", READ_DOCX])
        .arg(file.path())
        .output()
        .expect("python runs");
    assert!(
        output.status.success(),
        "python-docx failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

/// The text of one entry of a .docx package.
pub(crate) fn zip_entry(docx: &[u8], name: &str) -> String {
    zip_entry_opt(docx, name).unwrap_or_else(|| panic!("the package has no {name}"))
}

/// The text of one entry of a .docx package, if it has it.
pub(crate) fn zip_entry_opt(docx: &[u8], name: &str) -> Option<String> {
    use std::io::Read;
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(docx)).unwrap();
    let mut text = String::new();
    zip.by_name(name).ok()?.read_to_string(&mut text).ok()?;
    Some(text)
}

/// Validates `rendered` (made from `original`) with openxml-audit: no more findings than
/// the original has.
pub(crate) fn assert_valid_ooxml_as(original: &[u8], rendered: &[u8], name: &str) {
    let count = |bytes: &[u8]| -> usize {
        let file = tempfile::Builder::new().suffix(".docx").tempfile().unwrap();
        std::fs::write(file.path(), bytes).unwrap();
        let output = Command::new(venv_bin("openxml-audit"))
            .arg(file.path())
            .output()
            .expect("openxml-audit runs");
        let report = String::from_utf8_lossy(&output.stdout);
        report
            .lines()
            .find_map(|l| l.strip_prefix("Errors: "))
            .and_then(|n| n.trim().parse().ok())
            .unwrap_or(usize::MAX)
    };
    let (before, after) = (count(original), count(rendered));
    assert!(
        after <= before,
        "{name}: openxml-audit finds {after} problems, the original {before}"
    );
}

/// Validates a .docx with openxml-audit; panics with its findings unless there are none.
pub(crate) fn assert_valid_ooxml(bytes: &[u8]) {
    let file = tempfile::Builder::new().suffix(".docx").tempfile().unwrap();
    std::fs::write(file.path(), bytes).unwrap();
    let output = Command::new(venv_bin("openxml-audit"))
        .args(["--max-errors", "0"])
        .arg(file.path())
        .output()
        .expect("openxml-audit runs");
    let report = String::from_utf8_lossy(&output.stdout);
    assert!(
        report.contains("Errors: 0"),
        "openxml-audit found problems:\n{report}{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// Converts a .docx with LibreOffice when it is installed (`target` is a conversion like
/// `txt:Text` or `html`, `extension` the file it writes); `None` (with a printed notice)
/// when it is not.
pub(crate) fn libreoffice_convert(bytes: &[u8], target: &str, extension: &str) -> Option<String> {
    libreoffice_convert_bytes(bytes, target, extension)
        .map(|out| String::from_utf8(out).expect("LibreOffice wrote text"))
}

/// The size of each page, in points (width, height), of the PDF LibreOffice makes of a
/// .docx, read by `pdfinfo`; `None` where LibreOffice is absent.
pub(crate) fn pdf_page_sizes(bytes: &[u8]) -> Option<Vec<(f64, f64)>> {
    let pdf = libreoffice_convert_bytes(bytes, "pdf", "pdf")?;
    let file = tempfile::Builder::new().suffix(".pdf").tempfile().unwrap();
    std::fs::write(file.path(), pdf).unwrap();
    let output = Command::new("pdfinfo")
        .args(["-f", "1", "-l", "999"])
        .arg(file.path())
        .output()
        .expect("pdfinfo runs (scripts/test-deps installs poppler-utils)");
    assert!(output.status.success(), "pdfinfo failed");
    let text = String::from_utf8_lossy(&output.stdout);
    Some(
        text.lines()
            .filter(|l| l.starts_with("Page") && l.contains(" size:"))
            .filter_map(|l| {
                let dims = l.split("size:").nth(1)?;
                let mut numbers = dims.split_whitespace();
                let w = numbers.next()?.parse().ok()?;
                numbers.next(); // "x"
                let h = numbers.next()?.parse().ok()?;
                Some((w, h))
            })
            .collect(),
    )
}

/// The images of the PDF LibreOffice makes of a .docx, as `pdfimages -list` lists them
/// (page, width and height in pixels); `None` where LibreOffice is absent.
pub(crate) fn pdf_images(bytes: &[u8]) -> Option<Vec<(u32, u32, u32)>> {
    let pdf = libreoffice_convert_bytes(bytes, "pdf", "pdf")?;
    let file = tempfile::Builder::new().suffix(".pdf").tempfile().unwrap();
    std::fs::write(file.path(), pdf).unwrap();
    let output = Command::new("pdfimages")
        .arg("-list")
        .arg(file.path())
        .output()
        .expect("pdfimages runs (scripts/test-deps installs poppler-utils)");
    assert!(output.status.success(), "pdfimages failed");
    let text = String::from_utf8_lossy(&output.stdout);
    // Two heading lines, then: page num type width height …
    Some(
        text.lines()
            .skip(2)
            .filter_map(|l| {
                let cols: Vec<&str> = l.split_whitespace().collect();
                Some((
                    cols.first()?.parse().ok()?,
                    cols.get(3)?.parse().ok()?,
                    cols.get(4)?.parse().ok()?,
                ))
            })
            .collect(),
    )
}

/// The text of each page of the PDF LibreOffice makes of a .docx, read by `pdftotext`
/// (installed with LibreOffice by `scripts/test-deps`); `None` where LibreOffice is absent.
pub(crate) fn pdf_pages(bytes: &[u8]) -> Option<Vec<String>> {
    let pdf = libreoffice_convert_bytes(bytes, "pdf", "pdf")?;
    Some(pdf_text_pages(&pdf))
}

/// The text of each page of a PDF (pdftotext, layout kept).
pub(crate) fn pdf_text_pages(pdf: &[u8]) -> Vec<String> {
    let file = tempfile::Builder::new().suffix(".pdf").tempfile().unwrap();
    std::fs::write(file.path(), pdf).unwrap();
    let output = Command::new("pdftotext")
        .args(["-layout"])
        .arg(file.path())
        .arg("-")
        .output()
        .expect("pdftotext runs (scripts/test-deps installs poppler-utils)");
    assert!(output.status.success(), "pdftotext failed");
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    let mut pages: Vec<String> = text.split('\u{c}').map(str::to_string).collect();
    if pages.last().is_some_and(|p| p.trim().is_empty()) {
        pages.pop();
    }
    pages
}

fn libreoffice_convert_bytes(bytes: &[u8], target: &str, extension: &str) -> Option<Vec<u8>> {
    libreoffice_convert_many(&[bytes], target, extension).map(|mut out| out.remove(0))
}

/// Converts several .docx files in one LibreOffice run (much faster than one run each);
/// `None` (with a notice) where LibreOffice is not installed.
pub(crate) fn libreoffice_convert_many(
    files: &[&[u8]],
    target: &str,
    extension: &str,
) -> Option<Vec<Vec<u8>>> {
    let soffice = ["soffice", "libreoffice"].into_iter().find(|b| {
        Command::new(b)
            .arg("--version")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    });
    let Some(soffice) = soffice else {
        eprintln!("notice: LibreOffice is not installed; skipping the LibreOffice check");
        return None;
    };
    let dir = tempfile::tempdir().unwrap();
    let inputs: Vec<PathBuf> = files
        .iter()
        .enumerate()
        .map(|(i, bytes)| {
            let input = dir.path().join(format!("in{i}.docx"));
            std::fs::write(&input, bytes).unwrap();
            input
        })
        .collect();
    let profile = dir.path().join("profile");
    let out_dir = dir.path().join("out");
    let status = Command::new(soffice)
        .arg(format!(
            "-env:UserInstallation=file://{}",
            profile.display()
        ))
        .args([
            "--headless",
            "--infilter=MS Word 2007 XML",
            "--convert-to",
            target,
            "--outdir",
        ])
        .arg(&out_dir)
        .args(&inputs)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("LibreOffice runs");
    assert!(status.success());
    // LibreOffice exits 0 even when conversion fails: each file must exist.
    Some(
        (0..files.len())
            .map(|i| {
                let out = out_dir.join(format!("in{i}.{extension}"));
                assert!(out.exists(), "LibreOffice did not convert document {i}");
                std::fs::read(out).unwrap()
            })
            .collect(),
    )
}

/// The document as pandoc reads it, in pandoc's JSON AST (None, with a notice, where pandoc
/// is not installed; `scripts/test-deps` installs it).
pub(crate) fn pandoc_json(bytes: &[u8]) -> Option<Value> {
    let installed = Command::new("pandoc")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !installed {
        eprintln!("notice: pandoc is not installed; skipping the pandoc check");
        return None;
    }
    let file = tempfile::Builder::new().suffix(".docx").tempfile().unwrap();
    std::fs::write(file.path(), bytes).unwrap();
    let output = Command::new("pandoc")
        .args(["-f", "docx", "-t", "json"])
        .arg(file.path())
        .output()
        .expect("pandoc runs");
    assert!(
        output.status.success(),
        "pandoc could not read the .docx: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    Some(serde_json::from_slice(&output.stdout).expect("pandoc writes JSON"))
}

/// The plain text pandoc reads from a .docx, with tracked changes accepted or rejected
/// (`mode`); None (with a notice) where pandoc is not installed.
pub(crate) fn pandoc_text(bytes: &[u8], mode: &str) -> Option<String> {
    pandoc_json(bytes)?;
    let file = tempfile::Builder::new().suffix(".docx").tempfile().unwrap();
    std::fs::write(file.path(), bytes).unwrap();
    let output = Command::new("pandoc")
        .arg(format!("--track-changes={mode}"))
        .args(["-f", "docx", "-t", "plain", "--wrap=none"])
        .arg(file.path())
        .output()
        .expect("pandoc runs");
    assert!(output.status.success());
    Some(String::from_utf8_lossy(&output.stdout).into_owned())
}

/// The ids of the blocks a command answer says it created, in order.
pub(crate) fn created_ids(answer: &Value) -> Vec<String> {
    answer["created"]["block_ids"]
        .as_array()
        .expect("created block ids")
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect()
}

/// Polls a condition with a deadline (never a bare sleep).
pub(crate) async fn eventually<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while !check().await {
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
