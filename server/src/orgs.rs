//! Organisations, memberships and invitations. Every function resolves the caller's membership
//! of the organisation named in the request first, checks the permission matrix, and only then
//! reads or writes, always scoped by that organisation's id.

use crate::{
    accounts::{self, load_me, require_user, session_of, start_session},
    db::{is_unique_violation, now},
    error::{internal, OrInternal},
    mail,
    realtime::Delivery,
    state::AppState,
};
use app::error::ApiError;
use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use http::request::Parts;
use sha2::{Digest, Sha256};
use shared::{
    dto::*,
    validation,
    ws::{Notification, NotificationKind, ServerEvent},
    Permission, Role,
};
use sqlx::{any::AnyRow, Row};

/// The caller's place in one organisation.
#[derive(Clone, Debug)]
pub struct Caller {
    pub user_id: i64,
    pub org_id: i64,
    pub org_name: String,
    pub slug: String,
    pub role: Role,
}

impl Caller {
    fn require(&self, permission: Permission) -> Result<(), ApiError> {
        if self.role.can(permission) {
            Ok(())
        } else {
            Err(ApiError::Forbidden)
        }
    }
}

async fn begin(state: &AppState) -> Result<sqlx::Transaction<'static, sqlx::Any>, ApiError> {
    state
        .db
        .pool
        .begin()
        .await
        .or_internal("starting transaction")
}

/// Remembers `org_id` as the organisation the user works in (shown first on the next visit).
async fn set_active_organisation(
    conn: impl sqlx::Executor<'_, Database = sqlx::Any>,
    user_id: i64,
    org_id: i64,
) -> Result<(), ApiError> {
    sqlx::query("UPDATE users SET active_org_id = $1 WHERE id = $2")
        .bind(org_id)
        .bind(user_id)
        .execute(conn)
        .await
        .or_internal("setting active organisation")?;
    Ok(())
}

