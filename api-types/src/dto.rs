//! Request and response bodies.
//!
//! About 840 lines: every wire shape of the API, each a short documented struct, in the
//! order of the routes; one file so a client's author reads the contract top to bottom.

use domain::{Block, DocumentCommand, DocumentMetadata, Stats};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// `POST /v1/documents`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateDocumentRequest {
    /// Title of the new document: not blank, without control characters other than tab
    /// and line breaks (at most 1,000 characters unless the server is configured otherwise).
    #[schema(
        min_length = 1,
        pattern = r"^[^\x00-\x08\x0B\x0C\x0E-\x1F\uFFFE\uFFFF]*[^\s\x00-\x08\x0B\x0C\x0E-\x1F\uFFFE\uFFFF][^\x00-\x08\x0B\x0C\x0E-\x1F\uFFFE\uFFFF]*$"
    )]
    pub title: String,
    /// A template to start from. No templates exist yet, so any value is refused (422);
    /// not part of the schema until templates exist.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(ignore)]
    pub template_id: Option<String>,
    /// Template variables (only meaningful with `template_id`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(ignore)]
    pub variables: Option<serde_json::Map<String, serde_json::Value>>,
}

/// The answer to a document creation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct CreatedDocument {
    /// The new document's id.
    pub id: String,
    /// Its version (1).
    pub version: u64,
    /// True when this was a dry run: nothing was created.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub dry_run: bool,
}

/// What `POST /v1/documents/import` answers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ImportedDocument {
    /// The new document's id.
    pub id: String,
    /// Its version: the import's last event (its blocks come in events of bounded size).
    pub version: u64,
    /// Its title (the `title` asked for, else the file's, else "Imported document").
    pub title: String,
    /// Top-level blocks read.
    pub blocks: usize,
    /// Of which kept as opaque blocks (their XML as it was).
    pub opaque_blocks: usize,
    /// What was kept opaque or changed: per kind, a count and where it was first seen.
    pub warnings: Vec<domain::command::ImportWarning>,
    /// True when this was a dry run: nothing was stored.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub dry_run: bool,
}

/// A document's plain text at a version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct TextResponse {
    /// The version read.
    pub version: u64,
    /// Paragraphs, headings, list items and table rows, one per line.
    pub text: String,
    /// With a `budget`: where the next page starts (pass it as `cursor`); absent on the
    /// last page. REST sends it as the `Folio-Next-Cursor` header.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

/// One block at a version.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct BlockResponse {
    /// The version read.
    pub version: u64,
    /// The block.
    pub block: BlockView,
}

/// A document exported as HTML, Markdown or plain text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ExportResponse {
    /// The version exported.
    pub version: u64,
    /// `html`, `markdown` or `text`.
    pub format: String,
    /// Its media type.
    pub content_type: String,
    /// A file name for it.
    pub file_name: String,
    /// The export.
    pub body: String,
}

/// One appended event, as reported to the writer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct EventRef {
    /// Its sequence number (= the document version it produced).
    pub sequence: u64,
    /// Its type (`ParagraphAdded`).
    #[serde(rename = "type")]
    pub kind: String,
    /// The event itself, on a dry run (what would be appended).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub payload: Option<serde_json::Value>,
}

/// Ids created by a command.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, ToSchema)]
pub struct CreatedIds {
    /// New block ids, in order.
    pub block_ids: Vec<String>,
}

/// The answer to `POST /v1/documents/{id}/commands`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct CommandResult {
    /// The document version after the command(s).
    pub version: u64,
    /// The events appended (none when the command changed nothing).
    pub events: Vec<EventRef>,
    /// What the command(s) created.
    pub created: CreatedIds,
    /// Existing blocks the command(s) changed, moved or deleted.
    #[serde(default)]
    pub changed: ChangedIds,
    /// True when this was a dry run: nothing was appended, `version` and `events` say what
    /// would have been.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub dry_run: bool,
    /// The older version `If-Match` named, when the request was rebased onto the current
    /// one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rebased_from: Option<u64>,
}

/// Ids of existing blocks a command changed.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, ToSchema)]
pub struct ChangedIds {
    /// Block ids, in order, each once.
    pub block_ids: Vec<String>,
}

