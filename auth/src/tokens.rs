//! Access tokens: HS256 JWTs with issuer, audience, subject, tenant, role, issue time and
//! expiry. Anything else — another algorithm (`none` included), a bad signature, another
//! issuer or audience, a missing claim, an expired token — does not verify.

use std::time::Duration;

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

use crate::principal::Role;

/// Shortest accepted signing secret, in bytes.
pub const MIN_SECRET_BYTES: usize = 32;

/// The claims folio signs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    /// Issuer.
    pub iss: String,
    /// Audience.
    pub aud: String,
    /// Subject: the username.
    pub sub: String,
    /// The user's tenant.
    pub tenant: String,
    /// The user's role.
    pub role: String,
    /// Issued at (seconds since the epoch).
    pub iat: u64,
    /// Expires at (seconds since the epoch).
    pub exp: u64,
}

/// Signs and verifies access tokens.
#[derive(Clone)]
pub struct Tokens {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    issuer: String,
    audience: String,
    lifetime: Duration,
}

impl std::fmt::Debug for Tokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tokens")
            .field("issuer", &self.issuer)
            .field("audience", &self.audience)
            .field("lifetime", &self.lifetime)
            .finish_non_exhaustive()
    }
}

impl Tokens {
    /// Tokens signed with `secret` (at least [`MIN_SECRET_BYTES`]).
    ///
    /// # Errors
    /// The secret is too short.
    pub fn new(
        secret: &[u8],
        issuer: &str,
        audience: &str,
        lifetime: Duration,
    ) -> Result<Self, String> {
        if secret.len() < MIN_SECRET_BYTES {
            return Err(format!(
                "the JWT signing secret must have at least {MIN_SECRET_BYTES} bytes"
            ));
        }
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[issuer]);
        validation.set_audience(&[audience]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        validation.leeway = 5;
        Ok(Self {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
            issuer: issuer.to_string(),
            audience: audience.to_string(),
            lifetime,
        })
    }

    /// How long a token lives.
    pub fn lifetime(&self) -> Duration {
        self.lifetime
    }

    /// A token for `username` of `tenant` with `role`, issued now.
    ///
    /// # Errors
    /// Signing failed.
    pub fn issue(&self, username: &str, tenant: &str, role: Role) -> Result<String, String> {
        let now = jsonwebtoken::get_current_timestamp();
        self.sign(&Claims {
            iss: self.issuer.clone(),
            aud: self.audience.clone(),
            sub: username.to_string(),
            tenant: tenant.to_string(),
            role: role.as_str().to_string(),
            iat: now,
            exp: now + self.lifetime.as_secs(),
        })
    }

    /// Signs arbitrary claims (tests forge expired or foreign tokens with it).
    ///
    /// # Errors
    /// Signing failed.
    pub fn sign(&self, claims: &Claims) -> Result<String, String> {
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), claims, &self.encoding)
            .map_err(|e| format!("cannot sign a token: {e}"))
    }

    /// The claims of a token that verifies, with its role; `None` for anything else (a
    /// role folio does not know included).
    pub fn verify(&self, token: &str) -> Option<(Claims, Role)> {
        let claims = jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation)
            .ok()?
            .claims;
        let role = Role::parse(&claims.role)?;
        Some((claims, role))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef";

    fn tokens() -> Tokens {
        Tokens::new(SECRET, "folio", "folio-api", Duration::from_secs(900)).unwrap()
    }

    fn b64(s: &str) -> String {
        use base64::Engine;
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s)
    }

    #[test]
    fn issued_tokens_verify() {
        let t = tokens();
        let token = t.issue("ann", "acme", Role::Editor).unwrap();
        let (claims, role) = t.verify(&token).unwrap();
        assert_eq!(role, Role::Editor);
        assert_eq!(
            (
                claims.sub.as_str(),
                claims.tenant.as_str(),
                claims.role.as_str()
            ),
            ("ann", "acme", "editor")
        );
        assert_eq!(claims.exp - claims.iat, 900);
    }

    #[test]
    fn short_secrets_are_refused() {
        assert!(Tokens::new(b"short", "folio", "folio-api", Duration::from_secs(1)).is_err());
    }

    #[test]
    fn forged_tokens_do_not_verify() {
        let t = tokens();
        let now = jsonwebtoken::get_current_timestamp();
        let claims = Claims {
            iss: "folio".into(),
            aud: "folio-api".into(),
            sub: "ann".into(),
            tenant: "acme".into(),
            role: "admin".into(),
            iat: now,
            exp: now + 600,
        };
        let good = t.sign(&claims).unwrap();
        assert!(t.verify(&good).is_some());
        // alg none, no signature
        let payload = serde_json::to_string(&claims).unwrap();
        let none = format!(
            "{}.{}.",
            b64(r#"{"alg":"none","typ":"JWT"}"#),
            b64(&payload)
        );
        assert!(t.verify(&none).is_none());
        // another secret
        let other = Tokens::new(&[7u8; 32], "folio", "folio-api", Duration::from_secs(1)).unwrap();
        assert!(t.verify(&other.sign(&claims).unwrap()).is_none());
        // tampered payload with the old signature
        let parts: Vec<&str> = good.split('.').collect();
        let raised = payload.replace("\"acme\"", "\"other\"");
        let tampered = format!("{}.{}.{}", parts[0], b64(&raised), parts[2]);
        assert!(t.verify(&tampered).is_none());
        // wrong issuer, wrong audience, expired, unknown role
        for bad in [
            Claims {
                iss: "evil".into(),
                ..claims.clone()
            },
            Claims {
                aud: "other-api".into(),
                ..claims.clone()
            },
            Claims {
                iat: now - 7200,
                exp: now - 3600,
                ..claims.clone()
            },
            Claims {
                role: "root".into(),
                ..claims.clone()
            },
        ] {
            assert!(t.verify(&t.sign(&bad).unwrap()).is_none(), "{bad:?}");
        }
        assert!(t.verify("not.a.token").is_none());
    }
}
