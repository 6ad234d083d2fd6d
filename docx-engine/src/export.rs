//! Exports: HTML (every text escaped), Markdown (CommonMark + GFM tables) and plain text.
//!
//! About 930 lines: the three formats walk the blocks with one traversal and share its
//! helpers (list numbering, cells, runs); a file per format would repeat the walk. What
//! the exports show of comments and notes is in `review`.

use std::fmt::Write as _;

use domain::{Alignment, Block, Document, ListKind, NumberStyle, Run};
use review::{html_review, labelled, notes_in_order, text_comments};

/// An export format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    /// A standalone HTML5 page.
    Html,
    /// Markdown.
    Markdown,
    /// Plain text.
    Text,
}

impl ExportFormat {
    /// Parses the `format` query value.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "html" => Some(Self::Html),
            "markdown" | "md" => Some(Self::Markdown),
            "text" | "txt" => Some(Self::Text),
            _ => None,
        }
    }

    /// The media type of the export.
    pub fn content_type(self) -> &'static str {
        match self {
            Self::Html => "text/html; charset=utf-8",
            Self::Markdown => "text/markdown; charset=utf-8",
            Self::Text => "text/plain; charset=utf-8",
        }
    }

    /// The file extension.
    pub fn extension(self) -> &'static str {
        match self {
            Self::Html => "html",
            Self::Markdown => "md",
            Self::Text => "txt",
        }
    }
}

/// What an export shows besides the document's content and notes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ExportOptions {
    /// Plain text: the comment threads after the notes (HTML always has them, as
    /// annotations).
    pub comments: bool,
}

/// Renders a document in the given format.
pub fn export(doc: &Document, format: ExportFormat) -> String {
    export_with(doc, format, ExportOptions::default())
}

/// Renders a document in the given format, with `options`. Footnotes and endnotes follow
/// the content (`[1]`, `[i]` in text, `[^1]` in Markdown, a section linked both ways in
/// HTML).
pub fn export_with(doc: &Document, format: ExportFormat, options: ExportOptions) -> String {
    let doc = labelled(doc);
    match format {
        ExportFormat::Html => html(&doc),
        ExportFormat::Markdown => {
            let mut out = markdown(&doc);
            for n in notes_in_order(&doc) {
                let text: Vec<String> = n.note.paragraphs.iter().map(|p| md_runs(p)).collect();
                let _ = writeln!(out, "\n[^{}]: {}", n.label, text.join("\n\n    "));
            }
            out
        }
        ExportFormat::Text => {
            let mut out = text(&doc);
            let notes = notes_in_order(&doc);
            if !notes.is_empty() {
                out.push('\n');
            }
            for n in notes {
                let text: Vec<String> = n.note.paragraphs.iter().map(|p| plain_runs(p)).collect();
                let _ = writeln!(out, "[{}] {}", n.label, text.join("\n"));
            }
            if options.comments {
                text_comments(&doc, &mut out);
            }
            out
        }
    }
}

/// Line breaks as `\n` only: a lone `\r` or `\r\n` from a client is one line break.
fn unix_newlines(s: &str) -> std::borrow::Cow<'_, str> {
    if s.contains('\r') {
        std::borrow::Cow::Owned(s.replace("\r\n", "\n").replace('\r', "\n"))
    } else {
        std::borrow::Cow::Borrowed(s)
    }
}

fn esc(s: &str) -> String {
    html_escape::encode_text(&unix_newlines(s)).replace('\n', "<br>")
}

fn esc_attr(s: &str) -> String {
    html_escape::encode_double_quoted_attribute(s).into_owned()
}

/// Where an export points for an image's bytes: the media download beside the export
/// route (`/v1/documents/{id}/export` → `/v1/documents/{id}/media/{media}`).
fn media_href(image: &domain::InlineImage) -> String {
    // A media id is hex; anything else (a stored event not written by folio) is dropped.
    if domain::is_media_id(&image.media) {
        format!("media/{}", image.media)
    } else {
        String::new()
    }
}

