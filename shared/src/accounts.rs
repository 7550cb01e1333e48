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
}

impl Me {
    pub fn membership(&self, slug: &str) -> Option<&Membership> {
        self.memberships.iter().find(|m| m.slug == slug)
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
}
