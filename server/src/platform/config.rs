//! Configuration, read from the command line or environment variables (`server --help` lists
//! them with their defaults). [`Config::default`] is the same configuration without reading the
//! environment: tests and embedders build theirs from it explicitly.

use clap::{Args, Parser, Subcommand, ValueEnum};
use ipnet::IpNet;
use std::{net::SocketAddr, path::PathBuf};

#[derive(Debug, Parser)]
#[command(
    name = "server",
    about = "Talentloom: hire and grow people, with AI that stays on your server."
)]
pub struct Cli {
    #[command(flatten)]
    pub config: Config,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Start the web server (the default).
    Serve,
    /// Embed texts: JSON Lines `{"id","text"}` on stdin → `{"id","vector":[384 floats]}` on stdout.
    Embed,
    /// Find skills: `{"id","text","kind"?:"cv"|"job"}` → `{"id","skills":[{"label","uri"?,
    /// "confidence","spans":[[start,end],…]}]}` with byte offsets into the text. A CV also gets
    /// the level, years and last use it states.
    Skills {
        /// `builtin` (Talentloom's own catalog) or `esco:DIR` (an ESCO CSV export).
        #[arg(long, default_value = "builtin")]
        catalog: CatalogChoice,
    },
    /// Rank candidates: `{"job":{"text","skills"?,"location"?,"remote"?,"seniority"?},
    /// "candidates":[{"id","text","skills"?,"location"?,"years_experience"?}]}` → `{"ranked":[{"id",
    /// "score","parts","similarity","matched","missing","notes"}]}`, best first.
    Rank,
    /// Measure matching quality on labelled CV and job pairs (TOML files in PAIRS): prints the
    /// report as JSON; with --write, also as Markdown to that file (docs/QUALITY.md).
    Quality {
        /// Directory of the labelled pairs.
        #[arg(long, default_value = "server/tests/fixtures/match-pairs")]
        pairs: PathBuf,
        /// Where to write the Markdown report.
        #[arg(long)]
        write: Option<PathBuf>,
        /// A CoNLL file of annotated skill spans (the test split of acp19tag's
        /// skill-extraction-dataset, raw_data/testset.txt); without it that part is skipped.
        #[arg(long)]
        spans: Option<PathBuf>,
    },
    /// Job titles to ESCO occupations: `{"id","text"}` → `{"id","occupations":[{"uri","label",
    /// "score"}]}` (the 10 closest). Label vectors are cached in CACHE_DIR.
    Occupations {
        /// Directory of the ESCO CSV export (occupations_en.csv, occupationSkillRelations.csv,
        /// skills_en.csv).
        #[arg(long)]
        esco: PathBuf,
    },
    /// Import the ESCO taxonomy into the database (DATABASE_URL, else DATA_DIR's SQLite file) from
    /// the official CSV export in DIR, replacing an earlier import in one transaction. A running
    /// server uses it after a restart.
    ImportEsco {
        /// Directory of the ESCO CSV export (occupations_en.csv, skills_en.csv,
        /// occupationSkillRelations.csv).
        dir: PathBuf,
    },
    /// Print the newest mails to ADDRESS from the outbox (JSON Lines, newest first), links
    /// included: for an operator without SMTP who must hand someone their reset or confirmation
    /// link. Uses DATABASE_URL, else DATA_DIR's SQLite file.
    Outbox {
        /// The recipient's address.
        #[arg(long)]
        to: String,
    },
    /// Internal: reads one uploaded document from stdin and writes its text as JSON to stdout,
    /// under the limits the server sets. The server runs it as a child process so that a hostile
    /// file can only take this process down.
    #[command(hide = true)]
    ExtractText {
        /// The format the upload declared: pdf, docx, text or markdown.
        #[arg(long)]
        format: String,
        /// Address-space limit in MiB.
        #[arg(long)]
        memory_mib: u64,
    },
}

/// Which skill catalog a command uses.
#[derive(Clone, Debug)]
pub enum CatalogChoice {
    Builtin,
    Esco(PathBuf),
}

impl std::str::FromStr for CatalogChoice {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "builtin" => Ok(Self::Builtin),
            _ => match s.strip_prefix("esco:") {
                Some(dir) if !dir.is_empty() => Ok(Self::Esco(dir.into())),
                _ => Err(format!(
                    "unknown catalog {s:?}: use `builtin` or `esco:DIR` (DIR holding skills_en.csv)"
                )),
            },
        }
    }
}

impl CatalogChoice {
    pub fn load(
        &self,
    ) -> Result<crate::matching::catalog::Catalog, crate::matching::catalog::CatalogError> {
        match self {
            Self::Builtin => Ok(crate::matching::catalog::Catalog::builtin()),
            Self::Esco(dir) => crate::matching::catalog::Catalog::esco(dir),
        }
    }
}

