//! `folio user add` and `folio api-key create|revoke`: work on the embedded data directory
//! (even while `folio serve` runs on it) or on the distributed deployment's database.

use std::io::BufRead;

use anyhow::{Context, bail};
use auth::manage::{KeySpec, ManageError};
use auth::principal::{parse_tenant, parse_username};
use auth::{Role, Scopes};
use clap::{Args, Subcommand};
use infrastructure::credentials::CredentialStore;

use crate::settings::CredentialTarget;

/// `folio user …`.
#[derive(Debug, Subcommand)]
pub(crate) enum UserCommand {
    /// Add a user (the password comes from stdin, or from --password-env).
    Add(UserAdd),
}

/// `folio user add`.
#[derive(Debug, Args)]
pub(crate) struct UserAdd {
    /// Login name (unique across tenants).
    #[arg(value_parser = parse_username)]
    name: String,
    /// The user's tenant.
    #[arg(long)]
    tenant: String,
    /// viewer (reads), editor (reads and writes) or admin (also manages keys).
    #[arg(long, value_parser = parse_role)]
    role: Role,
    /// Read the password from this environment variable instead of stdin.
    #[arg(long)]
    password_env: Option<String>,
    #[command(flatten)]
    target: CredentialTarget,
}

/// `folio api-key …`.
#[derive(Debug, Subcommand)]
pub(crate) enum ApiKeyCommand {
    /// Create a key and print it (once) as JSON.
    Create(ApiKeyCreate),
    /// Revoke a key by id (takes effect at once on every instance).
    Revoke(ApiKeyRevoke),
}

/// `folio api-key create`.
#[derive(Debug, Args)]
pub(crate) struct ApiKeyCreate {
    /// Tenant the key acts in.
    #[arg(long)]
    tenant: String,
    /// What the key is for.
    #[arg(long)]
    name: String,
    /// Comma-separated: read, suggest, write, admin.
    #[arg(long, value_parser = parse_scopes)]
    scopes: Scopes,
    #[command(flatten)]
    target: CredentialTarget,
}

/// `folio api-key revoke`.
#[derive(Debug, Args)]
pub(crate) struct ApiKeyRevoke {
    /// The key's id (the 12 hex digits after `folio_`).
    id: String,
    #[command(flatten)]
    target: CredentialTarget,
}

fn parse_role(s: &str) -> Result<Role, String> {
    Role::parse(s).ok_or_else(|| "use viewer, reviewer, editor or admin".to_string())
}

fn parse_scopes(s: &str) -> Result<Scopes, String> {
    Scopes::parse(s.split(','))
        .map_err(|unknown| format!("unknown scope {unknown:?}; use read, suggest, write, admin"))
}

async fn open(target: &CredentialTarget) -> anyhow::Result<CredentialStore> {
    Ok(match &target.database_url {
        Some(url) => {
            CredentialStore::Postgres(crate::distributed::open_database(url, 2, true).await?)
        }
        None => CredentialStore::Sqlite(
            infrastructure::sqlite::open_auth(&target.data_dir)
                .await
                .with_context(|| {
                    format!(
                        "cannot open the data directory {}",
                        target.data_dir.display()
                    )
                })?,
        ),
    })
}

fn read_password(env: Option<&str>) -> anyhow::Result<String> {
    if let Some(var) = env {
        return std::env::var(var).with_context(|| format!("{var} is not set"));
    }
    eprintln!("reading the password from stdin (one line)");
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .context("cannot read the password from stdin")?;
    Ok(line.trim_end_matches(['\r', '\n']).to_string())
}

fn manage_error(e: ManageError) -> anyhow::Error {
    match e {
        ManageError::Store(e) => anyhow::Error::new(e).context("database failure"),
        other => anyhow::anyhow!("{other}"),
    }
}

/// Runs `folio user …`.
pub(crate) async fn user(command: UserCommand) -> anyhow::Result<()> {
    let UserCommand::Add(args) = command;
    let tenant = parse_tenant(&args.tenant).map_err(anyhow::Error::msg)?;
    let password = read_password(args.password_env.as_deref())?;
    let store = open(&args.target).await?;
    auth::manage::add_user(&store, &args.name, &tenant, args.role, &password)
        .await
        .map_err(manage_error)?;
    println!(
        "{}",
        serde_json::json!({"username": args.name, "tenant": tenant.as_str(), "role": args.role.as_str()})
    );
    Ok(())
}

/// Runs `folio api-key …`.
pub(crate) async fn api_key(command: ApiKeyCommand) -> anyhow::Result<()> {
    match command {
        ApiKeyCommand::Create(args) => {
            let tenant = parse_tenant(&args.tenant).map_err(anyhow::Error::msg)?;
            let store = open(&args.target).await?;
            let created = auth::manage::create_key(
                &store,
                &KeySpec {
                    tenant,
                    name: args.name,
                    scopes: args.scopes,
                    owner: None,
                    created_by: "system:cli".into(),
                },
            )
            .await
            .map_err(manage_error)?;
            println!("{}", serde_json::to_string(&created)?);
        }
        ApiKeyCommand::Revoke(args) => {
            let store = open(&args.target).await?;
            let revoked = store
                .revoke_key(&args.id, None, &infrastructure::now_rfc3339())
                .await
                .context("database failure")?;
            if !revoked && store.key(&args.id).await?.is_none() {
                bail!("no API key {:?}", args.id);
            }
            println!("{}", serde_json::json!({"id": args.id, "revoked": true}));
        }
    }
    Ok(())
}
