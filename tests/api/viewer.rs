//! The history viewer at `/ui/`: served with its policy in both deployments, and used in
//! a real browser in both deployments (Debian's Chromium driven by Playwright,
//! `ui/tests/viewer.mjs`; the distributed one behind a test gateway).

use std::process::Command;

use serde_json::json;

const PASSWORD: &str = "correct horse battery staple";

async fn the_viewer_is_served_with_a_strict_policy(app: crate::helpers::TestApp) {
    let page = crate::helpers::client()
        .get(app.url("/ui/"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        page.status(),
        200,
        "the viewer needs no credentials to load"
    );
    let csp = page.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    for directive in [
        "default-src 'none'",
        "script-src 'self'",
        "connect-src 'self'",
    ] {
        assert!(csp.contains(directive), "{csp}");
    }
    assert!(!csp.contains("unsafe-inline") && !csp.contains("unsafe-eval"));
    let body = page.text().await.unwrap();
    assert!(body.contains(r#"<script type="module" src="app.js"></script>"#));
    assert!(
        !body.contains("http://") && !body.contains("https://"),
        "nothing from elsewhere"
    );
    let script = crate::helpers::client()
        .get(app.url("/ui/app.js"))
        .send()
        .await
        .unwrap();
    assert_eq!(script.status(), 200);
    assert!(
        script.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/javascript")
    );
    let redirect = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(app.url("/ui"))
        .send()
        .await
        .unwrap();
    assert_eq!(redirect.status(), 308);
    // The API behind it still wants credentials.
    let anonymous = crate::helpers::client()
        .get(app.url("/v1/documents"))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), 401);
}

in_both_deployments!(the_viewer_is_served_with_a_strict_policy);

/// Chromium, when installed (`scripts/test-deps` installs it).
fn chromium() -> Option<&'static str> {
    ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
        .into_iter()
        .find(|p| std::path::Path::new(p).exists())
}

/// A gateway like `deploy/gateway.conf`: `GET` and `HEAD` to the query side, everything
/// else to the command side (the same server when embedded). Returns its base URL.
fn gateway(app: &crate::helpers::TestApp) -> String {
    use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
    let (read, write) = (app.base.clone(), app.write_base.clone());
    let client = reqwest::Client::new();
    let forward = move |req: HttpRequest, body: web::Bytes| {
        let (client, read, write) = (client.clone(), read.clone(), write.clone());
        async move {
            let method = reqwest::Method::from_bytes(req.method().as_str().as_bytes()).unwrap();
            let upstream = if method == reqwest::Method::GET || method == reqwest::Method::HEAD {
                read
            } else {
                write
            };
            let mut outgoing = client.request(method, format!("{upstream}{}", req.uri()));
            for (name, value) in req.headers() {
                if name != "host" {
                    outgoing = outgoing.header(name.as_str(), value.as_bytes());
                }
            }
            let response = outgoing.body(body.to_vec()).send().await.unwrap();
            let mut answer = HttpResponse::build(
                actix_web::http::StatusCode::from_u16(response.status().as_u16()).unwrap(),
            );
            for (name, value) in response.headers() {
                if name != "content-length" && name != "transfer-encoding" {
                    answer.insert_header((name.as_str(), value.as_bytes()));
                }
            }
            answer.body(response.bytes().await.unwrap())
        }
    };
    // Its own thread and runtime: the test blocks its own while the browser runs.
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        actix_web::rt::System::new().block_on(async move {
            let server =
                HttpServer::new(move || App::new().default_service(web::to(forward.clone())))
                    .workers(1)
                    .bind("127.0.0.1:0")
                    .unwrap();
            tx.send(server.addrs()[0]).unwrap();
            server.run().await
        })
    });
    format!("http://{}", rx.recv().unwrap())
}

