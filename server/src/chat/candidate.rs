//! An application's conversation: its hiring team and the candidate. The candidate has no
//! account; the token of the application's private link (`/a/{token}`) is their credential, and
//! it opens this one conversation only. The team joins it from the application's page; it is
//! created, the first time either side opens it, with the job's recruiters and hiring managers
//! (or, for a job without a team, the organisation's owners, admins and recruiters).

use super::{
    check_client_id, created_unless_taken, not_found, Author, Chat, MessageRow, Place,
    MESSAGE_COLUMNS,
};
use crate::{
    mail::{in_mail, line_in_mail, Mail, OutgoingMail},
    platform::{
        db::{now, Db},
        error::OrInternal,
        tokens::{new_token, token_hash, well_formed},
    },
    realtime::{AccessChange, Hub},
};
use app::{
    chat::{
        api::{CandidateMessages, MessageTheTeam},
        seam::CandidateChatSeam,
    },
    error::ApiError,
    seam::Visitor,
};
use shared::{
    chat::{check_message_with, CandidateThread, ChatMessage, HISTORY_PAGE},
    ws::{ErrorCode, WsError},
};

/// The most members a conversation gets when it is created for a job without a hiring team.
const WITHOUT_TEAM_LIMIT: i64 = 50;

/// Messages a candidate may write per hour (at once, then one a minute): a conversation, not
/// a channel for floods.
pub const MESSAGES_PER_HOUR: u32 = 60;

/// A candidate who is not on their page is e-mailed that the team wrote at most this often, per
/// conversation (seconds).
const MAIL_CANDIDATE_EVERY: i64 = 3_600;

/// Queues, inside the message's transaction, an e-mail telling the candidate that the team
/// wrote, unless one went out in the last hour; answers whether it did. It cannot carry the
/// private link (only its hash is kept): it points to the confirmation e-mail that has it.
pub(super) async fn mail_candidate(
    mail: &Mail,
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    conversation: i64,
    message: &ChatMessage,
) -> Result<bool, ApiError> {
    let at = now();
    let due: Option<(i64, Option<String>, String, String, String)> = sqlx::query_as(
        "UPDATE conversations SET candidate_mailed_at = $1 WHERE id = $2 \
         AND (candidate_mailed_at IS NULL OR candidate_mailed_at <= $3) \
         RETURNING org_id, \
         (SELECT c.email FROM applications a JOIN candidates c ON c.id = a.candidate_id \
          WHERE a.id = application_id AND a.deletion_requested_at IS NULL \
          AND a.token_hash IS NOT NULL AND a.token_expires_at > $1 \
          AND a.outcome <> 'withdrawn'), \
         (SELECT c.name FROM applications a JOIN candidates c ON c.id = a.candidate_id \
          WHERE a.id = application_id), \
         (SELECT j.title FROM applications a JOIN jobs j ON j.id = a.job_id \
          WHERE a.id = application_id), \
         (SELECT o.name FROM organisations o WHERE o.id = org_id)",
    )
    .bind(at)
    .bind(conversation)
    .bind(at - MAIL_CANDIDATE_EVERY)
    .fetch_optional(&mut **tx)
    .await
    .or_internal("noting a candidate's e-mail")?;
    // Not due; or the candidate has no working link (added by hand, expired), withdrew, or
    // asked for their data to be deleted.
    let Some((org_id, Some(email), name, job, org)) = due else {
        return Ok(false);
    };
    let subject = format!("{} wrote to you about your application", in_mail(&org));
    let body = format!(
        "Hello {name},\n\n{author} at {org} wrote to you about your application for {job}:\n\n\
         > {words}\n\n\
         To read it and answer, open the private link in the e-mail that confirmed your \
         application (\"Your application for {job}\"). Until you do, we tell you of new messages \
         at most once an hour.\n",
        name = in_mail(&name),
        author = in_mail(&message.author_name),
        org = in_mail(&org),
        job = in_mail(&job),
        words = line_in_mail(&super::plain_text(&message.quoted())),
    );
    let mail_out = OutgoingMail {
        org_id: Some(org_id),
        recipient: &email,
        subject: &subject,
        body: &body,
        grants_role: None,
    };
    mail.enqueue(tx, mail_out).await?;
    Ok(true)
}

/// What a working private link opens.
#[derive(Clone, Debug)]
pub struct Link {
    pub application: i64,
    /// The stored hash of the link's token: a link replaced by a newer one stops working.
    pub token_hash: String,
    pub org_name: String,
    /// Whether the candidate may write (not once they asked for their data to be deleted).
    pub open: bool,
}

