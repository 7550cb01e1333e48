//! The one data-access layer. Both backends go through sqlx's `Any` driver with portable SQL
//! (`$n` parameters, `RETURNING`, integer timestamps), so each query is written once; only the
//! migrations differ per backend (and the few statements that lock rows, see `Db::backend`).

use sqlx::{
    any::{AnyConnectOptions, AnyPoolOptions},
    migrate::Migrator,
    AnyPool, Executor,
};
use std::{path::Path, str::FromStr, time::Duration};

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("../migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("../migrations/postgres");

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The pool and which backend it talks to.
#[derive(Clone, Debug)]
pub struct Db {
    pub pool: AnyPool,
    pub backend: Backend,
}

#[derive(Debug, thiserror::Error)]
pub enum DbSetupError {
    #[error("DATABASE_URL must start with postgres://, postgresql:// or sqlite:// (got {0:?})")]
    UnknownScheme(String),
    #[error("cannot create the data directory {path}: {source}")]
    DataDir {
        path: String,
        source: std::io::Error,
    },
    #[error("cannot connect to the database: {0}")]
    Connect(#[source] sqlx::Error),
    #[error("cannot apply the database migrations: {0}")]
    Migrate(#[source] sqlx::migrate::MigrateError),
}

impl Db {
    /// Connects (creating the SQLite file if needed) and applies the migrations.
    pub async fn connect(url: Option<&str>, data_dir: &Path) -> Result<Self, DbSetupError> {
        sqlx::any::install_default_drivers();
        let url = match url.filter(|u| !u.trim().is_empty()) {
            Some(url) => url.to_owned(),
            None => {
                std::fs::create_dir_all(data_dir).map_err(|source| DbSetupError::DataDir {
                    path: data_dir.display().to_string(),
                    source,
                })?;
                format!(
                    "sqlite://{}?mode=rwc",
                    data_dir.join("talentloom.db").display()
                )
            }
        };
        let backend = if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Backend::Postgres
        } else if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else {
            return Err(DbSetupError::UnknownScheme(
                url.split(':').next().unwrap_or_default().to_owned(),
            ));
        };
        let options = AnyConnectOptions::from_str(&url).map_err(DbSetupError::Connect)?;
        let mut pool = AnyPoolOptions::new().acquire_timeout(Duration::from_secs(10));
        if backend == Backend::Sqlite {
            // WAL lets readers run beside the writer; FULL sync makes a commit durable; foreign keys
            // are off by default in SQLite; the busy timeout queues writers instead of failing them.
            pool = pool.max_connections(8).after_connect(|conn, _| {
                Box::pin(async move {
                    conn.execute("PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;")
                        .await
                        .map(|_| ())
                })
            });
        } else {
            pool = pool.max_connections(16);
        }
        let pool = pool
            .connect_with(options)
            .await
            .map_err(DbSetupError::Connect)?;
        let migrator = match backend {
            Backend::Sqlite => &SQLITE_MIGRATIONS,
            Backend::Postgres => &POSTGRES_MIGRATIONS,
        };
        migrator.run(&pool).await.map_err(DbSetupError::Migrate)?;
        Ok(Self { pool, backend })
    }

    /// Starts a transaction. On SQLite it takes the write lock at once (`BEGIN IMMEDIATE`): a
    /// transaction that reads first and writes later would otherwise fail with "database is
    /// locked" (SQLITE_BUSY, without waiting) when another connection wrote in between, which
    /// the background jobs do all the time. Waiting for the lock honours `busy_timeout`.
    pub async fn begin(&self) -> Result<sqlx::Transaction<'static, sqlx::Any>, sqlx::Error> {
        match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await,
            Backend::Postgres => self.pool.begin().await,
        }
    }

    /// On SQLite, copies the write-ahead log into the database file on a connection of its own
    /// (a passive checkpoint: it waits for no writer or reader), so a busy writer's commits do
    /// not find the log past its limit and copy it themselves; answers the task. Nothing to do on
    /// PostgreSQL.
    pub fn checkpoint_beside(&self) -> Option<tokio::task::JoinHandle<()>> {
        if self.backend != Backend::Sqlite {
            return None;
        }
        let pool = self.pool.clone();
        Some(tokio::spawn(async move {
            if let Err(err) = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
                .execute(&pool)
                .await
            {
                tracing::warn!(error = %err, "copying the write-ahead log into the database");
            }
        }))
    }

    /// A person's name as records and e-mails show it ("moved by …").
    pub async fn user_name(&self, user_id: i64) -> Result<String, app::error::ApiError> {
        use crate::platform::error::OrInternal;
        sqlx::query_scalar("SELECT name FROM users WHERE id = $1")
            .bind(user_id)
            .fetch_one(&self.pool)
            .await
            .or_internal("reading a person's name")
    }

    /// Whether the database answers (for `/readyz`).
    pub async fn ping(&self) -> bool {
        sqlx::query("SELECT 1").execute(&self.pool).await.is_ok()
    }
}

