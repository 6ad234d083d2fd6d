//! The body mapping: the main document part (and its headers and footers) as blocks,
//! split by element family as the domain is:
//!
//! - this file: the walk over the body (`Importer::body`), the package's main part and
//!   properties, warnings, and what the families share;
//! - [`paragraphs`]: paragraphs and headings, lists and their numbering;
//! - [`runs`]: the inline walk — text, breaks, formatting, links, bookmarks;
//! - [`fields`]: fields and the table of contents;
//! - [`images`]: inline pictures;
//! - [`tables`]: tables and the blocks in their cells;
//! - [`sections`]: page setup, headers and footers;
//! - [`opaque`]: what the model does not hold, kept as opaque XML.

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

mod fields;
mod images;
mod opaque;
mod paragraphs;
mod review;
mod runs;
mod sections;
mod tables;

use fields::{
    field_depth_after, field_kind, field_name, finish_field, keep_matching_toc_pages,
    table_of_contents, toc_field,
};
use opaque::element_reason;
use paragraphs::{flush_list, items_as_text};
use runs::{inline_as_text, is_bookmark_name, push_run, strip_bookmark};

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
    /// Comment ranges open (folio's ids of their roots).
    open_comments: Vec<String>,
    /// Inside a tracked deletion: the suggestion its text is marked with.
    deleting: Option<String>,
    /// The paragraph is deleted (its mark and all its content): the `delete_block`
    /// suggestion its deleted text belongs to.
    block_deletion: Option<String>,
    /// Its tracked insertions and deletions become suggestions (a body paragraph that is
    /// not a list item).
    revisions: bool,
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
    /// The file's comments and notes.
    review: review::Review,
    /// A paragraph of the body itself is being mapped (not one in a table or a header).
    top_level: bool,
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
            review: review::Review::default(),
            top_level: false,
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
        importer.read_review(&doc_rels)?;
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
        let (comments, notes, suggestions) = importer.finish_review();
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
                comments,
                notes,
                suggestions,
            },
            media: importer.media,
        })
    }

    /// The context of a part whose content folio keeps as text where it cannot model it
    /// (a header or footer, a comment, a note).
    fn lenient_context<'t>(
        &self,
        part: &str,
        text: &'t str,
        declarations: Vec<(String, String)>,
    ) -> Result<PartContext<'t>, ImportError> {
        let rels = self.package.relationships(part, self.limits)?;
        Ok(PartContext {
            name: part.to_string(),
            text,
            rels: rels.into_iter().map(|r| (r.id.clone(), r)).collect(),
            declarations,
            lenient: true,
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
                // Tracked changes are suggestions in the body's own paragraphs (not in
                // tables, list items, headers…); those of a paragraph kept opaque stay in
                // its XML.
                let made = self.review.suggestions.len();
                self.top_level = true;
                let mapped = self.paragraph(node, ctx, &place);
                self.top_level = false;
                if !matches!(mapped, Ok(Ok(_))) {
                    self.review.suggestions.truncate(made);
                }
                match mapped? {
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
        while breaks.get(next_break) == Some(&0) {
            out.push(section_break(&mut next_break));
        }
        for (i, block) in blocks.into_iter().enumerate() {
            out.push(block);
            while breaks.get(next_break) == Some(&(i + 1)) {
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
                        if let Some(text) =
                            t.rows.get_mut(cell.row).and_then(|r| r.get_mut(cell.col))
                        {
                            *text = if cell.blocks.is_empty() {
                                domain::model::runs_text(&cell.runs)
                            } else {
                                domain::model::cell_blocks_text(&cell.blocks)
                            };
                        }
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
