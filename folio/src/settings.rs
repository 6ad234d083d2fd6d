//! Command-line and environment configuration. Every flag also reads `FOLIO_<FLAG>`.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use app::Reads;
use app::write::CommandService;
use auth::{Authenticator, RateLimitSettings, Tokens, TrustedProxies};
use clap::Args;
use command_api::CommandApi;
use domain::Limits;
use infrastructure::blobs::BlobStore;
use infrastructure::credentials::CredentialStore;
use infrastructure::envelope::EventLimit;
use infrastructure::media::MediaStore;
use infrastructure::store::EventLog;
use infrastructure::views::Views;
use secrecy::{ExposeSecret, SecretString};
use tokio::sync::Notify;

/// Limits and tuning shared by every process that serves the API.
#[derive(Debug, Clone, Args)]
pub(crate) struct ApiSettings {
    /// Largest accepted request body, in bytes (an `add_image` body carries the picture
    /// in base64, a third larger than the file).
    #[arg(long, env = "FOLIO_MAX_BODY_BYTES", default_value_t = DEFAULT_MAX_BODY_BYTES)]
    pub(crate) max_body_bytes: usize,
    /// Most commands in one batch.
    #[arg(long, env = "FOLIO_MAX_BATCH", default_value_t = api_types::MAX_BATCH)]
    pub(crate) max_batch: usize,
    /// Most top-level blocks in one document.
    #[arg(long, env = "FOLIO_MAX_BLOCKS", default_value_t = Limits::DEFAULT.max_blocks)]
    pub(crate) max_blocks: usize,
    /// Most characters in one paragraph, heading, table cell or list item.
    #[arg(long, env = "FOLIO_MAX_TEXT_CHARS", default_value_t = Limits::DEFAULT.max_text_chars)]
    pub(crate) max_text_chars: usize,
    /// Most cells in one table.
    #[arg(long, env = "FOLIO_MAX_TABLE_CELLS", default_value_t = Limits::DEFAULT.max_table_cells)]
    pub(crate) max_table_cells: usize,
    /// Most items in one list.
    #[arg(long, env = "FOLIO_MAX_LIST_ITEMS", default_value_t = Limits::DEFAULT.max_list_items)]
    pub(crate) max_list_items: usize,
    /// Most characters in a title or a metadata value.
    #[arg(long, env = "FOLIO_MAX_TITLE_CHARS", default_value_t = Limits::DEFAULT.max_title_chars)]
    pub(crate) max_title_chars: usize,
    /// Largest image file `add_image` accepts, in bytes (413 beyond).
    #[arg(long, env = "FOLIO_MAX_IMAGE_BYTES", default_value_t = Limits::DEFAULT.max_image_bytes)]
    pub(crate) max_image_bytes: usize,
    /// Most pixels (width × height) of one image (422 beyond).
    #[arg(long, env = "FOLIO_MAX_IMAGE_PIXELS", default_value_t = Limits::DEFAULT.max_image_pixels)]
    pub(crate) max_image_pixels: u64,
    /// Most images in one document (413 beyond).
    #[arg(long, env = "FOLIO_MAX_IMAGES", default_value_t = Limits::DEFAULT.max_images)]
    pub(crate) max_images: usize,
    /// Largest event a request may append, in bytes of its JSON envelope on the event bus
    /// (413 beyond; the distributed deployment also keeps below NATS's `max_payload`).
    #[arg(long, env = "FOLIO_MAX_EVENT_BYTES", default_value_t = infrastructure::envelope::DEFAULT_MAX_EVENT_BYTES)]
    pub(crate) max_event_bytes: usize,
    /// Largest .docx `import_document` accepts, in bytes (413 beyond).
    #[arg(long, env = "FOLIO_MAX_UPLOAD_BYTES", default_value_t = 25 * 1024 * 1024)]
    pub(crate) max_upload_bytes: u64,
    /// Imports reading a file at once (others wait, within the time budget).
    #[arg(long, env = "FOLIO_MAX_IMPORTS", default_value_t = 2, value_parser = clap::value_parser!(u32).range(1..=64))]
    pub(crate) max_imports: u32,
    /// How long reading one uploaded file may take, in seconds (422 beyond).
    #[arg(long, env = "FOLIO_IMPORT_TIMEOUT_SECS", default_value_t = 30)]
    pub(crate) import_timeout_secs: u64,
    /// How long `?min_version=` waits for the read model before answering 503 (ms).
    #[arg(long, env = "FOLIO_READ_WAIT_MS", default_value_t = 5_000)]
    pub(crate) read_wait_ms: u64,
    /// Write a snapshot of a document every this many events.
    #[arg(long, env = "FOLIO_SNAPSHOT_EVERY", default_value_t = 100)]
    pub(crate) snapshot_every: u64,
    /// Documents kept in memory by the write path and by the projector.
    #[arg(long, env = "FOLIO_CACHED_DOCUMENTS", default_value_t = 256)]
    pub(crate) cached_documents: usize,
    /// Memory (MiB) the write path, and the projector, may each keep documents in.
    #[arg(long, env = "FOLIO_CACHE_MIB", default_value_t = DEFAULT_CACHE_MIB)]
    pub(crate) cache_mib: usize,
    /// HTTP worker threads (default: one per core).
    #[arg(long, env = "FOLIO_WORKERS")]
    pub(crate) workers: Option<usize>,
    /// Most heavy reads at once (past versions rebuilt from events, .docx renders,
    /// exports); more wait their turn, so a burst cannot exhaust memory.
    #[arg(long, env = "FOLIO_MAX_HEAVY_READS", default_value_t = 2, value_parser = clap::value_parser!(u32).range(1..=64))]
    pub(crate) max_heavy_reads: u32,
    /// Most bytes of text a diff or redline compares (the blocks that differ, their text
    /// at both versions); 413 beyond.
    #[arg(long, env = "FOLIO_MAX_DIFF_BYTES", default_value_t = app::read::DiffLimits::DEFAULT.max_bytes)]
    pub(crate) max_diff_bytes: usize,
    /// How long the word diffs of one diff request may take (ms); past it, the remaining
    /// changed blocks are reported wholesale.
    #[arg(long, env = "FOLIO_DIFF_BUDGET_MS", default_value_t = 2_000)]
    pub(crate) diff_budget_ms: u64,
    /// PDF conversions (LibreOffice) at once; more wait their turn.
    #[arg(long, env = "FOLIO_PDF_WORKERS", default_value_t = 2, value_parser = clap::value_parser!(u32).range(1..=16))]
    pub(crate) pdf_workers: u32,
    /// How long one PDF conversion may take, in seconds (503 beyond; it is killed).
    #[arg(long, env = "FOLIO_PDF_TIMEOUT_SECS", default_value_t = 60)]
    pub(crate) pdf_timeout_secs: u64,
    /// LibreOffice's `soffice` (default: the one on the PATH).
    #[arg(long, env = "FOLIO_SOFFICE")]
    pub(crate) soffice: Option<PathBuf>,
    /// `Host` names `/mcp` answers to (comma-separated; `name` or `name:port`), against DNS
    /// rebinding. Add the server's public name when clients reach it by name; empty
    /// accepts any (only behind a proxy that checks `Host`).
    #[arg(
        long,
        env = "FOLIO_MCP_ALLOWED_HOSTS",
        value_delimiter = ',',
        default_value = "localhost,127.0.0.1,::1"
    )]
    pub(crate) mcp_allowed_hosts: Vec<String>,
    /// Browser origins allowed to call `/mcp` (comma-separated, with scheme and port:
    /// `https://app.example.com:443`). Default: none — a request with an `Origin` header
    /// (a web page) is refused; MCP clients outside browsers send none.
    #[arg(long, env = "FOLIO_MCP_ALLOWED_ORIGINS", value_delimiter = ',')]
    pub(crate) mcp_allowed_origins: Vec<String>,
}

