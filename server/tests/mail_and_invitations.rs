//! Invitations for people who already have an account, and delivery of the outbox over SMTP.

use crate::common;

use common::{invitation_token, Db, TestServer};
use reqwest::StatusCode;
use std::time::Duration;
use tokio::{
    io::{AsyncBufReadExt, AsyncWriteExt, BufReader},
    net::TcpListener,
    sync::mpsc,
};

on_both_databases!(
    existing_account_accepts_and_others_cannot,
    outbox_is_delivered_over_smtp
);

async fn existing_account_accepts_and_others_cannot(db: Db) {
    let Some(srv) = TestServer::start(db).await else {
        return;
    };
    let owner = srv.client();
    owner.sign_up("Owner", "owner@example.com").await;
    owner.create_org("Acme", "acme").await;
    let existing = srv.client();
    existing.sign_up("Kim", "kim@example.com").await;
    let stranger = srv.client();
    stranger.sign_up("Lee", "lee@example.com").await;

    let invite = owner
        .call(
            "invite",
            &[
                ("slug", "acme"),
                ("email", "kim@example.com"),
                ("role", "hiring_manager"),
            ],
        )
        .await;
    assert_eq!(invite.status, StatusCode::OK, "{:?}", invite.body);
    let token = invitation_token(
        &owner.call("outbox", &[("slug", "acme")]).await.body,
        "kim@example.com",
    );

    let preview = existing.call("invitation", &[("token", &token)]).await;
    assert_eq!(preview.body["account_exists"], true);

    // Someone else, signed in, cannot use Kim's invitation.
    let wrong = stranger
        .call("accept_invitation", &[("token", &token)])
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        wrong.field_error("token").as_deref(),
        Some("This invitation is for kim@example.com. Sign in with that address to accept it.")
    );
    assert_eq!(
        stranger.me().await["memberships"].as_array().map(Vec::len),
        Some(0)
    );

    let accepted = existing
        .call("accept_invitation", &[("token", &token)])
        .await;
    assert_eq!(accepted.status, StatusCode::OK, "{:?}", accepted.body);
    let me = existing.me().await;
    assert_eq!(me["memberships"][0]["slug"], "acme");
    assert_eq!(me["memberships"][0]["role"], "hiring_manager");
    assert_eq!(me["active_org"], "acme");
    srv.stop().await;
}

/// A minimal SMTP server on loopback that hands over what it received, one transcript per
/// connection.
async fn smtp_sink() -> (u16, mpsc::Receiver<String>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let (tx, rx) = mpsc::channel(4);
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            let tx = tx.clone();
            tokio::spawn(session(socket, tx));
        }
    });
    (port, rx)
}

async fn session(socket: tokio::net::TcpStream, tx: mpsc::Sender<String>) {
    {
        let (read, mut write) = socket.into_split();
        let mut lines = BufReader::new(read).lines();
        let _ = write.write_all(b"220 sink ESMTP\r\n").await;
        let mut transcript = String::new();
        let mut in_data = false;
        while let Ok(Some(line)) = lines.next_line().await {
            transcript.push_str(&line);
            transcript.push('\n');
            let reply: &[u8] = if in_data {
                if line == "." {
                    in_data = false;
                    b"250 queued\r\n"
                } else {
                    continue;
                }
            } else {
                match line.get(..4).map(str::to_ascii_uppercase).as_deref() {
                    Some("EHLO") | Some("HELO") => b"250 sink\r\n",
                    Some("DATA") => {
                        in_data = true;
                        b"354 go on\r\n"
                    }
                    Some("QUIT") => {
                        let _ = write.write_all(b"221 bye\r\n").await;
                        break;
                    }
                    _ => b"250 ok\r\n",
                }
            };
            if write.write_all(reply).await.is_err() {
                break;
            }
        }
        let _ = tx.send(transcript).await;
    }
}

async fn outbox_is_delivered_over_smtp(db: Db) {
    let (port, mut received) = smtp_sink().await;
    let Some(srv) = TestServer::start_with(db, |c| {
        c.smtp_url = Some(format!("smtp://127.0.0.1:{port}"));
        c.mail_from = "Talentloom <hr@acme.example>".into();
    })
    .await
    else {
        return;
    };
    let owner = srv.client();
    owner.sign_up("Owner", "owner@example.com").await;
    owner.create_org("Acme", "acme").await;
    let invite = owner
        .call(
            "invite",
            &[
                ("slug", "acme"),
                ("email", "new@example.com"),
                ("role", "viewer"),
            ],
        )
        .await;
    assert_eq!(invite.status, StatusCode::OK);

    // Sign-up sent its confirmation link first; the invitation is the one to new@.
    let transcript = tokio::time::timeout(Duration::from_secs(20), async {
        loop {
            let transcript = received.recv().await.expect("transcript");
            if transcript.contains("RCPT TO:<new@example.com>") {
                break transcript;
            }
        }
    })
    .await
    .expect("mail within 20 s");
    assert!(
        transcript.contains("MAIL FROM:<hr@acme.example>"),
        "{transcript}"
    );
    assert!(
        transcript.contains("RCPT TO:<new@example.com>"),
        "{transcript}"
    );
    assert!(
        transcript.contains("Subject: Join Acme on Talentloom"),
        "{transcript}"
    );
    assert!(transcript.contains("/invite/"), "{transcript}");

    // The outbox records the delivery.
    let mut sent = false;
    for _ in 0..50 {
        let outbox = owner.call("outbox", &[("slug", "acme")]).await.body;
        assert_eq!(outbox["smtp_configured"], true);
        if outbox["messages"][0]["sent_at"].as_i64().is_some() {
            sent = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(sent, "the outbox marks the message sent");
    srv.stop().await;
}
