//! The organisation's outgoing e-mail, readable when no mail server is configured.

use super::api::get_outbox;
use crate::time::LocalTime;
use crate::{session::Session, widgets::ErrorPanel};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn OutboxPage() -> impl IntoView {
    let session = Session::get();
    let slug = crate::session::use_slug();
    let messages = Resource::new(
        move || (slug.get(), session.live.get()),
        |(slug, _)| get_outbox(slug),
    );
    view! {
        <Title text="Outbox"/>
        <section class="page-head">
            <h1>"Outbox"</h1>
        </section>
        <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match messages.await {
                    Err(error) => view! { <ErrorPanel error/> }.into_any(),
                    Ok(outbox) => {
                        let note = if outbox.smtp_configured {
                            "Mail is delivered through the configured SMTP server; this is a copy of what was sent."
                        } else {
                            "No SMTP server is configured, so mail stays here. Copy a link to whoever it is for."
                        };
                        let empty = outbox.messages.is_empty();
                        let items = outbox.messages.into_iter().map(|m| {
                            let status = match (m.sent_at, m.last_error) {
                                (Some(at), _) => view! { "sent "<LocalTime at/> }.into_any(),
                                (None, Some(err)) => format!("not sent yet: {err}").into_any(),
                                (None, None) => "not sent".into_any(),
                            };
                            view! {
                                <article class="panel mail" data-recipient=m.recipient.clone()>
                                    <header>
                                        <strong>{m.subject.clone()}</strong>
                                        <span>" to "{m.recipient.clone()}" · "<LocalTime at=m.created_at/>" · "{status}</span>
                                    </header>
                                    <MailBody body=m.body/>
                                </article>
                            }
                        }).collect_view();
                        view! {
                            <p class="hint">{note}</p>
                            <Show when=move || empty><p>"No mail yet."</p></Show>
                            {items}
                        }.into_any()
                    }
                }
            })}
        </Transition>
    }
}

/// Plain-text mail with its web links made clickable.
#[component]
fn MailBody(body: String) -> impl IntoView {
    let lines = body
        .lines()
        .map(|line| {
            let words = line
                .split(' ')
                .map(|word| {
                    if word.starts_with("http://") || word.starts_with("https://") {
                        view! { <a href=word.to_owned()>{word.to_owned()}</a>" " }.into_any()
                    } else {
                        view! { {word.to_owned()}" " }.into_any()
                    }
                })
                .collect_view();
            view! { <span>{words}</span><br/> }
        })
        .collect_view();
    view! { <p class="mail-body">{lines}</p> }
}