/// An image's shown size in CSS pixels (96 per inch).
fn css_px(emu: u32) -> u64 {
    u64::from(emu).div_ceil(domain::EMU_PER_PX)
}

/// An image in plain text: its alternative text in brackets.
fn text_image(image: &domain::InlineImage) -> String {
    if image.alt_text.is_empty() {
        "[image]".into()
    } else {
        format!("[image: {}]", image.alt_text)
    }
}

/// Runs as plain text, images as their alternative text.
fn plain_runs(runs: &[Run]) -> String {
    runs.iter()
        .filter(|r| !shows_nothing(r))
        .map(|r| match (&r.format.image, &r.format.note) {
            (Some(image), _) => text_image(image),
            (None, Some(_)) => note_text(r),
            (None, None) => r.text.clone(),
        })
        .collect()
}

/// A note reference in plain text: its label in brackets (nothing where it has none).
fn note_text(run: &Run) -> String {
    if run.text.is_empty() || run.text == domain::NOTE_CHAR.to_string() {
        String::new()
    } else {
        format!("[{}]", run.text)
    }
}

/// Opaque inline content readers show nothing of (a comment mark, a deletion): its text
/// is only the object replacement character.
fn shows_nothing(run: &Run) -> bool {
    run.format.opaque.is_some() && run.text == domain::IMAGE_CHAR.to_string()
}

/// One run's text with its formatting as HTML (its link is the caller's).
fn html_run(run: &Run, out: &mut String) {
    if shows_nothing(run) {
        return;
    }
    if let Some(id) = &run.format.note {
        if !note_text(run).is_empty() {
            let _ = write!(
                out,
                "<sup><a href=\"#note-{id}\" id=\"note-ref-{id}\">{}</a></sup>",
                esc(&run.text),
                id = esc_attr(id)
            );
        }
        return;
    }
    if let Some(image) = &run.format.image {
        out.push_str(&format!(
            r#"<img src="{}" alt="{}" width="{}" height="{}">"#,
            esc_attr(&media_href(image)),
            esc_attr(&image.alt_text),
            css_px(image.width_emu),
            css_px(image.height_emu)
        ));
        return;
    }
    {
        let f = &run.format;
        let mut inner = esc(&run.text);
        let mut css = Vec::new();
        if let Some(font) = &f.font {
            // Only characters that cannot end the CSS value survive.
            let safe: String = font
                .chars()
                .filter(|c| c.is_alphanumeric() || *c == ' ' || *c == '-')
                .collect();
            css.push(format!("font-family:'{safe}'"));
        }
        if let Some(size) = f.size_pt {
            css.push(format!("font-size:{size}pt"));
        }
        if let Some(color) = &f.color {
            css.push(format!("color:#{color}"));
        }
        if f.small_caps {
            css.push("font-variant:small-caps".into());
        }
        if !css.is_empty() {
            inner = format!(
                "<span style=\"{}\">{inner}</span>",
                esc_attr(&css.join(";"))
            );
        }
        if let Some(h) = &f.highlight {
            inner = format!("<mark data-highlight=\"{}\">{inner}</mark>", esc_attr(h));
        }
        if f.strike {
            inner = format!("<s>{inner}</s>");
        }
        if f.underline {
            inner = format!("<u>{inner}</u>");
        }
        if f.italic {
            inner = format!("<em>{inner}</em>");
        }
        if f.bold {
            inner = format!("<strong>{inner}</strong>");
        }
        if f.superscript {
            inner = format!("<sup>{inner}</sup>");
        } else if f.subscript {
            inner = format!("<sub>{inner}</sub>");
        }
        out.push_str(&inner);
    }
}

