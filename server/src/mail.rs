//! Outgoing e-mail: written to the `outbox` table in the same transaction as whatever caused it,
//! then delivered by a background sender through SMTP when one is configured.

use crate::{db::now, error::OrInternal, state::AppState};
use app::error::ApiError;
use lettre::{
    message::{header::ContentType, Mailbox},
    AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor,
};
use shared::dto::OutboxMessage;
use sqlx::{Any, Row, Transaction};
use std::{sync::Arc, time::Duration};
use tokio::sync::Notify;

/// Puts a message in the outbox inside the caller's transaction.
pub async fn enqueue(
    tx: &mut Transaction<'_, Any>,
    org_id: Option<i64>,
    recipient: &str,
    subject: &str,
    body: &str,
) -> Result<(), ApiError> {
    let now = now();
    sqlx::query("INSERT INTO outbox (org_id, recipient, subject, body, created_at, next_attempt_at) VALUES ($1, $2, $3, $4, $5, $5)")
        .bind(org_id)
        .bind(recipient)
        .bind(subject)
        .bind(body)
        .bind(now)
        .execute(&mut **tx)
        .await
        .or_internal("queueing mail")?;
    Ok(())
}

/// The newest 100 messages of an organisation.
pub async fn for_organisation(
    state: &AppState,
    org_id: i64,
) -> Result<Vec<OutboxMessage>, ApiError> {
    let rows = sqlx::query(
        "SELECT id, recipient, subject, body, created_at, sent_at, last_error FROM outbox WHERE org_id = $1 ORDER BY id DESC LIMIT 100",
    )
    .bind(org_id)
    .fetch_all(&state.db.pool)
    .await
    .or_internal("loading outbox")?;
    rows.iter()
        .map(|r| {
            Ok(OutboxMessage {
                id: r.try_get("id").or_internal("reading mail")?,
                recipient: r.try_get("recipient").or_internal("reading mail")?,
                subject: r.try_get("subject").or_internal("reading mail")?,
                body: r.try_get("body").or_internal("reading mail")?,
                created_at: r.try_get("created_at").or_internal("reading mail")?,
                sent_at: r.try_get("sent_at").or_internal("reading mail")?,
                last_error: r.try_get("last_error").or_internal("reading mail")?,
            })
        })
        .collect()
}

/// Wakes the sender and says whether mail leaves the server.
#[derive(Clone)]
pub struct Mailer {
    transport: Option<AsyncSmtpTransport<Tokio1Executor>>,
    from: Option<Mailbox>,
    wake: Arc<Notify>,
}

#[derive(Debug, thiserror::Error)]
pub enum MailSetupError {
    #[error("SMTP_URL is not usable: {0}")]
    SmtpUrl(#[source] lettre::transport::smtp::Error),
    #[error("MAIL_FROM is not a valid mailbox (use \"Name <address@example.com>\"): {0}")]
    From(#[source] lettre::address::AddressError),
}

impl Mailer {
    pub fn new(smtp_url: Option<&str>, from: &str) -> Result<Self, MailSetupError> {
        let transport = match smtp_url.filter(|u| !u.trim().is_empty()) {
            Some(url) => Some(
                AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                    .map_err(MailSetupError::SmtpUrl)?
                    .build(),
            ),
            None => None,
        };
        let from = if transport.is_some() {
            Some(from.parse().map_err(MailSetupError::From)?)
        } else {
            None
        };
        Ok(Self {
            transport,
            from,
            wake: Arc::new(Notify::new()),
        })
    }

    pub fn configured(&self) -> bool {
        self.transport.is_some()
    }

    /// Tells the sender that there is new mail.
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    /// Delivers pending mail until the process ends; retries with back-off.
    pub async fn run(self, state: AppState) {
        let (Some(transport), Some(from)) = (self.transport.clone(), self.from.clone()) else {
            return;
        };
        loop {
            if let Err(err) = deliver_due(&state, &transport, &from).await {
                tracing::error!(error = %err, "mail delivery round failed");
            }
            tokio::select! {
                _ = self.wake.notified() => {}
                _ = tokio::time::sleep(Duration::from_secs(30)) => {}
            }
        }
    }
}

async fn deliver_due(
    state: &AppState,
    transport: &AsyncSmtpTransport<Tokio1Executor>,
    from: &Mailbox,
) -> Result<(), sqlx::Error> {
    let due = sqlx::query("SELECT id, recipient, subject, body, attempts FROM outbox WHERE sent_at IS NULL AND next_attempt_at <= $1 AND attempts < 10 ORDER BY id LIMIT 20")
        .bind(now())
        .fetch_all(&state.db.pool)
        .await?;
    for row in due {
        let id: i64 = row.try_get("id")?;
        let attempts: i64 = row.try_get("attempts")?;
        let recipient: String = row.try_get("recipient")?;
        let result = match recipient.parse::<Mailbox>() {
            Ok(to) => match Message::builder()
                .from(from.clone())
                .to(to)
                .subject(row.try_get::<String, _>("subject")?)
                .header(ContentType::TEXT_PLAIN)
                .body(row.try_get::<String, _>("body")?)
            {
                Ok(message) => transport
                    .send(message)
                    .await
                    .map(|_| ())
                    .map_err(|e| e.to_string()),
                Err(e) => Err(e.to_string()),
            },
            Err(e) => Err(format!("bad recipient: {e}")),
        };
        match result {
            Ok(()) => {
                sqlx::query("UPDATE outbox SET sent_at = $1, attempts = attempts + 1, last_error = NULL WHERE id = $2").bind(now()).bind(id).execute(&state.db.pool).await?;
                tracing::info!(mail_id = id, "mail delivered");
            }
            Err(error) => {
                let backoff = 60 * 2i64.pow(u32::try_from(attempts).unwrap_or(0).min(8));
                sqlx::query("UPDATE outbox SET attempts = attempts + 1, last_error = $1, next_attempt_at = $2 WHERE id = $3")
                    .bind(&error)
                    .bind(now() + backoff)
                    .bind(id)
                    .execute(&state.db.pool)
                    .await?;
                tracing::warn!(mail_id = id, %error, "mail delivery failed; will retry");
            }
        }
    }
    Ok(())
}
