//! The organisation's logo: owners and admins upload, replace and remove it; it is read by its
//! content, stored in the file store and served to anyone; the careers pages show it with its
//! size and link previews and schema.org name it. Nothing else may change it, and a bad file
//! changes nothing.

use crate::common;

use common::{
    careers::{fixture, published_job, JOB},
    Browser, Db, TestServer,
};
use reqwest::{header, multipart, StatusCode};
use serde_json::Value;

/// Posts a logo (or, with `remove`, removes it) the way the settings page's script does.
async fn post_logo(
    c: &Browser,
    slug: &str,
    file: Option<(&'static str, Vec<u8>)>,
) -> common::Answer {
    let mut form = multipart::Form::new();
    let mut url = format!("{}/o/{slug}/settings/logo", c.base);
    match file {
        Some((name, bytes)) => {
            let part = multipart::Part::bytes(bytes)
                .file_name(name)
                .mime_str("application/octet-stream")
                .expect("mime");
            form = form.part("logo", part);
        }
        None => url.push_str("?remove=1"),
    }
    let res = c
        .http
        .post(url)
        .header(header::ORIGIN, &c.base)
        .header(header::ACCEPT, "application/json")
        .multipart(form)
        .send()
        .await
        .expect("request");
    common::into_answer(res).await
}

async fn logo_row(srv: &TestServer) -> (String, i64) {
    sqlx::query_as("SELECT logo_key, logo_version FROM organisations WHERE slug = 'acme'")
        .fetch_one(&srv.state().db.pool)
        .await
        .expect("organisation")
}

/// Whether the file store (a directory under DATA_DIR in the tests) holds `key`.
fn stored(srv: &TestServer, key: &str) -> bool {
    srv.state()
        .config
        .data_dir
        .join("files")
        .join(key)
        .is_file()
}

async fn second_key_of(srv: &TestServer) -> String {
    logo_row(srv).await.0
}

async fn careers(c: &Browser) -> Value {
    let page = c
        .call(
            "careers",
            &[
                ("org", "acme"),
                ("department", ""),
                ("location", ""),
                ("remote", ""),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::OK, "{:?}", page.body);
    page.body
}

async fn the_logo_is_uploaded_shown_replaced_and_removed(db: Db) {
    let Some(srv) = TestServer::start(db).await else {
        return;
    };
    let owner = published_job(&srv).await;
    let visitor = srv.client();
    let png = fixture("logo.png");
    assert_eq!(careers(&visitor).await["logo"], Value::Null);

    // Bad files change nothing, each with what to do.
    let svg = post_logo(
        &owner,
        "acme",
        Some((
            "logo.svg",
            b"<svg xmlns='http://www.w3.org/2000/svg'><script/></svg>".to_vec(),
        )),
    )
    .await;
    assert_eq!(
        svg.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{:?}",
        svg.body
    );
    assert!(
        svg.field_error("logo")
            .is_some_and(|m| m.contains("not a PNG, JPEG or WebP")),
        "{:?}",
        svg.body
    );
    let mut huge = png.clone();
    huge.resize(1024 * 1024 + 1, 0);
    let too_big = post_logo(&owner, "acme", Some(("logo.png", huge))).await;
    assert!(too_big.status.is_client_error(), "{:?}", too_big.body);
    assert!(
        too_big
            .field_error("logo")
            .is_some_and(|m| m.contains("larger than 1 MB")),
        "{:?}",
        too_big.body
    );
    let none = post_logo(&owner, "acme", Some(("", Vec::new()))).await;
    assert_eq!(
        none.field_error("logo").as_deref(),
        Some("Choose an image file for the logo.")
    );
    assert_eq!(logo_row(&srv).await, (String::new(), 0));

    // A PNG: on the careers pages with its size, served to anyone as what it is.
    let saved = post_logo(&owner, "acme", Some(("../../etc/passwd.png", png.clone()))).await;
    assert_eq!(saved.status, StatusCode::OK, "{:?}", saved.body);
    let logo = &saved.body["logo"];
    assert_eq!(
        (logo["width"].as_u64(), logo["height"].as_u64()),
        (Some(240), Some(96))
    );
    let url = logo["url"].as_str().expect("url").to_owned();
    assert_eq!(url, "/logos/acme?v=1");
    let (first_key, _) = logo_row(&srv).await;
    assert!(!first_key.contains("passwd"), "{first_key}");
    assert!(stored(&srv, &first_key), "{first_key}");
    let page = careers(&visitor).await;
    assert_eq!(page["logo"]["url"], url.as_str());
    assert_eq!(
        page["logo"]["absolute_url"].as_str(),
        Some(srv.url(&url).as_str())
    );
    let job = visitor
        .call("careers_job", &[("org", "acme"), ("job", JOB)])
        .await;
    let posting: Value =
        serde_json::from_str(job.body["json_ld"].as_str().expect("json_ld")).expect("JSON-LD");
    assert_eq!(
        posting["hiringOrganization"]["logo"].as_str(),
        Some(srv.url(&url).as_str())
    );
    let served = visitor.get(&url).await;
    assert_eq!(served.status(), StatusCode::OK);
    assert_eq!(served.headers()[header::CONTENT_TYPE], "image/png");
    assert!(served.headers()[header::CACHE_CONTROL]
        .to_str()
        .is_ok_and(|v| v.contains("immutable")));
    assert_eq!(
        served.bytes().await.expect("bytes").as_ref(),
        png.as_slice()
    );
    // Another version's address (or none) is the logo of now, never kept for good.
    for other in ["/logos/acme", "/logos/acme?v=2"] {
        let served = visitor.get(other).await;
        assert_eq!(served.status(), StatusCode::OK);
        assert_eq!(served.headers()[header::CACHE_CONTROL], "no-cache");
    }
    let settings = owner
        .call("organisation_settings", &[("slug", "acme")])
        .await;
    assert_eq!(settings.body["logo"]["url"], url.as_str());
    // The page shows it, the place kept.
    let html = visitor
        .get("/careers/acme")
        .await
        .text()
        .await
        .expect("html");
    assert!(
        html.contains(r#"<img src="/logos/acme?v=1" alt="Acme logo" width="160" height="64""#),
        "{html}"
    );
    assert!(html.contains(r#"property="og:image""#), "{html}");

    // Replaced: a new address, and the old file leaves the store.
    let again = post_logo(&owner, "acme", Some(("logo.png", png.clone()))).await;
    assert_eq!(again.body["logo"]["url"], "/logos/acme?v=2");
    assert!(stored(&srv, &second_key_of(&srv).await) && !stored(&srv, &first_key));

    // Nobody else changes it: an employee is refused, another organisation's owner finds nothing.
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
        post_logo(&employee, "acme", Some(("logo.png", png.clone())))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        post_logo(&employee, "acme", None).await.status,
        StatusCode::FORBIDDEN
    );
    let stranger = srv.client();
    stranger.sign_up("Stan Stranger", "stan@example.com").await;
    stranger.create_org("Other", "other").await;
    assert_eq!(
        post_logo(&stranger, "acme", None).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(logo_row(&srv).await.1, 2);
    assert_eq!(
        visitor.get("/logos/other").await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        visitor.get("/logos/no-such-org").await.status(),
        StatusCode::NOT_FOUND
    );

    // Removed: gone from the pages, the route and the store.
    let (second_key, _) = logo_row(&srv).await;
    let removed = post_logo(&owner, "acme", None).await;
    assert_eq!(removed.status, StatusCode::OK, "{:?}", removed.body);
    assert_eq!(removed.body["logo"], Value::Null);
    assert_eq!(careers(&visitor).await["logo"], Value::Null);
    assert_eq!(visitor.get(&url).await.status(), StatusCode::NOT_FOUND);
    assert!(!stored(&srv, &second_key));
    srv.stop().await;
}

on_both_databases!(the_logo_is_uploaded_shown_replaced_and_removed);
