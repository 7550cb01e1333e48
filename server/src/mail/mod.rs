//! Outgoing e-mail: written to the `outbox` table in the same transaction as whatever caused it,
//! with a `send_mail` job on the durable queue when an SMTP server is configured. Without one,
//! mail stays in the outbox, where administrators read it.

use crate::{
    platform::{
        db::{now, Db},
        error::OrInternal,
    },
    queue::{ClaimedJob, JobError, JobHandler, JobQueue, NewJob},
};
use app::{
    error::ApiError,
    mail::{api::GetOutbox, seam::MailSeam},
    seam::OrgCaller,
};
use lettre::{
    message::{header::ContentType, Mailbox},
    AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor,
};
use serde::{Deserialize, Serialize};
use shared::{
    mail::{Outbox, OutboxMessage},
    Permission, Role,
};
use std::sync::{Arc, LazyLock};

/// The job kind that delivers one outbox message.
pub const SEND_MAIL: &str = "send_mail";

/// A message to send.
pub struct OutgoingMail<'a> {
    /// The organisation it is sent for (its administrators see it in the outbox).
    pub org_id: Option<i64>,
    pub recipient: &'a str,
    pub subject: &'a str,
    pub body: &'a str,
    /// The role a link in the body grants (an invitation): only members who may grant that role
    /// see the link in the outbox.
    pub grants_role: Option<Role>,
}

