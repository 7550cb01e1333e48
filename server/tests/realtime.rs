//! The realtime protocol (`shared::ws`) over a real WebSocket: what the server answers a frame
//! it cannot take, how it slows a page that sends too much, and the heartbeat.

use crate::common;

use common::{cookie_pair, next_event, session_cookie, ws_connect, Db, TestServer, WebSocket};
use futures::{SinkExt, StreamExt};
use serde_json::{json, Value};
use std::time::Duration;
use tokio_tungstenite::tungstenite::{protocol::frame::coding::CloseCode, Message};

/// A signed-up person's open socket, past its `ready` event.
async fn open_socket(srv: &TestServer, email: &str) -> WebSocket {
    let up = srv.client().sign_up("Rea", email).await;
    let cookie = cookie_pair(&session_cookie(&up.headers).expect("cookie"));
    let mut ws = ws_connect(srv, &srv.base, Some(&cookie))
        .await
        .expect("opens");
    let ready = next_event(&mut ws).await;
    assert_eq!(ready["type"], "ready");
    assert_eq!(ready["protocol"], shared::ws::PROTOCOL_VERSION);
    ws
}

async fn send(ws: &mut WebSocket, frame: Value) {
    ws.send(Message::Text(frame.to_string().into()))
        .await
        .expect("sent");
}

/// Reads until the server closes; its close code (`None`: ended without a close frame).
async fn close_code(ws: &mut WebSocket) -> Option<u16> {
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
    assert_eq!(
        close_code(&mut ws).await,
        Some(shared::ws::close::UNSUPPORTED_VERSION)
    );

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
    assert!((40..1000).contains(&pongs), "{pongs} pongs");
    assert_eq!(closed, Some(shared::ws::close::TOO_MANY_FRAMES));
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
        Some(shared::ws::close::HEARTBEAT_TIMEOUT)
    );
    match pings.await.expect("task") {
        Ok(pings) => assert!(pings >= 3, "{pings} pings in 5 s"),
        Err(pings) => panic!("a page answering its pings was closed after {pings} pings"),
    }
    srv.stop().await;
}

on_both_databases!(
    frames_it_cannot_take_are_answered_and_it_stays_open,
    a_page_that_sends_too_much_is_slowed_then_closed,
    a_page_that_stops_answering_heartbeats_is_closed,
);