async fn add_membership(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    org_id: i64,
    user_id: i64,
    role: Role,
) -> Result<sqlx::any::AnyQueryResult, sqlx::Error> {
    sqlx::query(
        "INSERT INTO memberships (org_id, user_id, role, created_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(org_id)
    .bind(user_id)
    .bind(role.as_str())
    .bind(now())
    .execute(&mut **tx)
    .await
}

/// Resolves the signed-in caller's membership of `slug`. Organisations the caller does not
/// belong to are reported as not found, so their existence is not revealed.
pub async fn caller(state: &AppState, req: &Parts, slug: &str) -> Result<Caller, ApiError> {
    let user_id = require_user(state, req).await?;
    let row = sqlx::query(
        "SELECT o.id, o.name, m.role FROM organisations o JOIN memberships m ON m.org_id = o.id \
         WHERE o.slug = $1 AND m.user_id = $2",
    )
    .bind(slug)
    .bind(user_id)
    .fetch_optional(&state.db.pool)
    .await
    .or_internal("resolving membership")?
    .ok_or(ApiError::NotFound)?;
    Ok(Caller {
        user_id,
        org_id: row.try_get("id").or_internal("reading org")?,
        org_name: row.try_get("name").or_internal("reading org")?,
        slug: slug.to_owned(),
        role: parse_role(&row)?,
    })
}

fn parse_role(row: &AnyRow) -> Result<Role, ApiError> {
    let role: String = row.try_get("role").or_internal("reading role")?;
    role.parse().or_internal("stored role is unknown")
}

pub async fn create(
    state: &AppState,
    req: &Parts,
    name: String,
    slug: String,
) -> Result<Membership, ApiError> {
    let user_id = require_user(state, req).await?;
    let name = validation::organisation_name("name", &name)?;
    let slug = if slug.trim().is_empty() {
        validation::slugify(&name)
    } else {
        slug
    };
    let slug = validation::slug("slug", &slug)?;
    let mut tx = begin(state).await?;
    let created = sqlx::query_scalar::<_, i64>("INSERT INTO organisations (slug, name, created_at, created_by) VALUES ($1, $2, $3, $4) RETURNING id")
        .bind(&slug)
        .bind(&name)
        .bind(now())
        .bind(user_id)
        .fetch_one(&mut *tx)
        .await;
    let org_id = match created {
        Ok(id) => id,
        Err(err) if is_unique_violation(&err) => {
            return Err(ApiError::field(
                "slug",
                format!("The address /o/{slug} is taken. Choose another."),
            ));
        }
        Err(err) => return Err(internal("creating organisation", err)),
    };
    add_membership(&mut tx, org_id, user_id, Role::Owner)
        .await
        .or_internal("adding owner")?;
    set_active_organisation(&mut *tx, user_id, org_id).await?;
    tx.commit().await.or_internal("committing organisation")?;
    tracing::info!(org_id, user_id, "organisation created");
    Ok(Membership {
        org_id,
        slug,
        name,
        role: Role::Owner,
    })
}

pub async fn switch(state: &AppState, req: &Parts, slug: String) -> Result<(), ApiError> {
    let caller = caller(state, req, &slug).await?;
    set_active_organisation(&state.db.pool, caller.user_id, caller.org_id).await?;
    Ok(())
}

pub async fn team(state: &AppState, req: &Parts, slug: String) -> Result<Team, ApiError> {
    let caller = caller(state, req, &slug).await?;
    caller.require(Permission::ViewOrganisation)?;
    let pool = &state.db.pool;
    let now = now();
    let rows = sqlx::query(
        "SELECT u.id, u.name, u.email, u.locked_until, m.role, m.created_at FROM memberships m \
         JOIN users u ON u.id = m.user_id WHERE m.org_id = $1 ORDER BY u.name, u.id",
    )
    .bind(caller.org_id)
    .fetch_all(pool)
    .await
    .or_internal("loading members")?;
    let mut members = Vec::with_capacity(rows.len());
    for row in &rows {
        let locked_until: Option<i64> =
            row.try_get("locked_until").or_internal("reading member")?;
        members.push(Member {
            user_id: row.try_get("id").or_internal("reading member")?,
            name: row.try_get("name").or_internal("reading member")?,
            email: row.try_get("email").or_internal("reading member")?,
            role: parse_role(row)?,
            joined_at: row.try_get("created_at").or_internal("reading member")?,
            // Only those who manage members see locks of others.
            locked_until: locked_until
                .filter(|&t| t > now && caller.role.can(Permission::ManageMembers)),
        });
    }
    let invitations = pending_invitations(state, caller.org_id).await?;
    Ok(Team {
        members,
        invitations,
    })
}

async fn pending_invitations(
    state: &AppState,
    org_id: i64,
) -> Result<Vec<PendingInvitation>, ApiError> {
    let rows = sqlx::query(
        "SELECT i.id, i.email, i.role, i.expires_at, u.name AS invited_by FROM invitations i \
         JOIN users u ON u.id = i.invited_by \
         WHERE i.org_id = $1 AND i.accepted_at IS NULL AND i.revoked_at IS NULL AND i.expires_at > $2 \
         ORDER BY i.created_at DESC, i.id DESC",
    )
    .bind(org_id)
    .bind(now())
    .fetch_all(&state.db.pool)
    .await
    .or_internal("loading invitations")?;
    rows.iter()
        .map(|row| {
            Ok(PendingInvitation {
                id: row.try_get("id").or_internal("reading invitation")?,
                email: row.try_get("email").or_internal("reading invitation")?,
                role: parse_role(row)?,
                invited_by: row
                    .try_get("invited_by")
                    .or_internal("reading invitation")?,
                expires_at: row
                    .try_get("expires_at")
                    .or_internal("reading invitation")?,
            })
        })
        .collect()
}

fn token_hash(token: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(token.as_bytes()))
}

