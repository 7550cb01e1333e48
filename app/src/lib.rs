//! Talentloom's user interface and server-function signatures. Compiled twice: with `ssr` into
//! the server (rendering HTML, running server-function bodies) and with `hydrate` into the wasm.
//!
//! One folder per feature (`accounts`, `orgs`, `mail`, `matching`, `queue`), each with its pages,
//! its server functions (`api.rs`) and, under `ssr`, the seam trait the server implements
//! (`seam.rs`). See ARCHITECTURE.md.
// Deny, not forbid: `pages` allows what `#[lazy_route]` expands to (see there).
#![deny(unsafe_code)]

pub mod accounts;
pub mod applications;
pub mod candidates;
pub mod careers;
pub mod chat;
mod confirm;
pub mod error;
pub mod form;
mod home;
pub mod jobs;
mod layout;
pub mod mail;
pub mod matching;
pub mod notifications;
pub mod orgs;
mod pages;
pub mod pipeline;
pub mod queue;
mod realtime;
#[cfg(feature = "ssr")]
pub mod seam;
mod session;
#[cfg(feature = "ssr")]
pub use session::KnownUser;
pub mod time;
mod toast;
mod widgets;

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, HashedStylesheet, Link, Meta, MetaTags, Title};
use leptos_router::{
    components::{Route, Router, Routes},
    path, Lazy, SsrMode,
};

pub use session::Session;

/// The HTML document around the app. Rendered only on the server.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    set_content_security_policy();
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1, viewport-fit=cover"/>
                <AutoReload options=options.clone()/>
                <HashedStylesheet options=options.clone() id="leptos"/>
                <HydrationScripts options defer=hydrate_when_idle()/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

/// Whether the page at `path` runs its code when the browser is first idle, and is sent without
/// the hints that fetch that code ahead of it (the server's `code_hints`): pages that work whole
/// without it, so their text is never waiting behind the wasm on a slow phone (Lighthouse,
/// docs/BENCHMARKS.md). The careers pages, and a job's board (its filters are a GET form, a
/// card's "Move" a plain form). Other pages hydrate at once.
pub fn hydrates_when_idle(path: &str) -> bool {
    let parts: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    matches!(
        parts.as_slice(),
        ["careers", _, ..] | ["o", _, "jobs", _, "board"]
    )
}

/// [`hydrates_when_idle`] for the page being rendered.
fn hydrate_when_idle() -> bool {
    #[cfg(feature = "ssr")]
    {
        use_context::<http::request::Parts>()
            .is_some_and(|parts| hydrates_when_idle(parts.uri.path()))
    }
    #[cfg(not(feature = "ssr"))]
    {
        false
    }
}

