//! Organisations and their members: creating one, the member list, roles, removal, leaving.

use super::Orgs;
use crate::platform::{
    db::{now, unique_violation, Unique},
    error::{internal, OrInternal},
};
use app::{
    error::ApiError,
    orgs::{
        api::{
            ChangeRole, CreateOrganisation, GetTeam, LeaveOrganisation, RemoveMember,
            SwitchOrganisation, UndoRemoveMember,
        },
        seam::OrgsSeam,
        settings::{GetOrganisationSettings, UpdateOrganisation},
    },
    seam::{Caller, OrgCaller},
};
use shared::{
    orgs::{ChangedMember, Member, Membership, OrganisationSettings, Team, UNDO_REMOVAL_SECS},
    validation,
    ws::NotificationKind,
    Permission, Role,
};

const LAST_OWNER: &str =
    "An organisation needs at least one owner. Make someone else an owner first.";

#[derive(sqlx::FromRow)]
struct SettingsRow {
    slug: String,
    name: String,
    website: String,
    description: String,
    retention_months: i64,
    logo_key: String,
    logo_version: i64,
    logo_width: i64,
    logo_height: i64,
}

impl From<SettingsRow> for OrganisationSettings {
    fn from(row: SettingsRow) -> Self {
        OrganisationSettings {
            logo: super::logo::logo_of(
                &row.slug,
                &row.logo_key,
                row.logo_version,
                row.logo_width,
                row.logo_height,
            ),
            slug: row.slug,
            name: row.name,
            website: row.website,
            description: row.description,
            retention_months: u32::try_from(row.retention_months)
                .unwrap_or(shared::applications::DEFAULT_RETENTION_MONTHS),
        }
    }
}

#[derive(sqlx::FromRow)]
struct MemberRow {
    id: i64,
    name: String,
    email: String,
    #[sqlx(try_from = "String")]
    role: Role,
    created_at: i64,
    locked_until: Option<i64>,
}

/// Parses a role chosen in a form.
pub(super) fn parse_role(raw: &str) -> Result<Role, ApiError> {
    raw.parse()
        .map_err(|_| ApiError::field("role", "Choose one of the listed roles."))
}

