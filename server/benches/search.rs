//! Candidate search with 100,000 candidates, end to end through the release server: the
//! `candidates` server function as the search page calls it (the caller resolved, names and
//! addresses that contain the words, the hybrid search over CVs, each hit's reasons, the filters'
//! options), one typed query after another. Writes the "search" section of docs/BENCHMARKS.md.
//! Run: `cargo bench -p server --bench search` (`SEARCH_BENCH_DATA=DIR` keeps the seeded
//! database there for the next run).
//!
//! The candidates are written straight into the server's database (through the API each would
//! be a CV file read, embedded and read for skills: hours on this machine): the 24 labelled CVs of
//! `server/tests/fixtures/match-pairs`, each candidate's a variant of one (a name of its own, a
//! different third of its lines left out), with that CV's labelled skills, and a vector that is
//! the model's vector of the CV moved a little at random (so that 100,000 vectors differ as real
//! ones do). The server then starts on that database and builds its index as it would at any
//! start.

#[path = "support/mod.rs"]
mod support;

use sqlx::{sqlite::SqlitePoolOptions, Row};
use std::{
    fmt::Write as _,
    path::{Path, PathBuf},
    time::Instant,
};
use talentloom_server::matching::{
    embedding::embed_sorted,
    quality,
    store::{to_bytes, Document},
    SentenceEncoder, MODEL_ID,
};

const CANDIDATES: usize = 100_000;
const ROUNDS: usize = 5;
/// What recruiters type: skills, a duty in other words, names.
const QUERIES: [&str; 20] = [
    "rust",
    "python",
    "nurse",
    "kubernetes postgresql",
    "hospital nursing",
    "sales pipeline",
    "maths teacher",
    "forklift",
    "financial reporting",
    "react typescript",
    "erin",
    "connell",
    "intensive care",
    "customer success",
    "lesson planning",
    "bookkeeping",
    "team leadership",
    "triage",
    "go microservices",
    "accounts payable",
];

const FIRST: [&str; 20] = [
    "Ada", "Ben", "Chloe", "Dev", "Elif", "Farah", "Gus", "Hana", "Ivan", "Jade", "Kofi", "Lena",
    "Milo", "Nia", "Omar", "Pia", "Quinn", "Rosa", "Sami", "Tara",
];
const LAST: [&str; 25] = [
    "Okafor", "Schmidt", "Nguyen", "Garcia", "Kowalski", "Haddad", "Larsen", "Moreau", "Tanaka",
    "Silva", "Novak", "Byrne", "Rossi", "Yilmaz", "Patel", "Dubois", "Fischer", "Jansen", "Costa",
    "Ivanova", "Murphy", "Sato", "Khan", "Berg", "Lopez",
];

/// A small deterministic random source (xorshift64*).
struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Roughly normal, mean 0, deviation about 1 (the sum of four uniforms, scaled).
    fn normal(&mut self) -> f32 {
        let sum: f64 = (0..4)
            .map(|_| (self.next() >> 11) as f64 / (1u64 << 53) as f64)
            .sum();
        ((sum - 2.0) * 1.732) as f32
    }
}

/// Candidate `i`'s CV: the source CV under their name, a third of its lines left out.
fn variant(cv: &str, name: &str, i: usize) -> String {
    let mut lines = cv.trim().lines();
    lines.next();
    std::iter::once(name)
        .chain(
            lines
                .enumerate()
                .filter(|(n, _)| !(n + i).is_multiple_of(3))
                .map(|(_, l)| l),
        )
        .collect::<Vec<_>>()
        .join("\n")
}

