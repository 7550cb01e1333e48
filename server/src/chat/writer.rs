//! The one task that stores messages. What arrives while a transaction commits is stored
//! together in the next one (up to [`MAX_BATCH`]): a commit's cost (the write to disk that makes
//! it durable) is paid once per batch instead of once per message. A refused message leaves the
//! others of its batch alone: a member's message without files is refused before anything of it
//! is written (or its number given back, for a retry), so it is written in three statements; any
//! other message (files to claim, a candidate's) is written inside a savepoint of its own. A
//! database error while storing a message without a savepoint fails the whole batch (each
//! message is answered that it will be sent again). Each message is acknowledged, and sent to
//! the pages, only after the commit. Messages are written in order of conversation, so two
//! instances writing batches to one PostgreSQL database take the conversations' row locks in
//! the same order.

use super::{
    candidate, files, member_ids, message_by_client_id, not_found, refused, render_message, roster,
    unavailable, Author, Core, Place,
};
use app::error::ApiError;
use shared::{
    chat::ChatMessage,
    ws::{ErrorCode, WsError},
};
use std::sync::Arc;
use tokio::{
    sync::{mpsc, oneshot},
    task::JoinHandle,
};

use crate::platform::db::now;

/// The most messages stored in one transaction.
const MAX_BATCH: usize = 256;

/// Messages waiting for the writer at most; a sender waits beyond that.
const QUEUE: usize = 4_096;

/// Who writes, owned (for the queue).
pub(super) enum Writer {
    Member(i64),
    Candidate {
        application: i64,
        token_hash: String,
    },
}

impl From<Author<'_>> for Writer {
    fn from(author: Author<'_>) -> Self {
        match author {
            Author::Member(user_id) => Self::Member(user_id),
            Author::Candidate {
                application,
                token_hash,
            } => Self::Candidate {
                application,
                token_hash: token_hash.to_owned(),
            },
        }
    }
}

/// A message to store, and where its answer goes.
pub(super) struct Sending {
    pub author: Writer,
    pub conversation: i64,
    pub client_id: String,
    /// Checked already (it may be empty when files go with it).
    pub body: String,
    /// The ids of the files uploaded for it.
    pub attachments: Vec<i64>,
    pub reply: oneshot::Sender<Result<ChatMessage, WsError>>,
}

impl Sending {
    /// Whether it is written inside a savepoint: it has files to claim (which may be refused
    /// once it is written), or comes from a candidate.
    fn guarded(&self) -> bool {
        !self.attachments.is_empty() || !matches!(self.author, Writer::Member(_))
    }
}

/// A message stored in the batch's transaction, and what follows its commit.
struct Stored {
    message: ChatMessage,
    members: Vec<i64>,
    place: Place,
    notices: Vec<i64>,
    mailed: bool,
}

/// What storing one message came to.
enum Outcome {
    Stored(Box<Stored>),
    /// Sent before (a retry after a lost acknowledgement): that message, nothing new.
    Before(ChatMessage),
}

/// Batches committed between two checkpoints of SQLite's write-ahead log, each run beside the
/// writer: left to SQLite, the commit that finds the log past its limit copies it into the
/// database file, and the messages behind that commit wait for the copy and its write to disk.
const CHECKPOINT_BATCHES: u32 = 32;

/// Starts the writer; the queue's sender is the service's.
pub(super) fn start(core: Arc<Core>) -> mpsc::Sender<Sending> {
    let (tx, mut rx) = mpsc::channel::<Sending>(QUEUE);
    tokio::spawn(async move {
        // The checkpoint under way, if any (SQLite only: `Db::checkpoint_beside`).
        let mut checkpoint: Option<JoinHandle<()>> = None;
        let mut batches = 0u32;
        while let Some(first) = rx.recv().await {
            let mut batch = vec![first];
            while batch.len() < MAX_BATCH {
                match rx.try_recv() {
                    Ok(next) => batch.push(next),
                    Err(_) => break,
                }
            }
            // The same lock order on every instance; a conversation's messages keep theirs.
            batch.sort_by_key(|s| s.conversation);
            write(&core, batch).await;
            batches += 1;
            if batches >= CHECKPOINT_BATCHES
                && checkpoint.as_ref().is_none_or(JoinHandle::is_finished)
            {
                batches = 0;
                checkpoint = core.db.checkpoint_beside();
            }
        }
    });
    tx
}

fn could_not_store(client_id: &str) -> WsError {
    refused(
        ErrorCode::Unavailable,
        "The message could not be stored just now; it will be sent again.",
        Some(client_id),
    )
}

