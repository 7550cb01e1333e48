//! The matching screen's server side on both databases: uploading documents for their text
//! (PDF, DOCX, scans, wrong types, size and expansion caps), analysing a CV against a job, and
//! the occupations suggested for the job's title once ESCO is imported.

use crate::common;

use common::{Browser, Db, TestServer};
use reqwest::{header, StatusCode};
use serde_json::Value;
use std::path::Path;
use talentloom_server::matching::esco;

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

/// Declares a text upload of `length` bytes and waits for the answer before sending any of it.
async fn upload_expecting_continue(
    c: &Browser,
    cookie: &str,
    slug: &str,
    length: usize,
) -> (StatusCode, String) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let addr = c.base.trim_start_matches("http://").to_owned();
    let mut stream = tokio::net::TcpStream::connect(&addr)
        .await
        .expect("connects");
    let head = format!(
        "POST /o/{slug}/documents/text HTTP/1.1\r\nHost: {addr}\r\nOrigin: {}\r\nCookie: {cookie}\r\n\
         Content-Type: text/plain\r\nContent-Length: {length}\r\nExpect: 100-continue\r\n\r\n",
        c.base
    );
    stream.write_all(head.as_bytes()).await.expect("sent");
    let mut answer = vec![0; 512];
    let read = stream.read(&mut answer).await.expect("read");
    let answer = String::from_utf8_lossy(&answer[..read]).into_owned();
    let code = answer
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse::<u16>().ok())
        .and_then(|c| StatusCode::from_u16(c).ok())
        .expect("a status line");
    (code, answer)
}

