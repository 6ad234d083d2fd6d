//! The one word diff: Unicode words, patience, bounded in time. The diff, the redline and
//! the blame read model all compare texts with it.

use std::time::Duration;

use similar::{Algorithm, ChangeTag, TextDiff};

/// How long one block's word comparison may take before it settles for a coarser one.
pub const WORD_DIFF_TIMEOUT: Duration = Duration::from_millis(50);

/// A word-level diff of two texts: Unicode words, patience, bounded in time (past
/// [`WORD_DIFF_TIMEOUT`] it settles for a coarser answer). The diff, the redline and the
/// blame read model all compare texts with it.
pub fn word_diff<'a>(old: &'a str, new: &'a str) -> TextDiff<'a, 'a, str> {
    TextDiff::configure()
        .algorithm(Algorithm::Patience)
        .timeout(WORD_DIFF_TIMEOUT)
        .diff_unicode_words(old, new)
}

/// What a span of a word diff is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// In both texts.
    Equal,
    /// Only in the new text.
    Insert,
    /// Only in the old text.
    Delete,
}

impl Op {
    /// Its wire name (`equal`, `insert`, `delete`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Equal => "equal",
            Self::Insert => "insert",
            Self::Delete => "delete",
        }
    }

    fn reversed(self) -> Self {
        match self {
            Self::Insert => Self::Delete,
            Self::Delete => Self::Insert,
            Self::Equal => Self::Equal,
        }
    }
}

/// A word-level diff of two texts as spans. Computed in one orientation whatever the
/// order asked for (the smaller text first), so that a diff and its reverse are exact
/// inverses: between two equal spans, what was deleted comes first, then what was
/// inserted.
pub fn spans(old: &str, new: &str) -> Vec<(Op, String)> {
    if old <= new {
        return canonical(raw(old, new));
    }
    let flipped = raw(new, old)
        .into_iter()
        .map(|(op, text)| (op.reversed(), text))
        .collect();
    canonical(flipped)
}

/// Merges each run of changed spans between two equal ones into one deletion followed by
/// one insertion.
fn canonical(spans: Vec<(Op, String)>) -> Vec<(Op, String)> {
    let mut out = Vec::new();
    let (mut deleted, mut inserted) = (String::new(), String::new());
    let flush = |out: &mut Vec<(Op, String)>, deleted: &mut String, inserted: &mut String| {
        for (op, text) in [(Op::Delete, deleted), (Op::Insert, inserted)] {
            if !text.is_empty() {
                out.push((op, std::mem::take(text)));
            }
        }
    };
    for (op, text) in spans {
        match op {
            Op::Delete => deleted.push_str(&text),
            Op::Insert => inserted.push_str(&text),
            Op::Equal => {
                flush(&mut out, &mut deleted, &mut inserted);
                out.push((op, text));
            }
        }
    }
    flush(&mut out, &mut deleted, &mut inserted);
    out
}

fn raw(old: &str, new: &str) -> Vec<(Op, String)> {
    let diff = word_diff(old, new);
    let mut spans: Vec<(Op, String)> = Vec::new();
    for change in diff.iter_all_changes() {
        let op = match change.tag() {
            ChangeTag::Equal => Op::Equal,
            ChangeTag::Insert => Op::Insert,
            ChangeTag::Delete => Op::Delete,
        };
        match spans.last_mut() {
            Some(last) if last.0 == op => last.1.push_str(change.value()),
            _ => spans.push((op, change.value().to_string())),
        }
    }
    spans
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(spans: &[(Op, String)], keep: Op) -> String {
        spans
            .iter()
            .filter(|(op, _)| *op == Op::Equal || *op == keep)
            .map(|(_, t)| t.as_str())
            .collect()
    }

    #[test]
    fn spans_rebuild_both_texts_and_reverse_exactly() {
        let (old, new) = ("the quick brown fox", "the slow brown cat jumps");
        let forward = spans(old, new);
        assert_eq!(text(&forward, Op::Delete), old);
        assert_eq!(text(&forward, Op::Insert), new);
        let backward = spans(new, old);
        let reversed: Vec<(Op, String)> = forward
            .iter()
            .map(|(op, t)| (op.reversed(), t.clone()))
            .collect();
        // Between equal spans a deletion comes first, then the insertion.
        let reorder = |v: Vec<(Op, String)>| canonical(v);
        assert_eq!(backward, reorder(reversed));
    }

    #[test]
    fn changed_words_are_one_deletion_then_one_insertion() {
        assert_eq!(
            spans("a b c", "a x y c"),
            vec![
                (Op::Equal, "a ".into()),
                (Op::Delete, "b".into()),
                (Op::Insert, "x y".into()),
                (Op::Equal, " c".into()),
            ]
        );
    }
}
