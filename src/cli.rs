//! The command line (docs/design/interfaces.md, "Command line"): one binary, `portqueue`.
//! Exit status 0 on success; otherwise one clear line on standard error.

use std::io::{Read, Write};
use std::path::PathBuf;
use std::sync::Arc;

use clap::{Parser, Subcommand, ValueEnum};

use portqueue_core::Policy;
use portqueue_core::queue::simulate;

use crate::clock::{Clock, SystemClock};
use crate::db::{self, Location};
use crate::error::AppError;
use crate::service::{accounts, appointments, ports, reports};
use crate::{AppState, auth};

#[derive(Debug, Parser)]
#[command(
    name = "portqueue",
    version,
    about = "Walk-in queue manager for land ports of entry"
)]
pub struct Cli {
    /// Database URL: `postgres://…` for PostgreSQL, `sqlite://PATH` for SQLite
    /// (default: the SQLite file portqueue.db here, created on first use).
    #[arg(long, env = "DATABASE_URL", global = true)]
    pub database_url: Option<String>,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the web app (the default command).
    Serve {
        /// Address to listen on.
        #[arg(long, env = "PORTQUEUE_BIND", default_value = "127.0.0.1:8080")]
        bind: String,
        /// Mark cookies Secure (set when a TLS proxy is in front). From the environment:
        /// true, 1, yes or on; false, 0, no or off.
        #[arg(long, env = "PORTQUEUE_SECURE_COOKIES", value_parser = clap::builder::BoolishValueParser::new())]
        secure_cookies: bool,
        /// The address applicants reach this server at, for tickets' QR codes
        /// (default: the address each request came in on).
        #[arg(long, env = "PORTQUEUE_PUBLIC_URL")]
        public_url: Option<String>,
        #[command(flatten)]
        security: crate::ops::ServeSecurity,
        #[command(flatten)]
        sms: crate::sms::ServeSms,
    },
    /// Bring the schema up to date, then exit.
    Migrate,
    /// Ports of entry.
    Port {
        #[command(subcommand)]
        command: PortCommand,
    },
    /// Accounts.
    Officer {
        #[command(subcommand)]
        command: OfficerCommand,
    },
    /// API tokens.
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
    /// Import the day's booked appointments from a CSV file.
    ImportAppointments {
        /// The port's code.
        #[arg(long)]
        port: String,
        /// CSV with header `confirmation,slot_at,party_size,name,nationality,language`.
        file: PathBuf,
    },
    /// Replay arrivals through the ordering engine (no database needed).
    Simulate(SimulateArgs),
    /// The daily queue report for one port-local date.
    Report(ReportArgs),
    /// Fill a port that has no real entries with past days of realistic activity.
    Demo(DemoArgs),
    /// Erase personal data past each port's retention days (the server does it daily).
    Purge {
        /// Only this port (default: every port).
        #[arg(long)]
        port: Option<String>,
        /// Only count what would be erased.
        #[arg(long)]
        dry_run: bool,
    },
    /// Copy the SQLite database to FILE while the server keeps running.
    Backup { file: PathBuf },
    /// Replace the SQLite database with the backup FILE (refused while a server runs).
    Restore { file: PathBuf },
}

#[derive(Debug, clap::Args)]
pub struct DemoArgs {
    /// The port's code; created if missing.
    #[arg(long)]
    pub port: String,
    /// How many past port-local days to fill, ending yesterday.
    #[arg(long)]
    pub days: u32,
    /// Walk-ins on an ordinary weekday (fewer at weekends).
    #[arg(long, default_value_t = 400)]
    pub per_day: u32,
    /// The time zone of a port the demo creates (IANA name).
    #[arg(long, default_value = "America/Tijuana")]
    pub timezone: String,
    /// The same seed gives the same days.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
}

