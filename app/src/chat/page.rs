//! `/o/:slug/chat` and `/o/:slug/chat/:conversation`: the person's conversations in the
//! organisation (each with its last message and unread count), starting one with a colleague,
//! and a conversation: its history, messages arriving live, and sending. A message shows
//! "Sending…" until the server has stored it (it waits in the browser's outbox, `Live::outbox`,
//! through a lost connection or a reload), and "Not sent" with the reason, "Retry" and "Discard"
//! when it refused it; what the socket missed while closed is read again when it opens.

use super::api::{
    add_group_member, conversation_history, conversations, remove_group_member, search_messages,
    CreateGroup, StartDirect,
};
use super::attachments::{ready, AttachFiles, AttachmentList};
use crate::{
    confirm::ConfirmButton,
    orgs::api::get_team,
    realtime::{Live, Outgoing},
    session::use_slug,
    time::LocalTime,
    widgets::ErrorPanel,
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_navigate, use_params_map};
use shared::{
    chat::{
        check_message_with, ChatMessage, ConversationKind, ConversationMember, ConversationSummary,
        Presence,
    },
    ws::{ClientEvent, ServerEvent, TYPING_EXPIRES_MS, TYPING_REPEAT_MS},
};

/// What the shown conversation holds, changed by history and by live events.
#[derive(Clone, Copy)]
struct Shown {
    /// The conversation in the address: events for it are taken even before its history is in.
    conversation: Memo<Option<i64>>,
    messages: RwSignal<Vec<ChatMessage>>,
    members: RwSignal<Vec<ConversationMember>>,
    /// What was typed and not sent, per conversation, kept while switching between them.
    drafts: StoredValue<std::collections::HashMap<i64, String>>,
    /// Who is typing in the shown conversation, and until when (browser milliseconds) unless
    /// they say so again.
    typing: RwSignal<Vec<(i64, f64)>>,
    /// The message a search result led to, marked for a moment.
    found: RwSignal<Option<i64>>,
}

impl Shown {
    /// Takes the members as read, keeping each one's furthest read position seen.
    fn merge_members(&self, read: Vec<ConversationMember>) {
        self.members.update(|known| {
            let merged = read
                .into_iter()
                .map(|mut m| {
                    if let Some(k) = known.iter().find(|k| k.user_id == m.user_id) {
                        m.last_read_seq = m.last_read_seq.max(k.last_read_seq);
                    }
                    m
                })
                .collect();
            *known = merged;
        });
    }

    /// Someone started or stopped typing in the shown conversation.
    fn typing(&self, conversation: i64, user_id: i64, typing: bool) {
        if self.conversation.get_untracked() != Some(conversation) {
            return;
        }
        self.typing.update(|list| {
            list.retain(|(who, _)| *who != user_id);
            if typing {
                list.push((user_id, now_ms() + f64::from(TYPING_EXPIRES_MS)));
            }
        });
    }

    /// Forgets who has not said for a while that they are still typing.
    #[cfg(feature = "hydrate")]
    fn expire_typing(&self) {
        let now = now_ms();
        if self
            .typing
            .with_untracked(|l| l.iter().any(|(_, until)| *until <= now))
        {
            self.typing.update(|l| l.retain(|(_, until)| *until > now));
        }
    }

    /// Adds or replaces a message of the shown conversation, keeping them in order.
    fn put(&self, message: ChatMessage) {
        if self.conversation.get_untracked() != Some(message.conversation) {
            return;
        }
        self.messages.update(
            |list| match list.binary_search_by_key(&message.seq, |m| m.seq) {
                Ok(at) => list[at] = message,
                Err(at) => list.insert(at, message),
            },
        );
    }
}