/// The defaults, named once for the command line and for [`Config::default`].
mod defaults {
    pub const DATA_DIR: &str = "data";
    pub const SESSION_IDLE_MINUTES: i64 = 8 * 60;
    pub const SESSION_ABSOLUTE_HOURS: i64 = 7 * 24;
    pub const SIGN_IN_ATTEMPTS_PER_MINUTE: u32 = 10;
    pub const SIGN_UPS_PER_HOUR: u32 = 20;
    pub const LOCKOUT_THRESHOLD: i64 = 5;
    pub const LOCKOUT_MINUTES: i64 = 15;
    pub const TRUSTED_PROXIES: &str = "127.0.0.0/8,::1/128";
    pub const INVITATION_DAYS: i64 = 7;
    pub const INVITATIONS_PER_HOUR: u32 = 30;
    pub const MAIL_FROM: &str = "Talentloom <noreply@talentloom.localhost>";
    pub const MODEL_DIR: &str = "models/all-MiniLM-L6-v2";
    pub const INFERENCE_THREADS: usize = 1;
    pub const EMBED_BATCH: usize = 32;
    pub const EMBED_QUEUE: usize = 256;
    pub const PASSWORD_HASHING_CONCURRENCY: usize = 4;
    pub const EXTRACT_CONCURRENCY: usize = 2;
    pub const EXTRACT_TIMEOUT_SECONDS: u64 = 20;
    pub const EXTRACT_MEMORY_MIB: u64 = 1024;
    pub const REQUEST_TIMEOUT_SECONDS: u64 = 60;
    pub const WS_MAX_CONNECTIONS: usize = 10_000;
    pub const WS_HEARTBEAT_SECONDS: u64 = 25;
    pub const APPLICATIONS_PER_HOUR: u32 = 10;
}

/// How the server runs. Every field has a documented default so `server` starts with no set-up.
#[derive(Clone, Debug, Args)]
pub struct Config {
    /// Address and port to listen on. Defaults to cargo-leptos's site address, else 127.0.0.1:3000.
    #[arg(long, env = "LISTEN_ADDR")]
    pub listen: Option<SocketAddr>,

    /// Where the SQLite database and other local state live (created if missing).
    #[arg(long, env = "DATA_DIR", default_value = defaults::DATA_DIR)]
    pub data_dir: PathBuf,

    /// Where vectors of catalog names and ESCO labels are cached (computed once per model and
    /// catalog). Empty: DATA_DIR/cache.
    #[arg(long, env = "CACHE_DIR")]
    pub cache_dir: Option<PathBuf>,

    /// `postgres://…` for PostgreSQL or `sqlite://…` for SQLite. Empty: SQLite in DATA_DIR/talentloom.db.
    #[arg(long, env = "DATABASE_URL", hide_env_values = true)]
    pub database_url: Option<String>,

    /// The address people reach the site at, used in e-mailed links and as the only origin
    /// allowed to send state-changing requests. An `https://` URL also turns on secure cookies
    /// (`__Host-` prefix) and HSTS. Empty: http://<listen address> (and, on a loopback address,
    /// its `localhost` spelling).
    #[arg(long, env = "PUBLIC_URL")]
    pub public_url: Option<url::Url>,

    /// Serve Prometheus metrics (`/metrics`) on this separate address, e.g. 127.0.0.1:9300.
    /// Empty: no metrics endpoint.
    #[arg(long, env = "METRICS_ADDR")]
    pub metrics_addr: Option<SocketAddr>,

    /// Sign out after this many minutes without a request.
    #[arg(long, env = "SESSION_IDLE_MINUTES", default_value_t = defaults::SESSION_IDLE_MINUTES)]
    pub session_idle_minutes: i64,

    /// Sign out this many hours after signing in, however active the session is.
    #[arg(long, env = "SESSION_ABSOLUTE_HOURS", default_value_t = defaults::SESSION_ABSOLUTE_HOURS)]
    pub session_absolute_hours: i64,

    /// Sign-in attempts allowed per minute from one client address.
    #[arg(long, env = "SIGN_IN_ATTEMPTS_PER_MINUTE", default_value_t = defaults::SIGN_IN_ATTEMPTS_PER_MINUTE)]
    pub sign_in_attempts_per_minute: u32,

    /// New accounts allowed per hour from one client address (sign-up and accepting an
    /// invitation with a new account).
    #[arg(long, env = "SIGN_UPS_PER_HOUR", default_value_t = defaults::SIGN_UPS_PER_HOUR)]
    pub sign_ups_per_hour: u32,

    /// Failed sign-ins in a row, for one account from one client address, that lock that
    /// account for that address.
    #[arg(long, env = "LOCKOUT_THRESHOLD", default_value_t = defaults::LOCKOUT_THRESHOLD)]
    pub lockout_threshold: i64,

