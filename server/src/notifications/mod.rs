//! The notification centre (`NotificationsSeam`): what happens across the app that a person
//! should hear of, recorded for them in the transaction of what caused it ([`Notifications::record`]),
//! pushed to their open pages after it commits ([`Notifications::tell`]), listed and marked
//! read; and the e-mail digest: what is still unread after the person's delay goes out in one
//! e-mail per person ([`Notifications::send_digests`]), never one per event.
//!
//! A notification belongs to an organisation: someone who leaves it no longer sees its
//! notifications, and their pages are not sent them (the hub checks every delivery).

use crate::{
    mail::{in_mail, line_in_mail, Mail, OutgoingMail},
    platform::{
        db::{now, Db},
        error::OrInternal,
    },
    realtime::{Delivery, Hub},
};
use app::{
    error::ApiError,
    notifications::{
        api::{ListNotices, MarkNoticesRead, SaveNotificationSettings},
        seam::NotificationsSeam,
    },
    seam::Caller,
};
use shared::{
    notifications::{
        check_digest_minutes, Channel, Notice, Notices, NotificationSettings, Topic, NOTICES_PAGE,
    },
    validation::FieldError,
    ws::ServerEvent,
};
use std::{sync::Arc, time::Duration};

/// How often the digest looks for what is due.
pub const DIGEST_EVERY: Duration = Duration::from_secs(60);
/// The most notifications one digest lists (the newest); it says how many more there are.
const DIGEST_LIMIT: usize = 20;

/// The notification service; clones share everything.
#[derive(Clone)]
pub struct Notifications {
    db: Db,
    hub: Hub,
    mail: Mail,
    public_url: Arc<url::Url>,
}

/// A notification to record for one person.
pub struct NewNotice<'a> {
    pub user_id: i64,
    pub org_id: i64,
    pub topic: Topic,
    /// What it stands for: notifications with the same key, while unread, are one (messages
    /// of one conversation while away: "conversation:12").
    pub key: &'a str,
    /// Its text, given how many events it stands for (1 for a new one).
    pub text: &'a (dyn Fn(i64) -> String + Send + Sync),
    /// A path in the app.
    pub link: &'a str,
}

#[derive(sqlx::FromRow)]
struct NoticeRow {
    id: i64,
    user_id: i64,
    org_id: i64,
    slug: String,
    org_name: String,
    kind: String,
    text: String,
    link: String,
    updated_at: i64,
    read_at: Option<i64>,
}

impl NoticeRow {
    fn into_notice(self) -> Option<Notice> {
        Some(Notice {
            id: self.id,
            org: self.slug,
            org_name: self.org_name,
            topic: Topic::parse(&self.kind)?,
            text: self.text,
            link: self.link,
            at: self.updated_at,
            read: self.read_at.is_some(),
        })
    }
}

const NOTICE_COLUMNS: &str = "n.id, n.user_id, n.org_id, o.slug, o.name AS org_name, n.kind, \
     n.text, n.link, n.updated_at, n.read_at";

/// Notifications of organisations the person is still a member of; those about applications
/// only while their role may see applications at all (an employee or viewer, say after a
/// demotion, sees none).
const STILL_MEMBER: &str = "JOIN organisations o ON o.id = n.org_id \
     JOIN memberships m ON m.org_id = n.org_id AND m.user_id = n.user_id \
     AND (n.kind = 'message' OR m.role IN ('owner', 'admin', 'recruiter', 'hiring_manager', \
     'interviewer'))";

/// How the person hears of `topic`: their choice, or its default.
pub async fn channel_of(
    conn: &mut sqlx::AnyConnection,
    user_id: i64,
    topic: Topic,
) -> Result<Channel, ApiError> {
    let chosen: Option<String> = sqlx::query_scalar(
        "SELECT channel FROM notification_prefs WHERE user_id = $1 AND kind = $2",
    )
    .bind(user_id)
    .bind(topic.as_str())
    .fetch_optional(&mut *conn)
    .await
    .or_internal("reading a notification setting")?;
    Ok(chosen
        .as_deref()
        .and_then(Channel::parse)
        .unwrap_or(topic.default_channel()))
}

/// How many of the person's notifications are unread.
pub async fn unread_count(conn: &mut sqlx::AnyConnection, user_id: i64) -> Result<i64, ApiError> {
    sqlx::query_scalar(&format!(
        "SELECT COUNT(*) FROM notifications n {STILL_MEMBER} \
         WHERE n.user_id = $1 AND n.read_at IS NULL"
    ))
    .bind(user_id)
    .fetch_one(&mut *conn)
    .await
    .or_internal("counting unread notifications")
}

impl Notifications {
    pub fn new(db: Db, hub: Hub, mail: Mail, public_url: Arc<url::Url>) -> Self {
        Self {
            db,
            hub,
            mail,
            public_url,
        }
    }

