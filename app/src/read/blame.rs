//! Who wrote what: per block, the last change to it, and per word range of its text the
//! change that wrote it. The latest version is read from the blame read model (kept by the
//! projector beside each block's row); a past version, or a document projected before
//! blame was kept, is replayed from its events with the same code. Footnotes' and
//! endnotes' text is blamed word by word too, folded from the events that wrote it.

use api_types::{BlameRange, BlameResponse, BlockBlameView, ChangeBy};
use infrastructure::views::{BlockBlame, Change, Projected, change_of};

use super::*;

impl Reads {
    /// The blame of a document at `at.version` (default: the latest).
    ///
    /// # Errors
    /// Not found (document, version or label), not ready, a failed projection.
    pub async fn blame(
        &self,
        principal: &Principal,
        raw_id: &str,
        at: ReadAt,
    ) -> Result<BlameResponse, ApiError> {
        let id = api_types::parse_document_id(raw_id)?;
        let tenant = principal.tenant.as_str();
        let version = match &at.version {
            Some(version) => {
                self.head(principal, &id).await?;
                self.version_number(principal, &id, version).await?
            }
            None => {
                self.check_projected(tenant, &id).await?;
                self.wait_min(principal, &id, at.min_version.unwrap_or(1))
                    .await?;
                let projected = self
                    .views
                    .projected_with_blame(tenant, id.as_str())
                    .await
                    .map_err(store_error)?
                    .ok_or_else(ApiError::document_not_found)?;
                let blame = projected.blame();
                if blame.iter().all(Option::is_some) && projected.document.notes.is_empty() {
                    let document = projected.document;
                    return blocking(move || view(&document, &blame, &Default::default())).await;
                }
                // Rows projected before blame was kept: replay this version.
                projected.document.version.get()
            }
        };
        let head = self.head(principal, &id).await?;
        if version == 0 || version > head {
            return Err(version_not_found(version));
        }
        let _permit = self.heavy().await?;
        let events = self
            .log
            .events(&id, 0, Some(version), None)
            .await
            .map_err(store_error)?;
        if events.first().is_none_or(|e| e.tenant() != tenant) {
            return Err(ApiError::document_not_found());
        }
        blocking(move || {
            let projected = replay(&events);
            let notes = note_blame(&events);
            view(&projected.document, &projected.blame(), &notes)
        })
        .await
    }
}

/// A document and its blame replayed from its events (the projector's own fold).
fn replay(events: &[StoredEvent]) -> Projected {
    let mut projected = Projected::new(
        SummaryRow::of(&Document::default(), "", ("", ""), ("", "")),
        Document::default(),
    );
    for event in events {
        projected.apply(&event.event, &change_of(event));
    }
    projected
}

fn change_by(change: &Change) -> ChangeBy {
    ChangeBy {
        version: change.version,
        kind: change.kind.clone(),
        actor: change.actor.clone(),
        at: change.at.clone(),
        reason: change.reason.clone(),
        proposed_by: change.proposed_by.clone(),
    }
}

/// Each note's blame, folded from the events that wrote its text (by note id).
fn note_blame(events: &[StoredEvent]) -> std::collections::BTreeMap<String, BlockBlame> {
    use domain::{DocumentEvent as E, paragraphs_text};
    type Notes = std::collections::BTreeMap<String, (String, BlockBlame)>;
    let mut notes: Notes = Default::default();
    let set = |notes: &mut Notes, id: &str, text: String, change: &Change| {
        let blame = match notes.get(id) {
            Some((old, blame)) => blame.changed(old, &text, change),
            None => BlockBlame::created(&text, change),
        };
        notes.insert(id.to_string(), (text, blame));
    };
    for event in events {
        let change = change_of(event);
        match &event.event {
            E::NoteAdded {
                note_id,
                paragraphs,
                ..
            }
            | E::NoteEdited {
                note_id,
                paragraphs,
            } => {
                set(&mut notes, note_id, paragraphs_text(paragraphs), &change);
            }
            E::ReviewImported {
                notes: imported, ..
            } => {
                for n in imported {
                    set(&mut notes, &n.id, paragraphs_text(&n.paragraphs), &change);
                }
            }
            E::DocumentReverted {
                notes: Some(then), ..
            } => {
                notes.retain(|id, _| then.iter().any(|n| &n.id == id));
                for n in then {
                    set(&mut notes, &n.id, paragraphs_text(&n.paragraphs), &change);
                }
            }
            E::NoteDeleted { note_id, .. } => {
                notes.remove(note_id);
            }
            _ => {}
        }
    }
    notes
        .into_iter()
        .map(|(id, (_, blame))| (id, blame))
        .collect()
}

/// A text's ranges as `blame` names them; the changes they name added to `changes`.
fn ranges_of(
    text: &str,
    blame: &BlockBlame,
    changes: &mut std::collections::BTreeMap<u64, ChangeBy>,
) -> Vec<BlameRange> {
    for (version, change) in &blame.changes {
        changes.entry(*version).or_insert_with(|| change_by(change));
    }
    let mut ranges = Vec::new();
    let mut chars = text.char_indices().map(|(i, _)| i).chain([text.len()]);
    let mut start = 0usize;
    let mut byte = chars.next().unwrap_or(0);
    for &(len, version) in &blame.spans {
        let end = start + len;
        let mut end_byte = byte;
        for _ in 0..len {
            end_byte = chars.next().unwrap_or(text.len());
        }
        ranges.push(BlameRange {
            start,
            end,
            text: text.get(byte..end_byte).unwrap_or_default().to_string(),
            version,
        });
        start = end;
        byte = end_byte;
    }
    ranges
}

/// The answer for a document, its blocks' blame (a block without one shows nothing) and
/// its notes' (by note id).
fn view(
    document: &Document,
    blame: &[Option<BlockBlame>],
    notes: &std::collections::BTreeMap<String, BlockBlame>,
) -> BlameResponse {
    let mut changes: std::collections::BTreeMap<u64, ChangeBy> = Default::default();
    let blocks = document
        .blocks
        .iter()
        .zip(blame)
        .map(|(block, blame)| {
            let (last, ranges) = match blame {
                Some(b) => (b.last, ranges_of(&block.text(), b, &mut changes)),
                None => (0, Vec::new()),
            };
            BlockBlameView {
                block_id: block.id().to_string(),
                kind: block.kind().to_string(),
                last,
                ranges,
            }
        })
        .collect();
    let notes = document
        .notes
        .iter()
        .filter_map(|note| {
            let blame = notes.get(&note.id)?;
            let text = domain::paragraphs_text(&note.paragraphs);
            Some(api_types::NoteBlameView {
                note_id: note.id.clone(),
                kind: note.kind,
                last: blame.last,
                ranges: ranges_of(&text, blame, &mut changes),
            })
        })
        .collect();
    BlameResponse {
        version: document.version.get(),
        blocks,
        notes,
        changes: changes.into_values().collect(),
    }
}
