//! `/o/:slug/applications/:id`: one application as the hiring team works on it: the explained
//! score, the CV with the sentences that prove each skill marked, the cover letter, what
//! happened so far (who, what, when), notes that @mention colleagues, and the decisions: move
//! to another stage, reject with a reason (and an e-mail to the candidate), reopen.

use super::api::{
    application, AddNote, AssignInterviewers, MessageCandidate, MoveApplication, RejectApplication,
    ReopenApplication,
};
use crate::{
    form::{CheckField, Choice, Field, Form, FormError, Submit, TextArea},
    matching::explained::{Highlighted, Verdict},
    session::{successes, Session},
    time::LocalTime,
    toast::{use_toasts, ToastKind},
    widgets::ErrorPanel,
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;
use shared::{
    candidates::file_path,
    matching::{ExtractedSkill, MatchExplanation},
    pipeline::{ApplicationDetail, Outcome, RejectionSettings},
};

/// The page's actions, each re-reading the application when it succeeds.
#[derive(Clone, Copy)]
struct Actions {
    moving: ServerAction<MoveApplication>,
    reject: ServerAction<RejectApplication>,
    reopen: ServerAction<ReopenApplication>,
    note: ServerAction<AddNote>,
    assign: ServerAction<AssignInterviewers>,
}

#[component]
pub fn ApplicationPage() -> impl IntoView {
    let slug = crate::session::use_slug();
    let params = use_params_map();
    let id = move || {
        params
            .read()
            .get("id")
            .and_then(|id| id.parse::<i64>().ok())
    };
    let session = Session::get();
    let actions = Actions {
        moving: ServerAction::new(),
        reject: ServerAction::new(),
        reopen: ServerAction::new(),
        note: ServerAction::new(),
        assign: ServerAction::new(),
    };
    session.watch(actions.moving);
    session.watch(actions.reject);
    session.watch(actions.reopen);
    session.watch(actions.note);
    session.watch(actions.assign);
    let toasts = use_toasts();
    Effect::new(move |_| {
        if let Some(Err(error)) = actions.moving.value().get() {
            toasts.push(ToastKind::Error, error.to_string());
        }
    });
    Effect::new(move |_| {
        if let Some(Err(error)) = actions.reopen.value().get() {
            toasts.push(ToastKind::Error, error.to_string());
        }
    });
    Effect::new(move |_| match actions.assign.value().get() {
        Some(Ok(_)) => toasts.push(ToastKind::Success, "Saved the interviewers."),
        Some(Err(error)) => toasts.push(ToastKind::Error, error.to_string()),
        None => {}
    });
    Effect::new(move |_| {
        if let Some(Ok(done)) = actions.reject.value().get() {
            toasts.push(
                ToastKind::Success,
                format!("Rejected {}.", done.candidate_name),
            );
        }
    });
    let changes = (
        successes(actions.moving),
        successes(actions.reject),
        successes(actions.reopen),
        successes(actions.note),
        successes(actions.assign),
    );
    let detail = Resource::new(
        move || {
            (
                slug.get(),
                id(),
                changes.0.get()
                    + changes.1.get()
                    + changes.2.get()
                    + changes.3.get()
                    + changes.4.get(),
            )
        },
        |(slug, id, _)| async move {
            match id {
                Some(id) => application(slug, id).await,
                None => Err(crate::error::ApiError::NotFound),
            }
        },
    );
    view! {
        <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match detail.await {
                    Err(error) => view! { <Title text="Application"/><ErrorPanel error/> }.into_any(),
                    Ok(detail) => view! { <Detail detail slug=slug.get_untracked() actions/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn Detail(detail: ApplicationDetail, slug: String, actions: Actions) -> impl IntoView {
    let stage = detail
        .stages
        .iter()
        .find(|s| s.id == detail.stage_id)
        .map(|s| s.name.clone())
        .unwrap_or_default();
    let status = match &detail.outcome {
        Outcome::Active => view! { <span class="tag">{stage.clone()}</span>" since "<LocalTime at=detail.stage_entered_at/> }.into_any(),
        Outcome::Rejected { reason, at } => view! {
            <span class="tag tag-closed">"Rejected"</span>{format!(" ({reason}) ")}<LocalTime at=*at/>
        }
        .into_any(),
        Outcome::Withdrawn { at } => view! {
            <span class="tag tag-closed">"Withdrawn by the candidate"</span>" "<LocalTime at=*at/>
        }
        .into_any(),
        Outcome::Hired => view! { <span class="tag">"Hired"</span> }.into_any(),
    };
    let board = format!("/o/{slug}/jobs/{}/board", detail.job_slug);
    let profile = format!("/o/{slug}/candidates/{}", detail.candidate_id);
    let main = view! {
        <div class="candidate-main">
            <Score explanation=detail.explanation.clone()/>
            <Cv detail=detail.clone() slug=slug.clone()/>
            {(!detail.cover_letter.is_empty()).then(|| view! {
                <section class="panel" aria-labelledby="letter-heading">
                    <h2 id="letter-heading">"Cover letter"</h2>
                    <p class="pre-line">{detail.cover_letter.clone()}</p>
                </section>
            })}
        </div>
    }
    .into_any();
    let side = view! {
        <div class="candidate-side">
            <Decide detail=detail.clone() slug=slug.clone() actions/>
            {detail.can_decide.then(|| view! {
                <CandidateConversation id=detail.id slug=slug.clone() name=detail.candidate_name.clone()/>
            })}
            <Interviewers detail=detail.clone() slug=slug.clone() action=actions.assign/>
            <Notes detail=detail.clone() slug=slug.clone() action=actions.note/>
            <Timeline detail=detail.clone()/>
        </div>
    }
    .into_any();
    view! {
        <Title text=format!("{} · {}", detail.candidate_name, detail.job_title)/>
        {detail.whole_job.then(|| view! {
            <p class="breadcrumb"><a href=board.clone()>{format!("{}: board", detail.job_title)}</a></p>
        })}
        <section class="page-head">
            <h1>{detail.candidate_name.clone()}</h1>
            <p class="hint" data-status="">
                {format!("{} · applied ", detail.job_title)}<LocalTime at=detail.applied_at/>" · "{status}
            </p>
            {detail.whole_job.then(|| view! {
                <p><a href=profile.clone()>"Profile, contact details and other applications"</a></p>
            })}
        </section>
        <div class="candidate-layout">{main}{side}</div>
    }
}

/// The way to the conversation with the candidate: opened (and joined) here, read and written
/// in Chat; the candidate answers from their application's private link.
#[component]
fn CandidateConversation(id: i64, slug: String, name: String) -> impl IntoView {
    let open = ServerAction::<MessageCandidate>::new();
    let navigate = leptos_router::hooks::use_navigate();
    let chat = format!("/o/{slug}/chat");
    Effect::new(move |_| {
        if let Some(Ok(conversation)) = open.value().get() {
            navigate(&format!("{chat}/{conversation}"), Default::default());
        }
    });
    // Read through signals taken here, once: a closure may still run after the page has gone
    // to the conversation (and the action with it); read then, the action itself panics.
    let (value, pending) = (open.value(), open.pending());
    let error = move || {
        value
            .try_get()
            .flatten()
            .and_then(Result::err)
            .map(|e| e.to_string())
    };
    view! {
        <section class="panel" aria-labelledby="talk-heading">
            <h2 id="talk-heading">"Talk with the candidate"</h2>
            <p class="hint">{format!("Write to {name} in Chat, with the job's hiring team: they read and answer from their application's private link.")}</p>
            <ActionForm action=open>
                <input type="hidden" name="slug" value=slug/>
                <input type="hidden" name="application" value=id/>
                <button type="submit" class="button" disabled=move || pending.try_get().unwrap_or(false)>"Message the candidate"</button>
            </ActionForm>
            <p class="field-error" role="alert" hidden=move || error().is_none()>{error}</p>
        </section>
    }
}

/// The explained score, or why there is none yet.
#[component]
fn Score(explanation: Option<MatchExplanation>) -> impl IntoView {
    match explanation {
        Some(explanation) => view! { <Verdict explanation/> }.into_any(),
        None => view! {
            <section class="panel" aria-labelledby="score-heading">
                <h2 id="score-heading">"Score"</h2>
                <p class="hint card-scoring">"Scoring… the score and its explanation appear here when the model has read the CV."</p>
            </section>
        }
        .into_any(),
    }
}

/// The CV's text with the evidence of every skill the job asks for marked, and the file.
#[component]
fn Cv(detail: ApplicationDetail, slug: String) -> impl IntoView {
    let skills: Vec<ExtractedSkill> = detail
        .explanation
        .iter()
        .flat_map(|e| &e.matched)
        .map(|m| ExtractedSkill {
            label: m.label.clone(),
            uri: None,
            category: String::new(),
            confidence: m.credit,
            spans: m.evidence.iter().map(|e| e.span).collect(),
            inferred: false,
            level: None,
            years: None,
            last_used: None,
        })
        .filter(|s| !s.spans.is_empty())
        .collect();
    let download = detail.cv_file_id.map(|id| {
        view! { <p><a class="button button-small" href=file_path(&slug, id) download="">"Download the CV"</a></p> }
    });
    let hint = (!skills.is_empty()).then(|| {
        view! { <p class="hint">"Marked: where the CV proves a skill the job asks for."</p> }
    });
    view! {
        <section class="panel" aria-labelledby="cv-heading">
            <h2 id="cv-heading">"CV"</h2>
            {download}
            {hint}
            <Highlighted text=detail.cv_text skills id="cv"/>
        </section>
    }
}

/// Move, reject or reopen (for those who may), or where it stands.
#[component]
fn Decide(detail: ApplicationDetail, slug: String, actions: Actions) -> impl IntoView {
    if !detail.can_decide {
        return ().into_any();
    }
    let body = match (&detail.outcome, detail.rejection.clone()) {
        (Outcome::Active, Some(rejection)) => {
            let options = detail
                .stages
                .iter()
                .map(|s| view! { <option value=s.id selected=s.id == detail.stage_id>{s.name.clone()}</option> })
                .collect_view();
            let org = slug.clone();
            view! {
                <ActionForm action=actions.moving attr:class="form-row">
                    <input type="hidden" name="slug" value=org/>
                    <input type="hidden" name="job" value=detail.job_slug.clone()/>
                    <input type="hidden" name="application" value=detail.id/>
                    <div class="field">
                        <label for="move-stage">"Stage"</label>
                        <select id="move-stage" name="stage">{options}</select>
                    </div>
                    <button type="submit" class="button">"Move"</button>
                </ActionForm>
                <RejectForm id=detail.id slug rejection mailed=detail.rejection_mailed action=actions.reject/>
            }
            .into_any()
        }
        (Outcome::Rejected { .. }, _) => view! {
            <p class="hint">"Rejected by mistake? Reopening puts it back on the board, in the stage it was in."</p>
            <ActionForm action=actions.reopen>
                <input type="hidden" name="slug" value=slug/>
                <input type="hidden" name="application" value=detail.id/>
                <button type="submit" class="button">"Reopen"</button>
            </ActionForm>
        }
        .into_any(),
        _ => view! { <p class="hint">"This application is closed."</p> }.into_any(),
    };
    view! {
        <section class="panel" aria-labelledby="decide-heading">
            <h2 id="decide-heading">"Decision"</h2>
            {body}
        </section>
    }
    .into_any()
}

/// Reject with a reason from the organisation's list, and (ticked by default) the
/// organisation's e-mail filled in for this candidate, editable before it goes.
#[component]
fn RejectForm(
    id: i64,
    slug: String,
    rejection: RejectionSettings,
    /// The candidate was sent a rejection e-mail for it already (it was reopened since).
    mailed: bool,
    action: ServerAction<RejectApplication>,
) -> impl IntoView {
    let reasons = std::iter::once((String::new(), "Choose a reason…".to_owned()))
        .chain(rejection.reasons.iter().map(|r| (r.clone(), r.clone())))
        .collect();
    let body = RwSignal::new(rejection.body);
    view! {
        <details class="reject" id="reject">
            <summary class="button button-danger">"Reject…"</summary>
            <Form action id="reject" validate=check_rejection class="form">
                <input type="hidden" name="slug" value=slug/>
                <input type="hidden" name="application" value=id/>
                <Choice name="reason" label="Reason (kept on the record; the candidate does not see it)"
                    options=reasons selected=""/>
                {if mailed {
                    view! {
                        <p class="hint">"The candidate was sent a rejection e-mail for this application already; none is sent again."</p>
                    }
                    .into_any()
                } else {
                    view! {
                        <CheckField name="send_mail" label="E-mail the candidate".to_owned() checked=true/>
                        <Field name="subject" label="Subject" value=rejection.subject/>
                        <TextArea name="body" label="Message" bind=body rows=9/>
                        <p class="hint">"Your organisation's template, filled in for this candidate; owners and admins change it in Settings. Web addresses not in the template are refused."</p>
                    }
                    .into_any()
                }}
                <FormError/>
                <Submit label="Reject" pending="Rejecting…" class="button button-danger"/>
            </Form>
        </details>
    }
}

/// Who interviews the candidate; those who decide tick the job's interviewers.
#[component]
fn Interviewers(
    detail: ApplicationDetail,
    slug: String,
    action: ServerAction<AssignInterviewers>,
) -> impl IntoView {
    if detail.assignable.is_empty() && detail.interviewers.is_empty() {
        return ().into_any();
    }
    let assigned: Vec<i64> = detail.interviewers.iter().map(|p| p.user_id).collect();
    let chosen = RwSignal::new(assigned.clone());
    let list = if detail.assignable.is_empty() {
        let names: Vec<String> = detail.interviewers.iter().map(|p| p.name.clone()).collect();
        view! { <p>{names.join(", ")}</p> }.into_any()
    } else {
        let boxes = detail
            .assignable
            .iter()
            .map(|p| {
                let (id, name) = (p.user_id, p.name.clone());
                let input_id = format!("interviewer-{id}");
                view! {
                    <li class="check-field">
                        <input type="checkbox" id=input_id.clone() checked=assigned.contains(&id)
                            on:change=move |ev| {
                                let on = event_target_checked(&ev);
                                chosen.update(|c| {
                                    c.retain(|x| *x != id);
                                    if on {
                                        c.push(id);
                                    }
                                });
                            }/>
                        <label for=input_id>{name}</label>
                    </li>
                }
            })
            .collect_view();
        view! {
            <ActionForm action>
                <input type="hidden" name="slug" value=slug/>
                <input type="hidden" name="application" value=detail.id/>
                <input type="hidden" name="interviewers"
                    prop:value=move || serde_json::to_string(&chosen.get()).unwrap_or_default()/>
                <ul class="plain-list">{boxes}</ul>
                <button type="submit" class="button button-small">"Save interviewers"</button>
            </ActionForm>
        }
        .into_any()
    };
    view! {
        <section class="panel" aria-labelledby="interviewers-heading">
            <h2 id="interviewers-heading">"Interviewers"</h2>
            <p class="hint">"They see this application and no other of the job, and are e-mailed when assigned."</p>
            {list}
        </section>
    }
    .into_any()
}

/// Notes, oldest first, and a new one; a button per colleague puts their @name in the note.
#[component]
fn Notes(detail: ApplicationDetail, slug: String, action: ServerAction<AddNote>) -> impl IntoView {
    let text = RwSignal::new(String::new());
    let notes = detail
        .notes
        .iter()
        .map(|n| {
            let mentions = (!n.mentions.is_empty())
                .then(|| format!(" · mentioned {}", n.mentions.join(", ")));
            view! {
                <li class="note" data-note=n.id>
                    <p class="hint"><strong>{n.by.clone()}</strong>" · "<LocalTime at=n.at/>{mentions}</p>
                    <p class="pre-line">{n.body.clone()}</p>
                </li>
            }
        })
        .collect_view();
    let people = detail
        .mentionable
        .iter()
        .map(|p| {
            let name = p.name.clone();
            let label = format!("Mention {name}");
            view! {
                <li>
                    <button type="button" class="chip chip-button" aria-label=label
                        on:click=move |_| text.update(|t| {
                            if !t.is_empty() && !t.ends_with(char::is_whitespace) {
                                t.push(' ');
                            }
                            t.push('@');
                            t.push_str(&name);
                            t.push(' ');
                        })>
                        {format!("@{}", p.name)}
                    </button>
                </li>
            }
        })
        .collect_view();
    let empty = detail
        .notes
        .is_empty()
        .then(|| view! { <p class="hint">"No notes yet."</p> });
    view! {
        <section class="panel" aria-labelledby="notes-heading">
            <h2 id="notes-heading">"Notes"</h2>
            {empty}
            <ul class="plain-list notes">{notes}</ul>
            <Form action id="note" class="form">
                <input type="hidden" name="slug" value=slug/>
                <input type="hidden" name="application" value=detail.id/>
                <TextArea name="body" label="Add a note" bind=text rows=3
                    placeholder="Type @ and a colleague's name to tell them by e-mail."/>
                <ul class="chips mentions" aria-label="Colleagues who can see this application">{people}</ul>
                <FormError/>
                <Submit label="Add note" pending="Adding…"/>
            </Form>
        </section>
    }
}

/// What happened, newest first.
#[component]
fn Timeline(detail: ApplicationDetail) -> impl IntoView {
    let items = detail
        .activity
        .into_iter()
        .map(|a| {
            view! {
                <li data-kind=a.kind>
                    <p>{a.detail}</p>
                    <p class="hint">{a.by}" · "<LocalTime at=a.at/></p>
                </li>
            }
        })
        .collect_view();
    view! {
        <section class="panel" aria-labelledby="activity-heading">
            <h2 id="activity-heading">"Activity"</h2>
            <ol class="plain-list timeline">{items}</ol>
        </section>
    }
}

fn check_rejection(input: &RejectApplication) -> Vec<shared::validation::FieldError> {
    shared::pipeline::check_rejection(
        &input.reason,
        input.send_mail.is_some(),
        &input.subject,
        &input.body,
    )
    .err()
    .unwrap_or_default()
}
