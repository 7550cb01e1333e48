//! The `/ws` endpoint. A connection is accepted only from our own origin (403) with a signed-in
//! session (401), within the connection caps (503). It builds its [`Caller`] the same way server
//! functions do. What it may receive is decided in memory ([`Hub`]): the hub closes it when its
//! session ends, each organisation event is checked against the memberships the hub keeps, and a
//! timer closes it when the session expires (read again then, in case it was extended). What the
//! page sends is read by [`Inbox`] (size, rate, shape), and the server pings the page every
//! heartbeat, closing a connection it no longer hears from.

use super::{
    inbox::{Inbox, Refusal},
    presence, Full, Hub, Membership, Prepared, Subscription,
};
use crate::{
    accounts::session_of,
    chat::{candidate, Author, Change, Chat},
    platform::{
        db::{now, Db},
        metrics::Metrics,
        origin::AllowedOrigins,
        sessions::{signed_in_user, DbSessionStore, SIGNED_IN_AT, USER_ID},
    },
};
use app::seam::{Caller, Identity};
use axum::{
    extract::{
        ws::{CloseFrame, Message, WebSocket},
        State, WebSocketUpgrade,
    },
    http::{request::Parts, StatusCode},
    response::{IntoResponse, Response},
};
use shared::{
    chat::ChatMessage,
    permissions::Role,
    ws::{close, ClientEvent, ServerEvent, WsError, MAX_TRANSPORT_BYTES, PROTOCOL_VERSION},
};
use std::{
    sync::Arc,
    time::{Duration, Instant},
};
use tower_sessions::{session::Id, SessionStore};

/// Heartbeats missed before the server gives up on a page.
const MISSED_HEARTBEATS: u32 = 3;

/// What each connection's read buffer holds at first (it grows for a larger frame). The
/// library's default, 128 KiB allocated up front, was most of a connection's memory.
const READ_BUFFER_BYTES: usize = 4 * 1024;

/// How long a page has to answer the server's close.
const CLOSING_GRACE: Duration = Duration::from_secs(5);

/// What the endpoint needs; part of `AppState`.
#[derive(Clone)]
pub struct Realtime {
    pub hub: Hub,
    pub db: Db,
    pub sessions: DbSessionStore,
    pub identity: Arc<dyn Identity>,
    pub origins: AllowedOrigins,
    pub metrics: Metrics,
    /// A session's absolute lifetime, in seconds.
    pub absolute_secs: i64,
    /// How often the server pings each page.
    pub heartbeat: Duration,
    /// Chat messages and read positions come in over the socket.
    pub chat: Chat,
}

pub async fn upgrade(State(rt): State<Realtime>, ws: WebSocketUpgrade, req: Parts) -> Response {
    if !rt.origins.allows(&req.headers, true) {
        return (
            StatusCode::FORBIDDEN,
            "This origin may not open a connection.",
        )
            .into_response();
    }
    let caller = match Caller::resolve(rt.identity.as_ref(), &req).await {
        Ok(caller) => caller,
        Err(app::error::ApiError::Unauthenticated) => {
            return (StatusCode::UNAUTHORIZED, "Sign in first.").into_response()
        }
        Err(_) => return StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    };
    let Some(session_id) = session_of(&req).ok().and_then(|s| s.id()) else {
        return (StatusCode::UNAUTHORIZED, "Sign in first.").into_response();
    };
    let subscription = match rt.hub.subscribe(caller.user_id(), &session_id.to_string()) {
        Ok(subscription) => subscription,
        Err(Full::User) => {
            return (
                StatusCode::TOO_MANY_REQUESTS,
                "Too many open tabs or devices: close some and reload.",
            )
                .into_response()
        }
        Err(Full::Server) => {
            return (
                StatusCode::SERVICE_UNAVAILABLE,
                "The server is at its connection limit. Try again shortly.",
            )
                .into_response()
        }
    };
    // Read after subscribing: a session that ends from now on closes the connection through the
    // hub, and one that ended before is not signed in here.
    let Some(expires) = session_expiry(&rt, &session_id, caller.user_id()).await else {
        return (StatusCode::UNAUTHORIZED, "Sign in first.").into_response();
    };
    ws.max_message_size(MAX_TRANSPORT_BYTES)
        .max_frame_size(MAX_TRANSPORT_BYTES)
        .read_buffer_size(READ_BUFFER_BYTES)
        .on_upgrade(move |socket| serve(rt, socket, caller, session_id, subscription, expires))
}

