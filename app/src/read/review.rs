//! Comments and notes: `GET …/comments` (threads with their anchors and replies) and
//! `GET …/notes` (footnotes and endnotes with their numbers), at any version.

use api_types::{
    CommentReply, CommentThread, CommentsResponse, NoteView, NotesResponse, SuggestionView,
    SuggestionsResponse,
};
use domain::{Comment, paragraphs_text};

use super::*;

/// Which threads `GET …/comments` lists.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CommentStatus {
    /// Threads not resolved.
    Open,
    /// Resolved threads.
    Resolved,
    /// Every thread (the default).
    #[default]
    All,
}

/// What `GET …/comments` reads.
#[derive(Debug, Clone, Default, Deserialize, IntoParams, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CommentsParams {
    /// Read this version: its number or its label.
    pub version: Option<VersionRef>,
    /// Wait for this version first.
    #[schema(minimum = 1)]
    pub min_version: Option<u64>,
    /// `open`, `resolved` or `all` (the default).
    #[param(value_type = Option<String>, pattern = "^(open|resolved|all)$")]
    #[schema(value_type = Option<String>, pattern = "^(open|resolved|all)$")]
    pub status: Option<CommentStatus>,
}

/// The threads of `document` with `status`, in the order of their anchors.
pub fn comment_threads(document: &Document, status: CommentStatus) -> Vec<CommentThread> {
    let anchors = document.comment_anchors();
    let positions: std::collections::HashMap<&domain::BlockId, usize> = document
        .blocks
        .iter()
        .enumerate()
        .map(|(i, b)| (b.id(), i))
        .collect();
    let mut replies: std::collections::HashMap<&str, Vec<&Comment>> = Default::default();
    for reply in &document.comments {
        if let Some(parent) = &reply.parent {
            replies.entry(parent.as_str()).or_default().push(reply);
        }
    }
    let mut threads: Vec<(usize, CommentThread)> = document
        .comments
        .iter()
        .filter(|c| c.parent.is_none())
        .filter(|c| match status {
            CommentStatus::All => true,
            CommentStatus::Open => !c.resolved,
            CommentStatus::Resolved => c.resolved,
        })
        .filter_map(|root| {
            let anchor = anchors.get(root.id.as_str())?;
            let index = *positions.get(anchor.block.id())?;
            let anchor_text: String = anchor
                .block
                .text()
                .chars()
                .skip(anchor.start)
                .take(anchor.end - anchor.start)
                .collect();
            let replies = replies
                .get(root.id.as_str())
                .into_iter()
                .flatten()
                .map(|r| CommentReply {
                    id: r.id.clone(),
                    author: r.author.name.clone(),
                    initials: r.author.initials.clone(),
                    created_at: r.date.clone(),
                    text: comment_text(r),
                })
                .collect();
            Some((
                index,
                CommentThread {
                    id: root.id.clone(),
                    block_id: anchor.block.id().to_string(),
                    start: anchor.start,
                    end: anchor.end,
                    anchor_deleted: root.ranged && anchor.start == anchor.end,
                    anchor_text,
                    author: root.author.name.clone(),
                    initials: root.author.initials.clone(),
                    created_at: root.date.clone(),
                    text: comment_text(root),
                    resolved: root.resolved,
                    replies,
                },
            ))
        })
        .collect();
    threads.sort_by_key(|(index, t)| (*index, t.start, t.end));
    threads.into_iter().map(|(_, t)| t).collect()
}

fn comment_text(comment: &Comment) -> String {
    paragraphs_text(&comment.paragraphs)
}

/// The notes of `document` in the order of their reference marks, numbered.
pub fn note_views(document: &Document) -> Vec<NoteView> {
    let numbers = document.note_numbers();
    document
        .note_references()
        .into_iter()
        .filter_map(|(id, block, offset)| {
            let note = document.note(id)?;
            Some(NoteView {
                id: note.id.clone(),
                kind: note.kind,
                number: numbers.get(id).copied().unwrap_or_default(),
                block_id: block.id().to_string(),
                offset,
                text: paragraphs_text(&note.paragraphs),
            })
        })
        .collect()
}

