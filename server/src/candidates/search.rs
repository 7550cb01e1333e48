//! The candidate list and search: newest first when nothing is typed; with a search, names and
//! e-mail addresses that contain it first, then the hybrid search (keywords and meaning) over
//! names and CVs. Filters (skill, tag, source, stage) narrow both, and every hit says why it
//! was found, quoting the CV where it can.

use super::{
    skills, Candidates, Scope, SummaryRow, DOCUMENT_KIND, MAX_QUERY_CHARS, SUMMARY_COLUMNS,
};
use crate::{
    jobs::like_pattern,
    matching::{
        score::sentence_around,
        search::terms,
        store::{FoundDocument, StoreError},
        EmbedError,
    },
    platform::{
        db::{Backend, Conditions, Param},
        error::OrInternal,
    },
};
use app::{candidates::api::Candidates as ListCandidates, error::ApiError, seam::OrgCaller};
use shared::candidates::{
    tag_key, CandidatePage, CandidateSkill, HitReason, Quote, Source, CANDIDATES_PER_PAGE,
    MAX_TAG_CHARS,
};
use std::collections::{HashMap, HashSet};

/// Longest quote from a CV in a reason, in bytes (cut at characters).
const MAX_QUOTE_BYTES: usize = 240;
/// Reasons shown per hit.
const MAX_REASONS: usize = 3;
/// Skills offered in the skill filter.
const SKILL_OPTIONS: i64 = 300;
/// A search is checked against at most this many names and addresses (the newest).
const MAX_NAME_MATCHES: i64 = 500;
/// The last page a search or list shows (1,000 candidates at 25 a page): nobody reads further,
/// and a page number from the address must not size anything.
const MAX_PAGE: usize = 40;

/// Why one hit was found: a name or address match, or the hybrid search's parts.
#[derive(Clone, Copy)]
enum Found {
    Name,
    Email,
    Search { keyword: f64, semantic: f64 },
    Listed,
}

struct Filters {
    skill: String,
    tag: String,
    source: Option<Source>,
    stage: String,
}

impl Filters {
    fn is_empty(&self) -> bool {
        self.skill.is_empty()
            && self.tag.is_empty()
            && self.source.is_none()
            && self.stage.is_empty()
    }
}

fn checked(input: &ListCandidates) -> Result<Filters, ApiError> {
    let long = |field: &str, value: &str, max: usize| {
        (value.chars().count() > max)
            .then(|| ApiError::field(field, format!("Search with at most {max} characters.")))
    };
    for (field, value, max) in [
        ("query", input.query.trim(), MAX_QUERY_CHARS),
        ("skill", input.skill.trim(), 100),
        ("tag", input.tag.trim(), MAX_TAG_CHARS),
        ("stage", input.stage.trim(), 100),
    ] {
        if let Some(error) = long(field, value, max) {
            return Err(error);
        }
    }
    let source = match input.source.trim() {
        "" => None,
        raw => Some(
            Source::parse(raw)
                .ok_or_else(|| ApiError::field("source", "Choose a source from the list."))?,
        ),
    };
    Ok(Filters {
        skill: input.skill.trim().to_owned(),
        tag: input.tag.trim().to_owned(),
        source,
        stage: input.stage.trim().to_owned(),
    })
}

