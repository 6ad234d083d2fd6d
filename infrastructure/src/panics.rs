//! Turning a panic in pure code into an error, for the write path and the projectors:
//! a fault in one document becomes that document's error, not a dead task or connection.

/// Runs `f`; a panic becomes `Err` with its message.
///
/// # Errors
/// The panic's message (or "panic" when it carried none).
pub fn guarded<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).map_err(|panic| {
        panic
            .downcast_ref::<&str>()
            .map(|s| (*s).to_string())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "panic".into())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_becomes_its_message() {
        assert_eq!(guarded(|| 7), Ok(7));
        assert_eq!(
            guarded(|| -> u8 { panic!("boom {}", 1) }),
            Err("boom 1".into())
        );
        assert_eq!(guarded(|| -> u8 { panic!("static") }), Err("static".into()));
    }
}
