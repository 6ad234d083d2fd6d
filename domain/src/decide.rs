//! The rules: `decide` turns a command into events, `apply` folds an event into the state.

use crate::command::{
    self as cmd, BlockRef, DocumentCommand, FormatPatch, ListItemInput, Position, PositionAt,
    RunInput,
};
use crate::error::{DocumentError, EventMisfit};
use crate::event::{DocumentEvent, Occurrence, Within};
use crate::ids::BlockId;
use crate::model::{
    Block, Document, Heading, List, ListItem, PageBreak, Paragraph, Run, Table, runs_text,
};
use crate::text;

/// Size limits a command must respect. Exceeding one is [`DocumentError::TooLarge`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Top-level blocks per document.
    pub max_blocks: usize,
    /// Characters in one paragraph, heading, table cell or list item.
    pub max_text_chars: usize,
    /// Cells in one table.
    pub max_table_cells: usize,
    /// Items in one list.
    pub max_list_items: usize,
    /// Characters in a title or a metadata value.
    pub max_title_chars: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_blocks: 100_000,
            max_text_chars: 1_000_000,
            max_table_cells: 100_000,
            max_list_items: 10_000,
            max_title_chars: 1_000,
        }
    }
}

/// Most columns Word allows in a table.
pub const MAX_TABLE_COLS: usize = 63;
/// Deepest list level (0-based).
pub const MAX_LIST_LEVEL: u8 = 8;
/// Paragraph styles the .docx writer defines, and so the only ones a paragraph may use.
pub const PARAGRAPH_STYLES: &[&str] = &[
    "Normal",
    "Title",
    "Subtitle",
    "Quote",
    "IntenseQuote",
    "Caption",
    "NoSpacing",
];
/// Table styles the .docx writer defines.
pub const TABLE_STYLES: &[&str] = &["TableGrid"];

/// Checks that text can be stored in a .docx (XML 1.0 characters only; tab and newline
/// allowed) and is not longer than `max` characters.
fn check_text(field: &str, value: &str, max: usize) -> Result<(), DocumentError> {
    if let Some(c) = text::first_non_xml_char(value) {
        return Err(DocumentError::invalid(
            field,
            format!(
                "contains the control character U+{:04X}, which a .docx cannot hold",
                c as u32
            ),
        ));
    }
    if value.chars().nth(max).is_some() {
        return Err(DocumentError::invalid(
            field,
            format!("is longer than {max} characters"),
        ));
    }
    Ok(())
}

fn too_large(what: &'static str, limit: usize) -> DocumentError {
    DocumentError::TooLarge { what, limit }
}

