//! Candidates: the hiring team lists, searches and opens the people who applied and downloads
//! their CVs; a hiring manager sees those of their team's jobs; other roles and other
//! organisations see nothing (another organisation's ids are "not found").

use crate::common;

use common::{
    careers::{apply, fields, fixture, form, nurse_job, pdf_cv, published_job, Cv, JOB},
    Browser, Db, TestServer,
};
use reqwest::{header, StatusCode};
use serde_json::Value;
use talentloom_server::matching::{duplicates::later_version, quality};

async fn list(c: &Browser, slug: &str, query: &str) -> common::Answer {
    c.call(
        "candidates",
        &[("slug", slug), ("query", query), ("page", "1")],
    )
    .await
}

fn names(page: &Value) -> Vec<String> {
    page["candidates"]
        .as_array()
        .expect("candidates")
        .iter()
        .map(|c| c["name"].as_str().expect("name").to_owned())
        .collect()
}

/// The hits found by their name or e-mail address.
fn by_name(page: &Value) -> Vec<String> {
    page["candidates"]
        .as_array()
        .expect("candidates")
        .iter()
        .filter(|c| {
            c["reasons"].as_array().is_some_and(|r| {
                r.iter().any(|r| {
                    let text = r["text"].as_str().unwrap_or_default();
                    text.starts_with("Name matches") || text.starts_with("E-mail address matches")
                })
            })
        })
        .map(|c| c["name"].as_str().expect("name").to_owned())
        .collect()
}

async fn download(c: &Browser, slug: &str, file_id: i64) -> reqwest::Response {
    c.get(&format!("/o/{slug}/files/{file_id}")).await
}

async fn the_hiring_team_sees_candidates_and_nobody_else_does(db: Db) {
    let Some(srv) = TestServer::start(db).await else {
        return;
    };
    let owner = published_job(&srv).await;
    let visitor = srv.client();
    for (name, email) in [
        ("Ada Lovelace", "ada@example.com"),
        ("Grace Hopper", "grace@example.com"),
        ("Alan Turing", "alan@example.com"),
    ] {
        let mut f = fields(email);
        f[0] = ("name", name);
        let sent = apply(&visitor, JOB, form(&f, Some(pdf_cv()))).await;
        assert_eq!(sent.status, StatusCode::OK, "{:?}", sent.body);
    }

    // Newest first; search by name or address, literally.
    let all = list(&owner, "acme", "").await;
    assert_eq!(all.status, StatusCode::OK, "{:?}", all.body);
    assert_eq!(
        names(&all.body),
        ["Alan Turing", "Grace Hopper", "Ada Lovelace"]
    );
    assert_eq!(all.body["total"], 3);
    assert_eq!(
        all.body["candidates"][0]["applications"][0]["stage"],
        "Applied"
    );
    assert_eq!(all.body["candidates"][0]["source"], "careers");
    // Names and addresses literally first (any CV the search also finds comes after them).
    let grace = list(&owner, "acme", "GRACE").await.body;
    assert_eq!(names(&grace)[0], "Grace Hopper");
    assert_eq!(by_name(&grace), ["Grace Hopper"]);
    assert_eq!(
        grace["candidates"][0]["reasons"][0]["text"],
        "Name matches “GRACE”"
    );
    let alan = list(&owner, "acme", "alan@").await.body;
    assert_eq!(by_name(&alan), ["Alan Turing"]);
    assert_eq!(
        alan["candidates"][0]["reasons"][0]["text"],
        "E-mail address matches “alan@”"
    );
    assert!(
        by_name(&list(&owner, "acme", "%").await.body).is_empty(),
        "% is a character"
    );

    // A profile: contact, links, CV text, cover letter, the application.
    let ada_id = all.body["candidates"][2]["id"].as_i64().expect("id");
    let ada_id_text = ada_id.to_string();
    let ada = owner
        .call("candidate", &[("slug", "acme"), ("id", &ada_id_text)])
        .await;
    assert_eq!(ada.status, StatusCode::OK, "{:?}", ada.body);
    assert_eq!(ada.body["phone"], "+44 20 7946 0018");
    assert_eq!(
        ada.body["links"],
        serde_json::json!(["https://github.com/ada"])
    );
    assert!(ada.body["cv_text"]
        .as_str()
        .expect("text")
        .contains("payment API in Rust"));
    assert_eq!(ada.body["cover_letters"][0][0], "Rust Engineer");
    assert_eq!(ada.body["cv"]["format"], "PDF");
    assert_eq!(ada.body["summary"]["applications"][0]["job_slug"], JOB);
    let file_id = ada.body["cv"]["id"].as_i64().expect("file id");

    // The CV as sent, as an attachment that no browser renders in our origin.
    let file = download(&owner, "acme", file_id).await;
    assert_eq!(file.status(), StatusCode::OK);
    assert_eq!(file.headers()[header::CONTENT_TYPE], "application/pdf");
    assert_eq!(file.headers()["x-content-type-options"], "nosniff");
    assert_eq!(
        file.headers()["content-security-policy"],
        "sandbox; default-src 'none'"
    );
    let disposition = file.headers()[header::CONTENT_DISPOSITION]
        .to_str()
        .expect("header")
        .to_owned();
    assert!(
        disposition.starts_with("attachment; filename=\"ada-cv.pdf\""),
        "{disposition}"
    );
    assert_eq!(
        file.bytes().await.expect("bytes").to_vec(),
        fixture("cv.pdf")
    );

    // Another organisation: its own list is empty, Acme's ids are not found there or here.
    let stranger = srv.client();
    stranger.sign_up("Sam Stranger", "sam@example.com").await;
    stranger.create_org("Beta", "beta").await;
    assert_eq!(list(&stranger, "beta", "").await.body["total"], 0);
    let theirs = stranger
        .call("candidate", &[("slug", "beta"), ("id", &ada_id_text)])
        .await;
    assert_eq!(theirs.status, StatusCode::NOT_FOUND);
    assert_eq!(
        list(&stranger, "acme", "").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        download(&stranger, "beta", file_id).await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        download(&stranger, "acme", file_id).await.status(),
        StatusCode::NOT_FOUND
    );
    // Signed out: sent to sign in first, like every page of an organisation.
    let signed_out = download(&visitor, "acme", file_id).await;
    assert_eq!(signed_out.status(), StatusCode::SEE_OTHER);
    let to = signed_out.headers()[header::LOCATION]
        .to_str()
        .expect("location");
    assert!(to.starts_with("/signin?next="), "{to}");
    assert_eq!(
        download(&owner, "acme", file_id + 1000).await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        download(&owner, "acme", -1).await.status(),
        StatusCode::NOT_FOUND
    );

    // Employees see no candidate data.
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
        list(&employee, "acme", "").await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        download(&employee, "acme", file_id).await.status(),
        StatusCode::FORBIDDEN
    );

    // A hiring manager sees the candidates of their team's jobs only.
    let manager = owner
        .invite_and_join(
            &srv,
            "acme",
            "hal@example.com",
            "hiring_manager",
            "Hal Manager",
        )
        .await;
    assert_eq!(list(&manager, "acme", "").await.body["total"], 0);
    assert_eq!(
        manager
            .call("candidate", &[("slug", "acme"), ("id", &ada_id_text)])
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        download(&manager, "acme", file_id).await.status(),
        StatusCode::NOT_FOUND
    );
    owner
        .set_team("acme", JOB, &[(&manager, "hiring_manager")])
        .await;
    assert_eq!(list(&manager, "acme", "").await.body["total"], 3);
    assert_eq!(
        download(&manager, "acme", file_id).await.status(),
        StatusCode::OK
    );
    srv.stop().await;
}

