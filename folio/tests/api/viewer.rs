//! The history viewer at `/ui/`: served with its policy in both deployments, and used in
//! a real browser (Debian's Chromium driven by Playwright, `ui/tests/viewer.mjs`).

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

#[tokio::test]
async fn in_a_browser_a_reviewer_reads_the_history_and_an_editor_reverts() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let playwright = root.join(".npm-tools/node_modules/playwright-core");
    let Some(chromium) = chromium().filter(|_| playwright.exists()) else {
        eprintln!(
            "notice: Chromium or playwright-core is not installed (scripts/test-deps installs them); skipping the browser test"
        );
        return;
    };
    let app = crate::helpers::spawn_app().await;
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
                {"type": "add_paragraph", "text": "The tenant pays the rent monthly."}
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
        .env("FOLIO_URL", app.url("").trim_end_matches('/'))
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
