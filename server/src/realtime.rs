//! The realtime hub and the `/ws` endpoint. A connection is authenticated by the session cookie
//! and checked against the allowed origin; before each event is delivered the session and, for
//! organisation events, the membership are checked again.

use crate::{accounts, db::now, http::origin_allowed, sessions::DbSessionStore, state::AppState};
use axum::{
    extract::{
        ws::{CloseFrame, Message, WebSocket},
        State, WebSocketUpgrade,
    },
    http::{request::Parts, StatusCode},
    response::{IntoResponse, Response},
};
use shared::ws::{ClientEvent, ServerEvent};
use std::{
    collections::HashMap,
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc, Mutex,
    },
};
use tokio::sync::mpsc;
use tower_sessions::{session::Id, SessionStore};

/// An event on its way to one user, with the organisation whose membership it requires.
#[derive(Clone, Debug)]
pub struct Delivery {
    pub org_id: Option<i64>,
    pub event: ServerEvent,
}

/// Each user's open connections: (connection id, its queue).
type Subscribers = HashMap<i64, Vec<(u64, mpsc::Sender<Delivery>)>>;

/// Open connections by user.
#[derive(Clone, Default)]
pub struct Hub {
    inner: Arc<Mutex<Subscribers>>,
    next_id: Arc<AtomicU64>,
}

impl Hub {
    fn subscribe(&self, user_id: i64) -> (u64, mpsc::Receiver<Delivery>) {
        let (tx, rx) = mpsc::channel(64);
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        if let Ok(mut map) = self.inner.lock() {
            map.entry(user_id).or_default().push((id, tx));
        }
        (id, rx)
    }

    fn unsubscribe(&self, user_id: i64, id: u64) {
        if let Ok(mut map) = self.inner.lock() {
            if let Some(list) = map.get_mut(&user_id) {
                list.retain(|(i, _)| *i != id);
                if list.is_empty() {
                    map.remove(&user_id);
                }
            }
        }
    }

    /// Sends to every open connection of the user; a connection that is not keeping up misses it.
    pub fn send(&self, user_id: i64, delivery: Delivery) {
        let senders: Vec<_> = match self.inner.lock() {
            Ok(map) => map
                .get(&user_id)
                .map(|l| l.iter().map(|(_, tx)| tx.clone()).collect())
                .unwrap_or_default(),
            Err(_) => return,
        };
        for tx in senders {
            let _ = tx.try_send(delivery.clone());
        }
    }
}

pub async fn upgrade(State(state): State<AppState>, ws: WebSocketUpgrade, req: Parts) -> Response {
    if !origin_allowed(&state, &req.headers, true) {
        return (
            StatusCode::FORBIDDEN,
            "This origin may not open a connection.",
        )
            .into_response();
    }
    let user_id = match accounts::current_user_id(&state, &req).await {
        Ok(Some(id)) => id,
        Ok(None) => return (StatusCode::UNAUTHORIZED, "Sign in first.").into_response(),
        Err(_) => return StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    };
    let Some(session_id) = accounts::session_of(&req).ok().and_then(|s| s.id()) else {
        return (StatusCode::UNAUTHORIZED, "Sign in first.").into_response();
    };
    ws.on_upgrade(move |socket| serve(state, socket, user_id, session_id))
}

async fn serve(state: AppState, mut socket: WebSocket, user_id: i64, session_id: Id) {
    let (conn_id, mut rx) = state.hub.subscribe(user_id);
    state.metrics.ws_connections.inc();
    let store = DbSessionStore::new(state.db.clone());
    if send(&mut socket, &ServerEvent::Ready { user_id })
        .await
        .is_ok()
    {
        loop {
            tokio::select! {
                delivery = rx.recv() => {
                    let Some(delivery) = delivery else { break };
                    if !still_signed_in(&state, &store, &session_id, user_id).await {
                        let _ = socket.send(Message::Close(Some(CloseFrame { code: 4401, reason: "signed out".into() }))).await;
                        break;
                    }
                    if let Some(org_id) = delivery.org_id {
                        if !is_member(&state, org_id, user_id).await {
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
                            if !still_signed_in(&state, &store, &session_id, user_id).await {
                                let _ = socket.send(Message::Close(Some(CloseFrame { code: 4401, reason: "signed out".into() }))).await;
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
    state.hub.unsubscribe(user_id, conn_id);
    state.metrics.ws_connections.dec();
}

async fn send(socket: &mut WebSocket, event: &ServerEvent) -> Result<(), axum::Error> {
    let text = serde_json::to_string(event).unwrap_or_default();
    socket.send(Message::Text(text.into())).await
}

/// Whether the connection's session still exists, belongs to the user and is within its
/// absolute lifetime (sign-out deletes the session, so a signed-out socket closes).
async fn still_signed_in(
    state: &AppState,
    store: &DbSessionStore,
    session_id: &Id,
    user_id: i64,
) -> bool {
    use crate::sessions::{SIGNED_IN_AT, USER_ID};
    match store.load(session_id).await {
        Ok(Some(record)) => {
            let value = |key: &str| record.data.get(key).and_then(serde_json::Value::as_i64);
            value(USER_ID) == Some(user_id)
                && value(SIGNED_IN_AT)
                    .is_some_and(|at| now() - at <= state.config.session_absolute_hours * 3600)
        }
        _ => false,
    }
}

async fn is_member(state: &AppState, org_id: i64, user_id: i64) -> bool {
    sqlx::query_scalar::<_, i64>(
        "SELECT user_id FROM memberships WHERE org_id = $1 AND user_id = $2",
    )
    .bind(org_id)
    .bind(user_id)
    .fetch_optional(&state.db.pool)
    .await
    .ok()
    .flatten()
    .is_some()
}
