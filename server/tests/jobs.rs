//! Jobs: recruiters write them and move them through draft → published → closed → archived with
//! who and when; a bad form is refused field by field with nothing stored; the list searches,
//! filters, orders and pages; other roles see what the permission matrix allows; the search
//! store follows every write.

use crate::common;

use common::{Browser, Db, TestServer};
use reqwest::StatusCode;
use serde_json::Value;

fn job_form<'a>(
    job: &'a str,
    title: &'a str,
    department: &'a str,
    location: &'a str,
) -> Vec<(&'a str, &'a str)> {
    vec![
        ("slug", "acme"),
        ("job", job),
        ("title", title),
        ("department", department),
        ("location", location),
        ("remote", "hybrid"),
        ("employment", "full_time"),
        ("salary_min", "60,000"),
        ("salary_max", "75000"),
        ("salary_currency", "eur"),
        ("salary_public", "on"),
        (
            "description",
            "## What you do\r\n- Build **services** in Rust\r\n\r\n<script>alert(1)</script>",
        ),
    ]
}

async fn list(client: &Browser, filters: &[(&str, &str)]) -> common::Answer {
    let mut form = vec![
        ("slug", "acme"),
        ("query", ""),
        ("status", ""),
        ("department", ""),
        ("location", ""),
        ("sort", ""),
        ("page", "1"),
    ];
    for (key, value) in filters {
        if let Some(slot) = form.iter_mut().find(|(k, _)| k == key) {
            slot.1 = value;
        }
    }
    client.call("jobs", &form).await
}

fn titles(page: &Value) -> Vec<String> {
    page["jobs"]
        .as_array()
        .expect("jobs")
        .iter()
        .map(|j| j["title"].as_str().expect("title").to_owned())
        .collect()
}

async fn count_jobs(srv: &TestServer) -> i64 {
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM jobs")
        .fetch_one(&srv.state().db.pool)
        .await
        .expect("count");
    n
}

async fn a_job_is_written_and_moves_through_its_life(db: Db) {
    let Some(srv) = TestServer::start(db).await else {
        return;
    };
    let owner = srv.client();
    owner.sign_up("Olive Owner", "owner@example.com").await;
    owner.create_org("Acme", "acme").await;
    let recruiter = owner
        .invite_and_join(
            &srv,
            "acme",
            "rec@example.com",
            "recruiter",
            "Rita Recruiter",
        )
        .await;

    let created = recruiter
        .call(
            "save_job",
            &job_form("", "Senior Rust Engineer (m/f/d)", "Engineering", "Berlin"),
        )
        .await;
    assert_eq!(created.status, StatusCode::OK, "{:?}", created.body);
    let job = &created.body;
    assert_eq!(job["slug"], "senior-rust-engineer-m-f-d");
    assert_eq!(job["status"], "draft");
    assert_eq!(job["remote"], "hybrid");
    assert_eq!(job["salary"]["min"], 60000);
    assert_eq!(job["salary"]["currency"], "EUR");
    assert_eq!(job["salary"]["public"], true);
    let html = job["description_html"].as_str().expect("html");
    assert!(html.contains("<h2>What you do</h2>"), "{html}");
    assert!(html.contains("<strong>services</strong>"), "{html}");
    assert!(!html.contains("<script"), "raw HTML never passes: {html}");
    assert_eq!(job["history"][0]["status"], "draft");
    assert_eq!(job["history"][0]["by"], "Rita Recruiter");

    // The same title again gets its own address.
    let again = recruiter
        .call(
            "save_job",
            &job_form("", "Senior Rust Engineer (m/f/d)", "Engineering", "Hamburg"),
        )
        .await;
    assert_eq!(again.body["slug"], "senior-rust-engineer-m-f-d-2");

    // Editing keeps the address and the status.
    let mut edit = job_form(
        "senior-rust-engineer-m-f-d",
        "Staff Rust Engineer",
        "Engineering",
        "Berlin",
    );
    edit.retain(|(k, _)| *k != "salary_public");
    let edited = recruiter.call("save_job", &edit).await;
    assert_eq!(edited.status, StatusCode::OK, "{:?}", edited.body);
    assert_eq!(edited.body["title"], "Staff Rust Engineer");
    assert_eq!(edited.body["slug"], "senior-rust-engineer-m-f-d");
    assert_eq!(
        edited.body["salary"]["public"], false,
        "an unticked box is off"
    );

    let to = |status: &'static str| {
        [
            ("slug", "acme"),
            ("job", "senior-rust-engineer-m-f-d"),
            ("to", status),
        ]
    };
    for status in [
        "published",
        "closed",
        "published",
        "closed",
        "archived",
        "draft",
    ] {
        let moved = recruiter.call("change_job_status", &to(status)).await;
        assert_eq!(
            moved.status,
            StatusCode::OK,
            "to {status}: {:?}",
            moved.body
        );
        assert_eq!(moved.body["status"], status);
    }
    // A draft cannot be closed: refused with what it can do, and nothing recorded.
    let refused = recruiter.call("change_job_status", &to("closed")).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        refused.field_error("to").as_deref(),
        Some("A draft job cannot be moved to closed; it can only publish or archive.")
    );
    let unknown = recruiter.call("change_job_status", &to("deleted")).await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
    let job = recruiter
        .call(
            "job",
            &[("slug", "acme"), ("job", "senior-rust-engineer-m-f-d")],
        )
        .await;
    let history: Vec<&str> = job.body["history"]
        .as_array()
        .expect("history")
        .iter()
        .map(|h| h["status"].as_str().expect("status"))
        .collect();
    assert_eq!(
        history,
        [
            "draft",
            "published",
            "closed",
            "published",
            "closed",
            "archived",
            "draft"
        ]
    );
    let missing = recruiter
        .call("job", &[("slug", "acme"), ("job", "no-such-job")])
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    srv.stop().await;
}

