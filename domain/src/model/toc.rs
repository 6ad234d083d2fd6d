//! The table of contents.

use super::*;

/// A table of contents. Its entries are the document's headings down to `max_level`, as
/// they are at each version (written into the .docx as the field's current result, so
/// readers that do not update fields list them too).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TableOfContents {
    /// Stable id.
    pub id: BlockId,
    /// Deepest heading level listed, 1-9.
    pub max_level: u8,
    /// A title above the entries ("Contents"), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// The entries an imported file's table of contents showed, with the page numbers
    /// Word computed: written again, page numbers included, as long as the document's
    /// headings (down to `max_level`) are still these; after a change to the outline folio
    /// writes new entries and asks Word to number them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pages: Vec<TocPage>,
}

/// One entry of a table of contents as a file showed it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TocPage {
    /// The heading's level, 1-9.
    pub level: u8,
    /// The heading's text as the entry showed it.
    pub text: String,
    /// The page number shown ("3", "iv").
    pub page: String,
}

/// Most characters of a page number a table of contents entry keeps.
pub const MAX_TOC_PAGE_CHARS: usize = 16;

impl TableOfContents {
    /// The page numbers to show, one per entry, when the cached entries are still the
    /// document's (`entries`: level and text of each heading listed, in order).
    pub fn cached_pages<'a>(
        &'a self,
        entries: &[(u8, String)],
    ) -> Option<impl Iterator<Item = &'a str> + 'a> {
        let same = !self.pages.is_empty()
            && self.pages.len() == entries.len()
            && self
                .pages
                .iter()
                .zip(entries)
                .all(|(p, (level, text))| p.level == *level && same_words(&p.text, text));
        same.then(|| self.pages.iter().map(|p| p.page.as_str()))
    }
}

/// Whether two texts have the same words (a cached entry drops tabs and doubled spaces).
fn same_words(a: &str, b: &str) -> bool {
    a.split_whitespace().eq(b.split_whitespace())
}
