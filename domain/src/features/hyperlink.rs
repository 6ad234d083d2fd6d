//! Hyperlinks and bookmarks: links on ranges of a paragraph's text (to a URL or to a
//! bookmark of the document), and named bookmarks spanning a paragraph or heading.
//!
//! A link is a property of the runs it covers (`RunFormat::link`), so text edits keep it
//! like any other formatting: neighbouring runs with the same target are one link, text
//! typed inside a link belongs to it, and deleting part of a link shortens it.
//!
//! The commands, how they are decided and how their events are applied.

use serde::{Deserialize, Serialize};

use crate::error::{DocumentError, EventMisfit};
use crate::event::DocumentEvent;
use crate::ids::BlockId;
use crate::input::{Limits, check_text, text_range, text_runs, too_large};
pub(crate) use crate::input::{checked_bookmark_name, checked_target};
use crate::model::{Block, Document, Run};
use crate::text;

/// Most bookmarks in one document.
pub(crate) const MAX_BOOKMARKS: usize = 10_000;

/// `add_hyperlink`: links text of a paragraph or heading to a URL or to a bookmark. With
/// `text`, that text is inserted at `offset` (default: the end) as the link; without it,
/// characters `start..end` (default: all) become the link.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AddHyperlink {
    /// Target block id (a paragraph or heading).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub block_id: Option<BlockId>,
    /// Target block index.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub block_index: Option<usize>,
    /// An `http`, `https` or `mailto` URL (not with `bookmark`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(max_length = 2048))]
    pub url: Option<String>,
    /// The name of a bookmark of this document (not with `url`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bookmark: Option<String>,
    /// Text to insert as the link (not with `start`/`end`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// Where `text` goes, as a character offset (default: the end).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offset: Option<usize>,
    /// First character of existing text to link (inclusive; default 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<usize>,
    /// Last character of existing text to link (exclusive; default the end).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<usize>,
}

/// `remove_hyperlink`: characters `start..end` (default: all) of a paragraph or heading
/// stop being a link; the text stays.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RemoveHyperlink {
    /// Target block id (a paragraph or heading).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub block_id: Option<BlockId>,
    /// Target block index.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub block_index: Option<usize>,
    /// First character (inclusive; default 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<usize>,
    /// Last character (exclusive; default the end).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<usize>,
}

/// `add_bookmark`: names a paragraph or heading so links (`#name`) and Word's
/// cross-references can point at it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AddBookmark {
    /// Target block id (a paragraph or heading).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub block_id: Option<BlockId>,
    /// Target block index.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub block_index: Option<usize>,
    /// Word's rules: 1 to 40 characters, a letter first, then letters, digits or `_`;
    /// unique in the document, ignoring case.
    #[cfg_attr(
        feature = "openapi",
        schema(max_length = 40, pattern = "^[A-Za-z][A-Za-z0-9_]{0,39}$")
    )]
    pub name: String,
    /// First character of the range the bookmark names (with `end`; without both, the
    /// bookmark spans the whole block).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<usize>,
    /// Character after the range (exclusive).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<usize>,
}

/// `remove_bookmark`: removes a bookmark (links to it stay, pointing nowhere, as in Word).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RemoveBookmark {
    /// The bookmark's name (ignoring case).
    pub name: String,
}

impl Document {
    /// Refuses internal links to bookmarks and character styles the document does not
    /// have.
    pub(crate) fn check_run_references(
        &self,
        runs: &[Run],
        field: &str,
    ) -> Result<(), DocumentError> {
        for (i, run) in runs.iter().enumerate() {
            if let Some(style) = &run.format.style {
                self.check_style(
                    &format!("{field}.{i}.style"),
                    style,
                    crate::model::StyleKind::Character,
                )?;
            }
            if let Some(name) = run.format.link.as_deref().and_then(|l| l.strip_prefix('#'))
                && self.bookmark_block(name).is_none()
            {
                return Err(DocumentError::invalid(
                    format!("{field}.{i}.link"),
                    format!("the document has no bookmark named {name}"),
                ));
            }
        }
        Ok(())
    }

