//! End-to-end tests: the real `folio` binary on random ports — embedded (`folio serve` with a
//! temporary data directory) and distributed (command-api, query-api and projector processes
//! on a fresh PostgreSQL database and NATS stream) — driven over HTTP. Produced .docx files are checked by
//! independent readers (python-docx and openxml-audit from the project's virtualenv, and
//! LibreOffice when it is installed). One test binary with modules, so it links once.

/// Runs `async fn scenario(app: helpers::TestApp)` in both deployments, as the tests
/// `scenario::embedded` and `scenario::distributed`.
macro_rules! in_both_deployments {
    ($scenario:ident) => {
        mod $scenario {
            #[tokio::test]
            async fn embedded() {
                super::$scenario(crate::helpers::spawn_app().await).await;
            }

            #[tokio::test]
            async fn distributed() {
                super::$scenario(crate::helpers::spawn_distributed().await).await;
            }
        }
    };
}

mod cluster;
mod helpers;

mod bus_limits;
mod commands;
mod distributed;
mod errors;
mod fuzz;
mod hardening;
mod heavy_reads;
mod history;
mod import;
mod kept_parts;
mod lifecycle;
mod mcp;
mod pdf;
mod reads;
mod review;
mod scenario;
mod security;
mod suggestions;
mod tracing;
mod viewer;
