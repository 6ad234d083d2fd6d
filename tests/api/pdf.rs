//! PDF through LibreOffice (issue 26, its PDF part): page numbers computed, cached per
//! version, bounded in time; 503 `pdf_unavailable` where it cannot be made.

use serde_json::json;

use crate::helpers::{TestApp, pdf_text_pages, problem, spawn_app_with};

fn soffice_installed() -> bool {
    let found = std::process::Command::new("soffice")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        println!("skipped: LibreOffice (soffice) is not installed here");
    }
    found
}

/// A three-page document with "Page N of M" in its footer becomes a PDF whose second page
/// says "Page 2 of 3"; asked again, the same PDF comes from the cache; a past version has
/// its own PDF; over MCP it is an embedded resource.
async fn a_document_becomes_a_pdf_with_its_page_numbers(app: TestApp) {
    if !soffice_installed() {
        return;
    }
    // Arrange
    let id = app.create_document("Three pages").await;
    let answer = app
        .ok(
            &id,
            json!({"commands": [
                {"type": "set_footer", "text": "Page {PAGE} of {NUMPAGES}"},
                {"type": "add_paragraph", "text": "First page words."},
                {"type": "add_page_break"},
                {"type": "add_paragraph", "text": "Second page words."},
                {"type": "add_page_break"},
                {"type": "add_paragraph", "text": "Third page words."},
            ]}),
        )
        .await;
    let version = answer["version"].as_u64().unwrap();

    // Act
    let first = app
        .get(&format!("/v1/documents/{id}/pdf?min_version={version}"))
        .await;
    let content_type = first.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_string();
    let pdf = first.bytes().await.unwrap().to_vec();
    let again = app
        .get_bytes(&format!("/v1/documents/{id}/pdf?min_version={version}"))
        .await;
    let past = app
        .get_bytes(&format!("/v1/documents/{id}/pdf?version=3"))
        .await;

    // Assert
    assert_eq!(content_type, "application/pdf");
    let pages = pdf_text_pages(&pdf);
    assert_eq!(pages.len(), 3, "{pages:?}");
    assert!(pages[0].contains("First page words."), "{}", pages[0]);
    assert!(pages[1].contains("Second page words."), "{}", pages[1]);
    assert!(pages[1].contains("Page 2 of 3"), "{}", pages[1]);
    assert_eq!(again, pdf, "served again from the cache");
    let past_pages = pdf_text_pages(&past);
    assert_eq!(
        past_pages.len(),
        1,
        "version 3 has one page: {past_pages:?}"
    );
    assert!(past_pages[0].contains("First page words."));
}

in_both_deployments!(a_document_becomes_a_pdf_with_its_page_numbers);

/// A conversion past its time is stopped and answered 503 `pdf_unavailable`; without
/// LibreOffice the answer is the same code, saying how to install it; nothing is cached.
#[tokio::test]
async fn a_pdf_that_cannot_be_made_is_a_503_naming_why() {
    let timed_out = spawn_app_with(&["--pdf-timeout-secs", "0"]).await;
    let missing = spawn_app_with(&["--soffice", "/nonexistent/soffice"]).await;
    for (app, says) in [
        (&timed_out, "longer than"),
        (&missing, "could not be started"),
    ] {
        let id = app.create_document("No PDF").await;
        app.ok(&id, json!({"type": "add_paragraph", "text": "words"}))
            .await;
        let p = problem(
            app.get(&format!("/v1/documents/{id}/pdf?min_version=2"))
                .await,
            503,
        )
        .await;
        assert_eq!(p["code"], "pdf_unavailable", "{p}");
        assert!(p["detail"].as_str().unwrap().contains(says), "{p}");
        let blobs = app.data_dir().unwrap().join("blobs");
        let cached = walk(&blobs)
            .into_iter()
            .filter(|f| f.extension().is_some_and(|e| e == "pdf"))
            .count();
        assert_eq!(cached, 0, "nothing cached");
    }
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}

