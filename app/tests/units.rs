//! The app's own rules that need no browser and no server: its messages, times and which pages
//! hydrate late. (An integration test of the crate: the library itself is not compiled a second
//! time for tests, which took minutes of every CI run.)

use app::{
    error::ApiError,
    hydrates_when_idle,
    time::{iso, relative},
};
use shared::validation::FieldError;

#[test]
fn careers_pages_and_boards_hydrate_when_idle() {
    assert!(hydrates_when_idle("/careers/acme"));
    assert!(hydrates_when_idle("/careers/acme/baker"));
    assert!(hydrates_when_idle("/o/acme/jobs/baker/board"));
    // A job whose address is "board" is its page, not a board.
    assert!(!hydrates_when_idle("/o/acme/jobs/board"));
    assert!(!hydrates_when_idle("/o/acme/jobs/baker"));
    assert!(!hydrates_when_idle("/o/acme/jobs/baker/board/extra"));
    assert!(!hydrates_when_idle("/careers"));
    assert!(!hydrates_when_idle("/"));
}

#[test]
fn messages_are_in_peoples_words() {
    assert_eq!(
        ApiError::TooLarge {
            limit_bytes: 1 << 20
        }
        .to_string(),
        "That is too large: the limit is 1 MB. Shorten it and try again."
    );
    assert_eq!(
        ApiError::TooLarge { limit_bytes: 1536 }.to_string(),
        "That is too large: the limit is 1.5 KB. Shorten it and try again."
    );
    let two = ApiError::Invalid(vec![
        FieldError::new("name", "Enter your name."),
        FieldError::new("email", "Enter an e-mail address."),
    ]);
    assert_eq!(two.to_string(), "Some fields need fixing; each says how.");
    assert_eq!(
        two.message_for("email").as_deref(),
        Some("Enter an e-mail address.")
    );
    assert!(
        !ApiError::Transport("expected value at line 1 column 1".into())
            .to_string()
            .contains("line 1")
    );
    for error in [
        ApiError::Offline,
        ApiError::TimedOut,
        ApiError::Busy,
        ApiError::Internal,
    ] {
        let text = error.to_string();
        assert!(
            text.starts_with(char::is_uppercase) && text.ends_with('.'),
            "{text}"
        );
    }
}

#[test]
fn recent_times_are_relative() {
    assert_eq!(relative(10).as_deref(), Some("just now"));
    assert_eq!(relative(60).as_deref(), Some("1 minute ago"));
    assert_eq!(relative(2 * 3600).as_deref(), Some("2 hours ago"));
    assert_eq!(relative(-6 * 86_400).as_deref(), Some("in 6 days"));
    assert_eq!(relative(30 * 86_400), None);
    assert_eq!(iso(1_700_000_000), "2023-11-14T22:13:20Z");
}
