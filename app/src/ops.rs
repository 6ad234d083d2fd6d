//! The catalogue: every operation folio offers, described once — its name (= the command
//! `type` = the MCP tool name), a one-line description, the JSON Schema of its input and
//! of its output, whether it reads or writes, the scope it needs and its REST route — and
//! [`call`], which runs one by name from JSON arguments. The MCP server lists and calls
//! these; REST serves the same use cases through its routes, and a test checks that every
//! operation has its route in the OpenAPI document and its tool in the MCP server.
//!
//! Operations come from three tables: commands from the command table
//! (`for_each_command!` in `domain/src/command.rs`), queries from the query table
//! ([`crate::queries::QUERIES`]), API keys and users from `access_operations`. A new
//! command needs only its domain rule and its line in the command table; a new query its
//! handler and its entry: either then appears here, as a tool and in the OpenAPI document.

use std::sync::OnceLock;
use std::time::Instant;

use api_types::{ApiError, COMMAND_TYPES, Code, CommandResult, CreatedDocument, ImportedDocument};
/// Longest `reason`, in characters: the same bound as `X-Folio-Reason`.
pub use auth::MAX_REASON_CHARS;
use auth::Scope;
use domain::DocumentId;
use infrastructure::RequestContext;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use crate::queries::{self, FileReply, Json, QUERIES, Query, Reply};
use crate::read::{DocxFile, Reads};
use crate::schema;
use crate::write::{WriteRequest, Writes};

/// Whether an operation reads or writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// Changes nothing.
    Read,
    /// Appends events.
    Write,
}

/// What kind of operation it is (how [`call`] runs it).
#[derive(Debug, Clone, Copy)]
enum Kind {
    /// A document command of the command table.
    Command,
    /// A query of the query table.
    Query(&'static Query),
    /// Any other operation, by name.
    Named,
}

/// One operation.
#[derive(Debug, Clone)]
pub struct Operation {
    /// Its name: the command `type`, the MCP tool name, the metrics label.
    pub name: &'static str,
    /// One line saying what it does.
    pub description: String,
    /// Reads or writes.
    pub side: Side,
    /// The scope it needs.
    pub scope: Scope,
    /// Its REST route: method and path template (as in the OpenAPI document).
    pub rest: (&'static str, &'static str),
    /// JSON Schema of its arguments (an object; unknown fields are refused).
    pub input_schema: Value,
    /// JSON Schema of its result (an object).
    pub output_schema: Value,
    /// It removes or hides something (archive, delete).
    pub destructive: bool,
    /// Calling it twice with the same arguments has the effect of calling it once.
    pub idempotent: bool,
    kind: Kind,
}

/// The services operations run on.
#[derive(Debug, Clone)]
pub struct Services {
    /// The read use cases.
    pub reads: Reads,
    /// The write use cases.
    pub writes: Writes,
    /// API keys and users.
    pub access: crate::access::Access,
}

pub use auth::Caller;

/// What an operation answers.
#[derive(Debug)]
pub enum Output {
    /// A JSON object (matching the operation's output schema).
    Json(Value),
    /// A file (a .docx, an image), with the JSON object that describes it.
    File(Value, DocxFile),
}

/// The envelope fields every write takes besides its own.
fn write_fields() -> Vec<(&'static str, Value, bool)> {
    vec![
        (
            "if_match",
            json!({"type": "integer", "minimum": 1, "description": "The version this change is based on: applied to a newer one when no change since overlaps it (rebased_from), else stale_version naming the conflicts."}),
            false,
        ),
        (
            "strict",
            json!({"type": "boolean", "description": "Refuse unless if_match is the current version."}),
            false,
        ),
        (
            "reason",
            json!({"type": "string", "maxLength": MAX_REASON_CHARS, "description": "Why the change is made; recorded on its events and shown in the history."}),
            false,
        ),
        (
            "idempotency_key",
            json!({"type": "string", "minLength": 1, "maxLength": crate::write::MAX_IDEMPOTENCY_KEY, "pattern": "^[!-~]+$", "description": "A retry with the same key appends nothing and returns the first result."}),
            false,
        ),
        (
            "dry_run",
            json!({"type": "boolean", "default": false, "description": "Report the events that would be appended and the blocks that would be created or changed; append nothing."}),
            false,
        ),
    ]
}

fn document_id_field() -> (&'static str, Value, bool) {
    (
        "document_id",
        json!({"type": "string", "format": "uuid", "description": "The document's id."}),
        true,
    )
}

/// API keys and users: any principal manages its own keys (an admin every key of the
/// tenant); only admins manage users.
pub(crate) fn access_operations() -> Vec<Operation> {
    let op = |name,
              description: &str,
              scope,
              rest: (&'static str, &'static str),
              input,
              output,
              destructive| Operation {
        name,
        description: description.to_string(),
        side: if rest.0 == "GET" {
            Side::Read
        } else {
            Side::Write
        },
        scope,
        rest,
        input_schema: input,
        output_schema: output,
        destructive,
        idempotent: rest.0 != "POST",
        kind: Kind::Named,
    };
    let nothing = || schema::object(&[], None);
    let done = || json!({"type": "object", "properties": {"done": {"type": "boolean", "description": "Always true."}}, "required": ["done"]});
    vec![
        op(
            "list_api_keys",
            "The caller's API keys (an admin's: every key of the tenant), revoked ones included; never the keys themselves.",
            Scope::Read,
            ("GET", "/v1/api-keys"),
            nothing(),
            schema::page_of::<api_types::ApiKeyView>(),
            false,
        ),
        op(
            "create_api_key",
            "Create an API key with at most the caller's scopes; the key is in the answer, once.",
            Scope::Read,
            ("POST", "/v1/api-keys"),
            schema::object(&[], Some(schema::of::<api_types::CreateApiKeyRequest>())),
            schema::of::<api_types::CreatedApiKey>(),
            false,
        ),
        op(
            "revoke_api_key",
            "Revoke an API key: the caller's own, or (admin) any of the tenant's. Takes effect at once.",
            Scope::Read,
            ("DELETE", "/v1/api-keys/{id}"),
            schema::object(
                &[(
                    "id",
                    json!({"type": "string", "description": "The key's id."}),
                    true,
                )],
                None,
            ),
            done(),
            true,
        ),
        op(
            "list_users",
            "The users of the caller's tenant (admins); never a password or its hash.",
            Scope::Admin,
            ("GET", "/v1/users"),
            nothing(),
            schema::page_of::<api_types::UserView>(),
            false,
        ),
        op(
            "create_user",
            "Add a user to the caller's tenant with a role: viewer, reviewer (proposes changes as suggestions), editor or admin (admins).",
            Scope::Admin,
            ("POST", "/v1/users"),
            schema::object(&[], Some(schema::of::<api_types::CreateUserRequest>())),
            schema::of::<api_types::UserView>(),
            false,
        ),
        op(
            "delete_user",
            "Remove a user of the caller's tenant (admins). Its tokens stay valid until they expire; its keys until revoked.",
            Scope::Admin,
            ("DELETE", "/v1/users/{username}"),
            schema::object(
                &[(
                    "username",
                    json!({"type": "string", "description": "The login name."}),
                    true,
                )],
                None,
            ),
            done(),
            true,
        ),
    ]
}

/// Every operation, built once.
pub fn catalogue() -> &'static [Operation] {
    static CATALOGUE: OnceLock<Vec<Operation>> = OnceLock::new();
    CATALOGUE.get_or_init(build)
}

