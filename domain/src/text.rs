//! Run-level text editing on character offsets.
//!
//! A paragraph's text is the concatenation of its runs. Every function here takes and
//! returns runs in normal form: no empty runs, and no two neighbours with the same
//! formatting. Offsets count `char`s.

use serde::{Deserialize, Serialize};

use crate::error::DocumentError;
pub use crate::model::Mark;
use crate::model::{CellBlock, CellPartAt, ListItem, Run, RunFormat, runs_text};

/// Number of characters in a run list.
pub fn char_len(runs: &[Run]) -> usize {
    runs.iter().map(|r| r.text.chars().count()).sum()
}

/// Number of characters in a string.
pub fn str_len(s: &str) -> usize {
    s.chars().count()
}

/// Byte index of the `n`th character of `s` (the length for `n == chars`).
fn byte_at(s: &str, n: usize) -> usize {
    s.char_indices().nth(n).map_or(s.len(), |(i, _)| i)
}

/// Brings runs into normal form: drops empty runs (but a comment's anchor left at a point:
/// an empty run with comments), merges neighbours with equal formatting.
pub fn normalize(runs: &mut Vec<Run>) {
    let mut out: Vec<Run> = Vec::with_capacity(runs.len());
    for run in runs.drain(..) {
        if run.text.is_empty() && (!run.format.is_anchor() || run.format.is_atomic()) {
            continue;
        }
        match out.last_mut() {
            // A field or an image is one run: two side by side stay two.
            Some(last) if last.format == run.format && !run.format.is_atomic() => {
                last.text.push_str(&run.text)
            }
            _ => out.push(run),
        }
    }
    *runs = out;
}

/// Splits the runs so that a run starts exactly at `offset`; returns that run's index
/// (`runs.len()` when `offset` is the end). `offset` must be at most the text length.
fn split_at(runs: &mut Vec<Run>, offset: usize) -> usize {
    let mut start = 0;
    for i in 0..runs.len() {
        let Some(run) = runs.get_mut(i) else {
            break;
        };
        let len = str_len(&run.text);
        if offset == start {
            return i;
        }
        if offset < start + len {
            let at = byte_at(&run.text, offset - start);
            let tail = run.text.split_off(at);
            let format = run.format.clone();
            runs.insert(i + 1, Run { text: tail, format });
            return i + 1;
        }
        start += len;
    }
    runs.len()
}

/// The formatting of the character at `offset`, if there is one.
fn format_at(runs: &[Run], offset: usize) -> Option<&RunFormat> {
    let mut start = 0;
    for run in runs {
        let len = str_len(&run.text);
        if offset < start + len {
            return Some(&run.format);
        }
        start += len;
    }
    None
}

/// The formatting of `format` for typed text: never a field or an image (an atomic
/// inline's formatting, without what makes it one).
fn as_text(format: Option<&RunFormat>) -> RunFormat {
    let mut format = format.cloned().unwrap_or_default();
    format.field = None;
    format.image = None;
    format.opaque = None;
    format.note = None;
    format
}

/// The formatting new text at `offset` inherits: the character before it, else the first
/// — never a field or an image (new text is text, not part of a page number or a picture),
/// and a link only when the characters on both sides are in it (text typed at either end of
/// a link stays outside).
fn inherited_format(runs: &[Run], offset: usize) -> RunFormat {
    let before = offset.checked_sub(1).and_then(|at| format_at(runs, at));
    let after = format_at(runs, offset);
    let mut format = as_text(before.or(after));
    let inside_link =
        matches!((before, after), (Some(b), Some(a)) if b.link.is_some() && b.link == a.link);
    if !inside_link {
        format.link = None;
    }
    // Likewise a bookmark range grows only with text typed inside it.
    format
        .bookmarks
        .retain(|name| after.is_some_and(|a| a.bookmarks.contains(name)));
    // And a comment's or suggestion's anchor.
    for mark in Mark::ALL {
        mark.of_mut(&mut format)
            .retain(|id| after.is_some_and(|a| mark.of(a).contains(id)));
    }
    format
}

/// Inserts `text` at `offset` with the formatting of the text before it.
/// `offset` must be at most the text length.
pub fn insert(runs: &mut Vec<Run>, offset: usize, text: &str) {
    let format = inherited_format(runs, offset);
    insert_with(runs, offset, text, format);
}

fn insert_with(runs: &mut Vec<Run>, offset: usize, text: &str, format: RunFormat) {
    let i = split_at(runs, offset);
    runs.insert(
        i,
        Run {
            text: text.to_string(),
            format,
        },
    );
    normalize(runs);
}

