//! Who is signed in, shared by every page through context.

use crate::{api::*, error::ApiError};
use leptos::prelude::*;
use shared::dto::Me;

/// The signed-in person (re-read after every action that can change it) and those actions.
#[derive(Clone, Copy)]
pub struct Session {
    pub me: Resource<Result<Option<Me>, ApiError>>,
    pub sign_in: ServerAction<SignIn>,
    pub sign_up: ServerAction<SignUp>,
    pub sign_out: ServerAction<SignOut>,
    pub create_organisation: ServerAction<CreateOrganisation>,
    pub switch_organisation: ServerAction<SwitchOrganisation>,
    pub leave_organisation: ServerAction<LeaveOrganisation>,
    pub accept_invitation: ServerAction<AcceptInvitation>,
    /// Bumped by every realtime event, so lists that events can change re-read themselves.
    pub live: RwSignal<u64>,
}

impl Session {
    pub fn provide() -> Self {
        let sign_in = ServerAction::<SignIn>::new();
        let sign_up = ServerAction::<SignUp>::new();
        let sign_out = ServerAction::<SignOut>::new();
        let create_organisation = ServerAction::<CreateOrganisation>::new();
        let switch_organisation = ServerAction::<SwitchOrganisation>::new();
        let leave_organisation = ServerAction::<LeaveOrganisation>::new();
        let accept_invitation = ServerAction::<AcceptInvitation>::new();
        let live = RwSignal::new(0);
        let me = Resource::new(
            move || {
                (
                    sign_in.version().get(),
                    sign_up.version().get(),
                    sign_out.version().get(),
                    create_organisation.version().get(),
                    leave_organisation.version().get(),
                    accept_invitation.version().get(),
                    switch_organisation.version().get(),
                    live.get(),
                )
            },
            |_| current_user(),
        );
        let session = Self {
            me,
            sign_in,
            sign_up,
            sign_out,
            create_organisation,
            switch_organisation,
            leave_organisation,
            accept_invitation,
            live,
        };
        provide_context(session);
        session
    }

    pub fn get() -> Self {
        expect_context::<Self>()
    }
}
