//! The `folio` binary: clap subcommands that wire the library crates together.

mod bench;
mod embedded;
mod settings;

use clap::{Parser, Subcommand};

use crate::settings::ServeSettings;

/// folio — event-sourced Word documents over REST.
#[derive(Debug, Parser)]
#[command(name = "folio", version, about)]
struct Cli {
    /// Log as JSON lines instead of human-readable text.
    #[arg(long, env = "FOLIO_LOG_JSON", global = true)]
    log_json: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run everything in one process on a local data directory (no services needed).
    Serve(ServeSettings),
    /// Measure command throughput and latency over HTTP.
    Bench(bench::BenchArgs),
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let filter = match &cli.command {
        Command::Bench(_) => "warn",
        Command::Serve(_) => "info,sqlx=warn",
    };
    infrastructure::telemetry::init(cli.log_json, filter);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        match cli.command {
            Command::Serve(settings) => embedded::serve(settings).await,
            Command::Bench(args) => bench::run(args).await,
        }
    })
}
