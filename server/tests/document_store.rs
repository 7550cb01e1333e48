//! The document store on a real database (SQLite and PostgreSQL) with the real model: documents
//! and their embeddings persist, the index is rebuilt from them at start-up, writes keep it
//! current, organisations stay apart, and after a model change the background backfill
//! re-embeds everything while reporting progress.

use crate::common;

use common::{Db as Backend, TestDb};
use sqlx::Row;
use std::{sync::Arc, time::Duration};
use talentloom_server::{
    matching::{
        index::EntityKey,
        store::{Document, DocumentStore, Indexed, StoreError, EMBED_DOCUMENTS},
        DIM, MODEL_ID,
    },
    platform::metrics::Metrics,
    queue::{Handlers, JobQueue},
};

fn key(kind: &str, id: i64) -> EntityKey {
    EntityKey {
        kind: kind.into(),
        id,
    }
}

const CVS: &[(i64, &str, &str)] = &[
    (
        1,
        "Ada Example",
        "Senior Rust engineer in Berlin. Six years building PostgreSQL-backed services.",
    ),
    (
        2,
        "Ben Example",
        "Pastry chef in Lyon: croissants, laminated doughs and wedding cakes.",
    ),
    (
        3,
        "Cleo Example",
        "Rust developer (Berlin) running Postgres databases at scale.",
    ),
    (
        4,
        "Dan Example",
        "Registered nurse on an intensive care unit in Hamburg.",
    ),
];

async fn put_all(store: &DocumentStore, org: i64) {
    for (id, title, body) in CVS {
        let indexed = store
            .put(org, key("candidate", *id), Document { title, body })
            .await
            .expect("stored");
        assert_eq!(indexed, Indexed::Embedded);
    }
}

async fn embedding_rows(db: &talentloom_server::db::Db) -> Vec<(i64, String, String, usize)> {
    sqlx::query(
        "SELECT org_id, kind, model_id, vector FROM embeddings ORDER BY org_id, kind, entity_id",
    )
    .fetch_all(&db.pool)
    .await
    .expect("embeddings")
    .iter()
    .map(|r| {
        (
            r.get::<i64, _>("org_id"),
            r.get::<String, _>("kind"),
            r.get::<String, _>("model_id"),
            r.get::<Vec<u8>, _>("vector").len(),
        )
    })
    .collect()
}

async fn documents_persist_and_the_index_is_rebuilt_at_start_up(backend: Backend) {
    let Some(test_db) = TestDb::with_two_organisations(backend).await else {
        return;
    };
    let (acme, globex) = (test_db.orgs[0], test_db.orgs[1]);
    let engine = common::engine();
    let store = DocumentStore::open(
        test_db.db.clone(),
        engine.embeddings.clone(),
        JobQueue::new(test_db.db.clone()),
    )
    .await
    .expect("opened");
    put_all(&store, acme).await;
    // The same texts in another organisation, under the same ids, and a job in acme.
    put_all(&store, globex).await;
    store
        .put(
            acme,
            key("job", 1),
            Document {
                title: "Senior Rust Engineer",
                body: "Berlin, hybrid. Rust and PostgreSQL.",
            },
        )
        .await
        .expect("stored");

    // Persisted: one 384-float vector per document, keyed by organisation, kind, id and model.
    let rows = embedding_rows(&test_db.db).await;
    assert_eq!(rows.len(), 9);
    assert!(rows
        .iter()
        .all(|(_, _, model, bytes)| model == MODEL_ID && *bytes == DIM * 4));

    let query = "senior rust engineer berlin postgres";
    let page = store
        .search(acme, query, Some("candidate"), 0, 10)
        .await
        .expect("searched");
    let order: Vec<i64> = page.hits.iter().map(|h| h.key.id).collect();
    assert_eq!(&order[..2], &[1, 3], "{page:#?}");
    assert!(!order.contains(&2), "the pastry chef matches nothing");
    assert_eq!(page.hits[0].title, "Ada Example");
    assert!(page.hits.iter().all(|h| h.key.kind == "candidate"));
    let jobs = store
        .search(acme, query, Some("job"), 0, 10)
        .await
        .expect("searched");
    assert_eq!(jobs.hits.len(), 1);
    assert_eq!(jobs.hits[0].title, "Senior Rust Engineer");
    assert_eq!(
        store.status(acme).documents,
        5,
        "globex's documents are not counted in acme"
    );

    // Bad input is refused with what to fix, and changes nothing.
    let refused = store
        .put(
            acme,
            key("Candidate!", 9),
            Document {
                title: "x",
                body: "y",
            },
        )
        .await;
    assert!(matches!(refused, Err(StoreError::Kind(_))), "{refused:?}");
    let refused = store
        .put(
            acme,
            key("candidate", 1),
            Document {
                title: "",
                body: "  ",
            },
        )
        .await;
    assert!(matches!(refused, Err(StoreError::Empty)), "{refused:?}");
    assert_eq!(embedding_rows(&test_db.db).await.len(), 9);

    // A restarted server rebuilds the same index from the database, without embedding anything.
    drop(store);
    let db = test_db.reconnect().await;
    let store = DocumentStore::open(
        db.clone(),
        engine.embeddings.clone(),
        JobQueue::new(db.clone()),
    )
    .await
    .expect("reopened");
    let status = store.status(acme);
    assert_eq!(
        (status.documents, status.embedded, status.pending),
        (5, 5, 0)
    );
    assert_eq!(store.progress().pending, 0);
    let again = store
        .search(acme, query, Some("candidate"), 0, 10)
        .await
        .expect("searched");
    assert_eq!(again, page, "the rebuilt index answers exactly as before");

    // Writes keep it current: a changed CV is re-embedded, a removed one disappears everywhere.
    store
        .put(
            acme,
            key("candidate", 2),
            Document {
                title: "Ben Example",
                body: "Retrained: Rust engineer in Berlin, PostgreSQL and Kubernetes.",
            },
        )
        .await
        .expect("updated");
    assert!(store
        .remove(acme, &key("candidate", 3))
        .await
        .expect("removed"));
    assert!(!store
        .remove(acme, &key("candidate", 3))
        .await
        .expect("removed"));
    let page = store
        .search(acme, query, Some("candidate"), 0, 10)
        .await
        .expect("searched");
    let order: Vec<i64> = page.hits.iter().map(|h| h.key.id).collect();
    assert!(order.contains(&2) && !order.contains(&3), "{order:?}");
    let rows = embedding_rows(&db).await;
    assert_eq!(rows.len(), 8);
    // Pagination: the second page continues the first.
    let first = store
        .search(acme, query, None, 0, 1)
        .await
        .expect("searched");
    let second = store
        .search(acme, query, None, 1, 1)
        .await
        .expect("searched");
    assert_eq!(first.total, second.total);
    assert_ne!(first.hits[0].key, second.hits[0].key);

    db.pool.close().await;
    test_db.close().await;
}

