//! The embedding model: parity with Python sentence-transformers, batching, the `embed`
//! subcommand, and start-up refusing missing or damaged model files.

use crate::common;

use serde_json::Value;
use std::path::Path;
use talentloom_server::matching::{cosine, EmbedError, DIM};

/// `{"id","text","vector"}` lines computed by sentence-transformers 6.2.0 (see
/// ../shared/data/README.md); the committed fixture is 30 of the 201, the longest included.
fn reference(path: &Path) -> Vec<(String, String, Vec<f32>)> {
    let text = std::fs::read_to_string(path).expect("reference file");
    text.lines()
        .map(|line| {
            let v: Value = serde_json::from_str(line).expect("reference line");
            let vector = v["vector"]
                .as_array()
                .expect("vector")
                .iter()
                .map(|x| x.as_f64().expect("float") as f32)
                .collect();
            (
                v["id"].as_str().expect("id").to_owned(),
                v["text"].as_str().expect("text").to_owned(),
                vector,
            )
        })
        .collect()
}

async fn assert_parity(path: &Path) -> usize {
    let rows = reference(path);
    let texts: Vec<String> = rows.iter().map(|(_, t, _)| t.clone()).collect();
    let vectors = common::engine()
        .embeddings
        .embed(texts)
        .await
        .expect("embedded");
    for ((id, text, expected), got) in rows.iter().zip(&vectors) {
        assert_eq!(got.len(), DIM);
        let similarity = cosine(expected, got);
        assert!(
            similarity >= 0.9999,
            "text {id} ({text:.40}…): cosine {similarity} to the reference"
        );
    }
    rows.len()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn vectors_equal_the_reference_fixture() {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/minilm-reference-subset.jsonl");
    assert_eq!(assert_parity(&path).await, 30);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn vectors_equal_the_full_reference_when_present() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/data/minilm-reference/vectors.jsonl");
    if !path.exists() {
        eprintln!(
            "NOTICE: {} is absent; only the fixture was compared",
            path.display()
        );
        return;
    }
    assert_eq!(assert_parity(&path).await, 201);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_arriving_together_get_their_own_vectors() {
    let service = common::engine().embeddings;
    let texts = [
        "Senior Rust engineer",
        "Registered nurse, intensive care",
        "Bookkeeping and payroll for small firms",
        "Figma prototypes and user research",
    ];
    let alone: Vec<Vec<f32>> = {
        let mut out = Vec::new();
        for text in texts {
            out.push(service.embed_one(text).await.expect("embedded"));
        }
        out
    };
    let together = futures::future::join_all(texts.iter().map(|t| service.embed_one(t))).await;
    for (single, batched) in alone.iter().zip(together) {
        let batched = batched.expect("embedded");
        assert!(
            cosine(single, &batched) > 0.99999,
            "padding changed a vector"
        );
    }
    // Different texts really get different vectors.
    assert!(cosine(&alone[0], &alone[1]) < 0.5);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_queue_refuses_instead_of_growing() {
    use talentloom_server::matching::{BatchSettings, Engine};
    let engine = Engine::load(
        &common::model_dir(),
        BatchSettings {
            max_batch: 2,
            queue: 1,
            max_texts: 4,
        },
    )
    .expect("model");
    let long = "distributed systems and databases ".repeat(40);
    let results = futures::future::join_all(
        (0..40).map(|_| engine.embeddings.embed(vec![long.clone(), long.clone()])),
    )
    .await;
    let busy = results
        .iter()
        .filter(|r| matches!(r, Err(EmbedError::Busy)))
        .count();
    let done = results.iter().filter(|r| r.is_ok()).count();
    assert!(busy > 0, "40 requests into a queue of 1 were all accepted");
    assert_eq!(
        busy + done,
        40,
        "every request is either answered or refused"
    );
    let too_many = engine.embeddings.embed(vec![String::new(); 5]).await;
    assert!(matches!(
        too_many,
        Err(EmbedError::TooMany { given: 5, max: 4 })
    ));
}

fn run_server(args: &[&str], model_dir: &Path, stdin: &str) -> (bool, String, String) {
    let args: Vec<&std::ffi::OsStr> = args.iter().map(std::ffi::OsStr::new).collect();
    let out = common::run_server(&args, &[("MODEL_DIR", model_dir)], stdin);
    (out.success, out.stdout, out.stderr)
}

#[test]
fn embed_subcommand_answers_every_line_in_order() {
    let input = concat!(
        r#"{"id":"a","text":"Software Engineer"}"#,
        "\n",
        "this is not json\n",
        r#"{"id":7,"txt":"wrong field"}"#,
        "\n\n",
        r#"{"id":"b","text":"Pflegefachkraft in der Intensivstation"}"#,
        "\n"
    );
    let (ok, stdout, stderr) = run_server(&["embed"], &common::model_dir(), input);
    assert!(ok, "embed failed: {stderr}");
    let lines: Vec<Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect();
    assert_eq!(lines.len(), 4, "{stdout}");
    assert_eq!(lines[0]["id"], "a");
    assert_eq!(lines[0]["vector"].as_array().map(Vec::len), Some(DIM));
    assert_eq!(lines[1]["line"], 2);
    assert!(lines[1]["error"]
        .as_str()
        .is_some_and(|e| e.contains("expected")));
    assert_eq!(lines[2]["id"], 7);
    assert!(lines[2]["error"]
        .as_str()
        .is_some_and(|e| e.contains("text")));
    assert_eq!(lines[3]["id"], "b");

    // The vector is the model's, not merely 384 numbers: it matches the reference's.
    let reference = reference(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/minilm-reference-subset.jsonl"),
    );
    let (_, text, expected) = &reference[0];
    assert_eq!(text, "Software Engineer");
    let got: Vec<f32> = lines[0]["vector"]
        .as_array()
        .expect("vector")
        .iter()
        .map(|x| x.as_f64().expect("float") as f32)
        .collect();
    assert!(cosine(expected, &got) >= 0.9999);
}

#[test]
fn missing_or_damaged_model_files_stop_start_up_with_a_fix() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (ok, _, stderr) = run_server(&["embed"], dir.path(), "");
    assert!(!ok);
    assert!(stderr.contains("model.safetensors is missing"), "{stderr}");
    assert!(stderr.contains(".ci/fetch-model.sh"), "{stderr}");

    for name in ["model.safetensors", "tokenizer.json", "config.json"] {
        std::fs::copy(common::model_dir().join(name), dir.path().join(name)).expect("copy");
    }
    let mut damaged = std::fs::read(dir.path().join("tokenizer.json")).expect("read");
    damaged[100] ^= 1;
    std::fs::write(dir.path().join("tokenizer.json"), damaged).expect("write");
    let (ok, _, stderr) = run_server(
        &[
            "--listen",
            "127.0.0.1:0",
            "--data-dir",
            dir.path().to_str().expect("utf-8"),
            "serve",
        ],
        dir.path(),
        "",
    );
    assert!(!ok);
    assert!(stderr.contains("tokenizer.json is damaged"), "{stderr}");
    assert!(stderr.contains(".ci/fetch-model.sh"), "{stderr}");
}
