//! The matching screen: paste or upload a CV and a job description, see the skills found in each
//! (highlighted where the text names them), the explained match score and the ESCO occupations
//! closest to the job title. Stores nothing.

use super::{
    api::AnalyseMatch,
    explained::{mark_id, Highlighted, Verdict},
};
use crate::form::{Form, FormError, Submit, TextArea};
use leptos::prelude::*;
use leptos_meta::Title;
use shared::matching::{ExtractedSkill, MatchAnalysis, OccupationSkill, OccupationSuggestions};

fn check(input: &AnalyseMatch) -> Vec<shared::validation::FieldError> {
    shared::matching::check_analysis(&input.cv_text, &input.job_text)
}

#[component]
pub fn MatchPage() -> impl IntoView {
    let slug = crate::session::use_slug();
    let action = ServerAction::<AnalyseMatch>::new();
    let cv = RwSignal::new(String::new());
    let job = RwSignal::new(String::new());
    let upload_status = RwSignal::new(None::<Result<String, String>>);
    // A new result brings its verdict into view and takes the keyboard focus there.
    Effect::new(move |_| {
        if matches!(action.value().get(), Some(Ok(_))) {
            request_animation_frame(show_verdict);
        }
    });

    view! {
        <Title text="Match a CV"/>
        <section class="page-head">
            <h1>"Match a CV to a job"</h1>
            <p class="hint">"Everything runs on this server; nothing is stored."</p>
        </section>
        <Form action id="match" validate=check class="form match-form">
            <input type="hidden" name="slug" value=slug/>
            <div class="match-inputs">
                <div class="match-input">
                    <input id="cv-file" type="file" accept=".pdf,.docx,.txt,.md,application/pdf,application/vnd.openxmlformats-officedocument.wordprocessingml.document,text/plain,text/markdown"
                        aria-label="Upload a CV (PDF, Word, text or Markdown)"
                        on:change=move |ev| upload(ev, slug.get_untracked(), cv, upload_status)/>
                    {move || upload_status.get().map(|status| match status {
                        Ok(message) => view! { <p class="hint" data-upload="ok">{message}</p> }.into_any(),
                        Err(message) => view! { <p class="field-error" role="alert" data-upload="error">{message}</p> }.into_any(),
                    })}
                    <TextArea name="cv_text" label="CV" bind=cv rows=14 placeholder="Paste the CV here, or upload a file above."/>
                </div>
                <div class="match-input">
                    <TextArea name="job_text" label="Job description" bind=job rows=14 placeholder="Paste the job description here."/>
                </div>
            </div>
            <FormError/>
            <Submit label="Analyse" pending="Analysing…"/>
        </Form>
        // Erased: the result's view type is too deep for the type checker of a build that does
        // not erase component types (both of ours do; this keeps the page buildable without).
        {move || action.value().get().and_then(Result::ok).map(|analysis| view! { <Results analysis/> }.into_any())}
    }
}

fn show_verdict() {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        if let Some(heading) = document()
            .get_element_by_id("verdict")
            .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
        {
            heading.scroll_into_view();
            let _ = heading.focus();
        }
    }
}

/// Sends the chosen file to the server and puts its text into the CV box.
#[cfg(feature = "hydrate")]
fn upload(
    ev: leptos::ev::Event,
    slug: String,
    cv: RwSignal<String>,
    status: RwSignal<Option<Result<String, String>>>,
) {
    use wasm_bindgen::JsCast;
    let Some(input) = ev
        .target()
        .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
    else {
        return;
    };
    let Some(file) = input.files().and_then(|files| files.get(0)) else {
        return;
    };
    status.set(Some(Ok(format!("Reading {}…", file.name()))));
    leptos::task::spawn_local(async move {
        let result = post_file(&slug, &file).await;
        match result {
            Ok(extracted) => {
                cv.set(extracted.text);
                status.set(Some(Ok(format!(
                    "Read {} ({}).",
                    file.name(),
                    extracted.format
                ))));
            }
            Err(message) => status.set(Some(Err(message))),
        }
    });
}

#[cfg(feature = "hydrate")]
async fn post_file(
    slug: &str,
    file: &web_sys::File,
) -> Result<shared::matching::ExtractedText, String> {
    use wasm_bindgen::JsCast;
    use wasm_bindgen_futures::JsFuture;
    let unreachable = |_| "Could not reach the server; try again.".to_owned();
    let headers = web_sys::Headers::new().map_err(unreachable)?;
    let content_type = if file.type_().is_empty() {
        "application/octet-stream".to_owned()
    } else {
        file.type_()
    };
    headers
        .set("content-type", &content_type)
        .map_err(unreachable)?;
    // Header values must be ASCII; the name only helps when the browser gives no type.
    let name: String = file.name().chars().filter(char::is_ascii).collect();
    headers.set("x-file-name", &name).map_err(unreachable)?;
    let init = web_sys::RequestInit::new();
    init.set_method("POST");
    init.set_headers(&headers);
    init.set_body(file);
    init.set_credentials(web_sys::RequestCredentials::SameOrigin);
    let window = web_sys::window().ok_or("no window")?;
    let path = shared::matching::document_text_path(slug);
    let response: web_sys::Response = JsFuture::from(window.fetch_with_str_and_init(&path, &init))
        .await
        .map_err(unreachable)?
        .dyn_into()
        .map_err(unreachable)?;
    let body = JsFuture::from(response.text().map_err(unreachable)?)
        .await
        .map_err(unreachable)?
        .as_string()
        .unwrap_or_default();
    if response.ok() {
        serde_json::from_str(&body).map_err(|_| "The server's answer could not be read.".to_owned())
    } else {
        let message = serde_json::from_str::<serde_json::Value>(&body)
            .ok()
            .and_then(|v| v.get("error").and_then(|e| e.as_str()).map(str::to_owned));
        Err(message.unwrap_or_else(|| format!("Upload failed ({}).", response.status())))
    }
}

