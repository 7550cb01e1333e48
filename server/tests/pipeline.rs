//! A job's board: applications by stage, moved by the hiring team with who and when, live on
//! every other open board of the job; interviewers look, other roles and organisations do not.

use crate::common;

use common::{
    careers::{apply, board, fields, form, move_to, nurse_job, pdf_cv, published_job, JOB},
    cookie_pair, next_event, session_cookie, ws_connect, Browser, Db, TestServer, PASSWORD,
};
use reqwest::StatusCode;
use serde_json::Value;

fn stage_of(board: &Value, application: i64) -> i64 {
    board["cards"]
        .as_array()
        .expect("cards")
        .iter()
        .find(|c| c["application_id"] == application)
        .and_then(|c| c["stage_id"].as_i64())
        .expect("on the board")
}

async fn the_board_moves_cards_live_for_the_hiring_team(db: Db) {
    let Some(srv) = TestServer::start(db).await else {
        return;
    };
    let owner = published_job(&srv).await;
    let empty = board(&owner).await;
    assert_eq!(empty.status, StatusCode::OK, "{:?}", empty.body);
    let names: Vec<&str> = empty.body["stages"]
        .as_array()
        .expect("stages")
        .iter()
        .map(|s| s["name"].as_str().expect("name"))
        .collect();
    assert_eq!(names, ["Applied", "Screen", "Interview", "Offer", "Hired"]);
    let stage = |i: usize| empty.body["stages"][i]["id"].as_i64().expect("id");

    // A colleague watching: the recruiter's socket.
    let recruiter = owner
        .invite_and_join(
            &srv,
            "acme",
            "rita@example.com",
            "recruiter",
            "Rita Recruiter",
        )
        .await;
    let signed_in = recruiter
        .call(
            "sign_in",
            &[("email", "rita@example.com"), ("password", PASSWORD)],
        )
        .await;
    let cookie = cookie_pair(&session_cookie(&signed_in.headers).expect("cookie"));
    let mut ws = ws_connect(&srv, &srv.base, Some(&cookie))
        .await
        .expect("socket");
    assert_eq!(next_event(&mut ws).await["type"], "ready");

    // A new application appears live.
    let visitor = srv.client();
    let sent = apply(
        &visitor,
        JOB,
        form(&fields("ada@example.com"), Some(pdf_cv())),
    )
    .await;
    assert_eq!(sent.status, StatusCode::OK, "{:?}", sent.body);
    let event = next_event(&mut ws).await;
    assert_eq!(event["type"], "board_changed");
    assert_eq!(
        (event["org"].as_str(), event["job"].as_str()),
        (Some("acme"), Some(JOB))
    );
    let now = board(&recruiter).await.body;
    let card = now["cards"][0]["application_id"].as_i64().expect("a card");
    assert_eq!(now["cards"][0]["name"], "Ada Lovelace");
    assert_eq!(
        now["cards"][0]["stage_entered_at"], now["cards"][0]["applied_at"],
        "in its first stage since it arrived"
    );
    assert_eq!(stage_of(&now, card), stage(0));
    assert_eq!(now["can_move"], true);

    // The owner moves it to Screen: recorded, and the recruiter's board hears of it.
    let moved = move_to(&owner, card, stage(1)).await;
    assert_eq!(moved.status, StatusCode::OK, "{:?}", moved.body);
    assert_eq!(stage_of(&moved.body, card), stage(1));
    assert_eq!(next_event(&mut ws).await["type"], "board_changed");
    assert_eq!(stage_of(&board(&recruiter).await.body, card), stage(1));
    let (by, detail): (String, String) =
        sqlx::query_as("SELECT by_name, detail FROM application_events WHERE kind = 'moved'")
            .fetch_one(&srv.state().db.pool)
            .await
            .expect("event");
    assert_eq!(
        (by.as_str(), detail.as_str()),
        ("Olive Owner", "Moved from Applied to Screen.")
    );

    // The candidate's private link shows the stage.
    let mails = srv
        .state()
        .mail
        .sent_to("ada@example.com")
        .await
        .expect("mail");
    let start = mails[0].body.find("/a/").expect("link") + 3;
    let token = &mails[0].body[start..start + 43];
    let mine = visitor.call("my_application", &[("token", token)]).await;
    assert_eq!(
        mine.body["view"],
        serde_json::json!({"state": "in_progress", "stage": "Screen"})
    );

    // A stage of another job, an unknown application: refused, nothing moves.
    nurse_job(&owner, false).await;
    let nurse_board = owner
        .call("job_board", &[("slug", "acme"), ("job", "nurse")])
        .await;
    let foreign_stage = nurse_board.body["stages"][2]["id"].as_i64().expect("stage");
    let refused = move_to(&owner, card, foreign_stage).await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{:?}",
        refused.body
    );
    assert_eq!(
        move_to(&owner, 999_999, stage(2)).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(stage_of(&board(&owner).await.body, card), stage(1));

    // Roles: an interviewer on the team looks but cannot move; an employee sees nothing;
    // a hiring manager off the team finds no job.
    let ivan = owner
        .invite_and_join(
            &srv,
            "acme",
            "ivan@example.com",
            "interviewer",
            "Ivan Interviewer",
        )
        .await;
    let hal = owner
        .invite_and_join(
            &srv,
            "acme",
            "hal@example.com",
            "hiring_manager",
            "Hal Manager",
        )
        .await;
    let emma = owner
        .invite_and_join(
            &srv,
            "acme",
            "emma@example.com",
            "employee",
            "Emma Employee",
        )
        .await;
    assert_eq!(board(&hal).await.status, StatusCode::NOT_FOUND);
    assert_eq!(board(&emma).await.status, StatusCode::FORBIDDEN);
    assert_eq!(
        move_to(&emma, card, stage(2)).await.status,
        StatusCode::FORBIDDEN
    );
    owner
        .set_team(
            "acme",
            JOB,
            &[(&ivan, "interviewer"), (&hal, "hiring_manager")],
        )
        .await;
    // Interviewers get no view of jobs at all (the matrix): the board is not theirs.
    assert_eq!(board(&ivan).await.status, StatusCode::FORBIDDEN);
    let hal_board = board(&hal).await;
    assert_eq!(hal_board.status, StatusCode::OK);
    assert_eq!(hal_board.body["can_move"], true);
    let by_hal = move_to(&hal, card, stage(2)).await;
    assert_eq!(by_hal.status, StatusCode::OK, "{:?}", by_hal.body);

    // Another organisation: not found.
    let stranger = srv.client();
    stranger.sign_up("Sam Stranger", "sam@example.com").await;
    stranger.create_org("Beta", "beta").await;
    assert_eq!(board(&stranger).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        move_to(&stranger, card, stage(3)).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(stage_of(&board(&owner).await.body, card), stage(2));
    srv.stop().await;
}

/// The board once `done` holds for the first card (the scorer works in the background).
async fn board_when(c: &Browser, done: impl Fn(&Value) -> bool) -> Value {
    for _ in 0..600 {
        let now = board(c).await.body;
        if done(&now["cards"][0]) {
            return now;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!(
        "the board did not change within a minute: {:?}",
        board(c).await.body
    );
}

async fn applications_are_scored_in_the_background_and_again_when_the_skills_change(db: Db) {
    let Some(srv) = TestServer::start(db).await else {
        return;
    };
    let owner = published_job(&srv).await;
    let visitor = srv.client();
    let sent = apply(
        &visitor,
        JOB,
        form(&fields("ada@example.com"), Some(pdf_cv())),
    )
    .await;
    assert_eq!(sent.status, StatusCode::OK, "{:?}", sent.body);
    // Scored by the real model, never in the request: the card says so until then.
    let scored = board_when(&owner, |card| card["score"].is_u64()).await;
    let card = &scored["cards"][0];
    let score = card["score"].as_u64().expect("score");
    assert!((1..=100).contains(&score), "{score}");
    let matched: Vec<&str> = card["matched"]
        .as_array()
        .expect("matched")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(matched.contains(&"Rust"), "{matched:?}");
    let stored: (Option<String>,) = sqlx::query_as("SELECT explanation FROM applications")
        .fetch_one(&srv.state().db.pool)
        .await
        .expect("explanation");
    let explanation: Value = serde_json::from_str(&stored.0.expect("stored")).expect("json");
    assert_eq!(explanation["score"].as_u64(), Some(score));

    // New must-haves the CV lacks: scored again, lower, the gap named on the card.
    let skills = serde_json::json!([
        { "label": "Rust", "required": "must" },
        { "label": "Haskell", "required": "must" },
        { "label": "Erlang", "required": "must" },
    ])
    .to_string();
    let saved = owner
        .call(
            "save_job_skills",
            &[("slug", "acme"), ("job", JOB), ("skills", &skills)],
        )
        .await;
    assert_eq!(saved.status, StatusCode::OK, "{:?}", saved.body);
    let rescored = board_when(&owner, |card| {
        card["missing"]
            .as_array()
            .is_some_and(|m| m.iter().any(|s| s == "Haskell"))
    })
    .await;
    let lower = rescored["cards"][0]["score"].as_u64().expect("score");
    assert!(
        lower < score,
        "{lower} after the new must-haves, {score} before"
    );
    srv.stop().await;
}

async fn detail(c: &Browser, id: i64) -> common::Answer {
    c.call("application", &[("slug", "acme"), ("id", &id.to_string())])
        .await
}

async fn reject(c: &Browser, id: i64, form: &[(&str, &str)]) -> common::Answer {
    let id = id.to_string();
    let mut all = vec![("slug", "acme"), ("application", id.as_str())];
    all.extend_from_slice(form);
    c.call("reject_application", &all).await
}

async fn outcome(srv: &TestServer, id: i64) -> (String, Option<String>) {
    sqlx::query_as("SELECT outcome, rejection_reason FROM applications WHERE id = $1")
        .bind(id)
        .fetch_one(&srv.state().db.pool)
        .await
        .expect("application")
}

async fn rejecting_takes_a_reason_and_may_mail_the_candidate(db: Db) {
    let Some(srv) = TestServer::start(db).await else {
        return;
    };
    let owner = published_job(&srv).await;
    let visitor = srv.client();
    let sent = apply(
        &visitor,
        JOB,
        form(&fields("ada@example.com"), Some(pdf_cv())),
    )
    .await;
    assert_eq!(sent.status, StatusCode::OK, "{:?}", sent.body);
    let id = board(&owner).await.body["cards"][0]["application_id"]
        .as_i64()
        .expect("a card");

    // The page: the template is filled in for this candidate, the activity starts with the
    // application.
    let page = detail(&owner, id).await;
    assert_eq!(page.status, StatusCode::OK, "{:?}", page.body);
    assert_eq!(page.body["candidate_name"], "Ada Lovelace");
    assert_eq!(
        page.body["rejection"]["subject"],
        "Your application for Rust Engineer"
    );
    let body = page.body["rejection"]["body"].as_str().expect("body");
    assert!(
        body.starts_with("Hello Ada,") && body.contains("at Acme"),
        "{body}"
    );
    assert_eq!(page.body["activity"][0]["kind"], "applied");

    // Settings: owners and admins only; a bad template or list changes nothing.
    let recruiter = owner
        .invite_and_join(
            &srv,
            "acme",
            "rita@example.com",
            "recruiter",
            "Rita Recruiter",
        )
        .await;
    let get = |c: &Browser| {
        let c = c.clone();
        async move { c.call("rejection_settings", &[("slug", "acme")]).await }
    };
    assert_eq!(get(&recruiter).await.status, StatusCode::FORBIDDEN);
    let defaults = get(&owner).await;
    assert_eq!(defaults.body["reasons"].as_array().map(Vec::len), Some(6));
    let save = |reasons: &'static str, body: &'static str| {
        let owner = owner.clone();
        async move {
            owner
                .call(
                    "update_rejection_settings",
                    &[
                        ("slug", "acme"),
                        ("reasons", reasons),
                        ("subject", "About {job_title}"),
                        ("body", body),
                    ],
                )
                .await
        }
    };
    let unknown = save("Too junior", "Dear {name}").await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
    let message = unknown.field_error("body").expect("body error");
    assert!(
        message.contains("{name}") && message.contains("{first_name}"),
        "{message}"
    );
    let twice = save("Salary\nsalary", "Dear {candidate_name}").await;
    assert!(twice.field_error("reasons").is_some(), "{:?}", twice.body);
    assert_eq!(get(&owner).await.body, defaults.body);
    let saved = save(
        "Too junior\n\nSalary",
        "Dear {candidate_name}, not this time. {organisation}",
    )
    .await;
    assert_eq!(saved.status, StatusCode::OK, "{:?}", saved.body);
    assert_eq!(
        saved.body["reasons"],
        serde_json::json!(["Too junior", "Salary"])
    );

    // Refused: a reason not on the list, a mail without a message. Nothing changes.
    let off_list = reject(
        &owner,
        id,
        &[("reason", "Skills or experience do not match")],
    )
    .await;
    assert!(
        off_list.field_error("reason").is_some(),
        "{:?}",
        off_list.body
    );
    let no_body = reject(
        &owner,
        id,
        &[
            ("reason", "Salary"),
            ("send_mail", "on"),
            ("subject", "Hi"),
            ("body", " "),
        ],
    )
    .await;
    assert!(no_body.field_error("body").is_some(), "{:?}", no_body.body);
    let linked = reject(
        &owner,
        id,
        &[
            ("reason", "Salary"),
            ("send_mail", "on"),
            ("subject", "About Rust Engineer"),
            ("body", "Claim your prize at https://evil.example/win"),
        ],
    )
    .await;
    let message = linked.field_error("body").expect("a link refused");
    assert!(message.contains("https://evil.example/win"), "{message}");
    assert_eq!(outcome(&srv, id).await, ("active".to_owned(), None));
    let before = srv
        .state()
        .mail
        .sent_to("ada@example.com")
        .await
        .expect("mail")
        .len();

    // Rejected by the recruiter with the e-mail: recorded, mailed, off the board.
    let done = reject(
        &recruiter,
        id,
        &[
            ("reason", "Salary"),
            ("send_mail", "on"),
            ("subject", "About Rust Engineer"),
            ("body", "Dear Ada Lovelace, not this time. Acme"),
        ],
    )
    .await;
    assert_eq!(done.status, StatusCode::OK, "{:?}", done.body);
    assert_eq!(done.body["outcome"]["Rejected"]["reason"], "Salary");
    assert_eq!(
        outcome(&srv, id).await,
        ("rejected".to_owned(), Some("Salary".to_owned()))
    );
    let mails = srv
        .state()
        .mail
        .sent_to("ada@example.com")
        .await
        .expect("mail");
    assert_eq!(mails.len(), before + 1);
    assert_eq!(mails[0].subject, "About Rust Engineer");
    assert_eq!(mails[0].body, "Dear Ada Lovelace, not this time. Acme");
    assert_eq!(done.body["activity"][0]["kind"], "rejected");
    assert_eq!(
        done.body["activity"][0]["detail"],
        "Rejected: Salary. The candidate was e-mailed."
    );
    assert_eq!(done.body["activity"][0]["by"], "Rita Recruiter");
    let now = board(&owner).await.body;
    assert_eq!(
        (
            now["cards"].as_array().map(Vec::len),
            now["closed"].as_u64()
        ),
        (Some(0), Some(1))
    );
    let start = mails
        .last()
        .expect("first mail")
        .body
        .find("/a/")
        .expect("link")
        + 3;
    let token = mails.last().expect("first mail").body[start..start + 43].to_owned();
    let mine = visitor.call("my_application", &[("token", &token)]).await;
    assert_eq!(
        mine.body["view"]["state"], "not_selected",
        "{:?}",
        mine.body
    );
    let again = reject(&owner, id, &[("reason", "Salary")]).await;
    assert!(
        again.field_error("application").is_some(),
        "{:?}",
        again.body
    );

    // Reopened: back on the board; rejected again without a mail, none is sent.
    let reopened = owner
        .call(
            "reopen_application",
            &[("slug", "acme"), ("application", &id.to_string())],
        )
        .await;
    assert_eq!(reopened.status, StatusCode::OK, "{:?}", reopened.body);
    assert_eq!(reopened.body["outcome"], "Active");
    assert_eq!(
        board(&owner).await.body["cards"].as_array().map(Vec::len),
        Some(1)
    );
    let twice = reject(
        &owner,
        id,
        &[
            ("reason", "Too junior"),
            ("send_mail", "on"),
            ("subject", "Again"),
            ("body", "Again."),
        ],
    )
    .await;
    assert!(twice.field_error("send_mail").is_some(), "{:?}", twice.body);
    assert_eq!(
        outcome(&srv, id).await,
        ("active".to_owned(), None),
        "nothing kept"
    );
    let quiet = reject(&owner, id, &[("reason", "Too junior")]).await;
    assert_eq!(quiet.status, StatusCode::OK, "{:?}", quiet.body);
    assert_eq!(quiet.body["activity"][0]["detail"], "Rejected: Too junior.");
    assert_eq!(
        srv.state()
            .mail
            .sent_to("ada@example.com")
            .await
            .expect("mail")
            .len(),
        before + 1
    );

    // Other roles and organisations.
    let emma = owner
        .invite_and_join(
            &srv,
            "acme",
            "emma@example.com",
            "employee",
            "Emma Employee",
        )
        .await;
    assert_eq!(detail(&emma, id).await.status, StatusCode::FORBIDDEN);
    assert_eq!(
        reject(&emma, id, &[("reason", "Salary")]).await.status,
        StatusCode::FORBIDDEN
    );
    let stranger = srv.client();
    stranger.sign_up("Sam Stranger", "sam@example.com").await;
    stranger.create_org("Acme", "beta").await;
    let foreign = stranger
        .call("application", &[("slug", "beta"), ("id", &id.to_string())])
        .await;
    assert_eq!(foreign.status, StatusCode::NOT_FOUND);
    srv.stop().await;
}

async fn notes_mention_colleagues_who_can_see_the_application(db: Db) {
    let Some(srv) = TestServer::start(db).await else {
        return;
    };
    let owner = published_job(&srv).await;
    let sent = apply(
        &srv.client(),
        JOB,
        form(&fields("ada@example.com"), Some(pdf_cv())),
    )
    .await;
    assert_eq!(sent.status, StatusCode::OK, "{:?}", sent.body);
    let id = board(&owner).await.body["cards"][0]["application_id"]
        .as_i64()
        .expect("a card");
    let rita = owner
        .invite_and_join(
            &srv,
            "acme",
            "rita@example.com",
            "recruiter",
            "Rita Recruiter",
        )
        .await;
    let hal = owner
        .invite_and_join(
            &srv,
            "acme",
            "hal@example.com",
            "hiring_manager",
            "Hal Manager",
        )
        .await;
    owner
        .invite_and_join(
            &srv,
            "acme",
            "emma@example.com",
            "employee",
            "Emma Employee",
        )
        .await;
    let page = detail(&owner, id).await;
    let names: Vec<&str> = page.body["mentionable"]
        .as_array()
        .expect("mentionable")
        .iter()
        .map(|m| m["name"].as_str().expect("name"))
        .collect();
    assert_eq!(
        names,
        ["Rita Recruiter"],
        "not the owner, nor anyone off the hiring team"
    );

    let note = |c: &Browser, text: &'static str| {
        let c = c.clone();
        async move {
            c.call(
                "add_note",
                &[
                    ("slug", "acme"),
                    ("application", &id.to_string()),
                    ("body", text),
                ],
            )
            .await
        }
    };
    let empty = note(&owner, "   ").await;
    assert!(empty.field_error("body").is_some(), "{:?}", empty.body);
    let added = note(
        &owner,
        "Strong Rust. @rita recruiter can you call her? @Emma Employee @Hal Manager",
    )
    .await;
    assert_eq!(added.status, StatusCode::OK, "{:?}", added.body);
    assert_eq!(added.body["notes"][0]["by"], "Olive Owner");
    assert_eq!(
        added.body["notes"][0]["mentions"],
        serde_json::json!(["Rita Recruiter"])
    );
    assert_eq!(
        added.body["activity"][0]["detail"],
        "Added a note mentioning Rita Recruiter."
    );
    // Rita is notified in the app, and e-mailed in her digest while it stays unread.
    let notices = rita.call("list_notices", &[]).await;
    assert_eq!(notices.body["unread"], 1, "{:?}", notices.body);
    let notice = &notices.body["items"][0];
    assert_eq!(notice["topic"], "mention");
    assert_eq!(
        notice["text"],
        "Olive Owner mentioned you about Ada Lovelace (Rust Engineer): “Strong Rust. @rita \
         recruiter can you call her? @Emma Employee @Hal Manager”"
    );
    assert_eq!(notice["link"], format!("/o/acme/applications/{id}"));
    let later = talentloom_server::db::now() + 31 * 60;
    assert_eq!(
        srv.state().notifications.send_digests(later).await.ok(),
        Some(1)
    );
    let mails = srv
        .state()
        .mail
        .sent_to("rita@example.com")
        .await
        .expect("mail");
    let digest = mails
        .iter()
        .find(|m| m.subject == "1 unread notification on Talentloom")
        .expect("a digest");
    assert!(
        digest
            .body
            .contains("Olive Owner mentioned you about Ada Lovelace"),
        "{}",
        digest.body
    );
    assert!(
        digest.body.contains(&format!("/o/acme/applications/{id}")),
        "{}",
        digest.body
    );
    for outsider in ["emma@example.com", "hal@example.com"] {
        let theirs = srv.state().mail.sent_to(outsider).await.expect("mail");
        assert!(
            theirs.iter().all(|m| !m.subject.contains("unread")),
            "{outsider}"
        );
    }
    // On the team, the hiring manager may be mentioned, and may write notes.
    owner
        .set_team("acme", JOB, &[(&hal, "hiring_manager")])
        .await;
    let by_hal = note(&hal, "@Olive Owner agreed.").await;
    assert_eq!(by_hal.status, StatusCode::OK, "{:?}", by_hal.body);
    assert_eq!(
        by_hal.body["notes"][1]["mentions"],
        serde_json::json!(["Olive Owner"])
    );
    srv.stop().await;
}

async fn interviewers_see_only_the_applications_assigned_to_them(db: Db) {
    let Some(srv) = TestServer::start(db).await else {
        return;
    };
    let owner = published_job(&srv).await;
    for email in ["ada@example.com", "grace@example.com"] {
        let sent = apply(&srv.client(), JOB, form(&fields(email), Some(pdf_cv()))).await;
        assert_eq!(sent.status, StatusCode::OK, "{:?}", sent.body);
    }
    let cards = board(&owner).await.body["cards"].clone();
    let (ada, grace) = (
        cards[1]["application_id"].as_i64().expect("first"),
        cards[0]["application_id"].as_i64().expect("second"),
    );
    let ivan = owner
        .invite_and_join(
            &srv,
            "acme",
            "ivan@example.com",
            "interviewer",
            "Ivan Interviewer",
        )
        .await;
    let emma = owner
        .invite_and_join(
            &srv,
            "acme",
            "emma@example.com",
            "employee",
            "Emma Employee",
        )
        .await;
    let id_of = |b: &Browser| {
        let b = b.clone();
        async move { b.me().await["user_id"].as_i64().expect("id") }
    };
    let (ivan_id, emma_id) = (id_of(&ivan).await, id_of(&emma).await);
    let assign = |ids: String| {
        let owner = owner.clone();
        async move {
            owner
                .call(
                    "assign_interviewers",
                    &[
                        ("slug", "acme"),
                        ("application", &ada.to_string()),
                        ("interviewers", &ids),
                    ],
                )
                .await
        }
    };
    // Not on the team yet: cannot be assigned, sees nothing.
    let off_team = assign(format!("[{ivan_id}]")).await;
    assert!(
        off_team.field_error("interviewers").is_some(),
        "{:?}",
        off_team.body
    );
    assert_eq!(detail(&ivan, ada).await.status, StatusCode::NOT_FOUND);

    // An employee put on the team as an interviewer still cannot be assigned.
    owner
        .set_team(
            "acme",
            JOB,
            &[(&ivan, "interviewer"), (&emma, "interviewer")],
        )
        .await;
    assert_eq!(
        detail(&ivan, ada).await.status,
        StatusCode::NOT_FOUND,
        "on the team, not assigned"
    );
    assert!(assign(format!("[{emma_id}]"))
        .await
        .field_error("interviewers")
        .is_some());
    assert_eq!(detail(&emma, ada).await.status, StatusCode::FORBIDDEN);
    assert_eq!(
        detail(&emma, 999_999).await.status,
        StatusCode::FORBIDDEN,
        "no id is probed"
    );
    assert!(assign("ivan".to_owned())
        .await
        .field_error("interviewers")
        .is_some());
    let page = detail(&owner, ada).await;
    assert_eq!(page.body["assignable"][0]["name"], "Ivan Interviewer");
    let assigned = assign(format!("[{ivan_id}]")).await;
    assert_eq!(assigned.status, StatusCode::OK, "{:?}", assigned.body);
    assert_eq!(assigned.body["interviewers"][0]["name"], "Ivan Interviewer");
    assert_eq!(
        assigned.body["activity"][0]["detail"],
        "Interviewers: Ivan Interviewer."
    );
    let mails = srv
        .state()
        .mail
        .sent_to("ivan@example.com")
        .await
        .expect("mail");
    assert_eq!(
        mails[0].subject,
        "Please interview Ada Lovelace (Rust Engineer)"
    );
    assert!(
        mails[0]
            .body
            .contains(&format!("/o/acme/applications/{ada}")),
        "{}",
        mails[0].body
    );

    // Ivan sees Ada's application, may write feedback, decides nothing; Grace's stays hidden.
    let seen = detail(&ivan, ada).await;
    assert_eq!(seen.status, StatusCode::OK, "{:?}", seen.body);
    assert_eq!(
        (
            seen.body["can_decide"].as_bool(),
            seen.body["rejection"].is_null()
        ),
        (Some(false), true)
    );
    assert_eq!(detail(&ivan, grace).await.status, StatusCode::NOT_FOUND);
    assert_eq!(board(&ivan).await.status, StatusCode::FORBIDDEN);
    assert_eq!(
        reject(
            &ivan,
            ada,
            &[("reason", "Salary expectations too far apart")]
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
    let feedback = ivan
        .call(
            "add_note",
            &[
                ("slug", "acme"),
                ("application", &ada.to_string()),
                ("body", "Good system design. @Olive Owner"),
            ],
        )
        .await;
    assert_eq!(feedback.status, StatusCode::OK, "{:?}", feedback.body);
    assert_eq!(
        feedback.body["notes"][0]["mentions"],
        serde_json::json!(["Olive Owner"])
    );
    // Mentionable from the owner's side: the assigned interviewer, not the employee.
    let names: Vec<String> = detail(&owner, ada).await.body["mentionable"]
        .as_array()
        .expect("list")
        .iter()
        .map(|m| m["name"].as_str().expect("name").to_owned())
        .collect();
    assert_eq!(names, ["Ivan Interviewer"]);

    // Off the team again: the assignment no longer opens it.
    owner.set_team("acme", JOB, &[]).await;
    assert_eq!(detail(&ivan, ada).await.status, StatusCode::NOT_FOUND);
    srv.stop().await;
}

async fn save_template(c: &Browser, stages: &str) -> common::Answer {
    c.call(
        "update_stage_template",
        &[("slug", "acme"), ("stages", stages)],
    )
    .await
}

async fn edit_stages(c: &Browser, stages: &str) -> common::Answer {
    c.call(
        "save_job_stages",
        &[("slug", "acme"), ("job", JOB), ("stages", stages)],
    )
    .await
}

fn stage_names_of(board: &Value) -> Vec<String> {
    board["stages"]
        .as_array()
        .expect("stages")
        .iter()
        .map(|s| s["name"].as_str().expect("name").to_owned())
        .collect()
}

async fn stages_come_from_the_organisation_and_each_job_edits_its_own(db: Db) {
    let Some(srv) = TestServer::start(db).await else {
        return;
    };
    let owner = published_job(&srv).await;
    // The template: the defaults, then the organisation's own (checked first).
    let template = owner.call("stage_template", &[("slug", "acme")]).await;
    assert_eq!(
        template.body["stages"],
        serde_json::json!(["Applied", "Screen", "Interview", "Offer", "Hired"])
    );
    let twice = save_template(&owner, "Applied\nPhone screen\napplied").await;
    assert_eq!(
        twice.field_error("stages").as_deref(),
        Some("“applied” is there twice; stage names must differ.")
    );
    assert!(save_template(&owner, "Applied")
        .await
        .field_error("stages")
        .is_some());
    let saved = save_template(&owner, " Applied \n\nPhone screen\nTrial day\nOffer\n").await;
    assert_eq!(saved.status, StatusCode::OK, "{:?}", saved.body);
    // A new job's board starts with them; the existing job keeps the defaults.
    nurse_job(&owner, true).await;
    let nurse = owner
        .call("job_board", &[("slug", "acme"), ("job", "nurse")])
        .await;
    assert_eq!(
        stage_names_of(&nurse.body),
        ["Applied", "Phone screen", "Trial day", "Offer"]
    );

    // The existing job's board: a card in Applied, then its stages edited.
    let visitor = srv.client();
    let sent = apply(
        &visitor,
        JOB,
        form(&fields("ada@example.com"), Some(pdf_cv())),
    )
    .await;
    assert_eq!(sent.status, StatusCode::OK, "{:?}", sent.body);
    let before = board(&owner).await.body;
    let id = |i: usize| before["stages"][i]["id"].as_i64().expect("id");
    // Applied (with the card) cannot go.
    let refused = edit_stages(
        &owner,
        &format!(
            r#"[{{"id":{},"name":"Screen"}},{{"id":{},"name":"Offer"}}]"#,
            id(1),
            id(3)
        ),
    )
    .await;
    assert_eq!(
        refused.field_error("stages").as_deref(),
        Some("“Applied” has 1 open application: move it to another stage before removing it.")
    );
    // Renamed, moved, added, removed (Interview and Hired were empty).
    let edited = edit_stages(&owner, &format!(
        r#"[{{"id":{},"name":"New"}},{{"id":{},"name":"Offer"}},{{"name":"Case study"}},{{"id":{},"name":"Phone screen"}}]"#,
        id(0),
        id(3),
        id(1)
    ))
    .await;
    assert_eq!(edited.status, StatusCode::OK, "{:?}", edited.body);
    assert_eq!(
        stage_names_of(&edited.body),
        ["New", "Offer", "Case study", "Phone screen"]
    );
    let card = edited.body["cards"][0]["application_id"]
        .as_i64()
        .expect("card");
    assert_eq!(
        stage_of(&edited.body, card),
        id(0),
        "the card stayed in its renamed stage"
    );
    // Another job's stage id, a blank name, and an interviewer are refused; nothing changed.
    let other = nurse.body["stages"][0]["id"].as_i64().expect("id");
    let stranger = edit_stages(
        &owner,
        &format!(r#"[{{"id":{other},"name":"A"}},{{"name":"B"}}]"#),
    )
    .await;
    assert!(
        stranger.field_error("stages").is_some(),
        "{:?}",
        stranger.body
    );
    let blank = edit_stages(
        &owner,
        &format!(
            r#"[{{"id":{},"name":" "}},{{"name":"B"}},{{"name":"C"}}]"#,
            id(0)
        ),
    )
    .await;
    assert!(blank.field_error("stages").is_some(), "{:?}", blank.body);
    let employee = owner
        .invite_and_join(
            &srv,
            "acme",
            "emma@example.com",
            "employee",
            "Emma Employee",
        )
        .await;
    let form = [("slug", "acme"), ("job", JOB), ("stages", "[]")];
    assert!(employee
        .call("save_job_stages", &form)
        .await
        .status
        .is_client_error());
    assert_eq!(
        employee
            .call(
                "update_stage_template",
                &[("slug", "acme"), ("stages", "A\nB")]
            )
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        stage_names_of(&board(&owner).await.body),
        ["New", "Offer", "Case study", "Phone screen"]
    );
    srv.stop().await;
}

/// A long column shows its first cards and a link to all of them (in the address, so the page
/// works the same before its wasm runs); the count says how many there are.
async fn a_long_column_shows_its_first_cards_until_asked_for_all(db: Db) {
    let Some(srv) = TestServer::start_with(db, |config| config.applications_per_hour = 100).await
    else {
        return;
    };
    let owner = published_job(&srv).await;
    let visitor = srv.client();
    for i in 0..27 {
        let email = format!("applicant{i}@example.com");
        let sent = apply(&visitor, JOB, form(&fields(&email), Some(pdf_cv()))).await;
        assert_eq!(sent.status, StatusCode::OK, "{:?}", sent.body);
    }
    let page = |path: String| {
        let owner = &owner;
        async move {
            let res = owner.get(&path).await;
            assert_eq!(res.status(), StatusCode::OK);
            res.text().await.expect("the page")
        }
    };
    let cards = |html: &str| html.matches("class=\"board-card\"").count();
    let first = page(format!("/o/acme/jobs/{JOB}/board")).await;
    assert_eq!(cards(&first), 25);
    assert!(first.contains("Show all 27"), "{first}");
    assert!(first.contains("board?all=1"), "{first}");
    let all = page(format!("/o/acme/jobs/{JOB}/board?sort=score&all=1")).await;
    assert_eq!(cards(&all), 27);
    assert!(!all.contains("Show all"));
    srv.stop().await;
}

on_both_databases!(
    a_long_column_shows_its_first_cards_until_asked_for_all,
    stages_come_from_the_organisation_and_each_job_edits_its_own,
    the_board_moves_cards_live_for_the_hiring_team,
    applications_are_scored_in_the_background_and_again_when_the_skills_change,
    rejecting_takes_a_reason_and_may_mail_the_candidate,
    notes_mention_colleagues_who_can_see_the_application,
    interviewers_see_only_the_applications_assigned_to_them,
);
