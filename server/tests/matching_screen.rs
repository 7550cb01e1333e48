//! The matching screen's server side on both databases: uploading documents for their text
//! (PDF, DOCX, scans, wrong types, size and expansion caps) and analysing a CV against a job.

mod common;

use common::{Browser, Db, TestServer};
use reqwest::{header, StatusCode};
use serde_json::Value;
use std::path::Path;

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/documents")
            .join(name),
    )
    .expect("fixture")
}

const PDF: &str = "application/pdf";
const DOCX: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

async fn upload(c: &Browser, slug: &str, content_type: &str, body: Vec<u8>) -> (StatusCode, Value) {
    let res = c
        .http
        .post(format!("{}/o/{slug}/documents/text", c.base))
        .header(header::ORIGIN, &c.base)
        .header(header::CONTENT_TYPE, content_type)
        .body(body)
        .send()
        .await
        .expect("request");
    let status = res.status();
    (status, res.json().await.expect("JSON answer"))
}

async fn documents_become_text_or_a_clear_error(db: Db) {
    let Some(srv) = TestServer::start(db).await else {
        return;
    };
    let c = srv.client();
    c.sign_up("Rita Recruiter", "rita@example.com").await;
    c.create_org("Acme", "acme").await;

    let (status, body) = upload(&c, "acme", PDF, fixture("cv.pdf")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let text = body["text"].as_str().expect("text");
    assert!(
        text.contains("Designed the card payment API in Rust on PostgreSQL"),
        "{text}"
    );
    assert!(
        text.contains("Languages: German (native), English (C1)"),
        "second page: {text}"
    );
    assert_eq!(body["format"], "PDF");

    let (status, body) = upload(&c, "acme", DOCX, fixture("cv.docx")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let text = body["text"].as_str().expect("text");
    assert!(
        text.contains(
            "Moved 40 services to Kubernetes and introduced Kafka for ledger events.\nGlobex"
        ),
        "{text}"
    );

    let (status, body) = upload(&c, "acme", PDF, fixture("scan.pdf")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body["error"]
            .as_str()
            .is_some_and(|e| e.starts_with("no text found")),
        "{body}"
    );

    // A PDF declared as Word, a Word file declared as PDF, and an image.
    let (status, body) = upload(&c, "acme", DOCX, fixture("cv.pdf")).await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{body}");
    let (status, _) = upload(&c, "acme", PDF, fixture("cv.docx")).await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let (status, body) = upload(&c, "acme", "image/png", b"\x89PNG\r\n".to_vec()).await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert!(body["error"].as_str().is_some_and(|e| e.contains("PDF")));

    let (status, body) = upload(&c, "acme", DOCX, fixture("bomb.docx")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body["error"]
            .as_str()
            .is_some_and(|e| e.contains("expands")),
        "{body}"
    );

    let (status, _) = upload(&c, "acme", "text/plain", vec![b'a'; 10 * 1024 * 1024 + 1]).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);

    // Plain text and Markdown pass through, tidied.
    let (status, body) = upload(
        &c,
        "acme",
        "text/markdown",
        b"# Ada\r\n\r\n\r\nRust  \r\n".to_vec(),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["text"], "# Ada\n\nRust");

    // Another organisation's address, no session, another origin.
    let other = srv.client();
    other.sign_up("Oscar Outsider", "oscar@example.com").await;
    let (status, _) = upload(&other, "acme", PDF, fixture("cv.pdf")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let anonymous = srv.client();
    let (status, _) = upload(&anonymous, "acme", PDF, fixture("cv.pdf")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let res = c
        .http
        .post(format!("{}/o/acme/documents/text", c.base))
        .header(header::ORIGIN, "https://evil.example")
        .header(header::CONTENT_TYPE, PDF)
        .body(fixture("cv.pdf"))
        .send()
        .await
        .expect("request");
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    srv.stop().await;
}

async fn a_member_analyses_a_cv_against_a_job(db: Db) {
    let Some(srv) = TestServer::start(db).await else {
        return;
    };
    let c = srv.client();
    c.sign_up("Rita Recruiter", "rita@example.com").await;
    c.create_org("Acme", "acme").await;
    let cv = "Maria Keller\n\nAcme Payments, Backend Engineer, 2019 – present\n- Built payment services in Rust on PostgreSQL; 6 years of Rust.\n- Runs them on Kubernetes.";
    let job = "Backend engineer: Rust, PostgreSQL, Kubernetes and Terraform. You will build payment services.";
    let answer = c
        .call(
            "analyse_match",
            &[("slug", "acme"), ("cv_text", cv), ("job_text", job)],
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{:?}", answer.body);
    let body = &answer.body;
    let cv_labels: Vec<&str> = body["cv_skills"]
        .as_array()
        .expect("cv skills")
        .iter()
        .map(|s| s["label"].as_str().expect("label"))
        .collect();
    assert_eq!(
        cv_labels,
        ["Backend development", "Rust", "PostgreSQL", "Kubernetes"]
    );
    let rust = &body["cv_skills"][1];
    assert_eq!(rust["years"], 6);
    let [start, end] = [
        rust["spans"][0][0].as_u64().expect("start") as usize,
        rust["spans"][0][1].as_u64().expect("end") as usize,
    ];
    assert_eq!(&cv[start..end], "Rust");
    let missing: Vec<&str> = body["explanation"]["missing"]
        .as_array()
        .expect("missing")
        .iter()
        .map(|m| m["label"].as_str().expect("label"))
        .collect();
    assert_eq!(missing, ["Terraform"]);
    let score = body["explanation"]["score"].as_u64().expect("score");
    assert!((50..100).contains(&score), "score {score}");

    let empty = c
        .call(
            "analyse_match",
            &[("slug", "acme"), ("cv_text", " "), ("job_text", job)],
        )
        .await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(empty
        .field_error("cv_text")
        .is_some_and(|m| m.contains("CV")));

    let other = srv.client();
    other.sign_up("Oscar Outsider", "oscar@example.com").await;
    let foreign = other
        .call(
            "analyse_match",
            &[("slug", "acme"), ("cv_text", cv), ("job_text", job)],
        )
        .await;
    assert_eq!(foreign.status, StatusCode::NOT_FOUND);
    srv.stop().await;
}

on_both_databases!(
    documents_become_text_or_a_clear_error,
    a_member_analyses_a_cv_against_a_job
);