async fn serve(
    rt: Realtime,
    mut socket: WebSocket,
    caller: Caller,
    session_id: Id,
    mut subscription: Subscription,
    expires: i64,
) {
    let user_id = caller.user_id();
    rt.metrics.ws_connections.inc();
    let ready = ServerEvent::Ready {
        user_id,
        protocol: PROTOCOL_VERSION,
    };
    if send(&mut socket, &ready).await.is_ok() {
        let mut inbox = Inbox::new();
        let mut heartbeat = tokio::time::interval(rt.heartbeat);
        heartbeat.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut last_heard = Instant::now();
        // Where the page last said its person is typing: they stop there when it goes.
        let mut typing_in: Option<i64> = None;
        // One timer for the connection's life, moved when the session is extended (not one
        // made and dropped for every frame the loop handles).
        let expiry = tokio::time::sleep_until(until(expires));
        tokio::pin!(expiry);
        loop {
            tokio::select! {
                biased;
                _ = subscription.closing.changed() => {
                    end_as_asked(&mut socket, &subscription.closing).await;
                    break;
                }
                () = &mut expiry => {
                    match session_expiry(&rt, &session_id, user_id).await {
                        Some(later) => expiry.as_mut().reset(until(later)),
                        None => {
                            end(&mut socket, close::SIGNED_OUT, "signed out").await;
                            break;
                        }
                    }
                }
                delivery = subscription.events.recv() => {
                    let Some(delivery) = delivery else { break };
                    if !may_receive(&rt, user_id, &delivery).await {
                        continue;
                    }
                    if socket.send(Message::Text(delivery.text.clone())).await.is_err() {
                        break;
                    }
                }
                _ = heartbeat.tick() => {
                    if last_heard.elapsed() > rt.heartbeat * MISSED_HEARTBEATS {
                        end(&mut socket, close::HEARTBEAT_TIMEOUT, "no answer to heartbeats").await;
                        break;
                    }
                    if socket.send(Message::Ping(Default::default())).await.is_err() {
                        break;
                    }
                }
                incoming = socket.recv() => {
                    last_heard = Instant::now();
                    let frame = match read(&mut inbox, incoming) {
                        Incoming::Frame(frame) => frame,
                        Incoming::Nothing => continue,
                        Incoming::Closed => break,
                    };
                    let answers = match frame {
                        Ok(event) => {
                            match event {
                                ClientEvent::Typing { conversation, typing } => {
                                    typing_in = typing.then_some(conversation);
                                }
                                ClientEvent::Hello { away, .. } | ClientEvent::Presence { away } => {
                                    subscription.set_away(away);
                                }
                                _ => {}
                            }
                            answer_to(&rt, user_id, event).await
                        }
                        Err(refusal) => Err(refusal),
                    };
                    let answers = match answers {
                        Ok(answers) => answers,
                        Err(Refusal::Answer(error)) => vec![ServerEvent::Error(error)],
                        Err(refusal) => {
                            refuse(&mut socket, refusal).await;
                            break;
                        }
                    };
                    let mut sent = true;
                    for answer in &answers {
                        sent = sent && send(&mut socket, answer).await.is_ok();
                    }
                    if !sent {
                        break;
                    }
                }
            }
        }
        if let Some(conversation) = typing_in {
            let _ = rt.chat.typing(user_id, conversation, false).await;
        }
    }
    drop(subscription);
    rt.metrics.ws_connections.dec();
}