pub async fn invite(
    state: &AppState,
    req: &Parts,
    slug: String,
    email: String,
    role: Role,
) -> Result<PendingInvitation, ApiError> {
    let caller = caller(state, req, &slug).await?;
    caller.require(Permission::InviteMembers)?;
    if !caller.role.may_grant(role) {
        return Err(ApiError::field(
            "role",
            format!(
                "As {} you cannot invite someone as {}.",
                caller.role.label(),
                role.label()
            ),
        ));
    }
    let email = validation::email("email", &email)?;
    let pool = &state.db.pool;
    let already: Option<i64> = sqlx::query_scalar(
        "SELECT m.user_id FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.org_id = $1 AND u.email = $2",
    )
    .bind(caller.org_id)
    .bind(&email)
    .fetch_optional(pool)
    .await
    .or_internal("checking membership")?;
    if already.is_some() {
        return Err(ApiError::field(
            "email",
            format!("{email} is already a member of {}.", caller.org_name),
        ));
    }
    let mut raw = [0u8; 32];
    rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut raw);
    let token = URL_SAFE_NO_PAD.encode(raw);
    let now = now();
    let expires_at = now + state.config.invitation_days * 86_400;
    let inviter: String = sqlx::query_scalar("SELECT name FROM users WHERE id = $1")
        .bind(caller.user_id)
        .fetch_one(pool)
        .await
        .or_internal("loading inviter")?;

    let mut tx = begin(state).await?;
    // A new invitation replaces any open one for the same address.
    sqlx::query("UPDATE invitations SET revoked_at = $1 WHERE org_id = $2 AND email = $3 AND accepted_at IS NULL AND revoked_at IS NULL")
        .bind(now)
        .bind(caller.org_id)
        .bind(&email)
        .execute(&mut *tx)
        .await
        .or_internal("replacing invitation")?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO invitations (org_id, email, role, token_hash, invited_by, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(caller.org_id)
    .bind(&email)
    .bind(role.as_str())
    .bind(token_hash(&token))
    .bind(caller.user_id)
    .bind(now)
    .bind(expires_at)
    .fetch_one(&mut *tx)
    .await
    .or_internal("creating invitation")?;
    let link = state
        .public_url
        .join(&format!("invite/{token}"))
        .or_internal("building invitation link")?;
    let body = format!(
        "{inviter} invited you to join {org} on Talentloom as {role}.\n\n\
         Accept the invitation here:\n{link}\n\n\
         The link works once and expires on {expires}. If you did not expect this, ignore this e-mail.",
        org = caller.org_name,
        role = role.label(),
        expires = app_date(expires_at),
    );
    mail::enqueue(
        &mut tx,
        Some(caller.org_id),
        &email,
        &format!("Join {} on Talentloom", caller.org_name),
        &body,
    )
    .await?;
    tx.commit().await.or_internal("committing invitation")?;
    state.mailer.wake();
    tracing::info!(
        org_id = caller.org_id,
        invitation_id = id,
        "invitation sent"
    );
    Ok(PendingInvitation {
        id,
        email,
        role,
        invited_by: inviter,
        expires_at,
    })
}

fn app_date(t: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(t)
        .map(|d| format!("{} {} {}", d.day(), d.month(), d.year()))
        .unwrap_or_default()
}

pub async fn revoke(
    state: &AppState,
    req: &Parts,
    slug: String,
    invitation_id: i64,
) -> Result<(), ApiError> {
    let caller = caller(state, req, &slug).await?;
    caller.require(Permission::InviteMembers)?;
    let done = sqlx::query("UPDATE invitations SET revoked_at = $1 WHERE id = $2 AND org_id = $3 AND accepted_at IS NULL AND revoked_at IS NULL")
        .bind(now())
        .bind(invitation_id)
        .bind(caller.org_id)
        .execute(&state.db.pool)
        .await
        .or_internal("revoking invitation")?;
    if done.rows_affected() == 0 {
        return Err(ApiError::NotFound);
    }
    Ok(())
}

/// The number of owners of an organisation, read inside the caller's transaction.
async fn owner_count(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    org_id: i64,
) -> Result<i64, ApiError> {
    sqlx::query_scalar("SELECT COUNT(*) FROM memberships WHERE org_id = $1 AND role = $2")
        .bind(org_id)
        .bind(Role::Owner.as_str())
        .fetch_one(&mut **tx)
        .await
        .or_internal("counting owners")
}

/// The target member's role, scoped to the caller's organisation.
async fn member_role(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    org_id: i64,
    user_id: i64,
) -> Result<Role, ApiError> {
    let row = sqlx::query("SELECT role FROM memberships WHERE org_id = $1 AND user_id = $2")
        .bind(org_id)
        .bind(user_id)
        .fetch_optional(&mut **tx)
        .await
        .or_internal("loading member")?
        .ok_or(ApiError::NotFound)?;
    parse_role(&row)
}

const LAST_OWNER: &str =
    "An organisation needs at least one owner. Make someone else an owner first.";

