//! A picture file as uploaded, checked without decoding it: its format by signature
//! (PNG, JPEG, GIF), its pixel size from the header, that it ends where its format says,
//! the limits, and its media id (SHA-256).

use base64::Engine as _;
use sha2::{Digest, Sha256};

use crate::error::DocumentError;
use crate::input::{Limits, too_large};
use crate::model::{ImageFormat, InlineImage};

/// An uploaded picture, checked: its format, pixel size and hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedImage {
    /// The format its signature names.
    pub format: ImageFormat,
    /// Pixel width.
    pub width_px: u32,
    /// Pixel height.
    pub height_px: u32,
    /// SHA-256, lower-case hex.
    pub media: String,
    /// The decoded bytes.
    pub bytes: Vec<u8>,
}

/// Decodes and checks the image of an `add_image` command: base64, at most
/// `limits.max_image_bytes`, a PNG, JPEG or GIF signature, a readable header with a size
/// of at most `limits.max_image_pixels`. Nothing is decoded beyond the header.
///
/// # Errors
/// [`DocumentError::TooLarge`] over the byte limit; [`DocumentError::InvalidField`] for
/// anything else.
pub fn check_image(data_base64: &str, limits: &Limits) -> Result<CheckedImage, DocumentError> {
    // Base64 is 4 characters per 3 bytes: refuse before decoding what cannot fit.
    if data_base64.len() / 4 * 3 > limits.max_image_bytes.saturating_add(3) {
        return Err(too_large("image bytes", limits.max_image_bytes));
    }
    let compact: String = data_base64
        .chars()
        .filter(|c| !c.is_ascii_whitespace())
        .collect();
    let bytes = base64::engine::general_purpose::STANDARD_NO_PAD
        .decode(compact.trim_end_matches('='))
        .map_err(|e| DocumentError::invalid("data_base64", format!("is not base64: {e}")))?;
    check_image_bytes(bytes, limits)
}

/// Checks an image's bytes as [`check_image`] does once it has decoded them (an imported
/// file's pictures are checked with this).
///
/// # Errors
/// As [`check_image`].
pub fn check_image_bytes(bytes: Vec<u8>, limits: &Limits) -> Result<CheckedImage, DocumentError> {
    if bytes.len() > limits.max_image_bytes {
        return Err(too_large("image bytes", limits.max_image_bytes));
    }
    let format = sniff(&bytes).ok_or_else(|| {
        DocumentError::invalid(
            "data_base64",
            "is not a PNG, JPEG or GIF image (recognised by its first bytes)",
        )
    })?;
    if !ends_whole(format, &bytes) {
        return Err(DocumentError::invalid(
            "data_base64",
            format!(
                "the {} file is cut short (it does not end as one must)",
                format.extension()
            ),
        ));
    }
    let size = imagesize::blob_size(&bytes).map_err(|_| {
        DocumentError::invalid(
            "data_base64",
            format!(
                "the {} image's header is damaged or cut short",
                format.extension()
            ),
        )
    })?;
    let (width_px, height_px) = match (u32::try_from(size.width), u32::try_from(size.height)) {
        (Ok(w), Ok(h)) if w > 0 && h > 0 => (w, h),
        _ => {
            return Err(DocumentError::invalid(
                "data_base64",
                "the image has no pixels (a zero or impossible width or height)",
            ));
        }
    };
    if u64::from(width_px) * u64::from(height_px) > limits.max_image_pixels {
        return Err(DocumentError::invalid(
            "data_base64",
            format!(
                "the image is {width_px}×{height_px} pixels; at most {} pixels are allowed",
                limits.max_image_pixels
            ),
        ));
    }
    let media = media_id(&bytes);
    Ok(CheckedImage {
        format,
        width_px,
        height_px,
        media,
        bytes,
    })
}

/// The media id of a file: its SHA-256, 64 lower-case hex digits (the key folio stores
/// images and imported files under).
pub fn media_id(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

impl CheckedImage {
    /// The inline image showing this picture at a size (EMU), with its alternative text.
    pub fn inline(&self, width_emu: u32, height_emu: u32, alt_text: String) -> InlineImage {
        InlineImage {
            media: self.media.clone(),
            format: self.format,
            width_px: self.width_px,
            height_px: self.height_px,
            width_emu,
            height_emu,
            bytes: self.bytes.len() as u64,
            alt_text,
        }
    }
}

/// The format a file's first bytes name.
pub(super) fn sniff(bytes: &[u8]) -> Option<ImageFormat> {
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some(ImageFormat::Png)
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(ImageFormat::Jpeg)
    } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        Some(ImageFormat::Gif)
    } else {
        None
    }
}

/// Whether a file ends as its format requires (a cheap check against a truncated upload;
/// nothing is decoded): a PNG with its `IEND` chunk, a JPEG with its end-of-image marker
/// (some writers add bytes after it), a GIF with its trailer.
fn ends_whole(format: ImageFormat, bytes: &[u8]) -> bool {
    let tail = |n: usize| {
        bytes
            .get(bytes.len().saturating_sub(n)..)
            .unwrap_or_default()
    };
    match format {
        ImageFormat::Png => bytes.len() >= 12 && tail(8).get(..4) == Some(&b"IEND"[..]),
        ImageFormat::Jpeg => tail(1_024).windows(2).any(|w| w == [0xFF, 0xD9]),
        ImageFormat::Gif => tail(16).contains(&0x3B),
    }
}

/// Whether `media` looks like a media id (64 lower-case hex digits).
pub fn is_media_id(media: &str) -> bool {
    media.len() == 64
        && media
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}
