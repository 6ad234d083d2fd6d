//! One handler per query: parse its parameters, call one read use case, shape the
//! [`Reply`] for the transport.

use super::{Answer, Cx, Disposition, FileReply, Reply, etag};
use crate::read::{
    DiffParams, DocumentSearchParams, EventParams, ExportParams, ListParams, ReadAt, SearchParams,
};

/// A handler's future, boxed.
fn boxed(
    f: impl std::future::Future<Output = Result<Reply, api_types::ApiError>> + Send + 'static,
) -> Answer {
    Box::pin(f)
}

/// A JSON answer of `$value` with an `ETag` of its version.
macro_rules! versioned {
    ($cx:ident, $value:expr) => {{
        let value = $value;
        Ok($cx.json(&value)?.etag(value.version))
    }};
}

pub(super) fn list_documents(mut cx: Cx) -> Answer {
    boxed(async move {
        let params: ListParams = cx.params()?;
        cx.json(&cx.reads.list(&cx.principal, &params).await?)
    })
}

pub(super) fn get_document(mut cx: Cx) -> Answer {
    boxed(async move {
        let params = cx.params()?;
        versioned!(
            cx,
            cx.reads.summary(&cx.principal, &cx.path(0), params).await?
        )
    })
}

pub(super) fn get_comments(mut cx: Cx) -> Answer {
    boxed(async move {
        let params = cx.params()?;
        versioned!(
            cx,
            cx.reads
                .comments(&cx.principal, &cx.path(0), params)
                .await?
        )
    })
}

pub(super) fn get_suggestions(mut cx: Cx) -> Answer {
    boxed(async move {
        let params = cx.params()?;
        versioned!(
            cx,
            cx.reads
                .suggestions(&cx.principal, &cx.path(0), params)
                .await?
        )
    })
}

pub(super) fn get_notes(mut cx: Cx) -> Answer {
    boxed(async move {
        let params = cx.params()?;
        versioned!(
            cx,
            cx.reads.notes(&cx.principal, &cx.path(0), params).await?
        )
    })
}

pub(super) fn get_content(mut cx: Cx) -> Answer {
    boxed(async move {
        let params = cx.params()?;
        versioned!(
            cx,
            cx.reads.content(&cx.principal, &cx.path(0), params).await?
        )
    })
}

pub(super) fn get_block(mut cx: Cx) -> Answer {
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

pub(super) fn get_text(mut cx: Cx) -> Answer {
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

pub(super) fn get_outline(mut cx: Cx) -> Answer {
    boxed(async move {
        let params = cx.params()?;
        versioned!(
            cx,
            cx.reads.outline(&cx.principal, &cx.path(0), params).await?
        )
    })
}

pub(super) fn get_blocks(mut cx: Cx) -> Answer {
    boxed(async move {
        let params = cx.params()?;
        versioned!(
            cx,
            cx.reads.blocks(&cx.principal, &cx.path(0), params).await?
        )
    })
}

pub(super) fn get_section_text(mut cx: Cx) -> Answer {
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

pub(super) fn get_styles(mut cx: Cx) -> Answer {
    boxed(async move {
        let params = cx.params()?;
        versioned!(
            cx,
            cx.reads.styles(&cx.principal, &cx.path(0), params).await?
        )
    })
}

pub(super) fn get_sections(mut cx: Cx) -> Answer {
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

pub(super) fn list_images(mut cx: Cx) -> Answer {
    boxed(async move {
        let params = cx.params()?;
        versioned!(
            cx,
            cx.reads.images(&cx.principal, &cx.path(0), params).await?
        )
    })
}

pub(super) fn get_docx(mut cx: Cx) -> Answer {
    boxed(async move {
        let params = cx.params()?;
        let id = cx.path(0);
        let file = cx.reads.docx(&cx.principal, &id, params).await?;
        let uri = format!("folio://documents/{id}/docx");
        Ok(Reply::File(FileReply::download(file, uri)))
    })
}

pub(super) fn get_pdf(mut cx: Cx) -> Answer {
    boxed(async move {
        let params = cx.params()?;
        pdf(&cx, params).await
    })
}

/// The PDF of a version (`get_pdf`, `export_document` with `format=pdf`).
async fn pdf(cx: &Cx, at: ReadAt) -> Result<Reply, api_types::ApiError> {
    let id = cx.path(0);
    let file = cx.reads.pdf(&cx.principal, &id, at).await?;
    let uri = format!("folio://documents/{id}/pdf");
    Ok(Reply::File(FileReply::download(file, uri)))
}

pub(super) fn get_media(mut cx: Cx) -> Answer {
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

pub(super) fn get_original(cx: Cx) -> Answer {
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

pub(super) fn get_diff(mut cx: Cx) -> Answer {
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

pub(super) fn get_blame(mut cx: Cx) -> Answer {
    boxed(async move {
        let params = cx.params()?;
        cx.json(&cx.reads.blame(&cx.principal, &cx.path(0), params).await?)
    })
}

pub(super) fn export_document(mut cx: Cx) -> Answer {
    boxed(async move {
        let params: ExportParams = cx.params()?;
        if params.format == "pdf" {
            // The PDF of the version, as `get_pdf` answers it (made once, then cached).
            let at = ReadAt {
                version: params.version.clone(),
                min_version: params.min_version,
            };
            return pdf(&cx, at).await;
        }
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

pub(super) fn get_history(mut cx: Cx) -> Answer {
    boxed(async move {
        let params: EventParams = cx.params()?;
        cx.json(
            &cx.reads
                .history(&cx.principal, &cx.path(0), &params)
                .await?,
        )
    })
}

pub(super) fn search_document(mut cx: Cx) -> Answer {
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

pub(super) fn search_documents(mut cx: Cx) -> Answer {
    boxed(async move {
        let params: SearchParams = cx.params()?;
        cx.json(&cx.reads.search(&cx.principal, &params).await?)
    })
}

pub(super) fn get_audit(mut cx: Cx) -> Answer {
    boxed(async move {
        let params: EventParams = cx.params()?;
        cx.json(&cx.reads.audit(&cx.principal, &params).await?)
    })
}
