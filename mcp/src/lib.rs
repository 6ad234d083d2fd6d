//! folio's MCP server: one tool per operation of the catalogue ([`app::ops`]), and the
//! documents as resources. Tools and resources run the same use cases as REST, as the
//! same principal, with the same scopes; a refused operation is a tool result with
//! `isError: true`, its stable code and a message an agent can act on.
//!
//! - [`FolioMcp`]: the [`rmcp::ServerHandler`].
//! - [`http`]: streamable HTTP at `/mcp`, mounted in actix behind folio's authentication.
//! - [`stdio`]: `folio mcp`, which speaks MCP on stdin/stdout to a desktop client and
//!   relays each message to a running folio's `/mcp`.

pub mod http;
pub mod stdio;

use std::sync::{Arc, OnceLock};

use api_types::ApiError;
use app::ops::{self, Caller, Output, Services, Side};
use base64::Engine;
use rmcp::ErrorData as McpError;
use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, GetPromptRequestParams,
    GetPromptResponse, GetPromptResult, ListPromptsResult, ListResourceTemplatesResult,
    ListResourcesResult, ListToolsResult, PaginatedRequestParams, ReadResourceRequestParams,
    ReadResourceResponse, ReadResourceResult, ServerCapabilities, ServerConfig, Tool,
};
use rmcp::service::{RequestContext, RoleServer};
use serde_json::{Value, json};

/// The MCP transport label of per-operation metrics.
const TRANSPORT: &str = "mcp";

/// What the server tells a client about itself on `initialize`.
const INSTRUCTIONS: &str = "folio keeps Word documents as a history of events. \
Create a document with create_document, read it with get_content or get_text (block ids \
come from there), change it with one tool per command (add_paragraph, replace_text, \
format_text, add_table, ...) or several at once with run_commands. Every change makes a \
new version: pass if_match with the version you read to refuse a change made on stale \
content, reason to say why, dry_run to see what a change would do. get_history shows \
who changed what; any read takes version to see the document as it was; get_docx returns \
the Word file. Review as in Word: add_comment, reply_to_comment, resolve_comment and \
get_comments; add_footnote and get_notes. To propose a change rather than make it, pass \
suggest: true (insert_text, delete_text, replace_text, format_text, update_paragraph, \
add_paragraph, ...): get_suggestions lists proposals, accept_suggestion and \
reject_suggestion decide. With a suggest-only key every change you send is a proposal a \
person accepts or rejects.";

/// The MCP server over folio's use cases.
#[derive(Debug, Clone)]
pub struct FolioMcp {
    services: Arc<Services>,
}

impl FolioMcp {
    /// A server over `services`.
    pub fn new(services: Arc<Services>) -> Self {
        Self { services }
    }
}

/// The compact set of tools a client lists with `?tools=core` on `/mcp` (or `folio mcp
/// --tools core`): reading a long document in parts, searching, the history, and the
/// common edits (not `run_commands`, whose schema is every command's). Every tool can
/// still be called.
pub const CORE_TOOLS: &[&str] = &[
    "list_documents",
    "create_document",
    "get_outline",
    "get_section_text",
    "get_blocks",
    "get_content",
    "get_text",
    "search_document",
    "get_history",
    "get_diff",
    "add_paragraph",
    "add_heading",
    "update_paragraph",
    "insert_text",
    "delete_text",
    "replace_text",
    "format_text",
    "delete_block",
    "add_table",
    "set_table_cell",
    "add_list",
];

/// In the core listing, an output schema larger than this many characters is left out
/// (the result is still structured, and its text copy is the same JSON): the schemas of
/// every kind of block would otherwise be most of the listing.
const CORE_MAX_OUTPUT_SCHEMA_CHARS: usize = 8_000;

/// The tools `?tools=` asks for: `core`, or every one (`all`, the default).
fn listed(context: &RequestContext<RoleServer>) -> &'static [Tool] {
    let core = context
        .extensions
        .get::<::http::request::Parts>()
        .and_then(|parts| parts.uri.query())
        .is_some_and(|query| query.split('&').any(|pair| pair == "tools=core"));
    if core { core_tools() } else { tools() }
}