impl Default for ApiSettings {
    fn default() -> Self {
        Self {
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            max_batch: api_types::MAX_BATCH,
            max_blocks: Limits::DEFAULT.max_blocks,
            max_text_chars: Limits::DEFAULT.max_text_chars,
            max_table_cells: Limits::DEFAULT.max_table_cells,
            max_list_items: Limits::DEFAULT.max_list_items,
            max_title_chars: Limits::DEFAULT.max_title_chars,
            max_image_bytes: Limits::DEFAULT.max_image_bytes,
            max_image_pixels: Limits::DEFAULT.max_image_pixels,
            max_images: Limits::DEFAULT.max_images,
            max_event_bytes: infrastructure::envelope::DEFAULT_MAX_EVENT_BYTES,
            max_upload_bytes: 25 * 1024 * 1024,
            max_imports: 2,
            import_timeout_secs: 30,
            read_wait_ms: 5_000,
            snapshot_every: 100,
            cached_documents: 256,
            cache_mib: DEFAULT_CACHE_MIB,
            workers: None,
            max_heavy_reads: 2,
            max_diff_bytes: app::read::DiffLimits::DEFAULT.max_bytes,
            diff_budget_ms: 2_000,
            pdf_workers: 2,
            pdf_timeout_secs: 60,
            soffice: None,
            mcp_allowed_hosts: vec!["localhost".into(), "127.0.0.1".into(), "::1".into()],
            mcp_allowed_origins: Vec::new(),
        }
    }
}

