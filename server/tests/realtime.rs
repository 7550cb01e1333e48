//! The realtime protocol (`shared::ws`) over a real WebSocket: what the server answers a frame
//! it cannot take, how it slows a page that sends too much, and the heartbeat; and what a
//! connection may receive as sessions end and memberships change, on one instance and across
//! two on one PostgreSQL database.

use crate::common;

use common::{
    cookie_pair, next_event, session_cookie, ws_connect, Browser, Db, TestServer, WebSocket,
    PASSWORD,
};
use futures::{SinkExt, StreamExt};
use serde_json::{json, Value};
use shared::ws::{close, Notification, NotificationKind, ServerEvent};
use std::time::Duration;
use talentloom_server::realtime::Delivery;
use tokio_tungstenite::tungstenite::{protocol::frame::coding::CloseCode, Message};

/// A signed-up person's open socket, past its `ready` event.
pub(crate) async fn open_socket(srv: &TestServer, email: &str) -> WebSocket {
    let up = srv.client().sign_up("Rea", email).await;
    connect(
        srv,
        &cookie_pair(&session_cookie(&up.headers).expect("cookie")),
    )
    .await
}

/// A socket opened with this session cookie, past its `ready` event, that has said hello as a
/// page in use does.
pub(crate) async fn connect(srv: &TestServer, cookie: &str) -> WebSocket {
    let mut ws = connect_without_hello(srv, cookie).await;
    send(
        &mut ws,
        json!({"type": "hello", "version": shared::ws::PROTOCOL_VERSION}),
    )
    .await;
    ws
}

/// A socket opened with this session cookie, past its `ready` event, that has sent nothing.
pub(crate) async fn connect_without_hello(srv: &TestServer, cookie: &str) -> WebSocket {
    let mut ws = ws_connect(srv, &srv.base, Some(cookie))
        .await
        .expect("opens");
    let ready = next_event(&mut ws).await;
    assert_eq!(ready["type"], "ready");
    assert_eq!(ready["protocol"], shared::ws::PROTOCOL_VERSION);
    ws
}

/// Signs `email` in from a new browser: that browser's session cookie.
pub(crate) async fn sign_in(srv: &TestServer, email: &str) -> (Browser, String) {
    let browser = srv.client();
    let answer = browser
        .call("sign_in", &[("email", email), ("password", PASSWORD)])
        .await;
    assert_eq!(answer.status, reqwest::StatusCode::OK, "{:?}", answer.body);
    let cookie = cookie_pair(&session_cookie(&answer.headers).expect("cookie"));
    (browser, cookie)
}

/// A notification with this text, for an organisation when `org_id` is given.
fn notice(text: &str, org_id: Option<i64>) -> Delivery {
    Delivery {
        org_id,
        event: ServerEvent::Notification(Notification {
            org: None,
            kind: NotificationKind::RoleChanged,
            text: text.into(),
            at: 0,
        }),
        candidate_data: false,
    }
}

/// Sends a ping and returns the texts of the notifications that arrive before its pong (so
/// everything sent before the ping was delivered or dropped by then).
async fn notices_until_pong(ws: &mut WebSocket, nonce: u64) -> Vec<String> {
    send(ws, json!({"type": "ping", "nonce": nonce})).await;
    let mut texts = Vec::new();
    loop {
        let event = next_event(ws).await;
        match event["type"].as_str() {
            Some("pong") if event["nonce"] == nonce => return texts,
            Some("notification") => texts.push(event["text"].as_str().unwrap_or("").to_owned()),
            _ => {}
        }
    }
}

pub(crate) async fn send(ws: &mut WebSocket, frame: Value) {
    ws.send(Message::Text(frame.to_string().into()))
        .await
        .expect("sent");
}

