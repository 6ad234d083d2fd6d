//! `word/styles.xml` (Word's built-in styles folio uses, then the document's own) and
//! `word/numbering.xml` (the definitions and instances the lists need).

use std::collections::BTreeSet;
use std::io::{self, Write};

use domain::{ListKind, NumberStyle, StyleDef, StyleKind};

use super::paragraphs::{jc, spacing};
use super::runs::{HYPERLINK_STYLE, fonts, half_points};
use super::xml::Xml;

const W_NS: (&str, &str) = (
    "xmlns:w",
    "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
);

/// What distinguishes a list's numbering definition.
#[derive(Debug, PartialEq)]
pub(crate) enum ListLook<'a> {
    Bullet(&'a str),
    Numbered(NumberStyle),
}

/// An abstract numbering definition: nine levels of one look.
#[derive(Debug, Clone, PartialEq)]
enum Look {
    Bullet(String),
    Numbered(NumberStyle),
}

/// A numbering instance: its abstract definition and where its first level restarts.
#[derive(Debug)]
struct Num {
    id: u64,
    abstract_id: u64,
    restart: Option<u32>,
}

/// Numbering definitions and instances handed out in document order (so the same version
/// always numbers them the same way). Ids start above `base`: an imported file's own
/// definitions keep theirs (its opaque blocks and styles refer to them).
#[derive(Debug, Default)]
pub(crate) struct Numbering {
    base: u64,
    abstracts: Vec<Look>,
    nums: Vec<Num>,
    previous_numbered: Option<u64>,
}

/// The shared definitions every render has: plain bullets (1) and `1. a. i.` (2); the
/// instance all bullet lists in table cells share (1).
const BULLET: u64 = 1;
const DECIMAL: u64 = 2;
const CELL_BULLETS: u64 = 1;

impl Numbering {
    pub(crate) fn new(base: u64) -> Self {
        let mut n = Self {
            base,
            abstracts: vec![
                Look::Bullet("\u{2022}".into()),
                Look::Numbered(NumberStyle::Decimal),
            ],
            ..Self::default()
        };
        n.add_num(BULLET, None);
        n
    }

    fn add_num(&mut self, abstract_id: u64, restart: Option<u32>) -> u64 {
        let id = self.base + self.nums.len() as u64 + 1;
        self.nums.push(Num {
            id,
            abstract_id: self.base + abstract_id,
            restart,
        });
        id
    }

    fn abstract_for(&mut self, look: Look) -> u64 {
        let at = match self.abstracts.iter().position(|l| *l == look) {
            Some(at) => at,
            None => {
                self.abstracts.push(look);
                self.abstracts.len() - 1
            }
        };
        at as u64 + 1
    }

    /// The numbering instance of a list block: each list its own (so two lists side by
    /// side stay two), a numbered list restarting at its first number — unless it goes on
    /// from the previous numbered list, whose instance it takes.
    pub(crate) fn list(&mut self, l: &domain::List) -> u64 {
        match super::body::list_look(l) {
            None => self.add_num(BULLET, None),
            Some(ListLook::Bullet(b)) => {
                let abstract_id = self.abstract_for(Look::Bullet(b.to_string()));
                self.add_num(abstract_id, None)
            }
            Some(ListLook::Numbered(format)) => {
                if l.numbering.continue_previous
                    && let Some(previous) = self.previous_numbered
                {
                    return previous;
                }
                let abstract_id = self.abstract_for(Look::Numbered(format));
                let first = l.numbering.start.unwrap_or(1).min(32_767);
                let id = self.add_num(abstract_id, Some(first));
                self.previous_numbered = Some(id);
                id
            }
        }
    }

    /// The instance of a list inside a table cell: bullets share one, numbered lists
    /// each restart at 1.
    pub(crate) fn cell_list(&mut self, kind: ListKind) -> u64 {
        match kind {
            ListKind::Bullet => self.base + CELL_BULLETS,
            ListKind::Numbered => self.add_num(DECIMAL, Some(1)),
        }
    }

