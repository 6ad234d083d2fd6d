//! The tracing subscriber, built once per process.

use tracing_subscriber::EnvFilter;

/// Installs the global subscriber: JSON lines when `json`, human-readable otherwise, always
/// on stderr (stdout belongs to command output and to MCP). The filter comes from
/// `RUST_LOG`, defaulting to `default_filter`.
pub fn init(json: bool, default_filter: &str) {
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default_filter));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    // A second init (tests start several apps in one process) is harmless.
    let _ = if json {
        builder.json().try_init()
    } else {
        builder.try_init()
    };
}
