//! Making and accepting suggestions: the part that needs the commands themselves (a
//! suggestion is a command recorded; accepting it decides that command as it stands now).
//! The decision commands and the events' fold are in `features/suggestion.rs`.

use serde_json::Value;

use crate::command::{DocumentCommand, Suggest};
use crate::error::DocumentError;
use crate::event::{DocumentEvent, Occurrence};
use crate::features::suggestion::{
    AcceptAllSuggestions, AcceptSuggestion, MAX_SUGGESTIONS, SUGGESTIBLE,
};
use crate::ids::BlockId;
use crate::input::{Limits, anchor_to_ids, text_runs};
use crate::model::{Document, Mark, Suggestion, Within, named_blocks};
use crate::text;

/// What accepting a suggestion does now.
enum Change {
    /// Decide this command.
    Command(Box<DocumentCommand>),
    /// Replace these ranges of paragraphs' text (a `replace_text`'s occurrences, as they
    /// stand now).
    Replace {
        find: String,
        replace: String,
        occurrences: Vec<Occurrence>,
    },
}

impl Document {
    /// The ranges of the runs marked with suggestion `id`, each run of marked text (or
    /// point) in its block, in document order.
    pub fn suggestion_ranges(&self, id: &str) -> Vec<(BlockId, usize, usize)> {
        let mut out = Vec::new();
        for block in &self.blocks {
            let mut at = 0;
            let mut open: Option<(usize, usize)> = None;
            for run in block.runs() {
                let len = run.text.chars().count();
                let marked = Mark::Suggestion.of(&run.format).iter().any(|s| s == id);
                match (&mut open, marked) {
                    (Some((_, end)), true) => *end = at + len,
                    (None, true) => open = Some((at, at + len)),
                    (Some((start, end)), false) => {
                        out.push((block.id().clone(), *start, *end));
                        open = None;
                    }
                    (None, false) => {}
                }
                at += len;
            }
            if let Some((start, end)) = open {
                out.push((block.id().clone(), start, end));
            }
        }
        out
    }

    /// Decides a command sent as a suggestion: checked as if it were made (the same
    /// refusals), then recorded with its anchor instead.
    pub(crate) fn decide_suggest(
        &self,
        c: &Suggest,
        limits: &Limits,
    ) -> Result<Vec<DocumentEvent>, DocumentError> {
        let kind = c.command.name();
        if !SUGGESTIBLE.contains(&kind) {
            return Err(DocumentError::invalid(
                "suggest",
                format!(
                    "{kind} cannot be a suggestion (only {})",
                    SUGGESTIBLE.join(", ")
                ),
            ));
        }
        let by = crate::features::review::stamp(c.by.as_ref())?;
        if self.suggestions.len() >= MAX_SUGGESTIONS {
            return Err(crate::input::too_large("suggestions", MAX_SUGGESTIONS));
        }
        // What it would do now: nothing is a suggestion of nothing.
        let would = self.decide(&c.command, limits)?;
        if would.is_empty() {
            return Ok(Vec::new());
        }
        let mut command = serde_json::to_value(&*c.command)
            .map_err(|e| DocumentError::invalid("suggest", e.to_string()))?;
        anchor_to_ids(&mut command, self);
        let ranges = self.suggestion_anchor(&c.command, &would, &mut command)?;
        Ok(vec![DocumentEvent::SuggestionMade {
            suggestion_id: format!("s{}", self.review_ids.suggestions.saturating_add(1)),
            kind: kind.to_string(),
            author: by.author.clone(),
            date: by.date.clone(),
            reason: by.reason.clone(),
            command,
            ranges,
        }])
    }

    /// The ranges of text a suggestion is anchored to; the positions they stand for are
    /// taken out of `command` (the anchor carries them from now on).
    fn suggestion_anchor(
        &self,
        original: &DocumentCommand,
        would: &[DocumentEvent],
        command: &mut Value,
    ) -> Result<Vec<(BlockId, usize, usize)>, DocumentError> {
        use DocumentCommand as C;
        let block_len = |c: &Value| -> Result<(BlockId, usize), DocumentError> {
            let id = BlockId::new(c.get("block_id").and_then(Value::as_str).unwrap_or(""));
            let block = self.block(&id).ok_or(DocumentError::BlockNotFound {
                block_id: id.clone(),
                field: "block_id",
            })?;
            Ok((id, text::char_len(text_runs(block)?)))
        };
        let object = command.as_object_mut();
        Ok(match (original, object) {
            (C::InsertText(c), Some(o)) => {
                o.remove("offset");
                let (id, _) = block_len(&Value::Object(o.clone()))?;
                vec![(id, c.offset, c.offset)]
            }
            (C::DeleteText(c), Some(o)) => {
                o.remove("offset");
                o.remove("length");
                let (id, _) = block_len(&Value::Object(o.clone()))?;
                vec![(id, c.offset, c.offset.saturating_add(c.length))]
            }
            (C::FormatText(c), Some(o)) => {
                o.remove("start");
                o.remove("end");
                let (id, len) = block_len(&Value::Object(o.clone()))?;
                vec![(id, c.start, c.end.unwrap_or(len))]
            }
            (C::UpdateParagraph(_), Some(o)) => {
                let (id, len) = block_len(&Value::Object(o.clone()))?;
                vec![(id, 0, len)]
            }
            (C::ReplaceText(_), _) => would
                .iter()
                .flat_map(|e| match e {
                    DocumentEvent::TextReplaced { occurrences, .. } => occurrences
                        .iter()
                        .filter(|o| o.within == Within::Text)
                        .map(|o| (o.block_id.clone(), o.offset, o.offset + o.length))
                        .collect(),
                    _ => Vec::new(),
                })
                .collect(),
            _ => Vec::new(),
        })
    }

