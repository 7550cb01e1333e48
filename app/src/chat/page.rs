//! `/o/:slug/chat` and `/o/:slug/chat/:conversation`: the person's conversations in the
//! organisation (each with its last message and unread count), starting one with a colleague,
//! and a conversation: its history, messages arriving live, and sending. A message shows
//! "Sending…" until the server has stored it, and "Not sent" with the reason and a retry when it
//! refused it; what the socket missed while closed is read again when it opens.

use super::api::{conversation_history, conversations, StartDirect};
use crate::{
    orgs::api::get_team, realtime::Live, session::use_slug, time::LocalTime, widgets::ErrorPanel,
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_navigate, use_params_map};
use shared::{
    chat::{check_message, ChatMessage, ConversationMember, ConversationSummary},
    ws::{ClientEvent, ServerEvent},
};

/// A message this page sent that the server has not stored yet.
#[derive(Clone, Debug, PartialEq)]
struct Pending {
    conversation: i64,
    client_id: String,
    body: String,
    /// Why the server refused it, if it did.
    refused: Option<String>,
}

/// What the shown conversation holds, changed by history and by live events.
#[derive(Clone, Copy)]
struct Shown {
    conversation: RwSignal<Option<i64>>,
    messages: RwSignal<Vec<ChatMessage>>,
    members: RwSignal<Vec<ConversationMember>>,
    pending: RwSignal<Vec<Pending>>,
}

impl Shown {
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
    // Bumped when a message arrives for a conversation in the list.
    let changed = RwSignal::new(0u64);
    let list = Resource::new(
        move || (slug.get(), changed.get(), live.open.get()),
        |(slug, _, _)| conversations(slug),
    );
    let shown = Shown {
        conversation: RwSignal::new(None),
        messages: RwSignal::new(Vec::new()),
        members: RwSignal::new(Vec::new()),
        pending: RwSignal::new(Vec::new()),
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
                    shown.put(message);
                    changed.update(|n| *n += 1);
                }
                ServerEvent::Ack { client_id, message } => {
                    shown
                        .pending
                        .update(|p| p.retain(|m| m.client_id != client_id));
                    shown.put(message);
                }
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
                }
                ServerEvent::Error(error) => {
                    let Some(client_id) = error.reply_to else {
                        continue;
                    };
                    shown.pending.update(|p| {
                        for m in p.iter_mut().filter(|m| m.client_id == client_id) {
                            m.refused = Some(error.message.clone());
                        }
                    });
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
                <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
                    {move || Suspend::new(async move {
                        match list.await {
                            Err(error) => view! { <ErrorPanel error/> }.into_any(),
                            Ok(list) if list.is_empty() => view! {
                                <p class="hint">"No conversations yet. Start one with a colleague above."</p>
                            }.into_any(),
                            Ok(list) => view! {
                                <ul class="conversations">
                                    {list.into_iter().map(|c| view! { <ConversationItem c selected/> }).collect_view()}
                                </ul>
                            }.into_any(),
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

#[component]
fn ConversationItem(c: ConversationSummary, selected: Memo<Option<i64>>) -> impl IntoView {
    let slug = use_slug();
    let id = c.id;
    let href = move || format!("/o/{}/chat/{id}", slug.get());
    let last = c
        .last_message
        .map(|m| {
            format!(
                "{}: {}",
                m.author_name,
                if m.deleted {
                    "(deleted)".to_owned()
                } else {
                    m.body
                }
            )
        })
        .unwrap_or_else(|| "No messages yet".to_owned());
    let unread = (c.unread > 0).then(|| {
        view! { <span class="badge" aria-label=format!("{} unread", c.unread)>{c.unread}</span> }
    });
    view! {
        <li>
            <a href=href class="conversation" data-conversation=id
                aria-current=move || (selected.get() == Some(id)).then_some("page")>
                <span class="conversation-title">{c.title}{unread}</span>
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
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(c)) = start.value().get() {
            navigate(
                &format!("/o/{}/chat/{}", slug.get_untracked(), c.id),
                Default::default(),
            );
        }
    });
    let members = Resource::new(move || slug.get(), get_team);
    let me = crate::session::Session::get().me;
    let my_id = move || {
        me.get_untracked()
            .and_then(Result::ok)
            .flatten()
            .map(|m| m.user_id)
    };
    view! {
        <details class="start-chat">
            <summary>"New conversation"</summary>
            <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match members.await {
                        Err(error) => view! { <ErrorPanel error/> }.into_any(),
                        Ok(team) => view! {
                            <ActionForm action=start>
                                <input type="hidden" name="slug" value=slug.get_untracked()/>
                                <label for="chat-with">"With"</label>
                                <select id="chat-with" name="user_id">
                                    {team.members.into_iter().filter(|m| Some(m.user_id) != my_id()).map(|m| view! {
                                        <option value=m.user_id.to_string()>{m.name}</option>
                                    }).collect_view()}
                                </select>
                                <button type="submit" class="button">"Open"</button>
                            </ActionForm>
                        }.into_any(),
                    }
                })}
            </Transition>
            {move || start.value().get().and_then(Result::err).map(|error| view! { <ErrorPanel error/> })}
        </details>
    }
}