#[component]
pub fn ChatPage() -> impl IntoView {
    let slug = use_slug();
    let params = use_params_map();
    let selected = Memo::new(move |_| {
        params
            .read()
            .get("conversation")
            .and_then(|c| c.parse::<i64>().ok())
    });
    let live = Live::get();
    let me = crate::session::Session::get().me;
    // What the list is narrowed to (a name or a member's), and the same in lower case.
    let filter = RwSignal::new(String::new());
    let wanted = Memo::new(move |_| filter.get().trim().to_lowercase());
    // Bumped when a message arrives for a conversation in the list.
    let changed = RwSignal::new(0u64);
    let list = Resource::new(
        move || (slug.get(), changed.get(), live.opened.get()),
        |(slug, _, _)| conversations(slug),
    );
    let shown = Shown {
        conversation: selected,
        messages: RwSignal::new(Vec::new()),
        members: RwSignal::new(Vec::new()),
        drafts: StoredValue::new(Default::default()),
        typing: RwSignal::new(Vec::new()),
        found: RwSignal::new(None),
    };
    // Live events, in the order they came.
    Effect::new(move |_| {
        live.chat.track();
        let events = live
            .chat
            .try_update_untracked(std::mem::take)
            .unwrap_or_default();
        for event in events {
            match event {
                ServerEvent::Message(message) => {
                    // Who sent a message has stopped typing it.
                    if let Some(author) = message.author {
                        shown.typing(message.conversation, author, false);
                    }
                    shown.put(message);
                    changed.update(|n| *n += 1);
                }
                ServerEvent::Ack { message, .. } => shown.put(message),
                ServerEvent::Typing {
                    conversation,
                    user_id,
                    typing,
                } => shown.typing(conversation, user_id, typing),
                ServerEvent::Read {
                    conversation,
                    user_id,
                    seq,
                } if shown.conversation.get_untracked() == Some(conversation) => {
                    shown.members.update(|members| {
                        for m in members.iter_mut().filter(|m| m.user_id == user_id) {
                            m.last_read_seq = m.last_read_seq.max(seq);
                        }
                    });
                    // The reader's own position moved too: the list's unread count with it.
                    changed.update(|n| *n += 1);
                }
                _ => {}
            }
        }
    });
    view! {
        <Title text="Chat"/>
        <section class="page-head">
            <h1>"Chat"</h1>
        </section>
        <div class="chat" class:chat-open=move || selected.get().is_some()>
            <aside class="chat-list" aria-label="Conversations">
                <StartConversation/>
                <label for="find-conversation" class="sr-only">"Find a conversation"</label>
                <input id="find-conversation" type="search" class="find-conversation" autocomplete="off"
                    placeholder="Find by name or member"
                    prop:value=move || filter.get()
                    on:input=move |ev| filter.set(event_target_value(&ev))/>
                <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
                    {move || Suspend::new(async move {
                        let my_id = me.await.ok().flatten().map(|m| m.user_id);
                        match list.await {
                            Err(error) => view! { <ErrorPanel error/> }.into_any(),
                            Ok(list) if list.is_empty() => view! {
                                <p class="hint">"No conversations yet. Start one with a colleague above."</p>
                            }.into_any(),
                            Ok(list) => {
                                let names: Vec<String> = list.iter().map(search_text).collect();
                                let none_match = move || wanted.with(|w| !names.iter().any(|n| finds(n, w)));
                                view! {
                                    <ul class="conversations">
                                        {list.into_iter().map(|c| view! { <ConversationItem c selected wanted my_id/> }).collect_view()}
                                    </ul>
                                    {move || none_match().then(|| view! {
                                        <p class="hint" role="status">"No conversation has that name or member."</p>
                                    })}
                                }.into_any()
                            }
                        }
                    })}
                </Transition>
            </aside>
            <section class="chat-main" aria-label="Conversation">
                {move || match selected.get() {
                    Some(id) => view! { <Conversation id shown/> }.into_any(),
                    None => view! { <p class="hint chat-empty">"Choose a conversation, or start one with a colleague."</p> }.into_any(),
                }}
            </section>
        </div>
    }
}

/// Whether someone is here (online, away or offline), as a coloured dot with its word for
/// screen readers and on hover; it follows live changes.
#[component]
fn PresenceDot(user_id: i64, read: Presence) -> impl IntoView {
    let live = Live::get();
    let presence = move || live.presence_of(user_id, read);
    view! {
        <span class=move || format!("presence {}", presence().as_str()) title=move || presence().label()>
            <span class="sr-only">{move || format!("({}) ", presence().label())}</span>
        </span>
    }
}

/// What finding a conversation looks in: its name and its members' names, in lower case.
fn search_text(c: &ConversationSummary) -> String {
    let mut text = c.title.to_lowercase();
    for member in &c.members {
        text.push('\n');
        text.push_str(&member.name.to_lowercase());
    }
    text
}

/// Whether a conversation's [`search_text`] holds what is wanted (everything holds nothing).
fn finds(text: &str, wanted: &str) -> bool {
    text.contains(wanted)
}

#[component]
fn ConversationItem(
    c: ConversationSummary,
    selected: Memo<Option<i64>>,
    wanted: Memo<String>,
    my_id: Option<i64>,
) -> impl IntoView {
    let id = c.id;
    // A direct conversation shows whether the other person is here.
    let other = (c.kind == ConversationKind::Direct)
        .then(|| c.members.iter().find(|m| Some(m.user_id) != my_id))
        .flatten()
        .map(|m| view! { <PresenceDot user_id=m.user_id read=m.presence/> });
    let text = search_text(&c);
    let hidden = move || wanted.with(|w| !finds(&text, w));
    let href = format!("/o/{}/chat/{id}", use_slug().get_untracked());
    let last = c
        .last_message
        .map(|m| {
            format!(
                "{}: {}",
                m.author_name,
                if m.deleted {
                    "(deleted)".to_owned()
                } else {
                    m.quoted()
                }
            )
        })
        .unwrap_or_else(|| "No messages yet".to_owned());
    let unread = (c.unread > 0).then(|| {
        view! { <span class="badge" aria-label=format!("{} unread", c.unread)>{c.unread}</span> }
    });
    view! {
        <li hidden=hidden>
            <a href=href class="conversation" data-conversation=id
                aria-current=move || (selected.get() == Some(id)).then_some("page")>
                <span class="conversation-title"><span>{other}{c.title}
                    {(c.kind == ConversationKind::Application).then(|| view! { " "<span class="tag">"Candidate"</span> })}
                </span>{unread}</span>
                <span class="conversation-last">{last}</span>
            </a>
        </li>
    }
}

