//! Organisations, their members and invitations.

use crate::Role;
use serde::{Deserialize, Serialize};

/// One organisation the person belongs to, with their role there.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Membership {
    pub org_id: i64,
    pub slug: String,
    pub name: String,
    pub role: Role,
}

/// A member of an organisation as its member list shows them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Member {
    pub user_id: i64,
    pub name: String,
    pub email: String,
    pub role: Role,
    pub joined_at: i64,
    /// Set while the account is locked after repeated failed sign-ins (unix seconds).
    pub locked_until: Option<i64>,
}

/// An invitation that has not been accepted yet.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PendingInvitation {
    pub id: i64,
    pub email: String,
    pub role: Role,
    pub invited_by: String,
    pub expires_at: i64,
}

/// What the invitation page shows before the invitee accepts.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InvitationPreview {
    pub org_name: String,
    pub email: String,
    pub role: Role,
    pub invited_by: String,
    /// Whether an account with the invited address exists already (then the invitee signs in).
    pub account_exists: bool,
}

/// An organisation's member list and open invitations.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Team {
    pub members: Vec<Member>,
    pub invitations: Vec<PendingInvitation>,
}

/// What an organisation's administrators can change on its settings page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OrganisationSettings {
    pub slug: String,
    pub name: String,
}