/// A list as HTML: `<tag attrs>`, its items, nested levels opened inside the item before
/// them (a jump of more than one level goes through empty items, never a list directly
/// inside a list, which is invalid HTML), closed on the way back up.
fn html_list_items(out: &mut String, tag: &str, attrs: &str, items: &[domain::ListItem]) {
    let mut depth = 0usize;
    let _ = write!(out, "<{tag}{attrs}>");
    for (i, item) in items.iter().enumerate() {
        let level = usize::from(item.level).min(8);
        if i > 0 {
            if level > depth {
                let _ = write!(out, "<{tag}>");
                for _ in depth + 1..level {
                    let _ = write!(out, "<li><{tag}>");
                }
            } else {
                out.push_str("</li>");
                for _ in level..depth {
                    let _ = write!(out, "</{tag}></li>");
                }
            }
        } else {
            for _ in 0..level {
                let _ = write!(out, "<li><{tag}>");
            }
        }
        depth = level;
        let inner = match &item.runs {
            Some(runs) => html_runs(runs),
            None => esc(&item.text),
        };
        let _ = write!(out, "<li>{inner}");
    }
    // Open now: the list, one list (inside an item) per level of the last item, and the
    // last item.
    out.push_str("</li>");
    for _ in 0..depth {
        let _ = write!(out, "</{tag}></li>");
    }
    let _ = write!(out, "</{tag}>");
}

/// The blocks of a table cell as HTML: paragraphs, lists (levels nested through items),
/// nested tables.
fn html_cell_blocks(blocks: &[domain::CellBlock]) -> String {
    let mut out = String::new();
    for block in blocks {
        match block {
            domain::CellBlock::Paragraph {
                runs, alignment, ..
            } => {
                let style = style_attr(*alignment, &domain::ParagraphFormat::default());
                let _ = write!(out, "<p{style}>{}</p>", html_runs(runs));
            }
            domain::CellBlock::List { kind, items } => {
                let tag = match kind {
                    ListKind::Bullet => "ul",
                    ListKind::Numbered => "ol",
                };
                html_list_items(&mut out, tag, "", items);
            }
            domain::CellBlock::Table { rows } => {
                out.push_str("<table>");
                for row in rows {
                    out.push_str("<tr>");
                    for cell in row {
                        let _ = write!(out, "<td>{}</td>", esc(cell));
                    }
                    out.push_str("</tr>");
                }
                out.push_str("</table>");
            }
        }
    }
    out
}

/// A link target fit for `href`: only the schemes folio accepts (the domain checks them on
/// the way in; an event stored by anything else is checked again here).
fn safe_href(target: &str) -> Option<&str> {
    let scheme_ok = target.starts_with('#')
        || target
            .split_once(':')
            .is_some_and(|(scheme, _)| matches!(scheme, "http" | "https" | "mailto"));
    (scheme_ok && !target.chars().any(|c| c.is_whitespace() || c.is_control())).then_some(target)
}

/// Runs as HTML, neighbouring runs with the same link target in one `<a>`.
fn html_runs(runs: &[Run]) -> String {
    let mut out = String::new();
    let mut i = 0;
    while i < runs.len() {
        let link = runs[i].format.link.as_deref();
        let mut j = i;
        while j < runs.len() && runs[j].format.link.as_deref() == link {
            j += 1;
        }
        // A range bookmark is an empty anchor where it starts (the target of `#name`);
        // one starting inside a link goes before the link (anchors do not nest).
        let anchors = |k: usize, out: &mut String| {
            let before = k.checked_sub(1).map(|p| &runs[p].format.bookmarks);
            for name in &runs[k].format.bookmarks {
                if !before.is_some_and(|b| b.contains(name)) {
                    let _ = write!(out, "<a id=\"{}\"></a>", esc_attr(name));
                }
            }
        };
        let href = link.and_then(safe_href);
        if let Some(href) = href {
            (i..j).for_each(|k| anchors(k, &mut out));
            let _ = write!(out, "<a href=\"{}\">", esc_attr(href));
        }
        for (k, run) in runs.iter().enumerate().take(j).skip(i) {
            if href.is_none() {
                anchors(k, &mut out);
            }
            // Commented text points to its comments (the annotations after the content).
            if run.format.comments.is_empty() {
                html_run(run, &mut out);
            } else {
                let described: Vec<String> = run
                    .format
                    .comments
                    .iter()
                    .map(|c| format!("comment-{c}"))
                    .collect();
                let _ = write!(
                    out,
                    "<mark class=\"comment\" aria-describedby=\"{}\">",
                    esc_attr(&described.join(" "))
                );
                html_run(run, &mut out);
                out.push_str("</mark>");
            }
        }
        if href.is_some() {
            out.push_str("</a>");
        }
        i = j;
    }
    out
}

