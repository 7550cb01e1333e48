//! The board's server functions.

use crate::error::ApiError;
use leptos::prelude::*;
use shared::pipeline::Board;

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