/// The conditions on candidate `c` for the caller's scope and the filters.
fn conditions(org_id: i64, scope: &Scope, filters: &Filters) -> Conditions {
    let mut conditions = Conditions::default();
    conditions.push(|n| format!("c.org_id = ${n}"), vec![Param::Int(org_id)]);
    if let Scope::Team(user_id) = scope {
        conditions.push(|n| scope.condition(n), vec![Param::Int(*user_id)]);
    }
    if !filters.tag.is_empty() {
        conditions.push(
            |n| {
                format!(
                    "EXISTS (SELECT 1 FROM candidate_tags ct WHERE ct.candidate_id = c.id \
                     AND ct.tag_key = ${n})"
                )
            },
            vec![Param::Text(tag_key(&filters.tag))],
        );
    }
    if !filters.skill.is_empty() {
        conditions.push(
            |n| {
                format!(
                    "EXISTS (SELECT 1 FROM candidate_skills cs WHERE cs.candidate_id = c.id \
                     AND cs.label_key = ${n})"
                )
            },
            vec![Param::Text(filters.skill.to_lowercase())],
        );
    }
    if let Some(source) = filters.source {
        conditions.push(
            |n| format!("c.source = ${n}"),
            vec![Param::Text(source.as_str().to_owned())],
        );
    }
    if !filters.stage.is_empty() {
        // An active application at that stage, on a job the caller may see.
        let mut params = vec![Param::Text(filters.stage.to_lowercase())];
        if let Scope::Team(user_id) = scope {
            params.push(Param::Int(*user_id));
        }
        conditions.push(
            |n| {
                let team = match scope {
                    Scope::All => String::new(),
                    Scope::Team(_) => format!(
                        " AND EXISTS (SELECT 1 FROM job_team st WHERE st.job_id = sa.job_id \
                         AND st.user_id = ${})",
                        n + 1
                    ),
                };
                format!(
                    "EXISTS (SELECT 1 FROM applications sa JOIN job_stages ss ON ss.id = sa.stage_id \
                     WHERE sa.candidate_id = c.id AND sa.outcome = 'active' \
                     AND LOWER(ss.name) = ${n}{team})"
                )
            },
            params,
        );
    }
    conditions
}

fn embed_error(error: StoreError) -> ApiError {
    match error {
        StoreError::Embedding(EmbedError::Busy) => ApiError::Busy,
        other => {
            tracing::error!(error = %other, "searching candidates");
            ApiError::Internal
        }
    }
}

