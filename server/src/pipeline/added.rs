//! A candidate from the organisation's database put on a job's board by the hiring team (one
//! added by hand, or one of the job's best candidates who have not applied): an application in
//! the first stage, scored in the background like any other, with who added it in its
//! activity. The candidate is not e-mailed; their consent line says how the application came.

use super::{Access, Pipeline};
use crate::{
    applications::{first_stage, MONTH_SECS},
    platform::{
        db::{now, Backend},
        error::OrInternal,
        tokens::{new_token, token_hash},
    },
};
use app::{error::ApiError, pipeline::api::AddToJob, seam::OrgCaller};
use shared::Permission;

impl Pipeline {
    pub(super) async fn add(&self, caller: &OrgCaller, input: AddToJob) -> Result<i64, ApiError> {
        let Access {
            job_id,
            title,
            slug,
            can_move,
            ..
        } = self.access(caller, &input.job).await?;
        if !can_move {
            return Err(ApiError::Forbidden);
        }
        let org_id = caller.org_id();
        // The candidate must be one the caller may see: any of the organisation's for those who
        // manage candidates, those who applied to a job of their team for a hiring manager.
        // (The candidate list's rule: `candidates::Scope`.)
        let team = if caller.role().can(Permission::ManageJobs) {
            ""
        } else {
            " AND EXISTS (SELECT 1 FROM applications sa JOIN job_team st ON st.job_id = sa.job_id \
             WHERE sa.candidate_id = c.id AND st.user_id = $3)"
        };
        let sql = format!(
            "SELECT c.name, (SELECT MAX(d.deletion_requested_at) FROM applications d \
             WHERE d.candidate_id = c.id) FROM candidates c WHERE c.id = $1 AND c.org_id = $2{team}"
        );
        let mut query = sqlx::query_as::<_, (String, Option<i64>)>(&sql)
            .bind(input.candidate)
            .bind(org_id);
        if !team.is_empty() {
            query = query.bind(caller.user_id());
        }
        let (name, deletion) = query
            .fetch_optional(&self.db.pool)
            .await
            .or_internal("reading a candidate")?
            .ok_or(ApiError::NotFound)?;
        if deletion.is_some() {
            return Err(ApiError::field(
                "candidate",
                format!(
                    "{name} asked for their data to be deleted; they cannot be added to a job."
                ),
            ));
        }
        let by_name = self.db.user_name(caller.user_id()).await?;
        let mut tx = self.db.begin().await.or_internal("starting transaction")?;
        // On PostgreSQL the job's row is locked, so two adds of one candidate at once (a double
        // click, two tabs) run one after the other and the second sees the first; on SQLite the
        // transaction holds the write lock from its start (`Db::begin`).
        let lock = match self.db.backend {
            Backend::Postgres => " FOR UPDATE OF j",
            Backend::Sqlite => "",
        };
        let (status, months): (String, i64) = sqlx::query_as(&format!(
            "SELECT j.status, o.retention_months FROM jobs j \
             JOIN organisations o ON o.id = j.org_id WHERE j.id = $1 AND j.org_id = $2{lock}"
        ))
        .bind(job_id)
        .bind(org_id)
        .fetch_one(&mut *tx)
        .await
        .or_internal("reading a job")?;
        if !matches!(status.as_str(), "draft" | "published") {
            return Err(ApiError::field(
                "job",
                format!("“{title}” is {status}: reopen it before adding candidates to it."),
            ));
        }
        let existing: Option<String> = sqlx::query_scalar(
            "SELECT outcome FROM applications WHERE candidate_id = $1 AND job_id = $2 \
             AND org_id = $3 ORDER BY id DESC LIMIT 1",
        )
        .bind(input.candidate)
        .bind(job_id)
        .bind(org_id)
        .fetch_optional(&mut *tx)
        .await
        .or_internal("reading applications")?;
        if let Some(outcome) = existing {
            let how = match outcome.as_str() {
                "active" => "is already on its board",
                "rejected" => "was rejected for it; reopen that application instead",
                "withdrawn" => "withdrew from it",
                _ => "was hired for it",
            };
            return Err(ApiError::field("candidate", format!("{name} {how}.")));
        }
        let at = now();
        let stage_id = first_stage(&mut tx, org_id, job_id).await?;
        // The private link is made (every application has one) but not sent: the candidate
        // did not apply. Should they apply to this job from the careers page, that link is
        // e-mailed to them then.
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO applications (org_id, job_id, candidate_id, stage_id, outcome, \
             cover_letter, consent_text, consented_at, token_hash, token_expires_at, created_at, \
             updated_at, stage_entered_at) \
             VALUES ($1, $2, $3, $4, 'active', '', $5, $6, $7, $8, $6, $6, $6) RETURNING id",
        )
        .bind(org_id)
        .bind(job_id)
        .bind(input.candidate)
        .bind(stage_id)
        .bind(format!(
            "Added to this job by {by_name} from the candidate database; the candidate did not \
             apply through the careers page."
        ))
        .bind(at)
        .bind(token_hash(&new_token()))
        .bind(at + months.clamp(1, 60) * MONTH_SECS)
        .fetch_one(&mut *tx)
        .await
        .or_internal("recording an application")?;
        super::queue_scoring(&mut tx, &self.queue, org_id, id)
            .await
            .or_internal("queueing a score")?;
        Self::event(
            &mut tx,
            caller,
            &by_name,
            id,
            ("added", &format!("Added to {title} by {by_name}.")),
            at,
        )
        .await?;
        tx.commit().await.or_internal("adding to a job")?;
        self.queue.wake();
        self.announce(org_id, caller.slug(), job_id, &slug).await;
        tracing::info!(
            org_id,
            job_id,
            application_id = id,
            "candidate added to a job"
        );
        Ok(id)
    }
}
