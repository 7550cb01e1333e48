//! What the mail server functions ask of the server.

use super::api::GetOutbox;
use crate::{error::ApiError, seam::OrgCaller};
use shared::mail::Outbox;

/// Implemented by `server`.
#[async_trait::async_trait]
pub trait MailSeam: Send + Sync + 'static {
    /// The organisation's newest mail. Links that grant a role the caller may not grant are
    /// hidden.
    async fn outbox(&self, caller: &OrgCaller, input: GetOutbox) -> Result<Outbox, ApiError>;
}