    /// The checked target of `add_hyperlink`.
    fn link_target(&self, c: &AddHyperlink) -> Result<String, DocumentError> {
        match (&c.url, &c.bookmark) {
            (Some(url), None) => {
                if url.starts_with('#') {
                    return Err(DocumentError::invalid(
                        "url",
                        "give a bookmark as bookmark, not as url",
                    ));
                }
                checked_target("url", url)
            }
            (None, Some(name)) => {
                checked_bookmark_name("bookmark", name)?;
                match self.bookmark(name) {
                    Some((_, stored)) => Ok(format!("#{stored}")),
                    None => Err(DocumentError::invalid(
                        "bookmark",
                        format!("the document has no bookmark named {name}"),
                    )),
                }
            }
            _ => Err(DocumentError::invalid("url", "give url or bookmark (one)")),
        }
    }

    /// Decides `add_hyperlink`.
    pub(crate) fn decide_add_hyperlink(
        &self,
        c: &AddHyperlink,
        limits: &Limits,
    ) -> Result<Option<DocumentEvent>, DocumentError> {
        let (_, block) = self.target(c.block_id.as_ref(), c.block_index)?;
        let len = text::char_len(text_runs(block)?);
        let target = self.link_target(c)?;
        if let Some(text) = &c.text {
            if c.start.is_some() || c.end.is_some() {
                return Err(DocumentError::invalid(
                    "text",
                    "give text (to insert) or start/end (to link existing text), not both",
                ));
            }
            if text.is_empty() {
                return Err(DocumentError::invalid("text", "must not be empty"));
            }
            check_text("text", text, limits.max_text_chars)?;
            let offset = c.offset.unwrap_or(len);
            if offset > len {
                return Err(DocumentError::TextRangeOutOfBounds {
                    field: "offset",
                    value: offset,
                    len,
                });
            }
            if len.saturating_add(text::str_len(text)) > limits.max_text_chars {
                return Err(too_large("paragraph text", limits.max_text_chars));
            }
            return Ok(Some(DocumentEvent::HyperlinkInserted {
                block_id: block.id().clone(),
                offset,
                text: text.clone(),
                target,
            }));
        }
        if c.offset.is_some() {
            return Err(DocumentError::invalid("offset", "offset goes with text"));
        }
        let (start, end) = text_range(c.start, c.end, len)?;
        let runs = text_runs(block)?;
        if covered(runs, start, end, |r| {
            r.format.link.as_deref() == Some(&target)
        }) {
            return Ok(None);
        }
        Ok(Some(DocumentEvent::HyperlinkSet {
            block_id: block.id().clone(),
            start,
            end,
            target: Some(target),
        }))
    }

    /// Decides `remove_hyperlink`.
    pub(crate) fn decide_remove_hyperlink(
        &self,
        c: &RemoveHyperlink,
    ) -> Result<Option<DocumentEvent>, DocumentError> {
        let (_, block) = self.target(c.block_id.as_ref(), c.block_index)?;
        let runs = text_runs(block)?;
        let (start, end) = text_range(c.start, c.end, text::char_len(runs))?;
        if covered(runs, start, end, |r| r.format.link.is_none()) {
            return Ok(None);
        }
        Ok(Some(DocumentEvent::HyperlinkSet {
            block_id: block.id().clone(),
            start,
            end,
            target: None,
        }))
    }

    /// Decides `add_bookmark`.
    pub(crate) fn decide_add_bookmark(
        &self,
        c: &AddBookmark,
    ) -> Result<Option<DocumentEvent>, DocumentError> {
        let (_, block) = self.target(c.block_id.as_ref(), c.block_index)?;
        let runs = text_runs(block)?;
        checked_bookmark_name("name", &c.name)?;
        let range = match (c.start, c.end) {
            (None, None) => None,
            (start, end) => Some(text_range(start, end, text::char_len(runs))?),
        };
        if let Some(holder) = self.bookmark_block(&c.name) {
            return Err(DocumentError::invalid(
                "name",
                format!(
                    "the bookmark {} exists already (on block {})",
                    c.name,
                    holder.id()
                ),
            ));
        }
        if self.bookmark_count() >= MAX_BOOKMARKS {
            return Err(too_large("bookmarks", MAX_BOOKMARKS));
        }
        Ok(Some(DocumentEvent::BookmarkAdded {
            block_id: block.id().clone(),
            name: c.name.clone(),
            range,
        }))
    }

    /// Decides `remove_bookmark`.
    pub(crate) fn decide_remove_bookmark(
        &self,
        c: &RemoveBookmark,
    ) -> Result<Option<DocumentEvent>, DocumentError> {
        let Some((block, name)) = self.bookmark(&c.name) else {
            return Err(DocumentError::invalid(
                "name",
                format!("the document has no bookmark named {}", c.name),
            ));
        };
        Ok(Some(DocumentEvent::BookmarkRemoved {
            block_id: block.id().clone(),
            name: name.to_string(),
        }))
    }

