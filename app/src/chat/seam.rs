//! What the chat server functions ask of the server.

use super::api::{
    CandidateMessages, ConversationHistory, Conversations, CreateGroup, GroupMember,
    MessageTheTeam, SearchMessages, StartDirect,
};
use crate::{
    error::ApiError,
    seam::{OrgCaller, Visitor},
};
use shared::chat::{CandidateThread, ChatMessage, ConversationSummary, History};

/// Implemented by `server` (`server/src/chat`).
#[async_trait::async_trait]
pub trait ChatSeam: Send + Sync + 'static {
    async fn conversations(
        &self,
        caller: &OrgCaller,
        input: Conversations,
    ) -> Result<Vec<ConversationSummary>, ApiError>;
    async fn unread(&self, caller: &OrgCaller) -> Result<i64, ApiError>;
    async fn start_direct(
        &self,
        caller: &OrgCaller,
        input: StartDirect,
    ) -> Result<ConversationSummary, ApiError>;
    async fn create_group(
        &self,
        caller: &OrgCaller,
        input: CreateGroup,
    ) -> Result<ConversationSummary, ApiError>;
    /// Adds or removes a group's member; answers the group as it is after (as the caller saw
    /// it before, when they left).
    async fn group_member(
        &self,
        caller: &OrgCaller,
        input: GroupMember,
    ) -> Result<ConversationSummary, ApiError>;
    async fn history(
        &self,
        caller: &OrgCaller,
        input: ConversationHistory,
    ) -> Result<History, ApiError>;
    async fn search(
        &self,
        caller: &OrgCaller,
        input: SearchMessages,
    ) -> Result<Vec<ChatMessage>, ApiError>;
}

/// The candidate's side of an application's conversation, from the private link: implemented
/// by `server` (`server/src/chat/candidate.rs`). The token is the only credential; a wrong or
/// expired one is "not found".
#[async_trait::async_trait]
pub trait CandidateChatSeam: Send + Sync + 'static {
    async fn thread(
        &self,
        visitor: &Visitor,
        input: CandidateMessages,
    ) -> Result<CandidateThread, ApiError>;
    async fn write(
        &self,
        visitor: &Visitor,
        input: MessageTheTeam,
    ) -> Result<ChatMessage, ApiError>;
}
