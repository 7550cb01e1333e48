//! `/o/:slug/jobs/:job`: one job as its hiring team reads it: what, where, the pay, the
//! description (rendered and cleaned by the server), its status with who changed it and when,
//! and the buttons that move it on.

use super::{
    api::{get_job, ChangeJobStatus},
    skills::JobSkills,
    team::HiringTeam,
};
use crate::{
    candidates::Prospects,
    confirm::ConfirmButton,
    session::{successes, Session},
    time::LocalTime,
    toast::{use_toasts, ToastKind},
    widgets::ErrorPanel,
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;
use shared::jobs::{remote_label, Job, JobStatus};

#[component]
pub fn JobPage() -> impl IntoView {
    let session = Session::get();
    let slug = crate::session::use_slug();
    let params = use_params_map();
    let job_slug = Signal::derive(move || params.read().get("job").unwrap_or_default());
    let change = ServerAction::<ChangeJobStatus>::new();
    session.watch(change);
    let toasts = use_toasts();
    Effect::new(move |_| {
        if let Some(Ok(job)) = change.value().get() {
            toasts.push(
                ToastKind::Success,
                format!(
                    "“{}” is now {}.",
                    job.title,
                    job.status.label().to_lowercase()
                ),
            );
        }
    });
    let changed = successes(change);
    // Bumped when the skills or the team are saved, so the page shows them as stored.
    let skills_saved = RwSignal::new(0u32);
    let job = Resource::new(
        move || {
            (
                slug.get(),
                job_slug.get(),
                changed.get(),
                skills_saved.get(),
                session.live.get(),
            )
        },
        |(slug, job, ..)| get_job(slug, job),
    );
    // Read beside the job (at the page, so that it hydrates), shown under its skills.
    let prospects = Resource::new(
        move || (slug.get(), job_slug.get(), session.live.get()),
        |(slug, job, _)| crate::candidates::api::job_prospects(slug, job),
    );
    view! {
        <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match job.await {
                    Err(error) => view! { <Title text="Job"/><ErrorPanel error/> }.into_any(),
                    Ok(job) => view! { <JobView job slug=slug.get_untracked() change skills_saved prospects/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn JobView(
    job: Job,
    slug: String,
    change: ServerAction<ChangeJobStatus>,
    skills_saved: RwSignal<u32>,
    prospects: Resource<Result<Vec<shared::candidates::Prospect>, crate::error::ApiError>>,
) -> impl IntoView {
    let place = if job.location.is_empty() {
        remote_label(job.remote).to_owned()
    } else {
        format!("{} · {}", job.location, remote_label(job.remote))
    };
    let mut facts = vec![place, job.employment.label().to_owned()];
    if !job.department.is_empty() {
        facts.insert(0, job.department.clone());
    }
    let salary = job.salary.describe().map(|s| {
        let shown = if job.salary.public {
            "shown on the careers page"
        } else {
            "not shown on the careers page"
        };
        view! { <p class="salary">{s}" "<span class="hint">"("{shown}")"</span></p> }
    });
    let manage = job.can_manage.then(|| {
        let buttons = job
            .status
            .next()
            .iter()
            .map(|&to| view! { <StatusButton job=job.clone() slug=slug.clone() to change/> })
            .collect_view();
        let edit = format!("/o/{slug}/jobs/{}/edit", job.slug);
        view! {
            <a class="button" href=edit>"Edit"</a>
            {buttons}
        }
    });
    let board = format!("/o/{slug}/jobs/{}/board", job.slug);
    let actions = view! {
        <div class="job-actions">
            <a class="button button-primary" href=board>"Board"</a>
            {manage}
        </div>
    };
    let description = if job.description_html.trim().is_empty() {
        view! { <p class="hint">"No description yet."</p> }.into_any()
    } else {
        view! { <div class="prose job-description" inner_html=job.description_html.clone()></div> }
            .into_any()
    };
    let history = job
        .history
        .iter()
        .rev()
        .map(|change| {
            let what = if change.status == JobStatus::Draft {
                "Draft"
            } else {
                change.status.label()
            };
            view! {
                <li data-status=change.status.as_str()>
                    <strong>{what}</strong>" by "{change.by.clone()}", "<LocalTime at=change.at/>
                </li>
            }
        })
        .collect_view();
    view! {
        <Title text=job.title.clone()/>
        <p class="breadcrumb"><a href=format!("/o/{slug}/jobs")>"Jobs"</a></p>
        <section class="page-head page-head-actions">
            <div>
                <h1>{job.title.clone()}" "<span class="tag" data-status=job.status.as_str()>{job.status.label()}</span></h1>
                <p class="hint job-facts">{facts.join(" · ")}</p>
                {salary}
            </div>
            {actions}
        </section>
        <div class="job-layout">
            <div class="job-main">
                <section class="panel" aria-labelledby="description-heading">
                    <h2 id="description-heading">"Description"</h2>
                    {description}
                </section>
                <JobSkills job=job.clone() slug=slug.clone()
                    saved=Callback::new(move |_| skills_saved.update(|n| *n += 1))/>
                <Prospects prospects slug=slug.clone() job=job.slug.clone()/>
            </div>
            <div class="job-side">
            <HiringTeam job=job.clone() slug=slug.clone()
                saved=Callback::new(move |_| skills_saved.update(|n| *n += 1))/>
            <section class="panel job-history" aria-labelledby="history-heading">
                <h2 id="history-heading">"Status"</h2>
                <ol class="history">{history}</ol>
            </section>
            </div>
        </div>
    }
}

/// Publishes, closes, archives or restores the job; all but publishing ask first.
#[component]
fn StatusButton(
    job: Job,
    slug: String,
    to: JobStatus,
    change: ServerAction<ChangeJobStatus>,
) -> impl IntoView {
    let fields = view! {
        <input type="hidden" name="slug" value=slug/>
        <input type="hidden" name="job" value=job.slug.clone()/>
        <input type="hidden" name="to" value=to.as_str()/>
    };
    let question = match to {
        JobStatus::Closed => Some((
            format!("Close “{}”?", job.title),
            "It leaves the careers page and takes no more applications. You can publish it again later.",
        )),
        JobStatus::Archived => Some((
            format!("Archive “{}”?", job.title),
            "It is kept with its history but no longer offered for publishing. You can restore it as a draft.",
        )),
        _ => None,
    };
    match question {
        None => view! {
            <ActionForm action=change>
                {fields}
                <button type="submit" class="button button-primary" data-to=to.as_str()>{to.action()}</button>
            </ActionForm>
        }
        .into_any(),
        Some((title, text)) => view! {
            <ConfirmButton id=format!("status-{}", to.as_str()) label=to.action() class="button"
                title text=text.to_owned()>
                <ActionForm action=change>
                    {fields}
                    <button type="submit" class="button button-danger" data-to=to.as_str()>{to.action()}</button>
                </ActionForm>
            </ConfirmButton>
        }
        .into_any(),
    }
}
