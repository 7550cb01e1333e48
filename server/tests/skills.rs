//! Skill extraction on realistic CV and job snippets, asserted exactly (spans included), and
//! the `skills` subcommand. The fixture lists, for each skill, the words its spans cover, so a
//! reader can check it by eye.

use crate::common;

use serde::Deserialize;
use shared::matching::ExtractedSkill;
use std::{path::Path, sync::Arc};
use talentloom_server::matching::{catalog::Catalog, skills::SkillMatcher};

#[derive(Deserialize)]
struct Case {
    name: String,
    kind: String,
    text: String,
    expected: Vec<Expected>,
}

#[derive(Deserialize)]
struct Expected {
    #[serde(flatten)]
    skill: ExtractedSkill,
    words: Vec<String>,
}

fn update_fixture(matcher: &SkillMatcher) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/skill-extraction.json");
    let mut cases: Vec<serde_json::Value> =
        serde_json::from_str(&std::fs::read_to_string(&path).expect("fixture")).expect("JSON");
    for case in &mut cases {
        let text = case["text"].as_str().expect("text").to_owned();
        let cv_year = (case["kind"] == "cv").then_some(YEAR);
        let expected: Vec<serde_json::Value> = matcher
            .extract(&text, cv_year)
            .into_iter()
            .map(|skill| {
                let words: Vec<&str> = skill.spans.iter().map(|&[s, e]| &text[s..e]).collect();
                let mut value = serde_json::to_value(&skill).expect("skill");
                value["words"] = serde_json::json!(words);
                value
            })
            .collect();
        case["expected"] = serde_json::json!(expected);
    }
    let mut json = Vec::new();
    let formatter = serde_json::ser::PrettyFormatter::with_indent(b" ");
    let mut writer = serde_json::Serializer::with_formatter(&mut json, formatter);
    serde::Serialize::serialize(&cases, &mut writer).expect("JSON");
    json.push(b'\n');
    std::fs::write(&path, json).expect("write fixture");
}

fn cases() -> Vec<Case> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/skill-extraction.json");
    serde_json::from_str(&std::fs::read_to_string(path).expect("fixture")).expect("fixture JSON")
}

/// The year CVs are read in, so "2019 – present" has a fixed meaning.
const YEAR: i32 = 2026;

/// With `UPDATE_FIXTURES=1` the test writes what the engine finds into the fixture instead of
/// comparing; review the diff before committing it.
#[test]
fn extraction_matches_the_fixture_exactly() {
    let matcher = SkillMatcher::new(Arc::new(Catalog::builtin()));
    if std::env::var_os("UPDATE_FIXTURES").is_some() {
        update_fixture(&matcher);
        return;
    }
    for case in cases() {
        let cv_year = (case.kind == "cv").then_some(YEAR);
        let found = matcher.extract(&case.text, cv_year);
        for expected in &case.expected {
            let words: Vec<&str> = expected
                .skill
                .spans
                .iter()
                .map(|&[s, e]| &case.text[s..e])
                .collect();
            assert_eq!(
                words, expected.words,
                "{}: spans of {}",
                case.name, expected.skill.label
            );
        }
        let expected: Vec<&ExtractedSkill> = case.expected.iter().map(|e| &e.skill).collect();
        let found: Vec<&ExtractedSkill> = found.iter().collect();
        assert_eq!(found, expected, "case {:?}", case.name);
    }
}

#[test]
fn everyday_words_are_not_skills() {
    let matcher = SkillMatcher::new(Arc::new(Catalog::builtin()));
    let text = "We go the extra mile, excel at service, spring into action, make it rust-free, \
                and R&D is on the C-level agenda. Vitamin C and a Swift response.";
    let labels: Vec<String> = matcher
        .extract(text, None)
        .into_iter()
        .map(|s| s.label)
        .collect();
    assert!(labels.is_empty(), "found {labels:?}");
    // The same names with technical context are skills.
    let text = "Programming languages: Go, R and Swift; spreadsheets in Excel.";
    let labels: Vec<String> = matcher
        .extract(text, None)
        .into_iter()
        .map(|s| s.label)
        .collect();
    assert_eq!(labels, ["Go", "R", "Swift", "Microsoft Excel"]);
}

#[test]
fn offsets_are_bytes_of_the_utf8_text() {
    let matcher = SkillMatcher::new(Arc::new(Catalog::builtin()));
    let text = "Über uns: Müller & Söhne sucht Verstärkung für Kubernetes.";
    let found = matcher.extract(text, None);
    assert_eq!(found.len(), 1);
    let [start, end] = found[0].spans[0];
    assert_eq!(&text[start..end], "Kubernetes");
    assert_eq!(start, text.find("Kubernetes").expect("present"));
}

