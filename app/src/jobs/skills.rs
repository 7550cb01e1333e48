//! A job's skills on its page: what it asks for (must-haves, then nice-to-haves, each with a
//! level when it has one), and for those who manage jobs an editor with the engine's
//! suggestions from the job's text and from the closest ESCO occupation.

use super::{
    api::{job_skill_suggestions, save_job_skills},
    editable::{EditablePanel, EditorActions},
};
use leptos::prelude::*;
use shared::{
    jobs::{level_label, Job, JobSkill, SkillSuggestions},
    matching::Requirement,
};

/// The job's skills, and the editor when `job.can_manage`; `saved` runs with the job as saved.
#[component]
pub fn JobSkills(job: Job, slug: String, saved: Callback<Job>) -> impl IntoView {
    let listed = job.skills.clone();
    let (skills, job_slug) = (job.skills.clone(), job.slug.clone());
    let editor = Callback::new(move |done: Callback<Option<Job>>| {
        view! { <SkillEditor skills=skills.clone() slug=slug.clone() job=job_slug.clone() done/> }
            .into_any()
    });
    view! {
        <EditablePanel id="job-skills" heading="Skills" button="Edit skills" can_edit=job.can_manage
            shown=ViewFn::from(move || skill_list(&listed)) editor saved/>
    }
}

fn describe(skill: &JobSkill) -> String {
    match skill.level {
        Some(level) => format!("{} · level {level} ({})", skill.name(), level_label(level)),
        None => skill.name(),
    }
}

fn skill_list(skills: &[JobSkill]) -> AnyView {
    if skills.is_empty() {
        return view! { <p class="hint" data-empty="skills">"No skills yet. They decide how applicants are scored."</p> }
            .into_any();
    }
    let group = |kind: Requirement| {
        let items: Vec<String> = skills
            .iter()
            .filter(|s| s.required == kind)
            .map(describe)
            .collect();
        (!items.is_empty()).then(|| {
            let items = items
                .into_iter()
                .map(|text| view! { <li>{text}</li> })
                .collect_view();
            view! {
                <h3>{if kind == Requirement::Must { "Must-have" } else { "Nice to have" }}</h3>
                <ul class="skill-list" data-kind=kind.as_str()>{items}</ul>
            }
        })
    };
    view! { {group(Requirement::Must)}{group(Requirement::Nice)} }.into_any()
}

/// Whether `skills` already hold a skill named `label` (any case).
fn holds(skills: &[JobSkill], label: &str) -> bool {
    skills
        .iter()
        .any(|s| s.label.eq_ignore_ascii_case(label.trim()))
}

#[component]
fn SkillEditor(
    skills: Vec<JobSkill>,
    slug: String,
    job: String,
    done: Callback<Option<Job>>,
) -> impl IntoView {
    let rows = RwSignal::new(skills);
    let new_skill = RwSignal::new(String::new());
    let suggest = {
        let (slug, job) = (slug.clone(), job.clone());
        Action::new(move |_: &()| job_skill_suggestions(slug.clone(), job.clone()))
    };
    let save = Action::new(move |skills: &Vec<JobSkill>| {
        let (slug, job) = (slug.clone(), job.clone());
        let skills = serde_json::to_string(skills).unwrap_or_default();
        save_job_skills(slug, job, skills)
    });
    let add = move |label: String, required: Requirement, alternatives: Vec<String>| {
        let label = label.trim().to_owned();
        if label.is_empty() {
            return;
        }
        rows.update(|rows| {
            if !holds(rows, &label) {
                rows.push(JobSkill {
                    label,
                    required,
                    level: None,
                    alternatives,
                });
            }
        });
    };
    let add_typed = move || {
        add(new_skill.get_untracked(), Requirement::Must, Vec::new());
        new_skill.set(String::new());
    };
    let table = move || {
        rows.with(|list| {
            list.iter()
                .enumerate()
                .map(|(i, skill)| view! { <SkillRow index=i skill=skill.clone() rows/> })
                .collect_view()
        })
    };
    view! {
        <div class="skill-editor">
            <ul class="skill-rows" aria-label="Skills of this job">{table}</ul>
            <p class="hint" hidden=move || rows.with(|r| !r.is_empty())>"No skills yet: add them, or ask for suggestions."</p>
            <div class="add-skill">
                <label for="new-skill" class="sr-only">"Skill to add"</label>
                <input id="new-skill" type="text" placeholder="Add a skill, such as Triage" prop:value=new_skill
                    on:input=move |ev| new_skill.set(event_target_value(&ev))
                    on:keydown=move |ev| if ev.key() == "Enter" { ev.prevent_default(); add_typed(); }/>
                <button type="button" class="button" on:click=move |_| add_typed()>"Add"</button>
            </div>
            <div class="suggest">
                <button type="button" class="button" disabled=move || suggest.pending().get()
                    on:click=move |_| { suggest.dispatch(()); }>
                    {move || if suggest.pending().get() { "Reading the job…" } else { "Suggest from the job's text" }}
                </button>
                {move || suggest.value().get().map(|answer| match answer {
                    Ok(suggestions) => view! { <Suggestions suggestions rows/> }.into_any(),
                    Err(e) => view! { <p class="field-error" role="alert">{e.to_string()}</p> }.into_any(),
                })}
            </div>
            <EditorActions rows save label="Save skills" what="the skills" done/>
        </div>
    }
}

