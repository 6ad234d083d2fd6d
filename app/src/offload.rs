//! Reads run off the HTTP workers. An actix worker is one thread serving many
//! connections: a read that costs time in proportion to a document or its history (loading
//! thousands of block rows, rebuilding a past version, diffing, serialising a large answer)
//! would hold up every other request on that worker, `/healthz` included. So the
//! transports hand each read to [`offload`]: it runs on a runtime of its own (threads named
//! `folio-reads`), and its CPU-heavy parts go further, to the blocking pool, under the
//! heavy-read permits. A worker only parses, authenticates and sends bytes.

use std::future::Future;
use std::sync::OnceLock;

use api_types::ApiError;

/// The reads' runtime: one thread per core, made on first use.
fn runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(threads)
            .thread_name("folio-reads")
            .enable_all()
            .build()
            // Without threads no read can run; the process cannot serve (and says why).
            .unwrap_or_else(|e| panic!("cannot start the reads' runtime: {e}"))
    })
}

/// Aborts the task when the request that awaits it goes away (a client that hangs up
/// stops its read).
struct AbortOnDrop<T>(tokio::task::JoinHandle<T>);

impl<T> Drop for AbortOnDrop<T> {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Runs `work` on the reads' runtime and waits for it.
///
/// # Errors
/// An internal error when the work panicked.
pub async fn offload<T: Send + 'static>(
    work: impl Future<Output = T> + Send + 'static,
) -> Result<T, ApiError> {
    let mut task = AbortOnDrop(runtime().spawn(work));
    (&mut task.0).await.map_err(|e| ApiError::internal(&e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(flavor = "current_thread")]
    async fn work_runs_on_the_reads_threads() {
        let name = offload(async { std::thread::current().name().map(str::to_string) })
            .await
            .unwrap();
        assert_eq!(name.as_deref(), Some("folio-reads"));
    }

    #[tokio::test(flavor = "current_thread")]
    async fn a_panic_is_an_internal_error() {
        let outcome = offload(async { panic!("boom") }).await;
        let outcome: Result<(), _> = outcome;
        assert!(matches!(outcome, Err(ApiError::Internal(_))));
    }
}