    /// Folds a hyperlink or bookmark event into the state (see [`Document::try_apply`]).
    pub(crate) fn apply_hyperlink(
        &mut self,
        event: &DocumentEvent,
        misfit: &dyn Fn(&'static str) -> EventMisfit,
    ) -> Result<(), EventMisfit> {
        use DocumentEvent as E;
        match event {
            E::HyperlinkInserted {
                block_id,
                offset,
                text: inserted,
                target,
            } => {
                let runs = self.runs_mut(block_id).ok_or(misfit("no such paragraph"))?;
                if *offset > text::char_len(runs) {
                    return Err(misfit("offset outside the text"));
                }
                text::insert_link(runs, *offset, inserted, target);
            }
            E::HyperlinkSet {
                block_id,
                start,
                end,
                target,
            } => {
                let runs = self.runs_mut(block_id).ok_or(misfit("no such paragraph"))?;
                if start > end || *end > text::char_len(runs) {
                    return Err(misfit("range outside the text"));
                }
                text::set_link(runs, *start, *end, target.as_deref());
            }
            E::BookmarkAdded {
                block_id,
                name,
                range,
            } => {
                if self.bookmark_block(name).is_some() {
                    return Err(misfit("the bookmark exists"));
                }
                if let Some((start, end)) = *range {
                    let runs = self.runs_mut(block_id).ok_or(misfit("no such paragraph"))?;
                    if start >= end || end > text::char_len(runs) {
                        return Err(misfit("range outside the text"));
                    }
                    text::add_bookmark(runs, start, end, name);
                    return Ok(());
                }
                match self.block_mut(block_id) {
                    Some(Block::Paragraph(p)) => p.bookmarks.push(name.clone()),
                    Some(Block::Heading(h)) => h.bookmarks.push(name.clone()),
                    _ => return Err(misfit("no such paragraph")),
                }
            }
            E::BookmarkRemoved { block_id, name } => {
                let (names, runs) = match self.block_mut(block_id) {
                    Some(Block::Paragraph(p)) => (&mut p.bookmarks, &mut p.runs),
                    Some(Block::Heading(h)) => (&mut h.bookmarks, &mut h.runs),
                    _ => return Err(misfit("no such paragraph")),
                };
                let before = names.len();
                names.retain(|n| n != name);
                let in_runs = text::remove_bookmark(runs, name);
                if names.len() == before && !in_runs {
                    return Err(misfit("no such bookmark"));
                }
            }
            _ => return Err(misfit("not an event of this feature")),
        }
        Ok(())
    }
}

/// Whether every character of `start..end` is in a run for which `test` holds.
fn covered(runs: &[Run], start: usize, end: usize, test: impl Fn(&Run) -> bool) -> bool {
    let mut at = 0;
    for run in runs {
        let len = text::str_len(&run.text);
        if at < end && at + len > start && !test(run) {
            return false;
        }
        at += len;
    }
    true
}

#[cfg(test)]
mod tests {
    //! Given/when/then: this feature's rules.

    use crate::command::*;
    use crate::decide::tests::{create, given, para, when};
    use crate::error::DocumentError;
    use crate::model::{Block, Document, Run};

    fn runs(doc: &Document, index: usize) -> &[Run] {
        match &doc.blocks[index] {
            Block::Paragraph(p) => &p.runs,
            Block::Heading(h) => &h.runs,
            other => panic!("{other:?}"),
        }
    }

    fn link(c: AddHyperlink) -> DocumentCommand {
        DocumentCommand::AddHyperlink(AddHyperlink {
            block_index: Some(0),
            ..c
        })
    }

    #[test]
    fn links_existing_text_and_inserts_linked_text() {
        let doc = given(&[create(), para("see the site")]);
        let doc = when(
            &doc,
            link(AddHyperlink {
                url: Some("HTTPS://example.com/a?b=c".into()),
                start: Some(8),
                ..AddHyperlink::default()
            }),
        )
        .unwrap();
        let doc = when(
            &doc,
            link(AddHyperlink {
                url: Some("mailto:ada@example.com".into()),
                text: Some(" or mail".into()),
                ..AddHyperlink::default()
            }),
        )
        .unwrap();
        let got: Vec<(&str, Option<&str>)> = runs(&doc, 0)
            .iter()
            .map(|r| (r.text.as_str(), r.format.link.as_deref()))
            .collect();
        assert_eq!(
            got,
            [
                ("see the ", None),
                ("site", Some("https://example.com/a?b=c")),
                (" or mail", Some("mailto:ada@example.com")),
            ]
        );
    }

