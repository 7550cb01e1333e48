//! `/o/:slug/candidates`: the organisation's candidates, newest first, with search and pages
//! (kept in the address, so a search can be shared and works before the wasm).

use super::api::candidates;
use crate::{
    session::Session,
    time::LocalTime,
    widgets::{range_text, url_pairs, ErrorPanel, Pager},
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::{components::Form as GetForm, hooks::use_query_map};
use shared::candidates::{CandidatePage, CandidateSummary};

fn href(slug: &str, query: &String, tag: &String, page: u32) -> String {
    let mut pairs = url_pairs(&[("q", query), ("tag", tag)]);
    if page > 1 {
        pairs.push(format!("page={page}"));
    }
    if pairs.is_empty() {
        format!("/o/{slug}/candidates")
    } else {
        format!("/o/{slug}/candidates?{}", pairs.join("&"))
    }
}

#[component]
pub fn CandidatesPage() -> impl IntoView {
    let session = Session::get();
    let slug = crate::session::use_slug();
    let query = use_query_map();
    let filters = Memo::new(move |_| {
        let q = query.read();
        let text = q.get("q").unwrap_or_default().trim().to_owned();
        let tag = q.get("tag").unwrap_or_default().trim().to_owned();
        let page = q
            .get("page")
            .and_then(|p| p.parse().ok())
            .unwrap_or(1u32)
            .max(1);
        (text, tag, page)
    });
    let list = Resource::new(
        move || (slug.get(), filters.get(), session.live.get()),
        |(slug, (text, tag, page), _)| candidates(slug, text, page, tag),
    );
    view! {
        <Title text="Candidates"/>
        <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match list.await {
                    Err(error) => view! { <ErrorPanel error/> }.into_any(),
                    Ok(page) => {
                        let (text, tag, _) = filters.get_untracked();
                        view! { <CandidateList page text tag slug=slug.get_untracked()/> }.into_any()
                    }
                }
            })}
        </Transition>
    }
}

#[component]
fn CandidateList(page: CandidatePage, text: String, tag: String, slug: String) -> impl IntoView {
    let shown = range_text(
        page.page,
        shared::candidates::CANDIDATES_PER_PAGE,
        page.candidates.len(),
        page.total,
    );
    let body = if page.candidates.is_empty() {
        let message = if text.is_empty() && tag.is_empty() {
            "No candidates yet. They appear here when they apply on your careers page."
        } else {
            "No candidate matches this search."
        };
        view! { <p class="empty" data-empty="candidates">{message}</p> }.into_any()
    } else {
        let rows = page
            .candidates
            .into_iter()
            .map(|c| view! { <CandidateRow candidate=c slug=slug.clone()/> })
            .collect_view();
        view! {
            <div class="table-wrap">
                <table class="table candidates-table" aria-label="Candidates">
                    <thead><tr><th>"Candidate"</th><th>"Applied for"</th><th>"Source"</th><th>"Added"</th></tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        }
        .into_any()
    };
    let previous = (page.page > 1).then(|| href(&slug, &text, &tag, page.page - 1));
    let next = (page.page < page.pages).then(|| href(&slug, &text, &tag, page.page + 1));
    let clear = (!text.is_empty() || !tag.is_empty())
        .then(|| view! { <a href=format!("/o/{slug}/candidates")>"Clear search"</a> });
    view! {
        <section class="page-head">
            <h1>"Candidates"</h1>
        </section>
        <GetForm method="GET" action=format!("/o/{slug}/candidates") noscroll=true attr:class="filters candidate-filters" attr:role="search" attr:aria-label="Search candidates">
            <div class="field filter-query">
                <label for="candidates-q">"Search"</label>
                <input id="candidates-q" type="search" name="q" value=text.clone() prop:value=text.clone() placeholder="Name or e-mail"/>
            </div>
            <div class="field">
                <label for="candidates-tag">"Tag"</label>
                <input id="candidates-tag" type="search" name="tag" value=tag.clone() prop:value=tag.clone() placeholder="Any"/>
            </div>
            <div class="filter-actions">
                <button type="submit" class="button">"Search"</button>
                {clear}
            </div>
        </GetForm>
        <p class="hint" aria-live="polite">{shown}</p>
        {body}
        <Pager previous next/>
    }
}

#[component]
fn CandidateRow(candidate: CandidateSummary, slug: String) -> impl IntoView {
    let applications = candidate
        .applications
        .iter()
        .map(|a| view! { <li>{a.job_title.clone()}" · "<span class="hint">{a.describe()}</span></li> })
        .collect_view();
    let tags = (!candidate.tags.is_empty()).then(|| {
        let items = candidate
            .tags
            .iter()
            .map(|t| {
                let href = href(&slug, &String::new(), t, 1);
                view! { <li><a class="tag" href=href>{t.clone()}</a></li> }
            })
            .collect_view();
        view! { <ul class="tag-list" aria-label="Tags">{items}</ul> }
    });
    let deletion = candidate
        .deletion_requested_at
        .map(|_| view! { <br/><span class="tag tag-warning">"Asked for deletion"</span> });
    view! {
        <tr data-candidate=candidate.id>
            <td>
                <a href=format!("/o/{slug}/candidates/{}", candidate.id)><strong>{candidate.name}</strong></a>
                <br/><span class="hint">{candidate.email}</span>
                {tags}
                {deletion}
            </td>
            <td><ul class="plain-list">{applications}</ul></td>
            <td>{candidate.source.label()}</td>
            <td><LocalTime at=candidate.created_at/></td>
        </tr>
    }
}
