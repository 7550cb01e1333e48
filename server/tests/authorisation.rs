//! One sweep over every server function: a member of another organisation gets 404 from each,
//! and nothing changes. The list comes from the server itself, so a new server function is in
//! the sweep the day it is written; the few that work outside any organisation are named here
//! and each must be accounted for.
//!
//! (That a use case cannot even be *written* without resolving the caller's membership is a
//! compile-time matter: see the `compile_fail` example in `app/src/seam.rs`.)

use crate::common;

use common::{Db, TestServer};
use reqwest::StatusCode;

/// Server functions that are not inside an organisation, and why.
const OUTSIDE_ANY_ORGANISATION: [(&str, &str); 28] = [
    ("/api/me", "who is signed in"),
    ("/api/account", "the caller's own account settings"),
    ("/api/update_name", "the caller's own name"),
    (
        "/api/change_email",
        "the caller's own address, with their password",
    ),
    (
        "/api/change_password",
        "the caller's own password, with the current one",
    ),
    (
        "/api/resend_verification",
        "a link to the caller's own address",
    ),
    (
        "/api/forgot_password",
        "a reset link, sent only to the address itself",
    ),
    (
        "/api/account_link",
        "what a link from an e-mail is for, to whoever holds its secret",
    ),
    (
        "/api/reset_password",
        "a new password, for whoever holds the secret link",
    ),
    (
        "/api/confirm_email",
        "confirms an address, for whoever holds the secret link",
    ),
    (
        "/api/password_strength",
        "rates a password typed by the caller",
    ),
    ("/api/sign_up", "creates an account"),
    (
        "/api/list_notices",
        "the caller's own notifications, of organisations they are still in",
    ),
    (
        "/api/mark_notices_read",
        "marks the caller's own notifications read",
    ),
    (
        "/api/get_notification_settings",
        "the caller's own notification settings",
    ),
    (
        "/api/save_notification_settings",
        "the caller's own notification settings",
    ),
    ("/api/sign_in", "signs in"),
    ("/api/sign_out", "signs out"),
    (
        "/api/create_organisation",
        "creates a new organisation of the caller's",
    ),
    (
        "/api/invitation",
        "shows an invitation to whoever holds its secret link",
    ),
    (
        "/api/accept_invitation",
        "accepts an invitation, as its address only",
    ),
    (
        "/api/careers",
        "an organisation's published jobs, public by design",
    ),
    ("/api/careers_job", "one published job, public by design"),
    (
        "/api/my_application",
        "a candidate's own application, for whoever holds its secret link",
    ),
    (
        "/api/withdraw_application",
        "withdraws a candidate's own application, for whoever holds its secret link",
    ),
    (
        "/api/request_data_deletion",
        "a candidate's request to delete their data, for whoever holds its secret link",
    ),
    (
        "/api/candidate_messages",
        "a candidate's conversation with the hiring team, for whoever holds its secret link",
    ),
    (
        "/api/message_the_team",
        "a candidate writes to the hiring team, for whoever holds its secret link",
    ),
];

/// Calls a server function with `form`; when it says a field is missing (a field added since
/// this test was written), adds it (empty) and calls again, so the sweep needs no upkeep.
async fn call_with_every_field(
    client: &common::Browser,
    endpoint: &str,
    mut form: Vec<(String, String)>,
) -> common::Answer {
    loop {
        let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let answer = client.call(endpoint, &pairs).await;
        let missing = answer.body["Transport"]
            .as_str()
            .and_then(|m| m.split("missing field `").nth(1))
            .and_then(|m| m.split('`').next())
            .map(str::to_owned);
        match missing {
            Some(field) if answer.status == StatusCode::BAD_REQUEST && form.len() < 40 => {
                form.push((field, String::new()))
            }
            _ => return answer,
        }
    }
}