    /// The `w:abstractNum` elements.
    pub(crate) fn write_abstracts<W: Write>(&self, x: &mut Xml<W>) -> io::Result<()> {
        let bullets = ["\u{2022}", "\u{25E6}", "\u{25AA}"];
        // 1. a. i. — the same sequence the text export prints.
        let formats = ["decimal", "lowerLetter", "lowerRoman"];
        for (i, look) in self.abstracts.iter().enumerate() {
            let id = (self.base + i as u64 + 1).to_string();
            x.start("w:abstractNum", &[("w:abstractNumId", &id)])?;
            x.val("w:multiLevelType", "hybridMultilevel")?;
            for level in 0..9usize {
                let (format, text) = match look {
                    Look::Bullet(first) => (
                        "bullet",
                        if level == 0 {
                            first.clone()
                        } else {
                            bullets[level % 3].to_string()
                        },
                    ),
                    Look::Numbered(top) => (
                        if level == 0 {
                            word_format(*top)
                        } else {
                            formats[level % 3]
                        },
                        format!("%{}.", level + 1),
                    ),
                };
                x.start("w:lvl", &[("w:ilvl", &level.to_string())])?;
                x.val("w:start", "1")?;
                x.val("w:numFmt", format)?;
                x.val("w:lvlText", &text)?;
                x.val("w:lvlJc", "left")?;
                // Nine levels indented 0.5" apiece.
                x.start("w:pPr", &[])?;
                x.empty(
                    "w:ind",
                    &[
                        ("w:left", &(720 * (level + 1)).to_string()),
                        ("w:hanging", "360"),
                    ],
                )?;
                x.end("w:pPr")?;
                x.end("w:lvl")?;
            }
            x.end("w:abstractNum")?;
        }
        Ok(())
    }

    /// The `w:num` elements.
    pub(crate) fn write_nums<W: Write>(&self, x: &mut Xml<W>) -> io::Result<()> {
        for num in &self.nums {
            x.start("w:num", &[("w:numId", &num.id.to_string())])?;
            x.val("w:abstractNumId", &num.abstract_id.to_string())?;
            if let Some(first) = num.restart {
                // Each level restarts: the first at the list's first number, the rest at 1.
                for level in 0..9u32 {
                    x.start("w:lvlOverride", &[("w:ilvl", &level.to_string())])?;
                    let start = if level == 0 { first } else { 1 };
                    x.val("w:startOverride", &start.to_string())?;
                    x.end("w:lvlOverride")?;
                }
            }
            x.end("w:num")?;
        }
        Ok(())
    }

    /// `word/numbering.xml` of a document without an imported file's numbering.
    pub(crate) fn write<W: Write>(&self, x: &mut Xml<W>) -> io::Result<()> {
        x.start("w:numbering", &[W_NS])?;
        self.write_abstracts(x)?;
        self.write_nums(x)?;
        x.end("w:numbering")
    }
}

/// Word's name of a number format.
fn word_format(format: NumberStyle) -> &'static str {
    match format {
        NumberStyle::Decimal => "decimal",
        NumberStyle::LowerLetter => "lowerLetter",
        NumberStyle::UpperLetter => "upperLetter",
        NumberStyle::LowerRoman => "lowerRoman",
        NumberStyle::UpperRoman => "upperRoman",
    }
}

/// A style as folio writes it: the built-in ones it uses, the document's own.
#[derive(Debug, Clone, Default)]
pub(crate) struct Style {
    pub(crate) id: String,
    pub(crate) kind: Option<StyleKind>,
    pub(crate) name: String,
    pub(crate) based_on: Option<String>,
    pub(crate) next: Option<String>,
    pub(crate) ui_priority: Option<u32>,
    pub(crate) q_format: bool,
    pub(crate) default: bool,
    pub(crate) outline_level: Option<u8>,
    pub(crate) indent_left: Option<u32>,
    pub(crate) spacing_before: Option<f32>,
    pub(crate) spacing_after: Option<f32>,
    pub(crate) alignment: Option<domain::Alignment>,
    pub(crate) font: Option<String>,
    pub(crate) size_pt: Option<f32>,
    pub(crate) bold: Option<bool>,
    pub(crate) italic: Option<bool>,
    pub(crate) underline: bool,
    pub(crate) color: Option<String>,
}

impl Style {
    fn paragraph(id: &str, name: &str) -> Self {
        Self {
            id: id.into(),
            kind: Some(StyleKind::Paragraph),
            name: name.into(),
            based_on: Some("Normal".into()),
            ..Self::default()
        }
    }

