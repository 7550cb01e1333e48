//! Invitations: sending one (an e-mail with a single-use link whose token is stored hashed),
//! revoking it, and accepting it, as the invited address only.

use super::{members::parse_role, Orgs};
use crate::{
    mail::{in_mail, OutgoingMail},
    platform::{
        db::now,
        error::OrInternal,
        tokens::{new_token, token_hash},
    },
};
use app::{
    error::ApiError,
    orgs::{
        api::{AcceptInvitation, GetInvitation, Invite, RevokeInvitation},
        seam::InvitationsSeam,
    },
    seam::{OrgCaller, Visitor},
};
use shared::{
    orgs::{InvitationPreview, PendingInvitation},
    time::format_date,
    validation,
    ws::NotificationKind,
    Permission, Role,
};

fn dead_link() -> ApiError {
    ApiError::field(
        "token",
        "This invitation link is not valid any more: it was used, revoked or has expired. Ask for a new one.",
    )
}

#[derive(sqlx::FromRow)]
struct OpenInvitation {
    org_id: i64,
    org_name: String,
    slug: String,
    email: String,
    #[sqlx(try_from = "String")]
    role: Role,
    invited_by: i64,
    inviter: String,
}

#[derive(sqlx::FromRow)]
struct PendingRow {
    id: i64,
    email: String,
    #[sqlx(try_from = "String")]
    role: Role,
    expires_at: i64,
    invited_by: String,
}

impl Orgs {
    /// An organisation's open invitations, newest first.
    pub(super) async fn pending_invitations(
        &self,
        org_id: i64,
    ) -> Result<Vec<PendingInvitation>, ApiError> {
        let rows: Vec<PendingRow> = sqlx::query_as(
            "SELECT i.id, i.email, i.role, i.expires_at, u.name AS invited_by FROM invitations i \
             JOIN users u ON u.id = i.invited_by \
             WHERE i.org_id = $1 AND i.accepted_at IS NULL AND i.revoked_at IS NULL \
             AND i.expires_at > $2 ORDER BY i.created_at DESC, i.id DESC",
        )
        .bind(org_id)
        .bind(now())
        .fetch_all(&self.db.pool)
        .await
        .or_internal("loading invitations")?;
        Ok(rows
            .into_iter()
            .map(|r| PendingInvitation {
                id: r.id,
                email: r.email,
                role: r.role,
                invited_by: r.invited_by,
                expires_at: r.expires_at,
            })
            .collect())
    }

    /// An open invitation by its token.
    async fn open_invitation(&self, token: &str) -> Result<OpenInvitation, ApiError> {
        sqlx::query_as(
            "SELECT i.org_id, o.name AS org_name, o.slug, i.email, i.role, i.invited_by, \
             u.name AS inviter FROM invitations i JOIN organisations o ON o.id = i.org_id \
             JOIN users u ON u.id = i.invited_by WHERE i.token_hash = $1 \
             AND i.accepted_at IS NULL AND i.revoked_at IS NULL AND i.expires_at > $2",
        )
        .bind(token_hash(token))
        .bind(now())
        .fetch_optional(&self.db.pool)
        .await
        .or_internal("loading invitation")?
        .ok_or_else(dead_link)
    }
}