/// A document summary.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct DocumentSummary {
    /// Id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Current version.
    pub version: u64,
    /// Core properties.
    pub metadata: DocumentMetadata,
    /// Counts.
    pub stats: Stats,
    /// Creation time (RFC 3339).
    pub created_at: String,
    /// Time of the last change (RFC 3339).
    pub updated_at: String,
    /// Who created it.
    pub created_by: String,
    /// Whether it is archived.
    pub archived: bool,
    /// Named versions (`label_version`): label → version.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub labels: std::collections::BTreeMap<String, u64>,
}

/// A page of a list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Page<T> {
    /// The items.
    pub items: Vec<T>,
    /// Pass as `cursor` to get the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

/// A page of a document's history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct HistoryPage {
    /// The events, oldest first.
    pub items: Vec<HistoryItem>,
    /// Pass as `cursor` to get the next page; absent on the last page.
    pub next_cursor: Option<String>,
    /// The version the chain of pages stops at: the head when its first page was read.
    pub version: u64,
}

/// A block with its plain text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct BlockView {
    /// The block, tagged by `type`.
    #[serde(flatten)]
    pub block: Block,
    /// Its plain text.
    pub text: String,
}

impl From<&Block> for BlockView {
    fn from(block: &Block) -> Self {
        Self {
            block: block.clone(),
            text: block.text(),
        }
    }
}

/// `GET /v1/documents/{id}/content`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ContentResponse {
    /// Version shown.
    pub version: u64,
    /// Blocks in order.
    pub blocks: Vec<BlockView>,
    /// With a `budget`: where the next page starts (pass it as `cursor`); absent on the
    /// last page. Every page of one cursor chain is of the same version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

/// One heading of the outline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct OutlineItem {
    /// The heading block.
    pub block_id: String,
    /// Its level.
    pub level: u8,
    /// Its text.
    pub text: String,
    /// The blocks under it: up to the next heading of the same or a higher level
    /// (sub-headings and their content included; the heading itself not).
    pub blocks: usize,
    /// The words in those blocks (whitespace-separated, tables and lists included).
    pub words: usize,
}

/// `GET /v1/documents/{id}/blocks`: the blocks asked for, in document order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct BlocksResponse {
    /// Version shown.
    pub version: u64,
    /// The blocks.
    pub blocks: Vec<BlockView>,
}

/// `GET /v1/documents/{id}/headings/{heading_block_id}/text`: a heading and everything
/// under it, as plain text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SectionTextResponse {
    /// Version shown.
    pub version: u64,
    /// The heading.
    pub heading_block_id: String,
    /// Its level.
    pub level: u8,
    /// The heading and the blocks under it (to the next heading of the same or a higher
    /// level), in order.
    pub block_ids: Vec<String>,
    /// Their text, as `GET …/text` writes it.
    pub text: String,
}

/// `GET /v1/documents/{id}/outline`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct OutlineResponse {
    /// Version shown.
    pub version: u64,
    /// Headings in order.
    pub items: Vec<OutlineItem>,
    /// With a `budget`, the cursor of the next page (absent on the last).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

/// A document's comment threads (`GET …/comments`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct CommentsResponse {
    /// Version shown.
    pub version: u64,
    /// The threads, in the order of their anchors in the document.
    pub comments: Vec<CommentThread>,
}

/// A comment thread: its root comment, where it is anchored, and its replies.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct CommentThread {
    /// The root comment's id (`c1`).
    pub id: String,
    /// The paragraph or heading it is anchored in.
    pub block_id: String,
    /// First character of the anchored range.
    pub start: usize,
    /// The character after it (`start` when the comment marks a point).
    pub end: usize,
    /// The anchored text.
    pub anchor_text: String,
    /// The text it was made on was deleted: it now marks the point where that text was.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub anchor_deleted: bool,
    /// Who wrote it.
    pub author: String,
    /// Their initials.
    pub initials: String,
    /// When (RFC 3339).
    pub created_at: String,
    /// Its text (paragraphs separated by newlines).
    pub text: String,
    /// The thread is resolved.
    pub resolved: bool,
    /// The answers, oldest first.
    pub replies: Vec<CommentReply>,
}

/// A reply in a comment thread.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct CommentReply {
    /// Its id.
    pub id: String,
    /// Who wrote it.
    pub author: String,
    /// Their initials.
    pub initials: String,
    /// When (RFC 3339).
    pub created_at: String,
    /// Its text.
    pub text: String,
}

/// A document's suggestions (`GET …/suggestions`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct SuggestionsResponse {
    /// Version shown.
    pub version: u64,
    /// The suggestions, oldest first.
    pub suggestions: Vec<SuggestionView>,
}