/// What a page's next WebSocket message is.
enum Incoming {
    /// A frame, read (or refused) by the connection's inbox.
    Frame(Result<ClientEvent, Refusal>),
    /// A ping or pong: nothing to answer.
    Nothing,
    /// The page closed, or the connection broke.
    Closed,
}

fn read(inbox: &mut Inbox, incoming: Option<Result<Message, axum::Error>>) -> Incoming {
    match incoming {
        Some(Ok(Message::Text(text))) => Incoming::Frame(inbox.read(text.as_str())),
        Some(Ok(Message::Binary(_))) => Incoming::Frame(inbox.binary()),
        Some(Ok(Message::Close(_))) | None | Some(Err(_)) => Incoming::Closed,
        Some(Ok(_)) => Incoming::Nothing,
    }
}

/// The instant of a unix time (now, if it has passed).
fn until(unix_secs: i64) -> tokio::time::Instant {
    let left = u64::try_from(unix_secs.saturating_sub(now())).unwrap_or(0);
    tokio::time::Instant::now() + Duration::from_secs(left)
}

/// Whether the person may receive a delivery that requires membership of an organisation (and
/// a role that sees candidates, for candidates' data; and, for a conversation's event, to be
/// one of those who may see it): from what the hub knows, or read once and remembered.
async fn may_receive(rt: &Realtime, user_id: i64, delivery: &Prepared) -> bool {
    let Some(org_id) = delivery.org_id else {
        return true;
    };
    // Removed from the conversation (or no longer seeing it) since the event was addressed.
    if let Some(conversation) = delivery.conversation {
        if rt.hub.left(conversation, user_id) {
            return false;
        }
    }
    let membership = match rt.hub.membership(user_id, org_id) {
        Membership::Unknown => match role_in(&rt.db, org_id, user_id).await {
            Ok(role) => rt.hub.remember(user_id, org_id, role),
            Err(err) => {
                tracing::warn!(error = %err, "reading a membership for a realtime event");
                return false;
            }
        },
        known => known,
    };
    match membership {
        Membership::Member(role) => {
            !delivery.candidate_data || role.can(shared::Permission::ViewCandidates)
        }
        Membership::NotMember | Membership::Unknown => false,
    }
}

/// What the server answers a frame it took (in order); a refusal that closes ends the
/// connection.
async fn answer_to(
    rt: &Realtime,
    user_id: i64,
    event: ClientEvent,
) -> Result<Vec<ServerEvent>, Refusal> {
    let answer = |result: Result<ServerEvent, WsError>| match result {
        Ok(event) => vec![event],
        Err(error) => vec![ServerEvent::Error(error)],
    };
    let changed = |result: Result<ChatMessage, WsError>| match result {
        Ok(_) => Vec::new(),
        Err(error) => vec![ServerEvent::Error(error)],
    };
    Ok(match event {
        ClientEvent::Hello { version, since, .. } => {
            if version != PROTOCOL_VERSION {
                return Err(Refusal::unsupported_version(version));
            }
            let mut answers = match rt.chat.since(user_id, &since).await {
                Ok(missed) => missed.into_iter().map(ServerEvent::Message).collect(),
                Err(error) => vec![ServerEvent::Error(error)],
            };
            match presence::here_now(&rt.hub, &rt.db, user_id).await {
                Ok(here) => answers.extend(here),
                Err(err) => tracing::warn!(error = %err, "reading who is here for a new page"),
            }
            answers
        }
        ClientEvent::Ping { nonce } => vec![ServerEvent::Pong { nonce }],
        // The candidate's socket's first frame.
        ClientEvent::Join { .. } => vec![ServerEvent::Error(WsError {
            code: shared::ws::ErrorCode::Invalid,
            message: format!(
                "A join is the first frame on {}, not on this socket.",
                shared::ws::CANDIDATE_WS_PATH
            ),
            retry_after_ms: None,
            reply_to: None,
        })],
        // Taken by the hub (`serve`).
        ClientEvent::Presence { .. } => Vec::new(),
        ClientEvent::Send {
            conversation,
            client_id,
            body,
            attachments,
        } => answer(
            rt.chat
                .send(
                    Author::Member(user_id),
                    conversation,
                    &client_id,
                    &body,
                    &attachments,
                )
                .await
                .map(|message| ServerEvent::Ack { client_id, message }),
        ),
        // Changed messages reach every member's pages, the author's too, as messages.
        ClientEvent::Edit {
            conversation,
            seq,
            body,
        } => changed(
            rt.chat
                .change(user_id, conversation, seq, Change::Edit(body))
                .await,
        ),
        ClientEvent::Delete { conversation, seq } => changed(
            rt.chat
                .change(user_id, conversation, seq, Change::Delete)
                .await,
        ),
        ClientEvent::Typing {
            conversation,
            typing,
        } => match rt.chat.typing(user_id, conversation, typing).await {
            Ok(()) => Vec::new(),
            Err(error) => vec![ServerEvent::Error(error)],
        },
        ClientEvent::Read { conversation, seq } => {
            match rt.chat.read(user_id, conversation, seq).await {
                Ok(()) => Vec::new(),
                Err(error) => vec![ServerEvent::Error(error)],
            }
        }
    })
}

