//! Telling presence: when someone's presence changes (here or on another instance), each
//! instance tells its own open pages of the people who share a conversation with them. Only
//! they learn it, as only they see that person in a conversation's members.

use super::{Delivery, Hub};
use crate::platform::db::Db;
use shared::{chat::Presence, ws::ServerEvent};
use tokio::task::JoinHandle;

/// Starts telling the hub's changes of presence; `None` when it was started before.
pub fn tell_presence(hub: &Hub, db: &Db) -> Option<JoinHandle<()>> {
    let mut changes = hub.watch_presence()?;
    let hub = hub.clone();
    let db = db.clone();
    Some(tokio::spawn(async move {
        while let Some((user_id, presence)) = changes.recv().await {
            if let Err(err) = tell(&hub, &db, user_id, presence).await {
                tracing::warn!(error = %err, "telling a change of presence");
            }
        }
    }))
}

async fn tell(hub: &Hub, db: &Db, user_id: i64, presence: Presence) -> Result<(), sqlx::Error> {
    // Everyone who shares a conversation with them, once, with an organisation they share it in
    // (the delivery is checked against that membership).
    let others: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT other.user_id, MIN(c.org_id) FROM conversation_members mine \
         JOIN conversations c ON c.id = mine.conversation_id \
         JOIN conversation_members other ON other.conversation_id = mine.conversation_id \
         WHERE mine.user_id = $1 AND other.user_id <> $1 GROUP BY other.user_id",
    )
    .bind(user_id)
    .fetch_all(&db.pool)
    .await?;
    let event = ServerEvent::Presence { user_id, presence };
    for (other, org_id) in others {
        if hub.is_here(other) {
            hub.deliver_here(
                other,
                &Delivery {
                    org_id: Some(org_id),
                    event: event.clone(),
                },
            );
        }
    }
    Ok(())
}
