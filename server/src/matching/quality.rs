//! How good the engine is on labelled CV and job pairs (`server/tests/fixtures/match-pairs`):
//! skill extraction precision and recall per profession, the requirements read from each job ad,
//! and whether the scores order and band the candidates as the recruiter who labelled them did.
//! `server quality` prints the report as JSON and writes it as Markdown (docs/QUALITY.md);
//! `tests/quality.rs` asserts the agreement.

use super::{
    rank::RankPlan,
    score::{canonical, Weights},
    semantic::SkillFinder,
};
use serde::{Deserialize, Serialize};
use shared::matching::{Band, CandidateProfile, ExtractedSkill, JobSpec, Requirement};
use std::{collections::BTreeSet, path::Path};

/// One profession's fixture: a job ad and CVs, best first as a recruiter ranked them.
#[derive(Clone, Debug, Deserialize)]
pub struct Profession {
    pub profession: String,
    pub job: LabelledJob,
    pub candidates: Vec<LabelledCv>,
}

/// A job ad with the requirements a careful reader finds in it; options of one requirement are
/// written "AWS | Google Cloud Platform".
#[derive(Clone, Debug, Deserialize)]
pub struct LabelledJob {
    pub text: String,
    pub must: Vec<String>,
    pub nice: Vec<String>,
    /// Skills the duties name, in an ad that lists its requirements apart.
    #[serde(default)]
    pub duty: Vec<String>,
}

/// A CV with the band the recruiter gave it and the skills it shows (catalog labels).
#[derive(Clone, Debug, Deserialize)]
pub struct LabelledCv {
    pub id: String,
    pub band: Band,
    pub text: String,
    pub skills: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum FixtureError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("{path} is not a valid fixture: {source}")]
    Parse {
        path: String,
        source: Box<toml::de::Error>,
    },
    #[error("{path} is not valid JSON: {source}")]
    Json {
        path: String,
        source: serde_json::Error,
    },
    #[error("{0} holds no fixtures (*.toml)")]
    Empty(String),
}

/// Every `*.toml` fixture in `dir`, by file name.
pub fn load(dir: &Path) -> Result<Vec<Profession>, FixtureError> {
    let read_error = |source| FixtureError::Read {
        path: dir.display().to_string(),
        source,
    };
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .map_err(read_error)?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    paths.sort();
    if paths.is_empty() {
        return Err(FixtureError::Empty(dir.display().to_string()));
    }
    paths
        .iter()
        .map(|path| {
            let text = std::fs::read_to_string(path).map_err(|source| FixtureError::Read {
                path: path.display().to_string(),
                source,
            })?;
            toml::from_str(&text).map_err(|source| FixtureError::Parse {
                path: path.display().to_string(),
                source: Box::new(source),
            })
        })
        .collect()
}

/// What an earlier engine found on the same fixtures (`before.json` beside them), recorded once
/// so that the report can show what changed.
#[derive(Clone, Debug, Deserialize)]
pub struct Before {
    /// Which engine, and how it was run.
    pub engine: String,
    pub false_skills: Vec<BeforeSkill>,
    pub scores: Vec<BeforeScore>,
}

#[derive(Clone, Debug, Deserialize)]
pub struct BeforeSkill {
    pub profession: String,
    pub cv: String,
    pub label: String,
    pub quote: String,
}

#[derive(Clone, Debug, Deserialize)]
pub struct BeforeScore {
    pub profession: String,
    pub cv: String,
    pub score: u8,
}

/// `before.json` in `dir`, if there is one.
pub fn load_before(dir: &Path) -> Result<Option<Before>, FixtureError> {
    let path = dir.join("before.json");
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(source) => {
            return Err(FixtureError::Read {
                path: path.display().to_string(),
                source,
            })
        }
    };
    serde_json::from_str(&text)
        .map(Some)
        .map_err(|source| FixtureError::Json {
            path: path.display().to_string(),
            source,
        })
}