async fn every_server_function_answers_not_found_across_organisations(db: Db) {
    let Some(srv) = TestServer::start(db).await else {
        return;
    };
    // Y: an owner, a member, an open invitation, some mail.
    let y_owner = srv.client();
    y_owner.sign_up("Yan Owner", "yan@example.com").await;
    y_owner.create_org("Org Y", "org-y").await;
    let y_member = y_owner
        .invite_and_join(&srv, "org-y", "ym@example.com", "viewer", "Yve Member")
        .await;
    let y_invite = y_owner
        .call(
            "invite",
            &[
                ("slug", "org-y"),
                ("email", "pending@example.com"),
                ("role", "viewer"),
            ],
        )
        .await;
    let y_member_id = y_member.me().await["user_id"]
        .as_i64()
        .expect("id")
        .to_string();
    let y_invite_id = y_invite.body["id"].as_i64().expect("id").to_string();
    let y_job = y_owner
        .call(
            "save_job",
            &[
                ("slug", "org-y"),
                ("job", ""),
                ("title", "Nurse"),
                ("department", ""),
                ("location", "Leeds"),
                ("remote", "onsite"),
                ("employment", "full_time"),
                ("salary_min", ""),
                ("salary_max", ""),
                ("salary_currency", "GBP"),
                ("description", "Triage."),
            ],
        )
        .await;
    let y_job = y_job.body["slug"].as_str().expect("a job").to_owned();
    let jobs_of_y = || async {
        let page = [
            ("slug", "org-y"),
            ("query", ""),
            ("status", ""),
            ("department", ""),
            ("location", ""),
            ("sort", ""),
            ("page", "1"),
        ];
        y_owner.call("jobs", &page).await.body
    };
    let y_before = (
        y_owner.call("team", &[("slug", "org-y")]).await.body,
        y_owner.call("outbox", &[("slug", "org-y")]).await.body,
        jobs_of_y().await,
    );

    // X: an owner of another organisation, asking about Y with every argument any server
    // function takes (unknown fields are ignored).
    let x_owner = srv.client();
    x_owner.sign_up("Xia Owner", "xia@example.com").await;
    x_owner.create_org("Org X", "org-x").await;
    let form: Vec<(String, String)> = [
        ("slug", "org-y"),
        ("user_id", y_member_id.as_str()),
        ("invitation_id", y_invite_id.as_str()),
        ("role", "owner"),
        ("email", "x2@example.com"),
        ("name", "Renamed"),
        ("cv_text", "Rust engineer"),
        ("job_text", "Rust engineer wanted"),
        ("job", y_job.as_str()),
        ("id", "1"),
        ("keep", "1"),
        ("merge", "2"),
        ("candidate", "1"),
        ("stages", "[]"),
        ("application", "1"),
        ("conversation", "1"),
        ("members", ""),
        ("stage", "1"),
        ("to", "closed"),
        ("team", "[]"),
        ("skills", "[]"),
        ("title", "Taken over"),
        ("remote", "remote"),
        ("employment", "full_time"),
        ("page", "1"),
    ]
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .into();

    let paths = talentloom_server::server_function_paths();
    let outside: Vec<&str> = OUTSIDE_ANY_ORGANISATION.iter().map(|(p, _)| *p).collect();
    for path in &outside {
        assert!(
            paths.iter().any(|p| p == path),
            "{path} is listed but no longer exists"
        );
    }
    let inside: Vec<&String> = paths
        .iter()
        .filter(|p| !outside.contains(&p.as_str()))
        .collect();
    assert!(
        inside.len() >= 10,
        "the sweep found too few server functions: {paths:?}"
    );
    for path in inside {
        let endpoint = path.trim_start_matches("/api/");
        let answer = call_with_every_field(&x_owner, endpoint, form.clone()).await;
        assert_eq!(
            answer.status,
            StatusCode::NOT_FOUND,
            "{path} answered {} to a member of another organisation: {:?}",
            answer.status,
            answer.body
        );
    }
    // The plain routes inside an organisation: the document upload…
    let upload = x_owner
        .http
        .post(format!("{}/o/org-y/documents/text", x_owner.base))
        .header("origin", &x_owner.base)
        .header("content-type", "text/plain")
        .body("Rust engineer")
        .send()
        .await
        .expect("an answer");
    assert_eq!(upload.status(), StatusCode::NOT_FOUND);
    // A file sent to one of its conversations…
    let chat_upload = x_owner
        .http
        .post(format!("{}/o/org-y/chat/1/files", x_owner.base))
        .header("origin", &x_owner.base)
        .multipart(reqwest::multipart::Form::new().part(
            "file",
            reqwest::multipart::Part::bytes(b"hello".to_vec()).file_name("a.txt"),
        ))
        .send()
        .await
        .expect("an answer");
    assert_eq!(chat_upload.status(), StatusCode::NOT_FOUND);
    // And the file downloads (a CV, a chat file).
    for path in ["/o/org-y/files/1", "/o/org-y/chat/files/1"] {
        let file = x_owner.get(path).await;
        assert_eq!(file.status(), StatusCode::NOT_FOUND, "{path}");
    }

    let y_after = (
        y_owner.call("team", &[("slug", "org-y")]).await.body,
        y_owner.call("outbox", &[("slug", "org-y")]).await.body,
        jobs_of_y().await,
    );
    assert_eq!(y_before, y_after, "nothing in Y changed");
    srv.stop().await;
}

on_both_databases!(every_server_function_answers_not_found_across_organisations);