/// The operation called `name`.
pub fn operation(name: &str) -> Option<&'static Operation> {
    catalogue().iter().find(|op| op.name == name)
}

fn build() -> Vec<Operation> {
    let mut ops: Vec<Operation> = QUERIES
        .iter()
        .map(|q| Operation {
            name: q.name,
            description: q.description.to_string(),
            side: Side::Read,
            scope: Scope::Read,
            rest: ("GET", q.route),
            input_schema: queries::input_schema(q),
            output_schema: (q.output)(),
            destructive: false,
            idempotent: true,
            kind: Kind::Query(q),
        })
        .collect();
    ops.extend(access_operations());
    let result = schema::of::<CommandResult>();
    let mut create_fields = vec![(
        "title",
        json!({"type": "string", "minLength": 1, "maxLength": domain::Limits::DEFAULT.max_title_chars, "description": "The new document's title."}),
        true,
    )];
    create_fields.extend(
        write_fields()
            .into_iter()
            .filter(|(name, _, _)| *name != "if_match" && *name != "strict"),
    );
    ops.push(Operation {
        name: "create_document",
        description: "Create an empty document with a title (version 1); returns its id.".into(),
        side: Side::Write,
        scope: Scope::Write,
        rest: ("POST", "/v1/documents"),
        input_schema: schema::object(&create_fields, None),
        output_schema: schema::of::<CreatedDocument>(),
        destructive: false,
        idempotent: false,
        kind: Kind::Named,
    });
    let mut import_fields = vec![
        (
            "data_base64",
            json!({"type": "string", "contentEncoding": "base64", "contentMediaType": api_types::DOCX_MEDIA_TYPE, "description": "The .docx file, base64-encoded."}),
            true,
        ),
        (
            "title",
            json!({"type": "string", "maxLength": domain::Limits::DEFAULT.max_title_chars, "description": "The new document's title (default: the file's title property, else \"Imported document\")."}),
            false,
        ),
    ];
    import_fields.extend(
        write_fields()
            .into_iter()
            .filter(|(name, _, _)| *name != "if_match" && *name != "strict"),
    );
    ops.push(Operation {
        name: "import_document",
        description: "Create a document from a Word (.docx) file: what folio models becomes editable blocks, anything else opaque blocks kept byte for byte; answers the new id and warnings saying what was kept opaque or changed.".into(),
        side: Side::Write,
        scope: Scope::Write,
        rest: ("POST", "/v1/documents/import"),
        input_schema: schema::object(&import_fields, None),
        output_schema: schema::of::<ImportedDocument>(),
        destructive: false,
        idempotent: false,
        kind: Kind::Named,
    });
    let mut doc_write = vec![document_id_field()];
    doc_write.extend(write_fields());
    ops.push(Operation {
        name: "archive_document",
        description: "Archive a document: it takes no more changes; its history stays readable."
            .into(),
        side: Side::Write,
        scope: Scope::Write,
        rest: ("DELETE", "/v1/documents/{id}"),
        input_schema: schema::object(&doc_write, None),
        output_schema: result.clone(),
        destructive: true,
        idempotent: false,
        kind: Kind::Named,
    });
    let (command_root, command_deps) = api_types::command_schema_all();
    let mut any_command = schema::inline_json(command_root, command_deps);
    api_types::openapi::without_null(&mut any_command);
    let mut batch_fields = doc_write.clone();
    batch_fields.push((
        "commands",
        json!({
            "type": "array",
            "minItems": 1,
            "description": "The commands, applied in order, all or nothing; each is an object with its `type` (a command tool's name) and that tool's fields.",
            "items": any_command,
        }),
        true,
    ));
    ops.push(Operation {
        name: "run_commands",
        description:
            "Apply several commands to a document at once, all or nothing (one version per event)."
                .into(),
        side: Side::Write,
        // A suggest-only principal's commands are made suggestions by the write path.
        scope: Scope::Suggest,
        rest: ("POST", "/v1/documents/{id}/commands"),
        input_schema: schema::object(&batch_fields, None),
        output_schema: result.clone(),
        destructive: false,
        idempotent: false,
        kind: Kind::Named,
    });
    for (kind, _) in COMMAND_TYPES {
        let Some((root, deps)) = api_types::command_schema(kind) else {
            continue;
        };
        let mut fields = schema::inline_all(root, deps);
        api_types::openapi::without_null(&mut fields);
        if let Some(object) = fields.as_object_mut() {
            api_types::openapi::add_suggest(kind, object);
        }
        if let Some(title) = fields
            .pointer_mut("/properties/title")
            .filter(|_| *kind == "set_title")
        {
            title["maxLength"] = json!(domain::Limits::DEFAULT.max_title_chars);
        }
        // The first paragraph of the command's doc comment, on one line.
        let description = fields
            .get("description")
            .and_then(Value::as_str)
            .unwrap_or(kind)
            .split("\n\n")
            .next()
            .unwrap_or(kind)
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        ops.push(Operation {
            name: kind,
            description,
            side: Side::Write,
            scope: Scope::Suggest,
            rest: ("POST", "/v1/documents/{id}/commands"),
            input_schema: schema::object(&doc_write, Some(fields)),
            output_schema: result.clone(),
            destructive: matches!(
                *kind,
                "delete_text" | "delete_block" | "delete_table_row" | "delete_table_column"
            ),
            idempotent: matches!(
                *kind,
                "set_title"
                    | "set_metadata"
                    | "set_alignment"
                    | "set_table_cell"
                    | "set_list_item_level"
            ),
            kind: Kind::Command,
        });
    }
    ops
}