/// Precision and recall of a set of found items against a labelled one.
#[derive(Clone, Copy, Debug, Default, Serialize, PartialEq)]
pub struct Counts {
    pub true_positives: usize,
    pub found: usize,
    pub expected: usize,
}

impl Counts {
    pub fn precision(self) -> f64 {
        ratio(self.true_positives, self.found)
    }
    pub fn recall(self) -> f64 {
        ratio(self.true_positives, self.expected)
    }
    pub fn f1(self) -> f64 {
        let (p, r) = (self.precision(), self.recall());
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    }
    fn add(&mut self, other: Counts) {
        self.true_positives += other.true_positives;
        self.found += other.found;
        self.expected += other.expected;
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 {
        1.0
    } else {
        a as f64 / b as f64
    }
}

/// A skill the engine found that the labels do not have, with the line it came from.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct FalseSkill {
    pub cv: String,
    pub label: String,
    pub quote: String,
}

/// One candidate's result.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Scored {
    pub id: String,
    pub score: u8,
    pub band: Band,
    pub expected_band: Band,
    /// Every must-have is shown in use (none missing, none only listed).
    pub all_musts_shown: bool,
}

/// One profession's results.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct ProfessionReport {
    pub profession: String,
    pub cv_skills: Counts,
    /// Requirements read from the job ad against the labelled ones (options of one requirement
    /// count as one).
    pub requirements: Counts,
    /// Of the requirements found and labelled, how many have the labelled kind (must or nice).
    pub requirement_kind_agrees: usize,
    /// The requirements read from the ad, as a reader says them ("AWS or Google Cloud
    /// Platform"), each with its kind.
    pub read: Vec<(Requirement, String)>,
    /// In the recruiter's order.
    pub scored: Vec<Scored>,
    /// Pairs of candidates the scores put in the recruiter's order, of all pairs.
    pub pairs_in_order: usize,
    pub pairs: usize,
    pub false_skills: Vec<FalseSkill>,
    pub missed_skills: Vec<FalseSkill>,
}

/// The whole report.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Report {
    pub professions: Vec<ProfessionReport>,
    pub cv_skills: Counts,
    pub requirements: Counts,
    pub pairs_in_order: usize,
    pub pairs: usize,
    pub bands_agree: usize,
    pub bands_within_one: usize,
    pub candidates: usize,
}