/// The default request body limit: 16 MiB, room for a 10 MiB image in base64.
pub(crate) const DEFAULT_MAX_BODY_BYTES: usize = 16 * 1024 * 1024;

/// Memory, in MiB, each document cache may hold by default.
pub(crate) const DEFAULT_CACHE_MIB: usize = 64;

impl ApiSettings {
    /// The document caches' bounds: count and bytes.
    pub(crate) fn cache_bytes(&self) -> usize {
        self.cache_mib.saturating_mul(1 << 20)
    }

    /// The domain limits.
    pub(crate) fn limits(&self) -> Limits {
        Limits {
            max_blocks: self.max_blocks,
            max_text_chars: self.max_text_chars,
            max_table_cells: self.max_table_cells,
            max_list_items: self.max_list_items,
            max_title_chars: self.max_title_chars,
            max_image_bytes: self.max_image_bytes,
            max_image_pixels: self.max_image_pixels,
            max_images: self.max_images,
        }
    }

    /// The largest event a request may append (`--max-event-bytes`); the distributed
    /// command-api adds the bus's own limit.
    pub(crate) fn event_limit(&self) -> EventLimit {
        EventLimit::configured(self.max_event_bytes)
    }

    /// The command API over `log`, with these limits; `appended` wakes the outbox relay.
    pub(crate) fn command_api(
        &self,
        log: EventLog,
        appended: Arc<Notify>,
        media: MediaStore,
        event_limit: EventLimit,
    ) -> CommandApi {
        CommandApi {
            writes: app::Writes {
                service: Arc::new(
                    CommandService::new(
                        app::write::Storage::new(log, Some(media)),
                        self.limits(),
                        self.snapshot_every,
                        (self.cached_documents, self.cache_bytes()),
                        appended,
                    )
                    .with_event_limit(event_limit),
                ),
                max_batch: self.max_batch,
                imports: app::Imports::new(
                    docx_engine::ImportLimits {
                        max_upload_bytes: self.max_upload_bytes,
                        ..docx_engine::ImportLimits::default()
                    },
                    self.max_imports as usize,
                    Duration::from_secs(self.import_timeout_secs.max(1)),
                ),
            },
            max_body_bytes: self.max_body_bytes,
        }
    }

    /// The MCP endpoint over these use cases.
    pub(crate) fn mcp(
        &self,
        reads: &Reads,
        command: &CommandApi,
        credentials: &infrastructure::credentials::CredentialStore,
    ) -> mcp::http::McpHttp {
        let services = Arc::new(app::ops::Services {
            reads: reads.clone(),
            writes: command.writes.clone(),
            access: app::access::Access {
                store: credentials.clone(),
            },
        });
        mcp::http::McpHttp::new(
            services,
            &mcp::http::McpSettings {
                allowed_hosts: self.mcp_allowed_hosts.clone(),
                allowed_origins: self.mcp_allowed_origins.clone(),
                max_body_bytes: self.max_body_bytes,
            },
        )
    }

