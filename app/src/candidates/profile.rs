//! `/o/:slug/candidates/:id`: one candidate: contact details, links, the CV (to download, and its
//! text as read), cover letters and every application with where it stands.

use super::api::candidate;
use crate::{time::LocalTime, widgets::ErrorPanel};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;
use shared::candidates::{file_path, size_label, Candidate};

#[component]
pub fn CandidatePage() -> impl IntoView {
    let slug = crate::session::use_slug();
    let params = use_params_map();
    let id = move || {
        params
            .read()
            .get("id")
            .and_then(|id| id.parse::<i64>().ok())
    };
    let profile = Resource::new(
        move || (slug.get(), id()),
        |(slug, id)| async move {
            match id {
                Some(id) => candidate(slug, id).await,
                None => Err(crate::error::ApiError::NotFound),
            }
        },
    );
    view! {
        <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match profile.await {
                    Err(error) => view! { <Title text="Candidate"/><ErrorPanel error/> }.into_any(),
                    Ok(candidate) => view! { <Profile candidate slug=slug.get_untracked()/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn Profile(candidate: Candidate, slug: String) -> impl IntoView {
    let summary = candidate.summary;
    let phone = (!candidate.phone.is_empty()).then(|| {
        let tel = format!("tel:{}", candidate.phone.replace(' ', ""));
        view! { <dt>"Phone"</dt><dd><a href=tel>{candidate.phone.clone()}</a></dd> }
    });
    let links = (!candidate.links.is_empty()).then(|| {
        let items = candidate
            .links
            .iter()
            .map(|l| view! { <li><a href=l.clone() rel="noopener noreferrer nofollow" target="_blank">{l.clone()}</a></li> })
            .collect_view();
        view! { <dt>"Links"</dt><dd><ul class="plain-list">{items}</ul></dd> }
    });
    let deletion = summary.deletion_requested_at.map(|at| {
        view! {
            <p class="notice notice-warning" role="status">
                {format!("{} asked for their data to be deleted ", summary.name)}<LocalTime at/>
                ". Delete it within one month of the request."
            </p>
        }
    });
    let cv = match &candidate.cv {
        Some(file) => view! {
            <p>
                <a class="button" href=file_path(&slug, file.id) download=file.file_name.clone()>
                    {format!("Download {}", file.file_name)}
                </a>
                <span class="hint">{format!(" {} · {}", file.format, size_label(file.size_bytes))}</span>
            </p>
        }
        .into_any(),
        None => view! { <p class="hint">"No CV file."</p> }.into_any(),
    };
    let applications = summary
        .applications
        .iter()
        .map(|a| {
            view! {
                <li data-application=a.id>
                    <a href=format!("/o/{slug}/jobs/{}", a.job_slug)>{a.job_title.clone()}</a>
                    " · "<span class="tag">{a.describe()}</span>
                    " · applied "<LocalTime at=a.applied_at/>
                </li>
            }
        })
        .collect_view();
    let letters = candidate
        .cover_letters
        .into_iter()
        .map(|(job, letter)| {
            view! {
                <section class="panel">
                    <h2>{format!("Cover letter for {job}")}</h2>
                    <p class="pre-line">{letter}</p>
                </section>
            }
        })
        .collect_view();
    let main = view! {
        <div class="candidate-main">
            <section class="panel" aria-labelledby="cv-heading">
                <h2 id="cv-heading">"CV"</h2>
                {cv}
                <details class="cv-text">
                    <summary>"The CV's text, as read"</summary>
                    <pre class="pre-line">{candidate.cv_text}</pre>
                </details>
            </section>
            {letters}
        </div>
    }
    .into_any();
    let side = view! {
        <div class="candidate-side">
            <section class="panel" aria-labelledby="contact-heading">
                <h2 id="contact-heading">"Contact"</h2>
                <dl class="facts">
                    <dt>"E-mail"</dt><dd><a href=format!("mailto:{}", summary.email)>{summary.email.clone()}</a></dd>
                    {phone}
                    {links}
                </dl>
            </section>
            <section class="panel" aria-labelledby="applications-heading">
                <h2 id="applications-heading">"Applications"</h2>
                <ul class="plain-list">{applications}</ul>
            </section>
        </div>
    }
    .into_any();
    view! {
        <Title text=summary.name.clone()/>
        <p class="breadcrumb"><a href=format!("/o/{slug}/candidates")>"Candidates"</a></p>
        <section class="page-head">
            <h1>{summary.name.clone()}</h1>
            <p class="hint">{summary.source.label()}" · added "<LocalTime at=summary.created_at/></p>
        </section>
        {deletion}
        <div class="candidate-layout">{main}{side}</div>
    }
}