impl Document {
    /// Decides what a command does to the document as it is now.
    ///
    /// Block ids for new blocks are minted from the sequence number the resulting event will
    /// get (this version + 1). Returns no events when the command changes nothing (a
    /// `replace_text` without matches, a move to where the block already is).
    ///
    /// # Errors
    /// A [`DocumentError`] when the command cannot apply; the document is unchanged.
    pub fn decide(
        &self,
        command: &DocumentCommand,
        limits: &Limits,
    ) -> Result<Vec<DocumentEvent>, DocumentError> {
        use DocumentCommand as C;
        if let C::CreateDocument(c) = command {
            if self.exists() {
                return Err(DocumentError::DocumentAlreadyExists);
            }
            let title = self.checked_title(&c.title, limits)?;
            return Ok(vec![DocumentEvent::DocumentCreated {
                document_id: c.document_id.clone(),
                title,
            }]);
        }
        if !self.exists() {
            return Err(DocumentError::DocumentNotFound);
        }
        if self.archived {
            return Err(DocumentError::DocumentArchived);
        }
        let new_id = BlockId::minted(self.version.next().get(), 0);
        let event = match command {
            C::CreateDocument(_) => unreachable!("handled above"),
            C::ArchiveDocument(_) => DocumentEvent::DocumentArchived {},
            C::SetTitle(c) => DocumentEvent::TitleSet {
                title: self.checked_title(&c.title, limits)?,
            },
            C::SetMetadata(c) => self.decide_metadata(c, limits)?,
            C::AddParagraph(c) => {
                let runs = runs_from("text", c.text.as_deref(), c.runs.as_deref(), limits)?
                    .unwrap_or_default();
                if let Some(style) = &c.style {
                    check_style("style", style, PARAGRAPH_STYLES)?;
                }
                DocumentEvent::ParagraphAdded {
                    block_id: new_id,
                    index: self.insertion_index(c.position.as_ref(), limits)?,
                    runs,
                    style: c.style.clone(),
                    alignment: c.alignment,
                }
            }
            C::AddHeading(c) => {
                if !(1..=9).contains(&c.level) {
                    return Err(DocumentError::invalid(
                        "level",
                        "heading level must be 1 to 9",
                    ));
                }
                check_text("text", &c.text, limits.max_text_chars)?;
                DocumentEvent::HeadingAdded {
                    block_id: new_id,
                    index: self.insertion_index(c.position.as_ref(), limits)?,
                    level: c.level,
                    runs: cmd::plain_runs(&c.text),
                }
            }
            C::UpdateParagraph(c) => {
                let (_, block) = self.target(c.block_id.as_ref(), c.block_index)?;
                text_runs(block)?;
                let runs = runs_from("text", c.text.as_deref(), c.runs.as_deref(), limits)?
                    .ok_or_else(|| DocumentError::invalid("text", "give text or runs"))?;
                DocumentEvent::ParagraphUpdated {
                    block_id: block.id().clone(),
                    runs,
                }
            }
            C::InsertText(c) => {
                let (_, block) = self.target(c.block_id.as_ref(), c.block_index)?;
                let len = text::char_len(text_runs(block)?);
                if c.offset > len {
                    return Err(DocumentError::TextRangeOutOfBounds {
                        field: "offset",
                        value: c.offset,
                        len,
                    });
                }
                if c.text.is_empty() {
                    return Err(DocumentError::invalid("text", "must not be empty"));
                }
                check_text("text", &c.text, limits.max_text_chars)?;
                if len.saturating_add(text::str_len(&c.text)) > limits.max_text_chars {
                    return Err(too_large("paragraph text", limits.max_text_chars));
                }
                DocumentEvent::TextInserted {
                    block_id: block.id().clone(),
                    offset: c.offset,
                    text: c.text.clone(),
                }
            }
            C::DeleteText(c) => {
                let (_, block) = self.target(c.block_id.as_ref(), c.block_index)?;
                let len = text::char_len(text_runs(block)?);
                if c.offset > len {
                    return Err(DocumentError::TextRangeOutOfBounds {
                        field: "offset",
                        value: c.offset,
                        len,
                    });
                }
                if c.length == 0 || c.offset.checked_add(c.length).is_none_or(|end| end > len) {
                    return Err(DocumentError::TextRangeOutOfBounds {
                        field: "length",
                        value: c.length,
                        len,
                    });
                }
                DocumentEvent::TextDeleted {
                    block_id: block.id().clone(),
                    offset: c.offset,
                    length: c.length,
                }
            }
            C::DeleteBlock(c) => {
                let (_, block) = self.target(c.block_id.as_ref(), c.block_index)?;
                DocumentEvent::BlockDeleted {
                    block_id: block.id().clone(),
                }
            }
            C::MoveBlock(c) => {
                let (from, block) = self.target(c.block_id.as_ref(), c.block_index)?;
                let insert_at = self.resolve_position(Some(&c.position))?;
                let to_index = if insert_at > from {
                    insert_at - 1
                } else {
                    insert_at
                };
                if to_index == from {
                    return Ok(Vec::new());
                }
                DocumentEvent::BlockMoved {
                    block_id: block.id().clone(),
                    to_index,
                }
            }
            C::ReplaceText(c) => match self.decide_replace(c, limits)? {
                Some(event) => event,
                None => return Ok(Vec::new()),
            },
            C::FormatText(c) => {
                let (_, block) = self.target(c.block_id.as_ref(), c.block_index)?;
                let len = text::char_len(text_runs(block)?);
                let end = c.end.unwrap_or(len);
                if end > len {
                    return Err(DocumentError::TextRangeOutOfBounds {
                        field: "end",
                        value: end,
                        len,
                    });
                }
                if c.start >= end {
                    return Err(DocumentError::TextRangeOutOfBounds {
                        field: "start",
                        value: c.start,
                        len,
                    });
                }
                let patch = FormatPatch {
                    bold: c.bold,
                    italic: c.italic,
                    underline: c.underline,
                    strike: c.strike,
                    font: c.font.clone(),
                    size_pt: c.size_pt,
                    color: c.color.clone(),
                    highlight: c.highlight.clone(),
                }
                .validated("")?;
                if patch.is_empty() {
                    return Err(DocumentError::invalid(
                        "bold",
                        "give at least one of bold, italic, underline, strike, font, size_pt, color, highlight",
                    ));
                }
                DocumentEvent::TextFormatted {
                    block_id: block.id().clone(),
                    start: c.start,
                    end,
                    format: patch,
                }
            }
            C::SetAlignment(c) => {
                let (_, block) = self.target(c.block_id.as_ref(), c.block_index)?;
                text_runs(block)?;
                DocumentEvent::AlignmentSet {
                    block_id: block.id().clone(),
                    alignment: c.alignment,
                }
            }
            C::AddTable(c) => self.decide_add_table(c, new_id, limits)?,
            C::SetTableCell(c) => {
                let table = self.table(c.block_id.as_ref(), c.block_index)?;
                check_index("row", c.row, table.rows.len())?;
                check_index("col", c.col, table.cols())?;
                check_text("text", &c.text, limits.max_text_chars)?;
                DocumentEvent::TableCellSet {
                    block_id: table.id.clone(),
                    row: c.row,
                    col: c.col,
                    text: c.text.clone(),
                }
            }
            C::AddTableRow(c) => {
                let table = self.table(c.block_id.as_ref(), c.block_index)?;
                let row = c.row.unwrap_or(table.rows.len());
                check_index("row", row, table.rows.len() + 1)?;
                if (table.rows.len() + 1).saturating_mul(table.cols()) > limits.max_table_cells {
                    return Err(too_large("table cells", limits.max_table_cells));
                }
                let cells = padded("data", c.data.as_deref(), table.cols(), limits)?;
                DocumentEvent::TableRowAdded {
                    block_id: table.id.clone(),
                    row,
                    cells,
                }
            }
            C::AddTableColumn(c) => {
                let table = self.table(c.block_id.as_ref(), c.block_index)?;
                let col = c.col.unwrap_or(table.cols());
                check_index("col", col, table.cols() + 1)?;
                if table.cols() + 1 > MAX_TABLE_COLS {
                    return Err(too_large("table columns", MAX_TABLE_COLS));
                }
                if table.rows.len().saturating_mul(table.cols() + 1) > limits.max_table_cells {
                    return Err(too_large("table cells", limits.max_table_cells));
                }
                let cells = padded("data", c.data.as_deref(), table.rows.len(), limits)?;
                DocumentEvent::TableColumnAdded {
                    block_id: table.id.clone(),
                    col,
                    cells,
                }
            }
            C::DeleteTableRow(c) => {
                let table = self.table(c.block_id.as_ref(), c.block_index)?;
                check_index("row", c.row, table.rows.len())?;
                if table.rows.len() == 1 {
                    return Err(DocumentError::invalid(
                        "row",
                        "cannot delete the only row of a table; delete the table instead",
                    ));
                }
                DocumentEvent::TableRowDeleted {
                    block_id: table.id.clone(),
                    row: c.row,
                }
            }
            C::DeleteTableColumn(c) => {
                let table = self.table(c.block_id.as_ref(), c.block_index)?;
                check_index("col", c.col, table.cols())?;
                if table.cols() == 1 {
                    return Err(DocumentError::invalid(
                        "col",
                        "cannot delete the only column of a table; delete the table instead",
                    ));
                }
                DocumentEvent::TableColumnDeleted {
                    block_id: table.id.clone(),
                    col: c.col,
                }
            }
            C::AddList(c) => {
                if c.items.is_empty() {
                    return Err(DocumentError::invalid(
                        "items",
                        "a list needs at least one item",
                    ));
                }
                if c.items.len() > limits.max_list_items {
                    return Err(too_large("list items", limits.max_list_items));
                }
                let mut items = Vec::with_capacity(c.items.len());
                for (i, item) in c.items.iter().enumerate() {
                    let (text, level) = match item {
                        ListItemInput::Text(text) => (text.clone(), 0),
                        ListItemInput::Item { text, level } => (text.clone(), *level),
                    };
                    check_level(&format!("items.{i}.level"), level)?;
                    check_text(&format!("items.{i}.text"), &text, limits.max_text_chars)?;
                    items.push(ListItem { text, level });
                }
                DocumentEvent::ListAdded {
                    block_id: new_id,
                    index: self.insertion_index(c.position.as_ref(), limits)?,
                    kind: c.kind,
                    items,
                }
            }
            C::AddListItem(c) => {
                let list = self.list(c.block_id.as_ref(), c.block_index)?;
                let item = c.item.unwrap_or(list.items.len());
                check_index("item", item, list.items.len() + 1)?;
                check_level("level", c.level)?;
                check_text("text", &c.text, limits.max_text_chars)?;
                if list.items.len() + 1 > limits.max_list_items {
                    return Err(too_large("list items", limits.max_list_items));
                }
                DocumentEvent::ListItemAdded {
                    block_id: list.id.clone(),
                    item,
                    text: c.text.clone(),
                    level: c.level,
                }
            }
            C::SetListItemLevel(c) => {
                let list = self.list(c.block_id.as_ref(), c.block_index)?;
                check_index("item", c.item, list.items.len())?;
                check_level("level", c.level)?;
                DocumentEvent::ListItemLevelSet {
                    block_id: list.id.clone(),
                    item: c.item,
                    level: c.level,
                }
            }
            C::AddPageBreak(c) => DocumentEvent::PageBreakAdded {
                block_id: new_id,
                index: self.insertion_index(c.position.as_ref(), limits)?,
            },
        };
        Ok(vec![event])
    }

