//! Named versions and going back to one.
//!
//! `label_version` names a version ("sent-to-client"); the name can then be used wherever a
//! version number is. `revert_to_version` appends the events that give the document back a
//! past version's content: the history is kept, and the events say which version they
//! revert to. The write path loads that version's state (the domain cannot read the event
//! store) and hands it over in [`RevertToVersion::target`].

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::{Deserialize, Serialize};

use crate::error::{DocumentError, EventMisfit};
use crate::event::DocumentEvent;
use crate::features::import::IMPORT_EVENT_BYTES;
use crate::ids::BlockId;
use crate::input::{Limits, too_large};
use crate::model::{Block, Document};

/// Most labels one document carries.
pub const MAX_LABELS: usize = 100;
/// Longest label, in characters.
pub(crate) const MAX_LABEL_CHARS: usize = 64;

/// `label_version`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct LabelVersion {
    /// The version to name (default: the current one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(minimum = 1))]
    pub version: Option<u64>,
    /// The name: a letter, then letters, digits, `-`, `_` or `.` (at most 64), unique in
    /// the document (`sent-to-client`). Usable wherever a version number is.
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 64, pattern = "^[A-Za-z][A-Za-z0-9._-]*$")
    )]
    pub name: String,
}

/// A version, by its number or its label. Read from a number or a string (a string of
/// digits is a number: labels start with a letter), as query strings give every value as
/// a string.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum VersionRef {
    /// Its number.
    Number(u64),
    /// Its label (see `label_version`).
    Label(String),
}

/// A version number (1 or more) or a label (the pattern `label_version` accepts).
#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for VersionRef {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ObjectBuilder, OneOfBuilder, Type};
        OneOfBuilder::new()
            .item(
                ObjectBuilder::new()
                    .schema_type(Type::Integer)
                    .minimum(Some(1))
                    // Versions are stored as signed 64-bit numbers.
                    .maximum(Some(i64::MAX))
                    .description(Some("A version number.")),
            )
            .item(
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .pattern(Some("^[A-Za-z][A-Za-z0-9._-]{0,63}$"))
                    .description(Some("A version's label (see label_version).")),
            )
            .into()
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for VersionRef {}

impl<'de> Deserialize<'de> for VersionRef {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = VersionRef;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a version number or label")
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<VersionRef, E> {
                Ok(VersionRef::Number(v))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<VersionRef, E> {
                u64::try_from(v)
                    .map(VersionRef::Number)
                    .map_err(|_| E::custom("a version is 1 or more"))
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<VersionRef, E> {
                if v.bytes().all(|b| b.is_ascii_digit()) && !v.is_empty() {
                    return v
                        .parse()
                        .map(VersionRef::Number)
                        .map_err(|_| E::custom("the version number is too large"));
                }
                if !is_label(v) {
                    return Err(E::custom(
                        "not a version number or label (a letter, then letters, digits, '-', '_' or '.')",
                    ));
                }
                Ok(VersionRef::Label(v.to_string()))
            }
        }
        deserializer.deserialize_any(Visitor)
    }
}

impl std::fmt::Display for VersionRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Number(n) => write!(f, "{n}"),
            Self::Label(l) => f.write_str(l),
        }
    }
}

/// `revert_to_version`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RevertToVersion {
    /// The version whose content the document gets back: its number or its label.
    pub version: VersionRef,
    /// That version's state, loaded by the write path (never sent by a client).
    #[serde(skip)]
    #[cfg_attr(feature = "openapi", schema(ignore))]
    pub target: Option<Box<RevertTarget>>,
}

/// A past version's state, for [`RevertToVersion`].
#[derive(Debug, Clone, PartialEq)]
pub struct RevertTarget {
    /// Its number.
    pub version: u64,
    /// The document as it was then.
    pub document: Document,
}

/// Whether `name` may be a label: a letter, then letters, digits, `-`, `_` or `.`.
pub(crate) fn is_label(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
        && name.len() <= MAX_LABEL_CHARS
}