/// The core set, made once from [`tools`].
fn core_tools() -> &'static [Tool] {
    static CORE: OnceLock<Vec<Tool>> = OnceLock::new();
    CORE.get_or_init(|| {
        tools()
            .iter()
            .filter(|t| CORE_TOOLS.contains(&t.name.as_ref()))
            .cloned()
            .map(|mut t| {
                let large = t.output_schema.as_ref().is_some_and(|s| {
                    serde_json::to_string(s.as_ref()).map_or(0, |j| j.len())
                        > CORE_MAX_OUTPUT_SCHEMA_CHARS
                });
                if large {
                    t.output_schema = None;
                }
                t
            })
            .collect()
    })
}

/// Every tool, made once from the catalogue.
pub fn tools() -> &'static [Tool] {
    static TOOLS: OnceLock<Vec<Tool>> = OnceLock::new();
    TOOLS.get_or_init(|| {
        ops::catalogue()
            .iter()
            .map(|op| {
                let read = op.side == Side::Read;
                serde_json::from_value(json!({
                    "name": op.name,
                    "description": op.description,
                    "inputSchema": op.input_schema,
                    "outputSchema": op.output_schema,
                    "annotations": {
                        "readOnlyHint": read,
                        "destructiveHint": op.destructive,
                        "idempotentHint": op.idempotent,
                        "openWorldHint": false,
                    },
                }))
                .expect("a catalogue entry is a valid tool")
            })
            .collect()
    })
}

/// A prompt for a common workflow: its name, description, arguments (name, description,
/// required) and text, where `{argument}` stands for an argument's value.
struct Prompt {
    name: &'static str,
    description: &'static str,
    arguments: &'static [(&'static str, &'static str, bool)],
    template: &'static str,
}

/// The workflows folio offers as MCP prompts.
const PROMPTS: &[Prompt] = &[
    Prompt {
        name: "review_document",
        description: "Review a document section by section and propose concrete edits (nothing is changed until you are asked to apply them).",
        arguments: &[
            ("document_id", "The document to review.", true),
            (
                "focus",
                "What to look for (clarity, consistency, legal risk…); optional.",
                false,
            ),
        ],
        template: "Review the folio document {document_id}. Focus: {focus}\n\n1. Call get_outline to see its headings, with the blocks and words under each.\n2. Read it a section at a time with get_section_text (heading_block_id from the outline); read text before the first heading with get_blocks (from_index 0).\n3. For each problem, propose an edit: the block id, the current words, the words you suggest, and why.\n4. Do not change the document. When asked to apply edits, use replace_text, update_paragraph or insert_text with if_match set to the version you read, and a reason saying which review item it applies.",
    },
    Prompt {
        name: "summarise_changes",
        description: "Summarise what changed in a document since a version or label, who changed it and why.",
        arguments: &[
            ("document_id", "The document.", true),
            (
                "since",
                "A version number or a label (label_version names versions).",
                true,
            ),
        ],
        template: "Summarise what changed in the folio document {document_id} since {since}.\n\n1. Call get_document for its current version, then get_diff with from={since} and to that version.\n2. Group the changes by who made them (each change's `by`: actor, time, reason) and say what each group changed: added, removed, moved and changed blocks, and the words inserted and deleted in the changed ones.\n3. Call get_history (since the time of version {since}) if you need the reasons of events the diff does not attribute.\n4. Keep it short: a paragraph per author, the most important changes first.",
    },
];

/// The caller of a request: put in the HTTP request's extensions by [`http`] after
/// folio's authentication ran.
fn caller(context: &RequestContext<RoleServer>) -> Option<Caller> {
    context
        .extensions
        .get::<::http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<Caller>())
        .cloned()
}

fn unauthenticated() -> ApiError {
    ApiError::Unauthorized {
        code: api_types::Code::Unauthenticated,
        detail: "this MCP request carries no folio principal".into(),
    }
}

/// A refused operation as a tool result an agent can act on.
pub(crate) fn tool_error(error: &ApiError) -> CallToolResult {
    let problem = error.problem();
    let mut text = format!("{} ({}): {}", problem.code, problem.status, problem.detail);
    for e in &problem.errors {
        text.push_str(&format!("\n- {}: {}", e.field, e.message));
    }
    if let Some(current) = problem.current_version {
        text.push_str(&format!(
            "\nThe document is at version {current}: read it again and retry with if_match {current}."
        ));
    }
    serde_json::from_value(json!({
        "content": [{"type": "text", "text": text}],
        "isError": true,
        "_meta": {"folio/problem": problem},
    }))
    .expect("a tool error is a valid result")
}

