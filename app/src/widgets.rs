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

/// A labelled choice of a filter form: `any` first (the empty value, no filter), then
/// `options` as (value, text), `chosen` selected.
#[component]
pub fn FilterSelect(
    id: &'static str,
    name: &'static str,
    label: &'static str,
    any: &'static str,
    options: Vec<(String, String)>,
    chosen: String,
) -> impl IntoView {
    let options = options
        .into_iter()
        .map(|(value, text)| {
            let selected = value == chosen;
            view! { <option value=value selected=selected>{text}</option> }
        })
        .collect_view();
    view! {
        <div class="field">
            <label for=id>{label}</label>
            <select id=id name=name>
                <option value="">{any}</option>
                {options}
            </select>
        </div>
    }
}
