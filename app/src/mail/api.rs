//! The mail server functions.

use crate::error::ApiError;
use leptos::prelude::*;
use shared::mail::Outbox;

#[cfg(feature = "ssr")]
use {
    super::seam::MailSeam,
    crate::seam::{self, respond},
};

#[server(endpoint = "outbox")]
pub async fn get_outbox(slug: String) -> Result<Outbox, ApiError> {
    let (mail, caller) = seam::member::<dyn MailSeam>(&slug).await?;
    respond(mail.outbox(&caller, GetOutbox { slug }).await)
}
