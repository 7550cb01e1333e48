//! The seam between server functions (declared in each feature's `api.rs`, next to the UI that
//! calls them) and the use cases that only the server has.
//!
//! `app` cannot depend on `server` (a cycle) and must not compile database code into the wasm, so
//! each feature declares a seam trait here in `app` (its `seam.rs`, compiled with `ssr` only) and
//! `server` implements it. A server-function body is two lines: resolve who is asking, then call
//! one seam method with that and the server function's own argument struct:
//!
//! ```text
//! let (orgs, caller) = seam::member::<dyn OrgsSeam>(&slug).await?;
//! respond(orgs.invite(&caller, Invite { slug, email, role }).await)
//! ```
//!
//! Authorisation is in the types. A method that works inside an organisation takes an
//! [`OrgCaller`], and the only way to get one is [`OrgCaller::resolve`], which looks up the
//! caller's membership of that organisation (an organisation the caller does not belong to is
//! *not found*). Its fields are private, so no code outside this module can make one up:
//!
//! ```compile_fail,E0451
//! # use app::seam::OrgCaller;
//! let forged = OrgCaller { user_id: 1, org_id: 2, slug: "acme".into(), org_name: "Acme".into(), role: shared::Role::Owner };
//! ```
//!
//! The same holds for [`Caller`] (a signed-in person). The WebSocket handler builds callers with
//! the same two functions, so realtime features reuse the use cases unchanged.
//!
//! ```
//! # use app::seam::{Caller, Identity, OrgCaller};
//! // The only constructors: both ask the server's `Identity`.
//! let _ = Caller::resolve;
//! let _ = OrgCaller::resolve;
//! ```

use crate::error::ApiError;
use http::request::Parts;
use leptos::prelude::*;
use shared::{validation, Permission, Role};
use std::sync::Arc;

/// A request from anyone, signed in or not: what the account and invitation use cases (sign-up,
/// sign-in, accepting an invitation) work with. Its parts carry the session and the client
/// address.
pub struct Visitor {
    parts: Parts,
}

impl Visitor {
    pub fn parts(&self) -> &Parts {
        &self.parts
    }
}

/// A signed-in person, resolved from the session before the use case runs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Caller {
    user_id: i64,
}

impl Caller {
    /// The signed-in person of a request; `Unauthenticated` when nobody is.
    pub async fn resolve(identity: &dyn Identity, parts: &Parts) -> Result<Caller, ApiError> {
        match identity.user_of(parts).await? {
            Some(user_id) => Ok(Caller { user_id }),
            None => Err(ApiError::Unauthenticated),
        }
    }

    pub fn user_id(&self) -> i64 {
        self.user_id
    }
}

/// What [`Identity::membership`] finds: one organisation and the caller's role in it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResolvedMembership {
    pub org_id: i64,
    pub slug: String,
    pub name: String,
    pub role: Role,
}

/// A signed-in member of one organisation, with their role there. Every use case inside an
/// organisation takes one, and scopes every read and write by [`OrgCaller::org_id`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrgCaller {
    user_id: i64,
    org_id: i64,
    slug: String,
    org_name: String,
    role: Role,
}

impl OrgCaller {
    /// The caller's membership of the organisation `slug`. A malformed slug, an organisation
    /// that does not exist and one the caller does not belong to are all *not found*, so
    /// another organisation's existence is never revealed.
    pub async fn resolve(
        identity: &dyn Identity,
        caller: &Caller,
        slug: &str,
    ) -> Result<OrgCaller, ApiError> {
        // Checked first: a slug is logged and looked up only once it has a slug's shape.
        if !validation::is_slug(slug) {
            return Err(ApiError::NotFound);
        }
        let membership = identity
            .membership(caller.user_id, slug)
            .await?
            .ok_or(ApiError::NotFound)?;
        Ok(OrgCaller {
            user_id: caller.user_id,
            org_id: membership.org_id,
            slug: membership.slug,
            org_name: membership.name,
            role: membership.role,
        })
    }

