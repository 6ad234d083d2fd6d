//! Inline images: a picture in a paragraph or heading, taking one character position
//! (U+FFFC) in its text like any other inline.
//!
//! The picture's bytes never enter an event: `add_image` checks them here (PNG, JPEG or
//! GIF by their signature, dimensions read from the header, never decoded), and the event
//! names them by their SHA-256. The write path stores the bytes under that hash before it
//! appends, so replay, time travel and rebuild find the same picture.
//!
//! The commands, how they are decided and how their events are applied.

use serde::{Deserialize, Serialize};

use crate::error::{DocumentError, EventMisfit};
use crate::event::{DocumentEvent, Within};
use crate::ids::BlockId;
use crate::input::Position;
use crate::input::{Limits, check_text, text_runs, too_large};
use crate::model::{Block, Document, IMAGE_CHAR, InlineImage, Run, RunFormat};
use crate::text;

mod file;

pub use file::{CheckedImage, check_image, check_image_bytes, is_media_id, media_id};

/// EMU per pixel at 96 dpi (Word's and python-docx's default resolution).
pub const EMU_PER_PX: u64 = 9_525;
/// EMU per millimetre.
pub const EMU_PER_MM: f64 = 36_000.0;
/// Largest shown side: 22 inches, Word's largest page.
pub(crate) const MAX_SHOWN_EMU: u64 = 22 * 914_400;
/// Longest alternative text, in characters.
pub(crate) const MAX_ALT_TEXT_CHARS: usize = 4_000;

