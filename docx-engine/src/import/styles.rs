//! The style sheet and the numbering definitions of an imported file: what the body
//! mapping asks of them (is this paragraph style a heading, which list does it carry, what
//! does a numbering instance look like), and the styles as the model holds them.

use std::collections::HashMap;

use domain::{Alignment, StyleDef, StyleKind};

use super::xml::{Node, Ns};

/// One `w:style`.
#[derive(Debug, Clone, Default)]
pub(crate) struct StyleInfo {
    pub(crate) name: String,
    pub(crate) based_on: Option<String>,
    pub(crate) outline_level: Option<u8>,
    /// Outline level 9: body text, explicitly not a heading.
    pub(crate) body_text: bool,
    /// `w:numPr` in its paragraph properties: numbering instance and level.
    pub(crate) numbering: Option<(u32, u8)>,
    pub(crate) def: Option<StyleDef>,
}

/// The file's styles.
#[derive(Debug, Default)]
pub(crate) struct Styles {
    pub(crate) by_id: HashMap<String, StyleInfo>,
    /// Ids in file order.
    pub(crate) order: Vec<String>,
    /// The default paragraph style's id.
    pub(crate) default_paragraph: Option<String>,
}

/// Twentieths of a point as points.
pub(crate) fn twips_pt(value: &str) -> Option<f32> {
    let v: f32 = value.trim().parse().ok()?;
    (v.is_finite() && v.abs() < 1.0e7).then_some(v / 20.0)
}

pub(crate) fn alignment(value: &str) -> Option<Alignment> {
    match value {
        "left" | "start" => Some(Alignment::Left),
        "center" => Some(Alignment::Center),
        "right" | "end" => Some(Alignment::Right),
        "both" | "distribute" | "lowKashida" | "mediumKashida" | "highKashida"
        | "thaiDistribute" => Some(Alignment::Justify),
        _ => None,
    }
}

/// Six upper-case hex digits, or none (`auto`, anything else).
pub(crate) fn color(value: &str) -> Option<String> {
    (value.len() == 6 && value.chars().all(|c| c.is_ascii_hexdigit()))
        .then(|| value.to_ascii_uppercase())
}

impl Styles {
    pub(crate) fn read(root: &Node) -> Self {
        let mut styles = Styles::default();
        for node in root.elements().filter(|n| n.is(Ns::W, "style")) {
            let Some(id) = node.attr(Ns::W, "styleId") else {
                continue;
            };
            let kind = match node.attr(Ns::W, "type") {
                Some("paragraph") | None => Some(StyleKind::Paragraph),
                Some("character") => Some(StyleKind::Character),
                Some("table") => Some(StyleKind::Table),
                _ => None,
            };
            let default = matches!(node.attr(Ns::W, "default"), Some("1" | "true" | "on"));
            if default && kind == Some(StyleKind::Paragraph) {
                styles.default_paragraph = Some(id.to_string());
            }
            let name = node.child_val("name").unwrap_or(id).to_string();
            let ppr = node.child(Ns::W, "pPr");
            let outline = ppr
                .and_then(|p| p.child_val("outlineLvl"))
                .and_then(|v| v.parse::<u8>().ok());
            let outline_level = outline.filter(|l| *l < 9);
            let body_text = outline == Some(9);
            let numbering = ppr.and_then(|p| p.child(Ns::W, "numPr")).and_then(|n| {
                let id = n.child_val("numId")?.parse::<u32>().ok()?;
                let level = n
                    .child_val("ilvl")
                    .and_then(|v| v.parse::<u8>().ok())
                    .unwrap_or(0);
                Some((id, level))
            });
            let def = kind.map(|kind| {
                let mut def = StyleDef::blank(id.to_string(), name.clone(), kind);
                def.based_on = node.child_val("basedOn").map(str::to_string);
                def.next = node.child_val("next").map(str::to_string);
                if let Some(rpr) = node.child(Ns::W, "rPr") {
                    def.font = rpr
                        .child(Ns::W, "rFonts")
                        .and_then(|f| f.attr(Ns::W, "ascii").or(f.attr(Ns::W, "hAnsi")))
                        .map(str::to_string);
                    def.size_pt = rpr
                        .child_val("sz")
                        .and_then(|v| v.parse::<f32>().ok())
                        .filter(|v| (2.0..=3276.0).contains(v))
                        .map(|v| v / 2.0);
                    def.bold = rpr.flag("b");
                    def.italic = rpr.flag("i");
                    def.underline = rpr
                        .child(Ns::W, "u")
                        .map(|u| !matches!(u.val(), Some("none")));
                    def.color = rpr.child_val("color").and_then(color);
                }
                if let Some(ppr) = ppr {
                    if let Some(spacing) = ppr.child(Ns::W, "spacing") {
                        def.spacing_before = spacing.attr(Ns::W, "before").and_then(twips_pt);
                        def.spacing_after = spacing.attr(Ns::W, "after").and_then(twips_pt);
                    }
                    def.alignment = ppr.child_val("jc").and_then(alignment);
                }
                def.imported = true;
                def
            });
            styles.order.push(id.to_string());
            styles.by_id.insert(
                id.to_string(),
                StyleInfo {
                    name,
                    based_on: node.child_val("basedOn").map(str::to_string),
                    outline_level,
                    body_text,
                    numbering,
                    def,
                },
            );
        }
        styles
    }

