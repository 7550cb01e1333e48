//! The explained match score: a deterministic function from a job spec and a candidate's
//! analysed CV to 0–100 and the parts it is made of.
//!
//! score = 100 × (w_s·semantic + w_c·coverage + w_f·fit) × (1 − 0.4 × share of must-haves missing)
//!
//! Coverage only counts skills the CV proves: shown in use counts fully, a bare list entry 0.4–0.7
//! (more when the CV also describes work),
//! a skill claimed outside the CV 0.5, and a stated level below the asked one 0.7 of that. So a
//! keyword-stuffed CV gets neither full coverage nor the semantic closeness of real experience.

use super::{
    cosine,
    job_ad::{self, JobAd},
    layout,
    skills::{clause_around, line_around, SkillMatcher, LEVEL},
};
use shared::matching::{
    describe_options, Band, CandidateProfile, Evidence, ExtractedSkill, JobSpec, MatchExplanation,
    MatchedSkill, MissingSkill, RemotePolicy, RequiredSkill, Requirement, ScoreParts,
};

/// How the three parts weigh. The learned re-ranker may replace the defaults.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Weights {
    pub semantic: f64,
    pub coverage: f64,
    pub fit: f64,
}

pub const DEFAULT_WEIGHTS: Weights = Weights {
    semantic: 0.35,
    coverage: 0.45,
    fit: 0.20,
};

/// Cosine similarities between MiniLM vectors of related texts mostly fall between these two;
/// they are rescaled to 0–1.
const SIMILARITY_FLOOR: f64 = 0.15;
const SIMILARITY_CEILING: f64 = 0.70;
/// CV text is embedded in pieces of about this many bytes (the model reads 256 tokens).
const CHUNK_BYTES: usize = 900;

/// A job, ready to score against: its required skills and its text's vector.
pub struct AnalysedJob {
    pub spec: JobSpec,
    pub required: Vec<RequiredSkill>,
    pub vector: Vec<f32>,
    /// The years of experience the ad asks for ("5+ years").
    pub years_asked: Option<u32>,
}

/// A candidate, ready to score: skills found in the CV and the vectors of its pieces.
pub struct AnalysedCandidate {
    pub profile: CandidateProfile,
    pub skills: Vec<ExtractedSkill>,
    pub chunk_vectors: Vec<Vec<f32>>,
    /// Stated, or counted from the dated roles in the CV.
    pub years: Option<f64>,
}