#[cfg(not(feature = "hydrate"))]
fn upload(
    _ev: leptos::ev::Event,
    _slug: String,
    _cv: RwSignal<String>,
    _status: RwSignal<Option<Result<String, String>>>,
) {
}

#[component]
fn Results(analysis: MatchAnalysis) -> impl IntoView {
    let explanation = analysis.explanation;
    // Skills the job asks for (every option of every requirement), to tell the job's other
    // skills apart.
    let asked: Vec<String> = explanation
        .matched
        .iter()
        .flat_map(|m| std::iter::once(&m.label).chain(&m.alternatives))
        .chain(
            explanation
                .missing
                .iter()
                .flat_map(|m| std::iter::once(&m.label).chain(&m.alternatives)),
        )
        .cloned()
        .collect();
    view! {
        <Verdict explanation/>
        <Occupations suggestions=analysis.occupations.clone()/>
        <section class="match-texts">
            <article class="panel">
                <h2>"Skills in the CV"</h2>
                <SkillChips skills=analysis.cv_skills.clone() target="cv" asked=None/>
                <Highlighted text=analysis.cv_text skills=analysis.cv_skills id="cv"/>
            </article>
            <article class="panel">
                <h2>"Skills in the job description"</h2>
                <SkillChips skills=analysis.job_skills.clone() target="job" asked=Some(asked)/>
                <Highlighted text=analysis.job_text skills=analysis.job_skills id="job"/>
            </article>
        </section>
    }
    .into_any()
}

/// ESCO occupations for the job's title, with ESCO's attribution; or why there are none.
#[component]
fn Occupations(suggestions: OccupationSuggestions) -> impl IntoView {
    let body = match suggestions {
        OccupationSuggestions::NotImported => view! {
            <p class="hint">"This server has no occupation list yet, so no occupations are suggested."</p>
        }.into_any(),
        OccupationSuggestions::Preparing => view! {
            <p class="hint">"The imported occupations are still being prepared; try again in a minute."</p>
        }.into_any(),
        OccupationSuggestions::Ready { title, occupations, attribution } => {
            let items = occupations.into_iter().map(|o| {
                let label = o.label.clone();
                let skills = (!o.skills.is_empty()).then(|| view! { <OccupationSkills skills=o.skills/> });
                view! {
                    <li data-occupation=label>
                        <a href=o.uri rel="noopener noreferrer" target="_blank">{o.label}</a>
                        <span class="tag">{format!("{:.0}%", o.score * 100.0)}</span>
                        {skills}
                    </li>
                }
            }).collect_view();
            view! {
                <p class="hint">"Closest to the title “"{title}"”"</p>
                <ol class="occupation-list">{items}</ol>
                <p class="attribution" data-attribution="esco">{attribution}</p>
            }.into_any()
        }
    };
    view! {
        <section class="panel occupations" aria-labelledby="occupations-heading">
            <h2 id="occupations-heading">"Suggested occupations"</h2>
            {body}
        </section>
    }
}

/// The skills the taxonomy lists for an occupation, folded away until asked for.
#[component]
fn OccupationSkills(skills: Vec<OccupationSkill>) -> impl IntoView {
    let (essential, optional): (Vec<_>, Vec<_>) = skills.into_iter().partition(|s| s.essential);
    let summary = format!(
        "Skills: {} essential, {} optional",
        essential.len(),
        optional.len()
    );
    let list = |skills: Vec<OccupationSkill>, kind: &'static str| {
        (!skills.is_empty()).then(|| {
            let items = skills
                .into_iter()
                .map(|s| {
                    let name = s.label.clone();
                    view! { <li data-skill=name>{s.label}</li> }
                })
                .collect_view();
            view! { <p class="hint">{kind}</p><ul class="occupation-skills" data-kind=kind>{items}</ul> }
        })
    };
    view! {
        <details class="occupation-detail">
            <summary>{summary}</summary>
            {list(essential, "Essential")}
            {list(optional, "Optional")}
        </details>
    }
}

/// The skills of one text; each chip jumps to the skill's first highlight in the text. With
/// `asked` (the job's side), skills the job does not ask for say so.
#[component]
fn SkillChips(
    skills: Vec<ExtractedSkill>,
    target: &'static str,
    asked: Option<Vec<String>>,
) -> impl IntoView {
    let chips = skills.into_iter().map(|s| {
        let mut details = Vec::new();
        if s.inferred { details.push("by meaning".to_owned()); }
        if let Some(level) = s.level { details.push(level.label().to_owned()); }
        if let Some(years) = s.years { details.push(format!("{years} years")); }
        if let Some(year) = s.last_used { details.push(format!("used {year}")); }
        let not_asked = asked.as_ref().is_some_and(|a| !a.contains(&s.label));
        if not_asked { details.push("not asked for".to_owned()); }
        let href = format!("#{}", mark_id(target, &s.label));
        view! {
            <li class="chip" data-inferred=s.inferred.then_some("true") data-asked=(!not_asked).then_some("true")>
                // A plain fragment link (not the router's): the browser scrolls to the mark and
                // it matches :target.
                <a href=href rel="external">{s.label}</a>
                {(!details.is_empty()).then(|| view! { <small>{details.join(" · ")}</small> })}
            </li>
        }
    }).collect_view();
    view! { <ul class="chips">{chips}</ul> }
}