/// Many PDF requests at once never run more conversions than `--pdf-workers`: eight
/// versions asked for together with one worker, the running conversions sampled on
/// `/metrics` meanwhile.
#[tokio::test]
async fn pdf_conversions_never_exceed_the_workers() {
    if !soffice_installed() {
        return;
    }
    let app = spawn_app_with(&["--pdf-workers", "1"]).await;
    let id = app.create_document("Many versions").await;
    for i in 0..8 {
        app.ok(
            &id,
            json!({"type": "add_paragraph", "text": format!("line {i}")}),
        )
        .await;
    }
    let requests = (2..10).map(|version| {
        let request = app
            .client
            .get(app.url(&format!("/v1/documents/{id}/pdf?version={version}")));
        async move { request.send().await.unwrap().status().as_u16() }
    });
    let sampler = async {
        let mut seen = Vec::new();
        let started = std::time::Instant::now();
        while started.elapsed() < std::time::Duration::from_secs(60) {
            let metrics = crate::helpers::metrics_text(&app.base).await;
            let running = metrics
                .lines()
                .find_map(|l| l.strip_prefix("folio_pdf_conversions_running "))
                .and_then(|v| v.trim().parse::<f64>().ok())
                .unwrap_or(0.0);
            seen.push(running);
            if seen.len() > 20 && seen.iter().rev().take(10).all(|r| *r == 0.0) {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(25)).await;
        }
        seen
    };
    let (statuses, seen) = tokio::join!(futures::future::join_all(requests), sampler);
    assert!(statuses.iter().all(|s| *s == 200), "{statuses:?}");
    let most = seen.iter().copied().fold(0.0, f64::max);
    assert!(most <= 1.0, "{most} conversions ran at once");
    assert!(most >= 1.0, "a conversion was seen running");
}

/// The converter has no network: a stand-in for `soffice` (`--soffice`) that tries to
/// reach a server on this machine and writes what happened into the "PDF" finds itself
/// offline, and the server is never reached. Skipped where `unshare -rn` is not permitted.
#[tokio::test]
async fn the_converter_has_no_network() {
    let isolated = std::process::Command::new("unshare")
        .args(["-rn", "--", "true"])
        .status()
        .is_ok_and(|s| s.success());
    if !isolated {
        println!(
            "skipped: unshare -rn is not permitted here (folio then logs that it converts with the network)"
        );
        return;
    }
    // Arrange: a server to reach, and a converter that tries
    let server = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    server.set_nonblocking(true).unwrap();
    let port = server.local_addr().unwrap().port();
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("soffice");
    std::fs::write(
        &script,
        format!(
            r#"#!/usr/bin/env bash
out=""; prev=""
for a in "$@"; do [ "$prev" = "--outdir" ] && out="$a"; prev="$a"; done
mkdir -p "$out"
if (exec 3<>/dev/tcp/127.0.0.1/{port}) 2>/dev/null; then state=online; else state=offline; fi
printf '%%PDF-1.4 %s\n' "$state" > "$out/document.pdf"
"#
        ),
    )
    .unwrap();
    let mut permissions = std::fs::metadata(&script).unwrap().permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut permissions, 0o755);
    std::fs::set_permissions(&script, permissions).unwrap();
    let app = spawn_app_with(&["--soffice", script.to_str().unwrap()]).await;
    let id = app.create_document("Offline").await;

    // Act
    let pdf = app
        .get_bytes(&format!("/v1/documents/{id}/pdf?min_version=1"))
        .await;

    // Assert
    assert_eq!(String::from_utf8_lossy(&pdf).trim(), "%PDF-1.4 offline");
    assert!(server.accept().is_err(), "the converter reached the server");
}

/// `export?format=pdf` is the PDF `…/pdf` gives (the same bytes, from the cache), and so
/// is MCP's `export_document` with `format: "pdf"`, as an embedded resource.
#[tokio::test]
async fn a_pdf_is_also_an_export() {
    if !soffice_installed() {
        return;
    }
    // Arrange
    let app = spawn_app_with(&[]).await;
    let id = app.create_document("Exported").await;
    app.ok(
        &id,
        json!({"type": "add_paragraph", "text": "Exported words."}),
    )
    .await;

    // Act
    let export = app
        .get(&format!(
            "/v1/documents/{id}/export?format=pdf&min_version=2"
        ))
        .await;
    let content_type = export.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_string();
    let exported = export.bytes().await.unwrap().to_vec();
    let pdf = app.get_bytes(&format!("/v1/documents/{id}/pdf")).await;
    let tool = crate::mcp::call_tool(
        &app,
        "export_document",
        json!({"document_id": id, "format": "pdf"}),
    )
    .await;

    // Assert
    assert_eq!(content_type, "application/pdf");
    assert_eq!(exported, pdf, "the same PDF");
    assert!(pdf_text_pages(&pdf)[0].contains("Exported words."));
    assert_eq!(
        tool["structuredContent"]["mime_type"], "application/pdf",
        "{tool}"
    );
    let blob = tool["content"]
        .as_array()
        .unwrap()
        .iter()
        .find_map(|c| c["resource"]["blob"].as_str())
        .unwrap_or_else(|| panic!("an embedded resource: {tool}"));
    assert!(blob.starts_with("JVBER"), "a PDF, base64: {}", &blob[..20]);
}
