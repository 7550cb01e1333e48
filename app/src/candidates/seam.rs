//! What the candidate pages ask of the server.

use super::api::{
    AddCandidateTag, Candidate as GetCandidate, Candidates as ListCandidates, JobProspects,
    MergeCandidates, RemoveCandidateTag,
};
use crate::{error::ApiError, seam::OrgCaller};
use shared::candidates::{Candidate, CandidatePage, Prospect};

/// Implemented by `server` (`server/src/candidates`).
#[async_trait::async_trait]
pub trait CandidatesSeam: Send + Sync + 'static {
    async fn candidates(
        &self,
        caller: &OrgCaller,
        input: ListCandidates,
    ) -> Result<CandidatePage, ApiError>;
    async fn candidate(
        &self,
        caller: &OrgCaller,
        input: GetCandidate,
    ) -> Result<Candidate, ApiError>;
    async fn merge_candidates(
        &self,
        caller: &OrgCaller,
        input: MergeCandidates,
    ) -> Result<Candidate, ApiError>;
    async fn add_tag(
        &self,
        caller: &OrgCaller,
        input: AddCandidateTag,
    ) -> Result<Candidate, ApiError>;
    async fn remove_tag(
        &self,
        caller: &OrgCaller,
        input: RemoveCandidateTag,
    ) -> Result<Candidate, ApiError>;
    async fn prospects(
        &self,
        caller: &OrgCaller,
        input: JobProspects,
    ) -> Result<Vec<Prospect>, ApiError>;
}
