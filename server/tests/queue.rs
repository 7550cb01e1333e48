//! The durable job queue on a real database: a job survives a restart, several workers never run
//! one job twice (PostgreSQL, `SKIP LOCKED`), and a failing job is retried with back-off until
//! its attempts are used up. Time is moved by rewriting `run_at`, never by sleeping.

use crate::common;

use common::{Db as Backend, TestDb};
use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};
use talentloom_server::{
    db::{now, Db},
    platform::metrics::Metrics,
    queue::{retry_delay_secs, ClaimedJob, Handlers, JobError, JobHandler, JobQueue, NewJob},
};

/// Records every job it runs; fails while `fail` says so.
#[derive(Clone, Default)]
struct Recorder {
    runs: Arc<Mutex<Vec<i64>>>,
    fail: bool,
}

#[async_trait::async_trait]
impl JobHandler for Recorder {
    async fn run(&self, job: &ClaimedJob) -> Result<(), JobError> {
        self.runs
            .lock()
            .expect("runs")
            .push(job.payload["n"].as_i64().unwrap_or(-1));
        if self.fail {
            return Err(JobError::Retry("the remote end said no".into()));
        }
        Ok(())
    }
}

async fn status_of(db: &Db, id: i64) -> (String, i64, i64, Option<String>) {
    sqlx::query_as("SELECT status, attempts, run_at, last_error FROM background_jobs WHERE id = $1")
        .bind(id)
        .fetch_one(&db.pool)
        .await
        .expect("the job")
}

/// Makes every queued job due now (as if its back-off had passed).
async fn time_passes(db: &Db) {
    sqlx::query("UPDATE background_jobs SET run_at = $1 WHERE status = 'queued'")
        .bind(now() - 1)
        .execute(&db.pool)
        .await
        .expect("time passes");
}

async fn a_job_survives_a_restart(backend: Backend) {
    let Some(test_db) = TestDb::with_two_organisations(backend).await else {
        return;
    };
    let queue = JobQueue::new(test_db.db.clone());
    let id = queue
        .push(NewJob::new("record", serde_json::json!({ "n": 7 })).for_org(Some(test_db.orgs[0])))
        .await
        .expect("queued")
        .expect("an id");
    drop(queue);
    // A new connection pool and a new queue: as after a restart.
    let db = test_db.reconnect().await;
    let recorder = Recorder::default();
    let handlers = Handlers::default().with("record", recorder.clone());
    let queue = JobQueue::new(db.clone());
    assert!(queue
        .run_one(&handlers, &Metrics::new().expect("metrics"))
        .await
        .expect("ran"));
    assert_eq!(*recorder.runs.lock().expect("runs"), vec![7]);
    let (status, attempts, ..) = status_of(&db, id).await;
    assert_eq!((status.as_str(), attempts), ("done", 1));
    // Visible to the organisation's administrators.
    let listed = queue.list(test_db.orgs[0]).await.expect("listed");
    assert_eq!(listed.len(), 1);
    assert!(queue
        .list(test_db.orgs[1])
        .await
        .expect("listed")
        .is_empty());
    db.pool.close().await;
    test_db.close().await;
}

async fn a_failing_job_backs_off_and_stops_after_its_attempts(backend: Backend) {
    let Some(test_db) = TestDb::with_two_organisations(backend).await else {
        return;
    };
    let db = &test_db.db;
    let queue = JobQueue::new(db.clone());
    let failing = Recorder {
        fail: true,
        ..Default::default()
    };
    let handlers = Handlers::default().with("record", failing.clone());
    let metrics = Metrics::new().expect("metrics");
    let id = queue
        .push(NewJob::new("record", serde_json::json!({ "n": 1 })).attempts(3))
        .await
        .expect("queued")
        .expect("an id");
    for attempt in 1..=3 {
        let before = now();
        assert!(
            queue.run_one(&handlers, &metrics).await.expect("ran"),
            "attempt {attempt}"
        );
        let (status, attempts, run_at, error) = status_of(db, id).await;
        assert_eq!(attempts, attempt);
        assert_eq!(error.as_deref(), Some("the remote end said no"));
        if attempt < 3 {
            assert_eq!(status, "queued");
            // Not before its back-off, which doubles each time.
            let delay = retry_delay_secs(attempt);
            assert!(
                run_at >= before + delay && run_at <= now() + delay,
                "attempt {attempt}"
            );
            assert!(
                !queue.run_one(&handlers, &metrics).await.expect("polled"),
                "too early"
            );
            time_passes(db).await;
        } else {
            assert_eq!(status, "failed");
        }
    }
    time_passes(db).await;
    assert!(
        !queue.run_one(&handlers, &metrics).await.expect("polled"),
        "given up"
    );
    assert_eq!(failing.runs.lock().expect("runs").len(), 3);
    assert_eq!(retry_delay_secs(2), 2 * retry_delay_secs(1));
    test_db.close().await;
}

/// Two server instances' worth of workers on one PostgreSQL database, racing for 200 jobs.
async fn two_workers_never_run_one_job_twice(backend: Backend) {
    let Some(test_db) = TestDb::with_two_organisations(backend).await else {
        return;
    };
    let jobs = 200;
    let queue = JobQueue::new(test_db.db.clone());
    for n in 0..jobs {
        queue
            .push(NewJob::new("record", serde_json::json!({ "n": n })))
            .await
            .expect("queued");
    }
    let recorder = Recorder::default();
    let handlers = Arc::new(Handlers::default().with("record", recorder.clone()));
    let metrics = Metrics::new().expect("metrics");
    let mut instances = Vec::new();
    for _ in 0..2 {
        let db = test_db.reconnect().await;
        for _ in 0..3 {
            let (queue, handlers, metrics) =
                (JobQueue::new(db.clone()), handlers.clone(), metrics.clone());
            instances.push(tokio::spawn(async move {
                while queue.run_one(&handlers, &metrics).await.expect("ran") {}
            }));
        }
    }
    for worker in instances {
        worker.await.expect("worker");
    }
    let runs = recorder.runs.lock().expect("runs").clone();
    let mut counts: HashMap<i64, usize> = HashMap::new();
    for n in &runs {
        *counts.entry(*n).or_default() += 1;
    }
    let twice: Vec<_> = counts.iter().filter(|(_, c)| **c > 1).collect();
    assert!(twice.is_empty(), "run more than once: {twice:?}");
    assert_eq!(counts.len(), jobs as usize, "every job ran");
    test_db.close().await;
}

/// At most one queued job per dedupe key (the search backfill queues itself this way).
async fn a_dedupe_key_keeps_one_job_queued(backend: Backend) {
    let Some(test_db) = TestDb::with_two_organisations(backend).await else {
        return;
    };
    let queue = JobQueue::new(test_db.db.clone());
    let first = queue
        .push(NewJob::new("record", serde_json::json!({})).once_queued("backfill"))
        .await
        .expect("queued");
    let second = queue
        .push(NewJob::new("record", serde_json::json!({})).once_queued("backfill"))
        .await
        .expect("no error");
    assert!(first.is_some());
    assert_eq!(second, None);
    test_db.close().await;
}

on_both_databases!(
    a_job_survives_a_restart,
    a_failing_job_backs_off_and_stops_after_its_attempts,
    two_workers_never_run_one_job_twice,
    a_dedupe_key_keeps_one_job_queued,
);
