//! The account server functions.

use crate::error::ApiError;
use leptos::prelude::*;
use shared::accounts::{AccountLink, AccountSettings, Me, PasswordStrength};

#[cfg(feature = "ssr")]
use {
    super::seam::{AccountsSeam, SelfServiceSeam},
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

/// The signed-in person's account settings.
#[server(endpoint = "account")]
pub async fn get_account_settings() -> Result<AccountSettings, ApiError> {
    let (service, visitor) = seam::visitor::<dyn SelfServiceSeam>()?;
    respond(service.settings(&visitor).await)
}

#[server(endpoint = "update_name")]
pub async fn update_name(name: String) -> Result<AccountSettings, ApiError> {
    let (service, visitor) = seam::visitor::<dyn SelfServiceSeam>()?;
    respond(service.update_name(&visitor, UpdateName { name }).await)
}

/// Asks for a new address: a link goes to it, a notice to the current one; the address
/// changes when the link is opened.
#[server(endpoint = "change_email")]
pub async fn change_email(
    email: String,
    current_password: String,
) -> Result<AccountSettings, ApiError> {
    let (service, visitor) = seam::visitor::<dyn SelfServiceSeam>()?;
    let input = ChangeEmail {
        email,
        current_password,
    };
    respond(service.change_email(&visitor, input).await)
}

/// Changes the password and ends every other session of the account.
#[server(endpoint = "change_password")]
pub async fn change_password(current_password: String, password: String) -> Result<(), ApiError> {
    let (service, visitor) = seam::visitor::<dyn SelfServiceSeam>()?;
    let input = ChangePassword {
        current_password,
        password,
    };
    respond(service.change_password(&visitor, input).await)
}

/// Sends the link that confirms the signed-in person's address again; returns the address.
#[server(endpoint = "resend_verification")]
pub async fn resend_verification() -> Result<String, ApiError> {
    let (service, visitor) = seam::visitor::<dyn SelfServiceSeam>()?;
    respond(service.resend_verification(&visitor).await)
}

/// Sends a link to choose a new password, if an account has this address. The answer is the
/// same either way (the address, as typed).
#[server(endpoint = "forgot_password")]
pub async fn forgot_password(email: String) -> Result<String, ApiError> {
    let (service, visitor) = seam::visitor::<dyn SelfServiceSeam>()?;
    let email = respond(
        service
            .forgot_password(&visitor, ForgotPassword { email })
            .await,
    )?;
    redirect("/forgot-password?sent=1");
    Ok(email)
}

/// What a link sent by e-mail is for, without using it.
#[server(endpoint = "account_link")]
pub async fn get_account_link(token: String) -> Result<AccountLink, ApiError> {
    let (service, visitor) = seam::visitor::<dyn SelfServiceSeam>()?;
    respond(service.link(&visitor, GetAccountLink { token }).await)
}

/// Chooses a new password with a reset link: every session of the account ends, and this
/// browser is signed in.
#[server(endpoint = "reset_password")]
pub async fn reset_password(token: String, password: String) -> Result<Me, ApiError> {
    let (service, visitor) = seam::visitor::<dyn SelfServiceSeam>()?;
    let input = ResetPassword { token, password };
    let me = respond(service.reset_password(&visitor, input).await)?;
    redirect(&me.home_path());
    Ok(me)
}

/// Confirms the address a link was sent to (at sign-up, or a new address); returns it.
#[server(endpoint = "confirm_email")]
pub async fn confirm_email(token: String) -> Result<String, ApiError> {
    let (service, visitor) = seam::visitor::<dyn SelfServiceSeam>()?;
    let email = respond(
        service
            .confirm_email(&visitor, ConfirmEmail { token })
            .await,
    )?;
    redirect("/");
    Ok(email)
}

/// How hard a new password is to guess, by the server's own rule (rate limited).
#[server(endpoint = "password_strength")]
pub async fn check_password_strength(
    password: String,
    email: Option<String>,
    name: Option<String>,
) -> Result<PasswordStrength, ApiError> {
    let (service, visitor) = seam::visitor::<dyn SelfServiceSeam>()?;
    let input = CheckPasswordStrength {
        password,
        email,
        name,
    };
    respond(service.password_strength(&visitor, input).await)
}
