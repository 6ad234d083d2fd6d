//! The distributed deployment: `folio command-api`, `folio query-api`, `folio projector`,
//! `folio migrate` and `folio rebuild`, over PostgreSQL and NATS JetStream.

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use auth::Authenticator;
use futures::FutureExt;
use indicatif::{ProgressBar, ProgressStyle};
use infrastructure::blobs::BlobStore;
use infrastructure::credentials::CredentialStore;
use infrastructure::jetstream::{Bus, RelayHealth, STUCK_AFTER, run_relay};
use infrastructure::media::MediaStore;
use infrastructure::store::EventLog;
use infrastructure::store::PgLog;
use infrastructure::views::Views;
use projectors::rebuild::{Progress, rebuild};
use projectors::supervise::supervise;
use projectors::{DocxMaterializer, ReadModelProjector};
use sqlx::PgPool;
use tokio::sync::{Notify, watch};

use crate::http::{ReadyCheck, Routes, with_projectors};
use crate::settings::{
    AuthSettings, CommandApiSettings, MigrateSettings, ProjectorSettings, QueryApiSettings,
    RebuildSettings, ServiceSettings,
};

/// Connects a pool of at most `connections` to `url` (`--database-url`) and, when
/// `migrate`, applies pending migrations.
pub async fn open_database(url: &str, connections: u32, migrate: bool) -> anyhow::Result<PgPool> {
    let pool = infrastructure::postgres::connect(url, connections, None)
        .await
        .context("cannot connect to PostgreSQL (--database-url)")?;
    if migrate {
        infrastructure::postgres::migrate(&pool)
            .await
            .context("cannot apply database migrations")?;
    }
    Ok(pool)
}

/// A service's database: migrated unless `--no-migrate`.
async fn database(settings: &ServiceSettings) -> anyhow::Result<PgPool> {
    open_database(
        &settings.database_url,
        settings.database_pool.max(2),
        !settings.no_migrate,
    )
    .await
}

/// What a distributed API process starts from: its database (migrated unless told not
/// to) and its authenticator — credentials in PostgreSQL, tokens signed with the configured
/// secret, which every instance must share, so there is no generated default (checked
/// first, before any connection).
async fn api_backend(
    service: &ServiceSettings,
    auth: &AuthSettings,
) -> anyhow::Result<(PgPool, actix_web::web::Data<Authenticator>)> {
    let secret = auth.jwt_secret.as_ref().context(
        "the distributed APIs need --jwt-secret (FOLIO_JWT_SECRET): at least 32 bytes, the same on every instance",
    )?;
    let tokens = auth.tokens(secret)?;
    let pool = database(service).await?;
    let authenticator = auth.authenticator(CredentialStore::Postgres(pool.clone()), tokens)?;
    Ok((pool, actix_web::web::Data::new(authenticator)))
}

fn postgres_ready(pool: &PgPool) -> ReadyCheck {
    let pool = pool.clone();
    Arc::new(move || {
        let pool = pool.clone();
        async move {
            if infrastructure::postgres::ping(&pool).await {
                Ok(())
            } else {
                Err("database unavailable".to_string())
            }
        }
        .boxed()
    })
}

/// The command-api is ready when its database answers and its outbox relay is not stuck:
/// no parked rows, no rounds failing for long while NATS is connected.
fn relay_ready(pool: &PgPool, log: PgLog, bus: Bus, health: RelayHealth) -> ReadyCheck {
    let database = postgres_ready(pool);
    Arc::new(move || {
        let (database, log, bus, health) = (database(), log.clone(), bus.clone(), health.clone());
        async move {
            database.await?;
            match health.problem(&log, &bus, STUCK_AFTER).await {
                Ok(None) => Ok(()),
                Ok(Some(problem)) => Err(problem),
                Err(e) => Err(format!("cannot read the outbox: {e}")),
            }
        }
        .boxed()
    })
}

/// The query-api is ready when its database answers and the read models are at most
/// `max_lag` behind the event store.
fn lag_ready(pool: &PgPool, max_lag: Duration) -> ReadyCheck {
    let database = postgres_ready(pool);
    let pool = pool.clone();
    Arc::new(move || {
        let (database, pool) = (database(), pool.clone());
        async move {
            database.await?;
            match infrastructure::postgres::projection_lag(&pool).await {
                Ok(Some((lag, documents))) if lag > max_lag => Err(format!(
                    "projection lag: the read models are {:.1} s behind the event store ({documents} document(s) waiting; more than {} s)",
                    lag.as_secs_f64(),
                    max_lag.as_secs()
                )),
                Ok(_) => Ok(()),
                Err(e) => Err(format!("cannot measure the projection lag: {e}")),
            }
        }
        .boxed()
    })
}

/// Serves `routes` until a signal stops the server, then stops `tasks`.
async fn run(
    settings: (std::net::SocketAddr, Option<usize>),
    routes: Routes,
    tasks: Vec<tokio::task::JoinHandle<()>>,
    shutdown: watch::Sender<bool>,
    what: &str,
) -> anyhow::Result<()> {
    let started = crate::http::start(settings.0, settings.1, routes)?;
    tracing::info!(addr = %started.addr, "folio {what} is listening");
    println!("folio listening on http://{}", started.addr);
    let result = started.server.await;
    let _ = shutdown.send(true);
    for task in tasks {
        let _ = task.await;
    }
    result.context("the HTTP server failed")
}

