//! Release check 15: the logs never contain passwords, invitation tokens, session ids or CV
//! contents, whatever a request does, including the requests that fail. The server's log (at its
//! default level, and at debug for our own code) is captured while a whole story runs.

use crate::common;

use common::{invitation_token, session_cookie, Db, TestServer};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nothing_secret_reaches_the_log() {
    // Every test server's log at our code's debug level, from now on.
    let logs = common::logs::capture();
    for db in [Db::Sqlite, Db::Postgres] {
        let Some(srv) = TestServer::start(db).await else {
            continue;
        };
        let password = "ultramarine pelican 7391 zeppelin";
        let second_password = "copper teapot 1184 lighthouse";
        let cv_line = "Catalogued 4711 amber fossils for the Qzxv museum";
        let owner = srv.client();
        let up = owner
            .call(
                "sign_up",
                &[
                    ("name", "Lia"),
                    ("email", "lia@example.com"),
                    ("password", password),
                ],
            )
            .await;
        let session = session_cookie(&up.headers).expect("cookie");
        let session_id = session
            .split(';')
            .next()
            .and_then(|pair| pair.split('=').nth(1))
            .expect("id")
            .to_owned();
        owner.create_org("Acme", "acme").await;
        owner
            .call(
                "invite",
                &[
                    ("slug", "acme"),
                    ("email", "max@example.com"),
                    ("role", "viewer"),
                ],
            )
            .await;
        let token = invitation_token(
            &owner.call("outbox", &[("slug", "acme")]).await.body,
            "max@example.com",
        );
        // Failing on purpose: a wrong password, a too-weak one, a dead token.
        owner
            .call(
                "sign_in",
                &[("email", "lia@example.com"), ("password", second_password)],
            )
            .await;
        // Too weak, then accepted, then the dead link used again.
        for password in ["short", second_password, second_password] {
            srv.client()
                .call(
                    "accept_invitation",
                    &[("token", &token), ("name", "Max"), ("password", password)],
                )
                .await;
        }
        srv.client().get(&format!("/invite/{token}")).await;
        owner
            .call(
                "analyse_match",
                &[
                    ("slug", "acme"),
                    ("cv_text", cv_line),
                    ("job_text", "Museum curator"),
                ],
            )
            .await;
        owner
            .http
            .post(format!("{}/o/acme/documents/text", owner.base))
            .header("origin", &owner.base)
            .header("content-type", "text/plain")
            .body(cv_line)
            .send()
            .await
            .expect("uploaded");
        srv.stop().await;

        let text = logs.text();
        assert!(
            text.contains("invitation sent"),
            "the log was not captured: {text}"
        );
        for (what, secret) in [
            ("a password", password),
            ("a password", second_password),
            ("an invitation token", token.as_str()),
            ("a session id", session_id.as_str()),
            ("CV contents", cv_line),
        ] {
            assert!(
                !text.contains(secret),
                "{what} reached the log ({db:?}):\n{text}"
            );
        }
    }
}
