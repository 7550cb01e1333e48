//! `/careers/:org` and `/careers/:org/:job`. Both routes render in one response
//! (`SsrMode::Async`), so a search engine, a link preview and a browser without JavaScript get
//! the whole page: title, description, Open Graph tags and, on a job, its schema.org
//! `JobPosting`.

use super::api::{careers, careers_job};
use crate::{
    applications::ApplyForm,
    time::LocalTime,
    widgets::{ErrorPanel, FilterSelect},
};
use leptos::prelude::*;
use leptos_meta::{Meta, Title};
use leptos_router::{
    components::Form as GetForm,
    hooks::{use_params_map, use_query_map},
};
use shared::jobs::{remote_as_str, remote_label, Careers, CareersJob, PublicJobSummary};
use shared::matching::RemotePolicy;
use shared::orgs::Logo;

/// A careers page that cannot be shown answers with its status (a missing or closed job is a
/// 404 for crawlers and link previews), not only with the message on the page.
fn failed(error: &crate::error::ApiError) {
    #[cfg(feature = "ssr")]
    if let (Some(res), Ok(status)) = (
        use_context::<leptos_axum::ResponseOptions>(),
        http::StatusCode::from_u16(error.status()),
    ) {
        res.set_status(status);
    }
    #[cfg(not(feature = "ssr"))]
    let _ = error;
}

fn param(name: &'static str) -> Signal<String> {
    let params = use_params_map();
    Signal::derive(move || params.read().get(name).unwrap_or_default())
}

/// "Leeds · Hybrid", "Remote".
fn place(job: &PublicJobSummary) -> String {
    if job.location.is_empty() {
        remote_label(job.remote).to_owned()
    } else {
        format!("{} · {}", job.location, remote_label(job.remote))
    }
}

