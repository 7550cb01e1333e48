//! The pages outside any feature: the start page, "not found" and "offline".

use crate::{session::Session, widgets::ErrorPanel};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Redirect;

/// `/`: the landing page, or straight into the organisation the person last used.
#[component]
pub fn Home() -> impl IntoView {
    let session = Session::get();
    view! {
        <Title text=""/>
        <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match session.me.await {
                    Ok(Some(me)) => {
                        let target = me
                            .active_org
                            .clone()
                            .filter(|slug| me.membership(slug).is_some())
                            .or_else(|| me.memberships.first().map(|m| m.slug.clone()));
                        let path = target.map_or_else(|| "/orgs/new".to_owned(), |slug| format!("/o/{slug}"));
                        view! { <Redirect path/> }.into_any()
                    }
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

/// Served by the service worker when the network is gone.
#[component]
pub fn Offline() -> impl IntoView {
    view! {
        <Title text="Offline"/>
        <section class="panel">
            <h1>"You are offline"</h1>
            <p>"Talentloom needs a connection to your server for this page. It will work again as soon as you are back online."</p>
        </section>
    }
}
