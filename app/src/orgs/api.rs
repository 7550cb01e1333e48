//! The organisation server functions: organisations, members and invitations.

use crate::error::ApiError;
use leptos::prelude::*;
use shared::orgs::{ChangedMember, InvitationPreview, Membership, PendingInvitation, Team};

#[cfg(feature = "ssr")]
use {
    super::seam::{InvitationsSeam, OrgsSeam},
    crate::seam::{self, redirect, respond},
};

#[server(endpoint = "create_organisation")]
pub async fn create_organisation(name: String, slug: String) -> Result<Membership, ApiError> {
    let (orgs, caller) = seam::signed_in::<dyn OrgsSeam>().await?;
    let input = CreateOrganisation { name, slug };
    let membership = respond(orgs.create_organisation(&caller, input).await)?;
    redirect(&format!("/o/{}", membership.slug));
    Ok(membership)
}

/// Makes `slug` the active organisation (remembered for the next visit).
#[server(endpoint = "switch_organisation")]
pub async fn switch_organisation(slug: String) -> Result<(), ApiError> {
    let (orgs, caller) = seam::member::<dyn OrgsSeam>(&slug).await?;
    respond(
        orgs.switch_organisation(&caller, SwitchOrganisation { slug })
            .await,
    )?;
    redirect(&format!("/o/{}", caller.slug()));
    Ok(())
}

#[server(endpoint = "team")]
pub async fn get_team(slug: String) -> Result<Team, ApiError> {
    let (orgs, caller) = seam::member::<dyn OrgsSeam>(&slug).await?;
    respond(orgs.team(&caller, GetTeam { slug }).await)
}

/// Invites `email`. An address with an open invitation is invited again only with `replace`
/// (the old link stops working); without it the answer asks (an error on `replace`).
#[server(endpoint = "invite")]
pub async fn invite(
    slug: String,
    email: String,
    role: String,
    replace: Option<bool>,
) -> Result<PendingInvitation, ApiError> {
    let (invitations, caller) = seam::member::<dyn InvitationsSeam>(&slug).await?;
    let input = Invite {
        slug,
        email,
        role,
        replace,
    };
    respond(invitations.invite(&caller, input).await)
}

#[server(endpoint = "revoke_invitation")]
pub async fn revoke_invitation(slug: String, invitation_id: i64) -> Result<(), ApiError> {
    let (invitations, caller) = seam::member::<dyn InvitationsSeam>(&slug).await?;
    let input = RevokeInvitation {
        slug,
        invitation_id,
    };
    respond(invitations.revoke_invitation(&caller, input).await)
}

#[server(endpoint = "change_role")]
pub async fn change_role(
    slug: String,
    user_id: i64,
    role: String,
) -> Result<ChangedMember, ApiError> {
    let (orgs, caller) = seam::member::<dyn OrgsSeam>(&slug).await?;
    let input = ChangeRole {
        slug,
        user_id,
        role,
    };
    respond(orgs.change_role(&caller, input).await)
}

/// Removes a member; for [`shared::orgs::UNDO_REMOVAL_SECS`] it can be undone.
#[server(endpoint = "remove_member")]
pub async fn remove_member(slug: String, user_id: i64) -> Result<ChangedMember, ApiError> {
    let (orgs, caller) = seam::member::<dyn OrgsSeam>(&slug).await?;
    respond(
        orgs.remove_member(&caller, RemoveMember { slug, user_id })
            .await,
    )
}

/// Brings back a member removed moments ago, with their role and joining date.
#[server(endpoint = "undo_remove_member")]
pub async fn undo_remove_member(slug: String, user_id: i64) -> Result<ChangedMember, ApiError> {
    let (orgs, caller) = seam::member::<dyn OrgsSeam>(&slug).await?;
    let input = UndoRemoveMember { slug, user_id };
    respond(orgs.undo_remove_member(&caller, input).await)
}

#[server(endpoint = "leave_organisation")]
pub async fn leave_organisation(slug: String) -> Result<(), ApiError> {
    let (orgs, caller) = seam::member::<dyn OrgsSeam>(&slug).await?;
    respond(
        orgs.leave_organisation(&caller, LeaveOrganisation { slug })
            .await,
    )?;
    redirect("/");
    Ok(())
}

#[server(endpoint = "invitation")]
pub async fn get_invitation(token: String) -> Result<InvitationPreview, ApiError> {
    let (invitations, visitor) = seam::visitor::<dyn InvitationsSeam>()?;
    respond(
        invitations
            .invitation(&visitor, GetInvitation { token })
            .await,
    )
}

/// Accepts an invitation. `name` and `password` create the account when the invitee has none.
#[server(endpoint = "accept_invitation")]
pub async fn accept_invitation(
    token: String,
    name: Option<String>,
    password: Option<String>,
) -> Result<String, ApiError> {
    let (invitations, visitor) = seam::visitor::<dyn InvitationsSeam>()?;
    let input = AcceptInvitation {
        token,
        name,
        password,
    };
    let slug = respond(invitations.accept_invitation(&visitor, input).await)?;
    redirect(&format!("/o/{slug}"));
    Ok(slug)
}