/// The search store's candidates for `query`: (id, name), waiting for the index job.
async fn found(srv: &TestServer, org: i64, query: &str, expected: usize) -> Vec<(i64, String)> {
    let mut hits = Vec::new();
    for _ in 0..300 {
        let page = srv
            .state()
            .documents
            .search(org, query, Some("candidate"), 0, 10)
            .await
            .expect("search");
        hits = page
            .hits
            .iter()
            .map(|h| (h.key.id, h.title.clone()))
            .collect();
        if hits.len() == expected {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    hits
}

async fn rows(srv: &TestServer, sql: &str) -> i64 {
    sqlx::query_scalar(sql)
        .fetch_one(&srv.state().db.pool)
        .await
        .expect("count")
}

async fn duplicates_are_flagged_and_merged_without_losing_anything(db: Db) {
    let Some(srv) = TestServer::start(db).await else {
        return;
    };
    let owner = published_job(&srv).await;
    let org: i64 = rows(&srv, "SELECT id FROM organisations WHERE slug = 'acme'").await;
    let visitor = srv.client();
    // The same person twice: a second address, the same phone written differently.
    let mut first = fields("ada@example.com");
    first[2] = ("phone", "+44 (0)20 7946 0018");
    let mut second = fields("ada.lovelace@example.org");
    second[0] = ("name", "Ada King");
    second[2] = ("phone", "+44 20 7946-0018");
    second[3] = ("links", "https://ada.example.org\nhttps://github.com/ada");
    for f in [&first, &second] {
        let sent = apply(&visitor, JOB, form(f, Some(pdf_cv()))).await;
        assert_eq!(sent.status, StatusCode::OK, "{:?}", sent.body);
    }
    // Someone else with nothing in common.
    let mut other = fields("alan@example.com");
    other[0] = ("name", "Alan Turing");
    other[2] = ("phone", "");
    apply(&visitor, JOB, form(&other, Some(pdf_cv()))).await;

    // Every candidate reaches the search store.
    let indexed = found(&srv, org, "payment API in Rust", 3).await;
    assert_eq!(indexed.len(), 3, "{indexed:?}");

    let all = list(&owner, "acme", "").await;
    let id_of = |name: &str| {
        all.body["candidates"]
            .as_array()
            .expect("list")
            .iter()
            .find(|c| c["name"] == name)
            .and_then(|c| c["id"].as_i64())
            .expect("listed")
    };
    let (ada, king, alan) = (
        id_of("Ada Lovelace"),
        id_of("Ada King"),
        id_of("Alan Turing"),
    );
    // Found by a part of the name: three characters or more through the names' trigram index
    // (on SQLite), fewer by reading every name; a quote in the words is only a character.
    for part in ["KING", "a ki", "Ki"] {
        assert_eq!(
            by_name(&list(&owner, "acme", part).await.body),
            ["Ada King"],
            "{part}"
        );
    }
    assert!(by_name(&list(&owner, "acme", "\"king").await.body).is_empty());
    let profile = |id: i64| {
        let owner = &owner;
        async move {
            owner
                .call("candidate", &[("slug", "acme"), ("id", &id.to_string())])
                .await
        }
    };
    let shown = profile(ada).await;
    assert_eq!(shown.body["duplicates"][0]["id"], king);
    assert_eq!(
        shown.body["duplicates"][0]["reasons"],
        serde_json::json!(["phone number"])
    );
    assert_eq!(shown.body["duplicates"].as_array().map(Vec::len), Some(1));
    assert_eq!(shown.body["can_manage"], true);
    assert_eq!(
        profile(alan).await.body["duplicates"],
        serde_json::json!([])
    );

    // Merging: refused across organisations, into itself, and for a hiring manager.
    let manager = owner
        .invite_and_join(
            &srv,
            "acme",
            "hal@example.com",
            "hiring_manager",
            "Hal Manager",
        )
        .await;
    let merge = |c: &Browser, keep: i64, gone: i64| {
        let (c, keep, gone) = (c.clone(), keep.to_string(), gone.to_string());
        async move {
            c.call(
                "merge_candidates",
                &[("slug", "acme"), ("keep", &keep), ("merge", &gone)],
            )
            .await
        }
    };
    assert_eq!(
        merge(&manager, ada, king).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        merge(&owner, ada, ada).await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        merge(&owner, ada, 999_999).await.status,
        StatusCode::NOT_FOUND
    );

    let count = |srv: &TestServer| {
        let pool = srv.state().db.pool.clone();
        async move {
            let mut counts = Vec::new();
            for sql in [
                "SELECT COUNT(*) FROM applications",
                "SELECT COUNT(*) FROM application_events",
                "SELECT COUNT(*) FROM stored_files",
                "SELECT COUNT(*) FROM candidates",
            ] {
                counts.push(
                    sqlx::query_scalar::<_, i64>(sql)
                        .fetch_one(&pool)
                        .await
                        .expect("count"),
                );
            }
            counts
        }
    };
    // Tags: one at a time, any case once, only for those who manage candidates.
    let tag = |c: &Browser, id: i64, endpoint: &'static str, tag: &'static str| {
        let (c, id) = (c.clone(), id.to_string());
        async move {
            c.call(endpoint, &[("slug", "acme"), ("id", &id), ("tag", tag)])
                .await
        }
    };
    assert_eq!(
        tag(&owner, ada, "add_candidate_tag", " Silver   medallist")
            .await
            .body["summary"]["tags"],
        serde_json::json!(["Silver medallist"])
    );
    for (t, expected) in [("relocation", 1), ("silver MEDALLIST", 2), ("old", 3)] {
        let tagged = tag(&owner, king, "add_candidate_tag", t).await;
        assert_eq!(
            tagged.body["summary"]["tags"].as_array().map(Vec::len),
            Some(expected)
        );
    }
    let removed = tag(&owner, king, "remove_candidate_tag", "OLD").await;
    assert_eq!(
        removed.body["summary"]["tags"],
        serde_json::json!(["relocation", "silver MEDALLIST"])
    );
    let comma = tag(&owner, ada, "add_candidate_tag", "a, b").await;
    assert!(comma.field_error("tag").is_some(), "{:?}", comma.body);
    assert_eq!(
        tag(&manager, ada, "add_candidate_tag", "mine").await.status,
        StatusCode::FORBIDDEN
    );
    let tagged = owner
        .call(
            "candidates",
            &[
                ("slug", "acme"),
                ("query", ""),
                ("page", "1"),
                ("tag", "SILVER medallist"),
            ],
        )
        .await;
    let names: Vec<&str> = tagged.body["candidates"]
        .as_array()
        .expect("list")
        .iter()
        .map(|c| c["name"].as_str().expect("name"))
        .collect();
    assert_eq!(names, ["Ada King", "Ada Lovelace"]);

    let before = count(&srv).await;
    assert_eq!(before, [3, 3, 3, 3]);
    let merged = merge(&owner, ada, king).await;
    assert_eq!(merged.status, StatusCode::OK, "{:?}", merged.body);
    assert_eq!(
        count(&srv).await,
        [3, 3, 3, 2],
        "only the merged profile is gone"
    );
    let kept = &merged.body;
    assert_eq!(kept["summary"]["name"], "Ada Lovelace");
    assert_eq!(
        kept["summary"]["applications"].as_array().map(Vec::len),
        Some(2)
    );
    assert_eq!(kept["files"].as_array().map(Vec::len), Some(2));
    assert_eq!(
        kept["links"],
        serde_json::json!(["https://github.com/ada", "https://ada.example.org"])
    );
    assert_eq!(kept["merges"][0]["merged_name"], "Ada King");
    assert_eq!(
        kept["summary"]["tags"],
        serde_json::json!(["relocation", "Silver medallist"]),
        "the tags of both, each once"
    );
    assert_eq!(kept["merges"][0]["by"], "Olive Owner");
    assert_eq!(kept["duplicates"], serde_json::json!([]));
    // Both files are still downloadable from the kept profile; the merged one is gone.
    for file in kept["files"].as_array().expect("files") {
        let id = file["id"].as_i64().expect("id");
        assert_eq!(download(&owner, "acme", id).await.status(), StatusCode::OK);
    }
    assert_eq!(profile(king).await.status, StatusCode::NOT_FOUND);
    // The search store follows: the merged profile leaves it.
    let indexed = found(&srv, org, "payment API in Rust", 2).await;
    let ids: Vec<i64> = indexed.iter().map(|(id, _)| *id).collect();
    assert!(
        ids.contains(&ada) && ids.contains(&alan) && !ids.contains(&king),
        "{indexed:?}"
    );
    // And so do the names: "King" is nobody's any more.
    for part in ["KING", "Ki"] {
        assert!(
            by_name(&list(&owner, "acme", part).await.body).is_empty(),
            "{part}"
        );
    }

    // A hiring manager sees duplicates only among the candidates of their team's jobs.
    nurse_job(&owner, true).await;
    let mut clone = fields("ada@example.com");
    clone[0] = ("name", "Ada Clone");
    let sent = apply(&visitor, "nurse", form(&clone, Some(pdf_cv()))).await;
    assert_eq!(sent.status, StatusCode::OK, "{:?}", sent.body);
    owner
        .set_team("acme", JOB, &[(&manager, "hiring_manager")])
        .await;
    let seen_by = |c: &Browser| {
        let c = c.clone();
        async move {
            let shown = c
                .call("candidate", &[("slug", "acme"), ("id", &ada.to_string())])
                .await;
            assert_eq!(shown.status, StatusCode::OK, "{:?}", shown.body);
            shown.body["duplicates"]
                .as_array()
                .expect("duplicates")
                .iter()
                .map(|d| d["name"].as_str().unwrap_or_default().to_owned())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(seen_by(&owner).await, ["Ada Clone"]);
    assert!(
        seen_by(&manager).await.is_empty(),
        "not a candidate of their team"
    );
    srv.stop().await;
}

/// Sends an application to `job` with a plain-text CV.
async fn apply_with_text(c: &Browser, job: &str, name: &'static str, email: &str, cv: &str) {
    let mut f = fields(email);
    f[0] = ("name", name);
    f[2] = ("phone", "");
    let cv = Cv {
        name: "cv.txt",
        mime: "text/plain",
        bytes: cv.as_bytes().to_vec(),
    };
    let sent = apply(c, job, form(&f, Some(cv))).await;
    assert_eq!(sent.status, StatusCode::OK, "{:?}", sent.body);
}

async fn search(c: &Browser, query: &str, filters: &[(&str, &str)]) -> common::Answer {
    let mut form = vec![("slug", "acme"), ("query", query), ("page", "1")];
    form.extend_from_slice(filters);
    c.call("candidates", &form).await
}

fn reasons(hit: &Value) -> Vec<String> {
    hit["reasons"]
        .as_array()
        .expect("reasons")
        .iter()
        .map(|r| r["text"].as_str().expect("text").to_owned())
        .collect()
}

async fn prospects(c: &Browser, job: &str) -> common::Answer {
    c.call("job_prospects", &[("slug", "acme"), ("job", job)])
        .await
}

const NURSE_CV: &str = "Registered nurse with 6 years of intensive care experience.\n\
    Ran the ICU rota and trained new nurses in patient safety.";
const ENGINEER_CV: &str = "Senior software engineer.\n\
    Built payment services in Rust and PostgreSQL for 5 years, deployed on Kubernetes.";
const BAKER_CV: &str = "Pastry chef.\nBaked bread, croissants and wedding cakes for a hotel \
    kitchen for ten years.";

async fn searching_finds_candidates_by_what_their_cvs_say(db: Db) {
    let Some(srv) = TestServer::start(db).await else {
        return;
    };
    let owner = published_job(&srv).await;
    let visitor = srv.client();
    apply_with_text(&visitor, JOB, "Nina Nurse", "nina@example.com", NURSE_CV).await;
    apply_with_text(&visitor, JOB, "Ravi Rust", "ravi@example.com", ENGINEER_CV).await;
    apply_with_text(&visitor, JOB, "Bea Baker", "bea@example.com", BAKER_CV).await;
    // The CVs are indexed, and their skills read, in the background.
    let mut engineer = Value::Null;
    for _ in 0..300 {
        let page = search(&owner, "", &[("skill", "rust")]).await;
        assert_eq!(page.status, StatusCode::OK, "{:?}", page.body);
        let indexed = |page: &Value, name: &str| names(page).first().is_some_and(|n| n == name);
        if page.body["total"] == 1
            && indexed(&search(&owner, "pastry", &[]).await.body, "Bea Baker")
            && indexed(&search(&owner, "intensive", &[]).await.body, "Nina Nurse")
        {
            engineer = page.body;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(names(&engineer), ["Ravi Rust"], "{engineer}");
    let skill_reason = &reasons(&engineer["candidates"][0])[0];
    assert!(skill_reason.starts_with("Skill: Rust"), "{skill_reason}");
    let quote = &engineer["candidates"][0]["reasons"][0]["quote"];
    let snippet = quote["snippet"].as_str().expect("snippet");
    let mark = [
        quote["mark"][0].as_u64().unwrap_or(0) as usize,
        quote["mark"][1].as_u64().unwrap_or(0) as usize,
    ];
    assert_eq!(&snippet[mark[0]..mark[1]], "Rust", "{quote}");
    // The skills are on the profile, with the sentence that shows each, and offered as filters.
    let ravi = engineer["candidates"][0]["id"]
        .as_i64()
        .expect("id")
        .to_string();
    let profile = owner
        .call("candidate", &[("slug", "acme"), ("id", &ravi)])
        .await;
    let skills: Vec<&str> = profile.body["skills"]
        .as_array()
        .expect("skills")
        .iter()
        .map(|s| s["label"].as_str().unwrap_or_default())
        .collect();
    for expected in ["Rust", "PostgreSQL", "Kubernetes"] {
        assert!(skills.contains(&expected), "{expected} in {skills:?}");
    }
    let options = &engineer["skill_options"];
    assert!(
        options
            .as_array()
            .is_some_and(|o| o.iter().any(|s| s == "Rust")),
        "{options}"
    );
    assert_eq!(engineer["stage_options"][0], "Applied");

    // By words: the CV that says them first, with the sentence quoted.
    let icu = search(&owner, "intensive care", &[]).await.body;
    assert_eq!(names(&icu)[0], "Nina Nurse", "{icu}");
    let said = reasons(&icu["candidates"][0]);
    assert!(
        said.contains(&"The CV says “intensive”, “care”".to_owned()),
        "{said:?}"
    );
    // By meaning: no word in common, the nurse still comes first.
    let meaning = search(&owner, "hospital nursing", &[]).await.body;
    assert_eq!(names(&meaning)[0], "Nina Nurse", "{meaning}");
    assert!(
        reasons(&meaning["candidates"][0])
            .iter()
            .any(|r| r.contains("in meaning")),
        "{meaning}"
    );
    let bakery = search(&owner, "bakery", &[]).await.body;
    assert_eq!(names(&bakery)[0], "Bea Baker", "{bakery}");

    // Filters narrow the search and the list; a bad one says what to choose.
    let narrowed = search(&owner, "intensive care", &[("skill", "rust")])
        .await
        .body;
    assert!(
        names(&narrowed).iter().all(|n| n == "Ravi Rust"),
        "{narrowed}"
    );
    assert_eq!(
        search(&owner, "", &[("source", "careers")]).await.body["total"],
        3
    );
    assert_eq!(
        search(&owner, "", &[("source", "manual")]).await.body["total"],
        0
    );
    let bad = search(&owner, "", &[("source", "carrier pigeon")]).await;
    assert_eq!(
        bad.field_error("source").as_deref(),
        Some("Choose a source from the list."),
        "{:?}",
        bad.body
    );
    assert_eq!(
        search(&owner, "", &[("stage", "applied")]).await.body["total"],
        3
    );
    assert_eq!(
        search(&owner, "", &[("stage", "Screen")]).await.body["total"],
        0
    );
    assert_eq!(
        search(&owner, "", &[("tag", "nobody has this")]).await.body["total"],
        0
    );

    // The job's best candidates who have not applied: nobody for the job all three applied to,
    // the nurse first for a nursing job, and not once she has applied to it.
    let none = prospects(&owner, JOB).await;
    assert_eq!(none.status, StatusCode::OK, "{:?}", none.body);
    assert_eq!(none.body, serde_json::json!([]));
    nurse_job(&owner, true).await;
    let mut nursing = Value::Null;
    for _ in 0..100 {
        nursing = prospects(&owner, "nurse").await.body;
        if nursing.as_array().is_some_and(|p| !p.is_empty()) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(nursing[0]["name"], "Nina Nurse", "{nursing}");
    assert!(nursing[0]["similarity"].as_f64().unwrap_or(0.0) >= 0.3);
    assert!(
        nursing[0]["applications"][0]["job_title"] == "Rust Engineer",
        "{nursing}"
    );
    // She applies (a second profile, flagged as a possible duplicate): that one is left out;
    // merged into the first, so is she.
    let nina = nursing[0]["id"].as_i64().expect("id");
    apply_with_text(
        &visitor,
        "nurse",
        "Nina Nurse",
        "nina@example.com",
        NURSE_CV,
    )
    .await;
    let both = search(&owner, "nina@", &[]).await.body;
    let ids: Vec<i64> = both["candidates"]
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|c| c["id"].as_i64())
        .collect();
    let again = *ids
        .iter()
        .find(|&&id| id != nina)
        .expect("a second profile");
    let prospect_ids = |list: &Value| -> Vec<i64> {
        list.as_array()
            .expect("list")
            .iter()
            .filter_map(|p| p["id"].as_i64())
            .collect()
    };
    assert!(!prospect_ids(&prospects(&owner, "nurse").await.body).contains(&again));
    let merged = owner
        .call(
            "merge_candidates",
            &[
                ("slug", "acme"),
                ("keep", &nina.to_string()),
                ("merge", &again.to_string()),
            ],
        )
        .await;
    assert_eq!(merged.status, StatusCode::OK, "{:?}", merged.body);
    let after = prospects(&owner, "nurse").await.body;
    assert!(!prospect_ids(&after).contains(&nina), "{after}");
    assert_eq!(
        prospects(&owner, "no-such-job").await.status,
        StatusCode::NOT_FOUND
    );

    // Put on the nursing job's board by hand: scored like any application, out of the
    // prospects, and not twice.
    let baker = search(&owner, "pastry", &[]).await.body["candidates"][0]["id"]
        .as_i64()
        .expect("id")
        .to_string();
    let add_form = [
        ("slug", "acme"),
        ("job", "nurse"),
        ("candidate", baker.as_str()),
    ];
    let add_baker = || owner.call("add_to_job", &add_form);
    let added = add_baker().await;
    assert_eq!(added.status, StatusCode::OK, "{:?}", added.body);
    let application = added
        .body
        .as_i64()
        .expect("the application's id")
        .to_string();
    let detail = owner
        .call("application", &[("slug", "acme"), ("id", &application)])
        .await;
    assert_eq!(
        detail.body["candidate_name"], "Bea Baker",
        "{:?}",
        detail.body
    );
    assert_eq!(detail.body["job_slug"], "nurse");
    assert!(
        detail.body["activity"].as_array().is_some_and(|a| a
            .iter()
            .any(|e| e["detail"] == "Added to Nurse by Olive Owner.")),
        "{:?}",
        detail.body
    );
    assert!(!prospect_ids(&prospects(&owner, "nurse").await.body)
        .contains(&baker.parse::<i64>().unwrap_or_default()));
    let twice = add_baker().await;
    assert_eq!(
        twice.field_error("candidate").as_deref(),
        Some("Bea Baker is already on its board."),
        "{:?}",
        twice.body
    );
    let unknown = owner
        .call(
            "add_to_job",
            &[("slug", "acme"), ("job", "nurse"), ("candidate", "999999")],
        )
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);

    // Employees see no candidates and no prospects.
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
        search(&employee, "nurse", &[]).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        prospects(&employee, "nurse").await.status,
        StatusCode::FORBIDDEN
    );
    let before = rows(&srv, "SELECT COUNT(*) FROM applications").await;
    let refused = employee
        .call(
            "add_to_job",
            &[("slug", "acme"), ("job", JOB), ("candidate", &baker)],
        )
        .await;
    assert!(refused.status.is_client_error(), "{:?}", refused.body);
    assert_eq!(
        rows(&srv, "SELECT COUNT(*) FROM applications").await,
        before
    );
    srv.stop().await;
}

/// Adds a candidate by hand the way the page's script does (JSON answer).
async fn add(
    c: &Browser,
    slug: &str,
    fields: &[(&'static str, &str)],
    cv: Option<Cv>,
) -> common::Answer {
    let res = c
        .http
        .post(format!("{}/o/{slug}/candidates/add", c.base))
        .header(header::ORIGIN, &c.base)
        .header(header::ACCEPT, "application/json")
        .multipart(form(fields, cv))
        .send()
        .await
        .expect("request");
    common::into_answer(res).await
}

fn text_cv(text: &str) -> Cv {
    Cv {
        name: "cv.txt",
        mime: "text/plain",
        bytes: text.as_bytes().to_vec(),
    }
}

async fn recruiters_add_candidates_by_hand(db: Db) {
    let Some(srv) = TestServer::start(db).await else {
        return;
    };
    let owner = published_job(&srv).await;
    let counts = || async {
        (
            rows(&srv, "SELECT COUNT(*) FROM candidates").await,
            rows(&srv, "SELECT COUNT(*) FROM stored_files").await,
        )
    };

    // Every problem at once, each on its field, and nothing stored.
    let bad = add(
        &owner,
        "acme",
        &[
            ("name", " "),
            ("email", "nobody"),
            ("phone", "12"),
            ("source", "careers"),
            ("links", "github.com/x"),
        ],
        Some(Cv {
            name: "cv.exe",
            mime: "application/x-msdownload",
            bytes: b"MZ".to_vec(),
        }),
    )
    .await;
    assert_eq!(
        bad.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{:?}",
        bad.body
    );
    for field in ["name", "email", "phone", "source", "links", "cv"] {
        assert!(bad.field_error(field).is_some(), "{field}: {:?}", bad.body);
    }
    assert_eq!(
        bad.field_error("source").as_deref(),
        Some("Choose where the candidate came from: added by hand or a referral.")
    );
    // A scan has no text: refused with what to do, nothing stored (not even the file).
    let scan = add(
        &owner,
        "acme",
        &[
            ("name", "Sam Scan"),
            ("email", "sam@example.com"),
            ("source", "manual"),
        ],
        Some(Cv {
            name: "scan.pdf",
            mime: "application/pdf",
            bytes: fixture("scan.pdf"),
        }),
    )
    .await;
    assert!(
        scan.field_error("cv")
            .is_some_and(|m| m.contains("No text found")),
        "{:?}",
        scan.body
    );
    assert_eq!(counts().await, (0, 0));

    // A referral without a CV, and a candidate with one: profiles with their source.
    let referred = add(
        &owner,
        "acme",
        &[
            ("name", "Rae Referred"),
            ("email", "Rae@Example.com"),
            ("phone", "+44 20 7946 0018"),
            ("source", "referral"),
        ],
        None,
    )
    .await;
    assert_eq!(referred.status, StatusCode::OK, "{:?}", referred.body);
    let rae = referred.body["id"].as_i64().expect("id").to_string();
    let profile = owner
        .call("candidate", &[("slug", "acme"), ("id", &rae)])
        .await;
    assert_eq!(profile.body["summary"]["source"], "referral");
    assert_eq!(profile.body["summary"]["email"], "rae@example.com");
    assert_eq!(profile.body["cv"], Value::Null);
    let sent = add(
        &owner,
        "acme",
        &[
            ("name", "Ravi Rust"),
            ("email", "ravi@example.com"),
            ("source", "manual"),
            ("links", "https://github.com/ravi"),
        ],
        Some(text_cv(ENGINEER_CV)),
    )
    .await;
    assert_eq!(sent.status, StatusCode::OK, "{:?}", sent.body);
    assert_eq!(counts().await, (2, 1));
    let ravi = sent.body["id"].as_i64().expect("id").to_string();
    let profile = owner
        .call("candidate", &[("slug", "acme"), ("id", &ravi)])
        .await;
    assert_eq!(profile.body["summary"]["source"], "manual");
    assert_eq!(profile.body["cv"]["file_name"], "cv.txt");
    assert!(profile.body["cv_text"]
        .as_str()
        .is_some_and(|t| t.contains("payment services")));
    // Read in the background like any CV: searchable by skill (within 2 minutes, however busy
    // the machine).
    let mut by_skill = Value::Null;
    for _ in 0..1200 {
        by_skill = search(&owner, "", &[("skill", "kubernetes")]).await.body;
        if by_skill["total"] == 1 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(names(&by_skill), ["Ravi Rust"], "{by_skill}");
    assert_eq!(
        search(&owner, "", &[("source", "referral")]).await.body["total"],
        1
    );

    // The same person again (same phone): added, and each profile shows the other.
    let again = add(
        &owner,
        "acme",
        &[
            ("name", "Rae R."),
            ("email", "rae.r@example.org"),
            ("phone", "+44 (0)20 7946 0018"),
            ("source", "manual"),
        ],
        None,
    )
    .await;
    assert_eq!(again.status, StatusCode::OK, "{:?}", again.body);
    let profile = owner
        .call("candidate", &[("slug", "acme"), ("id", &rae)])
        .await;
    assert_eq!(
        profile.body["duplicates"][0]["name"], "Rae R.",
        "{:?}",
        profile.body
    );

    // A plain post that fails goes back to the form with the error and the name typed.
    let plain = owner
        .http
        .post(format!("{}/o/acme/candidates/add", owner.base))
        .header(header::ORIGIN, &owner.base)
        .header(header::ACCEPT, "text/html")
        .multipart(form(
            &[("name", "Nell"), ("email", "x"), ("source", "manual")],
            None,
        ))
        .send()
        .await
        .expect("request");
    assert_eq!(plain.status(), StatusCode::SEE_OTHER);
    let to = plain.headers()[header::LOCATION]
        .to_str()
        .expect("location")
        .to_owned();
    assert!(
        to.starts_with("/o/acme/candidates/new?__path=%2Fo%2Facme%2Fcandidates%2Fadd&__err="),
        "{to}"
    );
    assert!(
        to.contains("&__form=") && to.ends_with("#add-candidate"),
        "{to}"
    );

    // Employees may not; another organisation's members are "not found"; nothing was added.
    let before = counts().await;
    let employee = owner
        .invite_and_join(
            &srv,
            "acme",
            "emma@example.com",
            "employee",
            "Emma Employee",
        )
        .await;
    let person = [
        ("name", "Eve"),
        ("email", "eve@example.com"),
        ("source", "manual"),
    ];
    assert_eq!(
        add(&employee, "acme", &person, None).await.status,
        StatusCode::FORBIDDEN
    );
    let stranger = srv.client();
    stranger.sign_up("Stan Stranger", "stan@example.com").await;
    stranger.create_org("Other", "other").await;
    assert_eq!(
        add(&stranger, "acme", &person, None).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(counts().await, before);
    srv.stop().await;
}

/// Two candidates with one name are one person when their CVs say the same things: a CV and its
/// later version are flagged, another engineer with that name or the same CV under another name
/// are not.
async fn same_name_and_a_close_cv_make_a_possible_duplicate(db: Db) {
    let Some(srv) = TestServer::start(db).await else {
        return;
    };
    let owner = published_job(&srv).await;
    let pairs = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/match-pairs");
    let professions = quality::load(std::path::Path::new(pairs)).expect("fixtures");
    let cvs = &professions[0].candidates;
    let people = [
        ("Ann Lee", "ann@example.com", cvs[0].text.clone()),
        (
            "ann  LEE.",
            "a.lee@example.org",
            later_version(&cvs[0].text),
        ),
        ("Ann Lee", "ann.lee@example.net", cvs[1].text.clone()),
        ("Bo Chen", "bo@example.com", cvs[0].text.clone()),
    ];
    let mut ids = Vec::new();
    for (name, email, cv) in &people {
        let fields = [("name", *name), ("email", *email), ("source", "manual")];
        let added = add(&owner, "acme", &fields, Some(text_cv(cv))).await;
        assert_eq!(added.status, StatusCode::OK, "{:?}", added.body);
        ids.push(added.body["id"].as_i64().expect("id"));
    }
    // Compared once their CVs are embedded, in the background.
    let embedded = "SELECT COUNT(*) FROM embeddings WHERE kind = 'candidate'";
    // (Four long CVs, each also read for skills: allow for a busy machine.)
    for _ in 0..600 {
        if rows(&srv, embedded).await == 4 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    assert_eq!(rows(&srv, embedded).await, 4);
    let duplicates_of = |id: i64| {
        let owner = &owner;
        async move {
            let profile = owner
                .call("candidate", &[("slug", "acme"), ("id", &id.to_string())])
                .await;
            assert_eq!(profile.status, StatusCode::OK, "{:?}", profile.body);
            profile.body["duplicates"]
                .as_array()
                .expect("duplicates")
                .clone()
        }
    };
    let found = duplicates_of(ids[0]).await;
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0]["id"], ids[1]);
    let reason = found[0]["reasons"][0].as_str().expect("reason");
    assert!(
        reason.starts_with("name, with CVs this close in meaning (similarity "),
        "{reason}"
    );
    assert_eq!(duplicates_of(ids[1]).await[0]["id"], ids[0]);
    assert!(duplicates_of(ids[2]).await.is_empty());
    assert!(duplicates_of(ids[3]).await.is_empty());
    // Without CVs their vectors would be little more than the name: never compared.
    let mut no_cv = Vec::new();
    for email in ["cy@example.com", "cy.park@example.org"] {
        let fields = [
            ("name", "Cy Park"),
            ("email", email),
            ("source", "referral"),
        ];
        let added = add(&owner, "acme", &fields, None).await;
        no_cv.push(added.body["id"].as_i64().expect("id"));
    }
    for _ in 0..600 {
        if rows(&srv, embedded).await == 6 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    assert_eq!(rows(&srv, embedded).await, 6);
    assert!(duplicates_of(no_cv[0]).await.is_empty());
    srv.stop().await;
}

on_both_databases!(
    same_name_and_a_close_cv_make_a_possible_duplicate,
    recruiters_add_candidates_by_hand,
    the_hiring_team_sees_candidates_and_nobody_else_does,
    duplicates_are_flagged_and_merged_without_losing_anything,
    searching_finds_candidates_by_what_their_cvs_say,
);
