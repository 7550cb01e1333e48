//! The candidate's side of an application's conversation, on the private page `/a/:token`: the
//! messages with the hiring team and a box to write to them. Writing is a plain form (it works
//! before the page's code has loaded, or without it); with the code, new messages arrive live
//! over the candidate's socket (`shared::ws::CANDIDATE_WS_PATH`), which the link's token opens
//! to this conversation only.

use super::{
    api::{candidate_messages, MessageTheTeam},
    attachments::{ready, AttachFiles, AttachmentList},
};
use crate::{
    form::{Form, FormError, Submit, TextArea},
    time::LocalTime,
    widgets::ErrorPanel,
};
use leptos::prelude::*;
use shared::{
    chat::{check_message_with, CandidateThread, ChatMessage},
    validation::FieldError,
};

/// Puts `message` in its place among `messages` (by `seq`), replacing an older copy of it.
fn put(messages: &mut Vec<ChatMessage>, message: ChatMessage) {
    match messages.binary_search_by_key(&message.seq, |m| m.seq) {
        Ok(at) => messages[at] = message,
        Err(at) => messages.insert(at, message),
    }
}

#[component]
pub fn CandidateMessages(token: String) -> impl IntoView {
    let thread = {
        let token = token.clone();
        Resource::new(|| (), move |()| candidate_messages(token.clone(), None))
    };
    view! {
        <section class="panel narrow candidate-chat" aria-labelledby="messages-title">
            <h2 id="messages-title">"Messages"</h2>
            <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || {
                    let token = token.clone();
                    Suspend::new(async move {
                        match thread.await {
                            Err(error) => view! { <ErrorPanel error/> }.into_any(),
                            Ok(first) => view! { <Thread first token/> }.into_any(),
                        }
                    })
                }}
            </Transition>
        </section>
    }
}

#[component]
fn Thread(first: CandidateThread, token: String) -> impl IntoView {
    let messages = RwSignal::new(first.messages.clone());
    let more_before = RwSignal::new(first.more_before);
    let loading_older = RwSignal::new(false);
    let older_error = RwSignal::new(None::<String>);
    let load_older = {
        let token = token.clone();
        move |_| {
            let Some(first_seq) = messages.with_untracked(|m| m.first().map(|m| m.seq)) else {
                return;
            };
            loading_older.set(true);
            let token = token.clone();
            leptos::task::spawn_local(async move {
                match candidate_messages(token, Some(first_seq)).await {
                    Ok(page) => {
                        messages.update(|all| {
                            for message in page.messages {
                                put(all, message);
                            }
                        });
                        more_before.set(page.more_before);
                        older_error.set(None);
                    }
                    Err(error) => older_error.set(Some(error.to_string())),
                }
                loading_older.set(false);
            });
        }
    };
    #[cfg(feature = "hydrate")]
    live::follow(first.conversation, token.clone(), messages);
    let files_base = format!("/a/{token}/files");
    let write = ServerAction::<MessageTheTeam>::new();
    // Each message gets the page's own id; a new one once it is stored.
    let client_id = RwSignal::new(new_client_id());
    let body = RwSignal::new(String::new());
    let chosen = RwSignal::new(Vec::new());
    Effect::new(move |_| {
        if let Some(Ok(stored)) = write.value().get() {
            messages.update(|all| put(all, stored));
            client_id.set(new_client_id());
            body.set(String::new());
            chosen.set(Vec::new());
        }
    });
    // The files that go with the message, as the form sends them: their ids, or
    // [`NOT_READY`] while one is uploading or was refused (the check before sending says so).
    let attachments = move || match chosen.with(|c| ready(c)) {
        Ok(files) => files
            .iter()
            .map(|f| f.id.to_string())
            .collect::<Vec<_>>()
            .join(","),
        Err(_) => NOT_READY.to_owned(),
    };
    let upload = Signal::derive({
        let token = token.clone();
        move || format!("/a/{token}/files")
    });
    let composer = if first.open {
        let label: &'static str = "Write to the hiring team";
        view! {
            <Form action=write id="candidate-message" class="candidate-composer" validate=check>
                <input type="hidden" name="token" value=token.clone()/>
                <input type="hidden" name="client_id" prop:value=move || client_id.get()/>
                <input type="hidden" name="attachments" prop:value=attachments/>
                <TextArea name="body" label bind=body rows=3/>
                <AttachFiles upload chosen id="candidate-attach"/>
                <FormError/>
                <Submit label="Send" pending="Sending…"/>
            </Form>
        }
        .into_any()
    } else {
        view! {
            <p class="hint">"You asked for your data to be deleted, so this conversation is closed."</p>
        }
        .into_any()
    };
    view! {
        <p class="hint">{format!("Questions about your application? The hiring team at {} reads and answers here.", first.team)}</p>
        <ol class="messages candidate-messages" aria-live="polite" aria-label="Messages">
            {move || more_before.get().then(|| view! {
                <li class="older">
                    <button type="button" class="link" on:click=load_older.clone() disabled=move || loading_older.get()>
                        {move || if loading_older.get() { "Loading older messages…" } else { "Load older messages" }}
                    </button>
                    {move || older_error.get().map(|e| view! { <span class="field-error" role="alert">" "{e}</span> })}
                </li>
            })}
            <For each=move || messages.get() key=|m| (m.seq, m.deleted, m.edited, m.body.clone()) let:message>
                <li class="message" class:mine=message.from_candidate data-seq=message.seq>
                    <p class="message-meta">
                        <strong>{if message.from_candidate { "You".to_owned() } else { message.author_name.clone() }}</strong>
                        " "<LocalTime at=message.at/>{message.edited.then_some(" · edited")}
                    </p>
                    {if message.deleted {
                        view! { <p class="message-body deleted">"This message was deleted."</p> }.into_any()
                    } else {
                        // Made safe by the server: its Markdown, never raw HTML.
                        view! { <div class="message-body rich" inner_html=message.html.clone()></div> }.into_any()
                    }}
                    <AttachmentList files=message.attachments.clone() base=files_base.clone()/>
                </li>
            </For>
        </ol>
        {move || messages.with(Vec::is_empty).then(|| view! {
            <p class="hint chat-empty">"No messages yet."</p>
        })}
        {composer}
    }
}