/// Sends the nonce-based Content-Security-Policy for this HTML response. The nonce is the one
/// Leptos puts on its hydration scripts, so only those (and what they load) run.
#[cfg(feature = "ssr")]
fn set_content_security_policy() {
    let (Some(nonce), Some(res)) = (
        leptos::nonce::use_nonce(),
        use_context::<leptos_axum::ResponseOptions>(),
    ) else {
        return;
    };
    let policy = format!(
        "default-src 'self'; script-src 'nonce-{nonce}' 'strict-dynamic' 'wasm-unsafe-eval'; \
         style-src 'self' 'nonce-{nonce}'; img-src 'self' data:; connect-src 'self'; \
         worker-src 'self'; manifest-src 'self'; object-src 'none'; base-uri 'none'; \
         form-action 'self'; frame-ancestors 'none'"
    );
    if let Ok(value) = http::HeaderValue::from_str(&policy) {
        res.insert_header(http::header::CONTENT_SECURITY_POLICY, value);
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    toast::provide_toasts();
    let session = Session::provide();
    realtime::connect(session);
    // True from a click on a link until the new page's code and data are in (the address changes
    // first; the page shown until then is the one left).
    let (routing, set_routing) = signal(false);

    view! {
        <Title formatter=|text: String| if text.is_empty() { "Talentloom".to_owned() } else { format!("{text} · Talentloom") }/>
        <Meta name="color-scheme" content="light dark"/>
        <Meta name="theme-color" content="#3b5bdb"/>
        <Link rel="manifest" href="/manifest.webmanifest"/>
        <Link rel="icon" href="/icons/icon.svg"/>
        <Link rel="apple-touch-icon" href="/icons/icon-192.png"/>
        <Router set_is_routing=set_routing>
            <layout::Frame routing>
                <Routes fallback=home::NotFound>
                    <Route path=path!("/") view=home::Home/>
                    <Route path=path!("/signup") view={Lazy::<pages::SignUp>::new()}/>
                    <Route path=path!("/signin") view={Lazy::<pages::SignIn>::new()}/>
                    <Route path=path!("/forgot-password") view={Lazy::<pages::ForgotPassword>::new()}/>
                    <Route path=path!("/account") view={Lazy::<pages::Account>::new()}/>
                    <Route path=path!("/notifications") view={Lazy::<pages::Notifications>::new()}/>
                    <Route path=path!("/account/reset/:token") view={Lazy::<pages::ResetPassword>::new()}/>
                    <Route path=path!("/account/confirm/:token") view={Lazy::<pages::ConfirmEmail>::new()}/>
                    <Route path=path!("/orgs/new") view={Lazy::<pages::NewOrganisation>::new()}/>
                    <Route path=path!("/o/:slug") view={Lazy::<pages::Dashboard>::new()}/>
                    <Route path=path!("/o/:slug/team") view={Lazy::<pages::Team>::new()}/>
                    <Route path=path!("/o/:slug/chat") view={Lazy::<pages::Chat>::new()}/>
                    <Route path=path!("/o/:slug/chat/:conversation") view={Lazy::<pages::Chat>::new()}/>
                    <Route path=path!("/o/:slug/settings") view={Lazy::<pages::OrgSettings>::new()}/>
                    <Route path=path!("/o/:slug/outbox") view={Lazy::<pages::Outbox>::new()}/>
                    <Route path=path!("/o/:slug/admin/jobs") view={Lazy::<pages::BackgroundJobs>::new()}/>
                    <Route path=path!("/o/:slug/match") view={Lazy::<pages::Match>::new()}/>
                    <Route path=path!("/o/:slug/jobs") view={Lazy::<pages::Jobs>::new()}/>
                    <Route path=path!("/o/:slug/jobs/new") view={Lazy::<pages::NewJob>::new()}/>
                    <Route path=path!("/o/:slug/jobs/:job") view={Lazy::<pages::Job>::new()}/>
                    <Route path=path!("/o/:slug/candidates") view={Lazy::<pages::Candidates>::new()}/>
                    <Route path=path!("/o/:slug/candidates/new") view={Lazy::<pages::AddCandidate>::new()}/>
                    <Route path=path!("/o/:slug/candidates/:id") view={Lazy::<pages::Candidate>::new()}/>
                    // Streamed: in two CI runs an `SsrMode::Async` board was answered without
                    // the shell's Content-Security-Policy (not understood; never seen locally in
                    // 2,400 requests). `code_hints` reads it whole before sending it.
                    <Route path=path!("/o/:slug/jobs/:job/board") view={Lazy::<pages::Board>::new()}/>
                    <Route path=path!("/o/:slug/applications/:id") view={Lazy::<pages::Application>::new()}/>
                    <Route path=path!("/o/:slug/jobs/:job/edit") view={Lazy::<pages::EditJob>::new()}/>
                    <Route path=path!("/invite/:token") view={Lazy::<pages::Invite>::new()}/>
                    // Whole pages in one response: they must work without JavaScript.
                    <Route path=path!("/careers/:org") view={Lazy::<pages::Careers>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/careers/:org/:job") view={Lazy::<pages::CareersJob>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/a/:token") view={Lazy::<pages::ApplicationStatus>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/offline") view=home::Offline/>
                </Routes>
            </layout::Frame>
        </Router>
        <toast::ToastHost/>
    }
}