/// The unique constraints that a user's input can run into, each known by its name on
/// PostgreSQL and by its columns in SQLite's message ("UNIQUE constraint failed: users.email"),
/// so a violation is mapped to the right field error even where a table has several.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unique {
    UserEmail,
    OrganisationSlug,
    Membership,
    SessionId,
    InvitationToken,
    JobSlug,
}

const UNIQUE_CONSTRAINTS: [(Unique, &str, &str); 6] = [
    (Unique::UserEmail, "users_email_key", "users.email"),
    (
        Unique::OrganisationSlug,
        "organisations_slug_key",
        "organisations.slug",
    ),
    (
        Unique::Membership,
        "memberships_pkey",
        "memberships.org_id, memberships.user_id",
    ),
    (Unique::SessionId, "sessions_pkey", "sessions.id"),
    (
        Unique::InvitationToken,
        "invitations_token_hash_key",
        "invitations.token_hash",
    ),
    (
        Unique::JobSlug,
        "jobs_org_slug_key",
        "jobs.org_id, jobs.slug",
    ),
];

/// Which of our unique constraints an insert or update violated, if that is why it failed.
pub fn unique_violation(err: &sqlx::Error) -> Option<Unique> {
    let sqlx::Error::Database(db) = err else {
        return None;
    };
    if db.kind() != sqlx::error::ErrorKind::UniqueViolation {
        return None;
    }
    let columns = db.message().strip_prefix("UNIQUE constraint failed: ");
    UNIQUE_CONSTRAINTS
        .iter()
        .find(|(_, name, cols)| db.constraint() == Some(*name) || columns == Some(*cols))
        .map(|(unique, ..)| *unique)
}

/// The current time in unix seconds.
pub fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

/// A value for a `$n` placeholder of a query put together at run time.
#[derive(Clone, Debug)]
pub enum Param {
    Int(i64),
    Text(String),
}

/// Conditions joined by `AND`, each with its parameters, numbered `$1`, `$2`… in the order
/// they were added: the filters of a list, written once for its count and its page.
#[derive(Clone, Debug, Default)]
pub struct Conditions {
    sql: String,
    params: Vec<Param>,
}

impl Conditions {
    /// Adds the condition `write` returns given the number of the first of `params`.
    pub fn push(&mut self, write: impl FnOnce(usize) -> String, params: Vec<Param>) {
        let first = self.params.len() + 1;
        self.sql
            .push_str(if self.sql.is_empty() { "" } else { " AND " });
        self.sql.push_str(&write(first));
        self.params.extend(params);
    }

    /// The conditions (`TRUE`-like when there are none), for after `WHERE`.
    pub fn sql(&self) -> &str {
        if self.sql.is_empty() {
            "1 = 1"
        } else {
            &self.sql
        }
    }

    /// The number of the next parameter after these conditions'.
    pub fn next(&self) -> usize {
        self.params.len() + 1
    }

    pub fn bind_as<'q, O>(
        &self,
        mut query: sqlx::query::QueryAs<'q, sqlx::Any, O, sqlx::any::AnyArguments<'q>>,
    ) -> sqlx::query::QueryAs<'q, sqlx::Any, O, sqlx::any::AnyArguments<'q>> {
        for param in &self.params {
            query = match param {
                Param::Int(value) => query.bind(*value),
                Param::Text(value) => query.bind(value.clone()),
            };
        }
        query
    }

    pub fn bind_scalar<'q, O>(
        &self,
        mut query: sqlx::query::QueryScalar<'q, sqlx::Any, O, sqlx::any::AnyArguments<'q>>,
    ) -> sqlx::query::QueryScalar<'q, sqlx::Any, O, sqlx::any::AnyArguments<'q>> {
        for param in &self.params {
            query = match param {
                Param::Int(value) => query.bind(*value),
                Param::Text(value) => query.bind(value.clone()),
            };
        }
        query
    }
}
