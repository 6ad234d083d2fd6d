//! `docs/api.md`, made from the catalogue and the error codes: every operation with its
//! REST route, MCP tool, scope and fields, and every error code with its status. A test
//! fails when the file and the catalogue differ (`FOLIO_BLESS=1` rewrites the file).

use std::fmt::Write;

use api_types::Code;
use serde_json::Value;

use crate::ops::{Side, catalogue};

/// A field's type in words: `string`, `integer or null`, `one of a, b`, `array of object`.
fn type_of(schema: &Value) -> String {
    if let Some(values) = schema.get("enum").and_then(Value::as_array) {
        let names: Vec<String> = values
            .iter()
            .map(|v| {
                v.as_str()
                    .map_or_else(|| v.to_string(), |s| format!("`{s}`"))
            })
            .collect();
        return format!("one of {}", names.join(", "));
    }
    if let Some(parts) = schema
        .get("oneOf")
        .or(schema.get("anyOf"))
        .and_then(Value::as_array)
    {
        let kinds: Vec<String> = parts.iter().map(type_of).filter(|t| t != "null").collect();
        let mut kinds = kinds;
        kinds.dedup();
        return kinds.join(" or ");
    }
    match schema.get("type") {
        Some(Value::String(t)) if t == "array" => {
            let item = schema.get("items").map_or_else(|| "any".into(), type_of);
            format!("array of {item}")
        }
        Some(Value::String(t)) => t.clone(),
        Some(Value::Array(types)) => {
            let kinds: Vec<String> = types
                .iter()
                .filter_map(Value::as_str)
                .filter(|t| *t != "null")
                .map(|t| {
                    if t == "array" {
                        type_of(&serde_json::json!({"type": "array", "items": schema.get("items").cloned().unwrap_or_default()}))
                    } else {
                        t.to_string()
                    }
                })
                .collect();
            kinds.join(" or ")
        }
        _ if schema.get("properties").is_some() => "object".into(),
        _ => "any".into(),
    }
}

fn one_line(s: &str) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace('|', "\\|")
}

/// The text of `docs/api.md`.
pub fn api_markdown() -> String {
    let mut out = String::new();
    out.push_str(
        "# folio API: every operation and every error code\n\n\
         Generated from the operation catalogue (`app/src/ops.rs`) and the error codes \
         (`api-types/src/code.rs`); `cargo test -p app` fails when this file is out of \
         date (`FOLIO_BLESS=1 cargo test -p app docs` rewrites it). Each operation is a \
         REST route (described in `/openapi.json`) and an MCP tool of the same name \
         (`/mcp`, `folio mcp`). Every write also takes `if_match`, `reason`, \
         `idempotency_key` and `dry_run` (over REST: the `If-Match`, `X-Folio-Reason` and \
         `Idempotency-Key` headers and `?dry_run=true`). A command is sent over REST as \
         `POST /v1/documents/{id}/commands` with its fields and `\"type\": \"<name>\"`, or \
         in a batch `{\"commands\": [...]}` (the `run_commands` tool).\n\n",
    );
    out.push_str("## Operations\n\n| operation | side | scope | REST |\n|---|---|---|---|\n");
    for op in catalogue() {
        let side = match op.side {
            Side::Read => "read",
            Side::Write => "write",
        };
        let _ = writeln!(
            out,
            "| [`{}`](#{}) | {side} | {} | `{} {}` |",
            op.name,
            op.name,
            op.scope.as_str(),
            op.rest.0,
            op.rest.1
        );
    }
    for op in catalogue() {
        let _ = write!(
            out,
            "\n### {}\n\n{}\n\n",
            op.name,
            one_line(&op.description)
        );
        let _ = writeln!(
            out,
            "`{} {}` · scope `{}`{}{}\n",
            op.rest.0,
            op.rest.1,
            op.scope.as_str(),
            if op.destructive {
                " · destructive"
            } else {
                ""
            },
            if op.idempotent { " · idempotent" } else { "" },
        );
        let required: Vec<&str> = op.input_schema["required"]
            .as_array()
            .map(|r| r.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        if let Some(properties) = op.input_schema["properties"].as_object()
            && !properties.is_empty()
        {
            out.push_str("| field | type | required | meaning |\n|---|---|---|---|\n");
            for (name, schema) in properties {
                let _ = writeln!(
                    out,
                    "| `{name}` | {} | {} | {} |",
                    type_of(schema),
                    if required.contains(&name.as_str()) {
                        "yes"
                    } else {
                        ""
                    },
                    one_line(
                        schema
                            .get("description")
                            .and_then(Value::as_str)
                            .unwrap_or("")
                    )
                );
            }
        } else {
            out.push_str("No fields.\n");
        }
    }
    out.push_str(
        "\n## Error codes\n\nA refused request is an RFC 9457 `application/problem+json` \
         body (`type` = `urn:folio:problem:<code>`); a refused MCP tool call is a result \
         with `isError: true` whose text starts with the code, and the problem in \
         `_meta[\"folio/problem\"]`.\n\n| code | HTTP | meaning |\n|---|---|---|\n",
    );
    for code in Code::ALL {
        let _ = writeln!(
            out,
            "| `{}` | {} | {} |",
            code.as_str(),
            code.status().as_u16(),
            code.description()
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn docs_api_md_matches_the_catalogue() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/api.md");
        let expected = api_markdown();
        if std::env::var_os("FOLIO_BLESS").is_some() {
            std::fs::write(&path, &expected).expect("docs/api.md is writable");
        }
        let actual = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            actual == expected,
            "docs/api.md is out of date with the catalogue: run FOLIO_BLESS=1 cargo test -p app docs"
        );
    }

    /// The tool names of the Python DOCX MCP server (`../shared/peer-mcp-tools.md`, beside
    /// the repository): `name(` after a space or a backtick.
    fn peer_tools(text: &str) -> Vec<String> {
        let mut names = Vec::new();
        for part in text.split('`').skip(1).step_by(2) {
            if let Some((name, _)) = part.split_once('(')
                && !name.is_empty()
                && name.chars().all(|c| c.is_ascii_lowercase() || c == '_')
                && !names.contains(&name.to_string())
            {
                names.push(name.to_string());
            }
        }
        names
    }

    #[test]
    fn docs_mcp_md_maps_every_peer_tool_to_folio_tools() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let Ok(peer) = std::fs::read_to_string(root.join("../shared/peer-mcp-tools.md")) else {
            println!(
                "notice: ../shared/peer-mcp-tools.md is absent; the peer mapping is not checked"
            );
            return;
        };
        let mapping = std::fs::read_to_string(root.join("docs/mcp.md")).expect("docs/mcp.md");
        let peers = peer_tools(&peer);
        assert_eq!(peers.len(), 71, "{peers:?}");
        for name in &peers {
            let row = mapping
                .lines()
                .find(|l| l.starts_with(&format!("| `{name}(")))
                .unwrap_or_else(|| panic!("docs/mcp.md does not map {name}"));
            // Every folio tool the row names exists.
            let folio = row.splitn(3, '|').nth(2).unwrap_or_default();
            for tool in peer_tools(folio) {
                assert!(
                    crate::ops::operation(&tool).is_some(),
                    "docs/mcp.md maps {name} to {tool}, which is not a folio tool"
                );
            }
        }
    }
}
