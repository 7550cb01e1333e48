//! Configuration, read from the command line or environment variables (`server --help` lists
//! them with their defaults).

use clap::{Args, Parser, Subcommand, ValueEnum};
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

/// How the server runs. Every field has a documented default so `server` starts with no set-up.
#[derive(Clone, Debug, Args)]
pub struct Config {
    /// Address and port to listen on. Defaults to cargo-leptos's site address, else 127.0.0.1:3000.
    #[arg(long, env = "LISTEN_ADDR")]
    pub listen: Option<SocketAddr>,

    /// Where the SQLite database and other local state live (created if missing).
    #[arg(long, env = "DATA_DIR", default_value = "data")]
    pub data_dir: PathBuf,

    /// Where vectors of catalog names and ESCO labels are cached (computed once per model and
    /// catalog). Empty: DATA_DIR/cache.
    #[arg(long, env = "CACHE_DIR")]
    pub cache_dir: Option<PathBuf>,

    /// `postgres://…` for PostgreSQL or `sqlite://…` for SQLite. Empty: SQLite in DATA_DIR/talentloom.db.
    #[arg(long, env = "DATABASE_URL", hide_env_values = true)]
    pub database_url: Option<String>,

    /// The address people reach the site at, used in e-mailed links and to check request
    /// origins. An `https://` URL also turns on secure cookies (`__Host-` prefix) and HSTS.
    /// Empty: http://<listen address>.
    #[arg(long, env = "PUBLIC_URL")]
    pub public_url: Option<url::Url>,

    /// Sign out after this many minutes without a request.
    #[arg(long, env = "SESSION_IDLE_MINUTES", default_value_t = 8 * 60)]
    pub session_idle_minutes: i64,

    /// Sign out this many hours after signing in, however active the session is.
    #[arg(long, env = "SESSION_ABSOLUTE_HOURS", default_value_t = 7 * 24)]
    pub session_absolute_hours: i64,

    /// Sign-in attempts allowed per minute from one client address.
    #[arg(long, env = "SIGN_IN_ATTEMPTS_PER_MINUTE", default_value_t = 10)]
    pub sign_in_attempts_per_minute: u32,

    /// Failed sign-ins in a row that lock an account.
    #[arg(long, env = "LOCKOUT_THRESHOLD", default_value_t = 5)]
    pub lockout_threshold: i64,

    /// How long a locked account stays locked, in minutes.
    #[arg(long, env = "LOCKOUT_MINUTES", default_value_t = 15)]
    pub lockout_minutes: i64,

    /// Take the client address from the first `X-Forwarded-For` entry (only behind a proxy you run).
    #[arg(long, env = "TRUST_PROXY_HEADERS", default_value_t = false)]
    pub trust_proxy_headers: bool,

    /// Days before an invitation link expires.
    #[arg(long, env = "INVITATION_DAYS", default_value_t = 7)]
    pub invitation_days: i64,

    /// SMTP server for outgoing mail, e.g. `smtps://user:pass@mail.example.com` or
    /// `smtp://127.0.0.1:2525`. Empty: mail stays in the outbox, readable by admins.
    #[arg(long, env = "SMTP_URL", hide_env_values = true)]
    pub smtp_url: Option<String>,

    /// Sender of outgoing mail.
    #[arg(
        long,
        env = "MAIL_FROM",
        default_value = "Talentloom <noreply@talentloom.localhost>"
    )]
    pub mail_from: String,

    /// Directory holding the embedding model (model.safetensors, tokenizer.json, config.json).
    /// `.ci/fetch-model.sh` fetches it there; the server checks each file's SHA-256 at start.
    #[arg(long, env = "MODEL_DIR", default_value = "models/all-MiniLM-L6-v2")]
    pub model_dir: PathBuf,

    /// CPU threads for model inference. One is the reliable choice on a small shared machine;
    /// more help only when cores are otherwise idle.
    #[arg(long, env = "INFERENCE_THREADS", default_value_t = 1)]
    pub inference_threads: usize,

    /// Texts per forward pass of the model.
    #[arg(long, env = "EMBED_BATCH", default_value_t = 32)]
    pub embed_batch: usize,

    /// Embedding requests allowed to wait; beyond this the server answers "busy" instead of
    /// queueing without bound.
    #[arg(long, env = "EMBED_QUEUE", default_value_t = 256)]
    pub embed_queue: usize,

    /// Log format.
    #[arg(long, env = "LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

impl Config {
    /// The configuration with every default, for tests and embedding.
    pub fn defaults() -> Self {
        Cli::parse_from(["server"]).config
    }

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