/// A colleague to start a direct conversation with.
#[component]
fn StartConversation() -> impl IntoView {
    let slug = use_slug();
    let start = ServerAction::<StartDirect>::new();
    let create = ServerAction::<CreateGroup>::new();
    let navigate = use_navigate();
    Effect::new(move |_| {
        let opened = start.value().get().and_then(Result::ok);
        let created = create.value().get().and_then(Result::ok);
        if let Some(c) = opened.or(created) {
            navigate(
                &format!("/o/{}/chat/{}", slug.get_untracked(), c.id),
                Default::default(),
            );
        }
    });
    // Read through signals taken here, once: a closure may still run after the page has gone to
    // the new conversation (and the actions with it); read then, an action itself panics.
    let (started, created) = (start.value(), create.value());
    // The colleagues ticked for a new group, sent as one comma-separated field.
    let picked = RwSignal::new(Vec::<i64>::new());
    let members = Resource::new(move || slug.get(), get_team);
    let me = crate::session::Session::get().me;
    view! {
        <details class="start-chat">
            <summary>"New conversation"</summary>
            <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    // Awaited, so the server and the page leave out the same person.
                    let my_id = me.await.ok().flatten().map(|m| m.user_id);
                    match members.await {
                        Err(error) => view! { <ErrorPanel error/> }.into_any(),
                        Ok(team) => {
                            let options = team.members.iter().filter(|m| Some(m.user_id) != my_id).map(|m| view! {
                                <option value=m.user_id.to_string()>{m.name.clone()}</option>
                            }).collect_view();
                            let checks = team.members.iter().filter(|m| Some(m.user_id) != my_id).map(|m| {
                                            let user_id = m.user_id;
                                            view! {
                                                <label class="check">
                                                    <input type="checkbox" on:change=move |ev| {
                                                        let on = event_target_checked(&ev);
                                                        picked.update(|p| {
                                                            p.retain(|u| *u != user_id);
                                                            if on { p.push(user_id); }
                                                        });
                                                    }/>
                                                    {m.name.clone()}
                                                </label>
                                            }
                                        }).collect_view();
                            view! {
                            <ActionForm action=start>
                                <input type="hidden" name="slug" value=slug.get_untracked()/>
                                <label for="chat-with">"With"</label>
                                <select id="chat-with" name="user_id">
                                    {options}
                                </select>
                                <button type="submit" class="button">"Open"</button>
                            </ActionForm>
                            <details class="new-group">
                                <summary>"New group"</summary>
                                <ActionForm action=create>
                                    <input type="hidden" name="slug" value=slug.get_untracked()/>
                                    <input type="hidden" name="members" prop:value=move || {
                                        picked.get().iter().map(i64::to_string).collect::<Vec<_>>().join(",")
                                    }/>
                                    <label for="group-name">"Group name"</label>
                                    <input id="group-name" name="name" required maxlength="80"/>
                                    <fieldset>
                                        <legend>"Members"</legend>
                                        {checks}
                                    </fieldset>
                                    <button type="submit" class="button">"Create group"</button>
                                </ActionForm>
                                {move || created.try_get().flatten().and_then(Result::err).map(|error| view! { <ErrorPanel error/> })}
                            </details>
                        }.into_any()
                        }
                    }
                })}
            </Transition>
            {move || started.try_get().flatten().and_then(Result::err).map(|error| view! { <ErrorPanel error/> })}
        </details>
    }
}

