//! The release checks of ../shared/docs/SECURITY-CHECKS.md that earlier tests did not prove, or
//! proved only in part, each written so that it fails when its protection is removed. The
//! mapping from check to test is in SECURITY.md.

use crate::common;

use common::{
    cookie_pair, invitation_token, session_cookie, ws_connect, ws_connect_with, Db, TestServer,
    PASSWORD,
};
use futures::{SinkExt, StreamExt};
use reqwest::{header, StatusCode};
use tokio_tungstenite::tungstenite;

fn location(answer: &common::Answer) -> Option<&str> {
    answer
        .headers
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
}

/// Check 19: `next` is followed only as a path on this site; control characters never panic.
async fn sign_in_returns_only_to_paths_on_this_site(db: Db) {
    let Some(srv) = TestServer::start(db).await else {
        return;
    };
    srv.client().sign_up("Ann", "ann@example.com").await;
    let cases = [
        ("/o/acme/team", "/o/acme/team"),
        ("/\t/evil.example", "/"),
        ("//evil.example", "/"),
        ("/\\evil.example", "/"),
        ("https://evil.example/", "/"),
        ("/\r\nSet-Cookie: stolen=1", "/"),
        ("/\u{0}", "/"),
    ];
    for (next, expected) in cases {
        let c = srv.client();
        let answer = c
            .call(
                "sign_in",
                &[
                    ("email", "ann@example.com"),
                    ("password", PASSWORD),
                    ("next", next),
                ],
            )
            .await;
        assert_eq!(answer.status, StatusCode::OK, "{next:?}: {:?}", answer.body);
        assert_eq!(location(&answer), Some(expected), "{next:?}");
    }
    srv.stop().await;
}

