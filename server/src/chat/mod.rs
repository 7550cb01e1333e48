//! Chat (`ChatSeam`, and the frames the realtime socket hands over): conversations between
//! members of one organisation and their messages.
//!
//! A message is stored before it is acknowledged, numbered by its conversation (`last_seq + 1`,
//! in the transaction that stores it, so the order is the server's), and stored once per
//! `client_id` (a page that sends again after a lost acknowledgement gets the same message
//! back). It then goes to every member's open pages through the hub, which checks each
//! delivery against the organisation's membership. Only members of a conversation who are still
//! members of its organisation send to it, read it or see it listed; for anyone else it does
//! not exist (404, or `not_found` on the socket).

use crate::{
    mail::Mail,
    notifications::{NewNotice, Notifications},
    platform::{
        db::{now, Db},
        error::OrInternal,
        files::FileStore,
        limits::RateLimit,
    },
    realtime::{AccessChange, Delivery, Hub, Roster},
};

pub mod candidate;
pub mod files;
mod writer;
use app::{
    chat::{
        api::{
            ConversationHistory, Conversations, CreateGroup, GroupMember, SearchMessages,
            StartDirect,
        },
        seam::ChatSeam,
    },
    error::ApiError,
    seam::OrgCaller,
};
use shared::{
    chat::{
        check_client_id, check_group_name, check_message_with, search_words, ChatMessage,
        ConversationKind, ConversationMember, ConversationSummary, History, Presence, HISTORY_PAGE,
        MAX_GROUP_MEMBERS, SEARCH_LIMIT,
    },
    notifications::Topic,
    ws::{ErrorCode, Seen, ServerEvent, WsError},
};
use std::{collections::HashMap, sync::Arc};
use tokio::sync::mpsc;

/// The most conversations listed (the latest first).
const LIST_LIMIT: i64 = 200;
/// The most messages replayed to a page that reconnects, per conversation (it reads older
/// ones as history).
const REPLAY_LIMIT: i64 = 500;

/// The chat service; clones share everything. Messages are stored by one writer task
/// (`writer.rs`), which commits those that arrive together in one transaction.
#[derive(Clone)]
pub struct Chat {
    core: Arc<Core>,
    writer: mpsc::Sender<writer::Sending>,
}

/// What the chat service and its writer share.
pub struct Core {
    db: Db,
    hub: Hub,
    notifications: Notifications,
    /// Tells a candidate who is not on their page that the team wrote.
    mail: Mail,
    /// Messages from each application's candidate, per hour.
    candidate_sends: Option<RateLimit<i64>>,
    /// Where the files sent in messages are kept.
    files: FileStore,
}

impl std::ops::Deref for Chat {
    type Target = Core;

    fn deref(&self) -> &Core {
        &self.core
    }
}

/// What an author does to a message already sent ([`Chat::change`]).
pub enum Change {
    /// Its text becomes this.
    Edit(String),
    Delete,
}

/// A message row as read, with its author's name.
#[derive(sqlx::FromRow)]
struct MessageRow {
    conversation_id: i64,
    seq: i64,
    author_id: Option<i64>,
    author_name: Option<String>,
    client_id: String,
    body: String,
    created_at: i64,
    edited_at: Option<i64>,
    deleted_at: Option<i64>,
    from_candidate: i64,
    /// JSON, as stored with it.
    attachments: Option<String>,
}

impl From<MessageRow> for ChatMessage {
    fn from(row: MessageRow) -> Self {
        let deleted = row.deleted_at.is_some();
        Self {
            conversation: row.conversation_id,
            seq: row.seq,
            author: row.author_id,
            author_name: row
                .author_name
                .unwrap_or_else(|| "Former member".to_owned()),
            client_id: row.client_id,
            html: if deleted {
                String::new()
            } else {
                render_message(&row.body)
            },
            body: if deleted { String::new() } else { row.body },
            at: row.created_at,
            edited: row.edited_at.is_some(),
            deleted,
            from_candidate: row.from_candidate != 0,
            attachments: match row.attachments {
                Some(json) if !deleted => serde_json::from_str(&json).unwrap_or_else(|err| {
                    tracing::error!(error = %err, "a message's stored attachments are unreadable");
                    Vec::new()
                }),
                _ => Vec::new(),
            },
        }
    }
}

/// A message's Markdown as the HTML pages show: the subset chat needs (bold, italics,
/// strike-through, code, links, lists, quotes), a heading as a plain paragraph, each line break
/// kept. Raw HTML shows as text; links keep only http, https and mailto, and open nothing with the
/// page's rights; images are left out.
pub fn render_message(markdown: &str) -> String {
    use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};
    let events =
        Parser::new_ext(markdown, Options::ENABLE_STRIKETHROUGH).map(|event| match event {
            Event::Html(html) | Event::InlineHtml(html) => Event::Text(html),
            Event::SoftBreak => Event::HardBreak,
            Event::Start(Tag::Heading { .. }) => Event::Start(Tag::Paragraph),
            Event::End(TagEnd::Heading(_)) => Event::End(TagEnd::Paragraph),
            other => other,
        });
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, events);
    ammonia::Builder::empty()
        .add_tags([
            "p",
            "br",
            "strong",
            "em",
            "del",
            "code",
            "pre",
            "a",
            "ul",
            "ol",
            "li",
            "blockquote",
        ])
        .add_tag_attributes("a", ["href"])
        .add_tag_attributes("ol", ["start"])
        .url_schemes(["http", "https", "mailto"].into())
        .link_rel(Some("noopener noreferrer nofollow"))
        .clean(&html)
        .to_string()
}