    #[test]
    fn text_edits_inside_a_link_keep_it_and_its_formatting() {
        let doc = given(&[create(), para("abcdef")]);
        let doc = when(
            &doc,
            link(AddHyperlink {
                url: Some("https://x.org".into()),
                start: Some(1),
                end: Some(5),
                ..AddHyperlink::default()
            }),
        )
        .unwrap();
        let doc = when(
            &doc,
            DocumentCommand::FormatText(FormatText {
                block_index: Some(0),
                start: 2,
                end: Some(4),
                bold: Some(true),
                ..FormatText::default()
            }),
        )
        .unwrap();
        let doc = when(
            &doc,
            DocumentCommand::InsertText(InsertText {
                block_id: None,
                block_index: Some(0),
                offset: 3,
                text: "XY".into(),
            }),
        )
        .unwrap();
        let linked: String = runs(&doc, 0)
            .iter()
            .filter(|r| r.format.link.is_some())
            .map(|r| r.text.as_str())
            .collect();
        assert_eq!(linked, "bcXYde");
        let inserted = runs(&doc, 0)
            .iter()
            .find(|r| r.text.contains("XY"))
            .unwrap();
        assert!(inserted.format.bold, "{inserted:?}");
    }

    #[test]
    fn bookmarks_follow_words_rules_and_internal_links_need_them() {
        let doc = given(&[create(), para("Intro"), para("see intro")]);
        for bad in ["", "1abc", "_Toc1", "a b", "a-b", &"a".repeat(41)] {
            let err = when(
                &doc,
                DocumentCommand::AddBookmark(AddBookmark {
                    block_index: Some(0),
                    name: bad.into(),
                    ..AddBookmark::default()
                }),
            )
            .unwrap_err();
            assert_eq!(err.field().as_deref(), Some("name"), "{bad:?}");
        }
        let to_intro = DocumentCommand::AddHyperlink(AddHyperlink {
            block_index: Some(1),
            bookmark: Some("INTRO".into()),
            start: Some(4),
            ..AddHyperlink::default()
        });
        assert_eq!(
            when(&doc, to_intro.clone()).unwrap_err().field().as_deref(),
            Some("bookmark")
        );
        let doc = when(
            &doc,
            DocumentCommand::AddBookmark(AddBookmark {
                block_index: Some(0),
                name: "Intro".into(),
                ..AddBookmark::default()
            }),
        )
        .unwrap();
        let dup = when(
            &doc,
            DocumentCommand::AddBookmark(AddBookmark {
                block_index: Some(1),
                name: "intro".into(),
                ..AddBookmark::default()
            }),
        );
        assert!(dup.is_err());
        let doc = when(&doc, to_intro).unwrap();
        assert_eq!(runs(&doc, 1)[1].format.link.as_deref(), Some("#Intro"));
        let doc = when(
            &doc,
            DocumentCommand::RemoveBookmark(RemoveBookmark {
                name: "INTRO".into(),
            }),
        )
        .unwrap();
        assert!(doc.bookmark_block("Intro").is_none());
    }

    #[test]
    fn unsafe_or_malformed_link_targets_are_refused() {
        let doc = given(&[create(), para("text")]);
        for url in [
            "javascript:alert(1)",
            "JavaScript:alert(1)",
            "data:text/html,<b>",
            "file:///etc/passwd",
            "vbscript:x",
            "https://",
            "https:///path",
            "example.com",
            "https://exa mple.com",
            "https://example.com/\u{0}",
            "mailto:",
            "#",
        ] {
            let err = when(
                &doc,
                link(AddHyperlink {
                    url: Some(url.into()),
                    ..AddHyperlink::default()
                }),
            )
            .unwrap_err();
            assert!(
                matches!(err, DocumentError::InvalidField { .. }),
                "{url:?}: {err:?}"
            );
        }
        let err = when(
            &doc,
            DocumentCommand::AddParagraph(AddParagraph {
                runs: Some(vec![RunInput {
                    text: "x".into(),
                    link: Some("javascript:alert(1)".into()),
                    ..RunInput::default()
                }]),
                ..AddParagraph::default()
            }),
        )
        .unwrap_err();
        assert_eq!(err.field().as_deref(), Some("runs.0.link"));
    }