/// Inserts `text` at `offset` as a link to `target`, with the rest of the formatting of
/// the text before it. `offset` must be at most the text length.
pub fn insert_link(runs: &mut Vec<Run>, offset: usize, text: &str, target: &str) {
    let mut format = inherited_format(runs, offset);
    format.link = Some(target.to_string());
    insert_with(runs, offset, text, format);
}

/// Makes characters `start..end` a link to `target`, or no link with `None`. The range
/// must be inside the text.
pub fn set_link(runs: &mut Vec<Run>, start: usize, end: usize, target: Option<&str>) {
    let i = split_at(runs, start);
    let j = split_at(runs, end);
    for run in runs.get_mut(i..j).unwrap_or_default() {
        run.format.link = target.map(str::to_string);
    }
    normalize(runs);
}

/// Marks characters `start..end` as the range of bookmark `name`. The range must be inside
/// the text.
pub fn add_bookmark(runs: &mut Vec<Run>, start: usize, end: usize, name: &str) {
    let i = split_at(runs, start);
    let j = split_at(runs, end);
    for run in runs.get_mut(i..j).unwrap_or_default() {
        run.format.bookmarks.push(name.to_string());
    }
    normalize(runs);
}

/// Removes bookmark `name` from every run; whether any run had it.
pub fn remove_bookmark(runs: &mut Vec<Run>, name: &str) -> bool {
    let mut found = false;
    for run in runs.iter_mut() {
        let before = run.format.bookmarks.len();
        run.format.bookmarks.retain(|n| n != name);
        found |= run.format.bookmarks.len() != before;
    }
    normalize(runs);
    found
}

/// Gives characters `start..end` a character style, or none. The range must be inside the
/// text.
pub fn set_style(runs: &mut Vec<Run>, start: usize, end: usize, style: Option<&str>) {
    let i = split_at(runs, start);
    let j = split_at(runs, end);
    for run in runs.get_mut(i..j).unwrap_or_default() {
        run.format.style = style.map(str::to_string);
    }
    normalize(runs);
}

/// Deletes characters `start..end`. The range must be inside the text. A comment or
/// suggestion whose whole anchor goes stays, anchored to the point where its text was (an
/// empty run).
pub fn delete(runs: &mut Vec<Run>, start: usize, end: usize) {
    let i = split_at(runs, start);
    let j = split_at(runs, end);
    let mut gone = RunFormat::default();
    for run in runs.drain(i..j) {
        for mark in Mark::ALL {
            for id in mark.of(&run.format) {
                if !mark.of(&gone).contains(id) {
                    mark.of_mut(&mut gone).push(id.clone());
                }
            }
        }
    }
    for mark in Mark::ALL {
        mark.of_mut(&mut gone)
            .retain(|id| !runs.iter().any(|r| mark.of(&r.format).contains(id)));
    }
    if gone.is_anchor() {
        runs.insert(
            i.min(runs.len()),
            Run {
                text: String::new(),
                format: gone,
            },
        );
    }
    normalize(runs);
}

/// Applies a formatting patch to characters `start..end`. The range must be inside the text.
pub fn format(runs: &mut Vec<Run>, start: usize, end: usize, patch: &FormatPatch) {
    let i = split_at(runs, start);
    let j = split_at(runs, end);
    for run in runs.get_mut(i..j).unwrap_or_default() {
        patch.apply_to(&mut run.format);
    }
    normalize(runs);
}

/// Replaces characters `start..start+len` with `text`, which takes the formatting of the
/// first replaced character (or the inherited one when `len` is 0).
pub fn replace(runs: &mut Vec<Run>, start: usize, len: usize, text: &str) {
    let format = if len > 0 {
        as_text(format_at(runs, start))
    } else {
        inherited_format(runs, start)
    };
    delete(runs, start, start + len);
    if !text.is_empty() {
        insert_with(runs, start, text, format);
    }
}

/// Inserts an inline image at `offset`, with the formatting of the text before it (a link
/// around it included when the image goes inside the link). `offset` must be at most the
/// text length.
pub fn insert_image(runs: &mut Vec<Run>, offset: usize, image: crate::model::InlineImage) {
    let mut format = inherited_format(runs, offset);
    format.image = Some(image);
    insert_with(runs, offset, &crate::model::IMAGE_CHAR.to_string(), format);
}

