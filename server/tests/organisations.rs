//! An organisation's settings: owners and admins read and change them, with a clear error for a
//! bad value and nothing saved; other roles are refused.

use crate::common;

use common::{Db, TestServer};
use reqwest::StatusCode;

async fn owners_and_admins_edit_the_settings(db: Db) {
    let Some(srv) = TestServer::start(db).await else {
        return;
    };
    let owner = srv.client();
    owner.sign_up("Owner", "owner@example.com").await;
    owner.create_org("Acme Hiring", "acme").await;
    let read = owner
        .call("organisation_settings", &[("slug", "acme")])
        .await;
    assert_eq!(read.status, StatusCode::OK, "{:?}", read.body);
    assert_eq!(read.body["name"], "Acme Hiring");

    let saved = owner
        .call(
            "update_organisation",
            &[
                ("slug", "acme"),
                ("name", "  Acme Talent  "),
                ("website", "acme.example/careers"),
                ("description", " We make tents.\r\n\r\nIn Leeds. "),
                ("retention_months", " 24 "),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::OK, "{:?}", saved.body);
    assert_eq!(saved.body["name"], "Acme Talent");
    assert_eq!(saved.body["description"], "We make tents.\n\nIn Leeds.");
    assert_eq!(saved.body["website"], "https://acme.example/careers");
    assert_eq!(saved.body["retention_months"], 24);
    assert_eq!(owner.me().await["memberships"][0]["name"], "Acme Talent");

    let bad = owner
        .call(
            "update_organisation",
            &[
                ("slug", "acme"),
                ("name", "A"),
                ("website", ""),
                ("retention_months", "0"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        bad.field_error("name").as_deref(),
        Some("Use at least 2 characters.")
    );
    assert_eq!(
        bad.field_error("retention_months").as_deref(),
        Some("Enter a number of months from 1 to 60 (12 is usual).")
    );
    let bad_site = owner
        .call(
            "update_organisation",
            &[
                ("slug", "acme"),
                ("name", "Acme"),
                ("website", "not a site"),
                ("retention_months", "12"),
            ],
        )
        .await;
    assert_eq!(
        bad_site.field_error("website").as_deref(),
        Some("Enter a web address such as https://acme.example, or leave it empty.")
    );
    let long = "x".repeat(shared::orgs::MAX_DESCRIPTION_CHARS + 1);
    let bad_description = owner
        .call(
            "update_organisation",
            &[
                ("slug", "acme"),
                ("name", "Acme"),
                ("website", ""),
                ("description", long.as_str()),
                ("retention_months", "12"),
            ],
        )
        .await;
    assert_eq!(
        bad_description.field_error("description").as_deref(),
        Some("Shorten the description to 600 characters (it has 601).")
    );
    let unchanged = owner
        .call("organisation_settings", &[("slug", "acme")])
        .await;
    assert_eq!(unchanged.body["name"], "Acme Talent", "nothing was saved");
    assert_eq!(unchanged.body["website"], "https://acme.example/careers");
    assert_eq!(unchanged.body["description"], "We make tents.\n\nIn Leeds.");
    assert_eq!(unchanged.body["retention_months"], 24);

    // A recruiter may not.
    let recruiter = owner
        .invite_and_join(&srv, "acme", "rec@example.com", "recruiter", "Rec")
        .await;
    for (endpoint, form) in [
        ("organisation_settings", vec![("slug", "acme")]),
        (
            "update_organisation",
            vec![("slug", "acme"), ("name", "Taken Over"), ("website", "")],
        ),
    ] {
        let a = recruiter.call(endpoint, &form).await;
        assert_eq!(a.status, StatusCode::FORBIDDEN, "{endpoint}: {:?}", a.body);
    }
    srv.stop().await;
}

on_both_databases!(owners_and_admins_edit_the_settings);