    /// Records a notification inside the caller's transaction (nothing, if the person turned
    /// its kind off); answers its id, for [`Self::tell`] after the commit. An unread one with
    /// the same key is updated instead: it counts one more event.
    pub async fn record(
        conn: &mut sqlx::AnyConnection,
        notice: NewNotice<'_>,
    ) -> Result<Option<i64>, ApiError> {
        let channel = channel_of(conn, notice.user_id, notice.topic).await?;
        if channel == Channel::Off {
            return Ok(None);
        }
        let at = now();
        let unread: Option<(i64, i64)> = sqlx::query_as(
            "SELECT id, count FROM notifications \
             WHERE user_id = $1 AND topic = $2 AND read_at IS NULL",
        )
        .bind(notice.user_id)
        .bind(notice.key)
        .fetch_optional(&mut *conn)
        .await
        .or_internal("looking for an unread notification")?;
        if let Some((id, count)) = unread {
            sqlx::query(
                "UPDATE notifications SET count = $1, text = $2, updated_at = $3 WHERE id = $4",
            )
            .bind(count + 1)
            .bind((notice.text)(count + 1))
            .bind(at)
            .bind(id)
            .execute(&mut *conn)
            .await
            .or_internal("updating a notification")?;
            return Ok(Some(id));
        }
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO notifications (user_id, org_id, kind, topic, text, link, count, \
             created_at, updated_at, email) VALUES ($1, $2, $3, $4, $5, $6, 1, $7, $7, $8) \
             RETURNING id",
        )
        .bind(notice.user_id)
        .bind(notice.org_id)
        .bind(notice.topic.as_str())
        .bind(notice.key)
        .bind((notice.text)(1))
        .bind(notice.link)
        .bind(at)
        .bind(i64::from(channel == Channel::Email))
        .fetch_one(&mut *conn)
        .await
        .or_internal("recording a notification")?;
        Ok(Some(id))
    }

    /// Sends these recorded notifications to their people's open pages, with their unread
    /// counts. Reading them fails quietly (logged): they are in the centre all the same.
    pub async fn tell(&self, ids: impl IntoIterator<Item = i64>) {
        for id in ids {
            if let Err(err) = self.tell_one(id).await {
                tracing::warn!(error = ?err, id, "telling a notification");
            }
        }
    }

    async fn tell_one(&self, id: i64) -> Result<(), ApiError> {
        let mut conn = self.db.pool.acquire().await.or_internal("connecting")?;
        let row: Option<NoticeRow> = sqlx::query_as(&format!(
            "SELECT {NOTICE_COLUMNS} FROM notifications n {STILL_MEMBER} WHERE n.id = $1"
        ))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await
        .or_internal("reading a notification")?;
        let Some(row) = row else { return Ok(()) };
        let (user_id, org_id) = (row.user_id, row.org_id);
        let unread = unread_count(&mut conn, user_id).await?;
        if let Some(notice) = row.into_notice() {
            self.hub.send(
                user_id,
                Delivery {
                    org_id: Some(org_id),
                    event: ServerEvent::Notice { notice, unread },
                    candidate_data: false,
                },
            );
        }
        Ok(())
    }

    /// Tells the person's open pages how many notifications are unread now.
    async fn tell_read(&self, user_id: i64) -> Result<i64, ApiError> {
        let mut conn = self.db.pool.acquire().await.or_internal("connecting")?;
        let unread = unread_count(&mut conn, user_id).await?;
        self.hub.send(
            user_id,
            Delivery {
                org_id: None,
                event: ServerEvent::NoticesRead { unread },
                candidate_data: false,
            },
        );
        Ok(unread)
    }

    /// Marks read the person's unread notifications with this key (their conversation was
    /// read), and tells their pages if any was.
    pub async fn read_key(&self, user_id: i64, key: &str) -> Result<(), ApiError> {
        let done = sqlx::query(
            "UPDATE notifications SET read_at = $1 \
             WHERE user_id = $2 AND topic = $3 AND read_at IS NULL",
        )
        .bind(now())
        .bind(user_id)
        .bind(key)
        .execute(&self.db.pool)
        .await
        .or_internal("marking notifications read")?;
        if done.rows_affected() > 0 {
            self.tell_read(user_id).await?;
        }
        Ok(())
    }

    /// Sends each person whose oldest unread notification (of the kinds they hear of by
    /// e-mail) has waited their digest delay at `now` one e-mail with all of them; each
    /// notification goes out once. Answers how many e-mails were queued.
    pub async fn send_digests(&self, now: i64) -> Result<usize, ApiError> {
        let due: Vec<i64> = sqlx::query_scalar(&format!(
            "SELECT DISTINCT n.user_id FROM notifications n JOIN users u ON u.id = n.user_id \
             {STILL_MEMBER} WHERE n.email = 1 AND n.emailed_at IS NULL AND n.read_at IS NULL \
             AND n.created_at + u.digest_minutes * 60 <= $1"
        ))
        .bind(now)
        .fetch_all(&self.db.pool)
        .await
        .or_internal("finding the digests due")?;
        let mut sent = 0;
        for user_id in due {
            // One person's failure (logged where it happened) does not hold up the others.
            match self.send_digest(user_id, now).await {
                Ok(true) => sent += 1,
                Ok(false) => {}
                Err(err) => tracing::warn!(user_id, error = ?err, "a digest was not sent"),
            }
        }
        if sent > 0 {
            self.mail.wake();
        }
        Ok(sent)
    }

    async fn send_digest(&self, user_id: i64, now: i64) -> Result<bool, ApiError> {
        let mut tx = self.db.begin().await.or_internal("starting a digest")?;
        // Claimed in this transaction: another instance running the digest at the same time
        // finds them sent (PostgreSQL re-reads the rows it waited for).
        let claimed: Vec<i64> = sqlx::query_scalar(&format!(
            "UPDATE notifications SET emailed_at = $1 WHERE id IN (\
             SELECT n.id FROM notifications n {STILL_MEMBER} WHERE n.user_id = $2 \
             AND n.email = 1 AND n.emailed_at IS NULL AND n.read_at IS NULL) \
             AND emailed_at IS NULL RETURNING id"
        ))
        .bind(now)
        .bind(user_id)
        .fetch_all(&mut *tx)
        .await
        .or_internal("claiming a digest's notifications")?;
        if claimed.is_empty() {
            return Ok(false);
        }
        let list = claimed
            .iter()
            .map(i64::to_string)
            .collect::<Vec<_>>()
            .join(", ");
        // Ids the database just returned, as numbers: safe to write into the query.
        let rows: Vec<NoticeRow> = sqlx::query_as(&format!(
            "SELECT {NOTICE_COLUMNS} FROM notifications n JOIN organisations o ON o.id = n.org_id \
             WHERE n.id IN ({list}) ORDER BY n.updated_at DESC, n.id DESC"
        ))
        .fetch_all(&mut *tx)
        .await
        .or_internal("reading a digest's notifications")?;
        let (email, name): (String, String) =
            sqlx::query_as("SELECT email, name FROM users WHERE id = $1")
                .bind(user_id)
                .fetch_one(&mut *tx)
                .await
                .or_internal("reading a digest's recipient")?;
        let count = rows.len();
        let mut body = format!(
            "Hello {},\n\nWhat happened on Talentloom that you have not seen yet:\n\n",
            in_mail(&name)
        );
        for row in rows.iter().take(DIGEST_LIMIT) {
            let link = self
                .public_url
                .join(row.link.trim_start_matches('/'))
                .map(|u| u.to_string())
                .unwrap_or_default();
            body.push_str(&format!(
                "- {} ({})\n  {link}\n",
                line_in_mail(&row.text),
                in_mail(&row.org_name)
            ));
        }
        if count > DIGEST_LIMIT {
            body.push_str(&format!("\nand {} more.\n", count - DIGEST_LIMIT));
        }
        let all = self
            .public_url
            .join("notifications")
            .map(|u| u.to_string())
            .unwrap_or_default();
        body.push_str(&format!(
            "\nSee them all: {all}\nChoose what you hear of, and when, on the same page.\n"
        ));
        let subject = if count == 1 {
            "1 unread notification on Talentloom".to_owned()
        } else {
            format!("{count} unread notifications on Talentloom")
        };
        self.mail
            .enqueue(
                &mut tx,
                OutgoingMail {
                    org_id: None,
                    recipient: &email,
                    subject: &subject,
                    body: &body,
                    grants_role: None,
                },
            )
            .await?;
        tx.commit().await.or_internal("committing a digest")?;
        tracing::info!(user_id, notifications = count, "digest queued");
        Ok(true)
    }

    /// Runs the digest every [`DIGEST_EVERY`].
    pub fn start_digests(&self) -> tokio::task::JoinHandle<()> {
        let this = self.clone();
        tokio::spawn(async move {
            let mut every = tokio::time::interval(DIGEST_EVERY);
            every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                every.tick().await;
                if let Err(err) = this.send_digests(now()).await {
                    tracing::warn!(error = ?err, "sending notification digests");
                }
            }
        })
    }
}

