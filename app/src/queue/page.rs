//! `/o/:slug/admin/jobs`: the organisation's background work (mail delivery, search indexing), so an
//! administrator can see what is waiting and what failed and why.

use super::api::background_jobs;
use crate::matching::api::occupation_taxonomy;
use crate::{session::Session, time::LocalTime, widgets::ErrorPanel};
use leptos::prelude::*;
use leptos_meta::Title;
use shared::{
    matching::TaxonomyStatus,
    queue::{BackgroundJob, JobStatus},
};

#[component]
pub fn BackgroundJobsPage() -> impl IntoView {
    let session = Session::get();
    let slug = crate::session::use_slug();
    let jobs = Resource::new(
        move || (slug.get(), session.live.get()),
        |(slug, _)| background_jobs(slug),
    );
    view! {
        <Title text="Background jobs"/>
        <section class="page-head">
            <h1>"Background jobs"</h1>
            <p class="hint">"Work the server does after a request: delivering mail, indexing for search. Failed jobs are retried with growing pauses before they give up."</p>
        </section>
        <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match jobs.await {
                    Err(error) => view! { <ErrorPanel error/> }.into_any(),
                    Ok(jobs) if jobs.is_empty() => view! { <p>"No background jobs yet."</p> }.into_any(),
                    Ok(jobs) => {
                        let rows = jobs.into_iter().map(|job| view! { <JobRow job/> }).collect_view();
                        view! {
                            <div class="table-wrap">
                                <table class="table" aria-label="Background jobs">
                                    <thead><tr><th>"Job"</th><th>"Status"</th><th>"Attempts"</th><th>"Created"</th><th>"Last error"</th></tr></thead>
                                    <tbody>{rows}</tbody>
                                </table>
                            </div>
                        }.into_any()
                    }
                }
            })}
        </Transition>
        <Taxonomy/>
    }
}

/// Whether the matching screen can suggest occupations, and what the operator does if not.
#[component]
fn Taxonomy() -> impl IntoView {
    let slug = crate::session::use_slug();
    let status = Resource::new(move || slug.get(), occupation_taxonomy);
    view! {
        <section class="panel taxonomy" aria-labelledby="taxonomy-heading">
            <h2 id="taxonomy-heading">"Occupation suggestions"</h2>
            <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match status.await {
                        Err(error) => view! { <ErrorPanel error/> }.into_any(),
                        Ok(TaxonomyStatus::Ready { occupations }) => view! {
                            <p data-taxonomy="ready">{format!("On: the matching screen suggests occupations from the ESCO taxonomy ({occupations} occupations).")}</p>
                        }.into_any(),
                        Ok(TaxonomyStatus::Preparing) => view! {
                            <p data-taxonomy="preparing">"Starting: the server is preparing the imported taxonomy; suggestions appear in a few minutes."</p>
                        }.into_any(),
                        Ok(TaxonomyStatus::NotImported) => view! {
                            <p data-taxonomy="missing">"Off: no occupation taxonomy is imported on this server, so the matching screen suggests no occupations. "
                            "Whoever runs the server can import ESCO's CSV export with "<code>"server import-esco DIR"</code>" and restart it (see the README)."</p>
                        }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn JobRow(job: BackgroundJob) -> impl IntoView {
    let status = match (job.status, job.finished_at) {
        (JobStatus::Queued, _) if job.attempts > 0 => {
            view! { "Retrying "<LocalTime at=job.run_at/> }.into_any()
        }
        (JobStatus::Queued, _) => view! { "Due "<LocalTime at=job.run_at/> }.into_any(),
        (JobStatus::Done | JobStatus::Failed, Some(at)) => {
            view! { {job.status.label()}" "<LocalTime at/> }.into_any()
        }
        (status, _) => status.label().into_any(),
    };
    let kind = job.kind.clone();
    view! {
        <tr data-job=kind data-status=job.status.as_str()>
            <td>{job.kind}</td>
            <td>{status}</td>
            <td>{format!("{} of {}", job.attempts, job.max_attempts)}</td>
            <td><LocalTime at=job.created_at/></td>
            <td>{job.last_error.unwrap_or_default()}</td>
        </tr>
    }
}