async fn a_bad_job_form_says_what_to_fix_and_stores_nothing(db: Db) {
    let Some(srv) = TestServer::start(db).await else {
        return;
    };
    let owner = srv.client();
    owner.sign_up("Olive Owner", "owner@example.com").await;
    owner.create_org("Acme", "acme").await;
    let mut form = job_form("", "  ", "Engineering", "");
    for (key, value) in &mut form {
        match *key {
            "salary_min" => *value = "80000",
            "salary_max" => *value = "lots",
            "remote" => *value = "onsite",
            "salary_currency" => *value = "euro",
            _ => {}
        }
    }
    let refused = owner.call("save_job", &form).await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{:?}",
        refused.body
    );
    assert_eq!(
        refused.field_error("title").as_deref(),
        Some("Enter the job's title.")
    );
    assert_eq!(
        refused.field_error("location").as_deref(),
        Some("Enter where the job is (a city), or make it remote.")
    );
    assert_eq!(
        refused.field_error("salary_max").as_deref(),
        Some("Enter a whole yearly amount such as 65000, or leave it empty.")
    );
    assert_eq!(
        refused.field_error("salary_currency").as_deref(),
        Some("Enter the currency as its three-letter code, such as EUR or GBP.")
    );
    assert_eq!(count_jobs(&srv).await, 0, "nothing stored");

    // A bad edit leaves the job as it was.
    let saved = owner
        .call("save_job", &job_form("", "Nurse", "", "Leeds"))
        .await;
    assert_eq!(saved.status, StatusCode::OK, "{:?}", saved.body);
    let long = "x".repeat(shared::jobs::MAX_DESCRIPTION_CHARS + 1);
    let mut edit = job_form("nurse", "Charge Nurse", "", "Leeds");
    for (key, value) in &mut edit {
        if *key == "description" {
            *value = &long;
        }
    }
    let refused = owner.call("save_job", &edit).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.field_error("description").is_some());
    let job = owner
        .call("job", &[("slug", "acme"), ("job", "nurse")])
        .await;
    assert_eq!(job.body["title"], "Nurse");
    srv.stop().await;
}

