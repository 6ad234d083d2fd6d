//! Password hashing: argon2id with the OWASP parameters (19 MiB, 2 passes, 1 lane).

use std::sync::LazyLock;

use argon2::{Algorithm, Argon2, Params, PasswordHasher, PasswordVerifier, Version};

/// Memory cost in KiB (OWASP: at least 19 MiB with 2 passes).
pub const MEMORY_KIB: u32 = 19 * 1024;
/// Passes over memory.
pub const PASSES: u32 = 2;
/// Lanes.
pub const LANES: u32 = 1;
/// Shortest accepted password, in characters.
pub const MIN_PASSWORD_CHARS: usize = 12;
/// Longest accepted password, in characters (at most 4 KiB of UTF-8 for the hash to read).
/// Counted in characters, as the OpenAPI `maxLength` counts them.
pub const MAX_PASSWORD_CHARS: usize = 1024;

fn hasher() -> Argon2<'static> {
    let params = Params::new(MEMORY_KIB, PASSES, LANES, None)
        .expect("the OWASP argon2id parameters are valid");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// A hash of a password nobody has, checked when a username does not exist so that an
/// unknown user costs as much time as a wrong password.
static DECOY: LazyLock<String> =
    LazyLock::new(|| hash("decoy password never accepted").unwrap_or_default());

/// Checks a new password's length.
///
/// # Errors
/// What is wrong with it.
pub fn check_new(password: &str) -> Result<(), String> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        Err(format!(
            "a password has at least {MIN_PASSWORD_CHARS} characters"
        ))
    } else if password.chars().count() > MAX_PASSWORD_CHARS {
        Err(format!(
            "a password has at most {MAX_PASSWORD_CHARS} characters"
        ))
    } else {
        Ok(())
    }
}

/// The argon2id PHC string of `password` with a fresh random salt.
///
/// # Errors
/// The system's random source failed.
pub fn hash(password: &str) -> Result<String, String> {
    hasher()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| format!("cannot hash the password: {e}"))
}

/// Whether `password` matches the PHC string `stored` (`None`: no such user — a decoy hash
/// is checked instead, so the answer takes as long).
pub fn verify(password: &str, stored: Option<&str>) -> bool {
    let (phc, real) = match stored {
        Some(phc) => (phc, true),
        None => (DECOY.as_str(), false),
    };
    let matches = hasher().verify_password(password.as_bytes(), phc).is_ok();
    matches && real
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_verify_and_carry_their_parameters() {
        let stored = hash("correct horse battery").unwrap();
        assert!(
            stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{stored}"
        );
        assert!(verify("correct horse battery", Some(&stored)));
        assert!(!verify("correct horse batterY", Some(&stored)));
        assert!(!verify("decoy password never accepted", None));
        assert_ne!(hash("correct horse battery").unwrap(), stored, "salted");
    }

    #[test]
    fn new_passwords_are_checked() {
        assert!(check_new("short").is_err());
        assert!(check_new("twelve chars").is_ok());
        assert!(check_new(&"x".repeat(MAX_PASSWORD_CHARS + 1)).is_err());
    }
}