/// The image commands: their own fields, then where the image is or goes — a block (and in
/// a table a cell, in a list an item) or a header or footer of a section — and its offset
/// there. (Written once here: serde's `flatten` cannot be combined with
/// `deny_unknown_fields`, which names an unknown field in the 422.)
macro_rules! image_command {
    (
        $(#[$doc:meta])* $name:ident {
            $($(#[$fdoc:meta])* $field:ident : $ty:ty,)*
        }
        offset: $(#[$odoc:meta])*
    ) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        #[serde(deny_unknown_fields)]
        pub struct $name {
            $($(#[$fdoc])* pub $field: $ty,)*
            /// The block (a paragraph, heading, table or list), by id.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub block_id: Option<BlockId>,
            /// The block, by index.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub block_index: Option<usize>,
            $(#[$odoc])*
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub offset: Option<usize>,
            /// In a table: the cell's row (with `col`).
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub row: Option<usize>,
            /// In a table: the cell's column (with `row`).
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub col: Option<usize>,
            /// In a list: the item.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub item: Option<usize>,
            /// In a header of `section` (not with a block): which one.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub header: Option<crate::features::section::HeaderKind>,
            /// In a footer of `section` (not with a block): which one.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub footer: Option<crate::features::section::HeaderKind>,
            /// With `header` or `footer`: the section (0, the default; `k` is the one after
            /// the `k`th section break).
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub section: Option<usize>,
        }

        impl $name {
            /// Where the command says the image is or goes.
            fn target(&self) -> Target<'_> {
                Target {
                    block: (self.block_id.as_ref(), self.block_index),
                    inside: (self.row, self.col, self.item),
                    margin: (self.header, self.footer, self.section),
                }
            }
        }
    };
}

image_command! {
    /// `add_image`: a PNG, JPEG or GIF picture, as a new paragraph at `position` (the
    /// default: the end), or at `offset` in an existing paragraph or heading, table cell,
    /// list item, header or footer. Give `width_*` or `height_*` (in pixels at 96 dpi, or
    /// millimetres) and the other side keeps the aspect ratio; with neither, the picture's
    /// own size, made to fit between the page margins.
    AddImage {
        /// The image file, base64-encoded (standard alphabet, padding optional).
        data_base64: String,
        /// Alternative text (what a screen reader says; written as the picture's
        /// description).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[cfg_attr(feature = "openapi", schema(max_length = 4000))]
        alt_text: Option<String>,
        /// Shown width in pixels at 96 dpi (not with `width_mm`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        width_px: Option<u32>,
        /// Shown height in pixels at 96 dpi (not with `height_mm`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        height_px: Option<u32>,
        /// Shown width in millimetres (not with `width_px`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        width_mm: Option<f32>,
        /// Shown height in millimetres (not with `height_px`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        height_mm: Option<f32>,
        /// Where the new paragraph holding the image goes (not with a block, header or
        /// footer).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        position: Option<Position>,
    }
    offset:
    /// The character offset the image goes at (default: the end).
}

image_command! {
    /// `resize_image`: a new shown size for an image; give one side to keep the aspect
    /// ratio.
    ResizeImage {
        /// Shown width in pixels at 96 dpi (not with `width_mm`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        width_px: Option<u32>,
        /// Shown height in pixels at 96 dpi (not with `height_mm`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        height_px: Option<u32>,
        /// Shown width in millimetres (not with `width_px`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        width_mm: Option<f32>,
        /// Shown height in millimetres (not with `height_px`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        height_mm: Option<f32>,
    }
    offset:
    /// The image's character offset (default: the first image there).
}

image_command! {
    /// `set_image_alt_text`: the alternative text of an image (empty removes it).
    SetImageAltText {
        /// The new alternative text.
        #[cfg_attr(feature = "openapi", schema(max_length = 4000))]
        alt_text: String,
    }
    offset:
    /// The image's character offset (default: the first image there).
}

/// A requested shown size: each side in pixels or millimetres, or unset.
struct SizeRequest {
    width_px: Option<u32>,
    height_px: Option<u32>,
    width_mm: Option<f32>,
    height_mm: Option<f32>,
}

impl SizeRequest {
    fn is_empty(&self) -> bool {
        self.width_px.is_none()
            && self.height_px.is_none()
            && self.width_mm.is_none()
            && self.height_mm.is_none()
    }

    /// One side in EMU, from pixels or millimetres (not both), if given.
    fn side(
        px: Option<u32>,
        mm: Option<f32>,
        px_field: &str,
        mm_field: &str,
    ) -> Result<Option<u64>, DocumentError> {
        let emu = match (px, mm) {
            (Some(_), Some(_)) => {
                return Err(DocumentError::invalid(
                    mm_field,
                    format!("give {px_field} or {mm_field}, not both"),
                ));
            }
            (Some(px), None) => {
                if px == 0 {
                    return Err(DocumentError::invalid(px_field, "must be at least 1"));
                }
                u64::from(px).saturating_mul(EMU_PER_PX)
            }
            (None, Some(mm)) => {
                if !(mm.is_finite() && mm >= 0.1) {
                    return Err(DocumentError::invalid(
                        mm_field,
                        "must be a number of millimetres, at least 0.1",
                    ));
                }
                (f64::from(mm) * EMU_PER_MM).round() as u64
            }
            (None, None) => return Ok(None),
        };
        if emu > MAX_SHOWN_EMU {
            let field = if px.is_some() { px_field } else { mm_field };
            return Err(DocumentError::invalid(
                field,
                "an image is at most 22 inches (558.8 mm) on a side",
            ));
        }
        Ok(Some(emu))
    }

    /// The shown size in EMU for a picture of `width_px`×`height_px`: the sides given, the
    /// other one by the aspect ratio; with none, the picture's own size shrunk to fit
    /// `fit_width_emu`.
    fn resolve(
        &self,
        width_px: u32,
        height_px: u32,
        fit_width_emu: u64,
    ) -> Result<(u32, u32), DocumentError> {
        let width = Self::side(self.width_px, self.width_mm, "width_px", "width_mm")?;
        let height = Self::side(self.height_px, self.height_mm, "height_px", "height_mm")?;
        let (w, h) = (u64::from(width_px), u64::from(height_px));
        let (width, height) = match (width, height) {
            (Some(a), Some(b)) => (a, b),
            (Some(a), None) => (a, (a * h / w).max(1)),
            (None, Some(b)) => ((b * w / h).max(1), b),
            (None, None) => {
                let (own_w, own_h) = (w * EMU_PER_PX, h * EMU_PER_PX);
                if own_w > fit_width_emu {
                    (fit_width_emu, (fit_width_emu * h / w).max(1))
                } else {
                    (own_w, own_h)
                }
            }
        };
        if height > MAX_SHOWN_EMU || width > MAX_SHOWN_EMU {
            return Err(DocumentError::invalid(
                if width > MAX_SHOWN_EMU {
                    "width_px"
                } else {
                    "height_px"
                },
                "with the aspect ratio kept, a side would be over 22 inches (558.8 mm)",
            ));
        }
        // Both at most MAX_SHOWN_EMU, well inside u32.
        Ok((width as u32, height as u32))
    }
}

fn check_alt_text(alt_text: &str) -> Result<(), DocumentError> {
    check_text("alt_text", alt_text, MAX_ALT_TEXT_CHARS)
}

impl Document {
    /// The width between the margins of the section holding block `index`, in EMU.
    fn text_width_emu(&self, index: usize) -> u64 {
        let page = self
            .section_page(self.section_of(index))
            .copied()
            .unwrap_or_default()
            .resolved();
        let mm = page.width_mm - page.margin_left_mm - page.margin_right_mm;
        if mm.is_finite() && mm >= 10.0 {
            (f64::from(mm) * EMU_PER_MM) as u64
        } else {
            (10.0 * EMU_PER_MM) as u64
        }
    }

    /// Decides `add_image`.
    pub(crate) fn decide_add_image(
        &self,
        c: &AddImage,
        new_id: BlockId,
        limits: &Limits,
    ) -> Result<Option<DocumentEvent>, DocumentError> {
        let into_block = c.block_id.is_some()
            || c.block_index.is_some()
            || c.header.is_some()
            || c.footer.is_some();
        if into_block && c.position.is_some() {
            return Err(DocumentError::invalid(
                "position",
                "give position (a new paragraph), or block_id/block_index or header/footer (existing text), not both",
            ));
        }
        if !into_block
            && (c.offset.is_some()
                || c.row.is_some()
                || c.col.is_some()
                || c.item.is_some()
                || c.section.is_some())
        {
            return Err(DocumentError::invalid(
                "offset",
                "offset, row, col, item and section go with block_id, block_index, header or footer",
            ));
        }
        let alt_text = c.alt_text.clone().unwrap_or_default();
        check_alt_text(&alt_text)?;
        if self.image_count() >= limits.max_images {
            return Err(too_large("images", limits.max_images));
        }
        let size = SizeRequest {
            width_px: c.width_px,
            height_px: c.height_px,
            width_mm: c.width_mm,
            height_mm: c.height_mm,
        };
        let checked = check_image(&c.data_base64, limits)?;
        let image = |index: usize| -> Result<InlineImage, DocumentError> {
            let (width_emu, height_emu) = size.resolve(
                checked.width_px,
                checked.height_px,
                self.text_width_emu(index),
            )?;
            Ok(checked.inline(width_emu, height_emu, alt_text.clone()))
        };
        if into_block {
            let place = self.place(&c.target())?;
            let within = place.within;
            let index = place.index;
            let len = text::char_len(&self.runs_at(&place)?);
            let offset = c.offset.unwrap_or(len);
            if offset > len {
                return Err(DocumentError::TextRangeOutOfBounds {
                    field: "offset",
                    value: offset,
                    len,
                });
            }
            if len >= limits.max_text_chars {
                return Err(too_large("paragraph text", limits.max_text_chars));
            }
            return Ok(Some(DocumentEvent::ImageInserted {
                block_id: place.block.map(|b| b.id().clone()),
                within,
                offset,
                image: image(index)?,
            }));
        }
        let index = self.insertion_index(c.position.as_ref(), limits)?;
        Ok(Some(DocumentEvent::ParagraphAdded {
            block_id: new_id,
            index,
            runs: vec![Run {
                text: IMAGE_CHAR.to_string(),
                format: RunFormat {
                    image: Some(image(index)?),
                    ..RunFormat::default()
                },
            }],
            style: None,
            alignment: None,
        }))
    }

    /// The image a command names: where it is, and its character offset (the first image
    /// there when no offset is given).
    fn image_target(
        &self,
        target: &Target<'_>,
        offset: Option<usize>,
    ) -> Result<(Place<'_>, usize, InlineImage), DocumentError> {
        let place = self.place(target)?;
        let runs = self.runs_at(&place)?;
        let mut at = 0;
        let found = runs.iter().find_map(|run| {
            let here = at;
            at += text::str_len(&run.text);
            run.format
                .image
                .as_ref()
                .filter(|_| offset.is_none_or(|o| o == here))
                .map(|image| (here, image.clone()))
        });
        match found {
            Some((at, image)) => Ok((place, at, image)),
            None => Err(match offset {
                Some(offset) => DocumentError::invalid(
                    "offset",
                    format!("there is no image at offset {offset}"),
                ),
                None => DocumentError::invalid("block_id", "there is no image there"),
            }),
        }
    }

    /// Decides `resize_image`.
    pub(crate) fn decide_resize_image(
        &self,
        c: &ResizeImage,
    ) -> Result<Option<DocumentEvent>, DocumentError> {
        let (place, offset, image) = self.image_target(&c.target(), c.offset)?;
        let size = SizeRequest {
            width_px: c.width_px,
            height_px: c.height_px,
            width_mm: c.width_mm,
            height_mm: c.height_mm,
        };
        if size.is_empty() {
            return Err(DocumentError::invalid(
                "width_px",
                "give a width or a height (in px or mm)",
            ));
        }
        let (width_emu, height_emu) = size.resolve(image.width_px, image.height_px, 0)?;
        if (width_emu, height_emu) == (image.width_emu, image.height_emu) {
            return Ok(None);
        }
        Ok(Some(DocumentEvent::ImageResized {
            block_id: place.block.map(|b| b.id().clone()),
            within: place.within,
            offset,
            width_emu,
            height_emu,
        }))
    }

    /// Decides `set_image_alt_text`.
    pub(crate) fn decide_set_image_alt_text(
        &self,
        c: &SetImageAltText,
    ) -> Result<Option<DocumentEvent>, DocumentError> {
        check_alt_text(&c.alt_text)?;
        let (place, offset, image) = self.image_target(&c.target(), c.offset)?;
        if image.alt_text == c.alt_text {
            return Ok(None);
        }
        Ok(Some(DocumentEvent::ImageAltTextSet {
            block_id: place.block.map(|b| b.id().clone()),
            within: place.within,
            offset,
            alt_text: c.alt_text.clone(),
        }))
    }

    /// Folds an image event into the state (see [`Document::try_apply`]).
    pub(crate) fn apply_image(
        &mut self,
        event: &DocumentEvent,
        misfit: &dyn Fn(&'static str) -> EventMisfit,
    ) -> Result<(), EventMisfit> {
        use DocumentEvent as E;
        let done = match event {
            E::ImageInserted {
                block_id,
                within,
                offset,
                image,
            } => self.edit_inline(block_id.as_ref(), *within, |runs| {
                if *offset > text::char_len(runs) {
                    return false;
                }
                text::insert_image(runs, *offset, image.clone());
                true
            }),
            E::ImageResized {
                block_id,
                within,
                offset,
                width_emu,
                height_emu,
            } => self.edit_inline(block_id.as_ref(), *within, |runs| match text::image_at_mut(
                runs, *offset,
            ) {
                Some(image) => {
                    image.width_emu = *width_emu;
                    image.height_emu = *height_emu;
                    true
                }
                None => false,
            }),
            E::ImageAltTextSet {
                block_id,
                within,
                offset,
                alt_text,
            } => self.edit_inline(block_id.as_ref(), *within, |runs| match text::image_at_mut(
                runs, *offset,
            ) {
                Some(image) => {
                    image.alt_text.clone_from(alt_text);
                    true
                }
                None => false,
            }),
            _ => return Err(misfit("not an event of this feature")),
        };
        if done == Some(true) {
            Ok(())
        } else {
            Err(misfit("no such place, or no image there"))
        }
    }

    /// Edits the runs at `within` of a block with `edit` (which says whether it changed
    /// them), keeping a cell's or item's plain text in step. A plain cell or item becomes
    /// runs first; a cell of several blocks has none to edit. Nothing changes when `edit`
    /// answers false.
    fn edit_inline(
        &mut self,
        block_id: Option<&BlockId>,
        within: Within,
        edit: impl FnOnce(&mut Vec<Run>) -> bool,
    ) -> Option<bool> {
        use crate::features::section::slot_mut;
        if let Within::Header { pages: kind } | Within::Footer { pages: kind } = within {
            let (header, footer) = match block_id {
                None => (&mut self.section.header, &mut self.section.footer),
                Some(id) => match self.block_mut(id)? {
                    Block::SectionBreak(b) => (&mut b.header, &mut b.footer),
                    _ => return None,
                },
            };
            let set = if matches!(within, Within::Header { .. }) {
                header
            } else {
                footer
            };
            let slot = slot_mut(set, kind);
            let mut runs = slot.clone().unwrap_or_default();
            if !edit(&mut runs) {
                return Some(false);
            }
            *slot = (!runs.is_empty()).then_some(runs);
            return Some(true);
        }
        match (self.block_mut(block_id?)?, within) {
            (Block::Paragraph(p), Within::Text) => Some(edit(&mut p.runs)),
            (Block::Heading(h), Within::Text) => Some(edit(&mut h.runs)),
            (Block::Table(t), Within::Cell { row, col }) => {
                if t.cell_blocks_at(row, col).is_some() {
                    return None;
                }
                let mut runs = t.cell_as_runs(row, col)?;
                if !edit(&mut runs) {
                    return Some(false);
                }
                let (text, runs) = crate::text::text_and_runs(runs);
                t.set_cell(row, col, text, runs);
                Some(true)
            }
            (Block::List(l), Within::Item { item }) => {
                let it = l.items.get_mut(item)?;
                let mut runs = it.as_runs();
                if !edit(&mut runs) {
                    return Some(false);
                }
                let (text, runs) = crate::text::text_and_runs(runs);
                it.text = text;
                it.runs = runs;
                Some(true)
            }
            _ => None,
        }
    }
}

/// What a command names as an image's place.
struct Target<'c> {
    /// `block_id`, `block_index`.
    block: (Option<&'c BlockId>, Option<usize>),
    /// `row`, `col`, `item`.
    inside: (Option<usize>, Option<usize>, Option<usize>),
    /// `header`, `footer`, `section`.
    margin: (
        Option<crate::features::section::HeaderKind>,
        Option<crate::features::section::HeaderKind>,
        Option<usize>,
    ),
}

/// Where an image is or goes.
struct Place<'d> {
    /// The block (for a header or footer: its section's break; none for section 0).
    block: Option<&'d Block>,
    within: Within,
    /// A block index in the section the image is in (for its default width).
    index: usize,
}

impl Document {
    /// Resolves a command's target to a place: a block's text, cell or item, or a header
    /// or footer of a section.
    fn place(&self, t: &Target<'_>) -> Result<Place<'_>, DocumentError> {
        let (block_id, block_index) = t.block;
        let (row, col, item) = t.inside;
        match t.margin {
            (None, None, None) => {
                let (index, block) = self.target(block_id, block_index)?;
                Ok(Place {
                    block: Some(block),
                    within: within(block, row, col, item)?,
                    index,
                })
            }
            (header, footer, section) => {
                let within = match (header, footer) {
                    (Some(kind), None) => Within::Header { pages: kind },
                    (None, Some(kind)) => Within::Footer { pages: kind },
                    _ => {
                        return Err(DocumentError::invalid(
                            "header",
                            "give header or footer (one), with section",
                        ));
                    }
                };
                if block_id.is_some()
                    || block_index.is_some()
                    || row.is_some()
                    || col.is_some()
                    || item.is_some()
                {
                    return Err(DocumentError::invalid(
                        "header",
                        "a header or footer is named by header/footer and section, not by a block",
                    ));
                }
                let section = section.unwrap_or(0);
                crate::input::check_index("section", section, self.section_count())?;
                let (block, index) = match section.checked_sub(1) {
                    None => (None, 0),
                    Some(n) => {
                        let index = self
                            .blocks
                            .iter()
                            .enumerate()
                            .filter(|(_, b)| matches!(b, Block::SectionBreak(_)))
                            .nth(n)
                            .map_or(0, |(i, _)| i);
                        (self.blocks.get(index), index + 1)
                    }
                };
                Ok(Place {
                    block,
                    within,
                    index,
                })
            }
        }
    }

    /// The runs at a place (a plain cell or item as one plain run; a header or footer not
    /// set as none).
    fn runs_at(&self, place: &Place<'_>) -> Result<Vec<Run>, DocumentError> {
        use crate::features::section::slot;
        match (place.block, place.within) {
            (block, Within::Header { pages: kind } | Within::Footer { pages: kind }) => {
                let (header, footer) = match block {
                    Some(Block::SectionBreak(b)) => (&b.header, &b.footer),
                    _ => (&self.section.header, &self.section.footer),
                };
                let set = if matches!(place.within, Within::Header { .. }) {
                    header
                } else {
                    footer
                };
                Ok(slot(set, kind).clone().unwrap_or_default())
            }
            (Some(block), within) => inline_runs(block, within),
            (None, _) => Err(DocumentError::invalid("block_id", "give a block")),
        }
    }
}

/// Where in `block` a command's `row`/`col`/`item` point: a table cell, a list item, or
/// a paragraph's or heading's own text.
fn within(
    block: &Block,
    row: Option<usize>,
    col: Option<usize>,
    item: Option<usize>,
) -> Result<Within, DocumentError> {
    match (block, row, col, item) {
        (Block::Paragraph(_) | Block::Heading(_), None, None, None) => Ok(Within::Text),
        (Block::Table(t), Some(row), Some(col), None) => {
            crate::features::table::check_content_cell(t, row, col)?;
            if t.cell_blocks_at(row, col).is_some() {
                return Err(DocumentError::invalid(
                    "col",
                    "the cell holds several blocks: set it with set_table_cell blocks",
                ));
            }
            Ok(Within::Cell { row, col })
        }
        (Block::List(l), None, None, Some(item)) => {
            crate::input::check_index("item", item, l.items.len())?;
            Ok(Within::Item { item })
        }
        (Block::Table(_), ..) => Err(DocumentError::invalid("row", "give row and col of a cell")),
        (Block::List(_), ..) => Err(DocumentError::invalid("item", "give the item")),
        (Block::Paragraph(_) | Block::Heading(_), ..) => Err(DocumentError::invalid(
            "row",
            "row, col and item are for tables and lists",
        )),
        (other, ..) => Err(crate::input::wrong_type(
            other,
            "paragraph, heading, table or list",
        )),
    }
}

/// The runs at `within` of a block (a plain cell or item as one plain run).
fn inline_runs(block: &Block, within: Within) -> Result<Vec<Run>, DocumentError> {
    match (block, within) {
        (Block::Paragraph(_) | Block::Heading(_), Within::Text) => Ok(text_runs(block)?.clone()),
        (Block::Table(t), Within::Cell { row, col }) => {
            t.cell_as_runs(row, col)
                .ok_or(DocumentError::IndexOutOfRange {
                    field: "row",
                    value: row,
                    len: t.rows.len(),
                })
        }
        (Block::List(l), Within::Item { item }) => {
            let it = l.items.get(item).ok_or(DocumentError::IndexOutOfRange {
                field: "item",
                value: item,
                len: l.items.len(),
            })?;
            Ok(it.as_runs())
        }
        (other, _) => Err(crate::input::wrong_type(other, "paragraph or heading")),
    }
}

#[cfg(test)]
pub(crate) mod tests;
