//! The job server functions.
// A job's form has a dozen fields, each an argument of `save_job` (the browser posts them as a
// form); the client function `#[server]` generates for the wasm carries them all too.
#![allow(clippy::too_many_arguments)]

use crate::error::ApiError;
use leptos::prelude::*;
use shared::jobs::{Job, JobPage};

#[cfg(feature = "ssr")]
use {
    super::seam::JobsSeam,
    crate::seam::{self, respond},
};

/// One page of the organisation's jobs: `query` searches titles, departments and locations;
/// empty filters take everything; `sort` is a [`shared::jobs::JobSort`] name; `page` from 1.
#[server(endpoint = "jobs")]
pub async fn jobs(
    slug: String,
    query: String,
    status: String,
    department: String,
    location: String,
    sort: String,
    page: u32,
) -> Result<JobPage, ApiError> {
    let (jobs, caller) = seam::member::<dyn JobsSeam>(&slug).await?;
    let input = Jobs {
        slug,
        query,
        status,
        department,
        location,
        sort,
        page,
    };
    respond(jobs.jobs(&caller, input).await)
}

/// One job by its address in the organisation.
#[server(endpoint = "job")]
pub async fn get_job(slug: String, job: String) -> Result<Job, ApiError> {
    let (jobs, caller) = seam::member::<dyn JobsSeam>(&slug).await?;
    respond(jobs.job(&caller, GetJob { slug, job }).await)
}

/// Writes a job: a new draft when `job` is empty, else the job at that address. Its address
/// stays what it was made with.
#[server(endpoint = "save_job")]
pub async fn save_job(
    slug: String,
    job: String,
    title: String,
    department: String,
    location: String,
    remote: String,
    employment: String,
    salary_min: String,
    salary_max: String,
    salary_currency: String,
    /// "on" when the careers page shows the salary (a checkbox).
    #[server(default)]
    salary_public: Option<String>,
    description: String,
) -> Result<Job, ApiError> {
    let (jobs, caller) = seam::member::<dyn JobsSeam>(&slug).await?;
    let input = SaveJob {
        slug,
        job,
        title,
        department,
        location,
        remote,
        employment,
        salary_min,
        salary_max,
        salary_currency,
        salary_public,
        description,
    };
    respond(jobs.save_job(&caller, input).await)
}

/// Publishes, closes, archives or restores a job (`to` is a [`shared::jobs::JobStatus`] name).
#[server(endpoint = "change_job_status")]
pub async fn change_job_status(slug: String, job: String, to: String) -> Result<Job, ApiError> {
    let (jobs, caller) = seam::member::<dyn JobsSeam>(&slug).await?;
    respond(
        jobs.change_job_status(&caller, ChangeJobStatus { slug, job, to })
            .await,
    )
}

/// Skills suggested for a job from its title and description, and from the closest ESCO
/// occupation; nothing is saved.
#[server(endpoint = "job_skill_suggestions")]
pub async fn job_skill_suggestions(
    slug: String,
    job: String,
) -> Result<shared::jobs::SkillSuggestions, ApiError> {
    let (jobs, caller) = seam::member::<dyn JobsSeam>(&slug).await?;
    respond(
        jobs.job_skill_suggestions(&caller, JobSkillSuggestions { slug, job })
            .await,
    )
}

/// Replaces a job's skills; `skills` is a JSON array of [`shared::jobs::JobSkill`], in order.
#[server(endpoint = "save_job_skills")]
pub async fn save_job_skills(slug: String, job: String, skills: String) -> Result<Job, ApiError> {
    let (jobs, caller) = seam::member::<dyn JobsSeam>(&slug).await?;
    respond(
        jobs.save_job_skills(&caller, SaveJobSkills { slug, job, skills })
            .await,
    )
}

/// Replaces a job's hiring team; `team` is a JSON array of `{"user_id", "role"}` (role:
/// recruiter, hiring_manager or interviewer), each a member of the organisation.
#[server(endpoint = "save_job_team")]
pub async fn save_job_team(slug: String, job: String, team: String) -> Result<Job, ApiError> {
    let (jobs, caller) = seam::member::<dyn JobsSeam>(&slug).await?;
    respond(
        jobs.save_job_team(&caller, SaveJobTeam { slug, job, team })
            .await,
    )
}

/// The checks of the job form (the browser's before sending, the server's again).
pub fn check_save_job(input: &SaveJob) -> Vec<shared::validation::FieldError> {
    shared::jobs::check_job(
        &input.title,
        &input.department,
        &input.location,
        &input.remote,
        &input.employment,
        &input.salary_min,
        &input.salary_max,
        &input.salary_currency,
        &input.description,
        &[],
    )
}
