//! The `parkland` command: serve the API (the default), migrate, load the demo park, import
//! and export parcels, write the OpenAPI document.

mod cli_access;

use anyhow::Context;
use clap::{Parser, Subcommand};
use parkland::api::AppState;
use parkland::config::{DbConfig, HttpConfig};
use parkland::domain::clock::SystemClock;
use parkland::store::Db;
use std::sync::Arc;

#[derive(Parser)]
#[command(
    name = "parkland",
    version,
    about = "The register of an industrial park's land and buildings"
)]
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
    /// Load the demo park (南城县工业园区: 3 zones, about 150 parcels).
    Demo {
        /// Instead, generate a large park of about this many parcels (2,000 – 500,000) laid out
        /// as the demo is, to measure the map and the reports at scale.
        #[arg(long)]
        parcels: Option<usize>,
    },
    /// Import parcels into a park from a GeoJSON file or a zipped shapefile (all or nothing).
    Import {
        /// The park's code or id.
        #[arg(long)]
        park: String,
        /// A .geojson/.json FeatureCollection or a .zip holding a shapefile.
        file: std::path::PathBuf,
        /// CRS of the coordinates when the file does not say (or says wrongly), e.g. EPSG:4527.
        #[arg(long)]
        crs: Option<String>,
        /// Attribute encoding of a shapefile (GBK or UTF-8) when detection is wrong.
        #[arg(long)]
        encoding: Option<String>,
        /// Which shapefile of a zip holding several.
        #[arg(long)]
        layer: Option<String>,
        /// Check and report, write nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Export a park's parcels as GeoJSON or CSV.
    Export {
        /// The park's code or id.
        #[arg(long)]
        park: String,
        /// `geojson` or `csv`.
        #[arg(long, default_value = "geojson")]
        format: String,
        /// File to write; standard output when omitted.
        #[arg(long)]
        out: Option<std::path::PathBuf>,
    },
    /// Manage users (e.g. `parkland user add admin --role admin`).
    User {
        #[command(subcommand)]
        command: cli_access::UserCommand,
    },
    /// Manage API tokens (e.g. `parkland token create --user admin`).
    Token {
        #[command(subcommand)]
        command: cli_access::TokenCommand,
    },
    /// The audit trail (e.g. `parkland audit verify`).
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Write the OpenAPI document.
    Openapi {
        /// File to write; standard output when omitted.
        #[arg(long)]
        out: Option<std::path::PathBuf>,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Recompute every link of the audit chain; report the first that does not hold (exit 1).
    Verify,
}

/// Hand memory the allocator holds freed back to the system four times a second. A map page is
/// ~0.7 MB of GeoJSON and ~1 MB of rows; with many in flight, glibc's per-thread arenas kept
/// what they freed and the service stayed at its peak (256 MiB after 64 clients of
/// 1,000-feature pages). `malloc_trim` returns the free pages of every arena
/// (benches/README.md, "memory at 64 clients").
fn return_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        let spawned = std::thread::Builder::new()
            .name("return-memory".into())
            .spawn(|| {
                loop {
                    std::thread::sleep(std::time::Duration::from_millis(250));
                    // SAFETY: malloc_trim takes no pointers; glibc locks each arena itself.
                    unsafe {
                        libc::malloc_trim(0);
                    }
                }
            });
        if let Err(e) = spawned {
            tracing::warn!(error = %e, "could not start returning freed memory");
        }
    }
}

/// One malloc arena per core instead of glibc's eight per core. Every thread that meets a
/// locked arena gets a new one, and each arena keeps its own free pages: with 64 clients of
/// 1,000-feature pages the service peaked at 114 MiB with glibc's default and 68–73 MiB with
/// one or two arenas, serving as many pages a second (benches/README.md, "The map view,
/// written as it is read"). An operator's own `GLIBC_TUNABLES=glibc.malloc.arena_max=…` or
/// `MALLOC_ARENA_MAX` is left as it is. Called first, before any thread exists.
fn limit_malloc_arenas() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        let set_by_operator = std::env::var("GLIBC_TUNABLES")
            .is_ok_and(|t| t.contains("arena_max"))
            || std::env::var_os("MALLOC_ARENA_MAX").is_some();
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        if !set_by_operator {
            // SAFETY: mallopt takes no pointers and is called before any other thread runs.
            unsafe {
                libc::mallopt(libc::M_ARENA_MAX, i32::try_from(cores).unwrap_or(8));
            }
        }
    }
}

