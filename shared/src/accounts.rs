//! The signed-in person, as the account pages and the frame see them.

use crate::{
    orgs::Membership,
    validation::{self, FieldError},
};
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
    /// Whether the person has opened the link sent to their address (or joined by invitation).
    pub email_verified: bool,
    /// How many of their notifications are unread (the bell's count).
    #[serde(default)]
    pub unread_notices: i64,
}

/// What the account settings page shows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AccountSettings {
    pub name: String,
    pub email: String,
    pub email_verified: bool,
    /// A new address asked for and waiting for its confirmation link to be opened.
    pub pending_email: Option<String>,
}

/// What a link sent by e-mail is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum LinkPurpose {
    /// Confirms the address given at sign-up.
    VerifyEmail,
    /// Confirms a new address asked for in the settings.
    ChangeEmail,
    /// Chooses a new password.
    ResetPassword,
}

impl LinkPurpose {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::VerifyEmail => "verify_email",
            Self::ChangeEmail => "change_email",
            Self::ResetPassword => "reset_password",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        [Self::VerifyEmail, Self::ChangeEmail, Self::ResetPassword]
            .into_iter()
            .find(|p| p.as_str() == raw)
    }
}

/// A link sent by e-mail, before it is used: what it is for and the address it was sent to.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AccountLink {
    pub purpose: LinkPurpose,
    pub email: String,
}

/// How hard a password is to guess, for the meter under a new password.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PasswordStrength {
    /// 0 (guessed at once) to 4 (very hard to guess).
    pub score: u8,
    /// Whether the server accepts it.
    pub acceptable: bool,
    /// What to do about it, in a sentence (empty when it is fine).
    pub advice: String,
}

/// The checks of the "forgot password" form.
pub fn check_forgot_password(email: &str) -> Vec<FieldError> {
    validation::problems([validation::email("email", email).map(drop)])
}

/// The checks of choosing a new password (reset, or settings with the current one).
pub fn check_new_password(password: &str) -> Vec<FieldError> {
    validation::problems([validation::password_length("password", password)])
}

/// The checks of the settings' e-mail form.
pub fn check_change_email(email: &str, current_password: &str) -> Vec<FieldError> {
    let mut problems = validation::problems([validation::email("email", email).map(drop)]);
    if current_password.is_empty() {
        problems.push(FieldError::new(
            "current_password",
            "Enter your current password.",
        ));
    }
    problems
}

impl Me {
    pub fn membership(&self, slug: &str) -> Option<&Membership> {
        self.memberships.iter().find(|m| m.slug == slug)
    }

    /// Where the person starts: the organisation they last worked in, else their first one,
    /// else creating one.
    pub fn home_path(&self) -> String {
        self.active_org
            .as_deref()
            .filter(|slug| self.membership(slug).is_some())
            .or_else(|| self.memberships.first().map(|m| m.slug.as_str()))
            .map_or_else(|| "/orgs/new".to_owned(), |slug| format!("/o/{slug}"))
    }
}

/// The checks of the sign-up form (the server also refuses easily guessed passwords and taken
/// addresses).
pub fn check_sign_up(name: &str, email: &str, password: &str) -> Vec<FieldError> {
    validation::problems([
        validation::display_name("name", name).map(drop),
        validation::email("email", email).map(drop),
        validation::password_length("password", password),
    ])
}

/// The checks of the sign-in form.
pub fn check_sign_in(email: &str, password: &str) -> Vec<FieldError> {
    let mut problems = validation::problems([validation::email("email", email).map(drop)]);
    if password.is_empty() {
        problems.push(FieldError::new("password", "Enter your password."));
    }
    problems
}

/// The checks of a new account's name and password (accepting an invitation).
pub fn check_new_account(name: &str, password: &str) -> Vec<FieldError> {
    validation::problems([
        validation::display_name("name", name).map(drop),
        validation::password_length("password", password),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_problem_of_a_form_is_found_at_once() {
        let problems = check_sign_up(" ", "ada.example.com", "short");
        let fields: Vec<&str> = problems.iter().map(|p| p.field.as_str()).collect();
        assert_eq!(fields, ["name", "email", "password"]);
        assert!(check_sign_up("Ada", "ada@example.com", "correct horse battery").is_empty());
        assert_eq!(check_sign_in("", "").len(), 2);
    }

    #[test]
    fn link_purposes_round_trip() {
        for purpose in [
            LinkPurpose::VerifyEmail,
            LinkPurpose::ChangeEmail,
            LinkPurpose::ResetPassword,
        ] {
            assert_eq!(LinkPurpose::parse(purpose.as_str()), Some(purpose));
        }
        assert_eq!(LinkPurpose::parse("anything"), None);
    }

    #[test]
    fn a_person_starts_where_they_last_worked() {
        let member = |slug: &str| Membership {
            org_id: 1,
            slug: slug.to_owned(),
            name: slug.to_owned(),
            role: crate::Role::Viewer,
            unread_messages: 0,
        };
        let mut me = Me {
            user_id: 1,
            email: "ada@example.com".to_owned(),
            name: "Ada".to_owned(),
            memberships: vec![member("acme"), member("zeta")],
            active_org: Some("zeta".to_owned()),
            email_verified: true,
            unread_notices: 0,
        };
        assert_eq!(me.home_path(), "/o/zeta");
        me.active_org = Some("gone".to_owned());
        assert_eq!(me.home_path(), "/o/acme");
        me.memberships.clear();
        assert_eq!(me.home_path(), "/orgs/new");
    }
}
