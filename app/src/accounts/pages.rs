//! Sign-up and sign-in.

use super::{
    api::{SignIn, SignUp},
    strength::StrengthMeter,
};
use crate::{
    form::{Field, Form, FormError, Submit},
    session::Session,
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use shared::validation::FieldError;

fn check_sign_up(input: &SignUp) -> Vec<FieldError> {
    shared::accounts::check_sign_up(&input.name, &input.email, &input.password)
}

fn check_sign_in(input: &SignIn) -> Vec<FieldError> {
    shared::accounts::check_sign_in(&input.email, &input.password)
}

#[component]
pub fn SignUpPage() -> impl IntoView {
    let action = ServerAction::<SignUp>::new();
    Session::get().watch(action);
    let (name, email, password) = (
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
    );
    view! {
        <Title text="Create account"/>
        <section class="panel narrow">
            <h1>"Create your account"</h1>
            <Form action id="signup" validate=check_sign_up class="form">
                <Field name="name" label="Your name" autocomplete="name" required=true bind=name/>
                <Field name="email" label="E-mail" kind="email" autocomplete="email" required=true bind=email/>
                <Field name="password" label="Password" kind="password" autocomplete="new-password" required=true
                    bind=password hint="At least 12 characters. A few unrelated words work well."/>
                <StrengthMeter password email name/>
                <FormError/>
                <Submit label="Create account" pending="Creating your account…"/>
            </Form>
            <p>"Already have an account? "<a href="/signin">"Sign in"</a></p>
        </section>
    }
}

#[component]
pub fn SignInPage() -> impl IntoView {
    let action = ServerAction::<SignIn>::new();
    Session::get().watch(action);
    let query = use_query_map();
    let next = move || query.read().get("next").unwrap_or_default();
    view! {
        <Title text="Sign in"/>
        <section class="panel narrow">
            <h1>"Sign in"</h1>
            <Form action id="signin" validate=check_sign_in class="form">
                <input type="hidden" name="next" value=next/>
                <Field name="email" label="E-mail" kind="email" autocomplete="username" required=true/>
                <Field name="password" label="Password" kind="password" autocomplete="current-password" required=true/>
                <FormError/>
                <Submit label="Sign in" pending="Signing in…"/>
            </Form>
            <p><a href="/forgot-password">"Forgot your password?"</a></p>
            <p>"New here? "<a href="/signup">"Create an account"</a></p>
        </section>
    }
}
