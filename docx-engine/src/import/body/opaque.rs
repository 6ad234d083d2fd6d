//! What the model does not hold: kept as opaque blocks and inlines with their exact XML.

use super::*;

impl<'a> Importer<'a> {
    /// An element kept as its exact XML: the namespace declarations it uses added to its
    /// root, its relationships renamed to ids of its own and recorded, a paragraph's
    /// section properties left out (they are a section break block of their own).
    pub(super) fn opaque(
        &mut self,
        node: &Node,
        ctx: &PartContext<'_>,
        reason: &str,
    ) -> OpaqueBlock {
        let (mut xml, mut rels, refused) = self.fragment(node, ctx);
        let text: String = clean_text(&node.text())
            .chars()
            .take(self.model_limits.max_text_chars)
            .collect();
        if let Some(refusal) = refused {
            // No XML: renders write its text (as they do for XML that does not parse).
            self.warn_refused(refusal, &ctx.name);
            xml.clear();
            rels.clear();
        }
        OpaqueBlock {
            id: domain::BlockId::new("import"),
            element: node.qname.to_string(),
            reason: reason.to_string(),
            text,
            xml,
            rels,
        }
    }

    /// Inline content kept as its XML, as a run: its text what readers show of it
    /// (U+FFFC when it shows none), with a warning of its kind.
    pub(super) fn opaque_inline(
        &mut self,
        node: &Node,
        ctx: &PartContext<'_>,
        base: &RunFormat,
        st: &mut Inline,
        why: &Unmodelled,
        place: &str,
    ) {
        let (xml, rels, refused) = self.fragment(node, ctx);
        if let Some(refusal) = refused {
            self.warn_refused(refusal, place);
            // A picture shows as its alt text; anything else as its text.
            let alt = node
                .descendants()
                .find(|n| n.is(Ns::Wp, "docPr"))
                .and_then(|d| d.attrs.iter().find(|a| a.local == "descr"))
                .map(|a| clean_text(&a.value));
            let text = alt
                .filter(|t| !t.is_empty())
                .unwrap_or_else(|| clean_text(&node.text()));
            if !text.is_empty() {
                let mut format = base.clone();
                format.field = None;
                format.image = None;
                push_run(st, text, format);
            }
            return;
        }
        let key = format!("inline_{}", why.kind);
        let reason = why.reason.clone();
        self.warnings.add(
            &key,
            || format!("kept as opaque inline content (written back as it was, its text read, not edited): {reason}"),
            place,
        );
        let mut text = clean_text(&node.text());
        if text.is_empty() {
            text.push(domain::IMAGE_CHAR);
        }
        let mut format = base.clone();
        format.field = None;
        format.image = None;
        format.opaque = Some(domain::OpaqueInline {
            element: node.qname.to_string(),
            xml,
            rels,
        });
        push_run(st, text, format);
    }

