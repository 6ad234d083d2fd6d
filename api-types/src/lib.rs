//! The wire shapes shared by the command API, the query API, the MCP server and the tests:
//! request and response bodies, command-body parsing, and the one [`ApiError`] that renders
//! RFC 9457 problem+json.
//!
//! Commands themselves are the domain's [`domain::DocumentCommand`] (one definition of
//! each command's fields); this crate adds how a request body becomes a list of them, with
//! 400 for malformed JSON and 422 naming the field for JSON that is not a valid command.

//!
//! Nothing here needs a web framework: statuses are the `http` crate's. The `actix`
//! feature adds what the actix transports need (the error as a response, body and header
//! readers).

#![warn(missing_docs)]

#[cfg(feature = "actix")]
mod body;
mod code;
mod dto;
mod error;
pub mod openapi;
mod parse;

#[cfg(feature = "actix")]
pub use body::{read_body, read_docx_body, single_header};
pub use code::Code;
pub use dto::*;
pub use error::{ApiError, Conflict, FieldError, ProblemDetails};
/// Most commands in one batch unless the server is configured otherwise
/// (`--max-batch`).
pub const MAX_BATCH: usize = 1000;

/// The media type of a .docx.
pub const DOCX_MEDIA_TYPE: &str =
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

pub use parse::{
    COMMAND_TYPES, RefOrSchema, command_schema, command_schema_all, parse_command_value,
    parse_commands, parse_document_id, parse_json, parse_json_value,
};
