//! Files in chat: uploaded over HTTP and checked by their content, sent by naming them in a
//! message, downloaded as attachments only by who sees the conversation (and, before it is
//! sent, only by who uploaded it), gone with a deleted message; the candidate sends and gets
//! them through the private link's token, which reaches their conversation's files only.

use crate::applications::private_token;
use crate::chat::{candidate_joins, two_colleagues};
use crate::common;
use crate::notifications::{applies, hiring_team};
use crate::realtime::{connect, send, sign_in};

use common::{careers::board, next_of, Answer, Browser, Db, TestServer, WebSocket};
use reqwest::{header, multipart, StatusCode};
use serde_json::{json, Value};

/// The header of a `width` × `height` PNG: enough for the server to read its type and size.
fn png(width: u32, height: u32) -> Vec<u8> {
    let mut bytes = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    bytes.extend_from_slice(&width.to_be_bytes());
    bytes.extend_from_slice(&height.to_be_bytes());
    bytes.extend_from_slice(&[8, 6, 0, 0, 0]);
    bytes
}

/// Uploads a file to `path` the way the page's script does.
async fn upload(c: &Browser, path: &str, name: &str, mime: &str, bytes: Vec<u8>) -> Answer {
    let part = multipart::Part::bytes(bytes)
        .file_name(name.to_owned())
        .mime_str(mime)
        .expect("mime");
    let res = c
        .http
        .post(format!("{}{path}", c.base))
        .header(header::ORIGIN, &c.base)
        .header(header::ACCEPT, "application/json")
        .multipart(multipart::Form::new().part("file", part))
        .send()
        .await
        .expect("request");
    common::into_answer(res).await
}

/// A message carrying `files` (and `body`), answered by its ack or error.
async fn say_with(
    ws: &mut WebSocket,
    conversation: i64,
    client_id: &str,
    body: &str,
    files: &[i64],
) -> Value {
    send(
        ws,
        json!({"type": "send", "conversation": conversation, "client_id": client_id,
               "body": body, "attachments": files}),
    )
    .await;
    loop {
        let event = common::next_event(ws).await;
        if event["type"] == "ack" || event["type"] == "error" {
            return event;
        }
    }
}

async fn rows(srv: &TestServer) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM chat_files")
        .fetch_one(&srv.state().db.pool)
        .await
        .expect("count")
}

async fn status_of(c: &Browser, path: &str) -> StatusCode {
    c.get(path).await.status()
}