    /// Decides a batch all-or-nothing: each command sees the effect of the ones before it.
    /// Returns the events and the state after them.
    ///
    /// # Errors
    /// The first command's error, with its 0-based index in the batch.
    pub fn decide_batch(
        &self,
        commands: &[DocumentCommand],
        limits: &Limits,
    ) -> Result<(Vec<DocumentEvent>, Document), (usize, DocumentError)> {
        let mut state = self.clone();
        let mut events = Vec::new();
        for (i, command) in commands.iter().enumerate() {
            let new = state.decide(command, limits).map_err(|e| (i, e))?;
            for event in &new {
                state.apply(event);
            }
            events.extend(new);
        }
        Ok((events, state))
    }

    /// The title as stored (trimmed). The limit counts the title as sent, as the OpenAPI
    /// `maxLength` does.
    fn checked_title(&self, title: &str, limits: &Limits) -> Result<String, DocumentError> {
        check_text("title", title, limits.max_title_chars)?;
        let title = title.trim();
        if title.is_empty() {
            return Err(DocumentError::invalid("title", "must not be empty"));
        }
        Ok(title.to_string())
    }

    fn decide_metadata(
        &self,
        c: &cmd::SetMetadata,
        limits: &Limits,
    ) -> Result<DocumentEvent, DocumentError> {
        let mut metadata = self.metadata.clone();
        let fields = [
            ("author", &c.author, &mut metadata.author),
            ("subject", &c.subject, &mut metadata.subject),
            ("keywords", &c.keywords, &mut metadata.keywords),
            ("description", &c.description, &mut metadata.description),
            ("category", &c.category, &mut metadata.category),
        ];
        let mut any = !c.custom.is_empty();
        for (name, value, slot) in fields {
            if let Some(value) = value {
                check_text(name, value, limits.max_title_chars)?;
                *slot = (!value.is_empty()).then(|| value.clone());
                any = true;
            }
        }
        for (key, value) in &c.custom {
            let field = format!("custom.{key}");
            if key.is_empty()
                || key.chars().count() > 64
                || !key
                    .chars()
                    .all(|ch| ch.is_alphanumeric() || "_-.".contains(ch))
            {
                return Err(DocumentError::invalid(
                    field,
                    "names are 1 to 64 letters, digits, '_', '-' or '.'",
                ));
            }
            check_text(&field, value, limits.max_title_chars)?;
            if value.is_empty() {
                metadata.custom.remove(key);
            } else {
                metadata.custom.insert(key.clone(), value.clone());
            }
        }
        if !any {
            return Err(DocumentError::invalid(
                "author",
                "give at least one of author, subject, keywords, description, category, custom",
            ));
        }
        Ok(DocumentEvent::MetadataSet { metadata })
    }

