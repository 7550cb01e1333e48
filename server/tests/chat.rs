//! Chat over the realtime socket (tokio-tungstenite) and its server functions: order, a retry
//! stored once, every member reached, resume after a dropped connection with nothing lost or
//! repeated, read positions, and that nobody outside a conversation sends to it, reads it or
//! sees it.

use crate::applications::private_token;
use crate::common;
use crate::notifications::{applies, hiring_team};
use crate::realtime::{close_code, connect, connect_without_hello, send, sign_in};

use common::{careers::board, next_event, next_frame, next_of, Browser, Db, TestServer, WebSocket};
use reqwest::StatusCode;
use serde_json::{json, Value};

/// An organisation "acme" with its owner Ola and recruiter Mia, each with an open socket, and
/// their direct conversation's id.
pub(crate) async fn two_colleagues(
    srv: &TestServer,
) -> (Browser, Browser, WebSocket, WebSocket, i64) {
    let owner = srv.client();
    owner.sign_up("Ola", "ola@example.com").await;
    owner.create_org("Acme", "acme").await;
    let mia = owner
        .invite_and_join(srv, "acme", "mia@example.com", "recruiter", "Mia")
        .await;
    let mia_id = mia.me().await["user_id"].as_i64().expect("id");
    let started = owner
        .call(
            "start_direct",
            &[("slug", "acme"), ("user_id", &mia_id.to_string())],
        )
        .await;
    assert_eq!(started.status, StatusCode::OK, "{:?}", started.body);
    assert_eq!(started.body["title"], "Mia");
    let conversation = started.body["id"].as_i64().expect("id");
    // Starting it again finds the same one, from either side.
    let ola_id = owner.me().await["user_id"].as_i64().expect("id");
    let again = mia
        .call(
            "start_direct",
            &[("slug", "acme"), ("user_id", &ola_id.to_string())],
        )
        .await;
    assert_eq!(again.body["id"], conversation, "{:?}", again.body);
    let (_, ola_cookie) = sign_in(srv, "ola@example.com").await;
    let (_, mia_cookie) = sign_in(srv, "mia@example.com").await;
    let ola_ws = connect(srv, &ola_cookie).await;
    let mia_ws = connect(srv, &mia_cookie).await;
    (owner, mia, ola_ws, mia_ws, conversation)
}

async fn say(ws: &mut WebSocket, conversation: i64, client_id: &str, body: &str) -> Value {
    send(
        ws,
        json!({"type": "send", "conversation": conversation, "client_id": client_id, "body": body}),
    )
    .await;
    loop {
        let event = next_event(ws).await;
        if event["type"] == "ack" || event["type"] == "error" {
            return event;
        }
    }
}

/// The next message event that says `body` (the page's own messages, and others, come too);
/// the test fails if it does not come (`next_of` waits a few seconds at most).
async fn message_saying(ws: &mut WebSocket, body: &str) -> Value {
    loop {
        let message = next_of(ws, "message").await;
        if message["body"] == body {
            return message;
        }
    }
}

/// The events before the pong of a ping sent now, leaving out pongs and pings.
async fn events_until_pong(ws: &mut WebSocket, nonce: u64) -> Vec<Value> {
    send(ws, json!({"type": "ping", "nonce": nonce})).await;
    let mut events = Vec::new();
    loop {
        let event = next_event(ws).await;
        if event["type"] == "pong" && event["nonce"] == nonce {
            return events;
        }
        events.push(event);
    }
}

async fn messages_are_ordered_stored_once_and_reach_every_member(db: Db) {
    let Some(srv) = TestServer::start(db).await else {
        return;
    };
    let (ola, mia, mut ola_ws, mut mia_ws, conversation) = two_colleagues(&srv).await;
    let first = say(&mut ola_ws, conversation, "c-1", "  Hello **Mia**  ").await;
    assert_eq!(first["type"], "ack", "{first}");
    assert_eq!(first["client_id"], "c-1");
    assert_eq!(first["message"]["seq"], 1);
    assert_eq!(first["message"]["body"], "Hello **Mia**");
    assert_eq!(first["message"]["author_name"], "Ola");
    let arrived = next_event(&mut mia_ws).await;
    assert_eq!(arrived["type"], "message", "{arrived}");
    assert_eq!(arrived["seq"], 1);
    assert_eq!(arrived["client_id"], "c-1");

    // Sent again (the acknowledgement was lost): the same message, nothing new for anyone.
    let retry = say(&mut ola_ws, conversation, "c-1", "  Hello **Mia**  ").await;
    assert_eq!(retry["message"]["seq"], 1, "{retry}");
    let second = say(&mut ola_ws, conversation, "c-2", "Are you free at 3?").await;
    assert_eq!(second["message"]["seq"], 2, "{second}");
    let seen: Vec<i64> = events_until_pong(&mut mia_ws, 1)
        .await
        .iter()
        .filter(|e| e["type"] == "message")
        .filter_map(|e| e["seq"].as_i64())
        .collect();
    assert_eq!(seen, [2]);

    // Mia's list: two unread; reading them tells Ola's open page.
    let list = mia.call("conversations", &[("slug", "acme")]).await;
    assert_eq!(list.status, StatusCode::OK, "{:?}", list.body);
    assert_eq!(list.body[0]["id"], conversation);
    assert_eq!(list.body[0]["title"], "Ola");
    assert_eq!(list.body[0]["unread"], 2);
    assert_eq!(list.body[0]["last_message"]["body"], "Are you free at 3?");
    // The menu's count: in the session that every page reads, and on its own.
    let unread_in_menu = |me: serde_json::Value| me["memberships"][0]["unread_messages"].clone();
    assert_eq!(unread_in_menu(mia.me().await), 2);
    assert_eq!(
        unread_in_menu(ola.me().await),
        0,
        "what one writes, one has read"
    );
    let counted = mia.call("unread_messages", &[("slug", "acme")]).await;
    assert_eq!(counted.body, 2, "{:?}", counted.body);
    send(
        &mut mia_ws,
        json!({"type": "read", "conversation": conversation, "seq": 2}),
    )
    .await;
    // Once Mia's socket has answered a ping, her read is recorded and on its way to Ola's.
    events_until_pong(&mut mia_ws, 2).await;
    let read = events_until_pong(&mut ola_ws, 2).await;
    assert!(
        read.iter()
            .any(|e| e["type"] == "read" && e["seq"] == 2 && e["conversation"] == conversation),
        "{read:?}"
    );
    let list = mia.call("conversations", &[("slug", "acme")]).await;
    assert_eq!(list.body[0]["unread"], 0, "{:?}", list.body);
    assert_eq!(unread_in_menu(mia.me().await), 0);
    // Reading backwards moves nothing.
    send(
        &mut mia_ws,
        json!({"type": "read", "conversation": conversation, "seq": 1}),
    )
    .await;
    events_until_pong(&mut mia_ws, 3).await;
    let list = mia.call("conversations", &[("slug", "acme")]).await;
    assert_eq!(list.body[0]["unread"], 0);

    // History, oldest first.
    let history = mia
        .call(
            "conversation_history",
            &[
                ("slug", "acme"),
                ("conversation", &conversation.to_string()),
            ],
        )
        .await;
    assert_eq!(history.status, StatusCode::OK, "{:?}", history.body);
    let bodies: Vec<&str> = history.body["messages"]
        .as_array()
        .expect("messages")
        .iter()
        .filter_map(|m| m["body"].as_str())
        .collect();
    assert_eq!(bodies, ["Hello **Mia**", "Are you free at 3?"]);
    assert_eq!(history.body["more_before"], false);
    srv.stop().await;
}

