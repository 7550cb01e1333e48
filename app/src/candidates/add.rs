//! `/o/:slug/candidates/new`: a candidate added by hand (someone who sent a CV by e-mail, a
//! referral), with an optional CV. The form carries a file, so it is posted as
//! `multipart/form-data` to the server's route, not to a server function; it works the same
//! before the wasm has loaded (a plain post; errors and what was typed come back in the
//! address). A profile with the same e-mail or phone is not refused: the new profile shows it
//! as a possible duplicate.

use crate::form::{Choice, Field, FileField, FormError, Submit, TextArea, UploadForm, UploadInput};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_navigate;
use shared::{
    applications::{cv_size, CV_ACCEPT},
    candidates::{add_path, check_new_candidate, Added, NewCandidateFields, HAND_SOURCES},
    validation::FieldError,
};

/// The browser's checks: the server's rules on the fields, and a CV of a size we take.
fn check(input: &UploadInput) -> Vec<FieldError> {
    let mut fields = NewCandidateFields::default();
    for (name, value) in &input.fields {
        fields.set(name, value.clone());
    }
    let mut problems = check_new_candidate(&fields).err().unwrap_or_default();
    if let Some((_, _, size)) = input.files.iter().find(|(field, _, _)| field == "cv") {
        problems.extend(cv_size(*size).err());
    }
    // In the order the form shows them, so the first one gets the focus.
    const ORDER: [&str; 6] = ["name", "email", "phone", "source", "cv", "links"];
    problems.sort_by_key(|p| {
        ORDER
            .iter()
            .position(|f| *f == p.field)
            .unwrap_or(ORDER.len())
    });
    problems
}

#[component]
pub fn AddCandidatePage() -> impl IntoView {
    let slug = crate::session::use_slug();
    let org = slug.get_untracked();
    let navigate = use_navigate();
    let done = Callback::new(move |added: Added| {
        navigate(
            &format!("/o/{}/candidates/{}", slug.get_untracked(), added.id),
            Default::default(),
        );
    });
    let links = RwSignal::new(String::new());
    let sources = HAND_SOURCES
        .iter()
        .map(|s| (s.as_str().to_owned(), s.label().to_owned()))
        .collect::<Vec<_>>();
    view! {
        <Title text="Add a candidate"/>
        <p class="breadcrumb"><a href=format!("/o/{org}/candidates")>"Candidates"</a></p>
        <section class="page-head">
            <h1>"Add a candidate"</h1>
            <p class="hint">"Someone who sent a CV by e-mail, or whom a colleague referred. The CV is read as it is on the careers page, and its skills are found in the background."</p>
        </section>
        <section id="add-candidate" class="panel add-candidate-form">
            <UploadForm action=add_path(&org) id="add-candidate" validate=check done class="form">
                <Field name="name" label="Full name" autocomplete="off" required=true/>
                <Field name="email" label="E-mail" kind="email" autocomplete="off" required=true/>
                <Field name="phone" label="Phone (optional)" kind="tel" autocomplete="off" inputmode="tel"/>
                <Choice name="source" label="Source" options=sources selected="manual"/>
                <FileField name="cv" label="CV (optional)" accept=CV_ACCEPT
                    hint="PDF, Word (DOCX), text or Markdown, 10 MB at most."/>
                <TextArea name="links" label="Links (optional): LinkedIn, GitHub, portfolio, one per line" bind=links rows=3/>
                <FormError/>
                <Submit label="Add candidate" pending="Adding…"/>
            </UploadForm>
        </section>
    }
}