    fn decide_replace(
        &self,
        c: &cmd::ReplaceText,
        limits: &Limits,
    ) -> Result<Option<DocumentEvent>, DocumentError> {
        if c.find.is_empty() {
            return Err(DocumentError::invalid("find", "must not be empty"));
        }
        check_text("find", &c.find, limits.max_text_chars)?;
        check_text("replace", &c.replace, limits.max_text_chars)?;
        let mut occurrences = Vec::new();
        let mut scan = |block_id: &BlockId, within: Within, text: &str| {
            let found = text::find_matches(text, &c.find, c.match_case, c.whole_word);
            let grown = text::str_len(text)
                .saturating_add(found.len().saturating_mul(text::str_len(&c.replace)));
            let shrunk = found.iter().map(|(_, len)| len).sum::<usize>();
            if grown.saturating_sub(shrunk) > limits.max_text_chars {
                return Err(too_large("paragraph text", limits.max_text_chars));
            }
            occurrences.extend(found.into_iter().map(|(offset, length)| Occurrence {
                block_id: block_id.clone(),
                within,
                offset,
                length,
            }));
            Ok(())
        };
        for block in &self.blocks {
            match block {
                Block::Paragraph(Paragraph { id, runs, .. })
                | Block::Heading(Heading { id, runs, .. }) => {
                    scan(id, Within::Text, &runs_text(runs))?;
                }
                Block::Table(t) => {
                    for (row, cells) in t.rows.iter().enumerate() {
                        for (col, cell) in cells.iter().enumerate() {
                            scan(&t.id, Within::Cell { row, col }, cell)?;
                        }
                    }
                }
                Block::List(l) => {
                    for (item, li) in l.items.iter().enumerate() {
                        scan(&l.id, Within::Item { item }, &li.text)?;
                    }
                }
                Block::PageBreak(_) => {}
            }
        }
        if occurrences.is_empty() {
            return Ok(None);
        }
        Ok(Some(DocumentEvent::TextReplaced {
            find: c.find.clone(),
            replace: c.replace.clone(),
            occurrences,
        }))
    }

