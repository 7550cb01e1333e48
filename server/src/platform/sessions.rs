//! Sessions stored in our own database through the one pool. (tower-sessions-sqlx-store wants a
//! backend-specific pool; this small store keeps a single `Any` pool for both backends.)

use super::db::{now, unique_violation, Db, Unique};
use async_trait::async_trait;
use std::sync::Arc;
use tower_sessions::{
    session::{Id, Record},
    session_store::{self, SessionStore},
};

/// The session key holding the signed-in user's id.
pub const USER_ID: &str = "user_id";
/// The session key holding when the user signed in (unix seconds), for the absolute lifetime.
pub const SIGNED_IN_AT: &str = "signed_in_at";
/// The session key holding when the session was last refreshed (unix seconds). Writing it
/// saves the session again, which moves its idle expiry forward.
pub const LAST_SEEN: &str = "last_seen";

/// The one rule for whether a session is signed in: it names a user and its absolute lifetime
/// (`absolute_secs` since signing in) has not run out. Used by every request and the WebSocket.
pub fn signed_in_user(
    user_id: Option<i64>,
    signed_in_at: Option<i64>,
    now: i64,
    absolute_secs: i64,
) -> Option<i64> {
    let at = signed_in_at?;
    user_id.filter(|_| now - at <= absolute_secs)
}

/// Told when sessions end, so that what they hold open ends with them (the realtime hub closes
/// their WebSockets at once).
pub trait SessionsEnded: Send + Sync {
    fn session_ended(&self, id: &str);
    fn user_sessions_ended(&self, user_id: i64);
}

#[derive(Clone)]
pub struct DbSessionStore {
    db: Db,
    ended: Option<Arc<dyn SessionsEnded>>,
}

impl std::fmt::Debug for DbSessionStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DbSessionStore").finish_non_exhaustive()
    }
}

impl DbSessionStore {
    pub fn new(db: Db) -> Self {
        Self { db, ended: None }
    }

    /// Tells `ended` of every session deleted from now on (signed out, replaced at sign-in,
    /// ended for a new password or a removed account).
    pub fn telling(self, ended: Arc<dyn SessionsEnded>) -> Self {
        Self {
            ended: Some(ended),
            ..self
        }
    }

    /// Removes expired sessions; returns how many.
    pub async fn delete_expired(&self) -> Result<u64, sqlx::Error> {
        let done = sqlx::query("DELETE FROM sessions WHERE expiry_date <= $1")
            .bind(now())
            .execute(&self.db.pool)
            .await?;
        Ok(done.rows_affected())
    }

    /// Signed-in sessions that have not expired (for the metrics, counted by housekeeping).
    pub async fn count_signed_in(&self) -> Result<i64, sqlx::Error> {
        sqlx::query_scalar(
            "SELECT COUNT(*) FROM sessions WHERE expiry_date > $1 AND user_id IS NOT NULL",
        )
        .bind(now())
        .fetch_one(&self.db.pool)
        .await
    }

    /// Deletes every session of a user (after a password change or removal of the account).
    pub async fn delete_for_user(&self, user_id: i64) -> Result<(), sqlx::Error> {
        sqlx::query("DELETE FROM sessions WHERE user_id = $1")
            .bind(user_id)
            .execute(&self.db.pool)
            .await?;
        if let Some(ended) = &self.ended {
            ended.user_sessions_ended(user_id);
        }
        Ok(())
    }
}

fn backend_error(err: sqlx::Error) -> session_store::Error {
    session_store::Error::Backend(err.to_string())
}

fn encode(record: &Record) -> session_store::Result<(String, i64, Option<i64>)> {
    let data = serde_json::to_string(&record.data)
        .map_err(|e| session_store::Error::Encode(e.to_string()))?;
    let user_id = record.data.get(USER_ID).and_then(serde_json::Value::as_i64);
    Ok((data, record.expiry_date.unix_timestamp(), user_id))
}

#[async_trait]
impl SessionStore for DbSessionStore {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        let (data, expiry, user_id) = encode(record)?;
        loop {
            let inserted = sqlx::query(
                "INSERT INTO sessions (id, data, expiry_date, user_id) VALUES ($1, $2, $3, $4)",
            )
            .bind(record.id.to_string())
            .bind(&data)
            .bind(expiry)
            .bind(user_id)
            .execute(&self.db.pool)
            .await;
            match inserted {
                Ok(_) => return Ok(()),
                // A 128-bit id collided: draw another.
                Err(err) if unique_violation(&err) == Some(Unique::SessionId) => {
                    record.id = Id::default()
                }
                Err(err) => return Err(backend_error(err)),
            }
        }
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        let (data, expiry, user_id) = encode(record)?;
        sqlx::query(
            "INSERT INTO sessions (id, data, expiry_date, user_id) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (id) DO UPDATE SET data = excluded.data, expiry_date = excluded.expiry_date, user_id = excluded.user_id",
        )
        .bind(record.id.to_string())
        .bind(data)
        .bind(expiry)
        .bind(user_id)
        .execute(&self.db.pool)
        .await
        .map_err(backend_error)?;
        Ok(())
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        let row: Option<(String, i64)> = sqlx::query_as(
            "SELECT data, expiry_date FROM sessions WHERE id = $1 AND expiry_date > $2",
        )
        .bind(id.to_string())
        .bind(now())
        .fetch_optional(&self.db.pool)
        .await
        .map_err(backend_error)?;
        let Some((data, expiry)) = row else {
            return Ok(None);
        };
        Ok(Some(Record {
            id: *id,
            data: serde_json::from_str(&data)
                .map_err(|e| session_store::Error::Decode(e.to_string()))?,
            expiry_date: time::OffsetDateTime::from_unix_timestamp(expiry)
                .map_err(|e| session_store::Error::Decode(e.to_string()))?,
        }))
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        sqlx::query("DELETE FROM sessions WHERE id = $1")
            .bind(id.to_string())
            .execute(&self.db.pool)
            .await
            .map_err(backend_error)?;
        if let Some(ended) = &self.ended {
            ended.session_ended(&id.to_string());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_session_ends_at_its_absolute_lifetime() {
        assert_eq!(
            signed_in_user(Some(7), Some(1_000), 1_000 + 3_600, 3_600),
            Some(7)
        );
        assert_eq!(
            signed_in_user(Some(7), Some(1_000), 1_001 + 3_600, 3_600),
            None
        );
        assert_eq!(signed_in_user(Some(7), None, 1_000, 3_600), None);
        assert_eq!(signed_in_user(None, Some(1_000), 1_000, 3_600), None);
    }
}