/// Check 17: sign-up is rate limited per client address.
async fn sign_up_is_rate_limited(db: Db) {
    let Some(srv) = TestServer::start_with(db, |c| c.sign_ups_per_hour = 2).await else {
        return;
    };
    srv.client().sign_up("A", "a@example.com").await;
    srv.client().sign_up("B", "b@example.com").await;
    let third = srv
        .client()
        .call(
            "sign_up",
            &[
                ("name", "C"),
                ("email", "c@example.com"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(
        third.status,
        StatusCode::TOO_MANY_REQUESTS,
        "{:?}",
        third.body
    );
    srv.stop().await;
}

fn from(ip: &'static str) -> [(&'static str, &'static str); 1] {
    [("x-forwarded-for", ip)]
}

/// Check 5: a lock stops guessing from one client address; the owner signs in from another,
/// and an unknown address locks alike (so the lock reveals nothing).
async fn a_lock_holds_one_client_address_and_answers_alike(db: Db) {
    let Some(srv) = TestServer::start_with(db, |c| {
        c.trust_proxy_headers = true;
        c.sign_in_attempts_per_minute = 1000;
    })
    .await
    else {
        return;
    };
    srv.client().sign_up("Bo", "bo@example.com").await;
    let guess = |email: &'static str, ip: &'static str, password: &'static str| {
        let c = srv.client();
        async move {
            c.call_with(
                "sign_in",
                &[("email", email), ("password", password)],
                &from(ip),
            )
            .await
        }
    };
    for email in ["bo@example.com", "nobody@example.com"] {
        for _ in 0..4 {
            let a = guess(email, "203.0.113.1", "wrong password here").await;
            assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{email}");
        }
        let fifth = guess(email, "203.0.113.1", "wrong password here").await;
        assert_eq!(
            fifth.status,
            StatusCode::LOCKED,
            "{email}: {:?}",
            fifth.body
        );
    }
    // The owner, from another address, is not locked out.
    let owner = guess("bo@example.com", "198.51.100.7", PASSWORD).await;
    assert_eq!(owner.status, StatusCode::OK, "{:?}", owner.body);
    // From the locked address even the right password waits.
    let locked = guess("bo@example.com", "203.0.113.1", PASSWORD).await;
    assert_eq!(locked.status, StatusCode::LOCKED);
    // The lock is visible to the account's owner (and admins) in the member list.
    let bo = srv.client();
    let signed_in = bo
        .call_with(
            "sign_in",
            &[("email", "bo@example.com"), ("password", PASSWORD)],
            &from("198.51.100.7"),
        )
        .await;
    assert_eq!(signed_in.status, StatusCode::OK);
    bo.create_org("Bo's", "bos").await;
    let team = bo.call("team", &[("slug", "bos")]).await;
    assert!(
        team.body["members"][0]["locked_until"].as_i64().is_some(),
        "{:?}",
        team.body
    );
    srv.stop().await;
}

/// Check 5: a burst of concurrent guesses cannot all be checked before the lock falls.
async fn a_burst_of_guesses_is_checked_at_most_threshold_times(db: Db) {
    let Some(srv) = TestServer::start_with(db, |c| c.sign_in_attempts_per_minute = 1000).await
    else {
        return;
    };
    srv.client().sign_up("Cy", "cy@example.com").await;
    let burst = (0..24).map(|_| {
        let c = srv.client();
        async move {
            c.call(
                "sign_in",
                &[
                    ("email", "cy@example.com"),
                    ("password", "not the password!"),
                ],
            )
            .await
        }
    });
    let answers = futures::future::join_all(burst).await;
    let checked_and_wrong = answers
        .iter()
        .filter(|a| a.status == StatusCode::UNPROCESSABLE_ENTITY)
        .count();
    assert!(
        checked_and_wrong < 5,
        "{checked_and_wrong} guesses were checked; the threshold is 5"
    );
    assert!(answers
        .iter()
        .all(|a| a.status == StatusCode::UNPROCESSABLE_ENTITY || a.status == StatusCode::LOCKED));
    let right = srv
        .client()
        .call(
            "sign_in",
            &[("email", "cy@example.com"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(right.status, StatusCode::LOCKED);
    srv.stop().await;
}

async fn metric(srv: &TestServer, name: &str) -> f64 {
    let text = reqwest::get(srv.metrics_url())
        .await
        .expect("metrics")
        .text()
        .await
        .expect("text");
    text.lines()
        .find_map(|l| l.strip_prefix(name)?.trim().parse().ok())
        .unwrap_or(0.0)
}

/// Check 6: argon2id with m=19456, t=2, p=1; an unknown address and a locked account cost one
/// password check each, like a wrong password.
async fn passwords_are_argon2id_and_every_answer_costs_one_check(db: Db) {
    let Some(srv) = TestServer::start_with(db, |c| c.sign_in_attempts_per_minute = 1000).await
    else {
        return;
    };
    srv.client().sign_up("Di", "di@example.com").await;
    let hash: String =
        sqlx::query_scalar("SELECT password_hash FROM users WHERE email = 'di@example.com'")
            .fetch_one(&srv.state().db.pool)
            .await
            .expect("hash");
    assert!(
        hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
        "{hash}"
    );
    let checks = "talentloom_password_checks_total";
    let c = srv.client();
    for (email, password) in [
        ("di@example.com", "wrong password 1"),
        ("nobody@example.com", "wrong password 1"),
        ("di@example.com", PASSWORD),
    ] {
        let before = metric(&srv, checks).await;
        c.call("sign_in", &[("email", email), ("password", password)])
            .await;
        assert_eq!(metric(&srv, checks).await - before, 1.0, "{email}");
    }
    for _ in 0..5 {
        c.call(
            "sign_in",
            &[("email", "di@example.com"), ("password", "wrong again!")],
        )
        .await;
    }
    let before = metric(&srv, checks).await;
    let locked = c
        .call(
            "sign_in",
            &[("email", "di@example.com"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(locked.status, StatusCode::LOCKED);
    assert_eq!(metric(&srv, checks).await - before, 1.0, "a locked account");
    srv.stop().await;
}

/// Check 20: an invitation link that grants a role is shown, and revocable, only to members who
/// may grant that role.
async fn invitation_links_are_only_for_those_who_may_grant_them(db: Db) {
    let Some(srv) = TestServer::start(db).await else {
        return;
    };
    let owner = srv.client();
    owner.sign_up("Owner", "owner@example.com").await;
    owner.create_org("Acme", "acme").await;
    let admin = owner
        .invite_and_join(&srv, "acme", "admin@example.com", "admin", "Adm")
        .await;
    let recruiter = owner
        .invite_and_join(&srv, "acme", "rec@example.com", "recruiter", "Rec")
        .await;
    let owner_invite = owner
        .call(
            "invite",
            &[
                ("slug", "acme"),
                ("email", "o2@example.com"),
                ("role", "owner"),
            ],
        )
        .await;
    let admin_invite = owner
        .call(
            "invite",
            &[
                ("slug", "acme"),
                ("email", "a2@example.com"),
                ("role", "admin"),
            ],
        )
        .await;
    // The owner sees the owner invitation's link; the admin sees the mail without it.
    let token = invitation_token(
        &owner.call("outbox", &[("slug", "acme")]).await.body,
        "o2@example.com",
    );
    let admins_view = admin
        .call("outbox", &[("slug", "acme")])
        .await
        .body
        .to_string();
    assert!(
        !admins_view.contains(&token),
        "the admin can read the owner link"
    );
    assert!(admins_view.contains("only members who may grant the Owner role see this link"));
    // Revoking: only someone who could have sent it.
    let id = |a: &common::Answer| a.body["id"].as_i64().expect("id").to_string();
    let by_admin = admin
        .call(
            "revoke_invitation",
            &[("slug", "acme"), ("invitation_id", &id(&owner_invite))],
        )
        .await;
    assert_eq!(by_admin.status, StatusCode::FORBIDDEN);
    let by_recruiter = recruiter
        .call(
            "revoke_invitation",
            &[("slug", "acme"), ("invitation_id", &id(&admin_invite))],
        )
        .await;
    assert_eq!(by_recruiter.status, StatusCode::FORBIDDEN);
    let pending = owner.call("team", &[("slug", "acme")]).await.body["invitations"]
        .as_array()
        .map(Vec::len);
    assert_eq!(pending, Some(2), "both invitations still open");
    srv.stop().await;
}

/// Check 18: the origin is compared with the public address, not with the Host header a
/// DNS-rebinding page controls.
async fn a_rebinding_origin_is_refused(db: Db) {
    let Some(srv) = TestServer::start(db).await else {
        return;
    };
    let port = srv.base.rsplit(':').next().unwrap_or_default().to_owned();
    let evil = format!("http://evil.example:{port}");
    let res = srv
        .client()
        .http
        .post(srv.url("/api/sign_up"))
        .header(header::ORIGIN, &evil)
        .header(header::HOST, format!("evil.example:{port}"))
        .form(&[
            ("name", "Eve"),
            ("email", "eve@example.com"),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .expect("answer");
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let up = srv.client().sign_up("Fay", "fay@example.com").await;
    let cookie = cookie_pair(&session_cookie(&up.headers).expect("cookie"));
    let host = format!("evil.example:{port}");
    let opened = ws_connect_with(
        &srv,
        &[("origin", &evil), ("host", &host), ("cookie", &cookie)],
    )
    .await;
    match opened {
        Err(tungstenite::Error::Http(res)) => assert_eq!(res.status(), StatusCode::FORBIDDEN),
        other => panic!("expected 403, got {:?}", other.map(|_| ())),
    }
    srv.stop().await;
}

/// Check 18: behind a proxy, the client address is the right-most entry the proxy vouches for;
/// entries the client wrote to the left do not change whose limit is used.
async fn forwarded_addresses_are_trusted_only_as_far_as_the_proxy(db: Db) {
    let Some(srv) = TestServer::start_with(db, |c| {
        c.trust_proxy_headers = true;
        c.sign_in_attempts_per_minute = 2;
    })
    .await
    else {
        return;
    };
    let c = srv.client();
    let attempt = |spoofed: &'static str| {
        let c = &c;
        async move {
            c.call_with(
                "sign_in",
                &[("email", "x@example.com"), ("password", "whatever it is")],
                &[("x-forwarded-for", spoofed)],
            )
            .await
            .status
        }
    };
    assert_eq!(
        attempt("10.0.0.1, 203.0.113.5").await,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        attempt("10.0.0.2, 203.0.113.5").await,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        attempt("10.0.0.3, 203.0.113.5").await,
        StatusCode::TOO_MANY_REQUESTS
    );
    srv.stop().await;
}

/// Checks 15 and 18: a request id chosen by the client is replaced; invented methods do not
/// become metric labels.
async fn request_ids_and_metric_labels_are_ours(db: Db) {
    let Some(srv) = TestServer::start(db).await else {
        return;
    };
    let res = srv
        .client()
        .http
        .get(srv.url("/healthz"))
        .header("x-request-id", "forged-id-for-the-logs")
        .send()
        .await
        .expect("answer");
    let id = res
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    assert!(!id.is_empty() && id != "forged-id-for-the-logs", "{id}");
    let brew = reqwest::Method::from_bytes(b"BREW").expect("method");
    srv.client()
        .http
        .request(brew, srv.url("/healthz"))
        .send()
        .await
        .expect("answer");
    let text = reqwest::get(srv.metrics_url())
        .await
        .expect("metrics")
        .text()
        .await
        .expect("text");
    assert!(!text.contains("BREW"), "an invented method became a label");
    assert!(text.contains(r#"method="other""#), "{text}");
    srv.stop().await;
}

/// Check 17: WebSocket messages and connections are capped.
async fn websocket_messages_and_connections_are_capped(db: Db) {
    let Some(srv) = TestServer::start(db).await else {
        return;
    };
    let up = srv.client().sign_up("Gil", "gil@example.com").await;
    let cookie = cookie_pair(&session_cookie(&up.headers).expect("cookie"));
    let connect = || ws_connect(&srv, &srv.base, Some(&cookie));
    let mut ws = connect().await.expect("opens");
    let big = "x".repeat(shared::ws::MAX_TRANSPORT_BYTES + 1);
    let _ = ws.send(tungstenite::Message::Text(big.into())).await;
    // The server ends a connection that sends more than it carries, without reading it (frames
    // between the protocol's 64 KiB and this are answered with an error: realtime.rs).
    let closed = tokio::time::timeout(std::time::Duration::from_secs(10), async {
        while let Some(frame) = ws.next().await {
            match frame {
                Ok(tungstenite::Message::Close(_)) | Err(_) => return true,
                Ok(_) => {}
            }
        }
        true
    })
    .await
    .unwrap_or(false);
    assert!(closed, "an oversized message did not close the connection");
    let mut open = Vec::new();
    for _ in 0..20 {
        open.push(connect().await.expect("within the cap"));
    }
    match connect().await {
        Err(tungstenite::Error::Http(res)) => {
            assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS)
        }
        other => panic!("a 21st connection was accepted: {:?}", other.map(|_| ())),
    }
    srv.stop().await;
}

/// Check 16: hidden characters and NUL in names are refused with a message (PostgreSQL would
/// answer a NUL with an error, which used to be a 500), and a NUL in a slug is just not found.
async fn hostile_text_in_fields_gets_a_clear_answer(db: Db) {
    let Some(srv) = TestServer::start(db).await else {
        return;
    };
    let c = srv.client();
    for (name, email) in [
        ("Ann\u{0}", "ann@example.com"),
        ("Ann", "ann\u{0}@example.com"),
    ] {
        let a = c
            .call(
                "sign_up",
                &[("name", name), ("email", email), ("password", PASSWORD)],
            )
            .await;
        assert_eq!(
            a.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{name:?} {email:?}: {:?}",
            a.body
        );
    }
    let a = c
        .call(
            "sign_in",
            &[
                ("email", "x\u{0}@example.com"),
                ("password", "whatever it is"),
            ],
        )
        .await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", a.body);
    c.sign_up("Ann", "ann@example.com").await;
    let org = c
        .call(
            "create_organisation",
            &[("name", "Acme\u{202E}cod.exe"), ("slug", "acme")],
        )
        .await;
    assert_eq!(
        org.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{:?}",
        org.body
    );
    let team = c.call("team", &[("slug", "ac\u{0}me")]).await;
    assert_eq!(team.status, StatusCode::NOT_FOUND, "{:?}", team.body);
    // A request the server function cannot even read is the client's fault, never a 500.
    let unreadable = c
        .call(
            "change_role",
            &[("slug", "acme"), ("user_id", "not a number")],
        )
        .await;
    assert_eq!(
        unreadable.status,
        StatusCode::BAD_REQUEST,
        "{:?}",
        unreadable.body
    );
    let missing = c.call("create_organisation", &[("name", "Beta")]).await;
    assert_eq!(
        missing.status,
        StatusCode::BAD_REQUEST,
        "{:?}",
        missing.body
    );
    srv.stop().await;
}

/// Check 3: an active session's idle expiry moves forward (tower-sessions saves only modified
/// sessions, so this needs the server to touch it).
async fn an_active_session_stays_signed_in(db: Db) {
    let Some(srv) = TestServer::start(db).await else {
        return;
    };
    let c = srv.client();
    c.sign_up("Hal", "hal@example.com").await;
    let pool = srv.state().db.pool.clone();
    // As if the last request had been two minutes ago and the session were about to expire.
    let (id, data): (String, String) =
        sqlx::query_as("SELECT id, data FROM sessions WHERE user_id IS NOT NULL")
            .fetch_one(&pool)
            .await
            .expect("session");
    let mut data: serde_json::Value = serde_json::from_str(&data).expect("json");
    let now = talentloom_server::db::now();
    data["last_seen"] = serde_json::json!(now - 120);
    sqlx::query("UPDATE sessions SET data = $1, expiry_date = $2 WHERE id = $3")
        .bind(data.to_string())
        .bind(now + 30)
        .bind(&id)
        .execute(&pool)
        .await
        .expect("aged");
    assert_eq!(c.me().await["email"], "hal@example.com");
    let expiry: i64 =
        sqlx::query_scalar("SELECT expiry_date FROM sessions WHERE user_id IS NOT NULL")
            .fetch_one(&pool)
            .await
            .expect("expiry");
    assert!(
        expiry > now + 3600,
        "the idle expiry did not move: {}",
        expiry - now
    );
    srv.stop().await;
}

/// Check 15: an internal error answers a generic message, without database text.
async fn internal_errors_reveal_nothing(db: Db) {
    let Some(srv) = TestServer::start(db).await else {
        return;
    };
    let c = srv.client();
    c.sign_up("Ida", "ida@example.com").await;
    c.create_org("Acme", "acme").await;
    sqlx::query("DROP TABLE outbox")
        .execute(&srv.state().db.pool)
        .await
        .expect("dropped");
    let answer = c.call("outbox", &[("slug", "acme")]).await;
    assert_eq!(answer.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(answer.body, serde_json::json!("Internal"));
    srv.stop().await;
}

/// Sends a raw request head (and only that) and returns the first bytes of the answer, waiting
/// at most `wait`: for checks that need a request no HTTP client would send.
async fn raw_request(srv: &TestServer, head: &str, wait: std::time::Duration) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let addr = srv.base.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(addr)
        .await
        .expect("connects");
    let head = head.replace("{addr}", addr).replace("{origin}", &srv.base);
    stream.write_all(head.as_bytes()).await.expect("sent");
    let mut answer = vec![0; 512];
    let read = tokio::time::timeout(wait, stream.read(&mut answer))
        .await
        .expect("an answer in time")
        .expect("read");
    String::from_utf8_lossy(&answer[..read]).into_owned()
}

/// Check 17: a body that arrives too slowly is cut off with 408.
async fn slow_bodies_time_out(db: Db) {
    let Some(srv) = TestServer::start_with(db, |c| c.request_timeout_seconds = 2).await else {
        return;
    };
    let answer = raw_request(
        &srv,
        "POST /api/sign_in HTTP/1.1\r\nHost: {addr}\r\nOrigin: {origin}\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\nemail=",
        std::time::Duration::from_secs(20),
    )
    .await;
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    srv.stop().await;
}

/// Check 17: one person cannot queue a second analysis while one runs.
async fn one_analysis_at_a_time_per_person(db: Db) {
    let Some(srv) = TestServer::start(db).await else {
        return;
    };
    let c = srv.client();
    c.sign_up("Jo", "jo@example.com").await;
    c.create_org("Acme", "acme").await;
    let cv: String = (0..1200)
        .map(|i| format!("Built service number {i} in Rust and Go for a bank in Berlin. "))
        .collect();
    let job = "Senior Rust engineer, Berlin. Rust, PostgreSQL, Kubernetes.";
    let form = [
        ("slug", "acme"),
        ("cv_text", cv.as_str()),
        ("job_text", job),
    ];
    let (a, b) = tokio::join!(c.call("analyse_match", &form), async {
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        c.call("analyse_match", &form).await
    });
    let statuses = [a.status, b.status];
    assert!(
        statuses.contains(&StatusCode::OK),
        "{statuses:?} {:?}",
        a.body
    );
    assert!(
        statuses.contains(&StatusCode::TOO_MANY_REQUESTS),
        "{statuses:?}"
    );
    srv.stop().await;
}

/// Check 10: an organisation's event reaches a socket only while its user is a member.
async fn organisation_events_reach_only_current_members(db: Db) {
    use talentloom_server::realtime::Delivery;
    let Some(srv) = TestServer::start(db).await else {
        return;
    };
    let owner = srv.client();
    owner.sign_up("Owner", "owner@example.com").await;
    let org_id = owner.create_org("Acme", "acme").await;
    let outsider = srv.client();
    let up = outsider.sign_up("Out", "out@example.com").await;
    let user_id = outsider.me().await["user_id"].as_i64().expect("id");
    let cookie = cookie_pair(&session_cookie(&up.headers).expect("cookie"));
    let mut ws = ws_connect(&srv, &srv.base, Some(&cookie))
        .await
        .expect("opens");
    let event = |text: &str| {
        shared::ws::ServerEvent::Notification(shared::ws::Notification {
            org: Some("acme".into()),
            kind: shared::ws::NotificationKind::RoleChanged,
            text: text.into(),
            at: 0,
        })
    };
    let hub = &srv.state().realtime.hub;
    // Not a member: the organisation's event is dropped; an event for the person arrives.
    hub.send(
        user_id,
        Delivery {
            org_id: Some(org_id),
            event: event("secret of acme"),
            candidate_data: false,
        },
    );
    hub.send(
        user_id,
        Delivery {
            org_id: None,
            event: event("for you"),
            candidate_data: false,
        },
    );
    let mut texts = Vec::new();
    while texts.len() < 2 {
        let frame = tokio::time::timeout(std::time::Duration::from_secs(10), ws.next())
            .await
            .expect("an event")
            .expect("open")
            .expect("frame");
        if let tungstenite::Message::Text(text) = frame {
            let value: serde_json::Value = serde_json::from_str(text.as_str()).expect("json");
            texts.push(value["text"].as_str().unwrap_or("ready").to_owned());
        }
    }
    assert_eq!(texts, ["ready", "for you"]);
    srv.stop().await;
}

/// Check 11: an upload over the limit is refused from its Content-Length, before the body.
async fn an_oversized_upload_is_refused_before_its_body(db: Db) {
    let Some(srv) = TestServer::start(db).await else {
        return;
    };
    let c = srv.client();
    let up = c.sign_up("Kim", "kim@example.com").await;
    c.create_org("Acme", "acme").await;
    let cookie = cookie_pair(&session_cookie(&up.headers).expect("cookie"));
    // Not one byte of the 200 MB body is sent: the answer comes anyway.
    let answer = raw_request(
        &srv,
        &format!(
            "POST /o/acme/documents/text HTTP/1.1\r\nHost: {{addr}}\r\nOrigin: {{origin}}\r\n\
             Cookie: {cookie}\r\nContent-Type: application/pdf\r\nContent-Length: 209715200\r\n\r\n"
        ),
        std::time::Duration::from_secs(10),
    )
    .await;
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    srv.stop().await;
}

/// Check 3: a session ends after its idle period and after its absolute lifetime, both counted
/// by the server, whatever the browser keeps.
async fn sessions_end_when_idle_or_too_old(db: Db) {
    let Some(srv) = TestServer::start(db).await else {
        return;
    };
    let pool = srv.state().db.pool.clone();
    let now = talentloom_server::db::now();
    for (what, signed_in_at, expiry) in [
        ("idle past its expiry", now, now - 1),
        (
            "older than its absolute lifetime",
            now - 7 * 24 * 3600 - 60,
            now + 3600,
        ),
    ] {
        let c = srv.client();
        c.sign_up("Lou", &format!("lou{}@example.com", expiry % 1000))
            .await;
        assert!(c.me().await.is_object());
        let (id, data): (String, String) = sqlx::query_as(
            "SELECT id, data FROM sessions WHERE user_id IS NOT NULL ORDER BY expiry_date DESC",
        )
        .fetch_one(&pool)
        .await
        .expect("session");
        let mut data: serde_json::Value = serde_json::from_str(&data).expect("json");
        data["signed_in_at"] = serde_json::json!(signed_in_at);
        sqlx::query("UPDATE sessions SET data = $1, expiry_date = $2 WHERE id = $3")
            .bind(data.to_string())
            .bind(expiry)
            .bind(&id)
            .execute(&pool)
            .await
            .expect("aged");
        assert_eq!(c.me().await, serde_json::Value::Null, "{what}");
    }
    srv.stop().await;
}

on_both_databases!(
    organisation_events_reach_only_current_members,
    an_oversized_upload_is_refused_before_its_body,
    sessions_end_when_idle_or_too_old,
    sign_in_returns_only_to_paths_on_this_site,
    sign_up_is_rate_limited,
    a_lock_holds_one_client_address_and_answers_alike,
    a_burst_of_guesses_is_checked_at_most_threshold_times,
    passwords_are_argon2id_and_every_answer_costs_one_check,
    invitation_links_are_only_for_those_who_may_grant_them,
    a_rebinding_origin_is_refused,
    forwarded_addresses_are_trusted_only_as_far_as_the_proxy,
    request_ids_and_metric_labels_are_ours,
    websocket_messages_and_connections_are_capped,
    hostile_text_in_fields_gets_a_clear_answer,
    an_active_session_stays_signed_in,
    internal_errors_reveal_nothing,
    slow_bodies_time_out,
    one_analysis_at_a_time_per_person,
);
