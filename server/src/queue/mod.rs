//! The durable job queue: work that runs after a request (mail delivery, search indexing, and in
//! later features scoring, reminders, digests, webhooks), stored in the database so that it
//! survives a restart.
//!
//! A job has a kind, a JSON payload, a run time, attempts and its last error. Workers *claim*
//! due jobs: on PostgreSQL with `FOR UPDATE SKIP LOCKED`, so several server instances share the
//! work and none runs a job another holds; on SQLite the claiming `UPDATE` is atomic because
//! SQLite has one writer at a time. A claim is a lease: a job whose worker died is claimed again
//! once its lease runs out. A failed attempt is retried with a doubling pause until the job's
//! attempts are used up; then it stays `failed` with its error, visible to administrators
//! (`/o/<org>/admin/jobs`).

use crate::platform::{
    db::{now, Backend, Db},
    error::OrInternal,
    metrics::Metrics,
};
use app::{
    error::ApiError,
    queue::{api::BackgroundJobs, seam::QueueSeam},
    seam::OrgCaller,
};
use serde::{de::DeserializeOwned, Serialize};
use shared::{
    queue::{BackgroundJob, JobStatus},
    Permission,
};
use std::{collections::HashMap, sync::Arc, time::Duration};
use tokio::sync::Notify;

/// How long a claim holds a job before another worker may take it over.
const LEASE_SECS: i64 = 300;
/// The pause after a job's first failed attempt; it doubles with each further one.
const FIRST_RETRY_SECS: i64 = 30;
/// The longest pause between attempts.
const MAX_RETRY_SECS: i64 = 6 * 3600;
/// Finished jobs are kept this long for administrators to look at.
const KEEP_FINISHED_SECS: i64 = 14 * 86_400;
/// Workers per server instance.
const WORKERS: usize = 2;

/// A job to add to the queue.
#[derive(Clone, Debug)]
pub struct NewJob {
    pub kind: &'static str,
    /// The organisation it belongs to (shown to its administrators), if any.
    pub org_id: Option<i64>,
    pub payload: serde_json::Value,
    /// At most one *queued* job with this key exists; adding another is a no-op.
    pub dedupe_key: Option<String>,
    pub max_attempts: i64,
    /// Seconds from now until it may run.
    pub delay_secs: i64,
}

impl NewJob {
    /// A job of `kind` with its payload, up to 10 attempts, due now.
    pub fn new(kind: &'static str, payload: impl Serialize) -> Self {
        Self {
            kind,
            org_id: None,
            payload: serde_json::to_value(payload).unwrap_or(serde_json::Value::Null),
            dedupe_key: None,
            max_attempts: 10,
            delay_secs: 0,
        }
    }

    pub fn for_org(mut self, org_id: Option<i64>) -> Self {
        self.org_id = org_id;
        self
    }

    pub fn once_queued(mut self, key: impl Into<String>) -> Self {
        self.dedupe_key = Some(key.into());
        self
    }

    pub fn attempts(mut self, max_attempts: i64) -> Self {
        self.max_attempts = max_attempts.max(1);
        self
    }
}

/// A job a worker holds.
#[derive(Clone, Debug)]
pub struct ClaimedJob {
    pub id: i64,
    pub org_id: Option<i64>,
    pub kind: String,
    pub payload: serde_json::Value,
    /// This attempt's number, from 1.
    pub attempt: i64,
    pub max_attempts: i64,
}

impl ClaimedJob {
    /// The payload as the handler's type.
    pub fn payload<T: DeserializeOwned>(&self) -> Result<T, JobError> {
        serde_json::from_value(self.payload.clone())
            .map_err(|e| JobError::Fatal(format!("the job's payload is not readable: {e}")))
    }
}

