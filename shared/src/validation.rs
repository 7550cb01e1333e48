//! Input rules that both the form (for instant feedback) and the server (for enforcement) apply.

use serde::{Deserialize, Serialize};

/// A problem with one form field, named so the UI can show it next to that field.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{field}: {message}")]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: &str, message: impl Into<String>) -> Self {
        Self {
            field: field.to_owned(),
            message: message.into(),
        }
    }
}

pub const MIN_PASSWORD_CHARS: usize = 12;
pub const MAX_PASSWORD_CHARS: usize = 256;

/// Normalises an e-mail address (trimmed, lower-case) or says what is wrong with it.
pub fn email(field: &str, raw: &str) -> Result<String, FieldError> {
    let value = raw.trim().to_lowercase();
    if value.is_empty() {
        return Err(FieldError::new(field, "Enter an e-mail address."));
    }
    if value.len() > 254 {
        return Err(FieldError::new(
            field,
            "This e-mail address is too long (254 characters at most).",
        ));
    }
    let Some((local, domain)) = value.split_once('@') else {
        return Err(FieldError::new(
            field,
            "An e-mail address needs an @, as in name@example.com.",
        ));
    };
    let domain_ok = domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && domain
            .chars()
            .all(|c| c.is_alphanumeric() || c == '-' || c == '.');
    if local.is_empty() || !domain_ok || value.chars().any(char::is_whitespace) {
        return Err(FieldError::new(
            field,
            "This is not a valid e-mail address; use the form name@example.com.",
        ));
    }
    Ok(value)
}

/// The length rule for new passwords. The server also refuses easily guessed ones.
pub fn password_length(field: &str, raw: &str) -> Result<(), FieldError> {
    let chars = raw.chars().count();
    if chars < MIN_PASSWORD_CHARS {
        return Err(FieldError::new(
            field,
            format!("Use at least {MIN_PASSWORD_CHARS} characters (this one has {chars})."),
        ));
    }
    if chars > MAX_PASSWORD_CHARS {
        return Err(FieldError::new(
            field,
            format!("Use at most {MAX_PASSWORD_CHARS} characters."),
        ));
    }
    Ok(())
}

/// A person's display name: trimmed, 1–100 characters.
pub fn display_name(field: &str, raw: &str) -> Result<String, FieldError> {
    let value = raw.trim();
    if value.is_empty() {
        return Err(FieldError::new(field, "Enter your name."));
    }
    if value.chars().count() > 100 {
        return Err(FieldError::new(field, "Use at most 100 characters."));
    }
    Ok(value.to_owned())
}

/// An organisation's name: trimmed, 2–100 characters.
pub fn organisation_name(field: &str, raw: &str) -> Result<String, FieldError> {
    let value = raw.trim();
    let chars = value.chars().count();
    if chars < 2 {
        return Err(FieldError::new(field, "Use at least 2 characters."));
    }
    if chars > 100 {
        return Err(FieldError::new(field, "Use at most 100 characters."));
    }
    Ok(value.to_owned())
}

/// A URL slug: 2–48 lower-case letters, digits and single hyphens, not starting or ending with one.
pub fn slug(field: &str, raw: &str) -> Result<String, FieldError> {
    let value = raw.trim().to_lowercase();
    let valid_chars = value
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if value.len() < 2
        || value.len() > 48
        || !valid_chars
        || value.starts_with('-')
        || value.ends_with('-')
        || value.contains("--")
    {
        return Err(FieldError::new(
            field,
            "Use 2–48 lower-case letters, digits and single hyphens (for example acme-hiring).",
        ));
    }
    Ok(value)
}

/// Suggests a slug from an organisation name ("Acme Hiring, Ltd." → "acme-hiring-ltd").
pub fn slugify(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    let trimmed = out.trim_end_matches('-');
    trimmed
        .chars()
        .take(48)
        .collect::<String>()
        .trim_end_matches('-')
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_normalised_or_explained() {
        assert_eq!(
            email("email", "  Ada@Example.COM ").ok(),
            Some("ada@example.com".to_owned())
        );
        let err = email("email", "ada.example.com").err().map(|e| e.message);
        assert_eq!(
            err.as_deref(),
            Some("An e-mail address needs an @, as in name@example.com.")
        );
        assert!(email("email", "ada@localhost").is_err());
        assert!(email("email", "a b@example.com").is_err());
    }

    #[test]
    fn short_passwords_say_how_short() {
        let err = password_length("password", "abc").err().map(|e| e.message);
        assert_eq!(
            err.as_deref(),
            Some("Use at least 12 characters (this one has 3).")
        );
        assert!(password_length("password", "twelve chars").is_ok());
    }

    #[test]
    fn slugs() {
        assert_eq!(slugify("Acme Hiring, Ltd."), "acme-hiring-ltd");
        assert_eq!(slugify("  Über Café  "), "ber-caf");
        assert!(slug("slug", "acme-hiring").is_ok());
        assert!(slug("slug", "-acme").is_err());
        assert!(slug("slug", "a").is_err());
        assert!(slug("slug", "acme--x").is_err());
    }
}
