//! The password meter under a new password: the server's own rule (zxcvbn with the person's
//! name and address), asked a moment after the person stops typing.

use super::api::check_password_strength;
use leptos::prelude::*;
use shared::accounts::PasswordStrength;

/// How long typing must pause before the server is asked.
#[cfg(feature = "hydrate")]
const PAUSE: std::time::Duration = std::time::Duration::from_millis(300);

fn label(score: u8) -> &'static str {
    match score {
        0 => "Very weak",
        1 => "Weak",
        2 => "Fair",
        3 => "Strong",
        _ => "Very strong",
    }
}

/// The meter for `password`; `email` and `name` are the form's, when it has them (signed in,
/// the server uses the account's).
#[component]
pub fn StrengthMeter(
    password: RwSignal<String>,
    #[prop(optional)] email: Option<RwSignal<String>>,
    #[prop(optional)] name: Option<RwSignal<String>>,
) -> impl IntoView {
    let check = Action::new(|input: &(String, Option<String>, Option<String>)| {
        let (password, email, name) = input.clone();
        async move { check_password_strength(password, email, name).await }
    });
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| {
        let typed = password.get();
        set_timeout(
            move || {
                if password.try_get_untracked().as_ref() == Some(&typed) {
                    let email = email.and_then(|e| e.try_get_untracked());
                    let name = name.and_then(|n| n.try_get_untracked());
                    check.dispatch((typed, email, name));
                }
            },
            PAUSE,
        );
    });
    #[cfg(not(feature = "hydrate"))]
    let _ = (email, name);
    // The last answer (a rate limit or a lost connection shows nothing: the form still checks).
    let reading = move || -> Option<PasswordStrength> {
        if password.with(String::is_empty) {
            return None;
        }
        check.value().get().and_then(Result::ok)
    };
    view! {
        <div class="strength" aria-live="polite" hidden=move || reading().is_none()>
            {move || reading().map(|r| view! {
                <meter min="0" max="4" low="2" high="3" optimum="4" value=r.score aria-hidden="true"></meter>
                <span>
                    <strong>{label(r.score)}</strong>
                    {(!r.advice.is_empty()).then(|| format!(". {}", r.advice))}
                </span>
            })}
        </div>
    }
}
