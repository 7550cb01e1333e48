//! The application form on a job's public page. It carries a file, so it is posted as
//! `multipart/form-data` to the server's apply route, not to a server function; it works the
//! same before the wasm has loaded (a plain post, errors and what was typed come back in the
//! address).

use crate::form::{
    CheckField, Field, FileField, FormError, Submit, TextArea, UploadForm, UploadInput,
};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use shared::{
    applications::{
        apply_path, check_application, consent_text, cv_size, missing_cv, Applied, ApplyFields,
        CV_ACCEPT, HONEYPOT_FIELD,
    },
    validation::FieldError,
};

/// The browser's checks: the server's rules on the fields, and a CV of a size we take.
fn check(input: &UploadInput) -> Vec<FieldError> {
    let mut fields = ApplyFields::default();
    for (name, value) in &input.fields {
        fields.set(name, value.clone());
    }
    let mut problems = check_application(&fields).err().unwrap_or_default();
    match input.files.iter().find(|(field, _, _)| field == "cv") {
        None => problems.push(missing_cv()),
        Some((_, _, size)) => problems.extend(cv_size(*size).err()),
    }
    // In the order the form shows them, so the first one gets the focus.
    const ORDER: [&str; 7] = [
        "name",
        "email",
        "phone",
        "cv",
        "links",
        "cover_letter",
        "consent",
    ];
    problems.sort_by_key(|p| {
        ORDER
            .iter()
            .position(|f| *f == p.field)
            .unwrap_or(ORDER.len())
    });
    problems
}

#[component]
pub fn ApplyForm(
    org_slug: String,
    job_slug: String,
    job_title: String,
    org_name: String,
    retention_months: u32,
) -> impl IntoView {
    // A plain post that succeeded comes back with `?applied` (the address is not repeated in
    // the address bar); with the wasm, the answer names it.
    let query = use_query_map();
    let sent_plain = query.with_untracked(|q| q.get("applied").is_some());
    let applied = RwSignal::new(sent_plain.then_some(None::<String>));
    let (links, letter) = (RwSignal::new(String::new()), RwSignal::new(String::new()));
    let consent = consent_text(&org_name, retention_months);
    let done = Callback::new(move |answer: Applied| {
        applied.set(Some(Some(answer.email)));
        #[cfg(feature = "hydrate")]
        if let Some(heading) = document().get_element_by_id("apply-heading") {
            heading.scroll_into_view();
        }
    });
    let heading = format!("Apply for {job_title}");
    let action = apply_path(&org_slug, &job_slug);
    view! {
        <section id="apply" class="panel apply" aria-labelledby="apply-heading">
            <h2 id="apply-heading" tabindex="-1">{heading}</h2>
            {move || match applied.get() {
                Some(email) => view! {
                    <div class="apply-done" role="status" data-applied="">
                        <p><strong>"Application sent. Thank you!"</strong></p>
                        <p>{match email {
                            Some(email) => format!("We sent a private link to {email}: use it to follow your application, withdraw it or ask for your data to be deleted."),
                            None => "We sent a private link to your e-mail address: use it to follow your application, withdraw it or ask for your data to be deleted.".to_owned(),
                        }}</p>
                        <p class="hint">"No e-mail within a few minutes? Look in your spam folder."</p>
                    </div>
                }.into_any(),
                None => {
                    let consent = consent.clone();
                    view! {
                    <UploadForm action=action.clone() id="apply-form" validate=check done class="form">
                        <Field name="name" label="Full name" autocomplete="name" required=true/>
                        <Field name="email" label="E-mail" kind="email" autocomplete="email" required=true
                            hint="We send a private link here to follow your application."/>
                        <Field name="phone" label="Phone (optional)" kind="tel" autocomplete="tel" inputmode="tel"/>
                        <FileField name="cv" label="CV" accept=CV_ACCEPT required=true
                            hint="PDF, Word (DOCX), text or Markdown, 10 MB at most."/>
                        <TextArea name="links" label="Links (optional): LinkedIn, GitHub, portfolio, one per line" bind=links rows=3/>
                        <TextArea name="cover_letter" label="Cover letter (optional)" bind=letter rows=6/>
                        // People never see this field; a form that fills it is a bot's.
                        <div class="honeypot" aria-hidden="true">
                            <label for="apply-form-website">"Leave this field empty"</label>
                            <input id="apply-form-website" name=HONEYPOT_FIELD type="text" tabindex="-1" autocomplete="off"/>
                        </div>
                        <CheckField name="consent" label=consent required=true/>
                        <FormError/>
                        <Submit label="Send application" pending="Sending…"/>
                    </UploadForm>
                }.into_any()
                }
            }}
        </section>
    }
}