    #[test]
    fn a_document_holds_at_most_ten_thousand_bookmarks() {
        let mut doc = given(&[create(), para("p")]);
        if let Block::Paragraph(p) = &mut doc.blocks[0] {
            p.bookmarks = (0..super::MAX_BOOKMARKS).map(|i| format!("b{i}")).collect();
        }
        let err = when(
            &doc,
            DocumentCommand::AddBookmark(AddBookmark {
                block_index: Some(0),
                name: "OneMore".into(),
                ..AddBookmark::default()
            }),
        )
        .unwrap_err();
        assert!(
            matches!(
                err,
                DocumentError::TooLarge {
                    what: "bookmarks",
                    ..
                }
            ),
            "{err:?}"
        );
        let long_url = format!(
            "https://example.com/{}",
            "a".repeat(crate::input::MAX_LINK_CHARS)
        );
        let err = when(
            &doc,
            link(AddHyperlink {
                url: Some(long_url),
                ..AddHyperlink::default()
            }),
        )
        .unwrap_err();
        assert_eq!(err.field().as_deref(), Some("url"));
    }

    #[test]
    fn removing_a_link_keeps_the_text_and_nothing_to_remove_is_no_event() {
        let doc = given(&[create(), para("abc")]);
        let remove = DocumentCommand::RemoveHyperlink(RemoveHyperlink {
            block_index: Some(0),
            ..RemoveHyperlink::default()
        });
        assert!(
            doc.decide(&remove, &crate::decide::Limits::default())
                .unwrap()
                .is_empty()
        );
        let doc = when(
            &doc,
            link(AddHyperlink {
                url: Some("https://x.org".into()),
                ..AddHyperlink::default()
            }),
        )
        .unwrap();
        let doc = when(&doc, remove).unwrap();
        assert_eq!(runs(&doc, 0), [Run::plain("abc")]);
    }

    #[test]
    fn superscript_and_subscript_exclude_each_other() {
        let doc = given(&[create(), para("x2")]);
        let fmt = |sup: Option<bool>, sub: Option<bool>| {
            DocumentCommand::FormatText(FormatText {
                block_index: Some(0),
                start: 1,
                superscript: sup,
                subscript: sub,
                small_caps: Some(true),
                ..FormatText::default()
            })
        };
        assert!(when(&doc, fmt(Some(true), Some(true))).is_err());
        let doc = when(&doc, fmt(Some(true), None)).unwrap();
        let doc = when(&doc, fmt(None, Some(true))).unwrap();
        let last = &runs(&doc, 0)[1].format;
        assert!(last.subscript && !last.superscript && last.small_caps);
    }

    // See: issue 11: a bookmark names a range of a paragraph's text; edits keep it.
    #[test]
    fn a_bookmark_names_a_range_that_text_edits_keep() {
        let doc = given(&[create(), para("Pay within thirty days.")]);
        let add = |start, end| {
            DocumentCommand::AddBookmark(AddBookmark {
                block_index: Some(0),
                name: "Term".into(),
                start,
                end,
                ..AddBookmark::default()
            })
        };
        let doc = when(&doc, add(Some(11), Some(22))).unwrap();
        let ranged = |doc: &Document| -> String {
            doc.blocks[0]
                .runs()
                .iter()
                .filter(|r| r.format.bookmarks.iter().any(|n| n == "Term"))
                .map(|r| r.text.as_str())
                .collect()
        };
        assert_eq!(ranged(&doc), "thirty days");
        assert!(doc.bookmark_block("term").is_some(), "found ignoring case");
        // Text typed inside grows it; typed at its end stays outside.
        let insert = |offset: usize, text: &str| {
            DocumentCommand::InsertText(crate::command::InsertText {
                block_id: None,
                block_index: Some(0),
                offset,
                text: text.into(),
            })
        };
        let doc = when(&doc, insert(17, " (30)")).unwrap();
        let doc = when(&doc, insert(27, "!")).unwrap();
        assert_eq!(ranged(&doc), "thirty (30) days");
        // A link may lead to it; a second bookmark of that name is refused.
        assert!(when(&doc, add(Some(0), Some(3))).is_err());
        let doc = when(
            &doc,
            DocumentCommand::RemoveBookmark(RemoveBookmark {
                name: "TERM".into(),
            }),
        )
        .unwrap();
        assert_eq!(ranged(&doc), "");
        assert!(when(&doc, add(Some(5), Some(5))).is_err(), "an empty range");
    }
}
