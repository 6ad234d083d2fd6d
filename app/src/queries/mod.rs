//! Every query, declared once. An entry of [`QUERIES`] says a query's name (= its MCP tool
//! and `operation_id`), its description, its REST route and path parameters, the type of
//! its other parameters, its answer (schema and content types), the statuses it can
//! answer besides 200, and its handler: one function that runs the read use case and
//! shapes the [`Reply`]. The REST routes (`query-api`), their OpenAPI description, the MCP
//! tools (`ops`), `docs/api.md` and the metrics are all made from this table, so a query
//! cannot be reachable one way and not another, and a query without a handler does not
//! compile.
//!
//! - `table`: the table itself, [`QUERIES`];
//! - `handlers`: one function per query, from a [`Cx`] to a [`Reply`];
//! - [`openapi`]: the REST routes' OpenAPI description, made from the table.
//!
//! Adding a query: a handler function in `handlers.rs` and one entry in `table.rs`.

use std::future::Future;
use std::pin::Pin;

use api_types::{ApiError, Code};
use auth::Principal;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value, json};
use tracing::Instrument;
use utoipa::{IntoParams, ToSchema};

use crate::read::{DocxFile, Reads};
use crate::schema;

mod handlers;
pub mod openapi;
mod table;

pub use openapi::{Body, openapi_paths};
pub use table::QUERIES;

/// The transport a query answers over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transport {
    /// HTTP: JSON as bytes, files as bodies with their headers.
    Rest,
    /// MCP: JSON as a value (structured content), files as embedded resources.
    Mcp,
}

/// Where a query's parameters come from.
#[derive(Debug)]
pub enum Params {
    /// A URL query string (`budget=100&cursor=…`); a bad one is 400 `invalid_query`.
    Query(String),
    /// A JSON object (an MCP tool's arguments minus the path parameters); a bad one is
    /// 422 naming the field.
    Json(Map<String, Value>),
}

/// What a handler gets: the read use cases, who asks, the path parameters (in the order
/// of [`Query::path`]) and the other parameters.
#[derive(Debug)]
pub struct Cx {
    /// The read use cases.
    pub reads: Reads,
    /// Who asks.
    pub principal: Principal,
    /// The path parameters' values, in the order of the route.
    pub path: Vec<String>,
    /// The other parameters.
    pub params: Params,
    /// The transport answered.
    pub transport: Transport,
}

impl Cx {
    /// The `i`-th path parameter.
    fn path(&self, i: usize) -> String {
        self.path.get(i).cloned().unwrap_or_default()
    }

    /// The parameters as `T`.
    ///
    /// # Errors
    /// 400 `invalid_query` for a bad query string; 422 naming the field for bad JSON.
    fn params<T: DeserializeOwned>(&mut self) -> Result<T, ApiError> {
        match &mut self.params {
            Params::Query(query) => {
                serde_urlencoded::from_str(query).map_err(|e| ApiError::BadRequest {
                    code: Code::InvalidQuery,
                    detail: format!("invalid query parameter: Query deserialize error: {e}"),
                })
            }
            Params::Json(args) => api_types::parse_json_value(Value::Object(std::mem::take(args))),
        }
    }

    /// `value` as JSON in the transport's form.
    fn json<T: serde::Serialize>(&self, value: &T) -> Result<Reply, ApiError> {
        let json = match self.transport {
            Transport::Rest => {
                Json::Bytes(serde_json::to_vec(value).map_err(|e| ApiError::internal(&e))?)
            }
            Transport::Mcp => {
                Json::Value(serde_json::to_value(value).map_err(|e| ApiError::internal(&e))?)
            }
        };
        Ok(Reply::Json {
            json,
            version: None,
        })
    }

    fn is_rest(&self) -> bool {
        self.transport == Transport::Rest
    }
}

/// JSON, serialised for its transport.
#[derive(Debug)]
pub enum Json {
    /// For REST: the bytes of the body.
    Bytes(Vec<u8>),
    /// For MCP: the structured content.
    Value(Value),
}

/// How a browser should handle a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Disposition {
    /// Shown in place.
    Inline,
    /// Downloaded.
    Attachment,
}