    /// How long a lock lasts, in minutes.
    #[arg(long, env = "LOCKOUT_MINUTES", default_value_t = defaults::LOCKOUT_MINUTES)]
    pub lockout_minutes: i64,

    /// Trust `X-Forwarded-For` and `X-Request-Id` from the proxies in TRUSTED_PROXIES (only
    /// behind a reverse proxy you run).
    #[arg(long, env = "TRUST_PROXY_HEADERS", default_value_t = false)]
    pub trust_proxy_headers: bool,

    /// Addresses of your reverse proxies (comma-separated addresses or CIDR ranges). The client
    /// address is the right-most `X-Forwarded-For` entry that is not one of them.
    #[arg(long, env = "TRUSTED_PROXIES", value_delimiter = ',', default_value = defaults::TRUSTED_PROXIES)]
    pub trusted_proxies: Vec<IpNet>,

    /// Days before an invitation link expires.
    #[arg(long, env = "INVITATION_DAYS", default_value_t = defaults::INVITATION_DAYS)]
    pub invitation_days: i64,

    /// Invitations one organisation may send per hour.
    #[arg(long, env = "INVITATIONS_PER_HOUR", default_value_t = defaults::INVITATIONS_PER_HOUR)]
    pub invitations_per_hour: u32,

    /// SMTP server for outgoing mail, e.g. `smtps://user:pass@mail.example.com` or
    /// `smtp://127.0.0.1:2525`. Empty: mail stays in the outbox, readable by admins.
    #[arg(long, env = "SMTP_URL", hide_env_values = true)]
    pub smtp_url: Option<String>,

    /// Sender of outgoing mail.
    #[arg(long, env = "MAIL_FROM", default_value = defaults::MAIL_FROM)]
    pub mail_from: String,

    /// Directory holding the embedding model (model.safetensors, tokenizer.json, config.json).
    /// `.ci/fetch-model.sh` fetches it there; the server checks each file's SHA-256 at start.
    #[arg(long, env = "MODEL_DIR", default_value = defaults::MODEL_DIR)]
    pub model_dir: PathBuf,

    /// CPU threads for model inference. One is the reliable choice on a small shared machine;
    /// more help only when cores are otherwise idle. A short input (a search query, at most 32
    /// tokens) is the exception: it runs on the shared scan threads (every core, up to four),
    /// because reading the model's weights, not arithmetic, is what it waits for.
    #[arg(long, env = "INFERENCE_THREADS", default_value_t = defaults::INFERENCE_THREADS)]
    pub inference_threads: usize,

    /// Texts per forward pass of the model.
    #[arg(long, env = "EMBED_BATCH", default_value_t = defaults::EMBED_BATCH)]
    pub embed_batch: usize,

    /// Embedding requests allowed to wait; beyond this the server answers "busy" instead of
    /// queueing without bound.
    #[arg(long, env = "EMBED_QUEUE", default_value_t = defaults::EMBED_QUEUE)]
    pub embed_queue: usize,

    /// Passwords hashed at the same time (each takes 19 MiB); more wait their turn.
    #[arg(long, env = "PASSWORD_HASHING_CONCURRENCY", default_value_t = defaults::PASSWORD_HASHING_CONCURRENCY)]
    pub password_hashing_concurrency: usize,

    /// Uploaded documents read at the same time (each in its own child process).
    #[arg(long, env = "EXTRACT_CONCURRENCY", default_value_t = defaults::EXTRACT_CONCURRENCY)]
    pub extract_concurrency: usize,

    /// Seconds a child process may take to read one document before it is stopped.
    #[arg(long, env = "EXTRACT_TIMEOUT_SECONDS", default_value_t = defaults::EXTRACT_TIMEOUT_SECONDS)]
    pub extract_timeout_seconds: u64,

    /// Address space, in MiB, a child process reading one document may use.
    #[arg(long, env = "EXTRACT_MEMORY_MIB", default_value_t = defaults::EXTRACT_MEMORY_MIB)]
    pub extract_memory_mib: u64,

    /// The program run to read uploaded documents (`<program> extract-text`). Empty: this
    /// server binary.
    #[arg(long, env = "EXTRACTOR", hide = true)]
    pub extractor: Option<PathBuf>,

    /// Seconds a request (including reading its body) may take before it is answered 408.
    #[arg(long, env = "REQUEST_TIMEOUT_SECONDS", default_value_t = defaults::REQUEST_TIMEOUT_SECONDS)]
    pub request_timeout_seconds: u64,

    /// Realtime WebSocket connections the server keeps open at most (each person at most 20).
    #[arg(long, env = "WS_MAX_CONNECTIONS", default_value_t = defaults::WS_MAX_CONNECTIONS)]
    pub ws_max_connections: usize,