async fn a_bad_message_is_refused_with_what_to_fix(db: Db) {
    let Some(srv) = TestServer::start(db).await else {
        return;
    };
    let (_ola, _mia, mut ola_ws, _mia_ws, conversation) = two_colleagues(&srv).await;
    for (client_id, body, words) in [
        ("c-1", "   ", "Write something"),
        ("c-2", &"x".repeat(4_001), "at most 4000"),
        ("with space", "hi", "client id"),
    ] {
        let answer = say(&mut ola_ws, conversation, client_id, body).await;
        assert_eq!(answer["type"], "error", "{answer}");
        assert_eq!(answer["code"], "invalid", "{answer}");
        assert_eq!(answer["reply_to"], client_id, "{answer}");
        assert!(
            answer["message"]
                .as_str()
                .is_some_and(|m| m.contains(words)),
            "{answer}"
        );
    }
    // Nothing was stored: the next message is the first.
    let ok = say(&mut ola_ws, conversation, "c-3", "hi").await;
    assert_eq!(ok["message"]["seq"], 1, "{ok}");
    srv.stop().await;
}

async fn a_dropped_connection_resumes_with_nothing_lost_or_repeated(db: Db) {
    let Some(srv) = TestServer::start(db).await else {
        return;
    };
    let (_ola, _mia, mut ola_ws, mia_ws, conversation) = two_colleagues(&srv).await;
    let first = say(&mut ola_ws, conversation, "c-1", "one").await;
    assert_eq!(first["message"]["seq"], 1);
    drop(mia_ws);
    for (i, body) in ["two", "three", "four"].into_iter().enumerate() {
        let ack = say(&mut ola_ws, conversation, &format!("c-{}", i + 2), body).await;
        assert_eq!(ack["type"], "ack", "{ack}");
    }
    let (_, cookie) = sign_in(&srv, "mia@example.com").await;
    let mut mia_ws = connect(&srv, &cookie).await;
    send(
        &mut mia_ws,
        json!({"type": "hello", "version": shared::ws::PROTOCOL_VERSION,
               "since": [{"conversation": conversation, "seq": 1}]}),
    )
    .await;
    let replayed: Vec<String> = events_until_pong(&mut mia_ws, 1)
        .await
        .iter()
        .filter(|e| e["type"] == "message")
        .map(|e| format!("{}:{}", e["seq"], e["body"].as_str().unwrap_or("")))
        .collect();
    assert_eq!(replayed, ["2:two", "3:three", "4:four"]);
    srv.stop().await;
}

async fn nobody_outside_a_conversation_sends_to_it_reads_it_or_sees_it(db: Db) {
    let Some(srv) = TestServer::start(db).await else {
        return;
    };
    let (ola, mia, mut ola_ws, mut mia_ws, conversation) = two_colleagues(&srv).await;
    say(&mut ola_ws, conversation, "c-1", "between us").await;
    let _ = next_event(&mut mia_ws).await;
    // A colleague who is not in it.
    let ivo = ola
        .invite_and_join(&srv, "acme", "ivo@example.com", "viewer", "Ivo")
        .await;
    let (_, ivo_cookie) = sign_in(&srv, "ivo@example.com").await;
    let mut ivo_ws = connect(&srv, &ivo_cookie).await;
    let answer = say(&mut ivo_ws, conversation, "i-1", "let me in").await;
    assert_eq!(answer["code"], "not_found", "{answer}");
    assert_eq!(answer["reply_to"], "i-1");
    send(
        &mut ivo_ws,
        json!({"type": "read", "conversation": conversation, "seq": 1}),
    )
    .await;
    let events = events_until_pong(&mut ivo_ws, 1).await;
    assert!(
        events.iter().any(|e| e["code"] == "not_found"),
        "{events:?}"
    );
    send(
        &mut ivo_ws,
        json!({"type": "hello", "version": shared::ws::PROTOCOL_VERSION,
               "since": [{"conversation": conversation, "seq": 0}]}),
    )
    .await;
    let replayed = events_until_pong(&mut ivo_ws, 2).await;
    assert!(replayed.is_empty(), "{replayed:?}");
    let history = ivo
        .call(
            "conversation_history",
            &[
                ("slug", "acme"),
                ("conversation", &conversation.to_string()),
            ],
        )
        .await;
    assert_eq!(history.status, StatusCode::NOT_FOUND, "{:?}", history.body);
    let list = ivo.call("conversations", &[("slug", "acme")]).await;
    assert_eq!(list.body, json!([]), "{:?}", list.body);

    // Removed from the organisation, Mia is out of its conversations too, socket and all.
    let mia_id = mia.me().await["user_id"].as_i64().expect("id").to_string();
    let removed = ola
        .call("remove_member", &[("slug", "acme"), ("user_id", &mia_id)])
        .await;
    assert_eq!(removed.status, StatusCode::OK, "{:?}", removed.body);
    let answer = say(&mut mia_ws, conversation, "m-1", "still here?").await;
    assert_eq!(answer["code"], "not_found", "{answer}");
    let ola_hears = say(&mut ola_ws, conversation, "c-2", "gone").await;
    assert_eq!(ola_hears["type"], "ack");
    let after = events_until_pong(&mut mia_ws, 3).await;
    assert!(!after.iter().any(|e| e["type"] == "message"), "{after:?}");
    srv.stop().await;
}