#[async_trait::async_trait]
impl NotificationsSeam for Notifications {
    async fn list(&self, caller: &Caller, input: ListNotices) -> Result<Notices, ApiError> {
        let before = input.before.unwrap_or(i64::MAX);
        let mut conn = self.db.pool.acquire().await.or_internal("connecting")?;
        let rows: Vec<NoticeRow> = sqlx::query_as(&format!(
            "SELECT {NOTICE_COLUMNS} FROM notifications n {STILL_MEMBER} \
             WHERE n.user_id = $1 AND n.id < $2 ORDER BY n.id DESC LIMIT $3"
        ))
        .bind(caller.user_id())
        .bind(before)
        .bind(NOTICES_PAGE + 1)
        .fetch_all(&mut *conn)
        .await
        .or_internal("listing notifications")?;
        let more = rows.len() as i64 > NOTICES_PAGE;
        let items = rows
            .into_iter()
            .take(NOTICES_PAGE as usize)
            .filter_map(NoticeRow::into_notice)
            .collect();
        let unread = unread_count(&mut conn, caller.user_id()).await?;
        Ok(Notices {
            items,
            unread,
            more,
        })
    }

    async fn mark_read(&self, caller: &Caller, input: MarkNoticesRead) -> Result<i64, ApiError> {
        let at = now();
        let done = match input.id {
            Some(id) => sqlx::query(
                "UPDATE notifications SET read_at = $1 \
                 WHERE id = $2 AND user_id = $3 AND read_at IS NULL",
            )
            .bind(at)
            .bind(id)
            .bind(caller.user_id()),
            None => sqlx::query(
                "UPDATE notifications SET read_at = $1 WHERE user_id = $2 AND read_at IS NULL",
            )
            .bind(at)
            .bind(caller.user_id()),
        }
        .execute(&self.db.pool)
        .await
        .or_internal("marking notifications read")?;
        if done.rows_affected() > 0 {
            self.tell_read(caller.user_id()).await
        } else {
            let mut conn = self.db.pool.acquire().await.or_internal("connecting")?;
            unread_count(&mut conn, caller.user_id()).await
        }
    }