/// The image at character `offset`, for changing it in place.
pub fn image_at_mut(runs: &mut [Run], offset: usize) -> Option<&mut crate::model::InlineImage> {
    let mut start = 0;
    for run in runs {
        let len = str_len(&run.text);
        if offset < start + len {
            return if start == offset {
                run.format.image.as_mut()
            } else {
                None
            };
        }
        start += len;
    }
    None
}

/// Replaces characters `start..start+len` of a plain string.
pub fn replace_in_str(s: &mut String, start: usize, len: usize, text: &str) {
    let a = byte_at(s, start);
    let b = byte_at(s, start + len);
    s.replace_range(a..b, text);
}

/// The first character of `s` that XML 1.0 cannot hold at all (not even escaped): the C0
/// controls other than tab, line feed and carriage return, and U+FFFE/U+FFFF. Every string
/// that reaches a .docx part is checked against this one rule.
pub fn first_non_xml_char(s: &str) -> Option<char> {
    s.chars().find(|c| !is_xml_char(*c))
}

/// Whether XML 1.0 can hold `c` (`Char` in the XML 1.0 grammar; Rust strings hold no
/// surrogates).
pub fn is_xml_char(c: char) -> bool {
    let c = c as u32;
    !((c < 0x20 && c != 0x09 && c != 0x0A && c != 0x0D) || c == 0xFFFE || c == 0xFFFF)
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// A character as the matcher compares it: itself, or its lower-case mapping (at most two
/// characters in Unicode) when case does not matter.
type Folded = (char, char);

fn fold(c: char, match_case: bool) -> Folded {
    if match_case {
        return (c, '\0');
    }
    let mut lower = c.to_lowercase();
    let first = lower.next().unwrap_or(c);
    (first, lower.next().unwrap_or('\0'))
}

/// One occurrence found by [`find_matches_in`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TextMatch {
    /// Character offset of the match.
    pub offset: usize,
    /// Length in characters.
    pub length: usize,
    /// Byte range of the match in the searched text.
    pub bytes: (usize, usize),
}

/// Finds non-overlapping occurrences of `find` in `text`, left to right, as
/// `(char offset, char length)`. An empty `find` matches nothing. Linear in
/// `text` + `find` (Knuth-Morris-Pratt over characters).
pub fn find_matches(
    text: &str,
    find: &str,
    match_case: bool,
    whole_word: bool,
) -> Vec<(usize, usize)> {
    find_matches_in(text, find, match_case, whole_word, 0, usize::MAX)
        .into_iter()
        .map(|m| (m.offset, m.length))
        .collect()
}

/// Like [`find_matches`], with byte ranges: the matches that start at character `from` or
/// later (the same ones [`find_matches`] finds there, when `from` is the end of one of its
/// matches), stopping after `limit` of them.
// Knuth-Morris-Pratt indexes its tables directly: `i` runs below `needle.len()`, `k` stays
// at most `i` (and is read as `k - 1` only when positive), and the word-boundary checks
// test their bounds first. The property test beside the naive matcher covers it.
#[allow(clippy::indexing_slicing)]
pub fn find_matches_in(
    text: &str,
    find: &str,
    match_case: bool,
    whole_word: bool,
    from: usize,
    limit: usize,
) -> Vec<TextMatch> {
    let needle: Vec<Folded> = find.chars().map(|c| fold(c, match_case)).collect();
    let mut found = Vec::new();
    if needle.is_empty() || limit == 0 {
        return found;
    }
    // Failure function: fail[i] = length of the longest proper border of needle[..=i].
    let mut fail = vec![0usize; needle.len()];
    let mut k = 0;
    for i in 1..needle.len() {
        while k > 0 && needle[i] != needle[k] {
            k = fail[k - 1];
        }
        if needle[i] == needle[k] {
            k += 1;
        }
        fail[i] = k;
    }
    // Characters with their byte offsets: the word-boundary checks look one character
    // either side of a match, and callers want byte ranges for snippets.
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let byte_of = |i: usize| chars.get(i).map_or(text.len(), |(b, _)| *b);
    let m = needle.len();
    // The earliest character a new match may start at (matches do not overlap).
    let mut free_from = from;
    let mut k = 0;
    for (i, (_, c)) in chars.iter().enumerate() {
        let c = fold(*c, match_case);
        while k > 0 && c != needle[k] {
            k = fail[k - 1];
        }
        if c == needle[k] {
            k += 1;
        }
        if k < m {
            continue;
        }
        let start = i + 1 - m;
        k = fail[k - 1];
        if start < free_from {
            continue;
        }
        let bounded = !whole_word
            || ((start == 0 || !is_word_char(chars[start - 1].1))
                && (i + 1 == chars.len() || !is_word_char(chars[i + 1].1)));
        if !bounded {
            continue;
        }
        found.push(TextMatch {
            offset: start,
            length: m,
            bytes: (byte_of(start), byte_of(i + 1)),
        });
        free_from = i + 1;
        if found.len() == limit {
            break;
        }
    }
    found
}

