//! The `/ws` endpoint. A connection is accepted only from our own origin (403) with a signed-in
//! session (401), within the connection caps (503), and its messages are capped in size. It
//! builds its [`Caller`] the same way server functions do; before each event is delivered the
//! session and, for organisation events, the membership are checked again.

use super::{Full, Hub, Subscription};
use crate::{
    accounts::session_of,
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
use shared::ws::{ClientEvent, ServerEvent};
use std::sync::Arc;
use tower_sessions::{session::Id, SessionStore};

/// The largest message a client may send (its events are small; chat messages will fit too).
const MAX_MESSAGE_BYTES: usize = 64 * 1024;

/// The close code for a connection whose session ended (the client does not reconnect).
const SIGNED_OUT: u16 = 4401;

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
    let subscription = match rt.hub.subscribe(caller.user_id()) {
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
    ws.max_message_size(MAX_MESSAGE_BYTES)
        .max_frame_size(MAX_MESSAGE_BYTES)
        .on_upgrade(move |socket| serve(rt, socket, caller, session_id, subscription))
}

async fn serve(
    rt: Realtime,
    mut socket: WebSocket,
    caller: Caller,
    session_id: Id,
    mut subscription: Subscription,
) {
    let user_id = caller.user_id();
    rt.metrics.ws_connections.inc();
    if send(&mut socket, &ServerEvent::Ready { user_id })
        .await
        .is_ok()
    {
        loop {
            tokio::select! {
                delivery = subscription.events.recv() => {
                    let Some(delivery) = delivery else { break };
                    if !still_signed_in(&rt, &session_id, user_id).await {
                        close_signed_out(&mut socket).await;
                        break;
                    }
                    if let Some(org_id) = delivery.org_id {
                        if !is_member(&rt.db, org_id, user_id).await {
                            continue;
                        }
                    }
                    if send(&mut socket, &delivery.event).await.is_err() {
                        break;
                    }
                }
                incoming = socket.recv() => {
                    match incoming {
                        Some(Ok(Message::Text(text))) => {
                            if !still_signed_in(&rt, &session_id, user_id).await {
                                close_signed_out(&mut socket).await;
                                break;
                            }
                            if let Ok(ClientEvent::Ping { nonce }) = serde_json::from_str(text.as_str()) {
                                if send(&mut socket, &ServerEvent::Pong { nonce }).await.is_err() {
                                    break;
                                }
                            }
                        }
                        Some(Ok(Message::Close(_))) | None | Some(Err(_)) => break,
                        Some(Ok(_)) => {}
                    }
                }
            }
        }
    }
    drop(subscription);
    rt.metrics.ws_connections.dec();
}

async fn close_signed_out(socket: &mut WebSocket) {
    let frame = CloseFrame {
        code: SIGNED_OUT,
        reason: "signed out".into(),
    };
    let _ = socket.send(Message::Close(Some(frame))).await;
}

async fn send(socket: &mut WebSocket, event: &ServerEvent) -> Result<(), axum::Error> {
    let text = serde_json::to_string(event).unwrap_or_default();
    socket.send(Message::Text(text.into())).await
}

/// Whether the connection's session still exists and is signed in as the same user (sign-out
/// deletes the session, so a signed-out socket closes).
async fn still_signed_in(rt: &Realtime, session_id: &Id, user_id: i64) -> bool {
    match rt.sessions.load(session_id).await {
        Ok(Some(record)) => {
            let value = |key: &str| record.data.get(key).and_then(serde_json::Value::as_i64);
            signed_in_user(value(USER_ID), value(SIGNED_IN_AT), now(), rt.absolute_secs)
                == Some(user_id)
        }
        _ => false,
    }
}

async fn is_member(db: &Db, org_id: i64, user_id: i64) -> bool {
    sqlx::query_scalar::<_, i64>(
        "SELECT user_id FROM memberships WHERE org_id = $1 AND user_id = $2",
    )
    .bind(org_id)
    .bind(user_id)
    .fetch_optional(&db.pool)
    .await
    .ok()
    .flatten()
    .is_some()
}
