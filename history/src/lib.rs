//! What changed between two versions of a document and who changed it: the pure logic
//! behind folio's diff, redline and blame, in one place with its tests. Storage keeps
//! the blame this crate folds (`infrastructure::views`), the projectors fold it as events
//! arrive, `app` reads diffs and blame through it and `docx-engine` writes redlines with
//! its alignment and word diff.
//!
//! - [`mod@align`]: two versions' blocks aligned by their stable ids (which stayed, which
//!   moved).
//! - [`words`]: the one word diff (Unicode words, bounded in time) and its symmetric spans.
//! - [`blame`]: per block, which change wrote each word range, folded event by event.
//! - [`attribution`]: which event made a block's change (its text, its formatting).
//!
//! No IO, no async: documents and events in, answers out.

pub mod align;
pub mod attribution;
pub mod blame;
pub mod words;

pub use align::{Alignment, align};
pub use attribution::{Attribution, ChangeKind, formats_only, last_changes};
pub use blame::{BlockBlame, Change, DiffBudget};
pub use words::{Op, WORD_DIFF_TIMEOUT, spans, word_diff};