async fn groups_are_named_and_made_of_the_organisations_members(db: Db) {
    let Some(srv) = TestServer::start(db).await else {
        return;
    };
    let (ola, mia, _ola_ws, mut mia_ws, _direct) = two_colleagues(&srv).await;
    let mia_id = mia.me().await["user_id"].as_i64().expect("id").to_string();
    let outsider = srv.client();
    outsider.sign_up("Out", "out@example.com").await;
    let outsider_id = outsider.me().await["user_id"]
        .as_i64()
        .expect("id")
        .to_string();
    let group = |name: &str, members: &str| {
        let (name, members) = (name.to_owned(), members.to_owned());
        let ola = &ola;
        async move {
            ola.call(
                "create_group",
                &[("slug", "acme"), ("name", &name), ("members", &members)],
            )
            .await
        }
    };
    let nameless = group("  ", &mia_id).await;
    assert_eq!(nameless.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(nameless
        .field_error("name")
        .is_some_and(|m| m.contains("name")));
    let stranger = group("Hiring", &format!("{mia_id},{outsider_id}")).await;
    assert_eq!(stranger.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(stranger
        .field_error("members")
        .is_some_and(|m| m.contains("member of this organisation")));
    let garbled = group("Hiring", "7,abc").await;
    assert!(garbled
        .field_error("members")
        .is_some_and(|m| m.contains("abc")));
    // Nothing was made by the refused ones.
    assert_eq!(
        ola.call("conversations", &[("slug", "acme")])
            .await
            .body
            .as_array()
            .map(Vec::len),
        Some(1)
    );

    let made = group("Hiring", &format!(" {mia_id} , {mia_id}")).await;
    assert_eq!(made.status, StatusCode::OK, "{:?}", made.body);
    assert_eq!(made.body["title"], "Hiring");
    assert_eq!(made.body["kind"], "group");
    let members: Vec<(String, bool)> = made.body["members"]
        .as_array()
        .expect("members")
        .iter()
        .map(|m| {
            (
                m["name"].as_str().unwrap_or("").to_owned(),
                m["admin"] == true,
            )
        })
        .collect();
    assert_eq!(
        members,
        [("Mia".to_owned(), false), ("Ola".to_owned(), true)]
    );
    let id = made.body["id"].as_i64().expect("id");
    let sent = say(&mut mia_ws, id, "g-1", "Hello all").await;
    assert_eq!(sent["type"], "ack", "{sent}");
    // The outsider's own organisation knows nothing of it.
    outsider.create_org("Else", "else").await;
    let peek = outsider
        .call(
            "conversation_history",
            &[("slug", "else"), ("conversation", &id.to_string())],
        )
        .await;
    assert_eq!(peek.status, StatusCode::NOT_FOUND, "{:?}", peek.body);
    srv.stop().await;
}

/// The next `message` event (leaving out what else comes).
async fn next_message(ws: &mut WebSocket) -> Value {
    loop {
        let event = next_event(ws).await;
        if event["type"] == "message" {
            return event;
        }
    }
}

/// The answer to a frame that is answered only when refused: the error, or nothing before the
/// pong of a ping sent after it.
async fn refusal(ws: &mut WebSocket, frame: Value, nonce: u64) -> Option<Value> {
    send(ws, frame).await;
    events_until_pong(ws, nonce)
        .await
        .into_iter()
        .find(|e| e["type"] == "error")
}

async fn authors_edit_and_delete_their_messages_and_everyone_sees_it(db: Db) {
    let Some(srv) = TestServer::start(db).await else {
        return;
    };
    let (_ola, mia, mut ola_ws, mut mia_ws, conversation) = two_colleagues(&srv).await;
    let sent = say(&mut ola_ws, conversation, "c-1", "See you at 3").await;
    assert_eq!(sent["type"], "ack", "{sent}");
    next_message(&mut mia_ws).await;
    next_message(&mut ola_ws).await;

    send(
        &mut ola_ws,
        json!({"type": "edit", "conversation": conversation, "seq": 1, "body": "  See you at 4  "}),
    )
    .await;
    for ws in [&mut mia_ws, &mut ola_ws] {
        let edited = next_message(ws).await;
        assert_eq!(
            (&edited["seq"], &edited["body"], &edited["edited"]),
            (&json!(1), &json!("See you at 4"), &json!(true)),
            "{edited}"
        );
    }

    // Only its author changes a message, and only to something that may be sent.
    let edit = |body: &str, seq: i64| json!({"type": "edit", "conversation": conversation, "seq": seq, "body": body});
    let delete = json!({"type": "delete", "conversation": conversation, "seq": 1});
    for (by_ola, frame, code, words, nonce) in [
        (false, edit("Mine now", 1), "invalid", "Only its author", 1),
        (true, edit("  ", 1), "invalid", "Write something", 2),
        (true, edit("Lost", 9), "not_found", "no such message", 3),
        (false, delete.clone(), "invalid", "Only its author", 4),
    ] {
        let ws = if by_ola { &mut ola_ws } else { &mut mia_ws };
        let error = refusal(ws, frame, nonce).await.expect("refused");
        assert_eq!(error["code"], code, "{error}");
        assert!(
            error["message"].as_str().is_some_and(|m| m.contains(words)),
            "{error}"
        );
    }

    send(&mut ola_ws, delete).await;
    let deleted = next_message(&mut mia_ws).await;
    assert_eq!(
        (&deleted["body"], &deleted["deleted"]),
        (&json!(""), &json!(true)),
        "{deleted}"
    );
    // Gone from the database, not only from the pages; and no longer editable.
    let stored: String = sqlx::query_scalar("SELECT body FROM messages WHERE seq = 1")
        .fetch_one(&srv.state().db.pool)
        .await
        .expect("body");
    assert_eq!(stored, "");
    let error = refusal(&mut ola_ws, edit("Back again", 1), 5)
        .await
        .expect("refused");
    assert!(
        error["message"]
            .as_str()
            .is_some_and(|m| m.contains("deleted")),
        "{error}"
    );
    let history = mia
        .call(
            "conversation_history",
            &[
                ("slug", "acme"),
                ("conversation", &conversation.to_string()),
            ],
        )
        .await;
    assert_eq!(
        history.body["messages"][0]["deleted"], true,
        "{:?}",
        history.body
    );
    assert_eq!(
        history.body["messages"][0]["edited"], true,
        "{:?}",
        history.body
    );
    srv.stop().await;
}

async fn typing_reaches_the_others_and_stops_when_the_page_goes(db: Db) {
    let Some(srv) = TestServer::start(db).await else {
        return;
    };
    let (ola, _mia, mut ola_ws, mut mia_ws, conversation) = two_colleagues(&srv).await;
    let ola_id = ola.me().await["user_id"].as_i64().expect("id");
    let typing = |on: bool| json!({"type": "typing", "conversation": conversation, "typing": on});
    send(&mut ola_ws, typing(true)).await;
    let seen = loop {
        let event = next_event(&mut mia_ws).await;
        if event["type"] == "typing" {
            break event;
        }
    };
    assert_eq!(
        seen,
        json!({"type": "typing", "conversation": conversation, "user_id": ola_id, "typing": true})
    );
    // Not to the one typing.
    let own = events_until_pong(&mut ola_ws, 1).await;
    assert!(own.iter().all(|e| e["type"] != "typing"), "{own:?}");

    // Someone outside the conversation types into nothing.
    let outsider = srv.client();
    outsider.sign_up("Oz", "oz@example.com").await;
    let (_, oz_cookie) = sign_in(&srv, "oz@example.com").await;
    let mut oz_ws = connect(&srv, &oz_cookie).await;
    let error = refusal(&mut oz_ws, typing(true), 2).await.expect("refused");
    assert_eq!(error["code"], "not_found", "{error}");

    // Ola's page goes while she is typing: Mia's page is told she stopped.
    drop(ola_ws);
    let stopped = loop {
        let event = next_event(&mut mia_ws).await;
        if event["type"] == "typing" {
            break event;
        }
    };
    assert_eq!(stopped["typing"], false, "{stopped}");
    assert_eq!(stopped["user_id"], ola_id, "{stopped}");
    srv.stop().await;
}

async fn members_find_messages_by_their_words(db: Db) {
    let Some(srv) = TestServer::start(db).await else {
        return;
    };
    let (ola, mia, mut ola_ws, _mia_ws, conversation) = two_colleagues(&srv).await;
    for (id, body) in [
        ("s-1", "Ada's interview is at 3"),
        ("s-2", "The budget for Q3"),
        ("s-3", "ADA passed: 100%_done"),
        ("s-4", "Ada said no"),
    ] {
        assert_eq!(
            say(&mut ola_ws, conversation, id, body).await["type"],
            "ack"
        );
    }
    send(
        &mut ola_ws,
        json!({"type": "delete", "conversation": conversation, "seq": 4}),
    )
    .await;
    events_until_pong(&mut ola_ws, 1).await;
    let id = conversation.to_string();
    let search = |query: &'static str| {
        let id = id.clone();
        let mia = &mia;
        async move {
            mia.call(
                "search_messages",
                &[("slug", "acme"), ("conversation", &id), ("query", query)],
            )
            .await
        }
    };
    let seqs = |answer: &common::Answer| -> Vec<i64> {
        answer.body.as_array().map_or_else(Vec::new, |hits| {
            hits.iter().filter_map(|m| m["seq"].as_i64()).collect()
        })
    };
    // Any case, every word, the latest first; a deleted message is not found.
    assert_eq!(seqs(&search("ada").await), [3, 1]);
    assert_eq!(seqs(&search("  ada   INTERVIEW ").await), [1]);
    // `%` and `_` are letters here, not patterns.
    assert_eq!(seqs(&search("100%_").await), [3]);
    assert_eq!(seqs(&search("q_").await), Vec::<i64>::new());
    let short = search("a").await;
    assert_eq!(
        short.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{:?}",
        short.body
    );
    assert!(
        short.body.to_string().contains("at least 2 letters"),
        "{:?}",
        short.body
    );
    // Someone who is not in the conversation finds nothing, not even that it exists.
    let other = srv.client();
    other.sign_up("Oz", "oz@example.com").await;
    other.create_org("Other", "other").await;
    let max = ola
        .invite_and_join(&srv, "acme", "max@example.com", "recruiter", "Max")
        .await;
    for (client, slug) in [(&other, "other"), (&other, "acme"), (&max, "acme")] {
        let answer = client
            .call(
                "search_messages",
                &[("slug", slug), ("conversation", &id), ("query", "ada")],
            )
            .await;
        assert_eq!(answer.status, StatusCode::NOT_FOUND, "{:?}", answer.body);
    }
    srv.stop().await;
}

/// Calls a server function with a form of owned values.
async fn call(browser: &Browser, endpoint: &str, form: Vec<(&str, String)>) -> common::Answer {
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    browser.call(endpoint, &form).await
}

async fn group_admins_add_and_remove_members_and_the_removed_are_out_at_once(db: Db) {
    let Some(srv) = TestServer::start(db).await else {
        return;
    };
    let (ola, mia, mut ola_ws, mut mia_ws, _direct) = two_colleagues(&srv).await;
    let max = ola
        .invite_and_join(&srv, "acme", "max@example.com", "viewer", "Max")
        .await;
    let id_of = |b: serde_json::Value| b["user_id"].as_i64().expect("id").to_string();
    let (mia_id, max_id) = (id_of(mia.me().await), id_of(max.me().await));
    let group = ola
        .call(
            "create_group",
            &[
                ("slug", "acme"),
                ("name", "Hiring panel"),
                ("members", &mia_id),
            ],
        )
        .await;
    assert_eq!(group.status, StatusCode::OK, "{:?}", group.body);
    let group_id = group.body["id"].as_i64().expect("id");
    let g = group_id.to_string();
    let said = say(&mut ola_ws, group_id, "g-1", "Before Max").await;
    assert_eq!(said["type"], "ack", "{said}");
    let form = |user: &str| {
        vec![
            ("slug", "acme".to_owned()),
            ("conversation", g.clone()),
            ("user_id", user.to_owned()),
        ]
    };
    // Only an admin adds; Mia is a member, not an admin.
    let refused = call(&mia, "add_group_member", form(&max_id)).await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{:?}",
        refused.body
    );
    assert!(refused.body.to_string().contains("Only the group's admins"));
    let added = call(&ola, "add_group_member", form(&max_id)).await;
    assert_eq!(added.status, StatusCode::OK, "{:?}", added.body);
    assert_eq!(added.body["members"].as_array().map(Vec::len), Some(3));
    // Max sees the history, none of it unread.
    let list = max.call("conversations", &[("slug", "acme")]).await;
    assert_eq!(list.body[0]["title"], "Hiring panel", "{:?}", list.body);
    assert_eq!(list.body[0]["unread"], 0, "{:?}", list.body);
    let history = call(
        &max,
        "conversation_history",
        vec![("slug", "acme".to_owned()), ("conversation", g.clone())],
    )
    .await;
    assert_eq!(history.body["messages"][0]["body"], "Before Max");
    // Added after the group's first message: Max sends to it and hears from it at once.
    let (_, max_cookie) = sign_in(&srv, "max@example.com").await;
    let mut max_ws = connect(&srv, &max_cookie).await;
    let hello = say(&mut max_ws, group_id, "x-1", "Hello all").await;
    assert_eq!(hello["type"], "ack", "{hello}");
    message_saying(&mut ola_ws, "Hello all").await;

    // A new name shows on the next message.
    let renamed = ola.call("update_name", &[("name", "Ola Nordmann")]).await;
    assert_eq!(renamed.status, StatusCode::OK, "{:?}", renamed.body);
    let said = say(&mut ola_ws, group_id, "g-renamed", "New name").await;
    assert_eq!(said["message"]["author_name"], "Ola Nordmann", "{said}");
    assert_eq!(
        message_saying(&mut max_ws, "New name").await["author_name"],
        "Ola Nordmann"
    );

    // Removed by the admin: Mia is out at once (no message, no sending, no history).
    let removed = call(&ola, "remove_group_member", form(&mia_id)).await;
    assert_eq!(removed.status, StatusCode::OK, "{:?}", removed.body);
    events_until_pong(&mut mia_ws, 1).await;
    say(&mut ola_ws, group_id, "g-2", "After Mia").await;
    let mia_saw = events_until_pong(&mut mia_ws, 2).await;
    assert!(
        mia_saw.iter().all(|e| e["type"] != "message"),
        "{mia_saw:?}"
    );
    let sent = say(&mut mia_ws, group_id, "m-1", "Still here?").await;
    assert_eq!(sent["code"], "not_found", "{sent}");
    let history = call(
        &mia,
        "conversation_history",
        vec![("slug", "acme".to_owned()), ("conversation", g.clone())],
    )
    .await;
    assert_eq!(history.status, StatusCode::NOT_FOUND);

    // The last admin leaves: the member who joined first after them becomes admin.
    let left = call(&ola, "remove_group_member", form(&id_of(ola.me().await))).await;
    assert_eq!(left.status, StatusCode::OK, "{:?}", left.body);
    assert_eq!(left.body, serde_json::Value::Null);
    let list = max.call("conversations", &[("slug", "acme")]).await;
    let members = list.body[0]["members"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(members.len(), 1, "{:?}", list.body);
    assert_eq!(members[0]["admin"], true, "{:?}", list.body);
    srv.stop().await;
}

/// Mia's presence as the conversation list tells Ola.
async fn listed_presence(ola: &Browser, mia_id: i64) -> Value {
    let list = ola.call("conversations", &[("slug", "acme")]).await;
    assert_eq!(list.status, StatusCode::OK, "{:?}", list.body);
    list.body[0]["members"]
        .as_array()
        .and_then(|members| members.iter().find(|m| m["user_id"] == mia_id))
        .map(|m| m["presence"].clone())
        .unwrap_or_default()
}

fn presence(user_id: i64, presence: &str) -> Value {
    json!({"type": "presence", "user_id": user_id, "presence": presence})
}

async fn colleagues_see_who_is_here_across_tabs(db: Db) {
    let Some(srv) = TestServer::start(db).await else {
        return;
    };
    let (ola, mia, mut ola_ws, mut mia_ws, _conversation) = two_colleagues(&srv).await;
    let mia_id = mia.me().await["user_id"].as_i64().expect("id");
    // Bo is in the organisation but shares no conversation with Mia.
    let bo = ola
        .invite_and_join(&srv, "acme", "bo@example.com", "viewer", "Bo")
        .await;
    let (_, bo_cookie) = sign_in(&srv, "bo@example.com").await;
    let mut bo_ws = connect(&srv, &bo_cookie).await;

    // Mia's page opened after Ola's: Ola's page is told, and the list says so. (Told twice when
    // Mia came while Ola's hello was being answered: by the answer and by the change.)
    assert_eq!(
        next_of(&mut ola_ws, "presence").await,
        presence(mia_id, "online")
    );
    for told in presence_until_pong(&mut ola_ws).await {
        assert_eq!(told, presence(mia_id, "online"));
    }
    assert_eq!(listed_presence(&ola, mia_id).await, "online");
    // Her page is hidden: away. A second tab in use makes her online; when it goes, away again.
    send(&mut mia_ws, json!({"type": "presence", "away": true})).await;
    assert_eq!(
        next_of(&mut ola_ws, "presence").await,
        presence(mia_id, "away")
    );
    assert_eq!(listed_presence(&ola, mia_id).await, "away");
    let (_, second_tab) = sign_in(&srv, "mia@example.com").await;
    let tab = connect(&srv, &second_tab).await;
    assert_eq!(
        next_of(&mut ola_ws, "presence").await,
        presence(mia_id, "online")
    );
    drop(tab);
    assert_eq!(
        next_of(&mut ola_ws, "presence").await,
        presence(mia_id, "away")
    );
    // A page that opens hidden says so in its hello: she stays away.
    let (_, hidden_tab) = sign_in(&srv, "mia@example.com").await;
    let mut hidden = connect_without_hello(&srv, &hidden_tab).await;
    send(
        &mut hidden,
        json!({"type": "hello", "version": 1, "away": true}),
    )
    .await;
    drop(hidden);
    drop(mia_ws);
    // (Until its hello is read, a page counts as in use: Ola's page may be told "away" again.)
    let mut told = next_of(&mut ola_ws, "presence").await;
    while told == presence(mia_id, "away") {
        told = next_of(&mut ola_ws, "presence").await;
    }
    assert_eq!(told, presence(mia_id, "offline"));
    assert_eq!(listed_presence(&ola, mia_id).await, "offline");

    // Bo, who shares no conversation with her, was told nothing of it.
    send(&mut bo_ws, json!({"type": "ping", "nonce": 9})).await;
    loop {
        let event = next_frame(&mut bo_ws).await;
        assert_ne!(event["type"], "presence", "{event}");
        if event["type"] == "pong" {
            break;
        }
    }

    // Mia is back. A page of Ola's that opens now (it may have been rendered before she came) is
    // told who is here as soon as it says hello.
    let (_, back) = sign_in(&srv, "mia@example.com").await;
    let _mia_back = connect(&srv, &back).await;
    while next_of(&mut ola_ws, "presence").await != presence(mia_id, "online") {}
    let (_, ola_tab) = sign_in(&srv, "ola@example.com").await;
    let mut ola_tab_ws = connect(&srv, &ola_tab).await;
    assert_eq!(
        next_of(&mut ola_tab_ws, "presence").await,
        presence(mia_id, "online")
    );
    drop(bo);
    srv.stop().await;
}

/// The presence frames a page is sent before the answer to a ping sent now.
async fn presence_until_pong(ws: &mut WebSocket) -> Vec<Value> {
    send(ws, json!({"type": "ping", "nonce": 7})).await;
    let mut told = Vec::new();
    loop {
        let event = next_frame(ws).await;
        match event["type"].as_str() {
            Some("pong") => return told,
            Some("presence") => told.push(event),
            _ => {}
        }
    }
}

/// Two instances on one PostgreSQL database: Mia's pages on the second count for Ola's on the
/// first, as if there were one server.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn presence_is_merged_across_instances_on_postgres() {
    let Some(first) = TestServer::start(Db::Postgres).await else {
        return;
    };
    let second = first.start_beside().await;
    let (ola, mia, mut ola_ws, mia_ws, _conversation) = two_colleagues(&first).await;
    let mia_id = mia.me().await["user_id"].as_i64().expect("id");
    assert_eq!(
        next_of(&mut ola_ws, "presence").await,
        presence(mia_id, "online")
    );
    drop(mia_ws);
    // (Told "online" twice when the answer to Ola's hello and Mia's arrival crossed.)
    let mut told = next_of(&mut ola_ws, "presence").await;
    while told == presence(mia_id, "online") {
        told = next_of(&mut ola_ws, "presence").await;
    }
    assert_eq!(told, presence(mia_id, "offline"));
    let (_, on_second) = sign_in(&second, "mia@example.com").await;
    let mut mia_there = connect(&second, &on_second).await;
    assert_eq!(
        next_of(&mut ola_ws, "presence").await,
        presence(mia_id, "online")
    );
    assert_eq!(listed_presence(&ola, mia_id).await, "online");
    send(&mut mia_there, json!({"type": "presence", "away": true})).await;
    assert_eq!(
        next_of(&mut ola_ws, "presence").await,
        presence(mia_id, "away")
    );
    drop(mia_there);
    assert_eq!(
        next_of(&mut ola_ws, "presence").await,
        presence(mia_id, "offline")
    );
    second.stop().await;
    first.stop().await;
}

