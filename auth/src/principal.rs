//! Who a request acts as: tenant, actor, and what it may do.

use std::fmt;

use infrastructure::TenantId;

/// A permission. Roles and API keys are sets of these.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Scope {
    /// Read documents, history, audit and search.
    Read,
    /// Also propose changes: every command is recorded as a suggestion someone with
    /// `write` accepts or rejects (`write` includes it).
    Suggest,
    /// Also create and change documents.
    Write,
    /// Also manage every API key of the tenant.
    Admin,
}

impl Scope {
    /// Every scope, in order.
    pub const ALL: [Self; 4] = [Self::Read, Self::Suggest, Self::Write, Self::Admin];

    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Read => "read",
            Self::Suggest => "suggest",
            Self::Write => "write",
            Self::Admin => "admin",
        }
    }

    /// Parses a wire name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|scope| scope.as_str() == s)
    }
}

/// A set of scopes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Scopes(u8);

impl Scopes {
    fn bit(scope: Scope) -> u8 {
        match scope {
            Scope::Read => 1,
            Scope::Write => 2,
            Scope::Admin => 4,
            Scope::Suggest => 8,
        }
    }

    /// Whether `scope` is in the set (`write` includes `suggest`: who may change a
    /// document may propose a change).
    pub fn has(self, scope: Scope) -> bool {
        let granted = match scope {
            Scope::Suggest => Self::bit(Scope::Suggest) | Self::bit(Scope::Write),
            other => Self::bit(other),
        };
        self.0 & granted != 0
    }

    /// Whether every scope of `other` is in this set (what it includes counted).
    pub fn covers(self, other: Self) -> bool {
        let mut granted = self.0;
        if self.has(Scope::Suggest) {
            granted |= Self::bit(Scope::Suggest);
        }
        other.0 & !granted == 0
    }

    /// Whether the set is empty.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The scopes granted, in order (not those they include).
    pub fn iter(self) -> impl Iterator<Item = Scope> {
        Scope::ALL
            .into_iter()
            .filter(move |s| self.0 & Self::bit(*s) != 0)
    }

    /// The wire names, in order.
    pub fn names(self) -> Vec<String> {
        self.iter().map(|s| s.as_str().to_string()).collect()
    }

    /// Parses wire names; `Err` names the first unknown one.
    pub fn parse<'a>(names: impl IntoIterator<Item = &'a str>) -> Result<Self, String> {
        names.into_iter().try_fold(Self::default(), |set, name| {
            let name = name.trim();
            Scope::parse(name)
                .map(|scope| set.with(scope))
                .ok_or_else(|| name.to_string())
        })
    }

    /// This set plus `scope`.
    #[must_use]
    pub fn with(self, scope: Scope) -> Self {
        Self(self.0 | Self::bit(scope))
    }
}

impl FromIterator<Scope> for Scopes {
    fn from_iter<I: IntoIterator<Item = Scope>>(iter: I) -> Self {
        iter.into_iter().fold(Self::default(), Self::with)
    }
}

impl fmt::Display for Scopes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.names().join(","))
    }
}

/// A user's role.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Reads.
    Viewer,
    /// Reads and proposes changes (every change a suggestion).
    Reviewer,
    /// Reads and writes.
    Editor,
    /// Reads, writes, manages keys.
    Admin,
}

impl Role {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Viewer => "viewer",
            Self::Reviewer => "reviewer",
            Self::Editor => "editor",
            Self::Admin => "admin",
        }
    }

    /// Parses a wire name.
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Viewer, Self::Reviewer, Self::Editor, Self::Admin]
            .into_iter()
            .find(|role| role.as_str() == s)
    }

    /// What the role may do.
    pub fn scopes(self) -> Scopes {
        match self {
            Self::Viewer => [Scope::Read].into_iter().collect(),
            Self::Reviewer => [Scope::Read, Scope::Suggest].into_iter().collect(),
            Self::Editor => [Scope::Read, Scope::Write].into_iter().collect(),
            Self::Admin => [Scope::Read, Scope::Write, Scope::Admin]
                .into_iter()
                .collect(),
        }
    }
}

/// The acting principal of a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    /// Tenant the principal belongs to.
    pub tenant: TenantId,
    /// `user:<name>` or `key:<id>`: recorded on events, never a secret.
    pub actor: String,
    /// The name people see: the user's name, or the API key's name.
    pub name: String,
    /// Whose keys this principal manages: `user:<name>`, or the owner of the key it uses.
    pub owner: String,
    /// What it may do.
    pub scopes: Scopes,
}

impl Principal {
    /// Whether the principal may do what `scope` allows.
    pub fn can(&self, scope: Scope) -> bool {
        self.scopes.has(scope)
    }
}

/// Longest tenant name.
pub const MAX_TENANT_CHARS: usize = 64;
/// Longest username.
pub const MAX_USERNAME_CHARS: usize = 64;

/// Validates a tenant name: 1-64 ASCII letters, digits, `-`, `_` or `.`.
///
/// # Errors
/// What is wrong with it.
pub fn parse_tenant(s: &str) -> Result<TenantId, String> {
    if is_name(s, MAX_TENANT_CHARS, "-_.") {
        Ok(TenantId::new(s))
    } else {
        Err("a tenant is 1-64 ASCII letters, digits, '-', '_' or '.'".into())
    }
}

/// Validates a username: 1-64 ASCII letters, digits, `-`, `_`, `.` or `@`.
///
/// # Errors
/// What is wrong with it.
pub fn parse_username(s: &str) -> Result<String, String> {
    if is_name(s, MAX_USERNAME_CHARS, "-_.@") {
        Ok(s.to_string())
    } else {
        Err("a username is 1-64 ASCII letters, digits, '-', '_', '.' or '@'".into())
    }
}

/// 1 to `max` ASCII letters, digits or characters of `extra`.
fn is_name(s: &str, max: usize, extra: &str) -> bool {
    !s.is_empty()
        && s.len() <= max
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || extra.contains(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_nest() {
        assert!(Role::Admin.scopes().covers(Role::Editor.scopes()));
        assert!(Role::Editor.scopes().covers(Role::Viewer.scopes()));
        assert!(!Role::Viewer.scopes().covers(Role::Editor.scopes()));
        assert!(!Role::Editor.scopes().has(Scope::Admin));
    }

    #[test]
    fn scopes_parse_and_print() {
        let scopes = Scopes::parse(["write", " read"]).unwrap();
        assert_eq!(scopes.to_string(), "read,write");
        assert_eq!(Scopes::parse(["read", "root"]), Err("root".into()));
        assert!(Scopes::parse([]).unwrap().is_empty());
        // `write` includes `suggest`; a suggest-only set does not write.
        let writer = Scopes::parse(["read", "write"]).unwrap();
        let reviewer = Scopes::parse(["read", "suggest"]).unwrap();
        assert!(writer.has(Scope::Suggest) && writer.covers(reviewer));
        assert!(!reviewer.has(Scope::Write) && !reviewer.covers(writer));
        assert_eq!(reviewer.to_string(), "read,suggest");
        assert_eq!(Role::Reviewer.scopes(), reviewer);
    }

    #[test]
    fn names_are_checked() {
        assert!(parse_tenant("acme-1").is_ok());
        assert!(parse_tenant("").is_err());
        assert!(parse_tenant("a/b").is_err());
        assert!(parse_username("ann@example.com").is_ok());
        assert!(parse_username("ann smith").is_err());
        assert!(parse_username(&"a".repeat(65)).is_err());
    }
}