async fn members_send_files_that_only_the_conversation_sees(db: Db) {
    let Some(srv) = TestServer::start(db).await else {
        return;
    };
    let (ola, mia, mut ola_ws, mut mia_ws, conversation) = two_colleagues(&srv).await;
    let eve = ola
        .invite_and_join(&srv, "acme", "eve@example.com", "employee", "Eve")
        .await;
    let to_conversation = format!("/o/acme/chat/{conversation}/files");

    // Refused by content, each with what to fix, and nothing kept.
    let unsupported = StatusCode::UNSUPPORTED_MEDIA_TYPE;
    let refusals = [
        (
            "setup.exe",
            "application/octet-stream",
            b"MZ\x90\0".to_vec(),
            "cannot be attached",
            unsupported,
        ),
        (
            "cv.pdf",
            "application/pdf",
            b"<html><script>".to_vec(),
            "not the PDF",
            unsupported,
        ),
        (
            "cat.png",
            "image/png",
            b"%PDF-1.7".to_vec(),
            "not the PNG image",
            unsupported,
        ),
        (
            "empty.txt",
            "text/plain",
            Vec::new(),
            "empty",
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
    ];
    for (name, mime, bytes, says, status) in refusals {
        let refused = upload(&ola, &to_conversation, name, mime, bytes).await;
        assert_eq!(refused.status, status, "{name}: {:?}", refused.body);
        let message = refused.field_error("file").unwrap_or_default();
        assert!(message.contains(says), "{name}: {message}");
    }
    let too_large = upload(
        &ola,
        &to_conversation,
        "big.txt",
        "text/plain",
        vec![b'a'; shared::chat::MAX_ATTACHMENT_BYTES + 1],
    )
    .await;
    assert_eq!(too_large.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(
        too_large
            .field_error("file")
            .is_some_and(|m| m.contains("larger than 10 MB")),
        "{:?}",
        too_large.body
    );
    assert_eq!(rows(&srv).await, 0);
    // Someone outside the conversation cannot upload to it.
    let outside = upload(
        &eve,
        &to_conversation,
        "a.txt",
        "text/plain",
        b"hi".to_vec(),
    )
    .await;
    assert_eq!(outside.status, StatusCode::NOT_FOUND, "{:?}", outside.body);

    let picture = png(640, 480);
    let up = upload(
        &ola,
        &to_conversation,
        "shot.png",
        "image/png",
        picture.clone(),
    )
    .await;
    assert_eq!(up.status, StatusCode::OK, "{:?}", up.body);
    assert_eq!(
        (
            up.body["name"].clone(),
            up.body["kind"].clone(),
            up.body["width"].clone()
        ),
        (json!("shot.png"), json!("png"), json!(640)),
    );
    let picture_id = up.body["id"].as_i64().expect("id");
    let notes = upload(
        &ola,
        &to_conversation,
        "../../etc/notes.md",
        "text/markdown",
        "# Notes\nAll good.".into(),
    )
    .await;
    assert_eq!(notes.status, StatusCode::OK, "{:?}", notes.body);
    // Only the last part of a name is kept (it is shown, never a path).
    assert_eq!(notes.body["name"], "notes.md");
    // Text named like a program keeps its name, made to end as what it is.
    let script = upload(
        &ola,
        &to_conversation,
        "invoice.pdf.hta",
        "text/plain",
        b"<script>x</script>".to_vec(),
    )
    .await;
    assert_eq!(
        script.body["name"], "invoice.pdf.hta.txt",
        "{:?}",
        script.body
    );
    let notes_id = notes.body["id"].as_i64().expect("id");
    let file_path = |id: i64| format!("/o/acme/chat/files/{id}");
    // Not sent yet: its uploader's only.
    assert_eq!(
        status_of(&ola, &file_path(picture_id)).await,
        StatusCode::OK
    );
    assert_eq!(
        status_of(&mia, &file_path(picture_id)).await,
        StatusCode::NOT_FOUND
    );
    // Mia cannot send what Ola uploaded.
    let taken = say_with(&mut mia_ws, conversation, "m-1", "mine", &[picture_id]).await;
    assert_eq!(taken["type"], "error", "{taken}");
    assert!(
        taken["message"]
            .as_str()
            .is_some_and(|m| m.contains("not uploaded to this conversation by you")),
        "{taken}"
    );

    // Sent with no text: both files, in the order named, reach Mia live.
    let sent = say_with(
        &mut ola_ws,
        conversation,
        "o-1",
        "",
        &[notes_id, picture_id],
    )
    .await;
    assert_eq!(sent["type"], "ack", "{sent}");
    let names: Vec<Value> = sent["message"]["attachments"]
        .as_array()
        .expect("attachments")
        .iter()
        .map(|a| a["name"].clone())
        .collect();
    assert_eq!(names, [json!("notes.md"), json!("shot.png")]);
    let heard = next_of(&mut mia_ws, "message").await;
    assert_eq!(
        heard["attachments"], sent["message"]["attachments"],
        "{heard}"
    );
    // Sent once: a second message cannot carry them again.
    let again = say_with(&mut ola_ws, conversation, "o-2", "again", &[picture_id]).await;
    assert_eq!(again["type"], "error", "{again}");

    // Mia downloads it: the bytes as sent, as an attachment that is never sniffed.
    let got = mia.get(&file_path(picture_id)).await;
    assert_eq!(got.status(), StatusCode::OK);
    let headers = got.headers().clone();
    assert_eq!(headers[header::CONTENT_TYPE], "image/png");
    assert!(headers[header::CONTENT_DISPOSITION]
        .to_str()
        .is_ok_and(|d| d.starts_with("attachment;") && d.contains("shot.png")));
    assert_eq!(headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
    assert_eq!(got.bytes().await.expect("body").to_vec(), picture);
    // The history carries them too.
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
    assert_eq!(
        history.body["messages"][0]["attachments"][1]["id"],
        picture_id
    );

    // Nobody else: a member outside it, a stranger, another organisation's address.
    assert_eq!(
        status_of(&eve, &file_path(picture_id)).await,
        StatusCode::NOT_FOUND
    );
    let stranger = srv.client();
    assert_ne!(
        status_of(&stranger, &file_path(picture_id)).await,
        StatusCode::OK
    );
    ola.create_org("Beta", "beta").await;
    assert_eq!(
        status_of(&ola, &format!("/o/beta/chat/files/{picture_id}")).await,
        StatusCode::NOT_FOUND
    );

    // Deleting the message deletes its files.
    send(
        &mut ola_ws,
        json!({"type": "delete", "conversation": conversation, "seq": sent["message"]["seq"]}),
    )
    .await;
    let deleted = next_of(&mut mia_ws, "message").await;
    assert_eq!(deleted["deleted"], true, "{deleted}");
    assert!(deleted.get("attachments").is_none(), "{deleted}");
    assert_eq!(
        status_of(&mia, &file_path(picture_id)).await,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        status_of(&ola, &file_path(notes_id)).await,
        StatusCode::NOT_FOUND
    );
    // Only the upload never sent is left (its uploader's, until the sweep).
    assert_eq!(rows(&srv).await, 1);
    srv.stop().await;
}

async fn a_candidate_and_the_team_send_each_other_files(db: Db) {
    let Some(srv) = TestServer::start(db).await else {
        return;
    };
    let (owner, rita, hal, ivy) = hiring_team(&srv).await;
    applies(&srv, "ada@example.com").await;
    let token = private_token(&srv, "ada@example.com").await;
    let cards = board(&rita).await.body["cards"].clone();
    assert!(cards[0]["application_id"].is_i64(), "{cards}");
    let visitor = srv.client();
    let mut rita_ws = connect(&srv, &sign_in(&srv, "rita@example.com").await.1).await;
    let (mut ada, conversation) = candidate_joins(&srv, &token).await;

    // The candidate uploads through the link and sends over the socket.
    let pdf = b"%PDF-1.4\n% certificate\n".to_vec();
    let up = upload(
        &visitor,
        &format!("/a/{token}/files"),
        "certificate.pdf",
        "application/pdf",
        pdf.clone(),
    )
    .await;
    assert_eq!(up.status, StatusCode::OK, "{:?}", up.body);
    let certificate = up.body["id"].as_i64().expect("id");
    let wrong = upload(
        &visitor,
        "/a/not-a-real-token-at-all-000000000000/files",
        "c.pdf",
        "application/pdf",
        pdf.clone(),
    )
    .await;
    assert_eq!(wrong.status, StatusCode::NOT_FOUND, "{:?}", wrong.body);
    send(
        &mut ada,
        json!({"type": "send", "conversation": conversation, "client_id": "ada-1",
               "body": "My certificate.", "attachments": [certificate]}),
    )
    .await;
    let ack = next_of(&mut ada, "ack").await;
    assert_eq!(
        ack["message"]["attachments"][0]["name"], "certificate.pdf",
        "{ack}"
    );
    let heard = next_of(&mut rita_ws, "message").await;
    assert_eq!(heard["attachments"][0]["id"], certificate, "{heard}");
    let got = rita.get(&format!("/o/acme/chat/files/{certificate}")).await;
    assert_eq!(got.status(), StatusCode::OK);
    assert_eq!(got.bytes().await.expect("body").to_vec(), pdf);
    // The hiring manager on the team too; a recruiter not in the conversation, no.
    assert_eq!(
        status_of(&hal, &format!("/o/acme/chat/files/{certificate}")).await,
        StatusCode::OK
    );
    assert_eq!(
        status_of(&ivy, &format!("/o/acme/chat/files/{certificate}")).await,
        StatusCode::NOT_FOUND
    );

    // The team answers with a file; the candidate downloads it through the link.
    let up = upload(
        &rita,
        &format!("/o/acme/chat/{conversation}/files"),
        "schedule.txt",
        "text/plain",
        b"Tuesday 10:00".to_vec(),
    )
    .await;
    assert_eq!(up.status, StatusCode::OK, "{:?}", up.body);
    let schedule = up.body["id"].as_i64().expect("id");
    // Not sent yet: not the candidate's to read.
    let candidate_path = |id: i64| format!("/a/{token}/files/{id}");
    assert_eq!(
        status_of(&visitor, &candidate_path(schedule)).await,
        StatusCode::NOT_FOUND
    );
    let sent = say_with(
        &mut rita_ws,
        conversation,
        "r-1",
        "The schedule.",
        &[schedule],
    )
    .await;
    assert_eq!(sent["type"], "ack", "{sent}");
    let got = visitor.get(&candidate_path(schedule)).await;
    assert_eq!(got.status(), StatusCode::OK);
    assert_eq!(got.text().await.expect("body"), "Tuesday 10:00");
    assert_eq!(
        status_of(&visitor, &candidate_path(certificate)).await,
        StatusCode::OK
    );

    // The token reaches its conversation's files only: a file of the team's own chat is not.
    let rita_id = rita.me().await["user_id"].as_i64().expect("id");
    let started = owner
        .call(
            "start_direct",
            &[("slug", "acme"), ("user_id", &rita_id.to_string())],
        )
        .await;
    let direct = started.body["id"].as_i64().expect("id");
    let private = upload(
        &rita,
        &format!("/o/acme/chat/{direct}/files"),
        "pay.txt",
        "text/plain",
        b"salary".to_vec(),
    )
    .await;
    let private = private.body["id"].as_i64().expect("id");
    let sent = say_with(&mut rita_ws, direct, "r-2", "", &[private]).await;
    assert_eq!(sent["type"], "ack", "{sent}");
    assert_eq!(
        status_of(&visitor, &candidate_path(private)).await,
        StatusCode::NOT_FOUND
    );
    // Nor can the candidate name it in a message.
    let up = upload(
        &visitor,
        &format!("/a/{token}/files"),
        "b.txt",
        "text/plain",
        b"b".to_vec(),
    )
    .await;
    let mine = up.body["id"].as_i64().expect("id");
    let refused = visitor
        .call(
            "message_the_team",
            &[
                ("token", &token),
                ("client_id", "ada-2"),
                ("body", "x"),
                ("attachments", &format!("{mine},{private}")),
            ],
        )
        .await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{:?}",
        refused.body
    );
    // Through the plain form, with its own file, it goes.
    let posted = visitor
        .call(
            "message_the_team",
            &[
                ("token", &token),
                ("client_id", "ada-3"),
                ("body", ""),
                ("attachments", &mine.to_string()),
            ],
        )
        .await;
    assert_eq!(posted.status, StatusCode::OK, "{:?}", posted.body);
    assert_eq!(posted.body["attachments"][0]["name"], "b.txt");
    srv.stop().await;
}

on_both_databases!(
    members_send_files_that_only_the_conversation_sees,
    a_candidate_and_the_team_send_each_other_files,
);
