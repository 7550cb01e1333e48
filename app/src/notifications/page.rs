//! The bell in the header and `/notifications`: the person's notifications, newest first,
//! unread ones marked, each leading to what it is about; mark one or all read; and how they
//! want to hear of each kind.

use super::api::{
    get_notification_settings, list_notices, MarkNoticesRead, SaveNotificationSettings,
};
use crate::{
    form::{Choice, Form, FormError, Submit},
    realtime::Live,
    session::successes,
    time::LocalTime,
    toast::{use_toasts, ToastKind},
    widgets::ErrorPanel,
};
use leptos::prelude::*;
use leptos_meta::Title;
use shared::notifications::{
    check_digest_minutes, minutes_label, Channel, Notice, NotificationSettings, Topic,
    DIGEST_MINUTES,
};

/// The bell: a link to the notification centre with how many are unread (as the session read
/// it, then as the socket says).
#[component]
pub fn NotificationBell(unread: i64) -> impl IntoView {
    let live = Live::get();
    let count = move || live.notices_unread.get().unwrap_or(unread);
    let label = move || match count() {
        0 => "Notifications".to_owned(),
        1 => "Notifications: 1 unread".to_owned(),
        n => format!("Notifications: {n} unread"),
    };
    view! {
        <a class="bell" href="/notifications" aria-label=label title=label>
            <svg viewBox="0 0 24 24" width="22" height="22" aria-hidden="true" focusable="false">
                <path fill="currentColor" d="M12 22a2.5 2.5 0 0 0 2.45-2h-4.9A2.5 2.5 0 0 0 12 22Zm7-6V11a7 7 0 0 0-5.5-6.84V3.5a1.5 1.5 0 0 0-3 0v.66A7 7 0 0 0 5 11v5l-2 2v1h18v-1Z"/>
            </svg>
            {move || (count() > 0).then(|| view! { <span class="badge nav-badge bell-count">{count()}</span> })}
        </a>
    }
}

