//! The distributed deployment under test: a fresh PostgreSQL database and a fresh NATS
//! stream prefix per test (so tests run in parallel and leave nothing behind), and the real
//! `folio command-api`, `query-api` and `projector` processes on random ports.
//!
//! `FOLIO_TEST_DATABASE_URL` (default `postgres://postgres@127.0.0.1:5432/test`) names a
//! database to connect to for creating the test's own; `FOLIO_TEST_NATS_URL` (default
//! `nats://127.0.0.1:4222`) the NATS server. `scripts/services` makes sure both run.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use crate::helpers::Process;

fn admin_url() -> String {
    std::env::var("FOLIO_TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into())
}

pub(crate) fn shared_nats_url() -> String {
    std::env::var("FOLIO_TEST_NATS_URL").unwrap_or_else(|_| "nats://127.0.0.1:4222".into())
}

/// `postgres://…/<name>` for the admin URL with its database replaced.
fn with_database(url: &str, name: &str) -> String {
    let (base, _) = url
        .rsplit_once('/')
        .expect("a database URL ends in /<database>");
    format!("{base}/{name}")
}

/// A database of its own, dropped (with its connections) at the end.
pub(crate) struct TestDatabase {
    pub(crate) name: String,
    pub(crate) url: String,
}

impl TestDatabase {
    pub(crate) async fn create() -> Self {
        let name = format!("folio_test_{}", uuid::Uuid::now_v7().simple());
        let admin = sqlx::PgPool::connect(&admin_url())
            .await
            .expect("PostgreSQL is reachable (run scripts/services)");
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&admin)
            .await
            .expect("create the test database");
        admin.close().await;
        let url = with_database(&admin_url(), &name);
        Self { name, url }
    }

    pub(crate) async fn pool(&self) -> sqlx::PgPool {
        sqlx::PgPool::connect(&self.url).await.unwrap()
    }
}

/// Runs async cleanup from `Drop` (which may run inside or outside a runtime) on a thread
/// with a short-lived runtime of its own.
fn cleanup<F: std::future::Future<Output = ()> + Send + 'static>(work: F) {
    let _ = std::thread::spawn(move || {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
            .block_on(work);
    })
    .join();
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let name = self.name.clone();
        cleanup(async move {
            if let Ok(admin) = sqlx::PgPool::connect(&admin_url()).await {
                let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .execute(&admin)
                    .await;
            }
        });
    }
}

/// A stream prefix of its own; its stream is deleted at the end.
pub(crate) struct TestStream {
    pub(crate) prefix: String,
    pub(crate) nats_url: String,
}

impl TestStream {
    pub(crate) fn new(nats_url: String) -> Self {
        Self {
            prefix: format!("T{}", uuid::Uuid::now_v7().simple()),
            nats_url,
        }
    }
}

impl Drop for TestStream {
    fn drop(&mut self) {
        let (url, stream) = (self.nats_url.clone(), format!("{}_EVENTS", self.prefix));
        cleanup(async move {
            let connect = async_nats::ConnectOptions::new()
                .connection_timeout(Duration::from_secs(2))
                .connect(url);
            if let Ok(Ok(client)) = tokio::time::timeout(Duration::from_secs(3), connect).await {
                let js = async_nats::jetstream::new(client);
                let _ =
                    tokio::time::timeout(Duration::from_secs(3), js.delete_stream(stream)).await;
            }
        });
    }
}

/// A nats-server of the test's own (for outage tests), on a fixed port so it can be
/// stopped and started again with the same storage.
pub(crate) struct OwnNats {
    port: u16,
    dir: tempfile::TempDir,
    child: Option<Child>,
}

