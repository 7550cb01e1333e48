//! Job titles to ESCO occupations: the `occupations` subcommand on a tiny taxonomy in ESCO's
//! format, the skills suggested for an occupation, and the full ESCO set when present.

mod common;

use serde_json::Value;
use std::path::{Path, PathBuf};
use talentloom_server::matching::occupations::Occupations;

fn mini() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/esco-mini")
}

fn run(esco: &Path, data_dir: &Path, input: &str) -> (Vec<Value>, String) {
    let args = ["occupations".as_ref(), "--esco".as_ref(), esco.as_os_str()];
    let out = common::run_server(&args, &[("DATA_DIR", data_dir)], input);
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
