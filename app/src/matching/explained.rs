//! The explained score as recruiters read it: the verdict, its parts, the checklist of what the
//! job asks for with the sentence of the CV that proves each, and a text with its skills marked.
//! The matching screen and an application's page show it.

use leptos::prelude::*;
use shared::matching::{ExtractedSkill, MatchExplanation, Requirement};

/// The score in words and numbers, its three parts, and the checklist of what the job asks for
/// with the CV's proof of each.
#[component]
pub fn Verdict(explanation: MatchExplanation) -> impl IntoView {
    let parts = explanation.parts;
    let band = explanation.band;
    let band_key = band.as_str();
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
pub fn Checklist(
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
pub fn Quote(
    text: String,
    mut marks: Vec<[usize; 2]>,
    #[prop(optional, into)] id: Option<String>,
) -> impl IntoView {
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

/// The id of a skill's first highlight in one of the texts.
pub fn mark_id(text: &str, label: &str) -> String {
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
pub fn Highlighted(text: String, skills: Vec<ExtractedSkill>, id: &'static str) -> impl IntoView {
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
