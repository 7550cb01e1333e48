//! What the matching server functions ask of the server.

use super::api::{AnalyseMatch, OccupationTaxonomy};
use crate::{error::ApiError, seam::OrgCaller};
use shared::matching::{MatchAnalysis, TaxonomyStatus};

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

    /// Whether occupations can be suggested (administrators: it tells them what the operator
    /// must do).
    async fn occupation_taxonomy(
        &self,
        caller: &OrgCaller,
        input: OccupationTaxonomy,
    ) -> Result<TaxonomyStatus, ApiError>;
}