/// Sends the refusal's error, if it has one, and closes with its code.
async fn refuse(socket: &mut WebSocket, refusal: Refusal) {
    match refusal {
        Refusal::Answer(error) => {
            let _ = send(socket, &ServerEvent::Error(error)).await;
        }
        Refusal::Close {
            error,
            code,
            reason,
        } => {
            if let Some(error) = error {
                let _ = send(socket, &ServerEvent::Error(error)).await;
            }
            end(socket, code, reason).await;
        }
    }
}

/// Closes the connection with the code and reason the hub asked for.
async fn end_as_asked(
    socket: &mut WebSocket,
    closing: &tokio::sync::watch::Receiver<Option<super::Closing>>,
) {
    let asked = *closing.borrow();
    if let Some((code, reason)) = asked {
        end(socket, code, reason).await;
    }
}

async fn end(socket: &mut WebSocket, code: u16, reason: &'static str) {
    let frame = CloseFrame {
        code,
        reason: reason.into(),
    };
    if socket.send(Message::Close(Some(frame))).await.is_err() {
        return;
    }
    // The closing handshake: what the page still sends is read (and dropped) until its own close,
    // for a few seconds at most. A connection dropped with unread data is reset, and the page
    // would lose the close frame and the answers before it.
    let _ = tokio::time::timeout(CLOSING_GRACE, async {
        while let Some(Ok(message)) = socket.recv().await {
            if matches!(message, Message::Close(_)) {
                break;
            }
        }
    })
    .await;
}

async fn send(socket: &mut WebSocket, event: &ServerEvent) -> Result<(), axum::Error> {
    let text = serde_json::to_string(event).unwrap_or_default();
    socket.send(Message::Text(text.into())).await
}

/// When the session stops being signed in as `user_id` unless it is used meanwhile (unix
/// seconds): its idle expiry or the end of its absolute lifetime, whichever is first. `None`
/// when it is not signed in as `user_id` now (signed out, expired, another person).
async fn session_expiry(rt: &Realtime, session_id: &Id, user_id: i64) -> Option<i64> {
    let record = rt.sessions.load(session_id).await.ok()??;
    let value = |key: &str| record.data.get(key).and_then(serde_json::Value::as_i64);
    let signed_in_at = value(SIGNED_IN_AT)?;
    signed_in_user(value(USER_ID), Some(signed_in_at), now(), rt.absolute_secs)
        .filter(|id| *id == user_id)?;
    Some(
        record
            .expiry_date
            .unix_timestamp()
            .min(signed_in_at + rt.absolute_secs),
    )
}