    /// `Forbidden` unless the caller's role has `permission`.
    pub fn require(&self, permission: Permission) -> Result<(), ApiError> {
        if self.role.can(permission) {
            Ok(())
        } else {
            Err(ApiError::Forbidden)
        }
    }

    pub fn user_id(&self) -> i64 {
        self.user_id
    }
    pub fn org_id(&self) -> i64 {
        self.org_id
    }
    pub fn slug(&self) -> &str {
        &self.slug
    }
    pub fn org_name(&self) -> &str {
        &self.org_name
    }
    pub fn role(&self) -> Role {
        self.role
    }
}

/// Who is asking: implemented once by `server` (sessions and memberships), used to build every
/// [`Caller`] and [`OrgCaller`].
#[async_trait::async_trait]
pub trait Identity: Send + Sync + 'static {
    /// The signed-in user of a request (from its session cookie), or `None`.
    async fn user_of(&self, parts: &Parts) -> Result<Option<i64>, ApiError>;
    /// The user's membership of the organisation with this slug, or `None`.
    async fn membership(
        &self,
        user_id: i64,
        slug: &str,
    ) -> Result<Option<ResolvedMembership>, ApiError>;
}

/// The seam `S` that `server` put into the Leptos context.
fn seam<S: ?Sized + Send + Sync + 'static>() -> Result<Arc<S>, ApiError> {
    use_context::<Arc<S>>().ok_or(ApiError::Internal)
}

fn parts() -> Result<Parts, ApiError> {
    use_context::<Parts>().ok_or(ApiError::Internal)
}

/// For a public use case: the seam and the request.
pub fn visitor<S: ?Sized + Send + Sync + 'static>() -> Result<(Arc<S>, Visitor), ApiError> {
    let resolved = seam::<S>().and_then(|seam| Ok((seam, Visitor { parts: parts()? })));
    respond(resolved)
}

/// For a use case of a signed-in person: the seam and the caller (`Unauthenticated` otherwise).
pub async fn signed_in<S: ?Sized + Send + Sync + 'static>() -> Result<(Arc<S>, Caller), ApiError> {
    let resolved = async {
        let identity = seam::<dyn Identity>()?;
        let caller = Caller::resolve(identity.as_ref(), &parts()?).await?;
        Ok((seam::<S>()?, caller))
    };
    respond(resolved.await)
}

/// For a use case inside the organisation `slug`: the seam and the caller's membership there
/// (`Unauthenticated`, or `NotFound` for an organisation the caller does not belong to).
pub async fn member<S: ?Sized + Send + Sync + 'static>(
    slug: &str,
) -> Result<(Arc<S>, OrgCaller), ApiError> {
    let resolved = async {
        let identity = seam::<dyn Identity>()?;
        let caller = Caller::resolve(identity.as_ref(), &parts()?).await?;
        let member = OrgCaller::resolve(identity.as_ref(), &caller, slug).await?;
        Ok((seam::<S>()?, member))
    };
    respond(resolved.await)
}

/// Sets the response status from the error, except for plain HTML form posts: those are
/// redirected back to the form (which then shows the error), and a status would break that.
pub fn respond<T>(result: Result<T, ApiError>) -> Result<T, ApiError> {
    if let Err(err) = &result {
        let plain_form_post = use_context::<Parts>()
            .and_then(|p| {
                p.headers
                    .get(http::header::ACCEPT)
                    .and_then(|v| v.to_str().ok())
                    .map(|v| v.contains("text/html"))
            })
            .unwrap_or(false);
        if !plain_form_post {
            if let (Some(res), Ok(status)) = (
                use_context::<leptos_axum::ResponseOptions>(),
                http::StatusCode::from_u16(err.status()),
            ) {
                res.set_status(status);
            }
        }
    }
    result
}

/// Sends the browser to `path` after the server function (a plain form post follows it; the
/// hydrated app navigates). Paths here are built from checked slugs or
/// [`validation::return_path`]; one that could not be a header value is dropped rather than
/// allowed to panic the handler.
pub fn redirect(path: &str) {
    if http::HeaderValue::from_str(path).is_ok() {
        leptos_axum::redirect(path);
    }
}
