//! `folio-bench`: folio's benchmarks, out of the production binary. It links the same
//! program as `folio` (the `folio` library) and starts it in-process, or measures a
//! running one (`--url`) or the distributed deployment (`--distributed`). What each
//! measures: the modules below and BENCHMARKS.md. A library so that the end-to-end tests
//! can build the same program ([`run`]).

mod bench;
mod bench_distributed;
mod bench_history;
mod bench_images;
mod bench_import;
mod bench_large;

use clap::Parser;

/// folio's benchmarks: command throughput and latency over HTTP, and the other
/// measurements BENCHMARKS.md reports.
#[derive(Debug, Parser)]
#[command(name = "folio-bench", version, about)]
struct Cli {
    #[command(flatten)]
    args: bench::BenchArgs,
}

/// Runs the `folio-bench` command line.
///
/// # Errors
/// Whatever the benchmark fails with.
pub fn run() -> anyhow::Result<()> {
    let cli = Cli::parse();
    infrastructure::telemetry::init(false, "warn");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(bench::run(cli.args))
}
