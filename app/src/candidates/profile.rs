//! `/o/:slug/candidates/:id`: one candidate: contact details, links, the CV (to download, and its
//! text as read), cover letters and every application with where it stands.

use super::api::{candidate, AddCandidateTag, MergeCandidates, RemoveCandidateTag};
use crate::{
    confirm::ConfirmButton,
    form::{Field, Form, FormError, Submit},
    matching::explained::Quote,
    session::{successes, Session},
    time::LocalTime,
    toast::{use_toasts, ToastKind},
    widgets::ErrorPanel,
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;
use shared::candidates::{file_path, size_label, Candidate, PossibleDuplicate};

#[component]
pub fn CandidatePage() -> impl IntoView {
    let slug = crate::session::use_slug();
    let params = use_params_map();
    let id = move || {
        params
            .read()
            .get("id")
            .and_then(|id| id.parse::<i64>().ok())
    };
    let session = Session::get();
    let merge = ServerAction::<MergeCandidates>::new();
    session.watch(merge);
    let toasts = use_toasts();
    Effect::new(move |_| match merge.value().get() {
        Some(Ok(kept)) => toasts.push(
            ToastKind::Success,
            format!("Merged into {}: nothing was lost.", kept.summary.name),
        ),
        Some(Err(error)) => toasts.push(ToastKind::Error, error.to_string()),
        None => {}
    });
    let merged = successes(merge);
    let tagging = Tagging {
        add: ServerAction::new(),
        remove: ServerAction::new(),
    };
    session.watch(tagging.add);
    session.watch(tagging.remove);
    Effect::new(move |_| {
        if let Some(Err(error)) = tagging.remove.value().get() {
            toasts.push(ToastKind::Error, error.to_string());
        }
    });
    let (added, removed) = (successes(tagging.add), successes(tagging.remove));
    let profile = Resource::new(
        move || (slug.get(), id(), merged.get() + added.get() + removed.get()),
        |(slug, id, _)| async move {
            match id {
                Some(id) => candidate(slug, id).await,
                None => Err(crate::error::ApiError::NotFound),
            }
        },
    );
    view! {
        <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match profile.await {
                    Err(error) => view! { <Title text="Candidate"/><ErrorPanel error/> }.into_any(),
                    Ok(candidate) => view! { <Profile candidate slug=slug.get_untracked() merge tagging/> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// Adding and removing tags.
#[derive(Clone, Copy)]
struct Tagging {
    add: ServerAction<AddCandidateTag>,
    remove: ServerAction<RemoveCandidateTag>,
}

#[component]
fn Profile(
    candidate: Candidate,
    slug: String,
    merge: ServerAction<MergeCandidates>,
    tagging: Tagging,
) -> impl IntoView {
    let summary = candidate.summary;
    let phone = (!candidate.phone.is_empty()).then(|| {
        let tel = format!("tel:{}", candidate.phone.replace(' ', ""));
        view! { <dt>"Phone"</dt><dd><a href=tel>{candidate.phone.clone()}</a></dd> }
    });
    let links = (!candidate.links.is_empty()).then(|| {
        let items = candidate
            .links
            .iter()
            .map(|l| view! { <li><a href=l.clone() rel="noopener noreferrer nofollow" target="_blank">{l.clone()}</a></li> })
            .collect_view();
        view! { <dt>"Links"</dt><dd><ul class="plain-list">{items}</ul></dd> }
    });
    let deletion = summary.deletion_requested_at.map(|at| {
        view! {
            <p class="notice notice-warning" role="status">
                {format!("{} asked for their data to be deleted ", summary.name)}<LocalTime at/>
                ". Delete it within one month of the request."
            </p>
        }
    });
    let cv = match &candidate.cv {
        Some(file) => view! {
            <p>
                <a class="button" href=file_path(&slug, file.id) download=file.file_name.clone()>
                    {format!("Download {}", file.file_name)}
                </a>
                <span class="hint">{format!(" {} · {}", file.format, size_label(file.size_bytes))}</span>
            </p>
        }
        .into_any(),
        None => view! { <p class="hint">"No CV file."</p> }.into_any(),
    };
    let no_applications = summary
        .applications
        .is_empty()
        .then(|| view! { <p class="hint">"No applications yet."</p> });
    let applications = summary
        .applications
        .iter()
        .map(|a| {
            view! {
                <li data-application=a.id>
                    <a href=shared::pipeline::application_path(&slug, a.id)>{a.job_title.clone()}</a>
                    " · "<span class="tag">{a.describe()}</span>
                    " · applied "<LocalTime at=a.applied_at/>
                </li>
            }
        })
        .collect_view();
    let letters = candidate
        .cover_letters
        .into_iter()
        .map(|(job, letter)| {
            view! {
                <section class="panel">
                    <h2>{format!("Cover letter for {job}")}</h2>
                    <p class="pre-line">{letter}</p>
                </section>
            }
        })
        .collect_view();
    let others = (candidate.files.len() > 1).then(|| {
        let items = candidate
            .files
            .iter()
            .skip(1)
            .map(|f| {
                view! {
                    <li><a href=file_path(&slug, f.id) download=f.file_name.clone()>{f.file_name.clone()}</a>
                    <span class="hint">{format!(" {} · {}", f.format, size_label(f.size_bytes))}</span></li>
                }
            })
            .collect_view();
        view! { <h3>"Other files"</h3><ul class="plain-list">{items}</ul> }
    });
    let duplicates = (!candidate.duplicates.is_empty()).then(|| {
        let keep = summary.id;
        let items = candidate
            .duplicates
            .iter()
            .map(|d| view! { <DuplicateItem duplicate=d.clone() keep slug=slug.clone() name=summary.name.clone() merge can_manage=candidate.can_manage/> })
            .collect_view();
        view! {
            <section class="panel duplicates" aria-labelledby="duplicates-heading">
                <h2 id="duplicates-heading">"Possible duplicates"</h2>
                <ul class="plain-list">{items}</ul>
            </section>
        }
    });
    let merges = (!candidate.merges.is_empty()).then(|| {
        let items = candidate
            .merges
            .iter()
            .map(|m| view! {
                <li>{format!("{} ({}) merged in by {} ", m.merged_name, m.merged_email, m.by)}<LocalTime at=m.at/></li>
            })
            .collect_view();
        view! { <h3>"Merged profiles"</h3><ul class="plain-list">{items}</ul> }
    });
    let skills = if candidate.skills.is_empty() {
        let message = if candidate.cv_text.trim().is_empty() {
            "No CV text to read skills from."
        } else {
            "No skills found in the CV yet (it is read in the background after it arrives)."
        };
        view! { <p class="hint">{message}</p> }.into_any()
    } else {
        let items = candidate
            .skills
            .iter()
            .map(|skill| {
                let quote = skill.evidence.clone().map(|q| view! { <Quote text=q.snippet marks=vec![q.mark]/> });
                let inferred = skill.inferred.then(|| view! { <span class="hint">" (by meaning)"</span> });
                let href = super::list::by_skill(&slug, &skill.label);
                let details = skill.details();
                let details = (!details.is_empty()).then(|| view! { " "<span class="hint">{details}</span> });
                view! {
                    <li>
                        <details>
                            <summary><a class="tag" href=href>{skill.label.clone()}</a>{details}{inferred}</summary>
                            {quote}
                        </details>
                    </li>
                }
            })
            .collect_view();
        view! { <ul class="plain-list skill-evidence">{items}</ul> }.into_any()
    };
    let main = view! {
        <div class="candidate-main">
            <section class="panel" aria-labelledby="skills-heading">
                <h2 id="skills-heading">"Skills in the CV"</h2>
                {skills}
            </section>
            <section class="panel" aria-labelledby="cv-heading">
                <h2 id="cv-heading">"CV"</h2>
                {cv}
                <details class="cv-text">
                    <summary>"The CV's text, as read"</summary>
                    <pre class="pre-line">{candidate.cv_text}</pre>
                </details>
                {others}
            </section>
            {letters}
        </div>
    }
    .into_any();
    let tags = view! {
        <Tags id=summary.id tags=summary.tags.clone() slug=slug.clone() can_manage=candidate.can_manage tagging/>
    };
    let side = view! {
        <div class="candidate-side">
            {duplicates}
            {tags}
            <section class="panel" aria-labelledby="contact-heading">
                <h2 id="contact-heading">"Contact"</h2>
                <dl class="facts">
                    <dt>"E-mail"</dt><dd><a href=format!("mailto:{}", summary.email)>{summary.email.clone()}</a></dd>
                    {phone}
                    {links}
                </dl>
            </section>
            <section class="panel" aria-labelledby="applications-heading">
                <h2 id="applications-heading">"Applications"</h2>
                {no_applications}
                <ul class="plain-list">{applications}</ul>
                {merges}
            </section>
        </div>
    }
    .into_any();
    view! {
        <Title text=summary.name.clone()/>
        <p class="breadcrumb"><a href=format!("/o/{slug}/candidates")>"Candidates"</a></p>
        <section class="page-head">
            <h1>{summary.name.clone()}</h1>
            <p class="hint">{summary.source.label()}" · added "<LocalTime at=summary.created_at/></p>
        </section>
        {deletion}
        <div class="candidate-layout">{main}{side}</div>
    }
}

/// One possible duplicate: who, why, and (for those who may) merging it into this profile.
#[component]
fn DuplicateItem(
    duplicate: PossibleDuplicate,
    keep: i64,
    slug: String,
    name: String,
    merge: ServerAction<MergeCandidates>,
    can_manage: bool,
) -> impl IntoView {
    let href = format!("/o/{slug}/candidates/{}", duplicate.id);
    let reasons = duplicate.reasons.join(" and ");
    let button = can_manage.then(|| {
        let text = format!(
            "{} ({}) and its {} application(s), files and history move to {name}; the other profile is removed. This cannot be undone.",
            duplicate.name, duplicate.email, duplicate.applications
        );
        view! {
            <ConfirmButton id=format!("merge-{}", duplicate.id) label="Merge into this profile" class="button button-small"
                aria_label=format!("Merge {} into this profile", duplicate.name)
                title=format!("Merge {} into {name}?", duplicate.name) text>
                <ActionForm action=merge>
                    <input type="hidden" name="slug" value=slug.clone()/>
                    <input type="hidden" name="keep" value=keep/>
                    <input type="hidden" name="merge" value=duplicate.id/>
                    <button type="submit" class="button button-primary">"Merge"</button>
                </ActionForm>
            </ConfirmButton>
        }
    });
    view! {
        <li data-duplicate=duplicate.id>
            <a href=href>{duplicate.name.clone()}</a>" · "<span class="hint">{duplicate.email.clone()}</span>
            <br/><span class="hint">{format!("Same {reasons}.")}</span>
            {button}
        </li>
    }
}

/// The candidate's tags; those who manage candidates add and remove them.
#[component]
fn Tags(
    id: i64,
    tags: Vec<String>,
    slug: String,
    can_manage: bool,
    tagging: Tagging,
) -> impl IntoView {
    if tags.is_empty() && !can_manage {
        return ().into_any();
    }
    let none = tags.is_empty();
    let items = tags
        .into_iter()
        .map(|t| {
            let search = format!(
                "/o/{slug}/candidates?{}",
                crate::widgets::url_pairs(&[("tag", &t)]).join("&")
            );
            let org = slug.clone();
            let remove = can_manage.then(|| {
                let label = format!("Remove the tag {t}");
                let value = t.clone();
                view! {
                    <ActionForm action=tagging.remove>
                        <input type="hidden" name="slug" value=org/>
                        <input type="hidden" name="id" value=id/>
                        <input type="hidden" name="tag" value=value/>
                        <button type="submit" class="tag-remove" aria-label=label title="Remove">"×"</button>
                    </ActionForm>
                }
            });
            view! { <li><span class="tag"><a href=search>{t}</a>{remove}</span></li> }
        })
        .collect_view();
    let add = can_manage.then(move || {
        view! {
            <Form action=tagging.add id="tag" validate=check_tag class="form form-row">
                <input type="hidden" name="slug" value=slug/>
                <input type="hidden" name="id" value=id/>
                <Field name="tag" label="Add a tag"/>
                <Submit label="Add" pending="Adding…" class="button"/>
                <FormError/>
            </Form>
        }
    });
    view! {
        <section class="panel" aria-labelledby="tags-heading">
            <h2 id="tags-heading">"Tags"</h2>
            {none.then(|| view! { <p class="hint">"No tags yet."</p> })}
            <ul class="tag-list">{items}</ul>
            {add}
        </section>
    }
    .into_any()
}

fn check_tag(input: &AddCandidateTag) -> Vec<shared::validation::FieldError> {
    shared::candidates::tag("tag", &input.tag)
        .err()
        .into_iter()
        .collect()
}
