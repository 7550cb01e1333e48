//! Matching-engine benchmark (not a test): embedding throughput and top-50 search latency.
//! Writes docs/BENCHMARKS.md. Run: `cargo bench -p server --bench matching`
//! (MODEL_DIR as for the server; BENCH_SIZES=10000,100000 to skip the 1M index).

use std::{
    fmt::Write as _,
    path::PathBuf,
    time::{Duration, Instant},
};
use talentloom_server::matching::{
    cosine,
    embedding::embed_sorted,
    index::{EntityKey, VectorIndex},
    SentenceEncoder, DIM,
};

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn texts() -> (Vec<String>, Vec<String>) {
    let fixture = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/minilm-reference-subset.jsonl"
    );
    let mut short = Vec::new();
    let mut long = Vec::new();
    for line in std::fs::read_to_string(fixture).expect("fixture").lines() {
        let v: serde_json::Value = serde_json::from_str(line).expect("JSON");
        let text = v["text"].as_str().expect("text").to_owned();
        if text.len() < 60 {
            short.push(text);
        } else if text.len() > 1200 {
            long.push(text);
        }
    }
    (short, long)
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
    let (short, long) = texts();
    let short: Vec<&str> = short.iter().map(String::as_str).collect();
    let long: Vec<&str> = long.iter().map(String::as_str).collect();
    let mut mixed: Vec<&str> = short.clone();
    mixed.extend(&long);

    let mut report = String::new();
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|c| {
            c.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let _ = writeln!(report, "# Benchmarks\n");
    let _ = writeln!(report, "Machine: {cpu}, {cores} cores. Command: `cargo bench -p server --bench matching` (release build, mimalloc, 1 inference thread). Written by `server/benches/matching.rs`.\n");
    let _ = writeln!(
        report,
        "## Embedding throughput (all-MiniLM-L6-v2, candle, 1 thread)\n"
    );
    let _ = writeln!(report, "| texts | batch | texts/s |\n|---|---|---|");
    for (name, set, batch, rounds) in [
        ("short (3–12 tokens)", &short, 1, 5),
        ("short (3–12 tokens)", &short, 32, 5),
        ("long (~256 tokens, truncated)", &long, 1, 2),
        ("long (~256 tokens, truncated)", &long, 32, 2),
        ("mixed", &mixed, 32, 3),
    ] {
        let rate = throughput(&encoder, set, batch, rounds);
        let _ = writeln!(
            report,
            "| {name}, {} texts | {batch} | {rate:.1} |",
            set.len()
        );
        eprintln!("{name} batch {batch}: {rate:.1} texts/s");
    }
    let _ = writeln!(report, "\nThe Python sentence-transformers comparison is not run yet: it needs torch, which is not installed by set-up.\n");

    let _ = writeln!(
        report,
        "## Top-50 search over an organisation's index (int8, exact scan, 1 thread)\n"
    );
    let _ = writeln!(report, "Vectors are random unit vectors (the hardest case for recall: their scores are close together). Recall@50 is against exact f32 search over the same vectors.\n");
    let _ = writeln!(
        report,
        "| candidates | vector memory | p50 ms | p95 ms | recall@50 |\n|---|---|---|---|---|"
    );
    let sizes: Vec<usize> = std::env::var("BENCH_SIZES")
        .ok()
        .map(|s| s.split(',').filter_map(|n| n.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![10_000, 100_000, 1_000_000]);
    for size in sizes {
        let mut index = VectorIndex::default();
        let mut exact: Vec<Vec<f32>> = Vec::new();
        let keep_exact = size <= 100_000;
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
            if keep_exact {
                exact.push(v);
            }
        }
        let queries: Vec<Vec<f32>> = (0..40).map(|q| unit(10_000_000 + q)).collect();
        let mut times = Vec::new();
        let mut found = 0;
        for query in &queries {
            let start = Instant::now();
            let hits = index.search(query, 50, |_| true);
            times.push(start.elapsed());
            if keep_exact {
                let mut truth: Vec<(f32, usize)> = exact
                    .iter()
                    .enumerate()
                    .map(|(i, v)| (cosine(query, v), i))
                    .collect();
                truth.select_nth_unstable_by(49, |a, b| b.0.total_cmp(&a.0));
                let truth: std::collections::HashSet<i64> =
                    truth[..50].iter().map(|t| t.1 as i64).collect();
                found += hits.iter().filter(|h| truth.contains(&h.key.id)).count();
            }
        }
        times.sort();
        let recall = if keep_exact {
            format!("{:.3}", found as f64 / (50 * queries.len()) as f64)
        } else {
            "not measured".into()
        };
        let _ = writeln!(
            report,
            "| {size} | {:.0} MB | {:.2} | {:.2} | {recall} |",
            index.vector_bytes() as f64 / 1e6,
            percentile(&times, 0.5),
            percentile(&times, 0.95)
        );
        eprintln!("{size}: p50 {:.2} ms", percentile(&times, 0.5));
    }
    let path = root.join("docs/BENCHMARKS.md");
    std::fs::write(&path, report).expect("write docs/BENCHMARKS.md");
    eprintln!("wrote {}", path.display());
}
