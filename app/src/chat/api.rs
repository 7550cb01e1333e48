//! The chat server functions.

use crate::error::ApiError;
use leptos::prelude::*;
use shared::chat::{ChatMessage, ConversationSummary, History};

#[cfg(feature = "ssr")]
use {
    super::seam::ChatSeam,
    crate::seam::{self, respond},
};

/// The caller's conversations in the organisation, the latest first.
#[server(endpoint = "conversations")]
pub async fn conversations(slug: String) -> Result<Vec<ConversationSummary>, ApiError> {
    let (chat, caller) = seam::member::<dyn ChatSeam>(&slug).await?;
    respond(chat.conversations(&caller, Conversations { slug }).await)
}

/// How many messages in the caller's conversations in the organisation they have not read (the
/// menu's count beside "Chat").
#[server(endpoint = "unread_messages")]
pub async fn unread_messages(slug: String) -> Result<i64, ApiError> {
    let (chat, caller) = seam::member::<dyn ChatSeam>(&slug).await?;
    respond(chat.unread(&caller).await)
}

/// The caller's direct conversation with another member (started if there is none yet).
#[server(endpoint = "start_direct")]
pub async fn start_direct(slug: String, user_id: i64) -> Result<ConversationSummary, ApiError> {
    let (chat, caller) = seam::member::<dyn ChatSeam>(&slug).await?;
    respond(
        chat.start_direct(&caller, StartDirect { slug, user_id })
            .await,
    )
}

/// A new group with the caller (its admin) and `members`: user ids separated by commas.
#[server(endpoint = "create_group")]
pub async fn create_group(
    slug: String,
    name: String,
    members: String,
) -> Result<ConversationSummary, ApiError> {
    let (chat, caller) = seam::member::<dyn ChatSeam>(&slug).await?;
    let input = CreateGroup {
        slug,
        name,
        members,
    };
    respond(chat.create_group(&caller, input).await)
}

/// The messages of a conversation that contain every word of `query` (any case), the latest
/// first; deleted ones are left out.
#[server(endpoint = "search_messages")]
pub async fn search_messages(
    slug: String,
    conversation: i64,
    query: String,
) -> Result<Vec<ChatMessage>, ApiError> {
    let (chat, caller) = seam::member::<dyn ChatSeam>(&slug).await?;
    let input = SearchMessages {
        slug,
        conversation,
        query,
    };
    respond(chat.search(&caller, input).await)
}

/// A page of a conversation's history: the latest messages, or those before `before`.
#[server(endpoint = "conversation_history")]
pub async fn conversation_history(
    slug: String,
    conversation: i64,
    #[server(default)] before: Option<i64>,
) -> Result<History, ApiError> {
    let (chat, caller) = seam::member::<dyn ChatSeam>(&slug).await?;
    let input = ConversationHistory {
        slug,
        conversation,
        before,
    };
    respond(chat.history(&caller, input).await)
}
