//! A small, bounded XML tree for the importer, built on quick-xml without recursion: no
//! DTD (a `DOCTYPE` is refused, so no entity can be declared or expanded), only XML's five
//! predefined entities and character references, a nesting-depth limit, and each element's
//! exact byte span (an opaque block keeps those bytes).
//!
//! Names are resolved to the namespaces folio knows, transitional and strict alike, so
//! the mapping reads both.

use std::borrow::Cow;
use std::ops::Range;

use quick_xml::events::Event;
use quick_xml::name::ResolveResult;
use quick_xml::reader::NsReader;

use super::ImportError;

/// The namespaces the importer reads. Strict OOXML's (`purl.oclc.org`) map to the same.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Ns {
    /// WordprocessingML main.
    W,
    /// Relationships (attributes `r:id`, `r:embed`…).
    R,
    /// WordprocessingML drawing (`wp:inline`, `wp:anchor`).
    Wp,
    /// DrawingML main (`a:blip`, `a:graphic`).
    A,
    /// DrawingML picture (`pic:pic`).
    Pic,
    /// Markup compatibility (`mc:AlternateContent`).
    Mc,
    /// Anything else (or no namespace).
    Other,
}

impl Ns {
    fn of(uri: &[u8]) -> Self {
        match uri {
            b"http://schemas.openxmlformats.org/wordprocessingml/2006/main"
            | b"http://purl.oclc.org/ooxml/wordprocessingml/main" => Ns::W,
            b"http://schemas.openxmlformats.org/officeDocument/2006/relationships"
            | b"http://purl.oclc.org/ooxml/officeDocument/relationships" => Ns::R,
            b"http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
            | b"http://purl.oclc.org/ooxml/drawingml/wordprocessingDrawing" => Ns::Wp,
            b"http://schemas.openxmlformats.org/drawingml/2006/main"
            | b"http://purl.oclc.org/ooxml/drawingml/main" => Ns::A,
            b"http://schemas.openxmlformats.org/drawingml/2006/picture"
            | b"http://purl.oclc.org/ooxml/drawingml/picture" => Ns::Pic,
            b"http://schemas.openxmlformats.org/markup-compatibility/2006" => Ns::Mc,
            _ => Ns::Other,
        }
    }
}

/// An attribute: its namespace, local name, name as written, and unescaped value (names
/// and values without escapes borrow the part's text: no allocation per attribute).
#[derive(Debug, Clone)]
pub(crate) struct Attr<'a> {
    pub(crate) ns: Ns,
    pub(crate) local: &'a str,
    pub(crate) qname: &'a str,
    pub(crate) value: Cow<'a, str>,
}

/// An element.
#[derive(Debug, Clone)]
pub(crate) struct Node<'a> {
    pub(crate) ns: Ns,
    pub(crate) local: &'a str,
    /// The name as written (`w:p`).
    pub(crate) qname: &'a str,
    pub(crate) attrs: Vec<Attr<'a>>,
    pub(crate) children: Vec<Child<'a>>,
    /// Its bytes in the part, start tag to end tag.
    pub(crate) span: Range<usize>,
}

/// What an element holds.
#[derive(Debug, Clone)]
pub(crate) enum Child<'a> {
    Element(Node<'a>),
    Text(Cow<'a, str>),
}

impl<'a> Node<'a> {
    /// Whether this is `ns:local`.
    pub(crate) fn is(&self, ns: Ns, local: &str) -> bool {
        self.ns == ns && self.local == local
    }

    /// The child elements.
    pub(crate) fn elements(&self) -> impl Iterator<Item = &Node<'a>> + '_ {
        self.children.iter().filter_map(|c| match c {
            Child::Element(n) => Some(n),
            Child::Text(_) => None,
        })
    }

    /// The first child `ns:local`.
    pub(crate) fn child(&self, ns: Ns, local: &str) -> Option<&Node<'a>> {
        self.elements().find(|n| n.is(ns, local))
    }

    /// A descendant on the path of children `path` (each in `ns`).
    pub(crate) fn path(&self, ns: Ns, path: &[&str]) -> Option<&Node<'a>> {
        let mut node = self;
        for local in path {
            node = node.child(ns, local)?;
        }
        Some(node)
    }

    /// An attribute by namespace and local name; a WordprocessingML attribute is also
    /// found without a prefix (some writers leave it off).
    pub(crate) fn attr(&self, ns: Ns, local: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|a| a.local == local && (a.ns == ns || (ns == Ns::W && a.ns == Ns::Other)))
            .map(|a| a.value.as_ref())
    }

    /// `w:val`.
    pub(crate) fn val(&self) -> Option<&str> {
        self.attr(Ns::W, "val")
    }

    /// The `w:val` of the child `w:local`, if the child is there.
    pub(crate) fn child_val(&self, local: &str) -> Option<&str> {
        self.child(Ns::W, local).and_then(Node::val)
    }

    /// Whether the on/off property `w:local` is on (present without `w:val`, or with a
    /// true one).
    pub(crate) fn flag(&self, local: &str) -> Option<bool> {
        self.child(Ns::W, local)
            .map(|n| !matches!(n.val(), Some("0" | "false" | "off" | "none")))
    }

    /// Every descendant element, depth first (iteratively).
    pub(crate) fn descendants(&self) -> impl Iterator<Item = &Node<'a>> + '_ {
        let mut stack: Vec<&Node<'a>> = self.elements().collect::<Vec<_>>();
        stack.reverse();
        std::iter::from_fn(move || {
            let next = stack.pop()?;
            let mark = stack.len();
            stack.extend(next.elements());
            if let Some(children) = stack.get_mut(mark..) {
                children.reverse();
            }
            Some(next)
        })
    }

    /// The text of `w:t` (and tabs, breaks) inside, as Word shows it.
    pub(crate) fn text(&self) -> String {
        let mut out = String::new();
        for node in std::iter::once(self).chain(self.descendants()) {
            if node.ns != Ns::W {
                continue;
            }
            match node.local {
                "t" => {
                    for c in &node.children {
                        if let Child::Text(t) = c {
                            out.push_str(t);
                        }
                    }
                }
                "tab" => out.push('\t'),
                "br" | "cr" => out.push('\n'),
                "p" if !out.is_empty() && !out.ends_with('\n') => out.push('\n'),
                _ => {}
            }
        }
        out
    }
}

