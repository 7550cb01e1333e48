//! Writes that race: two owners demoting each other at once never leave an organisation without
//! an owner, and accepting an invitation is one transaction (a failed claim leaves no account).

use crate::common;

use common::{invitation_token, Db, TestServer, PASSWORD};
use reqwest::StatusCode;

async fn owners(srv: &TestServer, slug: &str) -> i64 {
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM memberships m JOIN organisations o ON o.id = m.org_id \
         WHERE o.slug = $1 AND m.role = 'owner'",
    )
    .bind(slug)
    .fetch_one(&srv.state().db.pool)
    .await
    .expect("count")
}

async fn two_owners_demoting_each_other_leave_one_owner(db: Db) {
    let Some(srv) = TestServer::start(db).await else {
        return;
    };
    let a = srv.client();
    a.sign_up("Ada Owner", "ada@example.com").await;
    a.create_org("Acme", "acme").await;
    let b = a
        .invite_and_join(&srv, "acme", "bo@example.com", "owner", "Bo Owner")
        .await;
    let id = |me: serde_json::Value| me["user_id"].as_i64().expect("id").to_string();
    let (a_id, b_id) = (id(a.me().await), id(b.me().await));

    for round in 0..25 {
        assert_eq!(
            owners(&srv, "acme").await,
            2,
            "round {round} starts with two owners"
        );
        let demote_b = [
            ("slug", "acme"),
            ("user_id", b_id.as_str()),
            ("role", "admin"),
        ];
        let demote_a = [
            ("slug", "acme"),
            ("user_id", a_id.as_str()),
            ("role", "admin"),
        ];
        let (x, y) = tokio::join!(
            a.call("change_role", &demote_b),
            b.call("change_role", &demote_a),
        );
        assert_eq!(
            owners(&srv, "acme").await,
            1,
            "round {round}: {:?} / {:?}",
            (x.status, &x.body),
            (y.status, &y.body)
        );
        // Exactly one demotion went through; the other was refused with the reason.
        let refused = [&x, &y]
            .iter()
            .filter(|r| r.status != StatusCode::OK)
            .map(|r| r.status)
            .collect::<Vec<_>>();
        assert_eq!(refused.len(), 1, "round {round}");
        // The remaining owner makes the other one an owner again for the next round.
        let (owner, other) = if x.status == StatusCode::OK {
            (&a, &b_id)
        } else {
            (&b, &a_id)
        };
        let restored = owner
            .call(
                "change_role",
                &[("slug", "acme"), ("user_id", other), ("role", "owner")],
            )
            .await;
        assert_eq!(restored.status, StatusCode::OK, "{:?}", restored.body);
    }
    srv.stop().await;
}

async fn a_failed_claim_leaves_no_account_behind(db: Db) {
    let Some(srv) = TestServer::start(db).await else {
        return;
    };
    let owner = srv.client();
    owner.sign_up("Owner", "owner@example.com").await;
    owner.create_org("Acme", "acme").await;
    owner
        .call(
            "invite",
            &[
                ("slug", "acme"),
                ("email", "new@example.com"),
                ("role", "viewer"),
            ],
        )
        .await;
    let token = invitation_token(
        &owner.call("outbox", &[("slug", "acme")]).await.body,
        "new@example.com",
    );
    let pool = srv.state().db.pool.clone();

    // Another transaction revokes the invitation and holds its lock while the invitee accepts:
    // the acceptance gets past its first look at the invitation, then its claim finds the
    // invitation revoked.
    let mut revoke = pool.begin().await.expect("transaction");
    // (On SQLite this transaction holds the one write lock until it commits.)
    sqlx::query("UPDATE invitations SET revoked_at = 1 WHERE email = 'new@example.com'")
        .execute(&mut *revoke)
        .await
        .expect("revoked, uncommitted");
    let invitee = srv.client();
    let accepting = tokio::spawn(async move {
        invitee
            .call(
                "accept_invitation",
                &[
                    ("token", &token),
                    ("name", "New Person"),
                    ("password", PASSWORD),
                ],
            )
            .await
    });
    if srv.db == Db::Postgres {
        // Wait until the acceptance is blocked on the invitation's row lock.
        let mut blocked = false;
        for _ in 0..200 {
            let waiting: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' \
                 AND datname = current_database() \
                 AND query LIKE 'UPDATE invitations SET accepted_at%'",
            )
            .fetch_one(&pool)
            .await
            .expect("activity");
            if waiting > 0 {
                blocked = true;
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        assert!(blocked, "the acceptance never reached its claim");
    } else {
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    }
    revoke.commit().await.expect("committed");
    let answer = accepting.await.expect("answered");
    assert_eq!(
        answer.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{:?}",
        answer.body
    );
    assert!(answer.field_error("token").is_some(), "{:?}", answer.body);
    // Nothing half-written: no account, no membership, no signed-in session.
    let accounts: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE email = 'new@example.com'")
            .fetch_one(&pool)
            .await
            .expect("count");
    assert_eq!(accounts, 0, "the failed acceptance left an account");
    srv.stop().await;
}

on_both_databases!(
    two_owners_demoting_each_other_leave_one_owner,
    a_failed_claim_leaves_no_account_behind,
);
