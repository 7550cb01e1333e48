//! Candidates: the hiring team lists, searches and opens the people who applied and downloads
//! their CVs; a hiring manager sees those of their team's jobs; other roles and other
//! organisations see nothing (another organisation's ids are "not found").

mod common;

use common::{
    careers::{apply, fields, fixture, form, pdf_cv, published_job, JOB},
    Browser, Db, TestServer,
};
use reqwest::{header, StatusCode};
use serde_json::Value;

async fn list(c: &Browser, slug: &str, query: &str) -> common::Answer {
    c.call(
        "candidates",
        &[("slug", slug), ("query", query), ("page", "1")],
    )
    .await
}

fn names(page: &Value) -> Vec<String> {
    page["candidates"]
        .as_array()
        .expect("candidates")
        .iter()
        .map(|c| c["name"].as_str().expect("name").to_owned())
        .collect()
}

async fn download(c: &Browser, slug: &str, file_id: i64) -> reqwest::Response {
    c.get(&format!("/o/{slug}/files/{file_id}")).await
}

async fn the_hiring_team_sees_candidates_and_nobody_else_does(db: Db) {
    let Some(srv) = TestServer::start(db).await else {
        return;
    };
    let owner = published_job(&srv).await;
    let visitor = srv.client();
    for (name, email) in [
        ("Ada Lovelace", "ada@example.com"),
        ("Grace Hopper", "grace@example.com"),
        ("Alan Turing", "alan@example.com"),
    ] {
        let mut f = fields(email);
        f[0] = ("name", name);
        let sent = apply(&visitor, JOB, form(&f, Some(pdf_cv()))).await;
        assert_eq!(sent.status, StatusCode::OK, "{:?}", sent.body);
    }

    // Newest first; search by name or address, literally.
    let all = list(&owner, "acme", "").await;
    assert_eq!(all.status, StatusCode::OK, "{:?}", all.body);
    assert_eq!(
        names(&all.body),
        ["Alan Turing", "Grace Hopper", "Ada Lovelace"]
    );
    assert_eq!(all.body["total"], 3);
    assert_eq!(
        all.body["candidates"][0]["applications"][0]["stage"],
        "Applied"
    );
    assert_eq!(all.body["candidates"][0]["source"], "careers");
    assert_eq!(
        names(&list(&owner, "acme", "GRACE").await.body),
        ["Grace Hopper"]
    );
    assert_eq!(
        names(&list(&owner, "acme", "alan@").await.body),
        ["Alan Turing"]
    );
    assert!(
        names(&list(&owner, "acme", "%").await.body).is_empty(),
        "% is a character"
    );

    // A profile: contact, links, CV text, cover letter, the application.
    let ada_id = all.body["candidates"][2]["id"].as_i64().expect("id");
    let ada_id_text = ada_id.to_string();
    let ada = owner
        .call("candidate", &[("slug", "acme"), ("id", &ada_id_text)])
        .await;
    assert_eq!(ada.status, StatusCode::OK, "{:?}", ada.body);
    assert_eq!(ada.body["phone"], "+44 20 7946 0018");
    assert_eq!(
        ada.body["links"],
        serde_json::json!(["https://github.com/ada"])
    );
    assert!(ada.body["cv_text"]
        .as_str()
        .expect("text")
        .contains("payment API in Rust"));
    assert_eq!(ada.body["cover_letters"][0][0], "Rust Engineer");
    assert_eq!(ada.body["cv"]["format"], "PDF");
    assert_eq!(ada.body["summary"]["applications"][0]["job_slug"], JOB);
    let file_id = ada.body["cv"]["id"].as_i64().expect("file id");

    // The CV as sent, as an attachment that no browser renders in our origin.
    let file = download(&owner, "acme", file_id).await;
    assert_eq!(file.status(), StatusCode::OK);
    assert_eq!(file.headers()[header::CONTENT_TYPE], "application/pdf");
    assert_eq!(file.headers()["x-content-type-options"], "nosniff");
    assert_eq!(
        file.headers()["content-security-policy"],
        "sandbox; default-src 'none'"
    );
    let disposition = file.headers()[header::CONTENT_DISPOSITION]
        .to_str()
        .expect("header")
        .to_owned();
    assert!(
        disposition.starts_with("attachment; filename=\"ada-cv.pdf\""),
        "{disposition}"
    );
    assert_eq!(
        file.bytes().await.expect("bytes").to_vec(),
        fixture("cv.pdf")
    );

    // Another organisation: its own list is empty, Acme's ids are not found there or here.
    let stranger = srv.client();
    stranger.sign_up("Sam Stranger", "sam@example.com").await;
    stranger.create_org("Beta", "beta").await;
    assert_eq!(list(&stranger, "beta", "").await.body["total"], 0);
    let theirs = stranger
        .call("candidate", &[("slug", "beta"), ("id", &ada_id_text)])
        .await;
    assert_eq!(theirs.status, StatusCode::NOT_FOUND);
    assert_eq!(
        list(&stranger, "acme", "").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        download(&stranger, "beta", file_id).await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        download(&stranger, "acme", file_id).await.status(),
        StatusCode::NOT_FOUND
    );
    // Signed out: sent to sign in first, like every page of an organisation.
    let signed_out = download(&visitor, "acme", file_id).await;
    assert_eq!(signed_out.status(), StatusCode::SEE_OTHER);
    let to = signed_out.headers()[header::LOCATION]
        .to_str()
        .expect("location");
    assert!(to.starts_with("/signin?next="), "{to}");
    assert_eq!(
        download(&owner, "acme", file_id + 1000).await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        download(&owner, "acme", -1).await.status(),
        StatusCode::NOT_FOUND
    );

    // Employees see no candidate data.
    let employee = owner
        .invite_and_join(
            &srv,
            "acme",
            "emma@example.com",
            "employee",
            "Emma Employee",
        )
        .await;
    assert_eq!(
        list(&employee, "acme", "").await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        download(&employee, "acme", file_id).await.status(),
        StatusCode::FORBIDDEN
    );

    // A hiring manager sees the candidates of their team's jobs only.
    let manager = owner
        .invite_and_join(
            &srv,
            "acme",
            "hal@example.com",
            "hiring_manager",
            "Hal Manager",
        )
        .await;
    assert_eq!(list(&manager, "acme", "").await.body["total"], 0);
    assert_eq!(
        manager
            .call("candidate", &[("slug", "acme"), ("id", &ada_id_text)])
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        download(&manager, "acme", file_id).await.status(),
        StatusCode::NOT_FOUND
    );
    let hal_id = manager.me().await["user_id"].as_i64().expect("id");
    let team = serde_json::json!([{ "user_id": hal_id, "role": "hiring_manager" }]).to_string();
    let saved = owner
        .call(
            "save_job_team",
            &[("slug", "acme"), ("job", JOB), ("team", &team)],
        )
        .await;
    assert_eq!(saved.status, StatusCode::OK, "{:?}", saved.body);
    assert_eq!(list(&manager, "acme", "").await.body["total"], 3);
    assert_eq!(
        download(&manager, "acme", file_id).await.status(),
        StatusCode::OK
    );
    srv.stop().await;
}

on_both_databases!(the_hiring_team_sees_candidates_and_nobody_else_does);
