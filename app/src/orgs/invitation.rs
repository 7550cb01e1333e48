//! Accepting an invitation, as a new or an existing user.

use super::api::{get_invitation, AcceptInvitation};
use crate::{
    session::Session,
    widgets::{last_error, ErrorPanel, FieldMessage},
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
    session.watch(accept.version());
    let value = last_error(accept.value());
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
                        <ActionForm action=accept attr:class="form">
                            <input type="hidden" name="token" value=token()/>
                            <button type="submit" class="button button-primary">"Accept and join"</button>
                        </ActionForm>
                    }.into_any(),
                    (Some(me), _) => view! {
                        <p>"This invitation is for "<strong>{preview.email.clone()}</strong>", but you are signed in as "<strong>{me.email}</strong>
                        ". Sign out, then open this link again and sign in with the invited address."</p>
                    }.into_any(),
                    (None, true) => view! {
                        <p>"Sign in as "<strong>{preview.email.clone()}</strong>" to accept."</p>
                        <a class="button button-primary" href=format!("/signin?next=/invite/{}", token())>"Sign in to accept"</a>
                    }.into_any(),
                    (None, false) => view! {
                        <p>"Create your account for "<strong>{preview.email.clone()}</strong>" to accept."</p>
                        <ActionForm action=accept attr:class="form" attr:novalidate="">
                            <input type="hidden" name="token" value=token()/>
                            <label for="accept-name">"Your name"</label>
                            <input id="accept-name" name="name" autocomplete="name" required/>
                            <FieldMessage value field="name"/>
                            <label for="accept-password">"Choose a password"</label>
                            <input id="accept-password" name="password" type="password" autocomplete="new-password" minlength="12" required/>
                            <p class="hint">"At least 12 characters. A few unrelated words work well."</p>
                            <FieldMessage value field="password"/>
                            <button type="submit" class="button button-primary">"Create account and join"</button>
                        </ActionForm>
                    }.into_any(),
                };
                view! {
                    <section class="panel narrow">
                        <h1>{heading}</h1>
                        {body}
                        <FieldMessage value field=""/>
                    </section>
                }.into_any()
            })}
        </Transition>
    }
}