    fn decide_add_table(
        &self,
        c: &cmd::AddTable,
        block_id: BlockId,
        limits: &Limits,
    ) -> Result<DocumentEvent, DocumentError> {
        let data = c.data.clone().unwrap_or_default();
        let rows = c.rows.unwrap_or(data.len());
        let cols = c
            .cols
            .unwrap_or_else(|| data.iter().map(Vec::len).max().unwrap_or(0));
        if rows == 0 {
            return Err(DocumentError::invalid(
                "rows",
                "a table needs at least one row",
            ));
        }
        if cols == 0 {
            return Err(DocumentError::invalid(
                "cols",
                "a table needs at least one column",
            ));
        }
        if cols > MAX_TABLE_COLS {
            return Err(DocumentError::invalid(
                "cols",
                format!("a table has at most {MAX_TABLE_COLS} columns"),
            ));
        }
        if rows.saturating_mul(cols) > limits.max_table_cells {
            return Err(too_large("table cells", limits.max_table_cells));
        }
        if data.len() > rows {
            return Err(DocumentError::invalid(
                "data",
                format!("has {} rows but the table has {rows}", data.len()),
            ));
        }
        let mut cells = Vec::with_capacity(rows);
        for r in 0..rows {
            let given = data.get(r).map(Vec::as_slice);
            cells.push(padded(&format!("data.{r}"), given, cols, limits)?);
        }
        if let Some(style) = &c.style {
            check_style("style", style, TABLE_STYLES)?;
        }
        Ok(DocumentEvent::TableAdded {
            block_id,
            index: self.insertion_index(c.position.as_ref(), limits)?,
            rows: cells,
            header_row: c.header_row,
            style: c.style.clone(),
        })
    }

    /// Resolves where a new block goes, checking the block limit.
    fn insertion_index(
        &self,
        position: Option<&Position>,
        limits: &Limits,
    ) -> Result<usize, DocumentError> {
        if self.blocks.len() >= limits.max_blocks {
            return Err(too_large("blocks", limits.max_blocks));
        }
        self.resolve_position(position)
    }