    /// The style and those it is based on, nearest first (at most 20: a loop ends it).
    fn chain<'a>(&'a self, id: &'a str) -> impl Iterator<Item = &'a StyleInfo> + 'a {
        let mut next = Some(id);
        let mut steps = 0;
        std::iter::from_fn(move || {
            steps += 1;
            if steps > 20 {
                return None;
            }
            let style = self.by_id.get(next?)?;
            next = style.based_on.as_deref();
            Some(style)
        })
    }

    /// The heading level (1-9) a paragraph style gives: its outline level, or a name Word
    /// uses for headings ("heading 1", whatever the id or the language of the display).
    pub(crate) fn heading_level(&self, id: &str) -> Option<u8> {
        // A table of contents' title is not one of the headings it lists.
        if id.eq_ignore_ascii_case("TOCHeading") || self.name_is(id, "toc heading") {
            return None;
        }
        for style in self.chain(id) {
            if style.body_text {
                return None;
            }
            if let Some(level) = style.outline_level {
                return Some(level + 1);
            }
            let name = style.name.to_ascii_lowercase();
            if let Some(n) = name.strip_prefix("heading ")
                && let Ok(level) = n.trim().parse::<u8>()
                && (1..=9).contains(&level)
            {
                return Some(level);
            }
        }
        None
    }

    /// The numbering a paragraph style carries (instance, level).
    pub(crate) fn numbering(&self, id: &str) -> Option<(u32, u8)> {
        self.chain(id).find_map(|s| s.numbering)
    }

    /// Whether the style `id` has the name `name` (ignoring case).
    pub(crate) fn name_is(&self, id: &str, name: &str) -> bool {
        self.by_id
            .get(id)
            .is_some_and(|s| s.name.eq_ignore_ascii_case(name))
    }

    /// Whether a style id names a style of the file.
    pub(crate) fn has(&self, id: &str) -> bool {
        self.by_id.contains_key(id)
    }

    /// The styles as the model holds them (file order, at most `max`).
    pub(crate) fn defs(&self, max: usize) -> (Vec<StyleDef>, usize) {
        let defs: Vec<StyleDef> = self
            .order
            .iter()
            .filter_map(|id| self.by_id.get(id)?.def.clone())
            .collect();
        let dropped = defs.len().saturating_sub(max);
        (defs.into_iter().take(max).collect(), dropped)
    }
}

/// One level of a numbering definition.
#[derive(Debug, Clone, Default)]
pub(crate) struct NumLevel {
    pub(crate) format: String,
    pub(crate) text: String,
    pub(crate) start: Option<u32>,
}

/// An instance's overrides by level: a new start, or a whole level definition.
type LevelOverrides = HashMap<u8, (Option<u32>, Option<NumLevel>)>;

/// The file's numbering: instances (`w:num`) over abstract definitions.
#[derive(Debug, Default)]
pub(crate) struct Numbering {
    /// numId → (abstractNumId, its level overrides: a new start, or a whole level).
    nums: HashMap<u32, (u32, LevelOverrides)>,
    /// abstractNumId → levels by ilvl.
    abstracts: HashMap<u32, HashMap<u8, NumLevel>>,
}

impl Numbering {
    pub(crate) fn read(root: &Node) -> Self {
        let mut numbering = Numbering::default();
        for node in root.elements() {
            if node.is(Ns::W, "abstractNum") {
                let Some(id) = node
                    .attr(Ns::W, "abstractNumId")
                    .and_then(|v| v.parse().ok())
                else {
                    continue;
                };
                let mut levels = HashMap::new();
                for lvl in node.elements().filter(|n| n.is(Ns::W, "lvl")) {
                    if let Some((ilvl, level)) = num_level(lvl) {
                        levels.insert(ilvl, level);
                    }
                }
                numbering.abstracts.insert(id, levels);
            } else if node.is(Ns::W, "num") {
                let Some(id) = node.attr(Ns::W, "numId").and_then(|v| v.parse().ok()) else {
                    continue;
                };
                let Some(abstract_id) =
                    node.child_val("abstractNumId").and_then(|v| v.parse().ok())
                else {
                    continue;
                };
                let mut overrides = HashMap::new();
                for o in node.elements().filter(|n| n.is(Ns::W, "lvlOverride")) {
                    let Some(ilvl) = o.attr(Ns::W, "ilvl").and_then(|v| v.parse::<u8>().ok())
                    else {
                        continue;
                    };
                    let start = o.child_val("startOverride").and_then(|v| v.parse().ok());
                    let level = o.child(Ns::W, "lvl").and_then(num_level).map(|(_, l)| l);
                    overrides.insert(ilvl, (start, level));
                }
                numbering.nums.insert(id, (abstract_id, overrides));
            }
        }
        numbering
    }

    /// The level `ilvl` of the instance `num`, with its start (overrides applied); `None`
    /// when the instance does not exist.
    pub(crate) fn level(&self, num: u32, ilvl: u8) -> Option<NumLevel> {
        let (abstract_id, overrides) = self.nums.get(&num)?;
        let (start, whole) = overrides.get(&ilvl).cloned().unwrap_or_default();
        let mut level = whole
            .or_else(|| {
                self.abstracts
                    .get(abstract_id)
                    .and_then(|levels| levels.get(&ilvl))
                    .cloned()
            })
            .unwrap_or_default();
        if start.is_some() {
            level.start = start;
        }
        Some(level)
    }

    /// The abstract definition of an instance.
    pub(crate) fn abstract_of(&self, num: u32) -> Option<u32> {
        self.nums.get(&num).map(|(a, _)| *a)
    }
}

/// A `w:lvl`: its level and what it shows.
fn num_level(lvl: &Node) -> Option<(u8, NumLevel)> {
    let ilvl = lvl.attr(Ns::W, "ilvl").and_then(|v| v.parse::<u8>().ok())?;
    Some((
        ilvl,
        NumLevel {
            format: lvl.child_val("numFmt").unwrap_or("decimal").to_string(),
            text: lvl.child_val("lvlText").unwrap_or("").to_string(),
            start: lvl.child_val("start").and_then(|v| v.parse().ok()),
        },
    ))
}
