//! What the job server functions ask of the server.

use super::api::{
    ChangeJobStatus, GetJob, JobSkillSuggestions, Jobs, SaveJob, SaveJobSkills, SaveJobTeam,
};
use crate::{error::ApiError, seam::OrgCaller};
use shared::jobs::{Job, JobPage, SkillSuggestions};

/// Implemented by `server` (`server/src/jobs`).
#[async_trait::async_trait]
pub trait JobsSeam: Send + Sync + 'static {
    async fn jobs(&self, caller: &OrgCaller, input: Jobs) -> Result<JobPage, ApiError>;
    async fn job(&self, caller: &OrgCaller, input: GetJob) -> Result<Job, ApiError>;
    async fn save_job(&self, caller: &OrgCaller, input: SaveJob) -> Result<Job, ApiError>;
    async fn change_job_status(
        &self,
        caller: &OrgCaller,
        input: ChangeJobStatus,
    ) -> Result<Job, ApiError>;
    async fn job_skill_suggestions(
        &self,
        caller: &OrgCaller,
        input: JobSkillSuggestions,
    ) -> Result<SkillSuggestions, ApiError>;
    async fn save_job_skills(
        &self,
        caller: &OrgCaller,
        input: SaveJobSkills,
    ) -> Result<Job, ApiError>;
    async fn save_job_team(&self, caller: &OrgCaller, input: SaveJobTeam) -> Result<Job, ApiError>;
}
