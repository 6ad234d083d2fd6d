//! The read side over HTTP (actix-web), made from the query table
//! ([`app::queries::QUERIES`]): one GET route per query, whose handler collects the path
//! and query string, runs the query's own handler off the HTTP workers and turns its
//! [`Reply`] into a response (ETag, content type, download name, cache headers); and the
//! OpenAPI description of those routes ([`describe`]). Tenant scope, time travel,
//! read-your-writes, pagination and search live in `app`, shared with the MCP tools.

pub mod access;
pub mod ui;

use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, web};
use api_types::ApiError;
use app::queries::{Cx, Disposition, FileReply, Json, Params, QUERIES, Query, Reply, Transport};
use app::read::Reads;
use auth::Principal;
use tracing::Instrument;
use utoipa_actix_web::service_config::ServiceConfig;

/// Registers a GET route for every query of the table.
pub fn configure(reads: Reads) -> impl FnOnce(&mut ServiceConfig) {
    move |cfg| {
        cfg.app_data(web::Data::new(reads));
        for query in QUERIES {
            cfg.route(
                query.route,
                web::get().to(
                    move |req: HttpRequest, reads: web::Data<Reads>, principal: Principal| {
                        answer(query, req, reads, principal)
                    },
                ),
            );
        }
    }
}

/// The OpenAPI document with every query's route added (from the same table).
pub fn describe(openapi: utoipa::openapi::OpenApi) -> utoipa::openapi::OpenApi {
    let Ok(mut doc) = serde_json::to_value(&openapi) else {
        return openapi;
    };
    let mut components = doc
        .pointer_mut("/components/schemas")
        .and_then(serde_json::Value::as_object_mut)
        .map(std::mem::take)
        .unwrap_or_default();
    let paths = app::queries::openapi_paths(&mut components);
    if let Some(schemas) = doc.pointer_mut("/components/schemas") {
        *schemas = serde_json::Value::Object(components);
    }
    if let Some(all) = doc
        .get_mut("paths")
        .and_then(serde_json::Value::as_object_mut)
    {
        // A route may also have a write (GET and POST /v1/documents): merge by method.
        for (route, item) in paths {
            let entry = all
                .entry(route.to_string())
                .or_insert_with(|| serde_json::json!({}));
            if let (Some(entry), serde_json::Value::Object(item)) = (entry.as_object_mut(), item) {
                entry.extend(item);
            }
        }
    }
    serde_json::from_value(doc).unwrap_or(openapi)
}

/// Runs `query` for an HTTP request, off the HTTP workers (see [`app::offload`]).
async fn answer(
    query: &'static Query,
    req: HttpRequest,
    reads: web::Data<Reads>,
    principal: Principal,
) -> Result<HttpResponse, ApiError> {
    let path = query
        .path
        .iter()
        .map(|p| {
            req.match_info()
                .get(p.route)
                .unwrap_or_default()
                .to_string()
        })
        .collect();
    let cx = Cx {
        reads: reads.get_ref().clone(),
        principal,
        path,
        params: Params::Query(req.query_string().to_string()),
        transport: Transport::Rest,
    };
    let span = tracing::info_span!("folio.query", query = query.name);
    let reply = app::offload::offload((query.run)(cx).instrument(span)).await??;
    Ok(response(reply))
}

/// The HTTP response for a reply.
fn response(reply: Reply) -> HttpResponse {
    let mut response = HttpResponse::Ok();
    match reply {
        Reply::Json { json, version } => {
            if let Some(version) = version {
                response.insert_header((header::ETAG, app::queries::etag(version)));
            }
            let body = match json {
                Json::Bytes(bytes) => bytes,
                Json::Value(value) => serde_json::to_vec(&value).unwrap_or_default(),
            };
            response.content_type("application/json").body(body)
        }
        Reply::Rest {
            content_type,
            body,
            headers,
        } => {
            insert(&mut response, headers);
            response.content_type(content_type).body(body)
        }
        Reply::File(FileReply {
            file,
            disposition,
            immutable,
            etag,
            headers,
            ..
        }) => {
            if etag {
                response.insert_header((header::ETAG, app::queries::etag(file.version)));
            }
            if immutable {
                response.insert_header((
                    header::CACHE_CONTROL,
                    "private, max-age=31536000, immutable",
                ));
            }
            let disposition = match disposition {
                Disposition::Inline => "inline",
                Disposition::Attachment => "attachment",
            };
            response.insert_header((
                header::CONTENT_DISPOSITION,
                format!("{disposition}; filename=\"{}\"", file.file_name),
            ));
            insert(&mut response, headers);
            response.content_type(file.mime_type).body(file.bytes)
        }
    }
}

fn insert(response: &mut actix_web::HttpResponseBuilder, headers: Vec<(&'static str, String)>) {
    for (name, value) in headers {
        if let Ok(value) = HeaderValue::from_str(&value) {
            response.insert_header((HeaderName::from_static(name), value));
        }
    }
}
