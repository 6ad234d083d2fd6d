//! Makes the generated OpenAPI document say exactly what the server does. utoipa describes
//! each handler from its annotations; what is the same for every route (authentication,
//! rate limits, body checks, read-your-writes waits) is declared here once, from the same
//! facts the server enforces, instead of in twenty annotations that drift.
//!
//! - The command schema: one object per command `type` that `/commands` accepts (from
//!   [`crate::COMMAND_TYPES`], the parser's own table), each with its `type` and its
//!   fields. utoipa's rendering of the internally tagged enum (`allOf` of a struct that
//!   forbids unknown fields and an object that requires `type`) could be satisfied by
//!   nothing.
//! - The statuses every route can answer: 400 (a malformed header or query), 401 and 403
//!   (credentials and scopes), 429 (rate limits), 413/415/422 for a JSON body, 404 for a
//!   path naming a resource, 503 where `min_version` waits.

use serde_json::{Map, Value, json};

/// Routes that need no credentials.
const PUBLIC: &[&str] = &["/v1/auth/token"];
/// Health, readiness and metrics: no credentials, no limits, no parameters; they say what
/// they answer themselves.
const PROBES: &[&str] = &["/healthz", "/readyz", "/metrics"];

/// The bounds a server enforces that its schemas state: configurable, so written into
/// the document from the server's settings (whose defaults are
/// `domain::Limits::DEFAULT` and [`crate::MAX_BATCH`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bounds {
    /// Most characters in a title (`--max-title-chars`).
    pub max_title_chars: usize,
    /// Most commands in one batch (`--max-batch`).
    pub max_batch: usize,
}

impl Default for Bounds {
    fn default() -> Self {
        Self {
            max_title_chars: domain::Limits::DEFAULT.max_title_chars,
            max_batch: crate::MAX_BATCH,
        }
    }
}

impl Bounds {
    /// Writes the bounds into the schemas that carry them: a title's `maxLength` (new
    /// documents, `set_title`) and a batch's `maxItems`.
    pub fn apply(&self, schemas: &mut Map<String, Value>) {
        for component in ["CreateDocumentRequest", "SetTitle"] {
            if let Some(title) = schemas
                .get_mut(component)
                .and_then(|s| s.pointer_mut("/properties/title"))
                .and_then(Value::as_object_mut)
            {
                title.insert("maxLength".into(), json!(self.max_title_chars));
            }
        }
        if let Some(commands) = schemas
            .get_mut("CommandBatch")
            .and_then(|s| s.pointer_mut("/properties/commands"))
            .and_then(Value::as_object_mut)
        {
            commands.insert("maxItems".into(), json!(self.max_batch));
        }
    }
}

/// The OpenAPI document with the command schema, the common statuses and the server's
/// bounds put right.
///
/// # Panics
/// Never for a document utoipa produced (it is JSON in, JSON out).
pub fn truthful(openapi: utoipa::openapi::OpenApi, bounds: Bounds) -> utoipa::openapi::OpenApi {
    let mut doc = serde_json::to_value(&openapi).expect("an OpenAPI document is JSON");
    if let Some(schemas) = doc
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
    {
        bounds.apply(schemas);
    }
    commands(&mut doc);
    commands_without_null(&mut doc);
    statuses(&mut doc);
    parameters_without_null(&mut doc);
    serde_json::from_value(doc).expect("the edited document is still OpenAPI")
}

fn commands(doc: &mut Value) {
    let Some(schemas) = doc
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
    else {
        return;
    };
    let mut one_of = Vec::new();
    let mut mapping = Map::new();
    for (kind, component) in crate::COMMAND_TYPES {
        let Some(schema) = schemas.get_mut(*component).and_then(Value::as_object_mut) else {
            continue;
        };
        tag_command(kind, schema);
        let reference = format!("#/components/schemas/{component}");
        one_of.push(json!({ "$ref": reference }));
        mapping.insert((*kind).to_string(), json!(reference));
    }
    schemas.insert(
        "DocumentCommand".into(),
        json!({
            "description": "One command; `type` says which.",
            "oneOf": one_of,
            "discriminator": {"propertyName": "type", "mapping": mapping},
        }),
    );
}

