//! Per-operation counters and latency, the same for every transport: the catalogue name,
//! the transport (`rest`, `mcp`) and the outcome code (`ok` or an error code). No tenant,
//! document or principal appears in a label.

use std::time::Duration;

/// Records one call of `operation` over `transport` that ended with `code`.
pub fn observe(
    operation: &'static str,
    transport: &'static str,
    code: &'static str,
    took: Duration,
) {
    metrics::counter!(
        "folio_operations_total",
        "operation" => operation,
        "transport" => transport,
        "code" => code,
    )
    .increment(1);
    metrics::histogram!(
        "folio_operation_duration_seconds",
        "operation" => operation,
        "transport" => transport,
    )
    .record(took.as_secs_f64());
}