#[component]
pub fn NotificationsPage() -> impl IntoView {
    let live = Live::get();
    let toasts = use_toasts();
    let mark = ServerAction::<MarkNoticesRead>::new();
    let marked = successes(mark);
    // A mark that failed (offline, say) is said, not swallowed.
    Effect::new(move |_| match mark.value().get() {
        Some(Ok(unread)) => live.notices_unread.set(Some(unread)),
        Some(Err(error)) => toasts.push(ToastKind::Error, error.to_string()),
        None => {}
    });
    // Older pages read so far (the first page is the resource).
    let older = RwSignal::new(Vec::<Notice>::new());
    let older_more = RwSignal::new(None::<bool>);
    let notices = Resource::new(
        move || (live.notices_changed.get(), marked.get()),
        |_| list_notices(None),
    );
    let load_older = move |before: i64| {
        leptos::task::spawn_local(async move {
            match list_notices(Some(before)).await {
                Ok(page) => {
                    older.update(|o| o.extend(page.items));
                    older_more.set(Some(page.more));
                }
                Err(error) => toasts.push(ToastKind::Error, error.to_string()),
            }
        });
    };
    let save = ServerAction::<SaveNotificationSettings>::new();
    Effect::new(move |_| {
        if let Some(Ok(_)) = save.value().get() {
            toasts.push(ToastKind::Success, "Saved how you hear of things.");
        }
    });
    let saved = successes(save);
    let settings = Resource::new(move || saved.get(), |_| get_notification_settings());
    view! {
        <Title text="Notifications"/>
        <section class="page-head">
            <h1>"Notifications"</h1>
        </section>
        <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match notices.await {
                    Err(error) => view! { <ErrorPanel error/> }.into_any(),
                    Ok(page) => {
                        let unread = page.unread;
                        let more = page.more;
                        let last = page.items.last().map(|n| n.id);
                        let empty = page.items.is_empty();
                        let items = page.items.into_iter().map(|notice| view! { <NoticeItem notice mark/> }).collect_view();
                        view! {
                            <section class="panel notices-panel">
                                <div class="notices-head">
                                    <p class="hint" role="status">{match unread {
                                        0 => "Nothing unread.".to_owned(),
                                        1 => "1 unread.".to_owned(),
                                        n => format!("{n} unread."),
                                    }}</p>
                                    {(unread > 0).then(|| view! {
                                        <ActionForm action=mark>
                                            <button type="submit" class="button">"Mark all read"</button>
                                        </ActionForm>
                                    })}
                                </div>
                                {empty.then(|| view! {
                                    <p class="hint">"No notifications yet. Mentions, new applications, moves on your jobs' boards and messages that come while you are away appear here."</p>
                                })}
                                <ul class="notices">
                                    {items}
                                    <For each=move || older.get() key=|n| (n.id, n.read) let:notice>
                                        <NoticeItem notice mark/>
                                    </For>
                                </ul>
                                {move || {
                                    let more = older_more.get().unwrap_or(more);
                                    let before = older.with(|o| o.last().map(|n| n.id)).or(last);
                                    (more && before.is_some()).then(|| view! {
                                        <button type="button" class="button" on:click=move |_| {
                                            if let Some(before) = before {
                                                load_older(before);
                                            }
                                        }>"Show older"</button>
                                    })
                                }}
                            </section>
                        }.into_any()
                    }
                }
            })}
        </Transition>
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match settings.await {
                    Ok(settings) => view! { <SettingsForm settings save/> }.into_any(),
                    Err(error) => view! { <ErrorPanel error/> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// One notification: its text leads to what it is about (and marks it read).
#[component]
fn NoticeItem(notice: Notice, mark: ServerAction<MarkNoticesRead>) -> impl IntoView {
    let id = notice.id;
    let read = notice.read;
    let open = move |_| {
        if !read {
            mark.dispatch(MarkNoticesRead { id: Some(id) });
        }
    };
    view! {
        <li class="notice" class:unread=!read>
            <a class="notice-text" href=notice.link on:click=open>
                {(!read).then(|| view! { <span class="sr-only">"Unread: "</span> })}
                {notice.text}
            </a>
            <span class="hint notice-meta">{notice.org_name}" · "<LocalTime at=notice.at/></span>
            {(!read).then(|| view! {
                <ActionForm action=mark attr:class="notice-mark">
                    <input type="hidden" name="id" value=id/>
                    <button type="submit" class="link">"Mark read"</button>
                </ActionForm>
            })}
        </li>
    }
}

#[component]
fn SettingsForm(
    settings: NotificationSettings,
    save: ServerAction<SaveNotificationSettings>,
) -> impl IntoView {
    let channels: Vec<(String, String)> = Channel::ALL
        .into_iter()
        .map(|c| (c.as_str().to_owned(), c.label().to_owned()))
        .collect();
    let delays: Vec<(String, String)> = DIGEST_MINUTES
        .into_iter()
        .map(|m| (m.to_string(), minutes_label(m)))
        .collect();
    view! {
        <section class="panel notification-settings">
            <h2>"How you hear of things"</h2>
            <p class="hint">"Whatever you choose, nothing comes by e-mail that you have already seen here, and what does comes together in one e-mail."</p>
            <Form action=save id="notification-settings" validate=check class="form">
                // Made inside the form: each choice finds the form's state.
                {settings.channels.iter().map(|(topic, channel)| view! {
                    <Choice name=topic.as_str() label=topic.label() options=channels.clone()
                        selected=channel.as_str().to_owned()/>
                }).collect_view()}
                <Choice name="digest_minutes" label="E-mail what is still unread after" options=delays
                    selected=settings.digest_minutes.to_string()/>
                <FormError/>
                <Submit label="Save" pending="Saving…"/>
            </Form>
        </section>
    }
}

fn check(input: &SaveNotificationSettings) -> Vec<shared::validation::FieldError> {
    let mut problems: Vec<_> = Topic::ALL
        .into_iter()
        .zip([
            &input.mention,
            &input.new_application,
            &input.stage_change,
            &input.message,
        ])
        .filter(|(_, raw)| Channel::parse(raw).is_none())
        .map(|(topic, _)| {
            shared::validation::FieldError::new(topic.as_str(), "Choose how you hear of this.")
        })
        .collect();
    problems.extend(check_digest_minutes("digest_minutes", input.digest_minutes).err());
    problems
}