/// The editable pieces of a cell's blocks, each with its first character in the cell's
/// text and its length: a paragraph, a list item, a nested cell.
pub(crate) fn cell_parts(blocks: &[CellBlock]) -> Vec<(usize, usize, CellPartAt)> {
    let mut parts = Vec::new();
    let mut at = 0;
    let mut push = |len: usize, part: CellPartAt, parts: &mut Vec<_>| {
        parts.push((at, len, part));
        at += len + 1; // the separator: a newline, or a tab between nested cells
    };
    for (block, b) in blocks.iter().enumerate() {
        match b {
            CellBlock::Paragraph { runs, .. } => push(
                char_len(runs),
                CellPartAt {
                    block,
                    line: 0,
                    cell: 0,
                },
                &mut parts,
            ),
            CellBlock::List { items, .. } => {
                for (line, item) in items.iter().enumerate() {
                    push(
                        str_len(&item.text),
                        CellPartAt {
                            block,
                            line,
                            cell: 0,
                        },
                        &mut parts,
                    );
                }
            }
            CellBlock::Table { rows } => {
                for (line, row) in rows.iter().enumerate() {
                    for (cell, text) in row.iter().enumerate() {
                        push(str_len(text), CellPartAt { block, line, cell }, &mut parts);
                    }
                }
            }
        }
    }
    parts
}

/// The piece of a cell's blocks that holds characters `offset..offset + len` whole, and
/// the offset inside it.
pub(crate) fn cell_part_of(
    blocks: &[CellBlock],
    offset: usize,
    len: usize,
) -> Option<(CellPartAt, usize)> {
    let end = offset.checked_add(len)?;
    cell_parts(blocks)
        .into_iter()
        .find(|(start, part_len, _)| *start <= offset && end <= start + part_len)
        .map(|(start, _, part)| (part, offset - start))
}

/// Replaces characters `offset..offset + len` of the piece `part` (its formatting kept as
/// text edits keep it). False when the piece is not there.
pub(crate) fn replace_in_cell_part(
    blocks: &mut [CellBlock],
    part: CellPartAt,
    offset: usize,
    len: usize,
    new_text: &str,
) -> bool {
    match blocks.get_mut(part.block) {
        Some(CellBlock::Paragraph { runs, .. }) => replace(runs, offset, len, new_text),
        Some(CellBlock::List { items, .. }) => {
            let Some(item) = items.get_mut(part.line) else {
                return false;
            };
            replace_in_str(&mut item.text, offset, len, new_text);
            if let Some(runs) = &mut item.runs {
                replace(runs, offset, len, new_text);
            }
        }
        Some(CellBlock::Table { rows }) => {
            let Some(text) = rows.get_mut(part.line).and_then(|r| r.get_mut(part.cell)) else {
                return false;
            };
            replace_in_str(text, offset, len, new_text);
        }
        None => return false,
    }
    true
}

/// Content kept as plain text plus, only when it has formatting, its runs (list items,
/// table cells): the runs' text, and the runs in normal form unless all are plain.
pub fn text_and_runs(mut runs: Vec<Run>) -> (String, Option<Vec<Run>>) {
    normalize(&mut runs);
    let text = runs_text(&runs);
    let plain = runs.iter().all(|r| r.format == RunFormat::default());
    (text, (!plain).then_some(runs))
}

impl ListItem {
    /// An item from runs (see [`text_and_runs`]).
    pub fn from_runs(runs: Vec<Run>, level: u8) -> Self {
        let (text, runs) = text_and_runs(runs);
        Self { text, level, runs }
    }
}

/// A partial change of run formatting: only the fields that are `Some` change.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FormatPatch {
    /// Bold on or off.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bold: Option<bool>,
    /// Italic on or off.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub italic: Option<bool>,
    /// Underline on or off.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub underline: Option<bool>,
    /// Strike-through on or off.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub strike: Option<bool>,
    /// Font family.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub font: Option<String>,
    /// Size in points.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 1638))]
    pub size_pt: Option<f32>,
    /// Colour, six hex digits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(pattern = "^#?[0-9A-Fa-f]{6}$"))]
    pub color: Option<String>,
    /// Highlight colour name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub highlight: Option<String>,
    /// Superscript on or off (on clears subscript).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub superscript: Option<bool>,
    /// Subscript on or off (on clears superscript).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subscript: Option<bool>,
    /// Small capitals on or off.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub small_caps: Option<bool>,
}

