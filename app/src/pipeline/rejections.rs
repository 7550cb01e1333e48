//! The rejection settings on the organisation's Settings page: the reasons a rejection is
//! recorded with, and the e-mail candidates may be sent, with its placeholders.

use super::api::UpdateRejectionSettings;
use crate::form::{Field, Form, FormError, Submit, TextArea};
use leptos::prelude::*;
use shared::{
    pipeline::{check_rejection_settings, RejectionSettings, PLACEHOLDERS},
    validation::FieldError,
};

/// The form, filled with the organisation's `settings` (read with the page's other settings, so
/// the page waits for one thing and hydrates as it was rendered).
#[component]
pub fn RejectionSettingsForm(
    settings: RejectionSettings,
    slug: String,
    save: ServerAction<UpdateRejectionSettings>,
) -> impl IntoView {
    let reasons = RwSignal::new(settings.reasons.join("\n"));
    let body = RwSignal::new(settings.body);
    let placeholders = PLACEHOLDERS
        .iter()
        .map(|(name, meaning)| view! { <li><code>{format!("{{{name}}}")}</code>" "{*meaning}</li> })
        .collect_view();
    view! {
        <section class="panel narrow" aria-labelledby="rejections-heading">
            <h2 id="rejections-heading">"Rejecting applications"</h2>
            <Form action=save id="rejections" validate=check class="form">
                <input type="hidden" name="slug" value=slug/>
                <TextArea name="reasons" label="Reasons to choose from (one per line)" bind=reasons rows=6/>
                <Field name="subject" label="E-mail subject" value=settings.subject required=true/>
                <TextArea name="body" label="E-mail message" bind=body rows=9/>
                <p class="hint">"The hiring team can change the e-mail before it goes, or not send it. Placeholders:"</p>
                <ul class="plain-list placeholders">{placeholders}</ul>
                <FormError/>
                <Submit label="Save reasons and e-mail" pending="Saving…"/>
            </Form>
        </section>
    }
}

fn check(input: &UpdateRejectionSettings) -> Vec<FieldError> {
    check_rejection_settings(&input.reasons, &input.subject, &input.body)
}