#[component]
fn Conversation(id: i64, shown: Shown) -> impl IntoView {
    let slug = use_slug();
    let live = Live::get();
    let history = Resource::new(
        move || (slug.get(), id, live.open.get()),
        |(slug, id, _)| conversation_history(slug, id, None),
    );
    shown.conversation.set(Some(id));
    shown.messages.set(Vec::new());
    let me = crate::session::Session::get().me;
    // Tells the server what this person has read: the last message shown.
    let mark_read = move || {
        let last = shown.messages.with_untracked(|m| m.last().map(|m| m.seq));
        if let Some(seq) = last {
            live.send(&ClientEvent::Read {
                conversation: id,
                seq,
            });
        }
    };
    Effect::new(move |_| {
        shown.messages.track();
        mark_read();
    });
    let pending_here = move || {
        shown
            .pending
            .get()
            .into_iter()
            .filter(|p| p.conversation == id)
            .collect::<Vec<_>>()
    };
    // The history and what arrives live are drawn together, from the same signals, on the
    // server and when the page hydrates.
    view! {
        <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                // Who reads is awaited too, so the server and the page draw the same receipts.
                let my_id = me.await.ok().flatten().map(|m| m.user_id);
                match history.await {
                    Err(error) => view! { <ErrorPanel error/> }.into_any(),
                    Ok(history) => {
                        shown.messages.set(history.messages);
                        shown.members.set(history.conversation.members.clone());
                        let names = history.conversation.members.iter().map(|m| m.name.clone()).collect::<Vec<_>>().join(", ");
                        view! {
                            <header class="chat-head">
                                <a class="chat-back" href=move || format!("/o/{}/chat", slug.get())>"← All conversations"</a>
                                <h2>{history.conversation.title}</h2>
                                <p class="hint">{names}</p>
                            </header>
                            <ol class="messages" aria-live="polite" aria-label="Messages">
                                <For each=move || shown.messages.get() key=|m| (m.seq, m.edited, m.deleted) let:message>
                                    <MessageItem message shown my_id/>
                                </For>
                                <For each=pending_here key=|p| (p.client_id.clone(), p.refused.clone()) let:pending>
                                    <PendingItem pending shown/>
                                </For>
                            </ol>
                        }.into_any()
                    }
                }
            })}
        </Transition>
        <Composer id shown/>
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
    view! {
        <li class="message" class:mine=mine data-seq=seq>
            <p class="message-meta"><strong>{message.author_name}</strong>" "<LocalTime at=message.at/>
                {message.edited.then_some(" · edited")}</p>
            {if message.deleted {
                view! { <p class="message-body deleted">"This message was deleted."</p> }.into_any()
            } else {
                view! { <p class="message-body">{message.body}</p> }.into_any()
            }}
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

#[component]
fn PendingItem(pending: Pending, shown: Shown) -> impl IntoView {
    let live = Live::get();
    let retry = {
        let pending = pending.clone();
        move |_| {
            shown.pending.update(|p| {
                for m in p.iter_mut().filter(|m| m.client_id == pending.client_id) {
                    m.refused = None;
                }
            });
            live.send(&ClientEvent::Send {
                conversation: pending.conversation,
                client_id: pending.client_id.clone(),
                body: pending.body.clone(),
            });
        }
    };
    let refused = pending.refused.clone();
    view! {
        <li class="message mine pending" data-client-id=pending.client_id.clone()>
            <p class="message-body">{pending.body.clone()}</p>
            {match refused {
                None => view! { <p class="message-state">"Sending…"</p> }.into_any(),
                Some(why) => view! {
                    <p class="message-state error" role="alert">"Not sent: "{why}" "
                        <button type="button" class="link" on:click=retry>"Retry"</button>
                    </p>
                }.into_any(),
            }}
        </li>
    }
}

#[component]
fn Composer(id: i64, shown: Shown) -> impl IntoView {
    let live = Live::get();
    let mounted = RwSignal::new(false);
    Effect::new(move |_| mounted.set(true));
    let text = RwSignal::new(String::new());
    let problem = RwSignal::new(None::<String>);
    let send = move || {
        let body = match check_message("body", &text.get_untracked()) {
            Ok(body) => body,
            Err(error) => {
                problem.set(Some(error.message));
                return;
            }
        };
        problem.set(None);
        let client_id = client_id();
        shown.pending.update(|p| {
            p.push(Pending {
                conversation: id,
                client_id: client_id.clone(),
                body: body.clone(),
                refused: None,
            })
        });
        text.set(String::new());
        live.send(&ClientEvent::Send {
            conversation: id,
            client_id,
            body,
        });
    };
    // What was written while the socket was closed goes out when it opens again.
    Effect::new(move |_| {
        if live.open.get() {
            for p in shown
                .pending
                .get_untracked()
                .into_iter()
                .filter(|p| p.refused.is_none())
            {
                live.send(&ClientEvent::Send {
                    conversation: p.conversation,
                    client_id: p.client_id,
                    body: p.body,
                });
            }
        }
    });
    view! {
        <form class="composer" on:submit=move |ev| { ev.prevent_default(); send(); }>
            <label for="message" class="sr-only">"Message"</label>
            <textarea id="message" name="body" rows="2" placeholder="Write a message"
                aria-invalid=move || problem.get().is_some().then_some("true")
                aria-describedby="message-error"
                prop:value=move || text.get()
                on:input=move |ev| text.set(event_target_value(&ev))
                on:keydown=move |ev| {
                    // Enter sends; Shift+Enter starts a new line.
                    if ev.key() == "Enter" && !ev.shift_key() {
                        ev.prevent_default();
                        send();
                    }
                }></textarea>
            <button type="submit" class="button button-primary">"Send"</button>
            <p id="message-error" class="field-error" role="alert">{move || problem.get()}</p>
        </form>
        // Said once the page runs (the server cannot know whether the socket will open).
        {move || (mounted.get() && !live.open.get()).then(|| view! {
            <p class="hint offline-note" role="status">"Offline: messages you write are sent when the connection is back."</p>
        })}
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
