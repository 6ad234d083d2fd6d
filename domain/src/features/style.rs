//! The style sheet: Word's built-in styles folio uses, and the document's own styles
//! (create, update, delete, apply to paragraphs, runs and tables).
//!
//! The commands, how they are decided and how their events are applied.

use serde::{Deserialize, Serialize};

use crate::error::{DocumentError, EventMisfit};
use crate::event::DocumentEvent;
use crate::ids::BlockId;
use crate::input::{text_runs, wrong_type};
use crate::model::{Alignment, Block, Document, Run, StyleDef, StyleKind};
use crate::text;
use crate::text::FormatPatch;

/// Word's built-in styles every folio document has: id, name, kind, and whether
/// `apply_style` may give it (headings get theirs from their level, TOC entries from the
/// table of contents).
pub const BUILTIN_STYLES: &[(&str, &str, StyleKind, bool)] = &[
    ("Normal", "Normal", StyleKind::Paragraph, true),
    ("Title", "Title", StyleKind::Paragraph, true),
    ("Subtitle", "Subtitle", StyleKind::Paragraph, true),
    ("Quote", "Quote", StyleKind::Paragraph, true),
    ("IntenseQuote", "Intense Quote", StyleKind::Paragraph, true),
    ("Caption", "caption", StyleKind::Paragraph, true),
    ("NoSpacing", "No Spacing", StyleKind::Paragraph, true),
    ("Heading1", "heading 1", StyleKind::Paragraph, false),
    ("Heading2", "heading 2", StyleKind::Paragraph, false),
    ("Heading3", "heading 3", StyleKind::Paragraph, false),
    ("Heading4", "heading 4", StyleKind::Paragraph, false),
    ("Heading5", "heading 5", StyleKind::Paragraph, false),
    ("Heading6", "heading 6", StyleKind::Paragraph, false),
    ("Heading7", "heading 7", StyleKind::Paragraph, false),
    ("Heading8", "heading 8", StyleKind::Paragraph, false),
    ("Heading9", "heading 9", StyleKind::Paragraph, false),
    (
        "ListParagraph",
        "List Paragraph",
        StyleKind::Paragraph,
        false,
    ),
    ("TOCHeading", "TOC Heading", StyleKind::Paragraph, false),
    ("Hyperlink", "Hyperlink", StyleKind::Character, false),
    ("TableGrid", "Table Grid", StyleKind::Table, true),
];
/// Most styles of a document's own.
/// Most styles of a document's own.
pub const MAX_STYLES: usize = 500;
/// Longest style id and name, in characters.
const MAX_ID_CHARS: usize = 64;
const MAX_NAME_CHARS: usize = 100;

/// The formatting fields of `create_style` and `update_style`.
macro_rules! style_command {
    ($(#[$doc:meta])* $name:ident { $($(#[$fdoc:meta])* $fvis:vis $field:ident : $ty:ty,)* }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        #[serde(deny_unknown_fields)]
        pub struct $name {
            $($(#[$fdoc])* $fvis $field: $ty,)*
            /// The style it inherits from (same kind; `Normal` for most paragraph styles).
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub based_on: Option<String>,
            /// The paragraph style Word gives the next paragraph (paragraph styles).
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub next: Option<String>,
            /// Font family.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub font: Option<String>,
            /// Size in points (1 to 1638).
            #[serde(default, skip_serializing_if = "Option::is_none")]
            #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 1638))]
            pub size_pt: Option<f32>,
            /// Bold.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub bold: Option<bool>,
            /// Italic.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub italic: Option<bool>,
            /// Underline.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub underline: Option<bool>,
            /// Colour, six hex digits.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            #[cfg_attr(feature = "openapi", schema(pattern = "^#?[0-9A-Fa-f]{6}$"))]
            pub color: Option<String>,
            /// Space before paragraphs, in points (0 to 1584; paragraph styles).
            #[serde(default, skip_serializing_if = "Option::is_none")]
            #[cfg_attr(feature = "openapi", schema(minimum = 0, maximum = 1584))]
            pub spacing_before: Option<f32>,
            /// Space after paragraphs, in points (0 to 1584; paragraph styles).
            #[serde(default, skip_serializing_if = "Option::is_none")]
            #[cfg_attr(feature = "openapi", schema(minimum = 0, maximum = 1584))]
            pub spacing_after: Option<f32>,
            /// Alignment (paragraph styles).
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub alignment: Option<Alignment>,
        }

        impl $name {
            fn formatting(&self) -> Formatting<'_> {
                Formatting {
                    based_on: self.based_on.as_deref(),
                    next: self.next.as_deref(),
                    font: self.font.as_deref(),
                    size_pt: self.size_pt,
                    bold: self.bold,
                    italic: self.italic,
                    underline: self.underline,
                    color: self.color.as_deref(),
                    spacing_before: self.spacing_before,
                    spacing_after: self.spacing_after,
                    alignment: self.alignment,
                }
            }
        }
    };
}

style_command! {
    /// `create_style`: a style of the document's own.
    CreateStyle {
        /// Its id (1 to 64 ASCII letters and digits); default: its name without the
        /// other characters.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub style_id: Option<String>,
        /// Its name as Word shows it (1 to 100 characters, unique ignoring case).
        pub name: String,
        /// `paragraph`, `character` or `table`.
        pub kind: StyleKind,
    }
}

style_command! {
    /// `update_style`: changes the fields given of a style of the document's own.
    UpdateStyle {
        /// The style's id.
        pub style_id: String,
        /// A new name.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub name: Option<String>,
    }
}

/// `delete_style`: deletes a style of the document's own that nothing uses.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct DeleteStyle {
    /// The style's id.
    pub style_id: String,
}

/// `apply_style`: gives a paragraph its paragraph style, characters `start..end` of a
/// paragraph or heading a character style, or a table its table style.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ApplyStyle {
    /// Target block id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub block_id: Option<BlockId>,
    /// Target block index.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub block_index: Option<usize>,
    /// The style's id; its kind says what it applies to.
    pub style_id: String,
    /// First character, for a character style (inclusive; default 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<usize>,
    /// Last character, for a character style (exclusive; default the end).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<usize>,
}

