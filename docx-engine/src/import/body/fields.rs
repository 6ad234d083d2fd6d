//! Fields (PAGE, NUMPAGES, DATE, hyperlinks as fields) and the table of contents.

use super::*;

impl<'a> Importer<'a> {
    /// Gives the table of contents just read (the last block) the entries of its field.
    pub(super) fn keep_toc_pages(&self, blocks: &mut [Block], paragraphs: &[&Node]) {
        let pages = self.toc_pages(paragraphs);
        if let Some(Block::TableOfContents(toc)) = blocks.last_mut() {
            toc.pages = pages;
        }
    }

    /// The entries of a table of contents field's paragraphs — each a `TOC N` paragraph
    /// whose text is the heading's, a tab, and the page number Word computed — or none
    /// when any paragraph with text is not such an entry (then folio writes its own).
    pub(super) fn toc_pages(&self, paragraphs: &[&Node]) -> Vec<domain::TocPage> {
        let mut pages = Vec::new();
        for p in paragraphs {
            let text = clean_text(&p.text());
            if text.trim().is_empty() {
                continue;
            }
            let level = p
                .path(Ns::W, &["pPr", "pStyle"])
                .and_then(Node::val)
                .and_then(|style| self.toc_level(style));
            let Some((entry, page)) = text.rsplit_once('\t') else {
                return Vec::new();
            };
            let (entry, page) = (entry.trim(), page.trim());
            match level {
                Some(level)
                    if !entry.is_empty()
                        && !page.is_empty()
                        && page.chars().count() <= domain::model::MAX_TOC_PAGE_CHARS
                        && entry.chars().count() <= self.model_limits.max_text_chars =>
                {
                    pages.push(domain::TocPage {
                        level,
                        text: entry.to_string(),
                        page: page.to_string(),
                    });
                }
                _ => return Vec::new(),
            }
        }
        pages
    }

    /// The level of a table of contents entry style (`TOC1`, or a style named "toc 1").
    pub(super) fn toc_level(&self, style: &str) -> Option<u8> {
        let digits = style
            .to_ascii_lowercase()
            .strip_prefix("toc")
            .map(|d| d.trim().to_string())
            .and_then(|d| d.parse::<u8>().ok());
        digits
            .or_else(|| (1..=9).find(|n| self.styles.name_is(style, &format!("toc {n}"))))
            .filter(|n| (1..=9).contains(n))
    }
}

pub(super) fn finish_field(
    kind: FieldKind,
    runs: Vec<Run>,
    st: &mut Inline,
    lenient: bool,
) -> Result<(), Unmodelled> {
    match kind {
        FieldKind::Shown(field) => {
            let text: String = runs.iter().map(|r| r.text.as_str()).collect();
            if text.is_empty() {
                if lenient {
                    return Ok(());
                }
                return Err(unmodelled("field", "a field without a shown value"));
            }
            let mut format = runs
                .into_iter()
                .next()
                .map(|r| r.format)
                .unwrap_or_default();
            format.field = Some(field);
            push_run(st, text, format);
        }
        FieldKind::Link(target) => {
            for mut run in runs {
                if !target.is_empty() && run.format.link.is_none() {
                    run.format.link = Some(target.clone());
                }
                push_run(st, run.text, run.format);
            }
        }
    }
    Ok(())
}

/// A field instruction's kind, if the model holds it.
pub(super) fn field_kind(instr: &str) -> Option<FieldKind> {
    let mut words = instr.split_whitespace();
    let name = words.next()?.to_ascii_uppercase();
    match name.as_str() {
        "PAGE" => Some(FieldKind::Shown(Field::Page)),
        "NUMPAGES" => Some(FieldKind::Shown(Field::NumPages)),
        "DATE" => Some(FieldKind::Shown(Field::Date)),
        "HYPERLINK" => {
            let rest: Vec<&str> = words.collect();
            let rest = rest.join(" ");
            let quoted = |s: &str| -> Option<String> {
                let s = s.trim();
                let s = s.strip_prefix('"').unwrap_or(s);
                let end = s.find('"').unwrap_or(s.len());
                let v = s[..end].trim().to_string();
                (!v.is_empty()).then_some(v)
            };
            let (before, anchor) = match rest.split_once("\\l") {
                Some((before, a)) => (before.to_string(), quoted(a)),
                None => (rest.clone(), None),
            };
            match (quoted(&before), anchor) {
                (Some(url), anchor) => {
                    let lower = url.to_ascii_lowercase();
                    let web = lower.starts_with("http://")
                        || lower.starts_with("https://")
                        || lower.starts_with("mailto:");
                    web.then(|| match anchor {
                        Some(a) if !url.contains('#') => FieldKind::Link(format!("{url}#{a}")),
                        _ => FieldKind::Link(url),
                    })
                }
                (None, Some(anchor)) if is_bookmark_name(&anchor) => {
                    Some(FieldKind::Link(format!("#{anchor}")))
                }
                (None, _) => None,
            }
        }
        _ => None,
    }
}

