//! "Best candidates in your database who have not applied": the organisation's candidates whose
//! CVs are closest in meaning to a job (its title, department, location and description, as
//! the job is indexed), from the vector index, with the job's skills their CVs show.

use super::{skills, Candidates, Scope, DOCUMENT_KIND};
use crate::{
    matching::{index::EntityKey, store::StoreError, EmbedError},
    platform::{
        db::{Conditions, Param},
        error::OrInternal,
    },
};
use app::{candidates::api::JobProspects, error::ApiError, seam::OrgCaller};
use shared::candidates::Prospect;
use std::collections::HashSet;

/// How many are shown.
const PROSPECTS: usize = 10;
/// Below this similarity a CV has little to do with the job (the search's floor too).
const MIN_SIMILARITY: f64 = 0.3;

pub(super) async fn run(
    candidates: &Candidates,
    caller: &OrgCaller,
    input: JobProspects,
) -> Result<Vec<Prospect>, ApiError> {
    let scope = Scope::of(caller)?;
    let org_id = caller.org_id();
    let db = &candidates.db;
    type JobRow = (i64, String, String, String, String);
    let job: JobRow = sqlx::query_as(
        "SELECT id, title, department, location, description FROM jobs \
         WHERE org_id = $1 AND slug = $2",
    )
    .bind(org_id)
    .bind(&input.job)
    .fetch_optional(&db.pool)
    .await
    .or_internal("reading a job")?
    .ok_or(ApiError::NotFound)?;
    if let Scope::Team(user_id) = scope {
        let on_team: Option<i64> =
            sqlx::query_scalar("SELECT job_id FROM job_team WHERE job_id = $1 AND user_id = $2")
                .bind(job.0)
                .bind(user_id)
                .fetch_optional(&db.pool)
                .await
                .or_internal("reading a hiring team")?;
        on_team.ok_or(ApiError::NotFound)?;
    }
    // Those the caller may see who have not applied to this job, nor asked for their data to
    // be deleted.
    let mut conditions = Conditions::default();
    conditions.push(|n| format!("c.org_id = ${n}"), vec![Param::Int(org_id)]);
    if let Scope::Team(user_id) = scope {
        conditions.push(|n| scope.condition(n), vec![Param::Int(user_id)]);
    }
    conditions.push(
        |n| {
            format!(
                "NOT EXISTS (SELECT 1 FROM applications pa WHERE pa.candidate_id = c.id \
                 AND (pa.job_id = ${n} OR pa.deletion_requested_at IS NOT NULL))"
            )
        },
        vec![Param::Int(job.0)],
    );
    let sql = format!("SELECT c.id FROM candidates c WHERE {}", conditions.sql());
    let allowed: HashSet<i64> = conditions
        .bind_scalar(sqlx::query_scalar(&sql))
        .fetch_all(&db.pool)
        .await
        .or_internal("listing candidates")?
        .into_iter()
        .collect();
    if allowed.is_empty() {
        return Ok(Vec::new());
    }
    let (_, title, department, location, description) = job.clone();
    let text = [title, department, location, description]
        .into_iter()
        .filter(|s| !s.trim().is_empty())
        .collect::<Vec<_>>()
        .join("\n");
    let keep = move |key: &EntityKey| key.kind == DOCUMENT_KIND && allowed.contains(&key.id);
    let nearest = candidates
        .documents
        .nearest(org_id, &text, keep, PROSPECTS)
        .await
        .map_err(|error| match error {
            StoreError::Embedding(EmbedError::Busy) => ApiError::Busy,
            other => {
                tracing::error!(error = %other, "finding prospects");
                ApiError::Internal
            }
        })?;
    let nearest: Vec<(i64, f64)> = nearest
        .into_iter()
        .filter(|(_, similarity)| *similarity >= MIN_SIMILARITY)
        .map(|(key, similarity)| (key.id, similarity))
        .collect();
    let ids: Vec<i64> = nearest.iter().map(|(id, _)| *id).collect();
    let names = super::search::rows_of(candidates, org_id, &ids).await?;
    let briefs = candidates.applications(org_id, &scope, &ids).await?;
    let found = skills::of(db, org_id, &ids).await?;
    let asked: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT label, requirement, alternatives FROM job_skills WHERE job_id = $1 \
         ORDER BY position",
    )
    .bind(job.0)
    .fetch_all(&db.pool)
    .await
    .or_internal("reading a job's skills")?;
    let mut prospects = Vec::with_capacity(nearest.len());
    for (id, similarity) in nearest {
        let Some(row) = names.get(&id) else { continue };
        let theirs: HashSet<String> = found
            .iter()
            .filter(|(c, _)| *c == id)
            .map(|(_, s)| s.label.to_lowercase())
            .collect();
        let (mut has, mut lacks) = (Vec::new(), Vec::new());
        for (label, requirement, alternatives) in &asked {
            let shown = std::iter::once(label.as_str())
                .chain(alternatives.lines().map(str::trim))
                .find(|option| theirs.contains(&option.to_lowercase()));
            match shown {
                Some(option) => has.push(option.to_owned()),
                None if requirement == "must" => lacks.push(label.clone()),
                None => {}
            }
        }
        let applications = briefs
            .iter()
            .filter(|b| b.candidate_id == id)
            .map(super::brief)
            .collect::<Result<Vec<_>, _>>()?;
        prospects.push(Prospect {
            id,
            name: row.name.clone(),
            similarity,
            has,
            lacks,
            applications,
        });
    }
    Ok(prospects)
}