#[test]
fn skills_subcommand_reports_per_line() {
    let input = concat!(
        r#"{"id":1,"text":"Senior engineer: Rust, PostgreSQL, 5 years of Kubernetes","kind":"cv"}"#,
        "\n",
        r#"{"id":2}"#,
        "\n",
        r#"{"id":3,"text":"Nothing technical here."}"#,
        "\n",
        r#"{"id":4,"text":"Duties: retouching pictures","kind":"job"}"#,
        "\n"
    );
    let out = common::run_server(&["skills".as_ref()], &[], input);
    assert!(out.success, "{}", out.stderr);
    let lines = out.lines();
    assert_eq!(lines.len(), 4);
    let labels: Vec<&str> = lines[0]["skills"]
        .as_array()
        .expect("skills")
        .iter()
        .map(|s| s["label"].as_str().expect("label"))
        .collect();
    // PostgreSQL work is SQL work too.
    assert_eq!(labels, ["Rust", "PostgreSQL", "SQL", "Kubernetes"]);
    let kubernetes = &lines[0]["skills"][3];
    assert_eq!(kubernetes["spans"], serde_json::json!([[46, 56]]));
    assert_eq!(kubernetes["years"], 5);
    assert_eq!(kubernetes["level"], "advanced");
    assert!(lines[1]["error"]
        .as_str()
        .is_some_and(|e| e.contains("text")));
    assert_eq!(lines[1]["id"], 2);
    assert_eq!(lines[2]["skills"], serde_json::json!([]));
    // Described, not named: found by meaning (see semantic_skills.rs), with the phrase as
    // evidence.
    let inferred = &lines[3]["skills"][0];
    assert_eq!(inferred["label"], "Photo editing");
    assert_eq!(inferred["inferred"], true);
    assert_eq!(inferred["spans"], serde_json::json!([[8, 27]]));
    assert_eq!(lines[3]["skills"].as_array().map(Vec::len), Some(1));
}

#[test]
fn esco_catalog_imports_the_full_set_when_present() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/data/esco-v1.1.1");
    if !dir.exists() {
        eprintln!(
            "NOTICE: {} is absent; ESCO import not tested",
            dir.display()
        );
        return;
    }
    let catalog = Catalog::esco(&dir).expect("ESCO imports");
    assert_eq!(catalog.skills.len(), 13_896);
    assert!(catalog.skills.iter().all(|s| s
        .uri
        .as_deref()
        .is_some_and(|u| u.starts_with("http://data.europa.eu/esco/skill/"))));
    let matcher = SkillMatcher::new(Arc::new(catalog));
    let found = matcher.extract(
        "Experienced in Python and in managing a team of nurses.",
        None,
    );
    let labels: Vec<&str> = found.iter().map(|s| s.label.as_str()).collect();
    assert_eq!(labels, ["Python (computer programming)", "manage a team"]);
}

#[test]
fn onet_technologies_import_when_present() {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/data/onet/technology_skills.csv");
    if !path.exists() {
        eprintln!(
            "NOTICE: {} is absent; O*NET import not tested",
            path.display()
        );
        return;
    }
    let catalog = Catalog::onet_technology(&path).expect("O*NET imports");
    // 32,627 rows name 8,768 distinct technologies.
    assert_eq!(catalog.skills.len(), 8768);
    assert!(catalog
        .source
        .attribution()
        .is_some_and(|a| a.contains("O*NET")));
    let matcher = SkillMatcher::new(Arc::new(catalog));
    let labels: Vec<String> = matcher
        .extract("Tracked work in Atlassian JIRA and wrote reports.", None)
        .into_iter()
        .map(|s| s.label)
        .collect();
    assert!(labels.contains(&"Atlassian JIRA".to_owned()), "{labels:?}");
}

/// A job ad's structure decides what its skills are to the job: requirements are musts,
/// "nice to have" and "a plus" are not, benefits and the company's description ask for nothing.
#[test]
fn a_job_ads_sections_decide_must_nice_and_nothing() {
    use shared::matching::{JobSpec, Requirement};
    use talentloom_server::matching::{job_ad::JobAd, score::required_skills};

    let matcher = SkillMatcher::new(Arc::new(Catalog::builtin()));
    let text = "\
Senior Rust Engineer, Hamburg

## What you'll do
Build our routing services and their APIs.

## Requirements
- Rust in production, 5+ years
- PostgreSQL
- Kubernetes is a plus

## Nice to have
- Terraform

## What we offer
- A learning budget and Python courses
";
    let spec = JobSpec {
        text: text.to_owned(),
        ..JobSpec::default()
    };
    let required = required_skills(
        &matcher,
        &spec,
        &JobAd::read(text),
        &matcher.extract(text, None),
    );
    let of = |label: &str| {
        required
            .iter()
            .find(|r| r.label == label)
            .map(|r| r.required)
    };
    // Named in the title: the job is about it.
    assert_eq!(of("Rust"), Some(Requirement::Must));
    assert_eq!(of("PostgreSQL"), Some(Requirement::Must));
    assert_eq!(of("Kubernetes"), Some(Requirement::Nice));
    assert_eq!(of("Terraform"), Some(Requirement::Nice));
    assert_eq!(of("Budgeting"), None, "from the benefits: {required:?}");
    assert_eq!(of("Python"), None, "from the benefits: {required:?}");
}
