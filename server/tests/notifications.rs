//! The notification centre: what the hiring team hears of (a new application, a move, a
//! rejection), messages while away, marking read, each person's settings, the e-mail digest
//! (a fake clock: `send_digests(now)`), live delivery, and that nobody sees another's.

use crate::chat::two_colleagues;
use crate::common;
use crate::realtime::{connect, send, sign_in};

use common::{
    careers::{apply, board, fields, form, move_to, pdf_cv, published_job, JOB},
    next_of, Browser, Db, TestServer,
};
use reqwest::StatusCode;
use serde_json::{json, Value};
use talentloom_server::db::now;

async fn notices(c: &Browser) -> Value {
    let list = c.call("list_notices", &[]).await;
    assert_eq!(list.status, StatusCode::OK, "{:?}", list.body);
    list.body
}

fn texts(list: &Value) -> Vec<String> {
    list["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|n| n["text"].as_str().unwrap_or_default().to_owned())
        .collect()
}

async fn digests_to(srv: &TestServer, email: &str) -> Vec<(String, String)> {
    srv.state()
        .mail
        .sent_to(email)
        .await
        .expect("mail")
        .into_iter()
        .filter(|m| m.subject.contains("unread notification"))
        .map(|m| (m.subject, m.body))
        .collect()
}

/// Ada Lovelace applies for acme's job from the careers page, with `email`.
pub(crate) async fn applies(srv: &TestServer, email: &str) {
    let sent = apply(&srv.client(), JOB, form(&fields(email), Some(pdf_cv()))).await;
    assert_eq!(sent.status, StatusCode::OK, "{:?}", sent.body);
}

/// The owner of "acme" with a published job whose hiring team is Rita (recruiter), Hal (hiring
/// manager) and Emma (an employee, named its hiring manager too, whose role may not see
/// applications); Ivy is a recruiter off the team.
pub(crate) async fn hiring_team(srv: &TestServer) -> (Browser, Browser, Browser, Browser) {
    let owner = published_job(srv).await;
    let rita = owner
        .invite_and_join(srv, "acme", "rita@example.com", "recruiter", "Rita")
        .await;
    let hal = owner
        .invite_and_join(srv, "acme", "hal@example.com", "hiring_manager", "Hal")
        .await;
    let ivy = owner
        .invite_and_join(srv, "acme", "ivy@example.com", "recruiter", "Ivy")
        .await;
    let emma = owner
        .invite_and_join(srv, "acme", "emma@example.com", "employee", "Emma")
        .await;
    owner
        .set_team(
            "acme",
            JOB,
            &[
                (&rita, "recruiter"),
                (&hal, "hiring_manager"),
                (&emma, "hiring_manager"),
            ],
        )
        .await;
    (owner, rita, hal, ivy)
}

async fn the_hiring_team_hears_of_applications_and_moves(db: Db) {
    let Some(srv) = TestServer::start(db).await else {
        return;
    };
    let (_owner, rita, hal, ivy) = hiring_team(&srv).await;
    let (_, rita_cookie) = sign_in(&srv, "rita@example.com").await;
    let mut rita_ws = connect(&srv, &rita_cookie).await;
    applies(&srv, "ada@example.com").await;

    // Live, with the count, on Rita's open page.
    let live = next_of(&mut rita_ws, "notice").await;
    assert_eq!(live["unread"], 1, "{live}");
    assert_eq!(live["notice"]["topic"], "new_application");
    assert_eq!(
        live["notice"]["text"],
        "Ada Lovelace applied for Rust Engineer"
    );
    let application = live["notice"]["link"]
        .as_str()
        .and_then(|l| l.rsplit('/').next())
        .and_then(|id| id.parse::<i64>().ok())
        .expect("a link to the application");
    for member in [&rita, &hal] {
        let list = notices(member).await;
        assert_eq!(texts(&list), ["Ada Lovelace applied for Rust Engineer"]);
        assert_eq!(list["unread"], 1);
        assert_eq!(list["items"][0]["org"], "acme");
        assert_eq!(list["items"][0]["read"], false);
    }
    assert!(texts(&notices(&ivy).await).is_empty(), "off the team");
    let (emma, _) = sign_in(&srv, "emma@example.com").await;
    assert!(
        texts(&notices(&emma).await).is_empty(),
        "on the team, but an employee: not told of applications"
    );
    assert_eq!(rita.me().await["unread_notices"], 1, "the bell's count");

    // Rita moves it: Hal hears of it, Rita (who did it) does not.
    let screen = board(&rita).await.body["stages"]
        .as_array()
        .and_then(|s| s.iter().find(|s| s["name"] == "Screen"))
        .and_then(|s| s["id"].as_i64())
        .expect("a Screen stage");
    let moved = move_to(&rita, application, screen).await;
    assert_eq!(moved.status, StatusCode::OK, "{:?}", moved.body);
    assert_eq!(
        texts(&notices(&hal).await)[0],
        "Rita moved Ada Lovelace (Rust Engineer) from Applied to Screen"
    );
    assert_eq!(
        notices(&rita).await["unread"],
        1,
        "not told of her own move"
    );

    // Marking one read, then all: the count follows, on her open page too.
    let first = notices(&hal).await["items"][1]["id"]
        .as_i64()
        .expect("an id");
    // Someone else cannot mark Hal's notifications.
    let other = rita
        .call("mark_notices_read", &[("id", &first.to_string())])
        .await;
    assert_eq!(
        other.body, 1,
        "Rita's own count, unchanged: {:?}",
        other.body
    );
    assert_eq!(notices(&hal).await["unread"], 2);
    let one = hal
        .call("mark_notices_read", &[("id", &first.to_string())])
        .await;
    assert_eq!(one.body, 1, "{:?}", one.body);
    let list = notices(&hal).await;
    assert_eq!(list["items"][1]["read"], true);
    assert_eq!(list["items"][0]["read"], false);
    let all = rita.call("mark_notices_read", &[]).await;
    assert_eq!(all.body, 0, "{:?}", all.body);
    let told = next_of(&mut rita_ws, "notices_read").await;
    assert_eq!(told["unread"], 0, "{told}");
    srv.stop().await;
}

async fn what_stays_unread_goes_out_in_one_digest(db: Db) {
    let Some(srv) = TestServer::start(db).await else {
        return;
    };
    let (_owner, rita, hal, _ivy) = hiring_team(&srv).await;
    // Rita hears of new applications by e-mail too, after 15 minutes; Hal keeps the default
    // (in the app only).
    let saved = rita
        .call(
            "save_notification_settings",
            &[
                ("mention", "email"),
                ("new_application", "email"),
                ("stage_change", "off"),
                ("message", "in_app"),
                ("digest_minutes", "15"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::OK, "{:?}", saved.body);
    let bad = rita
        .call(
            "save_notification_settings",
            &[
                ("mention", "loud"),
                ("new_application", "email"),
                ("stage_change", "off"),
                ("message", "in_app"),
                ("digest_minutes", "7"),
            ],
        )
        .await;
    assert!(bad.field_error("mention").is_some(), "{:?}", bad.body);
    let kept = rita.call("get_notification_settings", &[]).await;
    assert_eq!(kept.body["digest_minutes"], 15, "nothing half-saved");
    assert_eq!(kept.body["channels"][0], json!(["mention", "email"]));

    let started = now();
    for email in ["ada@example.com", "grace@example.com", "alan@example.com"] {
        applies(&srv, email).await;
    }
    // One is read in the app before the digest: it is not e-mailed.
    let read = notices(&rita).await["items"][0]["id"]
        .as_i64()
        .expect("an id");
    rita.call("mark_notices_read", &[("id", &read.to_string())])
        .await;
    let digests = &srv.state().notifications;
    assert_eq!(digests.send_digests(started + 10 * 60).await.ok(), Some(0));
    assert_eq!(digests.send_digests(started + 16 * 60).await.ok(), Some(1));
    let sent = digests_to(&srv, "rita@example.com").await;
    assert_eq!(sent.len(), 1, "one e-mail for everything: {sent:?}");
    let (subject, body) = &sent[0];
    assert_eq!(subject, "2 unread notifications on Talentloom");
    assert_eq!(
        body.matches("applied for Rust Engineer").count(),
        2,
        "{body}"
    );
    assert!(body.contains("/o/acme/applications/"), "{body}");
    assert!(body.contains("/notifications"), "{body}");
    // Each goes out once; Hal, in the app only, gets none.
    assert_eq!(digests.send_digests(started + 60 * 60).await.ok(), Some(0));
    assert!(digests_to(&srv, "hal@example.com").await.is_empty());
    assert_eq!(notices(&hal).await["unread"], 3);

    // Turned off: a kind is not recorded at all.
    let shown = board(&rita).await.body;
    let card = shown["cards"][0]["application_id"]
        .as_i64()
        .expect("a card");
    let screen = shown["stages"][1]["id"].as_i64().expect("a stage");
    let moved = move_to(&hal, card, screen).await;
    assert_eq!(moved.status, StatusCode::OK, "{:?}", moved.body);
    assert!(texts(&notices(&rita).await)
        .iter()
        .all(|t| !t.contains("moved")));
    srv.stop().await;
}

async fn messages_while_away_are_one_notification_until_read(db: Db) {
    let Some(srv) = TestServer::start(db).await else {
        return;
    };
    let (owner, mia, mut ola_ws, mia_ws, conversation) = two_colleagues(&srv).await;
    // Mia's page goes: she is offline once Ola's page is told so. (Her hello is taken first:
    // a socket dropped before the server read it would never have counted as online.)
    assert_eq!(next_of(&mut ola_ws, "presence").await["presence"], "online");
    drop(mia_ws);
    // (Ola's page may be told "online" twice, by the answer to its hello and by Mia's arrival,
    // when the two crossed.)
    let mut told = next_of(&mut ola_ws, "presence").await;
    while told["presence"] == "online" {
        told = next_of(&mut ola_ws, "presence").await;
    }
    assert_eq!(told["presence"], "offline", "{told}");
    let say = |client_id: &'static str, body: &'static str| json!({"type": "send", "conversation": conversation, "client_id": client_id, "body": body});
    // Mia has no page open: two messages are one notification that counts them.
    send(&mut ola_ws, say("m-1", "Lunch at **noon**?")).await;
    next_of(&mut ola_ws, "ack").await;
    // In plain words: the Markdown's marks are left out.
    assert_eq!(texts(&notices(&mia).await), ["Ola: Lunch at noon?"]);
    send(&mut ola_ws, say("m-2", "Or one?")).await;
    next_of(&mut ola_ws, "ack").await;
    let list = notices(&mia).await;
    assert_eq!(texts(&list), ["2 new messages from Ola"]);
    assert_eq!(list["unread"], 1);
    assert_eq!(
        list["items"][0]["link"],
        format!("/o/acme/chat/{conversation}")
    );
    assert!(notices(&owner).await["items"]
        .as_array()
        .is_some_and(Vec::is_empty));

    // She opens the conversation and reads it: the notification is read with it.
    let (_, mia_cookie) = sign_in(&srv, "mia@example.com").await;
    let mut mia_ws = connect(&srv, &mia_cookie).await;
    send(
        &mut mia_ws,
        json!({"type": "read", "conversation": conversation, "seq": 2}),
    )
    .await;
    let told = next_of(&mut mia_ws, "notices_read").await;
    assert_eq!(told["unread"], 0, "{told}");
    // While her page is open and in use, messages are not notifications.
    send(&mut ola_ws, say("m-3", "See you")).await;
    next_of(&mut ola_ws, "ack").await;
    next_of(&mut mia_ws, "message").await;
    assert_eq!(notices(&mia).await["unread"], 0);
    // Away (her page hidden): they are again, a new one.
    send(&mut mia_ws, json!({"type": "presence", "away": true})).await;
    // Frames of one socket are taken in order: once the pong is back, she is away.
    send(&mut mia_ws, json!({"type": "ping", "nonce": 1})).await;
    next_of(&mut mia_ws, "pong").await;
    send(&mut ola_ws, say("m-4", "Are you there?")).await;
    next_of(&mut ola_ws, "ack").await;
    let live = next_of(&mut mia_ws, "notice").await;
    assert_eq!(live["notice"]["text"], "Ola: Are you there?");
    assert_eq!(live["unread"], 1);
    srv.stop().await;
}

async fn nobody_sees_notifications_of_an_organisation_they_left_or_may_no_longer_see(db: Db) {
    let Some(srv) = TestServer::start(db).await else {
        return;
    };
    let (owner, rita, hal, _ivy) = hiring_team(&srv).await;
    applies(&srv, "ada@example.com").await;
    assert_eq!(notices(&rita).await["unread"], 1);
    // Hal, demoted to viewer, no longer sees what he was told of applications.
    assert_eq!(notices(&hal).await["unread"], 1);
    owner.change_role_of("acme", &hal, "viewer").await;
    assert!(texts(&notices(&hal).await).is_empty());
    let rita_id = rita.me().await["user_id"].as_i64().expect("id");
    let removed = owner
        .call(
            "remove_member",
            &[("slug", "acme"), ("user_id", &rita_id.to_string())],
        )
        .await;
    assert_eq!(removed.status, StatusCode::OK, "{:?}", removed.body);
    let list = notices(&rita).await;
    assert!(texts(&list).is_empty(), "{list}");
    assert_eq!(list["unread"], 0);
    assert_eq!(rita.me().await["unread_notices"], 0);
    // Nor do they get them by e-mail.
    assert_eq!(
        srv.state()
            .notifications
            .send_digests(now() + 24 * 3600)
            .await
            .ok(),
        Some(0)
    );
    srv.stop().await;
}

on_both_databases!(
    the_hiring_team_hears_of_applications_and_moves,
    what_stays_unread_goes_out_in_one_digest,
    messages_while_away_are_one_notification_until_read,
    nobody_sees_notifications_of_an_organisation_they_left_or_may_no_longer_see,
);