/// A message's Markdown as plain words (for a notification): the text without its marks, line
/// breaks as spaces.
pub fn plain_text(markdown: &str) -> String {
    use pulldown_cmark::{Event, Options, Parser, TagEnd};
    let mut text = String::new();
    for event in Parser::new_ext(markdown, Options::ENABLE_STRIKETHROUGH) {
        match event {
            Event::Text(t) | Event::Code(t) | Event::Html(t) | Event::InlineHtml(t) => {
                text.push_str(&t)
            }
            Event::SoftBreak
            | Event::HardBreak
            | Event::End(TagEnd::Paragraph | TagEnd::Item | TagEnd::Heading(_)) => text.push(' '),
            _ => {}
        }
    }
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

const MESSAGE_COLUMNS: &str = "m.conversation_id, m.seq, m.author_id, \
     COALESCE(u.name, m.author_label) AS author_name, m.client_id, m.body, m.created_at, \
     m.edited_at, m.deleted_at, m.from_candidate, m.attachments";

/// Whether the member `m` (an alias of their membership of the conversation `c`'s
/// organisation) may see the conversation, as an SQL condition: an application's conversation
/// shows a candidate, so only to roles that see candidates, and to a hiring manager only while on
/// its job's hiring team.
fn sees_it(m: &str) -> String {
    format!(
        "(c.application_id IS NULL OR {m}.role IN ('owner', 'admin', 'recruiter') \
         OR ({m}.role = 'hiring_manager' AND EXISTS (SELECT 1 FROM applications a \
             JOIN job_team t ON t.job_id = a.job_id \
             WHERE a.id = c.application_id AND t.user_id = {m}.user_id \
             AND t.role <> 'interviewer')))"
    )
}

/// Who writes a message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Author<'a> {
    /// A member of the conversation (a user id).
    Member(i64),
    /// The candidate of this application, from its private link (the hash of its token: a
    /// link replaced by a new one no longer writes).
    Candidate {
        application: i64,
        token_hash: &'a str,
    },
}

#[derive(sqlx::FromRow)]
struct ConversationRow {
    id: i64,
    kind: String,
    name: String,
    last_seq: i64,
    last_read_seq: i64,
}

#[derive(sqlx::FromRow)]
struct MemberRow {
    conversation_id: i64,
    user_id: i64,
    name: String,
    is_admin: i64,
    last_read_seq: i64,
}

fn refused(code: ErrorCode, message: impl Into<String>, client_id: Option<&str>) -> WsError {
    WsError {
        code,
        message: message.into(),
        retry_after_ms: None,
        reply_to: client_id.map(str::to_owned),
    }
}

fn not_found(client_id: Option<&str>) -> WsError {
    refused(
        ErrorCode::NotFound,
        "There is no such conversation, or you are not in it.",
        client_id,
    )
}

fn unavailable(what: &str, err: sqlx::Error, client_id: Option<&str>) -> WsError {
    tracing::error!(error = %err, "{what}");
    refused(
        ErrorCode::Unavailable,
        "The message could not be stored just now; it will be sent again.",
        client_id,
    )
}

impl Chat {
    /// The service, with its writer running on the current runtime.
    pub fn new(
        db: Db,
        hub: Hub,
        notifications: Notifications,
        mail: Mail,
        files: FileStore,
    ) -> Self {
        let core = Arc::new(Core {
            db,
            hub,
            notifications,
            mail,
            files,
            candidate_sends: RateLimit::new(
                candidate::MESSAGES_PER_HOUR,
                std::time::Duration::from_secs(3_600),
            ),
        });
        let writer = writer::start(core.clone());
        Self { core, writer }
    }
}

impl Core {
    /// The conversation's roster ([`roster`]): from the hub, or read with a connection of its
    /// own the first time.
    async fn roster_of(&self, conversation: i64) -> Result<Option<Arc<Roster>>, sqlx::Error> {
        if let Ok(roster) = self.hub.roster(conversation) {
            return Ok(Some(roster));
        }
        let mut conn = self.db.pool.acquire().await?;
        roster(&self.hub, &mut conn, conversation).await
    }

    /// Records a notification for each member (but the author) who is away or offline: one
    /// per conversation while unread, counting its messages. Answers their ids.
    async fn notify_away(
        &self,
        conn: &mut sqlx::AnyConnection,
        members: &[i64],
        message: &ChatMessage,
    ) -> Result<Vec<i64>, ApiError> {
        let away: Vec<i64> = members
            .iter()
            .copied()
            .filter(|m| Some(*m) != message.author && self.hub.presence(*m) != Presence::Online)
            .collect();
        if away.is_empty() {
            return Ok(Vec::new());
        }
        let (org_id, slug, kind, name): (i64, String, String, String) = sqlx::query_as(
            "SELECT c.org_id, o.slug, c.kind, c.name FROM conversations c \
             JOIN organisations o ON o.id = c.org_id WHERE c.id = $1",
        )
        .bind(message.conversation)
        .fetch_one(&mut *conn)
        .await
        .or_internal("reading a conversation for its notifications")?;
        // A group's or an application's conversation is named; a direct one is its author.
        let group =
            (ConversationKind::parse(&kind) != Some(ConversationKind::Direct)).then_some(name);
        let author = message.author_name.clone();
        let plain = plain_text(&message.quoted());
        let mut snippet: String = plain.chars().take(80).collect();
        if snippet.len() < plain.len() {
            snippet.push('…');
        }
        // The candidate's own words come under the conversation's name ("Ada · Engineer: …").
        let from_candidate = message.from_candidate;
        let text = move |count: i64| match (&group, count) {
            (None, 1) => format!("{author}: {snippet}"),
            (Some(group), 1) if from_candidate => format!("{group}: {snippet}"),
            (Some(group), 1) => format!("{author} in {group}: {snippet}"),
            (None, n) => format!("{n} new messages from {author}"),
            (Some(group), n) => format!("{n} new messages in {group}"),
        };
        let key = format!("conversation:{}", message.conversation);
        let link = format!("/o/{slug}/chat/{}", message.conversation);
        let mut ids = Vec::new();
        for user_id in away {
            let notice = NewNotice {
                user_id,
                org_id,
                topic: Topic::Message,
                key: &key,
                text: &text,
                link: &link,
            };
            ids.extend(Notifications::record(&mut *conn, notice).await?);
        }
        Ok(ids)
    }