    /// Seconds between the server's pings on each realtime connection; one that answers
    /// nothing for three of them is closed.
    #[arg(long, env = "WS_HEARTBEAT_SECONDS", default_value_t = defaults::WS_HEARTBEAT_SECONDS)]
    pub ws_heartbeat_seconds: u64,

    /// Where uploaded files (CVs) are kept: `s3://bucket/prefix` for an S3-compatible bucket
    /// (credentials, region and endpoint from the usual AWS_* variables: AWS_ACCESS_KEY_ID,
    /// AWS_SECRET_ACCESS_KEY, AWS_REGION, AWS_ENDPOINT, AWS_ALLOW_HTTP), so several servers share
    /// them; a directory path otherwise. Empty: DATA_DIR/files.
    #[arg(long, env = "FILE_STORE")]
    pub file_store: Option<String>,

    /// Applications one client address may send per hour from the careers pages.
    #[arg(long, env = "APPLICATIONS_PER_HOUR", default_value_t = defaults::APPLICATIONS_PER_HOUR)]
    pub applications_per_hour: u32,

    /// Log format.
    #[arg(long, env = "LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

fn loopback_proxies() -> Vec<IpNet> {
    defaults::TRUSTED_PROXIES
        .split(',')
        .filter_map(|net| net.parse().ok())
        .collect()
}

impl Default for Config {
    /// Every default, without looking at the environment.
    fn default() -> Self {
        use defaults::*;
        Self {
            listen: None,
            data_dir: DATA_DIR.into(),
            cache_dir: None,
            database_url: None,
            public_url: None,
            metrics_addr: None,
            session_idle_minutes: SESSION_IDLE_MINUTES,
            session_absolute_hours: SESSION_ABSOLUTE_HOURS,
            sign_in_attempts_per_minute: SIGN_IN_ATTEMPTS_PER_MINUTE,
            sign_ups_per_hour: SIGN_UPS_PER_HOUR,
            lockout_threshold: LOCKOUT_THRESHOLD,
            lockout_minutes: LOCKOUT_MINUTES,
            trust_proxy_headers: false,
            trusted_proxies: loopback_proxies(),
            invitation_days: INVITATION_DAYS,
            invitations_per_hour: INVITATIONS_PER_HOUR,
            smtp_url: None,
            mail_from: MAIL_FROM.into(),
            model_dir: MODEL_DIR.into(),
            inference_threads: INFERENCE_THREADS,
            embed_batch: EMBED_BATCH,
            embed_queue: EMBED_QUEUE,
            password_hashing_concurrency: PASSWORD_HASHING_CONCURRENCY,
            extract_concurrency: EXTRACT_CONCURRENCY,
            extract_timeout_seconds: EXTRACT_TIMEOUT_SECONDS,
            extract_memory_mib: EXTRACT_MEMORY_MIB,
            extractor: None,
            request_timeout_seconds: REQUEST_TIMEOUT_SECONDS,
            ws_max_connections: WS_MAX_CONNECTIONS,
            ws_heartbeat_seconds: WS_HEARTBEAT_SECONDS,
            file_store: None,
            applications_per_hour: APPLICATIONS_PER_HOUR,
            log_format: LogFormat::Text,
        }
    }
}

impl Config {
    /// `CACHE_DIR`, else `DATA_DIR/cache`.
    pub fn cache_dir(&self) -> PathBuf {
        self.cache_dir
            .clone()
            .unwrap_or_else(|| self.data_dir.join("cache"))
    }

    /// How the inference thread batches, from the settings above.
    pub fn batch_settings(&self) -> crate::matching::BatchSettings {
        crate::matching::BatchSettings {
            max_batch: self.embed_batch.max(1),
            queue: self.embed_queue.max(1),
            ..Default::default()
        }
    }

    /// Whether the site is served over https (secure cookies, HSTS).
    pub fn https(&self) -> bool {
        self.public_url
            .as_ref()
            .is_some_and(|u| u.scheme() == "https")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The command line without arguments and `Config::default()` agree, so neither drifts.
    #[test]
    fn defaults_agree_with_the_command_line() {
        let command = <Cli as clap::CommandFactory>::command();
        let set: Vec<&str> = command
            .get_arguments()
            .filter_map(|arg| arg.get_env()?.to_str())
            .filter(|name| std::env::var_os(name).is_some())
            .collect();
        let ours = format!("{:?}", Config::default());
        if set.is_empty() {
            let parsed = Cli::try_parse_from(["server"]).map(|cli| format!("{:?}", cli.config));
            assert_eq!(parsed.ok().as_ref(), Some(&ours));
        } else {
            eprintln!(
                "NOTICE: {set:?} set in the environment; compared only what they leave alone"
            );
        }
        assert!(
            ours.contains("trusted_proxies: [127.0.0.0/8, ::1/128]"),
            "{ours}"
        );
    }
}
