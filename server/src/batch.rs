//! Batch subcommands for scripting and evaluation: JSON Lines on stdin, one answer per input
//! line on stdout. A bad line gets `{"line":N,"id":…,"error":"…"}` and the batch goes on.

use crate::matching::{
    embedding::embed_sorted,
    occupations::{normalise_title, Occupations},
    rank::RankPlan,
    score::DEFAULT_WEIGHTS,
    semantic::SkillFinder,
    ModelError, SentenceEncoder,
};
use serde::Deserialize;
use serde_json::{json, Value};
use shared::matching::{CandidateProfile, JobSpec};
use std::io::{BufRead, Write};

/// Lines read before one round of inference (the model still runs in batches of `max_batch`).
const CHUNK_LINES: usize = 256;

#[derive(Deserialize)]
struct TextLine {
    id: Value,
    text: String,
}

/// A parsed input line, or the error answer it gets.
fn parse_line<T: serde::de::DeserializeOwned>(number: usize, line: &str) -> Result<T, Value> {
    serde_json::from_str(line).map_err(|e| {
        // Keep the id when the line is JSON with an id, so the caller can match the error up.
        let id = serde_json::from_str::<Value>(line)
            .ok()
            .and_then(|v| v.get("id").cloned())
            .unwrap_or(Value::Null);
        json!({ "line": number, "id": id, "error": format!("expected {{\"id\",\"text\"}}: {e}") })
    })
}

fn write_line(out: &mut impl Write, value: &Value) -> std::io::Result<()> {
    serde_json::to_writer(&mut *out, value)?;
    out.write_all(b"\n")
}

/// Answers each non-empty input line (numbered from 1) with one output line, flushed at once.
fn each_line(
    input: impl BufRead,
    mut out: impl Write,
    mut answer: impl FnMut(usize, &str) -> Result<Value, BatchError>,
) -> Result<(), BatchError> {
    for (index, line) in input.lines().enumerate() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        write_line(&mut out, &answer(index + 1, &line)?)?;
        out.flush()?;
    }
    Ok(())
}

/// `embed`: `{"id","text"}` → `{"id","vector":[…]}`.
pub fn embed(
    encoder: &SentenceEncoder,
    max_batch: usize,
    input: impl BufRead,
    mut out: impl Write,
) -> Result<(), BatchError> {
    let mut lines = input.lines().enumerate();
    loop {
        let mut answers: Vec<Result<TextLine, Value>> = Vec::with_capacity(CHUNK_LINES);
        for (index, line) in lines.by_ref() {
            let line = line?;
            if line.trim().is_empty() {
                continue;
            }
            answers.push(parse_line(index + 1, &line));
            if answers.len() == CHUNK_LINES {
                break;
            }
        }
        if answers.is_empty() {
            return Ok(());
        }
        let texts: Vec<&str> = answers
            .iter()
            .filter_map(|a| a.as_ref().ok().map(|t| t.text.as_str()))
            .collect();
        let mut vectors = embed_sorted(encoder, &texts, max_batch)?.into_iter();
        for answer in answers {
            let value = match answer {
                Ok(line) => json!({ "id": line.id, "vector": vectors.next() }),
                Err(error) => error,
            };
            write_line(&mut out, &value)?;
        }
        out.flush()?;
    }
}

#[derive(Deserialize)]
struct SkillsLine {
    id: Value,
    text: String,
    #[serde(default)]
    kind: Option<TextKind>,
}

#[derive(Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
enum TextKind {
    Cv,
    Job,
}

