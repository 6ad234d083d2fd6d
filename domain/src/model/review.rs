//! Review content: comment threads anchored to text, and footnotes and endnotes.
//!
//! A comment's anchor is a mark on the runs it covers (`RunFormat::comments`), so text
//! edits move it as they move links and bookmarks. When every marked character is deleted
//! the comment stays, anchored to the point where its text was: an empty run carrying the
//! mark (the one kind of empty run the normal form keeps). A note's reference is one
//! atomic character in the text (`RunFormat::note`), like a picture; the note's own text
//! lives in [`Document::notes`].

use super::*;

/// One comment: a thread's root, or a reply to one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Comment {
    /// Its id (`c1`, `c2`…), never reused in the document.
    pub id: String,
    /// The root comment this one answers (replies only; threads are flat, as in Word).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
    /// Who wrote it.
    pub author: Author,
    /// When, as RFC 3339 UTC without fractions (`2026-12-07T10:00:00Z`).
    pub date: String,
    /// Its text, paragraph by paragraph.
    pub paragraphs: Vec<Vec<Run>>,
    /// The thread is resolved (kept on the root).
    #[serde(default, skip_serializing_if = "is_false")]
    pub resolved: bool,
    /// It was made on a range of text (not on a point), so an empty anchor means that
    /// text was deleted.
    #[serde(default, skip_serializing_if = "is_false")]
    pub ranged: bool,
}

/// The author of a comment.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Author {
    /// The name shown (a user's name, an API key's name, or the name in an imported file).
    pub name: String,
    /// Initials, as Word shows them in the margin.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub initials: String,
    /// The principal who wrote it (`user:ada`, `key:…`); empty for an imported comment.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub actor: String,
}

impl Author {
    /// An author named `name`, with initials made from it (the first letter of each of
    /// its first three words).
    pub fn named(name: &str, actor: &str) -> Self {
        let initials: String = name
            .split_whitespace()
            .filter_map(|w| w.chars().find(|c| c.is_alphanumeric()))
            .take(3)
            .flat_map(char::to_uppercase)
            .collect();
        Self {
            name: name.to_string(),
            initials,
            actor: actor.to_string(),
        }
    }
}

/// What kind of note.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum NoteKind {
    /// At the foot of the page.
    Footnote,
    /// At the end of the document.
    Endnote,
}

impl NoteKind {
    /// The letter its notes' ids start with: `f` (footnotes), `e` (endnotes).
    pub fn prefix(self) -> char {
        match self {
            Self::Footnote => 'f',
            Self::Endnote => 'e',
        }
    }

    /// Its name in the API.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Footnote => "footnote",
            Self::Endnote => "endnote",
        }
    }
}

/// A footnote or endnote: its text; its reference mark is a run of the body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Note {
    /// Its id: `f1`, `f2`… for footnotes, `e1`, `e2`… for endnotes (the numbers of
    /// Word's own ids in an imported file), never reused in the document.
    pub id: String,
    /// Footnote or endnote.
    pub kind: NoteKind,
    /// Its text, paragraph by paragraph.
    pub paragraphs: Vec<Vec<Run>>,
}

/// The character a note's reference takes in its paragraph (like a picture): U+FFFC.
pub const NOTE_CHAR: char = IMAGE_CHAR;

/// Where a comment is anchored: the block, and its range in the block's text.
#[derive(Debug, Clone, PartialEq)]
pub struct Anchor<'a> {
    /// The paragraph or heading.
    pub block: &'a Block,
    /// First character of the range.
    pub start: usize,
    /// The character after it (equal to `start` for a point).
    pub end: usize,
}

/// The number of a comment (`c`) or note (`n`) id: 1 or more, without leading zeros
/// (`c12` → 12).
pub fn review_number(id: &str, prefix: char) -> Option<u64> {
    id.strip_prefix(prefix)
        .filter(|n| !n.starts_with('0'))
        .and_then(|n| n.parse().ok())
        .filter(|n| *n > 0)
}

/// The plain text of paragraphs, joined by newlines.
pub fn paragraphs_text(paragraphs: &[Vec<Run>]) -> String {
    paragraphs
        .iter()
        .map(|p| runs_text(p))
        .collect::<Vec<_>>()
        .join("\n")
}

impl Document {
    /// A comment (root or reply), by id.
    pub fn comment(&self, id: &str) -> Option<&Comment> {
        self.comments.iter().find(|c| c.id == id)
    }

    /// A note, by id.
    pub fn note(&self, id: &str) -> Option<&Note> {
        self.notes.iter().find(|n| n.id == id)
    }