/// `folio command-api`: the write side, with the outbox relay to JetStream.
pub(crate) async fn command_api(settings: CommandApiSettings) -> anyhow::Result<()> {
    let (pool, auth) = api_backend(&settings.service, &settings.auth).await?;
    let log = EventLog::postgres(pool.clone());
    let bus = Bus::connect(&settings.nats.nats_url, &settings.nats.nats_prefix)
        .await
        .context("bad --nats-url")?;
    // An event must fit the bus: the configured limit, and what the NATS server accepts.
    let event_limit = settings.api.event_limit().with_bus(bus.client());
    let (shutdown_tx, shutdown) = watch::channel(false);
    let pg = log
        .as_postgres()
        .context("the event store is PostgreSQL")?
        .clone();
    let appended = Arc::new(Notify::new());
    let relay_health = RelayHealth::default();
    // MCP needs reads as well as writes: this process serves /mcp, with the read models
    // of the same database (and their change notifications, for min_version waits).
    let views = Views::postgres(pool.clone());
    let tasks = vec![
        tokio::spawn(run_relay(
            pg.clone(),
            bus.clone(),
            appended.clone(),
            relay_health.clone(),
            shutdown.clone(),
        )),
        tokio::spawn(infrastructure::postgres::run_views_listener(
            pool.clone(),
            views.clone(),
            shutdown,
        )),
    ];
    let media = MediaStore::postgres(pool.clone());
    let command = settings
        .api
        .command_api(log.clone(), appended, media.clone(), event_limit);
    let reads = settings
        .api
        .query_api(log, views, (BlobStore::postgres(pool.clone()), media));
    let routes = Routes {
        mcp: Some(settings.api.mcp(&reads, &command, auth.store())),
        command: Some(command),
        query: None,
        auth: Some(auth),
        ready: relay_ready(&pool, pg, bus, relay_health),
    };
    run(
        (settings.bind, settings.api.workers),
        routes,
        tasks,
        shutdown_tx,
        "command-api",
    )
    .await
}

/// `folio query-api`: the read side.
pub(crate) async fn query_api(settings: QueryApiSettings) -> anyhow::Result<()> {
    let (pool, auth) = api_backend(&settings.service, &settings.auth).await?;
    let views = Views::postgres(pool.clone());
    let (shutdown_tx, shutdown) = watch::channel(false);
    let tasks = vec![tokio::spawn(infrastructure::postgres::run_views_listener(
        pool.clone(),
        views.clone(),
        shutdown,
    ))];
    let routes = Routes {
        command: None,
        mcp: None,
        query: Some(settings.api.query_api(
            EventLog::postgres(pool.clone()),
            views,
            (
                BlobStore::postgres(pool.clone()),
                MediaStore::postgres(pool.clone()),
            ),
        )),
        auth: Some(auth),
        ready: lag_ready(&pool, Duration::from_secs(settings.max_projection_lag_secs)),
    };
    run(
        (settings.bind, settings.api.workers),
        routes,
        tasks,
        shutdown_tx,
        "query-api",
    )
    .await
}

/// `folio projector`: the read-model and .docx consumers, with health endpoints.
pub(crate) async fn projector(settings: ProjectorSettings) -> anyhow::Result<()> {
    let pool = database(&settings.service).await?;
    let log = EventLog::postgres(pool.clone());
    let views = Views::postgres(pool.clone());
    let blobs = BlobStore::postgres(pool.clone());
    let bus = Bus::connect(&settings.nats.nats_url, &settings.nats.nats_prefix)
        .await
        .context("bad --nats-url")?;
    let (shutdown_tx, shutdown) = watch::channel(false);
    // Each consumer is restarted should it die; /readyz says not ready meanwhile.
    let (read_model, read_model_alive) = {
        let (bus, views, stop) = (bus.clone(), views.clone(), shutdown.clone());
        let cached = (
            settings.cached_documents,
            settings.cache_mib.saturating_mul(1 << 20),
        );
        supervise(
            "read-model consumer",
            move || {
                let projector = ReadModelProjector::new(log.clone(), views.clone(), cached, None);
                projectors::jetstream::run_read_model(bus.clone(), projector, stop.clone())
            },
            shutdown.clone(),
        )
    };
    let (docx, docx_alive) = {
        let (views, stop) = (views.clone(), shutdown.clone());
        let media = MediaStore::postgres(pool.clone());
        supervise(
            "docx consumer",
            move || {
                let materializer =
                    DocxMaterializer::new(views.clone(), blobs.clone(), media.clone());
                projectors::jetstream::run_docx(bus.clone(), materializer, stop.clone())
            },
            shutdown.clone(),
        )
    };
    let tasks = vec![read_model, docx];
    let routes = Routes {
        command: None,
        mcp: None,
        query: None,
        auth: None,
        ready: with_projectors(postgres_ready(&pool), vec![read_model_alive, docx_alive]),
    };
    run(
        (settings.bind, Some(1)),
        routes,
        tasks,
        shutdown_tx,
        "projector",
    )
    .await
}

