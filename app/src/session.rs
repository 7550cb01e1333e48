//! Who is signed in, shared by every page through context.

use crate::{accounts::api::current_user, error::ApiError};
use leptos::{prelude::*, server_fn::ServerFn};
use leptos_router::hooks::use_params_map;
use shared::{accounts::Me, orgs::Membership};

/// The organisation slug of the page's route (`/o/:slug/…`), as a signal.
pub fn use_slug() -> Signal<String> {
    let params = use_params_map();
    Signal::derive(move || params.read().get("slug").unwrap_or_default())
}

/// The signed-in person, re-read whenever an action that can change it completes.
///
/// Pages create their own actions (so that, without wasm, Leptos hands them the error of a plain
/// form post) and register them with [`Session::watch`].
#[derive(Clone, Copy)]
pub struct Session {
    pub me: Resource<Result<Option<Me>, ApiError>>,
    refresh: RwSignal<u64>,
    /// Bumped by every realtime event, so lists that events can change re-read themselves.
    pub live: RwSignal<u64>,
}

/// Who is signed in, read by the server before it renders a page (`server::accounts::gate::known_user`)
/// and handed to the render in the request's extensions.
///
/// With it, [`Session::me`] is ready the moment it is created, on the server: every part of a
/// page that waits for it (the header, the banner, the page itself) finds it loaded, instead of
/// each waiting for one shared load. A load shared by several boundaries is what left a whole
/// page waiting forever, now and then, under load (the 408s of the careers-page test in CI).
#[cfg(feature = "ssr")]
#[derive(Clone, Debug)]
pub struct KnownUser(pub Result<Option<Me>, ApiError>);

/// The [`KnownUser`] of the request being rendered, if the server read it.
fn known_user() -> Option<Result<Option<Me>, ApiError>> {
    #[cfg(feature = "ssr")]
    {
        use_context::<http::request::Parts>()
            .and_then(|parts| parts.extensions.get::<KnownUser>().map(|k| k.0.clone()))
    }
    #[cfg(not(feature = "ssr"))]
    {
        None
    }
}

impl Session {
    pub fn provide() -> Self {
        let refresh = RwSignal::new(0);
        let live = RwSignal::new(0);
        let known = known_user();
        let me = Resource::new(
            move || (refresh.get(), live.get()),
            move |_| {
                let known = known.clone();
                async move {
                    match known {
                        Some(known) => known,
                        None => current_user().await,
                    }
                }
            },
        );
        let session = Self { me, refresh, live };
        provide_context(session);
        session
    }

    pub fn get() -> Self {
        expect_context::<Self>()
    }

    /// Re-reads the signed-in person each time `action` succeeds (or finds nobody signed in).
    /// A failed action changed nothing: re-reading then would re-render the page and lose its
    /// error and what was typed.
    pub fn watch<S>(self, action: ServerAction<S>)
    where
        S: ServerFn<Error = ApiError> + Clone + Send + Sync + 'static,
        S::Output: Send + Sync + 'static,
    {
        let successes = successes(action);
        let value = action.value();
        Effect::new(move |_| {
            let signed_out = value.with(|v| matches!(v, Some(Err(ApiError::Unauthenticated))));
            if successes.get() > 0 || signed_out {
                self.refresh.update(|n| *n += 1);
            }
        });
    }

    /// The signed-in person and their membership of the organisation `slug`: what every page
    /// inside an organisation starts from. `Unauthenticated` when nobody is signed in,
    /// `NotFound` when they do not belong to it.
    pub async fn me_and_membership(self, slug: &str) -> Result<(Me, Membership), ApiError> {
        let me = self.me.await?.ok_or(ApiError::Unauthenticated)?;
        let membership = me.membership(slug).cloned().ok_or(ApiError::NotFound)?;
        Ok((me, membership))
    }

    /// The membership of the organisation `slug` (see [`Session::me_and_membership`]).
    pub async fn membership(self, slug: &str) -> Result<Membership, ApiError> {
        self.me_and_membership(slug).await.map(|(_, m)| m)
    }
}

/// Counts the times `action` succeeded: what a resource that the action changes should re-read
/// on (its version also counts failures, and re-reading then re-renders the form).
pub fn successes<S>(action: ServerAction<S>) -> Signal<usize>
where
    S: ServerFn<Error = ApiError> + Clone + Send + Sync + 'static,
    S::Output: Send + Sync + 'static,
{
    let (version, value) = (action.version(), action.value());
    let count = RwSignal::new(0usize);
    // Leptos sets the value and then the version of a finished action, so when the version
    // moves the value is the new one.
    Effect::new(move |seen: Option<usize>| {
        let now = version.get();
        if seen.is_some_and(|seen| seen != now)
            && value.with_untracked(|v| matches!(v, Some(Ok(_))))
        {
            count.update(|n| *n += 1);
        }
        now
    });
    count.into()
}