/// The skills a job requires: its own list with labels mapped onto the catalog, or else the
/// skills found in its text (`found`), each a must-have or a nice-to-have by where and how the ad
/// names it (`job_ad`), and left out when named only in the benefits, the company's description,
/// how to apply or legal text.
pub fn required_skills(
    matcher: &SkillMatcher,
    spec: &JobSpec,
    ad: &JobAd,
    found: &[ExtractedSkill],
) -> Vec<RequiredSkill> {
    if !spec.skills.is_empty() {
        return spec
            .skills
            .iter()
            .map(|skill| RequiredSkill {
                label: canonical(matcher, &skill.label),
                alternatives: skill
                    .alternatives
                    .iter()
                    .map(|a| canonical(matcher, a))
                    .collect(),
                ..skill.clone()
            })
            .collect();
    }
    // Options of one requirement ("AWS or GCP") join one group; a group is asked for when any
    // of its mentions is, and a must-have when any is one.
    let mut mentions: Vec<(usize, [usize; 2])> = found
        .iter()
        .enumerate()
        .flat_map(|(i, s)| s.spans.iter().map(move |&span| (i, span)))
        .collect();
    mentions.sort_by_key(|&(_, span)| span);
    let spans: Vec<[usize; 2]> = mentions.iter().map(|&(_, span)| span).collect();
    let mut group: Vec<usize> = (0..found.len()).collect();
    fn root(group: &mut [usize], mut i: usize) -> usize {
        while group[i] != i {
            group[i] = group[group[i]];
            i = group[i];
        }
        i
    }
    let links = job_ad::option_links(ad.text(), &spans);
    let linked: std::collections::HashSet<usize> =
        links.iter().flat_map(|&(a, b)| [a, b]).collect();
    let strength = |r: Option<Requirement>| r.map_or(0, Requirement::strength);
    // The strongest requirement with which a skill is asked for on its own, not as an option.
    let alone: Vec<u8> = (0..found.len())
        .map(|skill| {
            mentions
                .iter()
                .enumerate()
                .filter(|(m, (s, _))| *s == skill && !linked.contains(m))
                .map(|(_, (_, [start, _]))| strength(ad.requirement_at(*start)))
                .max()
                .unwrap_or(0)
        })
        .collect();
    for (a, b) in links {
        // "Mathematics" asked for on its own stays a requirement of its own, even where a nice
        // to have offers it as an option ("a STEM club or maths olympiad coaching").
        let here = strength(ad.requirement_at(mentions[a].1[0]))
            .max(strength(ad.requirement_at(mentions[b].1[0])));
        if here > 0 && (alone[mentions[a].0] >= here || alone[mentions[b].0] >= here) {
            continue;
        }
        let (ra, rb) = (
            root(&mut group, mentions[a].0),
            root(&mut group, mentions[b].0),
        );
        // The earlier mention leads the group.
        let (lead, other) = if ra <= rb { (ra, rb) } else { (rb, ra) };
        group[other] = lead;
    }
    let asked: Vec<Option<Requirement>> = found
        .iter()
        .map(|s| {
            s.spans
                .iter()
                .filter_map(|&[start, _]| ad.requirement_at(start))
                .reduce(stronger)
        })
        .collect();
    let mut out: Vec<(usize, RequiredSkill)> = Vec::new();
    for (i, skill) in found.iter().enumerate() {
        let lead = root(&mut group, i);
        let Some(required) = asked[i] else { continue };
        match out.iter_mut().find(|(g, _)| *g == lead) {
            Some((_, requirement)) => {
                requirement.required = stronger(requirement.required, required);
                requirement.alternatives.push(skill.label.clone());
            }
            None => out.push((
                lead,
                RequiredSkill {
                    label: skill.label.clone(),
                    required,
                    level: None,
                    alternatives: Vec::new(),
                },
            )),
        }
    }
    out.into_iter().map(|(_, r)| r).collect()
}

/// Asked for anywhere counts over wanted anywhere, and wanted over named in the duties.
fn stronger(a: Requirement, b: Requirement) -> Requirement {
    if a.strength() >= b.strength() {
        a
    } else {
        b
    }
}

/// The job with what its form left empty (seniority, remote policy, place) read from its text
/// (`ad`), and the years of experience the text asks for.
pub fn read_job(job: &JobSpec, ad: &JobAd) -> (JobSpec, Option<u32>) {
    let spec = JobSpec {
        seniority: job.seniority.or_else(|| ad.seniority()),
        remote: job.remote.or_else(|| ad.remote_policy()),
        location: job.location.clone().or_else(|| ad.location()),
        ..job.clone()
    };
    (spec, ad.years_asked())
}

/// The catalog's label for a name ("Postgres" → "PostgreSQL"), or the name as given.
pub(crate) fn canonical(matcher: &SkillMatcher, name: &str) -> String {
    let found = matcher.extract(&format!("skills: {name}"), None);
    match found.as_slice() {
        [one] => one.label.clone(),
        _ => name.trim().to_owned(),
    }
}

