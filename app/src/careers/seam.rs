//! What the careers pages ask of the server.

use super::api::{Careers as GetCareers, CareersJob as GetCareersJob};
use crate::{error::ApiError, seam::Visitor};
use shared::jobs::{Careers, CareersJob};

/// Implemented by `server` (`server/src/jobs`).
#[async_trait::async_trait]
pub trait CareersSeam: Send + Sync + 'static {
    async fn careers(&self, visitor: &Visitor, input: GetCareers) -> Result<Careers, ApiError>;
    async fn careers_job(
        &self,
        visitor: &Visitor,
        input: GetCareersJob,
    ) -> Result<CareersJob, ApiError>;
}