pub(super) async fn run(
    candidates: &Candidates,
    caller: &OrgCaller,
    input: ListCandidates,
) -> Result<CandidatePage, ApiError> {
    let started = std::time::Instant::now();
    let mut phases = Vec::new();
    let scope = Scope::of(caller)?;
    let filters = checked(&input)?;
    let org_id = caller.org_id();
    let db = &candidates.db;
    let conditions = conditions(org_id, &scope, &filters);
    let text = input.query.trim().to_owned();
    let per_page = CANDIDATES_PER_PAGE as usize;
    let wanted = (input.page.max(1) as usize).min(MAX_PAGE);

    // The hits in order for the page, each with how it was found; and how many in all.
    let (mut hits, total, page) = if text.is_empty() {
        let count_sql = format!(
            "SELECT COUNT(*) FROM candidates c WHERE {}",
            conditions.sql()
        );
        let total = conditions
            .bind_scalar(sqlx::query_scalar::<_, i64>(&count_sql))
            .fetch_one(&db.pool)
            .await
            .or_internal("counting candidates")?
            .max(0) as usize;
        let page = wanted.min(total.div_ceil(per_page).clamp(1, MAX_PAGE));
        let n = conditions.next();
        let sql = format!(
            "SELECT c.id FROM candidates c WHERE {} ORDER BY c.created_at DESC, c.id DESC \
             LIMIT ${n} OFFSET ${}",
            conditions.sql(),
            n + 1
        );
        let ids: Vec<i64> = conditions
            .bind_scalar(sqlx::query_scalar(&sql))
            .bind(per_page as i64)
            .bind(((page - 1) * per_page) as i64)
            .fetch_all(&db.pool)
            .await
            .or_internal("listing candidates")?;
        let hits = ids.into_iter().map(|id| (id, Found::Listed)).collect();
        (hits, total, page)
    } else {
        // Names and addresses first (the newest, if very many share the words); then the rest,
        // by the hybrid search, among those the filters and the scope let through (all of the
        // organisation's candidates when nothing narrows them). Both are read while the model
        // embeds the query.
        let n = conditions.next();
        // The pattern is in lower case. SQLite's LIKE ignores ASCII case already and its LOWER
        // folds nothing more, so there LOWER would only cost (a new string per row: two thirds
        // of this query's time at 100,000 candidates); PostgreSQL's LIKE needs it.
        let (name, email) = match db.backend {
            Backend::Sqlite => ("c.name", "c.email"),
            Backend::Postgres => ("LOWER(c.name)", "LOWER(c.email)"),
        };
        // On SQLite, a search of three characters or more reads the names and addresses that
        // contain it from their trigram index (`candidate_names`, newest first by id), where
        // matching every name took 15 ms at 100,000; the LIKE keeps the meaning exact.
        let trigrams = db.backend == Backend::Sqlite && text.chars().count() >= 3;
        let (from, matching, newest) = if trigrams {
            (
                "candidate_names f CROSS JOIN candidates c ON c.id = f.rowid",
                format!("candidate_names MATCH ${} AND ", n + 2),
                "f.rowid DESC",
            )
        } else {
            (
                "candidates c",
                String::new(),
                "c.created_at DESC, c.id DESC",
            )
        };
        let names_sql = format!(
            "SELECT c.id, CASE WHEN {name} LIKE ${n} ESCAPE '\\' THEN 1 ELSE 0 END \
             FROM {from} WHERE {matching}{} \
             AND ({name} LIKE ${n} ESCAPE '\\' OR {email} LIKE ${n} ESCAPE '\\') \
             ORDER BY {newest} LIMIT ${}",
            conditions.sql(),
            n + 1
        );
        let names = async {
            let query = conditions
                .bind_as(sqlx::query_as::<_, (i64, i64)>(&names_sql))
                .bind(like_pattern(&text))
                .bind(MAX_NAME_MATCHES);
            let query = if trigrams {
                // One FTS5 phrase: the text as it is, its quotes doubled.
                query.bind(format!("\"{}\"", text.replace('"', "\"\"")))
            } else {
                query
            };
            query
                .fetch_all(&db.pool)
                .await
                .or_internal("searching names")
        };
        let allowed = async {
            if matches!(scope, Scope::All) && filters.is_empty() {
                return Ok(None);
            }
            let sql = format!("SELECT c.id FROM candidates c WHERE {}", conditions.sql());
            let ids: Vec<i64> = conditions
                .bind_scalar(sqlx::query_scalar(&sql))
                .fetch_all(&db.pool)
                .await
                .or_internal("filtering candidates")?;
            Ok(Some(ids.into_iter().collect::<HashSet<i64>>()))
        };
        let embedded = async {
            candidates
                .documents
                .embed_query(&text)
                .await
                .map_err(embed_error)
        };
        let (named, allowed, vector) = tokio::try_join!(names, allowed, embedded)?;
        phases.push(("names and embedding", started.elapsed()));
        let named_ids: HashSet<i64> = named.iter().map(|(id, _)| *id).collect();
        let (named_ids, allowed) = (std::sync::Arc::new(named_ids), std::sync::Arc::new(allowed));
        let keep = move |key: &crate::matching::index::EntityKey| {
            key.kind == DOCUMENT_KIND
                && !named_ids.contains(&key.id)
                && allowed
                    .as_ref()
                    .as_ref()
                    .is_none_or(|ids| ids.contains(&key.id))
        };
        let mut page = wanted;
        loop {
            let start = (page - 1) * per_page;
            let (offset, limit) = if start < named.len() {
                (0, (start + per_page).saturating_sub(named.len()))
            } else {
                (start - named.len(), per_page)
            };
            let found = candidates
                .documents
                .search_by(
                    org_id,
                    &text,
                    vector.clone(),
                    keep.clone(),
                    offset,
                    limit.max(1),
                )
                .await
                .map_err(embed_error)?;
            let total = named.len() + found.total;
            let last = total.div_ceil(per_page).clamp(1, MAX_PAGE);
            if page > last {
                // Past the end (the results changed, or a page typed into the address).
                page = last;
                continue;
            }
            let mut hits: Vec<(i64, Found)> = named
                .iter()
                .skip(start)
                .take(per_page)
                .map(|&(id, by_name)| {
                    let how = if by_name == 1 {
                        Found::Name
                    } else {
                        Found::Email
                    };
                    (id, how)
                })
                .collect();
            let room = per_page - hits.len();
            hits.extend(found.hits.into_iter().take(room).map(
                |FoundDocument {
                     key,
                     keyword,
                     semantic,
                     ..
                 }| (key.id, Found::Search { keyword, semantic }),
            ));
            break (hits, total, page);
        }
    };

    phases.push(("search", started.elapsed()));
    // What the page shows of its candidates, read side by side.
    let ids: Vec<i64> = hits.iter().map(|(id, _)| *id).collect();
    let cvs = async {
        if text.is_empty() {
            Ok(HashMap::new())
        } else {
            cv_texts(candidates, org_id, &ids).await
        }
    };
    let (rows, briefs, tags, found_skills, cv_texts, stage_options) = tokio::try_join!(
        rows_of(candidates, org_id, &ids),
        candidates.applications(org_id, &scope, &ids),
        candidates.tags_of(org_id, &ids),
        skills::of(db, org_id, &ids),
        cvs,
        stage_names(candidates, org_id, &scope),
    )?;
    phases.push(("page reads", started.elapsed()));
    let words = terms(&text);
    let mut listed = Vec::with_capacity(hits.len());
    for (id, found) in hits.drain(..) {
        // A candidate merged away between the search and this read is left out.
        let Some(row) = rows.get(&id) else { continue };
        let their_skills: Vec<&CandidateSkill> = found_skills
            .iter()
            .filter(|(c, _)| *c == id)
            .map(|(_, s)| s)
            .collect();
        let cv = cv_texts.get(&id).map_or("", String::as_str);
        let mut summary = Candidates::summary(row.clone(), &briefs, &tags)?;
        summary.reasons = reasons(&text, &words, &filters, found, &their_skills, cv);
        listed.push(summary);
    }
    // The options come from the candidates and jobs the caller may see.
    let mut seen = Conditions::default();
    seen.push(|n| format!("c.org_id = ${n}"), vec![Param::Int(org_id)]);
    if let Scope::Team(user_id) = scope {
        seen.push(|n| scope.condition(n), vec![Param::Int(user_id)]);
    }
    let skill_options = candidates
        .skill_options
        .get(org_id, &scope, || async {
            match scope {
                Scope::All => skills::common_in_org(db, org_id, SKILL_OPTIONS).await,
                Scope::Team(_) => skills::common(db, &seen, SKILL_OPTIONS).await,
            }
        })
        .await?;
    phases.push(("reasons and options", started.elapsed()));
    // Where a search's time goes: RUST_LOG=talentloom_server::candidates=debug.
    tracing::debug!(query = %text, ?phases, "candidate search");
    Ok(CandidatePage {
        candidates: listed,
        total: total as u64,
        page: page as u32,
        pages: total.div_ceil(per_page).clamp(1, MAX_PAGE) as u32,
        skill_options,
        stage_options,
        can_manage: caller.role().can(shared::Permission::ManageCandidates),
    })
}