/// One suggestion: a change proposed, and where it stands.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct SuggestionView {
    /// Its id (`s1`).
    pub id: String,
    /// Who proposed it.
    pub author: String,
    /// When (RFC 3339).
    pub created_at: String,
    /// Why, as the request said.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The command proposed (`insert_text`, `delete_block`…).
    pub kind: String,
    /// The block it is about (for a new paragraph, the one it goes next to).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub block_id: Option<String>,
    /// Where in the block's text, as it stands now (text suggestions).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<usize>,
    /// The end of that range.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<usize>,
    /// The text it proposes (inserted, written, the replacement).
    pub text: String,
    /// The text it is about now (what it deletes, formats or replaces).
    pub current_text: String,
    /// `open`, `accepted`, `rejected` or `stale` (open, but what it was about is gone).
    pub status: String,
    /// Why it is stale.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stale_reason: Option<String>,
    /// Who accepted or rejected it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decided_by: Option<String>,
}

/// A document's footnotes and endnotes (`GET …/notes`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct NotesResponse {
    /// Version shown.
    pub version: u64,
    /// The notes in the order of their reference marks (footnotes and endnotes mixed).
    pub notes: Vec<NoteView>,
}

/// One footnote or endnote.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct NoteView {
    /// Its id (`f1` for a footnote, `e1` for an endnote).
    pub id: String,
    /// `footnote` or `endnote`.
    pub kind: domain::NoteKind,
    /// The number Word shows (footnotes and endnotes each counted from 1 in document order).
    pub number: u32,
    /// The paragraph or heading holding its reference mark.
    pub block_id: String,
    /// The reference mark's character offset.
    pub offset: usize,
    /// Its text (paragraphs separated by newlines).
    pub text: String,
}

/// A document's style sheet: Word's built-in styles folio uses, then the document's own.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct StylesResponse {
    /// Version shown.
    pub version: u64,
    /// The styles.
    pub styles: Vec<StyleInfo>,
}

/// One style.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct StyleInfo {
    /// Its id (what `apply_style`, `add_paragraph(style)` and `add_table(style)` take).
    pub style_id: String,
    /// Its name as Word shows it.
    pub name: String,
    /// `paragraph`, `character` or `table`.
    pub kind: domain::StyleKind,
    /// One of Word's built-in styles.
    pub builtin: bool,
    /// Whether `apply_style` may give it (headings take theirs from their level).
    pub applicable: bool,
    /// The definition of a style of the document's own; for a built-in style, what the
    /// document changed of Word's definition (`update_style`), if anything.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub definition: Option<domain::StyleDef>,
}

/// A document's sections with their page setup, headers and footers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct SectionsResponse {
    /// Version shown.
    pub version: u64,
    /// Sections in order: section 0, then one per section break.
    pub sections: Vec<SectionInfo>,
}

/// One section.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct SectionInfo {
    /// Section index (what commands take as `section`).
    pub index: usize,
    /// Index of the section's first block.
    pub first_block_index: usize,
    /// Number of blocks in the section (its section break included).
    pub blocks: usize,
    /// The section break that starts it (none for section 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub break_block_id: Option<String>,
    /// Page size, orientation, margins and columns, defaults filled in.
    pub page: domain::ResolvedPageSetup,
    /// The headers the section shows (`default`, `first`, `even`), as runs; fields are
    /// runs with a `field`. A kind the section does not set is the previous section's.
    pub header: domain::HeaderFooter,
    /// The footers it shows, as the headers.
    pub footer: domain::HeaderFooter,
    /// The kinds the section sets itself (the rest are inherited).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub own: Vec<String>,
}

/// One event of a document's history, with its metadata.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct HistoryItem {
    /// Sequence number (= version).
    pub sequence: u64,
    /// Event type.
    #[serde(rename = "type")]
    pub kind: String,
    /// Event schema version.
    pub event_version: String,
    /// The event's data.
    #[schema(value_type = Object)]
    pub payload: serde_json::Value,
    /// Who: a user or API key id.
    pub actor: Option<String>,
    /// Tenant.
    pub tenant: Option<String>,
    /// The request that appended it.
    pub request_id: Option<String>,
    /// The command that produced it.
    pub command: Option<String>,
    /// Client IP.
    pub ip: Option<String>,
    /// Client user agent.
    pub user_agent: Option<String>,
    /// When (RFC 3339).
    pub at: Option<String>,
    /// The reason given with the request (`X-Folio-Reason`), if any.
    pub reason: Option<String>,
    /// The labels naming this version (`label_version`), if any.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub labels: Vec<String>,
    /// When its request was based on an older version and rebased onto the current one:
    /// that version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rebased_from: Option<u64>,
    /// Who proposed it (an accepted suggestion's change; `actor` accepted it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proposed_by: Option<String>,
}

