//! Locking out password guessing, per e-mail address *and* client address, for known and
//! unknown addresses alike.
//!
//! Each attempt is counted *before* its password is checked, in one atomic statement, so a
//! burst of concurrent guesses cannot all be checked before the lock falls: at most
//! `threshold` guesses per address pair are ever verified until the lock expires. Counting per
//! client address means a stranger who knows an address cannot lock its owner out, and treating
//! unknown addresses the same means the lock reveals nothing about which accounts exist.

use crate::platform::{
    db::{now, Db},
    error::OrInternal,
};
use app::error::ApiError;

/// The state of an address pair after counting one more attempt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Attempt {
    /// The password may be checked; this is attempt number `n` in a row.
    Allowed { n: i64 },
    /// Locked until then (unix seconds): do not check the password.
    Locked { until: i64 },
}

/// The lockout rule and its table (`sign_in_attempts`).
#[derive(Clone, Debug)]
pub struct Lockout {
    db: Db,
    threshold: i64,
    lock_secs: i64,
}

impl Lockout {
    pub fn new(db: Db, threshold: i64, minutes: i64) -> Self {
        Self {
            db,
            threshold: threshold.max(1),
            lock_secs: minutes.max(1) * 60,
        }
    }

    /// Counts an attempt for (`email`, `client`) before its password is checked.
    pub async fn begin(&self, email: &str, client: &str) -> Result<Attempt, ApiError> {
        let now = now();
        let (failures, locked_until): (i64, Option<i64>) = sqlx::query_as(
            "INSERT INTO sign_in_attempts (email, client, failures, locked_until, updated_at) \
             VALUES ($1, $2, 1, NULL, $3) ON CONFLICT (email, client) DO UPDATE SET \
             failures = CASE WHEN sign_in_attempts.locked_until <= $3 THEN 1 \
                ELSE sign_in_attempts.failures + 1 END, \
             locked_until = CASE WHEN sign_in_attempts.locked_until <= $3 THEN NULL \
                ELSE sign_in_attempts.locked_until END, \
             updated_at = $3 \
             RETURNING failures, locked_until",
        )
        .bind(email)
        .bind(client)
        .bind(now)
        .fetch_one(&self.db.pool)
        .await
        .or_internal("counting a sign-in attempt")?;
        if let Some(until) = locked_until.filter(|&t| t > now) {
            return Ok(Attempt::Locked { until });
        }
        if failures > self.threshold {
            // More concurrent attempts than allowed: the lock falls now, for all of them.
            return Ok(Attempt::Locked {
                until: self.lock(email, client).await?,
            });
        }
        Ok(Attempt::Allowed { n: failures })
    }

    /// After a wrong password: locks the pair when this was the `threshold`-th attempt.
    pub async fn failed(
        &self,
        email: &str,
        client: &str,
        attempt: i64,
    ) -> Result<Option<i64>, ApiError> {
        if attempt >= self.threshold {
            return Ok(Some(self.lock(email, client).await?));
        }
        Ok(None)
    }

    /// After the right password: the count starts again.
    pub async fn succeeded(&self, email: &str, client: &str) -> Result<(), ApiError> {
        sqlx::query("DELETE FROM sign_in_attempts WHERE email = $1 AND client = $2")
            .bind(email)
            .bind(client)
            .execute(&self.db.pool)
            .await
            .or_internal("resetting sign-in attempts")?;
        Ok(())
    }

    /// Locks the pair (keeping an earlier, later-ending lock) and returns until when.
    async fn lock(&self, email: &str, client: &str) -> Result<i64, ApiError> {
        let until = now() + self.lock_secs;
        let until: i64 = sqlx::query_scalar(
            "UPDATE sign_in_attempts SET locked_until = CASE \
             WHEN locked_until IS NOT NULL AND locked_until > $1 THEN locked_until ELSE $1 END \
             WHERE email = $2 AND client = $3 RETURNING locked_until",
        )
        .bind(until)
        .bind(email)
        .bind(client)
        .fetch_one(&self.db.pool)
        .await
        .or_internal("locking sign-in")?;
        tracing::warn!("sign-in locked for an address pair after repeated failures");
        Ok(until)
    }

    /// Forgets counts that are neither locking nor recent (housekeeping).
    pub async fn prune(&self) -> Result<u64, sqlx::Error> {
        let now = now();
        let done = sqlx::query(
            "DELETE FROM sign_in_attempts WHERE (locked_until IS NULL OR locked_until <= $1) \
             AND updated_at < $2",
        )
        .bind(now)
        .bind(now - 86_400)
        .execute(&self.db.pool)
        .await?;
        Ok(done.rows_affected())
    }
}
