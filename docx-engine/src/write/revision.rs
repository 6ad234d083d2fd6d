//! The revision overlay of a redline: which runs, paragraph marks and table rows of the
//! body are insertions or deletions, and the pieces of a changed paragraph, so the one
//! writer writes a redline with everything a normal render writes.

use std::time::{Duration, Instant};

use domain::{Run, RunFormat};
use similar::{Algorithm, DiffOp};
use unicode_segmentation::UnicodeSegmentation;

use super::Ids;
use crate::redline::Mark;

/// How long one paragraph's comparison may take before it settles for a coarser one.
const PARAGRAPH_DIFF_TIMEOUT: Duration = Duration::from_millis(50);

/// An insertion or a deletion.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Op {
    Insert,
    Delete,
}

impl Op {
    /// The element that marks it: around runs, in a paragraph mark's or a row's
    /// properties.
    pub(crate) fn tag(self) -> &'static str {
        match self {
            Op::Insert => "w:ins",
            Op::Delete => "w:del",
        }
    }
}

/// The attributes of one revision mark: an id from the render's one sequence, who, when.
#[derive(Debug, Clone)]
pub(crate) struct Stamp {
    id: String,
    author: String,
    date: String,
}

impl Stamp {
    pub(crate) fn new(ids: &mut Ids, mark: &Mark) -> Self {
        Self {
            id: Ids::next(&mut ids.revisions).to_string(),
            author: mark.author.clone(),
            date: mark.word_date(),
        }
    }

    pub(crate) fn attrs(&self) -> [(&str, &str); 3] {
        [
            ("w:id", &self.id),
            ("w:author", &self.author),
            ("w:date", &self.date),
        ]
    }
}

/// What a run of a changed paragraph is: inserted, deleted, or kept (`op` none) — kept
/// with A's formatting (`old`) where A formatted it otherwise — and whose change it is.
#[derive(Debug, Clone)]
pub(crate) struct RunRev<'a> {
    pub(crate) op: Option<Op>,
    pub(crate) old: Option<&'a RunFormat>,
    pub(crate) mark: &'a Mark,
}

/// A run that cannot be split: a picture, a field, opaque content.
fn atomic(run: &Run) -> bool {
    run.format.image.is_some() || run.format.field.is_some() || run.format.opaque.is_some()
}

/// A token of a paragraph: a word, a space or a mark of a run's text (Unicode word
/// bounds), or a whole atomic run; with the run it comes from.
struct Token<'a> {
    key: std::borrow::Cow<'a, str>,
    text: &'a str,
    run: usize,
}

fn tokens(runs: &[Run]) -> Vec<Token<'_>> {
    let mut out = Vec::new();
    for (i, run) in runs.iter().enumerate() {
        if atomic(run) {
            // The same picture, field or content with the same text compares equal.
            let f = &run.format;
            let key = format!(
                "\u{FFFC}{}|{:?}|{}|{}",
                f.image.as_ref().map_or("", |m| m.media.as_str()),
                f.field,
                f.opaque.as_ref().map_or("", |o| o.xml.as_str()),
                run.text
            );
            out.push(Token {
                key: key.into(),
                text: &run.text,
                run: i,
            });
            continue;
        }
        for word in run.text.split_word_bounds() {
            out.push(Token {
                key: word.into(),
                text: word,
                run: i,
            });
        }
    }
    out
}

/// Whether two formats look the same (what `w:rPr` says; links and bookmarks are not
/// formatting).
pub(crate) fn same_look(a: &RunFormat, b: &RunFormat) -> bool {
    a.bold == b.bold
        && a.italic == b.italic
        && a.underline == b.underline
        && a.strike == b.strike
        && a.font == b.font
        && a.size_pt == b.size_pt
        && a.color == b.color
        && a.highlight == b.highlight
        && a.superscript == b.superscript
        && a.subscript == b.subscript
        && a.small_caps == b.small_caps
        && a.style == b.style
}

