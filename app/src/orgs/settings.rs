//! `/o/:slug/settings`: what owners and admins can change about their organisation, with the
//! server functions that read and write it.

use crate::{
    error::ApiError,
    form::{Field, FileField, Form, FormError, Submit, TextArea, UploadForm, UploadInput},
    pipeline::{
        api::{
            get_rejection_settings, get_stage_template, UpdateRejectionSettings,
            UpdateStageTemplate,
        },
        RejectionSettingsForm, StageTemplateForm,
    },
    session::{successes, Session},
    toast::{use_toasts, ToastKind},
    widgets::ErrorPanel,
};
use leptos::prelude::*;
use leptos_meta::Title;
use shared::{
    orgs::{logo_path, logo_size, Logo, LogoSaved, OrganisationSettings},
    validation::FieldError,
};

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
    /// Absent in a form from before this field existed.
    #[server(default)]
    description: String,
    #[server(default)] retention_months: String,
) -> Result<OrganisationSettings, ApiError> {
    let (orgs, caller) = seam::member::<dyn OrgsSeam>(&slug).await?;
    let input = UpdateOrganisation {
        slug,
        name,
        website,
        description,
        retention_months,
    };
    respond(orgs.update_organisation(&caller, input).await)
}

#[component]
pub fn SettingsPage() -> impl IntoView {
    let slug = crate::session::use_slug();
    let save = ServerAction::<UpdateOrganisation>::new();
    Session::get().watch(save);
    let toasts = use_toasts();
    Effect::new(move |_| {
        if let Some(Ok(saved)) = save.value().get() {
            toasts.push(
                ToastKind::Success,
                format!("Saved the settings of {}.", saved.name),
            );
        }
    });
    let saved = successes(save);
    let settings = Resource::new(
        move || (slug.get(), saved.get()),
        |(slug, _)| get_organisation_settings(slug),
    );
    let save_rejections = ServerAction::<UpdateRejectionSettings>::new();
    Effect::new(move |_| {
        if let Some(Ok(_)) = save_rejections.value().get() {
            toasts.push(
                ToastKind::Success,
                "Saved the rejection reasons and e-mail.",
            );
        }
    });
    let saved_rejections = successes(save_rejections);
    let rejections = Resource::new(
        move || (slug.get(), saved_rejections.get()),
        |(slug, _)| get_rejection_settings(slug),
    );
    let save_stages = ServerAction::<UpdateStageTemplate>::new();
    Effect::new(move |_| {
        if let Some(Ok(_)) = save_stages.value().get() {
            toasts.push(ToastKind::Success, "Saved the stages for new jobs.");
        }
    });
    let saved_stages = successes(save_stages);
    let template = Resource::new(
        move || (slug.get(), saved_stages.get()),
        |(slug, _)| get_stage_template(slug),
    );
    view! {
        <Title text="Settings"/>
        <section class="page-head">
            <h1>"Organisation settings"</h1>
        </section>
        <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match settings.await {
                    Ok(settings) => view! {
                        <SettingsForm settings=settings.clone() save/>
                        <LogoForm slug=settings.slug logo=settings.logo/>
                    }
                    .into_any(),
                    Err(error) => view! { <ErrorPanel error/> }.into_any(),
                }
            })}
        </Transition>
        // A part of its own: saving one form re-reads only its own settings, so what is being
        // typed into the other is never redrawn away.
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match rejections.await {
                    Ok(rejections) => view! {
                        <RejectionSettingsForm settings=rejections slug=slug.get_untracked() save=save_rejections/>
                    }
                    .into_any(),
                    Err(error) => view! { <ErrorPanel error/> }.into_any(),
                }
            })}
        </Transition>
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match template.await {
                    Ok(template) => view! {
                        <StageTemplateForm template slug=slug.get_untracked() save=save_stages/>
                    }
                    .into_any(),
                    Err(error) => view! { <ErrorPanel error/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn SettingsForm(
    settings: OrganisationSettings,
    save: ServerAction<UpdateOrganisation>,
) -> impl IntoView {
    let address = format!("/o/{}", settings.slug);
    let careers = format!("/careers/{}", settings.slug);
    let about = RwSignal::new(settings.description.clone());
    view! {
        <section class="panel narrow">
            <Form action=save id="settings" validate=check class="form">
                <input type="hidden" name="slug" value=settings.slug.clone()/>
                <Field name="name" label="Name" required=true value=settings.name/>
                <Field name="website" label="Website" kind="url" inputmode="url" value=settings.website
                    hint="Optional, for example https://acme.example."/>
                <TextArea name="description" label="About the organisation (careers page)" bind=about rows=4
                    placeholder="Optional: a few sentences candidates read above your open jobs."/>
                <Field name="retention_months" label="Keep applicants' data for (months)" kind="number"
                    inputmode="numeric" required=true value=settings.retention_months.to_string()
                    hint="From 1 to 60 months after their last application. Candidates agree to this period when they apply."/>
                <FormError/>
                <Submit label="Save" pending="Saving…"/>
            </Form>
            <p class="hint">"The address "{address}" stays the same. Your careers page: "<a href=careers.clone()>{careers.clone()}</a></p>
        </section>
    }
}

fn check(input: &UpdateOrganisation) -> Vec<FieldError> {
    shared::orgs::check_settings(
        &input.name,
        &input.website,
        &input.description,
        &input.retention_months,
    )
}

/// The browser's check of a chosen logo (the server reads the image itself).
fn check_logo(input: &UploadInput) -> Vec<FieldError> {
    match input.files.iter().find(|(field, _, _)| field == "logo") {
        Some((_, _, size)) => logo_size(*size).err().into_iter().collect(),
        None => vec![FieldError::new(
            "logo",
            "Choose an image file for the logo.",
        )],
    }
}

/// Nothing to check before removing.
fn check_nothing(_: &UploadInput) -> Vec<FieldError> {
    Vec::new()
}

/// The logo on the careers pages: the one now, a new one, or none.
#[component]
fn LogoForm(slug: String, logo: Option<Logo>) -> impl IntoView {
    let logo = RwSignal::new(logo);
    let toasts = use_toasts();
    let done = Callback::new(move |saved: LogoSaved| {
        let message = if saved.logo.is_some() {
            "The new logo is on your careers page."
        } else {
            "Removed the logo from your careers page."
        };
        logo.set(saved.logo);
        toasts.push(ToastKind::Success, message);
    });
    let upload = logo_path(&slug);
    let remove = format!("{upload}?remove=1");
    view! {
        <section id="logo-form" class="panel narrow" aria-labelledby="logo-heading">
            <h2 id="logo-heading">"Logo"</h2>
            {move || match logo.get() {
                Some(logo) => {
                    let (width, height) = logo.scaled_to(64);
                    view! {
                        <img class="org-logo" src=logo.url alt="Your logo as the careers page shows it"
                            width=width height=height/>
                    }
                    .into_any()
                }
                None => view! { <p class="hint">"No logo yet: the careers page shows your name only."</p> }.into_any(),
            }}
            <UploadForm action=upload id="logo" validate=check_logo done class="form">
                <FileField name="logo" label="New logo" accept="image/png,image/jpeg,image/webp" required=true
                    hint="PNG, JPEG or WebP, 1 MB at most, 16 to 4,096 pixels on each side. Shown 64 pixels high."/>
                <FormError/>
                <Submit label="Upload logo" pending="Uploading…"/>
            </UploadForm>
            {move || logo.with(Option::is_some).then(|| view! {
                <UploadForm action=remove.clone() id="logo-remove" validate=check_nothing done class="form inline-form">
                    <FormError/>
                    <Submit label="Remove logo" pending="Removing…" class="button button-danger"/>
                </UploadForm>
            })}
        </section>
    }
}