/// Runs the engine on every fixture. `embed` turns texts into vectors (same order).
pub fn evaluate<E>(
    finder: &SkillFinder,
    professions: &[Profession],
    weights: Weights,
    current_year: i32,
    mut embed: impl FnMut(&[&str]) -> Result<Vec<Vec<f32>>, E>,
) -> Result<Report, E> {
    let matcher = &finder.matcher;
    let canon = |label: &str| canonical(matcher, label).to_lowercase();
    let mut reports = Vec::new();
    for profession in professions {
        let plan = RankPlan::new(
            finder.clone(),
            JobSpec {
                text: profession.job.text.clone(),
                ..JobSpec::default()
            },
            profession
                .candidates
                .iter()
                .map(|c| CandidateProfile {
                    text: c.text.clone(),
                    ..CandidateProfile::default()
                })
                .collect(),
        );
        let texts: Vec<&str> = plan.texts.iter().map(String::as_str).collect();
        let vectors = embed(&texts)?;
        let ranking = plan.finish(vectors, weights, current_year);

        // Requirements: each a set of options.
        let labelled: Vec<(BTreeSet<String>, Requirement)> = profession
            .job
            .must
            .iter()
            .map(|r| (r, Requirement::Must))
            .chain(profession.job.nice.iter().map(|r| (r, Requirement::Nice)))
            .chain(profession.job.duty.iter().map(|r| (r, Requirement::Duty)))
            .map(|(r, kind)| (r.split('|').map(|o| canon(o.trim())).collect(), kind))
            .collect();
        let found: Vec<(BTreeSet<String>, Requirement)> = ranking
            .required
            .iter()
            .map(|r| {
                (
                    std::iter::once(&r.label)
                        .chain(&r.alternatives)
                        .map(|o| o.to_lowercase())
                        .collect(),
                    r.required,
                )
            })
            .collect();
        let pairs_of = |f: &BTreeSet<String>| {
            labelled
                .iter()
                .find(|(l, _)| !l.is_disjoint(f))
                .map(|(_, kind)| *kind)
        };
        let requirements = Counts {
            true_positives: labelled
                .iter()
                .filter(|(l, _)| found.iter().any(|(f, _)| !l.is_disjoint(f)))
                .count(),
            found: found.len(),
            expected: labelled.len(),
        };
        let requirement_kind_agrees = found
            .iter()
            .filter(|(f, kind)| pairs_of(f) == Some(*kind))
            .count();

        let mut cv_skills = Counts::default();
        let mut false_skills = Vec::new();
        let mut missed_skills = Vec::new();
        let mut scored = Vec::new();
        for (index, cv) in profession.candidates.iter().enumerate() {
            let Some(ranked) = ranking.ranked.iter().find(|r| r.index == index) else {
                continue;
            };
            let expected: BTreeSet<String> = cv.skills.iter().map(|s| canon(s)).collect();
            let got: BTreeSet<String> = ranked
                .skills
                .iter()
                .map(|s| s.label.to_lowercase())
                .collect();
            cv_skills.add(Counts {
                true_positives: got.intersection(&expected).count(),
                found: got.len(),
                expected: expected.len(),
            });
            for skill in &ranked.skills {
                if !expected.contains(&skill.label.to_lowercase()) {
                    let [start, _] = skill.spans[0];
                    let (from, to) = super::skills::line_around(&cv.text, start);
                    false_skills.push(FalseSkill {
                        cv: cv.id.clone(),
                        label: skill.label.clone(),
                        quote: cv.text[from..to].trim().to_owned(),
                    });
                }
            }
            for label in &cv.skills {
                if !got.contains(&canon(label)) {
                    missed_skills.push(FalseSkill {
                        cv: cv.id.clone(),
                        label: label.clone(),
                        quote: String::new(),
                    });
                }
            }
            let explanation = &ranked.explanation;
            scored.push(Scored {
                id: cv.id.clone(),
                score: explanation.score,
                band: explanation.band,
                expected_band: cv.band,
                all_musts_shown: !explanation
                    .missing
                    .iter()
                    .any(|m| m.required == Requirement::Must)
                    && explanation
                        .matched
                        .iter()
                        .all(|m| m.required != Requirement::Must || m.credit >= 0.999),
            });
        }
        let mut pairs = 0;
        let mut pairs_in_order = 0;
        for (i, better) in scored.iter().enumerate() {
            for worse in &scored[i + 1..] {
                pairs += 1;
                if better.score > worse.score {
                    pairs_in_order += 1;
                }
            }
        }
        reports.push(ProfessionReport {
            profession: profession.profession.clone(),
            cv_skills,
            requirements,
            requirement_kind_agrees,
            read: ranking
                .required
                .iter()
                .map(|r| (r.required, r.describe()))
                .collect(),
            scored,
            pairs_in_order,
            pairs,
            false_skills,
            missed_skills,
        });
    }
    let mut report = Report {
        cv_skills: Counts::default(),
        requirements: Counts::default(),
        pairs_in_order: 0,
        pairs: 0,
        bands_agree: 0,
        bands_within_one: 0,
        candidates: 0,
        professions: Vec::new(),
    };
    for p in &reports {
        report.cv_skills.add(p.cv_skills);
        report.requirements.add(p.requirements);
        report.pairs_in_order += p.pairs_in_order;
        report.pairs += p.pairs;
        for s in &p.scored {
            report.candidates += 1;
            report.bands_agree += usize::from(s.band == s.expected_band);
            report.bands_within_one +=
                usize::from((s.band as i8 - s.expected_band as i8).abs() <= 1);
        }
    }
    report.professions = reports;
    Ok(report)
}