#[derive(Debug, Subcommand)]
pub enum PortCommand {
    /// Add a port of entry.
    Add {
        #[arg(long)]
        code: String,
        #[arg(long)]
        name: String,
        /// IANA time zone, e.g. America/Tijuana.
        #[arg(long)]
        timezone: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum OfficerCommand {
    /// Add an account; the password is read from standard input.
    Add {
        #[arg(long)]
        username: String,
        /// officer, supervisor or admin.
        #[arg(long)]
        role: String,
        /// The port's code (officers and supervisors).
        #[arg(long)]
        port: Option<String>,
        /// Read the password from standard input (required: passwords never go on a command line).
        #[arg(long)]
        password_stdin: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Print one new API token for an account, once.
    Create {
        #[arg(long)]
        username: String,
    },
    /// Revoke every API token of an account (a leaked token, a program retired).
    Revoke {
        #[arg(long)]
        username: String,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ReportFormat {
    /// The report page, a standalone document to open or print.
    Html,
    /// `section,metric,key,value`, one figure a row.
    Csv,
    /// The same JSON as `GET /api/v1/ports/{code}/reports/daily`.
    Json,
}

#[derive(Debug, clap::Args)]
pub struct ReportArgs {
    /// The port's code.
    #[arg(long)]
    pub port: String,
    /// The port-local date, YYYY-MM-DD.
    #[arg(long)]
    pub date: String,
    #[arg(long, value_enum, default_value = "html")]
    pub format: ReportFormat,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum SimFormat {
    Csv,
    Json,
}

#[derive(Debug, clap::Args)]
pub struct SimulateArgs {
    /// CSV with header `ticket,class,tier,party_size,arrived_at,slot_at`.
    #[arg(long)]
    pub input: PathBuf,
    #[arg(long, default_value_t = Policy::default().walkin_share)]
    pub walkin_share: f64,
    #[arg(long, default_value_t = Policy::default().priority_boost_minutes)]
    pub priority_boost_minutes: u32,
    #[arg(long, default_value_t = Policy::default().early_window_minutes)]
    pub early_window_minutes: u32,
    #[arg(long, default_value_t = Policy::default().late_window_minutes)]
    pub late_window_minutes: u32,
    #[arg(long, default_value_t = Policy::default().minutes_per_person)]
    pub minutes_per_person: u32,
    #[arg(long, default_value_t = 4)]
    pub counters: u32,
    #[arg(long, default_value = "UTC")]
    pub timezone: String,
    #[arg(long, value_enum, default_value = "csv")]
    pub format: SimFormat,
    /// Language matching: the languages each counter covers, e.g. "1=spa,eng;2=hat,fra;3=spa"
    /// (ISO 639-3; a counter not named covers none). Adds the columns `language`,
    /// `language_matched` and `language_reason`; without it the output is unchanged.
    #[arg(long)]
    pub counter_languages: Option<String>,
    /// How long an entry may stay passed over by language matching.
    #[arg(long, default_value_t = portqueue_core::queue::matching::DEFAULT_WAIT_LIMIT_MINUTES)]
    pub language_wait_limit_minutes: u32,
}

fn show(e: AppError) -> String {
    match e {
        AppError::Invalid(fields) => fields.to_string(),
        other => other.to_string(),
    }
}

impl Cli {
    /// The command to run. Plain `portqueue` is `portqueue serve`: its settings are read
    /// by the same clap rules from the same environment, so the two never disagree.
    pub fn command_or_serve(&mut self) -> Result<Command, String> {
        match self.command.take() {
            Some(command) => Ok(command),
            None => Cli::try_parse_from(["portqueue", "serve"])
                .map_err(|e| e.to_string())?
                .command
                .ok_or_else(|| "no command".to_owned()),
        }
    }
}

/// Parses the command line and runs it.
pub fn run() -> Result<(), String> {
    let mut cli = Cli::parse();
    let command = cli.command_or_serve()?;
    if let Command::Simulate(args) = command {
        return run_simulate(&args);
    }
    if let Command::Report(args) = &command {
        // A mistyped date is refused before the database is opened (or created).
        reports::parse_date("date", Some(&args.date)).map_err(show)?;
    }
    let location = Location::parse(cli.database_url.as_deref());
    if let Command::Restore { file } = &command {
        // Before the database is opened: the restore replaces the file.
        println!("{}", crate::ops::restore(&location, file)?);
        return Ok(());
    }
    let pool = db::open(&location, 10).map_err(|e| e.to_string())?;
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let now = clock.now();
    let mut conn = pool.get().map_err(|e| e.to_string())?;
    let admin = accounts::system_admin();
    match command {
        Command::Migrate => {
            println!("database {} is up to date", location.display());
            Ok(())
        }
        Command::Port {
            command:
                PortCommand::Add {
                    code,
                    name,
                    timezone,
                },
        } => {
            let port = ports::create(
                &mut conn,
                &admin,
                &ports::NewPort {
                    code,
                    name,
                    timezone,
                },
                now,
            )
            .map_err(show)?;
            println!(
                "added port {} ({}, {})",
                port.code, port.name, port.timezone
            );
            Ok(())
        }
        Command::Officer {
            command:
                OfficerCommand::Add {
                    username,
                    role,
                    port,
                    password_stdin,
                },
        } => {
            if !password_stdin {
                return Err("give the password on standard input and pass --password-stdin".into());
            }
            let mut password = String::new();
            std::io::stdin()
                .read_to_string(&mut password)
                .map_err(|e| format!("cannot read the password from standard input: {e}"))?;
            let password = password.trim_end_matches(['\r', '\n']).to_owned();
            let user = accounts::create(
                &mut conn,
                &admin,
                &accounts::NewAccount {
                    username,
                    role,
                    port: port.unwrap_or_default(),
                    password,
                    must_change_password: false,
                },
                now,
            )
            .map_err(show)?;
            println!("added {} {}", user.role, user.username);
            Ok(())
        }
        Command::Token {
            command: TokenCommand::Create { username },
        } => {
            let token =
                auth::sessions::create_api_token(&mut conn, &username, now).map_err(show)?;
            println!("{token}");
            Ok(())
        }
        Command::Token {
            command: TokenCommand::Revoke { username },
        } => {
            let revoked = auth::sessions::revoke_api_tokens(&mut conn, &username).map_err(show)?;
            println!("revoked {revoked} API token(s) of {username}");
            Ok(())
        }
        Command::ImportAppointments { port, file } => {
            let data =
                std::fs::read(&file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
            let port = crate::service::port_by_code(&mut conn, &port).map_err(show)?;
            let rows = appointments::read_csv(&data)
                .and_then(|rows| appointments::check_rows(&rows, appointments::Source::Csv))
                .map_err(show)?;
            let summary =
                appointments::import(&mut conn, &admin, port.id, &rows, now).map_err(show)?;
            println!(
                "port {}: {} created, {} unchanged, {} updated",
                port.code, summary.created, summary.unchanged, summary.updated
            );
            Ok(())
        }
        Command::Serve {
            bind,
            secure_cookies,
            public_url,
            security,
            sms,
        } => {
            let gateway = sms.gateway()?;
            let _held = crate::ops::hold_server_lock(&location)?;
            if let Some(credentials) = accounts::bootstrap_admin(&mut conn, now).map_err(show)? {
                log::warn!(
                    "no administrator existed: created {credentials} — sign in at http://{bind}/login and choose a new password (shown once)"
                );
            }
            drop(conn);
            let mut state = AppState::new(pool, clock);
            state.secure_cookies = secure_cookies;
            state.public_url = public_url;
            security.apply(&mut state)?;
            state.text_messages = gateway.is_some();
            match gateway {
                Some(gateway) => {
                    log::info!("text messages on: sent through the SMS gateway");
                    crate::sms::spawn(gateway, state.pool.clone(), state.clock.clone());
                }
                None => {
                    log::info!("text messages off: set PORTQUEUE_SMS_GATEWAY_URL to offer them")
                }
            }
            log::info!(
                "portqueue on http://{bind} with database {}",
                location.display()
            );
            crate::ops::spawn_daily_purge(state.clone());
            crate::service::report_days::spawn_keeper(state.clone());
            crate::ops::serve(state, &bind, security.metrics_bind.as_deref())
                .map_err(|e| format!("cannot serve on {bind}: {e}"))
        }
        Command::Purge { port, dry_run } => {
            for line in crate::ops::purge(&mut conn, port.as_deref(), dry_run, now)? {
                println!("{line}");
            }
            Ok(())
        }
        Command::Backup { file } => {
            println!("{}", crate::ops::backup(&mut conn, &location, &file)?);
            Ok(())
        }
        Command::Restore { .. } => unreachable!("handled above"),
        Command::Report(args) => run_report(&mut conn, &admin, &args, now),
        Command::Demo(args) => run_demo(&mut conn, &args, now),
        Command::Simulate(_) => unreachable!("handled above"),
    }
}

/// `portqueue demo`: fills the port, then says what it wrote and how long it took.
fn run_demo(
    conn: &mut db::DbConnection,
    args: &DemoArgs,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), String> {
    let started = std::time::Instant::now();
    let options = crate::demo::DemoOptions {
        code: args.port.clone(),
        days: args.days,
        per_day: args.per_day,
        timezone: args.timezone.clone(),
        seed: args.seed,
    };
    let summary = crate::demo::fill(conn, &options, now).map_err(show)?;
    println!("{summary} ({:.1} s)", started.elapsed().as_secs_f64());
    Ok(())
}

fn run_simulate(args: &SimulateArgs) -> Result<(), String> {
    let policy = Policy {
        walkin_share: args.walkin_share,
        priority_boost_minutes: args.priority_boost_minutes,
        early_window_minutes: args.early_window_minutes,
        late_window_minutes: args.late_window_minutes,
        minutes_per_person: args.minutes_per_person,
        ..Policy::default()
    };
    policy
        .validate()
        .map_err(|e| e.to_string().replace('_', "-"))?;
    if !(1..=99).contains(&args.counters) {
        return Err("counters: must be between 1 and 99".into());
    }
    let tz = ports::check_timezone(&args.timezone).map_err(|e| format!("timezone: {e}"))?;
    let file = std::fs::File::open(&args.input)
        .map_err(|e| format!("cannot read {}: {e}", args.input.display()))?;
    let arrivals = simulate::read_arrivals(file).map_err(|e| e.to_string())?;
    if args.language_wait_limit_minutes > portqueue_core::queue::matching::MAX_WAIT_LIMIT_MINUTES {
        return Err(format!(
            "language-wait-limit-minutes: must be at most {}",
            portqueue_core::queue::matching::MAX_WAIT_LIMIT_MINUTES
        ));
    }
    if let Some(spec) = &args.counter_languages {
        let counters = simulate::parse_counter_languages(spec, args.counters)
            .map_err(|e| format!("counter-languages: {e}"))?;
        let languages = simulate::CounterLanguages {
            counters,
            wait_limit_minutes: args.language_wait_limit_minutes,
        };
        let rows = simulate::run_matched(&arrivals, &policy, args.counters, tz, &languages);
        return match args.format {
            SimFormat::Csv => simulate::write_csv_matched(&rows, std::io::stdout().lock())
                .map_err(|e| e.to_string()),
            SimFormat::Json => {
                println!("{}", simulate::to_json_matched(&rows));
                Ok(())
            }
        };
    }
    let rows = simulate::run(&arrivals, &policy, args.counters, tz);
    match args.format {
        SimFormat::Csv => {
            simulate::write_csv(&rows, std::io::stdout().lock()).map_err(|e| e.to_string())
        }
        SimFormat::Json => {
            println!("{}", simulate::to_json(&rows));
            Ok(())
        }
    }
}

/// `portqueue report`: the daily report on standard output, acting as the system admin.
fn run_report(
    conn: &mut db::DbConnection,
    admin: &auth::Actor,
    args: &ReportArgs,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), String> {
    let date = reports::parse_date("date", Some(&args.date)).map_err(show)?;
    let port = crate::service::port_by_code(conn, &args.port).map_err(show)?;
    let report = reports::reader(admin, &port)
        .and_then(|r| reports::daily(conn, &r, date, now))
        .map_err(show)?;
    let text = match args.format {
        ReportFormat::Html => crate::web::reports::standalone_html(&report)
            .map_err(|e| format!("the report page could not be drawn: {e}"))?,
        ReportFormat::Csv => portqueue_core::reports::to_csv(&report),
        ReportFormat::Json => {
            let mut json = serde_json::to_string(&report).map_err(|e| e.to_string())?;
            json.push('\n');
            json
        }
    };
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .map_err(|e| format!("cannot write the report: {e}"))
}