/// The pieces of a CV embedded separately: paragraphs, joined while they stay short.
pub fn cv_chunks(text: &str) -> Vec<&str> {
    let mut chunks = Vec::new();
    let mut start: Option<usize> = None;
    let mut end = 0;
    let mut offset = 0;
    for paragraph in text.split("\n\n") {
        let p_start = offset;
        let p_end = offset + paragraph.len();
        offset = p_end + 2;
        if paragraph.trim().is_empty() {
            continue;
        }
        match start {
            Some(s) if p_end - s <= CHUNK_BYTES => end = p_end,
            Some(s) => {
                chunks.push(text[s..end].trim());
                start = Some(p_start);
                end = p_end;
            }
            None => {
                start = Some(p_start);
                end = p_end;
            }
        }
    }
    if let Some(s) = start {
        chunks.push(text[s..end.min(text.len())].trim());
    }
    chunks
}

/// Years covered by the dated roles of a CV (overlaps counted once).
pub fn years_in_roles(text: &str, current_year: i32) -> Option<f64> {
    let mut ranges: Vec<(i32, i32)> = layout::DATE_RANGE
        .captures_iter(text)
        .filter_map(|c| {
            let from = c.get(1)?.as_str().parse::<i32>().ok()?;
            let to = c.get(2)?.as_str();
            let to = to.parse::<i32>().unwrap_or(current_year);
            (from <= to && to <= current_year).then_some((from, to))
        })
        .collect();
    if ranges.is_empty() {
        return None;
    }
    ranges.sort_unstable();
    let mut total = 0;
    let (mut from, mut to) = ranges[0];
    for &(f, t) in &ranges[1..] {
        if f <= to {
            to = to.max(t);
        } else {
            total += to - from;
            (from, to) = (f, t);
        }
    }
    total += to - from;
    Some(f64::from(total))
}

/// Words of `text[from..to]` that are not part of a skill name.
fn plain_words(text: &str, from: usize, to: usize, spans: &[[usize; 2]]) -> usize {
    let mut count = 0;
    let mut offset = from;
    for word in text[from..to].split_whitespace() {
        let at = offset + text[offset..to].find(word).unwrap_or(0);
        offset = at + word.len();
        let in_skill = spans.iter().any(|&[s, e]| at < e && s < at + word.len());
        if !in_skill && word.chars().any(char::is_alphabetic) {
            count += 1;
        }
    }
    count
}

/// Whether a mention only lists the skill ("Skills: Go, Rust", "Rust Rust PostgreSQL") rather
/// than shows it in use: its clause has almost no words besides skill names, and it is not part
/// of a dated experience entry (where "Tools: Power BI, SAP" says what the work used).
fn only_listed(text: &str, [start, end]: [usize; 2], spans: &[[usize; 2]]) -> bool {
    // The lines at the top (name, headline, contact) claim a skill; they do not show it.
    if in_header(text, start) {
        return true;
    }
    let (from, to) = clause_around(text, start, end);
    if plain_words(text, from, to, spans) > 1 || layout::in_experience_entry(text, start) {
        return false;
    }
    // A stated level ("English (C1)", "Excel (advanced)") says how well, and a certificate or
    // licence is its own proof.
    let (bracket_from, bracket_to) = bracketed_clause(text, from, to);
    let stated_level = LEVEL.find_iter(&text[bracket_from..bracket_to]).any(|m| {
        let (s, e) = (bracket_from + m.start(), bracket_from + m.end());
        !spans.iter().any(|&[a, b]| a < e && s < b)
    });
    !(stated_level || layout::in_credentials(text, start))
}

/// Whether `at` is in the header of a CV: the lines before its first blank line, at most four
/// (only the first line when the text has no blank line).
fn in_header(text: &str, at: usize) -> bool {
    let body = text.trim_start();
    let offset = text.len() - body.len();
    let first_line = body.find('\n').unwrap_or(body.len());
    let block = body.find("\n\n").unwrap_or(first_line);
    let four_lines = body
        .match_indices('\n')
        .nth(3)
        .map_or(body.len(), |(i, _)| i);
    at < offset + block.min(four_lines)
}