/// The section on the public annotated set, or why it was skipped.
fn spans_markdown(spans: Result<&SpanReport, &str>) -> String {
    let mut md = String::from("\n## Skill spans on a public annotated set\n\n");
    match spans {
        Err(why) => md.push_str(&format!("Skipped: {why}\n")),
        Ok(report) => {
            md.push_str(&format!(
                "The test split of the job-posting skill dataset of Green, Maynard and Lin (LREC \
                 2022; GitHub `acp19tag/skill-extraction-dataset`, CC BY 4.0), read from {}: {} \
                 sentences, {} skill spans marked by annotators. Nothing was tuned on it. Strict: \
                 the same words; overlapping: any word shared (precision counts found spans \
                 that touch a gold one, recall gold spans touched; a clause is long and may touch \
                 several). Annotators mark the phrase that names the work (\"influence cross \
                 functional teams and suppliers\"); the engine names skills, so its exact \
                 boundaries rarely agree.\n\n| Spans the engine gives | \
                 Found | Strict P | Strict R | Strict F1 | Overlap P | Overlap R | Overlap F1 \
                 |\n|---|---:|---:|---:|---:|---:|---:|---:|\n",
                report.source, report.sentences, report.mentions.gold
            ));
            for (name, s) in [
                ("each skill's words", &report.mentions),
                ("each mention's clause, lead-ins dropped", &report.clauses),
            ] {
                let (sp, sr, sf) = s.strict();
                let (op, or, of) = s.overlap();
                md.push_str(&format!(
                    "| {name} | {} | {sp:.2} | {sr:.2} | {sf:.2} | {op:.2} | {or:.2} | {of:.2} |\n",
                    s.found
                ));
            }
        }
    }
    md
}

/// A quote fit for a Markdown table cell.
fn cell(text: &str) -> String {
    let text = text.trim_start_matches(['-', ' ']);
    let short: String = text.chars().take(90).collect();
    let short = if short.len() < text.len() {
        format!("{short}…")
    } else {
        short
    };
    short.replace('|', "\\|")
}

fn pct(x: f64) -> String {
    format!("{:.0} %", 100.0 * x)
}

impl Report {
    /// Scores and false skills of the earlier engine next to this one's.
    fn before_and_after(&self, before: &Before) -> String {
        let mut md = format!(
            "\n## Before and after\n\nBefore: {}. After: this engine.\n\n| Profession | Candidate \
             | Recruiter's band | Score before | Score after |\n|---|---|---|---:|---:|\n",
            before.engine
        );
        for p in &self.professions {
            for s in &p.scored {
                let old = before
                    .scores
                    .iter()
                    .find(|b| b.profession == p.profession && b.cv == s.id)
                    .map_or("–".to_owned(), |b| b.score.to_string());
                md.push_str(&format!(
                    "| {} | {} | {:?} | {} | {} |\n",
                    p.profession, s.id, s.expected_band, old, s.score
                ));
            }
        }
        md.push_str(
            "\nSkills found that the CV does not show, in the three professions the issue \
                     tried:\n\n| Profession | Candidate | Before | After |\n|---|---|---|---|\n",
        );
        let mut rows: Vec<(&str, &str)> = before
            .false_skills
            .iter()
            .map(|f| (f.profession.as_str(), f.cv.as_str()))
            .collect();
        rows.dedup();
        for p in &self.professions {
            for s in &p.scored {
                if before
                    .false_skills
                    .iter()
                    .any(|f| f.profession == p.profession)
                    && !rows.contains(&(p.profession.as_str(), s.id.as_str()))
                    && p.false_skills.iter().any(|f| f.cv == s.id)
                {
                    rows.push((p.profession.as_str(), s.id.as_str()));
                }
            }
        }
        for (profession, cv) in rows {
            let old: Vec<String> = before
                .false_skills
                .iter()
                .filter(|f| f.profession == profession && f.cv == cv)
                .map(|f| format!("{} (“{}”)", f.label, cell(&f.quote)))
                .collect();
            let new: Vec<String> = self
                .professions
                .iter()
                .filter(|p| p.profession == profession)
                .flat_map(|p| &p.false_skills)
                .filter(|f| f.cv == cv)
                .map(|f| format!("{} (“{}”)", f.label, cell(&f.quote)))
                .collect();
            let list = |l: Vec<String>| {
                if l.is_empty() {
                    "none".to_owned()
                } else {
                    l.join("; ")
                }
            };
            md.push_str(&format!(
                "| {profession} | {cv} | {} | {} |\n",
                list(old),
                list(new)
            ));
        }
        md
    }

