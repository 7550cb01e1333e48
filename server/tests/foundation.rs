//! The foundation's stories, driven over HTTP against the real server on SQLite and PostgreSQL.

use crate::common;

use common::{
    cookie_pair, into_answer, invitation_token, next_event, session_cookie, ws_connect, Db,
    TestServer, PASSWORD,
};
use reqwest::{header, StatusCode};
use serde_json::Value;
use tokio_tungstenite::tungstenite;

on_both_databases!(
    sign_up_validates_every_field,
    sign_in_locks_after_five_failures,
    unknown_email_gets_the_same_answer_as_a_wrong_password,
    sign_in_is_rate_limited_per_address,
    session_id_cycles_on_sign_in_and_dies_on_sign_out,
    invitation_is_accepted_once_and_notifies_the_inviter,
    viewer_cannot_call_admin_functions,
    foreign_ids_answer_not_found,
    cross_origin_post_is_refused_and_changes_nothing,
    html_responses_carry_security_headers,
    secure_cookie_and_hsts_behind_https,
    websocket_checks_origin_and_session,
    last_owner_cannot_leave_or_be_demoted,
    health_readiness_and_metrics,
);

async fn sign_up_validates_every_field(db: Db) {
    let Some(srv) = TestServer::start(db).await else {
        return;
    };
    let c = srv.client();
    let short = c
        .call(
            "sign_up",
            &[
                ("name", "Ada"),
                ("email", "ada@example.com"),
                ("password", "short"),
            ],
        )
        .await;
    assert_eq!(short.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        short.field_error("password").as_deref(),
        Some("Use at least 12 characters (this one has 5).")
    );

    let common = c
        .call(
            "sign_up",
            &[
                ("name", "Ada"),
                ("email", "ada@example.com"),
                ("password", "password1234"),
            ],
        )
        .await;
    let message = common
        .field_error("password")
        .expect("common password refused");
    assert!(
        message.starts_with("This password is too easy to guess"),
        "{message}"
    );

    let email = c
        .call(
            "sign_up",
            &[
                ("name", "Ada"),
                ("email", "ada.example.com"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(
        email.field_error("email").as_deref(),
        Some("An e-mail address needs an @, as in name@example.com.")
    );

    let name = c
        .call(
            "sign_up",
            &[
                ("name", "  "),
                ("email", "ada@example.com"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(
        name.field_error("name").as_deref(),
        Some("Enter your name.")
    );

    // Nothing was stored by the refused attempts: the address is still free.
    let ok = c.sign_up("Ada Lovelace", "Ada@Example.com").await;
    assert_eq!(ok.body["email"], "ada@example.com");
    let again = srv
        .client()
        .call(
            "sign_up",
            &[
                ("name", "Ada"),
                ("email", "ada@example.com"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(
        again.field_error("email").as_deref(),
        Some("An account with this e-mail address exists already. Sign in instead.")
    );
    srv.stop().await;
}

async fn sign_in_locks_after_five_failures(db: Db) {
    let Some(srv) = TestServer::start(db).await else {
        return;
    };
    srv.client().sign_up("Bo", "bo@example.com").await;
    let c = srv.client();
    for attempt in 1..=4 {
        let a = c
            .call(
                "sign_in",
                &[
                    ("email", "bo@example.com"),
                    ("password", "wrong password here"),
                ],
            )
            .await;
        assert_eq!(
            a.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "attempt {attempt}"
        );
        assert_eq!(
            a.field_error("password").as_deref(),
            Some("The e-mail address or the password is not right.")
        );
    }
    let fifth = c
        .call(
            "sign_in",
            &[
                ("email", "bo@example.com"),
                ("password", "wrong password here"),
            ],
        )
        .await;
    assert_eq!(fifth.status, StatusCode::LOCKED, "{:?}", fifth.body);
    // Locked: even the right password is refused now.
    let right = c
        .call(
            "sign_in",
            &[("email", "bo@example.com"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(right.status, StatusCode::LOCKED);
    assert!(right.body["Locked"]["until"]
        .as_i64()
        .is_some_and(|t| t > 0));
    assert_eq!(c.me().await, Value::Null);
    srv.stop().await;
}

async fn unknown_email_gets_the_same_answer_as_a_wrong_password(db: Db) {
    let Some(srv) = TestServer::start(db).await else {
        return;
    };
    srv.client().sign_up("Cy", "cy@example.com").await;
    let c = srv.client();
    let wrong = c
        .call(
            "sign_in",
            &[
                ("email", "cy@example.com"),
                ("password", "not the password"),
            ],
        )
        .await;
    let unknown = c
        .call(
            "sign_in",
            &[
                ("email", "nobody@example.com"),
                ("password", "not the password"),
            ],
        )
        .await;
    assert_eq!(wrong.status, unknown.status);
    assert_eq!(wrong.body, unknown.body);
    srv.stop().await;
}

async fn sign_in_is_rate_limited_per_address(db: Db) {
    let Some(srv) = TestServer::start_with(db, |c| c.sign_in_attempts_per_minute = 3).await else {
        return;
    };
    let c = srv.client();
    for _ in 0..3 {
        let a = c
            .call(
                "sign_in",
                &[("email", "x@example.com"), ("password", "whatever it is")],
            )
            .await;
        assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let limited = c
        .call(
            "sign_in",
            &[("email", "x@example.com"), ("password", "whatever it is")],
        )
        .await;
    assert_eq!(
        limited.status,
        StatusCode::TOO_MANY_REQUESTS,
        "{:?}",
        limited.body
    );
    assert!(limited.body["RateLimited"]["retry_after_secs"]
        .as_u64()
        .is_some_and(|s| s >= 1));
    srv.stop().await;
}

/// Sends `me` with exactly this cookie header (no jar).
async fn me_with_cookie(srv: &TestServer, cookie: &str) -> Value {
    let res = reqwest::Client::new()
        .post(srv.url("/api/me"))
        .header(header::ORIGIN, &srv.base)
        .header(header::COOKIE, cookie)
        .send()
        .await
        .expect("request");
    into_answer(res).await.body
}

async fn session_id_cycles_on_sign_in_and_dies_on_sign_out(db: Db) {
    let Some(srv) = TestServer::start(db).await else {
        return;
    };
    let c = srv.client();
    let up = c.sign_up("Di", "di@example.com").await;
    let first = session_cookie(&up.headers).expect("sign-up sets the session cookie");
    for attribute in ["HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(first.contains(attribute), "{first} lacks {attribute}");
    }
    assert!(!first.contains("Secure"), "no Secure flag over plain http");
    let first = cookie_pair(&first);
    assert_eq!(
        me_with_cookie(&srv, &first).await["email"],
        "di@example.com"
    );

    // Signing in again (with the old cookie in the jar) issues a new id; the old one is dead.
    let again = c
        .call(
            "sign_in",
            &[("email", "di@example.com"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(again.status, StatusCode::OK, "{:?}", again.body);
    let second = cookie_pair(&session_cookie(&again.headers).expect("sign-in sets a new cookie"));
    assert_ne!(first, second);
    assert_eq!(me_with_cookie(&srv, &first).await, Value::Null);
    assert_eq!(
        me_with_cookie(&srv, &second).await["email"],
        "di@example.com"
    );

    let out = c.call("sign_out", &[]).await;
    assert_eq!(out.status, StatusCode::OK);
    assert_eq!(me_with_cookie(&srv, &second).await, Value::Null);
    srv.stop().await;
}

async fn invitation_is_accepted_once_and_notifies_the_inviter(db: Db) {
    let Some(srv) = TestServer::start(db).await else {
        return;
    };
    let owner = srv.client();
    let up = owner.sign_up("Eve Owner", "eve@example.com").await;
    let cookie = cookie_pair(&session_cookie(&up.headers).expect("cookie"));
    owner.create_org("Acme Hiring", "acme").await;
    let invite = owner
        .call(
            "invite",
            &[
                ("slug", "acme"),
                ("email", "Fay@Example.com"),
                ("role", "recruiter"),
            ],
        )
        .await;
    assert_eq!(invite.status, StatusCode::OK, "{:?}", invite.body);
    assert_eq!(invite.body["email"], "fay@example.com");

    let mut ws = ws_connect(&srv, &srv.base, Some(&cookie))
        .await
        .expect("inviter's socket opens");
    assert_eq!(next_event(&mut ws).await["type"], "ready");

    let outbox = owner.call("outbox", &[("slug", "acme")]).await;
    assert_eq!(outbox.status, StatusCode::OK);
    assert_eq!(outbox.body["smtp_configured"], false);
    let token = invitation_token(&outbox.body, "fay@example.com");

    let invitee = srv.client();
    let preview = invitee.call("invitation", &[("token", &token)]).await;
    assert_eq!(preview.body["org_name"], "Acme Hiring");
    assert_eq!(preview.body["account_exists"], false);
    let accepted = invitee
        .call(
            "accept_invitation",
            &[
                ("token", &token),
                ("name", "Fay Recruiter"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(accepted.status, StatusCode::OK, "{:?}", accepted.body);
    assert_eq!(accepted.body, "acme");
    let me = invitee.me().await;
    assert_eq!(me["memberships"][0]["role"], "recruiter");

    let event = next_event(&mut ws).await;
    assert_eq!(event["type"], "notification");
    assert_eq!(event["kind"], "invitation_accepted");
    assert_eq!(
        event["text"],
        "Fay Recruiter accepted your invitation to Acme Hiring."
    );

    let team = owner.call("team", &[("slug", "acme")]).await;
    assert_eq!(team.body["members"].as_array().map(Vec::len), Some(2));
    assert_eq!(team.body["invitations"].as_array().map(Vec::len), Some(0));

    // Single use.
    let reuse = srv
        .client()
        .call(
            "accept_invitation",
            &[
                ("token", &token),
                ("name", "Mallory"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(reuse.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(reuse
        .field_error("token")
        .is_some_and(|m| m.contains("not valid any more")));
    srv.stop().await;
}

/// Owner creates `slug` and brings in a member with `role` through a real invitation.
async fn org_with_member(
    srv: &TestServer,
    slug: &str,
    owner_email: &str,
    member_email: &str,
    role: &str,
) -> (common::Browser, common::Browser) {
    let owner = srv.client();
    owner.sign_up("Owner", owner_email).await;
    owner.create_org(&format!("Org {slug}"), slug).await;
    let member = owner
        .invite_and_join(srv, slug, member_email, role, "Member")
        .await;
    (owner, member)
}

async fn viewer_cannot_call_admin_functions(db: Db) {
    let Some(srv) = TestServer::start(db).await else {
        return;
    };
    let (owner, viewer) =
        org_with_member(&srv, "acme", "o@example.com", "v@example.com", "viewer").await;
    let before = owner.call("team", &[("slug", "acme")]).await.body;
    let owner_id = owner.me().await["user_id"]
        .as_i64()
        .expect("id")
        .to_string();
    let viewer_id = viewer.me().await["user_id"]
        .as_i64()
        .expect("id")
        .to_string();

    let calls: [(&str, Vec<(&str, &str)>); 4] = [
        (
            "change_role",
            vec![("slug", "acme"), ("user_id", &owner_id), ("role", "viewer")],
        ),
        (
            "change_role",
            vec![("slug", "acme"), ("user_id", &viewer_id), ("role", "admin")],
        ),
        (
            "remove_member",
            vec![("slug", "acme"), ("user_id", &owner_id)],
        ),
        (
            "invite",
            vec![
                ("slug", "acme"),
                ("email", "x@example.com"),
                ("role", "viewer"),
            ],
        ),
    ];
    for (endpoint, form) in calls {
        let a = viewer.call(endpoint, &form).await;
        assert_eq!(a.status, StatusCode::FORBIDDEN, "{endpoint}: {:?}", a.body);
    }
    let outbox = viewer.call("outbox", &[("slug", "acme")]).await;
    assert_eq!(outbox.status, StatusCode::FORBIDDEN);
    assert_eq!(
        owner.call("team", &[("slug", "acme")]).await.body,
        before,
        "nothing changed"
    );
    srv.stop().await;
}

async fn foreign_ids_answer_not_found(db: Db) {
    let Some(srv) = TestServer::start(db).await else {
        return;
    };
    let (x_owner, x_member) =
        org_with_member(&srv, "org-x", "x@example.com", "xm@example.com", "viewer").await;
    let (y_owner, y_member) =
        org_with_member(&srv, "org-y", "y@example.com", "ym@example.com", "viewer").await;
    let y_member_id = y_member.me().await["user_id"]
        .as_i64()
        .expect("id")
        .to_string();
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
    let y_invite_id = y_invite.body["id"].as_i64().expect("id").to_string();
    let y_before = y_owner.call("team", &[("slug", "org-y")]).await.body;

    // Y's organisation by slug, Y's member and Y's invitation by id, from X's owner.
    let calls: [(&str, Vec<(&str, &str)>); 6] = [
        ("team", vec![("slug", "org-y")]),
        ("outbox", vec![("slug", "org-y")]),
        ("switch_organisation", vec![("slug", "org-y")]),
        (
            "remove_member",
            vec![("slug", "org-x"), ("user_id", &y_member_id)],
        ),
        (
            "change_role",
            vec![
                ("slug", "org-x"),
                ("user_id", &y_member_id),
                ("role", "admin"),
            ],
        ),
        (
            "revoke_invitation",
            vec![("slug", "org-x"), ("invitation_id", &y_invite_id)],
        ),
    ];
    for (endpoint, form) in calls {
        let a = x_owner.call(endpoint, &form).await;
        assert_eq!(a.status, StatusCode::NOT_FOUND, "{endpoint}: {:?}", a.body);
    }
    assert_eq!(
        x_member.call("team", &[("slug", "org-y")]).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        y_owner.call("team", &[("slug", "org-y")]).await.body,
        y_before,
        "nothing in Y changed"
    );
    let x_team = x_owner.call("team", &[("slug", "org-x")]).await.body;
    assert!(
        !x_team.to_string().contains("ym@example.com")
            && !x_team.to_string().contains("pending@example.com")
    );
    srv.stop().await;
}

async fn cross_origin_post_is_refused_and_changes_nothing(db: Db) {
    let Some(srv) = TestServer::start(db).await else {
        return;
    };
    let c = srv.client();
    let evil = c
        .call_from(
            "https://evil.example",
            "sign_up",
            &[
                ("name", "Gus"),
                ("email", "gus@example.com"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(evil.status, StatusCode::FORBIDDEN);
    // A form from another site (no Origin, but the browser says cross-site) is refused too.
    let res = c
        .http
        .post(srv.url("/api/sign_up"))
        .header("sec-fetch-site", "cross-site")
        .form(&[
            ("name", "Gus"),
            ("email", "gus@example.com"),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .expect("request");
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    // The account was not created: signing up now works.
    c.sign_up("Gus", "gus@example.com").await;
    srv.stop().await;
}

async fn html_responses_carry_security_headers(db: Db) {
    let Some(srv) = TestServer::start(db).await else {
        return;
    };
    let res = srv.client().get("/signin").await;
    assert_eq!(res.status(), StatusCode::OK);
    let h = res.headers().clone();
    let csp = h
        .get("content-security-policy")
        .and_then(|v| v.to_str().ok())
        .expect("CSP")
        .to_owned();
    assert!(csp.contains("'nonce-"), "{csp}");
    assert!(
        csp.contains("'wasm-unsafe-eval'") && csp.contains("frame-ancestors 'none'"),
        "{csp}"
    );
    assert_eq!(
        h.get("x-content-type-options")
            .and_then(|v| v.to_str().ok()),
        Some("nosniff")
    );
    assert_eq!(
        h.get("referrer-policy").and_then(|v| v.to_str().ok()),
        Some("strict-origin-when-cross-origin")
    );
    assert_eq!(
        h.get("content-type").and_then(|v| v.to_str().ok()),
        Some("text/html; charset=utf-8")
    );
    assert!(
        h.get("strict-transport-security").is_none(),
        "no HSTS over plain http"
    );
    assert!(h.get("x-request-id").is_some());
    let nonce = csp
        .split("'nonce-")
        .nth(1)
        .and_then(|s| s.split('\'').next())
        .expect("nonce")
        .to_owned();
    let html = res.text().await.expect("html");
    assert!(
        html.contains(&format!("nonce=\"{nonce}\"")),
        "the hydration script carries the CSP nonce"
    );
    // Every response gets a fresh nonce.
    let other = srv.client().get("/signin").await;
    let csp2 = other
        .headers()
        .get("content-security-policy")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert_ne!(csp, csp2);

    let missing = srv.client().get("/no/such/page").await;
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    assert!(missing.headers().get("content-security-policy").is_some());
    srv.stop().await;
}

async fn secure_cookie_and_hsts_behind_https(db: Db) {
    let Some(srv) = TestServer::start_with(db, |c| {
        c.public_url = url::Url::parse("https://talent.example.com/").ok()
    })
    .await
    else {
        return;
    };
    let res = reqwest::Client::new()
        .post(srv.url("/api/sign_up"))
        .header(header::ORIGIN, "https://talent.example.com")
        .form(&[
            ("name", "Hal"),
            ("email", "hal@example.com"),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .expect("request");
    assert_eq!(res.status(), StatusCode::OK);
    let cookie = session_cookie(res.headers()).expect("cookie");
    assert!(cookie.starts_with("__Host-talentloom="), "{cookie}");
    for attribute in ["Secure", "HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(cookie.contains(attribute), "{cookie} lacks {attribute}");
    }
    assert!(!cookie.contains("Domain="), "{cookie}");
    let page = srv.client().get("/").await;
    assert!(page.headers().get("strict-transport-security").is_some());
    srv.stop().await;
}

async fn websocket_checks_origin_and_session(db: Db) {
    let Some(srv) = TestServer::start(db).await else {
        return;
    };
    let up = srv.client().sign_up("Ida", "ida@example.com").await;
    let cookie = cookie_pair(&session_cookie(&up.headers).expect("cookie"));
    match ws_connect(&srv, "https://evil.example", Some(&cookie)).await {
        Err(tungstenite::Error::Http(res)) => assert_eq!(res.status(), StatusCode::FORBIDDEN),
        other => panic!("expected 403, got {:?}", other.map(|_| ())),
    }
    match ws_connect(&srv, &srv.base, None).await {
        Err(tungstenite::Error::Http(res)) => assert_eq!(res.status(), StatusCode::UNAUTHORIZED),
        other => panic!("expected 401, got {:?}", other.map(|_| ())),
    }
    let mut ws = ws_connect(&srv, &srv.base, Some(&cookie))
        .await
        .expect("opens");
    assert_eq!(next_event(&mut ws).await["type"], "ready");
    srv.stop().await;
}

async fn last_owner_cannot_leave_or_be_demoted(db: Db) {
    let Some(srv) = TestServer::start(db).await else {
        return;
    };
    let (owner, member) =
        org_with_member(&srv, "solo", "own@example.com", "adm@example.com", "admin").await;
    let owner_id = owner.me().await["user_id"]
        .as_i64()
        .expect("id")
        .to_string();
    let leave = owner.call("leave_organisation", &[("slug", "solo")]).await;
    assert_eq!(leave.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(leave
        .field_error("slug")
        .is_some_and(|m| m.contains("at least one owner")));
    // An admin cannot touch the owner at all.
    let demote = member
        .call(
            "change_role",
            &[("slug", "solo"), ("user_id", &owner_id), ("role", "viewer")],
        )
        .await;
    assert_eq!(demote.status, StatusCode::FORBIDDEN);
    let self_demote = owner
        .call(
            "change_role",
            &[("slug", "solo"), ("user_id", &owner_id), ("role", "admin")],
        )
        .await;
    assert_eq!(self_demote.status, StatusCode::UNPROCESSABLE_ENTITY);
    // The admin may leave.
    let admin_leaves = member.call("leave_organisation", &[("slug", "solo")]).await;
    assert_eq!(
        admin_leaves.status,
        StatusCode::OK,
        "{:?}",
        admin_leaves.body
    );
    assert_eq!(
        member.me().await["memberships"].as_array().map(Vec::len),
        Some(0)
    );
    srv.stop().await;
}

async fn health_readiness_and_metrics(db: Db) {
    let Some(srv) = TestServer::start(db).await else {
        return;
    };
    let c = srv.client();
    assert_eq!(c.get("/healthz").await.status(), StatusCode::OK);
    assert_eq!(
        c.get("/readyz").await.text().await.ok().as_deref(),
        Some("ready")
    );
    c.sign_up("Jo", "jo@example.com").await;
    // Metrics are served on their own address, not the public one.
    assert_eq!(c.get("/metrics").await.status(), StatusCode::NOT_FOUND);
    let metrics = c
        .http
        .get(srv.metrics_url())
        .send()
        .await
        .expect("metrics answer")
        .text()
        .await
        .expect("metrics");
    assert!(
        metrics.contains(
            r#"talentloom_http_requests_total{method="POST",route="/api/sign_up",status="200"} 1"#
        ),
        "{metrics}"
    );
    assert!(metrics.contains("talentloom_http_request_duration_seconds_bucket"));
    assert!(
        metrics.contains("talentloom_sessions_signed_in 1"),
        "{metrics}"
    );
    assert!(metrics.contains("talentloom_websocket_connections 0"));
    srv.stop().await;
}

#[test]
fn secrets_in_paths_are_not_logged() {
    assert_eq!(
        talentloom_server::loggable_path("/invite/abc123secret"),
        "/invite/…"
    );
    assert_eq!(
        talentloom_server::loggable_path("/o/acme/team"),
        "/o/acme/team"
    );
}
