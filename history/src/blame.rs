//! Blame: for each block, the last change to it and, over its plain text, which change
//! wrote each word range. The read-model projector keeps it beside the block's row (one
//! JSON value per block, rewritten only when the block changes), so reading a document's
//! blame costs what reading its content costs.
//!
//! When an event changes a block's text, the old and new texts are compared word by word
//! ([`crate::word_diff`]: Unicode words, bounded in time): ranges that stayed keep who wrote them, inserted ones
//! are the event's. A block created by an event is wholly that event's.
//!
//! The word diffs are bounded by size, so that no document's edits hold the projector
//! (and every other tenant's visibility) back: a block whose old and new texts together
//! pass [`MAX_DIFF_BYTES_PER_BLOCK`], or that comes after the event's blocks have used
//! [`MAX_DIFF_BYTES_PER_EVENT`], is blamed wholesale on the event that rewrote it. The
//! bound is on bytes, not time, so a rebuild blames exactly as the live projector did.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use similar::ChangeTag;

/// Most bytes of text (old and new together) one block's word diff compares; past it the
/// rewritten block is wholly the event's.
pub const MAX_DIFF_BYTES_PER_BLOCK: usize = 32 * 1024;

/// Most bytes of text the word diffs of one event compare, over all its blocks.
pub const MAX_DIFF_BYTES_PER_EVENT: usize = 256 * 1024;

/// What is left of an event's word-diff budget.
#[derive(Debug, Clone, Copy)]
pub struct DiffBudget(usize);

impl Default for DiffBudget {
    fn default() -> Self {
        Self(MAX_DIFF_BYTES_PER_EVENT)
    }
}

impl DiffBudget {
    /// Takes what comparing `old` with `new` costs, if the block and the event can
    /// afford it.
    fn spend(&mut self, old: &str, new: &str) -> bool {
        let cost = old.len().saturating_add(new.len());
        if cost > MAX_DIFF_BYTES_PER_BLOCK || cost > self.0 {
            return false;
        }
        self.0 -= cost;
        true
    }
}

/// Who changed something, when and why: one event's facts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    /// The event's sequence number (the version it made).
    pub version: u64,
    /// Its event type.
    #[serde(rename = "type")]
    pub kind: String,
    /// Who: a user or API key id.
    pub actor: String,
    /// When (RFC 3339).
    pub at: String,
    /// The reason given with the request, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// For an accepted suggestion's change: who proposed it (`actor` accepted it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proposed_by: Option<String>,
}

/// One block's blame.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlockBlame {
    /// The version of the last change to the block (text, formatting, place).
    pub last: u64,
    /// Its plain text in consecutive ranges: (length in characters, version that wrote
    /// it). The lengths add up to the text's.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub spans: Vec<(usize, u64)>,
    /// The changes `last` and `spans` name, by version.
    pub changes: BTreeMap<u64, Change>,
}

impl BlockBlame {
    /// The blame of a block `change` created with `text`.
    pub fn created(text: &str, change: &Change) -> Self {
        let len = text.chars().count();
        Self {
            last: change.version,
            spans: if len == 0 {
                Vec::new()
            } else {
                vec![(len, change.version)]
            },
            changes: BTreeMap::from([(change.version, change.clone())]),
        }
    }

    /// The blame after `change` turned the block's text `old` into `new`, word by word
    /// when `budget` affords it, else wholly `change`'s.
    pub fn changed_within(
        &self,
        old: &str,
        new: &str,
        change: &Change,
        budget: &mut DiffBudget,
    ) -> Self {
        if old != new && !budget.spend(old, new) {
            return Self::created(new, change);
        }
        self.changed(old, new, change)
    }

    /// The blame after `change` turned the block's text `old` into `new`.
    pub fn changed(&self, old: &str, new: &str, change: &Change) -> Self {
        let mut spans: Vec<(usize, u64)> = Vec::new();
        let mut push = |len: usize, version: u64| {
            if len == 0 {
                return;
            }
            match spans.last_mut() {
                Some(last) if last.1 == version => last.0 += len,
                _ => spans.push((len, version)),
            }
        };
        if old == new {
            for &(len, version) in &self.spans {
                push(len, version);
            }
        } else {
            let diff = crate::word_diff(old, new);
            let mut cursor = Cursor::new(&self.spans);
            for part in diff.iter_all_changes() {
                let len = part.value().chars().count();
                match part.tag() {
                    ChangeTag::Equal => cursor.take(len, &mut push, change.version),
                    ChangeTag::Delete => cursor.skip(len),
                    ChangeTag::Insert => push(len, change.version),
                }
            }
        }
        let mut changes = BTreeMap::new();
        for version in spans
            .iter()
            .map(|s| s.1)
            .chain(std::iter::once(change.version))
        {
            let known = if version == change.version {
                Some(change)
            } else {
                self.changes.get(&version)
            };
            if let Some(c) = known {
                changes.insert(version, c.clone());
            }
        }
        Self {
            last: change.version,
            spans,
            changes,
        }
    }

    /// The stored form.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// From its stored form (None: not known, as for rows written before blame was kept).
    pub fn from_json(json: &str) -> Option<Self> {
        if json.is_empty() {
            return None;
        }
        serde_json::from_str(json).ok()
    }
}