/// What the attachments field holds while a file is uploading or was refused.
const NOT_READY: &str = "not-ready";

/// The browser's check before sending (the server checks again).
fn check(input: &MessageTheTeam) -> Vec<FieldError> {
    if input.attachments == NOT_READY {
        return vec![FieldError::new(
            "body",
            "Wait until the files have finished uploading, and remove (×) any that could not be attached.",
        )];
    }
    let files = input
        .attachments
        .split(',')
        .filter(|s| !s.is_empty())
        .count();
    check_message_with("body", &input.body, files)
        .err()
        .into_iter()
        .collect()
}

/// A page's own id for a message: random, so that sending it again stores it once. A page
/// rendered on the server leaves it empty (the server names a message sent without one).
fn new_client_id() -> String {
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

/// The candidate's socket: joins with the link's token, says which message the page has last,
/// and puts what arrives in the list; it opens again after a lost connection (with a growing
/// wait), and not after the server said the link no longer works.
#[cfg(feature = "hydrate")]
mod live {
    use super::put;
    use crate::realtime::browser::socket_url_of;
    use leptos::prelude::*;
    use shared::{
        chat::ChatMessage,
        ws::{close, ClientEvent, ServerEvent, CANDIDATE_WS_PATH, PROTOCOL_VERSION},
    };
    use wasm_bindgen::{closure::Closure, JsCast};
    use web_sys::{CloseEvent, Event, MessageEvent, WebSocket};

    pub fn follow(conversation: i64, token: String, messages: RwSignal<Vec<ChatMessage>>) {
        let owner = Owner::current();
        let socket = StoredValue::new_local(None::<WebSocket>);
        on_cleanup(move || {
            if let Some(socket) = socket.try_get_value().flatten() {
                socket.set_onclose(None);
                let _ = socket.close();
            }
        });
        open(conversation, token, messages, socket, owner, 0);
    }

    fn open(
        conversation: i64,
        token: String,
        messages: RwSignal<Vec<ChatMessage>>,
        stored: StoredValue<Option<WebSocket>, LocalStorage>,
        owner: Option<Owner>,
        attempt: u32,
    ) {
        let Some(url) = socket_url_of(CANDIDATE_WS_PATH) else {
            return;
        };
        let Ok(socket) = WebSocket::new(&url) else {
            return;
        };
        stored.set_value(Some(socket.clone()));
        let opened = socket.clone();
        let join_token = token.clone();
        let on_open = Closure::<dyn FnMut(Event)>::new(move |_: Event| {
            let after = messages
                .try_with_untracked(|m| m.last().map(|m| m.seq))
                .flatten()
                .unwrap_or(0);
            let join = ClientEvent::Join {
                version: PROTOCOL_VERSION,
                token: join_token.clone(),
                after,
            };
            let _ = opened.send_with_str(&serde_json::to_string(&join).unwrap_or_default());
        });
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
            let Some(text) = event.data().as_string() else {
                return;
            };
            match serde_json::from_str::<ServerEvent>(&text) {
                Ok(ServerEvent::Message(message)) if message.conversation == conversation => {
                    let _ = messages.try_update(|all| put(all, message));
                }
                Ok(ServerEvent::Ack { message, .. }) => {
                    let _ = messages.try_update(|all| put(all, message));
                }
                _ => {}
            }
        });
        let on_close = Closure::<dyn FnMut(CloseEvent)>::new(move |event: CloseEvent| {
            let _ = stored.try_set_value(None);
            if matches!(event.code(), close::LINK_ENDED | close::UNSUPPORTED_VERSION) {
                return;
            }
            let delay = 1_000 * 2u32.pow(attempt.min(5));
            let (token, owner) = (token.clone(), owner.clone());
            gloo_timers::callback::Timeout::new(delay, move || {
                if let Some(owner) = owner.clone() {
                    owner.with(|| {
                        open(
                            conversation,
                            token,
                            messages,
                            stored,
                            Some(owner.clone()),
                            attempt + 1,
                        )
                    });
                }
            })
            .forget();
        });
        socket.set_onopen(Some(on_open.as_ref().unchecked_ref()));
        socket.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        socket.set_onclose(Some(on_close.as_ref().unchecked_ref()));
        on_open.forget();
        on_message.forget();
        on_close.forget();
    }
}
