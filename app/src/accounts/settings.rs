//! `/account`: the signed-in person's name, e-mail address and password.

use super::{
    api::{get_account_settings, ChangeEmail, ChangePassword, UpdateName},
    strength::StrengthMeter,
};
use crate::{
    form::{Field, Form, FormError, Submit},
    session::{successes, Session},
    toast::{use_toasts, ToastKind},
    widgets::ErrorPanel,
};
use leptos::prelude::*;
use leptos_meta::Title;
use shared::{accounts::AccountSettings, validation::FieldError};

#[component]
pub fn AccountPage() -> impl IntoView {
    let rename = ServerAction::<UpdateName>::new();
    let email = ServerAction::<ChangeEmail>::new();
    let password = ServerAction::<ChangePassword>::new();
    let session = Session::get();
    session.watch(rename);
    let toasts = use_toasts();
    Effect::new(move |_| {
        if let Some(Ok(saved)) = rename.value().get() {
            toasts.push(
                ToastKind::Success,
                format!("Your name is now {}.", saved.name),
            );
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(saved)) = email.value().get() {
            if let Some(pending) = saved.pending_email {
                toasts.push(
                    ToastKind::Success,
                    format!("We sent a link to {pending}. Your address changes when you open it."),
                );
            }
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(())) = password.value().get() {
            toasts.push(
                ToastKind::Success,
                "Your password is changed. Every other place you were signed in is signed out.",
            );
        }
    });
    let (renamed, email_asked) = (successes(rename), successes(email));
    let settings = Resource::new(
        move || (renamed.get(), email_asked.get()),
        |_| get_account_settings(),
    );
    view! {
        <Title text="Your account"/>
        <section class="page-head narrow-page">
            <h1>"Your account"</h1>
        </section>
        <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match settings.await {
                    Ok(settings) => view! { <AccountForms settings rename email password/> }.into_any(),
                    Err(error) => view! { <ErrorPanel error/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn AccountForms(
    settings: AccountSettings,
    rename: ServerAction<UpdateName>,
    email: ServerAction<ChangeEmail>,
    password: ServerAction<ChangePassword>,
) -> impl IntoView {
    let new_password = RwSignal::new(String::new());
    let status = if settings.email_verified {
        "Confirmed.".to_owned()
    } else {
        "Not confirmed yet: open the link we sent to it.".to_owned()
    };
    view! {
        <section class="panel narrow">
            <h2>"Name"</h2>
            <Form action=rename id="account-name" validate=check_name class="form">
                <Field name="name" label="Your name" autocomplete="name" required=true value=settings.name/>
                <FormError/>
                <Submit label="Save name" pending="Saving…"/>
            </Form>
        </section>
        <section class="panel narrow">
            <h2>"E-mail address"</h2>
            <p>"You sign in with "<strong>{settings.email.clone()}</strong>". "{status}</p>
            {settings.pending_email.map(|pending| view! {
                <p class="notice">"Waiting for you to open the link sent to "<strong>{pending}</strong>"."</p>
            })}
            <Form action=email id="account-email" validate=check_email class="form">
                <Field name="email" label="New e-mail address" kind="email" autocomplete="email" required=true
                    hint="We send a link to the new address; your account keeps the current one until you open it."/>
                <Field name="current_password" label="Current password" kind="password" autocomplete="current-password" required=true/>
                <FormError/>
                <Submit label="Change address" pending="Sending the link…"/>
            </Form>
        </section>
        <section class="panel narrow">
            <h2>"Password"</h2>
            <Form action=password id="account-password" validate=check_password class="form">
                <input type="text" name="username" autocomplete="username" value=settings.email hidden=""/>
                <Field name="current_password" label="Current password" kind="password" autocomplete="current-password" required=true/>
                <Field name="password" label="New password" kind="password" autocomplete="new-password" required=true
                    bind=new_password hint="At least 12 characters. A few unrelated words work well."/>
                <StrengthMeter password=new_password/>
                <FormError/>
                <Submit label="Change password" pending="Changing…"/>
            </Form>
            <p class="hint">"Changing it signs you out everywhere else."</p>
        </section>
    }
}

fn check_name(input: &UpdateName) -> Vec<FieldError> {
    shared::validation::problems([shared::validation::display_name("name", &input.name).map(drop)])
}

fn check_email(input: &ChangeEmail) -> Vec<FieldError> {
    shared::accounts::check_change_email(&input.email, &input.current_password)
}

fn check_password(input: &ChangePassword) -> Vec<FieldError> {
    let mut problems = shared::accounts::check_new_password(&input.password);
    if input.current_password.is_empty() {
        problems.insert(
            0,
            FieldError::new("current_password", "Enter your current password."),
        );
    }
    problems
}
