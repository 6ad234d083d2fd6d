//! The body mapping: the main document part (and its headers and footers) as blocks.

use std::collections::{BTreeMap, HashMap, HashSet};

use domain::command::ImportedContent;
use domain::{
    Block, CellBlock, CellFormatAt, CellRunsAt, CellSpan, DocumentMetadata, Field, HeaderFooter,
    Heading, InlineImage, List, ListItem, ListKind, ListNumbering, NumberStyle, OpaqueBlock,
    OpaqueRel, PageBreak, PageSetup, Paragraph, ParagraphFormat, Run, RunFormat, Section,
    SectionBreak, SectionStart, Table, TableOfContents, VerticalAlign,
};

use super::package::Refused;
use super::package::{Package, Relationship};
use super::styles::{Numbering, Styles, alignment, color, twips_pt};
use super::xml::{self, Child, Node, Ns, Tree};
use super::{ImportError, ImportLimits, Imported, Warnings};

const REL_STYLES: &str = "/styles";
const REL_NUMBERING: &str = "/numbering";
const REL_SETTINGS: &str = "/settings";
const REL_CORE: &str = "/core-properties";
const REL_CUSTOM: &str = "/custom-properties";
const REL_HYPERLINK: &str = "/hyperlink";

/// Word's internal bookmark for "go back"; never a link target.
const GO_BACK: &str = "_GoBack";

/// Why a paragraph (or table) stays opaque.
#[derive(Debug)]
struct Unmodelled {
    kind: &'static str,
    reason: String,
}

fn unmodelled(kind: &'static str, reason: impl Into<String>) -> Unmodelled {
    Unmodelled {
        kind,
        reason: reason.into(),
    }
}

/// A sectPr's facts.
#[derive(Debug, Clone, Default)]
struct SectionProps {
    page: PageSetup,
    start: SectionStart,
    header: HeaderFooter,
    footer: HeaderFooter,
}

/// One part's context: its name, text, relationships.
struct PartContext<'p> {
    name: String,
    text: &'p str,
    rels: HashMap<String, Relationship>,
    declarations: Vec<(String, String)>,
    /// Headers and footers cannot hold opaque content: unknown inline content becomes
    /// its text there.
    lenient: bool,
}

/// A paragraph as mapped.
#[derive(Debug, Default)]
struct MappedParagraph {
    /// Runs, cut where page breaks were (one piece more than there were breaks).
    pieces: Vec<Vec<Run>>,
    style: Option<String>,
    alignment: Option<domain::Alignment>,
    format: ParagraphFormat,
    bookmarks: Vec<String>,
    numbering: Option<(u32, u8)>,
    heading: Option<u8>,
    section: Option<SectionProps>,
}

/// The state of the inline walk of one paragraph.
#[derive(Default)]
struct Inline {
    pieces: Vec<Vec<Run>>,
    /// Range bookmarks open (by w:id): name, and whether it opened before any run.
    open_bookmarks: BTreeMap<String, (String, bool)>,
    /// Whole-paragraph bookmarks found.
    whole: Vec<String>,
    field: FieldState,
}

#[derive(Default)]
enum FieldState {
    #[default]
    None,
    Instruction(String),
    Result(FieldKind, Vec<Run>),
}

#[derive(Clone)]
enum FieldKind {
    Shown(Field),
    Link(String),
}

pub(super) struct Importer<'a> {
    package: &'a Package,
    limits: &'a ImportLimits,
    model_limits: &'a domain::Limits,
    styles: Styles,
    numbering: Numbering,
    warnings: Warnings,
    media: BTreeMap<String, Vec<u8>>,
    opaque_rels: usize,
    bookmark_names: HashSet<String>,
    /// Bookmarks at body level waiting for the next paragraph.
    pending_bookmarks: Vec<String>,
    /// A complex field that began in an earlier paragraph and has not ended.
    open_field_depth: usize,
    even_and_odd: bool,
    headers: HashMap<String, Option<Vec<Run>>>,
    images: usize,
}

/// Elements the main document part may hold: the configured cap, and at most 40 per
/// block the document may have (a paragraph with runs, properties and text is a dozen;
/// the cap follows `--max-blocks`, so a file of a million empty paragraphs stops while it
/// is read, not after).
fn element_cap(limits: &ImportLimits, model_limits: &domain::Limits) -> usize {
    limits.max_xml_nodes.min(
        model_limits
            .max_blocks
            .saturating_mul(ELEMENTS_PER_BLOCK)
            .max(MIN_ELEMENT_CAP),
    )
}

/// Elements per block the main part may hold (see [`element_cap`]).
const ELEMENTS_PER_BLOCK: usize = 40;
/// The element cap for documents with a low block limit.
const MIN_ELEMENT_CAP: usize = 100_000;

impl<'a> Importer<'a> {
    pub(super) fn run(
        package: &'a Package,
        limits: &'a ImportLimits,
        model_limits: &'a domain::Limits,
    ) -> Result<Imported, ImportError> {
        let main = main_part(package, limits)?;
        let mut importer = Importer {
            package,
            limits,
            model_limits,
            styles: Styles::default(),
            numbering: Numbering::default(),
            warnings: Warnings::default(),
            media: BTreeMap::new(),
            opaque_rels: 0,
            bookmark_names: HashSet::new(),
            pending_bookmarks: Vec::new(),
            open_field_depth: 0,
            even_and_odd: false,
            headers: HashMap::new(),
            images: 0,
        };
        let doc_rels = package.relationships(&main, limits)?;
        let rel_of = |suffix: &str| {
            doc_rels
                .iter()
                .find(|r| !r.external && r.kind.ends_with(suffix))
                .map(|r| r.target.clone())
        };
        if let Some(name) = rel_of(REL_STYLES)
            && let Some(tree) = importer.parse_part(&name)?
        {
            importer.styles = Styles::read(&tree.root);
        }
        if let Some(name) = rel_of(REL_NUMBERING)
            && let Some(tree) = importer.parse_part(&name)?
        {
            importer.numbering = Numbering::read(&tree.root);
        }
        if let Some(name) = rel_of(REL_SETTINGS)
            && let Some(tree) = importer.parse_part(&name)?
        {
            importer.even_and_odd = tree.root.flag("evenAndOddHeaders") == Some(true);
        }
        let bytes = package
            .part(&main)
            .ok_or_else(|| ImportError::NotDocx("the main document part is missing".into()))?;
        let text = std::str::from_utf8(bytes)
            .map_err(|_| ImportError::Malformed(format!("{main}: is not UTF-8")))?;
        let tree = xml::parse(
            bytes,
            &main,
            limits.max_depth,
            element_cap(limits, model_limits),
        )?;
        let context = PartContext {
            name: main.clone(),
            text,
            rels: doc_rels.into_iter().map(|r| (r.id.clone(), r)).collect(),
            declarations: tree.root_declarations.clone(),
            lenient: false,
        };
        let body = tree
            .root
            .child(Ns::W, "body")
            .ok_or_else(|| ImportError::NotDocx(format!("{main} has no w:body")))?;
        let (mut blocks, first_section) = importer.body(body, &context)?;
        keep_matching_toc_pages(&mut blocks);
        // A strict file's XML is in strict namespaces, which folio's transitional file
        // cannot take verbatim: what would stay opaque is kept as its text.
        let strict = tree
            .root_declarations
            .iter()
            .any(|(_, uri)| uri == "http://purl.oclc.org/ooxml/wordprocessingml/main");
        if strict {
            importer.strict_opaque_as_text(&mut blocks, &main);
        }
        let (metadata, title) = importer.core_properties(limits)?;
        let (styles, dropped) = importer.styles.defs(domain::MAX_STYLES);
        if dropped > 0 {
            importer.warnings.add(
                "styles_not_listed",
                || format!("{dropped} styles are kept in the file but not listed (folio lists at most {})", domain::MAX_STYLES),
                "word/styles.xml",
            );
        }
        Ok(Imported {
            title,
            content: ImportedContent {
                metadata,
                section: Section {
                    page: first_section.page,
                    header: first_section.header,
                    footer: first_section.footer,
                },
                styles,
                blocks,
                warnings: importer.warnings.into_vec(),
            },
            media: importer.media,
        })
    }