/// Word's named highlight colours (`w:highlight/@w:val`).
pub const HIGHLIGHT_COLORS: &[&str] = &[
    "black",
    "blue",
    "cyan",
    "green",
    "magenta",
    "red",
    "yellow",
    "white",
    "darkBlue",
    "darkCyan",
    "darkGreen",
    "darkMagenta",
    "darkRed",
    "darkYellow",
    "darkGray",
    "lightGray",
];

impl FormatPatch {
    /// Whether the patch changes nothing.
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }

    /// Checks and normalises values: colour to upper-case hex without `#`, size to half
    /// points, highlight to Word's spelling.
    ///
    /// # Errors
    /// [`DocumentError::InvalidField`] naming `<prefix>.<field>`.
    pub fn validated(mut self, prefix: &str) -> Result<Self, DocumentError> {
        let name = |f: &str| {
            if prefix.is_empty() {
                f.to_string()
            } else {
                format!("{prefix}.{f}")
            }
        };
        if let Some(color) = &self.color {
            let hex = color.strip_prefix('#').unwrap_or(color);
            if hex.len() != 6 || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
                return Err(DocumentError::invalid(
                    name("color"),
                    "colour must be six hex digits, like FF0000",
                ));
            }
            self.color = Some(hex.to_ascii_uppercase());
        }
        if let Some(size) = self.size_pt {
            if !(1.0..=1638.0).contains(&size) || !size.is_finite() {
                return Err(DocumentError::invalid(
                    name("size_pt"),
                    "size must be between 1 and 1638 points",
                ));
            }
            self.size_pt = Some((size * 2.0).round() / 2.0);
        }
        if let Some(font) = &self.font {
            let trimmed = font.trim();
            if trimmed.is_empty() || trimmed.chars().count() > 64 {
                return Err(DocumentError::invalid(
                    name("font"),
                    "font must be a name of 1 to 64 characters",
                ));
            }
            if let Some(c) = font
                .chars()
                .find(|c| c.is_control() || !crate::text::is_xml_char(*c))
            {
                return Err(DocumentError::invalid(
                    name("font"),
                    format!(
                        "font names cannot hold the control character U+{:04X}",
                        c as u32
                    ),
                ));
            }
            self.font = Some(trimmed.to_string());
        }
        if let Some(highlight) = &self.highlight {
            let found = HIGHLIGHT_COLORS
                .iter()
                .find(|c| c.eq_ignore_ascii_case(&highlight.replace(['_', '-', ' '], "")));
            match found {
                Some(c) => self.highlight = Some((*c).to_string()),
                None => {
                    return Err(DocumentError::invalid(
                        name("highlight"),
                        format!("highlight must be one of {}", HIGHLIGHT_COLORS.join(", ")),
                    ));
                }
            }
        }
        if self.superscript == Some(true) && self.subscript == Some(true) {
            return Err(DocumentError::invalid(
                name("subscript"),
                "text is superscript or subscript, not both",
            ));
        }
        Ok(self)
    }

    /// Applies the patch to a run format.
    pub fn apply_to(&self, format: &mut RunFormat) {
        if let Some(v) = self.bold {
            format.bold = v;
        }
        if let Some(v) = self.italic {
            format.italic = v;
        }
        if let Some(v) = self.underline {
            format.underline = v;
        }
        if let Some(v) = self.strike {
            format.strike = v;
        }
        if let Some(v) = &self.font {
            format.font = Some(v.clone());
        }
        if let Some(v) = self.size_pt {
            format.size_pt = Some(v);
        }
        if let Some(v) = &self.color {
            format.color = Some(v.clone());
        }
        if let Some(v) = &self.highlight {
            format.highlight = Some(v.clone());
        }
        if let Some(v) = self.superscript {
            format.superscript = v;
            format.subscript &= !v;
        }
        if let Some(v) = self.subscript {
            format.subscript = v;
            format.superscript &= !v;
        }
        if let Some(v) = self.small_caps {
            format.small_caps = v;
        }
    }
}

mod anchors;
pub use anchors::*;

#[cfg(test)]
mod tests;

#[cfg(test)]
mod inline_tests;