impl Orgs {
    /// The number of owners, read inside a transaction that holds the organisation's lock.
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
        let role: String =
            sqlx::query_scalar("SELECT role FROM memberships WHERE org_id = $1 AND user_id = $2")
                .bind(org_id)
                .bind(user_id)
                .fetch_optional(&mut **tx)
                .await
                .or_internal("loading member")?
                .ok_or(ApiError::NotFound)?;
        role.parse().or_internal("stored role is unknown")
    }

    /// The member's name and when they joined, scoped to the caller's organisation.
    async fn member_details(
        tx: &mut sqlx::Transaction<'_, sqlx::Any>,
        org_id: i64,
        user_id: i64,
    ) -> Result<(String, i64), ApiError> {
        sqlx::query_as(
            "SELECT u.name, m.created_at FROM memberships m JOIN users u ON u.id = m.user_id \
             WHERE m.org_id = $1 AND m.user_id = $2",
        )
        .bind(org_id)
        .bind(user_id)
        .fetch_optional(&mut **tx)
        .await
        .or_internal("loading member")?
        .ok_or(ApiError::NotFound)
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

    /// Adds a member (in the caller's transaction); `false` when they are one already.
    pub(super) async fn add_membership(
        conn: &mut sqlx::AnyConnection,
        org_id: i64,
        user_id: i64,
        role: Role,
    ) -> Result<bool, ApiError> {
        let added = sqlx::query(
            "INSERT INTO memberships (org_id, user_id, role, created_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(org_id)
        .bind(user_id)
        .bind(role.as_str())
        .bind(now())
        .execute(conn)
        .await;
        match added {
            Ok(_) => Ok(true),
            Err(err) if unique_violation(&err) == Some(Unique::Membership) => Ok(false),
            Err(err) => Err(internal("adding member", err)),
        }
    }
}

#[async_trait::async_trait]
impl OrgsSeam for Orgs {
    async fn create_organisation(
        &self,
        caller: &Caller,
        input: CreateOrganisation,
    ) -> Result<Membership, ApiError> {
        let user_id = caller.user_id();
        ApiError::check(shared::orgs::check_new_organisation(
            &input.name,
            &input.slug,
        ))?;
        let name = validation::organisation_name("name", &input.name)?;
        let slug = if input.slug.trim().is_empty() {
            validation::slugify(&name)
        } else {
            input.slug
        };
        let slug = validation::slug("slug", &slug)?;
        let mut tx = self.begin().await?;
        let created = sqlx::query_scalar::<_, i64>(
            "INSERT INTO organisations (slug, name, created_at, created_by) \
             VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(&slug)
        .bind(&name)
        .bind(now())
        .bind(user_id)
        .fetch_one(&mut *tx)
        .await;
        let org_id = match created {
            Ok(id) => id,
            Err(err) if unique_violation(&err) == Some(Unique::OrganisationSlug) => {
                return Err(ApiError::field(
                    "slug",
                    format!("The address /o/{slug} is taken. Choose another."),
                ));
            }
            Err(err) => return Err(internal("creating organisation", err)),
        };
        Self::add_membership(&mut tx, org_id, user_id, Role::Owner).await?;
        Self::set_active_organisation(&mut tx, user_id, org_id).await?;
        tx.commit().await.or_internal("committing organisation")?;
        self.membership_changed(user_id, org_id, Some(Role::Owner));
        tracing::info!(org_id, user_id, "organisation created");
        Ok(Membership {
            org_id,
            slug,
            name,
            role: Role::Owner,
            unread_messages: 0,
        })
    }

    async fn switch_organisation(
        &self,
        caller: &OrgCaller,
        _input: SwitchOrganisation,
    ) -> Result<(), ApiError> {
        let mut conn = self.db.pool.acquire().await.or_internal("connecting")?;
        Self::set_active_organisation(&mut conn, caller.user_id(), caller.org_id()).await
    }

    async fn team(&self, caller: &OrgCaller, _input: GetTeam) -> Result<Team, ApiError> {
        caller.require(Permission::ViewOrganisation)?;
        let now = now();
        // A lock is per client address; the member list shows the latest one of any address.
        let rows: Vec<MemberRow> = sqlx::query_as(
            "SELECT u.id, u.name, u.email, m.role, m.created_at, \
             (SELECT MAX(a.locked_until) FROM sign_in_attempts a \
              WHERE a.email = u.email AND a.locked_until > $2) AS locked_until \
             FROM memberships m JOIN users u ON u.id = m.user_id \
             WHERE m.org_id = $1 ORDER BY u.name, u.id",
        )
        .bind(caller.org_id())
        .bind(now)
        .fetch_all(&self.db.pool)
        .await
        .or_internal("loading members")?;
        let sees_locks = caller.role().can(Permission::ManageMembers);
        let members = rows
            .into_iter()
            .map(|row| Member {
                user_id: row.id,
                name: row.name,
                email: row.email,
                role: row.role,
                joined_at: row.created_at,
                // Only those who manage members see locks of others.
                locked_until: row.locked_until.filter(|_| sees_locks),
            })
            .collect();
        Ok(Team {
            members,
            invitations: self.pending_invitations(caller.org_id()).await?,
        })
    }

    async fn organisation_settings(
        &self,
        caller: &OrgCaller,
        _input: GetOrganisationSettings,
    ) -> Result<OrganisationSettings, ApiError> {
        caller.require(Permission::ManageOrganisation)?;
        let row: SettingsRow = sqlx::query_as(
            "SELECT slug, name, website, description, retention_months, logo_key, logo_version, \
             logo_width, logo_height FROM organisations WHERE id = $1",
        )
        .bind(caller.org_id())
        .fetch_one(&self.db.pool)
        .await
        .or_internal("loading organisation settings")?;
        Ok(row.into())
    }

    async fn update_organisation(
        &self,
        caller: &OrgCaller,
        input: UpdateOrganisation,
    ) -> Result<OrganisationSettings, ApiError> {
        caller.require(Permission::ManageOrganisation)?;
        ApiError::check(shared::orgs::check_settings(
            &input.name,
            &input.website,
            &input.description,
            &input.retention_months,
        ))?;
        let name = validation::organisation_name("name", &input.name)?;
        let website = shared::orgs::website("website", &input.website)?;
        let description = shared::orgs::description("description", &input.description)?;
        let retention =
            shared::applications::retention_months("retention_months", &input.retention_months)?;
        let row: SettingsRow = sqlx::query_as(
            "UPDATE organisations SET name = $1, website = $2, description = $3, \
             retention_months = $4 WHERE id = $5 \
             RETURNING slug, name, website, description, retention_months, logo_key, \
             logo_version, logo_width, logo_height",
        )
        .bind(&name)
        .bind(&website)
        .bind(&description)
        .bind(i64::from(retention))
        .bind(caller.org_id())
        .fetch_one(&self.db.pool)
        .await
        .or_internal("saving organisation settings")?;
        tracing::info!(org_id = caller.org_id(), "organisation settings saved");
        Ok(row.into())
    }

    async fn change_role(
        &self,
        caller: &OrgCaller,
        input: ChangeRole,
    ) -> Result<ChangedMember, ApiError> {
        caller.require(Permission::ManageMembers)?;
        let role = parse_role(&input.role)?;
        let org_id = caller.org_id();
        let mut tx = self.begin().await?;
        self.lock_organisation(&mut tx, org_id).await?;
        // Both roles read under the lock: either may have changed since the caller was resolved.
        let mine = Self::member_role(&mut tx, org_id, caller.user_id()).await?;
        let current = Self::member_role(&mut tx, org_id, input.user_id).await?;
        if !mine.can(Permission::ManageMembers) || !mine.may_grant(current) || !mine.may_grant(role)
        {
            return Err(ApiError::Forbidden);
        }
        if current == Role::Owner
            && role != Role::Owner
            && Self::owner_count(&mut tx, org_id).await? <= 1
        {
            return Err(ApiError::field("role", LAST_OWNER));
        }
        sqlx::query("UPDATE memberships SET role = $1 WHERE org_id = $2 AND user_id = $3")
            .bind(role.as_str())
            .bind(org_id)
            .bind(input.user_id)
            .execute(&mut *tx)
            .await
            .or_internal("changing role")?;
        let (name, _) = Self::member_details(&mut tx, org_id, input.user_id).await?;
        tx.commit().await.or_internal("committing role change")?;
        self.membership_changed(input.user_id, org_id, Some(role));
        self.notify(
            input.user_id,
            Some(org_id),
            caller.slug(),
            NotificationKind::RoleChanged,
            format!(
                "Your role in {} is now {}.",
                caller.org_name(),
                role.label()
            ),
        );
        Ok(ChangedMember {
            user_id: input.user_id,
            name,
            role,
        })
    }

    async fn remove_member(
        &self,
        caller: &OrgCaller,
        input: RemoveMember,
    ) -> Result<ChangedMember, ApiError> {
        caller.require(Permission::ManageMembers)?;
        let org_id = caller.org_id();
        if input.user_id == caller.user_id() {
            return Err(ApiError::field(
                "user_id",
                "To remove yourself, use “Leave organisation”.",
            ));
        }
        let mut tx = self.begin().await?;
        self.lock_organisation(&mut tx, org_id).await?;
        let mine = Self::member_role(&mut tx, org_id, caller.user_id()).await?;
        let current = Self::member_role(&mut tx, org_id, input.user_id).await?;
        if !mine.can(Permission::ManageMembers) || !mine.may_grant(current) {
            return Err(ApiError::Forbidden);
        }
        if current == Role::Owner && Self::owner_count(&mut tx, org_id).await? <= 1 {
            return Err(ApiError::field("user_id", LAST_OWNER));
        }
        let (name, joined_at) = Self::member_details(&mut tx, org_id, input.user_id).await?;
        Self::delete_membership(&mut tx, org_id, input.user_id).await?;
        // Kept for "Undo": one row per person, the latest removal.
        sqlx::query("DELETE FROM member_removals WHERE org_id = $1 AND user_id = $2")
            .bind(org_id)
            .bind(input.user_id)
            .execute(&mut *tx)
            .await
            .or_internal("replacing removal record")?;
        sqlx::query(
            "INSERT INTO member_removals (org_id, user_id, role, joined_at, removed_by, removed_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(org_id)
        .bind(input.user_id)
        .bind(current.as_str())
        .bind(joined_at)
        .bind(caller.user_id())
        .bind(now())
        .execute(&mut *tx)
        .await
        .or_internal("recording removal")?;
        tx.commit().await.or_internal("committing removal")?;
        self.membership_changed(input.user_id, org_id, None);
        // Delivered without the membership check: the person is no longer a member.
        self.notify(
            input.user_id,
            None,
            caller.slug(),
            NotificationKind::RemovedFromOrganisation,
            format!("You were removed from {}.", caller.org_name()),
        );
        Ok(ChangedMember {
            user_id: input.user_id,
            name,
            role: current,
        })
    }

    async fn undo_remove_member(
        &self,
        caller: &OrgCaller,
        input: UndoRemoveMember,
    ) -> Result<ChangedMember, ApiError> {
        caller.require(Permission::ManageMembers)?;
        let org_id = caller.org_id();
        let gone = || {
            ApiError::field(
                "user_id",
                "This removal can no longer be undone. Invite them again instead.",
            )
        };
        let mut tx = self.begin().await?;
        self.lock_organisation(&mut tx, org_id).await?;
        let removal: Option<(String, i64)> = sqlx::query_as(
            "SELECT role, joined_at FROM member_removals \
             WHERE org_id = $1 AND user_id = $2 AND removed_at >= $3",
        )
        .bind(org_id)
        .bind(input.user_id)
        .bind(now() - UNDO_REMOVAL_SECS)
        .fetch_optional(&mut *tx)
        .await
        .or_internal("loading removal")?;
        let (role, joined_at) = removal.ok_or_else(gone)?;
        let role: Role = role.parse().or_internal("stored role is unknown")?;
        // Read under the lock: only someone who could remove them now may bring them back.
        let mine = Self::member_role(&mut tx, org_id, caller.user_id()).await?;
        if !mine.can(Permission::ManageMembers) || !mine.may_grant(role) {
            return Err(ApiError::Forbidden);
        }
        sqlx::query("DELETE FROM member_removals WHERE org_id = $1 AND user_id = $2")
            .bind(org_id)
            .bind(input.user_id)
            .execute(&mut *tx)
            .await
            .or_internal("closing removal")?;
        let added = sqlx::query(
            "INSERT INTO memberships (org_id, user_id, role, created_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(org_id)
        .bind(input.user_id)
        .bind(role.as_str())
        .bind(joined_at)
        .execute(&mut *tx)
        .await;
        match added {
            Ok(_) => {}
            // They joined again meanwhile (a new invitation): nothing to bring back.
            Err(err) if unique_violation(&err) == Some(Unique::Membership) => return Err(gone()),
            Err(err) => return Err(internal("restoring member", err)),
        }
        let (name, _) = Self::member_details(&mut tx, org_id, input.user_id).await?;
        tx.commit().await.or_internal("committing undo")?;
        self.membership_changed(input.user_id, org_id, Some(role));
        self.notify(
            input.user_id,
            Some(org_id),
            caller.slug(),
            NotificationKind::RoleChanged,
            format!(
                "You are a member of {} again, as {}.",
                caller.org_name(),
                role.label()
            ),
        );
        Ok(ChangedMember {
            user_id: input.user_id,
            name,
            role,
        })
    }

    async fn leave_organisation(
        &self,
        caller: &OrgCaller,
        _input: LeaveOrganisation,
    ) -> Result<(), ApiError> {
        let org_id = caller.org_id();
        let mut tx = self.begin().await?;
        self.lock_organisation(&mut tx, org_id).await?;
        // Read again under the lock: the role may have changed since the caller was resolved.
        let role = Self::member_role(&mut tx, org_id, caller.user_id()).await?;
        if role == Role::Owner && Self::owner_count(&mut tx, org_id).await? <= 1 {
            return Err(ApiError::field("slug", LAST_OWNER));
        }
        Self::delete_membership(&mut tx, org_id, caller.user_id()).await?;
        tx.commit().await.or_internal("committing leave")?;
        self.membership_changed(caller.user_id(), org_id, None);
        Ok(())
    }
}
