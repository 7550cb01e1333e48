//! Matching-engine benchmark (not a test): embedding throughput and top-50 search latency.
//! Writes docs/BENCHMARKS.md. Run: `cargo bench -p server --bench matching`
//! (MODEL_DIR as for the server; BENCH_SIZES=10000,100000 to skip the 1M index;
//! BENCH_QUERY_ONLY=1 times only one query's embedding and writes only that section).

#[path = "support/mod.rs"]
mod support;

use std::{
    fmt::Write as _,
    path::PathBuf,
    time::{Duration, Instant},
};
use talentloom_server::matching::{
    cosine,
    embedding::{embed_sorted, BatchSettings, EmbeddingService},
    index::{EntityKey, VectorIndex},
    SentenceEncoder, DIM,
};

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Short (< 60 bytes) and long (> 1,200 bytes, ~256 tokens) texts: the 201 reference texts in
/// ../shared/data when present, else the committed 30-text subset.
fn texts() -> (Vec<String>, Vec<String>, &'static str) {
    let full = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../shared/data/minilm-reference/vectors.jsonl"
    );
    let subset = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/minilm-reference-subset.jsonl"
    );
    let (path, source) = if std::path::Path::new(full).exists() {
        (full, "the 201 texts of ../shared/data/minilm-reference")
    } else {
        (
            subset,
            "the 30 texts of tests/fixtures/minilm-reference-subset.jsonl",
        )
    };
    let mut short = Vec::new();
    let mut long = Vec::new();
    for line in std::fs::read_to_string(path)
        .expect("reference texts")
        .lines()
    {
        let v: serde_json::Value = serde_json::from_str(line).expect("JSON");
        let text = v["text"].as_str().expect("text").to_owned();
        if text.len() < 60 {
            short.push(text);
        } else if text.len() > 1200 {
            long.push(text);
        }
    }
    (short, long, source)
}

/// Python sentence-transformers on the same runs, if `BENCH_PYTHON` (default python3) has it.
fn python_reference(
    model_dir: &std::path::Path,
    runs: &serde_json::Value,
) -> Option<serde_json::Value> {
    let python = std::env::var("BENCH_PYTHON").unwrap_or_else(|_| "python3".into());
    let available = std::process::Command::new(&python)
        .args(["-c", "import sentence_transformers"])
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !available {
        eprintln!("{python} cannot import sentence_transformers; the Python comparison is skipped");
        return None;
    }
    let dir = std::env::temp_dir();
    let input = dir.join("talentloom-bench-runs.json");
    let output = dir.join("talentloom-bench-python.json");
    std::fs::write(&input, runs.to_string()).expect("write runs");
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/benches/python_reference.py");
    let status = std::process::Command::new(&python)
        .arg(script)
        .arg(model_dir)
        .arg(&input)
        .arg(&output)
        .env("OMP_NUM_THREADS", "1")
        .env("MKL_NUM_THREADS", "1")
        .status()
        .expect("python runs");
    assert!(status.success(), "the Python reference failed");
    serde_json::from_str(&std::fs::read_to_string(&output).expect("python output")).ok()
}

fn throughput(encoder: &SentenceEncoder, texts: &[&str], batch: usize, rounds: usize) -> f64 {
    let _ = embed_sorted(encoder, &texts[..texts.len().min(batch)], batch); // warm up
    let start = Instant::now();
    let mut n = 0;
    for _ in 0..rounds {
        if batch == 1 {
            for t in texts {
                let _ = encoder.embed(&[t]).expect("embed");
                n += 1;
            }
        } else {
            let _ = embed_sorted(encoder, texts, batch).expect("embed");
            n += texts.len();
        }
    }
    n as f64 / start.elapsed().as_secs_f64()
}

/// One short text at a time through the embedding service, as a search embeds its query (the
/// tokenizer, the hand-off to the inference thread and back, the forward pass): the times in
/// order, after a warm-up.
fn query_times(encoder: SentenceEncoder, texts: &[&str], rounds: usize) -> Vec<Duration> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("a runtime");
    runtime.block_on(async {
        let service = EmbeddingService::start(encoder, BatchSettings::default());
        for text in texts.iter().take(10) {
            service.embed_one(text).await.expect("embedded");
        }
        let mut times = Vec::new();
        for _ in 0..rounds {
            for text in texts {
                let start = Instant::now();
                service.embed_one(text).await.expect("embedded");
                times.push(start.elapsed());
            }
        }
        times.sort();
        times
    })
}

fn unit(seed: u64) -> Vec<f32> {
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut v: Vec<f32> = (0..DIM)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 40) as f32 / (1u64 << 24) as f32 - 0.5
        })
        .collect();
    let n = v.iter().map(|a| a * a).sum::<f32>().sqrt();
    v.iter_mut().for_each(|a| *a /= n);
    v
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64() * 1000.0
}