/// The `id` attribute naming a paragraph after its first bookmark, and an empty anchor
/// for each further one (the targets of `#name` links).
fn bookmark_ids(bookmarks: &[String]) -> (String, String) {
    match bookmarks.split_first() {
        None => (String::new(), String::new()),
        Some((first, rest)) => (
            format!(" id=\"{}\"", esc_attr(first)),
            rest.iter()
                .map(|n| format!("<a id=\"{}\"></a>", esc_attr(n)))
                .collect(),
        ),
    }
}

/// The `style` attribute of a paragraph or heading: alignment, spacing, indents and
/// pagination, as CSS (numbers only: nothing a client wrote reaches the attribute).
fn style_attr(alignment: Option<Alignment>, f: &domain::ParagraphFormat) -> String {
    let mut css: Vec<String> = Vec::new();
    match alignment {
        None | Some(Alignment::Left) => {}
        Some(Alignment::Center) => css.push("text-align:center".into()),
        Some(Alignment::Right) => css.push("text-align:right".into()),
        Some(Alignment::Justify) => css.push("text-align:justify".into()),
    }
    let lengths = [
        ("margin-top", f.spacing_before),
        ("margin-bottom", f.spacing_after),
        ("margin-left", f.indent_left),
        ("margin-right", f.indent_right),
        ("text-indent", f.first_line.or(f.hanging.map(|h| -h))),
    ];
    for (property, value) in lengths {
        if let Some(v) = value.filter(|v| v.is_finite()) {
            css.push(format!("{property}:{v}pt"));
        }
    }
    if let Some(line) = f.line_spacing.filter(|v| v.is_finite()) {
        css.push(format!("line-height:{line}"));
    }
    if f.page_break_before == Some(true) {
        css.push("break-before:page".into());
    }
    if f.keep_with_next == Some(true) {
        css.push("break-after:avoid".into());
    }
    if css.is_empty() {
        String::new()
    } else {
        format!(" style=\"{}\"", css.join(";"))
    }
}

/// The first top-level number of each numbered list (by block index; 0 for other
/// blocks): its `start` (1 by default), or one past the previous numbered list's last
/// number when it goes on from it — as Word numbers them.
fn first_numbers(doc: &Document) -> Vec<(u64, NumberStyle)> {
    let mut firsts = vec![(0, NumberStyle::Decimal); doc.blocks.len()];
    let mut previous: Option<(u64, NumberStyle)> = None;
    for (i, block) in doc.blocks.iter().enumerate() {
        let Block::List(l) = block else { continue };
        if l.kind != ListKind::Numbered {
            continue;
        }
        // A list that goes on from the previous one is that list, format included.
        let (first, format) = match previous {
            Some((end, format)) if l.numbering.continue_previous => (end + 1, format),
            _ => (
                u64::from(l.numbering.start.unwrap_or(1)),
                l.numbering.format.unwrap_or(NumberStyle::Decimal),
            ),
        };
        let top = l.items.iter().filter(|item| item.level == 0).count() as u64;
        firsts[i] = (first, format);
        previous = Some(((first + top).saturating_sub(1), format));
    }
    firsts
}