    /// Sends a new or changed message to its members' open pages on this instance, and has the
    /// other instances read it and send it to theirs (`deliver_relayed`).
    fn tell_message(&self, members: &[i64], place: Place, message: &ChatMessage) {
        self.deliver(members, place, &ServerEvent::Message(message.clone()));
        self.hub.relay_message(message.conversation, message.seq);
    }

    /// Delivers a message's event to these members' pages here, and to the candidate's in an
    /// application's conversation.
    fn deliver(&self, members: &[i64], place: Place, event: &ServerEvent) {
        let delivery = Delivery {
            org_id: Some(place.org_id),
            event: event.clone(),
            candidate_data: place.application,
        };
        self.hub.deliver_here_to(members, &delivery);
        if place.application {
            if let ServerEvent::Message(message) = event {
                self.hub.deliver_to_candidate(
                    message.conversation,
                    &Delivery {
                        org_id: None,
                        event: ServerEvent::Message(candidate::as_candidate_sees(message.clone())),
                        candidate_data: false,
                    },
                );
            }
        }
    }
}

impl Chat {
    /// Starts delivering the messages other instances stored: each is read here, with its
    /// conversation's members, only when one of them has a page open here. `None` when it was
    /// started before.
    pub fn deliver_relayed(&self) -> Option<tokio::task::JoinHandle<()>> {
        let mut relayed = self.hub.watch_relayed_messages()?;
        let chat = self.clone();
        Some(tokio::spawn(async move {
            while let Some((conversation, seq)) = relayed.recv().await {
                if let Err(err) = chat.deliver_here(conversation, seq).await {
                    tracing::warn!(error = %err, "delivering a message stored on another instance");
                }
            }
        }))
    }

    async fn deliver_here(&self, conversation: i64, seq: i64) -> Result<(), sqlx::Error> {
        let Some(roster) = self.roster_of(conversation).await? else {
            return Ok(());
        };
        let members: Vec<i64> = roster
            .ids()
            .into_iter()
            .filter(|m| self.hub.is_here(*m))
            .collect();
        if members.is_empty() && !self.hub.candidate_is_here(conversation) {
            return Ok(());
        }
        let mut conn = self.db.pool.acquire().await?;
        if let Some(message) = message_at(&mut conn, conversation, seq).await? {
            self.deliver(
                &members,
                Place::from(&*roster),
                &ServerEvent::Message(message),
            );
        }
        Ok(())
    }

    /// Sends `event` to these members' open pages (through the hub, which checks each delivery
    /// against their membership of the conversation's organisation).
    fn tell(&self, members: impl IntoIterator<Item = i64>, place: Place, event: &ServerEvent) {
        for member in members {
            self.hub.send(
                member,
                Delivery {
                    org_id: Some(place.org_id),
                    event: event.clone(),
                    candidate_data: place.application,
                },
            );
        }
    }

    /// Stores a message from `author` and sends it to every member's open pages (and the
    /// candidate's, in an application's conversation); answers the stored message (the one
    /// stored before, when `client_id` was sent already). Acknowledged once committed.
    pub async fn send(
        &self,
        author: Author<'_>,
        conversation: i64,
        client_id: &str,
        body: &str,
        attachments: &[i64],
    ) -> Result<ChatMessage, WsError> {
        let invalid = |e: shared::validation::FieldError| {
            refused(ErrorCode::Invalid, e.message, Some(client_id))
        };
        check_client_id("client_id", client_id).map_err(invalid)?;
        let body = check_message_with("body", body, attachments.len()).map_err(invalid)?;
        let busy = || {
            refused(
                ErrorCode::Unavailable,
                "The message could not be stored just now; it will be sent again.",
                Some(client_id),
            )
        };
        let (reply, answer) = tokio::sync::oneshot::channel();
        let sending = writer::Sending {
            author: author.into(),
            conversation,
            client_id: client_id.to_owned(),
            body,
            attachments: attachments.to_vec(),
            reply,
        };
        self.writer.send(sending).await.map_err(|_| busy())?;
        answer.await.unwrap_or_else(|_| Err(busy()))
    }

