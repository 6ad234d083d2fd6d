//! The authenticator every API process holds: credentials to principals, logins to
//! tokens, rate limits, and which scope a request needs. Transport-free: the actix
//! middleware and extractors over it are in [`crate::web`].

use api_types::{ApiError, Code, TokenRequest, TokenResponse};
use infrastructure::TenantId;
use infrastructure::credentials::CredentialStore;

use crate::keys;
use crate::limits::{RateLimitSettings, RateLimits, TrustedProxies};
use crate::password;
use crate::principal::{MAX_USERNAME_CHARS, Principal, Role, Scope, Scopes};
use crate::tokens::Tokens;

/// Header carrying an API key.
pub const API_KEY_HEADER: &str = "x-api-key";

/// Paths served without a principal (exact, or with `/` after them).
const PUBLIC: [&str; 7] = [
    "/ui",
    "/healthz",
    "/readyz",
    "/metrics",
    "/openapi.json",
    "/docs",
    "/v1/auth/token",
];

/// Resolves credentials to principals and enforces rate limits; one per API process.
#[derive(Debug)]
pub struct Authenticator {
    store: CredentialStore,
    tokens: Tokens,
    limits: RateLimits,
    proxies: TrustedProxies,
}

pub(crate) fn unauthorized(code: Code, detail: &str) -> ApiError {
    ApiError::Unauthorized {
        code,
        detail: detail.to_string(),
    }
}

impl Authenticator {
    /// An authenticator over `store`, signing with `tokens`.
    pub fn new(
        store: CredentialStore,
        tokens: Tokens,
        limits: RateLimitSettings,
        proxies: TrustedProxies,
    ) -> Self {
        Self {
            store,
            tokens,
            limits: RateLimits::new(limits),
            proxies,
        }
    }

    /// The credential store.
    pub fn store(&self) -> &CredentialStore {
        &self.store
    }

    /// The trusted proxies (whose `X-Forwarded-For` is believed).
    pub fn proxies(&self) -> &TrustedProxies {
        &self.proxies
    }

    /// The principal a request's credentials name: the values of its `Authorization`
    /// headers and of its `X-API-Key` headers.
    ///
    /// # Errors
    /// 401 when there are none, they do not verify, or they are ambiguous (both kinds at
    /// once, or one header repeated): folio never guesses which principal is meant.
    pub async fn authenticate(
        &self,
        authorization: &[&str],
        api_key: &[&str],
    ) -> Result<Principal, ApiError> {
        if authorization.len() > 1 || api_key.len() > 1 {
            return Err(unauthorized(
                Code::AmbiguousCredentials,
                "send one credential: one Authorization or one X-API-Key header",
            ));
        }
        match (authorization.first(), api_key.first()) {
            (Some(_), Some(_)) => Err(unauthorized(
                Code::AmbiguousCredentials,
                "send either Authorization or X-API-Key, not both",
            )),
            (None, None) => Err(unauthorized(
                Code::Unauthenticated,
                "this endpoint needs Authorization: Bearer <token> or X-API-Key: <key>",
            )),
            (Some(value), None) => {
                let token = value
                    .split_once(' ')
                    .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
                    .map(|(_, token)| token.trim())
                    .ok_or_else(|| {
                        unauthorized(Code::InvalidToken, "Authorization must be Bearer <token>")
                    })?;
                self.token_principal(token)
            }
            (None, Some(value)) => self.key_principal(value).await,
        }
    }

    fn token_principal(&self, token: &str) -> Result<Principal, ApiError> {
        let (claims, role) = self.tokens.verify(token).ok_or_else(|| {
            unauthorized(
                Code::InvalidToken,
                "the access token is invalid or expired; get a new one from /v1/auth/token",
            )
        })?;
        let actor = format!("user:{}", claims.sub);
        Ok(Principal {
            name: claims.sub.clone(),
            tenant: TenantId::new(claims.tenant),
            owner: actor.clone(),
            actor,
            scopes: role.scopes(),
        })
    }

    async fn key_principal(&self, key: &str) -> Result<Principal, ApiError> {
        let invalid = || unauthorized(Code::InvalidApiKey, "the API key is not valid");
        let id = keys::id_of(key).ok_or_else(invalid)?;
        let row = self
            .store
            .key(id)
            .await
            .map_err(|e| ApiError::internal(&e))?
            .ok_or_else(invalid)?;
        if !keys::matches(key, &row.key_hash) {
            return Err(invalid());
        }
        if row.revoked_at.is_some() {
            return Err(unauthorized(
                Code::RevokedApiKey,
                "the API key has been revoked",
            ));
        }
        let scopes = Scopes::parse(row.scopes.split(','))
            .map_err(|_| ApiError::Internal("a stored key has an unknown scope".into()))?;
        Ok(Principal {
            tenant: TenantId::new(row.tenant),
            actor: format!("key:{}", row.id),
            name: row.name,
            owner: row.owner,
            scopes,
        })
    }