/// `folio migrate`.
pub(crate) async fn migrate(settings: MigrateSettings) -> anyhow::Result<()> {
    open_database(&settings.database_url, 2, true).await?;
    println!("migrations applied");
    Ok(())
}

struct Bar(ProgressBar);

/// The rebuild's progress, on the progress bar and as gauges on `/metrics`.
impl Progress for Bar {
    fn total(&self, events: u64) {
        self.0.set_length(events);
        metrics::gauge!("folio_rebuild_events_total").set(events as f64);
    }
    fn done(&self, events: u64) {
        if events > self.0.length().unwrap_or(0) {
            self.0.set_length(events);
            metrics::gauge!("folio_rebuild_events_total").set(events as f64);
        }
        self.0.set_position(events);
        metrics::gauge!("folio_rebuild_events_done").set(events as f64);
    }
}

/// Stops an HTTP server when dropped.
struct StopOnDrop(actix_web::dev::ServerHandle);

impl Drop for StopOnDrop {
    fn drop(&mut self) {
        let handle = self.0.clone();
        tokio::spawn(async move { handle.stop(true).await });
    }
}

/// `folio rebuild [--verify]`: the distributed deployment's database, or the embedded
/// data directory.
pub(crate) async fn rebuild_command(settings: RebuildSettings) -> anyhow::Result<()> {
    let bar = if settings.quiet {
        ProgressBar::hidden()
    } else {
        ProgressBar::new(0)
    };
    bar.set_style(
        ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} events ({per_sec}, eta {eta})")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar.set_message(if settings.verify {
        "verifying"
    } else {
        "rebuilding"
    });
    let progress = Bar(bar);
    let report = match &settings.database_url {
        Some(url) => rebuild_distributed(&settings, url, &progress).await?,
        None => rebuild_data_dir(&settings, &progress).await?,
    };
    progress.0.finish_and_clear();
    if settings.verify {
        for d in &report.differences {
            println!("{d}");
        }
        if !report.differences.is_empty() {
            anyhow::bail!(
                "{} of {} documents differ from a rebuild",
                report.differences.len(),
                report.documents
            );
        }
        println!(
            "verified: {} documents, {} events; the live read models equal a rebuild",
            report.documents, report.events
        );
    } else {
        println!(
            "rebuilt: {} documents from {} events; the new read models are live",
            report.documents, report.events
        );
    }
    Ok(())
}

async fn rebuild_distributed(
    settings: &RebuildSettings,
    url: &str,
    progress: &Bar,
) -> anyhow::Result<projectors::rebuild::RebuildReport> {
    let pool = open_database(url, 4, true).await?;
    let log = EventLog::postgres(pool.clone());
    let live = Views::postgres(pool.clone());
    // Health and metrics while it runs, when asked (the server stops with the command).
    let _metrics = match settings.metrics_bind {
        None => None,
        Some(bind) => {
            let started = crate::http::start(
                bind,
                Some(1),
                Routes {
                    command: None,
                    query: None,
                    mcp: None,
                    auth: None,
                    ready: postgres_ready(&pool),
                },
            )?;
            eprintln!("rebuild metrics on http://{}/metrics", started.addr);
            let handle = started.handle.clone();
            tokio::spawn(started.server);
            Some(StopOnDrop(handle))
        }
    };
    Ok(rebuild(&log, &live, url, settings.verify, progress).await?)
}

async fn rebuild_data_dir(
    settings: &RebuildSettings,
    progress: &Bar,
) -> anyhow::Result<projectors::rebuild::RebuildReport> {
    if settings.metrics_bind.is_some() {
        anyhow::bail!("--metrics-bind is for the distributed rebuild (--database-url)");
    }
    let dir = &settings.data_dir;
    if !dir.join("events.db").exists() {
        anyhow::bail!("{} holds no folio data (no events.db)", dir.display());
    }
    let databases = infrastructure::sqlite::open_data_dir(dir)
        .await
        .with_context(|| format!("cannot open the data directory {}", dir.display()))?;
    let log = EventLog::sqlite(databases.events.clone());
    let target = projectors::rebuild::EmbeddedDir {
        live: Views::sqlite(databases.views.clone()),
        live_pool: databases.views.clone(),
        live_blobs: infrastructure::blobs::BlobStore::new(dir.join("blobs")),
        media: infrastructure::media::MediaStore::files(dir.join("media")),
        dir: dir.clone(),
    };
    Ok(projectors::rebuild::rebuild_embedded(&log, &target, settings.verify, progress).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rebuild_progress_is_on_metrics() {
        let handle = crate::http::metrics_handle();
        let bar = Bar(ProgressBar::hidden());
        bar.total(40);
        bar.done(25);
        let text = handle.render();
        assert!(text.contains("folio_rebuild_events_total 40"), "{text}");
        assert!(text.contains("folio_rebuild_events_done 25"), "{text}");
    }
}
