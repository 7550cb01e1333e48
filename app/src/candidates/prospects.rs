//! On a job's page: the organisation's candidates closest to the job who have not applied to
//! it, from the vector index, each with the job's skills their CV shows and the must-haves it
//! lacks. Those who may not see candidates do not see the panel.

use crate::{error::ApiError, widgets::ErrorPanel};
use leptos::prelude::*;
use shared::candidates::Prospect;

#[component]
pub fn Prospects(
    prospects: Resource<Result<Vec<Prospect>, ApiError>>,
    slug: String,
) -> impl IntoView {
    view! {
        <Transition fallback=|| ()>
            {move || {
                let slug = slug.clone();
                Suspend::new(async move {
                    match prospects.await {
                        Err(ApiError::Forbidden) => ().into_any(),
                        Err(error) => view! { <ErrorPanel error/> }.into_any(),
                        Ok(list) => view! { <ProspectList list slug/> }.into_any(),
                    }
                })
            }}
        </Transition>
    }
}

#[component]
fn ProspectList(list: Vec<Prospect>, slug: String) -> impl IntoView {
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
                view! {
                    <li data-prospect=p.id>
                        <a href=format!("/o/{slug}/candidates/{}", p.id)><strong>{p.name}</strong></a>
                        " "<span class="tag" title="How close the CV is to the job in meaning (cosine similarity)">{format!("{:.0}% similar", p.similarity * 100.0)}</span>
                        {has}{lacks}{elsewhere}
                    </li>
                }
            })
            .collect_view();
        view! { <ol class="plain-list prospects">{items}</ol> }.into_any()
    };
    view! {
        <section class="panel" aria-labelledby="prospects-heading">
            <h2 id="prospects-heading">"Best candidates who have not applied"</h2>
            {body}
        </section>
    }
}