pub async fn change_role(
    state: &AppState,
    req: &Parts,
    slug: String,
    user_id: i64,
    role: Role,
) -> Result<(), ApiError> {
    let caller = caller(state, req, &slug).await?;
    caller.require(Permission::ManageMembers)?;
    let mut tx = begin(state).await?;
    let current = member_role(&mut tx, caller.org_id, user_id).await?;
    if !caller.role.may_grant(current) || !caller.role.may_grant(role) {
        return Err(ApiError::Forbidden);
    }
    if current == Role::Owner
        && role != Role::Owner
        && owner_count(&mut tx, caller.org_id).await? <= 1
    {
        return Err(ApiError::field("role", LAST_OWNER));
    }
    sqlx::query("UPDATE memberships SET role = $1 WHERE org_id = $2 AND user_id = $3")
        .bind(role.as_str())
        .bind(caller.org_id)
        .bind(user_id)
        .execute(&mut *tx)
        .await
        .or_internal("changing role")?;
    tx.commit().await.or_internal("committing role change")?;
    notify(
        state,
        user_id,
        Some(caller.org_id),
        &caller.slug,
        NotificationKind::RoleChanged,
        format!("Your role in {} is now {}.", caller.org_name, role.label()),
    );
    Ok(())
}

pub async fn remove_member(
    state: &AppState,
    req: &Parts,
    slug: String,
    user_id: i64,
) -> Result<(), ApiError> {
    let caller = caller(state, req, &slug).await?;
    caller.require(Permission::ManageMembers)?;
    if user_id == caller.user_id {
        return Err(ApiError::field(
            "user_id",
            "To remove yourself, use “Leave organisation”.",
        ));
    }
    let mut tx = begin(state).await?;
    let current = member_role(&mut tx, caller.org_id, user_id).await?;
    if !caller.role.may_grant(current) {
        return Err(ApiError::Forbidden);
    }
    if current == Role::Owner && owner_count(&mut tx, caller.org_id).await? <= 1 {
        return Err(ApiError::field("user_id", LAST_OWNER));
    }
    delete_membership(&mut tx, caller.org_id, user_id).await?;
    tx.commit().await.or_internal("committing removal")?;
    // Delivered without the membership check: the person is no longer a member.
    notify(
        state,
        user_id,
        None,
        &caller.slug,
        NotificationKind::RemovedFromOrganisation,
        format!("You were removed from {}.", caller.org_name),
    );
    Ok(())
}

async fn delete_membership(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    org_id: i64,
    user_id: i64,
) -> Result<(), ApiError> {
    sqlx::query("DELETE FROM memberships WHERE org_id = $1 AND user_id = $2")
        .bind(org_id)
        .bind(user_id)
        .execute(&mut **tx)
        .await
        .or_internal("removing member")?;
    sqlx::query("UPDATE users SET active_org_id = NULL WHERE id = $1 AND active_org_id = $2")
        .bind(user_id)
        .bind(org_id)
        .execute(&mut **tx)
        .await
        .or_internal("clearing active organisation")?;
    Ok(())
}

pub async fn leave(state: &AppState, req: &Parts, slug: String) -> Result<(), ApiError> {
    let caller = caller(state, req, &slug).await?;
    let mut tx = begin(state).await?;
    if caller.role == Role::Owner && owner_count(&mut tx, caller.org_id).await? <= 1 {
        return Err(ApiError::field("slug", LAST_OWNER));
    }
    delete_membership(&mut tx, caller.org_id, caller.user_id).await?;
    tx.commit().await.or_internal("committing leave")?;
    Ok(())
}

pub async fn outbox(state: &AppState, req: &Parts, slug: String) -> Result<Outbox, ApiError> {
    let caller = caller(state, req, &slug).await?;
    caller.require(Permission::ViewOutbox)?;
    Ok(Outbox {
        smtp_configured: state.mailer.configured(),
        messages: mail::for_organisation(state, caller.org_id).await?,
    })
}

/// An open invitation by its token: (id, org id, org name, e-mail, role, inviter id, inviter name).
async fn open_invitation(state: &AppState, token: &str) -> Result<AnyRow, ApiError> {
    sqlx::query(
        "SELECT i.id, i.org_id, o.name AS org_name, o.slug, i.email, i.role, i.invited_by, u.name AS inviter \
         FROM invitations i JOIN organisations o ON o.id = i.org_id JOIN users u ON u.id = i.invited_by \
         WHERE i.token_hash = $1 AND i.accepted_at IS NULL AND i.revoked_at IS NULL AND i.expires_at > $2",
    )
    .bind(token_hash(token))
    .bind(now())
    .fetch_optional(&state.db.pool)
    .await
    .or_internal("loading invitation")?
    .ok_or_else(|| ApiError::field("token", "This invitation link is not valid any more: it was used, revoked or has expired. Ask for a new one."))
}

