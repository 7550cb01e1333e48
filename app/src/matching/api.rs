//! The matching server functions.

use crate::error::ApiError;
use leptos::prelude::*;
use shared::matching::{MatchAnalysis, TaxonomyStatus};

#[cfg(feature = "ssr")]
use {
    super::seam::MatchingSeam,
    crate::seam::{self, respond},
};

/// Extracts skills from a CV and a job text and scores the CV against the job. Stores nothing.
#[server(endpoint = "analyse_match")]
pub async fn analyse_match(
    slug: String,
    cv_text: String,
    job_text: String,
) -> Result<MatchAnalysis, ApiError> {
    let (matching, caller) = seam::member::<dyn MatchingSeam>(&slug).await?;
    let input = AnalyseMatch {
        slug,
        cv_text,
        job_text,
    };
    respond(matching.analyse_match(&caller, input).await)
}

/// Whether this server has an occupation taxonomy to suggest from (owners and admins).
#[server(endpoint = "occupation_taxonomy")]
pub async fn occupation_taxonomy(slug: String) -> Result<TaxonomyStatus, ApiError> {
    let (matching, caller) = seam::member::<dyn MatchingSeam>(&slug).await?;
    respond(
        matching
            .occupation_taxonomy(&caller, OccupationTaxonomy { slug })
            .await,
    )
}
