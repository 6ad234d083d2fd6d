//! MCP, checked with the official clients: the Python SDK (`mcp`, which validates every
//! structured result against the tool's output schema) over streamable HTTP with an
//! `X-API-Key` header and over stdio (`folio mcp`), and the MCP Inspector CLI over stdio —
//! in both deployments. Plus what the transport must refuse, that every operation of the
//! catalogue has its REST route and its tool, and that `/metrics` counts MCP calls.

use std::process::Command;

use serde_json::{Value, json};

use crate::helpers::{TestApp, keyed_client, problem, spawn_app, spawn_distributed};

/// The MCP endpoint's base: the process that serves /mcp (the command API when
/// distributed).
fn mcp_base(app: &TestApp) -> String {
    app.write_base.clone()
}

async fn foreign_document(app: &TestApp) -> String {
    let other = keyed_client(&app.create_key("tenant-mcp-other", "read,write"));
    app.create_document_as(&other, "not yours").await
}

/// Runs `tests/mcp/<script>` (an agent on the official Python SDK) with `config`;
/// the JSON summary it prints last. A failed check fails the test with its output.
fn python_session(script: &str, config: &Value) -> Value {
    let output = Command::new(crate::helpers::venv_bin("python"))
        .arg(
            crate::helpers::workspace_root()
                .join("tests/mcp")
                .join(script),
        )
        .arg(config.to_string())
        .output()
        .expect("python runs");
    assert!(
        output.status.success(),
        "the MCP session {script} ({}) failed:\n{}\n{}",
        config["transport"],
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    let line = String::from_utf8_lossy(&output.stdout);
    serde_json::from_str(line.lines().last().unwrap_or_default()).expect("a JSON summary")
}

fn python_scenario(config: &Value) -> Value {
    python_session("scenario.py", config)
}

fn inspector(args: &[&str], key: &str, base: &str) -> Value {
    let bin = crate::helpers::workspace_root().join(".npm-tools/node_modules/.bin/mcp-inspector");
    assert!(
        bin.exists(),
        "{} is missing: run scripts/test-deps",
        bin.display()
    );
    let env = format!("FOLIO_API_KEY={key}");
    let output = Command::new(bin)
        .args([
            "--cli",
            "-e",
            &env,
            env!("CARGO_BIN_EXE_folio-e2e"),
            "mcp",
            "--url",
            base,
        ])
        .args(args)
        .output()
        .expect("the inspector runs");
    assert!(
        output.status.success(),
        "inspector {args:?}: {}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("the inspector prints JSON")
}

/// The counter of `operation` over `transport` with outcome `code`, from /metrics.
async fn metrics(app: &TestApp) -> String {
    crate::helpers::metrics_text(&mcp_base(app)).await
}

async fn counted(app: &TestApp, operation: &str, transport: &str, code: &str) -> u64 {
    let text = metrics(app).await;
    let labels = [
        format!("operation=\"{operation}\""),
        format!("transport=\"{transport}\""),
        format!("code=\"{code}\""),
    ];
    text.lines()
        .filter(|l| l.starts_with("folio_operations_total{"))
        .filter(|l| labels.iter().all(|label| l.contains(label.as_str())))
        .filter_map(|l| l.rsplit(' ').next()?.parse::<u64>().ok())
        .sum()
}

async fn agents_work_through_mcp(app: TestApp) {
    // Arrange: a read-only key, and a document of another tenant.
    let base = mcp_base(&app);
    let viewer = app.create_key("default", "read");
    let suggester = app.create_named_key("default", "Agent", "read,suggest");
    let foreign = foreign_document(&app).await;
    let before = counted(&app, "add_paragraph", "mcp", "ok").await;
    let config = |transport: &str| {
        json!({
            "transport": transport,
            "url": base,
            "key": app.key,
            "viewer_key": viewer,
            "suggest_key": suggester,
            "foreign_doc": foreign,
            "folio": env!("CARGO_BIN_EXE_folio-e2e"),
        })
    };

    // Act and assert: the whole session, over both transports.
    let http = python_scenario(&config("http"));
    let stdio = python_scenario(&config("stdio"));
    println!(
        "MCP tools listed: {} (http), {} (stdio)",
        http["tools"], stdio["tools"]
    );
    assert_eq!(http["tools"], stdio["tools"]);
    assert_eq!(
        http["tools"].as_u64().unwrap() as usize,
        app::ops::catalogue().len()
    );

    // The Inspector CLI lists the tools and calls one over stdio.
    let listed = inspector(&["--method", "tools/list"], &app.key, &base);
    assert_eq!(
        listed["tools"].as_array().unwrap().len(),
        app::ops::catalogue().len()
    );
    let called = inspector(
        &[
            "--method",
            "tools/call",
            "--tool-name",
            "create_document",
            "--tool-arg",
            "title=From the inspector",
        ],
        &app.key,
        &base,
    );
    assert_eq!(called["isError"], false, "{called}");
    assert_eq!(called["structuredContent"]["version"], 1, "{called}");

    // The calls were counted per operation and transport (one add_paragraph per session).
    let after = counted(&app, "add_paragraph", "mcp", "ok").await;
    assert!(
        after >= before + 2,
        "add_paragraph counted {before} → {after}"
    );
    assert!(counted(&app, "add_paragraph", "mcp", "forbidden").await >= 2);
    // REST calls are counted under the same operation names.
    assert!(counted(&app, "create_document", "rest", "ok").await >= 1);
    assert!(counted(&app, "get_docx", "mcp", "ok").await >= 2);
    // The pipeline: appends, relay, outbox; the projectors' lag where they run.
    let text = metrics(&app).await;
    for metric in [
        "folio_events_appended_total",
        "folio_events_relayed_total",
        "folio_relay_lag_seconds",
        "folio_outbox_backlog",
        "folio_operation_duration_seconds_bucket",
    ] {
        assert!(text.contains(metric), "no {metric} in /metrics");
    }
    if matches!(app.deployment, crate::helpers::Deployment::Embedded { .. }) {
        assert!(
            text.contains("folio_projection_lag_seconds{consumer=\"read_model\"}"),
            "{text}"
        );
    }
    // No tenant, document or secret in any label.
    assert!(
        !text.contains("tenant-mcp-other") && !text.contains(&foreign) && !text.contains(&app.key)
    );
}

#[tokio::test]
async fn agents_work_through_mcp_embedded() {
    agents_work_through_mcp(spawn_app().await).await;
}

#[tokio::test]
async fn agents_work_through_mcp_distributed() {
    agents_work_through_mcp(spawn_distributed().await).await;
}

fn initialize() -> Value {
    json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": "2025-06-18", "capabilities": {},
        "clientInfo": {"name": "test", "version": "1"}}})
}

