//! Inline pictures (`w:drawing`): the picture part, its size and alt text.

use super::*;

impl<'a> Importer<'a> {
    /// An inline picture folio can hold, or why not.
    pub(super) fn image(
        &mut self,
        drawing: &Node,
        ctx: &PartContext<'_>,
        place: &str,
    ) -> Result<Result<InlineImage, Unmodelled>, ImportError> {
        let Some(inline) = drawing.child(Ns::Wp, "inline") else {
            return Ok(Err(unmodelled(
                "floating_picture",
                "floating pictures and shapes",
            )));
        };
        let Some(blip) = inline
            .descendants()
            .find(|n| n.is(Ns::A, "blip"))
            .filter(|_| inline.descendants().any(|n| n.is(Ns::Pic, "pic")))
        else {
            return Ok(Err(unmodelled(
                "drawing",
                "charts, diagrams and drawings other than pictures",
            )));
        };
        let Some(embed) = blip.attr(Ns::R, "embed") else {
            if blip.attr(Ns::R, "link").is_some() {
                self.warnings.add(
                    "external_picture",
                    || "pictures linked to files outside the document are never fetched: they are kept (as opaque blocks) with their address".into(),
                    place,
                );
            }
            return Ok(Err(unmodelled(
                "linked_picture",
                "pictures linked to outside files",
            )));
        };
        let Some(rel) = ctx.rels.get(embed).filter(|r| !r.external) else {
            return Ok(Err(unmodelled(
                "linked_picture",
                "pictures linked to outside files",
            )));
        };
        let Some(bytes) = self.package.part(&rel.target) else {
            return Ok(Err(unmodelled(
                "missing_picture",
                "pictures whose file is missing",
            )));
        };
        if self.images >= self.model_limits.max_images {
            return Ok(Err(unmodelled(
                "picture",
                "pictures beyond the per-document limit",
            )));
        }
        let checked = match domain::check_image_bytes(bytes.to_vec(), self.model_limits) {
            Ok(c) => c,
            Err(_) => {
                return Ok(Err(unmodelled(
                    "picture_format",
                    "pictures in formats folio does not store (EMF, WMF, SVG, TIFF…) or over the limits",
                )));
            }
        };
        let extent = inline.child(Ns::Wp, "extent");
        let emu = |name: &str| {
            extent
                .and_then(|e| e.attrs.iter().find(|a| a.local == name))
                .and_then(|a| a.value.parse::<u64>().ok())
                .and_then(|v| u32::try_from(v).ok())
                .filter(|v| *v > 0)
        };
        let (Some(width_emu), Some(height_emu)) = (emu("cx"), emu("cy")) else {
            return Ok(Err(unmodelled("picture", "pictures without a size")));
        };
        let alt_text = inline
            .child(Ns::Wp, "docPr")
            .and_then(|d| {
                d.attrs
                    .iter()
                    .find(|a| a.local == "descr")
                    .or_else(|| d.attrs.iter().find(|a| a.local == "title"))
            })
            .map(|a| clean_text(&a.value))
            .unwrap_or_default()
            .chars()
            .take(self.model_limits.max_title_chars)
            .collect();
        self.images += 1;
        let image = checked.inline(width_emu, height_emu, alt_text);
        self.media.entry(checked.media).or_insert(checked.bytes);
        Ok(Ok(image))
    }
}