/// `/healthz` and `/readyz`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Health {
    /// `ok` or what is wrong.
    pub status: String,
}

/// The body of `POST /v1/documents/{id}/commands`: one command, or an all-or-nothing batch.
/// (Described for the OpenAPI document; bodies are parsed by [`crate::parse_commands`].)
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(untagged)]
// Only the OpenAPI document uses this type (no value of it is kept anywhere), so the size
// of its largest variant costs nothing.
#[allow(clippy::large_enum_variant)]
pub enum CommandRequest {
    /// One command.
    One(DocumentCommand),
    /// A batch.
    Batch(CommandBatch),
}

/// A batch of commands, applied all or nothing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CommandBatch {
    /// The commands, in order (at most 1,000 unless the server is configured otherwise).
    #[schema(min_items = 1)]
    pub commands: Vec<DocumentCommand>,
}

/// One event of the tenant-wide audit log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct AuditItem {
    /// The document the event belongs to.
    pub document_id: String,
    /// The event and its metadata.
    #[serde(flatten)]
    pub event: HistoryItem,
}

/// A text match across the tenant's documents (`GET /v1/search`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SearchHit {
    /// The document.
    pub document_id: String,
    /// The block.
    pub block_id: String,
    /// Character offset of the match in the block's plain text.
    pub offset: usize,
    /// The match with some text around it.
    pub snippet: String,
}

/// A text match inside one document (`GET /v1/documents/{id}/search`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct DocumentMatch {
    /// The block (for a header or footer: the section break holding it; none for section
    /// 0's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub block_id: Option<String>,
    /// For a match in a header or footer: its section.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub section: Option<usize>,
    /// Where, outside the blocks: a header or footer (`header_default`…), `comment`,
    /// `footnote` or `endnote`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub part: Option<String>,
    /// The comment's or note's id (the offset is in its text).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Character offset of the match in the block's plain text.
    pub offset: usize,
    /// Length of the match in characters.
    pub length: usize,
    /// The match with some text around it.
    pub snippet: String,
}

/// `GET /v1/documents/{id}/search`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct DocumentSearchResponse {
    /// Version searched.
    pub version: u64,
    /// Matches in document order (at most `limit`).
    pub items: Vec<DocumentMatch>,
    /// Pass as `cursor` to get the next matches; absent on the last page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

/// `POST /v1/auth/token`: a username and password.
#[derive(Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenRequest {
    /// Login name.
    #[schema(min_length = 1, max_length = 64)]
    pub username: String,
    /// Password (never logged, never stored); at most 1,024 characters.
    #[schema(max_length = 1024)]
    pub password: String,
}

impl std::fmt::Debug for TokenRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenRequest")
            .field("username", &self.username)
            .field("password", &"<redacted>")
            .finish()
    }
}

/// A signed access token.
#[derive(Clone, Deserialize, Serialize, ToSchema)]
pub struct TokenResponse {
    /// The JWT, for `Authorization: Bearer <token>`.
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: String,
    /// Seconds until it expires.
    pub expires_in: u64,
}

impl std::fmt::Debug for TokenResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenResponse")
            .field("access_token", &"<redacted>")
            .field("expires_in", &self.expires_in)
            .finish()
    }
}

/// `POST /v1/api-keys`.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateApiKeyRequest {
    /// What the key is for (1-100 characters, not blank, no control characters).
    #[schema(
        min_length = 1,
        max_length = 100,
        pattern = r"^[^\x00-\x1F\x7F-\x9F]*[^\s\x00-\x1F\x7F-\x9F][^\x00-\x1F\x7F-\x9F]*$"
    )]
    pub name: String,
    /// Any of `read`, `write`, `admin`; at most the caller's own.
    #[schema(min_items = 1, inline, value_type = Vec<KeyScope>)]
    pub scopes: Vec<String>,
}

/// A new API key: the only time `key` is shown.
#[derive(Clone, Deserialize, Serialize, ToSchema)]
pub struct CreatedApiKey {
    /// Public identifier (also the prefix of the key).
    pub id: String,
    /// The secret key, for `X-API-Key`. Shown once; only its hash is kept.
    pub key: String,
    /// Tenant the key acts in.
    pub tenant: String,
    /// Name.
    pub name: String,
    /// Scopes.
    pub scopes: Vec<String>,
}