    /// Edits or deletes message `seq` of `conversation` for its author `user_id`, and sends it
    /// again, changed, to every member's open pages. A deleted message's text is gone from the
    /// database, not hidden; deleting it again changes nothing.
    pub async fn change(
        &self,
        user_id: i64,
        conversation: i64,
        seq: i64,
        change: Change,
    ) -> Result<ChatMessage, WsError> {
        let fail = |what: &'static str| {
            move |err: sqlx::Error| {
                tracing::error!(error = %err, "{what}");
                refused(
                    ErrorCode::Unavailable,
                    "The change could not be saved just now; try again.",
                    None,
                )
            }
        };
        let mut tx = self.db.begin().await.map_err(fail("starting a change"))?;
        let Some(place) = member_of(&self.hub, &mut tx, conversation, user_id)
            .await
            .map_err(fail("checking a conversation's member"))?
        else {
            return Err(not_found(None));
        };
        let Some(before) = message_at(&mut tx, conversation, seq)
            .await
            .map_err(fail("reading a message to change"))?
        else {
            return Err(refused(
                ErrorCode::NotFound,
                "There is no such message in this conversation.",
                None,
            ));
        };
        if before.author != Some(user_id) {
            return Err(refused(
                ErrorCode::Invalid,
                "Only its author can edit or delete a message.",
                None,
            ));
        }
        // A message that carries files may lose its text.
        let body = match &change {
            Change::Edit(body) => Some(
                check_message_with("body", body, before.attachments.len())
                    .map_err(|e| refused(ErrorCode::Invalid, e.message, None))?,
            ),
            Change::Delete => None,
        };
        match (&body, before.deleted) {
            // Deleted already, or edited to what it says: nothing to store or send.
            (None, true) => return Ok(before),
            (Some(body), false) if *body == before.body => return Ok(before),
            (Some(_), true) => {
                return Err(refused(
                    ErrorCode::Invalid,
                    "This message was deleted; it can no longer be edited.",
                    None,
                ))
            }
            _ => {}
        }
        let at = now();
        let statement = if body.is_some() {
            "UPDATE messages SET body = $1, edited_at = $2 WHERE conversation_id = $3 AND seq = $4"
        } else {
            "UPDATE messages SET body = $1, deleted_at = $2, attachments = NULL \
             WHERE conversation_id = $3 AND seq = $4"
        };
        // A deleted message's files go with its text.
        let removed = if body.is_none() {
            files::forget_sent(&mut tx, conversation, seq)
                .await
                .map_err(fail("forgetting a message's files"))?
        } else {
            Vec::new()
        };
        sqlx::query(statement)
            .bind(body.unwrap_or_default())
            .bind(at)
            .bind(conversation)
            .bind(seq)
            .execute(&mut *tx)
            .await
            .map_err(fail("changing a message"))?;
        let members = member_ids(&self.hub, &mut tx, conversation)
            .await
            .map_err(fail("listing a conversation's members"))?;
        let message = message_at(&mut tx, conversation, seq)
            .await
            .map_err(fail("reading a changed message"))?
            .ok_or_else(|| not_found(None))?;
        tx.commit().await.map_err(fail("committing a change"))?;
        self.tell_message(&members, place, &message);
        files::remove_objects(&self.files, removed).await;
        Ok(message)
    }

    /// Tells the other members' open pages that `user_id` is typing in `conversation` (or has
    /// stopped). Nothing is stored.
    pub async fn typing(
        &self,
        user_id: i64,
        conversation: i64,
        typing: bool,
    ) -> Result<(), WsError> {
        let roster = self
            .roster_of(conversation)
            .await
            .map_err(|err| unavailable("checking a conversation's member", err, None))?
            .filter(|roster| roster.has(user_id))
            .ok_or_else(|| not_found(None))?;
        let place = Place::from(&*roster);
        let others = roster.ids().into_iter().filter(|m| *m != user_id);
        let event = ServerEvent::Typing {
            conversation,
            user_id,
            typing,
        };
        self.tell(others, place, &event);
        Ok(())
    }

    /// Records that `user_id` has read the conversation up to `seq` (never backwards) and tells
    /// its members' open pages.
    pub async fn read(&self, user_id: i64, conversation: i64, seq: i64) -> Result<(), WsError> {
        let fail = |what: &'static str| move |err| unavailable(what, err, None);
        let mut tx = self.db.begin().await.map_err(fail("starting a read"))?;
        let Some(place) = member_of(&self.hub, &mut tx, conversation, user_id)
            .await
            .map_err(fail("checking a conversation's member"))?
        else {
            return Err(not_found(None));
        };
        let moved = sqlx::query(
            "UPDATE conversation_members SET last_read_seq = $1 \
             WHERE conversation_id = $2 AND user_id = $3 AND last_read_seq < $1 \
             AND $1 <= (SELECT last_seq FROM conversations WHERE id = $2)",
        )
        .bind(seq)
        .bind(conversation)
        .bind(user_id)
        .execute(&mut *tx)
        .await
        .map_err(fail("recording a read"))?;
        let members = member_ids(&self.hub, &mut tx, conversation)
            .await
            .map_err(fail("listing a conversation's members"))?;
        tx.commit().await.map_err(fail("committing a read"))?;
        if moved.rows_affected() == 1 {
            let event = ServerEvent::Read {
                conversation,
                user_id,
                seq,
            };
            self.tell(members, place, &event);
            // What the messages while away said is seen now.
            let key = format!("conversation:{conversation}");
            if let Err(err) = self.notifications.read_key(user_id, &key).await {
                tracing::warn!(error = ?err, "marking message notifications read");
            }
        }
        Ok(())
    }

    /// The messages after what a reconnecting page has, in order, for the conversations it
    /// names that `user_id` is in (others are left out, as if they did not exist).
    pub async fn since(&self, user_id: i64, seen: &[Seen]) -> Result<Vec<ChatMessage>, WsError> {
        let mut missed = Vec::new();
        for seen in seen.iter().take(100) {
            let rows: Vec<MessageRow> = sqlx::query_as(&format!(
                "SELECT {MESSAGE_COLUMNS} FROM messages m \
                 JOIN conversations c ON c.id = m.conversation_id \
                 JOIN conversation_members cm ON cm.conversation_id = c.id AND cm.user_id = $1 \
                 JOIN memberships o ON o.org_id = c.org_id AND o.user_id = $1 \
                 LEFT JOIN users u ON u.id = m.author_id \
                 WHERE m.conversation_id = $2 AND m.seq > $3 AND {} \
                 ORDER BY m.seq LIMIT $4",
                sees_it("o")
            ))
            .bind(user_id)
            .bind(seen.conversation)
            .bind(seen.seq)
            .bind(REPLAY_LIMIT)
            .fetch_all(&self.db.pool)
            .await
            .map_err(|err| unavailable("replaying messages", err, None))?;
            missed.extend(rows.into_iter().map(ChatMessage::from));
        }
        Ok(missed)
    }

    /// Summaries of these conversations as `user_id` sees them, in the order given.
    async fn summaries(
        &self,
        user_id: i64,
        rows: Vec<ConversationRow>,
    ) -> Result<Vec<ConversationSummary>, ApiError> {
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<String> = rows.iter().map(|r| r.id.to_string()).collect();
        // Ids read from the database just now, as numbers: safe to write into the query.
        let list = ids.join(", ");
        let members: Vec<MemberRow> = sqlx::query_as(&format!(
            "SELECT cm.conversation_id, cm.user_id, u.name, cm.is_admin, cm.last_read_seq \
             FROM conversation_members cm JOIN users u ON u.id = cm.user_id \
             WHERE cm.conversation_id IN ({list}) ORDER BY u.name, cm.user_id"
        ))
        .fetch_all(&self.db.pool)
        .await
        .or_internal("listing conversations' members")?;
        let last: Vec<MessageRow> = sqlx::query_as(&format!(
            "SELECT {MESSAGE_COLUMNS} FROM messages m \
             JOIN conversations c ON c.id = m.conversation_id AND m.seq = c.last_seq \
             LEFT JOIN users u ON u.id = m.author_id WHERE c.id IN ({list})"
        ))
        .fetch_all(&self.db.pool)
        .await
        .or_internal("reading conversations' last messages")?;
        let mut members_of: HashMap<i64, Vec<ConversationMember>> = HashMap::new();
        for m in members {
            members_of
                .entry(m.conversation_id)
                .or_default()
                .push(ConversationMember {
                    user_id: m.user_id,
                    name: m.name,
                    admin: m.is_admin != 0,
                    last_read_seq: m.last_read_seq,
                    presence: self.hub.presence(m.user_id),
                });
        }
        let mut last_of: HashMap<i64, ChatMessage> = last
            .into_iter()
            .map(|m| (m.conversation_id, ChatMessage::from(m)))
            .collect();
        Ok(rows
            .into_iter()
            .map(|row| {
                let kind = ConversationKind::parse(&row.kind).unwrap_or(ConversationKind::Group);
                let members = members_of.remove(&row.id).unwrap_or_default();
                let title = match kind {
                    ConversationKind::Group | ConversationKind::Application => row.name,
                    ConversationKind::Direct => members
                        .iter()
                        .find(|m| m.user_id != user_id)
                        .map(|m| m.name.clone())
                        .unwrap_or_else(|| "Just you".to_owned()),
                };
                ConversationSummary {
                    id: row.id,
                    kind,
                    title,
                    members,
                    last_message: last_of.remove(&row.id),
                    unread: (row.last_seq - row.last_read_seq).max(0),
                }
            })
            .collect())
    }

    /// One conversation of the caller's, or 404.
    async fn summary(
        &self,
        caller: &OrgCaller,
        conversation: i64,
    ) -> Result<ConversationSummary, ApiError> {
        let rows = self.rows(caller, Some(conversation)).await?;
        self.summaries(caller.user_id(), rows)
            .await?
            .pop()
            .ok_or(ApiError::NotFound)
    }

    /// The caller's conversations in their organisation (or just `only`).
    async fn rows(
        &self,
        caller: &OrgCaller,
        only: Option<i64>,
    ) -> Result<Vec<ConversationRow>, ApiError> {
        sqlx::query_as(&format!(
            "SELECT c.id, c.kind, c.name, c.last_seq, cm.last_read_seq FROM conversations c \
             JOIN conversation_members cm ON cm.conversation_id = c.id AND cm.user_id = $1 \
             JOIN memberships o ON o.org_id = c.org_id AND o.user_id = $1 \
             WHERE c.org_id = $2 AND ($3 = 0 OR c.id = $3) AND {} \
             ORDER BY COALESCE(c.last_message_at, c.created_at) DESC, c.id DESC LIMIT $4",
            sees_it("o")
        ))
        .bind(caller.user_id())
        .bind(caller.org_id())
        .bind(only.unwrap_or(0))
        .bind(LIST_LIMIT)
        .fetch_all(&self.db.pool)
        .await
        .or_internal("listing conversations")
    }

    /// Whether these users are all members of the caller's organisation.
    async fn all_members(&self, org_id: i64, users: &[i64]) -> Result<bool, ApiError> {
        if users.is_empty() {
            return Ok(true);
        }
        // Numbers parsed from the request: safe to write into the query. One read for all.
        let list = users
            .iter()
            .map(i64::to_string)
            .collect::<Vec<_>>()
            .join(", ");
        let found: i64 = sqlx::query_scalar(&format!(
            "SELECT COUNT(DISTINCT user_id) FROM memberships \
             WHERE org_id = $1 AND user_id IN ({list})"
        ))
        .bind(org_id)
        .fetch_one(&self.db.pool)
        .await
        .or_internal("checking members")?;
        Ok(usize::try_from(found).is_ok_and(|n| n == users.len()))
    }

    /// Creates a conversation with these members (distinct; the caller is a group's admin).
    async fn create(
        &self,
        caller: &OrgCaller,
        kind: ConversationKind,
        name: &str,
        direct_key: Option<String>,
        members: &[i64],
    ) -> Result<Option<i64>, ApiError> {
        let mut tx = self
            .db
            .begin()
            .await
            .or_internal("starting a conversation")?;
        let at = now();
        let created: Result<i64, sqlx::Error> = sqlx::query_scalar(
            "INSERT INTO conversations (org_id, kind, name, direct_key, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(caller.org_id())
        .bind(kind.as_str())
        .bind(name)
        .bind(direct_key)
        .bind(caller.user_id())
        .bind(at)
        .fetch_one(&mut *tx)
        .await;
        // `None`: the pair's direct conversation was started meanwhile.
        let Some(id) = created_unless_taken(created, "creating a conversation")? else {
            return Ok(None);
        };
        for member in members {
            let admin = kind == ConversationKind::Group && *member == caller.user_id();
            sqlx::query(
                "INSERT INTO conversation_members (conversation_id, user_id, is_admin, joined_at) \
                 VALUES ($1, $2, $3, $4)",
            )
            .bind(id)
            .bind(member)
            .bind(i64::from(admin))
            .bind(at)
            .execute(&mut *tx)
            .await
            .or_internal("adding a conversation's member")?;
        }
        tx.commit().await.or_internal("committing a conversation")?;
        Ok(Some(id))
    }
}