pub(super) async fn rows_of(
    candidates: &Candidates,
    org_id: i64,
    ids: &[i64],
) -> Result<HashMap<i64, SummaryRow>, ApiError> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let placeholders: Vec<String> = (0..ids.len()).map(|i| format!("${}", i + 2)).collect();
    // `org_id + 0`: by the candidates' key (SQLite, without statistics, took the organisation's
    // index and read all of its candidates: 11 ms at 100,000 for a page of 20).
    let sql = format!(
        "SELECT {SUMMARY_COLUMNS} FROM candidates c WHERE c.id IN ({}) AND c.org_id + 0 = $1",
        placeholders.join(", ")
    );
    let mut query = sqlx::query_as::<_, SummaryRow>(&sql).bind(org_id);
    for id in ids {
        query = query.bind(*id);
    }
    let rows = query
        .fetch_all(&candidates.db.pool)
        .await
        .or_internal("reading candidates")?;
    Ok(rows.into_iter().map(|row| (row.id, row)).collect())
}

async fn cv_texts(
    candidates: &Candidates,
    org_id: i64,
    ids: &[i64],
) -> Result<HashMap<i64, String>, ApiError> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let placeholders: Vec<String> = (0..ids.len()).map(|i| format!("${}", i + 2)).collect();
    // `org_id + 0`: by the candidates' key, as in `rows_of`.
    let sql = format!(
        "SELECT id, cv_text FROM candidates WHERE id IN ({}) AND org_id + 0 = $1",
        placeholders.join(", ")
    );
    let mut query = sqlx::query_as::<_, (i64, String)>(&sql).bind(org_id);
    for id in ids {
        query = query.bind(*id);
    }
    Ok(query
        .fetch_all(&candidates.db.pool)
        .await
        .or_internal("reading CVs")?
        .into_iter()
        .collect())
}

