//! On a job's page: the organisation's candidates closest to the job who have not applied to
//! it, from the vector index, each with the job's skills their CV shows and the must-haves it
//! lacks. Those who may not see candidates do not see the panel.

use crate::{error::ApiError, pipeline::api::AddToJob, widgets::ErrorPanel};
use leptos::{form::ActionForm, prelude::*};
use leptos_router::hooks::use_navigate;
use shared::candidates::Prospect;

#[component]
pub fn Prospects(
    prospects: Resource<Result<Vec<Prospect>, ApiError>>,
    slug: String,
    /// The job's address.
    job: String,
) -> impl IntoView {
    // Adding one opens the new application (scoring, then scored, live).
    let add = ServerAction::<AddToJob>::new();
    let navigate = use_navigate();
    let org = slug.clone();
    Effect::new(move |_| {
        if let Some(Ok(id)) = add.value().get() {
            navigate(
                &shared::pipeline::application_path(&org, id),
                Default::default(),
            );
        }
    });
    view! {
        <Transition fallback=|| ()>
            {move || {
                let (slug, job) = (slug.clone(), job.clone());
                Suspend::new(async move {
                    match prospects.await {
                        Err(ApiError::Forbidden) => ().into_any(),
                        Err(error) => view! { <ErrorPanel error/> }.into_any(),
                        Ok(list) => view! { <ProspectList list slug job add/> }.into_any(),
                    }
                })
            }}
        </Transition>
    }
}

#[component]
fn ProspectList(
    list: Vec<Prospect>,
    slug: String,
    job: String,
    add: ServerAction<AddToJob>,
) -> impl IntoView {
    // Read through signals taken here, once: adding one opens the new application, and a
    // closure below may still run after the action (its parent's) is gone; read then, the
    // action itself panics.
    let (value, pending) = (add.value(), add.pending());
    let body = if list.is_empty() {
        view! {
            <p class="hint" data-empty="prospects">
                "Nobody in your candidate database is close to this job yet, or all who are have applied."
            </p>
        }
        .into_any()
    } else {
        let items = list
            .into_iter()
            .map(|p| {
                let has = (!p.has.is_empty()).then(|| view! { <br/><span class="hint">{format!("Shows {}", p.has.join(", "))}</span> });
                let lacks = (!p.lacks.is_empty()).then(|| view! { <br/><span class="hint">{format!("Lacks {}", p.lacks.join(", "))}</span> });
                let elsewhere = (!p.applications.is_empty()).then(|| {
                    let jobs: Vec<String> = p.applications.iter().map(|a| format!("{} ({})", a.job_title, a.describe())).collect();
                    view! { <br/><span class="hint">{format!("Applied for {}", jobs.join(", "))}</span> }
                });
                let label = format!("Add {} to this job", p.name);
                let (org, job) = (slug.clone(), job.clone());
                let profile = format!("/o/{slug}/candidates/{}", p.id);
                view! {
                    <li data-prospect=p.id>
                        <ActionForm action=add attr:class="prospect-add">
                            <input type="hidden" name="slug" value=org/>
                            <input type="hidden" name="job" value=job/>
                            <input type="hidden" name="candidate" value=p.id/>
                            <button type="submit" class="button button-small" aria-label=label
                                disabled=move || pending.try_get().unwrap_or(false)>"Add to job"</button>
                        </ActionForm>
                        <a href=profile><strong>{p.name}</strong></a>
                        " "<span class="tag" title="How close the CV is to the job in meaning (cosine similarity)">{format!("{:.0}% similar", p.similarity * 100.0)}</span>
                        {has}{lacks}{elsewhere}
                    </li>
                }
            })
            .collect_view();
        view! { <ol class="plain-list prospects">{items}</ol> }.into_any()
    };
    let refused = move || match value.try_get().flatten() {
        Some(Err(error)) => {
            Some(view! { <p class="form-error" role="alert">{error.to_string()}</p> })
        }
        _ => None,
    };
    view! {
        <section class="panel" aria-labelledby="prospects-heading">
            <h2 id="prospects-heading">"Best candidates who have not applied"</h2>
            {refused}
            {body}
        </section>
    }
}
