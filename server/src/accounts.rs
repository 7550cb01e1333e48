//! Sign-up, sign-in and sign-out: argon2id hashing off the async runtime, lockout after repeated
//! failures, a per-address rate limit, and equal work for unknown addresses.

use crate::{
    db::{is_unique_violation, now},
    error::{internal, OrInternal},
    sessions::{SIGNED_IN_AT, USER_ID},
    state::AppState,
};
use app::{backend::SignUp, error::ApiError};
use argon2::{
    password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString},
    Algorithm, Argon2, Params, Version,
};
use http::request::Parts;
use shared::{
    dto::{Me, Membership},
    validation::{self, FieldError},
};
use sqlx::Row;
use std::net::{IpAddr, SocketAddr};
use tower_sessions::Session;

/// argon2id with m = 19456 KiB, t = 2, p = 1 (OWASP's minimum for argon2id).
fn argon2() -> Argon2<'static> {
    let params = Params::new(19_456, 2, 1, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Hashes a password on the blocking pool.
pub async fn hash_password(password: String) -> Result<String, ApiError> {
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        argon2()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
    })
    .await
    .or_internal("password hashing task failed")?
    .or_internal("password hashing failed")
}

/// Checks a password against a stored hash on the blocking pool.
async fn verify_password(password: String, hash: String) -> Result<bool, ApiError> {
    tokio::task::spawn_blocking(move || {
        PasswordHash::new(&hash).map(|parsed| {
            argon2()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
    })
    .await
    .or_internal("password verification task failed")?
    .or_internal("stored password hash is malformed")
}

/// Refuses short passwords and ones that are easy to guess (common passwords, names, patterns).
pub fn check_new_password(password: &str, email: &str, name: &str) -> Result<(), FieldError> {
    validation::password_length("password", password)?;
    let estimate = zxcvbn::zxcvbn(password, &[email, name]);
    if (estimate.score() as u8) < 3 {
        let warning = estimate
            .feedback()
            .and_then(|f| f.warning())
            .map(|w| format!(" ({w})"))
            .unwrap_or_default();
        return Err(FieldError::new(
            "password",
            format!("This password is too easy to guess{warning}. Add more unrelated words or characters."),
        ));
    }
    Ok(())
}

pub fn session_of(req: &Parts) -> Result<Session, ApiError> {
    req.extensions
        .get::<Session>()
        .cloned()
        .ok_or_else(|| internal("session layer missing", "no Session in request"))
}

/// The signed-in user's id, or `None`. Ends the session once its absolute lifetime is over.
pub async fn current_user_id(state: &AppState, req: &Parts) -> Result<Option<i64>, ApiError> {
    let session = session_of(req)?;
    let user_id: Option<i64> = session.get(USER_ID).await.or_internal("reading session")?;
    let Some(user_id) = user_id else {
        return Ok(None);
    };
    let signed_in_at: i64 = session
        .get(SIGNED_IN_AT)
        .await
        .or_internal("reading session")?
        .unwrap_or(0);
    if now() - signed_in_at > state.config.session_absolute_hours * 3600 {
        session
            .flush()
            .await
            .or_internal("ending expired session")?;
        return Ok(None);
    }
    Ok(Some(user_id))
}

/// The signed-in user's id, or `Unauthenticated`.
pub async fn require_user(state: &AppState, req: &Parts) -> Result<i64, ApiError> {
    current_user_id(state, req)
        .await?
        .ok_or(ApiError::Unauthenticated)
}

/// The client's address, for rate limiting.
pub fn client_ip(state: &AppState, req: &Parts) -> Option<IpAddr> {
    if state.config.trust_proxy_headers {
        let forwarded = req
            .headers
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
            .and_then(|v| v.trim().parse().ok());
        if forwarded.is_some() {
            return forwarded;
        }
    }
    req.extensions
        .get::<axum::extract::ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip())
}

pub async fn me(state: &AppState, req: &Parts) -> Result<Option<Me>, ApiError> {
    let Some(user_id) = current_user_id(state, req).await? else {
        return Ok(None);
    };
    load_me(state, user_id).await
}

/// The user and their memberships; `None` if the account no longer exists.
pub async fn load_me(state: &AppState, user_id: i64) -> Result<Option<Me>, ApiError> {
    let pool = &state.db.pool;
    let Some(user) = sqlx::query(
        "SELECT u.email, u.name, o.slug AS active_slug FROM users u LEFT JOIN organisations o ON o.id = u.active_org_id WHERE u.id = $1",
    )
    .bind(user_id)
    .fetch_optional(pool)
    .await
    .or_internal("loading user")?
    else {
        return Ok(None);
    };
    let rows = sqlx::query(
        "SELECT o.id, o.slug, o.name, m.role FROM memberships m JOIN organisations o ON o.id = m.org_id \
         WHERE m.user_id = $1 ORDER BY o.name",
    )
    .bind(user_id)
    .fetch_all(pool)
    .await
    .or_internal("loading memberships")?;
    let mut memberships = Vec::with_capacity(rows.len());
    for row in rows {
        let role: String = row.try_get("role").or_internal("reading role")?;
        memberships.push(Membership {
            org_id: row.try_get("id").or_internal("reading org")?,
            slug: row.try_get("slug").or_internal("reading org")?,
            name: row.try_get("name").or_internal("reading org")?,
            role: role.parse().or_internal("stored role is unknown")?,
        });
    }
    let active: Option<String> = user.try_get("active_slug").or_internal("reading user")?;
    Ok(Some(Me {
        user_id,
        email: user.try_get("email").or_internal("reading user")?,
        name: user.try_get("name").or_internal("reading user")?,
        active_org: active.filter(|slug| memberships.iter().any(|m| &m.slug == slug)),
        memberships,
    }))
}

/// Creates an account (not signed in). Used by sign-up and by accepting an invitation.
pub async fn create_account(
    state: &AppState,
    name: &str,
    email: &str,
    password: &str,
) -> Result<i64, ApiError> {
    let name = validation::display_name("name", name)?;
    let email = validation::email("email", email)?;
    check_new_password(password, &email, &name)?;
    let hash = hash_password(password.to_owned()).await?;
    let inserted = sqlx::query_scalar::<_, i64>(
        "INSERT INTO users (email, name, password_hash, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(&email)
    .bind(&name)
    .bind(hash)
    .bind(now())
    .fetch_one(&state.db.pool)
    .await;
    match inserted {
        Ok(id) => Ok(id),
        Err(err) if is_unique_violation(&err) => Err(ApiError::field(
            "email",
            "An account with this e-mail address exists already. Sign in instead.",
        )),
        Err(err) => Err(internal("creating user", err)),
    }
}

/// Starts a signed-in session under a fresh id (the pre-sign-in id stops working).
pub async fn start_session(session: &Session, user_id: i64) -> Result<(), ApiError> {
    session.cycle_id().await.or_internal("cycling session id")?;
    session
        .insert(USER_ID, user_id)
        .await
        .or_internal("writing session")?;
    session
        .insert(SIGNED_IN_AT, now())
        .await
        .or_internal("writing session")?;
    Ok(())
}

pub async fn sign_up(state: &AppState, req: &Parts, input: SignUp) -> Result<Me, ApiError> {
    let user_id = create_account(state, &input.name, &input.email, &input.password).await?;
    start_session(&session_of(req)?, user_id).await?;
    tracing::info!(user_id, "account created");
    load_me(state, user_id).await?.ok_or(ApiError::Internal)
}

pub async fn sign_in(
    state: &AppState,
    req: &Parts,
    email: String,
    password: String,
) -> Result<Me, ApiError> {
    if let Some(ip) = client_ip(state, req) {
        if let Err(not_until) = state.sign_in_limiter.check_key(&ip) {
            let wait = not_until.wait_time_from(governor::clock::Clock::now(
                &governor::clock::DefaultClock::default(),
            ));
            return Err(ApiError::RateLimited {
                retry_after_secs: wait.as_secs().max(1),
            });
        }
    }
    let email = validation::email("email", &email)?;
    if password.is_empty() {
        return Err(ApiError::field("password", "Enter your password."));
    }
    let row = sqlx::query("SELECT id, password_hash, locked_until FROM users WHERE email = $1")
        .bind(&email)
        .fetch_optional(&state.db.pool)
        .await
        .or_internal("loading user for sign-in")?;
    let Some(row) = row else {
        // Do the same work as for a wrong password, so timing does not reveal which addresses exist.
        verify_password(password, state.dummy_password_hash.to_string()).await?;
        return Err(wrong_credentials());
    };
    let user_id: i64 = row.try_get("id").or_internal("reading user")?;
    let hash: String = row.try_get("password_hash").or_internal("reading user")?;
    let locked_until: Option<i64> = row.try_get("locked_until").or_internal("reading user")?;
    if let Some(until) = locked_until.filter(|&t| t > now()) {
        return Err(locked(until));
    }
    if !verify_password(password, hash).await? {
        return Err(record_failure(state, user_id).await?);
    }
    sqlx::query("UPDATE users SET failed_sign_ins = 0, locked_until = NULL WHERE id = $1")
        .bind(user_id)
        .execute(&state.db.pool)
        .await
        .or_internal("resetting failed sign-ins")?;
    start_session(&session_of(req)?, user_id).await?;
    tracing::info!(user_id, "signed in");
    load_me(state, user_id).await?.ok_or(ApiError::Internal)
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
        until_text: app_time(until),
    }
}

fn app_time(t: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(t)
        .map(|d| format!("{:02}:{:02} UTC", d.hour(), d.minute()))
        .unwrap_or_default()
}

/// Counts a failed sign-in; the threshold-th failure in a row locks the account.
async fn record_failure(state: &AppState, user_id: i64) -> Result<ApiError, ApiError> {
    let failures: i64 = sqlx::query_scalar("UPDATE users SET failed_sign_ins = failed_sign_ins + 1 WHERE id = $1 RETURNING failed_sign_ins")
        .bind(user_id)
        .fetch_one(&state.db.pool)
        .await
        .or_internal("counting failed sign-in")?;
    if failures >= state.config.lockout_threshold {
        let until = now() + state.config.lockout_minutes * 60;
        sqlx::query("UPDATE users SET failed_sign_ins = 0, locked_until = $1 WHERE id = $2")
            .bind(until)
            .bind(user_id)
            .execute(&state.db.pool)
            .await
            .or_internal("locking account")?;
        tracing::warn!(user_id, "account locked after repeated failed sign-ins");
        return Ok(locked(until));
    }
    Ok(wrong_credentials())
}

pub async fn sign_out(req: &Parts) -> Result<(), ApiError> {
    session_of(req)?.flush().await.or_internal("ending session")
}

/// A hash of a random password, verified against when the e-mail address is unknown.
pub fn dummy_password_hash() -> Result<String, argon2::password_hash::Error> {
    let salt = SaltString::generate(&mut OsRng);
    let mut random = [0u8; 32];
    rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut random);
    argon2()
        .hash_password(&random, &salt)
        .map(|h| h.to_string())
}
