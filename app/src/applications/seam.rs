//! What the candidate's private page asks of the server.

use super::api::{MyApplication, RequestDataDeletion, WithdrawApplication};
use crate::{error::ApiError, seam::Visitor};
use shared::applications::ApplicationStatus;

/// Implemented by `server` (`server/src/applications`). The token is the only credential: a
/// wrong, expired or unknown one is "not found", all alike.
#[async_trait::async_trait]
pub trait ApplicationsSeam: Send + Sync + 'static {
    async fn my_application(
        &self,
        visitor: &Visitor,
        input: MyApplication,
    ) -> Result<ApplicationStatus, ApiError>;
    async fn withdraw_application(
        &self,
        visitor: &Visitor,
        input: WithdrawApplication,
    ) -> Result<ApplicationStatus, ApiError>;
    async fn request_data_deletion(
        &self,
        visitor: &Visitor,
        input: RequestDataDeletion,
    ) -> Result<ApplicationStatus, ApiError>;
}
