//! The OpenAPI description of the query routes, made from the table: parameters,
//! answers and statuses, with the components the answers refer to.

use serde_json::{Map, Value, json};
use utoipa::ToSchema;

use super::QUERIES;

/// A body of an answer: a content type and the schema of what it holds.
#[derive(Debug, Clone, Copy)]
pub enum Body {
    /// A JSON body of a named component.
    Json(fn(&mut Map<String, Value>) -> Value),
    /// A non-JSON body (a file, text) of this media type.
    Bytes(&'static str),
}

/// A JSON body of `T` (registered as a component with what it refers to).
pub(super) fn component<T: ToSchema>(components: &mut Map<String, Value>) -> Value {
    let mut deps = vec![(T::name().into_owned(), T::schema())];
    T::schemas(&mut deps);
    for (name, schema) in deps {
        components
            .entry(name)
            .or_insert_with(|| serde_json::to_value(schema).unwrap_or_default());
    }
    json!({"$ref": format!("#/components/schemas/{}", T::name())})
}

/// A JSON body of a page of `T`, as the component `Page_T`.
pub(super) fn page<T: ToSchema>(components: &mut Map<String, Value>) -> Value {
    let item = component::<T>(components);
    let name = format!("Page_{}", T::name());
    if !components.contains_key(&name) {
        let mut page =
            serde_json::to_value(<api_types::Page<T> as utoipa::PartialSchema>::schema())
                .unwrap_or_default();
        if let Some(items) = page.pointer_mut("/properties/items/items") {
            *items = item;
        }
        components.insert(name.clone(), page);
    }
    json!({"$ref": format!("#/components/schemas/{name}")})
}

/// The OpenAPI path items of every query, with the components their answers refer to
/// added to `components`: `(route, path item)`.
pub fn openapi_paths(components: &mut Map<String, Value>) -> Vec<(&'static str, Value)> {
    QUERIES
        .iter()
        .map(|q| {
            let mut parameters: Vec<Value> = q
                .path
                .iter()
                .map(|p| {
                    let mut schema = json!({"type": "string"});
                    if let Some(pattern) = p.pattern {
                        schema["pattern"] = json!(pattern);
                    }
                    json!({"name": p.route, "in": "path", "required": true, "description": p.description, "schema": schema})
                })
                .collect();
            parameters.extend((q.params.openapi)());
            let mut content = Map::new();
            for body in q.ok.1 {
                let (media_type, schema) = match body {
                    Body::Json(of) => ("application/json", of(components)),
                    Body::Bytes(media_type) => (*media_type, json!({"type": "string", "format": "binary"})),
                };
                content.insert(media_type.to_string(), json!({"schema": schema}));
            }
            let mut responses = Map::new();
            responses.insert(
                "200".into(),
                json!({"description": q.ok.0, "content": content}),
            );
            for (status, why) in q.errors {
                responses.insert(
                    status.to_string(),
                    json!({
                        "description": why,
                        "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/ProblemDetails"}}},
                    }),
                );
            }
            let operation = json!({
                "tags": ["queries"],
                "summary": q.summary,
                "description": q.description,
                "operationId": q.name,
                "parameters": parameters,
                "responses": responses,
            });
            (q.route, json!({"get": operation}))
        })
        .collect()
}
