//! Applying without an account: a candidate sends a CV from a careers page and follows the
//! application by a private link; a bad file or field is refused on its field with nothing
//! stored; bots, other sites and floods are turned away.

use crate::common;

use common::{
    careers::{apply, fields, fixture, form, pdf_cv, published_job, Cv, JOB},
    Browser, Db, TestServer,
};
use reqwest::{header, StatusCode};
use serde_json::Value;

async fn count(srv: &TestServer, table: &str) -> i64 {
    sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}"))
        .fetch_one(&srv.state().db.pool)
        .await
        .expect("count")
}

/// Rows of everything an application writes, and the files kept.
async fn stored(srv: &TestServer) -> [i64; 6] {
    let files = walk(&srv.state().config.data_dir.join("files"));
    [
        count(srv, "candidates").await,
        count(srv, "applications").await,
        count(srv, "stored_files").await,
        count(srv, "application_events").await,
        count(srv, "outbox").await,
        files,
    ]
}

fn walk(dir: &std::path::Path) -> i64 {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .filter_map(Result::ok)
        .map(|e| {
            if e.path().is_dir() {
                walk(&e.path())
            } else {
                1
            }
        })
        .sum()
}

/// The private link's token in the newest mail to `email`.
pub(crate) async fn private_token(srv: &TestServer, email: &str) -> String {
    let mails = srv.state().mail.sent_to(email).await.expect("mail");
    let body = &mails.first().expect("a mail").body;
    let start = body.find("/a/").expect("a private link") + 3;
    body[start..start + 43].to_owned()
}

async fn status(c: &Browser, token: &str) -> common::Answer {
    c.call("my_application", &[("token", token)]).await
}

