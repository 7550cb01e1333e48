//! A forgotten password and links from e-mail: `/forgot-password`, `/account/reset/:token`
//! (choose a new password) and `/account/confirm/:token` (confirm an address).

use super::{
    api::{get_account_link, ConfirmEmail, ForgotPassword, ResetPassword},
    strength::StrengthMeter,
};
use crate::{
    form::{Field, Form, FormError, Submit},
    session::Session,
    toast::{use_toasts, ToastKind},
    widgets::ErrorPanel,
};
use leptos::prelude::*;
use leptos_meta::{Meta, Title};
use leptos_router::hooks::{use_params_map, use_query_map};
use shared::{accounts::LinkPurpose, validation::FieldError};

#[component]
pub fn ForgotPasswordPage() -> impl IntoView {
    let action = ServerAction::<ForgotPassword>::new();
    let query = use_query_map();
    // Before the wasm, the server sends the browser back here with `sent`.
    let sent =
        move || matches!(action.value().get(), Some(Ok(_))) || query.read().get("sent").is_some();
    view! {
        <Title text="Forgot password"/>
        <section class="panel narrow">
            <h1>"Forgot your password?"</h1>
            <Show when=sent fallback=move || view! {
                <p>"Type the address you sign in with. We send it a link to choose a new password."</p>
                <Form action id="forgot" validate=check_forgot class="form">
                    <Field name="email" label="E-mail" kind="email" autocomplete="username" required=true/>
                    <FormError/>
                    <Submit label="Send the link" pending="Sending…"/>
                </Form>
            }>
                <div role="status">
                    <p>"If an account uses this address, a link to choose a new password is on its way. It works once, for one hour."</p>
                    <p class="hint">"Nothing after a few minutes? Look in the spam folder, or ask again."</p>
                </div>
            </Show>
            <p><a href="/signin">"Back to sign in"</a></p>
        </section>
    }
}

fn check_forgot(input: &ForgotPassword) -> Vec<FieldError> {
    shared::accounts::check_forgot_password(&input.email)
}

fn use_token() -> Signal<String> {
    let params = use_params_map();
    Signal::derive(move || params.read().get("token").unwrap_or_default())
}

#[component]
pub fn ResetPasswordPage() -> impl IntoView {
    let token = use_token();
    let link = Resource::new(move || token.get(), get_account_link);
    let action = ServerAction::<ResetPassword>::new();
    Session::get().watch(action);
    let toasts = use_toasts();
    Effect::new(move |_| {
        if let Some(Ok(_)) = action.value().get() {
            toasts.push(
                ToastKind::Success,
                "Your new password is set. Every other place you were signed in is signed out.",
            );
        }
    });
    let password = RwSignal::new(String::new());
    view! {
        <Title text="Choose a new password"/>
        // The address holds a secret: never sent to another site.
        <Meta name="referrer" content="no-referrer"/>
        <section class="panel narrow">
            <h1>"Choose a new password"</h1>
            <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match link.await {
                        Ok(link) if link.purpose == LinkPurpose::ResetPassword => {
                            let email = RwSignal::new(link.email.clone());
                            view! {
                                <p>"For "<strong>{link.email.clone()}</strong>". You will be signed out everywhere else."</p>
                                <Form action id="reset" validate=check_reset class="form">
                                    <input type="hidden" name="token" value=token.get_untracked()/>
                                    <input type="text" name="username" autocomplete="username" value=link.email hidden=""/>
                                    <Field name="password" label="New password" kind="password" autocomplete="new-password"
                                        required=true bind=password hint="At least 12 characters. A few unrelated words work well."/>
                                    <StrengthMeter password email/>
                                    <FormError/>
                                    <Submit label="Set the new password" pending="Saving…"/>
                                </Form>
                            }.into_any()
                        }
                        Ok(_) => view! { <DeadLink/> }.into_any(),
                        Err(error) => view! { <ErrorPanel error/><p><a href="/forgot-password">"Ask for a new link"</a></p> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

fn check_reset(input: &ResetPassword) -> Vec<FieldError> {
    shared::accounts::check_new_password(&input.password)
}

#[component]
fn DeadLink() -> impl IntoView {
    view! {
        <p role="alert">"This link has expired or was used already."</p>
        <p><a href="/forgot-password">"Ask for a new link"</a></p>
    }
}

#[component]
pub fn ConfirmEmailPage() -> impl IntoView {
    let token = use_token();
    let link = Resource::new(move || token.get(), get_account_link);
    let action = ServerAction::<ConfirmEmail>::new();
    Session::get().watch(action);
    let toasts = use_toasts();
    Effect::new(move |_| {
        if let Some(Ok(email)) = action.value().get() {
            toasts.push(ToastKind::Success, format!("{email} is confirmed."));
        }
    });
    view! {
        <Title text="Confirm your address"/>
        <Meta name="referrer" content="no-referrer"/>
        <section class="panel narrow">
            <h1>"Confirm your e-mail address"</h1>
            <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match link.await {
                        Ok(link) if link.purpose != LinkPurpose::ResetPassword => {
                            let what = match link.purpose {
                                LinkPurpose::ChangeEmail => "Use this address for your Talentloom account from now on:",
                                _ => "Confirm that this address is yours:",
                            };
                            view! {
                                <p>{what}" "<strong>{link.email}</strong></p>
                                <Form action id="confirm-email" class="form">
                                    <input type="hidden" name="token" value=token.get_untracked()/>
                                    <FormError/>
                                    <Submit label="Confirm" pending="Confirming…"/>
                                </Form>
                            }.into_any()
                        }
                        Ok(_) => view! { <p role="alert">"This link is not for confirming an address."</p> }.into_any(),
                        Err(error) => view! { <ErrorPanel error/> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}
