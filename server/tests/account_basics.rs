//! A person's own account, over HTTP against the real server on SQLite and PostgreSQL: the
//! password reset link, changing the e-mail address, confirming the address, changing the
//! password; and the pages that need (or must not have) a signed-in person.

use crate::common;

use common::{Browser, Db, TestServer, PASSWORD};
use reqwest::{header, StatusCode};
use talentloom_server::platform::{db::now, tokens::token_hash};

on_both_databases!(
    reset_link_works_once_for_an_hour_and_ends_every_session,
    forgot_password_answers_the_same_for_unknown_addresses,
    email_change_is_confirmed_at_the_new_address_and_told_to_the_old,
    sign_up_asks_to_confirm_the_address_and_invitations_confirm_it,
    password_change_needs_the_current_one_and_ends_other_sessions,
    password_meter_uses_the_servers_rule,
    pages_send_visitors_where_they_belong,
    a_removal_can_be_undone_for_a_short_while,
    inviting_an_address_again_asks_before_replacing,
);

const NEW_PASSWORD: &str = "lantern orchard violet 93 quietly";

/// The newest mail to `to` whose body has a link to `path`, and the token after it.
async fn link_token(srv: &TestServer, to: &str, path: &str) -> String {
    let mails = srv.state().mail.sent_to(to).await.expect("outbox");
    let body = mails
        .iter()
        .map(|m| m.body.as_str())
        .find(|b| b.contains(path))
        .unwrap_or_else(|| panic!("a mail to {to} with a link to {path}: {mails:?}"));
    let start = body.find(path).expect("link") + path.len();
    body[start..]
        .split_whitespace()
        .next()
        .unwrap_or_default()
        .to_owned()
}

async fn subjects_to(srv: &TestServer, to: &str) -> Vec<String> {
    let mails = srv.state().mail.sent_to(to).await.expect("outbox");
    mails.into_iter().map(|m| m.subject).collect()
}

async fn sign_in(c: &Browser, email: &str, password: &str) -> StatusCode {
    c.call("sign_in", &[("email", email), ("password", password)])
        .await
        .status
}

