//! Scoring applications in the background: a `score_application` job per application, queued
//! with it (and again for every open application of a job whose skills change). The job reads
//! the CV and the job as they are then, asks the matching engine for the explained score, stores
//! it, and tells the open boards. When the model is busy the job waits on the queue and is tried
//! again; the queue's claim (`FOR UPDATE SKIP LOCKED`) keeps two servers from scoring it twice.

use super::Pipeline;
use crate::{
    matching::{rank::RankPlan, score::DEFAULT_WEIGHTS, EmbedError, Engine},
    queue::{ClaimedJob, JobError, JobHandler, JobQueue, NewJob},
};
use shared::{
    jobs::parse_remote,
    matching::{CandidateProfile, JobSpec, RequiredSkill, Requirement, SkillLevel},
};

/// The job kind that scores one application.
pub const SCORE_APPLICATION: &str = "score_application";

/// Queues the scoring of application `id` inside the caller's transaction.
pub async fn queue_scoring(
    conn: &mut sqlx::AnyConnection,
    queue: &JobQueue,
    org_id: i64,
    id: i64,
) -> Result<(), sqlx::Error> {
    let job = NewJob::new(
        SCORE_APPLICATION,
        serde_json::json!({ "application_id": id }),
    )
    .for_org(Some(org_id))
    .once_queued(format!("{SCORE_APPLICATION}:{id}"));
    queue.enqueue(conn, job).await.map(drop)
}

