//! The candidate pages' server functions.

use crate::error::ApiError;
use leptos::prelude::*;
use shared::candidates::{Candidate as Profile, CandidatePage, Prospect};

#[cfg(feature = "ssr")]
use {
    super::seam::CandidatesSeam,
    crate::seam::{self, respond},
};

/// A page of the organisation's candidates: newest first, or with `query`, those whose name or
/// e-mail address contains it, then the best by the hybrid search over names and CVs, each with
/// the reasons it was found. The filters (each empty for any) narrow both.
#[server(endpoint = "candidates")]
pub async fn candidates(
    slug: String,
    query: String,
    page: u32,
    /// Only candidates with this tag (any case).
    #[server(default)]
    tag: String,
    /// Only candidates whose CV shows this skill (any case).
    #[server(default)]
    skill: String,
    /// Only candidates from this source (`careers`, `referral`, `manual`, `import`).
    #[server(default)]
    source: String,
    /// Only candidates with an active application at a stage of this name.
    #[server(default)]
    stage: String,
) -> Result<CandidatePage, ApiError> {
    let (candidates, caller) = seam::member::<dyn CandidatesSeam>(&slug).await?;
    let input = Candidates {
        slug,
        query,
        page,
        tag,
        skill,
        source,
        stage,
    };
    respond(candidates.candidates(&caller, input).await)
}

/// One candidate's profile.
#[server(endpoint = "candidate")]
pub async fn candidate(slug: String, id: i64) -> Result<Profile, ApiError> {
    let (candidates, caller) = seam::member::<dyn CandidatesSeam>(&slug).await?;
    respond(candidates.candidate(&caller, Candidate { slug, id }).await)
}

/// Merges profile `merge` into `keep`: every application, file and earlier merge of `merge`
/// moves to `keep`, its details fill what `keep` lacks, and `merge` is gone. One transaction.
#[server(endpoint = "merge_candidates")]
pub async fn merge_candidates(slug: String, keep: i64, merge: i64) -> Result<Profile, ApiError> {
    let (candidates, caller) = seam::member::<dyn CandidatesSeam>(&slug).await?;
    let input = MergeCandidates { slug, keep, merge };
    respond(candidates.merge_candidates(&caller, input).await)
}

/// Tags candidate `id` with `tag` (owners, admins and recruiters).
#[server(endpoint = "add_candidate_tag")]
pub async fn add_candidate_tag(slug: String, id: i64, tag: String) -> Result<Profile, ApiError> {
    let (candidates, caller) = seam::member::<dyn CandidatesSeam>(&slug).await?;
    let input = AddCandidateTag { slug, id, tag };
    respond(candidates.add_tag(&caller, input).await)
}

/// Takes `tag` off candidate `id` (owners, admins and recruiters).
#[server(endpoint = "remove_candidate_tag")]
pub async fn remove_candidate_tag(slug: String, id: i64, tag: String) -> Result<Profile, ApiError> {
    let (candidates, caller) = seam::member::<dyn CandidatesSeam>(&slug).await?;
    let input = RemoveCandidateTag { slug, id, tag };
    respond(candidates.remove_tag(&caller, input).await)
}

/// Up to ten of the organisation's candidates closest in meaning to job `job` (its title and
/// description against their CVs, from the vector index) who have not applied to it, with the
/// job's skills each shows and the must-haves each lacks.
#[server(endpoint = "job_prospects")]
pub async fn job_prospects(slug: String, job: String) -> Result<Vec<Prospect>, ApiError> {
    let (candidates, caller) = seam::member::<dyn CandidatesSeam>(&slug).await?;
    respond(
        candidates
            .prospects(&caller, JobProspects { slug, job })
            .await,
    )
}