    /// The report as the Markdown of docs/QUALITY.md.
    pub fn markdown(
        &self,
        header: &str,
        before: Option<&Before>,
        spans: Result<&SpanReport, &str>,
    ) -> String {
        let mut md = String::from(header);
        md.push_str(&spans_markdown(spans));
        if let Some(before) = before {
            md.push_str(&self.before_and_after(before));
        }
        md.push_str("\n## Scores against the recruiter's ranking\n\n");
        md.push_str(&format!(
            "Bands: weak below {}, partial from {}, good from {}, strong from {} \
             (`shared::matching::Band::FROM`).\n\n",
            Band::FROM[0],
            Band::FROM[0],
            Band::FROM[1],
            Band::FROM[2]
        ));
        md.push_str(&format!(
            "- Pairs of candidates in the recruiter's order: **{} of {} ({})**\n- Bands as the \
             recruiter gave them: **{} of {} ({})**; within one band: {} of {}\n\n",
            self.pairs_in_order,
            self.pairs,
            pct(ratio(self.pairs_in_order, self.pairs)),
            self.bands_agree,
            self.candidates,
            pct(ratio(self.bands_agree, self.candidates)),
            self.bands_within_one,
            self.candidates
        ));
        md.push_str("| Profession | Candidate (recruiter's order) | Score | Band | Recruiter's band |\n|---|---|---:|---|---|\n");
        for p in &self.professions {
            for s in &p.scored {
                md.push_str(&format!(
                    "| {} | {} | {} | {:?} | {:?}{} |\n",
                    p.profession,
                    s.id,
                    s.score,
                    s.band,
                    s.expected_band,
                    if s.band == s.expected_band {
                        ""
                    } else {
                        " ✗"
                    }
                ));
            }
        }
        md.push_str("\n## Skills found in the CVs, and requirements read from the job ads\n\n");
        md.push_str("| Profession | CV skills precision | CV skills recall | F1 | Requirements precision | Requirements recall | Kind right (must / nice / duty) |\n|---|---:|---:|---:|---:|---:|---:|\n");
        for p in &self.professions {
            md.push_str(&format!(
                "| {} | {} | {} | {:.2} | {} | {} | {} of {} |\n",
                p.profession,
                pct(p.cv_skills.precision()),
                pct(p.cv_skills.recall()),
                p.cv_skills.f1(),
                pct(p.requirements.precision()),
                pct(p.requirements.recall()),
                p.requirement_kind_agrees,
                p.requirements.found
            ));
        }
        md.push_str(&format!(
            "| **All** | **{}** | **{}** | **{:.2}** | **{}** | **{}** | |\n",
            pct(self.cv_skills.precision()),
            pct(self.cv_skills.recall()),
            self.cv_skills.f1(),
            pct(self.requirements.precision()),
            pct(self.requirements.recall()),
        ));
        md.push_str("\n### Requirements read from each job ad\n\n");
        for p in &self.professions {
            let list = |kind: Requirement| {
                p.read
                    .iter()
                    .filter(|(k, _)| *k == kind)
                    .map(|(_, r)| r.as_str())
                    .collect::<Vec<_>>()
                    .join("; ")
            };
            md.push_str(&format!(
                "**{}**: must-have: {}. Nice to have: {}.",
                p.profession,
                list(Requirement::Must),
                list(Requirement::Nice)
            ));
            let duties = list(Requirement::Duty);
            if !duties.is_empty() {
                md.push_str(&format!(" Named in the duties: {duties}."));
            }
            md.push_str("\n\n");
        }
        md.push_str("## Skills found that the labels do not have\n\n");
        for p in &self.professions {
            md.push_str(&format!("**{}**: ", p.profession));
            if p.false_skills.is_empty() {
                md.push_str("none.\n\n");
                continue;
            }
            let items: Vec<String> = p
                .false_skills
                .iter()
                .map(|f| format!("{} ({}: “{}”)", f.label, f.cv, cell(&f.quote)))
                .collect();
            md.push_str(&items.join("; "));
            md.push_str(".\n\n");
        }
        md.push_str("## Labelled skills not found\n\n");
        for p in &self.professions {
            let items: Vec<String> = p
                .missed_skills
                .iter()
                .map(|f| format!("{} ({})", f.label, f.cv))
                .collect();
            md.push_str(&format!(
                "**{}**: {}.\n\n",
                p.profession,
                if items.is_empty() {
                    "none".to_owned()
                } else {
                    items.join("; ")
                }
            ));
        }
        md
    }
}