async fn documents_become_text_or_a_clear_error(db: Db) {
    let Some(srv) = TestServer::start(db).await else {
        return;
    };
    let c = srv.client();
    let up = c.sign_up("Rita Recruiter", "rita@example.com").await;
    let cookie = common::cookie_pair(&common::session_cookie(&up.headers).expect("cookie"));
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
            .is_some_and(|e| e.starts_with("No text found")),
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

    // Over the limit: refused from the declared length. The answer can come before the client
    // has sent the body, and a client still writing may then see the connection closed: take
    // the answer from a client that sends the body only when asked to (Expect: 100-continue).
    let (status, _) = upload_expecting_continue(&c, &cookie, "acme", 10 * 1024 * 1024 + 1).await;
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

/// A signed-in member of a new organisation, once the server finds skills by meaning too.
async fn member_of(srv: &TestServer, name: &str, email: &str, org: &str, slug: &str) -> Browser {
    srv.wait_for_skill_vectors().await;
    let c = srv.client();
    c.sign_up(name, email).await;
    c.create_org(org, slug).await;
    c
}

/// The `label` of every entry of a JSON list.
fn labels(list: &Value) -> Vec<&str> {
    list.as_array()
        .expect("a list")
        .iter()
        .map(|s| s["label"].as_str().expect("label"))
        .collect()
}

async fn a_member_analyses_a_cv_against_a_job(db: Db) {
    let Some(srv) = TestServer::start(db).await else {
        return;
    };
    let c = member_of(&srv, "Rita Recruiter", "rita@example.com", "Acme", "acme").await;
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
    // Work on PostgreSQL is work in SQL too, with the same evidence.
    assert_eq!(
        labels(&body["cv_skills"]),
        [
            "Backend development",
            "Rust",
            "PostgreSQL",
            "SQL",
            "Kubernetes"
        ]
    );
    let rust = &body["cv_skills"][1];
    assert_eq!(rust["years"], 6);
    let [start, end] = [
        rust["spans"][0][0].as_u64().expect("start") as usize,
        rust["spans"][0][1].as_u64().expect("end") as usize,
    ];
    assert_eq!(&cv[start..end], "Rust");
    let missing = labels(&body["explanation"]["missing"]);
    assert_eq!(missing, ["Terraform"]);
    let score = body["explanation"]["score"].as_u64().expect("score");
    assert!((50..100).contains(&score), "score {score}");
    // The band and the sentence a recruiter reads first.
    let band = body["explanation"]["band"].as_str().expect("band");
    assert_eq!(
        serde_json::to_value(shared::matching::Band::of(score as u8)).expect("band"),
        band
    );
    assert_eq!(
        body["explanation"]["summary"],
        "Shows 4 of 5 must-haves (missing: Terraform); 7 years of experience by the CV's dates."
    );

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

async fn occupations_are_suggested_once_esco_is_imported(db: Db) {
    let Some(srv) = TestServer::start(db).await else {
        return;
    };
    let c = srv.client();
    c.sign_up("Rita Recruiter", "rita@example.com").await;
    c.create_org("Acme", "acme").await;
    let cv = "Backend engineer, 2019 – present: payment services in Rust on PostgreSQL.";
    let job = "## Sr. Backend Dev (Rust) (m/w/d)\n\nYou will build payment services in Rust.";
    let analyse = || async {
        let answer = c
            .call(
                "analyse_match",
                &[("slug", "acme"), ("cv_text", cv), ("job_text", job)],
            )
            .await;
        assert_eq!(answer.status, StatusCode::OK, "{:?}", answer.body);
        answer.body["occupations"].clone()
    };
    // Start-up looks for a taxonomy in the background (after the skill names, which take a
    // while the first time); nothing is imported yet.
    srv.wait_for_occupations().await;
    let occupations = analyse().await;
    assert_eq!(occupations, "NotImported");
    // The screen says nothing about importing; administrators see what to do on an admin page.
    let status = || async {
        let answer = c.call("occupation_taxonomy", &[("slug", "acme")]).await;
        assert_eq!(answer.status, StatusCode::OK, "{:?}", answer.body);
        answer.body
    };
    assert_eq!(status().await, "NotImported");
    let member = c
        .invite_and_join(
            &srv,
            "acme",
            "eve@example.com",
            "recruiter",
            "Eve Recruiter",
        )
        .await;
    let refused = member
        .call("occupation_taxonomy", &[("slug", "acme")])
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{:?}", refused.body);

    // After an import the server prepares it (at start-up; here called directly) and suggests.
    let state = srv.state();
    let mini = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/esco-mini");
    esco::import(&state.db, &esco::Taxonomy::read_csv(&mini).expect("reads"))
        .await
        .expect("imported");
    state
        .occupations
        .prepare(
            &state.db,
            &state.engine.embeddings,
            &state.config.cache_dir(),
        )
        .await;
    let occupations = analyse().await;
    assert!(status().await["Ready"]["occupations"].as_u64() > Some(0));
    let ready = &occupations["Ready"];
    assert_eq!(ready["title"], "Sr. Backend Dev (Rust) (m/w/d)");
    assert_eq!(ready["occupations"][0]["label"], "software developer");
    assert_eq!(
        ready["occupations"][0]["uri"],
        "http://example.org/occupation/software-developer"
    );
    assert_eq!(ready["occupations"].as_array().map(Vec::len), Some(4));
    // Each suggestion carries the skills ESCO lists for it, essential first.
    assert_eq!(
        ready["occupations"][0]["skills"],
        serde_json::json!([
            {"uri": "http://example.org/skill/programming", "label": "computer programming", "essential": true},
            {"uri": "http://example.org/skill/databases", "label": "database design", "essential": false},
        ])
    );
    assert_eq!(
        ready["attribution"],
        "This service uses the ESCO classification of the European Commission."
    );
    srv.stop().await;
}

/// A job that describes a skill in its own words ("retouching pictures") asks for the skill a CV
/// names ("photo editing"): the screen shows it found by meaning and counts the CV as covering it.
async fn a_skill_the_job_describes_is_matched_to_the_cv_that_names_it(db: Db) {
    let Some(srv) = TestServer::start(db).await else {
        return;
    };
    let c = member_of(&srv, "Pia Photo", "pia@example.com", "Studio", "studio").await;
    let job = "Photo studio assistant\n\nYou will be retouching pictures and greeting clients.";
    let cv = "Sam Lens\n\nStudio Nord, Assistant, 2022 – present\n- Photo editing for weddings.";
    let answer = c
        .call(
            "analyse_match",
            &[("slug", "studio"), ("cv_text", cv), ("job_text", job)],
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{:?}", answer.body);
    let body = &answer.body;
    let photo = body["job_skills"]
        .as_array()
        .expect("job skills")
        .iter()
        .find(|s| s["label"] == "Photo editing")
        .unwrap_or_else(|| panic!("no Photo editing in {}", body["job_skills"]));
    assert_eq!(photo["inferred"], true);
    let [start, end] = [0, 1].map(|i| photo["spans"][0][i].as_u64().expect("offset") as usize);
    assert_eq!(&job[start..end], "retouching pictures");
    let matched = labels(&body["explanation"]["matched"]);
    assert!(matched.contains(&"Photo editing"), "matched {matched:?}");
    let cv_photo = body["cv_skills"]
        .as_array()
        .expect("cv skills")
        .iter()
        .find(|s| s["label"] == "Photo editing")
        .expect("the CV names photo editing");
    assert!(cv_photo.get("inferred").is_none(), "named in the CV");
    srv.stop().await;
}

/// A long CV and a long job make more texts than one embedding round takes (more than 512
/// phrases and pieces): the analysis runs in several rounds and never answers 500.
async fn a_long_cv_and_a_long_job_are_analysed_in_several_rounds(db: Db) {
    let Some(srv) = TestServer::start(db).await else {
        return;
    };
    srv.wait_for_skill_vectors().await;
    let c = srv.client();
    c.sign_up("Rita Recruiter", "rita@example.com").await;
    c.create_org("Acme", "acme").await;
    let lines = |what: &str| -> String {
        (0..300)
            .map(|i| format!("Looked after {what} number {i}; wrote weekly reports.\n"))
            .collect()
    };
    let cv = format!(
        "Senior Rust engineer, 2019 – present\n{}",
        lines("client project")
    );
    let job = format!("Rust engineer (Berlin)\n{}", lines("customer account"));
    let plan = talentloom_server::matching::rank::RankPlan::new(
        srv.state().engine.finder(),
        shared::matching::JobSpec {
            text: job.clone(),
            ..Default::default()
        },
        vec![shared::matching::CandidateProfile {
            text: cv.clone(),
            ..Default::default()
        }],
    );
    assert!(plan.texts.len() > 600, "only {} texts", plan.texts.len());
    let answer = c
        .call(
            "analyse_match",
            &[("slug", "acme"), ("cv_text", &cv), ("job_text", &job)],
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{:?}", answer.body);
    assert!(answer.body["explanation"]["score"].as_u64().is_some());
    srv.stop().await;
}

on_both_databases!(
    a_long_cv_and_a_long_job_are_analysed_in_several_rounds,
    documents_become_text_or_a_clear_error,
    a_member_analyses_a_cv_against_a_job,
    a_skill_the_job_describes_is_matched_to_the_cv_that_names_it,
    occupations_are_suggested_once_esco_is_imported
);
