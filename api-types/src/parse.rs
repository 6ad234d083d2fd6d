//! Request bodies → commands, with 400 for what is not JSON and 422 naming the field for
//! JSON that is not a valid command.

use domain::DocumentCommand;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::code::Code;
use crate::error::{ApiError, FieldError};

/// Reads a document id from a path. Ids are UUIDs; anything else cannot name a document,
/// so it is a 404 like any unknown id.
///
/// # Errors
/// [`ApiError::NotFound`].
pub fn parse_document_id(raw: &str) -> Result<domain::DocumentId, ApiError> {
    uuid::Uuid::parse_str(raw)
        .map(|u| domain::DocumentId::new(u.to_string()))
        .map_err(|_| ApiError::document_not_found())
}

/// Parses a JSON body into `T`: 400 when it is not JSON, 422 naming the field otherwise.
///
/// # Errors
/// [`ApiError::BadRequest`] or [`ApiError::Validation`].
pub fn parse_json<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    parse_json_value(parse_value(body)?)
}

/// Reads a JSON value into `T`, 422 naming the field at fault.
///
/// # Errors
/// [`ApiError::Validation`].
pub fn parse_json_value<T: DeserializeOwned>(value: Value) -> Result<T, ApiError> {
    from_value(value, "").map_err(|e| ApiError::Validation {
        detail: e.message.clone(),
        errors: vec![e],
        command_index: None,
    })
}

fn parse_value(body: &[u8]) -> Result<Value, ApiError> {
    if body.is_empty() {
        return Err(ApiError::BadRequest {
            code: Code::MalformedJson,
            detail: "the request body is empty; a JSON object is expected".into(),
        });
    }
    serde_json::from_slice::<Strict>(body)
        .map(|strict| strict.0)
        .map_err(|e| ApiError::BadRequest {
            code: Code::MalformedJson,
            detail: format!("the request body is not valid JSON: {e}"),
        })
}

/// A JSON value read strictly: an object that names a key twice is an error (serde_json
/// would keep the last one silently, so `{"offset":1,"offset":99}` would mean whatever
/// the reader picked).
struct Strict(Value);

impl<'de> serde::Deserialize<'de> for Strict {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(StrictVisitor).map(Strict)
    }
}

struct StrictVisitor;

impl<'de> serde::de::Visitor<'de> for StrictVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_string()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(Strict(item)) = seq.next_element()? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut object = serde_json::Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if object.contains_key(&key) {
                return Err(serde::de::Error::custom(format!(
                    "the key {key:?} appears twice in one object"
                )));
            }
            let Strict(value) = map.next_value()?;
            object.insert(key, value);
        }
        Ok(Value::Object(object))
    }
}

/// Deserializes with the path of the failing field.
fn from_value<T: DeserializeOwned>(value: Value, prefix: &str) -> Result<T, FieldError> {
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        let message = e.inner().to_string();
        let mut field = if path == "." { String::new() } else { path };
        // serde reports a missing or unknown field at the enclosing object; name the field.
        for marker in ["missing field `", "unknown field `"] {
            if let Some(rest) = message.strip_prefix(marker)
                && let Some(name) = rest.split('`').next()
            {
                field = join(&field, name);
            }
        }
        if field.is_empty() {
            field = "body".into();
        }
        FieldError {
            field: join(prefix, &field),
            message,
        }
    })
}

fn join(a: &str, b: &str) -> String {
    match (a.is_empty(), b.is_empty()) {
        (true, _) => b.to_string(),
        (_, true) => a.to_string(),
        _ if a.ends_with(&format!(".{b}")) || a == b => a.to_string(),
        _ => format!("{a}.{b}"),
    }
}

