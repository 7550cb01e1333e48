//! Small pieces that many forms use.

use crate::error::ApiError;
use leptos::prelude::*;

/// The error of the last submission of a form, for one field (or for the whole form when
/// `field` is empty: then every error that is not about a field is shown).
#[component]
pub fn FieldMessage(value: Signal<Option<ApiError>>, #[prop(into)] field: String) -> impl IntoView {
    let message = Memo::new(move |_| match value.get() {
        Some(ApiError::Field(_)) if field.is_empty() => None,
        Some(err) if field.is_empty() => Some(err.to_string()),
        Some(err) => err.message_for(&field),
        None => None,
    });
    view! {
        <Show when=move || message.read().is_some()>
            <p class="field-error" role="alert">{message}</p>
        </Show>
    }
}

/// The error of an action's last submission, if it failed.
pub fn last_error<T, S>(value: S) -> Signal<Option<ApiError>>
where
    S: Get<Value = Option<Result<T, ApiError>>> + Send + Sync + 'static,
    T: Send + Sync + 'static,
{
    Signal::derive(move || value.get().and_then(Result::err))
}

/// Shows an error that stopped a page from loading.
#[component]
pub fn ErrorPanel(error: ApiError) -> impl IntoView {
    let signin = matches!(error, ApiError::Unauthenticated);
    view! {
        <section class="panel panel-error" role="alert">
            <p>{error.to_string()}</p>
            <Show when=move || signin>
                <a class="button" href="/signin">"Sign in"</a>
            </Show>
        </section>
    }
}
