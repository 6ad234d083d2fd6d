//! Documents as files: the .docx, and exports (HTML, Markdown, text).

use super::*;

/// Export parameters.
#[derive(Debug, Clone, Deserialize, IntoParams, ToSchema)]
pub struct ExportParams {
    /// `html`, `markdown` or `text`.
    #[param(pattern = "^(html|markdown|text)$")]
    #[schema(pattern = "^(html|markdown|text)$")]
    pub format: String,
    /// Version to export.
    #[schema(minimum = 1)]
    pub version: Option<u64>,
    /// Wait for this version first.
    #[schema(minimum = 1)]
    pub min_version: Option<u64>,
}

/// A rendered .docx.
#[derive(Debug, Clone)]
pub struct DocxFile {
    /// The version rendered.
    pub version: u64,
    /// A file name for it.
    pub file_name: String,
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
                let options = resolved.summary.render_options();
                let document = resolved.document;
                blocking(move || render_docx(&document, &options))
                    .await?
                    .map_err(|e| ApiError::internal(&e))?
            }
        };
        Ok(DocxFile {
            version,
            file_name,
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
            version: params.version,
            min_version: params.min_version,
        };
        let resolved = self.resolve(principal, id, at).await?;
        let version = resolved.version();
        let file_name = file_name(&resolved.document.title, format.extension());
        let body = {
            let _permit = self.heavy().await?;
            let document = resolved.document;
            blocking(move || export(&document, format)).await?
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
