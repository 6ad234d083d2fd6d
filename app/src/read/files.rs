//! Documents as files: the .docx, and exports (HTML, Markdown, text).

use super::*;

/// Export parameters.
#[derive(Debug, Clone, Deserialize, IntoParams, ToSchema)]
pub struct ExportParams {
    /// `html`, `markdown`, `text` or `pdf` (the same file as `GET …/pdf`).
    #[param(pattern = "^(html|markdown|text|pdf)$")]
    #[schema(pattern = "^(html|markdown|text|pdf)$")]
    pub format: String,
    /// Version to export: its number or its label.
    pub version: Option<domain::VersionRef>,
    /// Wait for this version first.
    #[schema(minimum = 1)]
    pub min_version: Option<u64>,
    /// `text`: the comment threads after the content and notes (HTML always shows them,
    /// as annotations).
    pub comments: Option<bool>,
}

/// A file a read answers: a rendered .docx, or an image's bytes.
#[derive(Debug, Clone)]
pub struct DocxFile {
    /// The version read.
    pub version: u64,
    /// A file name for it.
    pub file_name: String,
    /// Its MIME type.
    pub mime_type: &'static str,
    /// The file.
    pub bytes: Vec<u8>,
}

impl Reads {
    /// The document as a .docx file: the materialised blob when it is of exactly this
    /// version, otherwise rendered now.
    ///
    /// # Errors
    /// As [`Reads::summary`], and a render failure.
    pub async fn docx(
        &self,
        principal: &Principal,
        id: &str,
        at: ReadAt,
    ) -> Result<DocxFile, ApiError> {
        let resolved = self.resolve(principal, id, at).await?;
        let id = resolved.summary.id.clone();
        let version = resolved.version();
        let stored = match self.views.blob_version(&id).await.map_err(store_error)? {
            Some(v) if v == version => self
                .blobs
                .get(&resolved.summary.tenant, &id, v)
                .await
                .map_err(|e| ApiError::internal(&e))?,
            _ => None,
        };
        let file_name = file_name(&resolved.document.title, "docx");
        let bytes = match stored {
            Some(bytes) => bytes,
            None => {
                let _permit = self.heavy().await?;
                let mut options = resolved.summary.render_options();
                self.media
                    .render_inputs(&resolved.summary.tenant, &resolved.document, &mut options)
                    .await
                    .map_err(|e| ApiError::internal(&e))?;
                let document = resolved.document;
                blocking(move || render_docx(&document, &options))
                    .await?
                    .map_err(|e| ApiError::internal(&e))?
            }
        };
        Ok(DocxFile {
            version,
            file_name,
            mime_type: docx_engine::DOCX_CONTENT_TYPE,
            bytes,
        })
    }

    /// The document as a PDF: its .docx of that version converted by LibreOffice
    /// (fields such as PAGE and NUMPAGES computed), cached per version.
    ///
    /// # Errors
    /// 503 `pdf_unavailable` without LibreOffice or when the conversion fails or times
    /// out; as [`Reads::docx`].
    pub async fn pdf(
        &self,
        principal: &Principal,
        id: &str,
        at: ReadAt,
    ) -> Result<DocxFile, ApiError> {
        let docx = self.docx(principal, id, at).await?;
        let document_id = api_types::parse_document_id(id)?;
        let tenant = principal.tenant.as_str();
        let file_name = format!(
            "{}.pdf",
            docx.file_name
                .strip_suffix(".docx")
                .unwrap_or(&docx.file_name)
        );
        let cached = self
            .blobs
            .get_pdf(tenant, document_id.as_str(), docx.version)
            .await
            .map_err(|e| ApiError::internal(&e))?;
        let bytes = match cached {
            Some(pdf) => pdf,
            None => {
                let pdf = self.pdf.convert(docx.bytes).await?;
                if let Err(e) = self
                    .blobs
                    .put_pdf(tenant, document_id.as_str(), docx.version, &pdf)
                    .await
                {
                    // A cache: the answer stands without it.
                    tracing::warn!(error = %e, "a PDF could not be cached");
                }
                pdf
            }
        };
        Ok(DocxFile {
            version: docx.version,
            file_name,
            mime_type: "application/pdf",
            bytes,
        })
    }

