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

/// `key=value` pairs of the non-empty values, each value percent-encoded.
pub fn url_pairs(pairs: &[(&str, &String)]) -> Vec<String> {
    pairs
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| {
            let encoded: String = v
                .bytes()
                .map(|b| match b {
                    b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                        (b as char).to_string()
                    }
                    b' ' => "+".to_owned(),
                    b => format!("%{b:02X}"),
                })
                .collect();
            format!("{k}={encoded}")
        })
        .collect()
}

/// "21–40 of 57" for page `page` of `per_page` showing `count` of `total`; empty when none.
pub fn range_text(page: u32, per_page: u32, count: usize, total: u64) -> String {
    if total == 0 || count == 0 {
        return String::new();
    }
    let first = u64::from(page.max(1) - 1) * u64::from(per_page) + 1;
    let last = first + count as u64 - 1;
    format!("{first}–{last} of {total}")
}

/// Links to the previous and next page of a list, when there are such pages.
#[component]
pub fn Pager(previous: Option<String>, next: Option<String>) -> impl IntoView {
    view! {
        <nav class="pager" aria-label="Pages">
            {previous.map(|href| view! { <a rel="prev" href=href>"← Previous"</a> })}
            {next.map(|href| view! { <a rel="next" href=href>"Next →"</a> })}
        </nav>
    }
}