/// Reads one command. Dispatching on `type` first and then deserializing the variant's own
/// struct keeps the path of a failing field (serde buffers internally tagged enums and
/// loses it).
fn command_from_value(value: Value, prefix: &str) -> Result<DocumentCommand, FieldError> {
    let Value::Object(mut object) = value else {
        return Err(FieldError {
            field: join(prefix, "body"),
            message: "a command is a JSON object with a `type`".into(),
        });
    };
    let kind = match object.remove("type") {
        Some(Value::String(kind)) => kind,
        Some(_) => {
            return Err(FieldError {
                field: join(prefix, "type"),
                message: "must be a string".into(),
            });
        }
        None => {
            return Err(FieldError {
                field: join(prefix, "type"),
                message: "missing field `type`".into(),
            });
        }
    };
    if matches!(
        kind.as_str(),
        "create_document" | "archive_document" | "import_document"
    ) {
        return Err(FieldError {
            field: join(prefix, "type"),
            message: format!(
                "{kind} is not a document command; use POST /v1/documents, POST /v1/documents/import or DELETE /v1/documents/{{id}}"
            ),
        });
    }
    // `"suggest": true` records the command as a suggestion instead of making it.
    let suggest = match object.remove("suggest") {
        None => false,
        Some(Value::Bool(suggest)) if domain::SUGGESTIBLE.contains(&kind.as_str()) => suggest,
        Some(Value::Bool(_)) => {
            return Err(FieldError {
                field: join(prefix, "suggest"),
                message: format!(
                    "{kind} cannot be a suggestion; these can: {}",
                    domain::SUGGESTIBLE.join(", ")
                ),
            });
        }
        Some(_) => {
            return Err(FieldError {
                field: join(prefix, "suggest"),
                message: "must be true or false".into(),
            });
        }
    };
    let command = Value::Object(object);
    if let Some(path) = null_in(&command, prefix) {
        return Err(FieldError {
            field: path,
            message: "must not be null: leave the field out, or give it a value".into(),
        });
    }
    let command = dispatch(&kind, command, prefix)?;
    Ok(if suggest {
        DocumentCommand::Suggest(domain::command::Suggest::of(command))
    } else {
        command
    })
}

/// The path of the first `null` in a command's fields (a field is absent or has a value).
fn null_in(value: &Value, path: &str) -> Option<String> {
    match value {
        Value::Null => Some(path.to_string()),
        Value::Object(object) => object
            .iter()
            .find_map(|(key, v)| null_in(v, &join(path, key))),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, v)| null_in(v, &join(path, &i.to_string()))),
        _ => None,
    }
}

/// A schema or a reference to one.
pub type RefOrSchema = utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>;

/// The parser, [`COMMAND_TYPES`], and the commands' JSON Schemas, made from the one list
/// of commands ([`domain::for_each_command`]).
macro_rules! command_table {
    ($($name:literal => $variant:ident),* $(,)?) => {
        /// Every command `POST /v1/documents/{id}/commands` accepts: its `type` and the name
        /// of its struct (= its schema component).
        pub const COMMAND_TYPES: &[(&str, &str)] = &[$(($name, stringify!($variant))),*];

        /// The JSON Schema of a command's fields (its struct) and the schemas it refers to.
        pub fn command_schema(kind: &str) -> Option<(RefOrSchema, Vec<(String, RefOrSchema)>)> {
            match kind {
                $($name => {
                    let mut deps = Vec::new();
                    <domain::command::$variant as utoipa::ToSchema>::schemas(&mut deps);
                    Some((<domain::command::$variant as utoipa::PartialSchema>::schema(), deps))
                })*
                _ => None,
            }
        }

        /// The JSON Schema of any one command (`oneOf` the commands, each with its `type`,
        /// as in the OpenAPI document) and the schemas it refers to.
        pub fn command_schema_all() -> (Value, Vec<(String, RefOrSchema)>) {
            let mut deps = Vec::new();
            let mut one_of = Vec::new();
            $(
                {
                    let mut schema = serde_json::to_value(
                        <domain::command::$variant as utoipa::PartialSchema>::schema(),
                    )
                    .unwrap_or_default();
                    <domain::command::$variant as utoipa::ToSchema>::schemas(&mut deps);
                    if let Some(object) = schema.as_object_mut() {
                        crate::openapi::tag_command($name, object);
                    }
                    one_of.push(schema);
                }
            )*
            (serde_json::json!({ "oneOf": one_of }), deps)
        }

        fn dispatch(kind: &str, rest: Value, prefix: &str) -> Result<DocumentCommand, FieldError> {
            match kind {
                $($name => from_value::<domain::command::$variant>(rest, prefix)
                    .map(DocumentCommand::$variant),)*
                other => Err(FieldError {
                    field: join(prefix, "type"),
                    message: format!(
                        "unknown command type `{other}`; expected one of {}",
                        [$($name),*].join(", ")
                    ),
                }),
            }
        }
    };
}

domain::for_each_command!(command_table);

