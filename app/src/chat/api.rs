//! The chat server functions.

use crate::error::ApiError;
use leptos::prelude::*;
use shared::chat::{CandidateThread, ChatMessage, ConversationSummary, History};

#[cfg(feature = "ssr")]
use {
    super::seam::{CandidateChatSeam, ChatSeam},
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

/// Adds a member of the organisation to a group (its admins only); they see its history.
#[server(endpoint = "add_group_member")]
pub async fn add_group_member(
    slug: String,
    conversation: i64,
    user_id: i64,
) -> Result<ConversationSummary, ApiError> {
    let (chat, caller) = seam::member::<dyn ChatSeam>(&slug).await?;
    let input = GroupMember {
        slug,
        conversation,
        user_id,
        add: true,
    };
    respond(chat.group_member(&caller, input).await)
}

/// Removes someone from a group: its admins remove anyone, everyone may leave. When the last
/// admin leaves, the member who joined first becomes its admin. Answers the group as the caller
/// now sees it (`None` once they left).
#[server(endpoint = "remove_group_member")]
pub async fn remove_group_member(
    slug: String,
    conversation: i64,
    user_id: i64,
) -> Result<Option<ConversationSummary>, ApiError> {
    let (chat, caller) = seam::member::<dyn ChatSeam>(&slug).await?;
    let input = GroupMember {
        slug,
        conversation,
        user_id,
        add: false,
    };
    let left = input.user_id == caller.user_id();
    let group = chat.group_member(&caller, input).await;
    respond(group.map(|g| (!left).then_some(g)))
}

/// A change to a group's members (server functions `add_group_member`, `remove_group_member`).
#[derive(Clone, Debug)]
pub struct GroupMember {
    pub slug: String,
    pub conversation: i64,
    pub user_id: i64,
    pub add: bool,
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

/// The candidate's conversation with the hiring team, from the application's private link: the
/// latest messages, or those before `before`.
#[server(endpoint = "candidate_messages")]
pub async fn candidate_messages(
    token: String,
    #[server(default)] before: Option<i64>,
) -> Result<CandidateThread, ApiError> {
    let (chat, visitor) = seam::visitor::<dyn CandidateChatSeam>()?;
    let input = CandidateMessages { token, before };
    respond(chat.thread(&visitor, input).await)
}

/// The candidate writes to the hiring team from the private link. `client_id` is the page's own
/// id for the message: sending it again stores it once.
#[server(endpoint = "message_the_team")]
pub async fn message_the_team(
    token: String,
    client_id: String,
    body: String,
    /// The ids of the files uploaded for it, separated by commas.
    #[server(default)]
    attachments: String,
) -> Result<ChatMessage, ApiError> {
    let (chat, visitor) = seam::visitor::<dyn CandidateChatSeam>()?;
    let input = MessageTheTeam {
        token,
        client_id,
        body,
        attachments,
    };
    respond(chat.write(&visitor, input).await)
}