/// What `GET …/suggestions` reads.
#[derive(Debug, Clone, Default, Deserialize, IntoParams, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SuggestionsParams {
    /// Read this version: its number or its label.
    pub version: Option<VersionRef>,
    /// Wait for this version first.
    #[schema(minimum = 1)]
    pub min_version: Option<u64>,
    /// `open`, `accepted`, `rejected`, `stale` or `all` (the default).
    #[param(pattern = "^(open|accepted|rejected|stale|all)$")]
    #[schema(pattern = "^(open|accepted|rejected|stale|all)$")]
    pub status: Option<String>,
}

/// The suggestions of `document` whose status is `status` (`all`: every one), oldest first.
pub fn suggestion_views(document: &Document, status: &str) -> Vec<SuggestionView> {
    let anchors = document.suggestion_anchors();
    document
        .suggestions
        .iter()
        .map(|s| {
            let stale = (s.status == domain::SuggestionStatus::Open)
                .then(|| document.suggestion_stale(s))
                .flatten();
            let state = if stale.is_some() {
                "stale"
            } else {
                domain::status_name(s.status)
            };
            let anchor = anchors.get(s.id.as_str());
            let block_id = anchor
                .map(|a| a.block.id().to_string())
                .or_else(|| s.named_blocks().first().map(ToString::to_string));
            let (current_text, text) = document.suggestion_texts(s);
            SuggestionView {
                id: s.id.clone(),
                author: s.author.name.clone(),
                created_at: s.date.clone(),
                reason: s.reason.clone(),
                kind: s.kind.clone(),
                block_id,
                start: anchor.map(|a| a.start),
                end: anchor.map(|a| a.end),
                text,
                current_text,
                status: state.to_string(),
                stale_reason: stale,
                decided_by: s.decided_by.as_ref().map(|a| a.name.clone()),
            }
        })
        .filter(|v| status == "all" || v.status == status)
        .collect()
}

impl Reads {
    /// A document's suggestions.
    ///
    /// # Errors
    /// A bad status (422); as [`Reads::summary`].
    pub async fn suggestions(
        &self,
        principal: &Principal,
        id: &str,
        params: SuggestionsParams,
    ) -> Result<SuggestionsResponse, ApiError> {
        let status = params.status.unwrap_or_else(|| "all".into());
        if !["open", "accepted", "rejected", "stale", "all"].contains(&status.as_str()) {
            return Err(ApiError::invalid(
                "status",
                "use open, accepted, rejected, stale or all",
            ));
        }
        let at = ReadAt {
            version: params.version,
            min_version: params.min_version,
        };
        let resolved = self.resolve(principal, id, at).await?;
        Ok(SuggestionsResponse {
            version: resolved.version(),
            suggestions: suggestion_views(&resolved.document, &status),
        })
    }

    /// A document's comment threads.
    ///
    /// # Errors
    /// As [`Reads::summary`].
    pub async fn comments(
        &self,
        principal: &Principal,
        id: &str,
        params: CommentsParams,
    ) -> Result<CommentsResponse, ApiError> {
        let at = ReadAt {
            version: params.version,
            min_version: params.min_version,
        };
        let resolved = self.resolve(principal, id, at).await?;
        Ok(CommentsResponse {
            version: resolved.version(),
            comments: comment_threads(&resolved.document, params.status.unwrap_or_default()),
        })
    }

    /// A document's footnotes and endnotes.
    ///
    /// # Errors
    /// As [`Reads::summary`].
    pub async fn notes(
        &self,
        principal: &Principal,
        id: &str,
        at: ReadAt,
    ) -> Result<NotesResponse, ApiError> {
        let resolved = self.resolve(principal, id, at).await?;
        Ok(NotesResponse {
            version: resolved.version(),
            notes: note_views(&resolved.document),
        })
    }
}
