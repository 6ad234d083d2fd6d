//! Who is calling and what they may do: users (argon2id), access tokens (JWT), API keys,
//! roles and scopes, rate limits (governor), and the caller of a use case ([`Caller`]).
//! Transport-free; the feature `actix` adds the middleware and extractors both HTTP APIs
//! share ([`web`]) and the token route ([`routes`]).
//!
//! - [`principal`]: scopes, roles and the [`Principal`] a request acts as.
//! - [`password`], [`keys`], [`tokens`]: the three kinds of secret and how they are checked.
//! - [`limits`]: rate limits and the client address behind trusted proxies.
//! - [`service`]: the [`Authenticator`] and the [`authorize`] middleware.
//! - [`manage`]: creating users and keys (CLI, REST, bootstrap).
//! - [`web`] (feature `actix`): the request id, authorization middleware and extractors.
//! - [`routes`] (feature `actix`): `POST /v1/auth/token`.

pub mod keys;
pub mod limits;
pub mod manage;
pub mod password;
pub mod principal;
#[cfg(feature = "actix")]
pub mod routes;
pub mod service;
pub mod tokens;
#[cfg(feature = "actix")]
pub mod web;

use infrastructure::RequestContext;
pub use limits::{RateLimitSettings, TrustedProxies};
pub use principal::{Principal, Role, Scope, Scopes};
pub use service::{API_KEY_HEADER, Authenticator, DeferredRefusal};
pub use tokens::Tokens;
#[cfg(feature = "actix")]
pub use web::{RequestId, authorize, request_id};

/// The request id header, read from clients and echoed on every response.
pub const REQUEST_ID: &str = "x-request-id";
/// The header a client uses to say why it makes a change (recorded on the events).
pub const REASON: &str = "x-folio-reason";
/// Longest accepted reason.
pub const MAX_REASON_CHARS: usize = 500;

/// Who calls, whatever the transport: the principal (tenant, actor, scopes) and the
/// request's facts recorded on the events it causes (request id, IP, user agent, reason).
/// The one caller type of the use cases.
#[derive(Debug, Clone)]
pub struct Caller {
    /// Who, with which scopes.
    pub principal: Principal,
    /// Tenant, actor, request id, client address and agent, reason.
    pub request: RequestContext,
}