/// The application behind `token`, if it is well-formed and the link still works.
pub async fn link(db: &Db, token: &str) -> Result<Option<Link>, sqlx::Error> {
    if !well_formed(token) {
        return Ok(None);
    }
    let hash = token_hash(token);
    let row: Option<(i64, String, Option<i64>)> = sqlx::query_as(
        "SELECT a.id, o.name, a.deletion_requested_at \
         FROM applications a JOIN organisations o ON o.id = a.org_id \
         WHERE a.token_hash = $1 AND a.token_expires_at > $2",
    )
    .bind(&hash)
    .bind(now())
    .fetch_optional(&db.pool)
    .await?;
    Ok(row.map(|(application, org_name, deletion)| Link {
        application,
        token_hash: hash,
        org_name,
        open: deletion.is_none(),
    }))
}

/// The application's conversation, created the first time with its team; `joining` (a member
/// the caller checked may see the application) is added to it, having read what is there, and
/// the hub told. Not created once the candidate asked for their data to be deleted.
pub(crate) async fn conversation_of(
    db: &Db,
    application: i64,
    joining: Option<(i64, &Hub)>,
) -> Result<i64, ApiError> {
    let existing = || async {
        sqlx::query_scalar::<_, i64>("SELECT id FROM conversations WHERE application_id = $1")
            .bind(application)
            .fetch_optional(&db.pool)
            .await
            .or_internal("looking for a candidate's conversation")
    };
    // Read without the write lock: opening an existing conversation writes nothing (unless a
    // member joins it).
    let id = match existing().await? {
        Some(id) => id,
        None => match create(db, application).await? {
            Some(id) => id,
            // Made by the other side (or another instance) meanwhile.
            None => existing().await?.ok_or(ApiError::Internal)?,
        },
    };
    if let Some((member, hub)) = joining {
        let mut tx = db
            .begin()
            .await
            .or_internal("joining a candidate's conversation")?;
        let joined = join(&mut tx, id, member).await?;
        tx.commit()
            .await
            .or_internal("joining a candidate's conversation")?;
        if joined {
            hub.access_changed(AccessChange::ConversationMembers { conversation: id });
        }
    }
    Ok(id)
}

/// Makes the application's conversation with its team; `None` when it exists already.
async fn create(db: &Db, application: i64) -> Result<Option<i64>, ApiError> {
    let mut tx = db
        .begin()
        .await
        .or_internal("opening a candidate's conversation")?;
    let (org_id, job_id, title): (i64, i64, String) = sqlx::query_as(
        "SELECT a.org_id, a.job_id, c.name || ' · ' || j.title FROM applications a \
         JOIN candidates c ON c.id = a.candidate_id JOIN jobs j ON j.id = a.job_id \
         WHERE a.id = $1 AND a.deletion_requested_at IS NULL",
    )
    .bind(application)
    .fetch_optional(&mut *tx)
    .await
    .or_internal("reading an application for its conversation")?
    .ok_or_else(|| {
        ApiError::field(
            "application",
            "The candidate asked for their data to be deleted: there is no conversation with them.",
        )
    })?;
    let created: Result<i64, sqlx::Error> = sqlx::query_scalar(
        "INSERT INTO conversations (org_id, kind, name, created_at, application_id) \
         VALUES ($1, 'application', $2, $3, $4) RETURNING id",
    )
    .bind(org_id)
    .bind(&title)
    .bind(now())
    .bind(application)
    .fetch_one(&mut *tx)
    .await;
    let Some(id) = created_unless_taken(created, "creating a candidate's conversation")? else {
        return Ok(None);
    };
    for member in team(&mut tx, org_id, job_id).await? {
        join(&mut tx, id, member).await?;
    }
    tx.commit()
        .await
        .or_internal("committing a candidate's conversation")?;
    Ok(Some(id))
}

/// Who is in a new application's conversation: the job's recruiters and hiring managers whose
/// role sees candidates, or else the organisation's owners, admins and recruiters.
async fn team(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    org_id: i64,
    job_id: i64,
) -> Result<Vec<i64>, ApiError> {
    let team: Vec<i64> = sqlx::query_scalar(
        "SELECT t.user_id FROM job_team t JOIN memberships m \
         ON m.user_id = t.user_id AND m.org_id = $1 \
         WHERE t.job_id = $2 AND t.role IN ('recruiter', 'hiring_manager') \
         AND m.role IN ('owner', 'admin', 'recruiter', 'hiring_manager') ORDER BY t.user_id",
    )
    .bind(org_id)
    .bind(job_id)
    .fetch_all(&mut **tx)
    .await
    .or_internal("reading a job's hiring team")?;
    if !team.is_empty() {
        return Ok(team);
    }
    sqlx::query_scalar(
        "SELECT user_id FROM memberships WHERE org_id = $1 \
         AND role IN ('owner', 'admin', 'recruiter') ORDER BY user_id LIMIT $2",
    )
    .bind(org_id)
    .bind(WITHOUT_TEAM_LIMIT)
    .fetch_all(&mut **tx)
    .await
    .or_internal("reading an organisation's recruiters")
}