#[component]
fn Conversation(id: i64, shown: Shown) -> impl IntoView {
    let slug = use_slug();
    // Made once: the view below can outlive a switch to another conversation by a moment.
    let back = format!("/o/{}/chat", slug.get_untracked());
    let live = Live::get();
    // Bumped when the group's members change here: the conversation is read again (and its
    // members' list stays open, as it was).
    let regrouped = RwSignal::new(0u64);
    let members_open = RwSignal::new(false);
    let history = Resource::new(
        move || (slug.get(), id, regrouped.get()),
        |(slug, id, _)| conversation_history(slug, id, None),
    );
    // Each time the socket opens, what came meanwhile is read again and put in its place, the
    // list left as it is: a message being edited, or read, stays so.
    Effect::new(move |seen: Option<u64>| {
        let opened = live.opened.get();
        if seen.is_some_and(|seen| seen != opened) {
            let slug = slug.get_untracked();
            leptos::task::spawn_local(async move {
                if let Ok(fresh) = conversation_history(slug, id, None).await {
                    for message in fresh.messages {
                        shown.put(message);
                    }
                    shown.merge_members(fresh.conversation.members);
                }
            });
        }
        opened
    });
    shown.messages.set(Vec::new());
    shown.members.set(Vec::new());
    shown.typing.set(Vec::new());
    // Someone whose page stopped saying they type is not left typing.
    #[cfg(feature = "hydrate")]
    if let Ok(timer) = set_interval_with_handle(
        move || shown.expire_typing(),
        std::time::Duration::from_secs(1),
    ) {
        on_cleanup(move || timer.clear());
    }
    let me = crate::session::Session::get().me;
    // Tells the server what this person has read: the last message shown, once each.
    let read_sent = StoredValue::new(0i64);
    let mark_read = move || {
        let last = shown.messages.with_untracked(|m| m.last().map(|m| m.seq));
        if let Some(seq) = last.filter(|seq| *seq > read_sent.get_value()) {
            if live.send(&ClientEvent::Read {
                conversation: id,
                seq,
            }) {
                read_sent.set_value(seq);
            }
        }
    };
    Effect::new(move |_| {
        shown.messages.track();
        mark_read();
    });
    // The outbox is the browser's: drawn once the page runs, so that hydration finds what the
    // server drew (it may already hold messages when this page's code arrives).
    let mounted = RwSignal::new(false);
    Effect::new(move |_| mounted.set(true));
    let pending_here = move || {
        if !mounted.get() {
            return Vec::new();
        }
        live.outbox
            .get()
            .into_iter()
            .filter(|p| p.conversation == id)
            .collect::<Vec<_>>()
    };
    // The newest message stays in view: on opening, after sending, and as messages arrive
    // while the reader is at the bottom (not while they have scrolled up to read older ones).
    let list = NodeRef::<leptos::html::Ol>::new();
    let at_bottom = StoredValue::new(true);
    Effect::new(move |_| {
        shown.messages.track();
        let outgoing = pending_here().len();
        if let Some(list) = list.get() {
            if at_bottom.get_value() || outgoing > 0 {
                list.set_scroll_top(list.scroll_height());
            }
        }
    });
    // Older messages, a page at a time, as the reader scrolls up to them (or asks with the
    // button at the top): whether there are any is known once a page that starts the list says.
    let older = RwSignal::new(None::<bool>);
    let older_loading = RwSignal::new(false);
    let older_error = RwSignal::new(None::<String>);
    // Reads the page before the oldest message shown; `false` when there was none to read (or
    // one is being read).
    let read_older = move || async move {
        if older_loading.get_untracked() || older.get_untracked() != Some(true) {
            return false;
        }
        let Some(oldest) = shown.messages.with_untracked(|m| m.first().map(|m| m.seq)) else {
            return false;
        };
        older_loading.set(true);
        older_error.set(None);
        let height = list.get_untracked().map(|l| l.scroll_height());
        let read = match conversation_history(slug.get_untracked(), id, Some(oldest)).await {
            Ok(page) => {
                for message in page.messages {
                    shown.put(message);
                }
                let _ = older.try_set(Some(page.more_before));
                // What the reader was looking at stays where it was on the screen.
                #[cfg(feature = "hydrate")]
                request_animation_frame(move || {
                    if let (Some(list), Some(height)) = (list.get_untracked(), height) {
                        list.set_scroll_top(list.scroll_top() + list.scroll_height() - height);
                    }
                });
                #[cfg(not(feature = "hydrate"))]
                let _ = height;
                true
            }
            Err(error) => {
                let _ = older_error.try_set(Some(error.to_string()));
                false
            }
        };
        let _ = older_loading.try_set(false);
        read
    };
    let load_older = move || {
        leptos::task::spawn_local(async move {
            read_older().await;
        })
    };
    // Shows message `seq` (a search result): older pages are read until it is in, then it is
    // scrolled to and marked.
    let show_message = move |seq: i64| {
        leptos::task::spawn_local(async move {
            while shown
                .messages
                .with_untracked(|m| m.first().is_some_and(|first| first.seq > seq))
                && read_older().await
            {}
            let _ = shown.found.try_set(Some(seq));
            #[cfg(feature = "hydrate")]
            request_animation_frame(move || {
                let item = list.get_untracked().and_then(|l| {
                    l.query_selector(&format!(".message[data-seq='{seq}']"))
                        .ok()
                        .flatten()
                });
                if let Some(item) = item {
                    at_bottom.set_value(false);
                    item.scroll_into_view();
                }
            });
        });
    };
    let on_scroll = move |_| {
        if let Some(list) = list.get_untracked() {
            let gap = list.scroll_height() - list.scroll_top() - list.client_height();
            at_bottom.set_value(gap < 48);
            if list.scroll_top() < 80 {
                load_older();
            }
        }
    };
    // The history and what arrives live are drawn together, from the same signals, on the
    // server and when the page hydrates.
    view! {
        <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || {
                let back = back.clone();
                Suspend::new(async move {
                // Who reads is awaited too, so the server and the page draw the same receipts.
                let my_id = me.await.ok().flatten().map(|m| m.user_id);
                match history.await {
                    Err(error) => view! { <ErrorPanel error/> }.into_any(),
                    Ok(history) => {
                        // Merged, not replaced: this runs again when the session is read again,
                        // and what arrived live since the history was read must stay.
                        let first = history.messages.first().map(|m| m.seq);
                        for message in history.messages {
                            shown.put(message);
                        }
                        // This page starts the list (nothing older was read before it): it says
                        // whether there is more.
                        if shown.messages.with_untracked(|m| m.first().map(|m| m.seq)) == first {
                            older.set(Some(history.more_before));
                        }
                        shown.merge_members(history.conversation.members.clone());
                        let count = history.conversation.members.len();
                        let names = history.conversation.members.iter().enumerate().map(|(i, m)| view! {
                            <span class="member-presence">
                                <PresenceDot user_id=m.user_id read=if Some(m.user_id) == my_id { Presence::Online } else { m.presence }/>
                                {m.name.clone()}
                            </span>
                            {(i + 1 < count).then_some(", ")}
                        }).collect_view();
                        let group = (history.conversation.kind == ConversationKind::Group).then(|| {
                            view! { <GroupMembers group=history.conversation.clone() my_id regrouped open=members_open/> }
                        });
                        view! {
                            <header class="chat-head">
                                <a class="chat-back" href=back>"← All conversations"</a>
                                <h2>{history.conversation.title}</h2>
                                <p class="hint">{names}
                                    {(history.conversation.kind == ConversationKind::Application)
                                        .then_some(" · and the candidate, from their application's private link")}</p>
                            </header>
                            {group}
                            <SearchMessages id show_message/>
                            <ol class="messages" aria-live="polite" aria-label="Messages" node_ref=list on:scroll=on_scroll>
                                {move || (older.get() == Some(true)).then(|| view! {
                                    <li class="older">
                                        <button type="button" class="link" on:click=move |_| load_older()
                                            disabled=move || older_loading.get()>
                                            {move || if older_loading.get() { "Loading older messages…" } else { "Load older messages" }}
                                        </button>
                                        {move || older_error.get().map(|e| view! { <span class="field-error" role="alert">" "{e}</span> })}
                                    </li>
                                })}
                                <For each=move || shown.messages.get() key=|m| (m.seq, m.deleted, m.body.clone()) let:message>
                                    <MessageItem message shown my_id/>
                                </For>
                                <For each=pending_here key=|p| (p.client_id.clone(), p.refused.clone()) let:pending>
                                    <PendingItem pending/>
                                </For>
                            </ol>
                            {move || (shown.messages.with(Vec::is_empty) && pending_here().is_empty()).then(|| view! {
                                <p class="hint chat-empty">"No messages yet: say hello."</p>
                            })}
                        }.into_any()
                    }
                }
            })}}
        </Transition>
        <p class="typing" aria-live="polite">{move || typing_text(shown)}</p>
        <Composer id shown/>
    }
}

