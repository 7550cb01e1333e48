//! Accounts: sign-up, sign-in and sign-out, and who a request's session belongs to. argon2id
//! hashing off the async runtime with a concurrency cap, lockout per account and client address,
//! rate limits per client address, and equal work for unknown addresses.

pub mod gate;
mod lockout;
pub mod passwords;
pub mod self_service;

use crate::platform::{
    client::ClientAddresses,
    db::{now, unique_violation, Db, Unique},
    error::{internal, OrInternal},
    limits::RateLimit,
    sessions::{signed_in_user, LAST_SEEN, SIGNED_IN_AT, USER_ID},
};
use app::{
    accounts::{
        api::{SignIn, SignUp},
        seam::AccountsSeam,
    },
    error::ApiError,
    seam::Visitor,
};
use http::request::Parts;
use lockout::{Attempt, Lockout};
use passwords::{check_new_password, Passwords};
use prometheus::IntGauge;
use shared::{accounts::Me, orgs::Membership, time::format_time_of_day, validation};
use std::time::Duration;
use tower_sessions::Session;

pub use lockout::Lockout as SignInLockout;

/// A session's idle expiry is moved forward at most this often (each move is a write).
const REFRESH_SESSION_SECS: i64 = 60;

/// What accounts need from the configuration.
#[derive(Clone, Debug)]
pub struct AccountSettings {
    pub session_absolute_hours: i64,
    pub sign_in_attempts_per_minute: u32,
    pub sign_ups_per_hour: u32,
    pub lockout_threshold: i64,
    pub lockout_minutes: i64,
    pub password_hashing_concurrency: usize,
}

/// The account service; clones share everything.
#[derive(Clone)]
pub struct Accounts {
    db: Db,
    absolute_secs: i64,
    pub passwords: Passwords,
    lockout: Lockout,
    sign_ins: RateLimit<String>,
    sign_ups: RateLimit<String>,
    clients: ClientAddresses,
    /// Signed-in sessions (a metric), moved on sign-in and sign-out.
    sessions: IntGauge,
}

#[derive(Debug, thiserror::Error)]
pub enum AccountSetupError {
    #[error("SIGN_IN_ATTEMPTS_PER_MINUTE and SIGN_UPS_PER_HOUR must be at least 1")]
    RateLimit,
    #[error("cannot prepare password hashing: {0}")]
    Hashing(String),
}

#[derive(sqlx::FromRow)]
struct UserRow {
    email: String,
    name: String,
    active_slug: Option<String>,
    email_verified_at: Option<i64>,
}

impl Accounts {
    /// Prepares the service (one argon2 hash: call it off the async runtime's hot path).
    pub fn new(
        db: Db,
        settings: &AccountSettings,
        clients: ClientAddresses,
        metrics: &crate::platform::metrics::Metrics,
    ) -> Result<Self, AccountSetupError> {
        let sign_ins = RateLimit::new(
            settings.sign_in_attempts_per_minute,
            Duration::from_secs(60),
        )
        .ok_or(AccountSetupError::RateLimit)?;
        let sign_ups = RateLimit::new(settings.sign_ups_per_hour, Duration::from_secs(3600))
            .ok_or(AccountSetupError::RateLimit)?;
        Ok(Self {
            passwords: Passwords::new(
                settings.password_hashing_concurrency,
                metrics.password_checks.clone(),
            )
            .map_err(AccountSetupError::Hashing)?,
            lockout: Lockout::new(
                db.clone(),
                settings.lockout_threshold,
                settings.lockout_minutes,
            ),
            db,
            absolute_secs: settings.session_absolute_hours * 3600,
            sign_ins,
            sign_ups,
            clients,
            sessions: metrics.sessions.clone(),
        })
    }