/// Reads until the server closes; its close code (`None`: ended without a close frame).
pub(crate) async fn close_code(ws: &mut WebSocket) -> Option<u16> {
    tokio::time::timeout(Duration::from_secs(15), async {
        while let Some(frame) = ws.next().await {
            match frame {
                Ok(Message::Close(frame)) => return frame.map(|f| u16::from(f.code)),
                Ok(_) => {}
                Err(_) => return None,
            }
        }
        None
    })
    .await
    .expect("the server ends the connection within 15 s")
}

fn is_error(event: &Value, code: &str) -> bool {
    event["type"] == "error" && event["code"] == code
}

async fn frames_it_cannot_take_are_answered_and_it_stays_open(db: Db) {
    let Some(srv) = TestServer::start(db).await else {
        return;
    };
    let mut ws = open_socket(&srv, "rea@example.com").await;
    send(
        &mut ws,
        json!({"type": "hello", "version": shared::ws::PROTOCOL_VERSION}),
    )
    .await;
    send(&mut ws, json!({"type": "ping", "nonce": 1})).await;
    assert_eq!(
        next_event(&mut ws).await,
        json!({"type": "pong", "nonce": 1})
    );

    ws.send(Message::Text("not json".into()))
        .await
        .expect("sent");
    let answer = next_event(&mut ws).await;
    assert!(is_error(&answer, "malformed"), "{answer}");
    send(&mut ws, json!({"type": "shout", "volume": 11})).await;
    let answer = next_event(&mut ws).await;
    assert!(is_error(&answer, "malformed"), "{answer}");
    assert!(
        answer["message"]
            .as_str()
            .is_some_and(|m| m.contains("shout")),
        "{answer}"
    );
    ws.send(Message::Binary(vec![0u8; 16].into()))
        .await
        .expect("sent");
    assert!(is_error(&next_event(&mut ws).await, "malformed"));
    // Over the protocol's 64 KiB but within what the connection carries: an error, not a close.
    let big = json!({"type": "ping", "nonce": 2, "pad": "x".repeat(200 * 1024)});
    send(&mut ws, big).await;
    let answer = next_event(&mut ws).await;
    assert!(is_error(&answer, "too_large"), "{answer}");
    assert!(
        answer["message"]
            .as_str()
            .is_some_and(|m| m.contains("64 KiB")),
        "{answer}"
    );
    send(&mut ws, json!({"type": "ping", "nonce": 3})).await;
    assert_eq!(
        next_event(&mut ws).await,
        json!({"type": "pong", "nonce": 3})
    );

    // A page of another protocol version is told why, then closed so that it does not reconnect.
    send(&mut ws, json!({"type": "hello", "version": 99})).await;
    let answer = next_event(&mut ws).await;
    assert!(is_error(&answer, "unsupported_version"), "{answer}");
    assert!(
        answer["message"]
            .as_str()
            .is_some_and(|m| m.contains("reload")),
        "{answer}"
    );
    assert_eq!(close_code(&mut ws).await, Some(close::UNSUPPORTED_VERSION));

    // Beyond what the connection carries (1 MiB) the frame is not read: the connection ends.
    let mut ws = open_socket(&srv, "rex@example.com").await;
    let huge = "x".repeat(shared::ws::MAX_TRANSPORT_BYTES + 1);
    let _ = ws.send(Message::Text(huge.into())).await;
    let code = close_code(&mut ws).await;
    assert!(
        code.is_none_or(|c| c != u16::from(CloseCode::Normal)),
        "{code:?}"
    );
    srv.stop().await;
}