impl OwnNats {
    pub(crate) fn start() -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut nats = Self {
            port,
            dir: tempfile::tempdir().unwrap(),
            child: None,
        };
        nats.resume();
        nats
    }

    pub(crate) fn url(&self) -> String {
        format!("nats://127.0.0.1:{}", self.port)
    }

    /// Starts the server (again) and waits until it accepts connections.
    pub(crate) fn resume(&mut self) {
        let binary = [
            "nats-server",
            "/usr/sbin/nats-server",
            "/usr/bin/nats-server",
        ]
        .into_iter()
        .find(|b| Command::new(b).arg("--version").output().is_ok())
        .expect("nats-server is installed (scripts/services installs it)");
        let child = Command::new(binary)
            .args([
                "-a",
                "127.0.0.1",
                "-p",
                &self.port.to_string(),
                "-js",
                "-sd",
            ])
            .arg(self.dir.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("nats-server starts");
        self.child = Some(child);
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            assert!(
                std::time::Instant::now() < deadline,
                "nats-server did not start"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Stops the server (SIGKILL).
    pub(crate) fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for OwnNats {
    fn drop(&mut self) {
        self.stop();
    }
}

/// The token signing secret the test clusters share.
pub(crate) const JWT_SECRET: &str = "test-only-secret-0123456789abcdef-0123456789";

/// The three kinds of processes on a fresh database and stream.
pub(crate) struct Cluster {
    /// An admin key of the default tenant (made with `folio api-key create`).
    pub(crate) admin_key: String,
    pub(crate) database: TestDatabase,
    pub(crate) stream: TestStream,
    pub(crate) commands: Vec<Process>,
    pub(crate) query: Process,
    pub(crate) projectors: Vec<Option<Process>>,
}

impl Cluster {
    /// Starts `command_apis` command-api processes and `projectors` projectors on the shared
    /// NATS server.
    pub(crate) async fn start(command_apis: usize, projectors: usize) -> Self {
        Self::start_on(shared_nats_url(), command_apis, projectors).await
    }

    pub(crate) async fn start_on(nats_url: String, command_apis: usize, projectors: usize) -> Self {
        let database = TestDatabase::create().await;
        // Migrate once up front, so the processes start in parallel without racing for it.
        crate::helpers::succeeded(
            Command::new(env!("CARGO_BIN_EXE_folio-e2e"))
                .args(["migrate", "--database-url", &database.url])
                .output()
                .unwrap(),
        );
        let output = crate::helpers::succeeded(
            Command::new(env!("CARGO_BIN_EXE_folio-e2e"))
                .args([
                    "api-key", "create", "--tenant", "default", "--name", "tests",
                ])
                .args([
                    "--scopes",
                    "read,write,admin",
                    "--database-url",
                    &database.url,
                ])
                .output()
                .unwrap(),
        );
        let created: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
        let stream = TestStream::new(nats_url);
        let mut cluster = Self {
            admin_key: created["key"].as_str().unwrap().to_string(),
            query: Process::start(&[
                "query-api".into(),
                "--bind".into(),
                "127.0.0.1:0".into(),
                "--workers".into(),
                "2".into(),
                "--database-pool".into(),
                "4".into(),
                "--database-url".into(),
                database.url.clone(),
                "--jwt-secret".into(),
                JWT_SECRET.into(),
                "--rate-limit-per-second".into(),
                "0".into(),
            ]),
            commands: Vec::new(),
            projectors: Vec::new(),
            database,
            stream,
        };
        for _ in 0..command_apis {
            let args = cluster.args(
                "command-api",
                &[
                    "--workers",
                    "2",
                    "--database-pool",
                    "8",
                    "--jwt-secret",
                    JWT_SECRET,
                    "--rate-limit-per-second",
                    "0",
                ],
            );
            cluster.commands.push(Process::start(&args));
        }
        for _ in 0..projectors {
            cluster.start_projector();
        }
        cluster
    }

    fn args(&self, command: &str, extra: &[&str]) -> Vec<String> {
        let mut args: Vec<String> = vec![
            command.into(),
            "--bind".into(),
            "127.0.0.1:0".into(),
            "--database-url".into(),
            self.database.url.clone(),
            "--nats-url".into(),
            self.stream.nats_url.clone(),
            "--nats-prefix".into(),
            self.stream.prefix.clone(),
        ];
        args.extend(extra.iter().map(|s| (*s).to_string()));
        args
    }

    /// Starts one more projector; returns its index.
    pub(crate) fn start_projector(&mut self) -> usize {
        let args = self.args("projector", &["--database-pool", "4"]);
        self.projectors.push(Some(Process::start(&args)));
        self.projectors.len() - 1
    }

    /// Kills projector `i` with SIGKILL.
    pub(crate) fn kill_projector(&mut self, i: usize) {
        if let Some(p) = self.projectors[i].take() {
            p.kill();
        }
    }

    pub(crate) fn command_base(&self, i: usize) -> String {
        self.commands[i].base.clone()
    }

    /// A client that sends the admin key.
    pub(crate) fn client(&self) -> reqwest::Client {
        crate::helpers::keyed_client(&self.admin_key)
    }

    pub(crate) fn query_base(&self) -> String {
        self.query.base.clone()
    }

    /// Runs `folio <args> --database-url <this database>` to completion.
    pub(crate) fn folio(&self, args: &[&str]) -> std::process::Output {
        Command::new(env!("CARGO_BIN_EXE_folio-e2e"))
            .args(args)
            .args(["--database-url", &self.database.url])
            .output()
            .unwrap()
    }

    /// Runs `folio <args>` with this database and this stream.
    pub(crate) fn folio_nats(&self, args: &[&str]) -> std::process::Output {
        Command::new(env!("CARGO_BIN_EXE_folio-e2e"))
            .args(args)
            .args(["--database-url", &self.database.url])
            .args(["--nats-url", &self.stream.nats_url])
            .args(["--nats-prefix", &self.stream.prefix])
            .output()
            .unwrap()
    }
}