/// Words that say a qualification is not complete yet.
static IN_PROGRESS: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
    regex::Regex::new(
        r"(?i)\b(part[- ]qualified|studying|in progress|ongoing|expected|finishing|pursuing|working towards|currently enrolled)\b",
    )
    .expect("valid regex")
});

/// Whether the mention's clause says it is not complete yet ("CIMA (part-qualified, finishing
/// 2027)").
fn in_progress(text: &str, [start, end]: [usize; 2]) -> bool {
    let (line_start, line_end) = line_around(text, start);
    let after = &text[end..line_end];
    // Its own brackets, or the rest of its line.
    let scope = match after.trim_start().strip_prefix('(') {
        Some(inner) => inner.split(')').next().unwrap_or(""),
        None => &text[line_start..line_end],
    };
    IN_PROGRESS.is_match(scope)
}

/// The clause widened to the brackets that follow it: "English (C1)" as a whole.
fn bracketed_clause(text: &str, from: usize, to: usize) -> (usize, usize) {
    let rest = &text[to..];
    match rest.strip_prefix(' ').unwrap_or(rest).strip_prefix('(') {
        Some(inner) => {
            let close = inner
                .find(')')
                .map_or(to, |i| text.len() - inner.len() + i + 1);
            (from, close.min(text.len()))
        }
        None => (from, to),
    }
}

/// Below this many words that are not skill names, a CV's closeness in meaning counts for
/// less: a list of keywords is close to a job text without saying anything about experience.
const PROSE_WORDS: usize = 25;

/// One piece of evidence per sentence that names the skill (a sentence naming it twice counts
/// once), with the name marked.
pub(crate) fn evidence(text: &str, spans: &[[usize; 2]]) -> Vec<Evidence> {
    let mut out: Vec<Evidence> = Vec::new();
    for &span in spans {
        let (from, to) = sentence_around(text, span[0]);
        let snippet = &text[from..to];
        if !out.iter().any(|e| e.snippet == snippet) {
            out.push(Evidence {
                span,
                snippet: snippet.to_owned(),
                mark: [span[0] - from, span[1].min(to) - from],
            });
        }
    }
    out
}

/// The sentence holding `at`: within its line (a list item or a line of a CV is the longest a
/// quote gets), from the full stop before it to the one after it, without list marks.
pub(crate) fn sentence_around(text: &str, at: usize) -> (usize, usize) {
    let (line_start, line_end) = line_around(text, at);
    // A full stop followed by a space ends a sentence ("Node.js" and "2.4 M" do not).
    let ends_at = |i: usize| text[i..].starts_with(". ") || text[i..].starts_with("; ");
    let mut from = (line_start..at)
        .rev()
        .find(|&i| text.is_char_boundary(i) && ends_at(i))
        .map_or(line_start, |i| i + 2);
    // A sentence keeps its full stop; a clause cut at a semicolon ends without it.
    let to = (at..line_end)
        .find(|&i| text.is_char_boundary(i) && ends_at(i))
        .map_or(line_end, |i| i + usize::from(text[i..].starts_with('.')));
    from = at
        - text[from..at]
            .trim_start_matches(['-', '•', '*', ' ', '\t'])
            .len();
    (from, to.max(from))
}