/// A sentence of an annotated set: its text (the tokens joined by spaces) and the byte spans of
/// its gold skill annotations.
#[derive(Clone, Debug, PartialEq)]
pub struct AnnotatedSentence {
    pub text: String,
    pub gold: Vec<[usize; 2]>,
}

/// Reads a CoNLL file (`token TAG` per line, a blank line between sentences) keeping the spans
/// tagged `B-Skill` / `I-Skill`.
pub fn read_conll(file: &str) -> Vec<AnnotatedSentence> {
    let mut sentences = Vec::new();
    let mut text = String::new();
    let mut gold: Vec<[usize; 2]> = Vec::new();
    let mut open: Option<[usize; 2]> = None;
    let mut finish =
        |text: &mut String, gold: &mut Vec<[usize; 2]>, open: &mut Option<[usize; 2]>| {
            gold.extend(open.take());
            if !text.is_empty() {
                sentences.push(AnnotatedSentence {
                    text: std::mem::take(text),
                    gold: std::mem::take(gold),
                });
            }
        };
    for line in file.lines() {
        let mut parts = line.split_whitespace();
        let (Some(token), Some(tag)) = (parts.next(), parts.next()) else {
            finish(&mut text, &mut gold, &mut open);
            continue;
        };
        if !text.is_empty() {
            text.push(' ');
        }
        let span = [text.len(), text.len() + token.len()];
        text.push_str(token);
        match tag {
            "B-Skill" => {
                gold.extend(open.take());
                open = Some(span);
            }
            "I-Skill" => match &mut open {
                Some(current) => current[1] = span[1],
                None => open = Some(span),
            },
            _ => gold.extend(open.take()),
        }
    }
    finish(&mut text, &mut gold, &mut open);
    sentences
}

/// Span precision and recall, strict (the same bytes) and overlapping (any shared byte: a
/// found span that touches a gold one is right, a gold span touched by a found one is recalled).
#[derive(Clone, Copy, Debug, Default, Serialize, PartialEq)]
pub struct SpanScores {
    pub found: usize,
    pub gold: usize,
    pub strict_matches: usize,
    pub overlap_right: usize,
    pub overlap_recalled: usize,
}

impl SpanScores {
    pub fn strict(&self) -> (f64, f64, f64) {
        prf(
            ratio(self.strict_matches, self.found),
            ratio(self.strict_matches, self.gold),
        )
    }
    pub fn overlap(&self) -> (f64, f64, f64) {
        prf(
            ratio(self.overlap_right, self.found),
            ratio(self.overlap_recalled, self.gold),
        )
    }
}

fn prf(p: f64, r: f64) -> (f64, f64, f64) {
    let f = if p + r == 0.0 {
        0.0
    } else {
        2.0 * p * r / (p + r)
    };
    (p, r, f)
}

/// The spans measured on a public annotated set.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct SpanReport {
    /// Where the set came from, for the report.
    pub source: String,
    pub sentences: usize,
    pub mentions: SpanScores,
    pub clauses: SpanScores,
}

