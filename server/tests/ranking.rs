//! The explained match score and the `rank` subcommand on a small fixture: a strong candidate,
//! a partial one, a keyword-stuffed CV, an unrelated CV and an empty one.

use serde_json::Value;
use std::path::Path;

use crate::common;

fn rank(input: &str) -> Vec<Value> {
    let out = common::run_server(&["rank".as_ref()], &[], input);
    assert!(out.success, "{}", out.stderr);
    out.lines()
}

#[test]
fn candidates_rank_in_a_sensible_order_with_reasons() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/ranking.json");
    let fixture: Value =
        serde_json::from_str(&std::fs::read_to_string(path).expect("fixture")).expect("JSON");
    let input = format!("{fixture}\nnot json\n");
    let lines = rank(&input);
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[1]["line"], 2);
    assert!(lines[1]["error"]
        .as_str()
        .is_some_and(|e| e.contains("candidates")));

    let ranked = lines[0]["ranked"].as_array().expect("ranked");
    let order: Vec<&str> = ranked
        .iter()
        .map(|r| r["id"].as_str().expect("id"))
        .collect();
    assert_eq!(
        order,
        ["strong", "stuffed", "partial", "unrelated", "empty"]
    );
    let score = |id: &str| {
        ranked.iter().find(|r| r["id"] == id).expect("ranked")["score"]
            .as_u64()
            .expect("score")
    };
    assert!(score("strong") >= 80, "strong scored {}", score("strong"));
    assert!(
        score("stuffed") <= 60,
        "a keyword-stuffed CV scored {}",
        score("stuffed")
    );
    assert!(score("unrelated") <= 20 && score("empty") <= 20);

    let strong = &ranked[0];
    // The job asked for "Postgres": the catalog's name is used, and the CV line proves it.
    let postgres = strong["matched"]
        .as_array()
        .expect("matched")
        .iter()
        .find(|m| m["label"] == "PostgreSQL")
        .expect("PostgreSQL matched");
    assert_eq!(postgres["credit"], 1.0);
    assert!(postgres["evidence"][0]["snippet"]
        .as_str()
        .is_some_and(|s| s.contains("card payment API in Rust")));
    // Every skill the strong CV names is shown in use, so each counts fully.
    assert!(strong["matched"]
        .as_array()
        .expect("matched")
        .iter()
        .all(|m| m["credit"] == 1.0));
    assert!(strong["notes"]
        .as_array()
        .expect("notes")
        .iter()
        .any(|n| n.as_str().is_some_and(|n| n.contains("12 years"))));

    let stuffed = ranked
        .iter()
        .find(|r| r["id"] == "stuffed")
        .expect("stuffed");
    assert!(stuffed["matched"]
        .as_array()
        .expect("matched")
        .iter()
        .all(|m| m["note"] == "only listed, not shown in use"));

    let partial = ranked
        .iter()
        .find(|r| r["id"] == "partial")
        .expect("partial");
    let missing: Vec<&str> = partial["missing"]
        .as_array()
        .expect("missing")
        .iter()
        .map(|m| m["label"].as_str().expect("label"))
        .collect();
    assert_eq!(
        missing,
        ["PostgreSQL", "Kubernetes", "Apache Kafka", "Terraform"]
    );
    let rust = &partial["matched"][0];
    assert_eq!(rust["label"], "Rust");
    assert_eq!(rust["note"], "basic stated; advanced asked");

    // Deterministic: the same input gives the same output.
    assert_eq!(rank(&format!("{fixture}\n"))[0], lines[0]);
}