/// The id of a conversation just inserted, or `None` when its key (a pair's, an application's)
/// was taken meanwhile.
fn created_unless_taken(
    created: Result<i64, sqlx::Error>,
    what: &'static str,
) -> Result<Option<i64>, ApiError> {
    match created {
        Ok(id) => Ok(Some(id)),
        Err(sqlx::Error::Database(db)) if db.is_unique_violation() => Ok(None),
        Err(err) => Err(crate::platform::error::internal(what, err)),
    }
}

/// Where a conversation is: its organisation, and whether it is an application's (its events
/// show a candidate's data).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Place {
    pub org_id: i64,
    pub application: bool,
    /// An application's conversation whose candidate asked for their data to be deleted: read,
    /// never written to again.
    pub closed: bool,
}

impl From<&Roster> for Place {
    fn from(roster: &Roster) -> Self {
        Self {
            org_id: roster.org_id,
            application: roster.application,
            closed: roster.closed,
        }
    }
}

/// A member's row of a roster: the conversation's organisation, application and deletion
/// request, and the member's id and name.
type RosterRow = (i64, Option<i64>, Option<i64>, i64, String);

/// The conversation as who may send to and receive from it (its members who may see it now,
/// with their names: [`sees_it`]): remembered by the hub, or read here in one statement and
/// remembered there until something changes it. `None` if there is no such conversation, or
/// nobody may see it.
async fn roster(
    hub: &Hub,
    conn: &mut sqlx::AnyConnection,
    conversation: i64,
) -> Result<Option<Arc<Roster>>, sqlx::Error> {
    let epoch = match hub.roster(conversation) {
        Ok(roster) => return Ok(Some(roster)),
        Err(epoch) => epoch,
    };
    let rows: Vec<RosterRow> = sqlx::query_as(&format!(
        "SELECT c.org_id, c.application_id, ap.deletion_requested_at, cm.user_id, u.name \
         FROM conversations c \
         JOIN conversation_members cm ON cm.conversation_id = c.id \
         JOIN memberships o ON o.org_id = c.org_id AND o.user_id = cm.user_id \
         JOIN users u ON u.id = cm.user_id \
         LEFT JOIN applications ap ON ap.id = c.application_id \
         WHERE c.id = $1 AND {} ORDER BY cm.user_id",
        sees_it("o")
    ))
    .bind(conversation)
    .fetch_all(conn)
    .await?;
    let Some(&(org_id, application, deletion, _, _)) = rows.first() else {
        return Ok(None);
    };
    let roster = Arc::new(Roster {
        org_id,
        application: application.is_some(),
        closed: deletion.is_some(),
        members: rows.into_iter().map(|r| (r.3, r.4)).collect(),
    });
    hub.keep_roster(conversation, roster.clone(), epoch);
    Ok(Some(roster))
}