impl Document {
    pub(crate) fn decide_label_version(
        &self,
        c: &LabelVersion,
    ) -> Result<Option<DocumentEvent>, DocumentError> {
        if !is_label(&c.name) {
            return Err(DocumentError::invalid(
                "name",
                format!(
                    "a label is a letter, then letters, digits, '-', '_' or '.' (at most {MAX_LABEL_CHARS})"
                ),
            ));
        }
        let current = self.version.get();
        let version = c.version.unwrap_or(current);
        if version == 0 || version > current {
            return Err(DocumentError::invalid(
                "version",
                format!("the document has versions 1 to {current}"),
            ));
        }
        // Unique ignoring case, as bookmarks and usernames are (`v2` and `V2` would read
        // as one name). Labels stored by earlier builds that differ only in case replay
        // as they were.
        let folded = c.name.to_lowercase();
        if let Some((taken, named)) = self
            .labels
            .iter()
            .find(|(name, _)| name.to_lowercase() == folded)
        {
            return Err(DocumentError::invalid(
                "name",
                format!(
                    "{taken:?} already names version {named} (labels are unique ignoring case)"
                ),
            ));
        }
        if self.labels.len() >= MAX_LABELS {
            return Err(too_large("labels", MAX_LABELS));
        }
        Ok(Some(DocumentEvent::VersionLabeled {
            version,
            name: c.name.clone(),
        }))
    }

    /// The events that turn this state into the target's content: blocks changed back or
    /// restored (in events of bounded size), then one `DocumentReverted` with the blocks
    /// removed, the order, and the title, properties, section and styles when they
    /// differ. None when the content is already the target's.
    pub(crate) fn decide_revert(
        &self,
        c: &RevertToVersion,
        limits: &Limits,
    ) -> Result<Vec<DocumentEvent>, DocumentError> {
        let Some(target) = &c.target else {
            return Err(DocumentError::invalid(
                "version",
                "the version's content could not be loaded",
            ));
        };
        let version = target.version;
        let current = self.version.get();
        if version == 0 || version > current {
            return Err(DocumentError::invalid(
                "version",
                format!("the document has versions 1 to {current}"),
            ));
        }
        let past = &target.document;
        if past.blocks.len() > limits.max_blocks {
            return Err(too_large("blocks", limits.max_blocks));
        }
        let now: HashMap<&BlockId, &Block> = self.blocks.iter().map(|b| (b.id(), b)).collect();
        let kept: HashSet<&BlockId> = past.blocks.iter().map(Block::id).collect();
        let mut changed = Vec::new();
        let mut restored = Vec::new();
        for block in &past.blocks {
            match now.get(block.id()) {
                Some(current) if *current == block => {}
                Some(_) => changed.push(block.clone()),
                None => restored.push(block.clone()),
            }
        }
        let removed: Vec<BlockId> = self
            .blocks
            .iter()
            .map(Block::id)
            .filter(|id| !kept.contains(id))
            .cloned()
            .collect();
        // The order after replacing in place, appending the restored and removing: only
        // when it is not the target's does the event carry the order.
        let after: Vec<&BlockId> = self
            .blocks
            .iter()
            .map(Block::id)
            .filter(|id| kept.contains(id))
            .chain(restored.iter().map(Block::id))
            .collect();
        let wanted: Vec<&BlockId> = past.blocks.iter().map(Block::id).collect();
        let order = (after != wanted).then(|| wanted.into_iter().cloned().collect::<Vec<_>>());
        let title = (self.title != past.title).then(|| past.title.clone());
        let metadata = (self.metadata != past.metadata).then(|| Box::new(past.metadata.clone()));
        let section = (self.section != past.section).then(|| Box::new(past.section.clone()));
        let styles = (self.styles != past.styles).then(|| past.styles.clone());
        let comments = (self.comments != past.comments).then(|| past.comments.clone());
        let notes = (self.notes != past.notes).then(|| past.notes.clone());
        let nothing = changed.is_empty()
            && restored.is_empty()
            && removed.is_empty()
            && order.is_none()
            && title.is_none()
            && metadata.is_none()
            && section.is_none()
            && styles.is_none()
            && comments.is_none()
            && notes.is_none();
        if nothing {
            return Ok(Vec::new());
        }
        let mut events = Vec::new();
        let mut chunk = (Vec::new(), Vec::new());
        let mut chunk_bytes = 0;
        let tagged = changed
            .into_iter()
            .map(|b| (false, b))
            .chain(restored.into_iter().map(|b| (true, b)));
        for (is_restored, block) in tagged {
            // JSON is at most about twice the in-memory estimate (see the import).
            let bytes = block.approx_bytes().saturating_mul(2);
            if chunk_bytes > 0 && chunk_bytes + bytes > IMPORT_EVENT_BYTES {
                let (changed, restored) = std::mem::take(&mut chunk);
                events.push(DocumentEvent::BlocksReverted {
                    version,
                    changed,
                    restored,
                });
                chunk_bytes = 0;
            }
            if is_restored {
                chunk.1.push(block);
            } else {
                chunk.0.push(block);
            }
            chunk_bytes += bytes;
        }
        if chunk_bytes > 0 {
            let (changed, restored) = chunk;
            events.push(DocumentEvent::BlocksReverted {
                version,
                changed,
                restored,
            });
        }
        events.push(DocumentEvent::DocumentReverted {
            version,
            removed,
            order,
            title,
            metadata,
            section,
            styles,
            comments,
            notes,
        });
        Ok(events)
    }

