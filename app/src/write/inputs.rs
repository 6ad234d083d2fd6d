//! Outside data: the one way a command gets what the document alone cannot give it.
//!
//! The domain decides a command on the document's state and nothing else. Some commands
//! reach outside it, and only through this module:
//!
//! - **before deciding**, `resolve` gives each `revert_to_version` the state of the
//!   version it names (a number or a label), rebuilt from the event store;
//! - **before deciding**, `stamp` names the author of each comment command (the
//!   principal's name, initials made from it, and its id) and its time (the request's,
//!   which its events carry too), and whether the principal may edit others' comments;
//! - **after deciding and before appending**, `files` lists the bytes to store by their
//!   hash: the pictures of `add_image` and whatever the request brought along as
//!   attachments (an import's uploaded file and the pictures read from it).
//!
//! A write that then fails to append leaves stored bytes no event names, which is
//! harmless: the same upload finds them stored.

use std::borrow::Cow;

use domain::command::{RevertTarget, RevertToVersion, Stamp};
use domain::{Author, DocumentCommand, DocumentId, Limits, VersionRef};
use infrastructure::RequestContext;

use super::port::WriteStore;
use super::service::WriteError;

/// A file a request brings along, stored by its media id once the request is decided.
#[derive(Debug, Clone, Copy)]
pub struct Attachment<'a> {
    /// Its media id (SHA-256 of its bytes, hex).
    pub media: &'a str,
    /// Its bytes.
    pub bytes: &'a [u8],
}

/// A file to store: its media id and bytes, borrowed from the request or made from it.
pub(crate) type File<'a> = (Cow<'a, str>, Cow<'a, [u8]>);

/// `commands` with every `revert_to_version` given the state of its version.
///
/// # Errors
/// [`WriteError::NotFound`] when the document is not the caller's;
/// [`WriteError::VersionNotFound`] / [`WriteError::LabelNotFound`] when the version
/// does not exist.
pub(crate) async fn resolve<'c, S: WriteStore>(
    store: &S,
    tenant: &str,
    id: &DocumentId,
    commands: &'c [DocumentCommand],
) -> Result<Cow<'c, [DocumentCommand]>, WriteError> {
    let unresolved = |c: &DocumentCommand| matches!(c, DocumentCommand::RevertToVersion(r) if r.target.is_none());
    if !commands.iter().any(unresolved) {
        return Ok(Cow::Borrowed(commands));
    }
    match store.head(id).await? {
        Some((_, owner)) if owner == tenant => {}
        _ => return Err(WriteError::NotFound),
    }
    let mut filled = commands.to_vec();
    for command in &mut filled {
        let DocumentCommand::RevertToVersion(RevertToVersion { version, target }) = command else {
            continue;
        };
        let number = match version {
            VersionRef::Number(n) => *n,
            VersionRef::Label(name) => store
                .labels(id)
                .await?
                .get(name.as_str())
                .copied()
                .ok_or_else(|| WriteError::LabelNotFound(name.clone()))?,
        };
        let past = match store.document_at(id, number).await? {
            Some(past) if past.tenant == tenant => past,
            Some(_) => return Err(WriteError::NotFound),
            None => return Err(WriteError::VersionNotFound(number)),
        };
        *target = Some(Box::new(RevertTarget {
            version: number,
            document: past.document,
        }));
    }
    Ok(Cow::Owned(filled))
}

/// `commands` of a suggest-only principal (a reviewer, a key with `suggest` but not
/// `write`): each made a suggestion; one that cannot be is refused.
///
/// # Errors
/// [`WriteError::Forbidden`] naming the first command that cannot be a suggestion.
pub(crate) fn suggest_only<'c>(
    commands: Cow<'c, [DocumentCommand]>,
    ctx: &RequestContext,
) -> Result<Cow<'c, [DocumentCommand]>, WriteError> {
    if !ctx.suggest_only {
        return Ok(commands);
    }
    commands
        .iter()
        .map(|command| match command {
            DocumentCommand::Suggest(_) => Ok(command.clone()),
            c if domain::SUGGESTIBLE.contains(&c.name()) => {
                Ok(DocumentCommand::Suggest(domain::command::Suggest::of(c.clone())))
            }
            c => Err(WriteError::Forbidden(format!(
                "this principal proposes changes (suggest scope): {} cannot be a suggestion (these can: {})",
                c.name(),
                domain::SUGGESTIBLE.join(", ")
            ))),
        })
        .collect::<Result<Vec<_>, _>>()
        .map(Cow::Owned)
}

/// `commands` with every comment command stamped with who makes it and when (`at`, the
/// request's time, to the second as Word writes it).
pub(crate) fn stamp<'c>(
    commands: Cow<'c, [DocumentCommand]>,
    ctx: &RequestContext,
    at: &str,
) -> Cow<'c, [DocumentCommand]> {
    if !commands.iter().any(|c| c.stamp().is_some()) {
        return commands;
    }
    // RFC 3339 with milliseconds (`…T10:00:00.123Z`) → whole seconds (`…T10:00:00Z`).
    let date = match at.split_once('.') {
        Some((seconds, _)) => format!("{seconds}Z"),
        None => at.to_string(),
    };
    let by = Stamp {
        reason: ctx.reason.clone(),
        author: Author::named(
            if ctx.name.is_empty() {
                &ctx.actor
            } else {
                &ctx.name
            },
            &ctx.actor,
        ),
        date,
        admin: ctx.admin,
    };
    let mut stamped = commands.into_owned();
    for slot in stamped.iter_mut().filter_map(DocumentCommand::stamp_mut) {
        *slot = Some(by.clone());
    }
    Cow::Owned(stamped)
}

/// The files a decided request stores: its attachments, then the picture of each
/// `add_image` (checked again: the domain accepted it, so a failure here is a fault).
///
/// # Errors
/// [`WriteError::Internal`] when an accepted picture fails its check.
pub(crate) fn files<'a>(
    commands: &[DocumentCommand],
    attachments: &[Attachment<'a>],
    limits: &Limits,
) -> Result<Vec<File<'a>>, WriteError> {
    let mut files: Vec<File<'a>> = attachments
        .iter()
        .map(|a| (Cow::Borrowed(a.media), Cow::Borrowed(a.bytes)))
        .collect();
    for command in commands {
        let DocumentCommand::AddImage(add) = command else {
            continue;
        };
        let checked = domain::check_image(&add.data_base64, limits).map_err(|e| {
            WriteError::Internal(format!("an accepted image failed its check: {e}"))
        })?;
        files.push((Cow::Owned(checked.media), Cow::Owned(checked.bytes)));
    }
    Ok(files)
}