/// The formatting fields the two commands share.
struct Formatting<'a> {
    based_on: Option<&'a str>,
    next: Option<&'a str>,
    font: Option<&'a str>,
    size_pt: Option<f32>,
    bold: Option<bool>,
    italic: Option<bool>,
    underline: Option<bool>,
    color: Option<&'a str>,
    spacing_before: Option<f32>,
    spacing_after: Option<f32>,
    alignment: Option<Alignment>,
}

impl Formatting<'_> {
    fn is_empty(&self) -> bool {
        self.based_on.is_none()
            && self.next.is_none()
            && self.font.is_none()
            && self.size_pt.is_none()
            && self.bold.is_none()
            && self.italic.is_none()
            && self.underline.is_none()
            && self.color.is_none()
            && self.spacing_before.is_none()
            && self.spacing_after.is_none()
            && self.alignment.is_none()
    }
}

/// A style id or name as a client sent it, checked.
fn checked_name(field: &str, value: &str, max: usize) -> Result<String, DocumentError> {
    let trimmed = value.trim();
    if trimmed.is_empty()
        || trimmed.chars().count() > max
        || trimmed
            .chars()
            .any(|c| c.is_control() || !text::is_xml_char(c))
    {
        return Err(DocumentError::invalid(
            field,
            format!("must be 1 to {max} characters, without control characters"),
        ));
    }
    Ok(trimmed.to_string())
}

fn checked_id(field: &str, value: &str) -> Result<String, DocumentError> {
    if value.is_empty()
        || value.len() > MAX_ID_CHARS
        || !value.chars().all(|c| c.is_ascii_alphanumeric())
    {
        return Err(DocumentError::invalid(
            field,
            "a style id has 1 to 64 ASCII letters and digits",
        ));
    }
    Ok(value.to_string())
}

impl Document {
    /// The kind of a style the document has (built-in or its own), by id.
    pub fn style_kind(&self, style_id: &str) -> Option<StyleKind> {
        BUILTIN_STYLES
            .iter()
            .find(|(id, ..)| *id == style_id)
            .map(|(_, _, kind, _)| *kind)
            .or_else(|| {
                self.styles
                    .iter()
                    .find(|s| s.style_id == style_id)
                    .map(|s| s.kind)
            })
    }

    /// Checks that `style` is a style of `kind` that can be given to a block or run.
    pub(crate) fn check_style(
        &self,
        field: &str,
        style: &str,
        kind: StyleKind,
    ) -> Result<(), DocumentError> {
        let builtin = BUILTIN_STYLES
            .iter()
            .any(|(id, _, k, applicable)| *id == style && *k == kind && *applicable);
        let own = self
            .styles
            .iter()
            .any(|s| s.style_id == style && s.kind == kind);
        if builtin || own {
            return Ok(());
        }
        let usable: Vec<&str> = BUILTIN_STYLES
            .iter()
            .filter(|(_, _, k, applicable)| *k == kind && *applicable)
            .map(|(id, ..)| *id)
            .chain(
                self.styles
                    .iter()
                    .filter(|s| s.kind == kind)
                    .map(|s| s.style_id.as_str()),
            )
            .collect();
        Err(DocumentError::invalid(
            field,
            format!(
                "unknown {} style `{style}`; expected one of {}",
                kind_name(kind),
                usable.join(", ")
            ),
        ))
    }