/// Queues the scoring of every open application of job `job_id` (its skills changed), and
/// forgets their scores until then.
pub async fn queue_job_rescoring(
    conn: &mut sqlx::AnyConnection,
    queue: &JobQueue,
    org_id: i64,
    job_id: i64,
) -> Result<(), sqlx::Error> {
    let ids: Vec<i64> = sqlx::query_scalar(
        "SELECT id FROM applications WHERE job_id = $1 AND org_id = $2 AND outcome = 'active'",
    )
    .bind(job_id)
    .bind(org_id)
    .fetch_all(&mut *conn)
    .await?;
    for id in ids {
        queue_scoring(conn, queue, org_id, id).await?;
    }
    // Scores against the old skills are not shown as current: the cards say "scoring…".
    sqlx::query(
        "UPDATE applications SET score = NULL, explanation = NULL \
         WHERE job_id = $1 AND org_id = $2 AND outcome = 'active'",
    )
    .bind(job_id)
    .bind(org_id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// A job's 1–5 level as the engine's.
fn level(level: Option<i64>) -> Option<SkillLevel> {
    match level? {
        1 => Some(SkillLevel::Basic),
        2 | 3 => Some(SkillLevel::Intermediate),
        4 => Some(SkillLevel::Advanced),
        _ => Some(SkillLevel::Expert),
    }
}

/// Scores applications (`score_application` jobs).
pub struct Scorer {
    pub(super) pipeline: Pipeline,
    pub(super) engine: Engine,
}

#[derive(sqlx::FromRow)]
struct ToScore {
    org_id: i64,
    org_slug: String,
    job_id: i64,
    job_slug: String,
    title: String,
    description: String,
    location: String,
    remote: String,
    cv_text: String,
}

fn retry(what: &str) -> impl Fn(sqlx::Error) -> JobError + '_ {
    move |e| JobError::Retry(format!("{what}: {e}"))
}

#[async_trait::async_trait]
impl JobHandler for Scorer {
    async fn run(&self, job: &ClaimedJob) -> Result<(), JobError> {
        let id = job
            .payload
            .get("application_id")
            .and_then(serde_json::Value::as_i64)
            .ok_or_else(|| JobError::Fatal("the payload has no application_id".into()))?;
        let org_id = job
            .org_id
            .ok_or_else(|| JobError::Fatal("the job has no organisation".into()))?;
        let pool = &self.pipeline.db.pool;
        let row: Option<ToScore> = sqlx::query_as(
            "SELECT a.org_id, o.slug AS org_slug, j.id AS job_id, j.slug AS job_slug, j.title, \
             j.description, j.location, j.remote, c.cv_text \
             FROM applications a JOIN organisations o ON o.id = a.org_id \
             JOIN jobs j ON j.id = a.job_id JOIN candidates c ON c.id = a.candidate_id \
             WHERE a.id = $1 AND a.org_id = $2",
        )
        .bind(id)
        .bind(org_id)
        .fetch_optional(pool)
        .await
        .map_err(retry("reading an application"))?;
        // Gone (merged away, its organisation deleted): nothing to score.
        let Some(row) = row else { return Ok(()) };
        let skills: Vec<(String, String, Option<i64>, String)> = sqlx::query_as(
            "SELECT s.label, s.requirement, s.level, s.alternatives FROM job_skills s \
             JOIN jobs j ON j.id = s.job_id WHERE s.job_id = $1 AND j.org_id = $2 \
             ORDER BY s.position",
        )
        .bind(row.job_id)
        .bind(org_id)
        .fetch_all(pool)
        .await
        .map_err(retry("reading a job's skills"))?;
        let spec = JobSpec {
            title: Some(row.title.clone()),
            text: format!("{}\n\n{}", row.title, row.description),
            skills: skills
                .into_iter()
                .map(|(label, required, lvl, alternatives)| RequiredSkill {
                    label,
                    required: if required == "must" {
                        Requirement::Must
                    } else {
                        Requirement::Nice
                    },
                    level: level(lvl),
                    alternatives: alternatives
                        .lines()
                        .filter(|l| !l.trim().is_empty())
                        .map(str::to_owned)
                        .collect(),
                })
                .collect(),
            location: (!row.location.is_empty()).then(|| row.location.clone()),
            remote: parse_remote(&row.remote),
            seniority: None,
        };
        let profile = CandidateProfile {
            text: row.cv_text.clone(),
            ..Default::default()
        };
        let finder = self.engine.finder();
        let plan = tokio::task::spawn_blocking(move || RankPlan::new(finder, spec, vec![profile]))
            .await
            .map_err(|e| JobError::Retry(format!("planning a score: {e}")))?;
        let texts = plan.texts.clone();
        let vectors = match self
            .engine
            .embeddings
            .embed_all(texts, crate::matching::analysis::MAX_ANALYSIS_TEXTS)
            .await
        {
            Ok(vectors) => vectors,
            Err(EmbedError::Busy) => {
                return Err(JobError::Busy("the embedding model is busy".into()))
            }
            Err(err) => return Err(JobError::Fatal(format!("embedding for a score: {err}"))),
        };
        let year = time::OffsetDateTime::now_utc().year();
        let explanation = tokio::task::spawn_blocking(move || {
            plan.finish(vectors, DEFAULT_WEIGHTS, year)
                .ranked
                .pop()
                .map(|ranked| ranked.explanation)
        })
        .await
        .map_err(|e| JobError::Retry(format!("scoring: {e}")))?
        .ok_or_else(|| JobError::Fatal("the engine ranked nobody".into()))?;
        let json = serde_json::to_string(&explanation)
            .map_err(|e| JobError::Fatal(format!("writing an explanation: {e}")))?;
        sqlx::query(
            "UPDATE applications SET score = $1, explanation = $2, scored_at = $3 \
             WHERE id = $4 AND org_id = $5",
        )
        .bind(i64::from(explanation.score))
        .bind(json)
        .bind(crate::platform::db::now())
        .bind(id)
        .bind(org_id)
        .execute(pool)
        .await
        .map_err(retry("storing a score"))?;
        self.pipeline
            .announce(row.org_id, &row.org_slug, row.job_id, &row.job_slug)
            .await;
        tracing::info!(
            application_id = id,
            score = explanation.score,
            "application scored"
        );
        Ok(())
    }
}