async fn the_job_list_searches_filters_orders_and_pages(db: Db) {
    let Some(srv) = TestServer::start(db).await else {
        return;
    };
    let owner = srv.client();
    owner.sign_up("Olive Owner", "owner@example.com").await;
    owner.create_org("Acme", "acme").await;
    for (title, department, location) in [
        ("Staff Nurse", "Emergency", "Leeds"),
        ("Charge Nurse", "Emergency", "York"),
        ("Financial Controller", "Finance", "Manchester"),
        ("Rust Engineer", "Engineering", "Berlin"),
    ] {
        let saved = owner
            .call("save_job", &job_form("", title, department, location))
            .await;
        assert_eq!(saved.status, StatusCode::OK, "{:?}", saved.body);
    }
    owner
        .call(
            "change_job_status",
            &[
                ("slug", "acme"),
                ("job", "rust-engineer"),
                ("to", "published"),
            ],
        )
        .await;
    owner
        .call(
            "change_job_status",
            &[("slug", "acme"), ("job", "staff-nurse"), ("to", "archived")],
        )
        .await;

    let all = list(&owner, &[("sort", "title")]).await;
    assert_eq!(all.status, StatusCode::OK, "{:?}", all.body);
    assert_eq!(
        titles(&all.body),
        ["Charge Nurse", "Financial Controller", "Rust Engineer"],
        "archived jobs show only when asked for"
    );
    assert_eq!(
        all.body["departments"],
        serde_json::json!(["Emergency", "Engineering", "Finance"])
    );
    assert_eq!(all.body["can_manage"], true);
    let archived = list(&owner, &[("status", "archived")]).await;
    assert_eq!(titles(&archived.body), ["Staff Nurse"]);
    let published = list(&owner, &[("status", "published")]).await;
    assert_eq!(titles(&published.body), ["Rust Engineer"]);
    let emergency = list(&owner, &[("department", "Emergency"), ("status", "draft")]).await;
    assert_eq!(titles(&emergency.body), ["Charge Nurse"]);
    let york = list(&owner, &[("location", "York")]).await;
    assert_eq!(titles(&york.body), ["Charge Nurse"]);
    let searched = list(&owner, &[("query", "NURSE")]).await;
    assert_eq!(titles(&searched.body), ["Charge Nurse"]);
    let by_place = list(&owner, &[("query", "manch")]).await;
    assert_eq!(titles(&by_place.body), ["Financial Controller"]);
    // LIKE's wildcards are plain characters in a search.
    let wildcard = list(&owner, &[("query", "%")]).await;
    assert_eq!(titles(&wildcard.body), Vec::<String>::new());
    let bad = list(&owner, &[("sort", "salary")]).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let long = "nurse ".repeat(40);
    let too_long = list(&owner, &[("query", long.as_str())]).await;
    assert_eq!(
        too_long.field_error("query").as_deref(),
        Some("Search with at most 200 characters.")
    );

    // Pages of twenty, newest change first.
    for n in 1..=20 {
        let title = format!("Porter {n:02}");
        owner
            .call("save_job", &job_form("", &title, "Facilities", "Leeds"))
            .await;
    }
    let first = list(&owner, &[("department", "Facilities")]).await;
    assert_eq!(first.body["total"], 20);
    assert_eq!(titles(&first.body).len(), 20);
    assert_eq!(titles(&first.body)[0], "Porter 20");
    let everything = list(&owner, &[]).await;
    assert_eq!(everything.body["total"], 23);
    let second = list(&owner, &[("page", "2")]).await;
    assert_eq!(titles(&second.body).len(), 3);
    srv.stop().await;
}