/// What the CV shows of one skill (`option`) asked for by `required`: full credit when shown in
/// use, less when only listed, only claimed outside the CV or below the asked level.
fn credit_for(
    option: &str,
    required: &RequiredSkill,
    candidate: &AnalysedCandidate,
    claimed: &[String],
    spans: &[[usize; 2]],
    prose_factor: f64,
) -> Option<MatchedSkill> {
    let text = &candidate.profile.text;
    let Some(skill) = candidate
        .skills
        .iter()
        .find(|s| s.label.eq_ignore_ascii_case(option))
    else {
        return claimed
            .contains(&option.to_lowercase())
            .then(|| MatchedSkill {
                label: option.to_owned(),
                alternatives: Vec::new(),
                asked: String::new(),
                required: required.required,
                credit: 0.5,
                note: Some("claimed, not shown in the CV".to_owned()),
                evidence: Vec::new(),
            });
    };
    let in_use = skill
        .spans
        .iter()
        .any(|&span| !only_listed(text, span, spans));
    let (mut credit, mut note) = if in_use {
        (1.0, None)
    } else {
        // A skills section counts for more in a CV that describes work as well.
        (
            0.4 + 0.3 * prose_factor,
            Some("only listed, not shown in use".to_owned()),
        )
    };
    if skill.spans.iter().all(|&span| in_progress(text, span)) {
        credit = credit.min(0.5);
        note = Some("not complete yet".to_owned());
    }
    if let (Some(asked), Some(stated)) = (required.level, skill.level) {
        if stated < asked {
            credit *= 0.7;
            note = Some(format!(
                "{} stated; {} asked",
                stated.label(),
                asked.label()
            ));
        }
    }
    // The best proof first: a mention in a dated experience entry, then one shown in use
    // elsewhere (a summary), then a list.
    let mut ordered = skill.spans.clone();
    ordered.sort_by_cached_key(|&span| {
        (
            only_listed(text, span, spans),
            !layout::in_experience_entry(text, span[0]),
            span[0],
        )
    });
    Some(MatchedSkill {
        label: skill.label.clone(),
        alternatives: Vec::new(),
        asked: String::new(),
        required: required.required,
        credit: round3(credit),
        note,
        evidence: evidence(text, &ordered),
    })
}

/// Scores one candidate against one job and says why.
pub fn explain(
    job: &AnalysedJob,
    candidate: &AnalysedCandidate,
    matcher: &SkillMatcher,
    weights: Weights,
) -> MatchExplanation {
    let text = &candidate.profile.text;
    let spans: Vec<[usize; 2]> = candidate
        .skills
        .iter()
        .flat_map(|s| s.spans.iter().copied())
        .collect();
    let prose = plain_words(text, 0, text.len(), &spans);
    let similarity = candidate
        .chunk_vectors
        .iter()
        .map(|v| f64::from(cosine(&job.vector, v)))
        .fold(0.0_f64, f64::max);
    let prose_factor = (prose as f64 / PROSE_WORDS as f64).min(1.0);
    let semantic = ((similarity - SIMILARITY_FLOOR) / (SIMILARITY_CEILING - SIMILARITY_FLOOR))
        .clamp(0.0, 1.0)
        * prose_factor;

    let claimed: Vec<String> = candidate
        .profile
        .skills
        .iter()
        .map(|s| canonical(matcher, s).to_lowercase())
        .collect();
    let mut matched = Vec::new();
    let mut missing = Vec::new();
    let (mut earned, mut possible) = (0.0, 0.0);
    let (mut musts, mut musts_missing) = (0, 0);
    for required in &job.required {
        let weight = match required.required {
            Requirement::Must => 2.0,
            Requirement::Nice => 1.0,
            Requirement::Duty => 0.5,
        };
        possible += weight;
        if required.required == Requirement::Must {
            musts += 1;
        }
        // Any option of the requirement satisfies it; the best-proven one counts.
        let options = std::iter::once(&required.label).chain(&required.alternatives);
        let result = options
            .filter_map(|option| {
                let found =
                    credit_for(option, required, candidate, &claimed, &spans, prose_factor)?;
                let others = std::iter::once(&required.label)
                    .chain(&required.alternatives)
                    .filter(|o| *o != option)
                    .cloned()
                    .collect();
                Some(MatchedSkill {
                    alternatives: others,
                    asked: required.describe(),
                    ..found
                })
            })
            // The first option wins a tie: it is the one the ad named first.
            .reduce(|best, m| if m.credit > best.credit { m } else { best });
        match result {
            Some(m) => {
                earned += weight * m.credit;
                matched.push(m);
            }
            None => {
                if required.required == Requirement::Must {
                    musts_missing += 1;
                }
                missing.push(MissingSkill {
                    label: required.label.clone(),
                    alternatives: required.alternatives.clone(),
                    required: required.required,
                });
            }
        }
    }
    let coverage = if possible > 0.0 {
        earned / possible
    } else {
        semantic
    };

    let mut notes = Vec::new();
    if text.trim().is_empty() {
        notes.push("The CV has no text".to_owned());
    } else if prose < PROSE_WORDS {
        notes.push(format!(
            "Little beyond skill names ({prose} other words): closeness in meaning counts for less"
        ));
    }
    // Years and seniority count as far as the CV's work is like this job's: by the share of
    // must-haves it shows, or by how close it reads, whichever is more (a journalist's nine
    // years are not nine years of warehouse operations).
    let relevance = if musts > 0 {
        f64::from(musts - musts_missing) / f64::from(musts)
    } else {
        1.0
    }
    .max(semantic)
    .clamp(0.0, 1.0);
    let fit = fit(job, candidate, relevance, &mut notes);
    let must_factor = if musts > 0 {
        1.0 - 0.4 * f64::from(musts_missing) / f64::from(musts)
    } else {
        1.0
    };
    if musts_missing > 0 {
        notes.push(format!(
            "{musts_missing} of {musts} must-have skills not shown"
        ));
    }
    let total = weights.semantic * semantic + weights.coverage * coverage + weights.fit * fit;
    let score = (100.0 * total * must_factor).round().clamp(0.0, 100.0) as u8;
    MatchExplanation {
        score,
        band: Band::of(score),
        summary: summarise(&matched, &missing, candidate.years),
        parts: ScoreParts {
            semantic: round3(semantic),
            coverage: round3(coverage),
            fit: round3(fit),
        },
        similarity: round3(similarity),
        matched,
        missing,
        notes,
    }
}