/// Two instances on one PostgreSQL database: a message of the longest kind (far more than a
/// relayed payload may hold), its edit and its deletion, sent on the first, reach a page on the
/// second: what passes between them is the message's place, and the second reads the message.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_longest_message_reaches_a_page_on_another_instance_on_postgres() {
    let Some(first) = TestServer::start(Db::Postgres).await else {
        return;
    };
    let second = first.start_beside().await;
    let (_ola, _mia, mut ola_ws, mia_ws, conversation) = two_colleagues(&first).await;
    drop(mia_ws);
    let (_, on_second) = sign_in(&second, "mia@example.com").await;
    let mut mia_there = connect(&second, &on_second).await;
    // Ola hears Mia arrive on the second instance: the relay is running both ways.
    loop {
        let event = next_of(&mut ola_ws, "presence").await;
        if event["presence"] == "online" {
            break;
        }
    }
    let long = "é".repeat(shared::chat::MAX_MESSAGE_CHARS);
    let ack = say(&mut ola_ws, conversation, "long-1", &long).await;
    assert_eq!(ack["type"], "ack", "{ack}");
    let seq = ack["message"]["seq"].as_i64().expect("seq");
    let arrived = next_of(&mut mia_there, "message").await;
    assert_eq!(arrived["seq"], seq, "{arrived}");
    assert_eq!(arrived["body"], long.as_str());
    send(
        &mut ola_ws,
        json!({"type": "edit", "conversation": conversation, "seq": seq, "body": "shorter"}),
    )
    .await;
    let edited = next_of(&mut mia_there, "message").await;
    assert_eq!(
        (edited["body"].clone(), edited["edited"].clone()),
        (json!("shorter"), json!(true))
    );
    send(
        &mut ola_ws,
        json!({"type": "delete", "conversation": conversation, "seq": seq}),
    )
    .await;
    let deleted = next_of(&mut mia_there, "message").await;
    assert_eq!(
        (deleted["body"].clone(), deleted["deleted"].clone()),
        (json!(""), json!(true))
    );
    second.stop().await;
    first.stop().await;
}