/// Reads the arguments of `op`: an object whose fields are all in its input schema (an
/// unknown one is refused, naming it).
fn arguments(op: &Operation, args: Value) -> Result<serde_json::Map<String, Value>, ApiError> {
    let Value::Object(object) = args else {
        return Err(ApiError::invalid(
            "arguments",
            "the arguments are a JSON object",
        ));
    };
    let known = schema::property_names(&op.input_schema);
    if let Some(unknown) = object.keys().find(|k| !known.contains(&k.as_str())) {
        return Err(ApiError::invalid(
            unknown.clone(),
            format!(
                "unknown field `{unknown}`; {} takes {}",
                op.name,
                known.join(", ")
            ),
        ));
    }
    Ok(object)
}

fn take<T: DeserializeOwned>(
    args: &mut serde_json::Map<String, Value>,
    field: &str,
) -> Result<Option<T>, ApiError> {
    match args.remove(field) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => serde_json::from_value(v)
            .map(Some)
            .map_err(|e| ApiError::invalid(field, e.to_string())),
    }
}

fn required<T: DeserializeOwned>(
    args: &mut serde_json::Map<String, Value>,
    field: &str,
) -> Result<T, ApiError> {
    take(args, field)?.ok_or_else(|| ApiError::invalid(field, format!("missing field `{field}`")))
}