/// The sentence on top of an explanation: must-haves shown (and which are missing, when few),
/// nice-to-haves, skills the duties name, and the years of experience.
fn summarise(matched: &[MatchedSkill], missing: &[MissingSkill], years: Option<f64>) -> String {
    let count = |kind: Requirement| {
        (
            matched.iter().filter(|m| m.required == kind).count(),
            missing.iter().filter(|m| m.required == kind).count(),
        )
    };
    let (musts_met, musts_missing) = count(Requirement::Must);
    let (nice_met, nice_missing) = count(Requirement::Nice);
    let mut parts = Vec::new();
    if musts_met + musts_missing > 0 {
        let total = musts_met + musts_missing;
        let gaps: Vec<String> = missing
            .iter()
            .filter(|m| m.required == Requirement::Must)
            .map(|m| describe_options(&m.label, &m.alternatives))
            .collect();
        parts.push(match gaps.len() {
            0 => format!("Shows all {total} must-haves"),
            1..=3 => format!(
                "Shows {musts_met} of {total} must-haves (missing: {})",
                gaps.join("; ")
            ),
            n => format!("Shows {musts_met} of {total} must-haves ({n} missing)"),
        });
    }
    if nice_met + nice_missing > 0 {
        parts.push(format!(
            "{nice_met} of {} nice-to-haves",
            nice_met + nice_missing
        ));
    }
    let (duties_met, duties_missing) = count(Requirement::Duty);
    if duties_met + duties_missing > 0 {
        parts.push(format!(
            "{duties_met} of {} skills the duties name",
            duties_met + duties_missing
        ));
    }
    if parts.is_empty() {
        parts.push(
            "The job names no skills to check; the score comes from meaning and fit".to_owned(),
        );
    }
    if let Some(years) = years {
        parts.push(format!("{years:.0} years of experience by the CV's dates"));
    }
    let mut sentence = parts.join("; ");
    sentence.push('.');
    sentence
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

/// The job's place when the top of the CV (its name, address and links) names it.
fn place_in_contact_block(cv: &str, place: &str) -> Option<String> {
    let city = place.split(',').next()?.trim();
    let wanted = job_ad::fold(city);
    if wanted.len() < 2 {
        return None;
    }
    let top = job_ad::fold(&cv.lines().take(6).collect::<Vec<_>>().join("\n"));
    job_ad::contains_phrase(&top, &[wanted.as_str()]).then(|| city.to_owned())
}

/// Seniority, years and place: the mean of what can be compared, 0.5 when nothing can.
fn fit(
    analysed: &AnalysedJob,
    candidate: &AnalysedCandidate,
    relevance: f64,
    notes: &mut Vec<String>,
) -> f64 {
    // How much of the CV's experience is like the job's, said when it is not all.
    let like_this = |note: String| {
        if relevance < 0.995 {
            format!(
                "{note}, counted at {:.0}% (as far as the CV's work is like this job's)",
                relevance * 100.0
            )
        } else {
            note
        }
    };
    let job = &analysed.spec;
    let mut parts = Vec::new();
    if let (Some(asked), Some(years)) = (analysed.years_asked, candidate.years) {
        let asked_f = f64::from(asked);
        let part = if years >= asked_f {
            1.0
        } else if years >= asked_f - 1.0 {
            0.7
        } else if years >= asked_f / 2.0 {
            0.3
        } else {
            0.0
        };
        notes.push(like_this(format!(
            "Experience: {years:.0} years, the job asks for {asked}"
        )));
        parts.push(part * relevance);
    }
    if let (Some(level), Some(years)) = (job.seniority, candidate.years) {
        let (low, high) = level.years();
        let part = if years >= low && years < high {
            1.0
        } else if years >= high {
            0.8
        } else if years >= low - 2.0 {
            0.5
        } else {
            0.0
        };
        notes.push(like_this(format!(
            "Seniority: {} role, {years:.0} years of experience",
            serde_json::to_value(level)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default()
        )));
        parts.push(part * relevance);
    }
    let profile = &candidate.profile;
    // Without a stated home, the CV's contact block may name the job's place, or another one.
    let read_home = profile.location.is_none();
    let home = profile
        .location
        .clone()
        .or_else(|| place_in_contact_block(&profile.text, job.location.as_deref()?))
        .or_else(|| layout::home(&profile.text));
    match (job.remote, &job.location, &home) {
        (Some(RemotePolicy::Remote), _, _) => {
            notes.push("Remote role: location does not matter".to_owned());
            parts.push(1.0);
        }
        (policy, Some(place), Some(home)) => {
            let (a, b) = (place.trim().to_lowercase(), home.trim().to_lowercase());
            let same = !a.is_empty() && !b.is_empty() && (a.contains(&b) || b.contains(&a));
            if same {
                notes.push(format!("Location: lives in {home}, job in {place}"));
                parts.push(1.0);
            } else if policy == Some(RemotePolicy::Hybrid) && profile.open_to_remote {
                notes.push(format!(
                    "Location: {home}, hybrid job in {place}; open to remote"
                ));
                parts.push(0.4);
            } else if read_home {
                // Read from the CV's address: a neighbouring town is another name too.
                notes.push(format!(
                    "Location: the CV's address is in {home}, the job in {place}"
                ));
                parts.push(0.3);
            } else {
                notes.push(format!("Location: {home}, job in {place}"));
                parts.push(0.1);
            }
        }
        _ => {}
    }
    if parts.is_empty() {
        // Neutral only for a CV like the job; an empty or unrelated one gains nothing by it.
        notes.push(like_this(
            "The texts give no seniority, years asked or shared place to compare: fit is neutral \
             (50)"
                .to_owned(),
        ));
        return 0.5 * relevance;
    }
    parts.iter().sum::<f64>() / parts.len() as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fit_of(job_text: &str, cv: &str, years: Option<f64>) -> (f64, Vec<String>) {
        fit_with(job_text, cv, years, 1.0)
    }

    /// The fit of `cv` for the job, its years counted at `relevance`.
    fn fit_with(
        job_text: &str,
        cv: &str,
        years: Option<f64>,
        relevance: f64,
    ) -> (f64, Vec<String>) {
        let (spec, years_asked) = read_job(
            &JobSpec {
                text: job_text.to_owned(),
                ..JobSpec::default()
            },
            &JobAd::read(job_text),
        );
        let job = AnalysedJob {
            spec,
            required: Vec::new(),
            vector: Vec::new(),
            years_asked,
        };
        let candidate = AnalysedCandidate {
            profile: CandidateProfile {
                text: cv.to_owned(),
                ..CandidateProfile::default()
            },
            skills: Vec::new(),
            chunk_vectors: Vec::new(),
            years,
        };
        let mut notes = Vec::new();
        (fit(&job, &candidate, relevance, &mut notes), notes)
    }

    #[test]
    fn evidence_is_the_sentence_with_the_name_marked() {
        let cv = "Summary\nI build things. Designed the PostgreSQL schema and moved queries; cut p99 latency.\n- Tools: Node.js, Rust";
        let at = cv.find("PostgreSQL").expect("name");
        let found = evidence(cv, &[[at, at + 10]]);
        assert_eq!(
            found[0].snippet,
            "Designed the PostgreSQL schema and moved queries"
        );
        let [a, b] = found[0].mark;
        assert_eq!(&found[0].snippet[a..b], "PostgreSQL");
        // A list item is its own sentence; "Node.js" does not end one.
        let at = cv.find("Rust").expect("name");
        assert_eq!(
            evidence(cv, &[[at, at + 4]])[0].snippet,
            "Tools: Node.js, Rust"
        );
    }

    const JOB: &str = "Senior Rust Engineer, Hamburg\n\nRequirements\n- 5+ years of Rust\n";

    #[test]
    fn fit_comes_from_the_texts_seniority_years_and_place() {
        let cv = "Ada Example\nHamburg, Germany · ada@example.com\n\nExperience\n...";
        let (fit, notes) = fit_of(JOB, cv, Some(7.0));
        assert!((fit - 1.0).abs() < 1e-9, "{fit} {notes:?}");
        assert!(
            notes.iter().any(|n| n.contains("the job asks for 5")),
            "{notes:?}"
        );
        assert!(
            notes.iter().any(|n| n.contains("lives in Hamburg")),
            "{notes:?}"
        );
        // Two years, elsewhere: a clear misfit.
        let (fit, _) = fit_of(JOB, "Bo Example\nLisbon, Portugal\n", Some(2.0));
        assert!(fit < 0.25, "{fit}");
        // The same years with an address in another city: the place counts against.
        let cv = "Ada Example\nLisbon, Portugal · ada@example.com\n\nExperience\n...";
        let (fit, notes) = fit_of(JOB, cv, Some(7.0));
        assert!(fit < 0.8, "{fit} {notes:?}");
        assert!(
            notes
                .iter()
                .any(|n| n.contains("address is in Lisbon, the job in Hamburg")),
            "{notes:?}"
        );
    }

    #[test]
    fn years_count_as_far_as_the_work_is_like_the_job() {
        let (fit, notes) = fit_with(JOB, "Xena Smit\nJournalist\n", Some(9.0), 0.25);
        assert!((fit - 0.25).abs() < 1e-9, "{fit} {notes:?}");
        assert!(
            notes[0].ends_with("counted at 25% (as far as the CV's work is like this job's)"),
            "{notes:?}"
        );
    }

    #[test]
    fn fit_is_neutral_and_says_so_when_the_texts_give_nothing() {
        let (fit, notes) = fit_of("We need someone who knows Excel.", "Cy Example\n", None);
        assert!((fit - 0.5).abs() < 1e-9);
        assert!(
            notes[0].starts_with("The texts give no seniority"),
            "{notes:?}"
        );
    }
}