async fn reset_link_works_once_for_an_hour_and_ends_every_session(db: Db) {
    let Some(srv) = TestServer::start(db).await else {
        return;
    };
    let (first, second, stranger) = (srv.client(), srv.client(), srv.client());
    first.sign_up("Ada Lovelace", "ada@example.com").await;
    assert_eq!(
        sign_in(&second, "ada@example.com", PASSWORD).await,
        StatusCode::OK
    );

    let asked = stranger
        .call("forgot_password", &[("email", "Ada@Example.com")])
        .await;
    assert_eq!(asked.status, StatusCode::OK, "{:?}", asked.body);
    let token = link_token(&srv, "ada@example.com", "/account/reset/").await;
    assert_eq!(token.len(), 43);

    // Only the token's hash is stored.
    let stored: Vec<String> = sqlx::query_scalar("SELECT token_hash FROM account_links")
        .fetch_all(&srv.state().db.pool)
        .await
        .expect("links");
    assert!(stored.contains(&token_hash(&token)));
    assert!(!stored.contains(&token));

    let link = stranger.call("account_link", &[("token", &token)]).await;
    assert_eq!(link.body["purpose"], "ResetPassword");
    assert_eq!(link.body["email"], "ada@example.com");

    // A weak password is refused and the link still works.
    let weak = stranger
        .call(
            "reset_password",
            &[("token", &token), ("password", "password1234")],
        )
        .await;
    assert_eq!(weak.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(weak.field_error("password").is_some(), "{:?}", weak.body);

    let reset = stranger
        .call(
            "reset_password",
            &[("token", &token), ("password", NEW_PASSWORD)],
        )
        .await;
    assert_eq!(reset.status, StatusCode::OK, "{:?}", reset.body);
    // Every earlier session is over; the browser that reset is signed in.
    assert!(first.me().await.is_null());
    assert!(second.me().await.is_null());
    assert_eq!(stranger.me().await["email"], "ada@example.com");
    // Following the link proved the address.
    assert_eq!(stranger.me().await["email_verified"], true);

    // Single use.
    let again = srv
        .client()
        .call(
            "reset_password",
            &[("token", &token), ("password", NEW_PASSWORD)],
        )
        .await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(again
        .field_error("token")
        .is_some_and(|m| m.contains("expired or was used")));
    assert_eq!(
        sign_in(&srv.client(), "ada@example.com", PASSWORD).await,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        sign_in(&srv.client(), "ada@example.com", NEW_PASSWORD).await,
        StatusCode::OK
    );

    // A link older than an hour does not work. (The one-mail-a-minute rule is moved aside.)
    let pool = &srv.state().db.pool;
    sqlx::query("UPDATE account_links SET created_at = created_at - 120")
        .execute(pool)
        .await
        .expect("age links");
    srv.client()
        .call("forgot_password", &[("email", "ada@example.com")])
        .await;
    let late = link_token(&srv, "ada@example.com", "/account/reset/").await;
    assert_ne!(late, token);
    sqlx::query("UPDATE account_links SET expires_at = $1 WHERE token_hash = $2")
        .bind(now() - 1)
        .bind(token_hash(&late))
        .execute(pool)
        .await
        .expect("expire link");
    let expired = srv
        .client()
        .call(
            "reset_password",
            &[("token", &late), ("password", NEW_PASSWORD)],
        )
        .await;
    assert_eq!(expired.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(expired.field_error("token").is_some());
    srv.stop().await;
}

async fn forgot_password_answers_the_same_for_unknown_addresses(db: Db) {
    let Some(srv) = TestServer::start(db).await else {
        return;
    };
    srv.client().sign_up("Ada", "ada@example.com").await;
    let known = srv
        .client()
        .call("forgot_password", &[("email", "ada@example.com")])
        .await;
    let unknown = srv
        .client()
        .call("forgot_password", &[("email", "nobody@example.com")])
        .await;
    assert_eq!(known.status, unknown.status);
    assert_eq!(known.body, "ada@example.com");
    assert_eq!(unknown.body, "nobody@example.com");
    assert!(subjects_to(&srv, "nobody@example.com").await.is_empty());
    // Asking again at once sends nothing more (nobody can flood an inbox), answering the same.
    let again = srv
        .client()
        .call("forgot_password", &[("email", "ada@example.com")])
        .await;
    assert_eq!(again.status, StatusCode::OK);
    let resets = subjects_to(&srv, "ada@example.com")
        .await
        .into_iter()
        .filter(|s| s.contains("new password"))
        .count();
    assert_eq!(resets, 1);
    let bad = srv
        .client()
        .call("forgot_password", &[("email", "not an address")])
        .await;
    assert!(bad.field_error("email").is_some());
    srv.stop().await;
}

async fn email_change_is_confirmed_at_the_new_address_and_told_to_the_old(db: Db) {
    let Some(srv) = TestServer::start(db).await else {
        return;
    };
    let ada = srv.client();
    ada.sign_up("Ada", "ada@example.com").await;
    srv.client().sign_up("Bob", "bob@example.com").await;

    let wrong = ada
        .call(
            "change_email",
            &[
                ("email", "ada@new.example"),
                ("current_password", "not my password at all"),
            ],
        )
        .await;
    assert_eq!(
        wrong.field_error("current_password").as_deref(),
        Some("This is not your current password.")
    );
    let taken = ada
        .call(
            "change_email",
            &[("email", "bob@example.com"), ("current_password", PASSWORD)],
        )
        .await;
    assert!(taken.field_error("email").is_some(), "{:?}", taken.body);

    let asked = ada
        .call(
            "change_email",
            &[("email", "Ada@New.example"), ("current_password", PASSWORD)],
        )
        .await;
    assert_eq!(asked.status, StatusCode::OK, "{:?}", asked.body);
    assert_eq!(asked.body["pending_email"], "ada@new.example");
    // Nothing changes until the link is opened.
    assert_eq!(ada.me().await["email"], "ada@example.com");
    assert!(subjects_to(&srv, "ada@example.com")
        .await
        .iter()
        .any(|s| s.contains("new e-mail address was asked")));
    let token = link_token(&srv, "ada@new.example", "/account/confirm/").await;

    let confirmed = srv
        .client()
        .call("confirm_email", &[("token", &token)])
        .await;
    assert_eq!(confirmed.status, StatusCode::OK, "{:?}", confirmed.body);
    let me = ada.me().await;
    assert_eq!(me["email"], "ada@new.example");
    assert_eq!(me["email_verified"], true);
    assert!(subjects_to(&srv, "ada@example.com")
        .await
        .iter()
        .any(|s| s.contains("was changed")));
    assert_eq!(
        sign_in(&srv.client(), "ada@new.example", PASSWORD).await,
        StatusCode::OK
    );
    assert_eq!(
        sign_in(&srv.client(), "ada@example.com", PASSWORD).await,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let twice = srv
        .client()
        .call("confirm_email", &[("token", &token)])
        .await;
    assert!(twice.field_error("token").is_some());
    srv.stop().await;
}

async fn sign_up_asks_to_confirm_the_address_and_invitations_confirm_it(db: Db) {
    let Some(srv) = TestServer::start(db).await else {
        return;
    };
    let ada = srv.client();
    ada.sign_up("Ada", "ada@example.com").await;
    assert_eq!(ada.me().await["email_verified"], false);
    let token = link_token(&srv, "ada@example.com", "/account/confirm/").await;
    let link = srv
        .client()
        .call("account_link", &[("token", &token)])
        .await;
    assert_eq!(link.body["purpose"], "VerifyEmail");
    // Asking for the link again soon after sends no second mail.
    let resend = ada.call("resend_verification", &[]).await;
    assert_eq!(resend.status, StatusCode::OK);
    assert_eq!(
        link_token(&srv, "ada@example.com", "/account/confirm/").await,
        token
    );

    let confirmed = srv
        .client()
        .call("confirm_email", &[("token", &token)])
        .await;
    assert_eq!(confirmed.status, StatusCode::OK, "{:?}", confirmed.body);
    assert_eq!(ada.me().await["email_verified"], true);
    let done = ada.call("resend_verification", &[]).await;
    assert!(done.field_error("email").is_some());

    // An account made from an invitation has its address confirmed by the invitation link.
    ada.create_org("Acme", "acme").await;
    let fay = ada
        .invite_and_join(&srv, "acme", "fay@example.com", "viewer", "Fay")
        .await;
    assert_eq!(fay.me().await["email_verified"], true);
    srv.stop().await;
}

async fn password_change_needs_the_current_one_and_ends_other_sessions(db: Db) {
    let Some(srv) = TestServer::start(db).await else {
        return;
    };
    let (here, elsewhere) = (srv.client(), srv.client());
    here.sign_up("Ada", "ada@example.com").await;
    assert_eq!(
        sign_in(&elsewhere, "ada@example.com", PASSWORD).await,
        StatusCode::OK
    );
    let wrong = here
        .call(
            "change_password",
            &[
                ("current_password", "wrong wrong wrong"),
                ("password", NEW_PASSWORD),
            ],
        )
        .await;
    assert!(wrong.field_error("current_password").is_some());
    let both = here
        .call(
            "change_password",
            &[("current_password", ""), ("password", "short")],
        )
        .await;
    assert!(both.field_error("current_password").is_some());
    assert!(both.field_error("password").is_some());

    let changed = here
        .call(
            "change_password",
            &[("current_password", PASSWORD), ("password", NEW_PASSWORD)],
        )
        .await;
    assert_eq!(changed.status, StatusCode::OK, "{:?}", changed.body);
    assert_eq!(here.me().await["email"], "ada@example.com");
    assert!(elsewhere.me().await.is_null());
    assert_eq!(
        sign_in(&srv.client(), "ada@example.com", NEW_PASSWORD).await,
        StatusCode::OK
    );
    srv.stop().await;
}

async fn password_meter_uses_the_servers_rule(db: Db) {
    let Some(srv) = TestServer::start(db).await else {
        return;
    };
    let c = srv.client();
    let weak = c
        .call("password_strength", &[("password", "password1234")])
        .await;
    assert_eq!(weak.status, StatusCode::OK);
    assert_eq!(weak.body["acceptable"], false);
    assert!(weak.body["score"].as_u64().unwrap_or(9) < 3);
    // The person's own name makes a password easier to guess.
    let anyone = c
        .call("password_strength", &[("password", "adalovelace1815")])
        .await;
    let hers = c
        .call(
            "password_strength",
            &[
                ("password", "adalovelace1815"),
                ("name", "Ada Lovelace"),
                ("email", "ada@example.com"),
            ],
        )
        .await;
    assert!(
        hers.body["score"].as_u64() < anyone.body["score"].as_u64(),
        "{:?} vs {:?}",
        hers.body,
        anyone.body
    );
    let strong = c.call("password_strength", &[("password", PASSWORD)]).await;
    assert_eq!(strong.body["acceptable"], true);
    assert_eq!(strong.body["advice"], "");
    srv.stop().await;
}

async fn pages_send_visitors_where_they_belong(db: Db) {
    let Some(srv) = TestServer::start(db).await else {
        return;
    };
    let location = |res: &reqwest::Response| {
        res.headers()
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let visitor = srv.client();
    let team = visitor.get("/o/acme/team?tab=roles").await;
    assert!(team.status().is_redirection());
    assert_eq!(
        location(&team).as_deref(),
        Some("/signin?next=%2Fo%2Facme%2Fteam%3Ftab%3Droles")
    );
    assert!(visitor.get("/account").await.status().is_redirection());
    assert_eq!(visitor.get("/signin").await.status(), StatusCode::OK);
    assert_eq!(
        visitor.get("/forgot-password").await.status(),
        StatusCode::OK
    );

    let ada = srv.client();
    ada.sign_up("Ada", "ada@example.com").await;
    ada.create_org("Acme", "acme").await;
    ada.create_org("Zeta", "zeta").await;
    // The organisation used last is where sign-in and sign-up pages send her.
    assert_eq!(
        location(&ada.get("/signin").await).as_deref(),
        Some("/o/zeta")
    );
    assert_eq!(
        ada.call("team", &[("slug", "acme")]).await.status,
        StatusCode::OK
    );
    assert_eq!(
        location(&ada.get("/signup").await).as_deref(),
        Some("/o/acme")
    );
    // A return path goes first, if it is one of ours.
    assert_eq!(
        location(&ada.get("/signin?next=%2Fo%2Fzeta%2Fmatch").await).as_deref(),
        Some("/o/zeta/match")
    );
    assert_eq!(
        location(&ada.get("/signin?next=%2F%2Fevil.example").await).as_deref(),
        Some("/o/acme")
    );
    assert_eq!(ada.get("/o/acme/team").await.status(), StatusCode::OK);
    srv.stop().await;
}

async fn a_removal_can_be_undone_for_a_short_while(db: Db) {
    let Some(srv) = TestServer::start(db).await else {
        return;
    };
    let owner = srv.client();
    owner.sign_up("Olive Owner", "olive@example.com").await;
    owner.create_org("Acme", "acme").await;
    let fay = owner
        .invite_and_join(&srv, "acme", "fay@example.com", "recruiter", "Fay")
        .await;
    let viewer = owner
        .invite_and_join(&srv, "acme", "vic@example.com", "viewer", "Vic")
        .await;
    let fay_id = fay.me().await["user_id"].as_i64().expect("id").to_string();
    let member = |team: &serde_json::Value| {
        team["members"]
            .as_array()
            .and_then(|m| m.iter().find(|m| m["email"] == "fay@example.com").cloned())
    };
    let before = member(&owner.call("team", &[("slug", "acme")]).await.body).expect("member");

    let removed = owner
        .call("remove_member", &[("slug", "acme"), ("user_id", &fay_id)])
        .await;
    assert_eq!(removed.status, StatusCode::OK, "{:?}", removed.body);
    assert_eq!(removed.body["name"], "Fay");
    assert_eq!(removed.body["role"], "recruiter");
    assert!(member(&owner.call("team", &[("slug", "acme")]).await.body).is_none());

    // Only someone who could remove her may bring her back.
    let refused = viewer
        .call(
            "undo_remove_member",
            &[("slug", "acme"), ("user_id", &fay_id)],
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let undone = owner
        .call(
            "undo_remove_member",
            &[("slug", "acme"), ("user_id", &fay_id)],
        )
        .await;
    assert_eq!(undone.status, StatusCode::OK, "{:?}", undone.body);
    let after = member(&owner.call("team", &[("slug", "acme")]).await.body).expect("back");
    assert_eq!(after["role"], before["role"]);
    assert_eq!(after["joined_at"], before["joined_at"]);
    assert_eq!(
        fay.call("team", &[("slug", "acme")]).await.status,
        StatusCode::OK
    );
    // Once only.
    let twice = owner
        .call(
            "undo_remove_member",
            &[("slug", "acme"), ("user_id", &fay_id)],
        )
        .await;
    assert!(twice.field_error("user_id").is_some());

    // Not after the window.
    owner
        .call("remove_member", &[("slug", "acme"), ("user_id", &fay_id)])
        .await;
    sqlx::query("UPDATE member_removals SET removed_at = removed_at - $1")
        .bind(shared::orgs::UNDO_REMOVAL_SECS + 1)
        .execute(&srv.state().db.pool)
        .await
        .expect("age removal");
    let late = owner
        .call(
            "undo_remove_member",
            &[("slug", "acme"), ("user_id", &fay_id)],
        )
        .await;
    assert!(late
        .field_error("user_id")
        .is_some_and(|m| m.contains("no longer be undone")));
    srv.stop().await;
}

async fn inviting_an_address_again_asks_before_replacing(db: Db) {
    let Some(srv) = TestServer::start(db).await else {
        return;
    };
    let owner = srv.client();
    owner.sign_up("Olive Owner", "olive@example.com").await;
    owner.create_org("Acme", "acme").await;
    let invite = |role: &'static str, replace: Option<&'static str>| {
        let owner = &owner;
        async move {
            let mut form = vec![
                ("slug", "acme"),
                ("email", "new@example.com"),
                ("role", role),
            ];
            if let Some(replace) = replace {
                form.push(("replace", replace));
            }
            owner.call("invite", &form).await
        }
    };
    assert_eq!(invite("viewer", None).await.status, StatusCode::OK);
    let asked = invite("admin", None).await;
    let question = asked.field_error("replace").expect("a question");
    assert!(
        question.contains("as Viewer") && question.contains("as Admin"),
        "{question}"
    );
    let team = owner.call("team", &[("slug", "acme")]).await.body;
    assert_eq!(
        team["invitations"][0]["role"], "viewer",
        "nothing replaced yet"
    );

    let replaced = invite("admin", Some("true")).await;
    assert_eq!(replaced.status, StatusCode::OK, "{:?}", replaced.body);
    let team = owner.call("team", &[("slug", "acme")]).await.body;
    let open = team["invitations"].as_array().expect("list");
    assert_eq!(open.len(), 1);
    assert_eq!(open[0]["role"], "admin");
    srv.stop().await;
}
