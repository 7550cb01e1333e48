//! The account server functions.

use crate::error::ApiError;
use leptos::prelude::*;
use shared::accounts::Me;

#[cfg(feature = "ssr")]
use {
    super::seam::AccountsSeam,
    crate::seam::{self, redirect, respond},
};

/// The signed-in person, or `None`.
#[server(endpoint = "me")]
pub async fn current_user() -> Result<Option<Me>, ApiError> {
    let (accounts, visitor) = seam::visitor::<dyn AccountsSeam>()?;
    respond(accounts.me(&visitor).await)
}

#[server(endpoint = "sign_up")]
pub async fn sign_up(name: String, email: String, password: String) -> Result<Me, ApiError> {
    let (accounts, visitor) = seam::visitor::<dyn AccountsSeam>()?;
    let input = SignUp {
        name,
        email,
        password,
    };
    let me = respond(accounts.sign_up(&visitor, input).await)?;
    redirect("/orgs/new");
    Ok(me)
}

/// Signs in; `next` is a path on this site to go to afterwards (anything else is ignored).
#[server(endpoint = "sign_in")]
pub async fn sign_in(
    email: String,
    password: String,
    next: Option<String>,
) -> Result<Me, ApiError> {
    let (accounts, visitor) = seam::visitor::<dyn AccountsSeam>()?;
    let input = SignIn {
        email,
        password,
        next,
    };
    let next = input
        .next
        .as_deref()
        .and_then(shared::validation::return_path)
        .unwrap_or("/")
        .to_owned();
    let me = respond(accounts.sign_in(&visitor, input).await)?;
    redirect(&next);
    Ok(me)
}

#[server(endpoint = "sign_out")]
pub async fn sign_out() -> Result<(), ApiError> {
    let (accounts, visitor) = seam::visitor::<dyn AccountsSeam>()?;
    respond(accounts.sign_out(&visitor).await)?;
    redirect("/signin");
    Ok(())
}