fn tool_result(output: Output) -> CallToolResult {
    let value = match output {
        Output::Json(value) => json!({
            "content": [{"type": "text", "text": value.to_string()}],
            "structuredContent": value,
            "isError": false,
        }),
        Output::File(info, file) => json!({
            "content": [
                {"type": "text", "text": info.to_string()},
                {"type": "resource", "resource": {
                    "uri": info["uri"],
                    "mimeType": file.mime_type,
                    "blob": base64::engine::general_purpose::STANDARD.encode(&file.bytes),
                }},
            ],
            "structuredContent": info,
            "isError": false,
        }),
    };
    serde_json::from_value(value).expect("a tool result is a valid result")
}

/// The resources folio offers: the list, and per document its content, text, history
/// and .docx.
const TEMPLATES: &[(&str, &str, &str, &str)] = &[
    (
        "folio://documents/{id}",
        "document",
        "A document's blocks (JSON, as get_content).",
        "application/json",
    ),
    (
        "folio://documents/{id}/text",
        "document-text",
        "A document as plain text.",
        "text/plain",
    ),
    (
        "folio://documents/{id}/history",
        "document-history",
        "A document's first page of events (JSON, as get_history).",
        "application/json",
    ),
    (
        "folio://documents/{id}/docx",
        "document-docx",
        "A document as a Word file.",
        docx_engine::DOCX_CONTENT_TYPE,
    ),
];

/// The operation that reads a resource URI, and its arguments.
fn resource_operation(uri: &str) -> Option<(&'static str, Value)> {
    let rest = uri.strip_prefix("folio://documents")?;
    if rest.is_empty() || rest == "/" {
        return Some(("list_documents", json!({})));
    }
    let rest = rest.strip_prefix('/')?;
    let (id, tail) = rest.split_once('/').unwrap_or((rest, ""));
    if id.is_empty() {
        return None;
    }
    let op = match tail {
        "" => "get_content",
        "text" => "get_text",
        "history" => "get_history",
        "docx" => "get_docx",
        "pdf" => "get_pdf",
        _ => return None,
    };
    // A resource is the whole document (up to the largest page a read gives), not the
    // first page a tool call gives by default.
    Some(match op {
        "get_content" | "get_text" => (
            op,
            json!({ "document_id": id, "budget": app::read::MAX_BUDGET }),
        ),
        _ => (op, json!({ "document_id": id })),
    })
}

fn not_found(uri: &str) -> McpError {
    McpError::resource_not_found(
        format!(
            "no resource {uri} (in this tenant); see resources/list and resources/templates/list"
        ),
        Some(json!({ "uri": uri })),
    )
}