/// Two instances on one PostgreSQL database remember who is in a conversation, each for
/// itself: a member removed on the first is out on the second as soon as the second hears of
/// it, before the next message (the relay keeps their order).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_member_removed_on_one_instance_is_out_on_the_other_on_postgres() {
    let Some(first) = TestServer::start(Db::Postgres).await else {
        return;
    };
    let second = first.start_beside().await;
    let (ola, mia, mut ola_ws, mia_ws, _direct) = two_colleagues(&first).await;
    drop(mia_ws);
    let max = ola
        .invite_and_join(&first, "acme", "max@example.com", "viewer", "Max")
        .await;
    let id_of = |b: Value| b["user_id"].as_i64().expect("id").to_string();
    let (mia_id, max_id) = (id_of(mia.me().await), id_of(max.me().await));
    let group = ola
        .call(
            "create_group",
            &[
                ("slug", "acme"),
                ("name", "Panel"),
                ("members", &format!("{mia_id},{max_id}")),
            ],
        )
        .await;
    assert_eq!(group.status, StatusCode::OK, "{:?}", group.body);
    let group_id = group.body["id"].as_i64().expect("id");
    let (_, mia_cookie) = sign_in(&second, "mia@example.com").await;
    let (_, max_cookie) = sign_in(&second, "max@example.com").await;
    let mut mia_there = connect(&second, &mia_cookie).await;
    let mut max_there = connect(&second, &max_cookie).await;
    // Both instances read the group's members once, and remember them.
    let sent = say(&mut mia_there, group_id, "m-1", "From the second").await;
    assert_eq!(sent["type"], "ack", "{sent}");
    message_saying(&mut ola_ws, "From the second").await;
    let sent = say(&mut ola_ws, group_id, "o-1", "From the first").await;
    assert_eq!(sent["type"], "ack", "{sent}");
    message_saying(&mut mia_there, "From the first").await;
    message_saying(&mut max_there, "From the second").await;
    message_saying(&mut max_there, "From the first").await;

    let removed = call(
        &ola,
        "remove_group_member",
        vec![
            ("slug", "acme".to_owned()),
            ("conversation", group_id.to_string()),
            ("user_id", mia_id.clone()),
        ],
    )
    .await;
    assert_eq!(removed.status, StatusCode::OK, "{:?}", removed.body);
    let sent = say(&mut ola_ws, group_id, "o-2", "After Mia").await;
    assert_eq!(sent["type"], "ack", "{sent}");
    // Max, on the second, has it: the second heard of the removal before it.
    message_saying(&mut max_there, "After Mia").await;
    let sent = say(&mut mia_there, group_id, "m-2", "Still here?").await;
    assert_eq!(sent["code"], "not_found", "{sent}");
    let mia_saw = events_until_pong(&mut mia_there, 9).await;
    assert!(
        mia_saw.iter().all(|e| e["type"] != "message"),
        "{mia_saw:?}"
    );
    second.stop().await;
    first.stop().await;
}