/// The attributes of a list's outer `<ol>`/`<ul>`: its number type and first number, or
/// its bullet (as a CSS escape, so no character can end the value).
fn list_attrs(l: &domain::List, (first, format): (u64, NumberStyle)) -> String {
    match l.kind {
        ListKind::Numbered => {
            let kind = match format {
                NumberStyle::Decimal => "",
                NumberStyle::LowerLetter => " type=\"a\"",
                NumberStyle::UpperLetter => " type=\"A\"",
                NumberStyle::LowerRoman => " type=\"i\"",
                NumberStyle::UpperRoman => " type=\"I\"",
            };
            let start = if first == 1 {
                String::new()
            } else {
                format!(" start=\"{first}\"")
            };
            format!("{kind}{start}")
        }
        ListKind::Bullet => match &l.numbering.bullet {
            Some(bullet) => {
                let escaped: String = bullet
                    .chars()
                    .map(|c| format!("\\{:X} ", c as u32))
                    .collect();
                format!(" style=\"list-style-type:'{escaped}'\"")
            }
            None => String::new(),
        },
    }
}

fn html(doc: &Document) -> String {
    let mut out = String::new();
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html>\n<head>\n<meta charset=\"utf-8\">\n<title>{}</title>\n</head>\n<body>\n",
        esc(&doc.title)
    );
    // The header and footer of every page (page numbers as Word shows them before it
    // computes them).
    if let Some(runs) = &doc.section.header.default {
        let _ = writeln!(out, "<header>{}</header>", html_runs(runs));
    }
    let toc_level = doc.toc_level();
    let firsts = first_numbers(doc);
    for (index, block) in doc.blocks.iter().enumerate() {
        match block {
            Block::Paragraph(p) => {
                let (id, anchors) = bookmark_ids(&p.bookmarks);
                let _ = writeln!(
                    out,
                    "<p{id}{}>{anchors}{}</p>",
                    style_attr(p.alignment, &p.format),
                    html_runs(&p.runs)
                );
            }
            Block::Heading(h) => {
                let level = h.level.min(6);
                let (id, anchors) = if h.bookmarks.is_empty() && h.level <= toc_level {
                    (
                        format!(" id=\"{}\"", crate::render::toc_bookmark(index)),
                        String::new(),
                    )
                } else {
                    bookmark_ids(&h.bookmarks)
                };
                let _ = writeln!(
                    out,
                    "<h{level}{id}{}>{anchors}{}</h{level}>",
                    style_attr(h.alignment, &h.format),
                    html_runs(&h.runs)
                );
            }
            Block::Table(t) => {
                out.push_str("<table>\n");
                for (r, row) in t.rows.iter().enumerate() {
                    let cell = if t.header_row && r == 0 { "th" } else { "td" };
                    out.push_str("<tr>");
                    for (c, text) in row.iter().enumerate() {
                        let mut attrs = String::new();
                        if let Some(m) = t.merge_at(r, c) {
                            if (m.row, m.col) != (r, c) {
                                continue; // covered by the merge's first cell
                            }
                            if m.rows > 1 {
                                let _ = write!(attrs, " rowspan=\"{}\"", m.rows);
                            }
                            if m.cols > 1 {
                                let _ = write!(attrs, " colspan=\"{}\"", m.cols);
                            }
                        }
                        if let Some(f) = t.cell_format(r, c) {
                            let mut css = Vec::new();
                            // Only hex digits reach the attribute (the domain checks them;
                            // anything else stored is dropped here).
                            if let Some(fill) = f.shading.as_deref().filter(|s| {
                                s.len() == 6 && s.chars().all(|c| c.is_ascii_hexdigit())
                            }) {
                                css.push(format!("background-color:#{fill}"));
                            }
                            if let Some(v) = f.vertical_align {
                                css.push(format!(
                                    "vertical-align:{}",
                                    match v {
                                        domain::VerticalAlign::Top => "top",
                                        domain::VerticalAlign::Center => "middle",
                                        domain::VerticalAlign::Bottom => "bottom",
                                    }
                                ));
                            }
                            if !css.is_empty() {
                                let _ = write!(attrs, " style=\"{}\"", css.join(";"));
                            }
                        }
                        let inner = match (t.cell_runs_at(r, c), t.cell_blocks_at(r, c)) {
                            (_, Some(blocks)) => html_cell_blocks(blocks),
                            (Some(runs), None) => html_runs(runs),
                            (None, None) => esc(text),
                        };
                        let _ = write!(out, "<{cell}{attrs}>{inner}</{cell}>");
                    }
                    out.push_str("</tr>\n");
                }
                out.push_str("</table>\n");
            }
            Block::List(l) => {
                let tag = match l.kind {
                    ListKind::Bullet => "ul",
                    ListKind::Numbered => "ol",
                };
                html_list_items(&mut out, tag, &list_attrs(l, firsts[index]), &l.items);
                out.push('\n');
            }
            Block::PageBreak(_)
            | Block::SectionBreak(domain::SectionBreak {
                kind: domain::SectionStart::NextPage,
                ..
            }) => {
                out.push_str("<div style=\"break-after:page\"></div>\n");
            }
            Block::SectionBreak(_) => {}
            // Kept as its XML in the .docx; its text here.
            Block::Opaque(o) => {
                let _ = writeln!(
                    out,
                    "<div data-folio-opaque=\"{}\">{}</div>",
                    esc(&o.element),
                    esc(&o.text).replace('\n', "<br>")
                );
            }
            Block::TableOfContents(t) => {
                out.push_str("<nav>\n");
                if let Some(title) = &t.title {
                    let _ = writeln!(out, "<p><strong>{}</strong></p>", esc(title));
                }
                out.push_str("<ul>\n");
                for (i, level, text) in doc.toc_entries(t.max_level) {
                    let target = match doc.blocks[i].bookmarks().first() {
                        Some(name) => name.clone(),
                        None => crate::render::toc_bookmark(i),
                    };
                    let _ = writeln!(
                        out,
                        "<li style=\"margin-left:{}em\"><a href=\"#{}\">{}</a></li>",
                        u32::from(level.saturating_sub(1)) * 2,
                        esc_attr(&target),
                        esc(&text)
                    );
                }
                out.push_str("</ul>\n</nav>\n");
            }
        }
    }
    html_review(doc, &mut out);
    if let Some(runs) = &doc.section.footer.default {
        let _ = writeln!(out, "<footer>{}</footer>", html_runs(runs));
    }
    out.push_str("</body>\n</html>\n");
    out
}