    /// Builds a style from `base` and the formatting given, checking every value.
    fn styled(&self, mut style: StyleDef, f: &Formatting<'_>) -> Result<StyleDef, DocumentError> {
        if let Some(based_on) = f.based_on {
            if self.style_kind(based_on) != Some(style.kind) {
                return Err(DocumentError::invalid(
                    "based_on",
                    format!(
                        "based_on names a {} style of this document",
                        kind_name(style.kind)
                    ),
                ));
            }
            // No cycles: walking up from the base must not reach this style.
            let mut at = Some(based_on.to_string());
            let mut steps = 0;
            while let Some(id) = at {
                if id == style.style_id || steps > MAX_STYLES {
                    return Err(DocumentError::invalid(
                        "based_on",
                        "a style cannot be based on itself, even through others",
                    ));
                }
                steps += 1;
                at = self
                    .styles
                    .iter()
                    .find(|s| s.style_id == id)
                    .and_then(|s| s.based_on.clone());
            }
            style.based_on = Some(based_on.to_string());
        }
        if let Some(next) = f.next {
            if style.kind != StyleKind::Paragraph
                || (self.style_kind(next) != Some(StyleKind::Paragraph) && next != style.style_id)
            {
                return Err(DocumentError::invalid(
                    "next",
                    "next names a paragraph style, for a paragraph style",
                ));
            }
            style.next = Some(next.to_string());
        }
        let paragraph_only =
            f.spacing_before.is_some() || f.spacing_after.is_some() || f.alignment.is_some();
        if paragraph_only && style.kind != StyleKind::Paragraph {
            return Err(DocumentError::invalid(
                "spacing_before",
                "spacing and alignment belong to paragraph styles",
            ));
        }
        let patch = FormatPatch {
            font: f.font.map(str::to_string),
            size_pt: f.size_pt,
            color: f.color.map(str::to_string),
            ..FormatPatch::default()
        }
        .validated("")?;
        style.font = patch.font.or(style.font);
        style.size_pt = patch.size_pt.or(style.size_pt);
        style.color = patch.color.or(style.color);
        style.bold = f.bold.or(style.bold);
        style.italic = f.italic.or(style.italic);
        style.underline = f.underline.or(style.underline);
        for (field, value, slot) in [
            (
                "spacing_before",
                f.spacing_before,
                &mut style.spacing_before,
            ),
            ("spacing_after", f.spacing_after, &mut style.spacing_after),
        ] {
            if let Some(v) = value {
                if !v.is_finite()
                    || !(0.0..=crate::features::paragraph_format::MAX_LENGTH_PT).contains(&v)
                {
                    return Err(DocumentError::invalid(field, "must be 0 to 1584 points"));
                }
                *slot = Some(v);
            }
        }
        style.alignment = f.alignment.or(style.alignment);
        Ok(style)
    }

    /// Decides `create_style`.
    pub(crate) fn decide_create_style(
        &self,
        c: &CreateStyle,
    ) -> Result<Option<DocumentEvent>, DocumentError> {
        let name = checked_name("name", &c.name, MAX_NAME_CHARS)?;
        let style_id = match &c.style_id {
            Some(id) => checked_id("style_id", id)?,
            None => {
                let id: String = name.chars().filter(char::is_ascii_alphanumeric).collect();
                checked_id("name", &id).map_err(|_| {
                    DocumentError::invalid(
                        "style_id",
                        "the name has no ASCII letters or digits: give a style_id",
                    )
                })?
            }
        };
        if self.style_kind(&style_id).is_some()
            || BUILTIN_STYLES
                .iter()
                .any(|(id, ..)| id.eq_ignore_ascii_case(&style_id))
            || self
                .styles
                .iter()
                .any(|s| s.style_id.eq_ignore_ascii_case(&style_id))
        {
            return Err(DocumentError::invalid(
                "style_id",
                format!("the style {style_id} exists already"),
            ));
        }
        if BUILTIN_STYLES
            .iter()
            .any(|(_, n, ..)| n.eq_ignore_ascii_case(&name))
            || self
                .styles
                .iter()
                .any(|s| s.name.eq_ignore_ascii_case(&name))
        {
            return Err(DocumentError::invalid(
                "name",
                format!("a style is named {name} already"),
            ));
        }
        if self.styles.len() >= MAX_STYLES {
            return Err(crate::input::too_large("styles", MAX_STYLES));
        }
        let style = self.styled(StyleDef::blank(style_id, name, c.kind), &c.formatting())?;
        Ok(Some(DocumentEvent::StyleCreated { style }))
    }