impl rmcp::ServerHandler for FolioMcp {
    fn get_info(&self) -> ServerConfig {
        let capabilities = ServerCapabilities::builder()
            .enable_tools()
            .enable_resources()
            .enable_prompts()
            .build();
        let mut info = ServerConfig::new(capabilities).with_instructions(INSTRUCTIONS);
        info.server_info.name = "folio".into();
        info.server_info.version = env!("CARGO_PKG_VERSION").into();
        info
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, McpError> {
        serde_json::from_value(json!({ "tools": listed(&context) }))
            .map_err(|e| McpError::internal_error(e.to_string(), None))
    }

    fn get_tool(&self, name: &str) -> Option<Tool> {
        tools().iter().find(|t| t.name == name).cloned()
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, McpError> {
        let Some(caller) = caller(&context) else {
            return Ok(tool_error(&unauthenticated()).into());
        };
        let args = request
            .arguments
            .map(Value::Object)
            .unwrap_or_else(|| json!({}));
        let result = match ops::call(&self.services, &caller, &request.name, args, TRANSPORT).await
        {
            Ok(output) => tool_result(output),
            Err(error) => tool_error(&error),
        };
        Ok(result.into())
    }

    async fn list_prompts(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListPromptsResult, McpError> {
        let prompts: Vec<Value> = PROMPTS
            .iter()
            .map(|p| {
                json!({
                    "name": p.name,
                    "description": p.description,
                    "arguments": p.arguments.iter().map(|(name, description, required)| json!({
                        "name": name, "description": description, "required": required,
                    })).collect::<Vec<_>>(),
                })
            })
            .collect();
        serde_json::from_value(json!({ "prompts": prompts }))
            .map_err(|e| McpError::internal_error(e.to_string(), None))
    }

    async fn get_prompt(
        &self,
        request: GetPromptRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<GetPromptResponse, McpError> {
        let Some(prompt) = PROMPTS.iter().find(|p| p.name == request.name) else {
            return Err(McpError::invalid_params(
                format!("no prompt named {:?}", request.name),
                None,
            ));
        };
        let arguments = request.arguments.unwrap_or_default();
        let mut text = prompt.template.to_string();
        for (name, _, required) in prompt.arguments {
            let value = arguments.get(*name).and_then(Value::as_str).unwrap_or("");
            if *required && value.trim().is_empty() {
                return Err(McpError::invalid_params(
                    format!("the prompt {} needs the argument {name}", prompt.name),
                    None,
                ));
            }
            text = text.replace(&format!("{{{name}}}"), value);
        }
        let result: GetPromptResult = serde_json::from_value(json!({
            "description": prompt.description,
            "messages": [{"role": "user", "content": {"type": "text", "text": text}}],
        }))
        .map_err(|e| McpError::internal_error(e.to_string(), None))?;
        Ok(result.into())
    }

    async fn list_resources(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListResourcesResult, McpError> {
        serde_json::from_value(json!({ "resources": [{
            "uri": "folio://documents",
            "name": "documents",
            "description": "The tenant's documents, newest first (first page, JSON as list_documents).",
            "mimeType": "application/json",
        }]}))
        .map_err(|e| McpError::internal_error(e.to_string(), None))
    }

    async fn list_resource_templates(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListResourceTemplatesResult, McpError> {
        let templates: Vec<Value> = TEMPLATES
            .iter()
            .map(|(uri, name, description, mime)| {
                json!({"uriTemplate": uri, "name": name, "description": description, "mimeType": mime})
            })
            .collect();
        serde_json::from_value(json!({ "resourceTemplates": templates }))
            .map_err(|e| McpError::internal_error(e.to_string(), None))
    }

    async fn read_resource(
        &self,
        request: ReadResourceRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<ReadResourceResponse, McpError> {
        let uri = request.uri.clone();
        let Some(caller) = caller(&context) else {
            return Err(McpError::invalid_request(
                "this MCP request carries no folio principal",
                None,
            ));
        };
        let (op, args) = resource_operation(&uri).ok_or_else(|| not_found(&uri))?;
        let output = match ops::call(&self.services, &caller, op, args, TRANSPORT).await {
            Ok(output) => output,
            Err(e) => {
                let problem = e.problem();
                if matches!(problem.status, 404 | 422) {
                    return Err(not_found(&uri));
                }
                return Err(McpError::internal_error(
                    format!("{}: {}", problem.code, problem.detail),
                    Some(json!({ "code": problem.code })),
                ));
            }
        };
        let contents = match output {
            Output::Json(value) if op == "get_text" => json!({
                "uri": uri,
                "mimeType": "text/plain",
                "text": value["text"],
            }),
            Output::Json(value) => json!({
                "uri": uri,
                "mimeType": "application/json",
                "text": value.to_string(),
            }),
            Output::File(_, file) => json!({
                "uri": uri,
                "mimeType": file.mime_type,
                "blob": base64::engine::general_purpose::STANDARD.encode(&file.bytes),
            }),
        };
        let result: ReadResourceResult = serde_json::from_value(json!({ "contents": [contents] }))
            .map_err(|e| McpError::internal_error(e.to_string(), None))?;
        Ok(result.into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_operation_is_a_tool_with_object_schemas() {
        let tools = tools();
        assert_eq!(tools.len(), ops::catalogue().len());
        for op in ops::catalogue() {
            let tool = tools.iter().find(|t| t.name == op.name).expect(op.name);
            assert_eq!(tool.input_schema.get("type"), Some(&json!("object")));
            assert!(tool.output_schema.is_some());
        }
    }

    #[test]
    fn resource_uris_map_to_operations() {
        assert_eq!(
            resource_operation("folio://documents").map(|(o, _)| o),
            Some("list_documents")
        );
        assert_eq!(
            resource_operation("folio://documents/abc/docx").map(|(o, _)| o),
            Some("get_docx")
        );
        assert_eq!(
            resource_operation("folio://documents/abc").map(|(o, _)| o),
            Some("get_content")
        );
        assert!(resource_operation("folio://documents/abc/nope").is_none());
        assert!(resource_operation("file:///etc/passwd").is_none());
        assert!(resource_operation("folio://documents//text").is_none());
    }
}