    /// Word's definition of the style with the document's changes on top (an explicit
    /// `false` turns bold or italic off, for a built-in style that has it).
    fn with(mut self, s: &StyleDef) -> Self {
        if s.next.is_some() {
            self.next.clone_from(&s.next);
        }
        if s.based_on.is_some() {
            self.based_on.clone_from(&s.based_on);
        }
        self.font = s.font.clone().or(self.font);
        self.size_pt = s.size_pt.filter(|v| v.is_finite()).or(self.size_pt);
        self.bold = s.bold.or(self.bold);
        self.italic = s.italic.or(self.italic);
        self.underline |= s.underline == Some(true);
        self.color = s.color.clone().or(self.color);
        self.spacing_before = s.spacing_before.or(self.spacing_before);
        self.spacing_after = s.spacing_after.or(self.spacing_after);
        self.alignment = s.alignment.or(self.alignment);
        self
    }

    /// The `w:style` element, children in `CT_Style`'s order.
    pub(crate) fn write<W: Write>(&self, x: &mut Xml<W>) -> io::Result<()> {
        let kind = match self.kind {
            Some(StyleKind::Character) => "character",
            Some(StyleKind::Table) => "table",
            _ => "paragraph",
        };
        if self.default {
            x.start(
                "w:style",
                &[
                    ("w:type", kind),
                    ("w:default", "1"),
                    ("w:styleId", &self.id),
                ],
            )?;
        } else {
            x.start("w:style", &[("w:type", kind), ("w:styleId", &self.id)])?;
        }
        x.val("w:name", &self.name)?;
        if let Some(base) = &self.based_on {
            x.val("w:basedOn", base)?;
        }
        if let Some(next) = &self.next {
            x.val("w:next", next)?;
        }
        if let Some(p) = self.ui_priority {
            x.val("w:uiPriority", &p.to_string())?;
        }
        if self.q_format {
            x.empty("w:qFormat", &[])?;
        }
        let paragraph = self.spacing_before.is_some()
            || self.spacing_after.is_some()
            || self.indent_left.is_some()
            || self.alignment.is_some()
            || self.outline_level.is_some();
        if paragraph {
            // CT_PPrGeneral: spacing, ind, jc, outlineLvl.
            x.start("w:pPr", &[])?;
            spacing(x, self.spacing_before, self.spacing_after, None)?;
            if let Some(left) = self.indent_left {
                x.empty("w:ind", &[("w:left", &left.to_string())])?;
            }
            if let Some(a) = self.alignment {
                x.val("w:jc", jc(a))?;
            }
            if let Some(level) = self.outline_level {
                x.val("w:outlineLvl", &level.to_string())?;
            }
            x.end("w:pPr")?;
        }
        let run = self.font.is_some()
            || self.size_pt.is_some()
            || self.bold.is_some()
            || self.italic.is_some()
            || self.underline
            || self.color.is_some();
        if run {
            x.start("w:rPr", &[])?;
            if let Some(font) = &self.font {
                fonts(x, font)?;
            }
            for (on, tags) in [
                (self.bold, ["w:b", "w:bCs"]),
                (self.italic, ["w:i", "w:iCs"]),
            ] {
                match on {
                    Some(true) => {
                        x.empty(tags[0], &[])?;
                        x.empty(tags[1], &[])?;
                    }
                    Some(false) => {
                        x.val(tags[0], "0")?;
                        x.val(tags[1], "0")?;
                    }
                    None => {}
                }
            }
            if let Some(color) = &self.color {
                x.val("w:color", color)?;
            }
            if let Some(size) = self.size_pt {
                half_points(x, size)?;
            }
            if self.underline {
                x.val("w:u", "single")?;
            }
            x.end("w:rPr")?;
        }
        x.end("w:style")
    }
}

