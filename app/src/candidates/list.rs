//! `/o/:slug/candidates`: the organisation's candidates, newest first, or found by a search
//! (names, e-mail addresses, and CVs by keywords and meaning) with filters by skill, tag, source
//! and stage, each hit with why it was found. Search, filters and page are in the address, so a
//! search can be shared and works before the wasm.

use super::api::candidates;
use crate::{
    matching::explained::Quote,
    session::Session,
    time::LocalTime,
    widgets::{range_text, url_pairs, ErrorPanel, Pager},
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::{components::Form as GetForm, hooks::use_query_map};
use shared::candidates::{CandidatePage, CandidateSummary, Source};

/// The list's search and filters, as in the address.
#[derive(Clone, Debug, Default, PartialEq)]
struct Search {
    text: String,
    skill: String,
    tag: String,
    source: String,
    stage: String,
}

impl Search {
    fn is_empty(&self) -> bool {
        self.text.is_empty()
            && self.skill.is_empty()
            && self.tag.is_empty()
            && self.source.is_empty()
            && self.stage.is_empty()
    }

    fn only_tag(tag: &str) -> Self {
        Self {
            tag: tag.to_owned(),
            ..Self::default()
        }
    }

    fn href(&self, slug: &str, page: u32) -> String {
        let mut pairs = url_pairs(&[
            ("q", &self.text),
            ("skill", &self.skill),
            ("tag", &self.tag),
            ("source", &self.source),
            ("stage", &self.stage),
        ]);
        if page > 1 {
            pairs.push(format!("page={page}"));
        }
        if pairs.is_empty() {
            format!("/o/{slug}/candidates")
        } else {
            format!("/o/{slug}/candidates?{}", pairs.join("&"))
        }
    }
}

/// The list of the candidates whose CV shows `skill`.
pub(crate) fn by_skill(slug: &str, skill: &str) -> String {
    let search = Search {
        skill: skill.to_owned(),
        ..Search::default()
    };
    search.href(slug, 1)
}

#[component]
pub fn CandidatesPage() -> impl IntoView {
    let session = Session::get();
    let slug = crate::session::use_slug();
    let query = use_query_map();
    let filters = Memo::new(move |_| {
        let q = query.read();
        let get = |key: &str| q.get(key).unwrap_or_default().trim().to_owned();
        let search = Search {
            text: get("q"),
            skill: get("skill"),
            tag: get("tag"),
            source: get("source"),
            stage: get("stage"),
        };
        let page = q
            .get("page")
            .and_then(|p| p.parse().ok())
            .unwrap_or(1u32)
            .max(1);
        (search, page)
    });
    let list = Resource::new(
        move || (slug.get(), filters.get(), session.live.get()),
        |(slug, (s, page), _)| candidates(slug, s.text, page, s.tag, s.skill, s.source, s.stage),
    );
    view! {
        <Title text="Candidates"/>
        <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match list.await {
                    Err(error) => view! { <ErrorPanel error/> }.into_any(),
                    Ok(page) => {
                        let (search, _) = filters.get_untracked();
                        view! { <CandidateList page search slug=slug.get_untracked()/> }.into_any()
                    }
                }
            })}
        </Transition>
    }
}

#[component]
fn CandidateList(page: CandidatePage, search: Search, slug: String) -> impl IntoView {
    let shown = range_text(
        page.page,
        shared::candidates::CANDIDATES_PER_PAGE,
        page.candidates.len(),
        page.total,
    );
    let body = if page.candidates.is_empty() {
        let message = if search.is_empty() {
            "No candidates yet. They appear here when they apply on your careers page."
        } else {
            "No candidate matches this search. Try other words, or clear a filter."
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
    let previous = (page.page > 1).then(|| search.href(&slug, page.page - 1));
    let next = (page.page < page.pages).then(|| search.href(&slug, page.page + 1));
    let clear = (!search.is_empty())
        .then(|| view! { <a href=format!("/o/{slug}/candidates")>"Clear search"</a> });
    let skills = page
        .skill_options
        .iter()
        .map(|s| view! { <option value=s.clone()></option> })
        .collect_view();
    let any = |chosen: &str| view! { <option value="" selected=chosen.is_empty()>"Any"</option> };
    let sources = Source::ALL
        .iter()
        .map(|s| view! { <option value=s.as_str() selected=search.source == s.as_str()>{s.label()}</option> })
        .collect_view();
    let stages = page
        .stage_options
        .iter()
        .map(|s| {
            let chosen = search.stage.eq_ignore_ascii_case(s);
            view! { <option value=s.clone() selected=chosen>{s.clone()}</option> }
        })
        .collect_view();
    let Search {
        text,
        skill,
        tag,
        source,
        stage,
    } = search;
    view! {
        <section class="page-head page-head-actions">
            <h1>"Candidates"</h1>
            {page.can_manage.then(|| view! {
                <a class="button button-primary" href=format!("/o/{slug}/candidates/new")>"Add a candidate"</a>
            })}
        </section>
        <GetForm method="GET" action=format!("/o/{slug}/candidates") noscroll=true attr:class="filters candidate-filters" attr:role="search" attr:aria-label="Search candidates">
            <div class="field filter-query">
                <label for="candidates-q">"Search"</label>
                <input id="candidates-q" type="search" name="q" value=text.clone() prop:value=text.clone()
                    placeholder="Name, e-mail, skills or anything in a CV"/>
            </div>
            <div class="field">
                <label for="candidates-skill">"Skill"</label>
                <input id="candidates-skill" type="search" name="skill" list="candidates-skills" value=skill.clone() prop:value=skill.clone() placeholder="Any"/>
                <datalist id="candidates-skills">{skills}</datalist>
            </div>
            <div class="field">
                <label for="candidates-tag">"Tag"</label>
                <input id="candidates-tag" type="search" name="tag" value=tag.clone() prop:value=tag.clone() placeholder="Any"/>
            </div>
            <div class="field">
                <label for="candidates-source">"Source"</label>
                <select id="candidates-source" name="source">{any(&source)}{sources}</select>
            </div>
            <div class="field">
                <label for="candidates-stage">"Stage"</label>
                <select id="candidates-stage" name="stage">{any(&stage)}{stages}</select>
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
                let href = Search::only_tag(t).href(&slug, 1);
                view! { <li><a class="tag" href=href>{t.clone()}</a></li> }
            })
            .collect_view();
        view! { <ul class="tag-list" aria-label="Tags">{items}</ul> }
    });
    let reasons = (!candidate.reasons.is_empty()).then(|| {
        let items = candidate
            .reasons
            .into_iter()
            .map(|reason| {
                let quote = reason
                    .quote
                    .map(|q| view! { <Quote text=q.snippet marks=vec![q.mark]/> });
                view! { <li>{reason.text}{quote}</li> }
            })
            .collect_view();
        view! { <ul class="hit-reasons" aria-label="Why it was found">{items}</ul> }
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
                {reasons}
            </td>
            <td><ul class="plain-list">{applications}</ul></td>
            <td>{candidate.source.label()}</td>
            <td><LocalTime at=candidate.created_at/></td>
        </tr>
    }
}
