//! What the board asks of the server.

use super::api::{JobBoard, MoveApplication};
use crate::{error::ApiError, seam::OrgCaller};
use shared::pipeline::Board;

/// Implemented by `server` (`server/src/pipeline`).
#[async_trait::async_trait]
pub trait PipelineSeam: Send + Sync + 'static {
    async fn job_board(&self, caller: &OrgCaller, input: JobBoard) -> Result<Board, ApiError>;
    async fn move_application(
        &self,
        caller: &OrgCaller,
        input: MoveApplication,
    ) -> Result<Board, ApiError>;
}
