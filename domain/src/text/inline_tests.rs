//! Text edits across inline boundaries keep every inline they do not touch intact.

use proptest::prelude::*;

use super::*;
use crate::model::Field;

/// Runs of assorted formatting around one marked inline (a link to `https://marked`,
/// or a field): returns the runs and the marked inline's character range.
fn runs_around_marked() -> impl Strategy<Value = (Vec<Run>, usize, usize)> {
    let run = ("[a-d ]{1,5}", 0u8..5).prop_map(|(text, kind)| {
        let mut format = RunFormat::default();
        match kind {
            0 => format.bold = true,
            1 => format.link = Some("https://other".into()),
            2 => format.superscript = true,
            3 => format.field = Some(Field::Page),
            _ => {}
        }
        Run { text, format }
    });
    (
        prop::collection::vec(run.clone(), 0..5),
        "[e-h]{1,5}",
        any::<bool>(),
        prop::collection::vec(run, 0..5),
    )
        .prop_map(|(before, marked, as_field, after)| {
            let mut format = RunFormat::default();
            if as_field {
                format.field = Some(Field::NumPages);
            } else {
                format.link = Some("https://marked".into());
            }
            let start = char_len(&before);
            let end = start + str_len(&marked);
            let mut runs = before;
            runs.push(Run {
                text: marked,
                format,
            });
            runs.extend(after);
            normalize(&mut runs);
            (runs, start, end)
        })
}

fn marked_text(runs: &[Run]) -> String {
    runs.iter()
        .filter(|r| {
            r.format.link.as_deref() == Some("https://marked")
                || r.format.field == Some(Field::NumPages)
        })
        .map(|r| r.text.as_str())
        .collect()
}

proptest! {
    #[test]
    fn edits_outside_an_inline_leave_it_whole(
        (runs, start, end) in runs_around_marked(),
        op in 0u8..4,
        at in any::<prop::sample::Index>(),
        len in 1usize..4,
        text in "[x-z]{1,3}",
    ) {
        let before = marked_text(&runs);
        let total = char_len(&runs);
        // A position outside the marked inline: before its start or at/after its end.
        let outside: Vec<usize> = (0..=total).filter(|p| *p <= start || *p >= end).collect();
        let p = outside[at.index(outside.len())];
        let mut edited = runs.clone();
        match op {
            0 => insert(&mut edited, p, &text),
            1 => {
                // delete a range that does not reach into the marked inline
                let stop = if p <= start { (p + len).min(start) } else { (p + len).min(total) };
                if stop > p {
                    delete(&mut edited, p, stop);
                }
            }
            2 => {
                let stop = if p <= start { (p + len).min(start) } else { (p + len).min(total) };
                if stop > p {
                    format(&mut edited, p, stop, &FormatPatch { italic: Some(true), ..FormatPatch::default() });
                }
            }
            _ => {
                let stop = if p <= start { (p + len).min(start) } else { (p + len).min(total) };
                replace(&mut edited, p, stop.saturating_sub(p), &text);
            }
        }
        prop_assert_eq!(marked_text(&edited), before, "{:?} → {:?}", runs, edited);
        prop_assert!(edited.windows(2).all(|w| w[0].format != w[1].format || w[1].format.field.is_some()));
    }
}