    /// The query API over these stores, with this wait bound.
    pub(crate) fn query_api(
        &self,
        log: EventLog,
        views: Views,
        (blobs, media): (BlobStore, MediaStore),
    ) -> Reads {
        Reads {
            log,
            views,
            blobs,
            media,
            read_wait: Duration::from_millis(self.read_wait_ms),
            heavy_reads: Arc::new(tokio::sync::Semaphore::new(self.max_heavy_reads as usize)),
            diff_limits: app::read::DiffLimits {
                max_bytes: self.max_diff_bytes,
                budget: Duration::from_millis(self.diff_budget_ms),
            },
            pdf: app::pdf::PdfConverter::new(
                self.soffice.clone(),
                self.pdf_workers as usize,
                Duration::from_secs(self.pdf_timeout_secs),
            ),
        }
    }
}

const DEFAULT_JWT_ISSUER: &str = "folio";
const DEFAULT_JWT_AUDIENCE: &str = "folio-api";
const DEFAULT_TOKEN_TTL_SECS: u64 = 900;
const DEFAULT_LIMITS: RateLimitSettings = RateLimitSettings::DEFAULT;

/// Authentication and rate limits of a process that serves the API.
#[derive(Debug, Clone, Args)]
pub(crate) struct AuthSettings {
    /// Secret that signs access tokens (at least 32 bytes). Required by the distributed
    /// APIs (all instances share it); `folio serve` generates one in its data directory.
    #[arg(long, env = "FOLIO_JWT_SECRET", hide_env_values = true, value_parser = parse_secret)]
    pub(crate) jwt_secret: Option<SecretString>,
    /// `iss` of the tokens issued and required.
    #[arg(long, env = "FOLIO_JWT_ISSUER", default_value = DEFAULT_JWT_ISSUER)]
    pub(crate) jwt_issuer: String,
    /// `aud` of the tokens issued and required.
    #[arg(long, env = "FOLIO_JWT_AUDIENCE", default_value = DEFAULT_JWT_AUDIENCE)]
    pub(crate) jwt_audience: String,
    /// Lifetime of an access token, in seconds.
    #[arg(long, env = "FOLIO_TOKEN_TTL_SECS", default_value_t = DEFAULT_TOKEN_TTL_SECS)]
    pub(crate) token_ttl_secs: u64,
    /// Requests per second of one principal, per process (0: no limit).
    #[arg(long, env = "FOLIO_RATE_LIMIT_PER_SECOND", default_value_t = DEFAULT_LIMITS.per_principal_per_second)]
    pub(crate) rate_limit_per_second: u32,
    /// Requests one principal may send at once before the per-second rate applies.
    #[arg(long, env = "FOLIO_RATE_LIMIT_BURST", default_value_t = DEFAULT_LIMITS.per_principal_burst)]
    pub(crate) rate_limit_burst: u32,
    /// Token requests per minute from one client IP, and for one username (0: no limit).
    #[arg(long, env = "FOLIO_LOGIN_PER_MINUTE", default_value_t = DEFAULT_LIMITS.login_per_minute)]
    pub(crate) login_per_minute: u32,
    /// Token requests at once before the per-minute rate applies.
    #[arg(long, env = "FOLIO_LOGIN_BURST", default_value_t = DEFAULT_LIMITS.login_burst)]
    pub(crate) login_burst: u32,
    /// Proxies (addresses or networks, comma separated) whose X-Forwarded-For names the
    /// client. Without one, the client is the TCP peer.
    #[arg(long, env = "FOLIO_TRUSTED_PROXIES", value_delimiter = ',')]
    pub(crate) trusted_proxies: Vec<String>,
}

/// Wraps the secret at once. Its length is checked by [`AuthSettings::tokens`], whose
/// error never repeats it (a clap parse error would print the value).
fn parse_secret(s: &str) -> Result<SecretString, std::convert::Infallible> {
    Ok(SecretString::from(s.to_string()))
}

impl Default for AuthSettings {
    fn default() -> Self {
        Self {
            jwt_secret: None,
            jwt_issuer: DEFAULT_JWT_ISSUER.into(),
            jwt_audience: DEFAULT_JWT_AUDIENCE.into(),
            token_ttl_secs: DEFAULT_TOKEN_TTL_SECS,
            rate_limit_per_second: DEFAULT_LIMITS.per_principal_per_second,
            rate_limit_burst: DEFAULT_LIMITS.per_principal_burst,
            login_per_minute: DEFAULT_LIMITS.login_per_minute,
            login_burst: DEFAULT_LIMITS.login_burst,
            trusted_proxies: Vec::new(),
        }
    }
}

