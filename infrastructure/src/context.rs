//! Who is acting, on whose behalf: the facts recorded as metadata on every event.

use std::fmt;

use crate::store::EventMetadata;

/// A tenant. Every document, event and blob belongs to exactly one.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TenantId(String);

impl TenantId {
    /// Wraps a tenant name.
    pub fn new(id: impl Into<String>) -> Self {
        Self(id.into())
    }

    /// The tenant of the bootstrap key, and of work the system does itself.
    pub fn default_tenant() -> Self {
        Self("default".into())
    }

    /// As text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for TenantId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The request a command arrives with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestContext {
    /// Tenant the request acts in.
    pub tenant: TenantId,
    /// User or API key id (never a secret).
    pub actor: String,
    /// The name people see for it: a user's name, an API key's name (a comment's author).
    pub name: String,
    /// It may act as an admin (edit anyone's comment).
    pub admin: bool,
    /// It may only propose changes: its commands are recorded as suggestions.
    pub suggest_only: bool,
    /// Request id (from `X-Request-Id` or generated).
    pub request_id: String,
    /// Client IP.
    pub ip: Option<String>,
    /// Client user agent.
    pub user_agent: Option<String>,
    /// Reason given by the client (`X-Folio-Reason`).
    pub reason: Option<String>,
}

impl RequestContext {
    /// A context for work the system does itself (CLI, benchmarks).
    pub fn system(request_id: impl Into<String>) -> Self {
        Self {
            tenant: TenantId::default_tenant(),
            actor: "system".into(),
            name: "folio".into(),
            admin: true,
            suggest_only: false,
            request_id: request_id.into(),
            ip: None,
            user_agent: None,
            reason: None,
        }
    }

    /// The event metadata for one event produced by `command` at time `at`.
    pub fn metadata(&self, command: &str, at: &str) -> EventMetadata {
        EventMetadata {
            tenant: self.tenant.to_string(),
            actor: self.actor.clone(),
            request_id: self.request_id.clone(),
            command: command.to_string(),
            at: at.to_string(),
            ip: self.ip.clone(),
            user_agent: self.user_agent.clone(),
            reason: self.reason.clone(),
            ..EventMetadata::default()
        }
    }
}