/// The stage names of the jobs the caller may see, in board order (the first job's order where
/// jobs differ).
async fn stage_names(
    candidates: &Candidates,
    org_id: i64,
    scope: &Scope,
) -> Result<Vec<String>, ApiError> {
    let team = match scope {
        Scope::All => "",
        Scope::Team(_) => " AND job_id IN (SELECT job_id FROM job_team WHERE user_id = $2)",
    };
    let sql = format!(
        "SELECT MIN(name) FROM job_stages WHERE org_id = $1{team} GROUP BY LOWER(name) \
         ORDER BY MIN(position), MIN(name)"
    );
    let mut query = sqlx::query_scalar(&sql).bind(org_id);
    if let Scope::Team(user_id) = scope {
        query = query.bind(*user_id);
    }
    query
        .fetch_all(&candidates.db.pool)
        .await
        .or_internal("listing stages")
}

/// Why a candidate is on the page, best reason first.
fn reasons(
    text: &str,
    words: &[String],
    filters: &Filters,
    found: Found,
    skills: &[&CandidateSkill],
    cv: &str,
) -> Vec<HitReason> {
    let mut out = Vec::new();
    match found {
        Found::Name => out.push(HitReason {
            text: format!("Name matches “{text}”"),
            quote: None,
        }),
        Found::Email => out.push(HitReason {
            text: format!("E-mail address matches “{text}”"),
            quote: None,
        }),
        Found::Listed | Found::Search { .. } => {}
    }
    // Skills named by the search or the filter, with the sentence that shows each.
    let query = words_of(text);
    let filter = filters.skill.to_lowercase();
    for skill in skills {
        let label = words_of(&skill.label);
        let named = (!filter.is_empty() && skill.label.to_lowercase() == filter)
            || (!label.trim().is_empty() && query.contains(&label));
        if named {
            out.push(HitReason {
                text: format!("Skill: {}", skill.describe()),
                quote: skill.evidence.clone(),
            });
        }
    }
    if let Found::Search { keyword, semantic } = found {
        let said: Vec<(&String, [usize; 2])> = words
            .iter()
            .filter_map(|w| word_in(cv, w).map(|at| (w, at)))
            .collect();
        if keyword > 0.0 && !said.is_empty() {
            let listed: Vec<String> = said.iter().map(|(w, _)| format!("“{w}”")).collect();
            out.push(HitReason {
                text: format!("The CV says {}", listed.join(", ")),
                quote: Some(quote(cv, said[0].1)),
            });
        }
        if semantic >= 0.3 {
            let closeness = if semantic >= 0.6 {
                "very close"
            } else if semantic >= 0.45 {
                "close"
            } else {
                "somewhat close"
            };
            out.push(HitReason {
                text: format!(
                    "The CV is {closeness} in meaning to “{text}” (similarity {semantic:.2})"
                ),
                quote: None,
            });
        }
        if out.is_empty() {
            out.push(HitReason {
                text: format!("Found by words of “{text}” in the name or links"),
                quote: None,
            });
        }
    }
    out.truncate(MAX_REASONS);
    out
}