async fn in_a_browser_a_reviewer_reads_the_history_and_an_editor_reverts(
    app: crate::helpers::TestApp,
) {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let playwright = root.join(".npm-tools/node_modules/playwright-core");
    let Some(chromium) = chromium().filter(|_| playwright.exists()) else {
        eprintln!(
            "notice: Chromium or playwright-core is not installed (scripts/test-deps installs them); skipping the browser test"
        );
        return;
    };
    for (user, role) in [("erin", "editor"), ("victor", "viewer")] {
        let added = app.cli(
            &[
                "user",
                "add",
                user,
                "--tenant",
                "default",
                "--role",
                role,
                "--password-env",
                "VIEWER_TEST_PASSWORD",
            ],
            &[("VIEWER_TEST_PASSWORD", PASSWORD)],
        );
        assert!(added.status.success(), "{added:?}");
    }
    let id = app.create_document("Lease agreement").await;
    let first = app
        .ok(
            &id,
            json!({"commands": [
                {"type": "add_heading", "text": "Lease", "level": 1},
                {"type": "add_paragraph", "text": "The tenant pays the rent monthly."},
                {"type": "add_paragraph", "text": "<img src=x onerror=\"window.pwned=1\"><script>window.pwned=2</script>"},
                {"type": "add_comment", "block_index": 1, "start": 4, "end": 10, "text": "Who is the tenant?"},
                {"type": "add_footnote", "block_index": 1, "text": "Payable in euros."},
                {"type": "insert_text", "block_index": 1, "offset": 10, "text": " always", "suggest": true},
                {"type": "delete_text", "block_index": 1, "offset": 16, "length": 4, "suggest": true},
                {"type": "insert_text", "block_index": 0, "offset": 5, "text": " agreement", "suggest": true}
            ]}),
        )
        .await;
    let from = first["version"].as_u64().unwrap();
    let second = app
        .ok(
            &id,
            json!({"type": "replace_text", "find": "monthly", "replace": "quarterly in advance"}),
        )
        .await;
    let to = second["version"].as_u64().unwrap();
    // A document of another tenant.
    let stranger = crate::helpers::keyed_client(&app.create_key("elsewhere", "read,write"));
    let other: serde_json::Value = stranger
        .post(app.write_url("/v1/documents"))
        .json(&json!({"title": "Not yours"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let screenshot = std::env::var("FOLIO_UI_SCREENSHOT").ok();
    let output = Command::new("node")
        .arg(root.join("ui/tests/viewer.mjs"))
        .env("PLAYWRIGHT_FROM", playwright.join("package.json"))
        .env("FOLIO_URL", gateway(&app))
        .env("EDITOR", "erin")
        .env("VIEWER", "victor")
        .env("PASSWORD", PASSWORD)
        .env("DOC_ID", &id)
        .env("DOC_TITLE", "Lease agreement")
        .env("OTHER_DOC_ID", other["id"].as_str().unwrap())
        .env("FROM", from.to_string())
        .env("TO", to.to_string())
        .env("INSERTED", "quarterly")
        .env("CHROMIUM", chromium)
        .env("SCREENSHOT", screenshot.unwrap_or_default())
        .env(
            "FAILURE_SCREENSHOT",
            std::env::temp_dir().join("folio-viewer-failure.png"),
        )
        .output()
        .expect("node runs");
    assert!(
        output.status.success(),
        "the browser test failed:\n{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    let facts: serde_json::Value =
        serde_json::from_slice(output.stdout.split(|b| *b == b'\n').next().unwrap()).unwrap();
    assert!(facts["timeline"].as_u64().unwrap() >= 4, "{facts}");
    assert!(facts["redline"]["bytes"].as_u64().unwrap() > 1000);
    // The reply and the resolution made in the browser are the editor's.
    let history = app.get_json(&format!("/v1/documents/{id}/history")).await;
    let by = |kind: &str| {
        history["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["type"] == kind)
            .map(|e| e["actor"].clone())
    };
    assert_eq!(by("CommentReplied"), Some(json!("user:erin")), "{history}");
    assert_eq!(by("CommentResolved"), Some(json!("user:erin")));
    assert_eq!(by("SuggestionAccepted"), Some(json!("user:erin")));
    assert_eq!(by("SuggestionRejected"), Some(json!("user:erin")));
    // The revert made in the browser is in the history, by the editor, with its reason.
    let history = app
        .get_json(&format!("/v1/documents/{id}/history?type=DocumentReverted"))
        .await;
    let reverted = &history["items"][0];
    assert_eq!(reverted["actor"], "user:erin", "{history}");
    assert_eq!(reverted["payload"]["version"], from);
    let text = app
        .get(&format!("/v1/documents/{id}/text"))
        .await
        .text()
        .await
        .unwrap();
    assert!(text.contains("pays the rent monthly"), "{text}");
}

in_both_deployments!(in_a_browser_a_reviewer_reads_the_history_and_an_editor_reverts);