/// A command's field is present with a value or absent: the parser refuses `null` (it
/// would otherwise read as "absent", so `"text": null` made an empty paragraph). utoipa
/// writes every `Option<T>` as "T or null"; this takes `null` out of the schemas only
/// commands use (a component a response also uses keeps what utoipa says).
fn commands_without_null(doc: &mut Value) {
    let Some(schemas) = doc
        .pointer("/components/schemas")
        .and_then(Value::as_object)
    else {
        return;
    };
    let mut of_commands = std::collections::BTreeSet::new();
    for (_, component) in crate::COMMAND_TYPES {
        of_commands.insert((*component).to_string());
        if let Some(schema) = schemas.get(*component) {
            referenced(schema, schemas, &mut of_commands);
        }
    }
    let mut of_responses = std::collections::BTreeSet::new();
    if let Some(paths) = doc.get("paths") {
        for operation in paths.as_object().into_iter().flat_map(|p| p.values()) {
            for op in operation.as_object().into_iter().flat_map(|o| o.values()) {
                if let Some(responses) = op.get("responses") {
                    referenced(responses, schemas, &mut of_responses);
                }
            }
        }
    }
    let Some(schemas) = doc
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
    else {
        return;
    };
    for name in of_commands.difference(&of_responses) {
        if let Some(schema) = schemas.get_mut(name) {
            without_null(schema);
        }
    }
}

/// Adds to `seen` the components `value` refers to, and the ones they refer to.
fn referenced(
    value: &Value,
    schemas: &Map<String, Value>,
    seen: &mut std::collections::BTreeSet<String>,
) {
    match value {
        Value::Object(object) => {
            if let Some(name) = object
                .get("$ref")
                .and_then(Value::as_str)
                .and_then(|r| r.strip_prefix("#/components/schemas/"))
                && seen.insert(name.to_string())
                && let Some(schema) = schemas.get(name)
            {
                referenced(schema, schemas, seen);
            }
            for v in object.values() {
                referenced(v, schemas, seen);
            }
        }
        Value::Array(items) => items.iter().for_each(|v| referenced(v, schemas, seen)),
        _ => {}
    }
}

/// The schema without `null` as a value: `"type": ["string", "null"]` becomes `"string"`,
/// `{"type": "null"}` leaves every `oneOf`/`anyOf`.
pub fn without_null(schema: &mut Value) {
    match schema {
        Value::Object(object) => {
            if let Some(Value::Array(kinds)) = object.get_mut("type") {
                kinds.retain(|k| k != "null");
                if let [only] = kinds.as_slice() {
                    let only = only.clone();
                    object.insert("type".into(), only);
                }
            }
            for key in ["oneOf", "anyOf"] {
                if let Some(Value::Array(options)) = object.get_mut(key) {
                    options.retain(|o| o != &json!({"type": "null"}));
                }
            }
            object.values_mut().for_each(without_null);
        }
        Value::Array(items) => items.iter_mut().for_each(without_null),
        _ => {}
    }
}

/// A command that can be a suggestion gets its `suggest` field.
pub fn add_suggest(kind: &str, schema: &mut Map<String, Value>) {
    if !domain::SUGGESTIBLE.contains(&kind) {
        return;
    }
    if let Some(properties) = schema
        .entry("properties")
        .or_insert_with(|| json!({}))
        .as_object_mut()
    {
        properties.insert(
            "suggest".into(),
            json!({
                "type": "boolean",
                "description": "Propose it (a tracked change to accept or reject), not make it.",
            }),
        );
    }
}