    /// Decides `update_style`.
    pub(crate) fn decide_update_style(
        &self,
        c: &UpdateStyle,
    ) -> Result<Option<DocumentEvent>, DocumentError> {
        let builtin = BUILTIN_STYLES.iter().find(|(id, ..)| *id == c.style_id);
        // A built-in style is redefined on top of Word's definition: the document keeps
        // what it changes (deleting that brings Word's back).
        let blank;
        let current = match (
            self.styles.iter().find(|s| s.style_id == c.style_id),
            builtin,
        ) {
            (Some(own), _) => own,
            (None, Some((id, name, kind, _))) => {
                if self.styles.len() >= MAX_STYLES {
                    return Err(crate::input::too_large("styles", MAX_STYLES));
                }
                blank = StyleDef::blank((*id).to_string(), (*name).to_string(), *kind);
                &blank
            }
            (None, None) => {
                return Err(DocumentError::invalid(
                    "style_id",
                    "the document has no such style",
                ));
            }
        };
        if builtin.is_some() && c.name.is_some() {
            return Err(DocumentError::invalid(
                "name",
                "built-in styles keep Word's names (Word and other readers find them by it)",
            ));
        }
        if builtin.is_some() && c.based_on.is_some() {
            return Err(DocumentError::invalid(
                "based_on",
                "built-in styles keep what Word bases them on",
            ));
        }
        let formatting = c.formatting();
        if c.name.is_none() && formatting.is_empty() {
            return Err(DocumentError::invalid(
                "name",
                "give at least one field to change",
            ));
        }
        let mut style = self.styled(current.clone(), &formatting)?;
        if let Some(name) = &c.name {
            let name = checked_name("name", name, MAX_NAME_CHARS)?;
            let taken = BUILTIN_STYLES
                .iter()
                .any(|(_, n, ..)| n.eq_ignore_ascii_case(&name))
                || self
                    .styles
                    .iter()
                    .any(|s| s.style_id != c.style_id && s.name.eq_ignore_ascii_case(&name));
            if taken {
                return Err(DocumentError::invalid(
                    "name",
                    format!("a style is named {name} already"),
                ));
            }
            style.name = name;
        }
        if &style == current {
            return Ok(None);
        }
        // Changed: folio writes it from now on (an imported file's definition no longer).
        style.imported = false;
        Ok(Some(DocumentEvent::StyleUpdated { style }))
    }

    /// Where a style is used, if anywhere (for `delete_style`).
    fn style_use(&self, style_id: &str) -> Option<String> {
        let runs_use = |runs: &[Run]| {
            runs.iter()
                .any(|r| r.format.style.as_deref() == Some(style_id))
        };
        for block in &self.blocks {
            let used = match block {
                Block::Paragraph(p) => p.style.as_deref() == Some(style_id) || runs_use(&p.runs),
                Block::Heading(h) => runs_use(&h.runs),
                Block::Table(t) => t.style.as_deref() == Some(style_id),
                Block::List(l) => l
                    .items
                    .iter()
                    .any(|i| i.runs.as_deref().is_some_and(runs_use)),
                _ => false,
            };
            if used {
                return Some(format!("block {}", block.id()));
            }
        }
        let section = &self.section;
        for set in [&section.header, &section.footer] {
            for runs in [&set.default, &set.first, &set.even].into_iter().flatten() {
                if runs_use(runs) {
                    return Some("a header or footer".into());
                }
            }
        }
        self.styles
            .iter()
            .find(|s| {
                s.based_on.as_deref() == Some(style_id)
                    || (s.style_id != style_id && s.next.as_deref() == Some(style_id))
            })
            .map(|s| format!("style {}", s.style_id))
    }

    /// Decides `delete_style`.
    pub(crate) fn decide_delete_style(
        &self,
        c: &DeleteStyle,
    ) -> Result<Option<DocumentEvent>, DocumentError> {
        if !self.styles.iter().any(|s| s.style_id == c.style_id) {
            let why = if self.style_kind(&c.style_id).is_some() {
                "built-in styles cannot be deleted"
            } else {
                "the document has no such style"
            };
            return Err(DocumentError::invalid("style_id", why));
        }
        // Deleting a redefined built-in style brings Word's definition back: it stays
        // usable, so where it is used does not matter.
        let builtin = BUILTIN_STYLES.iter().any(|(id, ..)| *id == c.style_id);
        if !builtin && let Some(user) = self.style_use(&c.style_id) {
            return Err(DocumentError::invalid(
                "style_id",
                format!("the style is in use ({user}); apply another style first"),
            ));
        }
        Ok(Some(DocumentEvent::StyleDeleted {
            style_id: c.style_id.clone(),
        }))
    }

