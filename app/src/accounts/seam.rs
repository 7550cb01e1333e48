//! What the account server functions ask of the server.

use super::api::{SignIn, SignUp};
use crate::{error::ApiError, seam::Visitor};
use shared::accounts::Me;

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