    /// Resolves a position to an insertion index in `0..=len`.
    fn resolve_position(&self, position: Option<&Position>) -> Result<usize, DocumentError> {
        let Some(p) = position else {
            return Ok(self.blocks.len());
        };
        let set = usize::from(p.at.is_some())
            + usize::from(p.after.is_some())
            + usize::from(p.before.is_some())
            + usize::from(p.index.is_some());
        if set > 1 {
            return Err(DocumentError::invalid(
                "position",
                "give one of at, after, before or index",
            ));
        }
        let find = |id: &BlockId, field: &'static str| {
            self.position_of(id)
                .ok_or_else(|| DocumentError::BlockNotFound {
                    block_id: id.clone(),
                    field,
                })
        };
        if let Some(id) = &p.after {
            return Ok(find(id, "position.after")? + 1);
        }
        if let Some(id) = &p.before {
            return find(id, "position.before");
        }
        if let Some(index) = p.index {
            if index > self.blocks.len() {
                return Err(DocumentError::IndexOutOfRange {
                    field: "position.index",
                    value: index,
                    len: self.blocks.len(),
                });
            }
            return Ok(index);
        }
        Ok(match p.at {
            Some(PositionAt::Start) => 0,
            Some(PositionAt::End) | None => self.blocks.len(),
        })
    }

    /// Resolves the block a command targets.
    fn target(
        &self,
        block_id: Option<&BlockId>,
        block_index: Option<usize>,
    ) -> Result<(usize, &Block), DocumentError> {
        match BlockRef::from_fields(block_id, block_index)? {
            BlockRef::Id(id) => self.position_of(&id).map(|i| (i, &self.blocks[i])).ok_or(
                DocumentError::BlockNotFound {
                    block_id: id,
                    field: "block_id",
                },
            ),
            BlockRef::Index(index) => self.blocks.get(index).map(|b| (index, b)).ok_or(
                DocumentError::BlockIndexOutOfRange {
                    index,
                    len: self.blocks.len(),
                },
            ),
        }
    }

    fn table(
        &self,
        block_id: Option<&BlockId>,
        block_index: Option<usize>,
    ) -> Result<&Table, DocumentError> {
        match self.target(block_id, block_index)?.1 {
            Block::Table(t) => Ok(t),
            other => Err(wrong_type(other, "table")),
        }
    }

    fn list(
        &self,
        block_id: Option<&BlockId>,
        block_index: Option<usize>,
    ) -> Result<&List, DocumentError> {
        match self.target(block_id, block_index)?.1 {
            Block::List(l) => Ok(l),
            other => Err(wrong_type(other, "list")),
        }
    }

    /// Folds one event into the state, as replay does: an event that does not fit the
    /// state (which `decide` never produces, but a store written by an earlier build may
    /// hold) changes nothing but the version. Never panics, for any event.
    pub fn apply(&mut self, event: &DocumentEvent) {
        // A misfit is deliberately ignored here: replay must be total and deterministic.
        let _ = self.try_apply(event);
    }

    /// Folds one event into the state and says whether it fit. The version always moves
    /// on; on [`EventMisfit`] nothing else changed. Events that add a block always add it
    /// (an index past the end means the end; ragged table rows are padded), so the block
    /// order a projection derives from [`DocumentEvent::placement`] stays in step.
    ///
    /// # Errors
    /// [`EventMisfit`] when the event names a block, range or index the state does not
    /// have. The write path treats this as an internal fault and appends nothing.
    pub fn try_apply(&mut self, event: &DocumentEvent) -> Result<(), EventMisfit> {
        self.version = self.version.next();
        use DocumentEvent as E;
        let misfit = |reason: &'static str| EventMisfit {
            event: event.name(),
            reason,
        };
        match event {
            E::DocumentCreated { document_id, title } => {
                self.id = Some(document_id.clone());
                self.title = title.clone();
            }
            E::DocumentArchived {} => self.archived = true,
            E::TitleSet { title } => self.title = title.clone(),
            E::MetadataSet { metadata } => self.metadata = metadata.clone(),
            E::ParagraphAdded {
                block_id,
                index,
                runs,
                style,
                alignment,
            } => self.insert_block(
                *index,
                Block::Paragraph(Paragraph {
                    id: block_id.clone(),
                    runs: normalized(runs),
                    style: style.clone(),
                    alignment: *alignment,
                }),
            ),
            E::HeadingAdded {
                block_id,
                index,
                level,
                runs,
            } => self.insert_block(
                *index,
                Block::Heading(Heading {
                    id: block_id.clone(),
                    level: (*level).clamp(1, 9),
                    runs: normalized(runs),
                    alignment: None,
                }),
            ),
            E::ParagraphUpdated { block_id, runs } => {
                *self.runs_mut(block_id).ok_or(misfit("no such paragraph"))? = normalized(runs);
            }
            E::TextInserted {
                block_id,
                offset,
                text: t,
            } => {
                let r = self.runs_mut(block_id).ok_or(misfit("no such paragraph"))?;
                if *offset > text::char_len(r) {
                    return Err(misfit("offset past the end of the text"));
                }
                text::insert(r, *offset, t);
            }
            E::TextDeleted {
                block_id,
                offset,
                length,
            } => {
                let r = self.runs_mut(block_id).ok_or(misfit("no such paragraph"))?;
                let end = offset
                    .checked_add(*length)
                    .filter(|end| *end <= text::char_len(r))
                    .ok_or(misfit("range outside the text"))?;
                text::delete(r, *offset, end);
            }
            E::BlockDeleted { block_id } => {
                let i = self.position_of(block_id).ok_or(misfit("no such block"))?;
                self.blocks.remove(i);
            }
            E::BlockMoved { block_id, to_index } => {
                let i = self.position_of(block_id).ok_or(misfit("no such block"))?;
                let block = self.blocks.remove(i);
                let to = (*to_index).min(self.blocks.len());
                self.blocks.insert(to, block);
            }
            E::TextReplaced {
                replace,
                occurrences,
                ..
            } => {
                // Back to front, so earlier offsets stay valid. Each occurrence is checked
                // on its own: one that does not fit is skipped.
                let mut fitted = 0;
                for o in occurrences.iter().rev() {
                    fitted += usize::from(self.replace_occurrence(o, replace));
                }
                if fitted < occurrences.len() {
                    return Err(misfit("an occurrence is outside its text"));
                }
            }
            E::TextFormatted {
                block_id,
                start,
                end,
                format,
            } => {
                let r = self.runs_mut(block_id).ok_or(misfit("no such paragraph"))?;
                if start >= end || *end > text::char_len(r) {
                    return Err(misfit("range outside the text"));
                }
                text::format(r, *start, *end, format);
            }
            E::AlignmentSet {
                block_id,
                alignment,
            } => match self.block_mut(block_id) {
                Some(Block::Paragraph(p)) => p.alignment = Some(*alignment),
                Some(Block::Heading(h)) => h.alignment = Some(*alignment),
                _ => return Err(misfit("no such paragraph")),
            },
            E::TableAdded {
                block_id,
                index,
                rows,
                header_row,
                style,
            } => self.insert_block(
                *index,
                Block::Table(Table {
                    id: block_id.clone(),
                    rows: rectangular(rows),
                    header_row: *header_row,
                    style: style.clone(),
                }),
            ),
            E::TableCellSet {
                block_id,
                row,
                col,
                text: t,
            } => {
                let cell = self
                    .table_mut(block_id)
                    .and_then(|tb| tb.rows.get_mut(*row))
                    .and_then(|r| r.get_mut(*col))
                    .ok_or(misfit("no such cell"))?;
                t.clone_into(cell);
            }
            E::TableRowAdded {
                block_id,
                row,
                cells,
            } => {
                let tb = self.table_mut(block_id).ok_or(misfit("no such table"))?;
                if *row > tb.rows.len() || cells.len() != tb.cols() {
                    return Err(misfit("row does not fit the table"));
                }
                tb.rows.insert(*row, cells.clone());
            }
            E::TableColumnAdded {
                block_id,
                col,
                cells,
            } => {
                let tb = self.table_mut(block_id).ok_or(misfit("no such table"))?;
                if *col > tb.cols() || cells.len() != tb.rows.len() {
                    return Err(misfit("column does not fit the table"));
                }
                for (r, cell) in tb.rows.iter_mut().zip(cells) {
                    r.insert(*col, cell.clone());
                }
            }
            E::TableRowDeleted { block_id, row } => {
                let tb = self.table_mut(block_id).ok_or(misfit("no such table"))?;
                if *row >= tb.rows.len() || tb.rows.len() < 2 {
                    return Err(misfit("no such row, or the only one"));
                }
                tb.rows.remove(*row);
            }
            E::TableColumnDeleted { block_id, col } => {
                let tb = self.table_mut(block_id).ok_or(misfit("no such table"))?;
                if *col >= tb.cols() || tb.cols() < 2 {
                    return Err(misfit("no such column, or the only one"));
                }
                for r in &mut tb.rows {
                    r.remove(*col);
                }
            }
            E::ListAdded {
                block_id,
                index,
                kind,
                items,
            } => self.insert_block(
                *index,
                Block::List(List {
                    id: block_id.clone(),
                    kind: *kind,
                    items: items.iter().map(bounded_item).collect(),
                }),
            ),
            E::ListItemAdded {
                block_id,
                item,
                text: t,
                level,
            } => match self.block_mut(block_id) {
                Some(Block::List(l)) if *item <= l.items.len() => l.items.insert(
                    *item,
                    ListItem {
                        text: t.clone(),
                        level: (*level).min(MAX_LIST_LEVEL),
                    },
                ),
                _ => return Err(misfit("no such list, or item past its end")),
            },
            E::ListItemLevelSet {
                block_id,
                item,
                level,
            } => {
                let Some(Block::List(l)) = self.block_mut(block_id) else {
                    return Err(misfit("no such list"));
                };
                let it = l.items.get_mut(*item).ok_or(misfit("no such item"))?;
                it.level = (*level).min(MAX_LIST_LEVEL);
            }
            E::PageBreakAdded { block_id, index } => self.insert_block(
                *index,
                Block::PageBreak(PageBreak {
                    id: block_id.clone(),
                }),
            ),
            E::Unreadable { .. } => return Err(misfit("the stored event could not be read")),
        }
        Ok(())
    }

    fn insert_block(&mut self, index: usize, block: Block) {
        let index = index.min(self.blocks.len());
        self.blocks.insert(index, block);
    }

    fn block_mut(&mut self, id: &BlockId) -> Option<&mut Block> {
        self.blocks.iter_mut().find(|b| b.id() == id)
    }

    fn runs_mut(&mut self, id: &BlockId) -> Option<&mut Vec<Run>> {
        match self.block_mut(id)? {
            Block::Paragraph(p) => Some(&mut p.runs),
            Block::Heading(h) => Some(&mut h.runs),
            _ => None,
        }
    }

    fn table_mut(&mut self, id: &BlockId) -> Option<&mut Table> {
        match self.block_mut(id)? {
            Block::Table(t) => Some(t),
            _ => None,
        }
    }

    /// Replaces one occurrence; false (and nothing changed) when it is not inside its text.
    fn replace_occurrence(&mut self, o: &Occurrence, replace: &str) -> bool {
        let Some(end) = o.offset.checked_add(o.length) else {
            return false;
        };
        let Some(block) = self.block_mut(&o.block_id) else {
            return false;
        };
        match (block, o.within) {
            (Block::Paragraph(Paragraph { runs, .. }), Within::Text)
            | (Block::Heading(Heading { runs, .. }), Within::Text)
                if end <= text::char_len(runs) =>
            {
                text::replace(runs, o.offset, o.length, replace);
                true
            }
            (Block::Table(t), Within::Cell { row, col }) => {
                match t.rows.get_mut(row).and_then(|r| r.get_mut(col)) {
                    Some(cell) if end <= text::str_len(cell) => {
                        text::replace_in_str(cell, o.offset, o.length, replace);
                        true
                    }
                    _ => false,
                }
            }
            (Block::List(l), Within::Item { item }) => match l.items.get_mut(item) {
                Some(it) if end <= text::str_len(&it.text) => {
                    text::replace_in_str(&mut it.text, o.offset, o.length, replace);
                    true
                }
                _ => false,
            },
            _ => false,
        }
    }
}