    /// Decides `apply_style`.
    pub(crate) fn decide_apply_style(
        &self,
        c: &ApplyStyle,
    ) -> Result<Option<DocumentEvent>, DocumentError> {
        let (_, block) = self.target(c.block_id.as_ref(), c.block_index)?;
        let Some(kind) = self.style_kind(&c.style_id) else {
            return Err(DocumentError::invalid(
                "style_id",
                format!("the document has no style `{}`", c.style_id),
            ));
        };
        if kind != StyleKind::Character && (c.start.is_some() || c.end.is_some()) {
            return Err(DocumentError::invalid(
                "start",
                "a range goes with a character style",
            ));
        }
        self.check_style("style_id", &c.style_id, kind)?;
        let block_id = block.id().clone();
        let style = Some(c.style_id.clone());
        match (kind, block) {
            (StyleKind::Paragraph, Block::Paragraph(p)) => {
                Ok((p.style != style)
                    .then_some(DocumentEvent::ParagraphStyleSet { block_id, style }))
            }
            (StyleKind::Table, Block::Table(t)) => {
                Ok((t.style != style).then_some(DocumentEvent::TableStyleSet { block_id, style }))
            }
            (StyleKind::Character, _) => {
                let runs = text_runs(block)?;
                let (start, end) = crate::input::text_range(c.start, c.end, text::char_len(runs))?;
                Ok(Some(DocumentEvent::CharacterStyleSet {
                    block_id,
                    start,
                    end,
                    style,
                }))
            }
            (StyleKind::Paragraph, other) => Err(wrong_type(other, "paragraph")),
            (StyleKind::Table, other) => Err(wrong_type(other, "table")),
        }
    }

    /// Folds a style event into the state (see [`Document::try_apply`]).
    pub(crate) fn apply_style_event(
        &mut self,
        event: &DocumentEvent,
        misfit: &dyn Fn(&'static str) -> EventMisfit,
    ) -> Result<(), EventMisfit> {
        use DocumentEvent as E;
        match event {
            E::StyleCreated { style } => {
                if self.style_kind(&style.style_id).is_some() {
                    return Err(misfit("the style exists"));
                }
                self.styles.push(style.clone());
            }
            E::StyleUpdated { style } => {
                match self
                    .styles
                    .iter_mut()
                    .find(|s| s.style_id == style.style_id)
                {
                    Some(slot) => {
                        if slot.kind != style.kind {
                            return Err(misfit("a style keeps its kind"));
                        }
                        *slot = style.clone();
                    }
                    // The first redefinition of a built-in style.
                    None => match BUILTIN_STYLES.iter().find(|(id, ..)| *id == style.style_id) {
                        Some((_, _, kind, _)) if *kind == style.kind => {
                            self.styles.push(style.clone());
                        }
                        _ => return Err(misfit("no such style")),
                    },
                }
            }
            E::StyleDeleted { style_id } => {
                let before = self.styles.len();
                self.styles.retain(|s| &s.style_id != style_id);
                if self.styles.len() == before {
                    return Err(misfit("no such style"));
                }
            }
            E::ParagraphStyleSet { block_id, style } => match self.block_mut(block_id) {
                Some(Block::Paragraph(p)) => p.style.clone_from(style),
                _ => return Err(misfit("no such paragraph")),
            },
            E::TableStyleSet { block_id, style } => match self.block_mut(block_id) {
                Some(Block::Table(t)) => t.style.clone_from(style),
                _ => return Err(misfit("no such table")),
            },
            E::CharacterStyleSet {
                block_id,
                start,
                end,
                style,
            } => {
                let runs = self.runs_mut(block_id).ok_or(misfit("no such paragraph"))?;
                if start > end || *end > text::char_len(runs) {
                    return Err(misfit("range outside the text"));
                }
                text::set_style(runs, *start, *end, style.as_deref());
            }
            _ => return Err(misfit("not an event of this feature")),
        }
        Ok(())
    }
}

fn kind_name(kind: StyleKind) -> &'static str {
    match kind {
        StyleKind::Paragraph => "paragraph",
        StyleKind::Character => "character",
        StyleKind::Table => "table",
    }
}

#[cfg(test)]
mod tests;