/// Parses a command request: one command `{"type": …}` or a batch `{"commands": [...]}`,
/// and says whether it was a batch. Document creation and archiving have their own
/// endpoints and are refused here.
///
/// # Errors
/// 400 for malformed JSON; 422 for an invalid command (naming `commands.N.field` in a batch),
/// an empty batch, or one larger than `max_batch`.
pub fn parse_commands(
    body: &[u8],
    max_batch: usize,
) -> Result<(Vec<DocumentCommand>, bool), ApiError> {
    parse_command_value(parse_value(body)?, max_batch)
}

/// [`parse_commands`] for a JSON value already read (an MCP tool's arguments).
///
/// # Errors
/// As [`parse_commands`], without the 400.
pub fn parse_command_value(
    value: Value,
    max_batch: usize,
) -> Result<(Vec<DocumentCommand>, bool), ApiError> {
    let Value::Object(mut object) = value else {
        return Err(ApiError::invalid("body", "a JSON object is expected"));
    };
    let batch = object.contains_key("commands");
    let items: Vec<(Option<usize>, Value)> = if batch {
        if object.len() > 1 {
            let extra = object.keys().find(|k| *k != "commands").cloned();
            return Err(ApiError::invalid(
                extra.unwrap_or_default(),
                "a batch has only the field `commands`",
            ));
        }
        let Some(Value::Array(list)) = object.remove("commands") else {
            return Err(ApiError::invalid(
                "commands",
                "must be an array of commands",
            ));
        };
        if list.is_empty() {
            return Err(ApiError::invalid(
                "commands",
                "a batch needs at least one command",
            ));
        }
        if list.len() > max_batch {
            return Err(ApiError::invalid(
                "commands",
                format!("a batch has at most {max_batch} commands"),
            ));
        }
        list.into_iter()
            .enumerate()
            .map(|(i, v)| (Some(i), v))
            .collect()
    } else {
        vec![(None, Value::Object(object))]
    };
    let mut commands = Vec::with_capacity(items.len());
    for (index, value) in items {
        let prefix = index.map(|i| format!("commands.{i}")).unwrap_or_default();
        let command = command_from_value(value, &prefix).map_err(|e| ApiError::Validation {
            detail: e.message.clone(),
            errors: vec![e],
            command_index: index,
        })?;
        commands.push(command);
    }
    Ok((commands, batch))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field_of(body: &str) -> (u16, Vec<String>) {
        let err = parse_commands(body.as_bytes(), 10).unwrap_err();
        let status = err.status().as_u16();
        (
            status,
            err.problem().errors.into_iter().map(|e| e.field).collect(),
        )
    }

    #[test]
    fn malformed_json_is_400() {
        assert_eq!(field_of("{nope").0, 400);
    }

    #[test]
    fn unknown_type_names_the_type_field() {
        assert_eq!(
            field_of(r#"{"type":"explode"}"#),
            (422, vec!["type".into()])
        );
    }

    #[test]
    fn missing_field_is_named() {
        assert_eq!(
            field_of(r#"{"type":"insert_text","block_id":"b2","offset":1}"#),
            (422, vec!["text".into()])
        );
    }

    #[test]
    fn unknown_field_is_named() {
        assert_eq!(
            field_of(r#"{"type":"add_heading","text":"x","levle":2}"#),
            (422, vec!["levle".into()])
        );
    }

    #[test]
    fn wrong_type_in_a_batch_is_named_with_its_index() {
        let (status, fields) = field_of(
            r#"{"commands":[{"type":"add_paragraph","text":"a"},{"type":"add_heading","text":"x","level":"two"}]}"#,
        );
        assert_eq!(status, 422);
        assert_eq!(fields, vec!["commands.1.level".to_string()]);
    }

    #[test]
    fn null_is_no_value() {
        assert_eq!(
            field_of(r#"{"type":"add_paragraph","text":null}"#),
            (422, vec!["text".into()])
        );
        assert_eq!(
            field_of(
                r#"{"commands":[{"type":"add_paragraph","runs":[{"text":"a","bold":null}]}]}"#
            ),
            (422, vec!["commands.0.runs.0.bold".into()])
        );
    }

    #[test]
    fn create_is_not_a_document_command() {
        assert_eq!(
            field_of(r#"{"type":"create_document","document_id":"x","title":"t"}"#),
            (422, vec!["type".into()])
        );
    }

    #[test]
    fn oversized_batch_is_refused() {
        let body = format!(
            r#"{{"commands":[{}]}}"#,
            [r#"{"type":"add_page_break"}"#; 11].join(",")
        );
        assert_eq!(field_of(&body).1, vec!["commands".to_string()]);
    }
}
