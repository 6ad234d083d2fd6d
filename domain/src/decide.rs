//! The rules: `decide` turns a command into events, `apply` folds an event into the state.

use crate::command::DocumentCommand;
use crate::error::{DocumentError, EventMisfit};
use crate::event::DocumentEvent;
use crate::ids::BlockId;
pub(crate) use crate::input::Limits;
use crate::input::too_large;
use crate::input::{BlockRef, Position, PositionAt};
use crate::model::{Block, Document, Run};

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
        // Creating needs no document; every other command needs a live one.
        if !matches!(command, C::CreateDocument(_) | C::ImportDocument(_)) {
            if !self.exists() {
                return Err(DocumentError::DocumentNotFound);
            }
            if self.archived {
                return Err(DocumentError::DocumentArchived);
            }
        }
        let new_id = BlockId::minted(self.version.next().get(), 0);
        // Each feature decides its commands (`crate::features`); none is an empty answer.
        let event: Option<DocumentEvent> = match command {
            C::CreateDocument(c) => return self.decide_create(c, limits),
            C::ImportDocument(c) => return self.decide_import(c, limits),
            C::RevertToVersion(c) => return self.decide_revert(c, limits),
            C::Suggest(c) => return self.decide_suggest(c, limits),
            C::AcceptSuggestion(c) => return self.decide_accept_suggestion(c, limits),
            C::AcceptAllSuggestions(c) => return self.decide_accept_all(c, limits),
            C::RejectAllSuggestions(c) => return self.decide_reject_all(c),
            C::ArchiveDocument(_) => Some(DocumentEvent::DocumentArchived {}),
            C::SetTitle(c) => Some(DocumentEvent::TitleSet {
                title: self.checked_title(&c.title, limits)?,
            }),
            C::SetMetadata(c) => Some(self.decide_metadata(c, limits)?),
            C::AddParagraph(c) => self.decide_add_paragraph(c, new_id, limits)?,
            C::AddHeading(c) => self.decide_add_heading(c, new_id, limits)?,
            C::UpdateParagraph(c) => self.decide_update_paragraph(c, limits)?,
            C::InsertText(c) => self.decide_insert_text(c, limits)?,
            C::DeleteText(c) => self.decide_delete_text(c)?,
            C::DeleteBlock(c) => self.decide_delete_block(c)?,
            C::MoveBlock(c) => self.decide_move_block(c)?,
            C::ReplaceText(c) => self.decide_replace(c, limits)?,
            C::FormatText(c) => self.decide_format_text(c)?,
            C::SetAlignment(c) => self.decide_set_alignment(c)?,
            C::SetParagraphFormat(c) => self.decide_set_paragraph_format(c)?,
            C::AddTable(c) => Some(self.decide_add_table(c, new_id, limits)?),
            C::SetTableCell(c) => self.decide_set_table_cell(c, limits)?,
            C::AddTableRow(c) => self.decide_add_table_row(c, limits)?,
            C::AddTableColumn(c) => self.decide_add_table_column(c, limits)?,
            C::DeleteTableRow(c) => self.decide_delete_table_row(c)?,
            C::DeleteTableColumn(c) => self.decide_delete_table_column(c)?,
            C::AddList(c) => self.decide_add_list(c, new_id, limits)?,
            C::AddListItem(c) => self.decide_add_list_item(c, limits)?,
            C::SetListItemLevel(c) => self.decide_set_list_item_level(c)?,
            C::AddPageBreak(c) => Some(self.decide_add_page_break(c, new_id, limits)?),
            C::AddHyperlink(c) => self.decide_add_hyperlink(c, limits)?,
            C::RemoveHyperlink(c) => self.decide_remove_hyperlink(c)?,
            C::AddBookmark(c) => self.decide_add_bookmark(c)?,
            C::RemoveBookmark(c) => self.decide_remove_bookmark(c)?,
            C::SetPageSetup(c) => self.decide_set_page_setup(c)?,
            C::SetHeader(c) => self.decide_set_header(c, limits)?,
            C::SetFooter(c) => self.decide_set_footer(c, limits)?,
            C::CreateStyle(c) => self.decide_create_style(c)?,
            C::UpdateStyle(c) => self.decide_update_style(c)?,
            C::DeleteStyle(c) => self.decide_delete_style(c)?,
            C::ApplyStyle(c) => self.decide_apply_style(c)?,
            C::SetListNumbering(c) => self.decide_set_list_numbering(c)?,
            C::AddSectionBreak(c) => Some(self.decide_add_section_break(c, new_id, limits)?),
            C::MergeTableCells(c) => self.decide_merge_table_cells(c)?,
            C::SplitTableCells(c) => self.decide_split_table_cells(c)?,
            C::SetTableColumnWidths(c) => self.decide_set_table_column_widths(c)?,
            C::SetTableCellFormat(c) => self.decide_set_table_cell_format(c)?,
            C::AddTableOfContents(c) => Some(self.decide_add_table_of_contents(c, new_id, limits)?),
            C::AddImage(c) => self.decide_add_image(c, new_id, limits)?,
            C::ResizeImage(c) => self.decide_resize_image(c)?,
            C::SetImageAltText(c) => self.decide_set_image_alt_text(c)?,
            C::LabelVersion(c) => self.decide_label_version(c)?,
            C::AddComment(c) => self.decide_add_comment(c)?,
            C::ReplyToComment(c) => self.decide_reply_to_comment(c)?,
            C::EditComment(c) => self.decide_edit_comment(c)?,
            C::ResolveComment(c) => self.decide_resolve_comment(&c.comment_id, true)?,
            C::ReopenComment(c) => self.decide_resolve_comment(&c.comment_id, false)?,
            C::DeleteComment(c) => self.decide_delete_comment(c)?,
            C::AddFootnote(c) => self.decide_add_footnote(c, limits)?,
            C::AddEndnote(c) => self.decide_add_endnote(c, limits)?,
            C::EditNote(c) => self.decide_edit_note(c)?,
            C::DeleteNote(c) => self.decide_delete_note(c)?,
            C::RejectSuggestion(c) => self.decide_reject_suggestion(c)?,
        };
        Ok(event.into_iter().collect())
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

    /// Resolves where a new block goes, checking the block limit.
    pub(crate) fn insertion_index(
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
    pub(crate) fn resolve_position(
        &self,
        position: Option<&Position>,
    ) -> Result<usize, DocumentError> {
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
    pub(crate) fn target(
        &self,
        block_id: Option<&BlockId>,
        block_index: Option<usize>,
    ) -> Result<(usize, &Block), DocumentError> {
        match BlockRef::from_fields(block_id, block_index)? {
            BlockRef::Id(id) => self
                .position_of(&id)
                .and_then(|i| self.blocks.get(i).map(|b| (i, b)))
                .ok_or(DocumentError::BlockNotFound {
                    block_id: id,
                    field: "block_id",
                }),
            BlockRef::Index(index) => self.blocks.get(index).map(|b| (index, b)).ok_or(
                DocumentError::BlockIndexOutOfRange {
                    index,
                    len: self.blocks.len(),
                },
            ),
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
        // A note goes with its reference mark, a comment with its anchor's block: what an
        // event takes out of the blocks it touches is looked up before and after it.
        if self.notes.is_empty() && self.comments.is_empty() {
            return self.apply_event(event);
        }
        let touched = event.touched_block_ids();
        let before = self.review_marks(&touched);
        self.apply_event(event)?;
        if !before.is_empty() {
            self.drop_unanchored(&before, &touched);
        }
        Ok(())
    }

    fn apply_event(&mut self, event: &DocumentEvent) -> Result<(), EventMisfit> {
        use DocumentEvent as E;
        let misfit = |reason: &'static str| EventMisfit {
            event: event.name(),
            reason,
        };
        match event {
            E::DocumentImported { .. } | E::BlocksImported { .. } | E::ReviewImported { .. } => {
                self.apply_import(event, &misfit)?
            }
            E::DocumentCreated { .. }
            | E::DocumentArchived { .. }
            | E::TitleSet { .. }
            | E::MetadataSet { .. } => self.apply_metadata(event, &misfit)?,
            E::ParagraphAdded { .. }
            | E::HeadingAdded { .. }
            | E::ParagraphUpdated { .. }
            | E::AlignmentSet { .. } => self.apply_paragraph(event, &misfit)?,
            E::TextInserted { .. }
            | E::TextDeleted { .. }
            | E::TextReplaced { .. }
            | E::TextFormatted { .. } => self.apply_text_edit(event, &misfit)?,
            E::BlockDeleted { .. } | E::BlockMoved { .. } => {
                self.apply_structure(event, &misfit)?
            }
            E::TableAdded { .. }
            | E::TableCellSet { .. }
            | E::TableCellBlocksSet { .. }
            | E::TableRowAdded { .. }
            | E::TableColumnAdded { .. }
            | E::TableRowDeleted { .. }
            | E::TableColumnDeleted { .. } => self.apply_table(event, &misfit)?,
            E::ListAdded { .. } | E::ListItemAdded { .. } | E::ListItemLevelSet { .. } => {
                self.apply_list(event, &misfit)?
            }
            E::PageBreakAdded { .. } => self.apply_page_break(event, &misfit)?,
            E::ParagraphFormatSet { .. } => self.apply_paragraph_format(event, &misfit)?,
            E::HyperlinkInserted { .. }
            | E::HyperlinkSet { .. }
            | E::BookmarkAdded { .. }
            | E::BookmarkRemoved { .. } => self.apply_hyperlink(event, &misfit)?,
            E::TableOfContentsAdded { .. } => self.apply_toc(event, &misfit)?,
            E::ListNumberingSet { .. } => self.apply_list_numbering(event, &misfit)?,
            E::TableCellsMerged { .. }
            | E::TableCellsSplit { .. }
            | E::TableColumnWidthsSet { .. }
            | E::TableCellsFormatted { .. } => self.apply_table_layout(event, &misfit)?,
            E::StyleCreated { .. }
            | E::StyleUpdated { .. }
            | E::StyleDeleted { .. }
            | E::ParagraphStyleSet { .. }
            | E::TableStyleSet { .. }
            | E::CharacterStyleSet { .. } => self.apply_style_event(event, &misfit)?,
            E::PageSetupSet { .. }
            | E::HeaderSet { .. }
            | E::FooterSet { .. }
            | E::SectionBreakAdded { .. }
            | E::SectionPageSet { .. }
            | E::SectionHeaderSet { .. }
            | E::SectionFooterSet { .. } => self.apply_section(event, &misfit)?,
            E::ImageInserted { .. } | E::ImageResized { .. } | E::ImageAltTextSet { .. } => {
                self.apply_image(event, &misfit)?
            }
            E::VersionLabeled { .. } | E::BlocksReverted { .. } | E::DocumentReverted { .. } => {
                self.apply_revision(event, &misfit)?
            }
            E::CommentAdded { .. }
            | E::CommentReplied { .. }
            | E::CommentEdited { .. }
            | E::CommentResolved { .. }
            | E::CommentDeleted { .. }
            | E::NoteAdded { .. }
            | E::NoteEdited { .. }
            | E::NoteDeleted { .. } => self.apply_review(event, &misfit)?,
            E::SuggestionMade { .. }
            | E::SuggestionAccepted { .. }
            | E::SuggestionRejected { .. } => self.apply_suggestion(event, &misfit)?,
            E::Unreadable { .. } => return Err(misfit("the stored event could not be read")),
        }
        Ok(())
    }

    pub(crate) fn insert_block(&mut self, index: usize, block: Block) {
        let index = index.min(self.blocks.len());
        self.blocks.insert(index, block);
    }

    pub(crate) fn block_mut(&mut self, id: &BlockId) -> Option<&mut Block> {
        self.blocks.iter_mut().find(|b| b.id() == id)
    }

    pub(crate) fn runs_mut(&mut self, id: &BlockId) -> Option<&mut Vec<Run>> {
        match self.block_mut(id)? {
            Block::Paragraph(p) => Some(&mut p.runs),
            Block::Heading(h) => Some(&mut h.runs),
            _ => None,
        }
    }
}

mod suggest;

#[cfg(test)]
pub(crate) mod tests;
