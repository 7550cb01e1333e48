//! The ESCO taxonomy: read from the official CSV export and stored in the product's database.
//!
//! `server import-esco DIR` reads `occupations_en.csv`, `skills_en.csv` and
//! `occupationSkillRelations.csv`, checks them, and replaces the stored taxonomy in one
//! transaction, so a failed import leaves the previous one whole. The server reads it back at
//! start-up to suggest occupations. Wherever this data is shown, [`ESCO_ATTRIBUTION`] is shown.

use super::catalog::{for_each_record, CatalogError};
use crate::db::{now, Db};
use serde::Serialize;
use std::{
    collections::{HashMap, HashSet},
    path::Path,
};

pub use super::catalog::ESCO_ATTRIBUTION;

/// An occupation or a skill.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Concept {
    pub uri: String,
    pub label: String,
    pub alt_labels: Vec<String>,
    /// The ESCO code of an occupation ("2512.4"), the type of a skill ("knowledge").
    pub code: String,
    pub description: String,
}

/// That an occupation needs a skill (essential) or often uses it (optional).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Relation {
    pub occupation: String,
    pub skill: String,
    pub essential: bool,
}

/// A whole taxonomy, as read from the CSV files or from the database.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Taxonomy {
    pub occupations: Vec<Concept>,
    pub skills: Vec<Concept>,
    pub relations: Vec<Relation>,
}

/// What an import stored.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct ImportReport {
    pub occupations: usize,
    pub skills: usize,
    pub relations: usize,
    /// Relations naming an occupation or skill the files do not contain.
    pub skipped_relations: usize,
}

fn concept(f: &[&str]) -> Option<Concept> {
    let label = f[1].trim();
    if f[0].trim().is_empty() || label.is_empty() {
        return None;
    }
    Some(Concept {
        uri: f[0].trim().to_owned(),
        label: label.to_owned(),
        alt_labels: f[2]
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && *l != label)
            .map(str::to_owned)
            .collect(),
        code: f[3].trim().to_owned(),
        description: f[4].trim().to_owned(),
    })
}

impl Taxonomy {
    /// Reads the three CSV files of an ESCO export (English). Rows without a URI or label are
    /// left out; a relation is kept once per occupation and skill, essential winning.
    pub fn read_csv(dir: &Path) -> Result<Self, CatalogError> {
        let mut taxonomy = Self::default();
        for_each_record(
            &dir.join("occupations_en.csv"),
            &[
                "conceptUri",
                "preferredLabel",
                "altLabels",
                "code",
                "description",
            ],
            |f| taxonomy.occupations.extend(concept(f)),
        )?;
        for_each_record(
            &dir.join("skills_en.csv"),
            &[
                "conceptUri",
                "preferredLabel",
                "altLabels",
                "skillType",
                "description",
            ],
            |f| taxonomy.skills.extend(concept(f)),
        )?;
        let mut seen: HashMap<(String, String), usize> = HashMap::new();
        for_each_record(
            &dir.join("occupationSkillRelations.csv"),
            &["occupationUri", "relationType", "skillUri"],
            |f| {
                let essential = f[1].trim() == "essential";
                let pair = (f[0].trim().to_owned(), f[2].trim().to_owned());
                match seen.get(&pair) {
                    Some(&i) => taxonomy.relations[i].essential |= essential,
                    None => {
                        seen.insert(pair.clone(), taxonomy.relations.len());
                        taxonomy.relations.push(Relation {
                            occupation: pair.0,
                            skill: pair.1,
                            essential,
                        });
                    }
                }
            },
        )?;
        Ok(taxonomy)
    }
}

/// Rows per INSERT statement (well under both databases' limits on parameters).
const ROWS_PER_INSERT: usize = 400;

/// A value of one cell of a row to insert.
enum Cell<'a> {
    Text(&'a str),
    Owned(String),
    Int(i64),
}

/// Inserts `rows` into `table (columns…)`, many rows per statement.
async fn insert_rows<T>(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    table_and_columns: &str,
    columns: usize,
    rows: &[T],
    cells: impl Fn(&T) -> Vec<Cell<'_>>,
) -> Result<(), sqlx::Error> {
    for chunk in rows.chunks(ROWS_PER_INSERT) {
        let values: Vec<String> = (0..chunk.len())
            .map(|row| {
                let cells: Vec<String> = (1..=columns)
                    .map(|c| format!("${}", row * columns + c))
                    .collect();
                format!("({})", cells.join(", "))
            })
            .collect();
        let sql = format!(
            "INSERT INTO {table_and_columns} VALUES {}",
            values.join(", ")
        );
        let mut query = sqlx::query(&sql);
        for row in chunk {
            for cell in cells(row) {
                query = match cell {
                    Cell::Text(text) => query.bind(text),
                    Cell::Owned(text) => query.bind(text),
                    Cell::Int(n) => query.bind(n),
                };
            }
        }
        query.execute(&mut **tx).await?;
    }
    Ok(())
}

