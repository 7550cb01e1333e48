//! The frame around every page: header with navigation, organisation switcher and user menu.

use crate::{accounts::api::SignOut, orgs::api::SwitchOrganisation, session::Session};
use leptos::prelude::*;
use leptos_router::hooks::use_location;
use shared::{accounts::Me, Permission};

/// The organisation slug in the current path (`/o/:slug/...`), if any.
fn current_slug() -> Memo<Option<String>> {
    let location = use_location();
    Memo::new(move |_| {
        let path = location.pathname.get();
        let mut parts = path.trim_start_matches('/').split('/');
        match (parts.next(), parts.next()) {
            (Some("o"), Some(slug)) if !slug.is_empty() => Some(slug.to_owned()),
            _ => None,
        }
    })
}

#[component]
pub fn Frame(children: Children) -> impl IntoView {
    let session = Session::get();
    let slug = current_slug();
    let location = use_location();
    // The offline page is a copy cached without anyone signed in: no account links on it.
    let offline = Memo::new(move |_| location.pathname.get() == "/offline");
    view! {
        <a class="skip-link" href="#main">"Skip to content"</a>
        <header class="topbar">
            <a class="brand" href="/">
                <img src="/icons/icon.svg" alt="" width="28" height="28"/>
                <span>"Talentloom"</span>
            </a>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    match session.me.await {
                        _ if offline.get() => ().into_any(),
                        Ok(Some(me)) => view! { <SignedInBar me slug/> }.into_any(),
                        _ => view! {
                            <nav class="topnav" aria-label="Account">
                                <a href="/signin">"Sign in"</a>
                                <a class="button" href="/signup">"Create account"</a>
                            </nav>
                        }.into_any(),
                    }
                })}
            </Transition>
        </header>
        <main id="main" tabindex="-1">{children()}</main>
        <footer class="footer">
            <span>"Talentloom: your candidates' data never leaves this server."</span>
        </footer>
    }
}

#[component]
fn SignedInBar(me: Me, slug: Memo<Option<String>>) -> impl IntoView {
    let session = Session::get();
    let switch_organisation = ServerAction::<SwitchOrganisation>::new();
    let sign_out = ServerAction::<SignOut>::new();
    session.watch(switch_organisation.version());
    session.watch(sign_out.version());
    let me = StoredValue::new(me);
    let current = move || {
        let wanted = slug
            .get()
            .or_else(|| me.with_value(|m| m.active_org.clone()));
        me.with_value(|m| wanted.and_then(|s| m.membership(&s).cloned()))
    };
    let nav = move || {
        current().map(|m| {
            let base = format!("/o/{}", m.slug);
            let team = m
                .role
                .can(Permission::ViewOrganisation)
                .then(|| view! { <a href=format!("{base}/team")>"Team"</a> });
            let outbox = m
                .role
                .can(Permission::ViewOutbox)
                .then(|| view! { <a href=format!("{base}/outbox")>"Outbox"</a> });
            view! {
                <nav class="topnav" aria-label="Organisation">
                    <a href=base.clone()>"Dashboard"</a>
                    <a href=format!("{base}/match")>"Match"</a>
                    {team}
                    {outbox}
                </nav>
            }
        })
    };
    view! {
        <details class="menu org-switcher">
            <summary aria-label="Switch organisation">
                {move || current().map(|m| m.name).unwrap_or_else(|| "Organisations".to_owned())}
            </summary>
            <div class="menu-body" role="menu">
                {move || me.with_value(|m| m.memberships.clone()).into_iter().map(|m| {
                    let active = current().is_some_and(|c| c.slug == m.slug);
                    view! {
                        <ActionForm action=switch_organisation>
                            <input type="hidden" name="slug" value=m.slug.clone()/>
                            <button type="submit" role="menuitem" class="menu-item" aria-current=active.then_some("true")>
                                <span>{m.name.clone()}</span>
                                <small>{m.role.label()}</small>
                            </button>
                        </ActionForm>
                    }
                }).collect_view()}
                <a class="menu-item" role="menuitem" href="/orgs/new">"+ New organisation"</a>
            </div>
        </details>
        {nav}
        <details class="menu user-menu">
            <summary aria-label="Account menu">{me.with_value(|m| m.name.clone())}</summary>
            <div class="menu-body" role="menu">
                <p class="menu-note">{me.with_value(|m| m.email.clone())}</p>
                <ActionForm action=sign_out>
                    <button type="submit" role="menuitem" class="menu-item">"Sign out"</button>
                </ActionForm>
            </div>
        </details>
    }
}
