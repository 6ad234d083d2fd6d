//! JSON Schemas for operation inputs and outputs, made from the same utoipa descriptions
//! as the OpenAPI document, made self-contained: every `$ref` inlined, and an `allOf` of
//! objects merged into one object, so that an MCP client sees every field of a tool in
//! one `properties` map.

use std::collections::HashMap;

use api_types::RefOrSchema;
use serde_json::{Map, Value, json};
use utoipa::ToSchema;

/// Deepest nesting of references followed (folio's types are not recursive; this only
/// stops a mistake from looping).
const MAX_DEPTH: usize = 32;

/// The self-contained schema of `T`.
pub fn of<T: ToSchema>() -> Value {
    let mut deps = Vec::new();
    T::schemas(&mut deps);
    inline_all(T::schema(), deps)
}

/// The self-contained schema of a page of `T` (utoipa does not collect the schemas a
/// generic parameter refers to).
pub fn page_of<T: ToSchema>() -> Value {
    let mut deps = vec![(T::name().into_owned(), T::schema())];
    T::schemas(&mut deps);
    inline_all(
        <api_types::Page<T> as utoipa::PartialSchema>::schema(),
        deps,
    )
}

/// A schema with its dependencies inlined.
pub fn inline_all(root: RefOrSchema, deps: Vec<(String, RefOrSchema)>) -> Value {
    inline_json(to_json(&root), deps)
}

/// [`inline_all`] for a schema already in its JSON form.
pub fn inline_json(root: Value, deps: Vec<(String, RefOrSchema)>) -> Value {
    let components: HashMap<String, Value> = deps
        .into_iter()
        .map(|(name, schema)| (name, to_json(&schema)))
        .collect();
    simplify(inline(root, &components, 0))
}

fn to_json(schema: &RefOrSchema) -> Value {
    serde_json::to_value(schema).unwrap_or_else(|_| json!({}))
}

fn inline(value: Value, components: &HashMap<String, Value>, depth: usize) -> Value {
    match value {
        Value::Object(object) => {
            if let Some(Value::String(reference)) = object.get("$ref")
                && let Some(name) = reference.strip_prefix("#/components/schemas/")
                && depth < MAX_DEPTH
                && let Some(target) = components.get(name)
            {
                let mut target = inline(target.clone(), components, depth + 1);
                // Keep a description written at the point of use.
                if let (Some(description), Value::Object(t)) =
                    (object.get("description"), &mut target)
                {
                    t.insert("description".into(), description.clone());
                }
                return target;
            }
            Value::Object(
                object
                    .into_iter()
                    .map(|(k, v)| (k, inline(v, components, depth)))
                    .collect(),
            )
        }
        Value::Array(items) => Value::Array(
            items
                .into_iter()
                .map(|v| inline(v, components, depth))
                .collect(),
        ),
        other => other,
    }
}

/// Merges `allOf` lists whose parts are all plain objects into one object.
fn simplify(value: Value) -> Value {
    match value {
        Value::Object(mut object) => {
            for v in object.values_mut() {
                *v = simplify(std::mem::take(v));
            }
            // `Option<T>` of a described `T`: say it at the top, where clients look.
            if !object.contains_key("description")
                && let Some(Value::Array(parts)) = object.get("oneOf").or(object.get("anyOf"))
                && let Some(description) = parts.iter().find_map(|p| p.get("description"))
            {
                let description = description.clone();
                object.insert("description".into(), description);
            }
            if let Some(Value::Array(parts)) = object.get("allOf")
                && parts.iter().all(is_plain_object)
            {
                let parts = parts.clone();
                object.remove("allOf");
                let mut merged = Map::new();
                merged.insert("type".into(), json!("object"));
                let mut properties = Map::new();
                let mut required: Vec<Value> = Vec::new();
                for part in parts {
                    if let Some(Value::Object(p)) = part.get("properties") {
                        properties.extend(p.clone());
                    }
                    if let Some(Value::Array(r)) = part.get("required") {
                        required.extend(r.iter().cloned());
                    }
                }
                merged.insert("properties".into(), Value::Object(properties));
                if !required.is_empty() {
                    merged.insert("required".into(), Value::Array(required));
                }
                for (k, v) in object {
                    merged.entry(k).or_insert(v);
                }
                return Value::Object(merged);
            }
            Value::Object(object)
        }
        Value::Array(items) => Value::Array(items.into_iter().map(simplify).collect()),
        other => other,
    }
}

fn is_plain_object(v: &Value) -> bool {
    v.get("properties").is_some()
        && v.get("oneOf").is_none()
        && v.get("anyOf").is_none()
        && v.get("allOf").is_none()
}

/// An object schema made of `fields` (name, schema, required) followed by the
/// properties of `rest` (an object schema), closed to other fields.
pub fn object(fields: &[(&str, Value, bool)], rest: Option<Value>) -> Value {
    let mut properties = Map::new();
    let mut required = Vec::new();
    for (name, schema, needed) in fields {
        properties.insert((*name).to_string(), schema.clone());
        if *needed {
            required.push(json!(name));
        }
    }
    if let Some(rest) = rest {
        if let Some(Value::Object(p)) = rest.get("properties") {
            for (k, v) in p {
                properties.entry(k.clone()).or_insert_with(|| v.clone());
            }
        }
        if let Some(Value::Array(r)) = rest.get("required") {
            for name in r {
                if !required.contains(name) {
                    required.push(name.clone());
                }
            }
        }
    }
    json!({
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": false,
    })
}

/// The names of the properties of an object schema.
pub fn property_names(schema: &Value) -> Vec<&str> {
    schema
        .get("properties")
        .and_then(Value::as_object)
        .map(|p| p.keys().map(String::as_str).collect())
        .unwrap_or_default()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// How many `$ref`s a schema still has.
    pub(crate) fn refs(v: &Value) -> usize {
        match v {
            Value::Object(o) => {
                usize::from(o.contains_key("$ref")) + o.values().map(refs).sum::<usize>()
            }
            Value::Array(a) => a.iter().map(refs).sum(),
            _ => 0,
        }
    }

    #[test]
    fn command_schemas_are_self_contained_objects() {
        for (kind, _) in api_types::COMMAND_TYPES {
            let (root, deps) = api_types::command_schema(kind).expect("in the table");
            let schema = inline_all(root, deps);
            assert_eq!(refs(&schema), 0, "{kind}: {schema}");
            assert_eq!(schema["type"], "object", "{kind}: {schema}");
        }
    }

    #[test]
    fn pages_inline_their_items() {
        let schema = page_of::<api_types::DocumentSummary>();
        assert_eq!(refs(&schema), 0, "{schema}");
        assert!(
            schema
                .pointer("/properties/items/items/properties/title")
                .is_some(),
            "{schema}"
        );
    }
}
