//! The careers pages' server functions: public, for anyone.

use crate::error::ApiError;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use {
    super::seam::CareersSeam,
    crate::seam::{self, respond},
};

/// An organisation's published jobs; empty filters take everything. An organisation that does
/// not exist answers "not found", like one without published jobs would not.
#[server(endpoint = "careers")]
pub async fn careers(
    org: String,
    department: String,
    location: String,
    remote: String,
) -> Result<shared::jobs::Careers, ApiError> {
    let (careers, visitor) = seam::visitor::<dyn CareersSeam>()?;
    let input = Careers {
        org,
        department,
        location,
        remote,
    };
    respond(careers.careers(&visitor, input).await)
}

/// One published job of an organisation.
#[server(endpoint = "careers_job")]
pub async fn careers_job(org: String, job: String) -> Result<shared::jobs::CareersJob, ApiError> {
    let (careers, visitor) = seam::visitor::<dyn CareersSeam>()?;
    respond(careers.careers_job(&visitor, CareersJob { org, job }).await)
}