    async fn settings(&self, caller: &Caller) -> Result<NotificationSettings, ApiError> {
        let mut conn = self.db.pool.acquire().await.or_internal("connecting")?;
        let mut channels = Vec::new();
        for topic in Topic::ALL {
            channels.push((topic, channel_of(&mut conn, caller.user_id(), topic).await?));
        }
        let digest_minutes: i64 =
            sqlx::query_scalar("SELECT digest_minutes FROM users WHERE id = $1")
                .bind(caller.user_id())
                .fetch_one(&mut *conn)
                .await
                .or_internal("reading the digest delay")?;
        Ok(NotificationSettings {
            channels,
            digest_minutes,
        })
    }

    async fn save_settings(
        &self,
        caller: &Caller,
        input: SaveNotificationSettings,
    ) -> Result<NotificationSettings, ApiError> {
        // Every problem at once, each next to its field.
        let mut problems = Vec::new();
        let mut chosen = Vec::new();
        for (topic, raw) in Topic::ALL.into_iter().zip([
            &input.mention,
            &input.new_application,
            &input.stage_change,
            &input.message,
        ]) {
            match Channel::parse(raw) {
                Some(channel) => chosen.push((topic, channel)),
                None => problems.push(FieldError::new(
                    topic.as_str(),
                    "Choose how you hear of this: by e-mail too, in the app only, or off.",
                )),
            }
        }
        let digest_minutes = check_digest_minutes("digest_minutes", input.digest_minutes)
            .map_err(|e| problems.push(e))
            .ok();
        let Some(digest_minutes) = digest_minutes.filter(|_| problems.is_empty()) else {
            return Err(ApiError::Invalid(problems));
        };
        let user_id = caller.user_id();
        let mut tx = self.db.begin().await.or_internal("starting transaction")?;
        for (topic, channel) in &chosen {
            sqlx::query(
                "INSERT INTO notification_prefs (user_id, kind, channel) VALUES ($1, $2, $3) \
                 ON CONFLICT (user_id, kind) DO UPDATE SET channel = excluded.channel",
            )
            .bind(user_id)
            .bind(topic.as_str())
            .bind(channel.as_str())
            .execute(&mut *tx)
            .await
            .or_internal("saving a notification setting")?;
            // What waits for the digest follows the new choice.
            sqlx::query(
                "UPDATE notifications SET email = $1 \
                 WHERE user_id = $2 AND kind = $3 AND emailed_at IS NULL",
            )
            .bind(i64::from(*channel == Channel::Email))
            .bind(user_id)
            .bind(topic.as_str())
            .execute(&mut *tx)
            .await
            .or_internal("updating waiting notifications")?;
        }
        sqlx::query("UPDATE users SET digest_minutes = $1 WHERE id = $2")
            .bind(digest_minutes)
            .bind(user_id)
            .execute(&mut *tx)
            .await
            .or_internal("saving the digest delay")?;
        tx.commit()
            .await
            .or_internal("saving notification settings")?;
        Ok(NotificationSettings {
            channels: chosen,
            digest_minutes,
        })
    }
}