async fn a_candidate_applies_and_follows_it_by_private_link(db: Db) {
    let Some(srv) = TestServer::start(db).await else {
        return;
    };
    let owner = published_job(&srv).await;
    let candidate = srv.client();
    let outbox_before = count(&srv, "outbox").await;

    let sent = apply(
        &candidate,
        JOB,
        form(&fields("Ada@Example.com"), Some(pdf_cv())),
    )
    .await;
    assert_eq!(sent.status, StatusCode::OK, "{:?}", sent.body);
    assert_eq!(sent.body["email"], "ada@example.com");
    assert_eq!(stored(&srv).await, [1, 1, 1, 1, outbox_before + 1, 1]);

    // The candidate, their CV's text (read from the PDF), the file as sent.
    let (name, email, phone_key, links, text, source): (
        String,
        String,
        String,
        String,
        String,
        String,
    ) = sqlx::query_as("SELECT name, email, phone_key, links, cv_text, source FROM candidates")
        .fetch_one(&srv.state().db.pool)
        .await
        .expect("candidate");
    assert_eq!(
        (name.as_str(), email.as_str()),
        ("Ada Lovelace", "ada@example.com")
    );
    assert_eq!(phone_key, "+442079460018");
    assert_eq!(links, "https://github.com/ada");
    assert!(text.contains("payment API in Rust"), "{text}");
    assert_eq!(source, "careers");
    let (key, file_name, format, size): (String, String, String, i64) =
        sqlx::query_as("SELECT object_key, file_name, format, size_bytes FROM stored_files")
            .fetch_one(&srv.state().db.pool)
            .await
            .expect("file");
    assert!(
        key.starts_with("org/") && !key.contains("ada"),
        "a key of ours: {key}"
    );
    assert_eq!((file_name.as_str(), format.as_str()), ("ada-cv.pdf", "pdf"));
    let on_disk =
        std::fs::read(srv.state().config.data_dir.join("files").join(&key)).expect("kept");
    assert_eq!(on_disk, fixture("cv.pdf"));
    assert_eq!(size as usize, on_disk.len());
    let consent: String = sqlx::query_scalar("SELECT consent_text FROM applications")
        .fetch_one(&srv.state().db.pool)
        .await
        .expect("consent");
    assert!(
        consent.contains("Acme") && consent.contains("12 months"),
        "{consent}"
    );

    // The e-mail carries the private link; the organisation's outbox never shows it.
    let token = private_token(&srv, "ada@example.com").await;
    let outbox = owner.call("outbox", &[("slug", "acme")]).await;
    let listed = outbox.body.to_string();
    assert!(
        listed.contains("Your application for Rust Engineer"),
        "{listed}"
    );
    assert!(
        !listed.contains(&token),
        "the private link is hidden from members"
    );

    let shown = status(&candidate, &token).await;
    assert_eq!(shown.status, StatusCode::OK, "{:?}", shown.body);
    assert_eq!(shown.body["job_title"], "Rust Engineer");
    assert_eq!(shown.body["org_name"], "Acme");
    assert_eq!(shown.body["job_slug"], JOB);
    assert_eq!(shown.body["view"]["state"], "received");

    // Moved on by the team: the candidate reads the stage's name.
    sqlx::query(
        "UPDATE applications SET stage_id = (SELECT id FROM job_stages WHERE position = 1)",
    )
    .execute(&srv.state().db.pool)
    .await
    .expect("move");
    let moved = status(&candidate, &token).await;
    assert_eq!(
        moved.body["view"],
        serde_json::json!({"state": "in_progress", "stage": "Screen"})
    );

    // Applying again to the same job sends a new link instead of a second application.
    let again = apply(
        &candidate,
        JOB,
        form(&fields("ada@example.com"), Some(pdf_cv())),
    )
    .await;
    assert_eq!(again.status, StatusCode::OK, "{:?}", again.body);
    assert_eq!(stored(&srv).await, [1, 1, 1, 2, outbox_before + 2, 1]);
    let renewed = private_token(&srv, "ada@example.com").await;
    assert_ne!(renewed, token);
    assert_eq!(
        status(&candidate, &token).await.status,
        StatusCode::NOT_FOUND,
        "the old link is dead"
    );
    // A third time the same day: answered alike, but no new link and no new mail.
    let third = apply(
        &candidate,
        JOB,
        form(&fields("ada@example.com"), Some(pdf_cv())),
    )
    .await;
    assert_eq!(third.status, StatusCode::OK, "{:?}", third.body);
    assert_eq!(stored(&srv).await, [1, 1, 1, 2, outbox_before + 2, 1]);
    assert_eq!(status(&candidate, &renewed).await.status, StatusCode::OK);

    // Withdrawing, twice (a second click) is fine.
    for _ in 0..2 {
        let withdrawn = candidate
            .call("withdraw_application", &[("token", &renewed)])
            .await;
        assert_eq!(withdrawn.status, StatusCode::OK, "{:?}", withdrawn.body);
        assert_eq!(withdrawn.body["view"]["state"], "withdrawn");
    }
    // Asking for deletion tells the owner.
    let asked = candidate
        .call("request_data_deletion", &[("token", &renewed)])
        .await;
    assert_eq!(asked.status, StatusCode::OK, "{:?}", asked.body);
    assert!(asked.body["deletion_requested_at"].is_i64());
    let to_owner = srv
        .state()
        .mail
        .sent_to("owner@example.com")
        .await
        .expect("mail");
    assert!(
        to_owner[0]
            .subject
            .contains("Ada Lovelace asked for their data to be deleted"),
        "{:?}",
        to_owner[0].subject
    );
    let kinds: Vec<String> = sqlx::query_scalar("SELECT kind FROM application_events ORDER BY id")
        .fetch_all(&srv.state().db.pool)
        .await
        .expect("events");
    assert_eq!(
        kinds,
        ["applied", "link_resent", "withdrawn", "deletion_requested"]
    );

    // Wrong, malformed and expired links: all "not found".
    for wrong in ["A".repeat(43), "short".to_owned(), format!("{renewed}x")] {
        assert_eq!(
            status(&candidate, &wrong).await.status,
            StatusCode::NOT_FOUND,
            "{wrong}"
        );
    }
    sqlx::query("UPDATE applications SET token_expires_at = 1")
        .execute(&srv.state().db.pool)
        .await
        .expect("expire");
    assert_eq!(
        status(&candidate, &renewed).await.status,
        StatusCode::NOT_FOUND
    );
    let late = candidate
        .call("withdraw_application", &[("token", &renewed)])
        .await;
    assert_eq!(late.status, StatusCode::NOT_FOUND);
    srv.stop().await;
}

