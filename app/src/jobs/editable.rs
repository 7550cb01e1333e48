//! A panel of a job's page that those who manage jobs switch to an editor in place: the skills,
//! the hiring team.

use crate::{
    error::ApiError,
    toast::{use_toasts, ToastKind},
};
use leptos::prelude::*;
use shared::jobs::Job;

/// The panel: `shown` while reading; for managers a button (`button`) that opens `editor`, which
/// gets the callback that closes it again (with the job as saved, or nothing when cancelled).
#[component]
pub fn EditablePanel(
    /// The panel's class and the prefix of its heading's id ("job-skills").
    id: &'static str,
    heading: &'static str,
    button: &'static str,
    can_edit: bool,
    shown: ViewFn,
    editor: Callback<Callback<Option<Job>>, AnyView>,
    /// Runs with the job as saved.
    saved: Callback<Job>,
) -> impl IntoView {
    let editing = RwSignal::new(false);
    let done = Callback::new(move |job: Option<Job>| {
        editing.set(false);
        if let Some(job) = job {
            saved.run(job);
        }
    });
    let edit = can_edit.then(|| {
        view! {
            <Show when=move || editing.get()
                fallback=move || view! {
                    <button type="button" class="button button-small" on:click=move |_| editing.set(true)>{button}</button>
                }>
                {move || editor.run(done)}
            </Show>
        }
    });
    let (labelled_by, heading_id) = (format!("{id}-heading"), format!("{id}-heading"));
    view! {
        <section class=format!("panel {id}") aria-labelledby=labelled_by>
            <h2 id=heading_id>{heading}</h2>
            <Show when=move || !editing.get()>{shown.run()}</Show>
            {edit}
        </section>
    }
}

/// The end of an editor of `rows`: the save's error, "Save …" and "Cancel"; when saved, a toast
/// that says what was saved (`what`, "the skills") and `done` with the job.
#[component]
pub fn EditorActions<R>(
    rows: RwSignal<Vec<R>>,
    save: Action<Vec<R>, Result<Job, ApiError>>,
    /// The save button's text ("Save skills").
    label: &'static str,
    what: &'static str,
    done: Callback<Option<Job>>,
) -> impl IntoView
where
    R: Clone + Send + Sync + 'static,
{
    let toasts = use_toasts();
    Effect::new(move |_| {
        if let Some(Ok(job)) = save.value().get() {
            toasts.push(
                ToastKind::Success,
                format!("Saved {what} of “{}”.", job.title),
            );
            done.run(Some(job));
        }
    });
    let error = move || match save.value().get() {
        Some(Err(e)) => Some(
            e.field_errors()
                .first()
                .map_or_else(|| e.to_string(), |f| f.message.clone()),
        ),
        _ => None,
    };
    view! {
        <p class="field-error" role="alert" hidden=move || error().is_none()>{error}</p>
        <div class="form-actions">
            <button type="button" class="button button-primary" disabled=move || save.pending().get()
                on:click=move |_| { save.dispatch(rows.get_untracked()); }>
                {move || if save.pending().get() { "Saving…" } else { label }}
            </button>
            <button type="button" class="button" on:click=move |_| done.run(None)>"Cancel"</button>
        </div>
    }
}
