//! Every query, declared once. An entry of [`QUERIES`] says a query's name (= its MCP tool
//! and `operation_id`), its description, its REST route and path parameters, the type of
//! its other parameters, its answer (schema and content types), the statuses it can
//! answer besides 200, and its handler: one function that runs the read use case and
//! shapes the [`Reply`]. The REST routes (`query-api`), their OpenAPI description, the MCP
//! tools (`ops`), `docs/api.md` and the metrics are all made from this table, so a query
//! cannot be reachable one way and not another, and a query without a handler does not
//! compile.
//!
//! Adding a query: a handler function below and one entry in [`QUERIES`].

use std::future::Future;
use std::pin::Pin;

use api_types::{
    ApiError, AuditItem, BlameResponse, BlockResponse, BlockView, BlocksResponse, Code,
    ContentResponse, DiffResponse, DocumentSearchResponse, DocumentSummary, ExportResponse,
    HistoryPage, ImagesResponse, OutlineResponse, SearchHit, SectionTextResponse, SectionsResponse,
    StylesResponse, TextResponse,
};
use auth::Principal;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value, json};
use utoipa::{IntoParams, ToSchema};

use crate::read::{
    BlocksParams, ContentParams, DiffParams, DocumentSearchParams, DocxFile, EventParams,
    ExportParams, ListParams, ReadAt, Reads, SearchParams,
};
use crate::schema;

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