impl AuthSettings {
    /// Access tokens signed with `secret`; an error (which never repeats the secret) when
    /// it is too short.
    pub(crate) fn tokens(&self, secret: &SecretString) -> anyhow::Result<Tokens> {
        Tokens::new(
            secret.expose_secret().as_bytes(),
            &self.jwt_issuer,
            &self.jwt_audience,
            Duration::from_secs(self.token_ttl_secs.max(1)),
        )
        .map_err(anyhow::Error::msg)
    }

    /// The authenticator over `store`, with these tokens.
    pub(crate) fn authenticator(
        &self,
        store: CredentialStore,
        tokens: Tokens,
    ) -> anyhow::Result<Authenticator> {
        let proxies = TrustedProxies::parse(self.trusted_proxies.iter().map(String::as_str))
            .map_err(|e| anyhow::anyhow!("--trusted-proxies: {e}"))?;
        Ok(Authenticator::new(
            store,
            tokens,
            RateLimitSettings {
                per_principal_per_second: self.rate_limit_per_second,
                per_principal_burst: self.rate_limit_burst,
                login_per_minute: self.login_per_minute,
                login_burst: self.login_burst,
            },
            proxies,
        ))
    }
}

/// Settings of the embedded server (`folio serve`).
#[derive(Debug, Clone, Args)]
pub struct ServeSettings {
    /// Directory holding the databases and .docx blobs (created if missing).
    #[arg(long, env = "FOLIO_DATA_DIR", default_value = "./folio-data")]
    pub(crate) data_dir: PathBuf,
    /// Address to listen on.
    #[arg(long, env = "FOLIO_BIND", default_value = "127.0.0.1:8080")]
    pub(crate) bind: SocketAddr,
    #[command(flatten)]
    pub(crate) api: ApiSettings,
    #[command(flatten)]
    pub(crate) auth: AuthSettings,
}

impl ServeSettings {
    /// Defaults for a data directory and address (used by `folio-bench`).
    pub fn for_dir(data_dir: PathBuf, bind: SocketAddr) -> Self {
        Self {
            data_dir,
            bind,
            api: ApiSettings::default(),
            auth: AuthSettings::default(),
        }
    }

    /// Without a per-principal rate limit (a benchmark's one client at full speed).
    #[must_use]
    pub fn without_rate_limit(mut self) -> Self {
        self.auth.rate_limit_per_second = 0;
        self
    }
}

/// Where the distributed deployment's services are.
#[derive(Debug, Clone, Args)]
pub(crate) struct ServiceSettings {
    /// PostgreSQL URL of the event store and read models.
    #[arg(long, env = "FOLIO_DATABASE_URL")]
    pub(crate) database_url: String,
    /// Most PostgreSQL connections of this process.
    #[arg(long, env = "FOLIO_DATABASE_POOL", default_value_t = 16)]
    pub(crate) database_pool: u32,
    /// Do not apply pending database migrations at start.
    #[arg(long, env = "FOLIO_NO_MIGRATE")]
    pub(crate) no_migrate: bool,
}

/// Where NATS is.
#[derive(Debug, Clone, Args)]
pub(crate) struct NatsSettings {
    /// NATS URL (JetStream enabled).
    #[arg(long, env = "FOLIO_NATS_URL", default_value = "nats://127.0.0.1:4222")]
    pub(crate) nats_url: String,
    /// Prefix of the stream (`<prefix>_EVENTS`) and its subjects (`<prefix>.events.…`).
    #[arg(long, env = "FOLIO_NATS_PREFIX", default_value = "FOLIO", value_parser = parse_prefix)]
    pub(crate) nats_prefix: String,
}

/// A stream prefix: letters, digits, `-` and `_` (it is part of a stream name and of a
/// subject token).
fn parse_prefix(s: &str) -> Result<String, String> {
    if !s.is_empty()
        && s.len() <= 64
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        Ok(s.to_string())
    } else {
        Err("use 1-64 letters, digits, '-' or '_'".into())
    }
}