impl std::fmt::Debug for CreatedApiKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CreatedApiKey")
            .field("id", &self.id)
            .field("key", &"<redacted>")
            .field("tenant", &self.tenant)
            .field("scopes", &self.scopes)
            .finish()
    }
}

/// An API key as listed (never the key).
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
pub struct ApiKeyView {
    /// Public identifier.
    pub id: String,
    /// Name.
    pub name: String,
    /// Tenant.
    pub tenant: String,
    /// Whose key it is: `user:<name>` or `key:<id>`.
    pub owner: String,
    /// Scopes.
    pub scopes: Vec<String>,
    /// RFC 3339.
    pub created_at: String,
    /// Actor that created it.
    pub created_by: String,
    /// RFC 3339, once revoked.
    pub revoked_at: Option<String>,
}

/// `POST /v1/users` (admins): a user of the caller's tenant.
#[derive(Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateUserRequest {
    /// Login name (1-64 ASCII letters, digits, `-`, `_`, `.`, `@`; unique across tenants,
    /// whatever the case).
    #[schema(pattern = r"^[A-Za-z0-9._@-]{1,64}$")]
    pub username: String,
    /// 12 to 1,024 characters (stored only as an argon2id hash).
    #[schema(min_length = 12, max_length = 1024)]
    pub password: String,
    /// `viewer`, `editor` or `admin`.
    #[schema(value_type = UserRole)]
    pub role: String,
}

impl std::fmt::Debug for CreateUserRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CreateUserRequest")
            .field("username", &self.username)
            .field("password", &"<redacted>")
            .field("role", &self.role)
            .finish()
    }
}

/// A user as listed (never the password or its hash).
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
pub struct UserView {
    /// Login name.
    pub username: String,
    /// Tenant.
    pub tenant: String,
    /// Role.
    pub role: String,
    /// RFC 3339.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
}

/// The scope of an API key (schema only: requests carry it as a string).
#[derive(Debug, Clone, Copy, ToSchema)]
#[schema(rename_all = "snake_case")]
pub enum KeyScope {
    /// `GET` routes.
    Read,
    /// Every other method.
    Write,
    /// `/v1/users` and every key of the tenant.
    Admin,
}

/// The role of a user (schema only: requests carry it as a string).
#[derive(Debug, Clone, Copy, ToSchema)]
#[schema(rename_all = "snake_case")]
pub enum UserRole {
    /// Reads only.
    Viewer,
    /// Reads and writes.
    Editor,
    /// Reads, writes, users and every key of the tenant.
    Admin,
}

/// A document's inline images.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ImagesResponse {
    /// Version shown.
    pub version: u64,
    /// Images in reading order.
    pub images: Vec<ImageInfo>,
}

/// One inline image.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ImageInfo {
    /// The block holding it: a paragraph or heading, or a table or list (none for an
    /// image in a header or footer).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub block_id: Option<String>,
    /// In a header or footer: its section.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub section: Option<usize>,
    /// In a header or footer: which (`header_default`, `footer_first`…).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub part: Option<String>,
    /// In a table: the cell's row.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub row: Option<usize>,
    /// In a table: the cell's column.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub col: Option<usize>,
    /// In a list: the item.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item: Option<usize>,
    /// Its character offset there (what `resize_image` and `set_image_alt_text` take,
    /// with `row`/`col` or `item`).
    pub offset: usize,
    /// Media id (SHA-256 of the bytes): `GET …/media/{media}` downloads the file.
    pub media: String,
    /// `png`, `jpeg` or `gif`.
    pub format: String,
    /// Its MIME type.
    pub content_type: String,
    /// Pixel width of the picture itself.
    pub width_px: u32,
    /// Pixel height of the picture itself.
    pub height_px: u32,
    /// Shown width in millimetres.
    pub width_mm: f64,
    /// Shown height in millimetres.
    pub height_mm: f64,
    /// File size in bytes.
    pub bytes: u64,
    /// Alternative text (empty: none).
    pub alt_text: String,
}

/// `GET /v1/documents/{id}/diff`: what changed between two versions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct DiffResponse {
    /// The version compared from.
    pub from: u64,
    /// The version compared to.
    pub to: u64,
    /// The title, when it differs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<ValueChange>,
    /// The core properties, when they differ (as they are at each version).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<MetadataChange>,
    /// The blocks that differ: in the order of version `to`, then the ones it no longer
    /// has, in the order of version `from`.
    pub blocks: Vec<BlockDiff>,
    /// Changed blocks whose text is shown wholesale (all of the old text deleted, all of
    /// the new inserted) because the diff's time budget ran out before their words were
    /// compared; absent when there are none.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub coarse_blocks: usize,
    /// Comments and notes that differ.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub review: Vec<ReviewChange>,
}