/// Adds `user_id` to the conversation (nothing if they are in it), with what is there read;
/// whether they were added.
async fn join(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    conversation: i64,
    user_id: i64,
) -> Result<bool, ApiError> {
    let added = sqlx::query(
        "INSERT INTO conversation_members \
         (conversation_id, user_id, is_admin, joined_at, last_read_seq) \
         SELECT id, $2, 0, $3, last_seq FROM conversations WHERE id = $1 \
         AND NOT EXISTS (SELECT 1 FROM conversation_members \
                         WHERE conversation_id = $1 AND user_id = $2)",
    )
    .bind(conversation)
    .bind(user_id)
    .bind(now())
    .execute(&mut **tx)
    .await
    .or_internal("adding a member to a candidate's conversation")?;
    Ok(added.rows_affected() == 1)
}

/// Where the conversation is and the candidate's name, if it is the conversation of
/// `application` and its link still carries it.
pub(super) async fn writer_of(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    conversation: i64,
    application: i64,
    token_hash: &str,
) -> Result<Option<(Place, String)>, sqlx::Error> {
    let row: Option<(i64, String)> = sqlx::query_as(
        "SELECT c.org_id, cand.name FROM conversations c \
         JOIN applications a ON a.id = c.application_id \
         JOIN candidates cand ON cand.id = a.candidate_id \
         WHERE c.id = $1 AND c.application_id = $2 AND a.token_hash = $4 \
         AND a.deletion_requested_at IS NULL AND a.token_expires_at > $3",
    )
    .bind(conversation)
    .bind(application)
    .bind(now())
    .bind(token_hash)
    .fetch_optional(&mut **tx)
    .await?;
    Ok(row.map(|(org_id, name)| {
        (
            Place {
                org_id,
                application: true,
                closed: false,
            },
            name,
        )
    }))
}

/// An error on the socket as an error of a server function: what to fix names its field.
fn as_api_error(error: WsError) -> ApiError {
    match error.code {
        ErrorCode::Invalid => ApiError::field("body", error.message),
        ErrorCode::NotFound => ApiError::NotFound,
        // Logged where it failed; the page tries again.
        _ => ApiError::Internal,
    }
}

impl Chat {
    /// The conversation of the application behind `token`, as its candidate sees it: a page of
    /// messages before `before` (the latest without it).
    pub async fn candidate_thread(
        &self,
        token: &str,
        before: Option<i64>,
    ) -> Result<CandidateThread, ApiError> {
        let link = link(&self.db, token.trim())
            .await
            .or_internal("reading a private link")?
            .ok_or(ApiError::NotFound)?;
        let conversation = conversation_of(&self.db, link.application, None).await?;
        let mut rows: Vec<MessageRow> = sqlx::query_as(&format!(
            "SELECT {MESSAGE_COLUMNS} FROM messages m LEFT JOIN users u ON u.id = m.author_id \
             WHERE m.conversation_id = $1 AND m.seq < $2 ORDER BY m.seq DESC LIMIT $3"
        ))
        .bind(conversation)
        .bind(before.unwrap_or(i64::MAX))
        .bind(HISTORY_PAGE + 1)
        .fetch_all(&self.db.pool)
        .await
        .or_internal("reading a candidate's conversation")?;
        let more_before = rows.len() as i64 > HISTORY_PAGE;
        rows.truncate(usize::try_from(HISTORY_PAGE).unwrap_or(50));
        rows.reverse();
        Ok(CandidateThread {
            conversation,
            team: link.org_name,
            messages: rows
                .into_iter()
                .map(|row| as_candidate_sees(ChatMessage::from(row)))
                .collect(),
            more_before,
            open: link.open,
        })
    }

    /// The candidate behind `token` writes to the hiring team (over HTTP: the page's form, with
    /// or without its code).
    pub async fn candidate_writes(
        &self,
        token: &str,
        client_id: &str,
        body: &str,
        attachments: &[i64],
    ) -> Result<ChatMessage, ApiError> {
        check_client_id("client_id", client_id)?;
        check_message_with("body", body, attachments.len())?;
        let link = link(&self.db, token.trim())
            .await
            .or_internal("reading a private link")?
            .ok_or(ApiError::NotFound)?;
        if !link.open {
            return Err(closed_to_candidate());
        }
        let conversation = conversation_of(&self.db, link.application, None).await?;
        self.candidate_may_send(link.application)?;
        let author = Author::Candidate {
            application: link.application,
            token_hash: &link.token_hash,
        };
        self.send(author, conversation, client_id, body, attachments)
            .await
            .map(as_candidate_sees)
            .map_err(as_api_error)
    }