fn rest<T: DeserializeOwned>(args: serde_json::Map<String, Value>) -> Result<T, ApiError> {
    api_types::parse_json_value(Value::Object(args))
}

/// Takes the write envelope (if_match, reason, idempotency_key, dry_run) out of `args`.
fn envelope(
    args: &mut serde_json::Map<String, Value>,
    caller: &Caller,
) -> Result<(WriteRequest, RequestContext), ApiError> {
    let request = WriteRequest {
        if_match: take(args, "if_match")?,
        strict: take(args, "strict")?.unwrap_or(false),
        idempotency_key: take(args, "idempotency_key")?,
        dry_run: take(args, "dry_run")?.unwrap_or(false),
    };
    let mut context = caller.request.clone();
    if let Some(reason) = take::<String>(args, "reason")? {
        if reason.chars().count() > MAX_REASON_CHARS || reason.chars().any(char::is_control) {
            return Err(ApiError::invalid(
                "reason",
                format!("at most {MAX_REASON_CHARS} characters, without control characters"),
            ));
        }
        context.reason = Some(reason.trim().to_string()).filter(|r| !r.is_empty());
    }
    Ok((request, context))
}

fn json<T: serde::Serialize>(value: T) -> Result<Output, ApiError> {
    serde_json::to_value(value)
        .map(Output::Json)
        .map_err(|e| ApiError::internal(&e))
}

/// Runs the operation `name` with JSON `args` as `caller`, recording its count and
/// latency under `transport`.
///
/// # Errors
/// An unknown operation, a scope the caller lacks (403), invalid arguments (422), and
/// whatever the use case refuses.
#[tracing::instrument(name = "folio.operation", skip_all, fields(operation = name, transport))]
pub async fn call(
    services: &Services,
    caller: &Caller,
    name: &str,
    args: Value,
    transport: &'static str,
) -> Result<Output, ApiError> {
    let started = Instant::now();
    let Some(op) = operation(name) else {
        return Err(ApiError::NotFound {
            code: Code::ToolNotFound,
            detail: format!("no operation named {name:?}"),
        });
    };
    let result = run(services, caller, op, args).await;
    let code = match &result {
        Ok(_) => "ok",
        Err(e) => e.code().as_str(),
    };
    crate::metrics::observe(op.name, transport, code, started.elapsed());
    if transport != "rest" {
        // One line per call (REST's line is the request's, written by its middleware).
        tracing::info!(
            operation = op.name,
            code,
            elapsed_ms = started.elapsed().as_secs_f64() * 1000.0,
            "operation"
        );
    }
    result
}

