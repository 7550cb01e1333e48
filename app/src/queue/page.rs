//! `/o/:slug/admin/jobs`: the organisation's background work (mail delivery, search indexing), so an
//! administrator can see what is waiting and what failed and why.

use super::api::background_jobs;
use crate::{session::Session, time::LocalTime, widgets::ErrorPanel};
use leptos::prelude::*;
use leptos_meta::Title;
use shared::queue::{BackgroundJob, JobStatus};

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
