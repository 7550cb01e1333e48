//! What the matching server functions ask of the server.

use super::api::AnalyseMatch;
use crate::{error::ApiError, seam::OrgCaller};
use shared::matching::MatchAnalysis;

/// Implemented by `server` (the embedding model and the skill catalog).
#[async_trait::async_trait]
pub trait MatchingSeam: Send + Sync + 'static {
    /// Skills of a CV and a job text and the explained score of one against the other. Any
    /// member may ask; nothing is stored.
    async fn analyse_match(
        &self,
        caller: &OrgCaller,
        input: AnalyseMatch,
    ) -> Result<MatchAnalysis, ApiError>;
}