    /// An element's exact XML with the namespace declarations it uses added to its root
    /// and its relationships renamed to ids of its own (recorded); a paragraph's section
    /// properties left out (they are a section break block of their own).
    pub(super) fn fragment(
        &mut self,
        node: &Node,
        ctx: &PartContext<'_>,
    ) -> (String, Vec<OpaqueRel>, Option<Refused>) {
        let base = node.span.start;
        let mut xml = ctx.text.get(node.span.clone()).unwrap_or("").to_string();
        // Edits by span, applied from the end so earlier offsets stay right: a paragraph's
        // sectPr cut out.
        let mut edits: Vec<(std::ops::Range<usize>, String)> = Vec::new();
        let mut cut: Option<std::ops::Range<usize>> = None;
        if node.is(Ns::W, "p")
            && let Some(sect) = node.path(Ns::W, &["pPr", "sectPr"])
        {
            let range = sect.span.start - base..sect.span.end - base;
            edits.push((range.clone(), String::new()));
            cut = Some(range);
        }
        edits.sort_by_key(|e| std::cmp::Reverse(e.0.start));
        for (range, text) in edits {
            if cut
                .as_ref()
                .is_some_and(|c| range.start > c.start && range.end <= c.end)
            {
                continue;
            }
            if xml.get(range.clone()).is_some() {
                xml.replace_range(range, &text);
            }
        }
        let inside_cut = |n: &Node| {
            cut.as_ref()
                .is_some_and(|c| n.span.start - base >= c.start && n.span.end - base <= c.end)
        };
        // Relationships: every attribute in the relationships namespace.
        let mut rels: Vec<OpaqueRel> = Vec::new();
        let mut refused: Option<Refused> = None;
        let mut renames: Vec<(String, String, String)> = Vec::new();
        let mut prefixes: HashSet<String> = HashSet::new();
        for n in std::iter::once(node).chain(node.descendants()) {
            if inside_cut(n) {
                continue;
            }
            if let Some((prefix, _)) = n.qname.split_once(':') {
                prefixes.insert(prefix.to_string());
            }
            for a in &n.attrs {
                if let Some((prefix, _)) = a.qname.split_once(':')
                    && prefix != "xmlns"
                {
                    prefixes.insert(prefix.to_string());
                }
                if a.ns != Ns::R {
                    continue;
                }
                let Some(rel) = ctx.rels.get(a.value.as_ref()) else {
                    continue;
                };
                if let Some(refusal) = crate::import::package::refused(rel, self.package) {
                    refused.get_or_insert(refusal);
                    continue;
                }
                let new_id = match rels.iter().find(|r| {
                    r.kind == rel.kind && r.target == rel.target && r.external == rel.external
                }) {
                    Some(r) => r.id.clone(),
                    None => {
                        self.opaque_rels += 1;
                        let id = format!("rIdFolioO{}", self.opaque_rels);
                        rels.push(OpaqueRel {
                            id: id.clone(),
                            kind: rel.kind.clone(),
                            target: rel.target.clone(),
                            external: rel.external,
                        });
                        id
                    }
                };
                renames.push((a.qname.to_string(), a.value.to_string(), new_id));
            }
        }
        for (qname, old, new) in renames {
            for quote in ['"', '\''] {
                let from = format!("{qname}={quote}{old}{quote}");
                let to = format!("{qname}={quote}{new}{quote}");
                xml = xml.replace(&from, &to);
            }
        }
        // The declarations its prefixes need, on its root.
        let own: HashSet<&str> = node.attrs.iter().map(|a| a.qname).collect();
        let mut added = String::new();
        for (name, value) in &ctx.declarations {
            if own.contains(name.as_str()) {
                continue;
            }
            if let Some(prefix) = name.strip_prefix("xmlns:") {
                if prefixes.contains(prefix) || (prefix == "mc" && !added.contains("mc:Ignorable"))
                {
                    added.push_str(&format!(" {name}=\"{}\"", crate::xml_safe::escape(value)));
                }
            } else if name == "xmlns" {
                added.push_str(&format!(" xmlns=\"{}\"", crate::xml_safe::escape(value)));
            } else if name == "mc:Ignorable" {
                let kept: Vec<&str> = value
                    .split_whitespace()
                    .filter(|p| prefixes.contains(*p))
                    .collect();
                if !kept.is_empty() {
                    added.push_str(&format!(" mc:Ignorable=\"{}\"", kept.join(" ")));
                }
            }
        }
        if !added.contains("mc:Ignorable") {
            // mc's declaration was only wanted for Ignorable.
            if let Some(at) = added.find(" xmlns:mc=")
                && !prefixes.contains("mc")
            {
                let end = added[at + 1..]
                    .find(" xmlns")
                    .map_or(added.len(), |e| at + 1 + e);
                added.replace_range(at..end, "");
            }
        }
        let insert_at = 1 + node.qname.len();
        if xml.get(..insert_at).is_some() {
            xml.insert_str(insert_at, &added);
        }
        (xml, rels, refused)
    }
}

pub(super) fn element_reason(node: &Node) -> String {
    match (node.ns, node.local) {
        (Ns::W, "customXml") => "custom XML markup".into(),
        (Ns::W, "altChunk") => "embedded alternative content (altChunk)".into(),
        (
            Ns::W,
            "ins" | "del" | "moveFrom" | "moveTo" | "moveFromRangeStart" | "moveFromRangeEnd"
            | "moveToRangeStart" | "moveToRangeEnd",
        ) => "tracked changes".into(),
        (Ns::Other, "oMathPara") => "equations".into(),
        _ => format!("the element {}", node.qname),
    }
}
