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
pub async fn candidates(slug: String, query: String, page: u32) -> Result<CandidatePage, ApiError> {
    let (candidates, caller) = seam::member::<dyn CandidatesSeam>(&slug).await?;
    let input = Candidates { slug, query, page };
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