/// The runs of a changed paragraph as the redline writes them: A's and B's runs compared
/// word by word (pictures, fields and opaque content whole); kept words with B's
/// formatting, deleted ones with A's, inserted ones with B's; neighbouring words of one
/// run and one kind in one run. Deleted runs carry no bookmarks (B's stand).
pub(crate) fn pieces<'a>(
    old: &'a [Run],
    new: &'a [Run],
    text_mark: &'a Mark,
    format_mark: &'a Mark,
) -> (Vec<Run>, Vec<RunRev<'a>>) {
    let (a, b) = (tokens(old), tokens(new));
    let (a_keys, b_keys): (Vec<&str>, Vec<&str>) = (
        a.iter().map(|t| t.key.as_ref()).collect(),
        b.iter().map(|t| t.key.as_ref()).collect(),
    );
    let deadline = Instant::now() + PARAGRAPH_DIFF_TIMEOUT;
    let ops = similar::capture_diff_slices_deadline(
        Algorithm::Patience,
        &a_keys,
        &b_keys,
        Some(deadline),
    );
    let mut runs: Vec<Run> = Vec::new();
    let mut revs: Vec<RunRev<'a>> = Vec::new();
    // The run a piece came from (side, index) and its kind, to merge neighbours.
    let mut last: Option<(bool, usize, usize, Option<Op>)> = None;
    let mut push = |token: &Token<'a>,
                    from_old: bool,
                    other: Option<usize>,
                    op: Option<Op>,
                    runs: &mut Vec<Run>,
                    revs: &mut Vec<RunRev<'a>>| {
        let source = if from_old {
            &old[token.run]
        } else {
            &new[token.run]
        };
        let key = (from_old, token.run, other.unwrap_or(usize::MAX), op);
        if last == Some(key) && !atomic(source) {
            if let Some(run) = runs.last_mut() {
                run.text.push_str(token.text);
            }
            return;
        }
        last = Some(key);
        let mut run = Run {
            text: token.text.to_string(),
            format: source.format.clone(),
        };
        if atomic(source) {
            run.text.clone_from(&source.text);
        }
        if op == Some(Op::Delete) {
            run.format.bookmarks.clear();
        }
        let old_format = other
            .map(|i| &old[i].format)
            .filter(|f| op.is_none() && !same_look(f, &source.format));
        let mark = if op.is_none() { format_mark } else { text_mark };
        runs.push(run);
        revs.push(RunRev {
            op,
            old: old_format,
            mark,
        });
    };
    for op in ops {
        match op {
            DiffOp::Equal {
                old_index,
                new_index,
                len,
            } => {
                for k in 0..len {
                    let (ta, tb) = (&a[old_index + k], &b[new_index + k]);
                    push(tb, false, Some(ta.run), None, &mut runs, &mut revs);
                }
            }
            DiffOp::Delete {
                old_index, old_len, ..
            } => {
                for t in &a[old_index..old_index + old_len] {
                    push(t, true, None, Some(Op::Delete), &mut runs, &mut revs);
                }
            }
            DiffOp::Insert {
                new_index, new_len, ..
            } => {
                for t in &b[new_index..new_index + new_len] {
                    push(t, false, None, Some(Op::Insert), &mut runs, &mut revs);
                }
            }
            DiffOp::Replace {
                old_index,
                old_len,
                new_index,
                new_len,
            } => {
                for t in &a[old_index..old_index + old_len] {
                    push(t, true, None, Some(Op::Delete), &mut runs, &mut revs);
                }
                for t in &b[new_index..new_index + new_len] {
                    push(t, false, None, Some(Op::Insert), &mut runs, &mut revs);
                }
            }
        }
    }
    (runs, revs)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(text: &str, bold: bool) -> Run {
        Run {
            text: text.into(),
            format: RunFormat {
                bold,
                ..RunFormat::default()
            },
        }
    }

    #[test]
    fn words_are_kept_deleted_and_inserted_run_by_run() {
        let mark = Mark {
            author: "a".into(),
            date: "2026-01-01T00:00:00Z".into(),
        };
        let old = [run("The supplier shall ", false), run("deliver", false)];
        let new = [run("The vendor shall ", false), run("deliver", true)];
        let (runs, revs) = pieces(&old, &new, &mark, &mark);
        let shown: Vec<(String, Option<Op>, bool)> = runs
            .iter()
            .zip(&revs)
            .map(|(r, v)| (r.text.clone(), v.op, v.old.is_some()))
            .collect();
        assert_eq!(
            shown,
            vec![
                ("The ".into(), None, false),
                ("supplier".into(), Some(Op::Delete), false),
                ("vendor".into(), Some(Op::Insert), false),
                (" shall ".into(), None, false),
                ("deliver".into(), None, true),
            ]
        );
    }
}