/// Word's built-in styles folio writes (ids and names as Word's, so Word and LibreOffice
/// treat them as their own: a "heading 1" is a heading in the navigation pane).
fn builtin() -> Vec<Style> {
    let mut styles = vec![Style {
        id: "Normal".into(),
        kind: Some(StyleKind::Paragraph),
        name: "Normal".into(),
        q_format: true,
        default: true,
        ..Style::default()
    }];
    let heading_sizes = [16.0, 13.0, 12.0, 11.0, 11.0, 11.0, 11.0, 11.0, 11.0];
    for (i, size) in heading_sizes.into_iter().enumerate() {
        let level = i + 1;
        styles.push(Style {
            next: Some("Normal".into()),
            q_format: true,
            ui_priority: Some(9),
            outline_level: Some(i as u8),
            size_pt: Some(size),
            bold: Some(true),
            italic: (level >= 4).then_some(true),
            ..Style::paragraph(&format!("Heading{level}"), &format!("heading {level}"))
        });
    }
    for (id, name, size, bold, italic) in [
        ("Title", "Title", 28.0, false, false),
        ("Subtitle", "Subtitle", 15.0, false, true),
        ("Quote", "Quote", 11.0, false, true),
        ("IntenseQuote", "Intense Quote", 11.0, true, true),
        ("Caption", "caption", 9.0, false, true),
        ("NoSpacing", "No Spacing", 11.0, false, false),
    ] {
        styles.push(Style {
            q_format: true,
            size_pt: Some(size),
            bold: bold.then_some(true),
            italic: italic.then_some(true),
            ..Style::paragraph(id, name)
        });
    }
    styles.push(Style {
        based_on: Some("Heading1".into()),
        next: Some("Normal".into()),
        ui_priority: Some(39),
        q_format: true,
        ..Style::paragraph("TOCHeading", "TOC Heading")
    });
    for level in 1..=9u32 {
        styles.push(Style {
            next: Some("Normal".into()),
            ui_priority: Some(39),
            indent_left: Some(220 * (level - 1)),
            ..Style::paragraph(&format!("TOC{level}"), &format!("toc {level}"))
        });
    }
    styles.push(Style {
        ui_priority: Some(34),
        q_format: true,
        ..Style::paragraph("ListParagraph", "List Paragraph")
    });
    styles.push(Style {
        id: HYPERLINK_STYLE.into(),
        kind: Some(StyleKind::Character),
        name: "Hyperlink".into(),
        ui_priority: Some(99),
        color: Some("0563C1".into()),
        underline: true,
        ..Style::default()
    });
    styles.push(Style {
        id: "TableGrid".into(),
        kind: Some(StyleKind::Table),
        name: "Table Grid".into(),
        ui_priority: Some(39),
        ..Style::default()
    });
    styles
}

/// The styles of a render: Word's built-in ones (a redefined one with the document's
/// changes on top), then the document's own.
pub(crate) fn document_styles(own: &[StyleDef]) -> Vec<Style> {
    let mut styles = builtin();
    for s in own {
        if let Some(existing) = styles.iter_mut().find(|b| b.id == s.style_id) {
            *existing = existing.clone().with(s);
            continue;
        }
        let based_on = match (&s.based_on, s.kind) {
            (Some(base), _) => Some(base.clone()),
            (None, StyleKind::Paragraph) => Some("Normal".into()),
            (None, _) => None,
        };
        styles.push(
            Style {
                id: s.style_id.clone(),
                kind: Some(s.kind),
                name: s.name.clone(),
                based_on,
                q_format: true,
                ..Style::default()
            }
            .with(s),
        );
    }
    styles
}

/// `word/styles.xml` of a document without an imported file's style sheet.
pub(crate) fn write_styles<W: Write>(x: &mut Xml<W>, styles: &[Style]) -> io::Result<()> {
    x.start("w:styles", &[W_NS])?;
    x.start("w:docDefaults", &[])?;
    x.start("w:rPrDefault", &[])?;
    x.empty("w:rPr", &[])?;
    x.end("w:rPrDefault")?;
    x.start("w:pPrDefault", &[])?;
    x.empty("w:pPr", &[])?;
    x.end("w:pPrDefault")?;
    x.end("w:docDefaults")?;
    for style in styles {
        style.write(x)?;
    }
    x.end("w:styles")
}

/// The styles of `all` an imported style sheet needs: those the document uses or owns
/// (`used`, `own`) and the ones they are based on.
pub(crate) fn needed(
    all: &[Style],
    used: &BTreeSet<String>,
    own: &BTreeSet<String>,
) -> BTreeSet<String> {
    let mut needed: BTreeSet<String> = used.iter().chain(own.iter()).cloned().collect();
    let mut queue: Vec<String> = needed.iter().cloned().collect();
    while let Some(id) = queue.pop() {
        if let Some(base) = all
            .iter()
            .find(|s| s.id == id)
            .and_then(|s| s.based_on.clone())
            && needed.insert(base.clone())
        {
            queue.push(base);
        }
    }
    needed
}

/// One style's XML, for splicing into an imported style sheet.
pub(crate) fn style_xml(style: &Style) -> String {
    let mut x = Xml::new(Vec::new());
    // Writing into memory cannot fail.
    let _ = style.write(&mut x);
    String::from_utf8(x.into_inner()).unwrap_or_default()
}
