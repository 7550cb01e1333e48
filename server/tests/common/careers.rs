//! A careers page to apply on: an organisation with a published job, and applications sent
//! the way the page's script sends them.

use super::{into_answer, Answer, Browser, TestServer};
use reqwest::{header, multipart, StatusCode};

pub const JOB: &str = "rust-engineer";

pub fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/documents")
            .join(name),
    )
    .expect("fixture")
}

/// An organisation "acme" with a published job, and its owner's browser.
pub async fn published_job(srv: &TestServer) -> Browser {
    let owner = srv.client();
    owner.sign_up("Olive Owner", "owner@example.com").await;
    owner.create_org("Acme", "acme").await;
    let form = [
        ("slug", "acme"),
        ("job", ""),
        ("title", "Rust Engineer"),
        ("department", "Engineering"),
        ("location", "Berlin"),
        ("remote", "hybrid"),
        ("employment", "full_time"),
        ("salary_min", ""),
        ("salary_max", ""),
        ("salary_currency", "EUR"),
        ("description", "Build payment services in Rust."),
    ];
    let saved = owner.call("save_job", &form).await;
    assert_eq!(saved.status, StatusCode::OK, "{:?}", saved.body);
    let published = owner
        .call(
            "change_job_status",
            &[("slug", "acme"), ("job", JOB), ("to", "published")],
        )
        .await;
    assert_eq!(published.status, StatusCode::OK, "{:?}", published.body);
    owner
}

/// The board of acme's job, as `c` sees it.
pub async fn board(c: &Browser) -> Answer {
    c.call("job_board", &[("slug", "acme"), ("job", JOB)]).await
}

/// Moves an application of acme's job to `stage`, as `c`.
pub async fn move_to(c: &Browser, application: i64, stage: i64) -> Answer {
    let (application, stage) = (application.to_string(), stage.to_string());
    c.call(
        "move_application",
        &[
            ("slug", "acme"),
            ("job", JOB),
            ("application", &application),
            ("stage", &stage),
        ],
    )
    .await
}

pub struct Cv {
    pub name: &'static str,
    pub mime: &'static str,
    pub bytes: Vec<u8>,
}

pub fn pdf_cv() -> Cv {
    Cv {
        name: "ada-cv.pdf",
        mime: "application/pdf",
        bytes: fixture("cv.pdf"),
    }
}

pub fn fields(email: &str) -> Vec<(&'static str, &str)> {
    vec![
        ("name", "Ada Lovelace"),
        ("email", email),
        ("phone", "+44 20 7946 0018"),
        ("links", "https://github.com/ada"),
        ("cover_letter", "I would like to build payments with you."),
        ("consent", "on"),
        ("website", ""),
    ]
}

pub fn form(fields: &[(&'static str, &str)], cv: Option<Cv>) -> multipart::Form {
    let mut form = multipart::Form::new();
    for (name, value) in fields {
        form = form.text(*name, value.to_string());
    }
    if let Some(cv) = cv {
        let part = multipart::Part::bytes(cv.bytes)
            .file_name(cv.name)
            .mime_str(cv.mime)
            .expect("mime");
        form = form.part("cv", part);
    }
    form
}

/// Posts an application the way the page's script does (JSON answer).
pub async fn apply(c: &Browser, job: &str, form: multipart::Form) -> Answer {
    let res = c
        .http
        .post(format!("{}/careers/acme/{job}/apply", c.base))
        .header(header::ORIGIN, &c.base)
        .header(header::ACCEPT, "application/json")
        .multipart(form)
        .send()
        .await
        .expect("request");
    into_answer(res).await
}

/// A second job of "acme", "Nurse" (address `nurse`), a draft unless `publish`.
pub async fn nurse_job(owner: &Browser, publish: bool) {
    let form = [
        ("slug", "acme"),
        ("job", ""),
        ("title", "Nurse"),
        ("department", ""),
        ("location", "Leeds"),
        ("remote", "onsite"),
        ("employment", "full_time"),
        ("salary_min", ""),
        ("salary_max", ""),
        ("salary_currency", "GBP"),
        ("description", "Care for patients."),
    ];
    let saved = owner.call("save_job", &form).await;
    assert_eq!(saved.status, StatusCode::OK, "{:?}", saved.body);
    if publish {
        let published = owner
            .call(
                "change_job_status",
                &[("slug", "acme"), ("job", "nurse"), ("to", "published")],
            )
            .await;
        assert_eq!(published.status, StatusCode::OK, "{:?}", published.body);
    }
}
