//! What the board asks of the server.

use super::api::{
    AddNote, AddToJob, Application, AssignInterviewers, GetRejectionSettings, GetStageTemplate,
    JobBoard, MessageCandidate, MoveApplication, RejectApplication, ReopenApplication,
    SaveJobStages, UpdateRejectionSettings, UpdateStageTemplate,
};
use crate::{error::ApiError, seam::OrgCaller};
use shared::pipeline::{ApplicationDetail, Board, RejectionSettings, StageTemplate};

/// Implemented by `server` (`server/src/pipeline`).
#[async_trait::async_trait]
pub trait PipelineSeam: Send + Sync + 'static {
    async fn job_board(&self, caller: &OrgCaller, input: JobBoard) -> Result<Board, ApiError>;
    async fn move_application(
        &self,
        caller: &OrgCaller,
        input: MoveApplication,
    ) -> Result<Board, ApiError>;
    async fn application(
        &self,
        caller: &OrgCaller,
        input: Application,
    ) -> Result<ApplicationDetail, ApiError>;
    /// The application's conversation with its candidate, for a member of its hiring team
    /// who may act on it (not an interviewer); answers its id.
    async fn message_candidate(
        &self,
        caller: &OrgCaller,
        input: MessageCandidate,
    ) -> Result<i64, ApiError>;
    async fn reject_application(
        &self,
        caller: &OrgCaller,
        input: RejectApplication,
    ) -> Result<ApplicationDetail, ApiError>;
    async fn reopen_application(
        &self,
        caller: &OrgCaller,
        input: ReopenApplication,
    ) -> Result<ApplicationDetail, ApiError>;
    async fn add_note(
        &self,
        caller: &OrgCaller,
        input: AddNote,
    ) -> Result<ApplicationDetail, ApiError>;
    async fn rejection_settings(
        &self,
        caller: &OrgCaller,
        input: GetRejectionSettings,
    ) -> Result<RejectionSettings, ApiError>;
    async fn update_rejection_settings(
        &self,
        caller: &OrgCaller,
        input: UpdateRejectionSettings,
    ) -> Result<RejectionSettings, ApiError>;
    async fn assign_interviewers(
        &self,
        caller: &OrgCaller,
        input: AssignInterviewers,
    ) -> Result<ApplicationDetail, ApiError>;
    async fn add_to_job(&self, caller: &OrgCaller, input: AddToJob) -> Result<i64, ApiError>;
    async fn stage_template(
        &self,
        caller: &OrgCaller,
        input: GetStageTemplate,
    ) -> Result<StageTemplate, ApiError>;
    async fn update_stage_template(
        &self,
        caller: &OrgCaller,
        input: UpdateStageTemplate,
    ) -> Result<StageTemplate, ApiError>;
    async fn save_job_stages(
        &self,
        caller: &OrgCaller,
        input: SaveJobStages,
    ) -> Result<Board, ApiError>;
}