fn main() {
    for var in ["CANDLE_NUM_THREADS", "RAYON_NUM_THREADS"] {
        if std::env::var_os(var).is_none() {
            std::env::set_var(var, "1");
        }
    }
    let root = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/.."));
    let model_dir = std::env::var_os("MODEL_DIR")
        .map_or_else(|| root.join("models/all-MiniLM-L6-v2"), PathBuf::from);
    let encoder = SentenceEncoder::load(&model_dir).expect("model (run .ci/fetch-model.sh)");
    let (short, long, source) = texts();
    let short: Vec<&str> = short.iter().map(String::as_str).collect();
    let path = root.join("docs/BENCHMARKS.md");

    // One query at a time, as a search embeds it: its own section.
    let query_encoder = SentenceEncoder::load(&model_dir).expect("model");
    let times = query_times(query_encoder, &short, 5);
    let (cpu, cores) = support::machine();
    let mut report = String::new();
    let _ = writeln!(
        report,
        "## One search query's embedding\n\nMachine: {cpu}, {cores} cores. Command: \
         `BENCH_QUERY_ONLY=1 cargo bench -p server --bench matching` (or the whole bench; \
         written by `server/benches/matching.rs`). A short text (3–12 tokens: the {} short \
         texts of the throughput table above, 5 rounds) at a time through the embedding \
         service, as the search embeds what was typed: tokenised on the inference thread, the \
         forward pass, the vector handed back. The dense layers of so few tokens run in our own \
         kernel (`server/src/matching/bert.rs`, `SmallDense`), its outputs split over the \
         cores: reading the 42 MB of weights is the work, not the arithmetic.\n",
        short.len()
    );
    let _ = writeln!(
        report,
        "| queries | p50 ms | p95 ms | max ms |\n|---:|---:|---:|---:|\n| {} | {:.2} | {:.2} | {:.2} |",
        times.len(),
        percentile(&times, 0.5),
        percentile(&times, 0.95),
        times.last().map_or(0.0, |t| t.as_secs_f64() * 1000.0)
    );
    eprintln!("{report}");
    support::write_section(&path, "query-embedding", &report);
    if std::env::var_os("BENCH_QUERY_ONLY").is_some() {
        return;
    }
    let long: Vec<&str> = long.iter().map(String::as_str).collect();
    let mut mixed: Vec<&str> = short.clone();
    mixed.extend(&long);

    let mut report = String::new();
    let (cpu, cores) = support::machine();
    let _ = writeln!(report, "## The matching engine\n");
    let _ = writeln!(report, "Machine: {cpu}, {cores} cores. Command: `cargo bench -p server --bench matching` (release build, mimalloc, 1 inference thread). Written by `server/benches/matching.rs`.\n");
    let _ = writeln!(
        report,
        "### Embedding throughput (all-MiniLM-L6-v2, 1 thread)\n\nTexts: {source}.\n"
    );
    let runs = [
        ("short (3–12 tokens)", &short, 1, 5),
        ("short (3–12 tokens)", &short, 32, 5),
        ("long (~256 tokens, truncated)", &long, 1, 2),
        ("long (~256 tokens, truncated)", &long, 32, 2),
        ("mixed", &mixed, 32, 3),
    ];
    let mut rust_rates = Vec::new();
    for (name, set, batch, rounds) in runs {
        let rate = throughput(&encoder, set, batch, rounds);
        eprintln!("{name} batch {batch}: {rate:.1} texts/s");
        rust_rates.push(rate);
    }
    let spec = serde_json::json!({
        "runs": runs.iter().map(|(name, set, batch, rounds)| serde_json::json!({
            "name": name, "texts": set, "batch": batch, "rounds": rounds,
        })).collect::<Vec<_>>(),
        "parity": mixed,
    });
    let python = python_reference(&model_dir, &spec);
    let _ = writeln!(
        report,
        "| texts | batch | candle texts/s | Python texts/s | candle ÷ Python |\n|---|---|---|---|---|"
    );
    for (i, ((name, set, batch, _), rate)) in runs.iter().zip(&rust_rates).enumerate() {
        let py = python
            .as_ref()
            .and_then(|p| p["runs"][i]["texts_per_s"].as_f64());
        let (py_cell, ratio) = match py {
            Some(py) => (format!("{py:.1}"), format!("{:.2}", rate / py)),
            None => ("—".into(), "—".into()),
        };
        let _ = writeln!(
            report,
            "| {name}, {} texts | {batch} | {rate:.1} | {py_cell} | {ratio} |",
            set.len()
        );
    }
    match &python {
        Some(p) => {
            let ours = embed_sorted(&encoder, &mixed, 32).expect("embed");
            let worst = p["parity"]
                .as_array()
                .expect("parity vectors")
                .iter()
                .zip(&ours)
                .map(|(theirs, ours)| {
                    let theirs: Vec<f32> = theirs
                        .as_array()
                        .expect("vector")
                        .iter()
                        .map(|x| x.as_f64().unwrap_or(0.0) as f32)
                        .collect();
                    cosine(&theirs, ours)
                })
                .fold(1.0f32, f32::min);
            let _ = writeln!(
                report,
                "\nPython: sentence-transformers {} on torch {} (Python {}), the same model files, 1 thread (`server/benches/python_reference.py`). Lowest cosine between the two implementations' vectors of the mixed set: {worst:.7}.\n\nBoth sort texts by length before batching. sentence-transformers pads every text of a batch to the longest one, so in the mixed set the batch that holds the long texts runs its short texts at 256 tokens too; our encoder packs a batch's real tokens without padding (`server/src/matching/bert.rs`), which is most of the difference on mixed texts. On texts of one length the difference is the kernels alone.\n",
                p["versions"]["sentence_transformers"].as_str().unwrap_or("?"),
                p["versions"]["torch"].as_str().unwrap_or("?"),
                p["versions"]["python"].as_str().unwrap_or("?"),
            );
        }
        None => {
            let _ = writeln!(report, "\nPython sentence-transformers was not available to this run (set-up does not install torch); `BENCH_PYTHON=/path/to/python` points the bench at an interpreter that has it.\n");
        }
    }

    let _ = writeln!(
        report,
        "### Top-50 search over an organisation's index (int8, exact scan; 1 thread below 50,000 vectors, every core from there)\n"
    );
    let _ = writeln!(report, "Vectors are random unit vectors (the hardest case for recall: their scores are close together). Recall@50 is against exact f32 search over the same vectors. p50 and p95 are over 40 successive queries; \"cold caches\" times each query again right after the exact f32 scan of the recall check has pushed the index out of the CPU caches, the worst case for a scan that is bound by memory bandwidth.\n");
    let _ = writeln!(
        report,
        "| candidates | vector memory | p50 ms | p95 ms | p50 ms, cold caches | recall@50 |\n|---|---|---|---|---|---|"
    );
    let sizes: Vec<usize> = std::env::var("BENCH_SIZES")
        .ok()
        .map(|s| s.split(',').filter_map(|n| n.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![10_000, 100_000, 1_000_000]);
    for size in sizes {
        let mut index = VectorIndex::default();
        let mut exact: Vec<Vec<f32>> = Vec::new();
        // Exact f32 copies for recall (1.5 GB at 1M: fine for a bench).
        for id in 0..size {
            let v = unit(id as u64 + 1);
            index
                .upsert(
                    EntityKey {
                        kind: "candidate".into(),
                        id: id as i64,
                    },
                    &v,
                )
                .expect("the bench's vectors have 384 dimensions");
            exact.push(v);
        }
        let queries: Vec<Vec<f32>> = (0..40).map(|q| unit(10_000_000 + q)).collect();
        // Successive queries, as a busy organisation sends them.
        let mut times = Vec::new();
        let mut results = Vec::new();
        for query in &queries {
            let start = Instant::now();
            results.push(index.search(query, 50, |_| true));
            times.push(start.elapsed());
        }
        // Then each query again right after an exact f32 scan has pushed the index out of the
        // CPU caches (the recall reference is that scan).
        let mut cold = Vec::new();
        let mut found = 0;
        for (query, hits) in queries.iter().zip(&results) {
            let mut truth: Vec<(f32, usize)> = exact
                .iter()
                .enumerate()
                .map(|(i, v)| (cosine(query, v), i))
                .collect();
            truth.select_nth_unstable_by(49, |a, b| b.0.total_cmp(&a.0));
            let truth: std::collections::HashSet<i64> =
                truth[..50].iter().map(|t| t.1 as i64).collect();
            found += hits.iter().filter(|h| truth.contains(&h.key.id)).count();
            let start = Instant::now();
            let again = index.search(query, 50, |_| true);
            cold.push(start.elapsed());
            assert_eq!(&again, hits, "a search answers the same every time");
        }
        times.sort();
        cold.sort();
        let recall = format!("{:.3}", found as f64 / (50 * queries.len()) as f64);
        let _ = writeln!(
            report,
            "| {size} | {:.0} MB | {:.2} | {:.2} | {:.2} | {recall} |",
            index.vector_bytes() as f64 / 1e6,
            percentile(&times, 0.5),
            percentile(&times, 0.95),
            percentile(&cold, 0.5)
        );
        eprintln!(
            "{size}: p50 {:.2} ms, cold {:.2} ms",
            percentile(&times, 0.5),
            percentile(&cold, 0.5)
        );
    }
    support::write_section(&path, "matching", &report);
    eprintln!("wrote the matching section of {}", path.display());
}