async fn role_in(db: &Db, org_id: i64, user_id: i64) -> Result<Option<Role>, sqlx::Error> {
    let role: Option<String> =
        sqlx::query_scalar("SELECT role FROM memberships WHERE org_id = $1 AND user_id = $2")
            .bind(org_id)
            .bind(user_id)
            .fetch_optional(&db.pool)
            .await?;
    Ok(role.and_then(|r| r.parse().ok()))
}

/// How long the candidate's page has to send its join.
const JOIN_WITHIN: Duration = Duration::from_secs(10);

/// How often the candidate's link is checked again while their socket is open (besides every
/// message they send): an expired link stops carrying the conversation.
const LINK_CHECK: Duration = Duration::from_secs(60);

/// The candidate's socket ([`shared::ws::CANDIDATE_WS_PATH`]): no account; its first frame
/// joins the conversation of the application whose private link the page has, and it carries
/// that conversation only. Our own origin only (403).
pub async fn upgrade_candidate(
    State(rt): State<Realtime>,
    ws: WebSocketUpgrade,
    req: Parts,
) -> Response {
    if !rt.origins.allows(&req.headers, true) {
        return (
            StatusCode::FORBIDDEN,
            "This origin may not open a connection.",
        )
            .into_response();
    }
    ws.max_message_size(MAX_TRANSPORT_BYTES)
        .max_frame_size(MAX_TRANSPORT_BYTES)
        .read_buffer_size(READ_BUFFER_BYTES)
        .on_upgrade(move |socket| serve_candidate(rt, socket))
}

/// Closes the candidate's socket because its link does not carry the conversation.
async fn link_ended(socket: &mut WebSocket, message: &str) {
    let error = WsError {
        code: shared::ws::ErrorCode::NotFound,
        message: message.to_owned(),
        retry_after_ms: None,
        reply_to: None,
    };
    let _ = send(socket, &ServerEvent::Error(error)).await;
    end(socket, close::LINK_ENDED, "the link does not work").await;
}

/// The join: the application's conversation and the link, or the socket is closed.
async fn candidate_joins(
    rt: &Realtime,
    socket: &mut WebSocket,
    inbox: &mut Inbox,
) -> Option<(candidate::Link, i64, i64)> {
    let first = tokio::time::timeout(JOIN_WITHIN, socket.recv()).await;
    let frame = match first {
        Ok(Some(Ok(Message::Text(text)))) => inbox.read(text.as_str()),
        Ok(Some(Ok(_))) => inbox.binary(),
        _ => return None,
    };
    let (version, token, after) = match frame {
        Ok(ClientEvent::Join {
            version,
            token,
            after,
        }) => (version, token, after),
        Ok(_) | Err(_) => {
            link_ended(
                socket,
                "The first frame on this socket joins with the link's token.",
            )
            .await;
            return None;
        }
    };
    if version != PROTOCOL_VERSION {
        refuse(socket, Refusal::unsupported_version(version)).await;
        return None;
    }
    let gone =
        "This link does not work any more: it is wrong, has expired, or its data is to be deleted.";
    let link = match candidate::link(&rt.db, token.trim()).await {
        Ok(Some(link)) => link,
        Ok(None) => {
            link_ended(socket, gone).await;
            return None;
        }
        Err(err) => {
            tracing::warn!(error = %err, "reading a private link for its socket");
            end(socket, 1011, "try again").await;
            return None;
        }
    };
    if !link.open {
        link_ended(socket, gone).await;
        return None;
    }
    match candidate::conversation_of(&rt.db, link.application, None).await {
        Ok(conversation) => Some((link, conversation, after)),
        Err(_) => {
            end(socket, 1011, "try again").await;
            None
        }
    }
}