/// Makes a command struct's schema the schema of the command on the wire: its `type`
/// property (the one value `kind`), required first, and `suggest` where it can be one.
pub fn tag_command(kind: &str, schema: &mut Map<String, Value>) {
    add_suggest(kind, schema);
    if let Some(properties) = schema
        .entry("properties")
        .or_insert_with(|| json!({}))
        .as_object_mut()
    {
        properties.insert(
            "type".into(),
            json!({"type": "string", "enum": [kind], "description": "The command."}),
        );
    }
    let required = schema.entry("required").or_insert_with(|| json!([]));
    if let Some(list) = required.as_array_mut() {
        list.insert(0, json!("type"));
    }
}

/// A query or header parameter is absent or has a value: `null` is not a value it can
/// take (utoipa writes `Option<T>` as "T or null", and `If-Match: null` is no version).
fn parameters_without_null(doc: &mut Value) {
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else {
        return;
    };
    let operations = paths
        .values_mut()
        .filter_map(Value::as_object_mut)
        .flat_map(|item| item.values_mut());
    for operation in operations {
        let Some(parameters) = operation
            .get_mut("parameters")
            .and_then(Value::as_array_mut)
        else {
            continue;
        };
        for parameter in parameters {
            if let Some(kinds) = parameter
                .pointer_mut("/schema/type")
                .and_then(Value::as_array_mut)
            {
                kinds.retain(|k| k != "null");
                if let [only] = kinds.as_slice() {
                    let only = only.clone();
                    parameter["schema"]["type"] = only;
                }
            }
        }
    }
}

fn problem(description: &str) -> Value {
    json!({
        "description": description,
        "content": {"application/problem+json": {
            "schema": {"$ref": "#/components/schemas/ProblemDetails"}
        }}
    })
}

fn statuses(doc: &mut Value) {
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else {
        return;
    };
    for (path, item) in paths.iter_mut() {
        let Some(item) = item
            .as_object_mut()
            .filter(|_| !PROBES.contains(&path.as_str()))
        else {
            continue;
        };
        for operation in item.values_mut().filter_map(Value::as_object_mut) {
            let has_body = operation.contains_key("requestBody");
            let waits = operation
                .get("parameters")
                .and_then(Value::as_array)
                .is_some_and(|ps| ps.iter().any(|p| p["name"] == "min_version"));
            let Some(responses) = operation
                .get_mut("responses")
                .and_then(Value::as_object_mut)
            else {
                continue;
            };
            let mut declare = |status: &str, description: &str| {
                responses
                    .entry(status.to_string())
                    .or_insert_with(|| problem(description));
            };
            declare("400", "a malformed header or query parameter");
            declare("429", "over the rate limit (see Retry-After)");
            if !PUBLIC.contains(&path.as_str()) {
                declare("401", "no credentials, or credentials that do not verify");
                declare("403", "the credential lacks the scope this route needs");
            }
            if has_body {
                declare("413", "the body is over the size limit");
                declare("415", "the body is not sent as application/json");
                declare("422", "the body is JSON but not a valid request");
            }
            if path.contains('{') {
                declare("404", "no such resource in the caller's tenant");
            }
            if waits {
                declare(
                    "503",
                    "the read model did not reach min_version in time (see Retry-After)",
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_accepted_command_type_has_exactly_one_schema_with_its_type() {
        let mut doc = json!({"components": {"schemas": {}}, "paths": {}});
        for (_, component) in crate::COMMAND_TYPES {
            doc["components"]["schemas"][*component] = json!({
                "type": "object", "properties": {}, "additionalProperties": false
            });
        }
        commands(&mut doc);
        let one_of = doc["components"]["schemas"]["DocumentCommand"]["oneOf"]
            .as_array()
            .unwrap();
        assert_eq!(one_of.len(), crate::COMMAND_TYPES.len());
        let add_paragraph = &doc["components"]["schemas"]["AddParagraph"];
        assert_eq!(
            add_paragraph["properties"]["type"]["enum"],
            json!(["add_paragraph"])
        );
        assert_eq!(add_paragraph["required"][0], "type");
    }
}