fn main() -> std::process::ExitCode {
    limit_malloc_arenas();
    match run() {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            // One line a person can act on (no backtrace, whatever RUST_BACKTRACE says).
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn run() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("PARKLAND_LOG")
                .unwrap_or_else(|_| "info".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    if let Some(key) = &cli.db.audit_key {
        if key.len() < 16 {
            anyhow::bail!("PARKLAND_AUDIT_KEY must be at least 16 characters");
        }
        parkland::store::audit::use_key(key.as_bytes());
    }
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(&cli.db, cli.http),
        Command::Audit {
            command: AuditCommand::Verify,
        } => {
            let db = Db::open(&cli.db.database_url, 1)?;
            let mut conn = db.conn()?;
            let report = parkland::store::audit::verify(&mut conn)?;
            match report.first_broken {
                None if report.unchecked.is_some() => {
                    println!(
                        "the audit chain holds as far as it can be checked here: {}",
                        report.unchecked.unwrap_or_default()
                    );
                    anyhow::bail!("the audit chain's keyed links were not checked")
                }
                None => {
                    println!(
                        "the audit chain holds: {} entries ({} recorded before the chain began, covered by its first link); its head is {}",
                        report.entries, report.before_chain, report.head
                    );
                    Ok(())
                }
                Some(b) => {
                    println!(
                        "the audit chain is broken at entry {} ({} UTC): {}",
                        b.id, b.at, b.reason
                    );
                    anyhow::bail!("the audit chain is broken at entry {}", b.id)
                }
            }
        }
        Command::Migrate => {
            Db::open(&cli.db.database_url, 1)?;
            eprintln!("database is up to date");
            Ok(())
        }
        Command::Demo { parcels } => {
            let size = match parcels {
                Some(n) => parkland::demo::Size::about(n).map_err(anyhow::Error::msg)?,
                None => parkland::demo::Size::DEMO,
            };
            let db = Db::open(&cli.db.database_url, 1)?;
            let mut conn = db.conn()?;
            let bar = progress_bar();
            let loaded = parkland::demo::load(&mut conn, size, &cli_stamp(), &|_, done, total| {
                progress(&bar, done, total)
            })?;
            bar.finish_and_clear();
            eprintln!(
                "loaded the demo park {} (id {}): {} zones, {} parcels, {} land supply contracts, {} workshops, {} projects, {} enterprises with last year's 亩均 figures",
                parkland::demo::PARK_CODE,
                loaded.park_id,
                loaded.zones,
                loaded.parcels,
                loaded.supplies,
                loaded.workshops,
                loaded.projects,
                loaded.rated
            );
            Ok(())
        }
        Command::Import {
            park,
            file,
            crs,
            encoding,
            layer,
            dry_run,
        } => {
            let options =
                parkland::exchange::ReadOptions::named(crs.as_deref(), encoding.as_deref(), layer)
                    .map_err(|e| anyhow::anyhow!(e))?;
            import(
                &cli.db,
                cli.http.upload_limits(),
                &park,
                &file,
                &options,
                dry_run,
            )
        }
        Command::Export { park, format, out } => {
            let db = Db::open(&cli.db.database_url, 1)?;
            let mut conn = db.conn()?;
            let park = parkland::store::parks::find(&mut conn, &park)?;
            let query = parkland::store::parcels::ParcelQuery {
                park_id: Some(park.id),
                ..Default::default()
            };
            let parcels = parkland::store::parcels::all(&mut conn, &query)?;
            let bytes = match format.as_str() {
                "geojson" => parkland::exchange::export::geojson(&parcels)?,
                "csv" => parkland::exchange::export::csv(&parcels)?,
                other => anyhow::bail!("format {other} is not offered; use geojson or csv"),
            };
            match out {
                Some(path) => std::fs::write(&path, bytes)
                    .with_context(|| format!("cannot write {}", path.display()))?,
                None => std::io::Write::write_all(&mut std::io::stdout(), &bytes)?,
            }
            eprintln!("exported {} parcels of park {}", parcels.len(), park.code);
            Ok(())
        }
        Command::User { command } => {
            cli_access::user(&Db::open(&cli.db.database_url, 1)?, command, &cli_stamp())
        }
        Command::Token { command } => {
            cli_access::token(&Db::open(&cli.db.database_url, 1)?, command, &cli_stamp())
        }
        Command::Openapi { out } => {
            let text =
                serde_json::to_string_pretty(&parkland::api::http::openapi::document())? + "\n";
            match out {
                Some(path) => std::fs::write(&path, text)
                    .with_context(|| format!("cannot write {}", path.display()))?,
                None => print!("{text}"),
            }
            Ok(())
        }
    }
}

/// Changes made from the command line are recorded as made by the operating-system user.
fn cli_stamp() -> parkland::domain::register::Stamp {
    use parkland::domain::clock::Clock;
    let user = std::env::var("USER")
        .or_else(|_| std::env::var("USERNAME"))
        .unwrap_or_else(|_| "unknown".into());
    parkland::domain::register::Stamp {
        by: format!("cli:{user}"),
        user_id: None,

        at: SystemClock.now().naive_utc(),
    }
}

fn progress_bar() -> indicatif::ProgressBar {
    let bar = indicatif::ProgressBar::new(0);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{msg:10} [{bar:40}] {pos}/{len} ({eta})")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar
}

fn progress(bar: &indicatif::ProgressBar, done: usize, total: usize) {
    bar.set_length(total as u64);
    bar.set_position(done as u64);
}

fn import(
    db: &DbConfig,
    limits: parkland::exchange::limits::UploadLimits,
    park: &str,
    file: &std::path::Path,
    options: &parkland::exchange::ReadOptions,
    dry_run: bool,
) -> anyhow::Result<()> {
    use parkland::exchange::{self, FileKind};
    let bytes = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    let pool = Db::open(&db.database_url, 1)?;
    let mut conn = pool.conn()?;
    let park = parkland::store::parks::find(&mut conn, park)?;
    let started = std::time::Instant::now();
    let source = exchange::read(&bytes, FileKind::detect(None, &bytes), options, &limits)?;
    eprintln!(
        "read {} features from {} ({}{}) in {:.1?}",
        source.features.len(),
        file.display(),
        source.crs.name(),
        source
            .encoding
            .as_deref()
            .map(|e| format!(", {e}"))
            .unwrap_or_default(),
        started.elapsed()
    );
    let request = exchange::import_request(source, park.id, dry_run);
    let bar = progress_bar();
    let report =
        parkland::ops::import::import(&mut conn, request, &cli_stamp(), &|stage, done, total| {
            bar.set_message(match stage {
                parkland::ops::import::Stage::Checking => "checking",
                parkland::ops::import::Stage::Writing => "writing",
            });
            progress(&bar, done, total);
        })?;
    bar.finish_and_clear();
    for w in &report.warnings {
        eprintln!(
            "warning: feature {} ({}): {}",
            w.feature,
            w.code.as_deref().unwrap_or("?"),
            w.reasons.join("; ")
        );
    }
    if !report.rejected.is_empty() {
        for r in &report.rejected {
            eprintln!(
                "rejected: feature {} ({}): {}",
                r.feature,
                r.code.as_deref().unwrap_or("no code"),
                r.reasons.join("; ")
            );
        }
        anyhow::bail!(
            "{} of {} features were rejected; nothing was imported",
            report.rejected.len(),
            report.features
        );
    }
    if dry_run {
        eprintln!(
            "dry run: all {} features would be imported into park {}",
            report.features, park.code
        );
    } else {
        eprintln!(
            "imported {} parcels into park {} in {:.1?}",
            report.created,
            park.code,
            started.elapsed()
        );
    }
    Ok(())
}

fn serve(db: &DbConfig, http: HttpConfig) -> anyhow::Result<()> {
    if let Some(problem) = parkland::api::http::dashboard::basemap_problem(&http.basemap) {
        anyhow::bail!("PARKLAND_BASEMAP_URL: {problem}");
    }
    let pool = Db::open(&db.database_url, db.pool_size)?;
    tracing::info!(
        database = %parkland::store::redact(&db.database_url),
        backend = pool.backend().as_str(),
        bind = %http.bind,
        "parkland is starting"
    );
    let bind = http.bind.clone();
    let workers = http.workers;
    let mut state = AppState::new(pool, http, Arc::new(SystemClock));
    if let Some(url) = &db.database_read_url {
        state = state.with_read_db(Db::open_read(url, db.pool_size)?);
        tracing::info!(replica = %parkland::store::redact(url), "heavy reads go to the read replica");
    }
    state.warm_up();
    return_freed_memory();
    actix_web::rt::System::new().block_on(async move {
        // SIGTERM (docker, systemd): stop accepting, let the requests in flight finish (up to
        // 30 s, within compose's stop_grace_period) — a proxy sends new ones to another
        // instance, and none is cut off (tests/api/instances.rs).
        //
        // TCP_NODELAY: a body goes out in pieces (`api::ogc::Pieces`), and the short last
        // segment of an answer must not wait for the client's ACK of the one before (Nagle's
        // algorithm meeting delayed ACKs): a 200 KB tile from the memo took 23 ms at 16 clients
        // while the server was mostly waiting, 4.5 ms without the wait (docs/performance.md).
        let mut server = actix_web::HttpServer::new(move || parkland::app(state.clone()))
            .shutdown_timeout(30)
            .tcp_nodelay(true);
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