/// The words of `text` in lower case, each between single spaces (" rust on postgresql "), so
/// that a phrase is found whole: " go " is not in " good ".
fn words_of(text: &str) -> String {
    let mut out = String::from(" ");
    for word in text
        .split(|c: char| !(c.is_alphanumeric() || c == '+' || c == '#'))
        .filter(|w| !w.is_empty())
    {
        out.push_str(&word.to_lowercase());
        out.push(' ');
    }
    out
}

/// Where `word` (lower case) first stands as a whole word in `text`.
fn word_in(text: &str, word: &str) -> Option<[usize; 2]> {
    let is_word = |c: char| c.is_alphanumeric() || c == '+' || c == '#';
    let mut start = None;
    for (i, c) in text
        .char_indices()
        .chain(std::iter::once((text.len(), ' ')))
    {
        match (is_word(c), start) {
            (true, None) => start = Some(i),
            (false, Some(from)) => {
                if text[from..i].to_lowercase() == word {
                    return Some([from, i]);
                }
                start = None;
            }
            _ => {}
        }
    }
    None
}

/// The sentence of `text` around `span`, at most [`MAX_QUOTE_BYTES`] long, with `span` marked.
fn quote(text: &str, span: [usize; 2]) -> Quote {
    let (mut from, mut to) = sentence_around(text, span[0]);
    to = to.max(span[1]);
    let (sentence_from, sentence_to) = (from, to);
    if to - from > MAX_QUOTE_BYTES {
        // Keep the marked words, with as much before as after them.
        let room = MAX_QUOTE_BYTES.saturating_sub(span[1] - span[0]) / 2;
        from = span[0].saturating_sub(room).max(from);
        while !text.is_char_boundary(from) {
            from += 1;
        }
        to = (span[1] + room).min(to);
        while !text.is_char_boundary(to) {
            to -= 1;
        }
    }
    // "…" where the sentence was cut.
    let mut snippet = String::new();
    if from > sentence_from {
        snippet.push('…');
    }
    let before = snippet.len();
    snippet.push_str(&text[from..to]);
    if to < sentence_to {
        snippet.push('…');
    }
    Quote {
        snippet,
        mark: [span[0] - from + before, span[1].min(to) - from + before],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_found_whole_and_quoted_with_their_sentence() {
        let cv = "Nurse at St Mary's. Ran the ICU rota for 40 nurses. Likes C++ and rotas.";
        let found = |word: &str| word_in(cv, word).map(|[a, b]| (a, &cv[a..b]));
        assert_eq!(found("rota"), Some((cv.find("rota ").unwrap_or(0), "rota")));
        assert_eq!(found("c++").map(|(_, w)| w), Some("C++"));
        assert_eq!(found("icu").map(|(_, w)| w), Some("ICU"));
        assert_eq!(found("rotas").map(|(_, w)| w), Some("rotas"));
        assert_eq!(word_in(cv, "surgeon"), None);
        assert!(words_of("Rust on PostgreSQL!").contains(&words_of("postgresql")));
        assert!(!words_of("a good fit").contains(&words_of("Go")));
        assert!(words_of("patient safety, ICU").contains(&words_of("Patient Safety")));
        let q = quote(cv, word_in(cv, "rota").unwrap_or_default());
        assert_eq!(q.snippet, "Ran the ICU rota for 40 nurses.");
        assert_eq!(&q.snippet[q.mark[0]..q.mark[1]], "rota");
    }

    #[test]
    fn long_lines_are_cut_around_the_marked_words() {
        let cv = format!("{} kanban {}", "word ".repeat(100), "more ".repeat(100));
        let at = word_in(&cv, "kanban").unwrap_or_default();
        let q = quote(&cv, at);
        assert!(q.snippet.len() <= MAX_QUOTE_BYTES + 2 * '…'.len_utf8());
        assert!(q.snippet.starts_with('…') && q.snippet.ends_with('…'));
        assert_eq!(&q.snippet[q.mark[0]..q.mark[1]], "kanban");
    }
}