async fn a_model_change_is_backfilled_in_the_background_with_progress(backend: Backend) {
    let Some(test_db) = TestDb::with_two_organisations(backend).await else {
        return;
    };
    let acme = test_db.orgs[0];
    let engine = common::engine();
    let store = DocumentStore::open(
        test_db.db.clone(),
        engine.embeddings.clone(),
        JobQueue::new(test_db.db.clone()),
    )
    .await
    .expect("opened");
    // More documents than one backfill round takes.
    let count = 45;
    for id in 0..count {
        let (_, title, body) = CVS[id as usize % CVS.len()];
        let body = format!("{body} Reference {id}.");
        store
            .put(acme, key("candidate", id), Document { title, body: &body })
            .await
            .expect("stored");
    }
    drop(store);
    // As if they had been embedded by an earlier model, one of them damaged on disk.
    sqlx::query("UPDATE embeddings SET model_id = 'an-older-model@1'")
        .execute(&test_db.db.pool)
        .await
        .expect("aged");
    sqlx::query("UPDATE embeddings SET model_id = $1, vector = $2 WHERE entity_id = 7")
        .bind(MODEL_ID)
        .bind(vec![0u8; 12])
        .execute(&test_db.db.pool)
        .await
        .expect("damaged");

    let queue = JobQueue::new(test_db.db.clone());
    let store = DocumentStore::open(test_db.db.clone(), engine.embeddings.clone(), queue.clone())
        .await
        .expect("reopened");
    let status = store.status(acme);
    assert_eq!(
        (status.documents, status.embedded, status.pending),
        (45, 0, 45)
    );
    assert_eq!(store.progress().pending, 45);
    // Until then, documents are found by their words.
    let page = store
        .search(acme, "pastry chef lyon", None, 0, 50)
        .await
        .expect("searched");
    assert!(!page.hits.is_empty());
    assert!(page
        .hits
        .iter()
        .all(|h| h.semantic == 0.0 && h.keyword > 0.0));

    // The backfill runs as jobs on the durable queue (the reopened store queued it).
    let handlers = Handlers::default().with(EMBED_DOCUMENTS, store.backfill());
    let backfill = tokio::spawn(queue.work(Arc::new(handlers), Metrics::new().expect("metrics")));
    // A deadline, not a speed target: 45 short texts take about a second here.
    let mut waited = 0;
    while store.progress().pending > 0 || store.progress().running {
        assert!(
            waited < 600,
            "the backfill did not finish: {:?}",
            store.progress()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
        waited += 1;
    }
    backfill.abort();
    let progress = store.progress();
    assert_eq!((progress.pending, progress.done), (0, 45));
    let status = store.status(acme);
    assert_eq!((status.embedded, status.pending), (45, 0));
    let rows = embedding_rows(&test_db.db).await;
    assert_eq!(rows.len(), 45);
    assert!(rows
        .iter()
        .all(|(_, _, model, bytes)| model == MODEL_ID && *bytes == DIM * 4));
    let page = store
        .search(acme, "pastry chef lyon", None, 0, 50)
        .await
        .expect("searched");
    assert!(page.hits[0].semantic > 0.3, "{:?}", page.hits[0]);

    test_db.close().await;
}

on_both_databases!(
    documents_persist_and_the_index_is_rebuilt_at_start_up,
    a_model_change_is_backfilled_in_the_background_with_progress,
);