async fn seed(data: &Path, root: &Path) {
    let professions =
        quality::load(&root.join("server/tests/fixtures/match-pairs")).expect("the labelled CVs");
    let cvs: Vec<&quality::LabelledCv> = professions.iter().flat_map(|p| &p.candidates).collect();
    let model_dir = std::env::var_os("MODEL_DIR")
        .map_or_else(|| root.join("models/all-MiniLM-L6-v2"), PathBuf::from);
    let encoder = SentenceEncoder::load(&model_dir).expect("the model");
    let texts: Vec<&str> = cvs.iter().map(|c| c.text.as_str()).collect();
    let base_vectors = embed_sorted(&encoder, &texts, 8).expect("embeddings");

    let pool = SqlitePoolOptions::new()
        .max_connections(1)
        .connect(&format!(
            "sqlite://{}",
            data.join("talentloom.db").display()
        ))
        .await
        .expect("the server's database");
    let org_id: i64 = sqlx::query("SELECT id FROM organisations WHERE slug = 'acme'")
        .fetch_one(&pool)
        .await
        .expect("the organisation")
        .get(0);
    let mut random = Random(0x9E37_79B9_7F4A_7C15);
    let started = Instant::now();
    for chunk in (0..CANDIDATES).collect::<Vec<_>>().chunks(5_000) {
        let mut tx = pool.begin().await.expect("transaction");
        for &i in chunk {
            let source = i % cvs.len();
            let name = format!(
                "{} {} {}",
                FIRST[i % FIRST.len()],
                LAST[(i / FIRST.len()) % LAST.len()],
                i
            );
            let text = variant(&cvs[source].text, &name, i);
            let at = 1_700_000_000 + i as i64;
            let id: i64 = sqlx::query(
                "INSERT INTO candidates (org_id, name, email, phone, phone_key, links, cv_text, \
                 source, created_at, updated_at, name_key) \
                 VALUES (?, ?, ?, '', '', '', ?, 'careers', ?, ?, ?) RETURNING id",
            )
            .bind(org_id)
            .bind(&name)
            .bind(format!("candidate{i}@example.com"))
            .bind(&text)
            .bind(at)
            .bind(at)
            .bind(shared::applications::name_key(&name))
            .fetch_one(&mut *tx)
            .await
            .expect("a candidate")
            .get(0);
            let document = Document {
                title: &name,
                body: text.trim(),
            };
            let hash = document.content_hash();
            sqlx::query(
                "INSERT INTO search_documents (org_id, kind, entity_id, title, body, \
                 content_hash, updated_at) VALUES (?, 'candidate', ?, ?, ?, ?, ?)",
            )
            .bind(org_id)
            .bind(id)
            .bind(&name)
            .bind(text.trim())
            .bind(&hash)
            .bind(at)
            .execute(&mut *tx)
            .await
            .expect("a document");
            let mut vector: Vec<f32> = base_vectors[source]
                .iter()
                .map(|x| x + 0.02 * random.normal())
                .collect();
            let norm = vector.iter().map(|x| x * x).sum::<f32>().sqrt();
            vector.iter_mut().for_each(|x| *x /= norm);
            sqlx::query(
                "INSERT INTO embeddings (org_id, kind, entity_id, model_id, content_hash, \
                 vector, created_at) VALUES (?, 'candidate', ?, ?, ?, ?, ?)",
            )
            .bind(org_id)
            .bind(id)
            .bind(MODEL_ID)
            .bind(&hash)
            .bind(to_bytes(&vector))
            .bind(at)
            .execute(&mut *tx)
            .await
            .expect("a vector");
            for (position, label) in cvs[source].skills.iter().enumerate() {
                let label = label.split('|').next().unwrap_or(label).trim();
                let detail = serde_json::json!({ "label": label });
                sqlx::query(
                    "INSERT INTO candidate_skills (candidate_id, org_id, label, label_key, \
                     position, detail) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                )
                .bind(id)
                .bind(org_id)
                .bind(label)
                .bind(label.to_lowercase())
                .bind(position as i64)
                .bind(detail.to_string())
                .execute(&mut *tx)
                .await
                .expect("a skill");
            }
        }
        tx.commit().await.expect("commit");
    }
    pool.close().await;
    eprintln!(
        "wrote {CANDIDATES} candidates in {:.0} s",
        started.elapsed().as_secs_f64()
    );
}

async fn run(root: &Path) -> String {
    // SEARCH_BENCH_DATA=DIR keeps the seeded database in DIR and uses it again next time (for
    // profiling one change after another); by default a new one each run.
    let kept = std::env::var_os("SEARCH_BENCH_DATA").map(PathBuf::from);
    let scratch = tempfile::tempdir().expect("a data directory");
    let data = kept.as_deref().unwrap_or(scratch.path());
    let seeded = data.join("seeded");
    if !seeded.exists() {
        std::fs::create_dir_all(data).expect("the data directory");
        // The server makes its database, the owner and the organisation; then it stops.
        {
            let server = support::Server::start_in(data, &[]).await;
            support::Api::owner_of(&server.base, "acme").await;
        }
        seed(data, root).await;
        std::fs::write(&seeded, b"").expect("the seeded mark");
    }
    let started = Instant::now();
    let server = support::Server::start_in(data, &[]).await;
    let start_secs = started.elapsed().as_secs_f64();
    let owner = support::Api::new(&server.base);
    owner
        .call(
            "sign_in",
            &[
                ("email", "owner@acme.example.com".into()),
                ("password", "correct horse battery staple 42".into()),
            ],
        )
        .await;
    let search = |query: &str| {
        let form = [
            ("slug", "acme".to_owned()),
            ("query", query.to_owned()),
            ("page", "1".to_owned()),
        ];
        let owner = &owner;
        async move {
            let at = Instant::now();
            let page = owner.call("candidates", &form).await;
            (at.elapsed().as_secs_f64() * 1000.0, page)
        }
    };
    // Warm-up, and a check that the search finds what it should.
    let (_, nurses) = search("nurse").await;
    assert!(
        nurses["total"].as_u64().unwrap_or(0) > 1_000,
        "the search found too little: {}",
        nurses["total"]
    );
    let mut typed = Vec::new();
    let mut newest = Vec::new();
    for _ in 0..ROUNDS {
        for query in QUERIES {
            typed.push(search(query).await.0);
        }
        newest.push(search("").await.0);
    }
    typed.sort_by(f64::total_cmp);
    newest.sort_by(f64::total_cmp);
    let (cpu, cores) = support::machine();
    let mut report = String::new();
    let _ = writeln!(report, "## Candidate search with {CANDIDATES} candidates\n");
    let _ = writeln!(
        report,
        "Machine: {cpu}, {cores} cores. Command: `cargo bench -p server --bench search` (the \
         release build on SQLite, written by `server/benches/search.rs`). The organisation has \
         {CANDIDATES} candidates: variants of the 24 labelled CVs of \
         `server/tests/fixtures/match-pairs` (each under a name of its own, a different third of \
         its lines left out, with that CV's labelled skills), each with the model's vector of its \
         CV moved a little at random; written into the database directly, then the server \
         started on it (building its index took {start_secs:.0} s with the start). Timed: the \
         `candidates` server function over HTTP as the search page calls it, signed in as the \
         owner, page 1 (20 hits with their reasons, the skill and stage filters' options), \
         {ROUNDS} rounds of {} typed queries (skills, duties in other words, names), one after \
         the other. Target: p95 ≤ 50 ms for a typed query.\n",
        QUERIES.len()
    );
    let _ = writeln!(
        report,
        "| request | requests | p50 ms | p95 ms | max ms |\n|---|---:|---:|---:|---:|"
    );
    for (name, times) in [
        ("a typed query", &typed),
        ("the newest (no query)", &newest),
    ] {
        let _ = writeln!(
            report,
            "| {name} | {} | {:.1} | {:.1} | {:.1} |",
            times.len(),
            support::percentile(times, 50.0),
            support::percentile(times, 95.0),
            times.last().copied().unwrap_or_default()
        );
    }
    let _ = writeln!(report, "\nQueries: {}.", QUERIES.join(", "));
    drop(server);
    report
}

fn main() {
    support::run_and_write("search", |root| async move { run(&root).await });
}
