//! `parkland user …` and `parkland token …`: accounts and API tokens from the command line, so
//! the first administrator can be made on a fresh install.

use anyhow::Context;
use clap::Subcommand;
use parkland::domain::access::{Role, UserChanges, UserDraft, parse_jurisdiction, parse_user_name};
use parkland::domain::register::Stamp;
use parkland::store::{self, Db};

#[derive(Subcommand)]
pub enum UserCommand {
    /// Create a user.
    Add {
        /// Login name (letters, digits, `.`, `_`, `-`).
        name: String,
        /// admin, bureau, committee or applicant.
        #[arg(long)]
        role: String,
        /// Bureau: the division code (prefix) of its area, e.g. 361021.
        #[arg(long)]
        jurisdiction: Option<String>,
        /// Committee: a park it manages (code or id); repeat for several.
        #[arg(long = "park")]
        parks: Vec<String>,
        #[arg(long, default_value = "")]
        display_name: String,
    },
    /// List users.
    List,
    /// Disable a user: its tokens stop working at once.
    Disable { name: String },
    /// Enable a disabled user again.
    Enable { name: String },
    /// Set a user's password for signing in to the dashboard: read from `PARKLAND_PASSWORD`
    /// when set, else the first line of standard input (so it never shows in `ps`).
    Password { name: String },
}

#[derive(Subcommand)]
pub enum TokenCommand {
    /// Create a token and print its secret (once) on standard output.
    Create {
        /// The user (name or id).
        #[arg(long)]
        user: String,
        /// What the token is for.
        #[arg(long, default_value = "")]
        name: String,
        /// When it stops working: a date (YYYY-MM-DD, end of day UTC) or an RFC 3339 time.
        #[arg(long)]
        expires: Option<String>,
    },
    /// List tokens (never their secrets).
    List {
        /// Only this user's (name or id).
        #[arg(long)]
        user: Option<String>,
    },
    /// Revoke a token by its id.
    Revoke { id: i64 },
}

fn expiry(raw: &str) -> anyhow::Result<chrono::NaiveDateTime> {
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(raw) {
        return Ok(t.naive_utc());
    }
    let d = chrono::NaiveDate::parse_from_str(raw, "%Y-%m-%d")
        .with_context(|| format!("`{raw}` is neither a date (YYYY-MM-DD) nor an RFC 3339 time"))?;
    d.and_hms_opt(23, 59, 59).context("invalid date")
}

pub fn user(db: &Db, command: UserCommand, stamp: &Stamp) -> anyhow::Result<()> {
    let mut conn = db.conn()?;
    match command {
        UserCommand::Add {
            name,
            role,
            jurisdiction,
            parks,
            display_name,
        } => {
            let role = Role::parse("role", &role)?;
            let jurisdiction = jurisdiction
                .map(|j| parse_jurisdiction("jurisdiction", &j))
                .transpose()?;
            let parks = parks
                .iter()
                .map(|p| store::parks::find(&mut conn, p).map(|park| park.id))
                .collect::<Result<Vec<_>, _>>()?;
            let draft = UserDraft {
                name: parse_user_name("name", &name)?,
                display_name,
                role,
                jurisdiction,
                parks,
            };
            let user = parkland::ops::accounts::create_user(&mut conn, draft, stamp)?;
            eprintln!("created {} user {} (id {})", user.role, user.name, user.id);
        }
        UserCommand::List => {
            println!(
                "{:>4}  {:<20} {:<10} {:<12} {:<12} disabled",
                "id", "name", "role", "jurisdiction", "parks"
            );
            for u in store::users::list_users(&mut conn)? {
                let parks: Vec<String> = u.parks.iter().map(ToString::to_string).collect();
                println!(
                    "{:>4}  {:<20} {:<10} {:<12} {:<12} {}",
                    u.id,
                    u.name,
                    u.role,
                    u.jurisdiction.as_deref().unwrap_or("-"),
                    if parks.is_empty() {
                        "-".into()
                    } else {
                        parks.join(",")
                    },
                    if u.disabled_at.is_some() { "yes" } else { "no" }
                );
            }
        }

        UserCommand::Disable { name } => {
            let user = store::users::find_user(&mut conn, &name)?;
            parkland::ops::accounts::update_user(
                &mut conn,
                user.id,
                UserChanges {
                    disabled: Some(true),
                    ..Default::default()
                },
                stamp,
            )?;
            eprintln!("disabled {name}; its tokens no longer work");
        }
        UserCommand::Enable { name } => {
            let user = store::users::find_user(&mut conn, &name)?;
            parkland::ops::accounts::update_user(
                &mut conn,
                user.id,
                UserChanges {
                    disabled: Some(false),
                    ..Default::default()
                },
                stamp,
            )?;
            eprintln!("enabled {name}");
        }
        UserCommand::Password { name } => {
            let user = store::users::find_user(&mut conn, &name)?;
            let password = match std::env::var("PARKLAND_PASSWORD") {
                Ok(p) => p,
                Err(_) => {
                    let mut line = String::new();
                    std::io::stdin()
                        .read_line(&mut line)
                        .context("reading the password from standard input")?;
                    line.trim_end_matches(['\r', '\n']).to_owned()
                }
            };
            parkland::ops::accounts::set_password(&mut conn, user.id, &password, stamp)?;
            eprintln!("set the password of {name}; sign in at /dashboard/ or POST /api/sessions");
        }
    }
    Ok(())
}

pub fn token(db: &Db, command: TokenCommand, stamp: &Stamp) -> anyhow::Result<()> {
    let mut conn = db.conn()?;
    match command {
        TokenCommand::Create {
            user,
            name,
            expires,
        } => {
            let user = store::users::find_user(&mut conn, &user)?;
            let expires = expires.as_deref().map(expiry).transpose()?;
            let (info, secret) =
                parkland::ops::accounts::create_token(&mut conn, user.id, &name, expires, stamp)?;
            eprintln!(
                "token {} for {} ({}), expires {}; it is shown only now:",
                info.id,
                user.name,
                user.role,
                info.expires_at
                    .map_or("never".into(), |e| format!("{e} UTC"))
            );
            println!("{secret}");
        }
        TokenCommand::List { user } => {
            let user_id = user
                .map(|u| store::users::find_user(&mut conn, &u).map(|u| u.id))
                .transpose()?;
            println!(
                "{:>4}  {:>5}  {:<14} {:<24} {:<20} {:<20} revoked",
                "id", "user", "prefix", "name", "created", "expires"
            );
            for t in store::users::list_tokens(&mut conn, user_id)? {
                println!(
                    "{:>4}  {:>5}  {:<14} {:<24} {:<20} {:<20} {}",
                    t.id,
                    t.user_id,
                    t.prefix,
                    t.name,
                    t.created.at.format("%Y-%m-%d %H:%M"),
                    t.expires_at
                        .map_or("never".into(), |e| e.format("%Y-%m-%d %H:%M").to_string()),
                    t.revoked_at
                        .map_or("no".into(), |r| r.format("%Y-%m-%d %H:%M").to_string())
                );
            }
        }
        TokenCommand::Revoke { id } => {
            let t = store::users::revoke_token(&mut conn, id, stamp)?;
            eprintln!(
                "revoked token {} ({}) of user {}",
                t.id, t.prefix, t.user_id
            );
        }
    }
    Ok(())
}
