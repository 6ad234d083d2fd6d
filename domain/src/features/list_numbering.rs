//! List numbering: the number format or bullet character of a list, its first number,
//! and whether it restarts or goes on from the previous numbered list.
//!
//! The command, how it is decided and how its event is applied.

use serde::{Deserialize, Serialize};

use crate::error::{DocumentError, EventMisfit};
use crate::event::DocumentEvent;
use crate::ids::BlockId;
use crate::input::wrong_type;
use crate::model::{Block, Document, ListKind, NumberStyle};

/// Word's largest start value.
const MAX_START: u32 = 32_767;

/// `set_list_numbering`: changes the fields given.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SetListNumbering {
    /// Target block id (a list).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub block_id: Option<BlockId>,
    /// Target block index.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub block_index: Option<usize>,
    /// Number format of a numbered list: `decimal`, `lower_letter`, `upper_letter`,
    /// `lower_roman` or `upper_roman`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<NumberStyle>,
    /// Bullet character of a bulleted list (one character, like `–`, `■` or `✓`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bullet: Option<String>,
    /// First number of a numbered list (0 to 32767); restarts the numbering there.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(maximum = 32767))]
    pub start: Option<u32>,
    /// Numbered lists: `true` goes on from the previous numbered list, `false` restarts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub continue_previous: Option<bool>,
}

impl Document {
    /// Decides `set_list_numbering`.
    pub(crate) fn decide_set_list_numbering(
        &self,
        c: &SetListNumbering,
    ) -> Result<Option<DocumentEvent>, DocumentError> {
        let (_, block) = self.target(c.block_id.as_ref(), c.block_index)?;
        let Block::List(list) = block else {
            return Err(wrong_type(block, "list"));
        };
        let numbered = list.kind == ListKind::Numbered;
        let mut numbering = list.numbering.clone();
        if c.format.is_none()
            && c.bullet.is_none()
            && c.start.is_none()
            && c.continue_previous.is_none()
        {
            return Err(DocumentError::invalid(
                "format",
                "give at least one of format, bullet, start, continue_previous",
            ));
        }
        if !numbered && (c.format.is_some() || c.start.is_some() || c.continue_previous.is_some()) {
            return Err(DocumentError::invalid(
                "format",
                "format, start and continue_previous are for numbered lists",
            ));
        }
        if let Some(bullet) = &c.bullet {
            if numbered {
                return Err(DocumentError::invalid(
                    "bullet",
                    "a bullet is for bulleted lists",
                ));
            }
            let mut chars = bullet.chars();
            let one = chars.next().filter(|_| chars.next().is_none());
            match one {
                Some(ch)
                    if !ch.is_whitespace() && !ch.is_control() && crate::text::is_xml_char(ch) =>
                {
                    numbering.bullet = Some(bullet.clone());
                }
                _ => {
                    return Err(DocumentError::invalid(
                        "bullet",
                        "a bullet is one visible character",
                    ));
                }
            }
        }
        if let Some(format) = c.format {
            numbering.format = Some(format);
        }
        if let Some(start) = c.start {
            if start > MAX_START {
                return Err(DocumentError::invalid(
                    "start",
                    format!("start must be 0 to {MAX_START}"),
                ));
            }
            if c.continue_previous == Some(true) {
                return Err(DocumentError::invalid(
                    "start",
                    "a list that goes on from the previous one does not start anew",
                ));
            }
            numbering.start = Some(start);
            numbering.continue_previous = false;
        }
        if let Some(cont) = c.continue_previous {
            numbering.continue_previous = cont;
            if cont {
                numbering.start = None;
            }
        }
        if numbering == list.numbering {
            return Ok(None);
        }
        Ok(Some(DocumentEvent::ListNumberingSet {
            block_id: list.id.clone(),
            numbering,
        }))
    }