/// One skill being edited: its name, must or nice, its level, and a button that removes it.
#[component]
fn SkillRow(index: usize, skill: JobSkill, rows: RwSignal<Vec<JobSkill>>) -> impl IntoView {
    let name = skill.label.clone();
    let or = (!skill.alternatives.is_empty())
        .then(|| view! { <span class="hint">" or "{skill.alternatives.join(", ")}</span> });
    let set = move |f: Box<dyn FnOnce(&mut JobSkill)>| {
        rows.update(|rows| {
            if let Some(skill) = rows.get_mut(index) {
                f(skill);
            }
        })
    };
    let levels = (1..=5u8)
        .map(|l| {
            view! { <option value=l.to_string() selected=skill.level == Some(l)>{format!("{l} · {}", level_label(l))}</option> }
        })
        .collect_view();
    let id = format!("skill-{index}");
    view! {
        <li class="skill-row" data-skill=name.clone()>
            <span class="skill-name"><strong>{name.clone()}</strong>{or}</span>
            <label class="sr-only" for=format!("{id}-kind")>{format!("Is {name} required?")}</label>
            <select id=format!("{id}-kind") on:change=move |ev| {
                let nice = event_target_value(&ev) == "nice";
                set(Box::new(move |s| s.required = if nice { Requirement::Nice } else { Requirement::Must }));
            }>
                <option value="must" selected=skill.required == Requirement::Must>"Must-have"</option>
                <option value="nice" selected=skill.required == Requirement::Nice>"Nice to have"</option>
            </select>
            <label class="sr-only" for=format!("{id}-level")>{format!("Level of {name}")}</label>
            <select id=format!("{id}-level") on:change=move |ev| {
                let level = event_target_value(&ev).parse::<u8>().ok();
                set(Box::new(move |s| s.level = level));
            }>
                <option value="" selected=skill.level.is_none()>"Any level"</option>
                {levels}
            </select>
            <button type="button" class="button button-small" aria-label=format!("Remove {name}")
                on:click=move |_| rows.update(|rows| { if index < rows.len() { rows.remove(index); } })>"Remove"</button>
        </li>
    }
}

/// The engine's suggestions as buttons that add them; those already on the job are left out.
#[component]
fn Suggestions(suggestions: SkillSuggestions, rows: RwSignal<Vec<JobSkill>>) -> impl IntoView {
    let chips = move |skills: Vec<JobSkill>| {
        let all = skills.clone();
        let add_all = move |_| {
            rows.update(|rows| {
                for s in &all {
                    if !holds(rows, &s.label) {
                        rows.push(s.clone());
                    }
                }
            })
        };
        let buttons = skills
            .into_iter()
            .map(|skill| {
                let label = skill.label.clone();
                let hidden = move || rows.with(|r| holds(r, &label));
                let text = format!("+ {} · {}", skill.name(), skill.required.label());
                view! {
                    <button type="button" class="chip" hidden=hidden
                        on:click=move |_| rows.update(|r| if !holds(r, &skill.label) { r.push(skill.clone()) })>{text}</button>
                }
            })
            .collect_view();
        view! {
            <div class="chips">{buttons}</div>
            <button type="button" class="button button-small" on:click=add_all>"Add all"</button>
        }
    };
    let from_text = if suggestions.from_text.is_empty() {
        view! { <p class="hint">"The job's text names no skills the engine knows yet."</p> }
            .into_any()
    } else {
        chips(suggestions.from_text).into_any()
    };
    let occupation = suggestions.occupation.map(|(label, skills)| {
        view! {
            <h3>"Essential for "{label}" (ESCO)"</h3>
            {chips(skills)}
            <p class="attribution">{suggestions.attribution}</p>
        }
    });
    view! {
        <div class="suggestions" data-suggestions="">
            <h3>"From the job's text"</h3>
            {from_text}
            {occupation}
        </div>
    }
}