/// Stores a batch in one transaction and answers each message.
async fn write(core: &Core, batch: Vec<Sending>) {
    let mut tx = match core.db.begin().await {
        Ok(tx) => tx,
        Err(err) => {
            tracing::error!(error = %err, "starting to store messages");
            fail_all(batch);
            return;
        }
    };
    let mut answers = Vec::with_capacity(batch.len());
    for sending in batch {
        if !sending.guarded() {
            let outcome = store_one(core, &mut tx, &sending).await;
            let failed = matches!(&outcome, Err(error) if error.code == ErrorCode::Unavailable);
            answers.push((sending, outcome));
            if failed {
                // What of it was written cannot be taken back alone: nothing of the batch is
                // stored.
                drop(tx);
                fail_all(answers.into_iter().map(|(sending, _)| sending));
                return;
            }
            continue;
        }
        let outcome = match savepoint(&mut tx, "SAVEPOINT message").await {
            Ok(()) => store_one(core, &mut tx, &sending).await,
            Err(err) => Err(unavailable(
                "storing a message",
                err,
                Some(&sending.client_id),
            )),
        };
        // A message that was not stored (or was stored before) leaves no trace in the batch.
        let end = match &outcome {
            Ok(Outcome::Stored(_)) => "RELEASE SAVEPOINT message",
            _ => "ROLLBACK TO SAVEPOINT message",
        };
        let outcome = match savepoint(&mut tx, end).await {
            Ok(()) => outcome,
            Err(err) => {
                // The transaction cannot be trusted: nothing of the batch is stored.
                tracing::error!(error = %err, "ending a message's savepoint");
                drop(tx);
                answers.push((sending, outcome));
                fail_all(answers.into_iter().map(|(sending, _)| sending));
                return;
            }
        };
        answers.push((sending, outcome));
    }
    if let Err(err) = tx.commit().await {
        tracing::error!(error = %err, "committing messages");
        fail_all(answers.into_iter().map(|(sending, _)| sending));
        return;
    }
    let mut mailed = false;
    for (sending, outcome) in answers {
        let answer = match outcome {
            Ok(Outcome::Stored(stored)) => {
                mailed |= stored.mailed;
                core.tell_message(&stored.members, stored.place, &stored.message);
                core.notifications.tell(stored.notices).await;
                Ok(stored.message)
            }
            Ok(Outcome::Before(before)) => Ok(before),
            Err(error) => Err(error),
        };
        let _ = sending.reply.send(answer);
    }
    if mailed {
        core.mail.wake();
    }
}

/// Answers every message of a batch that was not committed: nothing of it was stored.
fn fail_all(batch: impl IntoIterator<Item = Sending>) {
    for sending in batch {
        let _ = sending.reply.send(Err(could_not_store(&sending.client_id)));
    }
}

async fn savepoint(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    statement: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(statement).execute(&mut **tx).await.map(|_| ())
}

