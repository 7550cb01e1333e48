//! The pages outside any feature: the start page, "not found" and "offline".

use crate::{session::Session, widgets::ErrorPanel};
use leptos::prelude::*;
use leptos_meta::{Meta, Title};
use leptos_router::components::Redirect;

/// `/`: the landing page, or straight into the organisation the person last used.
#[component]
pub fn Home() -> impl IntoView {
    let session = Session::get();
    view! {
        <Title text=""/>
        // Each public page describes itself (the careers pages their jobs).
        <Meta name="description" content="Talentloom: hire and grow people, with private AI."/>
        <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match session.me.await {
                    Ok(Some(me)) => view! { <Redirect path=me.home_path()/> }.into_any(),
                    Ok(None) => view! { <Landing/> }.into_any(),
                    Err(error) => view! { <ErrorPanel error/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn Landing() -> impl IntoView {
    view! {
        <section class="hero">
            <h1>"Hire and grow people, with AI that stays on your server."</h1>
            <p>"Publish jobs, rank candidates with an embedding model that runs here, talk in real time, and keep track of your team's skills."</p>
            <div class="actions">
                <a class="button button-primary" href="/signup">"Create an account"</a>
                <a class="button" href="/signin">"Sign in"</a>
            </div>
        </section>
    }
}

#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(res) = use_context::<leptos_axum::ResponseOptions>() {
        res.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        <Title text="Not found"/>
        <section class="panel">
            <h1>"Page not found"</h1>
            <p>"There is nothing at this address. "<a href="/">"Go to the start page"</a>"."</p>
        </section>
    }
}

/// Where the service worker sends a navigation when the server cannot be reached
/// (`/offline?from=<the page asked for>`). It goes back there by itself as soon as the server
/// answers again.
#[component]
pub fn Offline() -> impl IntoView {
    let query = leptos_router::hooks::use_query_map();
    let back_to = move || {
        query
            .read()
            .get("from")
            .as_deref()
            .and_then(shared::validation::return_path)
            .unwrap_or("/")
            .to_owned()
    };
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| return_when_reachable(back_to()));
    view! {
        <Title text="Offline"/>
        <section class="panel" aria-live="polite">
            <h1>"You are offline"</h1>
            <p>"Talentloom cannot reach its server right now. This page goes back to where you were as soon as the connection returns."</p>
            <p><a class="button" href=back_to>"Try again"</a></p>
        </section>
    }
}

/// Asks the server whether it answers, at once when the browser says it is online again and
/// every few seconds meanwhile; when it does, goes to `path`.
#[cfg(feature = "hydrate")]
fn return_when_reachable(path: String) {
    use wasm_bindgen::{closure::Closure, JsCast};
    let check = {
        let path = path.clone();
        move || {
            let path = path.clone();
            leptos::task::spawn_local(async move {
                if crate::realtime::server_answers().await {
                    if let Some(window) = web_sys::window() {
                        let _ = window.location().replace(&path);
                    }
                }
            });
        }
    };
    let on_online = Closure::<dyn FnMut()>::new(check.clone());
    if let Some(window) = web_sys::window() {
        let _ =
            window.add_event_listener_with_callback("online", on_online.as_ref().unchecked_ref());
    }
    // Lives as long as the page.
    on_online.forget();
    gloo_timers::callback::Interval::new(3_000, check).forget();
}