    /// The messages of the candidate's conversation after `after`, in order (a page that
    /// reconnects).
    pub async fn candidate_since(
        &self,
        conversation: i64,
        after: i64,
    ) -> Result<Vec<ChatMessage>, WsError> {
        let rows: Vec<MessageRow> = sqlx::query_as(&format!(
            "SELECT {MESSAGE_COLUMNS} FROM messages m LEFT JOIN users u ON u.id = m.author_id \
             WHERE m.conversation_id = $1 AND m.seq > $2 ORDER BY m.seq LIMIT $3"
        ))
        .bind(conversation)
        .bind(after)
        .bind(super::REPLAY_LIMIT)
        .fetch_all(&self.db.pool)
        .await
        .map_err(|err| super::unavailable("replaying a candidate's messages", err, None))?;
        Ok(rows
            .into_iter()
            .map(|row| as_candidate_sees(ChatMessage::from(row)))
            .collect())
    }

    /// Counts one message of the candidate of `application` against their rate.
    pub fn candidate_may_send(&self, application: i64) -> Result<(), ApiError> {
        match &self.candidate_sends {
            Some(limit) => limit.check(&application),
            None => Ok(()),
        }
    }
}

/// A message as the candidate's page gets it: without the team's user ids.
pub(crate) fn as_candidate_sees(message: ChatMessage) -> ChatMessage {
    ChatMessage {
        author: None,
        ..message
    }
}

/// The candidate asked for their data to be deleted: the conversation is closed to them.
fn closed_to_candidate() -> ApiError {
    ApiError::field(
        "body",
        "You asked for your data to be deleted, so this conversation is closed.",
    )
}

/// The answer on the socket to a frame that only a member's page sends.
pub(crate) fn not_for_candidates() -> WsError {
    WsError {
        code: ErrorCode::Invalid,
        message: "The candidate's page sends messages and pings only.".into(),
        retry_after_ms: None,
        reply_to: None,
    }
}

/// The answer on the socket to a message over the candidate's rate.
pub(crate) fn slow_down(limited: ApiError, client_id: &str) -> WsError {
    let retry_after_ms = match limited {
        ApiError::RateLimited { retry_after_secs } => Some(retry_after_secs.saturating_mul(1_000)),
        _ => None,
    };
    WsError {
        code: ErrorCode::RateLimited,
        message: limited.to_string(),
        retry_after_ms,
        reply_to: Some(client_id.to_owned()),
    }
}

/// The answer on the socket to a message for any other conversation than the candidate's.
pub(crate) fn only_its_conversation(client_id: &str) -> WsError {
    not_found(Some(client_id))
}

/// Whether the link still carries its conversation (not expired, not replaced, no deletion asked
/// for). A failed read keeps it open: the next check or message decides.
pub async fn link_still_works(db: &Db, link: &Link) -> bool {
    let found: Result<i64, _> = sqlx::query_scalar(
        "SELECT COUNT(*) FROM applications WHERE id = $1 AND token_hash = $3 \
         AND deletion_requested_at IS NULL AND token_expires_at > $2",
    )
    .bind(link.application)
    .bind(now())
    .bind(&link.token_hash)
    .fetch_one(&db.pool)
    .await;
    match found {
        Ok(n) => n == 1,
        Err(err) => {
            tracing::warn!(error = %err, "checking a candidate's link");
            true
        }
    }
}

#[async_trait::async_trait]
impl CandidateChatSeam for Chat {
    async fn thread(
        &self,
        _visitor: &Visitor,
        input: CandidateMessages,
    ) -> Result<CandidateThread, ApiError> {
        self.candidate_thread(&input.token, input.before).await
    }

    async fn write(
        &self,
        _visitor: &Visitor,
        input: MessageTheTeam,
    ) -> Result<ChatMessage, ApiError> {
        // A page without its code sends none: the server names the message (a plain form is
        // not sent again by itself).
        let client_id = match input.client_id.trim() {
            "" => format!("form-{}", &new_token()[..22]),
            given => given.to_owned(),
        };
        // The ids of the files uploaded for it, as the page's hidden field lists them.
        let mut attachments = Vec::new();
        for id in input
            .attachments
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            attachments.push(id.parse::<i64>().map_err(|_| {
                ApiError::field(
                    "body",
                    "The files of this message are not named right; attach them again.",
                )
            })?);
        }
        self.candidate_writes(&input.token, &client_id, &input.body, &attachments)
            .await
    }
}
