//! Who is signed in, shared by every page through context.

use crate::{api::current_user, error::ApiError};
use leptos::prelude::*;
use shared::dto::Me;

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

impl Session {
    pub fn provide() -> Self {
        let refresh = RwSignal::new(0);
        let live = RwSignal::new(0);
        let me = Resource::new(move || (refresh.get(), live.get()), |_| current_user());
        let session = Self { me, refresh, live };
        provide_context(session);
        session
    }

    pub fn get() -> Self {
        expect_context::<Self>()
    }

    /// Re-reads the signed-in person each time the action behind `version` completes.
    pub fn watch(self, version: RwSignal<usize>) {
        Effect::new(move |_| {
            if version.get() > 0 {
                self.refresh.update(|n| *n += 1);
            }
        });
    }
}