/// A file answer: the file, its `folio://` URI (MCP) and how REST serves it.
#[derive(Debug)]
pub struct FileReply {
    /// The file.
    pub file: DocxFile,
    /// Its resource URI for MCP.
    pub uri: String,
    /// Shown in place or downloaded.
    pub disposition: Disposition,
    /// Its URL always gives these bytes (a media id, an upload): cached for a year.
    pub immutable: bool,
    /// `ETag` with the version read.
    pub etag: bool,
    /// Extra REST headers (`X-Content-Type-Options`, `Content-Security-Policy`).
    pub headers: Vec<(&'static str, String)>,
}

impl FileReply {
    /// A version of the document as a file to download (.docx, PDF): `ETag` with its
    /// version, not cached beyond it.
    fn download(file: DocxFile, uri: String) -> Self {
        Self {
            file,
            uri,
            disposition: Disposition::Attachment,
            immutable: false,
            etag: true,
            headers: Vec::new(),
        }
    }
}

/// What a query answers.
#[derive(Debug)]
pub enum Reply {
    /// JSON; REST adds an `ETag` with `version` when there is one.
    Json {
        /// The body.
        json: Json,
        /// The version it is of.
        version: Option<u64>,
    },
    /// A file.
    File(FileReply),
    /// REST's own representation where it differs from the JSON MCP gets (plain text,
    /// an export as its file, a block alone): made only over REST.
    Rest {
        /// Its media type.
        content_type: String,
        /// Its bytes.
        body: Vec<u8>,
        /// Its headers (`ETag` included).
        headers: Vec<(&'static str, String)>,
    },
}

impl Reply {
    /// With an `ETag` of `version` over REST.
    fn etag(mut self, v: u64) -> Self {
        if let Self::Json { version, .. } = &mut self {
            *version = Some(v);
        }
        self
    }
}

/// A handler's future.
pub type Answer = Pin<Box<dyn Future<Output = Result<Reply, ApiError>> + Send>>;

/// A path parameter: its name in the route and as an MCP argument, and its schema.
#[derive(Debug)]
pub struct PathParam {
    /// In the route (`{id}`).
    pub route: &'static str,
    /// As an MCP argument (`document_id`).
    pub mcp: &'static str,
    /// Its description.
    pub description: &'static str,
    /// A pattern its value must match, if any.
    pub pattern: Option<&'static str>,
}

const DOCUMENT: PathParam = PathParam {
    route: "id",
    mcp: "document_id",
    description: "The document's id.",
    pattern: None,
};

/// The type of a query's other parameters, for each description made of it.
#[derive(Debug, Clone, Copy)]
pub struct ParamsOf {
    /// Its self-contained JSON Schema (MCP); `None`: no parameters.
    pub schema: Option<fn() -> Value>,
    /// Its OpenAPI parameters.
    pub openapi: fn() -> Vec<Value>,
}

impl ParamsOf {
    /// No parameters besides the path.
    pub const NONE: Self = Self {
        schema: None,
        openapi: Vec::new,
    };

    /// The parameters of `T`.
    pub const fn of<T: IntoParams + ToSchema>() -> Self {
        Self {
            schema: Some(schema::of::<T>),
            openapi: openapi_params::<T>,
        }
    }
}

fn openapi_params<T: IntoParams>() -> Vec<Value> {
    T::into_params(|| Some(utoipa::openapi::path::ParameterIn::Query))
        .into_iter()
        .filter_map(|p| serde_json::to_value(p).ok())
        .collect()
}

/// A query.
#[derive(Debug)]
pub struct Query {
    /// Its name: MCP tool, OpenAPI `operation_id`, metrics label.
    pub name: &'static str,
    /// What it answers, for agents and the docs.
    pub description: &'static str,
    /// A short summary for the OpenAPI document.
    pub summary: &'static str,
    /// Its REST route (GET).
    pub route: &'static str,
    /// Its path parameters, in the route's order.
    pub path: &'static [PathParam],
    /// Its other parameters.
    pub params: ParamsOf,
    /// Its result over MCP (a self-contained JSON Schema of an object).
    pub output: fn() -> Value,
    /// What a 200 holds over REST, and its description.
    pub ok: (&'static str, &'static [Body]),
    /// The other statuses it answers, each with why.
    pub errors: &'static [(u16, &'static str)],
    /// Over MCP, a call without `budget` gets a page of about [`MCP_PAGE_BUDGET`] tokens.
    pub paged: bool,
    /// The handler.
    pub run: fn(Cx) -> Answer,
}

/// The page budget a paged query has over MCP when the call gives none, in tokens: a
/// tool result carries its JSON twice (structured and as text), so a page of about
/// 8,000 tokens keeps it under the 20,000 MCP clients take.
pub const MCP_PAGE_BUDGET: u32 = 8_000;

/// An `ETag` value for `version`.
pub fn etag(version: u64) -> String {
    format!("\"{version}\"")
}

/// The query called `name`.
pub fn query(name: &str) -> Option<&'static Query> {
    QUERIES.iter().find(|q| q.name == name)
}

/// The MCP input schema of a query: its path parameters and its other parameters.
pub fn input_schema(q: &Query) -> Value {
    let fields: Vec<(&str, Value, bool)> = q
        .path
        .iter()
        .map(|p| {
            let mut field = json!({"type": "string", "description": p.description});
            if p.mcp == "document_id" {
                field["format"] = json!("uuid");
            }
            if let Some(pattern) = p.pattern {
                field["pattern"] = json!(pattern);
            }
            (p.mcp, field, true)
        })
        .collect();
    schema::object(&fields, q.params.schema.map(|of| of()))
}

/// Runs a query over MCP: the path parameters are taken out of `args`, the rest are its
/// parameters (a paged query without `budget` gets [`MCP_PAGE_BUDGET`]).
///
/// # Errors
/// A missing or invalid argument (422), and whatever the use case refuses.
pub async fn run_mcp(
    q: &Query,
    reads: Reads,
    principal: Principal,
    mut args: Map<String, Value>,
) -> Result<Reply, ApiError> {
    let mut path = Vec::with_capacity(q.path.len());
    for p in q.path {
        let value = match args.remove(p.mcp) {
            None | Some(Value::Null) => {
                return Err(ApiError::invalid(
                    p.mcp,
                    format!("missing field `{}`", p.mcp),
                ));
            }
            Some(value) => serde_json::from_value::<String>(value)
                .map_err(|e| ApiError::invalid(p.mcp, e.to_string()))?,
        };
        path.push(value);
    }
    if q.paged {
        args.entry("budget").or_insert(json!(MCP_PAGE_BUDGET));
    }
    (q.run)(Cx {
        reads,
        principal,
        path,
        params: Params::Json(args),
        transport: Transport::Mcp,
    })
    .instrument(tracing::info_span!("folio.query", query = q.name))
    .await
}
