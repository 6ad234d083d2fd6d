//! The one XML emitter of the writer: start tags, empty elements, end tags and text,
//! written straight into the part's stream. Every attribute value and every text is cleaned
//! of characters XML 1.0 cannot hold and escaped here, where it is written; element and
//! attribute names are the writer's own constants.

use std::io::{self, Write};

use crate::xml_safe::clean;

/// An XML part being written into `W` (a zip entry, through a buffer).
pub(crate) struct Xml<W: Write> {
    out: W,
}

/// Attributes: name and value, in the order written.
pub(crate) type Attrs<'a> = &'a [(&'a str, &'a str)];

impl<W: Write> Xml<W> {
    pub(crate) fn new(out: W) -> Self {
        Self { out }
    }

    /// The stream, once the part is written.
    pub(crate) fn into_inner(self) -> W {
        self.out
    }

    /// The XML declaration every part starts with.
    pub(crate) fn declaration(&mut self) -> io::Result<()> {
        self.raw("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n")
    }

    fn tag(&mut self, name: &str, attrs: Attrs<'_>, close: &[u8]) -> io::Result<()> {
        self.out.write_all(b"<")?;
        self.out.write_all(name.as_bytes())?;
        for (key, value) in attrs {
            self.out.write_all(b" ")?;
            self.out.write_all(key.as_bytes())?;
            self.out.write_all(b"=\"")?;
            self.escaped(value)?;
            self.out.write_all(b"\"")?;
        }
        self.out.write_all(close)
    }

    /// `<name a="v">`.
    pub(crate) fn start(&mut self, name: &str, attrs: Attrs<'_>) -> io::Result<()> {
        self.tag(name, attrs, b">")
    }

    /// `<name a="v"/>`.
    pub(crate) fn empty(&mut self, name: &str, attrs: Attrs<'_>) -> io::Result<()> {
        self.tag(name, attrs, b"/>")
    }

    /// `<name w:val="value"/>`: the shape of most property elements.
    pub(crate) fn val(&mut self, name: &str, value: &str) -> io::Result<()> {
        self.tag(name, &[("w:val", value)], b"/>")
    }

    /// `</name>`.
    pub(crate) fn end(&mut self, name: &str) -> io::Result<()> {
        self.out.write_all(b"</")?;
        self.out.write_all(name.as_bytes())?;
        self.out.write_all(b">")
    }

    /// `<name>text</name>`, the text escaped.
    pub(crate) fn element(&mut self, name: &str, attrs: Attrs<'_>, text: &str) -> io::Result<()> {
        self.start(name, attrs)?;
        self.text(text)?;
        self.end(name)
    }

    /// Text content, cleaned and escaped.
    pub(crate) fn text(&mut self, text: &str) -> io::Result<()> {
        self.escaped(text)
    }

    /// XML the writer holds as it is: its own constants, and content checked to be one
    /// well-formed element before it gets here.
    pub(crate) fn raw(&mut self, xml: &str) -> io::Result<()> {
        self.out.write_all(xml.as_bytes())
    }

    fn escaped(&mut self, s: &str) -> io::Result<()> {
        let s = clean(s);
        self.out
            .write_all(quick_xml::escape::escape(s.as_ref()).as_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_and_text_are_escaped_and_cleaned() {
        let mut xml = Xml::new(Vec::new());
        xml.start("w:t", &[("a", "\"<&>\u{1}")]).unwrap();
        xml.text("x</w:t>\u{fffe}\"y").unwrap();
        xml.end("w:t").unwrap();
        xml.val("w:b", "0").unwrap();
        assert_eq!(
            String::from_utf8(xml.into_inner()).unwrap(),
            r#"<w:t a="&quot;&lt;&amp;&gt;">x&lt;/w:t&gt;&quot;y</w:t><w:b w:val="0"/>"#
        );
    }
}
