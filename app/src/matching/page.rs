//! The matching screen: paste or upload a CV and a job description, see the skills found in each
//! (highlighted where the text names them), the explained match score and the ESCO occupations
//! closest to the job title. Stores nothing.

use super::api::AnalyseMatch;
use crate::form::{Form, FormError, Submit, TextArea};
use leptos::prelude::*;
use leptos_meta::Title;
use shared::matching::{
    ExtractedSkill, MatchAnalysis, OccupationSkill, OccupationSuggestions, Requirement,
};

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
    let parts = explanation.parts;
    let bar = |label: &'static str, value: f64, help: &'static str| {
        let percent = (value * 100.0).round();
        view! {
            <div class="score-part" title=help>
                <span>{label}</span>
                <meter min="0" max="100" value=percent></meter>
                <span class="score-part-value">{format!("{percent:.0}")}</span>
            </div>
        }
    };
    let matched = explanation
        .matched
        .into_iter()
        .map(|m| {
            let kind = requirement(m.required);
            let evidence = m
                .evidence
                .into_iter()
                .take(2)
                .map(|e| view! { <q>{e.snippet}</q> })
                .collect_view();
            let label = m.label.clone();
            view! {
                <li class="matched" data-skill=label>
                    <strong>{m.label}</strong>" "<span class="tag">{kind}</span>
                    {m.note.map(|n| view! { <span class="note">" · "{n}</span> })}
                    <div class="evidence">{evidence}</div>
                </li>
            }
        })
        .collect_view();
    let missing = explanation.missing.into_iter().map(|m| {
        let label = m.label.clone();
        view! { <li class="missing" data-skill=label>{m.label}" "<span class="tag">{requirement(m.required)}</span></li> }
    }).collect_view();
    let notes = explanation
        .notes
        .into_iter()
        .map(|n| view! { <li>{n}</li> })
        .collect_view();
    view! {
        <section class="panel match-result" aria-live="polite">
            <div class="score">
                <div class="score-value" data-score=explanation.score>{explanation.score}</div>
                <div class="score-caption">"match score out of 100"</div>
            </div>
            <div class="score-parts">
                {bar("Meaning", parts.semantic, "How close the CV is in meaning to the job description")}
                {bar("Skills", parts.coverage, "Share of the job's skills the CV proves (must-haves count double)")}
                {bar("Fit", parts.fit, "Seniority and location")}
                <p class="hint">{format!("Similarity {:.2}", explanation.similarity)}</p>
            </div>
            <div class="match-lists">
                <div><h2>"Matched"</h2><ul class="skill-list">{matched}</ul></div>
                <div><h2>"Missing"</h2><ul class="skill-list">{missing}</ul></div>
                <div><h2>"Notes"</h2><ul>{notes}</ul></div>
            </div>
        </section>
        <Occupations suggestions=analysis.occupations.clone()/>
        <section class="match-texts">
            <article class="panel">
                <h2>"Skills in the CV"</h2>
                <SkillChips skills=analysis.cv_skills.clone()/>
                <Highlighted text=analysis.cv_text skills=analysis.cv_skills id="cv-highlighted"/>
            </article>
            <article class="panel">
                <h2>"Skills in the job description"</h2>
                <SkillChips skills=analysis.job_skills.clone()/>
                <Highlighted text=analysis.job_text skills=analysis.job_skills id="job-highlighted"/>
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
            <p class="hint">"No occupation taxonomy is imported on this server, so no occupations are suggested. "
            "An administrator can import ESCO with "<code>"server import-esco DIR"</code>"."</p>
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

fn requirement(r: Requirement) -> &'static str {
    match r {
        Requirement::Must => "must-have",
        Requirement::Nice => "nice to have",
    }
}

#[component]
fn SkillChips(skills: Vec<ExtractedSkill>) -> impl IntoView {
    let chips = skills.into_iter().map(|s| {
        let mut details = vec![format!("{:.0}% sure", s.confidence * 100.0)];
        if s.inferred { details.push("by meaning, not by name".to_owned()); }
        if let Some(level) = s.level { details.push(level.label().to_owned()); }
        if let Some(years) = s.years { details.push(format!("{years} years")); }
        if let Some(year) = s.last_used { details.push(format!("used {year}")); }
        view! { <li class="chip" data-inferred=s.inferred.then_some("true") title=details.join(" · ")>{s.label}<small>{details.join(" · ")}</small></li> }
    }).collect_view();
    view! { <ul class="chips">{chips}</ul> }
}

/// The text with every skill mention marked.
#[component]
fn Highlighted(text: String, skills: Vec<ExtractedSkill>, id: &'static str) -> impl IntoView {
    let mut marks: Vec<(usize, usize, String, bool)> = skills
        .iter()
        .flat_map(|s| {
            s.spans
                .iter()
                .map(|&[a, b]| (a, b, s.label.clone(), s.inferred))
        })
        .filter(|&(a, b, _, _)| {
            a < b && b <= text.len() && text.is_char_boundary(a) && text.is_char_boundary(b)
        })
        .collect();
    marks.sort();
    let mut pieces = Vec::new();
    let mut at = 0;
    for (start, end, label, inferred) in marks {
        if start < at {
            continue;
        }
        if start > at {
            pieces.push(view! { {text[at..start].to_owned()} }.into_any());
        }
        let (class, title) = if inferred {
            ("skill inferred", format!("{label} (by meaning)"))
        } else {
            ("skill", label.clone())
        };
        pieces.push(view! { <mark class=class data-skill=label title=title>{text[start..end].to_owned()}</mark> }.into_any());
        at = end;
    }
    if at < text.len() {
        pieces.push(view! { {text[at..].to_owned()} }.into_any());
    }
    view! { <pre class="highlighted" id=id>{pieces}</pre> }
}
