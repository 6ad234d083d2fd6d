//! Creating, titling, describing and archiving a document.
//!
//! The commands, how they are decided and how their events are applied.

use serde::{Deserialize, Serialize};

use crate::error::{DocumentError, EventMisfit};
use crate::event::DocumentEvent;
use crate::input::{Limits, check_text};
use crate::model::Document;

/// `create_document`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CreateDocument {
    /// The new document's id (chosen by the caller).
    pub document_id: crate::ids::DocumentId,
    /// Title.
    pub title: String,
}

/// `archive_document`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ArchiveDocument {}

/// `set_title`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SetTitle {
    /// The new title.
    #[cfg_attr(feature = "openapi", schema(min_length = 1))]
    pub title: String,
}

/// `set_metadata`: absent fields stay as they are; an empty string clears a field.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SetMetadata {
    /// Author.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author: Option<String>,
    /// Subject.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// Keywords.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub keywords: Option<String>,
    /// Description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Category.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    /// Other properties.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub custom: std::collections::BTreeMap<String, String>,
}

impl Document {
    pub(crate) fn decide_create(
        &self,
        c: &CreateDocument,
        limits: &Limits,
    ) -> Result<Vec<DocumentEvent>, DocumentError> {
        if self.exists() {
            return Err(DocumentError::DocumentAlreadyExists);
        }
        let title = self.checked_title(&c.title, limits)?;
        Ok(vec![DocumentEvent::DocumentCreated {
            document_id: c.document_id.clone(),
            title,
        }])
    }

    /// The title as stored (trimmed). The limit counts the title as sent, as the OpenAPI
    /// `maxLength` does.
    pub(crate) fn checked_title(
        &self,
        title: &str,
        limits: &Limits,
    ) -> Result<String, DocumentError> {
        check_text("title", title, limits.max_title_chars)?;
        let title = title.trim();
        if title.is_empty() {
            return Err(DocumentError::invalid("title", "must not be empty"));
        }
        Ok(title.to_string())
    }

    pub(crate) fn decide_metadata(
        &self,
        c: &SetMetadata,
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

    /// Folds a metadata event into the state (see [`Document::try_apply`]).
    pub(crate) fn apply_metadata(
        &mut self,
        event: &DocumentEvent,
        misfit: &dyn Fn(&'static str) -> EventMisfit,
    ) -> Result<(), EventMisfit> {
        use DocumentEvent as E;
        match event {
            E::DocumentCreated { document_id, title } => {
                self.id = Some(document_id.clone());
                self.title = title.clone();
            }
            E::DocumentArchived {} => self.archived = true,
            E::TitleSet { title } => self.title = title.clone(),
            E::MetadataSet { metadata } => self.metadata = metadata.clone(),
            _ => return Err(misfit("not an event of this feature")),
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    //! Given/when/then: this feature's rules.

    use crate::command::*;
    use crate::decide::tests::{create, given, para, when};
    use crate::error::DocumentError;
    use crate::model::*;

    #[test]
    fn creation_is_version_one_and_block_ids_follow_the_sequence() {
        let doc = given(&[create(), para("a"), para("b")]);
        assert_eq!(doc.version.get(), 3);
        let ids: Vec<_> = doc.blocks.iter().map(|b| b.id().to_string()).collect();
        assert_eq!(ids, vec!["b2", "b3"]);
    }

    #[test]
    fn commands_on_a_missing_document_are_not_found() {
        let err = when(&Document::default(), para("x")).unwrap_err();
        assert_eq!(err, DocumentError::DocumentNotFound);
    }

    #[test]
    fn creating_twice_is_refused() {
        let doc = given(&[create()]);
        assert_eq!(
            when(&doc, create()).unwrap_err(),
            DocumentError::DocumentAlreadyExists
        );
    }

    #[test]
    fn an_archived_document_accepts_no_commands() {
        let doc = given(&[
            create(),
            DocumentCommand::ArchiveDocument(ArchiveDocument {}),
        ]);
        assert_eq!(
            when(&doc, para("x")).unwrap_err(),
            DocumentError::DocumentArchived
        );
    }
}