/// A parsed part: its root element and the namespace declarations on the root.
#[derive(Debug)]
pub(crate) struct Tree<'a> {
    pub(crate) root: Node<'a>,
    /// `xmlns:*` attributes of the root as written (name, value), and `mc:Ignorable`.
    pub(crate) root_declarations: Vec<(String, String)>,
}

/// Parses one part. `part` names it in errors.
///
/// # Errors
/// Not well-formed, not UTF-8, a DOCTYPE, an undeclared entity, nesting deeper than
/// `max_depth`, or more than `max_nodes` elements.
pub(crate) fn parse<'a>(
    bytes: &'a [u8],
    part: &str,
    max_depth: usize,
    max_nodes: usize,
) -> Result<Tree<'a>, ImportError> {
    let bad = |what: String| ImportError::Malformed(format!("{part}: {what}"));
    // A UTF-8 byte order mark is allowed (and skipped); other encodings are not.
    let text = std::str::from_utf8(bytes).map_err(|_| bad("is not UTF-8".into()))?;
    let offset = if text.starts_with('\u{feff}') { 3 } else { 0 };
    let text = &text[offset..];
    let mut reader = NsReader::from_str(text);
    {
        let config = reader.config_mut();
        config.check_end_names = true;
        config.expand_empty_elements = false;
    }
    // A name or value the reader hands back borrows `text`: its place there gives the
    // same slice with the part's lifetime.
    let borrowed = |part: &[u8]| -> Option<&'a str> {
        let at = (part.as_ptr() as usize).checked_sub(text.as_ptr() as usize)?;
        text.get(at..at.checked_add(part.len())?)
    };
    let owned = |part: &[u8]| Cow::Owned(String::from_utf8_lossy(part).into_owned());
    let mut stack: Vec<Node<'a>> = Vec::new();
    let mut root: Option<Node<'a>> = None;
    let mut declarations = Vec::new();
    let mut nodes = 0usize;
    loop {
        let start = usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX);
        let (resolved, event) = reader
            .read_resolved_event()
            .map_err(|e| bad(format!("is not well-formed XML ({e})")))?;
        let ns = match resolved {
            ResolveResult::Bound(n) => Ns::of(n.0),
            ResolveResult::Unknown(prefix) => {
                return Err(bad(format!(
                    "uses the undeclared namespace prefix {:?}",
                    String::from_utf8_lossy(&prefix)
                )));
            }
            ResolveResult::Unbound => Ns::Other,
        };
        let end = usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX);
        match event {
            Event::Start(ref e) | Event::Empty(ref e) => {
                nodes += 1;
                if nodes > max_nodes {
                    return Err(ImportError::TooLarge {
                        what: "the number of XML elements in one part",
                        limit: max_nodes as u64,
                    });
                }
                if root.is_some() {
                    return Err(bad("has content after its root element".into()));
                }
                if stack.len() >= max_depth {
                    return Err(ImportError::TooDeep {
                        part: part.to_string(),
                        limit: max_depth,
                    });
                }
                let qname = borrowed(e.name().as_ref()).unwrap_or("");
                let local = borrowed(e.local_name().as_ref()).unwrap_or("");
                let mut attrs = Vec::new();
                for attr in e.attributes() {
                    let attr = attr.map_err(|e| bad(format!("has a bad attribute ({e})")))?;
                    let key = borrowed(attr.key.as_ref()).unwrap_or("");
                    let value = match attr
                        .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                        .map_err(|e| bad(format!("has a bad attribute value ({e})")))?
                    {
                        Cow::Borrowed(v) => borrowed(v.as_bytes())
                            .map_or_else(|| owned(v.as_bytes()), Cow::Borrowed),
                        Cow::Owned(v) => Cow::Owned(v),
                    };
                    if stack.is_empty() && (key.starts_with("xmlns") || key == "mc:Ignorable") {
                        declarations.push((key.to_string(), value.to_string()));
                    }
                    let (ans, alocal) = reader.resolver().resolve_attribute(attr.key);
                    let ans = match ans {
                        ResolveResult::Bound(n) => Ns::of(n.0),
                        ResolveResult::Unknown(prefix) => {
                            return Err(bad(format!(
                                "uses the undeclared namespace prefix {:?}",
                                String::from_utf8_lossy(&prefix)
                            )));
                        }
                        ResolveResult::Unbound => Ns::Other,
                    };
                    attrs.push(Attr {
                        ns: ans,
                        local: borrowed(alocal.as_ref()).unwrap_or(""),
                        qname: key,
                        value,
                    });
                }
                let node = Node {
                    ns,
                    local,
                    qname,
                    attrs,
                    children: Vec::new(),
                    span: start + offset..end + offset,
                };
                if matches!(event, Event::Empty(_)) {
                    close(node, &mut stack, &mut root);
                } else {
                    stack.push(node);
                }
            }
            Event::End(_) => {
                let Some(mut node) = stack.pop() else {
                    return Err(bad("closes an element it never opened".into()));
                };
                node.span.end = end + offset;
                close(node, &mut stack, &mut root);
            }
            Event::Text(e) => {
                let t = e
                    .decode()
                    .map_err(|e| bad(format!("has undecodable text ({e})")))?;
                let t = borrowed(t.as_bytes()).map_or_else(|| owned(t.as_bytes()), Cow::Borrowed);
                push_text(&mut stack, t);
            }
            Event::CData(e) => {
                let t = e
                    .decode()
                    .map_err(|e| bad(format!("has undecodable text ({e})")))?;
                push_text(&mut stack, Cow::Owned(t.into_owned()));
            }
            Event::GeneralRef(r) => {
                let c = match r
                    .resolve_char_ref()
                    .map_err(|e| bad(format!("has a bad character reference ({e})")))?
                {
                    Some(c) => c,
                    None => match &*r as &[u8] {
                        b"lt" => '<',
                        b"gt" => '>',
                        b"amp" => '&',
                        b"apos" => '\'',
                        b"quot" => '"',
                        other => {
                            return Err(bad(format!(
                                "uses the undeclared entity &{};",
                                String::from_utf8_lossy(other)
                            )));
                        }
                    },
                };
                push_text(&mut stack, Cow::Owned(c.to_string()));
            }
            Event::DocType(_) => {
                return Err(ImportError::Forbidden(format!(
                    "{part} has a DOCTYPE: document type definitions (and the entities they declare) are refused"
                )));
            }
            Event::Eof => break,
            Event::Decl(_) | Event::PI(_) | Event::Comment(_) => {}
        }
    }
    if !stack.is_empty() {
        return Err(bad("ends before its elements are closed".into()));
    }
    let root = root.ok_or_else(|| bad("has no root element".into()))?;
    Ok(Tree {
        root,
        root_declarations: declarations,
    })
}

