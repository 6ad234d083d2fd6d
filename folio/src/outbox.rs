//! `folio outbox list|retry|skip`: the outbox rows the distributed deployment's relay
//! parked because the bus refused them (an event larger than NATS's `max_payload`).
//! While any is parked, the command-api's `/readyz` answers 503.

use anyhow::Context;
use clap::{Args, Subcommand};
use infrastructure::jetstream::{self, Bus, Handled, Which};
use infrastructure::store::EventLog;

use crate::settings::NatsSettings;

/// `folio outbox …`.
#[derive(Debug, Subcommand)]
pub(crate) enum OutboxCommand {
    /// List the parked rows as JSON lines (position, document, sequence, tenant, event
    /// type, bytes, reason, when).
    List(Target),
    /// Publish parked rows again (after raising NATS's max_payload, say); a row that is
    /// published leaves the list.
    Retry(Chosen),
    /// Drop parked rows without publishing them. Their events stay in the event store and
    /// the read models (projectors read a skipped event from the store); only the bus
    /// never carries them.
    Skip(Chosen),
}

/// The deployment's database.
#[derive(Debug, Args)]
pub(crate) struct Target {
    /// PostgreSQL URL.
    #[arg(long, env = "FOLIO_DATABASE_URL")]
    database_url: String,
}

/// Parked rows named by position, or all of them.
#[derive(Debug, Args)]
pub(crate) struct Chosen {
    /// Outbox positions, as `folio outbox list` shows them.
    #[arg(required_unless_present = "all", conflicts_with = "all")]
    positions: Vec<i64>,
    /// Every parked row.
    #[arg(long)]
    all: bool,
    #[command(flatten)]
    target: Target,
    #[command(flatten)]
    nats: NatsSettings,
}

impl Chosen {
    fn which(&self) -> Which {
        if self.all {
            Which::All
        } else {
            Which::Positions(self.positions.clone())
        }
    }
}

async fn log(target: &Target) -> anyhow::Result<infrastructure::store::PgLog> {
    let pool = crate::distributed::open_database(&target.database_url, 2, true).await?;
    EventLog::postgres(pool)
        .as_postgres()
        .cloned()
        .context("the event store is PostgreSQL")
}

/// Prints each handled row as a JSON line; fails when one stayed parked.
fn report(handled: &[Handled]) -> anyhow::Result<()> {
    for h in handled {
        println!("{}", serde_json::to_string(h)?);
    }
    let failed = handled.iter().filter(|h| !h.done).count();
    anyhow::ensure!(failed == 0, "{failed} row(s) stayed parked");
    Ok(())
}

/// Runs an outbox command.
pub(crate) async fn run(command: OutboxCommand) -> anyhow::Result<()> {
    match command {
        OutboxCommand::List(target) => {
            let log = log(&target).await?;
            for row in jetstream::parked_rows(&log).await? {
                println!("{}", serde_json::to_string(&row)?);
            }
            Ok(())
        }
        OutboxCommand::Retry(chosen) => {
            let log = log(&chosen.target).await?;
            let bus = Bus::connect(&chosen.nats.nats_url, &chosen.nats.nats_prefix)
                .await
                .context("bad --nats-url")?;
            report(&jetstream::retry_parked(&log, &bus, &chosen.which()).await?)
        }
        OutboxCommand::Skip(chosen) => {
            let log = log(&chosen.target).await?;
            report(&jetstream::skip_parked(&log, &chosen.which()).await?)
        }
    }
}