    /// Exchanges a username and password for an access token, within the rate limits for
    /// the client's address and for the username.
    ///
    /// # Errors
    /// 401 for a wrong username or password (the same answer for both), 422 for input
    /// beyond the limits, 429 when rate-limited.
    pub async fn login(
        &self,
        request: TokenRequest,
        ip: Option<std::net::IpAddr>,
    ) -> Result<TokenResponse, ApiError> {
        if let Some(ip) = ip {
            self.limits.login_ip(ip)?;
        }
        let name_chars = request.username.chars().count();
        if name_chars == 0 || name_chars > MAX_USERNAME_CHARS {
            return Err(ApiError::invalid(
                "username",
                format!("a username has 1-{MAX_USERNAME_CHARS} characters"),
            ));
        }
        if request.password.chars().count() > password::MAX_PASSWORD_CHARS {
            return Err(ApiError::invalid(
                "password",
                format!(
                    "a password has at most {} characters",
                    password::MAX_PASSWORD_CHARS
                ),
            ));
        }
        // One bucket per user, whatever the case the name is typed in.
        self.limits
            .login_user(&request.username.to_ascii_lowercase())?;
        let user = self
            .store
            .user(&request.username)
            .await
            .map_err(|e| ApiError::internal(&e))?;
        let stored = user.as_ref().map(|u| u.password_hash.clone());
        let TokenRequest { password, .. } = request;
        let ok =
            tokio::task::spawn_blocking(move || password::verify(&password, stored.as_deref()))
                .await
                .map_err(|e| ApiError::internal(&e))?;
        let user = user
            .filter(|_| ok)
            .ok_or_else(|| unauthorized(Code::InvalidCredentials, "wrong username or password"))?;
        let role = Role::parse(&user.role)
            .ok_or_else(|| ApiError::Internal("a stored user has an unknown role".into()))?;
        let access_token = self
            .tokens
            .issue(&user.username, &user.tenant, role)
            .map_err(ApiError::Internal)?;
        Ok(TokenResponse {
            access_token,
            token_type: "Bearer".into(),
            expires_in: self.tokens.lifetime().as_secs(),
        })
    }

    /// Counts a request of `principal` against its rate limit.
    ///
    /// # Errors
    /// 429 with how long to wait.
    pub fn rate_limit(&self, principal: &Principal) -> Result<(), ApiError> {
        self.limits.principal(&principal.actor)
    }
}

/// Whether `path` is served without a principal.
pub fn is_public(path: &str) -> bool {
    PUBLIC.iter().any(|p| under(path, p))
}

fn under(path: &str, prefix: &str) -> bool {
    path.strip_prefix(prefix)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}

/// The scope a request needs: user management needs `admin`; reads need `read`;
/// commands `suggest` (a suggest-only principal's are made suggestions, and what cannot be
/// one is refused by the write path); everything else `write`. Key management checks its own rules (any principal manages
/// its own keys); so does MCP, where one POST may be a read or a write (each tool checks
/// the scope of its operation).
pub fn needed_scope(method: &str, path: &str) -> Option<Scope> {
    if under(path, "/v1/api-keys") || path == "/mcp" {
        None
    } else if under(path, "/v1/users") {
        Some(Scope::Admin)
    } else if method == "GET" || method == "HEAD" {
        Some(Scope::Read)
    } else if method == "POST" && path.starts_with("/v1/documents/") && path.ends_with("/commands")
    {
        Some(Scope::Suggest)
    } else {
        Some(Scope::Write)
    }
}

/// A refusal the middleware leaves to the handler to answer in its protocol's terms (the
/// rate limit on `/mcp`); the handler must answer with it and do nothing else.
#[derive(Debug)]
pub struct DeferredRefusal(pub ApiError);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_paths_are_exact() {
        for p in [
            "/healthz",
            "/readyz",
            "/openapi.json",
            "/docs",
            "/docs/index.html",
            "/v1/auth/token",
        ] {
            assert!(is_public(p), "{p}");
        }
        for p in [
            "/healthzz",
            "/v1/documents",
            "/v1/auth/tokens",
            "/docsx",
            "/",
        ] {
            assert!(!is_public(p), "{p}");
        }
    }

    #[test]
    fn methods_need_scopes() {
        assert_eq!(needed_scope("GET", "/v1/documents"), Some(Scope::Read));
        assert_eq!(needed_scope("POST", "/v1/documents"), Some(Scope::Write));
        assert_eq!(
            needed_scope("DELETE", "/v1/documents/x"),
            Some(Scope::Write)
        );
        assert_eq!(needed_scope("POST", "/v1/api-keys"), None);
        assert_eq!(needed_scope("DELETE", "/v1/api-keys/abc"), None);
        assert_eq!(needed_scope("GET", "/v1/api-keysx"), Some(Scope::Read));
    }
}
