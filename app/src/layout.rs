//! The frame around every page: header with navigation, organisation switcher and user menu.

use crate::{
    accounts::api::{ResendVerification, SignOut},
    notifications::NotificationBell,
    orgs::api::SwitchOrganisation,
    session::Session,
    toast::{use_toasts, ToastKind},
};
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

/// `routing`: a new page is on its way (its code or data still loading).
#[component]
pub fn Frame(routing: ReadSignal<bool>, children: Children) -> impl IntoView {
    let session = Session::get();
    let slug = current_slug();
    let location = use_location();
    // The offline page is a copy cached without anyone signed in: no account links on it.
    let offline = Memo::new(move |_| location.pathname.get() == "/offline");
    #[cfg(feature = "hydrate")]
    menus::close_on_escape_outside_click_and_navigation(location.pathname);
    view! {
        <a class="skip-link" href="#main">"Skip to content"</a>
        <div class="route-progress" aria-hidden="true" hidden=move || !routing.get()></div>
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
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match session.me.await {
                    Ok(Some(me)) if !me.email_verified && !offline.get() => Some(view! { <ConfirmAddressBanner email=me.email/> }),
                    _ => None,
                }
            })}
        </Transition>
        <main id="main" tabindex="-1" aria-busy=move || routing.get().then_some("true")>{children()}</main>
        <footer class="footer">
            <span>"Talentloom: your candidates' data never leaves this server."</span>
        </footer>
    }
}

/// Until the address is confirmed: a reminder, and the link sent again on request.
#[component]
fn ConfirmAddressBanner(email: String) -> impl IntoView {
    let resend = ServerAction::<ResendVerification>::new();
    let toasts = use_toasts();
    Effect::new(move |_| match resend.value().get() {
        Some(Ok(to)) => toasts.push(ToastKind::Success, format!("We sent a new link to {to}.")),
        Some(Err(err)) => toasts.push(ToastKind::Error, err.to_string()),
        None => {}
    });
    view! {
        <aside class="banner" aria-label="Reminder">
            <span>"Confirm your e-mail address: open the link we sent to "<strong>{email}</strong>"."</span>
            <ActionForm action=resend attr:class="inline-form">
                <button type="submit" class="button button-small">"Send it again"</button>
            </ActionForm>
        </aside>
    }
}