/// Table rows padded with empty cells to the widest row, so every row has as many cells as
/// the table has columns (a stored event may hold ragged rows; `decide` never makes them).
fn rectangular(rows: &[Vec<String>]) -> Vec<Vec<String>> {
    let cols = rows.iter().map(Vec::len).max().unwrap_or(0);
    rows.iter()
        .map(|r| {
            let mut r = r.clone();
            r.resize(cols, String::new());
            r
        })
        .collect()
}

/// A list item with its level within Word's nine.
fn bounded_item(item: &ListItem) -> ListItem {
    ListItem {
        text: item.text.clone(),
        level: item.level.min(MAX_LIST_LEVEL),
    }
}

fn normalized(runs: &[Run]) -> Vec<Run> {
    let mut runs = runs.to_vec();
    text::normalize(&mut runs);
    runs
}

fn wrong_type(block: &Block, expected: &'static str) -> DocumentError {
    DocumentError::WrongBlockType {
        block_id: block.id().clone(),
        expected,
        actual: block.kind(),
    }
}

/// The runs of a paragraph or heading; any other block is the wrong type.
fn text_runs(block: &Block) -> Result<&Vec<Run>, DocumentError> {
    match block {
        Block::Paragraph(p) => Ok(&p.runs),
        Block::Heading(h) => Ok(&h.runs),
        other => Err(wrong_type(other, "paragraph or heading")),
    }
}

