//! Creating an organisation.

use super::api::CreateOrganisation;
use crate::{
    session::Session,
    widgets::{last_error, FieldMessage},
};
use leptos::prelude::*;
use leptos_meta::Title;
use shared::validation::slugify;

#[component]
pub fn NewOrganisationPage() -> impl IntoView {
    let action = ServerAction::<CreateOrganisation>::new();
    Session::get().watch(action.version());
    let value = last_error(action.value());
    let name = RwSignal::new(String::new());
    let slug_edited = RwSignal::new(false);
    let slug = RwSignal::new(String::new());
    view! {
        <Title text="New organisation"/>
        <section class="panel narrow">
            <h1>"Create an organisation"</h1>
            <p>"An organisation holds your jobs, candidates and team. You will be its owner."</p>
            <ActionForm action attr:class="form" attr:novalidate="">
                <label for="org-name">"Name"</label>
                <input id="org-name" name="name" required prop:value=name on:input=move |ev| {
                    let v = event_target_value(&ev);
                    if !slug_edited.get_untracked() { slug.set(slugify(&v)); }
                    name.set(v);
                }/>
                <FieldMessage value field="name"/>
                <label for="org-slug">"Address"</label>
                <div class="input-prefix"><span>"/o/"</span>
                    <input id="org-slug" name="slug" required pattern="[a-z0-9]+(-[a-z0-9]+)*" prop:value=slug on:input=move |ev| {
                        slug_edited.set(true);
                        slug.set(event_target_value(&ev));
                    }/>
                </div>
                <p class="hint">"Lower-case letters, digits and hyphens. Leave it empty to derive it from the name."</p>
                <FieldMessage value field="slug"/>
                <FieldMessage value field=""/>
                <button type="submit" class="button button-primary" disabled=move || action.pending().get()>"Create organisation"</button>
            </ActionForm>
        </section>
    }
}
