//! Small pieces that many forms use.

use crate::error::ApiError;
use leptos::prelude::*;

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