#[async_trait::async_trait]
impl InvitationsSeam for Orgs {
    async fn invite(
        &self,
        caller: &OrgCaller,
        input: Invite,
    ) -> Result<PendingInvitation, ApiError> {
        caller.require(Permission::InviteMembers)?;
        let role = parse_role(&input.role)?;
        if !caller.role().may_grant(role) {
            return Err(ApiError::field(
                "role",
                format!(
                    "As {} you cannot invite someone as {}.",
                    caller.role().label(),
                    role.label()
                ),
            ));
        }
        let email = validation::email("email", &input.email)?;
        let org_id = caller.org_id();
        let pool = &self.db.pool;
        let already: Option<i64> = sqlx::query_scalar(
            "SELECT m.user_id FROM memberships m JOIN users u ON u.id = m.user_id \
             WHERE m.org_id = $1 AND u.email = $2",
        )
        .bind(org_id)
        .bind(&email)
        .fetch_optional(pool)
        .await
        .or_internal("checking membership")?;
        if already.is_some() {
            return Err(ApiError::field(
                "email",
                format!("{email} is already a member of {}.", caller.org_name()),
            ));
        }
        if input.replace != Some(true) {
            let open: Option<(String, String)> = sqlx::query_as(
                "SELECT i.role, u.name FROM invitations i JOIN users u ON u.id = i.invited_by \
                 WHERE i.org_id = $1 AND i.email = $2 AND i.accepted_at IS NULL \
                 AND i.revoked_at IS NULL AND i.expires_at > $3",
            )
            .bind(org_id)
            .bind(&email)
            .bind(now())
            .fetch_optional(pool)
            .await
            .or_internal("checking open invitations")?;
            if let Some((old_role, inviter)) = open {
                let old_role = parse_role(&old_role).map_or(old_role, |r| r.label().to_owned());
                return Err(ApiError::field(
                    "replace",
                    format!(
                        "{email} already has an open invitation from {inviter}, as {old_role}. \
                         Replace it with a new one as {}? The link in the first e-mail will \
                         stop working.",
                        role.label()
                    ),
                ));
            }
        }
        // Our e-mail carries the organisation's and the inviter's names: cap how many go out.
        self.invitations.check(&org_id)?;
        let token = new_token();
        let now = now();
        let expires_at = now + self.invitation_days * 86_400;
        let inviter = self.db.user_name(caller.user_id()).await?;

        let mut tx = self.begin().await?;
        // A new invitation replaces any open one for the same address.
        sqlx::query(
            "UPDATE invitations SET revoked_at = $1 WHERE org_id = $2 AND email = $3 \
             AND accepted_at IS NULL AND revoked_at IS NULL",
        )
        .bind(now)
        .bind(org_id)
        .bind(&email)
        .execute(&mut *tx)
        .await
        .or_internal("replacing invitation")?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO invitations (org_id, email, role, token_hash, invited_by, created_at, \
             expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(org_id)
        .bind(&email)
        .bind(role.as_str())
        .bind(token_hash(&token))
        .bind(caller.user_id())
        .bind(now)
        .bind(expires_at)
        .fetch_one(&mut *tx)
        .await
        .or_internal("creating invitation")?;
        let link = self
            .public_url
            .join(&format!("invite/{token}"))
            .or_internal("building invitation link")?;
        let org = in_mail(caller.org_name());
        let body = format!(
            "{inviter} invited you to join {org} on Talentloom as {role}.\n\n\
             Accept the invitation here:\n{link}\n\n\
             The link works once and expires on {expires}. If you did not expect this, ignore this e-mail.",
            inviter = in_mail(&inviter),
            role = role.label(),
            expires = format_date(expires_at),
        );
        let subject = format!("Join {org} on Talentloom");
        let mail = OutgoingMail {
            org_id: Some(org_id),
            recipient: &email,
            subject: &subject,
            body: &body,
            grants_role: Some(role),
        };
        self.mail.enqueue(&mut tx, mail).await?;
        tx.commit().await.or_internal("committing invitation")?;
        self.mail.wake();
        tracing::info!(org_id, invitation_id = id, "invitation sent");
        Ok(PendingInvitation {
            id,
            email,
            role,
            invited_by: inviter,
            expires_at,
        })
    }

    async fn revoke_invitation(
        &self,
        caller: &OrgCaller,
        input: RevokeInvitation,
    ) -> Result<(), ApiError> {
        caller.require(Permission::InviteMembers)?;
        let role: String = sqlx::query_scalar(
            "SELECT role FROM invitations WHERE id = $1 AND org_id = $2 \
             AND accepted_at IS NULL AND revoked_at IS NULL",
        )
        .bind(input.invitation_id)
        .bind(caller.org_id())
        .fetch_optional(&self.db.pool)
        .await
        .or_internal("loading invitation")?
        .ok_or(ApiError::NotFound)?;
        let role: Role = role.parse().or_internal("stored role is unknown")?;
        // Only someone who could have sent it may withdraw it.
        if !caller.role().may_grant(role) {
            return Err(ApiError::Forbidden);
        }
        let done = sqlx::query(
            "UPDATE invitations SET revoked_at = $1 WHERE id = $2 AND org_id = $3 \
             AND accepted_at IS NULL AND revoked_at IS NULL",
        )
        .bind(now())
        .bind(input.invitation_id)
        .bind(caller.org_id())
        .execute(&self.db.pool)
        .await
        .or_internal("revoking invitation")?;
        if done.rows_affected() == 0 {
            return Err(ApiError::NotFound);
        }
        Ok(())
    }

    async fn invitation(
        &self,
        _visitor: &Visitor,
        input: GetInvitation,
    ) -> Result<InvitationPreview, ApiError> {
        let open = self.open_invitation(&input.token).await?;
        let account_exists = sqlx::query_scalar::<_, i64>("SELECT id FROM users WHERE email = $1")
            .bind(&open.email)
            .fetch_optional(&self.db.pool)
            .await
            .or_internal("checking account")?
            .is_some();
        Ok(InvitationPreview {
            org_name: open.org_name,
            role: open.role,
            invited_by: open.inviter,
            email: open.email,
            account_exists,
        })
    }

    async fn accept_invitation(
        &self,
        visitor: &Visitor,
        input: AcceptInvitation,
    ) -> Result<String, ApiError> {
        let parts = visitor.parts();
        let open = self.open_invitation(&input.token).await?;
        let signed_in = self.accounts.user_of(parts).await?;
        // Everything slow (hashing) and every check before the transaction.
        let new_account = match (signed_in, input.name, input.password) {
            (Some(user_id), ..) => {
                let me = self
                    .accounts
                    .load_me(user_id)
                    .await?
                    .ok_or(ApiError::Unauthenticated)?;
                if me.email != open.email {
                    return Err(ApiError::field(
                        "token",
                        format!(
                            "This invitation is for {}. Sign in with that address to accept it.",
                            open.email
                        ),
                    ));
                }
                None
            }
            (None, Some(name), Some(password)) => {
                self.accounts.count_sign_up(parts)?;
                ApiError::check(shared::accounts::check_new_account(&name, &password))?;
                // The account gets the invited address: the link is the proof of it.
                Some(
                    self.accounts
                        .prepare_account(&name, &open.email, &password)
                        .await?,
                )
            }
            (None, ..) => return Err(ApiError::Unauthenticated),
        };

        // One transaction: the account (if new), the claim and the membership exist together
        // or not at all.
        let mut tx = self.begin().await?;
        let user_id = match (&new_account, signed_in) {
            (Some(account), _) => account.insert(&mut tx).await?,
            (None, Some(user_id)) => user_id,
            (None, None) => return Err(ApiError::Unauthenticated),
        };
        // Single use: only the first acceptance changes the row.
        let claimed = sqlx::query(
            "UPDATE invitations SET accepted_at = $1, accepted_by = $2 WHERE token_hash = $3 \
             AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > $1",
        )
        .bind(now())
        .bind(user_id)
        .bind(token_hash(&input.token))
        .execute(&mut *tx)
        .await
        .or_internal("claiming invitation")?;
        if claimed.rows_affected() != 1 {
            return Err(ApiError::field(
                "token",
                "This invitation was used, revoked or expired a moment ago. Ask for a new one.",
            ));
        }
        if !Self::add_membership(&mut tx, open.org_id, user_id, open.role).await? {
            return Err(ApiError::field(
                "token",
                format!("You are already a member of {}.", open.org_name),
            ));
        }
        Self::set_active_organisation(&mut tx, user_id, open.org_id).await?;
        // The link came to the invited address, which is the account's: it is confirmed.
        sqlx::query(
            "UPDATE users SET email_verified_at = $1 WHERE id = $2 AND email_verified_at IS NULL",
        )
        .bind(now())
        .bind(user_id)
        .execute(&mut *tx)
        .await
        .or_internal("confirming address")?;
        tx.commit().await.or_internal("committing acceptance")?;
        self.membership_changed(user_id, open.org_id, Some(open.role));
        if new_account.is_some() {
            self.accounts.start_session(parts, user_id).await?;
        }

        let name = self.db.user_name(user_id).await?;
        self.notify(
            open.invited_by,
            Some(open.org_id),
            &open.slug,
            NotificationKind::InvitationAccepted,
            format!("{name} accepted your invitation to {}.", open.org_name),
        );
        tracing::info!(org_id = open.org_id, user_id, "invitation accepted");
        Ok(open.slug)
    }
}