/// Where the conversation is, if `user_id` is in it, still a member of its organisation, and
/// may see it ([`sees_it`]).
async fn member_of(
    hub: &Hub,
    conn: &mut sqlx::AnyConnection,
    conversation: i64,
    user_id: i64,
) -> Result<Option<Place>, sqlx::Error> {
    let roster = roster(hub, conn, conversation).await?;
    Ok(roster
        .filter(|roster| roster.has(user_id))
        .map(|roster| Place::from(&*roster)))
}

/// The conversation's members who may see it now (still members of its organisation, with a
/// role that sees it: [`sees_it`]): those who are told of it, live or as a notification.
async fn member_ids(
    hub: &Hub,
    conn: &mut sqlx::AnyConnection,
    conversation: i64,
) -> Result<Vec<i64>, sqlx::Error> {
    let roster = roster(hub, conn, conversation).await?;
    Ok(roster.map(|roster| roster.ids()).unwrap_or_default())
}

/// How many messages the person `user` has not read in the organisation `org` (SQL
/// expressions, such as `$1` or a column).
pub(crate) fn unread_query(user: &str, org: &str) -> String {
    format!(
        "SELECT CAST(COALESCE(SUM(c.last_seq - cm.last_read_seq), 0) AS BIGINT) \
         FROM conversation_members cm JOIN conversations c ON c.id = cm.conversation_id \
         JOIN memberships mo ON mo.org_id = c.org_id AND mo.user_id = cm.user_id \
         WHERE cm.user_id = {user} AND c.org_id = {org} AND {}",
        sees_it("mo")
    )
}

async fn message_at(
    conn: &mut sqlx::AnyConnection,
    conversation: i64,
    seq: i64,
) -> Result<Option<ChatMessage>, sqlx::Error> {
    let row: Option<MessageRow> = sqlx::query_as(&format!(
        "SELECT {MESSAGE_COLUMNS} FROM messages m LEFT JOIN users u ON u.id = m.author_id \
         WHERE m.conversation_id = $1 AND m.seq = $2"
    ))
    .bind(conversation)
    .bind(seq)
    .fetch_optional(conn)
    .await?;
    Ok(row.map(ChatMessage::from))
}