    /// The signed-in user of a request, or `None`. Ends a session whose absolute lifetime is
    /// over, and moves an active session's idle expiry forward (at most once a minute).
    pub async fn user_of(&self, parts: &Parts) -> Result<Option<i64>, ApiError> {
        let session = session_of(parts)?;
        let get = |key: &'static str| {
            let session = session.clone();
            async move { session.get::<i64>(key).await.or_internal("reading session") }
        };
        let user_id = get(USER_ID).await?;
        if user_id.is_none() {
            return Ok(None);
        }
        let now = now();
        let Some(user_id) =
            signed_in_user(user_id, get(SIGNED_IN_AT).await?, now, self.absolute_secs)
        else {
            session
                .flush()
                .await
                .or_internal("ending expired session")?;
            return Ok(None);
        };
        // tower-sessions saves (and so extends) only a modified session.
        if get(LAST_SEEN)
            .await?
            .is_none_or(|seen| now - seen >= REFRESH_SESSION_SECS)
        {
            session
                .insert(LAST_SEEN, now)
                .await
                .or_internal("refreshing session")?;
        }
        Ok(Some(user_id))
    }

    /// How long a signed-in session lives at most, in seconds.
    pub fn absolute_secs(&self) -> i64 {
        self.absolute_secs
    }

    /// The client address's key for rate limits and locks.
    pub fn client_key(&self, parts: &Parts) -> String {
        self.clients.key(parts)
    }

    /// Counts one new account for the client address (`RateLimited` when there were too many).
    pub fn count_sign_up(&self, parts: &Parts) -> Result<(), ApiError> {
        self.sign_ups.check(&self.client_key(parts))
    }

    /// The user and their memberships; `None` if the account no longer exists.
    /// Who is signed in on this request, if anyone.
    pub async fn me_of(&self, parts: &Parts) -> Result<Option<Me>, ApiError> {
        let Some(user_id) = self.user_of(parts).await? else {
            return Ok(None);
        };
        self.load_me(user_id).await
    }

    pub async fn load_me(&self, user_id: i64) -> Result<Option<Me>, ApiError> {
        let pool = &self.db.pool;
        let Some(user) = sqlx::query_as::<_, UserRow>(
            "SELECT u.email, u.name, o.slug AS active_slug, u.email_verified_at FROM users u \
             LEFT JOIN organisations o ON o.id = u.active_org_id WHERE u.id = $1",
        )
        .bind(user_id)
        .fetch_optional(pool)
        .await
        .or_internal("loading user")?
        else {
            return Ok(None);
        };
        let unread = crate::chat::unread_query("m.user_id", "o.id");
        let memberships: Vec<Membership> =
            sqlx::query_as::<_, crate::orgs::MembershipRow>(&format!(
            "SELECT o.id, o.slug, o.name, m.role, ({unread}) AS unread_messages FROM memberships m \
             JOIN organisations o ON o.id = m.org_id WHERE m.user_id = $1 ORDER BY o.name"
        ))
            .bind(user_id)
            .fetch_all(pool)
            .await
            .or_internal("loading memberships")?
            .into_iter()
            .map(Membership::from)
            .collect();
        let mut conn = pool.acquire().await.or_internal("connecting")?;
        let unread_notices = crate::notifications::unread_count(&mut conn, user_id).await?;
        Ok(Some(Me {
            user_id,
            unread_notices,
            email: user.email,
            name: user.name,
            active_org: user
                .active_slug
                .filter(|slug| memberships.iter().any(|m| &m.slug == slug)),
            memberships,
            email_verified: user.email_verified_at.is_some(),
        }))
    }

    /// Checks a new account's fields and hashes its password: everything that can be done
    /// before the transaction that stores it. Returns (name, e-mail, hash).
    pub async fn prepare_account(
        &self,
        name: &str,
        email: &str,
        password: &str,
    ) -> Result<NewAccount, ApiError> {
        let name = validation::display_name("name", name)?;
        let email = validation::email("email", email)?;
        check_new_password(password, &email, &name)?;
        let password_hash = self.passwords.hash(password.to_owned()).await?;
        Ok(NewAccount {
            name,
            email,
            password_hash,
        })
    }

    /// Starts a signed-in session under a fresh id (the pre-sign-in id stops working).
    pub async fn start_session(&self, parts: &Parts, user_id: i64) -> Result<(), ApiError> {
        let session = session_of(parts)?;
        session.cycle_id().await.or_internal("cycling session id")?;
        let now = now();
        for (key, value) in [(USER_ID, user_id), (SIGNED_IN_AT, now), (LAST_SEEN, now)] {
            session
                .insert(key, value)
                .await
                .or_internal("writing session")?;
        }
        self.sessions.inc();
        Ok(())
    }

    /// Lifts a sign-in lock of `email` from this client address (the person proved who they
    /// are another way: a reset link).
    pub async fn clear_lockout(&self, email: &str, parts: &Parts) -> Result<(), ApiError> {
        self.lockout.succeeded(email, &self.client_key(parts)).await
    }

    /// Forgets rate-limit state and old sign-in counts (housekeeping).
    pub async fn housekeeping(&self) {
        self.sign_ins.retain_recent();
        self.sign_ups.retain_recent();
        if let Err(err) = self.lockout.prune().await {
            tracing::warn!(error = %err, "pruning sign-in attempts");
        }
    }
}

/// A checked account, ready to insert.
pub struct NewAccount {
    pub name: String,
    pub email: String,
    password_hash: String,
}