async fn a_hiring_manager_sees_the_jobs_whose_team_they_are_on(db: Db) {
    let Some(srv) = TestServer::start(db).await else {
        return;
    };
    let owner = srv.client();
    owner.sign_up("Olive Owner", "owner@example.com").await;
    owner.create_org("Acme", "acme").await;
    for (title, department) in [("Nurse", "Emergency"), ("Porter", "Facilities")] {
        owner
            .call("save_job", &job_form("", title, department, "Leeds"))
            .await;
    }
    let hal = owner
        .invite_and_join(
            &srv,
            "acme",
            "hal@example.com",
            "hiring_manager",
            "Hal Manager",
        )
        .await;
    let ivy = owner
        .invite_and_join(
            &srv,
            "acme",
            "ivy@example.com",
            "hiring_manager",
            "Ivy Manager",
        )
        .await;
    let hal_id = hal.me().await["user_id"].as_i64().expect("id");
    let owner_id = owner.me().await["user_id"].as_i64().expect("id");
    let team = serde_json::json!([
        { "user_id": owner_id, "role": "recruiter" },
        { "user_id": hal_id, "role": "hiring_manager" },
    ])
    .to_string();
    let nurse = [("slug", "acme"), ("job", "nurse")];
    let saved = owner
        .call(
            "save_job_team",
            &[nurse[0], nurse[1], ("team", team.as_str())],
        )
        .await;
    assert_eq!(saved.status, StatusCode::OK, "{:?}", saved.body);
    assert_eq!(saved.body["team"][0]["name"], "Olive Owner");
    assert_eq!(saved.body["team"][1]["role"], "hiring_manager");

    // Hal sees the nurse job (and only its department in the filters), reads it, changes nothing.
    let page = list(&hal, &[]).await;
    assert_eq!(titles(&page.body), ["Nurse"]);
    assert_eq!(page.body["departments"], serde_json::json!(["Emergency"]));
    assert_eq!(page.body["can_manage"], false);
    let job = hal.call("job", &nurse).await;
    assert_eq!(job.status, StatusCode::OK, "{:?}", job.body);
    assert_eq!(job.body["can_manage"], false);
    let porter = hal
        .call("job", &[("slug", "acme"), ("job", "porter")])
        .await;
    assert_eq!(porter.status, StatusCode::NOT_FOUND, "not on that team");
    let write = hal
        .call("save_job_team", &[nurse[0], nurse[1], ("team", "[]")])
        .await;
    assert_eq!(write.status, StatusCode::FORBIDDEN);
    // Ivy is on no team.
    assert_eq!(titles(&list(&ivy, &[]).await.body), Vec::<String>::new());

    // Someone from elsewhere, a role that does not exist, the same person twice: refused, and
    // the team stays as it was.
    let stranger = srv.client();
    stranger.sign_up("Sam Stranger", "sam@example.com").await;
    let stranger_id = stranger.me().await["user_id"].as_i64().expect("id");
    for (bad, message) in [
        (
            serde_json::json!([{ "user_id": stranger_id, "role": "interviewer" }]).to_string(),
            "Someone chosen is not a member of this organisation (any more); reload the page and choose again.",
        ),
        (
            serde_json::json!([{ "user_id": hal_id, "role": "boss" }]).to_string(),
            "Choose recruiter, hiring manager or interviewer for each member.",
        ),
        (
            serde_json::json!([
                { "user_id": hal_id, "role": "interviewer" },
                { "user_id": hal_id, "role": "hiring_manager" },
            ])
            .to_string(),
            "A person is on the team twice; keep one role for them.",
        ),
    ] {
        let refused = owner
            .call("save_job_team", &[nurse[0], nurse[1], ("team", bad.as_str())])
            .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
        assert_eq!(refused.field_error("team").as_deref(), Some(message));
    }
    let job = owner.call("job", &nurse).await;
    assert_eq!(job.body["team"].as_array().map(Vec::len), Some(2));
    srv.stop().await;
}

