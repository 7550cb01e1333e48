//! The board's server functions.

use crate::error::ApiError;
use leptos::prelude::*;
use shared::pipeline::{ApplicationDetail, Board, RejectionSettings, StageTemplate};

#[cfg(feature = "ssr")]
use {
    super::seam::PipelineSeam,
    crate::seam::{self, respond},
};

/// A job's board: its stages and open applications.
#[server(endpoint = "job_board")]
pub async fn job_board(slug: String, job: String) -> Result<Board, ApiError> {
    let (pipeline, caller) = seam::member::<dyn PipelineSeam>(&slug).await?;
    respond(pipeline.job_board(&caller, JobBoard { slug, job }).await)
}

/// Moves an application to another stage of its job; answers the board as it is now.
#[server(endpoint = "move_application")]
pub async fn move_application(
    slug: String,
    job: String,
    application: i64,
    stage: i64,
) -> Result<Board, ApiError> {
    let (pipeline, caller) = seam::member::<dyn PipelineSeam>(&slug).await?;
    let input = MoveApplication {
        slug,
        job,
        application,
        stage,
    };
    respond(pipeline.move_application(&caller, input).await)
}

/// An application's page: the explained score, the CV, the activity and the notes.
#[server(endpoint = "application")]
pub async fn application(slug: String, id: i64) -> Result<ApplicationDetail, ApiError> {
    let (pipeline, caller) = seam::member::<dyn PipelineSeam>(&slug).await?;
    respond(
        pipeline
            .application(&caller, Application { slug, id })
            .await,
    )
}

/// Opens the application's conversation with its candidate (created with the hiring team the
/// first time) and joins the caller to it; answers its id.
#[server(endpoint = "message_candidate")]
pub async fn message_candidate(slug: String, application: i64) -> Result<i64, ApiError> {
    let (pipeline, caller) = seam::member::<dyn PipelineSeam>(&slug).await?;
    let input = MessageCandidate { slug, application };
    respond(pipeline.message_candidate(&caller, input).await)
}

/// Rejects an application with a reason from the organisation's list; with `send_mail`, the
/// candidate is e-mailed `subject` and `body` (placeholders already filled in by the form).
#[server(endpoint = "reject_application")]
pub async fn reject_application(
    slug: String,
    application: i64,
    reason: String,
    /// A checkbox: present ("on") when ticked.
    #[server(default)]
    send_mail: Option<String>,
    #[server(default)] subject: String,
    #[server(default)] body: String,
) -> Result<ApplicationDetail, ApiError> {
    let (pipeline, caller) = seam::member::<dyn PipelineSeam>(&slug).await?;
    let input = RejectApplication {
        slug,
        application,
        reason,
        send_mail,
        subject,
        body,
    };
    respond(pipeline.reject_application(&caller, input).await)
}

/// Puts a rejected application back on the board, in the stage it was in.
#[server(endpoint = "reopen_application")]
pub async fn reopen_application(
    slug: String,
    application: i64,
) -> Result<ApplicationDetail, ApiError> {
    let (pipeline, caller) = seam::member::<dyn PipelineSeam>(&slug).await?;
    let input = ReopenApplication { slug, application };
    respond(pipeline.reopen_application(&caller, input).await)
}

/// Adds a note; every colleague it @mentions is e-mailed a link to the application.
#[server(endpoint = "add_note")]
pub async fn add_note(
    slug: String,
    application: i64,
    body: String,
) -> Result<ApplicationDetail, ApiError> {
    let (pipeline, caller) = seam::member::<dyn PipelineSeam>(&slug).await?;
    let input = AddNote {
        slug,
        application,
        body,
    };
    respond(pipeline.add_note(&caller, input).await)
}

/// The organisation's rejection reasons and e-mail (owners and admins).
#[server(endpoint = "rejection_settings")]
pub async fn get_rejection_settings(slug: String) -> Result<RejectionSettings, ApiError> {
    let (pipeline, caller) = seam::member::<dyn PipelineSeam>(&slug).await?;
    let input = GetRejectionSettings { slug };
    respond(pipeline.rejection_settings(&caller, input).await)
}

/// Saves the rejection reasons (one per line) and e-mail (owners and admins).
#[server(endpoint = "update_rejection_settings")]
pub async fn update_rejection_settings(
    slug: String,
    reasons: String,
    subject: String,
    body: String,
) -> Result<RejectionSettings, ApiError> {
    let (pipeline, caller) = seam::member::<dyn PipelineSeam>(&slug).await?;
    let input = UpdateRejectionSettings {
        slug,
        reasons,
        subject,
        body,
    };
    respond(pipeline.update_rejection_settings(&caller, input).await)
}

/// Sets who interviews an application: `interviewers` is a JSON list of user ids, each an
/// interviewer on the job's hiring team. Those newly assigned are e-mailed a link.
#[server(endpoint = "assign_interviewers")]
pub async fn assign_interviewers(
    slug: String,
    application: i64,
    interviewers: String,
) -> Result<ApplicationDetail, ApiError> {
    let (pipeline, caller) = seam::member::<dyn PipelineSeam>(&slug).await?;
    let input = AssignInterviewers {
        slug,
        application,
        interviewers,
    };
    respond(pipeline.assign_interviewers(&caller, input).await)
}

/// Puts candidate `candidate` (already in the organisation's database: added by hand, or one of
/// a job's best candidates who have not applied) on job `job`'s board, in its first stage, and
/// scores the application in the background. Answers the new application's id. No e-mail goes
/// to the candidate.
#[server(endpoint = "add_to_job")]
pub async fn add_to_job(slug: String, job: String, candidate: i64) -> Result<i64, ApiError> {
    let (pipeline, caller) = seam::member::<dyn PipelineSeam>(&slug).await?;
    let input = AddToJob {
        slug,
        job,
        candidate,
    };
    respond(pipeline.add_to_job(&caller, input).await)
}

/// The stages new jobs' boards start with (owners and admins).
#[server(endpoint = "stage_template")]
pub async fn get_stage_template(slug: String) -> Result<StageTemplate, ApiError> {
    let (pipeline, caller) = seam::member::<dyn PipelineSeam>(&slug).await?;
    respond(
        pipeline
            .stage_template(&caller, GetStageTemplate { slug })
            .await,
    )
}

/// Saves the stages new jobs' boards start with, one per line (owners and admins). Jobs that
/// already have a board keep theirs.
#[server(endpoint = "update_stage_template")]
pub async fn update_stage_template(
    slug: String,
    stages: String,
) -> Result<StageTemplate, ApiError> {
    let (pipeline, caller) = seam::member::<dyn PipelineSeam>(&slug).await?;
    let input = UpdateStageTemplate { slug, stages };
    respond(pipeline.update_stage_template(&caller, input).await)
}

/// Makes job `job`'s stages `stages`: a JSON list of `{"id"?, "name"}` in board order (existing
/// stages by id, renamed or moved; new ones without; those left out are removed, which is
/// refused while any application is in them). Answers the board.
#[server(endpoint = "save_job_stages")]
pub async fn save_job_stages(slug: String, job: String, stages: String) -> Result<Board, ApiError> {
    let (pipeline, caller) = seam::member::<dyn PipelineSeam>(&slug).await?;
    let input = SaveJobStages { slug, job, stages };
    respond(pipeline.save_job_stages(&caller, input).await)
}
