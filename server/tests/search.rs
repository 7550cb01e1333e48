//! Hybrid search with real embeddings: keywords and meaning together, filters, pagination,
//! and organisation isolation.

use crate::common;

use talentloom_server::matching::{index::EntityKey, search::DocumentSearch};

fn candidate(id: i64) -> EntityKey {
    EntityKey {
        kind: "candidate".into(),
        id,
    }
}

const DOCS: &[(i64, &str)] = &[
    (
        1,
        "Senior Rust engineer in Berlin. Eight years of backend work on PostgreSQL and Kafka.",
    ),
    (
        2,
        "Experienced Rust developer based in Berlin; builds services on Postgres databases.",
    ),
    (
        3,
        "Registered nurse in Berlin with intensive care experience.",
    ),
    (4, "Junior Java developer from Munich, some PostgreSQL."),
    (5, "Pastry chef in Hamburg: croissants, cakes and bread."),
    (
        6,
        "Backend engineer (Go, PostgreSQL) in Berlin, moving to Rust.",
    ),
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keywords_and_meaning_rank_together_within_one_organisation() {
    let engine = common::engine();
    let texts: Vec<String> = DOCS.iter().map(|d| d.1.to_owned()).collect();
    let vectors = engine.embeddings.embed(texts).await.expect("embedded");
    let search = DocumentSearch::default();
    for ((id, text), vector) in DOCS.iter().zip(&vectors) {
        search
            .upsert(1, candidate(*id), text, vector)
            .expect("a 384-dimension vector");
    }
    // The same texts in another organisation, under other ids.
    for ((id, text), vector) in DOCS.iter().zip(&vectors) {
        search
            .upsert(2, candidate(100 + id), text, vector)
            .expect("a 384-dimension vector");
    }
    // A job in organisation 1: another kind, filtered out below.
    search
        .upsert(
            1,
            EntityKey {
                kind: "job".into(),
                id: 1,
            },
            DOCS[0].1,
            &vectors[0],
        )
        .expect("a 384-dimension vector");

    let query = "senior rust engineer berlin postgres";
    let q = engine.embeddings.embed_one(query).await.expect("embedded");
    let page = search.search(1, query, &q, |k| k.kind == "candidate", 0, 3);
    let ids: Vec<i64> = page.hits.iter().map(|h| h.key.id).collect();
    assert_eq!(ids[0], 1, "{page:?}");
    assert!(ids.contains(&2) && ids.contains(&6), "{page:?}");
    assert!(page
        .hits
        .iter()
        .all(|h| h.key.kind == "candidate" && h.key.id < 100));
    assert!(page.hits.windows(2).all(|w| w[0].score >= w[1].score));
    // The pastry chef shares no word and little meaning: not a result at all.
    let everything = search.search(1, query, &q, |k| k.kind == "candidate", 0, 50);
    assert!(
        everything.hits.iter().all(|h| h.key.id != 5),
        "{everything:?}"
    );
    assert_eq!(everything.total, everything.hits.len());

    // Pagination: the second page continues the first.
    let second = search.search(1, query, &q, |k| k.kind == "candidate", 3, 3);
    assert_eq!(second.total, everything.total);
    let paged: Vec<i64> = page
        .hits
        .iter()
        .chain(&second.hits)
        .map(|h| h.key.id)
        .collect();
    let all: Vec<i64> = everything.hits.iter().take(6).map(|h| h.key.id).collect();
    assert_eq!(paged, all);

    // Organisation 2 sees only its own copies; organisation 3 sees nothing.
    let other = search.search(2, query, &q, |_| true, 0, 50);
    assert!(other.hits.iter().all(|h| h.key.id > 100));
    assert!(search.search(3, query, &q, |_| true, 0, 50).hits.is_empty());

    // Removing a document takes it out of both halves of the index.
    search.remove(1, &candidate(1));
    let after = search.search(1, query, &q, |k| k.kind == "candidate", 0, 50);
    assert!(after.hits.iter().all(|h| h.key.id != 1));
}