async fn roles_see_and_change_jobs_as_the_matrix_says(db: Db) {
    let Some(srv) = TestServer::start(db).await else {
        return;
    };
    let owner = srv.client();
    owner.sign_up("Olive Owner", "owner@example.com").await;
    owner.create_org("Acme", "acme").await;
    let saved = owner
        .call("save_job", &job_form("", "Nurse", "", "Leeds"))
        .await;
    assert_eq!(saved.status, StatusCode::OK);
    let manager = owner
        .invite_and_join(
            &srv,
            "acme",
            "hm@example.com",
            "hiring_manager",
            "Hal Manager",
        )
        .await;
    // A hiring manager on no job's team: an empty list, no job.
    let page = list(&manager, &[]).await;
    assert_eq!(page.status, StatusCode::OK, "{:?}", page.body);
    assert_eq!(page.body["total"], 0);
    assert_eq!(page.body["can_manage"], false);
    let job = manager
        .call("job", &[("slug", "acme"), ("job", "nurse")])
        .await;
    assert_eq!(job.status, StatusCode::NOT_FOUND);
    let write = manager
        .call("save_job", &job_form("", "Porter", "", "Leeds"))
        .await;
    assert_eq!(write.status, StatusCode::FORBIDDEN);
    let publish = manager
        .call(
            "change_job_status",
            &[("slug", "acme"), ("job", "nurse"), ("to", "published")],
        )
        .await;
    assert_eq!(publish.status, StatusCode::FORBIDDEN);
    for role in ["interviewer", "employee", "viewer"] {
        let member = owner
            .invite_and_join(&srv, "acme", &format!("{role}@example.com"), role, "Member")
            .await;
        let page = list(&member, &[]).await;
        assert_eq!(page.status, StatusCode::FORBIDDEN, "{role}");
        let job = member
            .call("job", &[("slug", "acme"), ("job", "nurse")])
            .await;
        assert_eq!(job.status, StatusCode::FORBIDDEN, "{role}");
    }
    assert_eq!(
        count_jobs(&srv).await,
        1,
        "nothing written by those who may not"
    );
    srv.stop().await;
}

