//! `/o/:slug/jobs/new` and `/o/:slug/jobs/:job/edit`: the job form. A new job starts as a
//! draft; saving goes to the job's page.

use super::api::{check_save_job, get_job, SaveJob};
use crate::{
    form::{Choice, Field, Form, FormError, Submit, TextArea},
    session::Session,
    toast::{use_toasts, ToastKind},
    widgets::ErrorPanel,
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_navigate, use_params_map};
use shared::{
    jobs::{remote_as_str, EmploymentType, Job},
    matching::RemotePolicy,
};

#[component]
pub fn NewJobPage() -> impl IntoView {
    view! {
        <Title text="New job"/>
        <section class="page-head">
            <h1>"New job"</h1>
            <p class="hint">"It is saved as a draft: nobody outside your team sees it until you publish it."</p>
        </section>
        <JobForm job=None/>
    }
}

#[component]
pub fn EditJobPage() -> impl IntoView {
    let session = Session::get();
    let slug = crate::session::use_slug();
    let params = use_params_map();
    let job = Resource::new(
        move || {
            (
                slug.get(),
                params.read().get("job").unwrap_or_default(),
                session.live.get(),
            )
        },
        |(slug, job, _)| get_job(slug, job),
    );
    view! {
        <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match job.await {
                    Err(error) => view! { <Title text="Edit job"/><ErrorPanel error/> }.into_any(),
                    Ok(job) => view! {
                        <Title text=format!("Edit {}", job.title)/>
                        <section class="page-head">
                            <h1>"Edit “"{job.title.clone()}"”"</h1>
                        </section>
                        <JobForm job=Some(job)/>
                    }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn JobForm(job: Option<Job>) -> impl IntoView {
    let slug = crate::session::use_slug();
    let save = ServerAction::<SaveJob>::new();
    Session::get().watch(save);
    let toasts = use_toasts();
    let navigate = use_navigate();
    let is_new = job.is_none();
    Effect::new(move |_| {
        if let Some(Ok(saved)) = save.value().get() {
            let said = if is_new {
                format!("Saved “{}” as a draft.", saved.title)
            } else {
                format!("Saved “{}”.", saved.title)
            };
            toasts.push(ToastKind::Success, said);
            navigate(
                &format!("/o/{}/jobs/{}", slug.get_untracked(), saved.slug),
                Default::default(),
            );
        }
    });
    let description = RwSignal::new(
        job.as_ref()
            .map(|j| j.description.clone())
            .unwrap_or_default(),
    );
    let value = |f: fn(&Job) -> String| job.as_ref().map(f).unwrap_or_default();
    let (job_slug, title, department, location) = (
        value(|j| j.slug.clone()),
        value(|j| j.title.clone()),
        value(|j| j.department.clone()),
        value(|j| j.location.clone()),
    );
    let remote = job
        .as_ref()
        .map_or(remote_as_str(RemotePolicy::Onsite), |j| {
            remote_as_str(j.remote)
        });
    let employment = job
        .as_ref()
        .map_or(EmploymentType::FullTime, |j| j.employment)
        .as_str();
    let salary_public = job.as_ref().is_some_and(|j| j.salary.public);
    let currency = job
        .as_ref()
        .map_or_else(|| "EUR".to_owned(), |j| j.salary.currency.clone());
    let amount = |n: Option<i64>| n.map(|n| n.to_string()).unwrap_or_default();
    let (salary_min, salary_max) = job
        .as_ref()
        .map(|j| (amount(j.salary.min), amount(j.salary.max)))
        .unwrap_or_default();
    let employments = EmploymentType::ALL
        .into_iter()
        .map(|e| (e.as_str().to_owned(), e.label().to_owned()))
        .collect();
    let cancel = match &job {
        Some(j) => format!("/o/{}/jobs/{}", slug.get_untracked(), j.slug),
        None => format!("/o/{}/jobs", slug.get_untracked()),
    };
    view! {
        <section class="panel job-form">
            <Form action=save id="job" validate=check_save_job class="form">
                <input type="hidden" name="slug" value=move || slug.get()/>
                <input type="hidden" name="job" value=job_slug/>
                <Field name="title" label="Title" required=true value=title
                    hint="As candidates search for it, such as “Senior Rust Engineer”."/>
                <div class="field-row">
                    <Field name="department" label="Department" value=department
                        hint="Optional, such as Engineering."/>
                    <Field name="location" label="Location" value=location
                        hint="The city; may be empty for a remote job."/>
                </div>
                <div class="field-row">
                    <Choice name="remote" label="Where the work happens" selected=remote
                        options=[("onsite", "On-site"), ("hybrid", "Hybrid"), ("remote", "Remote")]
                            .map(|(v, t)| (v.to_owned(), t.to_owned())).to_vec()/>
                    <Choice name="employment" label="Employment" selected=employment options=employments/>
                </div>
                <fieldset class="salary-fields">
                    <legend>"Salary per year (optional)"</legend>
                    <div class="field-row">
                        <Field name="salary_min" label="From" inputmode="numeric" value=salary_min/>
                        <Field name="salary_max" label="To" inputmode="numeric" value=salary_max/>
                        <Field name="salary_currency" label="Currency" value=currency hint="EUR, GBP, USD…"/>
                    </div>
                    <label class="checkbox">
                        <input type="checkbox" name="salary_public" value="on" checked=salary_public/>
                        " Show the salary on the careers page"
                    </label>
                </fieldset>
                <TextArea name="description" label="Description" bind=description rows=14
                    placeholder="What the job is, what you ask for, what you offer. Markdown: ## headings, - lists, **bold**, [links](https://…)."/>
                <FormError/>
                <div class="form-actions">
                    <Submit label="Save" pending="Saving…"/>
                    <a class="button" href=cancel>"Cancel"</a>
                </div>
            </Form>
        </section>
    }
}
