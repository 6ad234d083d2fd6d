//! The query table: every query folio answers, one entry each.

use api_types::{
    AuditItem, BlameResponse, BlockResponse, BlockView, BlocksResponse, CommentsResponse,
    ContentResponse, DiffResponse, DocumentSearchResponse, DocumentSummary, ExportResponse,
    HistoryPage, ImagesResponse, NotesResponse, OutlineResponse, SearchHit, SectionTextResponse,
    SectionsResponse, StylesResponse, TextResponse,
};
use serde_json::{Value, json};

use super::handlers::*;
use super::openapi::{Body, component, page};
use super::{DOCUMENT, ParamsOf, PathParam, Query};
use crate::read::{
    BlocksParams, CommentsParams, ContentParams, DiffParams, DocumentSearchParams, EventParams,
    ExportParams, ListParams, ReadAt, SearchParams,
};
use crate::schema;

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
        name: "get_comments",
        description: "A document's comment threads in document order: each with the block and character range it is anchored to, the anchored text, author, time, text, resolved state and replies (status=open|resolved|all).",
        summary: "A document's comment threads.",
        route: "/v1/documents/{id}/comments",
        path: &[DOCUMENT],
        params: ParamsOf::of::<CommentsParams>(),
        output: schema::of::<CommentsResponse>,
        ok: ("the threads", &[Body::Json(component::<CommentsResponse>)]),
        errors: &[NOT_FOUND, NOT_CAUGHT_UP],
        paged: false,
        run: get_comments,
    },
    Query {
        name: "get_notes",
        description: "A document's footnotes and endnotes in the order of their reference marks: id, kind, the number Word shows, the block and offset of the mark, and the text.",
        summary: "A document's footnotes and endnotes.",
        route: "/v1/documents/{id}/notes",
        path: &[DOCUMENT],
        params: ParamsOf::of::<ReadAt>(),
        output: schema::of::<NotesResponse>,
        ok: ("the notes", &[Body::Json(component::<NotesResponse>)]),
        errors: &[NOT_FOUND, NOT_CAUGHT_UP],
        paged: false,
        run: get_notes,
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
        description: "A document exported as HTML, Markdown, plain text or PDF (format=pdf: the file get_pdf gives, as an embedded resource).",
        summary: "The document exported as HTML, Markdown, plain text or PDF.",
        route: "/v1/documents/{id}/export",
        path: &[DOCUMENT],
        params: ParamsOf::of::<ExportParams>(),
        output: || {
            json!({
                "type": "object",
                "anyOf": [
                    schema::of::<ExportResponse>(),
                    file_output("With format=pdf: the PDF, which comes as an embedded resource."),
                ],
            })
        },
        ok: (
            "the export",
            &[
                Body::Bytes("text/html"),
                Body::Bytes("text/markdown"),
                Body::Bytes("text/plain"),
                Body::Bytes("application/pdf"),
            ],
        ),
        errors: &[
            NOT_FOUND,
            (422, "unknown format"),
            (
                503,
                "format=pdf: no LibreOffice here, or the conversion failed or timed out",
            ),
        ],
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