async fn message_by_client_id(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    conversation: i64,
    client_id: &str,
) -> Result<Option<ChatMessage>, sqlx::Error> {
    let row: Option<MessageRow> = sqlx::query_as(&format!(
        "SELECT {MESSAGE_COLUMNS} FROM messages m LEFT JOIN users u ON u.id = m.author_id \
         WHERE m.conversation_id = $1 AND m.client_id = $2"
    ))
    .bind(conversation)
    .bind(client_id)
    .fetch_optional(&mut **tx)
    .await?;
    Ok(row.map(ChatMessage::from))
}

#[async_trait::async_trait]
impl ChatSeam for Chat {
    async fn conversations(
        &self,
        caller: &OrgCaller,
        _input: Conversations,
    ) -> Result<Vec<ConversationSummary>, ApiError> {
        let rows = self.rows(caller, None).await?;
        self.summaries(caller.user_id(), rows).await
    }

    async fn unread(&self, caller: &OrgCaller) -> Result<i64, ApiError> {
        sqlx::query_scalar(&unread_query("$1", "$2"))
            .bind(caller.user_id())
            .bind(caller.org_id())
            .fetch_one(&self.db.pool)
            .await
            .or_internal("counting unread messages")
    }

    async fn start_direct(
        &self,
        caller: &OrgCaller,
        input: StartDirect,
    ) -> Result<ConversationSummary, ApiError> {
        let (me, other) = (caller.user_id(), input.user_id);
        if me == other {
            return Err(ApiError::field(
                "user_id",
                "Choose someone else: a direct conversation is between two people.",
            ));
        }
        // Not a member of this organisation: as if they did not exist.
        if !self.all_members(caller.org_id(), &[other]).await? {
            return Err(ApiError::NotFound);
        }
        let key = format!("{}:{}", me.min(other), me.max(other));
        let existing = || async {
            sqlx::query_scalar::<_, i64>(
                "SELECT id FROM conversations WHERE org_id = $1 AND direct_key = $2",
            )
            .bind(caller.org_id())
            .bind(&key)
            .fetch_optional(&self.db.pool)
            .await
            .or_internal("looking for a direct conversation")
        };
        let id = match existing().await? {
            Some(id) => id,
            None => match self
                .create(
                    caller,
                    ConversationKind::Direct,
                    "",
                    Some(key.clone()),
                    &[me, other],
                )
                .await?
            {
                Some(id) => id,
                None => existing().await?.ok_or(ApiError::Internal)?,
            },
        };
        self.summary(caller, id).await
    }

    async fn create_group(
        &self,
        caller: &OrgCaller,
        input: CreateGroup,
    ) -> Result<ConversationSummary, ApiError> {
        let name = check_group_name("name", &input.name).map_err(ApiError::from)?;
        let mut members = vec![caller.user_id()];
        for part in input
            .members
            .split(',')
            .map(str::trim)
            .filter(|p| !p.is_empty())
        {
            let id: i64 = part.parse().map_err(|_| {
                ApiError::field("members", format!("“{part}” is not a member's id."))
            })?;
            if !members.contains(&id) {
                members.push(id);
            }
        }
        if members.len() > MAX_GROUP_MEMBERS {
            return Err(ApiError::field(
                "members",
                format!("A group may have at most {MAX_GROUP_MEMBERS} members."),
            ));
        }
        if !self.all_members(caller.org_id(), &members).await? {
            return Err(ApiError::field(
                "members",
                "Everyone in a group must be a member of this organisation.",
            ));
        }
        let id = self
            .create(caller, ConversationKind::Group, &name, None, &members)
            .await?
            .ok_or(ApiError::Internal)?;
        self.summary(caller, id).await
    }

    async fn group_member(
        &self,
        caller: &OrgCaller,
        input: GroupMember,
    ) -> Result<ConversationSummary, ApiError> {
        let group = self.summary(caller, input.conversation).await?;
        let me = caller.user_id();
        let admin = group.members.iter().any(|m| m.user_id == me && m.admin);
        match group.kind {
            ConversationKind::Group => {}
            ConversationKind::Direct => {
                return Err(ApiError::field(
                    "conversation",
                    "A direct conversation is between two people; start a group to add others.",
                ))
            }
            ConversationKind::Application => {
                return Err(ApiError::field(
                    "conversation",
                    "An application's conversation is joined from the application's page by \
                     those who may see it.",
                ))
            }
        }
        let leaving = input.user_id == me && !input.add;
        if !admin && !leaving {
            return Err(ApiError::field(
                "user_id",
                "Only the group's admins add and remove members; you may leave it.",
            ));
        }
        let present = group.members.iter().any(|m| m.user_id == input.user_id);
        if input.add == present {
            return Ok(group);
        }
        if input.add && group.members.len() >= MAX_GROUP_MEMBERS {
            return Err(ApiError::field(
                "user_id",
                format!("A group may have at most {MAX_GROUP_MEMBERS} members."),
            ));
        }
        if input.add && !self.all_members(caller.org_id(), &[input.user_id]).await? {
            return Err(ApiError::field(
                "user_id",
                "Only members of this organisation can join its groups.",
            ));
        }
        let mut tx = self
            .db
            .begin()
            .await
            .or_internal("starting a group change")?;
        if input.add {
            // They see the history, without it counting as unread.
            sqlx::query(
                "INSERT INTO conversation_members \
                 (conversation_id, user_id, is_admin, joined_at, last_read_seq) \
                 SELECT id, $2, 0, $3, last_seq FROM conversations WHERE id = $1",
            )
            .bind(group.id)
            .bind(input.user_id)
            .bind(now())
            .execute(&mut *tx)
            .await
            .or_internal("adding a group's member")?;
        } else {
            sqlx::query(
                "DELETE FROM conversation_members WHERE conversation_id = $1 AND user_id = $2",
            )
            .bind(group.id)
            .bind(input.user_id)
            .execute(&mut *tx)
            .await
            .or_internal("removing a group's member")?;
            // A group keeps an admin: the member who joined first, if the last one left.
            sqlx::query(
                "UPDATE conversation_members SET is_admin = 1 WHERE conversation_id = $1 \
                 AND NOT EXISTS (SELECT 1 FROM conversation_members \
                                 WHERE conversation_id = $1 AND is_admin = 1) \
                 AND user_id = (SELECT user_id FROM conversation_members WHERE conversation_id = $1 \
                                ORDER BY joined_at, user_id LIMIT 1)",
            )
            .bind(group.id)
            .execute(&mut *tx)
            .await
            .or_internal("keeping a group's admin")?;
        }
        tx.commit().await.or_internal("committing a group change")?;
        self.hub.access_changed(AccessChange::ConversationMembers {
            conversation: group.id,
        });
        if !input.add && input.user_id == me {
            return Ok(group);
        }
        self.summary(caller, group.id).await
    }