    fn parse_part(&self, name: &str) -> Result<Option<Tree<'a>>, ImportError> {
        match self.package.part(name) {
            Some(bytes) => Ok(Some(xml::parse(
                bytes,
                name,
                self.limits.max_depth,
                self.limits.max_xml_nodes,
            )?)),
            None => Ok(None),
        }
    }

    /// The core properties (and custom text properties): metadata and title.
    fn core_properties(
        &mut self,
        limits: &ImportLimits,
    ) -> Result<(DocumentMetadata, Option<String>), ImportError> {
        let mut metadata = DocumentMetadata::default();
        let mut title = None;
        let root_rels = self.package.relationships("", limits)?;
        let clip = |s: &str| -> Option<String> {
            let s: String = s
                .trim()
                .chars()
                .take(self.model_limits.max_title_chars)
                .collect();
            let s = clean_text(&s);
            (!s.is_empty()).then_some(s)
        };
        if let Some(core) = root_rels
            .iter()
            .find(|r| !r.external && r.kind.ends_with(REL_CORE))
            && let Some(tree) = self.parse_part(&core.target)?
        {
            for node in tree.root.elements() {
                let value = node.text_content();
                let value = clip(&value);
                match node.local {
                    "title" => title = value,
                    "creator" => metadata.author = value,
                    "subject" => metadata.subject = value,
                    "keywords" => metadata.keywords = value,
                    "description" => metadata.description = value,
                    "category" => metadata.category = value,
                    _ => {}
                }
            }
        }
        if let Some(custom) = root_rels
            .iter()
            .find(|r| !r.external && r.kind.ends_with(REL_CUSTOM))
            && let Some(tree) = self.parse_part(&custom.target)?
        {
            for node in tree.root.elements().filter(|n| n.local == "property") {
                let Some(name) = node
                    .attrs
                    .iter()
                    .find(|a| a.local == "name")
                    .and_then(|a| clip(&a.value))
                else {
                    continue;
                };
                if let Some(value) = node.elements().next().and_then(|v| clip(&v.text_content()))
                    && metadata.custom.len() < 100
                {
                    metadata.custom.insert(name, value);
                }
            }
        }
        Ok((metadata, title))
    }

    /// The body's blocks and the first section's properties.
    fn body(
        &mut self,
        body: &Node,
        ctx: &PartContext<'_>,
    ) -> Result<(Vec<Block>, SectionProps), ImportError> {
        let mut blocks: Vec<Block> = Vec::new();
        // Section properties in order: each paragraph's sectPr ends a section; the body's
        // own is the last one's.
        let mut sections: Vec<SectionProps> = Vec::new();
        // Indices in `blocks` where a section break goes (after the paragraph ending it).
        let mut breaks: Vec<usize> = Vec::new();
        let mut list: Option<(u32, List)> = None;
        let mut previous_numbered: Option<u32> = None;
        let mut toc_depth = 0usize;
        // The paragraphs of the table of contents field being read.
        let mut toc_entries: Vec<&Node> = Vec::new();
        for (index, node) in body.elements().enumerate() {
            // Stop at the block limit while mapping, before the model of a file that
            // cannot be imported is built (a few bytes of `<w:p/>` each make a block).
            if blocks.len().saturating_add(breaks.len()) > self.model_limits.max_blocks {
                return Err(ImportError::TooLarge {
                    what: "the number of blocks in the document",
                    limit: self.model_limits.max_blocks as u64,
                });
            }
            let place = format!("{}, body element {index}", ctx.name);
            if node.is(Ns::W, "sectPr") {
                let props = self.section_props(node, ctx, &place)?;
                sections.push(props);
                continue;
            }
            if node.is(Ns::W, "p") {
                if toc_depth > 0 {
                    // Inside Word's table of contents field: its entries are kept with
                    // their page numbers (written again while the headings are these).
                    toc_depth = field_depth_after(node, toc_depth);
                    toc_entries.push(node);
                    if toc_depth == 0 {
                        self.keep_toc_pages(&mut blocks, &toc_entries);
                    }
                    continue;
                }
                if self.open_field_depth == 0
                    && let Some(max_level) = toc_field(node)
                {
                    flush_list(&mut list, &mut blocks);
                    // A title just before it, in Word's "TOC Heading" style.
                    let title = match blocks.last() {
                        Some(Block::Paragraph(p))
                            if p.style.as_deref().is_some_and(|s| {
                                s.eq_ignore_ascii_case("TOCHeading")
                                    || self.styles.name_is(s, "toc heading")
                            }) =>
                        {
                            Some(domain::model::runs_text(&p.runs))
                        }
                        _ => None,
                    };
                    if title.is_some() {
                        blocks.pop();
                    }
                    blocks.push(Block::TableOfContents(TableOfContents {
                        id: domain::BlockId::new("import"),
                        max_level,
                        title: title.filter(|t| !t.trim().is_empty()),
                        pages: Vec::new(),
                    }));
                    toc_depth = field_depth_after(node, 0);
                    toc_entries = vec![node];
                    if toc_depth == 0 {
                        self.keep_toc_pages(&mut blocks, &toc_entries);
                    }
                    continue;
                }
                if self.open_field_depth > 0 {
                    self.open_field_depth = field_depth_after(node, self.open_field_depth);
                    flush_list(&mut list, &mut blocks);
                    let o = self.opaque(node, ctx, "part of a field that spans paragraphs");
                    self.warn_opaque(
                        "field",
                        "fields other than PAGE, NUMPAGES, DATE and HYPERLINK",
                        &place,
                    );
                    blocks.push(Block::Opaque(o));
                    continue;
                }
                match self.paragraph(node, ctx, &place)? {
                    Ok(mut p) => {
                        if let Some(section) = p.section.take() {
                            sections.push(section);
                            // An empty paragraph holding only the section's properties is
                            // the break itself (as folio writes one).
                            let empty = p.pieces.iter().all(Vec::is_empty)
                                && p.bookmarks.is_empty()
                                && p.numbering.is_none();
                            if !empty {
                                self.push_paragraph(
                                    p,
                                    &mut blocks,
                                    &mut list,
                                    &mut previous_numbered,
                                );
                            }
                            flush_list(&mut list, &mut blocks);
                            breaks.push(blocks.len());
                        } else {
                            self.push_paragraph(p, &mut blocks, &mut list, &mut previous_numbered);
                        }
                    }
                    Err(why) => {
                        flush_list(&mut list, &mut blocks);
                        let depth = field_depth_after(node, 0);
                        if depth > 0 {
                            self.open_field_depth = depth;
                        }
                        let o = self.opaque(node, ctx, &why.reason);
                        self.warn_opaque(why.kind, &why.reason, &place);
                        blocks.push(Block::Opaque(o));
                        if let Some(sect) = node.path(Ns::W, &["pPr", "sectPr"]) {
                            sections.push(self.section_props(sect, ctx, &place)?);
                            breaks.push(blocks.len());
                        }
                    }
                }
                continue;
            }
            flush_list(&mut list, &mut blocks);
            if node.is(Ns::W, "tbl") {
                match self.table(node, ctx, &place, 0)? {
                    Ok(t) => blocks.push(Block::Table(t)),
                    Err(why) => {
                        let o = self.opaque(node, ctx, &why.reason);
                        self.warn_opaque(why.kind, &why.reason, &place);
                        blocks.push(Block::Opaque(o));
                    }
                }
            } else if node.is(Ns::W, "sdt") {
                if let Some(mut toc) = table_of_contents(node) {
                    if let Some(content) = node.child(Ns::W, "sdtContent") {
                        let paragraphs: Vec<&Node> = content
                            .elements()
                            .skip_while(|p| !p.descendants().any(|n| n.is(Ns::W, "fldChar")))
                            .collect();
                        toc.pages = self.toc_pages(&paragraphs);
                    }
                    blocks.push(Block::TableOfContents(toc));
                } else {
                    let o = self.opaque(node, ctx, "content control");
                    self.warn_opaque("content_control", "content controls (w:sdt)", &place);
                    blocks.push(Block::Opaque(o));
                }
            } else if node.is(Ns::W, "bookmarkStart") {
                if let Some(name) = node.attr(Ns::W, "name")
                    && let Some(name) = self.bookmark_name(name)
                {
                    self.pending_bookmarks.push(name);
                }
            } else if node.is(Ns::W, "bookmarkEnd") || node.is(Ns::W, "proofErr") {
                // Ends are implied by the starts; proofing marks are Word's own state.
            } else {
                let reason = element_reason(node);
                let o = self.opaque(node, ctx, &reason);
                self.warn_opaque("element", &reason, &place);
                blocks.push(Block::Opaque(o));
            }
        }
        flush_list(&mut list, &mut blocks);
        if !self.pending_bookmarks.is_empty() {
            let n = self.pending_bookmarks.len();
            self.warnings.add(
                "bookmark_dropped",
                || "bookmarks with no paragraph to mark were dropped".into(),
                &format!("{n} at the end of the body"),
            );
        }
        // Section 0 takes the first sectPr; a break after the paragraph ending section k
        // starts section k + 1 with the next sectPr's properties.
        if sections.is_empty() {
            sections.push(SectionProps::default());
        }
        // A section's header or footer that is the one it would inherit anyway is left
        // unset (Word's link to previous; folio writes those references out in full).
        let mut shown = (HeaderFooter::default(), HeaderFooter::default());
        for section in &mut sections {
            for (own, seen) in [
                (&mut section.header, &mut shown.0),
                (&mut section.footer, &mut shown.1),
            ] {
                for (mine, before) in [
                    (&mut own.default, &mut seen.default),
                    (&mut own.first, &mut seen.first),
                    (&mut own.even, &mut seen.even),
                ] {
                    match mine {
                        Some(_) if *mine == *before => *mine = None,
                        Some(runs) => *before = Some(runs.clone()),
                        None => {}
                    }
                }
            }
        }
        let mut out = Vec::with_capacity(blocks.len() + breaks.len());
        let mut next_break = 0;
        let section_break = |next_break: &mut usize| {
            *next_break += 1;
            let props = sections.get(*next_break).cloned().unwrap_or_default();
            Block::SectionBreak(SectionBreak {
                id: domain::BlockId::new("import"),
                kind: props.start,
                page: props.page,
                header: props.header,
                footer: props.footer,
            })
        };
        // Breaks before any block (empty sections at the start), then each after the
        // block that ends its section.
        while next_break < breaks.len() && breaks[next_break] == 0 {
            out.push(section_break(&mut next_break));
        }
        for (i, block) in blocks.into_iter().enumerate() {
            out.push(block);
            while next_break < breaks.len() && breaks[next_break] == i + 1 {
                out.push(section_break(&mut next_break));
            }
        }
        let first = sections.into_iter().next().unwrap_or_default();
        // Equal columns spanning the text width are folio's default widths: left unset.
        let mut page = first.page;
        for block in &mut out {
            match block {
                Block::SectionBreak(b) => page = b.page,
                Block::Table(t) => {
                    let r = page.resolved();
                    let text = r.width_mm - r.margin_left_mm - r.margin_right_mm;
                    if let Some(widths) = &t.widths_mm
                        && let Some(first) = widths.first()
                        && widths.iter().all(|w| (w - first).abs() < 0.1)
                        && (widths.iter().sum::<f32>() - text).abs() < 1.0
                    {
                        t.widths_mm = None;
                    }
                }
                _ => {}
            }
        }
        Ok((out, first))
    }

    /// Opaque blocks as paragraphs of their text, opaque inline content as its text (for a
    /// strict file, whose XML cannot be written back into a transitional one).
    fn strict_opaque_as_text(&mut self, blocks: &mut [Block], part: &str) {
        let mut kept = 0;
        for block in blocks.iter_mut() {
            match block {
                Block::Opaque(o) => {
                    kept += 1;
                    *block = Block::Paragraph(Paragraph {
                        id: o.id.clone(),
                        runs: vec![Run::plain(std::mem::take(&mut o.text))],
                        style: None,
                        alignment: None,
                        format: ParagraphFormat::default(),
                        bookmarks: Vec::new(),
                    });
                }
                Block::Paragraph(p) => kept += inline_as_text(&mut p.runs),
                Block::Heading(h) => kept += inline_as_text(&mut h.runs),
                Block::List(l) => kept += items_as_text(&mut l.items),
                Block::Table(t) => {
                    for cell in &mut t.cell_runs {
                        kept += inline_as_text(&mut cell.runs);
                        for b in &mut cell.blocks {
                            match b {
                                CellBlock::Paragraph { runs, .. } => kept += inline_as_text(runs),
                                CellBlock::List { items, .. } => kept += items_as_text(items),
                                CellBlock::Table { .. } => {}
                            }
                        }
                        // The cell's text is its content's.
                        t.rows[cell.row][cell.col] = if cell.blocks.is_empty() {
                            domain::model::runs_text(&cell.runs)
                        } else {
                            domain::model::cell_blocks_text(&cell.blocks)
                        };
                    }
                }
                _ => {}
            }
        }
        if kept > 0 {
            self.warnings.add(
                "strict_opaque_as_text",
                || "a strict-OOXML file's content folio does not model was kept as its text (its XML cannot be written into folio's transitional file)".into(),
                part,
            );
        }
    }

    /// Warns of each property of `properties` folio neither keeps nor needs (`known`):
    /// direct formatting a mapped block loses (its style's is kept with the style sheet).
    fn warn_unkept(&mut self, properties: &Node, known: &[&str], kind: &str, place: &str) {
        for prop in properties.elements() {
            if prop.ns == Ns::W && known.contains(&prop.local) {
                continue;
            }
            let name = prop.qname.to_string();
            self.warnings.add(
                &format!("{kind}_{}", prop.local),
                || format!("the direct formatting {name} (which folio does not model) was not kept; the style's is"),
                place,
            );
        }
    }

    fn warn_opaque(&mut self, kind: &str, what: &str, place: &str) {
        let key = format!("opaque_{kind}");
        let what = what.to_string();
        self.warnings.add(
            &key,
            || format!("kept as opaque blocks (moved, deleted and written back as they were, their text searchable, not edited): {what}"),
            place,
        );
    }

    /// Adds a mapped paragraph: into the open list, or as its own block(s).
    fn push_paragraph(
        &mut self,
        mut p: MappedParagraph,
        blocks: &mut Vec<Block>,
        list: &mut Option<(u32, List)>,
        previous_numbered: &mut Option<u32>,
    ) {
        let mut bookmarks = std::mem::take(&mut self.pending_bookmarks);
        bookmarks.append(&mut p.bookmarks);
        if let Some((num, level)) = p.numbering
            && p.pieces.len() == 1
            && let Some(kind) = self.list_kind(num, level)
        {
            let runs = p.pieces.pop().unwrap_or_default();
            let item = ListItem::from_runs(runs, level.min(domain::MAX_LIST_LEVEL));
            if !bookmarks.is_empty() {
                self.warnings.add(
                    "bookmark_dropped",
                    || "bookmarks on list items were dropped (folio's bookmarks mark paragraphs and headings)".into(),
                    &bookmarks.join(", "),
                );
            }
            match list {
                // The same numbering goes on; so does a nested item (writers give each
                // level its own numbering instance).
                Some((open, l))
                    if (*open == num || level > 0)
                        && l.items.len() < self.model_limits.max_list_items =>
                {
                    l.items.push(item);
                }
                _ => {
                    flush_list(list, blocks);
                    let numbering = self.list_numbering((num, level), kind, *previous_numbered);
                    if kind == ListKind::Numbered {
                        *previous_numbered = Some(num);
                    }
                    *list = Some((
                        num,
                        List {
                            id: domain::BlockId::new("import"),
                            kind,
                            items: vec![item],
                            numbering,
                        },
                    ));
                }
            }
            return;
        }
        flush_list(list, blocks);
        let pieces = p.pieces.len();
        for (i, runs) in p.pieces.into_iter().enumerate() {
            if i > 0 {
                blocks.push(Block::PageBreak(PageBreak {
                    id: domain::BlockId::new("import"),
                }));
            }
            // A paragraph holding only a page break is that break.
            if pieces > 1 && runs.is_empty() {
                continue;
            }
            let marks = if i == 0 {
                std::mem::take(&mut bookmarks)
            } else {
                Vec::new()
            };
            match p.heading {
                Some(level) => blocks.push(Block::Heading(Heading {
                    id: domain::BlockId::new("import"),
                    level,
                    runs,
                    alignment: p.alignment,
                    format: p.format,
                    bookmarks: marks,
                })),
                None => blocks.push(Block::Paragraph(Paragraph {
                    id: domain::BlockId::new("import"),
                    runs,
                    style: p.style.clone(),
                    alignment: p.alignment,
                    format: p.format,
                    bookmarks: marks,
                })),
            }
        }
    }

    /// Bullets or numbers: what the numbering shows at `level` (where the list's first
    /// item is).
    fn list_kind(&self, num: u32, level: u8) -> Option<ListKind> {
        let level = self.numbering.level(num, level)?;
        Some(match level.format.as_str() {
            "bullet" | "none" => ListKind::Bullet,
            _ => ListKind::Numbered,
        })
    }

    fn list_numbering(
        &mut self,
        (num, first): (u32, u8),
        kind: ListKind,
        previous: Option<u32>,
    ) -> ListNumbering {
        let level = self.numbering.level(num, first).unwrap_or_default();
        let mut numbering = ListNumbering::default();
        match kind {
            ListKind::Bullet => {
                let mut chars = level.text.chars();
                if let (Some(c), None) = (chars.next(), chars.next())
                    && c != '\u{2022}'
                    && !('\u{E000}'..='\u{F8FF}').contains(&c)
                    && !c.is_control()
                {
                    numbering.bullet = Some(c.to_string());
                }
            }
            ListKind::Numbered => {
                numbering.format = match level.format.as_str() {
                    "decimal" | "decimalZero" => None,
                    "lowerLetter" => Some(NumberStyle::LowerLetter),
                    "upperLetter" => Some(NumberStyle::UpperLetter),
                    "lowerRoman" => Some(NumberStyle::LowerRoman),
                    "upperRoman" => Some(NumberStyle::UpperRoman),
                    other => {
                        let other = other.to_string();
                        self.warnings.add(
                            "number_format",
                            || "number formats folio does not have were written as decimal".into(),
                            &other,
                        );
                        None
                    }
                };
                numbering.start = level.start.filter(|s| *s != 1 && *s <= 32_767);
                let same_definition = previous.is_some_and(|p| {
                    p == num || self.numbering.abstract_of(p) == self.numbering.abstract_of(num)
                });
                if previous == Some(num) || (same_definition && level.start.is_none()) {
                    numbering.continue_previous = previous == Some(num);
                }
            }
        }
        numbering
    }

    /// Maps a `w:p`, or says why it stays opaque.
    fn paragraph(
        &mut self,
        node: &Node,
        ctx: &PartContext<'_>,
        place: &str,
    ) -> Result<Result<MappedParagraph, Unmodelled>, ImportError> {
        let mut p = MappedParagraph::default();
        if let Some(ppr) = node.child(Ns::W, "pPr") {
            if let Some(style) = ppr.child_val("pStyle") {
                if self.styles.has(style) {
                    if self.styles.default_paragraph.as_deref() != Some(style) {
                        p.style = Some(style.to_string());
                    }
                    p.heading = self.styles.heading_level(style);
                    p.numbering = self.styles.numbering(style);
                } else {
                    self.warnings.add(
                        "missing_style",
                        || "paragraphs named a style the file does not define; they keep the default style".into(),
                        place,
                    );
                }
            }
            if let Some(level) = ppr
                .child_val("outlineLvl")
                .and_then(|v| v.parse::<u8>().ok())
                .filter(|l| *l < 9)
            {
                p.heading = Some(level + 1);
            }
            if let Some(num) = ppr.child(Ns::W, "numPr") {
                let id = num.child_val("numId").and_then(|v| v.parse::<u32>().ok());
                let level = num
                    .child_val("ilvl")
                    .and_then(|v| v.parse::<u8>().ok())
                    .or(p.numbering.map(|(_, l)| l))
                    .unwrap_or(0);
                p.numbering = match id {
                    Some(0) => None,
                    Some(id) => Some((id, level)),
                    None => p.numbering.map(|(id, _)| (id, level)),
                };
            }
            if let Some((num, _)) = p.numbering
                && self.numbering.level(num, 0).is_none()
            {
                p.numbering = None;
            }
            // A heading stays a heading, numbered or not (folio's headings carry no
            // numbering).
            if p.heading.is_some() && p.numbering.take().is_some() {
                self.warnings.add(
                    "heading_numbering",
                    || "numbered headings keep their text; their numbers are not kept".into(),
                    place,
                );
            }
            p.alignment = ppr.child_val("jc").and_then(alignment);
            p.format = paragraph_format(ppr);
            self.warn_unkept(
                ppr,
                &[
                    "pStyle",
                    "keepNext",
                    "pageBreakBefore",
                    "numPr",
                    "spacing",
                    "ind",
                    "jc",
                    "outlineLvl",
                    "sectPr",
                    "rPr",
                    "pPrChange",
                    "widowControl",
                    "snapToGrid",
                    "autoSpaceDE",
                    "autoSpaceDN",
                    "adjustRightInd",
                    "contextualSpacing",
                    "suppressAutoHyphens",
                    "kinsoku",
                    "wordWrap",
                    "overflowPunct",
                    "topLinePunct",
                    "textAlignment",
                    "textboxTightWrap",
                    "mirrorIndents",
                ],
                "paragraph_format",
                place,
            );
            if let Some(sect) = ppr.child(Ns::W, "sectPr") {
                p.section = Some(self.section_props(sect, ctx, place)?);
            }
        }
        if p.heading.is_some() {
            // A heading's look is its level's style.
            p.style = None;
        }
        // Tracked changes of formatting or of the paragraph mark: kept as they are.
        let mark_changed = node.path(Ns::W, &["pPr", "rPr"]).is_some_and(|r| {
            r.elements()
                .any(|e| e.ns == Ns::W && matches!(e.local, "ins" | "del"))
        });
        if !ctx.lenient
            && (mark_changed
                || node.descendants().any(|n| {
                    n.ns == Ns::W
                        && matches!(
                            n.local,
                            "rPrChange" | "pPrChange" | "sectPrChange" | "numberingChange"
                        )
                }))
        {
            return Ok(Err(unmodelled("tracked_change", "tracked changes")));
        }
        let mut inline = Inline {
            pieces: vec![Vec::new()],
            ..Inline::default()
        };
        if let Err(why) = self.inlines(node, ctx, &RunFormat::default(), &mut inline, place)?
            && !ctx.lenient
        {
            return Ok(Err(why));
        }
        if !matches!(inline.field, FieldState::None) {
            return Ok(Err(unmodelled(
                "field",
                "a field that goes on into the next paragraph",
            )));
        }
        // Bookmarks still open at the end, or covering every run, mark the paragraph.
        let runs_total: usize = inline.pieces.iter().map(Vec::len).sum();
        for (name, _) in std::mem::take(&mut inline.open_bookmarks).into_values() {
            strip_bookmark(&mut inline.pieces, &name);
            inline.whole.push(name);
        }
        // A range bookmark over every run of the paragraph is a whole-paragraph one.
        if runs_total > 0 {
            let everywhere: Vec<String> = inline.pieces[0]
                .first()
                .map(|r| r.format.bookmarks.clone())
                .unwrap_or_default()
                .into_iter()
                .filter(|name| {
                    inline
                        .pieces
                        .iter()
                        .flatten()
                        .all(|r| r.format.bookmarks.contains(name))
                })
                .collect();
            for name in everywhere {
                strip_bookmark(&mut inline.pieces, &name);
                inline.whole.push(name);
            }
        }
        for piece in &mut inline.pieces {
            domain::text::normalize(piece);
        }
        p.bookmarks = inline.whole;
        p.pieces = inline.pieces;
        if p.heading.is_some() && p.pieces.len() > 1 {
            return Ok(Err(unmodelled(
                "page_break",
                "a heading with a page break inside",
            )));
        }
        Ok(Ok(p))
    }

    /// Walks the inline content of `node` (a paragraph, a link, a smart tag…).
    fn inlines(
        &mut self,
        node: &Node,
        ctx: &PartContext<'_>,
        base: &RunFormat,
        st: &mut Inline,
        place: &str,
    ) -> Result<Result<(), Unmodelled>, ImportError> {
        for child in node.elements() {
            if child.ns != Ns::W {
                if ctx.lenient {
                    self.lenient_text(child, base, st, place);
                    continue;
                }
                let why = unmodelled("element", format!("{} inside a paragraph", child.qname));
                if let Err(why) = self.keep_inline(child, ctx, base, st, why, place) {
                    return Ok(Err(why));
                }
                continue;
            }
            match child.local {
                "pPr" | "proofErr" | "lastRenderedPageBreak" => {}
                "bookmarkStart" => {
                    if let (Some(id), Some(name)) =
                        (child.attr(Ns::W, "id"), child.attr(Ns::W, "name"))
                        && let Some(name) = self.bookmark_name(name)
                    {
                        let at_start = st.pieces.iter().all(Vec::is_empty);
                        st.open_bookmarks.insert(id.to_string(), (name, at_start));
                    }
                }
                "bookmarkEnd" => {
                    // A bookmark over no text marks the paragraph (folio has no empty ones).
                    if let Some(id) = child.attr(Ns::W, "id")
                        && let Some((name, _)) = st.open_bookmarks.remove(id)
                        && !st
                            .pieces
                            .iter()
                            .flatten()
                            .any(|r| r.format.bookmarks.contains(&name))
                    {
                        st.whole.push(name);
                    }
                }
                "r" => {
                    if let Err(why) = self.text_run(child, ctx, base, st, place)? {
                        return Ok(Err(why));
                    }
                }
                "hyperlink" => {
                    if base.link.is_some() {
                        return Ok(Err(unmodelled("hyperlink", "a link inside a link")));
                    }
                    let target = match self.link_target(child, ctx) {
                        Ok(t) => t,
                        Err(why) if ctx.lenient => {
                            self.warnings
                                .add("link_dropped", || why.reason.clone(), place);
                            None
                        }
                        Err(why) => return Ok(Err(why)),
                    };
                    let mut format = base.clone();
                    format.link = target;
                    if let Err(why) = self.inlines(child, ctx, &format, st, place)? {
                        return Ok(Err(why));
                    }
                }
                "fldSimple" => {
                    let instr = child.attr(Ns::W, "instr").unwrap_or("").to_string();
                    match field_kind(&instr) {
                        Some(FieldKind::Shown(field)) => {
                            let text = clean_text(&child.text());
                            if text.is_empty() {
                                return Ok(Err(unmodelled(
                                    "field",
                                    "a field without a shown value",
                                )));
                            }
                            let mut format = base.clone();
                            format.field = Some(field);
                            push_run(st, text, format);
                        }
                        Some(FieldKind::Link(target)) if base.link.is_none() => {
                            let mut format = base.clone();
                            format.link = Some(target);
                            if let Err(why) = self.inlines(child, ctx, &format, st, place)? {
                                return Ok(Err(why));
                            }
                        }
                        _ if ctx.lenient => self.lenient_text(child, base, st, place),
                        _ => {
                            let why =
                                unmodelled("field", format!("the field {}", field_name(&instr)));
                            if let Err(why) = self.keep_inline(child, ctx, base, st, why, place) {
                                return Ok(Err(why));
                            }
                        }
                    }
                }
                "smartTag" | "customXml" | "sdt" | "ins" | "del" | "moveFrom" | "moveTo"
                | "moveFromRangeStart" | "moveFromRangeEnd" | "moveToRangeStart"
                | "moveToRangeEnd" | "commentRangeStart" | "commentRangeEnd" | "permStart"
                | "permEnd" => {
                    if ctx.lenient {
                        match child.local {
                            "del" | "moveFrom" => {}
                            "sdt" => {
                                if let Some(content) = child.child(Ns::W, "sdtContent")
                                    && let Err(why) = self.inlines(content, ctx, base, st, place)?
                                {
                                    return Ok(Err(why));
                                }
                            }
                            _ => {
                                if let Err(why) = self.inlines(child, ctx, base, st, place)? {
                                    return Ok(Err(why));
                                }
                            }
                        }
                        continue;
                    }
                    let (kind, why) = match child.local {
                        "ins" | "del" | "moveFrom" | "moveTo" | "moveFromRangeStart"
                        | "moveFromRangeEnd" | "moveToRangeStart" | "moveToRangeEnd" => {
                            ("tracked_change", "tracked changes")
                        }
                        "commentRangeStart" | "commentRangeEnd" => ("comment", "comments"),
                        "sdt" => ("content_control", "content controls (w:sdt)"),
                        "smartTag" => ("smart_tag", "smart tags"),
                        "customXml" => ("custom_xml", "custom XML markup"),
                        _ => ("permission", "editing permissions"),
                    };
                    if let Err(why) =
                        self.keep_inline(child, ctx, base, st, unmodelled(kind, why), place)
                    {
                        return Ok(Err(why));
                    }
                }
                _ => {
                    if ctx.lenient {
                        self.lenient_text(child, base, st, place);
                        continue;
                    }
                    let why = unmodelled("element", format!("{} inside a paragraph", child.qname));
                    if let Err(why) = self.keep_inline(child, ctx, base, st, why, place) {
                        return Ok(Err(why));
                    }
                }
            }
        }
        Ok(Ok(()))
    }

    /// Keeps `node` as opaque inline content, unless a field is open around it (a field's
    /// parts stay together: then the paragraph is kept whole).
    fn keep_inline(
        &mut self,
        node: &Node,
        ctx: &PartContext<'_>,
        base: &RunFormat,
        st: &mut Inline,
        why: Unmodelled,
        place: &str,
    ) -> Result<(), Unmodelled> {
        if !matches!(st.field, FieldState::None) {
            return Err(why);
        }
        self.opaque_inline(node, ctx, base, st, &why, place);
        Ok(())
    }

    /// In a header or footer: unknown content as its text, with a warning.
    fn lenient_text(&mut self, node: &Node, base: &RunFormat, st: &mut Inline, place: &str) {
        let text = clean_text(&node.text());
        let name = node.qname;
        self.warnings.add(
            "header_content_as_text",
            || "content of headers and footers folio does not model was kept as its text".into(),
            &format!("{place}: {name}"),
        );
        if !text.is_empty() {
            push_run(st, text, base.clone());
        }
    }

    fn link_target(
        &mut self,
        node: &Node,
        ctx: &PartContext<'_>,
    ) -> Result<Option<String>, Unmodelled> {
        let anchor = node
            .attr(Ns::W, "anchor")
            .filter(|a| is_bookmark_name(a))
            .map(|a| format!("#{a}"));
        let Some(id) = node.attr(Ns::R, "id") else {
            return Ok(anchor);
        };
        let Some(rel) = ctx.rels.get(id).filter(|r| r.kind.ends_with(REL_HYPERLINK)) else {
            return Ok(anchor);
        };
        let url = rel.target.trim();
        let lower = url.to_ascii_lowercase();
        if !(lower.starts_with("http://")
            || lower.starts_with("https://")
            || lower.starts_with("mailto:"))
        {
            return Err(unmodelled(
                "hyperlink",
                "links to targets other than http, https and mailto",
            ));
        }
        if url.chars().count() > 2_000 || domain::text::first_non_xml_char(url).is_some() {
            return Err(unmodelled("hyperlink", "links with unusable targets"));
        }
        Ok(Some(match node.attr(Ns::W, "anchor") {
            Some(a) if !url.contains('#') => format!("{url}#{a}"),
            _ => url.to_string(),
        }))
    }

    /// Maps a `w:r`; a run holding content the model cannot hold (a symbol, a footnote
    /// reference, an object…) is kept whole as opaque inline content, unless it is part
    /// of a field (then its paragraph is kept whole).
    fn text_run(
        &mut self,
        node: &Node,
        ctx: &PartContext<'_>,
        base: &RunFormat,
        st: &mut Inline,
        place: &str,
    ) -> Result<Result<(), Unmodelled>, ImportError> {
        let before = (st.pieces.len(), st.pieces.last().map_or(0, Vec::len));
        let in_field = !matches!(st.field, FieldState::None)
            || node
                .elements()
                .any(|c| c.is(Ns::W, "fldChar") || c.is(Ns::W, "instrText"));
        match self.run_content(node, ctx, base, st, place)? {
            Err(why) if !ctx.lenient && !in_field => {
                // What the run wrote before it met the unknown content goes: the run is
                // kept whole.
                st.pieces.truncate(before.0);
                if let Some(last) = st.pieces.last_mut() {
                    last.truncate(before.1);
                }
                self.opaque_inline(node, ctx, base, st, &why, place);
                Ok(Ok(()))
            }
            other => Ok(other),
        }
    }

    fn run_content(
        &mut self,
        node: &Node,
        ctx: &PartContext<'_>,
        base: &RunFormat,
        st: &mut Inline,
        place: &str,
    ) -> Result<Result<(), Unmodelled>, ImportError> {
        let mut format = base.clone();
        if let Some(rpr) = node.child(Ns::W, "rPr") {
            self.run_format(rpr, &mut format, place);
        }
        for child in node.elements() {
            if child.ns != Ns::W {
                if ctx.lenient {
                    self.lenient_text(child, &format, st, place);
                    continue;
                }
                return Ok(Err(unmodelled(
                    "element",
                    format!("{} in a run", child.qname),
                )));
            }
            match child.local {
                "rPr" | "lastRenderedPageBreak" => {}
                "fldChar" => {
                    let kind = child.attr(Ns::W, "fldCharType").unwrap_or("");
                    match (kind, std::mem::take(&mut st.field)) {
                        ("begin", FieldState::None) => {
                            st.field = FieldState::Instruction(String::new())
                        }
                        ("separate", FieldState::Instruction(instr)) => match field_kind(&instr) {
                            Some(kind) => st.field = FieldState::Result(kind, Vec::new()),
                            None if ctx.lenient => {
                                st.field =
                                    FieldState::Result(FieldKind::Link(String::new()), Vec::new());
                            }
                            None => {
                                return Ok(Err(unmodelled(
                                    "field",
                                    format!("the field {}", field_name(&instr)),
                                )));
                            }
                        },
                        ("end", FieldState::Result(kind, runs)) => {
                            if let Err(why) = finish_field(kind, runs, st, ctx.lenient) {
                                return Ok(Err(why));
                            }
                        }
                        // A header's field without a shown value shows nothing.
                        ("end", FieldState::Instruction(_)) if ctx.lenient => {}
                        ("end", FieldState::Instruction(instr)) => {
                            return Ok(Err(unmodelled(
                                "field",
                                format!("the field {} (without a shown value)", field_name(&instr)),
                            )));
                        }
                        _ => {
                            return Ok(Err(unmodelled("field", "nested or unbalanced fields")));
                        }
                    }
                }
                "instrText" => {
                    if let FieldState::Instruction(instr) = &mut st.field {
                        instr.push_str(&child.text_content());
                        if instr.len() > 10_000 {
                            return Ok(Err(unmodelled(
                                "field",
                                "a field with a very long instruction",
                            )));
                        }
                    }
                }
                "t" => {
                    let text = clean_text(&child.text_content());
                    if !text.is_empty() {
                        self.emit(st, text, format.clone());
                    }
                }
                "tab" | "ptab" => self.emit(st, "\t".into(), format.clone()),
                "br" => match child.attr(Ns::W, "type") {
                    Some("page") => {
                        if !matches!(st.field, FieldState::None) {
                            return Ok(Err(unmodelled(
                                "page_break",
                                "a page break inside a field",
                            )));
                        }
                        st.pieces.push(Vec::new());
                    }
                    Some("column") if !ctx.lenient => {
                        return Ok(Err(unmodelled("column_break", "column breaks")));
                    }
                    _ => self.emit(st, "\n".into(), format.clone()),
                },
                "cr" => self.emit(st, "\n".into(), format.clone()),
                "noBreakHyphen" => self.emit(st, "\u{2011}".into(), format.clone()),
                "softHyphen" => self.emit(st, "\u{AD}".into(), format.clone()),
                "drawing" => match self.image(child, ctx, place)? {
                    Ok(image) => {
                        if !matches!(st.field, FieldState::None) {
                            return Ok(Err(unmodelled("picture", "a picture inside a field")));
                        }
                        let mut f = format.clone();
                        f.image = Some(image);
                        push_run(st, domain::IMAGE_CHAR.to_string(), f);
                    }
                    Err(why) if ctx.lenient => {
                        self.warnings
                            .add("header_picture_dropped", || why.reason.clone(), place);
                    }
                    Err(why) => return Ok(Err(why)),
                },
                "delText" | "annotationRef" | "separator" | "continuationSeparator"
                    if ctx.lenient => {}
                _ => {
                    if ctx.lenient {
                        self.lenient_text(child, &format, st, place);
                        continue;
                    }
                    let (kind, why) = match child.local {
                        "footnoteReference" | "endnoteReference" => {
                            ("note", "footnotes and endnotes".to_string())
                        }
                        "commentReference" => ("comment", "comments".to_string()),
                        "object" | "pict" => {
                            ("object", "embedded objects and VML pictures".to_string())
                        }
                        "sym" => ("symbol", "symbol characters (w:sym)".to_string()),
                        "ruby" => ("ruby", "ruby (phonetic guide) text".to_string()),
                        "fldChar" | "instrText" => ("field", "fields".to_string()),
                        other => ("element", format!("w:{other} in a run")),
                    };
                    return Ok(Err(unmodelled(kind, why)));
                }
            }
        }
        Ok(Ok(()))
    }

    /// Text of a run: into the field's result when one is open, else into the paragraph.
    fn emit(&mut self, st: &mut Inline, text: String, format: RunFormat) {
        match &mut st.field {
            FieldState::Result(_, runs) => runs.push(Run { text, format }),
            // The instruction's own runs hold no shown text.
            FieldState::Instruction(_) => {}
            FieldState::None => push_run(st, text, format),
        }
    }

    fn run_format(&mut self, rpr: &Node, f: &mut RunFormat, place: &str) {
        for prop in rpr.elements() {
            if prop.ns != Ns::W {
                continue;
            }
            let on = || !matches!(prop.val(), Some("0" | "false" | "off"));
            match prop.local {
                "b" => f.bold = on(),
                "i" => f.italic = on(),
                "u" => {
                    f.underline = !matches!(prop.val(), Some("none") | None) || prop.val().is_none()
                }
                "strike" | "dstrike" => f.strike = on(),
                "smallCaps" => f.small_caps = on(),
                "rFonts" => {
                    f.font = prop
                        .attr(Ns::W, "ascii")
                        .or(prop.attr(Ns::W, "hAnsi"))
                        .map(clean_text)
                        .filter(|s| !s.is_empty() && s.chars().count() <= 200);
                }
                "sz" => {
                    f.size_pt = prop
                        .val()
                        .and_then(|v| v.parse::<f32>().ok())
                        .filter(|v| (2.0..=3276.0).contains(v))
                        .map(|v| (v / 2.0 * 2.0).round() / 2.0);
                }
                "color" => f.color = prop.val().and_then(color),
                "highlight" => {
                    f.highlight = prop
                        .val()
                        .filter(|v| domain::command::HIGHLIGHT_COLORS.contains(v))
                        .map(str::to_string);
                }
                "vertAlign" => match prop.val() {
                    Some("superscript") => {
                        f.superscript = true;
                        f.subscript = false;
                    }
                    Some("subscript") => {
                        f.subscript = true;
                        f.superscript = false;
                    }
                    _ => {}
                },
                "rStyle" => {
                    f.style = prop
                        .val()
                        .filter(|s| self.styles.has(s))
                        .map(str::to_string);
                }
                // Complex-script twins, proofing, languages and layout hints: no visible
                // change for the model's text.
                "bCs" | "iCs" | "szCs" | "lang" | "noProof" | "kern" | "webHidden" | "rtl"
                | "cs" | "specVanish" | "snapToGrid" | "eastAsianLayout" | "oMath" => {}
                other => {
                    let other = other.to_string();
                    self.warnings.add(
                        &format!("run_format_{other}"),
                        || format!("the run formatting w:{other} (which folio does not model) was not kept on direct formatting"),
                        place,
                    );
                }
            }
        }
    }

    /// An inline picture folio can hold, or why not.
    fn image(
        &mut self,
        drawing: &Node,
        ctx: &PartContext<'_>,
        place: &str,
    ) -> Result<Result<InlineImage, Unmodelled>, ImportError> {
        let Some(inline) = drawing.child(Ns::Wp, "inline") else {
            return Ok(Err(unmodelled(
                "floating_picture",
                "floating pictures and shapes",
            )));
        };
        let Some(blip) = inline
            .descendants()
            .find(|n| n.is(Ns::A, "blip"))
            .filter(|_| inline.descendants().any(|n| n.is(Ns::Pic, "pic")))
        else {
            return Ok(Err(unmodelled(
                "drawing",
                "charts, diagrams and drawings other than pictures",
            )));
        };
        let Some(embed) = blip.attr(Ns::R, "embed") else {
            if blip.attr(Ns::R, "link").is_some() {
                self.warnings.add(
                    "external_picture",
                    || "pictures linked to files outside the document are never fetched: they are kept (as opaque blocks) with their address".into(),
                    place,
                );
            }
            return Ok(Err(unmodelled(
                "linked_picture",
                "pictures linked to outside files",
            )));
        };
        let Some(rel) = ctx.rels.get(embed).filter(|r| !r.external) else {
            return Ok(Err(unmodelled(
                "linked_picture",
                "pictures linked to outside files",
            )));
        };
        let Some(bytes) = self.package.part(&rel.target) else {
            return Ok(Err(unmodelled(
                "missing_picture",
                "pictures whose file is missing",
            )));
        };
        if self.images >= self.model_limits.max_images {
            return Ok(Err(unmodelled(
                "picture",
                "pictures beyond the per-document limit",
            )));
        }
        let checked = match domain::check_image_bytes(bytes.to_vec(), self.model_limits) {
            Ok(c) => c,
            Err(_) => {
                return Ok(Err(unmodelled(
                    "picture_format",
                    "pictures in formats folio does not store (EMF, WMF, SVG, TIFF…) or over the limits",
                )));
            }
        };
        let extent = inline.child(Ns::Wp, "extent");
        let emu = |name: &str| {
            extent
                .and_then(|e| e.attrs.iter().find(|a| a.local == name))
                .and_then(|a| a.value.parse::<u64>().ok())
                .and_then(|v| u32::try_from(v).ok())
                .filter(|v| *v > 0)
        };
        let (Some(width_emu), Some(height_emu)) = (emu("cx"), emu("cy")) else {
            return Ok(Err(unmodelled("picture", "pictures without a size")));
        };
        let alt_text = inline
            .child(Ns::Wp, "docPr")
            .and_then(|d| {
                d.attrs
                    .iter()
                    .find(|a| a.local == "descr")
                    .or_else(|| d.attrs.iter().find(|a| a.local == "title"))
            })
            .map(|a| clean_text(&a.value))
            .unwrap_or_default()
            .chars()
            .take(self.model_limits.max_title_chars)
            .collect();
        self.images += 1;
        let image = checked.inline(width_emu, height_emu, alt_text);
        self.media.entry(checked.media).or_insert(checked.bytes);
        Ok(Ok(image))
    }

    fn bookmark_name(&mut self, name: &str) -> Option<String> {
        let name = clean_text(name);
        // `_Toc…` bookmarks belong to Word's table of contents, which folio writes anew
        // (with bookmarks of its own).
        if name.is_empty()
            || name == GO_BACK
            || name.starts_with("_Toc")
            || name.chars().count() > 40
        {
            return None;
        }
        if !self.bookmark_names.insert(name.to_lowercase()) {
            self.warnings.add(
                "bookmark_duplicate",
                || "bookmarks whose name was taken (ignoring case) were dropped".into(),
                &name,
            );
            return None;
        }
        Some(name)
    }

    /// Maps a `w:tbl` (depth 0) or says why it stays opaque.
    fn table(
        &mut self,
        node: &Node,
        ctx: &PartContext<'_>,
        place: &str,
        depth: usize,
    ) -> Result<Result<Table, Unmodelled>, ImportError> {
        let grid: Vec<f32> = node
            .child(Ns::W, "tblGrid")
            .map(|g| {
                g.elements()
                    .filter(|c| c.is(Ns::W, "gridCol"))
                    .map(|c| {
                        let mm = c.attr(Ns::W, "w").and_then(twips_pt).unwrap_or(0.0) * 25.4 / 72.0;
                        (mm * 10.0).round() / 10.0
                    })
                    .collect()
            })
            .unwrap_or_default();
        let style = node
            .path(Ns::W, &["tblPr", "tblStyle"])
            .and_then(Node::val)
            .filter(|s| self.styles.has(s))
            .map(str::to_string);
        struct CellIn<'n> {
            node: &'n Node<'n>,
            col: usize,
            span: usize,
            merge: Option<bool>,
        }
        let mut rows_in: Vec<Vec<CellIn<'_>>> = Vec::new();
        let mut header_row = false;
        // The table's look sets its first row apart (as readers take a header row).
        let first_row_look = node
            .path(Ns::W, &["tblPr", "tblLook"])
            .is_some_and(|look| match look.attr(Ns::W, "firstRow") {
                Some(v) => matches!(v, "1" | "true" | "on"),
                None => look
                    .val()
                    .and_then(|v| u32::from_str_radix(v, 16).ok())
                    .is_some_and(|bits| bits & 0x0020 != 0),
            });
        let rows = match children_named(node, "tr", &["tblPr", "tblGrid"], "tables") {
            Ok(rows) => rows,
            Err(why) => return Ok(Err(why)),
        };
        for tr in rows {
            let trpr = tr.child(Ns::W, "trPr");
            if rows_in.is_empty()
                && (trpr.and_then(|p| p.flag("tblHeader")) == Some(true) || first_row_look)
            {
                header_row = true;
            }
            let before = trpr
                .and_then(|p| p.child_val("gridBefore"))
                .and_then(|v| v.parse::<usize>().ok())
                .unwrap_or(0)
                .min(64);
            let mut col = before;
            let mut cells = Vec::new();
            let tcs = match children_named(tr, "tc", &["trPr", "tblPrEx"], "table rows") {
                Ok(tcs) => tcs,
                Err(why) => return Ok(Err(why)),
            };
            for tc in tcs {
                let tcpr = tc.child(Ns::W, "tcPr");
                if let Some(tcpr) = tcpr {
                    self.warn_unkept(
                        tcpr,
                        &[
                            "tcW", "gridSpan", "vMerge", "shd", "vAlign", "hMerge", "noWrap",
                            "hideMark",
                        ],
                        "cell_format",
                        place,
                    );
                }
                let span = tcpr
                    .and_then(|p| p.child_val("gridSpan"))
                    .and_then(|v| v.parse::<usize>().ok())
                    .unwrap_or(1)
                    .clamp(1, 64);
                let merge = tcpr
                    .and_then(|p| p.child(Ns::W, "vMerge"))
                    .map(|m| m.val() == Some("restart"));
                cells.push(CellIn {
                    node: tc,
                    col,
                    span,
                    merge,
                });
                col += span;
                if col > domain::MAX_TABLE_COLS {
                    return Ok(Err(unmodelled(
                        "table",
                        format!("tables wider than {} columns", domain::MAX_TABLE_COLS),
                    )));
                }
            }
            rows_in.push(cells);
        }
        let cols = rows_in
            .iter()
            .map(|r| r.last().map_or(0, |c| c.col + c.span))
            .max()
            .unwrap_or(0)
            .max(grid.len())
            .min(domain::MAX_TABLE_COLS);
        if rows_in.is_empty() || cols == 0 {
            return Ok(Err(unmodelled("table", "empty tables")));
        }
        if rows_in.len().saturating_mul(cols) > self.model_limits.max_table_cells {
            return Ok(Err(unmodelled("table", "tables over the cell limit")));
        }
        let mut rows = vec![vec![String::new(); cols]; rows_in.len()];
        let mut merges: Vec<CellSpan> = Vec::new();
        let mut cell_runs: Vec<CellRunsAt> = Vec::new();
        let mut cell_formats: Vec<CellFormatAt> = Vec::new();
        // The open vertical merge starting in each column: index into `merges`.
        let mut open: HashMap<usize, usize> = HashMap::new();
        for (r, cells) in rows_in.iter().enumerate() {
            for cell in cells {
                if cell.merge == Some(false) {
                    // A continuation: the merge above grows (if its columns match).
                    match open.get(&cell.col).and_then(|i| merges.get_mut(*i)) {
                        Some(m) if m.cols == cell.span && m.row + m.rows == r => {
                            m.rows += 1;
                            continue;
                        }
                        _ => {}
                    }
                }
                if cell.span > 1 || cell.merge == Some(true) {
                    merges.push(CellSpan {
                        row: r,
                        col: cell.col,
                        rows: 1,
                        cols: cell.span,
                    });
                    if cell.merge == Some(true) {
                        open.insert(cell.col, merges.len() - 1);
                    } else {
                        open.remove(&cell.col);
                    }
                } else {
                    open.remove(&cell.col);
                }
                if let Some(tcpr) = cell.node.child(Ns::W, "tcPr") {
                    let shading = tcpr
                        .child(Ns::W, "shd")
                        .and_then(|s| s.attr(Ns::W, "fill"))
                        .and_then(color);
                    let vertical_align = match tcpr.child_val("vAlign") {
                        Some("center") => Some(VerticalAlign::Center),
                        Some("bottom") => Some(VerticalAlign::Bottom),
                        _ => None,
                    };
                    if shading.is_some() || vertical_align.is_some() {
                        cell_formats.push(CellFormatAt {
                            row: r,
                            col: cell.col,
                            shading,
                            vertical_align,
                        });
                    }
                }
                match self.cell(cell.node, ctx, place, depth)? {
                    Ok((text, mut runs, blocks)) => {
                        rows[r][cell.col] = text;
                        // A header row is bold anyway (folio writes it so).
                        if r == 0
                            && header_row
                            && let Some(list) = &mut runs
                        {
                            for run in list.iter_mut() {
                                run.format.bold = false;
                            }
                            runs = domain::text_and_runs(std::mem::take(list)).1;
                        }
                        if runs.is_some() || !blocks.is_empty() {
                            cell_runs.push(CellRunsAt {
                                row: r,
                                col: cell.col,
                                runs: runs.unwrap_or_default(),
                                blocks,
                            });
                        }
                    }
                    Err(why) => return Ok(Err(why)),
                }
            }
        }
        // Merges must not overlap (a file can say anything).
        let mut taken = vec![vec![false; cols]; rows.len()];
        merges.retain(|m| {
            let fits = m.rows >= 1
                && m.row + m.rows <= rows.len()
                && m.col + m.cols <= cols
                && (m.rows > 1 || m.cols > 1);
            if !fits {
                return false;
            }
            let free =
                (m.row..m.row + m.rows).all(|r| (m.col..m.col + m.cols).all(|c| !taken[r][c]));
            if free {
                for row in taken.iter_mut().skip(m.row).take(m.rows) {
                    for cell in row.iter_mut().skip(m.col).take(m.cols) {
                        *cell = true;
                    }
                }
            }
            free
        });
        let widths_mm =
            (grid.len() == cols && grid.iter().all(|w| *w > 0.0 && w.is_finite())).then_some(grid);
        Ok(Ok(Table {
            id: domain::BlockId::new("import"),
            rows,
            header_row,
            style,
            merges,
            widths_mm,
            cell_formats,
            cell_runs,
        }))
    }

    /// A cell's content: its text, its runs (one formatted paragraph) or its blocks.
    #[allow(clippy::type_complexity)]
    fn cell(
        &mut self,
        tc: &Node,
        ctx: &PartContext<'_>,
        place: &str,
        depth: usize,
    ) -> Result<Result<(String, Option<Vec<Run>>, Vec<CellBlock>), Unmodelled>, ImportError> {
        let mut blocks: Vec<CellBlock> = Vec::new();
        for child in tc.elements() {
            if child.is(Ns::W, "tcPr")
                || child.is(Ns::W, "bookmarkStart")
                || child.is(Ns::W, "bookmarkEnd")
            {
                continue;
            }
            if child.is(Ns::W, "p") {
                let p = match self.paragraph(child, ctx, place)? {
                    Ok(p) => p,
                    Err(why) => return Ok(Err(why)),
                };
                if p.pieces.len() > 1 || p.section.is_some() {
                    return Ok(Err(unmodelled("table", "page breaks inside table cells")));
                }
                if !p.bookmarks.is_empty() {
                    self.warnings.add(
                        "bookmark_dropped",
                        || "bookmarks inside table cells were dropped".into(),
                        place,
                    );
                }
                let runs = p.pieces.into_iter().next().unwrap_or_default();
                if let Some((num, level)) = p.numbering
                    && let Some(kind) = self.list_kind(num, level)
                {
                    let item = ListItem::from_runs(runs, level.min(domain::MAX_LIST_LEVEL));
                    match blocks.last_mut() {
                        Some(CellBlock::List { kind: k, items }) if *k == kind => items.push(item),
                        _ => blocks.push(CellBlock::List {
                            kind,
                            items: vec![item],
                        }),
                    }
                } else {
                    let style = p.heading.map(|l| format!("Heading{l}")).or(p.style);
                    blocks.push(CellBlock::Paragraph {
                        runs,
                        style,
                        alignment: p.alignment,
                    });
                }
            } else if child.is(Ns::W, "tbl") {
                if depth >= 1 {
                    return Ok(Err(unmodelled(
                        "table",
                        "tables nested more than one level",
                    )));
                }
                match self.table(child, ctx, place, depth + 1)? {
                    Ok(t) => {
                        if !t.merges.is_empty() || !t.cell_runs.is_empty() {
                            self.warnings.add(
                                "nested_table_text",
                                || "tables inside table cells keep their text, not their merges or formatting".into(),
                                place,
                            );
                        }
                        blocks.push(CellBlock::Table { rows: t.rows });
                    }
                    Err(why) => return Ok(Err(why)),
                }
            } else {
                return Ok(Err(unmodelled(
                    "table",
                    format!("table cells holding {}", child.qname),
                )));
            }
        }
        // A cell must end with a paragraph: the empty one after a nested table is that.
        if let [
            ..,
            CellBlock::Table { .. },
            CellBlock::Paragraph {
                runs,
                style: None,
                alignment: None,
            },
        ] = blocks.as_slice()
            && runs.is_empty()
        {
            blocks.pop();
        }
        // One plain paragraph: text (and runs when formatted), the common case.
        if let [
            CellBlock::Paragraph {
                runs,
                style: None,
                alignment: None,
            },
        ] = blocks.as_slice()
        {
            let (text, runs) = domain::text_and_runs(runs.clone());
            return Ok(Ok((text, runs, Vec::new())));
        }
        if blocks.is_empty() {
            return Ok(Ok((String::new(), None, Vec::new())));
        }
        if blocks.len() > 100 {
            return Ok(Err(unmodelled(
                "table",
                "table cells holding more than 100 blocks",
            )));
        }
        let text = blocks
            .iter()
            .flat_map(CellBlock::lines)
            .collect::<Vec<_>>()
            .join("\n");
        Ok(Ok((text, None, blocks)))
    }

    /// A `w:sectPr`: page setup, how it starts, its headers and footers.
    fn section_props(
        &mut self,
        sect: &Node,
        ctx: &PartContext<'_>,
        place: &str,
    ) -> Result<SectionProps, ImportError> {
        let mut props = SectionProps::default();
        let mm = |node: Option<&Node>, name: &str| {
            node.and_then(|n| n.attr(Ns::W, name))
                .and_then(twips_pt)
                .map(|pt| (pt * 25.4 / 72.0 * 10.0).round() / 10.0)
        };
        let size = sect.child(Ns::W, "pgSz");
        let margins = sect.child(Ns::W, "pgMar");
        let mut page = PageSetup {
            width_mm: mm(size, "w"),
            height_mm: mm(size, "h"),
            margin_top_mm: mm(margins, "top").map(f32::abs),
            margin_bottom_mm: mm(margins, "bottom").map(f32::abs),
            margin_left_mm: mm(margins, "left").or(mm(margins, "start")),
            margin_right_mm: mm(margins, "right").or(mm(margins, "end")),
            columns: sect
                .child(Ns::W, "cols")
                .and_then(|c| c.attr(Ns::W, "num"))
                .and_then(|n| n.parse::<u8>().ok()),
        };
        // A value that is folio's default stays unset (as a document folio made has it).
        let d = PageSetup::DEFAULT;
        let default = |v: &mut Option<f32>, of: f32| {
            if v.is_some_and(|x| (x - of).abs() < 0.05) {
                *v = None;
            }
        };
        default(&mut page.width_mm, d.width_mm);
        default(&mut page.height_mm, d.height_mm);
        default(&mut page.margin_top_mm, d.margin_top_mm);
        default(&mut page.margin_bottom_mm, d.margin_bottom_mm);
        default(&mut page.margin_left_mm, d.margin_left_mm);
        default(&mut page.margin_right_mm, d.margin_right_mm);
        if page.columns == Some(1) {
            page.columns = None;
        }
        if !page.is_sound() {
            self.warnings.add(
                "page_setup",
                || {
                    "page setups outside what folio accepts were replaced by folio's default page"
                        .into()
                },
                place,
            );
            page = PageSetup::default();
        }
        props.page = page;
        props.start = match sect.child_val("type") {
            Some("continuous") => SectionStart::Continuous,
            None | Some("nextPage") => SectionStart::NextPage,
            Some(other) => {
                let other = other.to_string();
                self.warnings.add(
                    "section_start",
                    || "sections starting on an even or odd page or a new column start on the next page".into(),
                    &other,
                );
                SectionStart::NextPage
            }
        };
        let title_page = sect.flag("titlePg") == Some(true);
        for reference in sect.elements() {
            let footer = if reference.is(Ns::W, "headerReference") {
                false
            } else if reference.is(Ns::W, "footerReference") {
                true
            } else {
                continue;
            };
            let Some(id) = reference.attr(Ns::R, "id") else {
                continue;
            };
            let Some(rel) = ctx.rels.get(id).filter(|r| !r.external) else {
                continue;
            };
            let kind = reference.attr(Ns::W, "type").unwrap_or("default");
            if (kind == "first" && !title_page) || (kind == "even" && !self.even_and_odd) {
                continue;
            }
            let target = rel.target.clone();
            let runs = self.margin(&target)?;
            let set = if footer {
                &mut props.footer
            } else {
                &mut props.header
            };
            match kind {
                "first" => set.first = runs,
                "even" => set.even = runs,
                _ => set.default = runs,
            }
        }
        Ok(props)
    }

    /// A header or footer part as one paragraph of runs (paragraphs joined by line breaks).
    fn margin(&mut self, part: &str) -> Result<Option<Vec<Run>>, ImportError> {
        if let Some(done) = self.headers.get(part) {
            return Ok(done.clone());
        }
        let Some(bytes) = self.package.part(part) else {
            return Ok(None);
        };
        let text = std::str::from_utf8(bytes).unwrap_or("");
        let tree = xml::parse(
            bytes,
            part,
            self.limits.max_depth,
            self.limits.max_xml_nodes,
        )?;
        let rels = self.package.relationships(part, self.limits)?;
        let ctx = PartContext {
            name: part.to_string(),
            text,
            rels: rels.into_iter().map(|r| (r.id.clone(), r)).collect(),
            declarations: tree.root_declarations.clone(),
            lenient: true,
        };
        let mut runs: Vec<Run> = Vec::new();
        let mut first = true;
        // Paragraphs wherever they are (inside content controls, text boxes, tables).
        let mut stack: Vec<&Node> = vec![&tree.root];
        let mut paragraphs: Vec<&Node> = Vec::new();
        while let Some(node) = stack.pop() {
            if node.is(Ns::W, "p") {
                paragraphs.push(node);
                continue;
            }
            let mark = stack.len();
            stack.extend(node.elements());
            stack[mark..].reverse();
        }
        for p in paragraphs {
            let place = part.to_string();
            let mapped = match self.paragraph(p, &ctx, &place)? {
                Ok(m) => m,
                Err(_) => continue,
            };
            // Header bookmarks and links to bookmarks are not kept (not link targets).
            let mut these: Vec<Run> = mapped.pieces.into_iter().flatten().collect();
            for run in &mut these {
                run.format.bookmarks.clear();
                if run
                    .format
                    .link
                    .as_deref()
                    .is_some_and(|l| l.starts_with('#'))
                {
                    run.format.link = None;
                }
            }
            if !first {
                runs.push(Run::plain("\n"));
            }
            first = false;
            runs.append(&mut these);
        }
        domain::text::normalize(&mut runs);
        while runs
            .last()
            .is_some_and(|r| r.text == "\n" && r.format == RunFormat::default())
        {
            runs.pop();
        }
        let result = (!runs.is_empty()).then_some(runs);
        self.headers.insert(part.to_string(), result.clone());
        Ok(result)
    }

    /// An element kept as its exact XML: the namespace declarations it uses added to its
    /// root, its relationships renamed to ids of its own and recorded, a paragraph's
    /// section properties left out (they are a section break block of their own).
    fn opaque(&mut self, node: &Node, ctx: &PartContext<'_>, reason: &str) -> OpaqueBlock {
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
    fn opaque_inline(
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
    fn fragment(
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
                if let Some(refusal) = super::package::refused(rel, self.package) {
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

    /// Gives the table of contents just read (the last block) the entries of its field.
    fn keep_toc_pages(&self, blocks: &mut [Block], paragraphs: &[&Node]) {
        let pages = self.toc_pages(paragraphs);
        if let Some(Block::TableOfContents(toc)) = blocks.last_mut() {
            toc.pages = pages;
        }
    }

    /// The entries of a table of contents field's paragraphs — each a `TOC N` paragraph
    /// whose text is the heading's, a tab, and the page number Word computed — or none
    /// when any paragraph with text is not such an entry (then folio writes its own).
    fn toc_pages(&self, paragraphs: &[&Node]) -> Vec<domain::TocPage> {
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
    fn toc_level(&self, style: &str) -> Option<u8> {
        let digits = style
            .to_ascii_lowercase()
            .strip_prefix("toc")
            .map(|d| d.trim().to_string())
            .and_then(|d| d.parse::<u8>().ok());
        digits
            .or_else(|| (1..=9).find(|n| self.styles.name_is(style, &format!("toc {n}"))))
            .filter(|n| (1..=9).contains(n))
    }

    /// Warns that content was reduced to its text because of a relationship it may not
    /// keep.
    fn warn_refused(&mut self, refusal: Refused, place: &str) {
        self.warnings.add(
            &format!("dropped_{}", refusal.kind),
            || {
                format!(
                    "{}: the content that used it is kept as its text",
                    refusal.message
                )
            },
            place,
        );
    }
}

/// The children of a table or row named `want` (`w:tr`, `w:tc`), past its properties
/// (`skip`) and bookmarks; anything else keeps the table opaque, named.
fn children_named<'n>(
    node: &'n Node<'n>,
    want: &str,
    skip: &[&str],
    holder: &str,
) -> Result<Vec<&'n Node<'n>>, Unmodelled> {
    let mut out = Vec::new();
    for child in node.elements() {
        if child.is(Ns::W, want) {
            out.push(child);
        } else if !(child.ns == Ns::W
            && (skip.contains(&child.local)
                || matches!(child.local, "bookmarkStart" | "bookmarkEnd")))
        {
            return Err(unmodelled(
                "table",
                format!("{holder} holding {}", child.qname),
            ));
        }
    }
    Ok(out)
}

fn flush_list(list: &mut Option<(u32, List)>, blocks: &mut Vec<Block>) {
    if let Some((_, l)) = list.take() {
        blocks.push(Block::List(l));
    }
}

fn push_run(st: &mut Inline, text: String, mut format: RunFormat) {
    // Word's (and folio's) style for links is what a link looks like anyway.
    if format.link.is_some() && format.style.as_deref() == Some("Hyperlink") {
        format.style = None;
    }
    for (name, _) in st.open_bookmarks.values() {
        if !format.bookmarks.contains(name) {
            format.bookmarks.push(name.clone());
        }
    }
    if let Some(piece) = st.pieces.last_mut() {
        piece.push(Run { text, format });
    }
}

fn strip_bookmark(pieces: &mut [Vec<Run>], name: &str) {
    for run in pieces.iter_mut().flatten() {
        run.format.bookmarks.retain(|n| n != name);
    }
}

fn finish_field(
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
fn field_kind(instr: &str) -> Option<FieldKind> {
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

/// Whether a name is one Word gives bookmarks (letters, digits, underscores; at most 40),
/// so a link to it is one folio writes as it is.
fn is_bookmark_name(name: &str) -> bool {
    !name.is_empty()
        && name.chars().count() <= 40
        && name.chars().all(|c| c.is_alphanumeric() || c == '_')
}

fn field_name(instr: &str) -> String {
    instr
        .split_whitespace()
        .next()
        .unwrap_or("(empty)")
        .to_ascii_uppercase()
        .chars()
        .take(40)
        .collect()
}

/// Opaque inline runs as plain text (none when they show none); how many there were.
fn inline_as_text(runs: &mut Vec<Run>) -> usize {
    let mut kept = 0;
    for run in runs.iter_mut().filter(|r| r.format.opaque.is_some()) {
        run.format.opaque = None;
        if run.text == domain::IMAGE_CHAR.to_string() {
            run.text.clear();
        }
        kept += 1;
    }
    domain::text::normalize(runs);
    kept
}

/// [`inline_as_text`] over list items (their text follows their runs).
fn items_as_text(items: &mut [ListItem]) -> usize {
    let mut kept = 0;
    for item in items {
        if let Some(mut runs) = item.runs.take() {
            kept += inline_as_text(&mut runs);
            *item = ListItem::from_runs(runs, item.level);
        }
    }
    kept
}

/// The complex-field depth after `node`, starting from `depth` (begins minus ends).
fn field_depth_after(node: &Node, mut depth: usize) -> usize {
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

fn paragraph_format(ppr: &Node) -> ParagraphFormat {
    let mut f = ParagraphFormat::default();
    let pt = |n: Option<&Node>, name: &str| {
        n.and_then(|n| n.attr(Ns::W, name))
            .and_then(twips_pt)
            .filter(|v| (0.0..=1584.0).contains(v))
    };
    if let Some(spacing) = ppr.child(Ns::W, "spacing") {
        f.spacing_before = pt(Some(spacing), "before");
        f.spacing_after = pt(Some(spacing), "after");
        if matches!(spacing.attr(Ns::W, "lineRule"), None | Some("auto"))
            && let Some(line) = spacing
                .attr(Ns::W, "line")
                .and_then(|v| v.parse::<f32>().ok())
            && (60.0..=2400.0).contains(&line)
        {
            f.line_spacing = Some((line / 240.0 * 100.0).round() / 100.0);
        }
    }
    let ind = ppr.child(Ns::W, "ind");
    // A zero indent is how docx-rs writes "none": read as unset.
    f.indent_left = pt(ind, "left").or(pt(ind, "start")).filter(|v| *v > 0.0);
    f.indent_right = pt(ind, "right").or(pt(ind, "end")).filter(|v| *v > 0.0);
    f.hanging = pt(ind, "hanging").filter(|v| *v > 0.0);
    if f.hanging.is_none() {
        f.first_line = pt(ind, "firstLine").filter(|v| *v > 0.0);
    }
    f.keep_with_next = ppr.flag("keepNext").filter(|v| *v);
    f.page_break_before = ppr.flag("pageBreakBefore").filter(|v| *v);
    f
}

/// The deepest level of the table of contents whose field starts in this paragraph.
fn toc_field(p: &Node) -> Option<u8> {
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
fn keep_matching_toc_pages(blocks: &mut [Block]) {
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
fn table_of_contents(sdt: &Node) -> Option<TableOfContents> {
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

fn element_reason(node: &Node) -> String {
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

/// Text without the characters a .docx cannot hold (XML's own rule) nor control characters
/// other than tab and line feed (the model's text has no others).
fn clean_text(s: &str) -> String {
    s.chars()
        .filter(|&c| domain::text::is_xml_char(c) && (!c.is_control() || matches!(c, '\t' | '\n')))
        .collect()
}

/// The main document part: the package's officeDocument relationship, checked to be a
/// Word document (what else it is, named).
fn main_part(package: &Package, limits: &ImportLimits) -> Result<String, ImportError> {
    let main = package.office_document(limits)?;
    let what_else = || {
        if package.part("xl/workbook.xml").is_some() {
            "an Excel workbook (.xlsx), not a Word document"
        } else if package.part("ppt/presentation.xml").is_some() {
            "a PowerPoint presentation (.pptx), not a Word document"
        } else if package.part("mimetype").is_some() || package.part("content.xml").is_some() {
            "an OpenDocument file (.odt/.ods), not a .docx: save it as .docx first"
        } else {
            "a zip archive without a Word document in it"
        }
    };
    let Some(main) = main else {
        return Err(ImportError::NotDocx(format!("the file is {}", what_else())));
    };
    let content_type = package
        .content_types(limits)
        .of(&main)
        .unwrap_or_default()
        .to_string();
    let word = [
        "wordprocessingml.document.main+xml",
        "wordprocessingml.template.main+xml",
        "ms-word.document.macroEnabled.main+xml",
        "ms-word.template.macroEnabledTemplate.main+xml",
    ];
    if !word.iter().any(|w| content_type.ends_with(w)) {
        if content_type.contains("spreadsheetml") {
            return Err(ImportError::NotDocx(
                "the file is an Excel workbook (.xlsx), not a Word document".into(),
            ));
        }
        if content_type.contains("presentationml") {
            return Err(ImportError::NotDocx(
                "the file is a PowerPoint presentation (.pptx), not a Word document".into(),
            ));
        }
        if package.part(&main).is_none() || !content_type.is_empty() {
            return Err(ImportError::NotDocx(format!("the file is {}", what_else())));
        }
    }
    if package.part(&main).is_none() {
        return Err(ImportError::NotDocx(
            "the main document part is missing".into(),
        ));
    }
    Ok(package.stored_name(&main).unwrap_or(&main).to_string())
}

impl Node<'_> {
    /// The text directly inside (for simple elements such as `dc:title`, `w:t`).
    pub(crate) fn text_content(&self) -> String {
        self.children
            .iter()
            .filter_map(|c| match c {
                Child::Text(t) => Some(t.as_ref()),
                Child::Element(_) => None,
            })
            .collect()
    }
}