    /// What accepting suggestion `s` does now, or why it cannot (it is stale).
    fn change_of(&self, s: &Suggestion) -> Result<Change, String> {
        let ranges = self.suggestion_ranges(&s.id);
        let mut command = s.command.clone();
        let first = ranges.first();
        let range = || first.ok_or_else(|| "the text it was about is gone".to_string());
        let set = |command: &mut Value, fields: &[(&str, usize)]| {
            if let Some(o) = command.as_object_mut() {
                for (k, v) in fields {
                    o.insert((*k).to_string(), Value::from(*v));
                }
            }
        };
        // A text suggestion's block is where its anchor is; so is the block of one that
        // names none (an imported file's deleted paragraph).
        if let (Some((block, ..)), Some(o)) = (first, command.as_object_mut())
            && (matches!(
                s.kind.as_str(),
                "insert_text" | "delete_text" | "format_text"
            ) || (!o.contains_key("block_id") && s.kind == "delete_block"))
        {
            o.insert("block_id".into(), Value::String(block.to_string()));
        }
        match s.kind.as_str() {
            "insert_text" => {
                let (_, at, _) = range()?;
                set(&mut command, &[("offset", *at)]);
            }
            "delete_text" | "format_text" => {
                let (_, start, end) = range()?;
                if start == end {
                    return Err("the text it was about was deleted".into());
                }
                if s.kind == "delete_text" {
                    set(&mut command, &[("offset", *start), ("length", end - start)]);
                } else {
                    set(&mut command, &[("start", *start), ("end", *end)]);
                }
            }
            "replace_text" => {
                let occurrences: Vec<Occurrence> = ranges
                    .iter()
                    .filter(|(_, start, end)| start < end)
                    .map(|(block_id, start, end)| Occurrence {
                        block_id: block_id.clone(),
                        within: Within::Text,
                        offset: *start,
                        length: end - start,
                    })
                    .collect();
                if occurrences.is_empty() {
                    return Err("the text it was about was deleted".into());
                }
                let field = |k: &str| {
                    command
                        .get(k)
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_string()
                };
                return Ok(Change::Replace {
                    find: field("find"),
                    replace: field("replace"),
                    occurrences,
                });
            }
            _ => {}
        }
        for id in named_blocks(&command) {
            if self.block(&id).is_none() {
                return Err(format!("block {id} it was about is gone"));
            }
        }
        serde_json::from_value::<DocumentCommand>(command)
            .map(|c| Change::Command(Box::new(c)))
            .map_err(|e| format!("it cannot be read: {e}"))
    }

    /// Why open suggestion `s` can no longer be accepted as it was made, if it cannot.
    pub fn suggestion_stale(&self, s: &Suggestion) -> Option<String> {
        self.change_of(s).err()
    }

    /// The events that accept suggestion `s` now: its change's, then `SuggestionAccepted`.
    fn accept_events(
        &self,
        s: &Suggestion,
        by: Option<&crate::features::review::Stamp>,
        limits: &Limits,
    ) -> Result<Vec<DocumentEvent>, DocumentError> {
        let stale = |reason: String| DocumentError::SuggestionStale {
            suggestion_id: s.id.clone(),
            reason,
        };
        let mut events = match self.change_of(s).map_err(stale)? {
            Change::Command(command) => self
                .decide(&command, limits)
                .map_err(|e| stale(e.to_string()))?,
            Change::Replace {
                find,
                replace,
                occurrences,
            } => vec![DocumentEvent::TextReplaced {
                find,
                replace,
                occurrences,
            }],
        };
        events.push(self.suggestion_decided(s, by, true)?);
        Ok(events)
    }

    /// Decides `accept_suggestion`.
    pub(crate) fn decide_accept_suggestion(
        &self,
        c: &AcceptSuggestion,
        limits: &Limits,
    ) -> Result<Vec<DocumentEvent>, DocumentError> {
        let s = self.open_suggestion(&c.suggestion_id)?;
        self.accept_events(s, c.by.as_ref(), limits)
    }

