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
    let parts = explanation.parts;
    let band = explanation.band;
    let band_key = band.as_str();
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
    let part = |label: &'static str, value: f64, meaning: &'static str| {
        let percent = (value * 100.0).round();
        let level = match percent {
            p if p >= 70.0 => "high",
            p if p >= 40.0 => "mid",
            _ => "low",
        };
        view! {
            <div class="score-part" data-level=level>
                <span class="score-part-name">{label}</span>
                <meter min="0" max="100" low="40" high="70" optimum="100" value=percent></meter>
                <span class="score-part-value">{format!("{percent:.0}")}</span>
                <span class="score-part-meaning">{meaning}</span>
            </div>
        }
    };
    let notes = explanation
        .notes
        .into_iter()
        .map(|n| view! { <li>{n}</li> })
        .collect_view();
    view! {
        <section class="panel match-result" aria-live="polite" aria-labelledby="verdict">
            <header class="verdict" data-band=band_key>
                <div class="score-value" data-score=explanation.score aria-hidden="true">{explanation.score}</div>
                <div class="verdict-text">
                    <h2 id="verdict" class="band" data-band=band_key tabindex="-1">
                        {band.label()}
                        <span class="sr-only">{format!(", {} out of 100", explanation.score)}</span>
                    </h2>
                    <p class="band-meaning">{band.meaning()}</p>
                </div>
                <p class="summary" data-summary="">{explanation.summary}</p>
            </header>
            <div class="score-parts">
                {part("Skills", parts.coverage, "the job's skills the CV proves; must-haves count double")}
                {part("Relevance", parts.semantic, "how close the CV's experience reads to the job")}
                {part("Fit", parts.fit, "seniority, years and place")}
            </div>
            <h2 class="checklist-heading">"What the job asks for"</h2>
            <Checklist matched=explanation.matched missing=explanation.missing/>
            <details class="fit-notes">
                <summary>"How fit was judged"</summary>
                <ul>{notes}</ul>
            </details>
        </section>
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

/// One line of the checklist: a requirement, how far the CV meets it, and its proof.
struct Line {
    name: String,
    required: Requirement,
    state: &'static str,
    shown_as: Option<String>,
    note: Option<String>,
    quote: Option<shared::matching::Evidence>,
    skill: String,
}

/// The requirements, must-haves first: met (with the sentence that proves it, its words
/// highlighted), partly met (only listed, claimed, or below the level asked) or missing. A
/// sentence is quoted once; a later requirement it also proves points back to it.
#[component]
fn Checklist(
    matched: Vec<shared::matching::MatchedSkill>,
    missing: Vec<shared::matching::MissingSkill>,
) -> impl IntoView {
    let mut lines: Vec<Line> = matched
        .into_iter()
        .map(|m| {
            let options: Vec<String> = std::iter::once(m.label.clone())
                .chain(m.alternatives.iter().cloned())
                .collect();
            Line {
                name: if m.asked.is_empty() {
                    shared::matching::describe_options(&options[0], &options[1..])
                } else {
                    m.asked.clone()
                },
                required: m.required,
                state: if m.credit >= 0.999 { "met" } else { "partly" },
                shown_as: (!m.alternatives.is_empty()).then(|| m.label.clone()),
                note: m.note,
                quote: m.evidence.into_iter().next(),
                skill: m.label,
            }
        })
        .chain(missing.into_iter().map(|m| Line {
            name: shared::matching::describe_options(&m.label, &m.alternatives),
            required: m.required,
            state: "missing",
            shown_as: None,
            note: None,
            quote: None,
            skill: m.label,
        }))
        .collect();
    let rank = |l: &Line| {
        // Must-haves first, then nice-to-haves, then what the duties name.
        let kind = std::cmp::Reverse(l.required.strength());
        let state = match l.state {
            "met" => 0,
            "partly" => 1,
            _ => 2,
        };
        (kind, state)
    };
    lines.sort_by_key(rank);
    // Each sentence is quoted once, under the first requirement it proves, with the words of
    // every requirement it proves highlighted; later ones point to it.
    let mut quotes: Vec<(String, Vec<[usize; 2]>, String)> = Vec::new();
    let mut quote_of: Vec<Option<(usize, bool)>> = Vec::with_capacity(lines.len());
    for line in &lines {
        quote_of.push(line.quote.as_ref().map(|e| {
            match quotes
                .iter()
                .position(|(snippet, ..)| *snippet == e.snippet)
            {
                Some(n) => {
                    quotes[n].1.push(e.mark);
                    (n, false)
                }
                None => {
                    quotes.push((e.snippet.clone(), vec![e.mark], line.name.clone()));
                    (quotes.len() - 1, true)
                }
            }
        }));
    }
    let items = lines
        .into_iter()
        .zip(quote_of)
        .map(|(line, quote)| {
            let (icon, said) = match line.state {
                "met" => ("✓", "Met"),
                "partly" => ("◐", "Partly met"),
                _ => ("✗", "Missing"),
            };
            let quote = quote.map(|(n, first)| {
                let (snippet, marks, under) = quotes[n].clone();
                if first {
                    view! { <Quote text=snippet marks id=format!("quote-{n}")/> }.into_any()
                } else {
                    view! {
                        <p class="quote-again">"In the sentence quoted under "<a href=format!("#quote-{n}")>{under}</a></p>
                    }
                    .into_any()
                }
            });
            let skill = line.skill.clone();
            view! {
                <li class="requirement" data-state=line.state data-skill=skill>
                    <span class="requirement-state" data-state=line.state aria-hidden="true">{icon}</span>
                    <div class="requirement-body">
                        <p class="requirement-line">
                            <span class="sr-only">{format!("{said}: ")}</span>
                            <strong>{line.name}</strong>
                            " "<span class="tag" data-kind=line.required.as_str()>{line.required.label()}</span>
                            {line.shown_as.map(|s| view! { <span class="note">" · shown: "{s}</span> })}
                            {line.note.map(|n| view! { <span class="note">" · "{n}</span> })}
                        </p>
                        {quote}
                    </div>
                </li>
            }
        })
        .collect_view();
    view! { <ul class="checklist">{items}</ul> }
}

/// A sentence of the CV with the words of the skills it proves highlighted.
#[component]
fn Quote(text: String, mut marks: Vec<[usize; 2]>, id: String) -> impl IntoView {
    marks.retain(|&[a, b]| {
        a < b && b <= text.len() && text.is_char_boundary(a) && text.is_char_boundary(b)
    });
    marks.sort_unstable();
    let mut pieces = Vec::new();
    let mut at = 0;
    for [a, b] in marks {
        if a < at {
            continue;
        }
        pieces.push(view! { {text[at..a].to_owned()} }.into_any());
        pieces.push(view! { <mark>{text[a..b].to_owned()}</mark> }.into_any());
        at = b;
    }
    pieces.push(view! { {text[at..].to_owned()} }.into_any());
    view! { <blockquote class="quote" id=id>{pieces}</blockquote> }
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

/// The id of a skill's first highlight in one of the texts.
fn mark_id(text: &str, label: &str) -> String {
    let slug: String = label
        .chars()
        .map(|c| {
            if c.is_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    format!("{text}-{slug}")
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
    let mut first: Vec<String> = Vec::new();
    for (start, end, label, inferred) in marks {
        if start < at {
            // Inside a mark already placed ("PostgreSQL" also shows SQL): its chip still needs a
            // place to jump to.
            if !first.contains(&label) {
                let anchor = mark_id(id, &label);
                first.push(label);
                pieces.push(view! { <span class="mark-anchor" id=anchor></span> }.into_any());
            }
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
        let anchor = (!first.contains(&label)).then(|| {
            first.push(label.clone());
            mark_id(id, &label)
        });
        pieces.push(view! { <mark class=class id=anchor data-skill=label title=title>{text[start..end].to_owned()}</mark> }.into_any());
        at = end;
    }
    if at < text.len() {
        pieces.push(view! { {text[at..].to_owned()} }.into_any());
    }
    view! { <pre class="highlighted" id=format!("{id}-highlighted")>{pieces}</pre> }
}