async fn serve_candidate(rt: Realtime, mut socket: WebSocket) {
    let mut inbox = Inbox::new();
    let Some((link, conversation, after)) = candidate_joins(&rt, &mut socket, &mut inbox).await
    else {
        return;
    };
    let Ok(mut subscription) = rt.hub.subscribe_candidate(conversation) else {
        // 1013: try again later (the server or this conversation is at its limit).
        end(&mut socket, 1013, "too many connections").await;
        return;
    };
    // Read again after subscribing: a deletion asked for from now on closes the socket through
    // the hub, and one asked for before is seen here.
    if !candidate::link_still_works(&rt.db, &link).await {
        link_ended(
            &mut socket,
            "This link does not carry the conversation any more.",
        )
        .await;
        return;
    }
    rt.metrics.ws_connections.inc();
    let joined = ServerEvent::Joined {
        conversation,
        protocol: PROTOCOL_VERSION,
    };
    let missed = match rt.chat.candidate_since(conversation, after).await {
        Ok(missed) => missed.into_iter().map(ServerEvent::Message).collect(),
        Err(error) => vec![ServerEvent::Error(error)],
    };
    let mut open = true;
    for event in std::iter::once(joined).chain(missed) {
        open = open && send(&mut socket, &event).await.is_ok();
    }
    let mut heartbeat = tokio::time::interval(rt.heartbeat);
    heartbeat.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut check = tokio::time::interval(LINK_CHECK);
    check.reset();
    let mut last_heard = Instant::now();
    while open {
        tokio::select! {
            biased;
            _ = subscription.closing.changed() => {
                end_as_asked(&mut socket, &subscription.closing).await;
                break;
            }
            _ = check.tick() => {
                let still = candidate::link_still_works(&rt.db, &link).await;
                if !still {
                    link_ended(&mut socket, "This link does not carry the conversation any more.").await;
                    break;
                }
            }
            delivery = subscription.events.recv() => {
                let Some(delivery) = delivery else { break };
                open = socket.send(Message::Text(delivery.text.clone())).await.is_ok();
            }
            _ = heartbeat.tick() => {
                if last_heard.elapsed() > rt.heartbeat * MISSED_HEARTBEATS {
                    end(&mut socket, close::HEARTBEAT_TIMEOUT, "no answer to heartbeats").await;
                    break;
                }
                open = socket.send(Message::Ping(Default::default())).await.is_ok();
            }
            incoming = socket.recv() => {
                last_heard = Instant::now();
                let frame = match read(&mut inbox, incoming) {
                    Incoming::Frame(frame) => frame,
                    Incoming::Nothing => continue,
                    Incoming::Closed => break,
                };
                let answer = match frame {
                    Ok(ClientEvent::Ping { nonce }) => ServerEvent::Pong { nonce },
                    Ok(ClientEvent::Send { conversation: to, client_id, body, attachments }) => {
                        if to != conversation {
                            ServerEvent::Error(candidate::only_its_conversation(&client_id))
                        } else {
                            let author = Author::Candidate {
                                application: link.application,
                                token_hash: &link.token_hash,
                            };
                            match rt.chat.candidate_may_send(link.application) {
                                Err(limited) => ServerEvent::Error(candidate::slow_down(limited, &client_id)),
                                Ok(()) => match rt.chat.send(author, to, &client_id, &body, &attachments).await {
                                    Ok(message) => ServerEvent::Ack {
                                        client_id,
                                        message: candidate::as_candidate_sees(message),
                                    },
                                    Err(error) => ServerEvent::Error(error),
                                },
                            }
                        }
                    }
                    Ok(_) => ServerEvent::Error(candidate::not_for_candidates()),
                    Err(Refusal::Answer(error)) => ServerEvent::Error(error),
                    Err(refusal) => {
                        refuse(&mut socket, refusal).await;
                        break;
                    }
                };
                open = send(&mut socket, &answer).await.is_ok();
            }
        }
    }
    drop(subscription);
    rt.metrics.ws_connections.dec();
}