async fn a_page_that_sends_too_much_is_slowed_then_closed(db: Db) {
    let Some(srv) = TestServer::start(db).await else {
        return;
    };
    let mut ws = open_socket(&srv, "flo@example.com").await;
    // Far more than the burst, queued at once; the server reads them as fast as it can.
    for nonce in 0..1000 {
        let frame = json!({"type": "ping", "nonce": nonce}).to_string();
        ws.feed(Message::Text(frame.into())).await.expect("queued");
    }
    ws.flush().await.expect("sent");
    let (mut pongs, mut slowed, mut closed) = (0, None, None);
    let _ = tokio::time::timeout(Duration::from_secs(20), async {
        while let Some(Ok(frame)) = ws.next().await {
            match frame {
                Message::Text(text) => {
                    let event: Value = serde_json::from_str(text.as_str()).expect("json");
                    match event["type"].as_str() {
                        Some("pong") => pongs += 1,
                        Some("error") if slowed.is_none() => slowed = Some(event),
                        _ => {}
                    }
                }
                Message::Close(frame) => {
                    closed = frame.map(|f| u16::from(f.code));
                    break;
                }
                _ => {}
            }
        }
    })
    .await;
    let slowed = slowed.expect("a rate_limited error");
    assert_eq!(slowed["code"], "rate_limited", "{slowed}");
    assert!(
        slowed["retry_after_ms"].as_u64().is_some_and(|ms| ms > 0),
        "{slowed}"
    );
    // The burst, less the hello the socket opened with.
    assert!((39..1000).contains(&pongs), "{pongs} pongs");
    assert_eq!(closed, Some(close::TOO_MANY_FRAMES));
    srv.stop().await;
}

async fn a_page_that_stops_answering_heartbeats_is_closed(db: Db) {
    let Some(srv) = TestServer::start_with(db, |config| config.ws_heartbeat_seconds = 1).await
    else {
        return;
    };
    let mut silent = open_socket(&srv, "sil@example.com").await;
    let mut alive = open_socket(&srv, "ali@example.com").await;
    // Reading answers the server's pings (as a browser does); the silent one reads nothing.
    let pings = tokio::spawn(async move {
        let mut pings = 0;
        let until = tokio::time::Instant::now() + Duration::from_secs(5);
        while let Ok(Some(frame)) = tokio::time::timeout_at(until, alive.next()).await {
            match frame {
                Ok(Message::Ping(_)) => pings += 1,
                Ok(Message::Close(_)) | Err(_) => return Err(pings),
                Ok(_) => {}
            }
        }
        Ok(pings)
    });
    tokio::time::sleep(Duration::from_secs(5)).await;
    assert_eq!(
        close_code(&mut silent).await,
        Some(close::HEARTBEAT_TIMEOUT)
    );
    match pings.await.expect("task") {
        Ok(pings) => assert!(pings >= 3, "{pings} pings in 5 s"),
        Err(pings) => panic!("a page answering its pings was closed after {pings} pings"),
    }
    srv.stop().await;
}

async fn an_ended_session_closes_its_sockets_at_once(db: Db) {
    let Some(srv) = TestServer::start(db).await else {
        return;
    };
    let laptop = srv.client();
    let up = laptop.sign_up("Sam", "sam@example.com").await;
    let mut on_laptop = connect(
        &srv,
        &cookie_pair(&session_cookie(&up.headers).expect("cookie")),
    )
    .await;
    let (phone, phone_cookie) = sign_in(&srv, "sam@example.com").await;
    let mut on_phone = connect(&srv, &phone_cookie).await;
    // Signing out on the laptop closes the laptop's socket, not the phone's.
    assert_eq!(
        laptop.call("sign_out", &[]).await.status,
        reqwest::StatusCode::OK
    );
    assert_eq!(close_code(&mut on_laptop).await, Some(close::SIGNED_OUT));
    assert_eq!(
        notices_until_pong(&mut on_phone, 1).await,
        Vec::<String>::new()
    );
    // A new sign-in replaces nothing else; ending every session (as a new password does) closes
    // the phone's too.
    let user_id = phone.me().await["user_id"].as_i64().expect("id");
    srv.state()
        .sessions
        .delete_for_user(user_id)
        .await
        .expect("sessions ended");
    assert_eq!(close_code(&mut on_phone).await, Some(close::SIGNED_OUT));
    // And a session that no longer exists cannot open one.
    match ws_connect(&srv, &srv.base, Some(&phone_cookie)).await {
        Err(tokio_tungstenite::tungstenite::Error::Http(res)) => {
            assert_eq!(res.status(), reqwest::StatusCode::UNAUTHORIZED)
        }
        other => panic!("expected 401, got {:?}", other.map(|_| ())),
    }
    srv.stop().await;
}

