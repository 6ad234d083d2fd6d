//! `folio mcp`: MCP over stdio for desktop clients (Claude Desktop, VS Code, Cursor…).
//!
//! It does not open folio's data itself: it relays each JSON-RPC message it reads on
//! stdin to the `/mcp` endpoint of a running folio (`folio serve`, or `folio command-api`
//! in the distributed deployment) with the API key, and writes each answer on stdout.
//! So it never races a server on the same data directory, it works the same with both
//! deployments, and it acts with exactly the principal, scopes and rate limits of the key.

use std::sync::Arc;

use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::sync::{Mutex, RwLock};

/// Where and as whom to relay.
#[derive(Debug, Clone)]
pub struct Bridge {
    /// The server's `/mcp` URL (`http://127.0.0.1:8080/mcp`).
    pub url: String,
    /// The API key sent as `X-API-Key`.
    pub api_key: String,
}

/// Why the bridge stopped.
#[derive(Debug)]
pub struct BridgeError(pub String);

impl std::fmt::Display for BridgeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for BridgeError {}

/// JSON-RPC error code for "the server refused or could not be reached".
const RELAY_FAILED: i64 = -32000;

struct State {
    bridge: Bridge,
    client: reqwest::Client,
    /// The protocol version the server chose on `initialize`, sent on every later request.
    protocol: RwLock<Option<String>>,
    stdout: Mutex<tokio::io::Stdout>,
}

/// Relays stdin to the server until stdin closes.
///
/// # Errors
/// A URL that is not plain `http://` (this relay speaks no TLS; point desktop clients
/// that need HTTPS at the server's `/mcp` directly), or stdout closing.
pub async fn run(bridge: Bridge) -> Result<(), BridgeError> {
    if !bridge.url.starts_with("http://") {
        return Err(BridgeError(format!(
            "--url must be an http:// URL of a folio server's /mcp (got {:?}); for HTTPS, configure the client with the server's /mcp URL and an X-API-Key header instead",
            bridge.url
        )));
    }
    let client = reqwest::Client::builder()
        .build()
        .map_err(|e| BridgeError(e.to_string()))?;
    let state = Arc::new(State {
        bridge,
        client,
        protocol: RwLock::new(None),
        stdout: Mutex::new(tokio::io::stdout()),
    });
    let mut lines = BufReader::new(tokio::io::stdin()).lines();
    let mut tasks = tokio::task::JoinSet::new();
    while let Some(line) = lines
        .next_line()
        .await
        .map_err(|e| BridgeError(e.to_string()))?
    {
        if line.trim().is_empty() {
            continue;
        }
        let message: Value = match serde_json::from_str(&line) {
            Ok(m) => m,
            Err(e) => {
                let error = json!({"jsonrpc": "2.0", "id": null, "error": {"code": -32700, "message": format!("parse error: {e}")}});
                write(&state, &error).await?;
                continue;
            }
        };
        // The client waits for `initialize` before anything else; relaying it first also
        // tells the protocol version to send on every later request.
        if message.get("method").and_then(Value::as_str) == Some("initialize") {
            relay(&state, message).await?;
        } else {
            let state = state.clone();
            tasks.spawn(async move { relay(&state, message).await });
        }
        while let Some(done) = tasks.try_join_next() {
            done.map_err(|e| BridgeError(e.to_string()))??;
        }
    }
    while let Some(done) = tasks.join_next().await {
        done.map_err(|e| BridgeError(e.to_string()))??;
    }
    Ok(())
}

async fn write(state: &State, message: &Value) -> Result<(), BridgeError> {
    let mut line = message.to_string();
    line.push('\n');
    let mut out = state.stdout.lock().await;
    out.write_all(line.as_bytes())
        .await
        .map_err(|e| BridgeError(e.to_string()))?;
    out.flush().await.map_err(|e| BridgeError(e.to_string()))
}

/// Sends one message and writes what comes back (nothing for a notification).
async fn relay(state: &State, message: Value) -> Result<(), BridgeError> {
    let id = message.get("id").cloned();
    let initialize = message.get("method").and_then(Value::as_str) == Some("initialize");
    let mut request = state
        .client
        .post(&state.bridge.url)
        .header("content-type", "application/json")
        .header("accept", "application/json, text/event-stream")
        .header("x-api-key", &state.bridge.api_key)
        .body(message.to_string());
    if let Some(version) = state.protocol.read().await.clone() {
        request = request.header("mcp-protocol-version", version);
    }
    let answers = match request.send().await {
        Err(e) => Err(format!("cannot reach folio at {}: {e}", state.bridge.url)),
        Ok(response) => {
            let status = response.status();
            let event_stream = response
                .headers()
                .get("content-type")
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.starts_with("text/event-stream"));
            let body = response.text().await.unwrap_or_default();
            let messages = if event_stream {
                body.lines()
                    .filter_map(|l| l.strip_prefix("data:"))
                    .filter_map(|d| serde_json::from_str::<Value>(d.trim()).ok())
                    .collect()
            } else {
                serde_json::from_str::<Value>(&body)
                    .map(|v| match v {
                        Value::Array(batch) => batch,
                        one => vec![one],
                    })
                    .unwrap_or_default()
            };
            let rpc: Vec<Value> = messages
                .into_iter()
                .filter(|m| m.get("jsonrpc").is_some())
                .collect();
            if !rpc.is_empty() || status.is_success() {
                Ok(rpc)
            } else {
                // A refusal before MCP (401, 403, 413, 429): folio's problem detail.
                let detail = serde_json::from_str::<Value>(&body)
                    .ok()
                    .and_then(|p| p.get("detail").and_then(Value::as_str).map(str::to_string))
                    .unwrap_or(body);
                Err(format!("folio answered {status}: {detail}"))
            }
        }
    };
    match answers {
        Ok(answers) => {
            for answer in answers {
                if initialize && let Some(version) = answer.pointer("/result/protocolVersion") {
                    *state.protocol.write().await = version.as_str().map(str::to_string);
                }
                write(state, &answer).await?;
            }
            Ok(())
        }
        Err(message) => match id {
            // A notification has no answer to carry the failure: log it on stderr.
            None => {
                eprintln!("folio mcp: {message}");
                Ok(())
            }
            Some(id) => {
                let error = json!({"jsonrpc": "2.0", "id": id, "error": {"code": RELAY_FAILED, "message": message}});
                write(state, &error).await
            }
        },
    }
}