/// Why an attempt did not finish the job.
#[derive(Debug, thiserror::Error)]
pub enum JobError {
    /// Try again later (with back-off), while attempts remain.
    #[error("{0}")]
    Retry(String),
    /// A shared resource (the model) is busy: try again shortly, without using up an attempt.
    #[error("busy: {0}")]
    Busy(String),
    /// Retrying cannot help; the job fails now.
    #[error("{0}")]
    Fatal(String),
}

/// Runs the jobs of one kind.
#[async_trait::async_trait]
pub trait JobHandler: Send + Sync + 'static {
    async fn run(&self, job: &ClaimedJob) -> Result<(), JobError>;
}

/// The queue; clones share the database and the wake-up signal.
#[derive(Clone)]
pub struct JobQueue {
    db: Db,
    /// Identifies this instance's claims.
    worker_id: Arc<str>,
    wake: Arc<Notify>,
}

/// The pause before attempt `attempt + 1` after attempt `attempt` failed.
pub fn retry_delay_secs(attempt: i64) -> i64 {
    let doublings = u32::try_from(attempt.saturating_sub(1))
        .unwrap_or(0)
        .min(20);
    FIRST_RETRY_SECS
        .saturating_mul(1 << doublings)
        .min(MAX_RETRY_SECS)
}

#[derive(sqlx::FromRow)]
struct JobRow {
    id: i64,
    org_id: Option<i64>,
    kind: String,
    payload: String,
    attempts: i64,
    max_attempts: i64,
}

#[derive(sqlx::FromRow)]
struct ListedJob {
    id: i64,
    kind: String,
    status: String,
    attempts: i64,
    max_attempts: i64,
    run_at: i64,
    created_at: i64,
    finished_at: Option<i64>,
    last_error: Option<String>,
}