#[derive(Clone)]
struct Smtp {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

/// The mail service; clones share the SMTP transport.
#[derive(Clone)]
pub struct Mail {
    db: Db,
    queue: JobQueue,
    smtp: Option<Arc<Smtp>>,
}

#[derive(Debug, thiserror::Error)]
pub enum MailSetupError {
    #[error("SMTP_URL is not usable: {0}")]
    SmtpUrl(#[source] lettre::transport::smtp::Error),
    #[error("MAIL_FROM is not a valid mailbox (use \"Name <address@example.com>\"): {0}")]
    From(#[source] lettre::address::AddressError),
}

#[derive(Serialize, Deserialize)]
struct SendMail {
    outbox_id: i64,
}

#[derive(sqlx::FromRow)]
struct OutboxRow {
    id: i64,
    recipient: String,
    subject: String,
    body: String,
    created_at: i64,
    sent_at: Option<i64>,
    last_error: Option<String>,
    grants_role: Option<String>,
}

impl OutboxRow {
    /// The message, with `body` as it may be shown.
    fn into_message(self, body: String) -> OutboxMessage {
        OutboxMessage {
            id: self.id,
            recipient: self.recipient,
            subject: self.subject,
            body,
            created_at: self.created_at,
            sent_at: self.sent_at,
            last_error: self.last_error,
        }
    }
}

/// Names in an e-mail are cut to this many characters: the e-mail is ours, and the names in it
/// are someone else's words.
const MAX_NAME_IN_MAIL: usize = 60;

/// A line of someone else's words (a notification's text, with its quote) is cut to this many
/// characters in an e-mail of ours.
const MAX_LINE_IN_MAIL: usize = 240;

/// A name (a person's, an organisation's, a job's) as an e-mail of ours may quote it.
pub fn in_mail(name: &str) -> String {
    cut_to(name, MAX_NAME_IN_MAIL)
}

/// A line of text (a notification's) as an e-mail of ours may quote it.
pub fn line_in_mail(text: &str) -> String {
    cut_to(text, MAX_LINE_IN_MAIL)
}

fn cut_to(text: &str, most: usize) -> String {
    if text.chars().count() <= most {
        return text.to_owned();
    }
    let cut: String = text.chars().take(most - 1).collect();
    format!("{}…", cut.trim_end())
}

/// Invitation links in a mail body (the part after `/invite/` is the secret).
static INVITATION_LINK: LazyLock<regex::Regex> =
    LazyLock::new(|| regex::Regex::new(r"/invite/[A-Za-z0-9_-]+").expect("valid regex"));

impl Mail {
    pub fn new(
        db: Db,
        queue: JobQueue,
        smtp_url: Option<&str>,
        from: &str,
    ) -> Result<Self, MailSetupError> {
        let smtp = match smtp_url.filter(|u| !u.trim().is_empty()) {
            Some(url) => Some(Arc::new(Smtp {
                transport: AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                    .map_err(MailSetupError::SmtpUrl)?
                    .build(),
                from: from.parse().map_err(MailSetupError::From)?,
            })),
            None => None,
        };
        Ok(Self { db, queue, smtp })
    }

    /// Whether mail leaves the server.
    pub fn configured(&self) -> bool {
        self.smtp.is_some()
    }

    /// Puts a message in the outbox inside the caller's transaction, with its delivery job when
    /// mail leaves the server. Call [`Mail::wake`] after the transaction commits.
    pub async fn enqueue(
        &self,
        conn: &mut sqlx::AnyConnection,
        mail: OutgoingMail<'_>,
    ) -> Result<(), ApiError> {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO outbox (org_id, recipient, subject, body, created_at, grants_role) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(mail.org_id)
        .bind(mail.recipient)
        .bind(mail.subject)
        .bind(mail.body)
        .bind(now())
        .bind(mail.grants_role.map(Role::as_str))
        .fetch_one(&mut *conn)
        .await
        .or_internal("queueing mail")?;
        if self.configured() {
            self.queue_delivery(conn, id, mail.org_id).await?;
        }
        Ok(())
    }

    async fn queue_delivery(
        &self,
        conn: &mut sqlx::AnyConnection,
        outbox_id: i64,
        org_id: Option<i64>,
    ) -> Result<(), ApiError> {
        let job = NewJob::new(SEND_MAIL, SendMail { outbox_id }).for_org(org_id);
        let job_id = self
            .queue
            .enqueue(&mut *conn, job)
            .await
            .or_internal("queueing mail delivery")?;
        sqlx::query("UPDATE outbox SET job_id = $1 WHERE id = $2")
            .bind(job_id)
            .bind(outbox_id)
            .execute(&mut *conn)
            .await
            .or_internal("queueing mail delivery")?;
        Ok(())
    }

    /// Wakes a queue worker for mail just committed.
    pub fn wake(&self) {
        self.queue.wake();
    }

    /// At start-up with SMTP configured: queues the delivery of mail written while it was not
    /// (or before delivery moved to the job queue). Returns how many.
    pub async fn queue_backlog(&self) -> Result<usize, ApiError> {
        if !self.configured() {
            return Ok(0);
        }
        let waiting: Vec<(i64, Option<i64>)> = sqlx::query_as(
            "SELECT id, org_id FROM outbox WHERE sent_at IS NULL AND job_id IS NULL ORDER BY id",
        )
        .fetch_all(&self.db.pool)
        .await
        .or_internal("loading unsent mail")?;
        for (id, org_id) in &waiting {
            let mut tx = self.db.begin().await.or_internal("starting transaction")?;
            self.queue_delivery(&mut tx, *id, *org_id).await?;
            tx.commit().await.or_internal("queueing mail delivery")?;
        }
        self.wake();
        Ok(waiting.len())
    }

    /// The newest 100 messages of an organisation, as a member with `viewer` role may see them.
    pub async fn for_organisation(
        &self,
        org_id: i64,
        viewer: Role,
    ) -> Result<Vec<OutboxMessage>, ApiError> {
        let rows: Vec<OutboxRow> = sqlx::query_as(
            "SELECT id, recipient, subject, body, created_at, sent_at, last_error, grants_role \
             FROM outbox WHERE org_id = $1 ORDER BY id DESC LIMIT 100",
        )
        .bind(org_id)
        .fetch_all(&self.db.pool)
        .await
        .or_internal("loading outbox")?;
        Ok(rows
            .into_iter()
            .map(|mut row| {
                let hidden = row
                    .grants_role
                    .as_deref()
                    .and_then(|r| r.parse::<Role>().ok())
                    .filter(|role| !viewer.may_grant(*role));
                let body = match hidden {
                    Some(role) => hide_links(&row.body, role),
                    None => std::mem::take(&mut row.body),
                };
                let body = hide_candidate_links(&body);
                row.into_message(body)
            })
            .collect())
    }

    /// The newest 20 messages to `recipient`, newest first, with every link: for the operator
    /// (`server outbox --to`) and tests, never for a page.
    pub async fn sent_to(&self, recipient: &str) -> Result<Vec<OutboxMessage>, ApiError> {
        let rows: Vec<OutboxRow> = sqlx::query_as(
            "SELECT id, recipient, subject, body, created_at, sent_at, last_error, grants_role \
             FROM outbox WHERE recipient = $1 ORDER BY id DESC LIMIT 20",
        )
        .bind(recipient)
        .fetch_all(&self.db.pool)
        .await
        .or_internal("loading mail")?;
        Ok(rows
            .into_iter()
            .map(|mut row| {
                let body = std::mem::take(&mut row.body);
                row.into_message(body)
            })
            .collect())
    }

    /// The job handler that delivers outbox messages.
    pub fn deliverer(&self) -> DeliverMail {
        DeliverMail(self.clone())
    }
}

/// Candidates' private links (`/a/{token}`): they act for the candidate (withdraw, ask for
/// deletion), so no member sees them, whatever their role.
static CANDIDATE_LINK: LazyLock<regex::Regex> =
    LazyLock::new(|| regex::Regex::new(r"/a/[A-Za-z0-9_-]{43}").expect("valid regex"));

fn hide_candidate_links(body: &str) -> String {
    CANDIDATE_LINK
        .replace_all(body, "/a/[hidden: the candidate's private link]")
        .into_owned()
}

/// The body with every invitation link's secret replaced by a note saying who may see it.
fn hide_links(body: &str, role: Role) -> String {
    let note = format!(
        "/invite/[hidden: only members who may grant the {} role see this link]",
        role.label()
    );
    INVITATION_LINK
        .replace_all(body, regex::NoExpand(&note))
        .into_owned()
}

#[async_trait::async_trait]
impl MailSeam for Mail {
    async fn outbox(&self, caller: &OrgCaller, _input: GetOutbox) -> Result<Outbox, ApiError> {
        caller.require(Permission::ViewOutbox)?;
        Ok(Outbox {
            smtp_configured: self.configured(),
            messages: self
                .for_organisation(caller.org_id(), caller.role())
                .await?,
        })
    }
}

/// Delivers one outbox message over SMTP (`send_mail` jobs).
pub struct DeliverMail(Mail);

#[async_trait::async_trait]
impl JobHandler for DeliverMail {
    async fn run(&self, job: &ClaimedJob) -> Result<(), JobError> {
        let SendMail { outbox_id } = job.payload()?;
        let mail = &self.0;
        let Some(smtp) = &mail.smtp else {
            return Err(JobError::Fatal(
                "no SMTP server is configured; the message stays in the outbox".into(),
            ));
        };
        let database = |e: sqlx::Error| JobError::Retry(format!("database: {e}"));
        let row: Option<OutboxRow> = sqlx::query_as(
            "SELECT id, recipient, subject, body, created_at, sent_at, last_error, grants_role \
             FROM outbox WHERE id = $1",
        )
        .bind(outbox_id)
        .fetch_optional(&mail.db.pool)
        .await
        .map_err(database)?;
        // Deleted with its organisation, or sent by an earlier attempt: nothing to do.
        let Some(row) = row.filter(|r| r.sent_at.is_none()) else {
            return Ok(());
        };
        let sent = match row.recipient.parse::<Mailbox>() {
            Ok(to) => match Message::builder()
                .from(smtp.from.clone())
                .to(to)
                .subject(row.subject)
                .header(ContentType::TEXT_PLAIN)
                .body(row.body)
            {
                Ok(message) => smtp
                    .transport
                    .send(message)
                    .await
                    .map(|_| ())
                    .map_err(|e| JobError::Retry(format!("the mail server refused it: {e}"))),
                Err(e) => Err(JobError::Fatal(format!("the message cannot be built: {e}"))),
            },
            Err(e) => Err(JobError::Fatal(format!("bad recipient address: {e}"))),
        };
        match &sent {
            Ok(()) => {
                sqlx::query(
                    "UPDATE outbox SET sent_at = $1, attempts = attempts + 1, last_error = NULL \
                     WHERE id = $2",
                )
                .bind(now())
                .bind(outbox_id)
                .execute(&mail.db.pool)
                .await
                .map_err(database)?;
                tracing::info!(mail_id = outbox_id, "mail delivered");
            }
            Err(error) => {
                sqlx::query(
                    "UPDATE outbox SET attempts = attempts + 1, last_error = $1 WHERE id = $2",
                )
                .bind(error.to_string())
                .bind(outbox_id)
                .execute(&mail.db.pool)
                .await
                .map_err(database)?;
            }
        }
        sent
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_names_are_cut_in_mail() {
        assert_eq!(in_mail("Acme"), "Acme");
        let long = "A".repeat(100);
        let cut = in_mail(&long);
        assert_eq!(cut.chars().count(), MAX_NAME_IN_MAIL);
        assert!(cut.ends_with('…'));
    }

    #[test]
    fn candidates_private_links_are_hidden_from_every_member() {
        let token = "A".repeat(43);
        let body = format!("Follow it at https://t.example/a/{token} until May.");
        let shown = hide_candidate_links(&body);
        assert!(!shown.contains(&token), "{shown}");
        assert!(shown.contains("[hidden: the candidate's private link]"));
    }

    #[test]
    fn invitation_links_are_hidden_from_those_who_may_not_grant_the_role() {
        let body = "Accept here:\nhttp://x.example/invite/AbC-12_z\n\nThanks";
        let hidden = hide_links(body, Role::Owner);
        assert!(!hidden.contains("AbC-12_z"), "{hidden}");
        assert!(hidden.contains(
            "http://x.example/invite/[hidden: only members who may grant the Owner role see this link]"
        ));
    }
}