    pub(crate) fn apply_revision(
        &mut self,
        event: &DocumentEvent,
        misfit: &dyn Fn(&'static str) -> EventMisfit,
    ) -> Result<(), EventMisfit> {
        match event {
            DocumentEvent::VersionLabeled { version, name } => {
                // Applied after the version moved on: a label names an earlier version.
                if *version == 0 || *version >= self.version.get() {
                    return Err(misfit("the label names a version the document lacks"));
                }
                if self.labels.contains_key(name) || !is_label(name) {
                    return Err(misfit("the label is taken or malformed"));
                }
                self.labels.insert(name.clone(), *version);
            }
            DocumentEvent::BlocksReverted {
                changed, restored, ..
            } => {
                let at: HashMap<&BlockId, usize> = self
                    .blocks
                    .iter()
                    .enumerate()
                    .map(|(i, b)| (b.id(), i))
                    .collect();
                let mut seen = HashSet::new();
                let fits = changed.iter().all(|b| at.contains_key(b.id()))
                    && restored.iter().all(|b| !at.contains_key(b.id()))
                    && changed
                        .iter()
                        .chain(restored)
                        .all(|b| b.is_sound() && seen.insert(b.id()));
                if !fits {
                    return Err(misfit("a reverted block does not fit the document"));
                }
                let positions: Vec<Option<usize>> =
                    changed.iter().map(|b| at.get(b.id()).copied()).collect();
                for (block, i) in changed.iter().zip(positions) {
                    if let Some(slot) = i.and_then(|i| self.blocks.get_mut(i)) {
                        *slot = block.clone();
                    }
                }
                self.blocks.extend(restored.iter().cloned());
                // A block given back its past runs keeps only the anchors of suggestions
                // still open (a decided one's anchor went when it was decided).
                let open: HashSet<String> = self
                    .suggestions
                    .iter()
                    .filter(|s| s.status == crate::model::SuggestionStatus::Open)
                    .map(|s| s.id.clone())
                    .collect();
                let reverted: HashSet<&BlockId> =
                    changed.iter().chain(restored).map(Block::id).collect();
                for block in &mut self.blocks {
                    if !reverted.contains(block.id()) {
                        continue;
                    }
                    if let Some(runs) = block.runs_mut()
                        && runs
                            .iter()
                            .any(|r| r.format.suggestions.iter().any(|s| !open.contains(s)))
                    {
                        for run in runs.iter_mut() {
                            run.format.suggestions.retain(|s| open.contains(s));
                        }
                        crate::text::normalize(runs);
                    }
                }
            }
            DocumentEvent::DocumentReverted {
                removed,
                order,
                title,
                metadata,
                section,
                styles,
                comments,
                notes,
                ..
            } => {
                let gone: HashSet<&BlockId> = removed.iter().collect();
                let present: HashSet<&BlockId> = self.blocks.iter().map(Block::id).collect();
                if gone.len() != removed.len() || !gone.iter().all(|id| present.contains(id)) {
                    return Err(misfit("a removed block is not in the document"));
                }
                let remaining = self.blocks.len() - gone.len();
                if let Some(order) = order {
                    let wanted: HashSet<&BlockId> = order.iter().collect();
                    let same = wanted.len() == order.len()
                        && order.len() == remaining
                        && wanted
                            .iter()
                            .all(|id| present.contains(id) && !gone.contains(id));
                    if !same {
                        return Err(misfit("the order is not the remaining blocks'"));
                    }
                }
                if let Some(section) = section
                    && !section.page.is_sound()
                {
                    return Err(misfit("the page setup is malformed"));
                }
                self.blocks.retain(|b| !gone.contains(b.id()));
                if let Some(order) = order {
                    let mut by_id: HashMap<BlockId, Block> = std::mem::take(&mut self.blocks)
                        .into_iter()
                        .map(|b| (b.id().clone(), b))
                        .collect();
                    self.blocks = order.iter().filter_map(|id| by_id.remove(id)).collect();
                }
                if let Some(title) = title {
                    self.title.clone_from(title);
                }
                if let Some(metadata) = metadata {
                    self.metadata = (**metadata).clone();
                }
                if let Some(section) = section {
                    self.section = (**section).clone();
                }
                if let Some(styles) = styles {
                    self.styles.clone_from(styles);
                }
                // Comments and notes as they were then (ids are still never reused: the
                // counters stay where they are).
                if let Some(comments) = comments {
                    self.comments.clone_from(comments);
                }
                if let Some(notes) = notes {
                    self.notes.clone_from(notes);
                }
            }
            _ => return Err(misfit("not an event of this feature")),
        }
        Ok(())
    }
}

/// The labels of a document, by version (for listing them in its history).
pub fn labels_by_version(labels: &BTreeMap<String, u64>) -> BTreeMap<u64, Vec<String>> {
    let mut by_version: BTreeMap<u64, Vec<String>> = BTreeMap::new();
    for (name, version) in labels {
        by_version.entry(*version).or_default().push(name.clone());
    }
    by_version
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::DocumentCommand;

    fn run(doc: &mut Document, command: serde_json::Value) -> Vec<DocumentEvent> {
        let command: DocumentCommand = serde_json::from_value(command).unwrap();
        let events = doc.decide(&command, &Limits::default()).unwrap();
        for e in &events {
            doc.try_apply(e).unwrap();
        }
        events
    }

    fn revert(doc: &mut Document, history: &[Document], version: u64) -> Vec<DocumentEvent> {
        let command = DocumentCommand::RevertToVersion(RevertToVersion {
            version: VersionRef::Number(version),
            target: Some(Box::new(RevertTarget {
                version,
                document: history[version as usize].clone(),
            })),
        });
        let events = doc.decide(&command, &Limits::default()).unwrap();
        for e in &events {
            doc.try_apply(e).unwrap();
        }
        events
    }

    fn content(doc: &Document) -> serde_json::Value {
        json!({
            "title": doc.title, "metadata": doc.metadata, "blocks": doc.blocks,
            "section": doc.section, "styles": doc.styles,
        })
    }

    #[test]
    fn a_revert_gives_back_the_past_content_whatever_happened_since() {
        let mut doc = Document::default();
        let mut history = vec![Document::default()];
        let mut step = |doc: &mut Document, c: serde_json::Value| {
            run(doc, c);
            while history.len() <= doc.version.get() as usize {
                history.push(doc.clone());
            }
        };
        step(
            &mut doc,
            json!({"type": "create_document", "document_id": "d", "title": "Plan"}),
        );
        for text in ["One.", "Two.", "Three."] {
            step(&mut doc, json!({"type": "add_paragraph", "text": text}));
        }
        step(&mut doc, json!({"type": "add_table", "data": [["a", "b"]]}));
        let good = doc.version.get();
        step(
            &mut doc,
            json!({"type": "replace_text", "find": "Two", "replace": "2"}),
        );
        step(&mut doc, json!({"type": "delete_block", "block_index": 0}));
        step(
            &mut doc,
            json!({"type": "move_block", "block_index": 2, "position": {"at": "start"}}),
        );
        step(&mut doc, json!({"type": "add_paragraph", "text": "Four."}));
        step(&mut doc, json!({"type": "set_title", "title": "Plan B"}));
        step(&mut doc, json!({"type": "set_metadata", "author": "Ada"}));
        let events = revert(&mut doc, &history, good);
        assert_eq!(content(&doc), content(&history[good as usize]));
        let last = events.last().unwrap();
        assert!(
            matches!(last, DocumentEvent::DocumentReverted { version, .. } if *version == good)
        );
        // Replaying the events from scratch gives the same state.
        let mut again = history[history.len() - 1].clone();
        for e in &events {
            again.try_apply(e).unwrap();
        }
        assert_eq!(content(&again), content(&doc));
        // Reverting to what it already is changes nothing.
        let v = doc.version.get();
        assert!(revert(&mut doc, &history, good).is_empty());
        assert_eq!(doc.version.get(), v);
    }

    #[test]
    fn labels_are_unique_ignoring_case() {
        let mut doc = Document::default();
        run(
            &mut doc,
            json!({"type": "create_document", "document_id": "d", "title": "Plan"}),
        );
        run(&mut doc, json!({"type": "label_version", "name": "v2"}));
        let command: DocumentCommand =
            serde_json::from_value(json!({"type": "label_version", "version": 1, "name": "V2"}))
                .unwrap();
        let refused = doc.decide(&command, &Limits::default()).unwrap_err();
        assert!(refused.to_string().contains("ignoring case"), "{refused}");
        // A stream of an earlier build holding both still replays both.
        doc.apply(&DocumentEvent::VersionLabeled {
            version: 1,
            name: "V2".into(),
        });
        assert_eq!(doc.labels.len(), 2);
    }

    #[test]
    fn labels_name_versions_once() {
        let mut doc = Document::default();
        run(
            &mut doc,
            json!({"type": "create_document", "document_id": "d", "title": "Plan"}),
        );
        run(&mut doc, json!({"type": "add_paragraph", "text": "One."}));
        run(
            &mut doc,
            json!({"type": "label_version", "name": "sent-to-client"}),
        );
        run(
            &mut doc,
            json!({"type": "label_version", "version": 1, "name": "draft.1"}),
        );
        assert_eq!(doc.labels["sent-to-client"], 2);
        assert_eq!(doc.labels["draft.1"], 1);
        let refuse = |doc: &Document, c: serde_json::Value| {
            let command: DocumentCommand = serde_json::from_value(c).unwrap();
            doc.decide(&command, &Limits::default()).unwrap_err()
        };
        for bad in [
            json!({"type": "label_version", "name": "sent-to-client"}),
            json!({"type": "label_version", "name": "12"}),
            json!({"type": "label_version", "name": "a b"}),
            json!({"type": "label_version", "name": ""}),
            json!({"type": "label_version", "version": 99, "name": "later"}),
            json!({"type": "label_version", "version": 0, "name": "zero"}),
        ] {
            assert!(matches!(
                refuse(&doc, bad),
                DocumentError::InvalidField { .. }
            ));
        }
        // A stored label event that does not fit is a misfit, not a panic.
        let mut copy = doc.clone();
        assert!(
            copy.try_apply(&DocumentEvent::VersionLabeled {
                version: 1,
                name: "draft.1".into()
            })
            .is_err()
        );
    }

    #[test]
    fn stored_revert_events_that_do_not_fit_are_misfits() {
        let mut doc = Document::default();
        run(
            &mut doc,
            json!({"type": "create_document", "document_id": "d", "title": "Plan"}),
        );
        run(&mut doc, json!({"type": "add_paragraph", "text": "One."}));
        let one = doc.blocks[0].clone();
        let bad = [
            DocumentEvent::BlocksReverted {
                version: 1,
                changed: Vec::new(),
                restored: vec![one.clone()],
            },
            DocumentEvent::DocumentReverted {
                version: 1,
                removed: vec![BlockId::new("nope")],
                order: None,
                title: None,
                metadata: None,
                section: None,
                styles: None,
                comments: None,
                notes: None,
            },
            DocumentEvent::DocumentReverted {
                version: 1,
                removed: Vec::new(),
                order: Some(vec![one.id().clone(), one.id().clone()]),
                title: None,
                metadata: None,
                section: None,
                styles: None,
                comments: None,
                notes: None,
            },
        ];
        for event in bad {
            let mut copy = doc.clone();
            assert!(copy.try_apply(&event).is_err(), "{event:?}");
            assert_eq!(copy.blocks, doc.blocks);
        }
    }
}
