//! The seam between server functions (declared here, next to the UI that calls them) and the
//! services that only the server has (database, mail, realtime hub).
//!
//! `app` cannot depend on `server` (that would be a cycle) and must not compile database code into
//! the wasm. So a server function's body only finds the [`Backend`] that `server` put into the
//! Leptos context and calls one method of it; `server` implements the trait. See ARCHITECTURE.md.

use crate::error::ApiError;
use http::request::Parts;
use leptos::prelude::*;
use shared::{dto::*, Role};
use std::sync::Arc;

/// Input of the sign-up form.
#[derive(Debug)]
pub struct SignUp {
    pub name: String,
    pub email: String,
    pub password: String,
}

/// Everything the UI asks of the server. Each method receives the request's parts (cookies,
/// session, client address) and authorises the caller itself before touching any data.
#[async_trait::async_trait]
pub trait Backend: Send + Sync + 'static {
    async fn me(&self, req: &Parts) -> Result<Option<Me>, ApiError>;
    async fn sign_up(&self, req: &Parts, input: SignUp) -> Result<Me, ApiError>;
    async fn sign_in(&self, req: &Parts, email: String, password: String) -> Result<Me, ApiError>;
    async fn sign_out(&self, req: &Parts) -> Result<(), ApiError>;

    async fn create_organisation(
        &self,
        req: &Parts,
        name: String,
        slug: String,
    ) -> Result<Membership, ApiError>;
    async fn switch_organisation(&self, req: &Parts, slug: String) -> Result<(), ApiError>;
    async fn team(&self, req: &Parts, slug: String) -> Result<Team, ApiError>;
    async fn invite(
        &self,
        req: &Parts,
        slug: String,
        email: String,
        role: Role,
    ) -> Result<PendingInvitation, ApiError>;
    async fn revoke_invitation(
        &self,
        req: &Parts,
        slug: String,
        invitation_id: i64,
    ) -> Result<(), ApiError>;
    async fn change_role(
        &self,
        req: &Parts,
        slug: String,
        user_id: i64,
        role: Role,
    ) -> Result<(), ApiError>;
    async fn remove_member(&self, req: &Parts, slug: String, user_id: i64) -> Result<(), ApiError>;
    async fn leave_organisation(&self, req: &Parts, slug: String) -> Result<(), ApiError>;

    /// Skills of a CV and a job text, and the explained score of one against the other.
    /// Any member may ask; nothing is stored.
    async fn analyse_match(
        &self,
        req: &Parts,
        slug: String,
        cv_text: String,
        job_text: String,
    ) -> Result<shared::matching::MatchAnalysis, ApiError>;
    async fn outbox(&self, req: &Parts, slug: String) -> Result<Outbox, ApiError>;

    async fn invitation(&self, req: &Parts, token: String) -> Result<InvitationPreview, ApiError>;
    /// Accepts as the signed-in user, or creates the account first when `new_account` is given.
    /// Returns the organisation's slug.
    async fn accept_invitation(
        &self,
        req: &Parts,
        token: String,
        new_account: Option<(String, String)>,
    ) -> Result<String, ApiError>;
}

/// The backend and the current request, as a server function sees them.
pub fn context() -> Result<(Arc<dyn Backend>, Parts), ApiError> {
    let backend = use_context::<Arc<dyn Backend>>().ok_or(ApiError::Internal)?;
    let parts = use_context::<Parts>().ok_or(ApiError::Internal)?;
    Ok((backend, parts))
}

/// Sets the response status from the error, except for plain HTML form posts: those are
/// redirected back to the form (which then shows the error), and a status would break that.
pub fn respond<T>(result: Result<T, ApiError>) -> Result<T, ApiError> {
    if let Err(err) = &result {
        let plain_form_post = use_context::<Parts>()
            .and_then(|p| {
                p.headers
                    .get(http::header::ACCEPT)
                    .and_then(|v| v.to_str().ok())
                    .map(|v| v.contains("text/html"))
            })
            .unwrap_or(false);
        if !plain_form_post {
            if let (Some(res), Ok(status)) = (
                use_context::<leptos_axum::ResponseOptions>(),
                http::StatusCode::from_u16(err.status()),
            ) {
                res.set_status(status);
            }
        }
    }
    result
}