pub async fn preview(state: &AppState, token: String) -> Result<InvitationPreview, ApiError> {
    let row = open_invitation(state, &token).await?;
    let email: String = row.try_get("email").or_internal("reading invitation")?;
    let account_exists = sqlx::query_scalar::<_, i64>("SELECT id FROM users WHERE email = $1")
        .bind(&email)
        .fetch_optional(&state.db.pool)
        .await
        .or_internal("checking account")?
        .is_some();
    Ok(InvitationPreview {
        org_name: row.try_get("org_name").or_internal("reading invitation")?,
        role: parse_role(&row)?,
        invited_by: row.try_get("inviter").or_internal("reading invitation")?,
        email,
        account_exists,
    })
}

pub async fn accept(
    state: &AppState,
    req: &Parts,
    token: String,
    new_account: Option<(String, String)>,
) -> Result<String, ApiError> {
    let row = open_invitation(state, &token).await?;
    let invitation_id: i64 = row.try_get("id").or_internal("reading invitation")?;
    let org_id: i64 = row.try_get("org_id").or_internal("reading invitation")?;
    let org_name: String = row.try_get("org_name").or_internal("reading invitation")?;
    let slug: String = row.try_get("slug").or_internal("reading invitation")?;
    let email: String = row.try_get("email").or_internal("reading invitation")?;
    let inviter: i64 = row
        .try_get("invited_by")
        .or_internal("reading invitation")?;
    let role = parse_role(&row)?;

    let user_id = match (accounts::current_user_id(state, req).await?, new_account) {
        (Some(user_id), _) => {
            let me = load_me(state, user_id)
                .await?
                .ok_or(ApiError::Unauthenticated)?;
            if me.email != email {
                return Err(ApiError::field(
                    "token",
                    format!(
                        "This invitation is for {email}. Sign in with that address to accept it."
                    ),
                ));
            }
            user_id
        }
        (None, Some((name, password))) => {
            let user_id = accounts::create_account(state, &name, &email, &password).await?;
            start_session(&session_of(req)?, user_id).await?;
            user_id
        }
        (None, None) => return Err(ApiError::Unauthenticated),
    };

    let mut tx = begin(state).await?;
    // Single use: only the first acceptance changes the row.
    let claimed = sqlx::query(
        "UPDATE invitations SET accepted_at = $1, accepted_by = $2 WHERE id = $3 AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > $1",
    )
    .bind(now())
    .bind(user_id)
    .bind(invitation_id)
    .execute(&mut *tx)
    .await
    .or_internal("claiming invitation")?;
    if claimed.rows_affected() != 1 {
        return Err(ApiError::field(
            "token",
            "This invitation was used a moment ago. Ask for a new one.",
        ));
    }
    let joined = add_membership(&mut tx, org_id, user_id, role).await;
    match joined {
        Ok(_) => {}
        Err(err) if is_unique_violation(&err) => {
            return Err(ApiError::field(
                "token",
                format!("You are already a member of {org_name}."),
            ))
        }
        Err(err) => return Err(internal("adding member", err)),
    }
    set_active_organisation(&mut *tx, user_id, org_id).await?;
    tx.commit().await.or_internal("committing acceptance")?;

    let name: String = sqlx::query_scalar("SELECT name FROM users WHERE id = $1")
        .bind(user_id)
        .fetch_one(&state.db.pool)
        .await
        .or_internal("loading new member")?;
    notify(
        state,
        inviter,
        Some(org_id),
        &slug,
        NotificationKind::InvitationAccepted,
        format!("{name} accepted your invitation to {org_name}."),
    );
    tracing::info!(org_id, user_id, "invitation accepted");
    Ok(slug)
}

/// Pushes a live notification to one user's open pages.
fn notify(
    state: &AppState,
    user_id: i64,
    check_org: Option<i64>,
    slug: &str,
    kind: NotificationKind,
    text: String,
) {
    let event = ServerEvent::Notification(Notification {
        org: Some(slug.to_owned()),
        kind,
        text,
        at: now(),
    });
    state.hub.send(
        user_id,
        Delivery {
            org_id: check_org,
            event,
        },
    );
}