/// A comment, reply, footnote or endnote that differs between two versions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ReviewChange {
    /// Its id (`c1`, `f1`, `e1`).
    pub id: String,
    /// `comment`, `reply`, `footnote` or `endnote`.
    pub kind: String,
    /// `added`, `removed`, `edited`, `resolved` or `reopened`.
    pub change: String,
    /// Its text at `from`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    /// Its text at `to`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// A value at each version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ValueChange {
    /// At `from`.
    pub from: String,
    /// At `to`.
    pub to: String,
}

/// The core properties at each version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct MetadataChange {
    /// At `from`.
    pub from: domain::DocumentMetadata,
    /// At `to`.
    pub to: domain::DocumentMetadata,
}

/// How one block differs, aligned by its stable id.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct BlockDiff {
    /// The block.
    pub block_id: String,
    /// `added`, `removed`, `changed` (its content), or `moved` (only its place).
    pub change: String,
    /// Its type (`paragraph`, `table`…) at `to` (at `from` when removed).
    pub kind: String,
    /// Its index at `from`, if it is there.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from_index: Option<usize>,
    /// Its index at `to`, if it is there.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to_index: Option<usize>,
    /// It also moved relative to the blocks around it (a changed block can move too).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub moved: bool,
    /// Its text as a word-level diff (`equal`, `insert`, `delete` spans); the whole text
    /// as one span for an added or removed block.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub text: Vec<TextSpan>,
    /// Its formatting (or anything but its text) differs.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub formatting_changed: bool,
    /// For a table of the same shape at both versions: the cells whose text differs.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cells: Vec<CellDiff>,
    /// The last event between the two versions that made this change.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<ChangeBy>,
}

/// A span of a word-level diff.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct TextSpan {
    /// `equal`, `insert` or `delete`.
    pub op: String,
    /// Its text.
    pub text: String,
}

/// A table cell whose text differs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct CellDiff {
    /// Row.
    pub row: usize,
    /// Column.
    pub col: usize,
    /// Its text at `from`.
    pub from: String,
    /// Its text at `to`.
    pub to: String,
}

/// `GET /v1/documents/{id}/blame`: who last changed each block, and each word range of
/// its text. Blocks and ranges name their change by version; `changes` says, once per
/// version, who made it, when and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct BlameResponse {
    /// The version described.
    pub version: u64,
    /// Every block, in order.
    pub blocks: Vec<BlockBlameView>,
    /// Every footnote and endnote, in the order they were made.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<NoteBlameView>,
    /// Every change the blocks, notes and ranges name, by version (oldest first).
    pub changes: Vec<ChangeBy>,
}

/// One footnote's or endnote's blame.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct NoteBlameView {
    /// The note.
    pub note_id: String,
    /// `footnote` or `endnote`.
    pub kind: domain::NoteKind,
    /// The version of the last change to its text.
    pub last: u64,
    /// Its text (paragraphs separated by newlines) in consecutive ranges, each with the
    /// version that wrote it.
    pub ranges: Vec<BlameRange>,
}

/// One block's blame.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct BlockBlameView {
    /// The block.
    pub block_id: String,
    /// Its type.
    pub kind: String,
    /// The version of its last change (text, formatting or place): see `changes`.
    pub last: u64,
    /// Its plain text in consecutive ranges, each with the version that wrote it.
    pub ranges: Vec<BlameRange>,
}

/// A range of a block's plain text and the version that wrote it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct BlameRange {
    /// First character (0-based, in Unicode scalar values).
    pub start: usize,
    /// One past the last character.
    pub end: usize,
    /// The text.
    pub text: String,
    /// The version that wrote it: see `changes`.
    pub version: u64,
}

/// Who made a change, when and why: the event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ChangeBy {
    /// The event's version.
    pub version: u64,
    /// Its type (`TextInserted`…).
    #[serde(rename = "type")]
    pub kind: String,
    /// Who.
    pub actor: String,
    /// When (RFC 3339).
    pub at: String,
    /// Why, if given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Who proposed it (an accepted suggestion's change; `actor` accepted it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proposed_by: Option<String>,
}
