//! Run-level text editing on character offsets.
//!
//! A paragraph's text is the concatenation of its runs. Every function here takes and
//! returns runs in normal form: no empty runs, and no two neighbours with the same
//! formatting. Offsets count `char`s.

use crate::command::FormatPatch;
use crate::model::{Run, RunFormat};

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

/// Brings runs into normal form: drops empty runs, merges neighbours with equal formatting.
pub fn normalize(runs: &mut Vec<Run>) {
    let mut out: Vec<Run> = Vec::with_capacity(runs.len());
    for run in runs.drain(..) {
        if run.text.is_empty() {
            continue;
        }
        match out.last_mut() {
            Some(last) if last.format == run.format => last.text.push_str(&run.text),
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
        let len = str_len(&runs[i].text);
        if offset == start {
            return i;
        }
        if offset < start + len {
            let at = byte_at(&runs[i].text, offset - start);
            let tail = runs[i].text.split_off(at);
            let format = runs[i].format.clone();
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

/// The formatting new text at `offset` inherits: the character before it, else the first.
fn inherited_format(runs: &[Run], offset: usize) -> RunFormat {
    let at = if offset > 0 { offset - 1 } else { 0 };
    format_at(runs, at).cloned().unwrap_or_default()
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

/// Deletes characters `start..end`. The range must be inside the text.
pub fn delete(runs: &mut Vec<Run>, start: usize, end: usize) {
    let i = split_at(runs, start);
    let j = split_at(runs, end);
    runs.drain(i..j);
    normalize(runs);
}

/// Applies a formatting patch to characters `start..end`. The range must be inside the text.
pub fn format(runs: &mut Vec<Run>, start: usize, end: usize, patch: &FormatPatch) {
    let i = split_at(runs, start);
    let j = split_at(runs, end);
    for run in &mut runs[i..j] {
        patch.apply_to(&mut run.format);
    }
    normalize(runs);
}

/// Replaces characters `start..start+len` with `text`, which takes the formatting of the
/// first replaced character (or the inherited one when `len` is 0).
pub fn replace(runs: &mut Vec<Run>, start: usize, len: usize, text: &str) {
    let format = if len > 0 {
        format_at(runs, start).cloned().unwrap_or_default()
    } else {
        inherited_format(runs, start)
    };
    delete(runs, start, start + len);
    if !text.is_empty() {
        insert_with(runs, start, text, format);
    }
}

/// Replaces characters `start..start+len` of a plain string.
pub fn replace_in_str(s: &mut String, start: usize, len: usize, text: &str) {
    let a = byte_at(s, start);
    let b = byte_at(s, start + len);
    s.replace_range(a..b, text);
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

fn chars_equal(a: char, b: char, match_case: bool) -> bool {
    a == b || (!match_case && a.to_lowercase().eq(b.to_lowercase()))
}

/// Finds non-overlapping occurrences of `find` in `text`, left to right, as
/// `(char offset, char length)`. An empty `find` matches nothing.
pub fn find_matches(
    text: &str,
    find: &str,
    match_case: bool,
    whole_word: bool,
) -> Vec<(usize, usize)> {
    let hay: Vec<char> = text.chars().collect();
    let needle: Vec<char> = find.chars().collect();
    let mut found = Vec::new();
    if needle.is_empty() || needle.len() > hay.len() {
        return found;
    }
    let mut i = 0;
    while i + needle.len() <= hay.len() {
        let matched = needle
            .iter()
            .zip(&hay[i..])
            .all(|(n, h)| chars_equal(*n, *h, match_case));
        let bounded = !whole_word
            || ((i == 0 || !is_word_char(hay[i - 1]))
                && (i + needle.len() == hay.len() || !is_word_char(hay[i + needle.len()])));
        if matched && bounded {
            found.push((i, needle.len()));
            i += needle.len();
        } else {
            i += 1;
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bold(text: &str) -> Run {
        Run {
            text: text.into(),
            format: RunFormat {
                bold: true,
                ..RunFormat::default()
            },
        }
    }

    #[test]
    fn insert_inherits_the_format_of_the_preceding_text() {
        let mut runs = vec![bold("Hello"), Run::plain(" world")];
        insert(&mut runs, 5, "!!");
        assert_eq!(runs, vec![bold("Hello!!"), Run::plain(" world")]);
    }

    #[test]
    fn insert_at_start_takes_the_first_run_format() {
        let mut runs = vec![bold("b")];
        insert(&mut runs, 0, "a");
        assert_eq!(runs, vec![bold("ab")]);
    }

    #[test]
    fn delete_across_runs_merges_what_remains() {
        let mut runs = vec![Run::plain("ab"), bold("cd"), Run::plain("ef")];
        delete(&mut runs, 1, 5);
        assert_eq!(runs, vec![Run::plain("af")]);
    }

    #[test]
    fn format_splits_runs_at_the_range() {
        let mut runs = vec![Run::plain("hello world")];
        let patch = FormatPatch {
            bold: Some(true),
            ..FormatPatch::default()
        };
        format(&mut runs, 6, 11, &patch);
        assert_eq!(runs, vec![Run::plain("hello "), bold("world")]);
    }

    #[test]
    fn offsets_count_characters_not_bytes() {
        let mut runs = vec![Run::plain("héllo")];
        insert(&mut runs, 2, "X");
        assert_eq!(runs, vec![Run::plain("héXllo")]);
    }

    #[test]
    fn replace_keeps_the_format_of_the_first_replaced_character() {
        let mut runs = vec![Run::plain("a "), bold("cat"), Run::plain(" sat")];
        replace(&mut runs, 2, 3, "dog");
        assert_eq!(
            runs,
            vec![Run::plain("a "), bold("dog"), Run::plain(" sat")]
        );
    }

    #[test]
    fn find_respects_case_and_word_boundaries() {
        assert_eq!(
            find_matches("Cat cat cats", "cat", true, false),
            vec![(4, 3), (8, 3)]
        );
        assert_eq!(
            find_matches("Cat cat cats", "cat", false, true),
            vec![(0, 3), (4, 3)]
        );
        assert_eq!(
            find_matches("aaaa", "aa", true, false),
            vec![(0, 2), (2, 2)]
        );
        assert!(find_matches("abc", "", true, false).is_empty());
    }
}
