//! What the organisation server functions ask of the server.

use super::api::{
    AcceptInvitation, ChangeRole, CreateOrganisation, GetInvitation, GetTeam, Invite,
    LeaveOrganisation, RemoveMember, RevokeInvitation, SwitchOrganisation, UndoRemoveMember,
};
use super::settings::{GetOrganisationSettings, UpdateOrganisation};
use crate::{
    error::ApiError,
    seam::{Caller, OrgCaller, Visitor},
};
use shared::orgs::{
    ChangedMember, InvitationPreview, Membership, OrganisationSettings, PendingInvitation, Team,
};

/// Implemented by `server`: organisations and their members. Methods inside an organisation
/// take its [`OrgCaller`].
#[async_trait::async_trait]
pub trait OrgsSeam: Send + Sync + 'static {
    /// Creates an organisation with the caller as its owner.
    async fn create_organisation(
        &self,
        caller: &Caller,
        input: CreateOrganisation,
    ) -> Result<Membership, ApiError>;
    /// Remembers the organisation as the one the caller works in.
    async fn switch_organisation(
        &self,
        caller: &OrgCaller,
        input: SwitchOrganisation,
    ) -> Result<(), ApiError>;
    async fn team(&self, caller: &OrgCaller, input: GetTeam) -> Result<Team, ApiError>;
    async fn organisation_settings(
        &self,
        caller: &OrgCaller,
        input: GetOrganisationSettings,
    ) -> Result<OrganisationSettings, ApiError>;
    async fn update_organisation(
        &self,
        caller: &OrgCaller,
        input: UpdateOrganisation,
    ) -> Result<OrganisationSettings, ApiError>;
    async fn change_role(
        &self,
        caller: &OrgCaller,
        input: ChangeRole,
    ) -> Result<ChangedMember, ApiError>;
    async fn remove_member(
        &self,
        caller: &OrgCaller,
        input: RemoveMember,
    ) -> Result<ChangedMember, ApiError>;
    /// Brings back a member removed less than [`shared::orgs::UNDO_REMOVAL_SECS`] ago, for a
    /// caller who could have removed them.
    async fn undo_remove_member(
        &self,
        caller: &OrgCaller,
        input: UndoRemoveMember,
    ) -> Result<ChangedMember, ApiError>;
    async fn leave_organisation(
        &self,
        caller: &OrgCaller,
        input: LeaveOrganisation,
    ) -> Result<(), ApiError>;
}

/// Implemented by `server`: inviting people and accepting invitations. Accepting takes the
/// [`Visitor`], because an invitee may not have an account yet.
#[async_trait::async_trait]
pub trait InvitationsSeam: Send + Sync + 'static {
    async fn invite(
        &self,
        caller: &OrgCaller,
        input: Invite,
    ) -> Result<PendingInvitation, ApiError>;
    /// Revokes an open invitation (only for a role the caller may grant).
    async fn revoke_invitation(
        &self,
        caller: &OrgCaller,
        input: RevokeInvitation,
    ) -> Result<(), ApiError>;
    /// What an invitation link offers, before it is accepted.
    async fn invitation(
        &self,
        visitor: &Visitor,
        input: GetInvitation,
    ) -> Result<InvitationPreview, ApiError>;
    /// Accepts as the signed-in user, or creates the account first when a name and a password
    /// are given; returns the organisation's slug.
    async fn accept_invitation(
        &self,
        visitor: &Visitor,
        input: AcceptInvitation,
    ) -> Result<String, ApiError>;
}
