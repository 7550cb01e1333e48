//! Creating an organisation.

use super::api::CreateOrganisation;
use crate::{
    form::{Field, Form, FormError, Submit},
    session::Session,
};
use leptos::prelude::*;
use leptos_meta::Title;
use shared::validation::{slugify, FieldError};

fn check(input: &CreateOrganisation) -> Vec<FieldError> {
    shared::orgs::check_new_organisation(&input.name, &input.slug)
}

#[component]
pub fn NewOrganisationPage() -> impl IntoView {
    let action = ServerAction::<CreateOrganisation>::new();
    Session::get().watch(action);
    let slug = RwSignal::new(String::new());
    // The address follows the name until someone edits it.
    let slug_edited = RwSignal::new(false);
    let follow_name = Callback::new(move |name: String| {
        if !slug_edited.get_untracked() {
            slug.set(slugify(&name));
        }
    });
    let edit_slug = Callback::new(move |_: String| slug_edited.set(true));
    view! {
        <Title text="New organisation"/>
        <section class="panel narrow">
            <h1>"Create an organisation"</h1>
            <p>"An organisation holds your jobs, candidates and team. You will be its owner."</p>
            <Form action id="org" validate=check class="form">
                <Field name="name" label="Name" required=true on_input=follow_name/>
                <Field name="slug" label="Address" prefix="/o/" bind=slug on_input=edit_slug
                    hint="Lower-case letters, digits and hyphens. Leave it empty to derive it from the name."/>
                <FormError/>
                <Submit label="Create organisation" pending="Creating…"/>
            </Form>
        </section>
    }
}
