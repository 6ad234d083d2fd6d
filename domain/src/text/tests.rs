//! Tests of `text`.

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

/// The quadratic matcher the linear one replaced, as the reference.
fn naive(text: &str, find: &str, match_case: bool, whole_word: bool) -> Vec<(usize, usize)> {
    let eq = |a: char, b: char| a == b || (!match_case && a.to_lowercase().eq(b.to_lowercase()));
    let hay: Vec<char> = text.chars().collect();
    let needle: Vec<char> = find.chars().collect();
    let mut found = Vec::new();
    if needle.is_empty() || needle.len() > hay.len() {
        return found;
    }
    let mut i = 0;
    while i + needle.len() <= hay.len() {
        let matched = needle.iter().zip(&hay[i..]).all(|(n, h)| eq(*n, *h));
        let end = i + needle.len();
        let bounded = !whole_word
            || ((i == 0 || !is_word_char(hay[i - 1]))
                && (end == hay.len() || !is_word_char(hay[end])));
        if matched && bounded {
            found.push((i, needle.len()));
            i = end;
        } else {
            i += 1;
        }
    }
    found
}

proptest::proptest! {
    #[test]
    fn linear_matching_finds_what_the_naive_matcher_finds(
        text in "[abAB İi_ ]{0,40}",
        find in "[abAB İi]{1,4}",
        match_case: bool,
        whole_word: bool,
    ) {
        proptest::prop_assert_eq!(
            find_matches(&text, &find, match_case, whole_word),
            naive(&text, &find, match_case, whole_word)
        );
        let all = find_matches(&text, &find, match_case, whole_word);
        for m in find_matches_in(&text, &find, match_case, whole_word, 0, 3) {
            proptest::prop_assert_eq!(text[m.bytes.0..m.bytes.1].chars().count(), m.length);
        }
        // Paging: the matches after one match's end are the rest of the list.
        if let Some((i, (offset, length))) = all.iter().copied().enumerate().next() {
            let rest: Vec<(usize, usize)> =
                find_matches_in(&text, &find, match_case, whole_word, offset + length, usize::MAX)
                    .into_iter()
                    .map(|m| (m.offset, m.length))
                    .collect();
            proptest::prop_assert_eq!(&rest[..], &all[i + 1..]);
        }
    }
}
