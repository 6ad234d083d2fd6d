//! Reading a request body with an explicit size limit.

use actix_web::web::{self, Bytes, BytesMut};
use futures::StreamExt;

use crate::DOCX_MEDIA_TYPE;
use crate::code::Code;
use crate::error::ApiError;

/// Whether a `Content-Type` names JSON: `application/json` or `application/<x>+json`, with
/// any parameters (`; charset=utf-8`).
fn is_json(content_type: &str) -> bool {
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    essence == "application/json"
        || essence
            .strip_prefix("application/")
            .is_some_and(|sub| sub.ends_with("+json"))
}

/// The one value of a header that may appear once: 400 when it is repeated (two
/// `If-Match` headers cannot both be meant), 400 when it is not visible text.
///
/// # Errors
/// [`ApiError::BadRequest`] with code `repeated_header` or `invalid_header`.
pub fn single_header<'a>(
    headers: &'a actix_web::http::header::HeaderMap,
    name: &str,
) -> Result<Option<&'a str>, ApiError> {
    let mut values = headers.get_all(name);
    let Some(first) = values.next() else {
        return Ok(None);
    };
    if values.next().is_some() {
        return Err(ApiError::BadRequest {
            code: Code::RepeatedHeader,
            detail: format!("the {name} header may be sent once"),
        });
    }
    first.to_str().map(Some).map_err(|_| ApiError::BadRequest {
        code: Code::InvalidHeader,
        detail: format!("the {name} header must be visible ASCII"),
    })
}

/// Reads the whole JSON body, refusing (413) one larger than `limit` bytes — early from
/// `Content-Length` when the client sends it, otherwise while streaming — and (415) one
/// whose `Content-Type` is not JSON.
///
/// # Errors
/// [`ApiError::PayloadTooLarge`], [`ApiError::UnsupportedMediaType`], or 400 when the
/// client breaks off the body or repeats `Content-Type`.
pub async fn read_body(
    req: &actix_web::HttpRequest,
    payload: web::Payload,
    limit: usize,
) -> Result<Bytes, ApiError> {
    match single_header(req.headers(), "content-type")? {
        Some(content_type) if is_json(content_type) => {}
        _ => {
            return Err(ApiError::UnsupportedMediaType {
                detail: "the request body must be JSON, sent with Content-Type: application/json"
                    .into(),
            });
        }
    }
    read_limited(req, payload, limit).await
}

/// Reads an uploaded Word file: the body sent as the .docx media type (or
/// `application/octet-stream`), at most `limit` bytes (413 beyond, 415 for another type).
///
/// # Errors
/// As [`read_body`].
pub async fn read_docx_body(
    req: &actix_web::HttpRequest,
    payload: web::Payload,
    limit: usize,
) -> Result<Bytes, ApiError> {
    let essence = single_header(req.headers(), "content-type")?.map(|c| {
        c.split(';')
            .next()
            .unwrap_or_default()
            .trim()
            .to_ascii_lowercase()
    });
    match essence.as_deref() {
        Some(DOCX_MEDIA_TYPE | "application/octet-stream") => {}
        _ => {
            return Err(ApiError::UnsupportedMediaType {
                detail: format!(
                    "send the .docx file itself as the body, with Content-Type: {DOCX_MEDIA_TYPE}"
                ),
            });
        }
    }
    read_limited(req, payload, limit).await
}

async fn read_limited(
    req: &actix_web::HttpRequest,
    mut payload: web::Payload,
    limit: usize,
) -> Result<Bytes, ApiError> {
    let too_large = || ApiError::PayloadTooLarge {
        detail: format!("the request body is larger than the limit of {limit} bytes"),
    };
    let declared = req
        .headers()
        .get(actix_web::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > limit) {
        return Err(too_large());
    }
    let mut body = BytesMut::with_capacity(declared.unwrap_or(1024).min(limit));
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|e| ApiError::BadRequest {
            code: Code::UnreadableBody,
            detail: format!("the request body could not be read: {e}"),
        })?;
        if body.len() + chunk.len() > limit {
            return Err(too_large());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_media_types_are_recognised() {
        assert!(is_json("application/json"));
        assert!(is_json("Application/JSON; charset=utf-8"));
        assert!(is_json("application/merge-patch+json"));
        assert!(!is_json("text/plain"));
        assert!(!is_json("application/x-www-form-urlencoded"));
        assert!(!is_json("application/jsonx"));
        assert!(!is_json(""));
    }
}
