//! Organisations, memberships and invitations, and the [`Identity`] every caller is resolved
//! through. Each use case receives an [`OrgCaller`](app::seam::OrgCaller) resolved before it
//! runs, checks the permission matrix, and reads and writes only rows of that organisation.

mod invitations;
pub mod logo;
mod members;

use crate::{
    accounts::Accounts,
    mail::Mail,
    platform::{
        db::{now, Backend, Db},
        error::OrInternal,
        limits::RateLimit,
    },
    realtime::{AccessChange, Delivery, Hub},
};
use app::{
    error::ApiError,
    seam::{Identity, ResolvedMembership},
};
use http::request::Parts;
use shared::{
    permissions::Role,
    ws::{Notification, NotificationKind, ServerEvent},
};
use std::{sync::Arc, time::Duration};

/// The organisation service; clones share everything.
#[derive(Clone)]
pub struct Orgs {
    db: Db,
    accounts: Accounts,
    mail: Mail,
    hub: Hub,
    /// The site's public address, for links in e-mail.
    public_url: Arc<url::Url>,
    invitation_days: i64,
    /// Invitations per organisation per hour.
    invitations: RateLimit<i64>,
}

/// What the organisation service needs from the configuration.
#[derive(Clone, Debug)]
pub struct OrgSettings {
    pub invitation_days: i64,
    pub invitations_per_hour: u32,
}

/// A membership as stored: the organisation and the member's role in it.
#[derive(sqlx::FromRow)]
pub(crate) struct MembershipRow {
    pub id: i64,
    pub slug: String,
    pub name: String,
    #[sqlx(try_from = "String")]
    pub role: shared::Role,
    /// Read where a person's own memberships are listed (`Accounts::load_me`).
    #[sqlx(default)]
    pub unread_messages: i64,
}

impl From<MembershipRow> for shared::orgs::Membership {
    fn from(row: MembershipRow) -> Self {
        Self {
            org_id: row.id,
            slug: row.slug,
            name: row.name,
            role: row.role,
            unread_messages: row.unread_messages,
        }
    }
}

impl Orgs {
    /// `None` when `invitations_per_hour` is 0.
    pub fn new(
        db: Db,
        accounts: Accounts,
        mail: Mail,
        hub: Hub,
        public_url: Arc<url::Url>,
        settings: &OrgSettings,
    ) -> Option<Self> {
        Some(Self {
            db,
            accounts,
            mail,
            hub,
            public_url,
            invitation_days: settings.invitation_days,
            invitations: RateLimit::new(settings.invitations_per_hour, Duration::from_secs(3600))?,
        })
    }

    async fn begin(&self) -> Result<sqlx::Transaction<'static, sqlx::Any>, ApiError> {
        self.db.begin().await.or_internal("starting transaction")
    }

    /// Locks the organisation's row for the rest of the transaction, so that changes to its
    /// owners happen one after the other: PostgreSQL locks the row; SQLite takes its single
    /// write lock now (a transaction that only read first could not write later once another
    /// one had).
    async fn lock_organisation(
        &self,
        tx: &mut sqlx::Transaction<'_, sqlx::Any>,
        org_id: i64,
    ) -> Result<(), ApiError> {
        let sql = match self.db.backend {
            Backend::Postgres => "SELECT id FROM organisations WHERE id = $1 FOR UPDATE",
            Backend::Sqlite => "UPDATE organisations SET id = id WHERE id = $1",
        };
        sqlx::query(sql)
            .bind(org_id)
            .execute(&mut **tx)
            .await
            .or_internal("locking organisation")?;
        Ok(())
    }

    /// Remembers `org_id` as the organisation the user works in (shown first on the next visit).
    async fn set_active_organisation(
        conn: &mut sqlx::AnyConnection,
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

    /// Tells the realtime hub (here and on every instance) that a membership changed, so that
    /// the person's open connections are re-scoped before their next event.
    fn membership_changed(&self, user_id: i64, org_id: i64, role: Option<Role>) {
        self.hub.access_changed(AccessChange::Membership {
            user_id,
            org_id,
            role,
        });
    }

    /// Pushes a live notification to one user's open pages; with `check_org`, only while they
    /// are still a member of it.
    fn notify(
        &self,
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
        self.hub.send(
            user_id,
            Delivery {
                org_id: check_org,
                event,
                candidate_data: false,
            },
        );
    }
}

#[async_trait::async_trait]
impl Identity for Orgs {
    async fn user_of(&self, parts: &Parts) -> Result<Option<i64>, ApiError> {
        self.accounts.user_of(parts).await
    }

    async fn membership(
        &self,
        user_id: i64,
        slug: &str,
    ) -> Result<Option<ResolvedMembership>, ApiError> {
        let row: Option<(i64, String, String, String, Option<i64>)> = sqlx::query_as(
            "SELECT o.id, o.slug, o.name, m.role, u.active_org_id FROM organisations o \
             JOIN memberships m ON m.org_id = o.id JOIN users u ON u.id = m.user_id \
             WHERE o.slug = $1 AND m.user_id = $2",
        )
        .bind(slug)
        .bind(user_id)
        .fetch_optional(&self.db.pool)
        .await
        .or_internal("resolving membership")?;
        let Some((org_id, slug, name, role, active)) = row else {
            return Ok(None);
        };
        // The organisation used last is where the person starts next time. Written only when
        // it changes, so working in one organisation costs no writes.
        if active != Some(org_id) {
            let mut conn = self.db.pool.acquire().await.or_internal("connecting")?;
            Self::set_active_organisation(&mut conn, user_id, org_id).await?;
        }
        Ok(Some(ResolvedMembership {
            org_id,
            slug,
            name,
            role: role.parse().or_internal("reading role")?,
        }))
    }
}
