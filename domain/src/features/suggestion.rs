//! Suggestions: changes proposed, not made. A command sent with `"suggest": true` (or by a
//! suggest-only principal) is recorded as a `SuggestionMade` fact — the command, its
//! author and time, and an anchor on the runs it is about, which moves with later edits —
//! and the accepted content does not change. `accept_suggestion` applies it then (its
//! events, then `SuggestionAccepted` naming who decided); `reject_suggestion` drops it.
//!
//! This file holds the decision commands and how the suggestion events are applied; how a
//! suggestion is made and accepted (which needs the commands themselves) is in
//! `decide/suggest.rs`.

use serde::{Deserialize, Serialize};

use crate::error::{DocumentError, EventMisfit};
use crate::event::DocumentEvent;
use crate::features::review::Stamp;
use crate::model::{Document, Mark, Suggestion, SuggestionStatus};
use crate::text;

/// Most suggestions in one document (open and decided).
pub const MAX_SUGGESTIONS: usize = 10_000;

/// The commands that can be suggestions: those that change text or blocks.
pub const SUGGESTIBLE: &[&str] = &[
    "insert_text",
    "delete_text",
    "replace_text",
    "format_text",
    "update_paragraph",
    "add_paragraph",
    "add_heading",
    "delete_block",
    "set_table_cell",
    "add_list_item",
];

/// `accept_suggestion`: applies a suggestion (as it stands now: its anchor moved with the
/// edits since).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AcceptSuggestion {
    /// The suggestion (`s1`).
    pub suggestion_id: String,
    /// Filled by the write path: who decides.
    #[serde(skip)]
    #[cfg_attr(feature = "openapi", schema(ignore))]
    pub by: Option<Stamp>,
}

/// `reject_suggestion`: drops a suggestion; nothing else changes.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RejectSuggestion {
    /// The suggestion (`s1`).
    pub suggestion_id: String,
    /// Filled by the write path: who decides.
    #[serde(skip)]
    #[cfg_attr(feature = "openapi", schema(ignore))]
    pub by: Option<Stamp>,
}

/// `accept_all_suggestions`: applies every open suggestion (of one author, when `author`
/// is given), oldest first; those that no longer apply stay open.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AcceptAllSuggestions {
    /// Only this author's (their name, as `get_suggestions` shows it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author: Option<String>,
    /// Filled by the write path: who decides.
    #[serde(skip)]
    #[cfg_attr(feature = "openapi", schema(ignore))]
    pub by: Option<Stamp>,
}

/// `reject_all_suggestions`: drops every open suggestion (of one author, when `author` is
/// given).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RejectAllSuggestions {
    /// Only this author's (their name, as `get_suggestions` shows it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author: Option<String>,
    /// Filled by the write path: who decides.
    #[serde(skip)]
    #[cfg_attr(feature = "openapi", schema(ignore))]
    pub by: Option<Stamp>,
}

impl Document {
    /// The open suggestion `id`, or a 422 naming `suggestion_id`.
    pub(crate) fn open_suggestion(&self, id: &str) -> Result<&Suggestion, DocumentError> {
        match self.suggestion(id) {
            Some(s) if s.status == SuggestionStatus::Open => Ok(s),
            Some(s) => Err(DocumentError::invalid(
                "suggestion_id",
                format!("suggestion {id} is {} already", status_name(s.status)),
            )),
            None => Err(DocumentError::invalid(
                "suggestion_id",
                format!("the document has no suggestion {id}"),
            )),
        }
    }

    /// The open suggestions of `author` (every author's without one), oldest first.
    pub(crate) fn open_suggestions(&self, author: Option<&str>) -> Vec<&Suggestion> {
        self.suggestions
            .iter()
            .filter(|s| s.status == SuggestionStatus::Open)
            .filter(|s| author.is_none_or(|a| s.author.name == a))
            .collect()
    }

    /// Decides `reject_suggestion`.
    pub(crate) fn decide_reject_suggestion(
        &self,
        c: &RejectSuggestion,
    ) -> Result<Option<DocumentEvent>, DocumentError> {
        let s = self.open_suggestion(&c.suggestion_id)?;
        Ok(Some(self.suggestion_decided(s, c.by.as_ref(), false)?))
    }