    /// Folds a list numbering event into the state (see [`Document::try_apply`]).
    pub(crate) fn apply_list_numbering(
        &mut self,
        event: &DocumentEvent,
        misfit: &dyn Fn(&'static str) -> EventMisfit,
    ) -> Result<(), EventMisfit> {
        let DocumentEvent::ListNumberingSet {
            block_id,
            numbering,
        } = event
        else {
            return Err(misfit("not an event of this feature"));
        };
        match self.block_mut(block_id) {
            Some(Block::List(l)) => l.numbering = numbering.clone(),
            _ => return Err(misfit("no such list")),
        }
        Ok(())
    }
}

/// The number `n` (1-based count from the start) in a format: `3`, `c`, `C`, `iii`, `III`;
/// letters go on as Word's do (`z`, `aa`, `bb`…). Zero and numbers past what a format can
/// show are written as decimals.
pub fn format_number(style: NumberStyle, n: u64) -> String {
    match style {
        NumberStyle::Decimal => n.to_string(),
        NumberStyle::LowerLetter | NumberStyle::UpperLetter if n > 0 => {
            let offset = u8::try_from((n - 1) % 26).unwrap_or(0);
            let repeat = usize::try_from((n - 1) / 26 + 1).unwrap_or(1).min(64);
            let letter = char::from(b'a' + offset).to_string().repeat(repeat);
            if style == NumberStyle::UpperLetter {
                letter.to_uppercase()
            } else {
                letter
            }
        }
        NumberStyle::LowerRoman | NumberStyle::UpperRoman if (1..4000).contains(&n) => {
            let roman = roman(n);
            if style == NumberStyle::UpperRoman {
                roman.to_uppercase()
            } else {
                roman
            }
        }
        _ => n.to_string(),
    }
}

fn roman(mut n: u64) -> String {
    const NUMERALS: [(u64, &str); 13] = [
        (1000, "m"),
        (900, "cm"),
        (500, "d"),
        (400, "cd"),
        (100, "c"),
        (90, "xc"),
        (50, "l"),
        (40, "xl"),
        (10, "x"),
        (9, "ix"),
        (5, "v"),
        (4, "iv"),
        (1, "i"),
    ];
    let mut out = String::new();
    for (value, numeral) in NUMERALS {
        while n >= value {
            out.push_str(numeral);
            n -= value;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    //! Given/when/then: this feature's rules.

    use super::*;
    use crate::command::*;
    use crate::decide::tests::{create, given, when};

    fn list(kind: ListKind) -> DocumentCommand {
        DocumentCommand::AddList(AddList {
            kind,
            items: vec![ListItemInput::Text("a".into())],
            position: None,
        })
    }

    fn set(c: SetListNumbering) -> DocumentCommand {
        DocumentCommand::SetListNumbering(SetListNumbering {
            block_index: Some(0),
            ..c
        })
    }

    #[test]
    fn numbered_lists_take_formats_and_starts_bullets_take_characters() {
        let doc = given(&[create(), list(ListKind::Numbered)]);
        let doc = when(
            &doc,
            set(SetListNumbering {
                format: Some(NumberStyle::UpperRoman),
                start: Some(4),
                ..SetListNumbering::default()
            }),
        )
        .unwrap();
        let Block::List(l) = &doc.blocks[0] else {
            panic!()
        };
        assert_eq!(l.numbering.format, Some(NumberStyle::UpperRoman));
        assert_eq!(l.numbering.start, Some(4));
        let doc = when(
            &doc,
            set(SetListNumbering {
                continue_previous: Some(true),
                ..SetListNumbering::default()
            }),
        )
        .unwrap();
        let Block::List(l) = &doc.blocks[0] else {
            panic!()
        };
        assert_eq!(
            (l.numbering.start, l.numbering.continue_previous),
            (None, true)
        );
        let bullets = given(&[create(), list(ListKind::Bullet)]);
        let bullets = when(
            &bullets,
            set(SetListNumbering {
                bullet: Some("✓".into()),
                ..SetListNumbering::default()
            }),
        )
        .unwrap();
        let Block::List(l) = &bullets.blocks[0] else {
            panic!()
        };
        assert_eq!(l.numbering.bullet.as_deref(), Some("✓"));
    }

    #[test]
    fn what_does_not_fit_the_kind_is_refused() {
        let numbered = given(&[create(), list(ListKind::Numbered)]);
        let bullets = given(&[create(), list(ListKind::Bullet)]);
        let bad_numbered = [
            SetListNumbering::default(),
            SetListNumbering {
                bullet: Some("-".into()),
                ..SetListNumbering::default()
            },
            SetListNumbering {
                start: Some(40_000),
                ..SetListNumbering::default()
            },
            SetListNumbering {
                start: Some(2),
                continue_previous: Some(true),
                ..SetListNumbering::default()
            },
        ];
        for c in bad_numbered {
            assert!(when(&numbered, set(c.clone())).is_err(), "{c:?}");
        }
        for c in [
            SetListNumbering {
                format: Some(NumberStyle::Decimal),
                ..SetListNumbering::default()
            },
            SetListNumbering {
                bullet: Some("ab".into()),
                ..SetListNumbering::default()
            },
            SetListNumbering {
                bullet: Some(" ".into()),
                ..SetListNumbering::default()
            },
        ] {
            assert!(when(&bullets, set(c.clone())).is_err(), "{c:?}");
        }
    }

    #[test]
    fn numbers_are_written_as_word_writes_them() {
        assert_eq!(format_number(NumberStyle::LowerLetter, 28), "bb");
        assert_eq!(format_number(NumberStyle::UpperLetter, 3), "C");
        assert_eq!(format_number(NumberStyle::UpperRoman, 14), "XIV");
        assert_eq!(format_number(NumberStyle::LowerRoman, 0), "0");
        assert_eq!(format_number(NumberStyle::LowerLetter, u64::MAX).len(), 64);
    }
}