fn concept_cells(c: &Concept) -> Vec<Cell<'_>> {
    vec![
        Cell::Text(&c.uri),
        Cell::Text(&c.label),
        Cell::Owned(c.alt_labels.join("\n")),
        Cell::Text(&c.code),
        Cell::Text(&c.description),
    ]
}

/// Replaces the stored taxonomy with `taxonomy`, all or nothing.
pub async fn import(db: &Db, taxonomy: &Taxonomy) -> Result<ImportReport, sqlx::Error> {
    // Duplicate URIs would break the primary key; the first of each is kept.
    fn unique(concepts: &[Concept]) -> Vec<&Concept> {
        let mut seen = HashSet::new();
        concepts.iter().filter(|c| seen.insert(&c.uri)).collect()
    }
    let occupations = unique(&taxonomy.occupations);
    let skills = unique(&taxonomy.skills);
    let occupation_uris: HashSet<&str> = occupations.iter().map(|c| c.uri.as_str()).collect();
    let skill_uris: HashSet<&str> = skills.iter().map(|c| c.uri.as_str()).collect();
    let relations: Vec<&Relation> = taxonomy
        .relations
        .iter()
        .filter(|r| {
            occupation_uris.contains(r.occupation.as_str()) && skill_uris.contains(r.skill.as_str())
        })
        .collect();

    let mut tx = db.begin().await?;
    for table in ["esco_occupation_skills", "esco_skills", "esco_occupations"] {
        sqlx::query(&format!("DELETE FROM {table}"))
            .execute(&mut *tx)
            .await?;
    }
    insert_rows(
        &mut tx,
        "esco_occupations (uri, label, alt_labels, code, description)",
        5,
        &occupations,
        |c| concept_cells(c),
    )
    .await?;
    insert_rows(
        &mut tx,
        "esco_skills (uri, label, alt_labels, skill_type, description)",
        5,
        &skills,
        |c| concept_cells(c),
    )
    .await?;
    insert_rows(
        &mut tx,
        "esco_occupation_skills (occupation_uri, skill_uri, essential)",
        3,
        &relations,
        |r| {
            vec![
                Cell::Text(&r.occupation),
                Cell::Text(&r.skill),
                Cell::Int(i64::from(r.essential)),
            ]
        },
    )
    .await?;
    let report = ImportReport {
        occupations: occupations.len(),
        skills: skills.len(),
        relations: relations.len(),
        skipped_relations: taxonomy.relations.len() - relations.len(),
    };
    sqlx::query(
        "INSERT INTO taxonomy_imports (source, occupations, skills, relations, imported_at) \
         VALUES ('esco', $1, $2, $3, $4)",
    )
    .bind(report.occupations as i64)
    .bind(report.skills as i64)
    .bind(report.relations as i64)
    .bind(now())
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(report)
}

/// A stored concept; `code` is an occupation's ISCO code or a skill's type.
#[derive(sqlx::FromRow)]
struct ConceptRow {
    uri: String,
    label: String,
    alt_labels: String,
    code: String,
    description: String,
}

impl From<ConceptRow> for Concept {
    fn from(row: ConceptRow) -> Self {
        Concept {
            alt_labels: row.alt_labels.lines().map(str::to_owned).collect(),
            uri: row.uri,
            label: row.label,
            code: row.code,
            description: row.description,
        }
    }
}

/// The stored taxonomy, or `None` when none was imported.
pub async fn load(db: &Db) -> Result<Option<Taxonomy>, sqlx::Error> {
    let concepts = |sql: &'static str| async move {
        let rows: Vec<ConceptRow> = sqlx::query_as(sql).fetch_all(&db.pool).await?;
        Ok::<Vec<Concept>, sqlx::Error>(rows.into_iter().map(Concept::from).collect())
    };
    let occupations = concepts(
        "SELECT uri, label, alt_labels, code, description FROM esco_occupations ORDER BY uri",
    )
    .await?;
    if occupations.is_empty() {
        return Ok(None);
    }
    let skills = concepts(
        "SELECT uri, label, alt_labels, skill_type AS code, description FROM esco_skills \
         ORDER BY uri",
    )
    .await?;
    let relations: Vec<(String, String, i64)> = sqlx::query_as(
        "SELECT occupation_uri, skill_uri, essential FROM esco_occupation_skills \
         ORDER BY occupation_uri, essential DESC, skill_uri",
    )
    .fetch_all(&db.pool)
    .await?;
    Ok(Some(Taxonomy {
        occupations,
        skills,
        relations: relations
            .into_iter()
            .map(|(occupation, skill, essential)| Relation {
                occupation,
                skill,
                essential: essential != 0,
            })
            .collect(),
    }))
}
