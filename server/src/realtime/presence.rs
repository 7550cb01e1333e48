//! Telling presence: when someone's presence changes (here or on another instance), each
//! instance tells its own open pages of the people who share a conversation with them. Only
//! they learn it, as only they see that person in a conversation's members (and only while both
//! are members of the conversation's organisation).

use super::{Delivery, Hub};
use crate::platform::db::Db;
use shared::{chat::Presence, ws::ServerEvent};
use std::collections::HashMap;
use tokio::task::JoinHandle;

/// Starts telling the hub's changes of presence; `None` when it was started before.
pub fn tell_presence(hub: &Hub, db: &Db) -> Option<JoinHandle<()>> {
    let mut changes = hub.watch_presence()?;
    let hub = hub.clone();
    let db = db.clone();
    Some(tokio::spawn(async move {
        while let Some((user_id, presence)) = changes.recv().await {
            // What changed meanwhile, each person once as they are now: a page that flips
            // between away and back costs one read per round, however often it flips.
            let mut latest = HashMap::from([(user_id, presence)]);
            while let Ok((user_id, presence)) = changes.try_recv() {
                latest.insert(user_id, presence);
            }
            for (user_id, presence) in latest {
                if let Err(err) = tell(&hub, &db, user_id, presence).await {
                    tracing::warn!(error = %err, "telling a change of presence");
                }
            }
        }
    }))
}

async fn tell(hub: &Hub, db: &Db, user_id: i64, presence: Presence) -> Result<(), sqlx::Error> {
    let others = sharers(db, user_id).await?;
    let event = ServerEvent::Presence { user_id, presence };
    for (other, org_id) in others {
        if hub.is_here(other) {
            hub.deliver_here(
                other,
                &Delivery {
                    org_id: Some(org_id),
                    event: event.clone(),
                    candidate_data: false,
                },
            );
        }
    }
    Ok(())
}

/// Everyone who shares a conversation with `user_id`, once, with an organisation they share it in
/// (a delivery to them is checked against that membership).
async fn sharers(db: &Db, user_id: i64) -> Result<Vec<(i64, i64)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT other.user_id, MIN(c.org_id) FROM conversation_members mine \
         JOIN conversations c ON c.id = mine.conversation_id \
         JOIN memberships mm ON mm.org_id = c.org_id AND mm.user_id = mine.user_id \
         JOIN conversation_members other ON other.conversation_id = mine.conversation_id \
         JOIN memberships om ON om.org_id = c.org_id AND om.user_id = other.user_id \
         WHERE mine.user_id = $1 AND other.user_id <> $1 GROUP BY other.user_id",
    )
    .bind(user_id)
    .fetch_all(&db.pool)
    .await
}

/// What a page that has just said hello is told of the people it sees in its conversations: who
/// is here now (online or away). A page rendered while one of them came, before its own socket
/// was open, would otherwise show them offline until their next change.
pub async fn here_now(hub: &Hub, db: &Db, user_id: i64) -> Result<Vec<ServerEvent>, sqlx::Error> {
    Ok(sharers(db, user_id)
        .await?
        .into_iter()
        .filter_map(|(other, _)| {
            let presence = hub.presence(other);
            (presence != Presence::Offline).then_some(ServerEvent::Presence {
                user_id: other,
                presence,
            })
        })
        .collect())
}
