//! Server functions: the only way the UI reaches the server. Each body asks the [`Backend`]
//! (see `backend.rs`), which authorises the caller before it reads or writes anything.

use crate::error::ApiError;
use leptos::prelude::*;
use shared::dto::{InvitationPreview, Me, Membership, Outbox, PendingInvitation, Team};

#[cfg(feature = "ssr")]
use crate::backend::{context, respond};

#[cfg(feature = "ssr")]
fn parse_role(raw: &str) -> Result<shared::Role, ApiError> {
    raw.parse()
        .map_err(|_| ApiError::field("role", "Choose one of the listed roles."))
}

/// The signed-in person, or `None`.
#[server(endpoint = "me")]
pub async fn current_user() -> Result<Option<Me>, ApiError> {
    let (backend, req) = context()?;
    respond(backend.me(&req).await)
}

#[server(endpoint = "sign_up")]
pub async fn sign_up(name: String, email: String, password: String) -> Result<Me, ApiError> {
    let (backend, req) = context()?;
    let me = respond(
        backend
            .sign_up(
                &req,
                crate::backend::SignUp {
                    name,
                    email,
                    password,
                },
            )
            .await,
    )?;
    leptos_axum::redirect("/orgs/new");
    Ok(me)
}

/// Signs in; `next` is a local path to go to afterwards (anything else is ignored).
#[server(endpoint = "sign_in")]
pub async fn sign_in(
    email: String,
    password: String,
    next: Option<String>,
) -> Result<Me, ApiError> {
    let (backend, req) = context()?;
    let me = respond(backend.sign_in(&req, email, password).await)?;
    let local = next.filter(|n| n.starts_with('/') && !n.starts_with("//") && !n.contains('\\'));
    leptos_axum::redirect(local.as_deref().unwrap_or("/"));
    Ok(me)
}

#[server(endpoint = "sign_out")]
pub async fn sign_out() -> Result<(), ApiError> {
    let (backend, req) = context()?;
    respond(backend.sign_out(&req).await)?;
    leptos_axum::redirect("/signin");
    Ok(())
}

#[server(endpoint = "create_organisation")]
pub async fn create_organisation(name: String, slug: String) -> Result<Membership, ApiError> {
    let (backend, req) = context()?;
    let membership = respond(backend.create_organisation(&req, name, slug).await)?;
    leptos_axum::redirect(&format!("/o/{}", membership.slug));
    Ok(membership)
}

/// Makes `slug` the active organisation (remembered for the next visit).
#[server(endpoint = "switch_organisation")]
pub async fn switch_organisation(slug: String) -> Result<(), ApiError> {
    let (backend, req) = context()?;
    respond(backend.switch_organisation(&req, slug.clone()).await)?;
    leptos_axum::redirect(&format!("/o/{slug}"));
    Ok(())
}

#[server(endpoint = "team")]
pub async fn get_team(slug: String) -> Result<Team, ApiError> {
    let (backend, req) = context()?;
    respond(backend.team(&req, slug).await)
}

#[server(endpoint = "invite")]
pub async fn invite(
    slug: String,
    email: String,
    role: String,
) -> Result<PendingInvitation, ApiError> {
    let (backend, req) = context()?;
    let role = respond(parse_role(&role))?;
    respond(backend.invite(&req, slug, email, role).await)
}

#[server(endpoint = "revoke_invitation")]
pub async fn revoke_invitation(slug: String, invitation_id: i64) -> Result<(), ApiError> {
    let (backend, req) = context()?;
    respond(backend.revoke_invitation(&req, slug, invitation_id).await)
}

#[server(endpoint = "change_role")]
pub async fn change_role(slug: String, user_id: i64, role: String) -> Result<(), ApiError> {
    let (backend, req) = context()?;
    let role = respond(parse_role(&role))?;
    respond(backend.change_role(&req, slug, user_id, role).await)
}

#[server(endpoint = "remove_member")]
pub async fn remove_member(slug: String, user_id: i64) -> Result<(), ApiError> {
    let (backend, req) = context()?;
    respond(backend.remove_member(&req, slug, user_id).await)
}

#[server(endpoint = "leave_organisation")]
pub async fn leave_organisation(slug: String) -> Result<(), ApiError> {
    let (backend, req) = context()?;
    respond(backend.leave_organisation(&req, slug).await)?;
    leptos_axum::redirect("/");
    Ok(())
}

#[server(endpoint = "outbox")]
pub async fn get_outbox(slug: String) -> Result<Outbox, ApiError> {
    let (backend, req) = context()?;
    respond(backend.outbox(&req, slug).await)
}

/// Extracts skills from a CV and a job text and scores the CV against the job. Stores nothing.
#[server(endpoint = "analyse_match")]
pub async fn analyse_match(
    slug: String,
    cv_text: String,
    job_text: String,
) -> Result<shared::matching::MatchAnalysis, ApiError> {
    let (backend, req) = context()?;
    respond(backend.analyse_match(&req, slug, cv_text, job_text).await)
}

#[server(endpoint = "invitation")]
pub async fn get_invitation(token: String) -> Result<InvitationPreview, ApiError> {
    let (backend, req) = context()?;
    respond(backend.invitation(&req, token).await)
}

/// Accepts an invitation. `name` and `password` create the account when the invitee has none.
#[server(endpoint = "accept_invitation")]
pub async fn accept_invitation(
    token: String,
    name: Option<String>,
    password: Option<String>,
) -> Result<String, ApiError> {
    let (backend, req) = context()?;
    let new_account = match (name, password) {
        (Some(name), Some(password)) => Some((name, password)),
        _ => None,
    };
    let slug = respond(backend.accept_invitation(&req, token, new_account).await)?;
    leptos_axum::redirect(&format!("/o/{slug}"));
    Ok(slug)
}