async fn run(
    services: &Services,
    caller: &Caller,
    op: &Operation,
    args: Value,
) -> Result<Output, ApiError> {
    if !caller.principal.can(op.scope) {
        return Err(ApiError::Forbidden {
            detail: format!("{} needs the {} scope", op.name, op.scope.as_str()),
        });
    }
    let mut args = arguments(op, args)?;
    let reads = &services.reads;
    let who = &caller.principal;
    if let Kind::Query(query) = op.kind {
        let reply = queries::run_mcp(query, reads.clone(), who.clone(), args).await?;
        return match reply {
            Reply::Json {
                json: Json::Value(value),
                ..
            } => Ok(Output::Json(value)),
            Reply::File(FileReply { file, uri, .. }) => {
                let info = json!({
                    "version": file.version,
                    "file_name": file.file_name,
                    "mime_type": file.mime_type,
                    "size_bytes": file.bytes.len(),
                    "uri": uri,
                });
                Ok(Output::File(info, file))
            }
            Reply::Json { .. } | Reply::Rest { .. } => {
                Err(ApiError::internal(&std::io::Error::other(format!(
                    "{} answered a REST representation over MCP",
                    op.name
                ))))
            }
        };
    }
    if matches!(op.kind, Kind::Command) {
        let id = document(&mut args)?;
        let (request, context) = envelope(&mut args, caller)?;
        args.insert("type".into(), Value::String(op.name.to_string()));
        let (commands, _) = api_types::parse_command_value(Value::Object(args), 1)?;
        return json(
            services
                .writes
                .execute(&context, &id, &commands, false, &request)
                .await?,
        );
    }
    match op.name {
        "list_api_keys" => json(services.access.keys(who).await?),
        "create_api_key" => json(services.access.create_key(who, &rest(args)?).await?),
        "revoke_api_key" => {
            let id: String = required(&mut args, "id")?;
            services.access.revoke_key(who, &id).await?;
            json(json!({"done": true}))
        }
        "list_users" => json(services.access.users(who).await?),
        "create_user" => json(services.access.create_user(who, &rest(args)?).await?),
        "delete_user" => {
            let username: String = required(&mut args, "username")?;
            services.access.delete_user(who, &username).await?;
            json(json!({"done": true}))
        }
        "create_document" => {
            let (request, context) = envelope(&mut args, caller)?;
            let title: String = required(&mut args, "title")?;
            json(services.writes.create(&context, title, &request).await?)
        }
        "import_document" => {
            let (request, context) = envelope(&mut args, caller)?;
            let data: String = required(&mut args, "data_base64")?;
            let title: Option<String> = match args.remove("title") {
                None | Some(Value::Null) => None,
                Some(Value::String(t)) => Some(t),
                Some(_) => return Err(ApiError::invalid("title", "must be a string")),
            };
            let limit = services.writes.imports.limits.max_upload_bytes;
            if data.len() as u64 / 4 * 3 > limit.saturating_add(3) {
                return Err(ApiError::PayloadTooLarge {
                    detail: format!("the file is larger than the upload limit of {limit} bytes"),
                });
            }
            let compact: String = data.chars().filter(|c| !c.is_ascii_whitespace()).collect();
            let file = base64::Engine::decode(
                &base64::engine::general_purpose::STANDARD,
                compact.as_bytes(),
            )
            .map_err(|e| ApiError::invalid("data_base64", format!("is not base64: {e}")))?;
            json(
                services
                    .writes
                    .import(&context, file, title, &request)
                    .await?,
            )
        }
        "archive_document" => {
            let id = document(&mut args)?;
            let (request, context) = envelope(&mut args, caller)?;
            json(services.writes.archive(&context, &id, &request).await?)
        }
        "run_commands" => {
            let id = document(&mut args)?;
            let (request, context) = envelope(&mut args, caller)?;
            let commands = args.remove("commands").unwrap_or(Value::Null);
            let (commands, batch) = api_types::parse_command_value(
                json!({ "commands": commands }),
                services.writes.max_batch,
            )?;
            json(
                services
                    .writes
                    .execute(&context, &id, &commands, batch, &request)
                    .await?,
            )
        }
        other => Err(ApiError::internal(&std::io::Error::other(format!(
            "operation {other} is in the catalogue but has no handler"
        )))),
    }
}

fn document(args: &mut serde_json::Map<String, Value>) -> Result<DocumentId, ApiError> {
    let raw: String = required(args, "document_id")?;
    api_types::parse_document_id(&raw)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::tests::refs;

    #[test]
    fn every_command_type_is_an_operation() {
        for (kind, _) in COMMAND_TYPES {
            let op = operation(kind).unwrap_or_else(|| panic!("{kind} has no operation"));
            assert_eq!(op.side, Side::Write);
            assert!(schema::property_names(&op.input_schema).contains(&"document_id"));
        }
    }

    #[test]
    fn names_are_unique_and_schemas_self_contained_objects() {
        let mut seen = std::collections::HashSet::new();
        for op in catalogue() {
            assert!(seen.insert(op.name), "{} twice", op.name);
            for schema in [&op.input_schema, &op.output_schema] {
                assert_eq!(schema["type"], "object", "{}: {schema}", op.name);
                assert_eq!(refs(schema), 0, "{}: {schema}", op.name);
            }
            assert!(!op.description.is_empty(), "{}", op.name);
        }
    }

    #[test]
    fn every_input_field_is_described() {
        let mut bare = Vec::new();
        for op in catalogue() {
            let properties = op.input_schema["properties"].as_object().expect("object");
            for (field, schema) in properties {
                if schema.get("description").is_none() {
                    bare.push(format!("{}.{field}: {schema}", op.name));
                }
            }
        }
        assert!(
            bare.is_empty(),
            "fields without a description:\n{}",
            bare.join("\n")
        );
    }
}
