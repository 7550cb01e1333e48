//! The candidate pages' server functions.

use crate::error::ApiError;
use leptos::prelude::*;
use shared::candidates::{Candidate as Profile, CandidatePage};

#[cfg(feature = "ssr")]
use {
    super::seam::CandidatesSeam,
    crate::seam::{self, respond},
};

/// A page of the organisation's candidates, newest first; `query` searches names and e-mail
/// addresses.
#[server(endpoint = "candidates")]
pub async fn candidates(
    slug: String,
    query: String,
    page: u32,
    /// Only candidates with this tag (any case); empty for all.
    #[server(default)]
    tag: String,
) -> Result<CandidatePage, ApiError> {
    let (candidates, caller) = seam::member::<dyn CandidatesSeam>(&slug).await?;
    let input = Candidates {
        slug,
        query,
        page,
        tag,
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
