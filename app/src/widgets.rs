//! Small pieces that many forms use.

use crate::error::ApiError;
use leptos::prelude::*;

/// Shows an error that stopped a page from loading. Nobody signed in (signed out in another
/// tab, or the session ran out): off to sign in, and back here afterwards.
#[component]
pub fn ErrorPanel(error: ApiError) -> impl IntoView {
    if matches!(error, ApiError::Unauthenticated) {
        let location = leptos_router::hooks::use_location();
        let search = location.search.get_untracked();
        let mut here = location.pathname.get_untracked();
        if !search.is_empty() {
            here = format!("{here}?{search}");
        }
        let path = shared::validation::sign_in_path(&here);
        return view! { <leptos_router::components::Redirect path/> }.into_any();
    }
    view! {
        <section class="panel panel-error" role="alert">
            <p>{error.to_string()}</p>
        </section>
    }
    .into_any()
}
