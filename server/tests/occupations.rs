//! Job titles to ESCO occupations: the `occupations` subcommand on a tiny taxonomy in ESCO's
//! format, the skills suggested for an occupation, and the full ESCO set when present.

use crate::common;

use serde_json::Value;
use std::path::{Path, PathBuf};
use talentloom_server::matching::{esco, occupations::Occupations};

fn mini() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/esco-mini")
}

fn run(esco: &Path, data_dir: &Path, input: &str) -> (Vec<Value>, String) {
    let args = ["occupations".as_ref(), "--esco".as_ref(), esco.as_os_str()];
    // Its own cache, so the test sees the file appear.
    let cache = data_dir.join("cache");
    let out = common::run_server(
        &args,
        &[("DATA_DIR", data_dir), ("CACHE_DIR", &cache)],
        input,
    );
    assert!(out.success, "{}", out.stderr);
    (out.lines(), out.stderr)
}

fn top(line: &Value) -> Vec<&str> {
    line["occupations"]
        .as_array()
        .expect("occupations")
        .iter()
        .map(|o| o["label"].as_str().expect("label"))
        .collect()
}

#[test]
fn titles_find_their_occupation_and_say_whose_data_it_is() {
    let data = tempfile::tempdir().expect("temp dir");
    let input = concat!(
        r#"{"id":"a","text":"Sr. Backend Dev (Rust) (m/w/d)"}"#,
        "\n",
        r#"{"id":"b","text":"ICU Nurse, night shifts"}"#,
        "\n",
        "{broken\n",
        r#"{"id":"c","text":"Bookkeeper"}"#,
        "\n",
    );
    let (lines, stderr) = run(&mini(), data.path(), input);
    assert!(
        stderr.contains("This service uses the ESCO classification of the European Commission.")
    );
    assert_eq!(lines.len(), 4);
    assert_eq!(top(&lines[0])[0], "software developer");
    assert_eq!(
        top(&lines[0]).len(),
        4,
        "every occupation is ranked when there are fewer than 10"
    );
    assert_eq!(top(&lines[1])[0], "specialist nurse");
    assert_eq!(lines[2]["line"], 3);
    assert_eq!(top(&lines[3])[0], "accountant");
    let scores: Vec<f64> = lines[0]["occupations"]
        .as_array()
        .expect("list")
        .iter()
        .map(|o| o["score"].as_f64().expect("score"))
        .collect();
    assert!(scores.windows(2).all(|w| w[0] >= w[1]), "{scores:?}");
    assert_eq!(
        lines[0]["occupations"][0]["uri"],
        "http://example.org/occupation/software-developer"
    );

    // The label vectors were cached; a second run reads them and answers the same.
    assert_eq!(
        std::fs::read_dir(data.path().join("cache"))
            .expect("cache")
            .count(),
        1
    );
    let (again, _) = run(&mini(), data.path(), input);
    assert_eq!(again, lines);
}

#[test]
fn an_occupation_suggests_its_essential_and_optional_skills() {
    let occupations = Occupations::load_esco(&mini()).expect("loads");
    let skills = occupations
        .skills_of("http://example.org/occupation/software-developer")
        .expect("known occupation");
    let named: Vec<(&str, bool)> = skills
        .iter()
        .map(|s| (s.label.as_str(), s.essential))
        .collect();
    assert_eq!(
        named,
        [("computer programming", true), ("database design", false)]
    );
    assert!(occupations
        .skills_of("http://example.org/occupation/astronaut")
        .is_none());
}

#[test]
fn the_full_esco_set_loads_and_answers_when_present() {
    let esco = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/data/esco-v1.1.1");
    if !esco.exists() {
        eprintln!(
            "NOTICE: {} is absent; full ESCO occupations not tested",
            esco.display()
        );
        return;
    }
    let occupations = Occupations::load_esco(&esco).expect("loads");
    assert_eq!(occupations.list.len(), 3007);
    let accountant = occupations
        .list
        .iter()
        .find(|o| o.label == "accountant")
        .expect("accountant");
    let skills = occupations.skills_of(&accountant.uri).expect("skills");
    assert!(
        skills.iter().filter(|s| s.essential).count() >= 10,
        "{}",
        skills.len()
    );

    let data = tempfile::tempdir().expect("temp dir");
    let (lines, _) = run(
        &esco,
        data.path(),
        "{\"id\":1,\"text\":\"Buchhalter / Accountant (m/w/d)\"}\n",
    );
    assert_eq!(top(&lines[0])[0], "accountant");
    assert_eq!(top(&lines[0]).len(), 10);
}

