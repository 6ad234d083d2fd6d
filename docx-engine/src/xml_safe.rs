//! The one place where strings are made fit for XML.
//!
//! The domain refuses text XML 1.0 cannot hold, but a store written by an earlier build may
//! still hold some (font names were not checked before). The writer cleans and escapes
//! every string where it writes it (`write::xml`); the exports and the importer's own
//! small XML use [`escape`].

use std::borrow::Cow;

use domain::text::is_xml_char;

/// `s` with every character XML 1.0 cannot hold removed, borrowed when there is none.
pub(crate) fn clean(s: &str) -> Cow<'_, str> {
    if s.chars().all(is_xml_char) {
        Cow::Borrowed(s)
    } else {
        Cow::Owned(s.chars().filter(|c| is_xml_char(*c)).collect())
    }
}

/// `s` cleaned and escaped for XML text or a double-quoted attribute value.
pub(crate) fn escape(s: &str) -> String {
    quick_xml::escape::escape(clean(s).as_ref()).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn characters_xml_cannot_hold_are_dropped_and_markup_is_escaped() {
        assert_eq!(clean("A\u{1}B\u{fffe}\u{b}"), "AB");
        assert!(matches!(clean("plain"), Cow::Borrowed(_)));
        assert_eq!(
            escape("<w:p a=\"1\">&\u{0}"),
            "&lt;w:p a=&quot;1&quot;&gt;&amp;"
        );
    }
}
