//! What the account server functions ask of the server.

use super::api::{
    ChangeEmail, ChangePassword, CheckPasswordStrength, ConfirmEmail, ForgotPassword,
    GetAccountLink, ResetPassword, SignIn, SignUp, UpdateName,
};
use crate::{error::ApiError, seam::Visitor};
use shared::accounts::{AccountLink, AccountSettings, Me, PasswordStrength};

/// Implemented by `server` (argon2 hashing, lockout, sessions).
#[async_trait::async_trait]
pub trait AccountsSeam: Send + Sync + 'static {
    /// The signed-in person of this request, or `None`.
    async fn me(&self, visitor: &Visitor) -> Result<Option<Me>, ApiError>;
    /// Creates the account and signs it in.
    async fn sign_up(&self, visitor: &Visitor, input: SignUp) -> Result<Me, ApiError>;
    async fn sign_in(&self, visitor: &Visitor, input: SignIn) -> Result<Me, ApiError>;
    async fn sign_out(&self, visitor: &Visitor) -> Result<(), ApiError>;
}

/// Implemented by `server`: what a person does for their own account, signed in (settings) or
/// not (a forgotten password, a link from an e-mail). Methods that need a signed-in person
/// answer `Unauthenticated` without one.
#[async_trait::async_trait]
pub trait SelfServiceSeam: Send + Sync + 'static {
    async fn settings(&self, visitor: &Visitor) -> Result<AccountSettings, ApiError>;
    async fn update_name(
        &self,
        visitor: &Visitor,
        input: UpdateName,
    ) -> Result<AccountSettings, ApiError>;
    async fn change_email(
        &self,
        visitor: &Visitor,
        input: ChangeEmail,
    ) -> Result<AccountSettings, ApiError>;
    async fn change_password(
        &self,
        visitor: &Visitor,
        input: ChangePassword,
    ) -> Result<(), ApiError>;
    async fn resend_verification(&self, visitor: &Visitor) -> Result<String, ApiError>;
    async fn forgot_password(
        &self,
        visitor: &Visitor,
        input: ForgotPassword,
    ) -> Result<String, ApiError>;
    async fn link(&self, visitor: &Visitor, input: GetAccountLink)
        -> Result<AccountLink, ApiError>;
    async fn reset_password(&self, visitor: &Visitor, input: ResetPassword)
        -> Result<Me, ApiError>;
    async fn confirm_email(
        &self,
        visitor: &Visitor,
        input: ConfirmEmail,
    ) -> Result<String, ApiError>;
    async fn password_strength(
        &self,
        visitor: &Visitor,
        input: CheckPasswordStrength,
    ) -> Result<PasswordStrength, ApiError>;
}