pub(super) fn field_name(instr: &str) -> String {
    instr
        .split_whitespace()
        .next()
        .unwrap_or("(empty)")
        .to_ascii_uppercase()
        .chars()
        .take(40)
        .collect()
}

/// The complex-field depth after `node`, starting from `depth` (begins minus ends).
pub(super) fn field_depth_after(node: &Node, mut depth: usize) -> usize {
    for n in node.descendants() {
        if n.is(Ns::W, "fldChar") {
            match n.attr(Ns::W, "fldCharType") {
                Some("begin") => depth += 1,
                Some("end") => depth = depth.saturating_sub(1),
                _ => {}
            }
        }
    }
    depth
}

/// The deepest level of the table of contents whose field starts in this paragraph.
pub(super) fn toc_field(p: &Node) -> Option<u8> {
    let mut instr = String::new();
    let mut begun = false;
    for n in p.descendants() {
        if n.is(Ns::W, "fldChar") {
            match n.attr(Ns::W, "fldCharType") {
                Some("begin") if !begun => begun = true,
                Some(_) if begun => break,
                _ => {}
            }
        } else if begun && n.is(Ns::W, "instrText") {
            instr.push_str(&n.text_content());
        }
    }
    toc_levels(&instr)
}

/// A `TOC` field instruction's deepest outline level (`\o "1-3"`; 3 when it has none).
fn toc_levels(instr: &str) -> Option<u8> {
    let trimmed = instr.trim_start();
    // Only a table of contents over the outline levels (not a table of figures, `\c`,
    // or one of fields, `\f`) is the model's.
    if !trimmed.to_ascii_uppercase().starts_with("TOC")
        || !trimmed.contains("\\o")
        || trimmed.contains("\\c")
        || trimmed.contains("\\f")
    {
        return None;
    }
    Some(
        trimmed
            .split_once("\\o")
            .and_then(|(_, rest)| {
                let rest = rest.trim().trim_start_matches('"');
                let range = rest.split('"').next()?;
                range.split('-').nth(1)?.trim().parse::<u8>().ok()
            })
            .filter(|l| (1..=9).contains(l))
            .unwrap_or(3),
    )
}

/// Keeps a table of contents' page numbers only when its entries are the document's
/// headings (what a render would show them for): a stale table's are dropped, and folio
/// writes its entries anew for Word to number.
pub(super) fn keep_matching_toc_pages(blocks: &mut [Block]) {
    let headings: Vec<(u8, String)> = blocks
        .iter()
        .filter_map(|b| match b {
            Block::Heading(h) => Some((h.level, b.text())),
            _ => None,
        })
        .collect();
    for block in blocks.iter_mut() {
        if let Block::TableOfContents(toc) = block {
            let listed: Vec<(u8, String)> = headings
                .iter()
                .filter(|(level, _)| *level <= toc.max_level)
                .cloned()
                .collect();
            if toc.cached_pages(&listed).is_none() {
                toc.pages.clear();
            }
        }
    }
}

/// A content control holding Word's table of contents, as the model's.
pub(super) fn table_of_contents(sdt: &Node) -> Option<TableOfContents> {
    let gallery = sdt
        .path(Ns::W, &["sdtPr", "docPartObj", "docPartGallery"])
        .and_then(Node::val)?;
    if gallery != "Table of Contents" {
        return None;
    }
    let content = sdt.child(Ns::W, "sdtContent")?;
    let instr: String = content
        .descendants()
        .filter(|n| n.is(Ns::W, "instrText"))
        .map(Node::text_content)
        .collect();
    let max_level = toc_levels(&instr)?;
    // A title paragraph before the field (one without the field's instruction).
    let title = content
        .elements()
        .take_while(|p| !p.descendants().any(|n| n.is(Ns::W, "fldChar")))
        .map(|p| clean_text(&p.text()))
        .find(|t| !t.trim().is_empty())
        .map(|t| t.chars().take(1000).collect());
    Some(TableOfContents {
        id: domain::BlockId::new("import"),
        max_level,
        title,
        pages: Vec::new(),
    })
}