/// `folio command-api`.
#[derive(Debug, Clone, Args)]
pub(crate) struct CommandApiSettings {
    /// Address to listen on.
    #[arg(long, env = "FOLIO_BIND", default_value = "127.0.0.1:8081")]
    pub(crate) bind: SocketAddr,
    #[command(flatten)]
    pub(crate) service: ServiceSettings,
    #[command(flatten)]
    pub(crate) nats: NatsSettings,
    #[command(flatten)]
    pub(crate) api: ApiSettings,
    #[command(flatten)]
    pub(crate) auth: AuthSettings,
}

/// `folio query-api`.
#[derive(Debug, Clone, Args)]
pub(crate) struct QueryApiSettings {
    /// Address to listen on.
    #[arg(long, env = "FOLIO_BIND", default_value = "127.0.0.1:8082")]
    pub(crate) bind: SocketAddr,
    /// `/readyz` answers 503 while the read models are more than this many seconds behind
    /// the event store.
    #[arg(long, env = "FOLIO_MAX_PROJECTION_LAG_SECS", default_value_t = 30)]
    pub(crate) max_projection_lag_secs: u64,
    #[command(flatten)]
    pub(crate) service: ServiceSettings,
    #[command(flatten)]
    pub(crate) api: ApiSettings,
    #[command(flatten)]
    pub(crate) auth: AuthSettings,
}

/// `folio projector`.
#[derive(Debug, Clone, Args)]
pub(crate) struct ProjectorSettings {
    /// Address of the health and readiness endpoints.
    #[arg(long, env = "FOLIO_BIND", default_value = "127.0.0.1:8083")]
    pub(crate) bind: SocketAddr,
    #[command(flatten)]
    pub(crate) service: ServiceSettings,
    #[command(flatten)]
    pub(crate) nats: NatsSettings,
    /// Documents kept in memory by the read-model projector.
    #[arg(long, env = "FOLIO_CACHED_DOCUMENTS", default_value_t = 256)]
    pub(crate) cached_documents: usize,
    /// Memory (MiB) the read-model projector may keep documents in.
    #[arg(long, env = "FOLIO_CACHE_MIB", default_value_t = DEFAULT_CACHE_MIB)]
    pub(crate) cache_mib: usize,
}

/// `folio migrate`.
#[derive(Debug, Clone, Args)]
pub(crate) struct MigrateSettings {
    /// PostgreSQL URL.
    #[arg(long, env = "FOLIO_DATABASE_URL")]
    pub(crate) database_url: String,
}

/// `folio rebuild`.
#[derive(Debug, Clone, Args)]
pub(crate) struct RebuildSettings {
    /// PostgreSQL URL of the distributed deployment (without it: the embedded data
    /// directory).
    #[arg(long, env = "FOLIO_DATABASE_URL")]
    pub(crate) database_url: Option<String>,
    /// Embedded data directory (used when --database-url is not given; a server may keep
    /// running on it).
    #[arg(long, env = "FOLIO_DATA_DIR", default_value = "./folio-data")]
    pub(crate) data_dir: PathBuf,
    /// Compare a fresh rebuild with the live read models instead of replacing them; exit
    /// non-zero on any difference.
    #[arg(long)]
    pub(crate) verify: bool,
    /// No progress bar.
    #[arg(long)]
    pub(crate) quiet: bool,
    /// Also serve `/metrics` (with the rebuild's progress: `folio_rebuild_events_total`,
    /// `folio_rebuild_events_done`), `/healthz` and `/readyz` on this address while it runs.
    #[arg(long, env = "FOLIO_METRICS_BIND")]
    pub(crate) metrics_bind: Option<std::net::SocketAddr>,
}

/// Where the credential commands (`folio user`, `folio api-key`) work: the embedded data
/// directory, or the distributed deployment's database when `--database-url` is given.
#[derive(Debug, Clone, Args)]
pub(crate) struct CredentialTarget {
    /// Embedded data directory.
    #[arg(long, env = "FOLIO_DATA_DIR", default_value = "./folio-data")]
    pub(crate) data_dir: PathBuf,
    /// PostgreSQL URL of the distributed deployment (takes precedence over --data-dir).
    #[arg(long, env = "FOLIO_DATABASE_URL")]
    pub(crate) database_url: Option<String>,
}