async fn post_mcp(
    app: &TestApp,
    client: &reqwest::Client,
    body: &Value,
    headers: &[(&str, &str)],
) -> reqwest::Response {
    let mut request = client
        .post(format!("{}/mcp", mcp_base(app)))
        .header("accept", "application/json, text/event-stream")
        .json(body);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    request.send().await.unwrap()
}

/// Calls `method` with `params` on `/mcp{query}` as the app's key (protocol 2025-06-18);
/// the JSON-RPC answer.
async fn rpc(app: &TestApp, query: &str, method: &str, params: Value) -> Value {
    app.client
        .post(format!("{}/mcp{query}", mcp_base(app)))
        .header("accept", "application/json, text/event-stream")
        .header("mcp-protocol-version", "2025-06-18")
        .json(&json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": params}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// Calls a tool over the HTTP endpoint (stateless); the tool result.
pub(crate) async fn call_tool(app: &TestApp, name: &str, arguments: Value) -> Value {
    let answer = rpc(
        app,
        "",
        "tools/call",
        json!({"name": name, "arguments": arguments}),
    )
    .await;
    answer["result"].clone()
}

#[tokio::test]
async fn the_mcp_endpoint_refuses_what_rest_refuses_and_foreign_hosts() {
    let app = spawn_app().await;

    // No credentials: 401 problem+json, before MCP.
    let anonymous = crate::helpers::client();
    problem(post_mcp(&app, &anonymous, &initialize(), &[]).await, 401).await;

    // A page on another site (Origin) or a rebound DNS name (Host) is refused.
    let response = post_mcp(
        &app,
        &app.client,
        &initialize(),
        &[("origin", "http://evil.example")],
    )
    .await;
    assert!(response.status().is_client_error(), "{}", response.status());
    let response = post_mcp(
        &app,
        &app.client,
        &initialize(),
        &[("host", "evil.example")],
    )
    .await;
    assert!(response.status().is_client_error(), "{}", response.status());

    // An oversized message is a 413 problem like any other body.
    let huge = json!({"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {
        "name": "create_document", "arguments": {"title": "x".repeat(17 * 1024 * 1024)}}});
    problem(post_mcp(&app, &app.client, &huge, &[]).await, 413).await;

    // An unknown tool is a tool error with its code, not a crash.
    let call = json!({"jsonrpc": "2.0", "id": 3, "method": "tools/call", "params": {
        "name": "explode", "arguments": {}}});
    let answer: Value = post_mcp(
        &app,
        &app.client,
        &call,
        &[("mcp-protocol-version", "2025-06-18")],
    )
    .await
    .json()
    .await
    .unwrap();
    let text = answer.to_string();
    assert!(
        text.contains("tool_not_found") || answer.get("error").is_some(),
        "{text}"
    );
}

/// Faults at the JSON-RPC level are JSON-RPC errors (HTTP 400), not plain-text 415s or
/// "method not found"; a `null` where a command field takes a value is a tool error like
/// any other wrong type.
#[tokio::test]
async fn protocol_faults_are_json_rpc_errors() {
    let app = spawn_app().await;
    let send = |body: String| {
        let request = app
            .client
            .post(format!("{}/mcp", mcp_base(&app)))
            .header("accept", "application/json, text/event-stream")
            .header("content-type", "application/json")
            .header("mcp-protocol-version", "2025-06-18")
            .body(body);
        async move {
            let response = request.send().await.unwrap();
            let status = response.status().as_u16();
            (status, response.json::<Value>().await.unwrap())
        }
    };
    let faults = [
        (r#"{"jsonrpc":"2.0","id":1,"method":"tools/li"#.to_string(), -32700),
        (r#"[{"jsonrpc":"2.0","id":1,"method":"tools/list"}]"#.to_string(), -32600),
        (r#"{"jsonrpc":"1.0","id":1,"method":"tools/list"}"#.to_string(), -32600),
        (r#"{"jsonrpc":"2.0","id":1,"method":"tools/call"}"#.to_string(), -32602),
        (
            r#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"list_documents","arguments":[]}}"#.to_string(),
            -32602,
        ),
    ];
    for (body, code) in faults {
        let (status, answer) = send(body.clone()).await;
        assert_eq!(status, 400, "{body}: {answer}");
        assert_eq!(answer["error"]["code"], code, "{body}: {answer}");
        assert_eq!(answer["jsonrpc"], "2.0");
    }
    let id = app.create_document("Nulls").await;
    let call = json!({"jsonrpc": "2.0", "id": 9, "method": "tools/call", "params": {
        "name": "add_paragraph", "arguments": {"document_id": id, "text": null}}});
    let (status, answer) = send(call.to_string()).await;
    assert_eq!(status, 200);
    assert_eq!(answer["result"]["isError"], true, "{answer}");
    assert!(answer.to_string().contains("validation_failed"), "{answer}");
    assert_eq!(app.version(&id).await, 1, "nothing appended");
}

#[tokio::test]
async fn every_operation_has_a_rest_route_an_openapi_entry_and_a_tool() {
    let app = spawn_app().await;
    let openapi: Value = app.get_json("/openapi.json").await;
    let commands = openapi
        .pointer("/components/schemas/DocumentCommand/oneOf")
        .and_then(Value::as_array)
        .expect("the command schema");
    let tools: Value = post_mcp(
        &app,
        &app.client,
        &json!({"jsonrpc": "2.0", "id": 1, "method": "tools/list"}),
        &[("mcp-protocol-version", "2025-06-18")],
    )
    .await
    .json()
    .await
    .unwrap();
    let tool_names: Vec<&str> = tools["result"]["tools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    for op in app::ops::catalogue() {
        let (method, path) = op.rest;
        let route = openapi["paths"][path][method.to_lowercase()].clone();
        assert!(
            route.is_object(),
            "{} has no {method} {path} in the OpenAPI document",
            op.name
        );
        assert!(
            tool_names.contains(&op.name),
            "{} is not an MCP tool",
            op.name
        );
        let is_command = api_types::COMMAND_TYPES
            .iter()
            .any(|(kind, _)| *kind == op.name);
        if is_command {
            assert_eq!(path, "/v1/documents/{id}/commands");
            assert_eq!(commands.len(), api_types::COMMAND_TYPES.len());
        } else {
            assert_eq!(route["operationId"], op.name, "{method} {path}");
        }
    }
    // And no REST route of the document API is missing from the catalogue.
    for (path, item) in openapi["paths"].as_object().unwrap() {
        if !path.starts_with("/v1/documents") && path != "/v1/search" && path != "/v1/audit" {
            continue;
        }
        for (method, _) in item.as_object().unwrap() {
            let method = method.to_uppercase();
            assert!(
                app::ops::catalogue()
                    .iter()
                    .any(|op| op.rest == (method.as_str(), path.as_str())),
                "{method} {path} is not in the catalogue"
            );
        }
    }
}

#[tokio::test]
async fn mcp_calls_share_the_principals_rate_limit_with_rest() {
    let app = crate::helpers::spawn_app_with(&[
        "--rate-limit-per-second",
        "1",
        "--rate-limit-burst",
        "3",
    ])
    .await;
    let list = json!({"jsonrpc": "2.0", "id": 1, "method": "tools/list"});
    let mut statuses = Vec::new();
    for _ in 0..3 {
        statuses.push(app.get("/v1/documents").await.status().as_u16());
    }
    // The burst is spent over REST: a tool call is refused as a tool result an agent can
    // act on (isError, rate_limited, Retry-After), any other MCP message like a REST call.
    let call = json!({"jsonrpc": "2.0", "id": 7, "method": "tools/call", "params": {
        "name": "create_document", "arguments": {"title": "too fast"}}});
    let version = [("mcp-protocol-version", "2025-06-18")];
    let tool = post_mcp(&app, &app.client, &call, &version).await;
    assert!(statuses.iter().all(|s| *s == 200), "{statuses:?}");
    assert_eq!(tool.status(), 200);
    assert!(tool.headers().get("retry-after").is_some());
    let answer: Value = tool.json().await.unwrap();
    assert_eq!(answer["id"], 7, "{answer}");
    assert_eq!(answer["result"]["isError"], true, "{answer}");
    let text = answer["result"]["content"][0]["text"].as_str().unwrap();
    assert!(text.starts_with("rate_limited (429)"), "{text}");
    let refused = post_mcp(&app, &app.client, &list, &version).await;
    let body = problem(refused, 429).await;
    assert_eq!(body["code"], "rate_limited");
    let text = metrics(&app).await;
    assert!(
        text.contains("folio_rate_limited_total{limit=\"principal\"}"),
        "{text}"
    );
}

/// Over MCP, get_content answers a page by default: the whole tool result stays under the
/// 20,000 tokens clients take (characters / 4), and the next page follows from its cursor.
#[tokio::test]
async fn get_content_pages_by_default_over_mcp() {
    let app = spawn_app().await;
    let id = app.create_document("Long").await;
    let commands: Vec<Value> = (0..600)
        .map(|i| json!({"type": "add_paragraph", "text": format!("line {i} of a long document ").repeat(14)}))
        .collect();
    let version = app.ok(&id, json!({ "commands": commands })).await["version"]
        .as_u64()
        .unwrap();
    let call = |arguments: Value| json!({"name": "get_content", "arguments": arguments});
    let first = rpc(
        &app,
        "",
        "tools/call",
        call(json!({"document_id": id, "min_version": version})),
    )
    .await;
    let result = &first["result"];
    let tokens = result.to_string().chars().count() / 4;
    assert!(tokens < 20_000, "a result of {tokens} tokens");
    let page = &result["structuredContent"];
    let cursor = page["next_cursor"]
        .as_str()
        .expect("a next page")
        .to_string();
    let blocks = page["blocks"].as_array().unwrap().len();
    assert!(
        blocks > 10 && blocks < 600,
        "{blocks} blocks on the first page"
    );
    let second = rpc(
        &app,
        "",
        "tools/call",
        call(json!({"document_id": id, "cursor": cursor})),
    )
    .await;
    let next = &second["result"]["structuredContent"];
    assert_eq!(next["version"], version);
    assert_ne!(next["blocks"][0]["id"], page["blocks"][0]["id"]);
}

/// `?tools=core` lists the compact set (every name of it a tool of the catalogue), within
/// the token figure docs/mcp.md states; the full list is the default; a tool outside the
/// core set can still be called.
#[tokio::test]
async fn the_core_tool_set_is_compact() {
    let app = spawn_app().await;
    let core = rpc(&app, "?tools=core", "tools/list", json!({})).await;
    let all = rpc(&app, "", "tools/list", json!({})).await;
    let names = |answer: &Value| -> Vec<String> {
        answer["result"]["tools"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["name"].as_str().unwrap().to_string())
            .collect()
    };
    let (core_names, all_names) = (names(&core), names(&all));
    assert_eq!(core_names.len(), mcp::CORE_TOOLS.len(), "{core_names:?}");
    assert!(core_names.iter().all(|n| all_names.contains(n)));
    assert!(all_names.len() > 70);
    let tokens = |answer: &Value| answer["result"].to_string().chars().count() / 4;
    println!(
        "tools/list: core {} tools, {} tokens; all {} tools, {} tokens",
        core_names.len(),
        tokens(&core),
        all_names.len(),
        tokens(&all)
    );
    assert!(
        tokens(&core) < 20_000,
        "core tools/list is {} tokens",
        tokens(&core)
    );
    // A tool outside the core set still answers.
    let document_id = app.create_document("S").await;
    let answer = rpc(
        &app,
        "?tools=core",
        "tools/call",
        json!({"name": "get_styles", "arguments": {"document_id": document_id}}),
    )
    .await;
    assert_ne!(answer["result"]["isError"], true, "{answer}");
}

/// The workflow prompts: listed with their arguments; a prompt's text names the document
/// and the tools to use; a missing required argument is an invalid-params error.
#[tokio::test]
async fn prompts_guide_the_common_workflows() {
    let app = spawn_app().await;
    let listed = rpc(&app, "", "prompts/list", json!({})).await;
    let names: Vec<&str> = listed["result"]["prompts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["review_document", "summarise_changes"], "{listed}");
    let review = rpc(&app, "", "prompts/get", json!({"name": "review_document", "arguments": {"document_id": "doc-42", "focus": "clarity"}}),
    )
    .await;
    let text = review["result"]["messages"][0]["content"]["text"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    for needle in ["doc-42", "clarity", "get_outline", "get_section_text"] {
        assert!(text.contains(needle), "{needle} in {text}");
    }
    let summary = rpc(&app, "", "prompts/get", json!({"name": "summarise_changes", "arguments": {"document_id": "d", "since": "sent-to-client"}}),
    )
    .await;
    let text = summary["result"]["messages"][0]["content"]["text"]
        .as_str()
        .unwrap_or_default();
    assert!(
        text.contains("from=sent-to-client") && text.contains("get_diff"),
        "{text}"
    );
    let missing = rpc(
        &app,
        "",
        "prompts/get",
        json!({"name": "summarise_changes", "arguments": {"document_id": "d"}}),
    )
    .await;
    assert_eq!(missing["error"]["code"], -32602, "{missing}");
}

/// A 10,000-block document read through the official Python SDK page by page while
/// another client writes: every page under 20,000 tokens and of one version, the pages
/// exactly that version's content; tampered and foreign cursors refused (issue 23).
#[tokio::test]
async fn an_agent_reads_a_long_document_in_pages_with_the_python_sdk() {
    let app = spawn_app().await;
    let config = json!({"url": mcp_base(&app), "key": app.key});
    let seen = python_session("long_document.py", &config);
    println!("{seen}");
}
