//! Stages: the organisation's template for new jobs' boards (Settings, owners and admins), and
//! each job's own stages, edited on its board by those who move its cards: renamed, moved,
//! added, and removed when no application (open or closed) is in them, so that no record of
//! where an application ended ("Rejected at Interview") is rewritten.

use super::{Access, Pipeline};
use crate::platform::{db::Backend, error::OrInternal};
use app::{error::ApiError, seam::OrgCaller};
use shared::pipeline::{check_edited_stages, stage_names, Board, StageTemplate, DEFAULT_STAGES};

/// The organisation's stages for new jobs (the defaults until it saves its own).
pub(crate) async fn template(
    conn: &mut sqlx::AnyConnection,
    org_id: i64,
) -> Result<Vec<String>, ApiError> {
    let saved: String =
        sqlx::query_scalar("SELECT stage_template FROM organisations WHERE id = $1")
            .bind(org_id)
            .fetch_one(&mut *conn)
            .await
            .or_internal("reading the stage template")?;
    Ok(stage_names("stages", saved.lines())
        .unwrap_or_else(|_| DEFAULT_STAGES.map(str::to_owned).to_vec()))
}

impl Pipeline {
    pub(super) async fn read_stage_template(&self, org_id: i64) -> Result<StageTemplate, ApiError> {
        let mut conn = self
            .db
            .pool
            .acquire()
            .await
            .or_internal("reading the stage template")?;
        Ok(StageTemplate {
            stages: template(&mut conn, org_id).await?,
        })
    }

    pub(super) async fn write_stage_template(
        &self,
        caller: &OrgCaller,
        raw: &str,
    ) -> Result<StageTemplate, ApiError> {
        let stages = stage_names("stages", raw.lines()).map_err(|e| ApiError::Invalid(vec![e]))?;
        sqlx::query("UPDATE organisations SET stage_template = $1 WHERE id = $2")
            .bind(stages.join("\n"))
            .bind(caller.org_id())
            .execute(&self.db.pool)
            .await
            .or_internal("saving the stage template")?;
        Ok(StageTemplate { stages })
    }

    /// Makes job `job`'s stages the edited list `raw` (JSON of `EditedStage`), in one
    /// transaction; answers the board.
    pub(super) async fn edit_job_stages(
        &self,
        caller: &OrgCaller,
        job: &str,
        raw: &str,
    ) -> Result<Board, ApiError> {
        let access = self.access(caller, job).await?;
        if !access.can_move {
            return Err(ApiError::Forbidden);
        }
        let edited = check_edited_stages("stages", raw).map_err(|e| ApiError::Invalid(vec![e]))?;
        let org_id = caller.org_id();
        let job_id = access.job_id;
        let mut tx = self.db.begin().await.or_internal("starting transaction")?;
        crate::applications::first_stage(&mut tx, org_id, job_id).await?;
        let lock = match self.db.backend {
            Backend::Postgres => " FOR UPDATE",
            Backend::Sqlite => "",
        };
        let current: Vec<(i64, String)> = sqlx::query_as(&format!(
            "SELECT id, name FROM job_stages WHERE job_id = $1 AND org_id = $2 ORDER BY position{lock}"
        ))
        .bind(job_id)
        .bind(org_id)
        .fetch_all(&mut *tx)
        .await
        .or_internal("reading a job's stages")?;
        if let Some(stranger) = edited
            .iter()
            .filter_map(|s| s.id)
            .find(|id| !current.iter().any(|(c, _)| c == id))
        {
            tracing::info!(
                stage_id = stranger,
                job_id,
                "an edited stage is not this job's"
            );
            return Err(ApiError::field(
                "stages",
                "The board changed while you were editing it; reload the page and try again.",
            ));
        }
        for (id, name) in current
            .iter()
            .filter(|(id, _)| !edited.iter().any(|s| s.id == Some(*id)))
        {
            let (open, all): (i64, i64) = sqlx::query_as(
                "SELECT COALESCE(SUM(CASE WHEN outcome = 'active' THEN 1 ELSE 0 END), 0), COUNT(*) \
                 FROM applications WHERE stage_id = $1 AND org_id = $2",
            )
            .bind(*id)
            .bind(org_id)
            .fetch_one(&mut *tx)
            .await
            .or_internal("counting a stage's applications")?;
            if open > 0 {
                return Err(ApiError::field(
                    "stages",
                    format!(
                        "“{name}” has {open} open application{}: move {} to another stage before removing it.",
                        if open == 1 { "" } else { "s" },
                        if open == 1 { "it" } else { "them" },
                    ),
                ));
            }
            if all > 0 {
                return Err(ApiError::field(
                    "stages",
                    format!(
                        "“{name}” is where {all} closed application{} ended (rejected, withdrawn or hired); rename it rather than remove it, so that their record stays true.",
                        if all == 1 { "" } else { "s" },
                    ),
                ));
            }
            sqlx::query("DELETE FROM job_stages WHERE id = $1 AND org_id = $2")
                .bind(*id)
                .bind(org_id)
                .execute(&mut *tx)
                .await
                .or_internal("removing a stage")?;
        }
        // Out of the way first (positions are unique per job), then in their new places.
        sqlx::query(
            "UPDATE job_stages SET position = -1 - position WHERE job_id = $1 AND org_id = $2",
        )
        .bind(job_id)
        .bind(org_id)
        .execute(&mut *tx)
        .await
        .or_internal("moving stages")?;
        for (position, stage) in edited.iter().enumerate() {
            match stage.id {
                Some(id) => sqlx::query(
                    "UPDATE job_stages SET position = $1, name = $2 WHERE id = $3 AND org_id = $4",
                )
                .bind(position as i64)
                .bind(&stage.name)
                .bind(id)
                .bind(org_id),
                None => sqlx::query(
                    "INSERT INTO job_stages (org_id, job_id, position, name) VALUES ($1, $2, $3, $4)",
                )
                .bind(org_id)
                .bind(job_id)
                .bind(position as i64)
                .bind(&stage.name),
            }
            .execute(&mut *tx)
            .await
            .or_internal("saving a stage")?;
        }
        tx.commit().await.or_internal("saving a job's stages")?;
        let Access { slug, .. } = &access;
        self.announce(org_id, caller.slug(), job_id, slug).await;
        tracing::info!(
            org_id,
            job_id,
            stages = edited.len(),
            "a job's stages changed"
        );
        self.board(org_id, access).await
    }
}
