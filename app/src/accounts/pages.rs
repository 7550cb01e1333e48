//! Sign-up and sign-in.

use super::api::{SignIn, SignUp};
use crate::{
    session::Session,
    widgets::{last_error, FieldMessage},
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn SignUpPage() -> impl IntoView {
    let action = ServerAction::<SignUp>::new();
    Session::get().watch(action.version());
    let value = last_error(action.value());
    view! {
        <Title text="Create account"/>
        <section class="panel narrow">
            <h1>"Create your account"</h1>
            <ActionForm action attr:class="form" attr:novalidate="">
                <label for="signup-name">"Your name"</label>
                <input id="signup-name" name="name" autocomplete="name" required/>
                <FieldMessage value field="name"/>
                <label for="signup-email">"E-mail"</label>
                <input id="signup-email" name="email" type="email" autocomplete="email" required/>
                <FieldMessage value field="email"/>
                <label for="signup-password">"Password"</label>
                <input id="signup-password" name="password" type="password" autocomplete="new-password" minlength="12" required aria-describedby="password-hint"/>
                <p id="password-hint" class="hint">"At least 12 characters. A few unrelated words work well."</p>
                <FieldMessage value field="password"/>
                <FieldMessage value field=""/>
                <button type="submit" class="button button-primary" disabled=move || action.pending().get()>"Create account"</button>
            </ActionForm>
            <p>"Already have an account? "<a href="/signin">"Sign in"</a></p>
        </section>
    }
}

#[component]
pub fn SignInPage() -> impl IntoView {
    let action = ServerAction::<SignIn>::new();
    Session::get().watch(action.version());
    let value = last_error(action.value());
    let query = use_query_map();
    let next = move || query.read().get("next").unwrap_or_default();
    view! {
        <Title text="Sign in"/>
        <section class="panel narrow">
            <h1>"Sign in"</h1>
            <ActionForm action attr:class="form" attr:novalidate="">
                <input type="hidden" name="next" value=next/>
                <label for="signin-email">"E-mail"</label>
                <input id="signin-email" name="email" type="email" autocomplete="username" required/>
                <FieldMessage value field="email"/>
                <label for="signin-password">"Password"</label>
                <input id="signin-password" name="password" type="password" autocomplete="current-password" required/>
                <FieldMessage value field="password"/>
                <FieldMessage value field=""/>
                <button type="submit" class="button button-primary" disabled=move || action.pending().get()>"Sign in"</button>
            </ActionForm>
            <p>"New here? "<a href="/signup">"Create an account"</a></p>
        </section>
    }
}
