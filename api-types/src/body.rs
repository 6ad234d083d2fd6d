//! Reading a request body with an explicit size limit.

use actix_web::web::{self, Bytes, BytesMut};
use futures::StreamExt;

use crate::error::ApiError;

/// Reads the whole body, refusing (413) one larger than `limit` bytes — early from
/// `Content-Length` when the client sends it, otherwise while streaming.
///
/// # Errors
/// [`ApiError::PayloadTooLarge`], or 400 when the client breaks off the body.
pub async fn read_body(
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
            code: "unreadable_body",
            detail: format!("the request body could not be read: {e}"),
        })?;
        if body.len() + chunk.len() > limit {
            return Err(too_large());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}
