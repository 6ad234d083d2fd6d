//! Anchors on runs: a comment's or suggestion's range (or point) marked on the runs it
//! covers, a note's reference as one atomic character, and the marks a paragraph keeps
//! when its runs are replaced.

use super::{delete, inherited_format, insert_with, normalize, split_at, str_len};
use crate::model::{Mark, Run, RunFormat};

/// Anchors comment or suggestion `id` to characters `start..end`, or to the point `start`
/// when the range is empty. The range must be inside the text.
pub fn add_anchor(runs: &mut Vec<Run>, start: usize, end: usize, id: &str, mark: Mark) {
    let i = split_at(runs, start);
    if start == end {
        let mut format = RunFormat::default();
        mark.of_mut(&mut format).push(id.to_string());
        runs.insert(
            i,
            Run {
                text: String::new(),
                format,
            },
        );
    } else {
        let j = split_at(runs, end);
        for run in runs.get_mut(i..j).unwrap_or_default() {
            mark.of_mut(&mut run.format).push(id.to_string());
        }
    }
    normalize(runs);
}

/// Anchors comment `id` (see [`add_anchor`]).
pub fn add_comment(runs: &mut Vec<Run>, start: usize, end: usize, id: &str) {
    add_anchor(runs, start, end, id, Mark::Comment);
}

/// Removes the anchor `id` of kind `mark`; whether the runs had it.
pub fn remove_anchor(runs: &mut Vec<Run>, id: &str, mark: Mark) -> bool {
    let mut found = false;
    for run in runs.iter_mut() {
        let ids = mark.of_mut(&mut run.format);
        let before = ids.len();
        ids.retain(|c| c != id);
        found |= ids.len() != before;
    }
    if found {
        normalize(runs);
    }
    found
}

/// Removes comment `id`'s anchor; whether the runs had it.
pub fn remove_comment(runs: &mut Vec<Run>, id: &str) -> bool {
    remove_anchor(runs, id, Mark::Comment)
}

/// Inserts the reference mark of note `id` at `offset` (one atomic character), with the
/// formatting of the text before it. `offset` must be at most the text length.
pub fn insert_note(runs: &mut Vec<Run>, offset: usize, id: &str) {
    let mut format = inherited_format(runs, offset);
    format.link = None;
    format.note = Some(id.to_string());
    insert_with(runs, offset, &crate::model::NOTE_CHAR.to_string(), format);
}

/// Removes the reference mark of note `id` (its character included); whether there was one.
pub fn remove_note(runs: &mut Vec<Run>, id: &str) -> bool {
    let mut at = 0;
    for run in runs.iter() {
        let len = str_len(&run.text);
        if run.format.note.as_deref() == Some(id) {
            delete(runs, at, at + len);
            return true;
        }
        at += len;
    }
    false
}

/// Gives `new` (a paragraph's new runs, replacing `old`) the comment anchors and note
/// references of `old` where its text is unchanged: the common beginning and end of the two
/// texts keep their marks; a comment over changed text covers the text that replaced it
/// (or, when none did, the point where it was). A note whose reference character is in the
/// changed text is dropped (its mark was deleted).
pub fn carry_marks(old: &[Run], new: &mut Vec<Run>) {
    if !old
        .iter()
        .any(|r| r.format.is_anchor() || r.format.note.is_some())
    {
        return;
    }
    let a: Vec<char> = old.iter().flat_map(|r| r.text.chars()).collect();
    let b: Vec<char> = new.iter().flat_map(|r| r.text.chars()).collect();
    let prefix = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let max_suffix = a.len().min(b.len()) - prefix;
    let suffix = a
        .iter()
        .rev()
        .zip(b.iter().rev())
        .take(max_suffix)
        .take_while(|(x, y)| x == y)
        .count();
    let (old_tail, new_tail) = (a.len() - suffix, b.len() - suffix);
    // Old position → new position; inside the changed text, a start goes to its start and
    // an end to its end.
    let map = |x: usize, is_end: bool| -> usize {
        if x <= prefix {
            x
        } else if x >= old_tail {
            x - old_tail + new_tail
        } else if is_end {
            new_tail
        } else {
            prefix
        }
    };
    let mut anchors: Vec<(Mark, String, usize, usize)> = Vec::new();
    let mut notes: Vec<(String, usize)> = Vec::new();
    let mut at = 0;
    for run in old {
        let len = str_len(&run.text);
        for mark in Mark::ALL {
            for id in mark.of(&run.format) {
                match anchors
                    .iter_mut()
                    .find(|(m, c, _, _)| *m == mark && c == id)
                {
                    Some(found) => found.3 = at + len,
                    None => anchors.push((mark, id.clone(), at, at + len)),
                }
            }
        }
        if let Some(id) = &run.format.note
            && (at < prefix || at >= old_tail)
        {
            notes.push((id.clone(), map(at, false)));
        }
        at += len;
    }
    for (id, start) in notes {
        let i = split_at(new, start);
        let j = split_at(new, start + 1);
        if let Some(run) = new
            .get_mut(i..j)
            .and_then(|r| r.first_mut())
            .filter(|_| j == i + 1)
        {
            run.format.note = Some(id);
        }
        normalize(new);
    }
    for (mark, id, start, end) in anchors {
        let (start, end) = (map(start, false), map(end, true));
        add_anchor(new, start, end.max(start), &id, mark);
    }
}