/// Escapes characters Markdown would read as syntax.
fn md_escape(s: &str) -> String {
    let s = unix_newlines(s);
    let mut out = String::with_capacity(s.len());
    for (i, line) in s.split('\n').enumerate() {
        if i > 0 {
            out.push_str("  \n");
        }
        let lead = line.len() - line.trim_start().len();
        let trimmed = &line[lead..];
        // The character index that would make this line a list item or a setext
        // underline: a leading `-`/`+`/`=`, or the `.`/`)` after leading digits.
        let block_marker = if trimmed.starts_with(['-', '+', '=']) {
            Some(line[..lead].chars().count())
        } else {
            trimmed.split_once(['.', ')']).and_then(|(n, _)| {
                (!n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
                    .then(|| line[..lead].chars().count() + n.chars().count())
            })
        };
        for (j, c) in line.chars().enumerate() {
            // `&` too: `&amp;` or `&copy;` in the text would be read as an entity.
            if "\\`*_[]<>#|~!&".contains(c) || Some(j) == block_marker {
                out.push('\\');
            }
            out.push(c);
        }
    }
    out
}

fn md_runs(runs: &[Run]) -> String {
    let mut out = String::new();
    for run in runs.iter().filter(|r| !shows_nothing(r)) {
        let f = &run.format;
        if f.note.is_some() {
            if !note_text(run).is_empty() {
                let _ = write!(out, "[^{}]", run.text);
            }
            continue;
        }
        if let Some(image) = &f.image {
            let image = format!(
                "![{}]({})",
                md_escape(&image.alt_text),
                md_destination(&media_href(image))
            );
            match f.link.as_deref().and_then(safe_href) {
                Some(href) => out.push_str(&format!("[{image}]({})", md_destination(href))),
                None => out.push_str(&image),
            }
            continue;
        }
        let text = md_escape(&run.text);
        // Markers must hug non-space text to count, so spaces stay outside them.
        let core = text.trim();
        if core.is_empty() {
            out.push_str(&text);
            continue;
        }
        let lead = &text[..text.len() - text.trim_start().len()];
        let trail = &text[text.trim_end().len()..];
        let mut inner = core.to_string();
        if f.strike {
            inner = format!("~~{inner}~~");
        }
        if f.italic {
            inner = format!("*{inner}*");
        }
        if f.bold {
            inner = format!("**{inner}**");
        }
        if f.underline {
            inner = format!("<u>{inner}</u>");
        }
        if f.superscript {
            inner = format!("<sup>{inner}</sup>");
        } else if f.subscript {
            inner = format!("<sub>{inner}</sub>");
        }
        if let Some(href) = f.link.as_deref().and_then(safe_href) {
            inner = format!("[{inner}]({})", md_destination(href));
        }
        out.push_str(lead);
        out.push_str(&inner);
        out.push_str(trail);
    }
    out
}

/// A link destination for Markdown: the characters that would end or break it escaped.
fn md_destination(href: &str) -> String {
    let mut out = String::with_capacity(href.len());
    for c in href.chars() {
        if matches!(c, '(' | ')' | '<' | '>' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

fn markdown(doc: &Document) -> String {
    let mut parts: Vec<String> = Vec::new();
    let firsts = first_numbers(doc);
    for (index, block) in doc.blocks.iter().enumerate() {
        match block {
            Block::Paragraph(p) => parts.push(md_runs(&p.runs)),
            Block::Heading(h) => {
                let hashes = "#".repeat(usize::from(h.level.min(6)));
                // An ATX heading is one line: its line breaks become inline <br>.
                let text = md_runs(&h.runs).replace("  \n", "<br>");
                parts.push(format!("{hashes} {text}"));
            }
            Block::Table(t) => {
                let mut lines = Vec::new();
                for (r, row) in t.rows.iter().enumerate() {
                    let cells: Vec<String> = row
                        .iter()
                        .enumerate()
                        .map(|(c, text)| {
                            let cell = match t.cell_runs_at(r, c) {
                                Some(runs) => md_runs(runs),
                                None => md_escape(text),
                            };
                            cell.replace("  \n", "<br>")
                        })
                        .collect();
                    lines.push(format!("| {} |", cells.join(" | ")));
                    if r == 0 {
                        lines.push(format!("|{}", " --- |".repeat(row.len())));
                    }
                }
                parts.push(lines.join("\n"));
            }
            Block::List(l) => {
                let mut lines = Vec::new();
                let mut counters = [0usize; 9];
                for item in &l.items {
                    let level = usize::from(item.level).min(8);
                    counters[level] += 1;
                    for c in &mut counters[level + 1..] {
                        *c = 0;
                    }
                    let (indent, marker) = match l.kind {
                        ListKind::Bullet => ("  ".repeat(level), "-".to_string()),
                        // CommonMark numbers in decimals only: the value is kept.
                        ListKind::Numbered if level == 0 => (
                            String::new(),
                            format!("{}.", firsts[index].0 + counters[0] as u64 - 1),
                        ),
                        ListKind::Numbered => {
                            ("   ".repeat(level), format!("{}.", counters[level]))
                        }
                    };
                    let inner = match &item.runs {
                        Some(runs) => md_runs(runs),
                        None => md_escape(&item.text),
                    };
                    lines.push(format!("{indent}{marker} {inner}"));
                }
                parts.push(lines.join("\n"));
            }
            Block::PageBreak(_)
            | Block::SectionBreak(domain::SectionBreak {
                kind: domain::SectionStart::NextPage,
                ..
            }) => parts.push("---".to_string()),
            Block::SectionBreak(_) => {}
            Block::Opaque(o) if o.text.is_empty() => {}
            Block::Opaque(o) => parts.push(md_escape(&o.text)),
            Block::TableOfContents(t) => {
                let mut lines = Vec::new();
                if let Some(title) = &t.title {
                    lines.push(format!("**{}**", md_escape(title)));
                    lines.push(String::new());
                }
                for (_, level, text) in doc.toc_entries(t.max_level) {
                    let indent = "  ".repeat(usize::from(level.saturating_sub(1)));
                    lines.push(format!("{indent}- {}", md_escape(&text)));
                }
                parts.push(lines.join("\n"));
            }
        }
    }
    let mut out = parts.join("\n\n");
    out.push('\n');
    out
}

fn text(doc: &Document) -> String {
    let mut out = String::new();
    let firsts = first_numbers(doc);
    for (index, block) in doc.blocks.iter().enumerate() {
        match block {
            Block::List(l) => {
                let mut counters = [0usize; 9];
                for item in &l.items {
                    let level = usize::from(item.level).min(8);
                    counters[level] += 1;
                    for c in &mut counters[level + 1..] {
                        *c = 0;
                    }
                    let marker = match l.kind {
                        ListKind::Bullet if level == 0 => l
                            .numbering
                            .bullet
                            .clone()
                            .unwrap_or_else(|| "\u{2022}".into()),
                        ListKind::Bullet => "\u{2022}".to_string(),
                        ListKind::Numbered if level == 0 => format!(
                            "{}.",
                            domain::format_number(
                                firsts[index].1,
                                firsts[index].0 + counters[0] as u64 - 1
                            )
                        ),
                        ListKind::Numbered => format!("{}.", number(level, counters[level])),
                    };
                    let text = item
                        .runs
                        .as_deref()
                        .map_or_else(|| item.text.clone(), plain_runs);
                    let _ = writeln!(out, "{}{marker} {text}", "  ".repeat(level));
                }
            }
            Block::PageBreak(_)
            | Block::SectionBreak(domain::SectionBreak {
                kind: domain::SectionStart::NextPage,
                ..
            }) => out.push('\u{c}'),
            Block::SectionBreak(_) => {}
            Block::Opaque(o) => {
                let _ = writeln!(out, "{}", o.text);
            }
            Block::TableOfContents(t) => {
                if let Some(title) = &t.title {
                    let _ = writeln!(out, "{title}");
                }
                for (_, level, text) in doc.toc_entries(t.max_level) {
                    let indent = "  ".repeat(usize::from(level.saturating_sub(1)));
                    let _ = writeln!(out, "{indent}{text}");
                }
            }
            Block::Paragraph(domain::Paragraph { runs, .. })
            | Block::Heading(domain::Heading { runs, .. }) => {
                out.push_str(&plain_runs(runs));
                out.push('\n');
            }
            // Cells as the block's text has them, images as their alternative text.
            Block::Table(t) => {
                for (r, row) in t.rows.iter().enumerate() {
                    let cells: Vec<String> = row
                        .iter()
                        .enumerate()
                        .map(|(c, text)| {
                            t.cell_runs_at(r, c)
                                .map_or_else(|| text.clone(), plain_runs)
                        })
                        .collect();
                    let _ = writeln!(out, "{}", cells.join("\t"));
                }
            }
        }
    }
    out
}

/// A list number as the .docx shows it: 1, 2… then a, b… then i, ii… by level.
fn number(level: usize, n: usize) -> String {
    let style = match level % 3 {
        0 => NumberStyle::Decimal,
        1 => NumberStyle::LowerLetter,
        _ => NumberStyle::LowerRoman,
    };
    domain::format_number(style, n as u64)
}

mod review;

#[cfg(test)]
pub(crate) mod tests;
