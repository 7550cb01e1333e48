//! How responses travel: compressed when the browser accepts it, and cached only as long as is
//! safe (pages and the service worker revalidated, server-function answers never stored).

use crate::common;

use common::{Db, TestServer};
use reqwest::{header, StatusCode};

async fn pages_are_compressed_and_never_cached_unchecked(db: Db) {
    let Some(srv) = TestServer::start(db).await else {
        return;
    };
    let c = srv.client();
    let res = c
        .http
        .get(srv.url("/signin"))
        .header(header::ACCEPT_ENCODING, "br, gzip")
        .send()
        .await
        .expect("answer");
    assert_eq!(res.status(), StatusCode::OK);
    let h = res.headers();
    assert_eq!(
        h.get(header::CONTENT_ENCODING)
            .and_then(|v| v.to_str().ok()),
        Some("br")
    );
    assert_eq!(
        h.get(header::CACHE_CONTROL).and_then(|v| v.to_str().ok()),
        Some("private, no-cache")
    );
    let gzip = c
        .http
        .get(srv.url("/signin"))
        .header(header::ACCEPT_ENCODING, "gzip")
        .send()
        .await
        .expect("answer");
    assert_eq!(
        gzip.headers()
            .get(header::CONTENT_ENCODING)
            .and_then(|v| v.to_str().ok()),
        Some("gzip")
    );
    let api = c.call("me", &[]).await;
    assert_eq!(
        api.headers
            .get(header::CACHE_CONTROL)
            .and_then(|v| v.to_str().ok()),
        Some("no-store")
    );
    srv.stop().await;
}

/// A server function refused before it runs (too large) still answers in `ApiError`'s words.
async fn a_too_large_request_is_answered_in_words(db: Db) {
    let Some(srv) = TestServer::start(db).await else {
        return;
    };
    let c = srv.client();
    c.sign_up("Ada", "ada@example.com").await;
    c.create_org("Acme", "acme").await;
    let cv = "x".repeat(1_300_000);
    let answer = c
        .call(
            "analyse_match",
            &[("slug", "acme"), ("cv_text", &cv), ("job_text", "Rust")],
        )
        .await;
    assert_eq!(answer.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(
        answer.body,
        serde_json::json!({"TooLarge": {"limit_bytes": 1_048_576}})
    );
    srv.stop().await;
}

/// A form posted before the wasm loaded comes back with its errors and what was typed (but
/// never the password).
async fn a_plain_form_post_keeps_its_values(db: Db) {
    let Some(srv) = TestServer::start(db).await else {
        return;
    };
    let res = srv
        .client()
        .http
        .post(srv.url("/api/sign_up"))
        .header(header::ORIGIN, &srv.base)
        .header(header::ACCEPT, "text/html")
        .header(header::REFERER, srv.url("/signup"))
        .form(&[
            ("name", "Ada Lovelace"),
            ("email", "ada.example.com"),
            ("password", "short secret"),
        ])
        .send()
        .await
        .expect("answer");
    assert_eq!(res.status(), StatusCode::FOUND);
    let location = res
        .headers()
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .expect("sent back to the form")
        .to_owned();
    let url = url::Url::parse(&location).expect("an address");
    assert_eq!(url.path(), "/signup");
    let query: std::collections::HashMap<_, _> = url.query_pairs().into_owned().collect();
    assert!(query.contains_key("__err"), "{location}");
    use base64::Engine;
    let form = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(&query["__form"])
        .expect("base64");
    let form: serde_json::Value = serde_json::from_slice(&form).expect("json");
    assert_eq!(
        form,
        serde_json::json!({"name": "Ada Lovelace", "email": "ada.example.com"})
    );
    srv.stop().await;
}

on_both_databases!(
    pages_are_compressed_and_never_cached_unchecked,
    a_too_large_request_is_answered_in_words,
    a_plain_form_post_keeps_its_values,
);
