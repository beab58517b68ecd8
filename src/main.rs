//! The `parkland` command: serve the API (the default), migrate, load the demo park, import
//! and export parcels, write the OpenAPI document.

use anyhow::Context;
use clap::{Parser, Subcommand};
use parkland::api::AppState;
use parkland::config::{DbConfig, HttpConfig};
use parkland::domain::clock::SystemClock;
use parkland::store::Db;
use std::sync::Arc;

#[derive(Parser)]
#[command(name = "parkland", version, about = "The register of an industrial park's land and buildings")]
struct Cli {
    #[command(flatten)]
    db: DbConfig,
    #[command(flatten)]
    http: HttpConfig,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the HTTP API (the default).
    Serve,
    /// Create or update the database schema, then exit.
    Migrate,
    /// Write the OpenAPI document.
    Openapi {
        /// File to write; standard output when omitted.
        #[arg(long)]
        out: Option<std::path::PathBuf>,
    },
}

fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("PARKLAND_LOG").unwrap_or_else(|_| "info".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(&cli.db, cli.http),
        Command::Migrate => {
            Db::open(&cli.db.database_url, 1)?;
            eprintln!("database is up to date");
            Ok(())
        }
        Command::Openapi { out } => {
            let text = serde_json::to_string_pretty(&parkland::api::openapi::document())? + "\n";
            match out {
                Some(path) => std::fs::write(&path, text).with_context(|| format!("cannot write {}", path.display()))?,
                None => print!("{text}"),
            }
            Ok(())
        }
    }
}

fn serve(db: &DbConfig, http: HttpConfig) -> anyhow::Result<()> {
    let pool = Db::open(&db.database_url, db.pool_size)?;
    tracing::info!(
        database = %parkland::store::redact(&db.database_url),
        backend = pool.backend().as_str(),
        bind = %http.bind,
        "parkland is starting"
    );
    let bind = http.bind.clone();
    let workers = http.workers;
    let state = AppState::new(pool, http, Arc::new(SystemClock));
    actix_web::rt::System::new().block_on(async move {
        let mut server = actix_web::HttpServer::new(move || parkland::app(state.clone()));
        if let Some(n) = workers {
            server = server.workers(n);
        }
        server
            .bind(&bind)
            .with_context(|| format!("cannot listen on {bind}"))?
            .run()
            .await
            .context("the server stopped with an error")
    })
}
