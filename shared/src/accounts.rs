//! The signed-in person, as the account pages and the frame see them.

use crate::orgs::Membership;
use serde::{Deserialize, Serialize};

/// The signed-in person and the organisations they belong to.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Me {
    pub user_id: i64,
    pub email: String,
    pub name: String,
    pub memberships: Vec<Membership>,
    /// The organisation the person last worked in, if they still belong to it.
    pub active_org: Option<String>,
}

impl Me {
    pub fn membership(&self, slug: &str) -> Option<&Membership> {
        self.memberships.iter().find(|m| m.slug == slug)
    }
}
