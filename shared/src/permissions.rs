//! The one permission matrix. The UI hides what a role cannot do; the server enforces the same
//! table on every call.

use serde::{Deserialize, Serialize};
use std::{fmt, str::FromStr};

/// A member's role in one organisation, from most to least powerful.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Owner,
    Admin,
    Recruiter,
    HiringManager,
    Interviewer,
    Employee,
    Viewer,
}

/// Something a member may do inside an organisation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Permission {
    /// See the organisation's dashboard and member list.
    ViewOrganisation,
    /// Rename the organisation.
    ManageOrganisation,
    /// Invite people and revoke open invitations.
    InviteMembers,
    /// Change roles and remove members.
    ManageMembers,
    /// Read the organisation's outgoing e-mail (development outbox).
    ViewOutbox,
    /// See the organisation's background jobs (mail delivery, indexing) and their failures.
    ViewBackgroundJobs,
    /// See jobs (a hiring manager only those whose hiring team they are on).
    ViewJobs,
    /// Write jobs, publish, close and archive them.
    ManageJobs,
    /// See candidates and their CVs (a hiring manager only those who applied to a job whose
    /// hiring team they are on).
    ViewCandidates,
    /// Merge candidates' profiles.
    ManageCandidates,
}

impl Role {
    pub const ALL: [Role; 7] = [
        Role::Owner,
        Role::Admin,
        Role::Recruiter,
        Role::HiringManager,
        Role::Interviewer,
        Role::Employee,
        Role::Viewer,
    ];

    /// The permission matrix.
    pub fn can(self, permission: Permission) -> bool {
        use Permission::*;
        use Role::*;
        match permission {
            ViewOrganisation => true,
            ManageOrganisation | ManageMembers | ViewOutbox | ViewBackgroundJobs => {
                matches!(self, Owner | Admin)
            }
            InviteMembers | ManageJobs | ManageCandidates => {
                matches!(self, Owner | Admin | Recruiter)
            }
            ViewJobs | ViewCandidates => matches!(self, Owner | Admin | Recruiter | HiringManager),
        }
    }

    /// Whether a member with this role may grant `other` (to an invitee or an existing member).
    /// Only owners create owners; nobody grants a role above their own.
    pub fn may_grant(self, other: Role) -> bool {
        match self {
            Role::Owner => true,
            Role::Admin => other != Role::Owner,
            Role::Recruiter => other >= Role::Recruiter,
            _ => false,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::Admin => "admin",
            Role::Recruiter => "recruiter",
            Role::HiringManager => "hiring_manager",
            Role::Interviewer => "interviewer",
            Role::Employee => "employee",
            Role::Viewer => "viewer",
        }
    }

    /// A label for people.
    pub fn label(self) -> &'static str {
        match self {
            Role::Owner => "Owner",
            Role::Admin => "Admin",
            Role::Recruiter => "Recruiter",
            Role::HiringManager => "Hiring manager",
            Role::Interviewer => "Interviewer",
            Role::Employee => "Employee",
            Role::Viewer => "Viewer",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The text was not one of the role names.
#[derive(Debug, thiserror::Error)]
#[error("unknown role {0:?}; expected one of {names}", names = Role::ALL.map(Role::as_str).join(", "))]
pub struct UnknownRole(pub String);

impl TryFrom<String> for Role {
    type Error = UnknownRole;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl FromStr for Role {
    type Err = UnknownRole;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| UnknownRole(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_owners_and_admins_manage_members() {
        let managers: Vec<Role> = Role::ALL
            .into_iter()
            .filter(|r| r.can(Permission::ManageMembers))
            .collect();
        assert_eq!(managers, vec![Role::Owner, Role::Admin]);
        assert!(!Role::Viewer.can(Permission::InviteMembers));
        assert!(Role::Recruiter.can(Permission::InviteMembers));
    }

    #[test]
    fn nobody_grants_above_themselves() {
        assert!(!Role::Admin.may_grant(Role::Owner));
        assert!(Role::Admin.may_grant(Role::Admin));
        assert!(!Role::Recruiter.may_grant(Role::Admin));
        assert!(Role::Recruiter.may_grant(Role::Interviewer));
        assert!(!Role::Viewer.may_grant(Role::Viewer));
    }

    #[test]
    fn role_names_round_trip() {
        for role in Role::ALL {
            assert_eq!(role.as_str().parse::<Role>().ok(), Some(role));
        }
        let unknown = "boss".parse::<Role>().err().map(|e| e.to_string());
        assert_eq!(
            unknown.as_deref(),
            Some("unknown role \"boss\"; expected one of owner, admin, recruiter, hiring_manager, interviewer, employee, viewer")
        );
    }
}