async fn organisation_events_follow_membership_without_reconnecting(db: Db) {
    let Some(srv) = TestServer::start(db).await else {
        return;
    };
    let owner = srv.client();
    owner.sign_up("Owner", "owner@example.com").await;
    let org_id = owner.create_org("Acme", "acme").await;
    let member = owner
        .invite_and_join(&srv, "acme", "mia@example.com", "recruiter", "Mia")
        .await;
    let user_id = member.me().await["user_id"].as_i64().expect("id");
    let (_, cookie) = sign_in(&srv, "mia@example.com").await;
    let mut ws = connect(&srv, &cookie).await;
    let hub = &srv.state().realtime.hub;
    hub.send(user_id, notice("acme news 1", Some(org_id)));
    assert_eq!(notices_until_pong(&mut ws, 1).await, ["acme news 1"]);

    // Removed: the organisation's events stop on the open socket; their own still arrive.
    let removed = owner
        .call(
            "remove_member",
            &[("slug", "acme"), ("user_id", &user_id.to_string())],
        )
        .await;
    assert_eq!(
        removed.status,
        reqwest::StatusCode::OK,
        "{:?}",
        removed.body
    );
    hub.send(user_id, notice("acme news 2", Some(org_id)));
    hub.send(user_id, notice("for Mia", None));
    let texts = notices_until_pong(&mut ws, 2).await;
    assert!(
        !texts.iter().any(|t| t.starts_with("acme news")),
        "{texts:?}"
    );
    assert!(texts.iter().any(|t| t == "for Mia"), "{texts:?}");

    // Brought back: they arrive again, on the same socket.
    let undone = owner
        .call(
            "undo_remove_member",
            &[("slug", "acme"), ("user_id", &user_id.to_string())],
        )
        .await;
    assert_eq!(undone.status, reqwest::StatusCode::OK, "{:?}", undone.body);
    hub.send(user_id, notice("acme news 3", Some(org_id)));
    let texts = notices_until_pong(&mut ws, 3).await;
    assert!(texts.iter().any(|t| t == "acme news 3"), "{texts:?}");
    srv.stop().await;
}

/// Two instances on one PostgreSQL database: what one delivers reaches a socket on the other,
/// and a sign-out on one closes the socket on the other.
async fn two_instances_act_as_one(db: Db) {
    let Some(first) = TestServer::start(db).await else {
        return;
    };
    let second = first.start_beside().await;
    let browser = first.client();
    let up = browser.sign_up("Two", "two@example.com").await;
    let user_id = browser.me().await["user_id"].as_i64().expect("id");
    let cookie = cookie_pair(&session_cookie(&up.headers).expect("cookie"));
    let mut on_second = connect(&second, &cookie).await;
    // The relay listens as the server starts; what the first sends now reaches the second.
    first
        .state()
        .realtime
        .hub
        .send(user_id, notice("from the first", None));
    let event = next_event(&mut on_second).await;
    assert_eq!(event["text"], "from the first", "{event}");
    assert_eq!(
        browser.call("sign_out", &[]).await.status,
        reqwest::StatusCode::OK
    );
    assert_eq!(close_code(&mut on_second).await, Some(close::SIGNED_OUT));
    second.stop().await;
    first.stop().await;
}

on_both_databases!(
    frames_it_cannot_take_are_answered_and_it_stays_open,
    a_page_that_sends_too_much_is_slowed_then_closed,
    a_page_that_stops_answering_heartbeats_is_closed,
    an_ended_session_closes_its_sockets_at_once,
    organisation_events_follow_membership_without_reconnecting,
);

/// Several instances share a database only on PostgreSQL (SQLite is one process's file).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_on_postgres_act_as_one() {
    two_instances_act_as_one(Db::Postgres).await
}
