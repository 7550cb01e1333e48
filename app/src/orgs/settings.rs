//! `/o/:slug/settings`: what owners and admins can change about their organisation, with the
//! server functions that read and write it.

use crate::{
    error::ApiError,
    session::Session,
    toast::{use_toasts, ToastKind},
    widgets::{last_error, ErrorPanel, FieldMessage},
};
use leptos::prelude::*;
use leptos_meta::Title;
use shared::orgs::OrganisationSettings;

#[cfg(feature = "ssr")]
use {
    super::seam::OrgsSeam,
    crate::seam::{self, respond},
};

/// The organisation's settings (owners and admins).
#[server(endpoint = "organisation_settings")]
pub async fn get_organisation_settings(slug: String) -> Result<OrganisationSettings, ApiError> {
    let (orgs, caller) = seam::member::<dyn OrgsSeam>(&slug).await?;
    let input = GetOrganisationSettings { slug };
    respond(orgs.organisation_settings(&caller, input).await)
}

/// Saves the organisation's settings (owners and admins).
#[server(endpoint = "update_organisation")]
pub async fn update_organisation(
    slug: String,
    name: String,
    website: String,
) -> Result<OrganisationSettings, ApiError> {
    let (orgs, caller) = seam::member::<dyn OrgsSeam>(&slug).await?;
    let input = UpdateOrganisation {
        slug,
        name,
        website,
    };
    respond(orgs.update_organisation(&caller, input).await)
}

#[component]
pub fn SettingsPage() -> impl IntoView {
    let slug = crate::session::use_slug();
    let save = ServerAction::<UpdateOrganisation>::new();
    Session::get().watch(save.version());
    let toasts = use_toasts();
    Effect::new(move |_| {
        if let Some(Ok(saved)) = save.value().get() {
            toasts.push(
                ToastKind::Success,
                format!("Saved the settings of {}.", saved.name),
            );
        }
    });
    let settings = Resource::new(
        move || (slug.get(), save.version().get()),
        |(slug, _)| get_organisation_settings(slug),
    );
    view! {
        <Title text="Settings"/>
        <section class="page-head">
            <h1>"Organisation settings"</h1>
        </section>
        <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match settings.await {
                    Ok(settings) => view! { <SettingsForm settings save/> }.into_any(),
                    Err(error) => view! { <ErrorPanel error/> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// The form; both `value` (for the server-rendered page) and `prop:value` (so that the saved,
/// normalised values replace what was typed) are set.
#[component]
fn SettingsForm(
    settings: OrganisationSettings,
    save: ServerAction<UpdateOrganisation>,
) -> impl IntoView {
    let value = last_error(save.value());
    let address = format!("/o/{}", settings.slug);
    view! {
        <section class="panel narrow">
            <ActionForm action=save attr:class="form" attr:novalidate="">
                <input type="hidden" name="slug" value=settings.slug.clone()/>
                <label for="org-name">"Name"</label>
                <input id="org-name" name="name" required value=settings.name.clone() prop:value=settings.name.clone()/>
                <FieldMessage value field="name"/>
                <label for="org-website">"Website"</label>
                <input id="org-website" name="website" type="url" inputmode="url" value=settings.website.clone() prop:value=settings.website.clone() aria-describedby="website-hint"/>
                <p id="website-hint" class="hint">"Optional, for example https://acme.example."</p>
                <FieldMessage value field="website"/>
                <FieldMessage value field=""/>
                <button type="submit" class="button button-primary" disabled=move || save.pending().get()>"Save"</button>
            </ActionForm>
            <p class="hint">"The address "{address}" stays the same."</p>
        </section>
    }
}