    /// Decides `reject_all_suggestions`.
    pub(crate) fn decide_reject_all(
        &self,
        c: &RejectAllSuggestions,
    ) -> Result<Vec<DocumentEvent>, DocumentError> {
        self.open_suggestions(c.author.as_deref())
            .into_iter()
            .map(|s| self.suggestion_decided(s, c.by.as_ref(), false))
            .collect()
    }

    /// The event that closes suggestion `s`, accepted or rejected by the stamp's author.
    pub(crate) fn suggestion_decided(
        &self,
        s: &Suggestion,
        by: Option<&Stamp>,
        accepted: bool,
    ) -> Result<DocumentEvent, DocumentError> {
        let by = crate::features::review::stamp(by)?;
        let blocks = self
            .blocks
            .iter()
            .filter(|b| {
                b.runs()
                    .iter()
                    .any(|r| r.format.suggestions.contains(&s.id))
            })
            .map(|b| b.id().clone())
            .collect();
        let suggestion_id = s.id.clone();
        let by = by.author.clone();
        Ok(if accepted {
            DocumentEvent::SuggestionAccepted {
                suggestion_id,
                by,
                blocks,
            }
        } else {
            DocumentEvent::SuggestionRejected {
                suggestion_id,
                by,
                blocks,
            }
        })
    }

    /// Folds a suggestion event into the state (see [`Document::try_apply`]).
    pub(crate) fn apply_suggestion(
        &mut self,
        event: &DocumentEvent,
        misfit: &dyn Fn(&'static str) -> EventMisfit,
    ) -> Result<(), EventMisfit> {
        use DocumentEvent as E;
        match event {
            E::SuggestionMade {
                suggestion_id,
                kind,
                author,
                date,
                reason,
                command,
                ranges,
            } => {
                let number = crate::model::review_number(suggestion_id, 's')
                    .ok_or(misfit("a malformed suggestion id"))?;
                if self.suggestion(suggestion_id).is_some() {
                    return Err(misfit("the suggestion exists"));
                }
                if !SUGGESTIBLE.contains(&kind.as_str()) {
                    return Err(misfit("not a command that can be suggested"));
                }
                for (block_id, start, end) in ranges {
                    let runs = self.runs_mut(block_id).ok_or(misfit("no such paragraph"))?;
                    if start > end || *end > text::char_len(runs) {
                        return Err(misfit("range outside the text"));
                    }
                }
                for (block_id, start, end) in ranges {
                    if let Some(runs) = self.runs_mut(block_id) {
                        text::add_anchor(runs, *start, *end, suggestion_id, Mark::Suggestion);
                    }
                }
                self.suggestions.push(Suggestion {
                    id: suggestion_id.clone(),
                    kind: kind.clone(),
                    author: author.clone(),
                    date: date.clone(),
                    reason: reason.clone(),
                    command: command.clone(),
                    status: SuggestionStatus::Open,
                    decided_by: None,
                });
                self.review_ids.suggestions = self.review_ids.suggestions.max(number);
            }
            E::SuggestionAccepted {
                suggestion_id, by, ..
            }
            | E::SuggestionRejected {
                suggestion_id, by, ..
            } => {
                let accepted = matches!(event, E::SuggestionAccepted { .. });
                let s = self
                    .suggestions
                    .iter_mut()
                    .find(|s| &s.id == suggestion_id && s.status == SuggestionStatus::Open)
                    .ok_or(misfit("no such open suggestion"))?;
                s.status = if accepted {
                    SuggestionStatus::Accepted
                } else {
                    SuggestionStatus::Rejected
                };
                s.decided_by = Some(by.clone());
                for block in &mut self.blocks {
                    if let Some(runs) = block.runs_mut() {
                        text::remove_anchor(runs, suggestion_id, Mark::Suggestion);
                    }
                }
            }
            _ => return Err(misfit("not an event of this feature")),
        }
        Ok(())
    }
}

/// A status's name in the API.
pub fn status_name(status: SuggestionStatus) -> &'static str {
    match status {
        SuggestionStatus::Open => "open",
        SuggestionStatus::Accepted => "accepted",
        SuggestionStatus::Rejected => "rejected",
    }
}

#[cfg(test)]
mod tests;