/// A group's members: its admins add members of the organisation and remove members;
/// everyone may leave.
#[component]
fn GroupMembers(
    group: ConversationSummary,
    my_id: Option<i64>,
    regrouped: RwSignal<u64>,
    open: RwSignal<bool>,
) -> impl IntoView {
    let slug = use_slug();
    let navigate = use_navigate();
    let id = group.id;
    let admin = group
        .members
        .iter()
        .any(|m| Some(m.user_id) == my_id && m.admin);
    let problem = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let change = move |user_id: i64, add: bool| {
        let navigate = navigate.clone();
        busy.set(true);
        problem.set(None);
        leptos::task::spawn_local(async move {
            let slug = slug.get_untracked();
            let result = if add {
                add_group_member(slug.clone(), id, user_id)
                    .await
                    .map(|_| ())
            } else {
                remove_group_member(slug.clone(), id, user_id)
                    .await
                    .map(|_| ())
            };
            let _ = busy.try_set(false);
            match result {
                Err(error) => {
                    let _ = problem.try_set(Some(error.to_string()));
                }
                Ok(()) if !add && Some(user_id) == my_id => {
                    navigate(&format!("/o/{slug}/chat"), Default::default())
                }
                Ok(()) => regrouped.update(|n| *n += 1),
            }
        });
    };
    let change = StoredValue::new(change);
    let in_group: Vec<i64> = group.members.iter().map(|m| m.user_id).collect();
    // Whom an admin may add: the organisation's members who are not in it yet.
    let team = Resource::new(move || slug.get(), get_team);
    let chosen = RwSignal::new(String::new());
    let count = group.members.len();
    view! {
        <details class="group-members" open=move || open.get()>
            <summary on:click=move |ev| {
                ev.prevent_default();
                open.update(|o| *o = !*o);
            }>{format!("Members ({count})")}</summary>
            <ul>
                {group.members.into_iter().map(|m| {
                    let user_id = m.user_id;
                    let me = Some(user_id) == my_id;
                    let label = format!("Remove {}", m.name);
                    view! {
                        <li>
                            <span>{m.name}{m.admin.then_some(" · admin")}{me.then_some(" (you)")}</span>
                            {(admin && !me).then(|| view! {
                                <button type="button" class="link" aria-label=label disabled=move || busy.get()
                                    on:click=move |_| change.with_value(|c| c(user_id, false))>"Remove"</button>
                            })}
                        </li>
                    }
                }).collect_view()}
            </ul>
            {admin.then(|| view! {
                <Transition fallback=|| ()>
                    {move || {
                        let in_group = in_group.clone();
                        Suspend::new(async move {
                            let team = team.await.ok()?;
                            let others: Vec<_> = team.members.into_iter().filter(|m| !in_group.contains(&m.user_id)).collect();
                            (!others.is_empty()).then(|| view! {
                                <form class="inline-form" on:submit=move |ev| {
                                    ev.prevent_default();
                                    if let Ok(user_id) = chosen.get_untracked().parse::<i64>() {
                                        change.with_value(|c| c(user_id, true));
                                    }
                                }>
                                    <label for=format!("add-to-{id}")>"Add"</label>
                                    <select id=format!("add-to-{id}") on:change=move |ev| chosen.set(event_target_value(&ev))>
                                        <option value="">"Choose a colleague"</option>
                                        {others.into_iter().map(|m| view! { <option value=m.user_id.to_string()>{m.name}</option> }).collect_view()}
                                    </select>
                                    <button type="submit" class="button button-small" disabled=move || busy.get()>"Add to group"</button>
                                </form>
                            })
                        })
                    }}
                </Transition>
            })}
            {my_id.map(|me| view! {
                <button type="button" class="button button-small button-danger" disabled=move || busy.get()
                    on:click=move |_| change.with_value(|c| c(me, false))>"Leave group"</button>
            })}
            <p class="field-error" role="alert">{move || problem.get()}</p>
        </details>
    }
}