/// Runs the engine over every sentence of an annotated set (one embedding round for all their
/// phrases) and scores both kinds of predicted spans.
pub fn evaluate_spans<E>(
    finder: &SkillFinder,
    sentences: &[AnnotatedSentence],
    source: String,
    mut embed: impl FnMut(&[&str]) -> Result<Vec<Vec<f32>>, E>,
) -> Result<SpanReport, E> {
    let phrases: Vec<Vec<super::semantic::Phrase>> =
        sentences.iter().map(|s| finder.phrases(&s.text)).collect();
    let texts: Vec<&str> = sentences
        .iter()
        .zip(&phrases)
        .flat_map(|(s, ps)| ps.iter().map(|p| &s.text[p.start..p.end]))
        .collect();
    let vectors = embed(&texts)?;
    let mut at = 0;
    let (mut mentions, mut clauses) = (Vec::new(), Vec::new());
    for (sentence, phrases) in sentences.iter().zip(&phrases) {
        let skills = finder.extract(
            &sentence.text,
            None,
            phrases,
            &vectors[at..at + phrases.len()],
        );
        at += phrases.len();
        mentions.push(predicted_spans(&sentence.text, &skills, false));
        clauses.push(predicted_spans(&sentence.text, &skills, true));
    }
    Ok(SpanReport {
        source,
        sentences: sentences.len(),
        mentions: span_scores(sentences, &mentions),
        clauses: span_scores(sentences, &clauses),
    })
}

/// Compares found spans with the gold ones, sentence by sentence.
pub fn span_scores(sentences: &[AnnotatedSentence], found: &[Vec<[usize; 2]>]) -> SpanScores {
    let overlaps = |a: &[usize; 2], b: &[usize; 2]| a[0] < b[1] && b[0] < a[1];
    let mut scores = SpanScores::default();
    for (sentence, found) in sentences.iter().zip(found) {
        scores.found += found.len();
        scores.gold += sentence.gold.len();
        scores.strict_matches += sentence.gold.iter().filter(|g| found.contains(g)).count();
        scores.overlap_right += found
            .iter()
            .filter(|f| sentence.gold.iter().any(|g| overlaps(f, g)))
            .count();
        scores.overlap_recalled += sentence
            .gold
            .iter()
            .filter(|g| found.iter().any(|f| overlaps(f, g)))
            .count();
    }
    scores
}

/// The spans to compare with an annotated set: every mention of every skill found (`Mentions`),
/// or each mention widened to its clause without lead-ins ("ability to …"), the way annotators
/// mark a skill as the phrase that names the work (`Clauses`).
pub fn predicted_spans(text: &str, skills: &[ExtractedSkill], clauses: bool) -> Vec<[usize; 2]> {
    let mut spans: Vec<[usize; 2]> = skills
        .iter()
        .flat_map(|s| s.spans.iter().copied())
        .map(|[start, end]| {
            if clauses {
                let (from, to) = super::skills::clause_around(text, start, end);
                let (from, to) = super::semantic::without_lead_ins(text, from, to);
                if from < to {
                    [from, to]
                } else {
                    [start, end]
                }
            } else {
                [start, end]
            }
        })
        .collect();
    spans.sort_unstable();
    spans.dedup();
    spans
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conll_spans_are_read_and_scored() {
        let file = "Proven O\nability O\nto O\ninfluence B-Skill\nteams I-Skill\n. O\n\n\nUse B-Skill\nExcel I-Skill\nwell O\n";
        let sentences = read_conll(file);
        assert_eq!(sentences.len(), 2);
        assert_eq!(sentences[0].text, "Proven ability to influence teams .");
        let [a, b] = sentences[0].gold[0];
        assert_eq!(&sentences[0].text[a..b], "influence teams");
        let [a, b] = sentences[1].gold[0];
        assert_eq!(&sentences[1].text[a..b], "Use Excel");
        // One exact span, one overlapping, one wrong.
        let scores = span_scores(&sentences, &[vec![[18, 33], [0, 6]], vec![[4, 9]]]);
        assert_eq!(
            (scores.found, scores.gold, scores.strict_matches),
            (3, 2, 1)
        );
        assert_eq!((scores.overlap_right, scores.overlap_recalled), (2, 2));
    }
}
