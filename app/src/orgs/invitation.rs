//! Accepting an invitation, as a new or an existing user.

use super::api::{get_invitation, AcceptInvitation};
use crate::{
    accounts::StrengthMeter,
    form::{Field, Form, FormError, Submit},
    session::Session,
    widgets::ErrorPanel,
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

#[component]
pub fn InvitePage() -> impl IntoView {
    let session = Session::get();
    let params = use_params_map();
    let token = move || params.read().get("token").unwrap_or_default();
    let preview = Resource::new(token, get_invitation);
    let accept = ServerAction::<AcceptInvitation>::new();
    session.watch(accept);
    view! {
        <Title text="Invitation"/>
        <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                let me = session.me.await.ok().flatten();
                let preview = match preview.await {
                    Ok(p) => p,
                    Err(error) => return view! { <ErrorPanel error/> }.into_any(),
                };
                let heading = format!("{} invited you to join {} as {}", preview.invited_by, preview.org_name, preview.role.label());
                let body = match (me, preview.account_exists) {
                    (Some(me), _) if me.email == preview.email => view! {
                        <Form action=accept id="accept" class="form">
                            <input type="hidden" name="token" value=token()/>
                            <FormError/>
                            <Submit label="Accept and join" pending="Joining…"/>
                        </Form>
                    }.into_any(),
                    (Some(me), _) => view! {
                        <p>"This invitation is for "<strong>{preview.email.clone()}</strong>", but you are signed in as "<strong>{me.email}</strong>
                        ". Sign out, then open this link again and sign in with the invited address."</p>
                    }.into_any(),
                    (None, true) => view! {
                        <p>"You have a Talentloom account with "<strong>{preview.email.clone()}</strong>". Sign in with it to accept."</p>
                        <a class="button button-primary" href=shared::validation::sign_in_path(&format!("/invite/{}", token()))>"Sign in to accept"</a>
                    }.into_any(),
                    (None, false) => {
                        let (name, password, email) = (RwSignal::new(String::new()), RwSignal::new(String::new()), RwSignal::new(preview.email.clone()));
                        view! {
                        <p>"Create your account for "<strong>{preview.email.clone()}</strong>" to accept."</p>
                        <Form action=accept id="accept" validate=check_new_account class="form">
                            <input type="hidden" name="token" value=token()/>
                            <Field name="name" label="Your name" autocomplete="name" required=true bind=name/>
                            <Field name="password" label="Choose a password" kind="password" autocomplete="new-password" required=true
                                bind=password hint="At least 12 characters. A few unrelated words work well."/>
                            <StrengthMeter password email name/>
                            <FormError/>
                            <Submit label="Create account and join" pending="Creating your account…"/>
                        </Form>
                    }.into_any()
                    }
                };
                view! {
                    <section class="panel narrow">
                        <h1>{heading}</h1>
                        {body}
                    </section>
                }.into_any()
            })}
        </Transition>
    }
}

/// A new account's checks; an existing account's acceptance has nothing to check.
fn check_new_account(input: &AcceptInvitation) -> Vec<shared::validation::FieldError> {
    match (&input.name, &input.password) {
        (Some(name), Some(password)) => shared::accounts::check_new_account(name, password),
        _ => Vec::new(),
    }
}
