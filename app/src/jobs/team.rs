//! A job's hiring team on its page: who recruits, who decides, who interviews; those who manage
//! jobs choose them among the organisation's members. A hiring manager sees the jobs whose team
//! they are on.

use super::{
    api::save_job_team,
    editable::{EditablePanel, EditorActions},
};
use crate::orgs::api::get_team;
use leptos::prelude::*;
use shared::jobs::{Job, TeamMember, TeamRole};

#[component]
pub fn HiringTeam(job: Job, slug: String, saved: Callback<Job>) -> impl IntoView {
    let listed = job.team.clone();
    let shown = move || {
        if listed.is_empty() {
            return view! { <p class="hint" data-empty="team">"Nobody yet."</p> }.into_any();
        }
        let items = listed
            .iter()
            .map(|m| view! { <li data-member=m.name.clone()><strong>{m.name.clone()}</strong>" · "{m.role.label()}</li> })
            .collect_view();
        view! { <ul class="team-list">{items}</ul> }.into_any()
    };
    let (team, job_slug) = (job.team.clone(), job.slug.clone());
    let editor = Callback::new(move |done: Callback<Option<Job>>| {
        view! { <TeamEditor team=team.clone() slug=slug.clone() job=job_slug.clone() done/> }
            .into_any()
    });
    view! {
        <EditablePanel id="job-team" heading="Hiring team" button="Edit team" can_edit=job.can_manage
            shown=ViewFn::from(shown) editor saved/>
    }
}

#[component]
fn TeamEditor(
    team: Vec<TeamMember>,
    slug: String,
    job: String,
    done: Callback<Option<Job>>,
) -> impl IntoView {
    let rows = RwSignal::new(team);
    let members = {
        let slug = slug.clone();
        Resource::new(|| (), move |_| get_team(slug.clone()))
    };
    let adding = RwSignal::new(String::new());
    let adding_role = RwSignal::new(TeamRole::HiringManager.as_str().to_owned());
    let save = Action::new(move |team: &Vec<TeamMember>| {
        let chosen: Vec<serde_json::Value> = team
            .iter()
            .map(|m| serde_json::json!({ "user_id": m.user_id, "role": m.role.as_str() }))
            .collect();
        save_job_team(
            slug.clone(),
            job.clone(),
            serde_json::Value::from(chosen).to_string(),
        )
    });
    let role_options = |chosen: TeamRole| {
        TeamRole::ALL
            .into_iter()
            .map(|r| view! { <option value=r.as_str() selected=r == chosen>{r.label()}</option> })
            .collect_view()
    };
    let current = move || {
        rows.with(|list| {
            list.iter()
                .enumerate()
                .map(|(i, m)| {
                    let name = m.name.clone();
                    view! {
                        <li class="team-row" data-member=name.clone()>
                            <span>{name.clone()}</span>
                            <label class="sr-only" for=format!("team-role-{i}")>{format!("Role of {name}")}</label>
                            <select id=format!("team-role-{i}") on:change=move |ev| {
                                if let Some(role) = TeamRole::parse(&event_target_value(&ev)) {
                                    rows.update(|r| if let Some(m) = r.get_mut(i) { m.role = role; });
                                }
                            }>{role_options(m.role)}</select>
                            <button type="button" class="button button-small" aria-label=format!("Remove {name} from the team")
                                on:click=move |_| rows.update(|r| { if i < r.len() { r.remove(i); } })>"Remove"</button>
                        </li>
                    }
                })
                .collect_view()
        })
    };
    let add = move |_| {
        let Ok(user_id) = adding.get_untracked().parse::<i64>() else {
            return;
        };
        let Some(role) = TeamRole::parse(&adding_role.get_untracked()) else {
            return;
        };
        let name = members
            .get_untracked()
            .and_then(|t| t.ok())
            .and_then(|t| t.members.into_iter().find(|m| m.user_id == user_id))
            .map(|m| m.name)
            .unwrap_or_default();
        rows.update(|r| {
            if !r.iter().any(|m| m.user_id == user_id) {
                r.push(TeamMember {
                    user_id,
                    name,
                    role,
                });
            }
        });
        adding.set(String::new());
    };
    view! {
        <div class="team-editor">
            <ul class="team-rows" aria-label="Hiring team">{current}</ul>
            <div class="add-member">
                <Suspense fallback=|| view! { <p class="loading">"Loading members…"</p> }>
                    {move || Suspend::new(async move {
                        // A list that could not be loaded says why, instead of offering nobody.
                        let choices = match members.await {
                            Ok(team) => team.members,
                            Err(error) => {
                                return view! { <p class="field-error" role="alert">{error.to_string()}</p> }
                                    .into_any();
                            }
                        };
                        let options = choices
                            .into_iter()
                            .map(|m| {
                                let taken = move || rows.with(|r| r.iter().any(|x| x.user_id == m.user_id));
                                view! { <option value=m.user_id.to_string() disabled=taken>{format!("{} ({})", m.name, m.role.label())}</option> }
                            })
                            .collect_view();
                        view! {
                            <label for="team-add">"Member"</label>
                            <select id="team-add" prop:value=adding on:change=move |ev| adding.set(event_target_value(&ev))>
                                <option value="">"Choose a member…"</option>
                                {options}
                            </select>
                        }
                        .into_any()
                    })}
                </Suspense>
                <label for="team-add-role">"Role on this job"</label>
                <select id="team-add-role" on:change=move |ev| adding_role.set(event_target_value(&ev))>
                    {role_options(TeamRole::HiringManager)}
                </select>
                <button type="button" class="button" on:click=add>"Add to the team"</button>
            </div>
            <EditorActions rows save label="Save team" what="the hiring team" done/>
        </div>
    }
}