/// A body of an answer: a content type and the schema of what it holds.
#[derive(Debug, Clone, Copy)]
pub enum Body {
    /// A JSON body of a named component.
    Json(fn(&mut Map<String, Value>) -> Value),
    /// A non-JSON body (a file, text) of this media type.
    Bytes(&'static str),
}

/// A JSON body of `T` (registered as a component with what it refers to).
fn component<T: ToSchema>(components: &mut Map<String, Value>) -> Value {
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
fn page<T: ToSchema>(components: &mut Map<String, Value>) -> Value {
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

const NOT_FOUND: (u16, &str) = (404, "no such document (or version)");
const NOT_CAUGHT_UP: (u16, &str) = (503, "read model not caught up to min_version");
const BAD_PAGE: (u16, &str) = (422, "a bad cursor or budget");

/// The file schema MCP answers for a file.
fn file_output(description: &str) -> Value {
    json!({
        "type": "object",
        "description": description,
        "properties": {
            "version": {"type": "integer", "minimum": 1, "description": "The document version read."},
            "file_name": {"type": "string", "description": "A file name for it."},
            "mime_type": {"type": "string", "description": "Its media type."},
            "size_bytes": {"type": "integer", "minimum": 0, "description": "Its size."},
            "uri": {"type": "string", "description": "Its resource URI."},
        },
        "required": ["version", "file_name", "mime_type", "size_bytes", "uri"],
    })
}

fn boxed(f: impl Future<Output = Result<Reply, ApiError>> + Send + 'static) -> Answer {
    Box::pin(f)
}

const BLOCK: PathParam = PathParam {
    route: "block_id",
    mcp: "block_id",
    description: "The block's id.",
    pattern: None,
};

const HEADING: PathParam = PathParam {
    route: "heading_block_id",
    mcp: "heading_block_id",
    description: "The heading's block id (get_outline lists them).",
    pattern: None,
};

const MEDIA: PathParam = PathParam {
    route: "media",
    mcp: "media",
    description: "The image's media id (SHA-256 of its bytes, hex).",
    pattern: Some("^[0-9a-f]{64}$"),
};

const DOCX: &str = api_types::DOCX_MEDIA_TYPE;

/// Every query.
pub static QUERIES: &[Query] = &[
    Query {
        name: "list_documents",
        description: "List the tenant's documents, newest first (paged; filter by title with q).",
        summary: "List the tenant's documents, newest first.",
        route: "/v1/documents",
        path: &[],
        params: ParamsOf::of::<ListParams>(),
        output: schema::page_of::<DocumentSummary>,
        ok: (
            "a page of summaries",
            &[Body::Json(page::<DocumentSummary>)],
        ),
        errors: &[(400, "bad parameter")],
        paged: false,
        run: list_documents,
    },
    Query {
        name: "get_document",
        description: "A document's summary: title, version, metadata, counts, who created it and when.",
        summary: "A document's summary.",
        route: "/v1/documents/{id}",
        path: &[DOCUMENT],
        params: ParamsOf::of::<ReadAt>(),
        output: schema::of::<DocumentSummary>,
        ok: ("summary", &[Body::Json(component::<DocumentSummary>)]),
        errors: &[NOT_FOUND, NOT_CAUGHT_UP],
        paged: false,
        run: get_document,
    },
    Query {
        name: "get_content",
        description: "A document's blocks (paragraphs, headings, tables, lists, page breaks) with their ids and text, a page at a time: each result stays within `budget` tokens (by default about 8,000 over MCP, so the whole result, which carries the JSON twice, stays under 20,000); when `next_cursor` is there, call again with `cursor` set to it for the next page (every page is of the same version). On long documents read get_outline first.",
        summary: "A document's blocks.",
        route: "/v1/documents/{id}/content",
        path: &[DOCUMENT],
        params: ParamsOf::of::<ContentParams>(),
        output: schema::of::<ContentResponse>,
        ok: ("content", &[Body::Json(component::<ContentResponse>)]),
        errors: &[BAD_PAGE, NOT_FOUND, NOT_CAUGHT_UP],
        paged: true,
        run: get_content,
    },
    Query {
        name: "get_block",
        description: "One block of a document by its id.",
        summary: "One block.",
        route: "/v1/documents/{id}/blocks/{block_id}",
        path: &[DOCUMENT, BLOCK],
        params: ParamsOf::of::<ReadAt>(),
        output: schema::of::<BlockResponse>,
        ok: ("the block", &[Body::Json(component::<BlockView>)]),
        errors: &[(404, "no such document, version or block")],
        paged: false,
        run: get_block,
    },
    Query {
        name: "get_text",
        description: "A document as plain text, one line per paragraph, heading, list item or table row, a page at a time like get_content (about 8,000 tokens by default over MCP; continue with `cursor` = `next_cursor`).",
        summary: "The document as plain text.",
        route: "/v1/documents/{id}/text",
        path: &[DOCUMENT],
        params: ParamsOf::of::<ContentParams>(),
        output: schema::of::<TextResponse>,
        ok: (
            "plain text (with a budget, a page of it; `Folio-Next-Cursor` names the next)",
            &[Body::Bytes("text/plain")],
        ),
        errors: &[BAD_PAGE, NOT_FOUND],
        paged: true,
        run: get_text,
    },
    Query {
        name: "get_outline",
        description: "A document's headings with their levels and block ids, and how many blocks and words are under each: read it first, then only the parts you need (get_section_text, get_blocks). Paged like get_content (about 8,000 tokens by default over MCP; continue with `cursor` = `next_cursor`).",
        summary: "The headings (with a `budget`, a page of them).",
        route: "/v1/documents/{id}/outline",
        path: &[DOCUMENT],
        params: ParamsOf::of::<ContentParams>(),
        output: schema::of::<OutlineResponse>,
        ok: ("outline", &[Body::Json(component::<OutlineResponse>)]),
        errors: &[NOT_FOUND, BAD_PAGE],
        paged: true,
        run: get_outline,
    },
    Query {
        name: "get_blocks",
        description: "Some blocks of a document: by id (block_ids, comma-separated), from one block to another (from_block, to_block), or by position (from_index, to_index); each inclusive.",
        summary: "Some blocks: by id, from one block to another, or by position.",
        route: "/v1/documents/{id}/blocks",
        path: &[DOCUMENT],
        params: ParamsOf::of::<BlocksParams>(),
        output: schema::of::<BlocksResponse>,
        ok: (
            "the blocks, in document order",
            &[Body::Json(component::<BlocksResponse>)],
        ),
        errors: &[
            NOT_FOUND,
            (
                422,
                "no form or two forms of selection, an unknown block, a range backwards or past the end",
            ),
        ],
        paged: false,
        run: get_blocks,
    },
    Query {
        name: "get_section_text",
        description: "A heading and everything under it (to the next heading of the same or a higher level) as plain text, with the block ids it spans.",
        summary: "A heading and everything under it, as plain text.",
        route: "/v1/documents/{id}/headings/{heading_block_id}/text",
        path: &[DOCUMENT, HEADING],
        params: ParamsOf::of::<ReadAt>(),
        output: schema::of::<SectionTextResponse>,
        ok: (
            "the section's text and blocks",
            &[Body::Json(component::<SectionTextResponse>)],
        ),
        errors: &[
            (404, "no such document, version or block"),
            (422, "the block is not a heading"),
        ],
        paged: false,
        run: get_section_text,
    },
    Query {
        name: "get_styles",
        description: "A document's style sheet: Word's built-in styles folio uses and the document's own, with their kinds and definitions.",
        summary: "The style sheet.",
        route: "/v1/documents/{id}/styles",
        path: &[DOCUMENT],
        params: ParamsOf::of::<ReadAt>(),
        output: schema::of::<StylesResponse>,
        ok: ("styles", &[Body::Json(component::<StylesResponse>)]),
        errors: &[NOT_FOUND],
        paged: false,
        run: get_styles,
    },
    Query {
        name: "get_sections",
        description: "A document's sections: page size, orientation, margins, columns, headers and footers.",
        summary: "The sections: page setup, headers and footers.",
        route: "/v1/documents/{id}/sections",
        path: &[DOCUMENT],
        params: ParamsOf::of::<ReadAt>(),
        output: schema::of::<SectionsResponse>,
        ok: ("sections", &[Body::Json(component::<SectionsResponse>)]),
        errors: &[NOT_FOUND],
        paged: false,
        run: get_sections,
    },
    Query {
        name: "get_docx",
        description: "A document (or a past version of it) as a Word .docx file.",
        summary: "The document as a .docx file.",
        route: "/v1/documents/{id}/docx",
        path: &[DOCUMENT],
        params: ParamsOf::of::<ReadAt>(),
        output: || file_output("The .docx file; the file itself comes as an embedded resource."),
        ok: ("the .docx", &[Body::Bytes(DOCX)]),
        errors: &[NOT_FOUND],
        paged: false,
        run: get_docx,
    },
    Query {
        name: "get_pdf",
        description: "A document (or a past version of it) as a PDF made by LibreOffice (page numbers computed), cached per version; 503 pdf_unavailable where LibreOffice is not installed.",
        summary: "The document (or a past version) as a PDF, made by LibreOffice and cached per version.",
        route: "/v1/documents/{id}/pdf",
        path: &[DOCUMENT],
        params: ParamsOf::of::<ReadAt>(),
        output: || file_output("The PDF; the file itself comes as an embedded resource."),
        ok: ("the PDF", &[Body::Bytes("application/pdf")]),
        errors: &[
            NOT_FOUND,
            (
                503,
                "no LibreOffice here, or the conversion failed or timed out",
            ),
        ],
        paged: false,
        run: get_pdf,
    },
    Query {
        name: "list_images",
        description: "A document's inline images: where each is (block id, offset), its media id, format, pixel and shown size, and alt text.",
        summary: "The inline images: where each is, its media id, sizes and alt text.",
        route: "/v1/documents/{id}/images",
        path: &[DOCUMENT],
        params: ParamsOf::of::<ReadAt>(),
        output: schema::of::<ImagesResponse>,
        ok: ("images", &[Body::Json(component::<ImagesResponse>)]),
        errors: &[NOT_FOUND],
        paged: false,
        run: list_images,
    },
    Query {
        name: "get_media",
        description: "The file of an image a document shows, byte for byte as uploaded (its media id from list_images).",
        summary: "The file of an image the document shows, as uploaded.",
        route: "/v1/documents/{id}/media/{media}",
        path: &[DOCUMENT, MEDIA],
        params: ParamsOf::of::<ReadAt>(),
        output: || file_output("The image file; the file itself comes as an embedded resource."),
        ok: (
            "the image",
            &[
                Body::Bytes("image/png"),
                Body::Bytes("image/jpeg"),
                Body::Bytes("image/gif"),
            ],
        ),
        errors: &[(404, "no such document, version or image")],
        paged: false,
        run: get_media,
    },
    Query {
        name: "get_diff",
        description: "What changed between two versions of a document (numbers or labels): blocks aligned by id (added, removed, moved, changed), changed text as a word-level diff, table cells, title and properties; each change with the event that made it (version, actor, time, reason). format=docx gives a Word file of the later version with every change as a tracked change (accept all gives `to`, reject all gives `from`), format=html the same as HTML with <ins>/<del>.",
        summary: "What changed between two versions.",
        route: "/v1/documents/{id}/diff",
        path: &[DOCUMENT],
        params: ParamsOf::of::<DiffParams>(),
        output: || {
            json!({
                "type": "object",
                "anyOf": [
                    schema::of::<DiffResponse>(),
                    file_output("With format=docx or html: the redline file, which comes as an embedded resource."),
                ],
            })
        },
        ok: (
            "the changes (json), or the redline as a Word file with tracked changes (docx) or as HTML (html)",
            &[
                Body::Json(component::<DiffResponse>),
                Body::Bytes(DOCX),
                Body::Bytes("text/html"),
            ],
        ),
        errors: &[
            (404, "no such document, version or label"),
            (422, "unknown format"),
        ],
        paged: false,
        run: get_diff,
    },
    Query {
        name: "get_blame",
        description: "Who wrote what: for every block of a version (default the latest; a number or a label), its last change, and its text in word ranges each with the change that wrote it (version, actor, time, reason).",
        summary: "Who last changed each block, and each word range of its text.",
        route: "/v1/documents/{id}/blame",
        path: &[DOCUMENT],
        params: ParamsOf::of::<ReadAt>(),
        output: schema::of::<BlameResponse>,
        ok: (
            "each block's last change and its text's authors",
            &[Body::Json(component::<BlameResponse>)],
        ),
        errors: &[(404, "no such document, version or label")],
        paged: false,
        run: get_blame,
    },
    Query {
        name: "get_original",
        description: "The Word file an imported document was made from, byte for byte as uploaded.",
        summary: "The Word file an imported document was made from, as uploaded.",
        route: "/v1/documents/{id}/original",
        path: &[DOCUMENT],
        params: ParamsOf::NONE,
        output: || {
            file_output("The uploaded .docx; the file itself comes as an embedded resource.")
        },
        ok: ("the uploaded .docx", &[Body::Bytes(DOCX)]),
        errors: &[(404, "no such document, or one not imported")],
        paged: false,
        run: get_original,
    },
    Query {
        name: "export_document",
        description: "A document exported as HTML, Markdown or plain text.",
        summary: "The document exported as HTML, Markdown or plain text.",
        route: "/v1/documents/{id}/export",
        path: &[DOCUMENT],
        params: ParamsOf::of::<ExportParams>(),
        output: schema::of::<ExportResponse>,
        ok: (
            "the export",
            &[
                Body::Bytes("text/html"),
                Body::Bytes("text/markdown"),
                Body::Bytes("text/plain"),
            ],
        ),
        errors: &[NOT_FOUND, (422, "unknown format")],
        paged: false,
        run: export_document,
    },
    Query {
        name: "get_history",
        description: "A document's events, oldest first, with who made each change, when, through which request and why (filterable; paged by `limit` and within `budget` tokens, about 8,000 by default over MCP: continue with `cursor` = `next_cursor`, which stops at the version the first page saw).",
        summary: "The document's events with their metadata (who, when, which request), oldest first.",
        route: "/v1/documents/{id}/history",
        path: &[DOCUMENT],
        params: ParamsOf::of::<EventParams>(),
        output: schema::of::<HistoryPage>,
        ok: ("a page of events", &[Body::Json(component::<HistoryPage>)]),
        errors: &[(404, "no such document"), (422, "bad filter")],
        paged: true,
        run: get_history,
    },
    Query {
        name: "search_document",
        description: "Where a text occurs in one document: block ids, character offsets and snippets (paged by `limit` and within `budget` tokens, about 8,000 by default over MCP; `next_cursor` carries the version searched).",
        summary: "Where a text occurs in a document: block ids and offsets in the blocks' plain text.",
        route: "/v1/documents/{id}/search",
        path: &[DOCUMENT],
        params: ParamsOf::of::<DocumentSearchParams>(),
        output: schema::of::<DocumentSearchResponse>,
        ok: (
            "matches in document order",
            &[Body::Json(component::<DocumentSearchResponse>)],
        ),
        errors: &[NOT_FOUND, (422, "no search text")],
        paged: true,
        run: search_document,
    },
    Query {
        name: "search_documents",
        description: "Text search across every live document of the tenant (case-insensitive, paged).",
        summary: "Text search across the tenant's live documents.",
        route: "/v1/search",
        path: &[],
        params: ParamsOf::of::<SearchParams>(),
        output: schema::page_of::<SearchHit>,
        ok: ("matches", &[Body::Json(page::<SearchHit>)]),
        errors: &[(422, "no search text or a bad cursor")],
        paged: false,
        run: search_documents,
    },
    Query {
        name: "get_audit",
        description: "The tenant-wide event log: every event of every document in commit order (paged, filterable).",
        summary: "The tenant-wide event log: every event of every document, in commit order.",
        route: "/v1/audit",
        path: &[],
        params: ParamsOf::of::<EventParams>(),
        output: schema::page_of::<AuditItem>,
        ok: ("a page of events", &[Body::Json(page::<AuditItem>)]),
        errors: &[(422, "bad filter or cursor")],
        paged: true,
        run: get_audit,
    },
];

/// A JSON answer of `$value` with an `ETag` of its version.
macro_rules! versioned {
    ($cx:ident, $value:expr) => {{
        let value = $value;
        Ok($cx.json(&value)?.etag(value.version))
    }};
}

fn list_documents(mut cx: Cx) -> Answer {
    boxed(async move {
        let params: ListParams = cx.params()?;
        cx.json(&cx.reads.list(&cx.principal, &params).await?)
    })
}

fn get_document(mut cx: Cx) -> Answer {
    boxed(async move {
        let params = cx.params()?;
        versioned!(
            cx,
            cx.reads.summary(&cx.principal, &cx.path(0), params).await?
        )
    })
}

fn get_content(mut cx: Cx) -> Answer {
    boxed(async move {
        let params = cx.params()?;
        versioned!(
            cx,
            cx.reads.content(&cx.principal, &cx.path(0), params).await?
        )
    })
}

fn get_block(mut cx: Cx) -> Answer {
    boxed(async move {
        let params = cx.params()?;
        let found = cx
            .reads
            .block(&cx.principal, &cx.path(0), &cx.path(1), params)
            .await?;
        if cx.is_rest() {
            // Over REST the block itself; its version is the ETag.
            return Ok(cx.json(&found.block)?.etag(found.version));
        }
        cx.json(&found)
    })
}

fn get_text(mut cx: Cx) -> Answer {
    boxed(async move {
        let params = cx.params()?;
        let text = cx.reads.text(&cx.principal, &cx.path(0), params).await?;
        if !cx.is_rest() {
            return cx.json(&text);
        }
        let mut headers = vec![("etag", etag(text.version))];
        if let Some(next) = text.next_cursor {
            headers.push(("folio-next-cursor", next));
        }
        Ok(Reply::Rest {
            content_type: docx_engine::ExportFormat::Text.content_type().to_string(),
            body: text.text.into_bytes(),
            headers,
        })
    })
}

fn get_outline(mut cx: Cx) -> Answer {
    boxed(async move {
        let params = cx.params()?;
        versioned!(
            cx,
            cx.reads.outline(&cx.principal, &cx.path(0), params).await?
        )
    })
}

fn get_blocks(mut cx: Cx) -> Answer {
    boxed(async move {
        let params = cx.params()?;
        versioned!(
            cx,
            cx.reads.blocks(&cx.principal, &cx.path(0), params).await?
        )
    })
}

fn get_section_text(mut cx: Cx) -> Answer {
    boxed(async move {
        let params = cx.params()?;
        versioned!(
            cx,
            cx.reads
                .section_text(&cx.principal, &cx.path(0), &cx.path(1), params)
                .await?
        )
    })
}

fn get_styles(mut cx: Cx) -> Answer {
    boxed(async move {
        let params = cx.params()?;
        versioned!(
            cx,
            cx.reads.styles(&cx.principal, &cx.path(0), params).await?
        )
    })
}

fn get_sections(mut cx: Cx) -> Answer {
    boxed(async move {
        let params = cx.params()?;
        versioned!(
            cx,
            cx.reads
                .sections(&cx.principal, &cx.path(0), params)
                .await?
        )
    })
}

fn list_images(mut cx: Cx) -> Answer {
    boxed(async move {
        let params = cx.params()?;
        versioned!(
            cx,
            cx.reads.images(&cx.principal, &cx.path(0), params).await?
        )
    })
}

fn get_docx(mut cx: Cx) -> Answer {
    boxed(async move {
        let params = cx.params()?;
        let id = cx.path(0);
        let file = cx.reads.docx(&cx.principal, &id, params).await?;
        Ok(Reply::File(FileReply {
            file,
            uri: format!("folio://documents/{id}/docx"),
            disposition: Disposition::Attachment,
            immutable: false,
            etag: true,
            headers: Vec::new(),
        }))
    })
}

fn get_pdf(mut cx: Cx) -> Answer {
    boxed(async move {
        let params = cx.params()?;
        let id = cx.path(0);
        let file = cx.reads.pdf(&cx.principal, &id, params).await?;
        Ok(Reply::File(FileReply {
            file,
            uri: format!("folio://documents/{id}/pdf"),
            disposition: Disposition::Attachment,
            immutable: false,
            etag: true,
            headers: Vec::new(),
        }))
    })
}

fn get_media(mut cx: Cx) -> Answer {
    boxed(async move {
        let params = cx.params()?;
        let (id, media) = (cx.path(0), cx.path(1));
        let file = cx.reads.media(&cx.principal, &id, &media, params).await?;
        Ok(Reply::File(FileReply {
            file,
            uri: format!("folio://documents/{id}/media/{media}"),
            disposition: Disposition::Inline,
            immutable: true,
            etag: false,
            headers: vec![("x-content-type-options", "nosniff".into())],
        }))
    })
}

fn get_original(cx: Cx) -> Answer {
    boxed(async move {
        let id = cx.path(0);
        let file = cx.reads.original(&cx.principal, &id).await?;
        Ok(Reply::File(FileReply {
            file,
            uri: format!("folio://documents/{id}/original"),
            disposition: Disposition::Attachment,
            immutable: true,
            etag: false,
            headers: Vec::new(),
        }))
    })
}

fn get_diff(mut cx: Cx) -> Answer {
    boxed(async move {
        let params: DiffParams = cx.params()?;
        let id = cx.path(0);
        if matches!(params.format.as_deref(), None | Some("json")) {
            return cx.json(&cx.reads.diff(&cx.principal, &id, params).await?);
        }
        let uri = format!(
            "folio://documents/{id}/diff?from={}&to={}&format={}",
            params.from,
            params.to,
            params.format.as_deref().unwrap_or_default()
        );
        let file = cx.reads.redline(&cx.principal, &id, params).await?;
        let html = file.mime_type.starts_with("text/html");
        let mut headers = vec![("x-content-type-options", "nosniff".to_string())];
        if html {
            // Escaped text and inline styles only; the history viewer may frame it.
            headers.push((
                "content-security-policy",
                "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'self'".into(),
            ));
        }
        Ok(Reply::File(FileReply {
            file,
            uri,
            disposition: if html {
                Disposition::Inline
            } else {
                Disposition::Attachment
            },
            immutable: false,
            etag: false,
            headers,
        }))
    })
}

fn get_blame(mut cx: Cx) -> Answer {
    boxed(async move {
        let params = cx.params()?;
        cx.json(&cx.reads.blame(&cx.principal, &cx.path(0), params).await?)
    })
}

fn export_document(mut cx: Cx) -> Answer {
    boxed(async move {
        let params: ExportParams = cx.params()?;
        let exported = cx.reads.export(&cx.principal, &cx.path(0), &params).await?;
        if !cx.is_rest() {
            return cx.json(&exported);
        }
        let mut headers = vec![
            ("etag", etag(exported.version)),
            (
                "content-disposition",
                format!("inline; filename=\"{}\"", exported.file_name),
            ),
            ("x-content-type-options", "nosniff".into()),
        ];
        if exported.format == "html" {
            // The export is escaped; the policy is the second line: no script, no fetch,
            // no frame, only the inline styles the export writes.
            headers.push((
                "content-security-policy",
                "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'".into(),
            ));
        }
        Ok(Reply::Rest {
            content_type: exported.content_type,
            body: exported.body.into_bytes(),
            headers,
        })
    })
}

fn get_history(mut cx: Cx) -> Answer {
    boxed(async move {
        let params: EventParams = cx.params()?;
        cx.json(
            &cx.reads
                .history(&cx.principal, &cx.path(0), &params)
                .await?,
        )
    })
}

fn search_document(mut cx: Cx) -> Answer {
    boxed(async move {
        let params: DocumentSearchParams = cx.params()?;
        versioned!(
            cx,
            cx.reads
                .search_document(&cx.principal, &cx.path(0), &params)
                .await?
        )
    })
}

fn search_documents(mut cx: Cx) -> Answer {
    boxed(async move {
        let params: SearchParams = cx.params()?;
        cx.json(&cx.reads.search(&cx.principal, &params).await?)
    })
}

fn get_audit(mut cx: Cx) -> Answer {
    boxed(async move {
        let params: EventParams = cx.params()?;
        cx.json(&cx.reads.audit(&cx.principal, &params).await?)
    })
}

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
    .await
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
