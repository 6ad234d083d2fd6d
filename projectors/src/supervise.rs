//! Keeps a projector task running: a task that dies (a panic that escaped every guard) is
//! logged and started again after a pause, and its [`Liveness`] says so meanwhile, so
//! `/readyz` answers not ready while the reads it feeds cannot be served.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use tokio::sync::watch;
use tokio::task::JoinHandle;

/// First pause before a restart; it doubles up to [`MAX_PAUSE`] while the task keeps dying.
const FIRST_PAUSE: Duration = Duration::from_millis(100);
const MAX_PAUSE: Duration = Duration::from_secs(5);

/// Whether a supervised task is running (cheap to clone and to read).
#[derive(Debug, Clone)]
pub struct Liveness(Arc<AtomicBool>);

impl Liveness {
    /// Whether the task is running now.
    pub fn is_alive(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}

/// Runs the task `make` builds until it returns (normal shutdown) or `shutdown` turns
/// true; builds and starts a new one each time it panics.
pub fn supervise<F, Fut>(
    name: &'static str,
    mut make: F,
    mut shutdown: watch::Receiver<bool>,
) -> (JoinHandle<()>, Liveness)
where
    F: FnMut() -> Fut + Send + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    let alive = Arc::new(AtomicBool::new(true));
    let liveness = Liveness(alive.clone());
    let handle = tokio::spawn(async move {
        let mut pause = FIRST_PAUSE;
        loop {
            alive.store(true, Ordering::Relaxed);
            let outcome = tokio::spawn(make()).await;
            match outcome {
                Ok(()) => return,
                Err(e) if e.is_panic() => {
                    alive.store(false, Ordering::Relaxed);
                    metrics::counter!("folio_projector_restarts_total", "task" => name)
                        .increment(1);
                    tracing::error!(task = name, "a projector task died; restarting it");
                }
                Err(_) => return,
            }
            if *shutdown.borrow() {
                return;
            }
            tokio::select! {
                () = tokio::time::sleep(pause) => {}
                _ = shutdown.changed() => return,
            }
            pause = (pause * 2).min(MAX_PAUSE);
        }
    });
    (handle, liveness)
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::AtomicU32;

    use super::*;

    #[tokio::test]
    async fn a_task_that_panics_is_started_again_and_reported_meanwhile() {
        let starts = Arc::new(AtomicU32::new(0));
        let (stop, shutdown) = watch::channel(false);
        let counted = starts.clone();
        let waiting = shutdown.clone();
        let (handle, liveness) = supervise(
            "test",
            move || {
                let n = counted.fetch_add(1, Ordering::SeqCst);
                let mut waiting = waiting.clone();
                async move {
                    assert!(n >= 2, "the first two runs die");
                    let _ = waiting.changed().await;
                }
            },
            shutdown,
        );
        while starts.load(Ordering::SeqCst) < 3 {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        assert!(liveness.is_alive(), "running again after the restarts");
        stop.send(true).unwrap();
        handle.await.unwrap();
        assert_eq!(starts.load(Ordering::SeqCst), 3);
    }

    #[tokio::test]
    async fn liveness_is_false_while_a_dead_task_waits_for_its_restart() {
        let (_stop, shutdown) = watch::channel(false);
        let (_handle, liveness) = supervise("test", || async { panic!("always") }, shutdown);
        let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
        while liveness.is_alive() {
            assert!(tokio::time::Instant::now() < deadline);
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }
}