/// `skills`: `{"id","text","kind"?}` → `{"id","skills":[…]}`. With name vectors in `finder`
/// (and so an `encoder`), phrases are matched by similarity too.
pub fn skills(
    finder: &SkillFinder,
    encoder: Option<&SentenceEncoder>,
    max_batch: usize,
    current_year: i32,
    input: impl BufRead,
    out: impl Write,
) -> Result<(), BatchError> {
    each_line(input, out, |number, line| {
        Ok(match parse_line::<SkillsLine>(number, line) {
            Ok(item) => {
                let cv_year = (item.kind == Some(TextKind::Cv)).then_some(current_year);
                let phrases = finder.phrases(&item.text);
                let vectors = match encoder {
                    Some(encoder) if !phrases.is_empty() => {
                        let texts: Vec<&str> =
                            phrases.iter().map(|p| &item.text[p.start..p.end]).collect();
                        embed_sorted(encoder, &texts, max_batch)?
                    }
                    _ => Vec::new(),
                };
                let found = finder.extract(&item.text, cv_year, &phrases, &vectors);
                json!({ "id": item.id, "skills": found })
            }
            Err(error) => error,
        })
    })
}

#[derive(Deserialize)]
struct RankLine {
    job: JobSpec,
    candidates: Vec<RankCandidate>,
}

#[derive(Deserialize)]
struct RankCandidate {
    #[serde(default)]
    id: Value,
    #[serde(flatten)]
    profile: CandidateProfile,
}

/// `rank`: `{"job":{…},"candidates":[{"id",…}]}` → `{"ranked":[{"id","score",…explanation}]}`,
/// best first.
pub fn rank(
    encoder: &SentenceEncoder,
    finder: &SkillFinder,
    max_batch: usize,
    current_year: i32,
    input: impl BufRead,
    out: impl Write,
) -> Result<(), BatchError> {
    each_line(input, out, |number, line| {
        Ok(match serde_json::from_str::<RankLine>(line) {
            Ok(item) => {
                let ids: Vec<Value> = item.candidates.iter().map(|c| c.id.clone()).collect();
                let plan = RankPlan::new(
                    finder.clone(),
                    item.job,
                    item.candidates.into_iter().map(|c| c.profile).collect(),
                );
                let texts: Vec<&str> = plan.texts.iter().map(String::as_str).collect();
                let vectors = embed_sorted(encoder, &texts, max_batch)?;
                let ranked: Vec<Value> = plan
                    .finish(vectors, DEFAULT_WEIGHTS, current_year)
                    .ranked
                    .into_iter()
                    .map(|ranked| {
                        let mut entry = json!({ "id": ids[ranked.index] });
                        if let (Some(entry), Ok(Value::Object(parts))) = (
                            entry.as_object_mut(),
                            serde_json::to_value(ranked.explanation),
                        ) {
                            entry.extend(parts);
                        }
                        entry
                    })
                    .collect();
                json!({ "ranked": ranked })
            }
            Err(e) => json!({
                "line": number,
                "error": format!("expected {{\"job\":{{\"text\",…}},\"candidates\":[{{\"id\",\"text\",…}}]}}: {e}")
            }),
        })
    })
}

/// `occupations`: `{"id","text"}` (a job title) → `{"id","occupations":[{"uri","label","score"}]}`.
pub fn occupations(
    encoder: &SentenceEncoder,
    occupations: &Occupations,
    max_batch: usize,
    input: impl BufRead,
    out: impl Write,
) -> Result<(), BatchError> {
    each_line(input, out, |number, line| {
        Ok(match parse_line::<TextLine>(number, line) {
            Ok(item) => {
                let title = normalise_title(&item.text);
                let vector = embed_sorted(encoder, &[title.as_str()], max_batch)?
                    .pop()
                    .unwrap_or_default();
                json!({ "id": item.id, "occupations": occupations.closest(&item.text, &vector, 10) })
            }
            Err(error) => error,
        })
    })
}

/// Why a batch stopped (input lines with errors do not stop it).
#[derive(Debug, thiserror::Error)]
pub enum BatchError {
    #[error("reading or writing: {0}")]
    Io(#[from] std::io::Error),
    #[error(transparent)]
    Model(#[from] ModelError),
    #[error(transparent)]
    Catalog(#[from] crate::matching::catalog::CatalogError),
}
