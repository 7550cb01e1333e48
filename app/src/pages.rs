//! The pages whose code the browser loads with the page: with `cargo leptos build --split`, each
//! group below is a separate wasm chunk, fetched when one of its pages is first shown (and
//! preloaded with the HTML when it is the page asked for), so the first load carries only what
//! every page needs. The server renders them exactly like any other route.
//!
//! Pages are grouped by who opens them, not one chunk each: every chunk (and the code two chunks
//! share, which becomes a chunk of its own) is one more request, and on a slow link forty small
//! requests cost more than the bytes they save (docs/BENCHMARKS.md).
//!
//! A new page goes in a group here unless it must work before the service worker has run (the
//! home, not-found and offline pages stay in the main module).
//!
//! `#[lazy]` expands to the split loader's `extern` import and its `#[no_mangle]` export, which
//! the unsafe-code lint counts as unsafe; nothing here writes unsafe code itself.
#![allow(unsafe_code)]

use leptos::{lazy, prelude::*};
use leptos_router::LazyRoute;

use crate::{
    accounts, applications, candidates, careers, chat, jobs, mail, matching, notifications, orgs,
    pipeline, queue,
};

/// Declares a group: its pages' route types (`Lazy::<Route>::new()` in the router) and the one
/// lazily loaded function that renders any of them.
macro_rules! page_group {
    ($(#[$doc:meta])* $group:ident($kind:ident), $preload:ident { $($route:ident => $page:path,)* }) => {
        #[derive(Clone, Copy)]
        pub enum $kind {
            $($route,)*
        }

        $(#[$doc])*
        #[lazy]
        fn $group(page: $kind) -> AnyView {
            match page {
                $($kind::$route => $page().into_any(),)*
            }
        }

        $(
            pub struct $route;

            impl LazyRoute for $route {
                fn data() -> Self {
                    Self
                }

                async fn view(_this: Self) -> AnyView {
                    $group($kind::$route).await
                }

                async fn preload() {
                    #[cfg(target_arch = "wasm32")]
                    $preload().await;
                }
            }
        )*
    };
}

page_group! {
    /// Pages for people not signed in, or arriving from a link in an e-mail.
    visitor_pages(VisitorPage), __preload_visitor_pages {
        SignUp => accounts::SignUpPage,
        SignIn => accounts::SignInPage,
        ForgotPassword => accounts::ForgotPasswordPage,
        ResetPassword => accounts::ResetPasswordPage,
        ConfirmEmail => accounts::ConfirmEmailPage,
        Invite => orgs::InvitePage,
        Careers => careers::CareersPage,
        CareersJob => careers::CareersJobPage,
        ApplicationStatus => applications::ApplicationStatusPage,
    }
}

page_group! {
    /// A signed-in person's pages: their account and their organisations.
    member_pages(MemberPage), __preload_member_pages {
        Account => accounts::AccountPage,
        NewOrganisation => orgs::NewOrganisationPage,
        Dashboard => orgs::DashboardPage,
        Team => orgs::TeamPage,
        OrgSettings => orgs::SettingsPage,
        Outbox => mail::OutboxPage,
        BackgroundJobs => queue::BackgroundJobsPage,
        Jobs => jobs::JobsPage,
        NewJob => jobs::NewJobPage,
        Job => jobs::JobPage,
        EditJob => jobs::EditJobPage,
        Candidates => candidates::CandidatesPage,
        AddCandidate => candidates::AddCandidatePage,
        Candidate => candidates::CandidatePage,
        Board => pipeline::BoardPage,
        Application => pipeline::ApplicationPage,
        Chat => chat::ChatPage,
        Notifications => notifications::NotificationsPage,
    }
}

page_group! {
    /// The matching screen, the largest page.
    matching_pages(MatchingPage), __preload_matching_pages {
        Match => matching::MatchPage,
    }
}
