//! Stages: the organisation's template for new jobs' boards (on Settings), and the editor of
//! one job's stages (on its board): rename, move up or down, add, remove.

use super::api::{SaveJobStages, UpdateStageTemplate};
use crate::form::{Form, FormError, Submit, TextArea};
use leptos::prelude::*;
use shared::{
    pipeline::{check_edited_stages, stage_names, EditedStage, Stage, StageTemplate, MAX_STAGES},
    validation::FieldError,
};

/// The template form, filled with the organisation's `template`.
#[component]
pub fn StageTemplateForm(
    template: StageTemplate,
    slug: String,
    save: ServerAction<UpdateStageTemplate>,
) -> impl IntoView {
    let stages = RwSignal::new(template.stages.join("\n"));
    view! {
        <section class="panel narrow" aria-labelledby="stages-heading">
            <h2 id="stages-heading">"Pipeline stages"</h2>
            <Form action=save id="stage-template" validate=check_template class="form">
                <input type="hidden" name="slug" value=slug/>
                <TextArea name="stages" label="The stages a new job's board starts with (one per line, in order)" bind=stages rows=6/>
                <p class="hint">"Rejected and withdrawn are outcomes, not stages. Jobs that already have a board keep theirs; change a job's own stages on its board."</p>
                <FormError/>
                <Submit label="Save stages" pending="Saving…"/>
            </Form>
        </section>
    }
}

fn check_template(input: &UpdateStageTemplate) -> Vec<FieldError> {
    stage_names("stages", input.stages.lines())
        .err()
        .into_iter()
        .collect()
}

fn check_job_stages(input: &SaveJobStages) -> Vec<FieldError> {
    check_edited_stages("stages", &input.stages)
        .err()
        .into_iter()
        .collect()
}

/// One job's stages as being edited: (key for the list, existing id, name).
type Row = (u32, Option<i64>, RwSignal<String>);

/// The editor of a job's stages, opened from its board.
#[component]
pub fn JobStagesEditor(
    stages: Vec<Stage>,
    slug: String,
    job: String,
    save: ServerAction<SaveJobStages>,
) -> impl IntoView {
    let next_key = StoredValue::new(stages.len() as u32);
    let rows = RwSignal::new(
        stages
            .into_iter()
            .enumerate()
            .map(|(i, s)| (i as u32, Some(s.id), RwSignal::new(s.name)))
            .collect::<Vec<Row>>(),
    );
    let json = move || {
        let edited: Vec<EditedStage> = rows
            .get()
            .iter()
            .map(|(_, id, name)| EditedStage {
                id: *id,
                name: name.get(),
            })
            .collect();
        serde_json::to_string(&edited).unwrap_or_default()
    };
    let add = move |_| {
        let key = next_key.get_value();
        next_key.set_value(key + 1);
        rows.update(|r| r.push((key, None, RwSignal::new(String::new()))));
    };
    let shift = move |key: u32, by: isize| {
        rows.update(|r| {
            if let Some(at) = r.iter().position(|(k, ..)| *k == key) {
                let to = at as isize + by;
                if (0..r.len() as isize).contains(&to) {
                    r.swap(at, to as usize);
                }
            }
        });
    };
    // The editor is drawn when it is first opened, not with the board: it needs the wasm
    // anyway (the stages it sends are written by it), and a phone brings the board to life
    // sooner without it (docs/BENCHMARKS.md, "Lighthouse"). Closing it keeps what was typed.
    let opened = RwSignal::new(false);
    let on_toggle = move |ev: leptos::ev::Event| {
        #[cfg(feature = "hydrate")]
        if event_target::<web_sys::HtmlDetailsElement>(&ev).open() {
            opened.set(true);
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = ev;
    };
    let editor = move || {
        let (slug, job) = (slug.clone(), job.clone());
        opened.get().then(move || view! {
            <Form action=save id="job-stages" validate=check_job_stages class="form">
                <input type="hidden" name="slug" value=slug/>
                <input type="hidden" name="job" value=job/>
                <input type="hidden" name="stages" prop:value=json/>
                <ol class="stage-rows">
                    <For each=move || rows.get() key=|(key, ..)| *key let:row>
                        {
                            let (key, id, name) = row;
                            let label = move || format!("Stage {}", rows.get().iter().position(|(k, ..)| *k == key).map_or(0, |p| p + 1));
                            let input_id = format!("job-stages-name-{key}");
                            view! {
                                <li data-stage=id>
                                    <label class="sr-only" for=input_id.clone()>{label}</label>
                                    <input id=input_id type="text" maxlength="40" prop:value=move || name.get()
                                        on:input=move |ev| name.set(event_target_value(&ev))/>
                                    <button type="button" class="button button-small" aria-label=move || format!("Move {} up", name.get())
                                        on:click=move |_| shift(key, -1)>"↑"</button>
                                    <button type="button" class="button button-small" aria-label=move || format!("Move {} down", name.get())
                                        on:click=move |_| shift(key, 1)>"↓"</button>
                                    <button type="button" class="button button-small" aria-label=move || format!("Remove {}", name.get())
                                        on:click=move |_| rows.update(|r| r.retain(|(k, ..)| *k != key))>"✕"</button>
                                </li>
                            }
                        }
                    </For>
                </ol>
                <button type="button" class="button" on:click=add disabled=move || rows.with(|r| r.len() >= MAX_STAGES)>"Add a stage"</button>
                <p class="hint">"A stage with applications in it (open or closed) cannot be removed: move the open ones, or rename it."</p>
                <FormError/>
                <Submit label="Save stages" pending="Saving…"/>
            </Form>
        })
    };
    view! {
        // Closed when drawn again (after a save, with the new stages), kept while open.
        <details class="panel stage-editor" prop:open=move || opened.get() on:toggle=on_toggle>
            <summary>"Edit stages"</summary>
            {editor}
        </details>
    }
}
