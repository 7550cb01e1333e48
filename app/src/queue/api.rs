//! The background-job server functions.

use crate::error::ApiError;
use leptos::prelude::*;
use shared::queue::BackgroundJob;

#[cfg(feature = "ssr")]
use {
    super::seam::QueueSeam,
    crate::seam::{self, respond},
};

/// The organisation's newest background jobs (owners and admins).
#[server(endpoint = "background_jobs")]
pub async fn background_jobs(slug: String) -> Result<Vec<BackgroundJob>, ApiError> {
    let (queue, caller) = seam::member::<dyn QueueSeam>(&slug).await?;
    respond(
        queue
            .background_jobs(&caller, BackgroundJobs { slug })
            .await,
    )
}