/// The candidate's socket, joined with the token of their private link; answers it and the
/// conversation it carries.
pub(crate) async fn candidate_joins(srv: &TestServer, token: &str) -> (WebSocket, i64) {
    let mut ws =
        common::ws_connect_to(srv, shared::ws::CANDIDATE_WS_PATH, &[("origin", &srv.base)])
            .await
            .expect("the candidate's socket opens");
    send(
        &mut ws,
        json!({"type": "join", "version": 1, "token": token}),
    )
    .await;
    let joined = next_frame(&mut ws).await;
    assert_eq!(joined["type"], "joined", "{joined}");
    let conversation = joined["conversation"].as_i64().expect("conversation");
    (ws, conversation)
}

/// An application's conversation: the candidate joins from the private link (no account) and
/// talks with the job's hiring team; the token reaches that conversation only; members who may
/// not see candidates never get it; asking for deletion closes it to the candidate.
async fn a_candidate_talks_with_the_hiring_team_from_the_private_link(db: Db) {
    let Some(srv) = TestServer::start(db).await else {
        return;
    };
    let (owner, rita, hal, _ivy) = hiring_team(&srv).await;
    applies(&srv, "ada@example.com").await;
    let token = private_token(&srv, "ada@example.com").await;
    let cards = board(&rita).await.body["cards"].clone();
    let application = cards[0]["application_id"].as_i64().expect("an application");

    // The candidate's page reads the conversation before anyone wrote: empty, and open.
    let visitor = srv.client();
    let thread = visitor
        .call("candidate_messages", &[("token", &token)])
        .await;
    assert_eq!(thread.status, StatusCode::OK, "{:?}", thread.body);
    assert_eq!(thread.body["messages"], json!([]));
    assert_eq!(
        (thread.body["team"].clone(), thread.body["open"].clone()),
        (json!("Acme"), json!(true))
    );

    let mut rita_ws = connect(&srv, &sign_in(&srv, "rita@example.com").await.1).await;
    let mut hal_ws = connect(&srv, &sign_in(&srv, "hal@example.com").await.1).await;
    let (mut ada, conversation) = candidate_joins(&srv, &token).await;
    assert_eq!(
        conversation,
        thread.body["conversation"].as_i64().expect("id")
    );
    send(
        &mut ada,
        json!({"type": "send", "conversation": conversation, "client_id": "ada-1", "body": "When is the **interview**?"}),
    )
    .await;
    let ack = next_of(&mut ada, "ack").await;
    assert_eq!(ack["message"]["from_candidate"], true, "{ack}");
    assert_eq!(ack["message"]["author_name"], "Ada Lovelace", "{ack}");
    assert_eq!(ack["message"]["author"], Value::Null, "{ack}");
    // The job's recruiter and hiring manager were made its members and hear it live.
    for ws in [&mut rita_ws, &mut hal_ws] {
        let got = next_of(ws, "message").await;
        assert_eq!(
            (got["seq"].clone(), got["from_candidate"].clone()),
            (json!(1), json!(true)),
            "{got}"
        );
        assert_eq!(
            got["html"],
            "<p>When is the <strong>interview</strong>?</p>\n"
        );
    }
    let listed = rita.call("conversations", &[("slug", "acme")]).await;
    let item = listed
        .body
        .as_array()
        .expect("list")
        .iter()
        .find(|c| c["id"] == conversation)
        .cloned()
        .expect("listed");
    assert_eq!(item["kind"], "application");
    assert!(
        item["title"]
            .as_str()
            .is_some_and(|t| t.starts_with("Ada Lovelace · ")),
        "{item}"
    );
    assert_eq!(item["unread"], 1);

    let reply = say(&mut rita_ws, conversation, "rita-1", "Tuesday at 10.").await;
    assert_eq!(reply["type"], "ack", "{reply}");
    // (Her own message came back to her page first, as to every page of an author.)
    let heard = loop {
        let message = next_of(&mut ada, "message").await;
        if message["seq"] == reply["message"]["seq"] {
            break message;
        }
    };
    assert_eq!(
        (heard["author_name"].clone(), heard["body"].clone()),
        (json!("Rita"), json!("Tuesday at 10.")),
        "{heard}"
    );
    assert!(
        heard.get("from_candidate").is_none() || heard["from_candidate"] == false,
        "{heard}"
    );
    // She was on her page: no e-mail. Once she is gone, the team's next messages are one
    // e-mail an hour, quoting the first, pointing to the link she has (never carrying it).
    let wrote = |srv: &TestServer| {
        let state = srv.state().clone();
        async move {
            let mails = state.mail.sent_to("ada@example.com").await.expect("mail");
            mails
                .into_iter()
                .filter(|m| m.subject.contains("wrote to you"))
                .collect::<Vec<_>>()
        }
    };
    assert!(wrote(&srv).await.is_empty());
    drop(ada);
    for _ in 0..100 {
        if !srv.state().realtime.hub.candidate_is_here(conversation) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(
        say(
            &mut rita_ws,
            conversation,
            "rita-2",
            "Bring your **portfolio**."
        )
        .await["type"],
        "ack"
    );
    assert_eq!(
        say(&mut rita_ws, conversation, "rita-3", "And an ID.").await["type"],
        "ack"
    );
    let mails = wrote(&srv).await;
    assert_eq!(mails.len(), 1, "{mails:?}");
    assert_eq!(mails[0].subject, "Acme wrote to you about your application");
    assert!(
        mails[0].body.contains("> Bring your portfolio."),
        "{}",
        mails[0].body
    );
    assert!(!mails[0].body.contains(&token), "{}", mails[0].body);
    let (mut ada, again) = candidate_joins(&srv, &token).await;
    assert_eq!(again, conversation);

    // The token opens that conversation only: not the team's own.
    let rita_id = rita.me().await["user_id"].as_i64().expect("id");
    let theirs = owner
        .call(
            "start_direct",
            &[("slug", "acme"), ("user_id", &rita_id.to_string())],
        )
        .await;
    let theirs = theirs.body["id"].as_i64().expect("id");
    send(
        &mut ada,
        json!({"type": "send", "conversation": theirs, "client_id": "ada-x", "body": "hello?"}),
    )
    .await;
    let refused = next_of(&mut ada, "error").await;
    assert_eq!(
        (refused["code"].clone(), refused["reply_to"].clone()),
        (json!("not_found"), json!("ada-x")),
        "{refused}"
    );
    send(
        &mut ada,
        json!({"type": "read", "conversation": conversation, "seq": 2}),
    )
    .await;
    assert_eq!(next_of(&mut ada, "error").await["code"], "invalid");

    // Over HTTP too (the page's form), once per client id; the page reads both sides back.
    let write = |client_id: &'static str, body: &'static str| {
        let (visitor, token) = (&visitor, token.clone());
        async move {
            visitor
                .call(
                    "message_the_team",
                    &[
                        ("token", token.as_str()),
                        ("client_id", client_id),
                        ("body", body),
                    ],
                )
                .await
        }
    };
    let first = write("ada-2", "Thank you!").await;
    assert_eq!(first.status, StatusCode::OK, "{:?}", first.body);
    assert_eq!(
        write("ada-2", "Thank you!").await.body["seq"],
        first.body["seq"]
    );
    let named = write("", "See you then.").await;
    assert_eq!(named.status, StatusCode::OK, "{:?}", named.body);
    let empty = write("ada-3", "   ").await;
    assert_eq!(
        empty.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{:?}",
        empty.body
    );
    let thread = visitor
        .call("candidate_messages", &[("token", &token)])
        .await;
    let bodies: Vec<&str> = thread.body["messages"]
        .as_array()
        .expect("messages")
        .iter()
        .map(|m| m["body"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(
        bodies,
        [
            "When is the **interview**?",
            "Tuesday at 10.",
            "Bring your **portfolio**.",
            "And an ID.",
            "Thank you!",
            "See you then."
        ]
    );

    // A wrong token gets nothing and is closed; the members' socket takes no join.
    let mut wrong = common::ws_connect_to(
        &srv,
        shared::ws::CANDIDATE_WS_PATH,
        &[("origin", &srv.base)],
    )
    .await
    .expect("opens");
    send(
        &mut wrong,
        json!({"type": "join", "version": 1, "token": "A".repeat(43)}),
    )
    .await;
    assert_eq!(next_frame(&mut wrong).await["code"], "not_found");
    assert_eq!(
        close_code(&mut wrong).await,
        Some(shared::ws::close::LINK_ENDED)
    );
    let other_origin = common::ws_connect_to(
        &srv,
        shared::ws::CANDIDATE_WS_PATH,
        &[("origin", "https://evil.example")],
    )
    .await;
    assert!(other_origin.is_err(), "another site's page may not open it");
    send(
        &mut rita_ws,
        json!({"type": "join", "version": 1, "token": token}),
    )
    .await;
    assert_eq!(next_of(&mut rita_ws, "error").await["code"], "invalid");

    // Others of the team open it from the application; an employee may not.
    let opened = hal
        .call(
            "message_candidate",
            &[("slug", "acme"), ("application", &application.to_string())],
        )
        .await;
    assert_eq!(opened.body, json!(conversation), "{:?}", opened.body);
    let (emma, _) = sign_in(&srv, "emma@example.com").await;
    let refused = emma
        .call(
            "message_candidate",
            &[("slug", "acme"), ("application", &application.to_string())],
        )
        .await;
    assert!(
        refused.status == StatusCode::FORBIDDEN || refused.status == StatusCode::NOT_FOUND,
        "{:?}",
        refused.body
    );

    // Hal leaves the job's hiring team: out of its candidate's conversation at once (his
    // messages refused, none delivered); back on the team, in again.
    events_until_pong(&mut hal_ws, 6).await;
    owner
        .set_team("acme", common::careers::JOB, &[(&rita, "recruiter")])
        .await;
    let sent = say(&mut hal_ws, conversation, "hal-off", "Am I in?").await;
    assert_eq!(sent["code"], "not_found", "{sent}");
    send(
        &mut ada,
        json!({"type": "send", "conversation": conversation, "client_id": "ada-off", "body": "Hal is off"}),
    )
    .await;
    assert_eq!(
        next_of(&mut ada, "ack").await["message"]["client_id"],
        "ada-off"
    );
    message_saying(&mut rita_ws, "Hal is off").await;
    let away = events_until_pong(&mut hal_ws, 7).await;
    assert!(away.iter().all(|e| e["type"] != "message"), "{away:?}");
    owner
        .set_team(
            "acme",
            common::careers::JOB,
            &[(&rita, "recruiter"), (&hal, "hiring_manager")],
        )
        .await;
    let sent = say(&mut hal_ws, conversation, "hal-on", "Back on the team").await;
    assert_eq!(sent["type"], "ack", "{sent}");
    message_saying(&mut rita_ws, "Back on the team").await;

    // Hal becomes an employee: the conversation is gone for him at once, live and listed.
    events_until_pong(&mut hal_ws, 8).await;
    events_until_pong(&mut rita_ws, 8).await;
    owner.change_role_of("acme", &hal, "employee").await;
    send(
        &mut ada,
        json!({"type": "send", "conversation": conversation, "client_id": "ada-4", "body": "One more thing"}),
    )
    .await;
    assert_eq!(
        next_of(&mut ada, "ack").await["message"]["client_id"],
        "ada-4"
    );
    let told = next_of(&mut rita_ws, "message").await;
    assert_eq!(told["client_id"], "ada-4", "{told}");
    let after = events_until_pong(&mut hal_ws, 9).await;
    assert!(after.iter().all(|e| e["type"] != "message"), "{after:?}");
    let hal_list = hal.call("conversations", &[("slug", "acme")]).await;
    assert!(
        hal_list
            .body
            .as_array()
            .is_some_and(|l| l.iter().all(|c| c["id"] != conversation)),
        "{:?}",
        hal_list.body
    );

    // Asking for deletion closes the conversation to the candidate, socket and form.
    let deletion = visitor
        .call("request_data_deletion", &[("token", &token)])
        .await;
    assert_eq!(deletion.status, StatusCode::OK, "{:?}", deletion.body);
    assert_eq!(
        close_code(&mut ada).await,
        Some(shared::ws::close::LINK_ENDED)
    );
    let closed = write("ada-5", "Hello?").await;
    assert_eq!(
        closed.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{:?}",
        closed.body
    );
    // The team reads it still, and writes there no more.
    let after = say(&mut rita_ws, conversation, "rita-9", "Noted.").await;
    assert_eq!(
        (after["type"].clone(), after["code"].clone()),
        (json!("error"), json!("invalid")),
        "{after}"
    );
    assert!(
        after["message"]
            .as_str()
            .is_some_and(|m| m.contains("asked for their data to be deleted")),
        "{after}"
    );
    srv.stop().await;
}

/// A burst from both sides, sent without waiting: the writer stores what arrives together in one
/// transaction. Every message is numbered once, in each sender's order, with no gap; a retry
/// inside the burst is the same message; a message refused in the middle (another's client id,
/// a conversation the sender is not in) takes nothing from the others.
async fn a_burst_is_stored_together_and_a_refused_message_spoils_none_of_it(db: Db) {
    let Some(srv) = TestServer::start(db).await else {
        return;
    };
    let (ola, _mia, mut ola_ws, mut mia_ws, conversation) = two_colleagues(&srv).await;
    let ola_id = ola.me().await["user_id"].as_i64().expect("id");
    let frame = |client_id: String, to: i64| json!({"type": "send", "conversation": to, "client_id": client_id, "body": "burst"});
    for n in 0..15 {
        send(&mut ola_ws, frame(format!("ola-{n}"), conversation)).await;
        send(&mut mia_ws, frame(format!("mia-{n}"), conversation)).await;
        if n == 7 {
            send(&mut ola_ws, frame("ola-3".into(), conversation)).await;
            send(&mut mia_ws, frame("ola-4".into(), conversation)).await;
            send(&mut mia_ws, frame("mia-x".into(), conversation + 1_000)).await;
        }
    }
    // Each side's answers, in the order they come.
    let mut acks: Vec<(String, i64)> = Vec::new();
    let mut errors: Vec<(String, String)> = Vec::new();
    for (ws, expected) in [(&mut ola_ws, 16), (&mut mia_ws, 17)] {
        let mut got = 0;
        while got < expected {
            let event = next_event(ws).await;
            match event["type"].as_str() {
                Some("ack") => {
                    acks.push((
                        event["client_id"].as_str().unwrap_or_default().to_owned(),
                        event["message"]["seq"].as_i64().expect("seq"),
                    ));
                    got += 1;
                }
                Some("error") => {
                    errors.push((
                        event["reply_to"].as_str().unwrap_or_default().to_owned(),
                        event["code"].as_str().unwrap_or_default().to_owned(),
                    ));
                    got += 1;
                }
                _ => {}
            }
        }
    }
    errors.sort();
    assert_eq!(
        errors,
        [
            ("mia-x".to_owned(), "not_found".to_owned()),
            ("ola-4".to_owned(), "invalid".to_owned())
        ]
    );
    let seq_of = |id: &str| -> Vec<i64> {
        acks.iter()
            .filter(|(c, _)| c == id)
            .map(|(_, s)| *s)
            .collect()
    };
    assert_eq!(seq_of("ola-3").len(), 2, "{acks:?}");
    assert_eq!(
        seq_of("ola-3")[0],
        seq_of("ola-3")[1],
        "a retry is the same message"
    );
    let mut seqs: Vec<i64> = acks.iter().map(|(_, s)| *s).collect();
    seqs.sort_unstable();
    seqs.dedup();
    assert_eq!(
        seqs,
        (1..=30).collect::<Vec<i64>>(),
        "numbered once each, no gap"
    );
    for side in ["ola", "mia"] {
        let order: Vec<i64> = (0..15).map(|n| seq_of(&format!("{side}-{n}"))[0]).collect();
        assert!(order.windows(2).all(|w| w[0] < w[1]), "{side}: {order:?}");
    }
    let history = ola
        .call(
            "conversation_history",
            &[
                ("slug", "acme"),
                ("conversation", &conversation.to_string()),
            ],
        )
        .await;
    let stored = history.body["messages"].as_array().expect("messages");
    assert_eq!(stored.len(), 30);
    assert_eq!(stored.iter().filter(|m| m["author"] == ola_id).count(), 15);
    srv.stop().await;
}

/// A retry after a lost acknowledgement moves nothing: its conversation keeps its place in the
/// list (it is not newer than it was) and the next message takes the next number.
async fn a_retry_leaves_its_conversation_where_it_was(db: Db) {
    let Some(srv) = TestServer::start(db).await else {
        return;
    };
    let (ola, mia, mut ola_ws, _mia_ws, direct) = two_colleagues(&srv).await;
    let mia_id = mia.me().await["user_id"].as_i64().expect("id").to_string();
    let made = ola
        .call(
            "create_group",
            &[("slug", "acme"), ("name", "Hiring"), ("members", &mia_id)],
        )
        .await;
    assert_eq!(made.status, StatusCode::OK, "{:?}", made.body);
    let group = made.body["id"].as_i64().expect("id");
    let first = say(&mut ola_ws, direct, "d-1", "Hello").await;
    assert_eq!(first["message"]["seq"], 1, "{first}");
    let in_group = say(&mut ola_ws, group, "g-1", "Hello all").await;
    assert_eq!(in_group["type"], "ack", "{in_group}");
    let order = |list: Value| -> Vec<i64> {
        list.as_array()
            .map(|l| l.iter().filter_map(|c| c["id"].as_i64()).collect())
            .unwrap_or_default()
    };
    let before = order(ola.call("conversations", &[("slug", "acme")]).await.body);
    assert_eq!(before, [group, direct]);
    // Times are kept to the second: the retry comes in a later one.
    tokio::time::sleep(std::time::Duration::from_millis(1_100)).await;
    let retry = say(&mut ola_ws, direct, "d-1", "Hello").await;
    assert_eq!(retry["message"]["seq"], 1, "{retry}");
    assert_eq!(retry["message"]["at"], first["message"]["at"], "{retry}");
    let after = order(ola.call("conversations", &[("slug", "acme")]).await.body);
    assert_eq!(after, before, "the retry moved its conversation");
    let next = say(&mut ola_ws, direct, "d-2", "Still there?").await;
    assert_eq!(next["message"]["seq"], 2, "{next}");
    let last = order(ola.call("conversations", &[("slug", "acme")]).await.body);
    assert_eq!(last, [direct, group], "a new message moves it");
    srv.stop().await;
}

on_both_databases!(
    colleagues_see_who_is_here_across_tabs,
    a_retry_leaves_its_conversation_where_it_was,
    a_burst_is_stored_together_and_a_refused_message_spoils_none_of_it,
    a_candidate_talks_with_the_hiring_team_from_the_private_link,
    messages_are_ordered_stored_once_and_reach_every_member,
    a_bad_message_is_refused_with_what_to_fix,
    a_dropped_connection_resumes_with_nothing_lost_or_repeated,
    nobody_outside_a_conversation_sends_to_it_reads_it_or_sees_it,
    groups_are_named_and_made_of_the_organisations_members,
    authors_edit_and_delete_their_messages_and_everyone_sees_it,
    typing_reaches_the_others_and_stops_when_the_page_goes,
    members_find_messages_by_their_words,
    group_admins_add_and_remove_members_and_the_removed_are_out_at_once,
);