async fn a_bad_application_says_what_to_fix_and_stores_nothing(db: Db) {
    let Some(srv) = TestServer::start(db).await else {
        return;
    };
    published_job(&srv).await;
    let c = srv.client();
    let before = stored(&srv).await;

    let empty = [
        ("name", ""),
        ("email", "ada"),
        ("consent", ""),
        ("website", ""),
    ];
    let refused = apply(&c, JOB, form(&empty, None)).await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{:?}",
        refused.body
    );
    for (field, message) in [
        ("name", "Enter your name."),
        ("email", "An e-mail address needs an @, as in name@example.com."),
        ("cv", "Choose your CV: a PDF, Word (DOCX), text or Markdown file."),
        ("consent", "Tick the box to agree to how your data is used; without it we cannot consider your application."),
    ] {
        assert_eq!(refused.field_error(field).as_deref(), Some(message), "{field}");
    }

    let scan = Cv {
        name: "scan.pdf",
        mime: "application/pdf",
        bytes: fixture("scan.pdf"),
    };
    let png_as_pdf = Cv {
        name: "photo.pdf",
        mime: "application/pdf",
        bytes: b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec(),
    };
    let exe = Cv {
        name: "cv.exe",
        mime: "application/x-msdownload",
        bytes: b"MZ\x90\0".to_vec(),
    };
    let huge = Cv {
        name: "huge.txt",
        mime: "text/plain",
        bytes: vec![b'a'; 10 * 1024 * 1024 + 1],
    };
    let empty_file = Cv {
        name: "empty.txt",
        mime: "text/plain",
        bytes: Vec::new(),
    };
    for (cv, status, expected) in [
        (
            scan,
            StatusCode::UNPROCESSABLE_ENTITY,
            "No text found in this file",
        ),
        (
            png_as_pdf,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "This file is not the PDF its name or type says",
        ),
        (
            exe,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "This type of file cannot be read.",
        ),
        (
            huge,
            StatusCode::PAYLOAD_TOO_LARGE,
            "This file is larger than 10 MB",
        ),
        (
            empty_file,
            StatusCode::UNPROCESSABLE_ENTITY,
            "This file is empty.",
        ),
    ] {
        let name = cv.name;
        let answer = apply(&c, JOB, form(&fields("ada@example.com"), Some(cv))).await;
        assert_eq!(answer.status, status, "{name}");
        let message = answer.field_error("cv").unwrap_or_default();
        assert!(message.starts_with(expected), "{name}: {:?}", answer.body);
    }
    // A job that is not published, an organisation that does not exist.
    for job in ["no-such-job"] {
        let answer = apply(&c, job, form(&fields("ada@example.com"), Some(pdf_cv()))).await;
        assert_eq!(answer.status, StatusCode::NOT_FOUND, "{job}");
    }
    assert_eq!(stored(&srv).await, before, "nothing was stored");

    // Without JavaScript: back to the form with the errors and what was typed, then to the
    // page with `?applied`.
    let plain = c
        .http
        .post(srv.url(&format!("/careers/acme/{JOB}/apply")))
        .header(header::ORIGIN, &srv.base)
        .header(header::ACCEPT, "text/html")
        .multipart(form(
            &[
                ("name", "Ada Byron"),
                ("email", "ada@example.com"),
                ("consent", "on"),
            ],
            None,
        ))
        .send()
        .await
        .expect("request");
    assert_eq!(plain.status(), StatusCode::SEE_OTHER);
    let location = plain.headers()[header::LOCATION]
        .to_str()
        .expect("location")
        .to_owned();
    assert!(
        location.starts_with(&format!("/careers/acme/{JOB}?__path=")),
        "{location}"
    );
    assert!(
        location.contains("__err=") && location.contains("__form=") && location.ends_with("#apply"),
        "{location}"
    );
    let page = c.get(&location).await.text().await.expect("page");
    assert!(page.contains("Choose your CV"), "the error is on the page");
    assert!(page.contains("value=\"Ada Byron\""), "the name is kept");
    assert!(
        !location.contains("ada%40example.com") && !page.contains("value=\"ada@example.com\""),
        "the address is not put in the page's address"
    );
    assert!(
        page.contains("Type your e-mail address again"),
        "and it says so"
    );
    assert_eq!(stored(&srv).await, before);

    let plain_ok = c
        .http
        .post(srv.url(&format!("/careers/acme/{JOB}/apply")))
        .header(header::ORIGIN, &srv.base)
        .header(header::ACCEPT, "text/html")
        .multipart(form(&fields("ada@example.com"), Some(pdf_cv())))
        .send()
        .await
        .expect("request");
    assert_eq!(plain_ok.status(), StatusCode::SEE_OTHER);
    let location = plain_ok.headers()[header::LOCATION]
        .to_str()
        .expect("location")
        .to_owned();
    assert_eq!(location, format!("/careers/acme/{JOB}?applied#apply"));
    let page = c.get(&location).await.text().await.expect("page");
    assert!(page.contains("Application sent"), "the page says so");
    assert_eq!(count(&srv, "applications").await, 1);
    srv.stop().await;
}