    /// Decides `accept_all_suggestions`: each open suggestion accepted in turn on the state
    /// the ones before it made; a stale one stays open.
    pub(crate) fn decide_accept_all(
        &self,
        c: &AcceptAllSuggestions,
        limits: &Limits,
    ) -> Result<Vec<DocumentEvent>, DocumentError> {
        let open = self.open_suggestions(c.author.as_deref());
        let (_, accepted) = self.accept_in_turn(open, &|_| c.by.clone(), limits);
        Ok(accepted
            .into_iter()
            .flat_map(|(_, events)| events)
            .collect())
    }

    /// The document with every open suggestion `which` picks accepted in turn (the stale
    /// ones left out), and which blocks each accepted suggestion changed: what a
    /// tracked-changes view shows against the accepted content.
    pub fn with_suggestions_accepted(
        &self,
        which: &dyn Fn(&Suggestion) -> bool,
    ) -> (Document, Vec<(String, Vec<BlockId>)>) {
        let open = self
            .open_suggestions(None)
            .into_iter()
            .filter(|s| which(s))
            .collect();
        let (state, accepted) = self.accept_in_turn(open, &|s| Some(stamp_of(s)), &Limits::DEFAULT);
        let changed = accepted
            .into_iter()
            .map(|(id, events)| {
                let blocks = events
                    .iter()
                    .flat_map(|e| {
                        e.touched_block_ids()
                            .into_iter()
                            .chain(e.created_block_ids())
                    })
                    .collect();
                (id, blocks)
            })
            .collect();
        (state, changed)
    }

    /// `suggestions` accepted in turn, each on the state the ones before it made (`by`
    /// says who accepts each); a stale one is left out. The state after them, and each
    /// accepted suggestion's events.
    fn accept_in_turn(
        &self,
        suggestions: Vec<&Suggestion>,
        by: &dyn Fn(&Suggestion) -> Option<crate::features::review::Stamp>,
        limits: &Limits,
    ) -> (Document, Vec<(String, Vec<DocumentEvent>)>) {
        let ids: Vec<String> = suggestions.iter().map(|s| s.id.clone()).collect();
        let mut state = self.clone();
        let mut accepted = Vec::new();
        for id in ids {
            let Some(s) = state.suggestion(&id).cloned() else {
                continue;
            };
            let Ok(events) = state.accept_events(&s, by(&s).as_ref(), limits) else {
                continue;
            };
            for event in &events {
                state.apply(event);
            }
            accepted.push((id, events));
        }
        (state, accepted)
    }

    /// The document without the anchors of the suggestions `which` picks.
    pub fn without_suggestion_marks(&self, which: &dyn Fn(&Suggestion) -> bool) -> Document {
        let picked: Vec<&str> = self
            .suggestions
            .iter()
            .filter(|s| which(s))
            .map(|s| s.id.as_str())
            .collect();
        let mut copy = self.clone();
        for block in &mut copy.blocks {
            let hit = |r: &crate::model::Run| {
                r.format
                    .suggestions
                    .iter()
                    .any(|s| picked.contains(&s.as_str()))
            };
            if let Some(runs) = block.runs_mut()
                && runs.iter().any(hit)
            {
                for run in runs.iter_mut() {
                    run.format
                        .suggestions
                        .retain(|s| !picked.contains(&s.as_str()));
                }
                text::normalize(runs);
            }
        }
        copy
    }

    /// The text a suggestion is about (what it deletes or formats) and the text it
    /// proposes (what it inserts or writes), as they stand now.
    pub fn suggestion_texts(&self, s: &Suggestion) -> (String, String) {
        let current = self
            .suggestion_ranges(&s.id)
            .iter()
            .filter_map(|(block, start, end)| {
                let text = self.block(block)?.text();
                Some(
                    text.chars()
                        .skip(*start)
                        .take(end - start)
                        .collect::<String>(),
                )
            })
            .collect::<Vec<_>>()
            .join(" … ");
        let field = |k: &str| s.command.get(k).and_then(Value::as_str).map(str::to_string);
        let runs = s
            .command
            .get("runs")
            .and_then(|r| serde_json::from_value::<Vec<crate::input::RunInput>>(r.clone()).ok());
        let proposed = field("text")
            .or_else(|| field("replace"))
            .or_else(|| runs.map(|r| r.iter().map(|r| r.text.as_str()).collect()))
            .unwrap_or_default();
        let about = if current.is_empty() && s.kind == "delete_block" {
            s.named_blocks()
                .first()
                .and_then(|id| self.block(id))
                .map(|b| b.text())
                .unwrap_or_default()
        } else {
            current
        };
        (about, proposed)
    }
}

/// The stamp of a suggestion's own author (a tracked change is its author's).
fn stamp_of(s: &Suggestion) -> crate::features::review::Stamp {
    crate::features::review::Stamp {
        author: s.author.clone(),
        date: s.date.clone(),
        admin: false,
        reason: None,
    }
}