/// Searching the conversation's messages: the ones that contain every word typed, the latest
/// first, each with its words marked; "Show" scrolls to it (reading older pages if need be).
#[component]
fn SearchMessages<F>(id: i64, show_message: F) -> impl IntoView
where
    F: Fn(i64) + Copy + Send + Sync + 'static,
{
    let slug = use_slug();
    let query = RwSignal::new(String::new());
    // What was searched for and what was found (or why not).
    let results = RwSignal::new(None::<(String, Result<Vec<ChatMessage>, String>)>);
    let searching = RwSignal::new(false);
    let search = move || {
        let wanted = query.get_untracked();
        if wanted.trim().is_empty() {
            results.set(None);
            return;
        }
        // Said at once, as the server would.
        if let Err(error) = shared::chat::search_words("query", &wanted) {
            results.set(Some((wanted, Err(error.message))));
            return;
        }
        searching.set(true);
        leptos::task::spawn_local(async move {
            let found = search_messages(slug.get_untracked(), id, wanted.clone())
                .await
                .map_err(|e| e.to_string());
            let _ = results.try_set(Some((wanted, found)));
            let _ = searching.try_set(false);
        });
    };
    let input_id = format!("search-{id}");
    view! {
        <form class="chat-search" role="search" aria-label="Search this conversation"
            on:submit=move |ev| { ev.prevent_default(); search(); }>
            <label for=input_id.clone() class="sr-only">"Search messages"</label>
            <input id=input_id type="search" placeholder="Search messages" autocomplete="off"
                prop:value=move || query.get()
                on:input=move |ev| {
                    let value = event_target_value(&ev);
                    if value.is_empty() {
                        results.set(None);
                    }
                    query.set(value);
                }/>
            <button type="submit" class="button button-small" disabled=move || searching.get()>"Search"</button>
        </form>
        {move || results.get().map(|(wanted, found)| match found {
            Err(error) => view! { <p class="field-error" role="alert">{error}</p> }.into_any(),
            Ok(hits) => {
                let words: Vec<String> = wanted.split_whitespace().map(str::to_lowercase).collect();
                let count = match hits.len() {
                    0 => format!("No message contains “{}”.", wanted.trim()),
                    1 => format!("1 message contains “{}”.", wanted.trim()),
                    n => format!("{n} messages contain “{}”.", wanted.trim()),
                };
                view! {
                    <section class="search-results" aria-label="Messages found">
                        <p role="status">{count}" "
                            <button type="button" class="link" on:click=move |_| { results.set(None); query.set(String::new()); }>"Close"</button>
                        </p>
                        <ul>
                            {hits.into_iter().map(|hit| {
                                let seq = hit.seq;
                                let parts = shared::chat::marked(&hit.body, &words);
                                view! {
                                    <li>
                                        <p class="message-meta"><strong>{hit.author_name}</strong>" "<LocalTime at=hit.at/></p>
                                        <p class="message-body">{parts.into_iter().map(|(text, mark)| if mark {
                                            view! { <mark>{text}</mark> }.into_any()
                                        } else {
                                            text.into_any()
                                        }).collect_view()}</p>
                                        <button type="button" class="link" on:click=move |_| show_message(seq)>"Show in conversation"</button>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    </section>
                }.into_any()
            }
        })}
    }
}

#[component]
fn MessageItem(message: ChatMessage, shown: Shown, my_id: Option<i64>) -> impl IntoView {
    let seq = message.seq;
    let author = message.author;
    // Who (besides its author and the reader) has read up to this message and not beyond:
    // shown under it, as Zulip and Slack users expect, without a click.
    let readers = move || {
        shown.members.with(|members| {
            members
                .iter()
                .filter(|m| Some(m.user_id) != author && Some(m.user_id) != my_id)
                .filter(|m| m.last_read_seq == seq)
                .map(|m| m.name.clone())
                .collect::<Vec<_>>()
        })
    };
    let mine = my_id.is_some() && my_id == author;
    let conversation = message.conversation;
    let editing = RwSignal::new(false);
    let files = view! {
        <AttachmentList files=message.attachments.clone()
            base=format!("/o/{}/chat/files", use_slug().get_untracked())/>
    };
    let body = if message.deleted {
        view! { <p class="message-body deleted">"This message was deleted."</p> }.into_any()
    } else {
        // Made safe by the server (`render_message`): its Markdown, never raw HTML.
        let html = message.html.clone();
        view! {
            <Show when=move || editing.get()
                fallback=move || view! { <div class="message-body rich" inner_html=html.clone()></div> }>
                <EditMessage conversation seq body=message.body.clone() files=message.attachments.len() editing/>
            </Show>
        }
        .into_any()
    };
    let actions = (mine && !message.deleted).then(|| {
        let live = Live::get();
        let toasts = crate::toast::use_toasts();
        let delete = move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            if !live.send(&ClientEvent::Delete { conversation, seq }) {
                toasts.push(
                    crate::toast::ToastKind::Error,
                    "You are offline: delete the message when the connection is back.",
                );
            }
        };
        view! {
            <div class="message-actions" hidden=move || editing.get()>
                <button type="button" class="link" on:click=move |_| editing.set(true)>"Edit"</button>
                <ConfirmButton id=format!("delete-message-{seq}") label="Delete" class="link"
                    aria_label="Delete this message"
                    title="Delete this message?".to_owned()
                    text="Its text is removed for everyone in the conversation; this cannot be undone.".to_owned()>
                    <form on:submit=delete>
                        <button type="submit" class="button button-danger">"Delete message"</button>
                    </form>
                </ConfirmButton>
            </div>
        }
    });
    view! {
        <li class="message" class:mine=mine class:found=move || shown.found.get() == Some(seq) data-seq=seq>
            <p class="message-meta"><strong>{message.author_name}</strong>
                {message.from_candidate.then(|| view! { " "<span class="tag">"Candidate"</span> })}
                " "<LocalTime at=message.at/>{message.edited.then_some(" · edited")}</p>
            {body}
            {files}
            {actions}
            {move || {
                let readers = readers();
                (!readers.is_empty()).then(|| view! {
                    <p class="read-by" data-read-by=readers.join(",")>
                        {readers.iter().map(|name| view! {
                            <span class="avatar" title=format!("Read by {name}") aria-label=format!("Read by {name}")>
                                {name.chars().next().map(|c| c.to_uppercase().to_string()).unwrap_or_default()}
                            </span>
                        }).collect_view()}
                    </p>
                })
            }}
        </li>
    }
}

/// The author's own message, open for a change: Enter (or "Save") sends it, Escape (or
/// "Cancel") leaves it as it was. The message shows the change when the server has stored it.
#[component]
fn EditMessage(
    conversation: i64,
    seq: i64,
    body: String,
    /// How many files the message carries (it may then lose its text).
    files: usize,
    editing: RwSignal<bool>,
) -> impl IntoView {
    let live = Live::get();
    let text = RwSignal::new(body);
    let problem = RwSignal::new(None::<String>);
    let field = NodeRef::<leptos::html::Textarea>::new();
    Effect::new(move |_| {
        if let Some(field) = field.get() {
            let _ = field.focus();
        }
    });
    let save = move || {
        let body = match check_message_with("body", &text.get_untracked(), files) {
            Ok(body) => body,
            Err(error) => return problem.set(Some(error.message)),
        };
        if live.send(&ClientEvent::Edit {
            conversation,
            seq,
            body,
        }) {
            editing.set(false);
        } else {
            problem.set(Some(
                "You are offline: save the change when the connection is back.".to_owned(),
            ));
        }
    };
    let error_id = format!("edit-{seq}-error");
    view! {
        <form class="message-edit" on:submit=move |ev| { ev.prevent_default(); save(); }>
            <label for=format!("edit-{seq}") class="sr-only">"Edit message"</label>
            <textarea id=format!("edit-{seq}") rows="2" node_ref=field
                aria-invalid=move || problem.get().is_some().then_some("true")
                aria-describedby=error_id.clone()
                prop:value=move || text.get()
                on:input=move |ev| { text.set(event_target_value(&ev)); problem.set(None); }
                on:keydown=move |ev| {
                    if ev.key() == "Escape" {
                        ev.prevent_default();
                        editing.set(false);
                    } else if ev.key() == "Enter" && !ev.shift_key() && !touch_screen() {
                        ev.prevent_default();
                        save();
                    }
                }></textarea>
            <p class="message-actions">
                <button type="submit" class="button button-small button-primary">"Save"</button>
                <button type="button" class="button button-small" on:click=move |_| editing.set(false)>"Cancel"</button>
            </p>
            <p id=error_id class="field-error" role="alert">{move || problem.get()}</p>
        </form>
    }
}

#[component]
fn PendingItem(pending: Outgoing) -> impl IntoView {
    let live = Live::get();
    let client_id = pending.client_id.clone();
    let state = match pending.refused {
        None => view! { <p class="message-state">"Sending…"</p> }.into_any(),
        Some(why) => {
            let (retry, discard) = (client_id.clone(), client_id.clone());
            view! {
                <p class="message-state error" role="alert">"Not sent: "{why}" "
                    <button type="button" class="link" on:click=move |_| live.retry(&retry)>"Retry"</button>" "
                    <button type="button" class="link" on:click=move |_| live.discard(&discard)>"Discard"</button>
                </p>
            }
            .into_any()
        }
    };
    view! {
        <li class="message mine pending" data-client-id=client_id>
            <p class="message-body">{pending.body}</p>
            {(!pending.attachments.is_empty()).then(|| view! {
                <ul class="attachments">
                    {pending.attachments.iter().map(|a| view! { <li class="attachment">{a.name.clone()}</li> }).collect_view()}
                </ul>
            })}
            {state}
        </li>
    }
}

#[component]
fn Composer(id: i64, shown: Shown) -> impl IntoView {
    let live = Live::get();
    let mounted = RwSignal::new(false);
    Effect::new(move |_| mounted.set(true));
    let draft = shown
        .drafts
        .with_value(|d| d.get(&id).cloned())
        .unwrap_or_default();
    let text = RwSignal::new(draft);
    let problem = RwSignal::new(None::<String>);
    let chosen = RwSignal::new(Vec::new());
    let slug = use_slug();
    let upload = Signal::derive(move || format!("/o/{}/chat/{id}/files", slug.get()));
    // When this page last said its person is typing here (they are, until it says otherwise).
    let typing_said = StoredValue::new(None::<f64>);
    let say_typing = move |typing: bool| {
        let now = now_ms();
        let due = match typing_said.get_value() {
            None => typing,
            Some(said) => !typing || now - said >= f64::from(TYPING_REPEAT_MS),
        };
        if due
            && live.send(&ClientEvent::Typing {
                conversation: id,
                typing,
            })
        {
            typing_said.set_value(typing.then_some(now));
        }
    };
    // When the person last typed here: a socket that opens just after (a page that has only
    // just loaded, or a connection back) still says they are typing.
    let last_input = StoredValue::new(None::<f64>);
    Effect::new(move |_| {
        let open = live.open.get();
        let recent = last_input
            .get_value()
            .is_some_and(|at| now_ms() - at < f64::from(TYPING_EXPIRES_MS));
        if open && recent && !text.with_untracked(|t| t.trim().is_empty()) {
            say_typing(true);
        }
    });
    on_cleanup(move || {
        if typing_said.try_get_value().flatten().is_some() {
            live.send(&ClientEvent::Typing {
                conversation: id,
                typing: false,
            });
        }
    });
    let send = move || {
        let attachments = match chosen.with_untracked(|c| ready(c)) {
            Ok(files) => files,
            Err(why) => return problem.set(Some(why)),
        };
        let body = match check_message_with("body", &text.get_untracked(), attachments.len()) {
            Ok(body) => body,
            Err(error) => {
                problem.set(Some(error.message));
                return;
            }
        };
        problem.set(None);
        text.set(String::new());
        chosen.set(Vec::new());
        // The message itself tells the others that the typing is over.
        typing_said.set_value(None);
        shown.drafts.update_value(|d| {
            d.remove(&id);
        });
        live.post(Outgoing {
            conversation: id,
            client_id: client_id(),
            body,
            attachments,
            refused: None,
        });
    };
    view! {
        <form class="composer" on:submit=move |ev| { ev.prevent_default(); send(); }>
            <label for="message" class="sr-only">"Message"</label>
            <textarea id="message" name="body" rows="2" placeholder="Write a message"
                aria-invalid=move || problem.get().is_some().then_some("true")
                aria-describedby="message-error"
                prop:value=move || text.get()
                on:input=move |ev| {
                    let value = event_target_value(&ev);
                    shown.drafts.update_value(|d| {
                        d.insert(id, value.clone());
                    });
                    last_input.set_value(Some(now_ms()));
                    say_typing(!value.trim().is_empty());
                    text.set(value);
                    problem.set(None);
                }
                on:keydown=move |ev| {
                    // Enter sends; Shift+Enter starts a new line. On a touch screen (no Shift)
                    // Enter starts a new line and the button sends.
                    if ev.key() == "Enter" && !ev.shift_key() && !touch_screen() {
                        ev.prevent_default();
                        send();
                    }
                }></textarea>
            <button type="submit" class="button button-primary">"Send"</button>
            <div class="composer-files">
                <AttachFiles upload chosen id="attach-files"/>
            </div>
            <p id="message-error" class="field-error" role="alert">{move || problem.get()}</p>
        </form>
        // Said once the page runs (the server cannot know whether the socket will open).
        {move || (mounted.get() && !live.open.get()).then(|| view! {
            <p class="hint offline-note" role="status">"Offline: messages you write are sent when the connection is back."</p>
        })}
    }
}

/// "Fay is typing…", for whoever is typing in the shown conversation.
fn typing_text(shown: Shown) -> String {
    let names: Vec<String> = shown.typing.with(|typing| {
        shown.members.with(|members| {
            typing
                .iter()
                .filter_map(|(who, _)| members.iter().find(|m| m.user_id == *who))
                .map(|m| m.name.clone())
                .collect()
        })
    });
    match names.as_slice() {
        [] => String::new(),
        [one] => format!("{one} is typing…"),
        [one, two] => format!("{one} and {two} are typing…"),
        _ => "Several people are typing…".to_owned(),
    }
}

/// The browser's clock in milliseconds (0 on the server, where nobody types).
fn now_ms() -> f64 {
    #[cfg(feature = "hydrate")]
    {
        js_sys::Date::now()
    }
    #[cfg(not(feature = "hydrate"))]
    {
        0.0
    }
}

/// Whether the main pointer is a finger (a phone or tablet).
fn touch_screen() -> bool {
    #[cfg(feature = "hydrate")]
    {
        web_sys::window()
            .and_then(|w| w.match_media("(pointer: coarse)").ok().flatten())
            .is_some_and(|m| m.matches())
    }
    #[cfg(not(feature = "hydrate"))]
    {
        false
    }
}

/// A page's own id for a message: random, so that sending it again stores it once.
fn client_id() -> String {
    #[cfg(feature = "hydrate")]
    {
        let part = || (js_sys::Math::random() * f64::from(u32::MAX)) as u32;
        format!("{:08x}{:08x}{:08x}", part(), part(), part())
    }
    #[cfg(not(feature = "hydrate"))]
    {
        String::new()
    }
}
