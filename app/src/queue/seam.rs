//! What the background-job server functions ask of the server.

use super::api::BackgroundJobs;
use crate::{error::ApiError, seam::OrgCaller};
use shared::queue::BackgroundJob;

/// Implemented by `server` (the durable job queue).
#[async_trait::async_trait]
pub trait QueueSeam: Send + Sync + 'static {
    async fn background_jobs(
        &self,
        caller: &OrgCaller,
        input: BackgroundJobs,
    ) -> Result<Vec<BackgroundJob>, ApiError>;
}