impl NewAccount {
    /// Inserts the account (in the caller's transaction); a taken address is a field error.
    pub async fn insert(&self, conn: &mut sqlx::AnyConnection) -> Result<i64, ApiError> {
        let inserted = sqlx::query_scalar::<_, i64>(
            "INSERT INTO users (email, name, password_hash, created_at) VALUES ($1, $2, $3, $4) \
             RETURNING id",
        )
        .bind(&self.email)
        .bind(&self.name)
        .bind(&self.password_hash)
        .bind(now())
        .fetch_one(conn)
        .await;
        match inserted {
            Ok(id) => Ok(id),
            Err(err) if unique_violation(&err) == Some(Unique::UserEmail) => Err(email_taken()),
            Err(err) => Err(internal("creating user", err)),
        }
    }
}

fn email_taken() -> ApiError {
    ApiError::field(
        "email",
        "An account with this e-mail address exists already. Sign in instead.",
    )
}

/// The request's session (the session layer puts it there).
pub fn session_of(parts: &Parts) -> Result<Session, ApiError> {
    parts
        .extensions
        .get::<Session>()
        .cloned()
        .ok_or_else(|| internal("session layer missing", "no Session in request"))
}

fn wrong_credentials() -> ApiError {
    ApiError::field(
        "password",
        "The e-mail address or the password is not right.",
    )
}

fn locked(until: i64) -> ApiError {
    ApiError::Locked {
        until,
        until_text: format_time_of_day(until),
    }
}

#[async_trait::async_trait]
impl AccountsSeam for Accounts {
    async fn me(&self, visitor: &Visitor) -> Result<Option<Me>, ApiError> {
        self.me_of(visitor.parts()).await
    }

    async fn sign_up(&self, visitor: &Visitor, input: SignUp) -> Result<Me, ApiError> {
        let parts = visitor.parts();
        self.count_sign_up(parts)?;
        ApiError::check(shared::accounts::check_sign_up(
            &input.name,
            &input.email,
            &input.password,
        ))?;
        let email = validation::email("email", &input.email)?;
        // Cheap before costly: a taken address is answered before any hashing.
        let taken = sqlx::query_scalar::<_, i64>("SELECT id FROM users WHERE email = $1")
            .bind(&email)
            .fetch_optional(&self.db.pool)
            .await
            .or_internal("checking e-mail address")?
            .is_some();
        if taken {
            return Err(email_taken());
        }
        let account = self
            .prepare_account(&input.name, &email, &input.password)
            .await?;
        let mut conn = self.db.pool.acquire().await.or_internal("connecting")?;
        let user_id = account.insert(&mut conn).await?;
        drop(conn);
        self.start_session(parts, user_id).await?;
        tracing::info!(user_id, "account created");
        self.load_me(user_id).await?.ok_or(ApiError::Internal)
    }

    async fn sign_in(&self, visitor: &Visitor, input: SignIn) -> Result<Me, ApiError> {
        let parts = visitor.parts();
        let client = self.client_key(parts);
        self.sign_ins.check(&client)?;
        ApiError::check(shared::accounts::check_sign_in(
            &input.email,
            &input.password,
        ))?;
        let email = validation::email("email", &input.email)?;
        let attempt = self.lockout.begin(&email, &client).await?;
        let user: Option<(i64, String)> =
            sqlx::query_as("SELECT id, password_hash FROM users WHERE email = $1")
                .bind(&email)
                .fetch_optional(&self.db.pool)
                .await
                .or_internal("loading user for sign-in")?;
        let n = match attempt {
            Attempt::Locked { until } => {
                // The same work as any other answer, so the lock's timing reveals nothing.
                self.passwords.verify(input.password, None).await?;
                return Err(locked(until));
            }
            Attempt::Allowed { n } => n,
        };
        let (user_id, hash) = match user {
            Some((id, hash)) => (Some(id), Some(hash)),
            None => (None, None),
        };
        let right = self.passwords.verify(input.password, hash).await?;
        let Some(user_id) = user_id.filter(|_| right) else {
            return Err(match self.lockout.failed(&email, &client, n).await? {
                Some(until) => locked(until),
                None => wrong_credentials(),
            });
        };
        self.lockout.succeeded(&email, &client).await?;
        self.start_session(parts, user_id).await?;
        tracing::info!(user_id, "signed in");
        self.load_me(user_id).await?.ok_or(ApiError::Internal)
    }

    async fn sign_out(&self, visitor: &Visitor) -> Result<(), ApiError> {
        let session = session_of(visitor.parts())?;
        let was_signed_in = session
            .get::<i64>(USER_ID)
            .await
            .or_internal("reading session")?
            .is_some();
        session.flush().await.or_internal("ending session")?;
        if was_signed_in {
            self.sessions.dec();
        }
        Ok(())
    }
}