/// Checks and writes one message inside the batch's transaction: for a member, three
/// statements (its next number, the message, the author's read position) once the hub
/// remembers who may see the conversation (read once, in a fourth, before); the stored message
/// is answered as written, not read back. Without a savepoint (not [`Sending::guarded`]),
/// nothing is written before a refusal, except a retry's number, which is given back.
async fn store_one(
    core: &Core,
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    sending: &Sending,
) -> Result<Outcome, WsError> {
    let (conversation, client_id, body) = (
        sending.conversation,
        sending.client_id.as_str(),
        sending.body.as_str(),
    );
    let fail = |what: &'static str| move |err| unavailable(what, err, Some(client_id));
    let (place, members, author_name) = match &sending.author {
        Writer::Member(user_id) => {
            let roster = roster(&core.hub, tx, conversation)
                .await
                .map_err(fail("checking a conversation's members"))?
                .ok_or_else(|| not_found(Some(client_id)))?;
            let name = roster
                .name_of(*user_id)
                .ok_or_else(|| not_found(Some(client_id)))?
                .to_owned();
            (Place::from(&*roster), roster.ids(), name)
        }
        Writer::Candidate {
            application,
            token_hash,
        } => {
            let Some((place, name)) =
                candidate::writer_of(tx, conversation, *application, token_hash)
                    .await
                    .map_err(fail("checking a candidate's conversation"))?
            else {
                return Err(not_found(Some(client_id)));
            };
            let members = member_ids(&core.hub, tx, conversation)
                .await
                .map_err(fail("listing a conversation's members"))?;
            (place, members, name)
        }
    };
    if place.closed {
        return Err(refused(
            ErrorCode::Invalid,
            "The candidate asked for their data to be deleted: this conversation is closed.",
            Some(client_id),
        ));
    }
    let at = now();
    // Takes the conversation's row lock: messages of one conversation are numbered in turn.
    let seq: i64 = sqlx::query_scalar(
        "UPDATE conversations SET last_seq = last_seq + 1, last_message_at = $1 \
         WHERE id = $2 RETURNING last_seq",
    )
    .bind(at)
    .bind(conversation)
    .fetch_one(&mut **tx)
    .await
    .map_err(fail("numbering a message"))?;
    // Sent again after a lost acknowledgement: nothing new is stored (the savepoint takes back
    // the number), the message stored before is the answer.
    let sent_before = |before: ChatMessage| {
        let same_author = match &sending.author {
            Writer::Member(user_id) => before.author == Some(*user_id),
            Writer::Candidate { .. } => before.from_candidate,
        };
        if same_author {
            Ok(Outcome::Before(before))
        } else {
            Err(refused(
                ErrorCode::Invalid,
                "This client id belongs to another message; send with a new one.",
                Some(client_id),
            ))
        }
    };
    let attachments = if sending.attachments.is_empty() {
        Vec::new()
    } else {
        // A retry's files were claimed by its first sending: look for it first.
        let before = message_by_client_id(tx, conversation, client_id)
            .await
            .map_err(fail("looking for a message sent before"))?;
        if let Some(before) = before {
            return sent_before(before);
        }
        files::unsent(tx, conversation, &sending.author, &sending.attachments)
            .await
            .map_err(fail("reading a message's files"))?
            .ok_or_else(|| {
                refused(
                    ErrorCode::Invalid,
                    "A file of this message was not uploaded to this conversation by you, or \
                     was sent already; attach it again.",
                    Some(client_id),
                )
            })?
    };
    let member = match &sending.author {
        Writer::Member(user_id) => Some(*user_id),
        Writer::Candidate { .. } => None,
    };
    let label = member.is_none().then_some(author_name.as_str());
    let attachments_json =
        (!attachments.is_empty()).then(|| serde_json::to_string(&attachments).unwrap_or_default());
    // A client id stored before is no error: nothing is written, and that message answers.
    let inserted = sqlx::query(
        "INSERT INTO messages (conversation_id, seq, author_id, client_id, body, created_at, \
         from_candidate, author_label, attachments) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
         ON CONFLICT (conversation_id, client_id) DO NOTHING",
    )
    .bind(conversation)
    .bind(seq)
    .bind(member)
    .bind(client_id)
    .bind(body)
    .bind(at)
    .bind(i64::from(member.is_none()))
    .bind(label)
    .bind(attachments_json)
    .execute(&mut **tx)
    .await
    .map_err(fail("storing a message"))?;
    if inserted.rows_affected() == 0 {
        if !sending.guarded() {
            // No savepoint takes the number back: given back here (the conversation's row is
            // locked by this transaction), and its last message's time with it.
            sqlx::query(
                "UPDATE conversations SET last_seq = last_seq - 1, last_message_at = \
                 COALESCE((SELECT m.created_at FROM messages m WHERE m.conversation_id = $1 \
                 AND m.seq = conversations.last_seq - 1), last_message_at) WHERE id = $1",
            )
            .bind(conversation)
            .execute(&mut **tx)
            .await
            .map_err(fail("giving back a message's number"))?;
        }
        let before = message_by_client_id(tx, conversation, client_id)
            .await
            .map_err(fail("reading a message sent before"))?
            .ok_or_else(|| not_found(Some(client_id)))?;
        return sent_before(before);
    }
    let claimed = files::mark_sent(tx, conversation, seq, &attachments)
        .await
        .map_err(fail("attaching a message's files"))?;
    if !claimed {
        return Err(refused(
            ErrorCode::Invalid,
            "A file of this message was sent or removed meanwhile; attach it again.",
            Some(client_id),
        ));
    }
    if let Some(user_id) = member {
        // What one writes, one has read.
        sqlx::query(
            "UPDATE conversation_members SET last_read_seq = $1 \
             WHERE conversation_id = $2 AND user_id = $3",
        )
        .bind(seq)
        .bind(conversation)
        .bind(user_id)
        .execute(&mut **tx)
        .await
        .map_err(fail("marking a message read by its author"))?;
    }
    // As a read of the row would give it.
    let message = ChatMessage {
        conversation,
        seq,
        author: member,
        author_name,
        client_id: client_id.to_owned(),
        body: body.to_owned(),
        html: render_message(body),
        at,
        edited: false,
        deleted: false,
        from_candidate: member.is_none(),
        attachments,
    };
    // Logged where it failed; sending again is safe.
    let logged = |_: ApiError| could_not_store(client_id);
    let notices = core
        .notify_away(tx, &members, &message)
        .await
        .map_err(logged)?;
    let mailed = match (place.application, member) {
        (true, Some(_)) if !core.hub.candidate_is_here(conversation) => {
            candidate::mail_candidate(&core.mail, tx, conversation, &message)
                .await
                .map_err(logged)?
        }
        _ => false,
    };
    Ok(Outcome::Stored(Box::new(Stored {
        message,
        members,
        place,
        notices,
        mailed,
    })))
}
