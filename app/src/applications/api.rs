//! The candidate's private page's server functions: public, the token in the link is the only
//! credential.

use crate::error::ApiError;
use leptos::prelude::*;
use shared::applications::ApplicationStatus;

#[cfg(feature = "ssr")]
use {
    super::seam::ApplicationsSeam,
    crate::seam::{self, respond},
};

/// Where the application behind a private link stands.
#[server(endpoint = "my_application")]
pub async fn my_application(token: String) -> Result<ApplicationStatus, ApiError> {
    let (applications, visitor) = seam::visitor::<dyn ApplicationsSeam>()?;
    let input = MyApplication { token };
    respond(applications.my_application(&visitor, input).await)
}

/// The candidate withdraws their application (it leaves the hiring team's board).
#[server(endpoint = "withdraw_application")]
pub async fn withdraw_application(token: String) -> Result<ApplicationStatus, ApiError> {
    let (applications, visitor) = seam::visitor::<dyn ApplicationsSeam>()?;
    let input = WithdrawApplication { token };
    respond(applications.withdraw_application(&visitor, input).await)
}

/// The candidate asks the organisation to delete their data.
#[server(endpoint = "request_data_deletion")]
pub async fn request_data_deletion(token: String) -> Result<ApplicationStatus, ApiError> {
    let (applications, visitor) = seam::visitor::<dyn ApplicationsSeam>()?;
    let input = RequestDataDeletion { token };
    respond(applications.request_data_deletion(&visitor, input).await)
}