async fn bots_other_sites_and_floods_are_turned_away(db: Db) {
    let Some(srv) = TestServer::start_with(db, |c| c.applications_per_hour = 3).await else {
        return;
    };
    published_job(&srv).await;
    let c = srv.client();
    let before = stored(&srv).await;

    // A bot fills every field, the hidden one too: it is thanked and nothing is kept.
    let mut bot = fields("bot@example.com");
    bot.retain(|(name, _)| *name != "website");
    bot.push(("website", "https://spam.example"));
    let thanked = apply(&c, JOB, form(&bot, Some(pdf_cv()))).await;
    assert_eq!(thanked.status, StatusCode::OK, "{:?}", thanked.body);
    assert_eq!(stored(&srv).await, before);

    // Another site's form, and a client that names no origin at all.
    let other = c
        .http
        .post(srv.url(&format!("/careers/acme/{JOB}/apply")))
        .header(header::ORIGIN, "https://evil.example")
        .header(header::ACCEPT, "application/json")
        .multipart(form(&fields("ada@example.com"), Some(pdf_cv())))
        .send()
        .await
        .expect("request");
    assert_eq!(other.status(), StatusCode::FORBIDDEN);
    let bare = c
        .http
        .post(srv.url(&format!("/careers/acme/{JOB}/apply")))
        .header(header::ACCEPT, "application/json")
        .multipart(form(&fields("ada@example.com"), Some(pdf_cv())))
        .send()
        .await
        .expect("request");
    assert_eq!(bare.status(), StatusCode::FORBIDDEN);
    assert_eq!(stored(&srv).await, before);

    // Three an hour from one address (the bot's counted too): the next waits.
    let second = apply(&c, JOB, form(&fields("a2@example.com"), Some(pdf_cv()))).await;
    assert_eq!(second.status, StatusCode::OK, "{:?}", second.body);
    let third = apply(&c, JOB, form(&fields("a3@example.com"), Some(pdf_cv()))).await;
    assert_eq!(third.status, StatusCode::OK, "{:?}", third.body);
    let fourth = apply(&c, JOB, form(&fields("a4@example.com"), Some(pdf_cv()))).await;
    assert_eq!(
        fourth.status,
        StatusCode::TOO_MANY_REQUESTS,
        "{:?}",
        fourth.body
    );
    assert!(
        matches!(fourth.body.get("RateLimited"), Some(Value::Object(_))),
        "{:?}",
        fourth.body
    );
    assert_eq!(count(&srv, "applications").await, 2);
    srv.stop().await;
}

on_both_databases!(
    a_candidate_applies_and_follows_it_by_private_link,
    a_bad_application_says_what_to_fix_and_stores_nothing,
    bots_other_sites_and_floods_are_turned_away,
);