/// Walks the old spans by character counts.
struct Cursor<'a> {
    spans: &'a [(usize, u64)],
    index: usize,
    used: usize,
}

impl<'a> Cursor<'a> {
    fn new(spans: &'a [(usize, u64)]) -> Self {
        Self {
            spans,
            index: 0,
            used: 0,
        }
    }

    /// Hands the next `len` characters' versions to `push` (text the old spans do not
    /// cover, which a consistent blame never has, is `fallback`'s).
    fn take(&mut self, mut len: usize, push: &mut impl FnMut(usize, u64), fallback: u64) {
        while len > 0 {
            let Some(&(span_len, version)) = self.spans.get(self.index) else {
                push(len, fallback);
                return;
            };
            let n = (span_len - self.used).min(len);
            push(n, version);
            self.advance(n, span_len);
            len -= n;
        }
    }

    fn skip(&mut self, mut len: usize) {
        while len > 0 {
            let Some(&(span_len, _)) = self.spans.get(self.index) else {
                return;
            };
            let n = (span_len - self.used).min(len);
            self.advance(n, span_len);
            len -= n;
        }
    }

    fn advance(&mut self, n: usize, span_len: usize) {
        self.used += n;
        if self.used >= span_len {
            self.index += 1;
            self.used = 0;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_large_rewrite_is_blamed_wholesale_and_the_budget_is_per_event() {
        let a = "word ".repeat(4_000);
        let b = format!("{a}more");
        let base = BlockBlame::created(&a, &change(1, "ann"));
        // 40 KB of old and new text: past the block's bound, wholly the rewriter's.
        let whole = base.changed_within(&a, &b, &change(2, "bob"), &mut DiffBudget::default());
        assert_eq!(whole.spans, vec![(b.chars().count(), 2)]);
        // Small blocks are diffed until the event's budget is spent.
        let (x, y) = ("one two ".repeat(1_000), "one three ".repeat(1_000));
        let start = BlockBlame::created(&x, &change(1, "ann"));
        let mut budget = DiffBudget::default();
        let mut diffed = 0;
        for _ in 0..40 {
            let next = start.changed_within(&x, &y, &change(2, "bob"), &mut budget);
            if next.spans.len() > 1 {
                diffed += 1;
            }
        }
        assert!(diffed > 0 && diffed < 40, "{diffed} of 40 diffed");
        // Formatting only (the same text) costs nothing and keeps the spans.
        let kept = start.changed_within(&x, &x, &change(3, "cy"), &mut DiffBudget(0));
        assert_eq!(kept.spans, start.spans);
    }

    fn change(version: u64, actor: &str) -> Change {
        Change {
            proposed_by: None,
            version,
            kind: "X".into(),
            actor: actor.into(),
            at: format!("2026-12-02T00:00:0{version}Z"),
            reason: None,
        }
    }

    fn ranges<'a>(text: &'a str, blame: &BlockBlame) -> Vec<(&'a str, u64)> {
        let mut out = Vec::new();
        let mut start = 0;
        for &(len, version) in &blame.spans {
            let begin = text.char_indices().nth(start).map_or(text.len(), |c| c.0);
            let end = text
                .char_indices()
                .nth(start + len)
                .map_or(text.len(), |c| c.0);
            out.push((&text[begin..end], version));
            start += len;
        }
        out
    }

    #[test]
    fn words_keep_their_author_through_edits() {
        let a = "The supplier shall deliver.";
        let blame = BlockBlame::created(a, &change(2, "ada"));
        let b = "The vendor shall deliver on time.";
        let blame = blame.changed(a, b, &change(3, "bob"));
        assert_eq!(
            ranges(b, &blame),
            vec![
                ("The ", 2),
                ("vendor", 3),
                (" shall deliver", 2),
                (" on time", 3),
                (".", 2)
            ]
        );
        assert_eq!(blame.last, 3);
        assert_eq!(blame.changes.len(), 2);
        // Formatting only: the words keep their authors, the block's last change moves.
        let c = blame.changed(b, b, &change(4, "cy"));
        assert_eq!(ranges(b, &c), ranges(b, &blame));
        assert_eq!(c.last, 4);
        assert_eq!(c.changes[&4].actor, "cy");
        // Deleting everything the first author wrote drops them.
        let d = "vendor on time";
        let e = c.changed(b, d, &change(5, "dee"));
        assert!(e.changes.keys().all(|v| *v != 2), "{e:?}");
        assert_eq!(
            BlockBlame::from_json(&e.to_json()).unwrap(),
            e,
            "round trip"
        );
        assert!(BlockBlame::from_json("").is_none());
    }

    #[test]
    fn spans_always_cover_the_text() {
        let texts = [
            "",
            "Ünïcödé wörds, here.",
            "Ünïcödé here and there.",
            "x",
            "",
            "a b c d e f",
            "f e d c b a",
        ];
        let mut blame = BlockBlame::created(texts[0], &change(1, "a"));
        for (i, pair) in texts.windows(2).enumerate() {
            blame = blame.changed(pair[0], pair[1], &change(i as u64 + 2, "b"));
            let total: usize = blame.spans.iter().map(|s| s.0).sum();
            assert_eq!(total, pair[1].chars().count(), "{pair:?}");
            assert!(blame.spans.iter().all(|s| blame.changes.contains_key(&s.1)));
        }
    }
}