    /// Where comment `id` (a root) is anchored: the first block whose runs carry it.
    pub fn comment_anchor(&self, id: &str) -> Option<Anchor<'_>> {
        self.comment_anchors().remove(id)
    }

    /// The replies to thread root `root`, oldest first.
    pub fn replies<'d>(&'d self, root: &'d str) -> impl Iterator<Item = &'d Comment> + 'd {
        self.comments
            .iter()
            .filter(move |c| c.parent.as_deref() == Some(root))
    }

    /// Where every anchored comment is, in one pass over the document (by root id).
    pub fn comment_anchors(&self) -> std::collections::HashMap<&str, Anchor<'_>> {
        self.anchors(Mark::Comment)
    }

    /// Where each anchor of kind `mark` is, in one pass over the document (by id).
    pub fn anchors(&self, mark: Mark) -> std::collections::HashMap<&str, Anchor<'_>> {
        let mut anchors: std::collections::HashMap<&str, Anchor<'_>> = Default::default();
        for block in &self.blocks {
            let mut at = 0;
            for run in block.runs() {
                let len = run.text.chars().count();
                for id in mark.of(&run.format) {
                    anchors
                        .entry(id.as_str())
                        .and_modify(|a| {
                            if std::ptr::eq(a.block, block) {
                                a.end = at + len;
                            }
                        })
                        .or_insert(Anchor {
                            block,
                            start: at,
                            end: at + len,
                        });
                }
                at += len;
            }
        }
        anchors
    }

    /// Every note reference in document order: the note id, its block and its offset.
    pub fn note_references(&self) -> Vec<(&str, &Block, usize)> {
        let mut refs = Vec::new();
        for block in &self.blocks {
            let mut at = 0;
            for run in block.runs() {
                if let Some(id) = &run.format.note {
                    refs.push((id.as_str(), block, at));
                }
                at += run.text.chars().count();
            }
        }
        refs
    }

    /// Each note's number as Word shows it: footnotes and endnotes each counted from 1 in
    /// the order of their references.
    pub fn note_numbers(&self) -> BTreeMap<String, u32> {
        let mut numbers = BTreeMap::new();
        let (mut footnotes, mut endnotes) = (0u32, 0u32);
        for (id, _, _) in self.note_references() {
            let counter = match self.note(id).map(|n| n.kind) {
                Some(NoteKind::Footnote) => &mut footnotes,
                Some(NoteKind::Endnote) => &mut endnotes,
                None => continue,
            };
            *counter = counter.saturating_add(1);
            numbers.entry(id.to_string()).or_insert(*counter);
        }
        numbers
    }
}

/// A proposed change: a command recorded, not applied, until someone accepts it (then it
/// applies, as its author's) or rejects it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Suggestion {
    /// Its id (`s1`, `s2`…), never reused in the document.
    pub id: String,
    /// The command proposed (`insert_text`…).
    pub kind: String,
    /// Who proposed it.
    pub author: Author,
    /// When (RFC 3339, UTC, whole seconds).
    pub date: String,
    /// Why, as the request said (`X-Folio-Reason`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The command as proposed, its blocks named by id; its text positions are the
    /// suggestion's anchor on the runs (`RunFormat::suggestions`), which moves with edits.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub command: serde_json::Value,
    /// Open, accepted or rejected.
    pub status: SuggestionStatus,
    /// Who accepted or rejected it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decided_by: Option<Author>,
}

/// Where a suggestion stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SuggestionStatus {
    /// Waiting for a decision.
    #[default]
    Open,
    /// Accepted: its change applied.
    Accepted,
    /// Rejected: nothing changed.
    Rejected,
}

impl Suggestion {
    /// The blocks its command names by id (`block_id`, `position.after`/`before`).
    pub fn named_blocks(&self) -> Vec<BlockId> {
        named_blocks(&self.command)
    }
}

/// The blocks a command's JSON names by id (`block_id`, `position.after`/`before`).
pub(crate) fn named_blocks(command: &serde_json::Value) -> Vec<BlockId> {
    let mut out = Vec::new();
    if let Some(id) = command.get("block_id").and_then(serde_json::Value::as_str) {
        out.push(BlockId::new(id));
    }
    if let Some(position) = command.get("position") {
        for key in ["after", "before"] {
            if let Some(id) = position.get(key).and_then(serde_json::Value::as_str) {
                out.push(BlockId::new(id));
            }
        }
    }
    out
}

impl Document {
    /// A suggestion, by id.
    pub fn suggestion(&self, id: &str) -> Option<&Suggestion> {
        self.suggestions.iter().find(|s| s.id == id)
    }

    /// Where each suggestion's text anchor is, in one pass over the document (by id).
    pub fn suggestion_anchors(&self) -> std::collections::HashMap<&str, Anchor<'_>> {
        self.anchors(Mark::Suggestion)
    }
}