fn check_index(field: &'static str, value: usize, len: usize) -> Result<(), DocumentError> {
    if value < len {
        Ok(())
    } else {
        Err(DocumentError::IndexOutOfRange { field, value, len })
    }
}

fn check_level(field: &str, level: u8) -> Result<(), DocumentError> {
    if level > MAX_LIST_LEVEL {
        return Err(DocumentError::invalid(
            field,
            format!("list level must be 0 to {MAX_LIST_LEVEL}"),
        ));
    }
    Ok(())
}

fn check_style(field: &str, style: &str, known: &[&str]) -> Result<(), DocumentError> {
    if known.contains(&style) {
        Ok(())
    } else {
        Err(DocumentError::invalid(
            field,
            format!(
                "unknown style {style:?}; known styles: {}",
                known.join(", ")
            ),
        ))
    }
}

/// Cells for a new row or column: the given texts, padded with empty cells to `len`.
fn padded(
    field: &str,
    given: Option<&[String]>,
    len: usize,
    limits: &Limits,
) -> Result<Vec<String>, DocumentError> {
    let given = given.unwrap_or_default();
    if given.len() > len {
        return Err(DocumentError::invalid(
            field,
            format!("has {} cells but there is room for {len}", given.len()),
        ));
    }
    for (i, text) in given.iter().enumerate() {
        check_text(&format!("{field}.{i}"), text, limits.max_text_chars)?;
    }
    let mut cells = given.to_vec();
    cells.resize(len, String::new());
    Ok(cells)
}

/// Runs from the `text` or `runs` field of a command (`None` when neither is given).
fn runs_from(
    text_field: &str,
    text: Option<&str>,
    runs: Option<&[RunInput]>,
    limits: &Limits,
) -> Result<Option<Vec<Run>>, DocumentError> {
    match (text, runs) {
        (Some(_), Some(_)) => Err(DocumentError::invalid(
            "runs",
            "give text or runs, not both",
        )),
        (Some(t), None) => {
            check_text(text_field, t, limits.max_text_chars)?;
            Ok(Some(cmd::plain_runs(t)))
        }
        (None, Some(inputs)) => {
            let mut runs = Vec::with_capacity(inputs.len());
            let mut total: usize = 0;
            for (i, input) in inputs.iter().enumerate() {
                let field = format!("runs.{i}");
                check_text(&format!("{field}.text"), &input.text, limits.max_text_chars)?;
                total = total.saturating_add(text::str_len(&input.text));
                runs.push(input.to_run(&field)?);
            }
            if total > limits.max_text_chars {
                return Err(too_large("paragraph text", limits.max_text_chars));
            }
            text::normalize(&mut runs);
            Ok(Some(runs))
        }
        (None, None) => Ok(None),
    }
}

#[cfg(test)]
mod tests;