    /// The document's inline images, in reading order.
    ///
    /// # Errors
    /// As [`Reads::summary`].
    pub async fn images(
        &self,
        principal: &Principal,
        id: &str,
        at: ReadAt,
    ) -> Result<api_types::ImagesResponse, ApiError> {
        let resolved = self.resolve(principal, id, at).await?;
        let mm = |emu: u32| (f64::from(emu) / domain::EMU_PER_MM * 10.0).round() / 10.0;
        let document = &resolved.document;
        // Section k starts at the kth section break.
        let sections: std::collections::HashMap<&domain::BlockId, usize> = document
            .blocks
            .iter()
            .filter(|b| matches!(b, domain::Block::SectionBreak(_)))
            .enumerate()
            .map(|(k, b)| (b.id(), k + 1))
            .collect();
        use domain::event::Within;
        let images = document
            .images()
            .map(|(block, within, offset, image)| {
                let part = within.margin_part();
                api_types::ImageInfo {
                    block_id: block.filter(|_| part.is_none()).map(|b| b.id().to_string()),
                    row: match within {
                        Within::Cell { row, .. } => Some(row),
                        _ => None,
                    },
                    col: match within {
                        Within::Cell { col, .. } => Some(col),
                        _ => None,
                    },
                    item: match within {
                        Within::Item { item } => Some(item),
                        _ => None,
                    },
                    section: part.as_ref().map(|_| {
                        block
                            .and_then(|b| sections.get(b.id()).copied())
                            .unwrap_or(0)
                    }),
                    part,
                    offset,
                    media: image.media.clone(),
                    format: image.format.extension().to_string(),
                    content_type: image.format.content_type().to_string(),
                    width_px: image.width_px,
                    height_px: image.height_px,
                    width_mm: mm(image.width_emu),
                    height_mm: mm(image.height_emu),
                    bytes: image.bytes,
                    alt_text: image.alt_text.clone(),
                }
            })
            .collect();
        Ok(api_types::ImagesResponse {
            version: resolved.version(),
            images,
        })
    }

    /// The bytes of an image the document shows (at the version read), as uploaded.
    ///
    /// # Errors
    /// `media_not_found` (404) when the document shows no image with that media id; as
    /// [`Reads::summary`].
    pub async fn media(
        &self,
        principal: &Principal,
        id: &str,
        media: &str,
        at: ReadAt,
    ) -> Result<DocxFile, ApiError> {
        let resolved = self.resolve(principal, id, at).await?;
        let not_found = || ApiError::NotFound {
            code: Code::MediaNotFound,
            detail: format!(
                "version {} of the document shows no image {media}",
                resolved.version()
            ),
        };
        // Only what this document shows: a media id is no key to another document's (or
        // tenant's) pictures.
        let Some(image) = resolved
            .document
            .all_images()
            .find(|image| image.media == media)
        else {
            return Err(not_found());
        };
        let bytes = self
            .media
            .get(&resolved.summary.tenant, media)
            .await
            .map_err(|e| ApiError::internal(&e))?
            .ok_or_else(|| {
                ApiError::internal(&std::io::Error::other(format!(
                    "the bytes of image {media} are missing from the media store"
                )))
            })?;
        Ok(DocxFile {
            version: resolved.version(),
            file_name: format!("{media}.{}", image.format.extension()),
            mime_type: image.format.content_type(),
            bytes,
        })
    }

    /// The Word file an imported document was made from, byte for byte as uploaded.
    ///
    /// # Errors
    /// 404 when the document was not imported; as [`Reads::summary`].
    pub async fn original(&self, principal: &Principal, id: &str) -> Result<DocxFile, ApiError> {
        let resolved = self.resolve(principal, id, ReadAt::default()).await?;
        let Some(source) = &resolved.document.source else {
            return Err(ApiError::NotFound {
                code: Code::OriginalNotFound,
                detail: "the document was not imported from a file".into(),
            });
        };
        let bytes = self
            .media
            .get(&resolved.summary.tenant, &source.media)
            .await
            .map_err(|e| ApiError::internal(&e))?
            .ok_or_else(|| {
                ApiError::internal(&std::io::Error::other(format!(
                    "the imported file {} is missing from the media store",
                    source.media
                )))
            })?;
        // A macro-enabled file or a template is served as what it is.
        let (mime_type, extension) = docx_engine::original_kind(&bytes);
        Ok(DocxFile {
            version: resolved.version(),
            file_name: file_name(
                &format!("{} (original)", resolved.document.title),
                extension,
            ),
            mime_type,
            bytes,
        })
    }

    /// The document exported as HTML, Markdown or plain text.
    ///
    /// # Errors
    /// An unknown format (422); as [`Reads::summary`].
    pub async fn export(
        &self,
        principal: &Principal,
        id: &str,
        params: &ExportParams,
    ) -> Result<ExportResponse, ApiError> {
        let format = ExportFormat::parse(&params.format).ok_or_else(|| {
            ApiError::invalid(
                "format",
                format!(
                    "unknown format {:?}; use html, markdown or text (pdf is not available yet)",
                    params.format
                ),
            )
        })?;
        let at = ReadAt {
            version: params.version.clone(),
            min_version: params.min_version,
        };
        let resolved = self.resolve(principal, id, at).await?;
        let version = resolved.version();
        let file_name = file_name(&resolved.document.title, format.extension());
        let body = {
            let _permit = self.heavy().await?;
            let document = resolved.document;
            let options = docx_engine::ExportOptions {
                comments: params.comments.unwrap_or(false),
            };
            blocking(move || docx_engine::export_with(&document, format, options)).await?
        };
        Ok(ExportResponse {
            version,
            format: params.format.clone(),
            content_type: format.content_type().to_string(),
            file_name,
            body,
        })
    }
}

/// A file name for downloads: the title with only safe characters.
pub fn file_name(title: &str, extension: &str) -> String {
    let base: String = title
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || " -_.".contains(c) {
                c
            } else {
                '_'
            }
        })
        .take(100)
        .collect();
    let base = base.trim();
    format!(
        "{}.{extension}",
        if base.is_empty() { "document" } else { base }
    )
}
