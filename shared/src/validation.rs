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

/// Every problem among `checks`, in order (a form shows them all at once).
pub fn problems<T>(checks: impl IntoIterator<Item = Result<T, FieldError>>) -> Vec<FieldError> {
    checks.into_iter().filter_map(Result::err).collect()
}

pub const MIN_PASSWORD_CHARS: usize = 12;
pub const MAX_PASSWORD_CHARS: usize = 256;

/// Normalises an e-mail address (trimmed, lower-case) or says what is wrong with it.
pub fn email(field: &str, raw: &str) -> Result<String, FieldError> {
    let value = raw.trim().to_lowercase();
    if value.is_empty() {
        return Err(FieldError::new(field, "Enter an e-mail address."));
    }
    if value.chars().any(is_hidden_char) {
        return Err(FieldError::new(
            field,
            "This e-mail address contains invisible or control characters; type it again.",
        ));
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

/// Characters a person cannot see or that change how surrounding text is shown: control
/// characters (NUL included), bidirectional overrides and isolates, and zero-width marks. A name
/// with one of these can impersonate another in a list or an e-mail.
pub fn is_hidden_char(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2069}' | '\u{FEFF}'
        )
}

/// A name people see next to our own text (in lists and e-mails): trimmed, one line, no hidden
/// characters and no web addresses (a name must not turn an e-mail of ours into an advert or a
/// phishing link).
fn visible_name(field: &str, raw: &str, min: usize, empty: &str) -> Result<String, FieldError> {
    let value = raw.trim();
    let chars = value.chars().count();
    if value.is_empty() {
        return Err(FieldError::new(field, empty));
    }
    if chars < min {
        return Err(FieldError::new(
            field,
            format!("Use at least {min} characters."),
        ));
    }
    if chars > MAX_NAME_CHARS {
        return Err(FieldError::new(
            field,
            format!("Use at most {MAX_NAME_CHARS} characters."),
        ));
    }
    if value.chars().any(is_hidden_char) {
        return Err(FieldError::new(
            field,
            "Remove the line breaks, tabs or invisible characters from this name.",
        ));
    }
    let lower = value.to_lowercase();
    if lower.contains("://") || lower.contains("www.") {
        return Err(FieldError::new(
            field,
            "A name cannot contain a web address.",
        ));
    }
    Ok(value.to_owned())
}

/// The longest person or organisation name, in characters.
pub const MAX_NAME_CHARS: usize = 100;

/// A person's display name: 1–100 visible characters.
pub fn display_name(field: &str, raw: &str) -> Result<String, FieldError> {
    visible_name(field, raw, 1, "Enter your name.")
}

/// An organisation's name: 2–100 visible characters.
pub fn organisation_name(field: &str, raw: &str) -> Result<String, FieldError> {
    visible_name(field, raw, 2, "Use at least 2 characters.")
}

/// Whether `raw` has the shape of a slug (checked before a slug is looked up or logged).
pub fn is_slug(raw: &str) -> bool {
    slug("slug", raw).is_ok_and(|s| s == raw)
}

/// The sign-in page, asked to come back to `next` (a path with its query) afterwards.
pub fn sign_in_path(next: &str) -> String {
    use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
    // What `encodeURIComponent` leaves alone stays readable: `/o/acme-hiring` →
    // `%2Fo%2Facme-hiring`.
    const COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'.')
        .remove(b'_')
        .remove(b'~');
    format!("/signin?next={}", utf8_percent_encode(next, COMPONENT))
}

/// A place to go back to after signing in, taken from the request (`next`): accepted only as a
/// path on this site. Parsed as an RFC 3986 `path-absolute` with an optional query, from a strict
/// set of characters: no scheme, no host (`//`), no backslash, no whitespace or control
/// characters (which browsers strip, turning `/\t/evil.example` into `//evil.example`).
pub fn return_path(raw: &str) -> Option<&str> {
    let allowed = |c: char| {
        c.is_ascii_alphanumeric()
            || matches!(
                c,
                '/' | '-'
                    | '.'
                    | '_'
                    | '~'
                    | '!'
                    | '$'
                    | '&'
                    | '\''
                    | '('
                    | ')'
                    | '*'
                    | '+'
                    | ','
                    | ';'
                    | '='
                    | ':'
                    | '@'
                    | '%'
                    | '?'
            )
    };
    let rest = raw.strip_prefix('/')?;
    if rest.starts_with('/') || raw.len() > 2048 || !raw.chars().all(allowed) {
        return None;
    }
    // Percent signs only as the start of a complete escape.
    let bytes = raw.as_bytes();
    let escapes_ok = bytes.iter().enumerate().all(|(i, &b)| {
        b != b'%'
            || (bytes.get(i + 1).is_some_and(u8::is_ascii_hexdigit)
                && bytes.get(i + 2).is_some_and(u8::is_ascii_hexdigit))
    });
    escapes_ok.then_some(raw)
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
    fn names_refuse_hidden_characters_and_addresses() {
        assert_eq!(display_name("name", " Ada ").ok().as_deref(), Some("Ada"));
        for bad in ["Ada\0", "Ada\u{202E}gnp.exe", "Ada\nLovelace", "a\u{200B}b"] {
            let err = display_name("name", bad).err().map(|e| e.message);
            assert_eq!(
                err.as_deref(),
                Some("Remove the line breaks, tabs or invisible characters from this name."),
                "{bad:?}"
            );
        }
        assert!(organisation_name("name", "Win at https://evil.example").is_err());
        assert!(organisation_name("name", "visit www.evil.example").is_err());
        assert!(organisation_name("name", "Acme @ Berlin").is_ok());
        assert!(email("email", "a\0@example.com").is_err());
        assert!(display_name("name", &"x".repeat(101)).is_err());
    }

    #[test]
    fn return_paths_stay_on_this_site() {
        for good in [
            "/",
            "/o/acme/team",
            "/invite/abc-DEF_123",
            "/o/acme?tab=2",
            "/a%20b",
        ] {
            assert_eq!(return_path(good), Some(good), "{good}");
        }
        for bad in [
            "",
            "o/acme",
            "//evil.example",
            "/\\evil.example",
            "\\/evil.example",
            "/\t/evil.example",
            "/\n/evil.example",
            "/\r\nSet-Cookie: x=1",
            "https://evil.example",
            "/%zz",
            "/%2",
            " /o/acme",
            "/o/\u{0}",
            "/ö",
        ] {
            assert_eq!(return_path(bad), None, "{bad:?}");
        }
        assert!(is_slug("acme-hiring"));
        assert!(!is_slug("Acme"));
        assert!(!is_slug("acme\n"));
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
