//! `/o/:slug/jobs`: the organisation's jobs with search, filters, order and pages. The filters
//! live in the address (a GET form), so a filtered list can be shared and works before the wasm.

use super::api::jobs;
use crate::{
    session::Session,
    time::LocalTime,
    widgets::{range_text, url_pairs, ErrorPanel, FilterSelect, Pager},
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::{components::Form as GetForm, hooks::use_query_map};
use shared::jobs::{remote_label, JobPage, JobSort, JobStatus, JobSummary, JOBS_PER_PAGE};

/// The list's filters, as the address has them.
#[derive(Clone, Debug, PartialEq, Default)]
struct Filters {
    query: String,
    status: String,
    department: String,
    location: String,
    sort: String,
    page: u32,
}

impl Filters {
    /// The address of page `page` with the same filters.
    fn href(&self, slug: &str, page: u32) -> String {
        let mut pairs = url_pairs(&[
            ("q", &self.query),
            ("status", &self.status),
            ("department", &self.department),
            ("location", &self.location),
            ("sort", &self.sort),
        ]);
        if page > 1 {
            pairs.push(format!("page={page}"));
        }
        if pairs.is_empty() {
            format!("/o/{slug}/jobs")
        } else {
            format!("/o/{slug}/jobs?{}", pairs.join("&"))
        }
    }

    fn any(&self) -> bool {
        !(self.query.is_empty()
            && self.status.is_empty()
            && self.department.is_empty()
            && self.location.is_empty())
    }
}

#[component]
pub fn JobsPage() -> impl IntoView {
    let session = Session::get();
    let slug = crate::session::use_slug();
    let query = use_query_map();
    let filters = Memo::new(move |_| {
        let q = query.read();
        let get = |k: &str| q.get(k).unwrap_or_default().trim().to_owned();
        Filters {
            query: get("q"),
            status: get("status"),
            department: get("department"),
            location: get("location"),
            sort: get("sort"),
            page: get("page").parse().unwrap_or(1).max(1),
        }
    });
    let list = Resource::new(
        move || (slug.get(), filters.get(), session.live.get()),
        |(slug, f, _)| {
            jobs(
                slug,
                f.query,
                f.status,
                f.department,
                f.location,
                f.sort,
                f.page,
            )
        },
    );
    view! {
        <Title text="Jobs"/>
        <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match list.await {
                    Err(error) => view! { <ErrorPanel error/> }.into_any(),
                    Ok(page) => view! { <JobList page filters=filters.get_untracked() slug=slug.get_untracked()/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn JobList(page: JobPage, filters: Filters, slug: String) -> impl IntoView {
    let new_job = page.can_manage.then(|| {
        view! { <a class="button button-primary" href=format!("/o/{slug}/jobs/new")>"New job"</a> }
    });
    let same = |values: &[String]| values.iter().map(|v| (v.clone(), v.clone())).collect();
    let statuses = JobStatus::ALL
        .into_iter()
        .map(|s| (s.as_str().to_owned(), s.label().to_owned()))
        .collect();
    let sorts = JobSort::ALL
        .into_iter()
        .map(|s| {
            let selected =
                filters.sort == s.as_str() || (filters.sort.is_empty() && s == JobSort::default());
            view! { <option value=s.as_str() selected=selected>{s.label()}</option> }
        })
        .collect_view();
    let pages = page.total.div_ceil(u64::from(JOBS_PER_PAGE.max(1))).max(1) as u32;
    let shown = range_text(page.page, page.per_page, page.jobs.len(), page.total);
    let body = if page.jobs.is_empty() {
        let message = if filters.any() {
            "No job matches these filters."
        } else if page.can_manage {
            "No jobs yet. Write the first one with “New job”."
        } else {
            "No jobs to show: you see the jobs whose hiring team you are on."
        };
        view! { <p class="empty" data-empty="jobs">{message}</p> }.into_any()
    } else {
        let rows = page
            .jobs
            .into_iter()
            .map(|job| view! { <JobRow job slug=slug.clone()/> })
            .collect_view();
        view! {
            <div class="table-wrap">
                <table class="table jobs-table" aria-label="Jobs">
                    <thead><tr><th>"Job"</th><th>"Where"</th><th>"Status"</th><th>"Changed"</th></tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        }
        .into_any()
    };
    let previous = (page.page > 1).then(|| filters.href(&slug, page.page - 1));
    let next = (page.page < pages).then(|| filters.href(&slug, page.page + 1));
    let clear = filters
        .any()
        .then(|| view! { <a href=format!("/o/{slug}/jobs")>"Clear filters"</a> });
    view! {
        <section class="page-head page-head-actions">
            <h1>"Jobs"</h1>
            {new_job}
        </section>
        <GetForm method="GET" action=format!("/o/{slug}/jobs") noscroll=true attr:class="filters" attr:role="search" attr:aria-label="Filter jobs">
            <div class="field filter-query">
                <label for="jobs-q">"Search"</label>
                <input id="jobs-q" type="search" name="q" value=filters.query.clone() prop:value=filters.query.clone() placeholder="Title, department or place"/>
            </div>
            <FilterSelect id="jobs-status" name="status" label="Status" any="All but archived"
                options=statuses chosen=filters.status.clone()/>
            <FilterSelect id="jobs-department" name="department" label="Department" any="Any"
                options=same(&page.departments) chosen=filters.department.clone()/>
            <FilterSelect id="jobs-location" name="location" label="Location" any="Any"
                options=same(&page.locations) chosen=filters.location.clone()/>
            <div class="field">
                <label for="jobs-sort">"Order"</label>
                <select id="jobs-sort" name="sort">{sorts}</select>
            </div>
            <div class="filter-actions">
                <button type="submit" class="button">"Show"</button>
                {clear}
            </div>
        </GetForm>
        <p class="hint" aria-live="polite">{shown}</p>
        {body}
        <Pager previous next/>
    }
}

#[component]
fn JobRow(job: JobSummary, slug: String) -> impl IntoView {
    let place = match (job.location.is_empty(), job.remote) {
        (true, remote) => remote_label(remote).to_owned(),
        (false, remote) => format!("{} · {}", job.location, remote_label(remote)),
    };
    let department = (!job.department.is_empty()).then(|| {
        view! { <span class="hint">{job.department.clone()}" · "</span> }
    });
    view! {
        <tr data-job=job.slug.clone() data-status=job.status.as_str()>
            <td>
                <a href=format!("/o/{slug}/jobs/{}", job.slug)><strong>{job.title}</strong></a>
                <br/>{department}<span class="hint">{job.employment.label()}</span>
            </td>
            <td>{place}</td>
            <td><span class="tag" data-status=job.status.as_str()>{job.status.label()}</span></td>
            <td><LocalTime at=job.updated_at/></td>
        </tr>
    }
}