#[component]
pub fn CareersPage() -> impl IntoView {
    let org = param("org");
    let query = use_query_map();
    let page = Resource::new(
        move || {
            let q = query.read();
            let get = |k: &str| q.get(k).unwrap_or_default();
            (org.get(), get("department"), get("location"), get("remote"))
        },
        |(org, department, location, remote)| careers(org, department, location, remote),
    );
    view! {
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match page.await {
                    Err(error) => {
                        failed(&error);
                        view! { <Title text="Careers"/><ErrorPanel error/> }.into_any()
                    }
                    Ok(careers) => view! { <CareersList careers/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn CareersList(careers: Careers) -> impl IntoView {
    let query = use_query_map();
    let chosen = move |k: &str| query.with_untracked(|q| q.get(k).unwrap_or_default());
    let (department, location, remote) =
        (chosen("department"), chosen("location"), chosen("remote"));
    let filtered = !(department.is_empty() && location.is_empty() && remote.is_empty());
    let title = format!("Jobs at {}", careers.org_name);
    let count = match careers.jobs.len() {
        0 => format!("{} has no open jobs right now.", careers.org_name),
        1 => format!("1 open job at {}.", careers.org_name),
        n => format!("{n} open jobs at {}.", careers.org_name),
    };
    // Previews and search results show what the organisation says about itself, when it does.
    let description = if careers.description.is_empty() {
        count.clone()
    } else {
        let mut text: String = careers
            .description
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        if text.chars().count() > 200 {
            text = text.chars().take(199).collect::<String>() + "…";
        }
        text
    };
    let about = (!careers.description.is_empty()).then(|| {
        let paragraphs = careers
            .description
            .split("\n\n")
            .map(|p| view! { <p class="about">{p.trim().to_owned()}</p> })
            .collect_view();
        view! { <div class="careers-about">{paragraphs}</div> }
    });
    let same = |values: &[String]| values.iter().map(|v| (v.clone(), v.clone())).collect();
    let remotes = [
        RemotePolicy::Onsite,
        RemotePolicy::Hybrid,
        RemotePolicy::Remote,
    ]
    .into_iter()
    .map(|p| (remote_as_str(p).to_owned(), remote_label(p).to_owned()))
    .collect();
    let base = format!("/careers/{}", careers.org_slug);
    let jobs = if careers.jobs.is_empty() {
        let message = if filtered {
            "No open job matches these filters."
        } else {
            "No open jobs right now. Come back soon."
        };
        view! { <p class="empty" data-empty="careers">{message}</p> }.into_any()
    } else {
        let items = careers
            .jobs
            .iter()
            .map(|job| {
                let href = format!("{base}/{}", job.slug);
                let department =
                    (!job.department.is_empty()).then(|| format!("{} · ", job.department));
                view! {
                    <li class="career-item" data-job=job.slug.clone()>
                        <h2><a href=href>{job.title.clone()}</a></h2>
                        <p class="hint">{department}{place(job)}" · "{job.employment.label()}</p>
                    </li>
                }
            })
            .collect_view();
        view! { <ul class="career-list">{items}</ul> }.into_any()
    };
    let website = (!careers.website.is_empty()).then(|| {
        view! { <p><a href=careers.website.clone() rel="noopener">{careers.website.clone()}</a></p> }
    });
    let clear = filtered.then(|| view! { <a href=base.clone()>"Clear filters"</a> });
    let logo = careers.logo.clone();
    view! {
        <Title text=title.clone()/>
        <Meta name="description" content=description.clone()/>
        <Meta property="og:title" content=title.clone()/>
        <Meta property="og:description" content=description.clone()/>
        <Meta property="og:type" content="website"/>
        <OgImage logo=logo.clone()/>
        <section class="page-head careers-head">
            <OrgLogo logo org=careers.org_name.clone() height=64/>
            <h1>{title}</h1>
            {about}
            <p class="hint">{count}</p>
            {website}
        </section>
        <GetForm method="GET" action=base.clone() noscroll=true attr:class="filters careers-filters" attr:role="search" attr:aria-label="Filter jobs">
            <FilterSelect id="careers-department" name="department" label="Department" any="All"
                options=same(&careers.departments) chosen=department/>
            <FilterSelect id="careers-location" name="location" label="Location" any="All"
                options=same(&careers.locations) chosen=location/>
            <FilterSelect id="careers-remote" name="remote" label="Work" any="Any"
                options=remotes chosen=remote/>
            <div class="filter-actions">
                <button type="submit" class="button">"Show jobs"</button>
                {clear}
            </div>
        </GetForm>
        {jobs}
    }
}

#[component]
pub fn CareersJobPage() -> impl IntoView {
    let org = param("org");
    let job = param("job");
    let page = Resource::new(
        move || (org.get(), job.get()),
        |(org, job)| careers_job(org, job),
    );
    view! {
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match page.await {
                    Err(error) => {
                        failed(&error);
                        view! { <Title text="Job"/><ErrorPanel error/> }.into_any()
                    }
                    Ok(job) => view! { <CareersJobView page=job/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn CareersJobView(page: CareersJob) -> impl IntoView {
    let job = page.job;
    let summary = job.summary;
    let title = format!("{} at {}", summary.title, page.org_name);
    // A meta description is a sentence or two, not the whole ad.
    let mut description: String = job.description_text.chars().take(200).collect();
    if job.description_text.chars().count() > 200 {
        description.push('…');
    }
    let mut facts = vec![place(&summary), summary.employment.label().to_owned()];
    if !summary.department.is_empty() {
        facts.insert(0, summary.department.clone());
    }
    let salary = job
        .salary
        .as_ref()
        .and_then(|s| s.describe())
        .map(|s| view! { <p class="salary">{s}</p> });
    let back = format!("/careers/{}", page.org_slug);
    view! {
        <Title text=title.clone()/>
        <Meta name="description" content=description.clone()/>
        <Meta property="og:title" content=title.clone()/>
        <Meta property="og:description" content=description/>
        <Meta property="og:type" content="article"/>
        <OgImage logo=page.logo.clone()/>
        <script type="application/ld+json" inner_html=page.json_ld></script>
        <p class="breadcrumb"><a href=back>{format!("All jobs at {}", page.org_name)}</a></p>
        <article class="career-job">
            <header class="page-head">
                <OrgLogo logo=page.logo.clone() org=page.org_name.clone() height=48/>
                <h1>{summary.title.clone()}</h1>
                <p class="job-facts">{page.org_name.clone()}" · "{facts.join(" · ")}</p>
                {salary}
                <p class="hint">"Posted "<LocalTime at=summary.published_at/></p>
            </header>
            <section class="panel prose job-description" inner_html=job.description_html></section>
            <ApplyForm org_slug=page.org_slug.clone() job_slug=summary.slug.clone()
                job_title=summary.title.clone() org_name=page.org_name.clone()
                retention_months=page.retention_months/>
        </article>
    }
}

/// The organisation's logo, `height` pixels high, its place kept while it loads.
#[component]
fn OrgLogo(logo: Option<Logo>, org: String, height: u32) -> impl IntoView {
    logo.map(|logo| {
        let (width, height) = logo.scaled_to(height);
        view! {
            <img class="org-logo" src=logo.url alt=format!("{org} logo") width=width height=height
                decoding="async"/>
        }
    })
}

/// The logo as the picture of link previews.
#[component]
fn OgImage(logo: Option<Logo>) -> impl IntoView {
    logo.filter(|l| !l.absolute_url.is_empty())
        .map(|l| view! { <Meta property="og:image" content=l.absolute_url/> })
}
