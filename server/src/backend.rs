//! `server`'s implementation of the UI's [`Backend`]: one line per use case, each delegating to
//! the module that owns it.

use crate::{accounts, matching, orgs, state::AppState};
use app::{
    backend::{Backend, SignUp},
    error::ApiError,
};
use http::request::Parts;
use shared::{dto::*, Role};

#[async_trait::async_trait]
impl Backend for AppState {
    async fn me(&self, req: &Parts) -> Result<Option<Me>, ApiError> {
        accounts::me(self, req).await
    }
    async fn sign_up(&self, req: &Parts, input: SignUp) -> Result<Me, ApiError> {
        accounts::sign_up(self, req, input).await
    }
    async fn sign_in(&self, req: &Parts, email: String, password: String) -> Result<Me, ApiError> {
        accounts::sign_in(self, req, email, password).await
    }
    async fn sign_out(&self, req: &Parts) -> Result<(), ApiError> {
        accounts::sign_out(req).await
    }
    async fn create_organisation(
        &self,
        req: &Parts,
        name: String,
        slug: String,
    ) -> Result<Membership, ApiError> {
        orgs::create(self, req, name, slug).await
    }
    async fn switch_organisation(&self, req: &Parts, slug: String) -> Result<(), ApiError> {
        orgs::switch(self, req, slug).await
    }
    async fn team(&self, req: &Parts, slug: String) -> Result<Team, ApiError> {
        orgs::team(self, req, slug).await
    }
    async fn invite(
        &self,
        req: &Parts,
        slug: String,
        email: String,
        role: Role,
    ) -> Result<PendingInvitation, ApiError> {
        orgs::invite(self, req, slug, email, role).await
    }
    async fn revoke_invitation(
        &self,
        req: &Parts,
        slug: String,
        invitation_id: i64,
    ) -> Result<(), ApiError> {
        orgs::revoke(self, req, slug, invitation_id).await
    }
    async fn change_role(
        &self,
        req: &Parts,
        slug: String,
        user_id: i64,
        role: Role,
    ) -> Result<(), ApiError> {
        orgs::change_role(self, req, slug, user_id, role).await
    }
    async fn remove_member(&self, req: &Parts, slug: String, user_id: i64) -> Result<(), ApiError> {
        orgs::remove_member(self, req, slug, user_id).await
    }
    async fn leave_organisation(&self, req: &Parts, slug: String) -> Result<(), ApiError> {
        orgs::leave(self, req, slug).await
    }
    async fn analyse_match(
        &self,
        req: &Parts,
        slug: String,
        cv_text: String,
        job_text: String,
    ) -> Result<shared::matching::MatchAnalysis, ApiError> {
        matching::analysis::analyse(self, req, slug, cv_text, job_text).await
    }

    async fn outbox(&self, req: &Parts, slug: String) -> Result<Outbox, ApiError> {
        orgs::outbox(self, req, slug).await
    }
    async fn invitation(&self, _req: &Parts, token: String) -> Result<InvitationPreview, ApiError> {
        orgs::preview(self, token).await
    }
    async fn accept_invitation(
        &self,
        req: &Parts,
        token: String,
        new_account: Option<(String, String)>,
    ) -> Result<String, ApiError> {
        orgs::accept(self, req, token, new_account).await
    }
}
