//! API keys: `folio_<id>_<secret>`, where `id` (12 hex digits) names the key in lists,
//! logs and event metadata, and `secret` is 256 random bits. Only the SHA-256 of the whole
//! key is stored.

use sha2::{Digest, Sha256};

/// Every key starts with this.
pub const PREFIX: &str = "folio_";
const ID_BYTES: usize = 6;
const SECRET_BYTES: usize = 32;

/// A freshly generated key.
pub struct GeneratedKey {
    /// Public id.
    pub id: String,
    /// The whole key (shown once).
    pub key: String,
    /// Its stored hash.
    pub hash: String,
}

impl std::fmt::Debug for GeneratedKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GeneratedKey")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes.iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// `n` random bytes from the operating system, as hex.
///
/// # Errors
/// The system's random source failed.
pub fn random_hex(n: usize) -> Result<String, String> {
    let mut bytes = vec![0u8; n];
    getrandom::fill(&mut bytes).map_err(|e| format!("no random numbers: {e}"))?;
    Ok(hex(&bytes))
}

/// A new random key.
///
/// # Errors
/// The system's random source failed.
pub fn generate() -> Result<GeneratedKey, String> {
    let id = random_hex(ID_BYTES)?;
    let key = format!("{PREFIX}{id}_{}", random_hex(SECRET_BYTES)?);
    let hash = hash(&key);
    Ok(GeneratedKey { id, key, hash })
}

/// The stored form of a key.
pub fn hash(key: &str) -> String {
    hex(&Sha256::digest(key.as_bytes()))
}

/// The id of a well-formed key, `None` for anything else.
pub fn id_of(key: &str) -> Option<&str> {
    let rest = key.strip_prefix(PREFIX)?;
    let (id, secret) = rest.split_once('_')?;
    let hex_of_len = |s: &str, n: usize| {
        s.len() == n * 2 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
    };
    (hex_of_len(id, ID_BYTES) && hex_of_len(secret, SECRET_BYTES)).then_some(id)
}

/// Whether `key` hashes to `stored`, compared in constant time.
pub fn matches(key: &str, stored: &str) -> bool {
    let computed = hash(key);
    computed.len() == stored.len()
        && computed
            .bytes()
            .zip(stored.bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_keys_parse_and_match() {
        let k = generate().unwrap();
        assert_eq!(id_of(&k.key), Some(k.id.as_str()));
        assert!(matches(&k.key, &k.hash));
        assert!(!k.hash.contains(&k.key[PREFIX.len() + 13..]));
        let other = generate().unwrap();
        assert_ne!(k.key, other.key);
        assert!(!matches(&other.key, &k.hash));
        assert!(!format!("{k:?}").contains(&k.key));
    }

    #[test]
    fn malformed_keys_have_no_id() {
        let k = generate().unwrap();
        for bad in [
            "",
            "folio_",
            &k.key[..k.key.len() - 1],
            &k.key.to_uppercase(),
            &k.key.replace("folio_", "folia_"),
            &format!("{}0", k.key),
        ] {
            assert_eq!(id_of(bad), None, "{bad}");
        }
    }
}