impl JobQueue {
    pub fn new(db: Db) -> Self {
        let mut id = [0u8; 8];
        rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut id);
        Self {
            db,
            worker_id: id
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect::<String>()
                .into(),
            wake: Arc::new(Notify::new()),
        }
    }

    /// Adds a job inside the caller's transaction, so it exists exactly when what caused it
    /// does. Returns its id, or `None` when a queued job with the same dedupe key exists.
    pub async fn enqueue(
        &self,
        conn: &mut sqlx::AnyConnection,
        job: NewJob,
    ) -> Result<Option<i64>, sqlx::Error> {
        let now = now();
        let payload = job.payload.to_string();
        let inserted = sqlx::query_scalar::<_, i64>(
            "INSERT INTO background_jobs (org_id, kind, payload, status, dedupe_key, run_at, \
             max_attempts, created_at) VALUES ($1, $2, $3, 'queued', $4, $5, $6, $7) \
             ON CONFLICT (dedupe_key) WHERE status = 'queued' DO NOTHING RETURNING id",
        )
        .bind(job.org_id)
        .bind(job.kind)
        .bind(payload)
        .bind(job.dedupe_key)
        .bind(now + job.delay_secs.max(0))
        .bind(job.max_attempts)
        .bind(now)
        .fetch_optional(conn)
        .await?;
        Ok(inserted)
    }

    /// Adds a job on its own (no surrounding transaction) and wakes a worker.
    pub async fn push(&self, job: NewJob) -> Result<Option<i64>, sqlx::Error> {
        let mut conn = self.db.pool.acquire().await?;
        let id = self.enqueue(&mut conn, job).await?;
        self.wake();
        Ok(id)
    }

    /// Tells a waiting worker there is new work (after the enqueuing transaction committed).
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    /// Claims up to `limit` due jobs for this instance: queued ones whose time has come, and
    /// running ones whose lease ran out (their worker died).
    pub async fn claim(&self, limit: i64) -> Result<Vec<ClaimedJob>, sqlx::Error> {
        let now = now();
        // PostgreSQL: rows another transaction has locked are skipped, never waited for or
        // taken twice. SQLite: the statement runs alone (one writer at a time).
        let lock = match self.db.backend {
            Backend::Postgres => "FOR UPDATE SKIP LOCKED",
            Backend::Sqlite => "",
        };
        let sql = format!(
            "UPDATE background_jobs SET status = 'running', locked_by = $1, locked_until = $2, \
             attempts = attempts + 1 WHERE id IN (SELECT id FROM background_jobs \
             WHERE (status = 'queued' AND run_at <= $3) OR (status = 'running' AND locked_until < $3) \
             ORDER BY run_at, id LIMIT $4 {lock}) \
             RETURNING id, org_id, kind, payload, attempts, max_attempts"
        );
        let rows: Vec<JobRow> = sqlx::query_as(&sql)
            .bind(self.worker_id.as_ref())
            .bind(now + LEASE_SECS)
            .bind(now)
            .bind(limit)
            .fetch_all(&self.db.pool)
            .await?;
        Ok(rows
            .into_iter()
            .map(|row| ClaimedJob {
                id: row.id,
                org_id: row.org_id,
                kind: row.kind,
                payload: serde_json::from_str(&row.payload).unwrap_or(serde_json::Value::Null),
                attempt: row.attempts,
                max_attempts: row.max_attempts,
            })
            .collect())
    }

    /// Marks a claimed job done. `false` when this worker no longer holds it.
    pub async fn complete(&self, job: &ClaimedJob) -> Result<bool, sqlx::Error> {
        let done = sqlx::query(
            "UPDATE background_jobs SET status = 'done', finished_at = $1, last_error = NULL, \
             locked_by = NULL, locked_until = NULL WHERE id = $2 AND locked_by = $3 AND status = 'running'",
        )
        .bind(now())
        .bind(job.id)
        .bind(self.worker_id.as_ref())
        .execute(&self.db.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Records a failed attempt: the job is queued again after its back-off, or fails for good
    /// when its attempts are used up (or the error is fatal). Returns the status it now has.
    pub async fn fail(&self, job: &ClaimedJob, error: &JobError) -> Result<JobStatus, sqlx::Error> {
        let now = now();
        let message: String = error.to_string().chars().take(1000).collect();
        let (status, run_at, attempts) = match error {
            JobError::Fatal(_) => (JobStatus::Failed, now, job.attempt),
            // Busy is not the job's fault: the attempt is given back.
            JobError::Busy(_) => (JobStatus::Queued, now + 1, job.attempt - 1),
            JobError::Retry(_) if job.attempt >= job.max_attempts => {
                (JobStatus::Failed, now, job.attempt)
            }
            JobError::Retry(_) => (
                JobStatus::Queued,
                now + retry_delay_secs(job.attempt),
                job.attempt,
            ),
        };
        let finished = (status == JobStatus::Failed).then_some(now);
        sqlx::query(
            "UPDATE background_jobs SET status = $1, run_at = $2, attempts = $3, last_error = $4, \
             finished_at = $5, locked_by = NULL, locked_until = NULL \
             WHERE id = $6 AND locked_by = $7 AND status = 'running'",
        )
        .bind(status.as_str())
        .bind(run_at)
        .bind(attempts)
        .bind(message)
        .bind(finished)
        .bind(job.id)
        .bind(self.worker_id.as_ref())
        .execute(&self.db.pool)
        .await?;
        Ok(status)
    }

    /// Deletes finished jobs older than two weeks (housekeeping).
    pub async fn prune(&self) -> Result<u64, sqlx::Error> {
        let done = sqlx::query(
            "DELETE FROM background_jobs WHERE status IN ('done', 'failed') AND finished_at < $1",
        )
        .bind(now() - KEEP_FINISHED_SECS)
        .execute(&self.db.pool)
        .await?;
        Ok(done.rows_affected())
    }

    /// The newest 200 jobs of an organisation.
    pub async fn list(&self, org_id: i64) -> Result<Vec<BackgroundJob>, sqlx::Error> {
        let rows: Vec<ListedJob> = sqlx::query_as(
            "SELECT id, kind, status, attempts, max_attempts, run_at, created_at, finished_at, \
             last_error FROM background_jobs WHERE org_id = $1 ORDER BY id DESC LIMIT 200",
        )
        .bind(org_id)
        .fetch_all(&self.db.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|r| BackgroundJob {
                id: r.id,
                kind: r.kind,
                status: r.status.parse().unwrap_or(JobStatus::Failed),
                attempts: r.attempts,
                max_attempts: r.max_attempts,
                run_at: r.run_at,
                created_at: r.created_at,
                finished_at: r.finished_at,
                last_error: r.last_error,
            })
            .collect())
    }

    /// Runs one due job, if there is one: `true` when it ran one.
    pub async fn run_one(
        &self,
        handlers: &Handlers,
        metrics: &Metrics,
    ) -> Result<bool, sqlx::Error> {
        let Some(job) = self.claim(1).await?.pop() else {
            return Ok(false);
        };
        let result = match handlers.0.get(job.kind.as_str()) {
            Some(handler) => handler.run(&job).await,
            None => Err(JobError::Retry(format!(
                "this server has no handler for jobs of kind {:?}",
                job.kind
            ))),
        };
        let outcome = match result {
            Ok(()) => {
                self.complete(&job).await?;
                "done"
            }
            Err(error) => {
                if !matches!(error, JobError::Busy(_)) {
                    tracing::warn!(job_id = job.id, kind = %job.kind, attempt = job.attempt, %error, "background job failed");
                }
                match self.fail(&job, &error).await? {
                    JobStatus::Failed => "failed",
                    _ => "retry",
                }
            }
        };
        metrics
            .jobs
            .with_label_values(&[job.kind.as_str(), outcome])
            .inc();
        Ok(true)
    }

    /// A worker: runs due jobs until the task is aborted, sleeping until woken or until the next
    /// poll (which also finds retries whose time has come and jobs of crashed instances).
    pub async fn work(self, handlers: Arc<Handlers>, metrics: Metrics) {
        loop {
            match self.run_one(&handlers, &metrics).await {
                Ok(true) => continue,
                Ok(false) => {}
                Err(err) => {
                    tracing::warn!(error = %err, "background jobs: cannot reach the database")
                }
            }
            tokio::select! {
                _ = self.wake.notified() => {}
                _ = tokio::time::sleep(Duration::from_secs(2)) => {}
            }
        }
    }

    /// Starts this instance's workers.
    pub fn start(&self, handlers: Handlers, metrics: &Metrics) -> Vec<tokio::task::JoinHandle<()>> {
        let handlers = Arc::new(handlers);
        (0..WORKERS)
            .map(|_| tokio::spawn(self.clone().work(handlers.clone(), metrics.clone())))
            .collect()
    }
}

/// The handler of each job kind.
#[derive(Default)]
pub struct Handlers(HashMap<&'static str, Arc<dyn JobHandler>>);

impl Handlers {
    pub fn with(mut self, kind: &'static str, handler: impl JobHandler) -> Self {
        self.0.insert(kind, Arc::new(handler));
        self
    }
}

#[async_trait::async_trait]
impl QueueSeam for JobQueue {
    async fn background_jobs(
        &self,
        caller: &OrgCaller,
        _input: BackgroundJobs,
    ) -> Result<Vec<BackgroundJob>, ApiError> {
        caller.require(Permission::ViewBackgroundJobs)?;
        self.list(caller.org_id())
            .await
            .or_internal("listing background jobs")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_back_off_doubling_up_to_a_ceiling() {
        assert_eq!(retry_delay_secs(1), 30);
        assert_eq!(retry_delay_secs(2), 60);
        assert_eq!(retry_delay_secs(3), 120);
        assert_eq!(retry_delay_secs(30), MAX_RETRY_SECS);
        assert_eq!(retry_delay_secs(0), 30);
    }
}