#[component]
fn SignedInBar(me: Me, slug: Memo<Option<String>>) -> impl IntoView {
    let session = Session::get();
    let switch_organisation = ServerAction::<SwitchOrganisation>::new();
    let sign_out = ServerAction::<SignOut>::new();
    session.watch(switch_organisation);
    session.watch(sign_out);
    let me = StoredValue::new(me);
    // Read with `try_`: a navigation can reach these closures in the moment after a refreshed
    // session has replaced this bar (and disposed of `me`).
    let current = move || {
        let wanted = slug
            .try_get()
            .flatten()
            .or_else(|| me.try_with_value(|m| m.active_org.clone()).flatten());
        me.try_with_value(|m| wanted.and_then(|s| m.membership(&s).cloned()))
            .flatten()
    };
    let org_label = move || {
        current()
            .map(|m| m.name)
            .unwrap_or_else(|| "Organisations".to_owned())
    };
    let location = use_location();
    // The organisation's pages the person may open: (path, label).
    let pages = move || {
        current()
            .map(|m| {
                let base = format!("/o/{}", m.slug);
                let mut pages = vec![(base.clone(), "Dashboard")];
                if m.role.can(Permission::ViewJobs) {
                    pages.push((format!("{base}/jobs"), "Jobs"));
                }
                if m.role.can(Permission::ViewCandidates) {
                    pages.push((format!("{base}/candidates"), "Candidates"));
                }
                pages.push((format!("{base}/match"), "Match"));
                pages.push((format!("{base}/chat"), "Chat"));
                if m.role.can(Permission::ViewOrganisation) {
                    pages.push((format!("{base}/team"), "Team"));
                }
                if m.role.can(Permission::ViewOutbox) {
                    pages.push((format!("{base}/outbox"), "Outbox"));
                }
                pages
            })
            .unwrap_or_default()
    };
    // How many messages the person has not read here: from the session, then read again a moment
    // after messages or read positions arrive (from any tab: a read elsewhere counts too).
    let unread_read = RwSignal::new(None::<(String, i64)>);
    #[cfg(feature = "hydrate")]
    {
        let live = crate::realtime::Live::get();
        let wave = StoredValue::new(0u64);
        Effect::new(move |ran: Option<()>| {
            live.chat_seen.track();
            if ran.is_none() {
                return;
            }
            let Some(slug) = untrack(current).map(|m| m.slug) else {
                return;
            };
            wave.update_value(|n| *n += 1);
            let this = wave.get_value();
            // One read for a burst of events (a message and the read that follows it).
            set_timeout(
                move || {
                    if wave.try_get_value() != Some(this) {
                        return;
                    }
                    leptos::task::spawn_local(async move {
                        if let Ok(n) = crate::chat::api::unread_messages(slug.clone()).await {
                            let _ = unread_read.try_set(Some((slug, n)));
                        }
                    });
                },
                std::time::Duration::from_millis(300),
            );
        });
    }
    let unread = move || {
        let membership = current()?;
        let n = match unread_read.try_get().flatten() {
            Some((slug, n)) if slug == membership.slug => n,
            _ => membership.unread_messages,
        };
        (n > 0).then_some(n)
    };
    // The links, the current page's marked with `aria-current`.
    let links = move || {
        let here = location.pathname.try_get().unwrap_or_default();
        pages()
            .into_iter()
            .map(|(href, label)| {
                // The page itself, or a page within its section (a job within Jobs, a
                // conversation within Chat; the dashboard has no section).
                let within = href.matches('/').count() > 2 && here.starts_with(&format!("{href}/"));
                let current = if here == href {
                    Some("page")
                } else {
                    within.then_some("true")
                };
                let badge = (label == "Chat").then_some(move || {
                    unread().map(|n| view! {
                    <span class="badge nav-badge">{n}<span class="sr-only">" unread"</span></span>
                })
                });
                view! { <a href=href aria-current=current>{label}{badge}</a> }
            })
            .collect_view()
    };
    let nav = move || {
        view! {
            <nav class="topnav" aria-label="Organisation">{links}</nav>
            // On a phone the same links sit behind one button, so the bar stays one row.
            <details class="menu phone-menu">
                // Unread messages show on the button too, not only behind it.
                <summary>"Menu"{move || unread().map(|n| view! {
                    <span class="badge nav-badge">{n}<span class="sr-only">" unread messages"</span></span>
                })}</summary>
                <nav class="menu-body" aria-label="Organisation (menu)">{links}</nav>
            </details>
        }
    };
    view! {
        <details class="menu org-switcher">
            // The accessible name starts with the visible text, so "click <name>" works by voice.
            <summary aria-label=move || format!("{}: switch organisation", org_label())>{org_label}</summary>
            <div class="menu-body" role="menu">
                {move || me.try_with_value(|m| m.memberships.clone()).unwrap_or_default().into_iter().map(|m| {
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
        <NotificationBell unread=me.with_value(|m| m.unread_notices)/>
        <details class="menu user-menu">
            <summary aria-label=me.with_value(|m| format!("{}: account menu", m.name))>
                // On a phone the name's first letter stands for it (the bar has one row).
                <span class="user-name">{me.with_value(|m| m.name.clone())}</span>
                <span class="user-initial" aria-hidden="true">{me.with_value(|m| m.name.chars().next().map(|c| c.to_uppercase().to_string()).unwrap_or_default())}</span>
            </summary>
            <div class="menu-body" role="menu">
                <p class="menu-note">{me.with_value(|m| m.email.clone())}</p>
                <a class="menu-item" role="menuitem" href="/account">"Account settings"</a>
                <ActionForm action=sign_out>
                    <button type="submit" role="menuitem" class="menu-item">"Sign out"</button>
                </ActionForm>
            </div>
        </details>
    }
}

/// The header's menus are `<details class="menu">`: they open and close with the keyboard and
/// without the wasm; once it runs they also close on Esc (focus back on their button), on a
/// click outside them and when the page changes.
#[cfg(feature = "hydrate")]
mod menus {
    use leptos::{ev, prelude::*};
    use wasm_bindgen::JsCast;
    use web_sys::{HtmlDetailsElement, HtmlElement, Node};

    fn open_menus() -> Vec<HtmlDetailsElement> {
        let Ok(list) = document().query_selector_all("details.menu[open]") else {
            return Vec::new();
        };
        (0..list.length())
            .filter_map(|i| list.get(i))
            .filter_map(|node| node.dyn_into::<HtmlDetailsElement>().ok())
            .collect()
    }

    pub fn close_on_escape_outside_click_and_navigation(pathname: Memo<String>) {
        Effect::new(move |_| {
            pathname.track();
            for menu in open_menus() {
                menu.set_open(false);
            }
        });
        let _ = window_event_listener(ev::keydown, |ev| {
            if ev.key() != "Escape" {
                return;
            }
            for menu in open_menus() {
                menu.set_open(false);
                if let Some(summary) = menu
                    .query_selector("summary")
                    .ok()
                    .flatten()
                    .and_then(|s| s.dyn_into::<HtmlElement>().ok())
                {
                    let _ = summary.focus();
                }
            }
        });
        let _ = window_event_listener(ev::click, |ev| {
            let target = ev.target().and_then(|t| t.dyn_into::<Node>().ok());
            for menu in open_menus() {
                if !menu.contains(target.as_ref()) {
                    menu.set_open(false);
                }
            }
        });
    }
}