fn push_text<'a>(stack: &mut [Node<'a>], text: Cow<'a, str>) {
    if let Some(node) = stack.last_mut() {
        if let Some(Child::Text(t)) = node.children.last_mut() {
            t.to_mut().push_str(&text);
        } else {
            node.children.push(Child::Text(text));
        }
    }
}

fn close<'a>(node: Node<'a>, stack: &mut [Node<'a>], root: &mut Option<Node<'a>>) {
    match stack.last_mut() {
        Some(parent) => parent.children.push(Child::Element(node)),
        None => *root = Some(node),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_resolve_to_namespaces_and_spans_are_exact() {
        let xml = r#"<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>a &amp; b&#33;</w:t></w:r></w:p></w:body></w:document>"#;
        let tree = parse(xml.as_bytes(), "d", 64, 1000).unwrap();
        let p = tree.root.path(Ns::W, &["body", "p"]).unwrap();
        assert_eq!(
            &xml[p.span.clone()],
            "<w:p><w:r><w:t>a &amp; b&#33;</w:t></w:r></w:p>"
        );
        assert_eq!(p.text(), "a & b!");
        assert_eq!(tree.root_declarations.len(), 1);
    }

    #[test]
    fn doctypes_entities_depth_and_bad_xml_are_refused() {
        let laughs = r#"<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]><a>&lol2;</a>"#;
        assert!(matches!(
            parse(laughs.as_bytes(), "d", 64, 1000),
            Err(ImportError::Forbidden(_))
        ));
        assert!(matches!(
            parse(b"<a>&custom;</a>", "d", 64, 1000),
            Err(ImportError::Malformed(_))
        ));
        let deep = format!("{}{}", "<a>".repeat(100), "</a>".repeat(100));
        assert!(matches!(
            parse(deep.as_bytes(), "d", 64, 1000),
            Err(ImportError::TooDeep { .. })
        ));
        assert!(parse(b"<a><b></a>", "d", 64, 1000).is_err());
        assert!(parse(b"<a></a><b/>", "d", 64, 1000).is_err());
        assert!(parse(b"\xff\xfe<a/>", "d", 64, 1000).is_err());
    }
}