async fn every_write_reaches_the_search_store(db: Db) {
    let Some(srv) = TestServer::start(db).await else {
        return;
    };
    let owner = srv.client();
    owner.sign_up("Olive Owner", "owner@example.com").await;
    let org = owner.create_org("Acme", "acme").await;
    let saved = owner
        .call(
            "save_job",
            &job_form("", "Emergency Department Nurse", "Emergency", "Leeds"),
        )
        .await;
    let id = saved.body["id"].as_i64().expect("id");
    let documents = &srv.state().documents;
    let mut found = Vec::new();
    for _ in 0..300 {
        let page = documents
            .search(org, "nurse for the emergency department", Some("job"), 0, 5)
            .await
            .expect("search");
        found = page
            .hits
            .iter()
            .map(|h| (h.key.id, h.title.clone()))
            .collect();
        if !found.is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(found, [(id, "Emergency Department Nurse".to_owned())]);

    // A new title replaces the old one in the store.
    let edit = job_form(
        "emergency-department-nurse",
        "Triage Nurse",
        "Emergency",
        "Leeds",
    );
    owner.call("save_job", &edit).await;
    for _ in 0..300 {
        let page = documents
            .search(org, "triage nurse", Some("job"), 0, 5)
            .await
            .expect("search");
        found = page
            .hits
            .iter()
            .map(|h| (h.key.id, h.title.clone()))
            .collect();
        if found.first().is_some_and(|(_, t)| t == "Triage Nurse") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(found, [(id, "Triage Nurse".to_owned())]);
    srv.stop().await;
}

async fn publish(client: &Browser, job: &str) {
    let moved = client
        .call(
            "change_job_status",
            &[("slug", "acme"), ("job", job), ("to", "published")],
        )
        .await;
    assert_eq!(moved.status, StatusCode::OK, "{:?}", moved.body);
}

async fn the_careers_page_shows_published_jobs_only_to_anyone(db: Db) {
    let Some(srv) = TestServer::start(db).await else {
        return;
    };
    let owner = srv.client();
    owner.sign_up("Olive Owner", "owner@example.com").await;
    owner.create_org("Acme Care", "acme").await;
    for (title, department, location) in [
        ("Staff Nurse", "Emergency", "Leeds"),
        ("Charge Nurse", "Emergency", "York"),
        ("Financial Controller", "Finance", "Manchester"),
    ] {
        owner
            .call("save_job", &job_form("", title, department, location))
            .await;
    }
    let about = [
        ("slug", "acme"),
        ("name", "Acme Care"),
        ("website", ""),
        ("description", "We run three care homes in Yorkshire."),
        ("retention_months", "6"),
    ];
    assert_eq!(
        owner.call("update_organisation", &about).await.status,
        StatusCode::OK
    );
    publish(&owner, "staff-nurse").await;
    publish(&owner, "financial-controller").await;
    publish(&owner, "charge-nurse").await;
    owner
        .call(
            "change_job_status",
            &[("slug", "acme"), ("job", "charge-nurse"), ("to", "closed")],
        )
        .await;

    // Anyone: a browser that never signed in.
    let visitor = srv.client();
    let careers = |filters: &[(&'static str, &'static str)]| {
        let mut form = vec![
            ("org", "acme"),
            ("department", ""),
            ("location", ""),
            ("remote", ""),
        ];
        for (k, v) in filters {
            if let Some(slot) = form.iter_mut().find(|(key, _)| key == k) {
                slot.1 = v;
            }
        }
        let visitor = &visitor;
        async move { visitor.call("careers", &form).await }
    };
    let all = careers(&[]).await;
    assert_eq!(all.status, StatusCode::OK, "{:?}", all.body);
    assert_eq!(all.body["org_name"], "Acme Care");
    assert_eq!(
        all.body["description"],
        "We run three care homes in Yorkshire."
    );
    let mut shown = titles(&all.body);
    shown.sort();
    assert_eq!(
        shown,
        ["Financial Controller", "Staff Nurse"],
        "drafts and closed jobs are not public"
    );
    assert_eq!(
        all.body["departments"],
        serde_json::json!(["Emergency", "Finance"])
    );
    let finance = careers(&[("department", "Finance")]).await;
    assert_eq!(titles(&finance.body), ["Financial Controller"]);
    let leeds = careers(&[("location", "Leeds"), ("remote", "hybrid")]).await;
    assert_eq!(titles(&leeds.body), ["Staff Nurse"]);
    let remote = careers(&[("remote", "remote")]).await;
    assert_eq!(titles(&remote.body), Vec::<String>::new());

    let job = |org: &'static str, job: &'static str| {
        let visitor = &visitor;
        async move {
            visitor
                .call("careers_job", &[("org", org), ("job", job)])
                .await
        }
    };
    let nurse = job("acme", "staff-nurse").await;
    assert_eq!(nurse.status, StatusCode::OK, "{:?}", nurse.body);
    assert_eq!(
        nurse.body["job"]["salary"]["min"], 60000,
        "shown: the box was ticked"
    );
    assert_eq!(
        nurse.body["retention_months"], 6,
        "the consent names the period from Settings"
    );
    assert_eq!(
        job("acme", "charge-nurse").await.status,
        StatusCode::NOT_FOUND,
        "closed"
    );
    assert_eq!(
        job("acme", "no-such-job").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        job("nobody", "staff-nurse").await.status,
        StatusCode::NOT_FOUND
    );
    let missing_org = visitor
        .call(
            "careers",
            &[
                ("org", "nobody"),
                ("department", ""),
                ("location", ""),
                ("remote", ""),
            ],
        )
        .await;
    assert_eq!(missing_org.status, StatusCode::NOT_FOUND);

    // Another organisation's careers page never shows Acme's jobs, even with the same address.
    let other = srv.client();
    other.sign_up("Oscar Other", "other@example.com").await;
    other.create_org("Other", "other").await;
    assert_eq!(
        job("other", "staff-nurse").await.status,
        StatusCode::NOT_FOUND
    );

    // The page itself, as a browser without JavaScript or a crawler gets it: one response with
    // the job, its meta tags and its JobPosting.
    let page = visitor.get("/careers/acme/staff-nurse").await;
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.expect("html");
    assert!(html.contains("<h1>Staff Nurse"), "{html}");
    assert_eq!(
        html.matches(r#"<meta name="description""#).count(),
        1,
        "{html}"
    );
    assert!(
        html.contains(r#"<meta property="og:title" content="Staff Nurse at Acme Care""#),
        "{html}"
    );
    assert!(
        html.contains(r#"<script type="application/ld+json">"#),
        "{html}"
    );
    assert!(html.contains(r#""@type":"JobPosting""#), "{html}");
    assert!(
        html.contains("Build <strong>services</strong> in Rust"),
        "{html}"
    );
    assert!(!html.contains("<script>alert(1)</script>"), "{html}");
    let closed = visitor.get("/careers/acme/charge-nurse").await;
    assert_eq!(closed.status(), StatusCode::NOT_FOUND);
    let list = visitor.get("/careers/acme?department=Finance").await;
    let html = list.text().await.expect("html");
    assert!(
        html.contains(r#"href="/careers/acme/financial-controller""#),
        "{html}"
    );
    assert!(
        !html.contains("/careers/acme/staff-nurse"),
        "filtered without JavaScript: {html}"
    );
    srv.stop().await;
}

/// The nonce of a page's Content-Security-Policy, and whether its body uses that one only.
async fn page_nonce(page: reqwest::Response) -> (String, String) {
    let status = page.status();
    let policy = page.headers()["content-security-policy"]
        .to_str()
        .expect("policy")
        .to_owned();
    let Some(at) = policy.find("'nonce-") else {
        let body = page.text().await.unwrap_or_default();
        panic!("{status}, no nonce in {policy:?}: {body}");
    };
    let start = at + "'nonce-".len();
    let nonce = policy[start..]
        .split('\'')
        .next()
        .expect("nonce")
        .to_owned();
    let html = page.text().await.expect("html");
    assert!(html.contains(&format!(r#"nonce="{nonce}""#)), "{html}");
    (nonce, html)
}

/// Visitors who are not signed in get careers pages rendered once (each with its own nonce);
/// a write is seen at once, and a signed-in member's page is always rendered for them.
async fn careers_pages_are_kept_for_visitors_and_dropped_by_writes(db: Db) {
    let Some(srv) = TestServer::start(db).await else {
        return;
    };
    let owner = srv.client();
    owner.sign_up("Olive Owner", "owner@example.com").await;
    owner.create_org("Acme Care", "acme").await;
    owner
        .call(
            "save_job",
            &job_form("", "Staff Nurse", "Emergency", "Leeds"),
        )
        .await;
    publish(&owner, "staff-nurse").await;
    let visitor = srv.client();
    let (first, html) = page_nonce(visitor.get("/careers/acme").await).await;
    let (second, again) = page_nonce(visitor.get("/careers/acme").await).await;
    assert_ne!(first, second, "a kept page never reuses a nonce");
    assert_eq!(html.replace(&first, &second), again);
    // Pages that run their code when the browser is idle come without the hints that fetch it
    // ahead of them (careers pages, a job's board); the others keep them.
    let no_hints = |page: &str| !page.contains("modulepreload") && !page.contains(r#"as="fetch""#);
    assert!(no_hints(&html), "{html}");
    let (_, board) = page_nonce(owner.get("/o/acme/jobs/staff-nurse/board").await).await;
    assert!(
        board.contains("board-column") && no_hints(&board),
        "{board}"
    );
    let (_, job) = page_nonce(owner.get("/o/acme/jobs/staff-nurse").await).await;
    assert!(job.contains(r#"rel="modulepreload""#), "{job}");

    // Changed behind the server's back (no write through it): a member's page shows it.
    sqlx::query("UPDATE jobs SET title = 'Senior Staff Nurse' WHERE slug = 'staff-nurse'")
        .execute(&srv.state().db.pool)
        .await
        .expect("update");
    let (_, mine) = page_nonce(owner.get("/careers/acme").await).await;
    assert!(mine.contains("Senior Staff Nurse"), "{mine}");

    // A write through the server: every visitor sees the result at once.
    owner
        .call("save_job", &job_form("", "Porter", "Facilities", "Leeds"))
        .await;
    publish(&owner, "porter").await;
    let (_, now) = page_nonce(visitor.get("/careers/acme").await).await;
    assert!(
        now.contains("Senior Staff Nurse") && now.contains("/careers/acme/porter"),
        "{now}"
    );
    owner
        .call(
            "change_job_status",
            &[("slug", "acme"), ("job", "porter"), ("to", "closed")],
        )
        .await;
    let (_, closed) = page_nonce(visitor.get("/careers/acme").await).await;
    assert!(!closed.contains("/careers/acme/porter"), "{closed}");
    srv.stop().await;
}

async fn a_job_s_skills_are_suggested_from_its_text_and_saved_in_order(db: Db) {
    let Some(srv) = TestServer::start(db).await else {
        return;
    };
    let owner = srv.client();
    owner.sign_up("Olive Owner", "owner@example.com").await;
    owner.create_org("Acme", "acme").await;
    let mut form = job_form("", "Staff Nurse", "Emergency", "Leeds");
    for (key, value) in &mut form {
        if *key == "description" {
            *value = "## Requirements\n- Triage and IV therapy\n- Experience with AWS or GCP\n\n\
                      ## Nice to have\n- Phlebotomy\n\n## What we offer\n- A learning budget";
        }
    }
    owner.call("save_job", &form).await;
    let job = [("slug", "acme"), ("job", "staff-nurse")];
    let suggested = owner.call("job_skill_suggestions", &job).await;
    assert_eq!(suggested.status, StatusCode::OK, "{:?}", suggested.body);
    let from_text = suggested.body["from_text"].as_array().expect("from_text");
    let kind_of = |label: &str| {
        from_text
            .iter()
            .find(|s| s["label"] == label)
            .map(|s| s["required"].as_str().expect("kind").to_owned())
    };
    assert_eq!(kind_of("Triage").as_deref(), Some("must"), "{from_text:?}");
    assert_eq!(
        kind_of("Phlebotomy").as_deref(),
        Some("nice"),
        "{from_text:?}"
    );
    assert_eq!(
        kind_of("Budgeting"),
        None,
        "benefits ask for nothing: {from_text:?}"
    );
    let cloud = from_text
        .iter()
        .find(|s| s["label"] == "Amazon Web Services")
        .expect("an option group");
    assert_eq!(
        cloud["alternatives"],
        serde_json::json!(["Google Cloud Platform"])
    );

    let skills = serde_json::json!([
        { "label": " Triage ", "required": "must", "level": 4 },
        { "label": "Amazon Web Services", "required": "must", "alternatives": ["Google Cloud Platform"] },
        { "label": "Phlebotomy", "required": "nice" },
    ])
    .to_string();
    let saved = owner
        .call(
            "save_job_skills",
            &[job[0], job[1], ("skills", skills.as_str())],
        )
        .await;
    assert_eq!(saved.status, StatusCode::OK, "{:?}", saved.body);
    let stored = owner.call("job", &job).await.body["skills"].clone();
    assert_eq!(stored[0]["label"], "Triage");
    assert_eq!(stored[0]["level"], 4);
    assert_eq!(
        stored[1]["alternatives"],
        serde_json::json!(["Google Cloud Platform"])
    );
    assert_eq!(stored[2]["required"], "nice");

    // Twice the same skill, a level of 6, or not JSON: refused, and the stored list stays.
    for (bad, message) in [
        (
            r#"[{"label":"Triage","required":"must"},{"label":"triage","required":"nice"}]"#,
            "“triage” is listed twice; keep one.",
        ),
        (
            r#"[{"label":"Triage","required":"must","level":6}]"#,
            "The level of “Triage” must be from 1 to 5.",
        ),
        (
            "Triage",
            "The skills could not be read; reload the page and try again.",
        ),
    ] {
        let refused = owner
            .call("save_job_skills", &[job[0], job[1], ("skills", bad)])
            .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
        assert_eq!(refused.field_error("skills").as_deref(), Some(message));
    }
    assert_eq!(owner.call("job", &job).await.body["skills"], stored);
    srv.stop().await;
}

on_both_databases!(
    careers_pages_are_kept_for_visitors_and_dropped_by_writes,
    a_hiring_manager_sees_the_jobs_whose_team_they_are_on,
    a_job_s_skills_are_suggested_from_its_text_and_saved_in_order,
    a_job_is_written_and_moves_through_its_life,
    a_bad_job_form_says_what_to_fix_and_stores_nothing,
    the_job_list_searches_filters_orders_and_pages,
    roles_see_and_change_jobs_as_the_matrix_says,
    every_write_reaches_the_search_store,
    the_careers_page_shows_published_jobs_only_to_anyone,
);