/// Runs `server import-esco DIR` against the test database.
fn import(dir: &Path, test_db: &common::TestDb) -> common::Output {
    let url = test_db.url.clone().unwrap_or_default();
    let args = ["import-esco".as_ref(), dir.as_os_str()];
    let env = [
        ("DATA_DIR", test_db.dir.path()),
        ("DATABASE_URL", Path::new(&url)),
    ];
    common::run_server(&args, &env, "")
}

async fn the_import_command_stores_esco_in_the_database_all_or_nothing(backend: common::Db) {
    let Some(test_db) = common::TestDb::with_two_organisations(backend).await else {
        return;
    };
    assert_eq!(esco::load(&test_db.db).await.expect("read"), None);
    let out = import(&mini(), &test_db);
    assert!(out.success, "{}", out.stderr);
    assert!(out
        .stderr
        .contains("This service uses the ESCO classification of the European Commission."));
    let report: Value = serde_json::from_str(out.stdout.trim()).expect("a JSON report");
    assert_eq!(
        report,
        serde_json::json!({"occupations": 4, "skills": 4, "relations": 4, "skipped_relations": 0})
    );
    // What is stored is exactly what the files say.
    let stored = esco::load(&test_db.db)
        .await
        .expect("read")
        .expect("imported");
    let mut from_files = esco::Taxonomy::read_csv(&mini()).expect("reads");
    from_files.occupations.sort_by(|a, b| a.uri.cmp(&b.uri));
    from_files.skills.sort_by(|a, b| a.uri.cmp(&b.uri));
    assert_eq!(stored.occupations, from_files.occupations);
    assert_eq!(stored.skills, from_files.skills);
    let developer = "http://example.org/occupation/software-developer";
    assert_eq!(
        Occupations::from_taxonomy(&stored).skills_of(developer),
        Occupations::from_taxonomy(&from_files).skills_of(developer)
    );
    assert_eq!(
        stored.occupations[3].alt_labels,
        ["software engineer", "programmer", "application developer"]
    );

    // A broken export is refused with what is wrong, and the earlier import stays whole.
    let broken = tempfile::tempdir().expect("temp dir");
    for file in ["occupations_en.csv", "occupationSkillRelations.csv"] {
        std::fs::copy(mini().join(file), broken.path().join(file)).expect("copy");
    }
    std::fs::write(
        broken.path().join("skills_en.csv"),
        "conceptUri,altLabels\nhttp://example.org/skill/x,\n",
    )
    .expect("write");
    let out = import(broken.path(), &test_db);
    assert!(!out.success);
    assert!(
        out.stderr.contains("skills_en.csv") && out.stderr.contains("preferredLabel"),
        "{}",
        out.stderr
    );
    assert_eq!(
        esco::load(&test_db.db).await.expect("read"),
        Some(stored.clone())
    );

    // Importing again replaces, it does not add.
    assert!(import(&mini(), &test_db).success);
    assert_eq!(esco::load(&test_db.db).await.expect("read"), Some(stored));

    // The full official set, when it is here.
    let full = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/data/esco-v1.1.1");
    if full.exists() {
        let out = import(&full, &test_db);
        assert!(out.success, "{}", out.stderr);
        let report: Value = serde_json::from_str(out.stdout.trim()).expect("a JSON report");
        assert_eq!(report["occupations"], 3007);
        assert_eq!(report["skills"], 13896);
        let relations = report["relations"].as_u64().expect("relations");
        assert!(relations > 120_000, "{report}");
        let stored = esco::load(&test_db.db)
            .await
            .expect("read")
            .expect("imported");
        assert_eq!(stored.relations.len() as u64, relations);
        let occupations = Occupations::from_taxonomy(&stored);
        let accountant = occupations
            .list
            .iter()
            .find(|o| o.label == "accountant")
            .expect("accountant");
        assert!(
            occupations
                .skills_of(&accountant.uri)
                .expect("skills")
                .len()
                >= 10
        );
    } else {
        eprintln!(
            "NOTICE: {} is absent; the full ESCO import is not tested",
            full.display()
        );
    }
    test_db.close().await;
}

on_both_databases!(the_import_command_stores_esco_in_the_database_all_or_nothing);