    async fn history(
        &self,
        caller: &OrgCaller,
        input: ConversationHistory,
    ) -> Result<History, ApiError> {
        let conversation = self.summary(caller, input.conversation).await?;
        let before = input.before.unwrap_or(i64::MAX);
        let mut rows: Vec<MessageRow> = sqlx::query_as(&format!(
            "SELECT {MESSAGE_COLUMNS} FROM messages m LEFT JOIN users u ON u.id = m.author_id \
             WHERE m.conversation_id = $1 AND m.seq < $2 ORDER BY m.seq DESC LIMIT $3"
        ))
        .bind(conversation.id)
        .bind(before)
        .bind(HISTORY_PAGE + 1)
        .fetch_all(&self.db.pool)
        .await
        .or_internal("reading a conversation's history")?;
        let more_before = rows.len() as i64 > HISTORY_PAGE;
        rows.truncate(usize::try_from(HISTORY_PAGE).unwrap_or(50));
        rows.reverse();
        Ok(History {
            conversation,
            messages: rows.into_iter().map(ChatMessage::from).collect(),
            more_before,
        })
    }

    async fn search(
        &self,
        caller: &OrgCaller,
        input: SearchMessages,
    ) -> Result<Vec<ChatMessage>, ApiError> {
        let words = search_words("query", &input.query)?;
        let conversation = self.summary(caller, input.conversation).await?;
        let mut sql = format!(
            "SELECT {MESSAGE_COLUMNS} FROM messages m LEFT JOIN users u ON u.id = m.author_id \
             WHERE m.conversation_id = $1 AND m.deleted_at IS NULL"
        );
        for n in 0..words.len() {
            sql.push_str(&format!(" AND LOWER(m.body) LIKE ${} ESCAPE '\\'", n + 2));
        }
        sql.push_str(&format!(" ORDER BY m.seq DESC LIMIT {SEARCH_LIMIT}"));
        let mut query = sqlx::query_as::<_, MessageRow>(&sql).bind(conversation.id);
        for word in &words {
            query = query.bind(crate::jobs::like_pattern(word));
        }
        let rows = query
            .fetch_all(&self.db.pool)
            .await
            .or_internal("searching a conversation")?;
        Ok(rows.into_iter().map(ChatMessage::from).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::{plain_text, render_message};

    #[test]
    fn a_notification_tells_a_message_in_plain_words() {
        assert_eq!(
            plain_text(
                "Can you screen **Ada** _today_?\n- `cargo test`\n- [the CV](https://x.example)"
            ),
            "Can you screen Ada today? cargo test the CV"
        );
        assert_eq!(plain_text("<b>raw</b> stays text"), "<b>raw</b> stays text");
    }

    #[test]
    fn messages_show_their_markdown_and_nothing_unsafe() {
        assert_eq!(
            render_message("Hello **Mia**, _soon_ ~~now~~ `cargo test`"),
            "<p>Hello <strong>Mia</strong>, <em>soon</em> <del>now</del> <code>cargo test</code></p>\n"
        );
        // Each line of a message stays a line.
        assert_eq!(
            render_message("Yes, at 3.\nBooking the room."),
            "<p>Yes, at 3.<br>\nBooking the room.</p>\n"
        );
        let script = render_message("<script>alert(1)</script>");
        assert_eq!(script, "&lt;script&gt;alert(1)&lt;/script&gt;");
        let hostile = render_message(
            "Look [x](javascript:alert(1)) ![i](https://e.x/i.png) <img src=x onerror=alert(1)>",
        );
        assert!(!hostile.contains("href=\"javascript"), "{hostile}");
        assert!(!hostile.contains("<img"), "{hostile}");
        assert!(hostile.contains("&lt;img"), "{hostile}");
        let link = render_message("See <https://example.com/a?b=1>");
        assert!(
            link.contains(
                r#"<a href="https://example.com/a?b=1" rel="noopener noreferrer nofollow">"#
            ),
            "{link}"
        );
        // A heading is a paragraph in a chat; lists and quotes stay.
        assert_eq!(render_message("# Big"), "<p>Big</p>\n");
        assert!(render_message("- one\n- two").contains("<ul>\n<li>one</li>"));
        assert!(render_message("> quoted").contains("<blockquote>"));
    }
}
