//! Skill catalogs: Talentloom's own starter catalog (compiled in), and imports of the official
//! ESCO and O*NET files. A catalog is a list of skills with the names they go by; `skills.rs`
//! finds them in text.

use std::{collections::HashMap, path::Path};

/// Shown wherever ESCO data appears (Commission Decision 2011/833/EU).
pub const ESCO_ATTRIBUTION: &str =
    "This service uses the ESCO classification of the European Commission.";
/// Shown wherever O*NET data appears (CC BY 4.0).
pub const ONET_ATTRIBUTION: &str = "This includes information from the O*NET Database by the U.S. \
Department of Labor, Employment and Training Administration (USDOL/ETA). Used under the CC BY 4.0 \
license. O*NET® is a trademark of USDOL/ETA.";

/// The built-in catalog, one file per area: `label | alias | …`, `~` marking names that are
/// also everyday words or single letters.
const BUILTIN: [(&str, &str); 6] = [
    ("Software engineering", include_str!("catalog/software.txt")),
    ("Data and AI", include_str!("catalog/data.txt")),
    (
        "Design, product and content",
        include_str!("catalog/design.txt"),
    ),
    (
        "Business, finance and people management",
        include_str!("catalog/business.txt"),
    ),
    (
        "Healthcare, education, operations and trades",
        include_str!("catalog/care_ops.txt"),
    ),
    (
        "Languages and interpersonal skills",
        include_str!("catalog/people.txt"),
    ),
];

/// One skill and every name it goes by.
#[derive(Clone, Debug)]
pub struct Skill {
    pub label: String,
    /// The taxonomy's identifier (ESCO concept URI); none for built-in skills.
    pub uri: Option<String>,
    pub category: String,
    pub names: Vec<Name>,
}

/// A name of a skill as it may appear in text.
#[derive(Clone, Debug)]
pub struct Name {
    pub text: String,
    /// Also an everyday word or a single letter ("Go", "R", "Excel"): it counts only with its
    /// exact capitalisation and with technical context nearby.
    pub ambiguous: bool,
}

/// Where a catalog came from, for attribution.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    Builtin,
    Esco,
    Onet,
}

impl Source {
    pub fn attribution(self) -> Option<&'static str> {
        match self {
            Self::Builtin => None,
            Self::Esco => Some(ESCO_ATTRIBUTION),
            Self::Onet => Some(ONET_ATTRIBUTION),
        }
    }
}

/// Why a catalog could not be read; says which file and line.
#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    #[error("cannot read {path}: {reason}")]
    Read { path: String, reason: String },
    #[error("{path}: column {column} is missing (is this the official English CSV export?)")]
    Column { path: String, column: &'static str },
}

/// A set of skills.
#[derive(Clone, Debug)]
pub struct Catalog {
    pub source: Source,
    pub skills: Vec<Skill>,
}

impl Catalog {
    /// Talentloom's own curated starter catalog.
    pub fn builtin() -> Self {
        let mut skills = Vec::new();
        for (category, text) in BUILTIN {
            for line in text.lines().map(str::trim) {
                if line.is_empty() || line.starts_with('#') {
                    continue;
                }
                let names: Vec<Name> = line
                    .split('|')
                    .map(str::trim)
                    .filter(|n| !n.is_empty())
                    .map(|n| match n.strip_prefix('~') {
                        Some(text) => Name {
                            text: text.to_owned(),
                            ambiguous: true,
                        },
                        None => Name {
                            text: n.to_owned(),
                            ambiguous: false,
                        },
                    })
                    .collect();
                if let Some(first) = names.first() {
                    skills.push(Skill {
                        label: first.text.clone(),
                        uri: None,
                        category: category.to_owned(),
                        names,
                    });
                }
            }
        }
        Self {
            source: Source::Builtin,
            skills,
        }
    }

    /// The skills of an ESCO CSV export (`skills_en.csv` in `dir`): preferred label and
    /// alternative labels, skill type as the category.
    pub fn esco(dir: &Path) -> Result<Self, CatalogError> {
        let path = dir.join("skills_en.csv");
        let mut skills = Vec::new();
        for_each_record(
            &path,
            &["conceptUri", "preferredLabel", "altLabels", "skillType"],
            |f| {
                let label = f[1].trim();
                if label.is_empty() {
                    return;
                }
                let mut names = vec![esco_name(label)];
                names.extend(
                    f[2].lines()
                        .map(str::trim)
                        .filter(|n| !n.is_empty() && *n != label)
                        .map(esco_name),
                );
                skills.push(Skill {
                    label: label.to_owned(),
                    uri: Some(f[0].to_owned()),
                    category: if f[3].is_empty() {
                        "ESCO".into()
                    } else {
                        format!("ESCO {}", f[3])
                    },
                    names,
                });
            },
        )?;
        Ok(Self {
            source: Source::Esco,
            skills,
        })
    }

    /// The technologies named in O*NET's `technology_skills.csv` (one skill per distinct
    /// example, its commodity title as the category).
    pub fn onet_technology(path: &Path) -> Result<Self, CatalogError> {
        let mut seen: HashMap<String, usize> = HashMap::new();
        let mut skills = Vec::new();
        for_each_record(path, &["Example", "Commodity Title"], |f| {
            let label = f[0].trim();
            if label.is_empty() || seen.contains_key(&label.to_lowercase()) {
                return;
            }
            seen.insert(label.to_lowercase(), skills.len());
            skills.push(Skill {
                label: label.to_owned(),
                uri: None,
                category: format!("O*NET {}", f[1].trim()),
                names: vec![esco_name(label)],
            });
        })?;
        Ok(Self {
            source: Source::Onet,
            skills,
        })
    }
}

/// Taxonomy labels are lower-case phrases; one- and two-letter ones are too easily mistaken.
fn esco_name(text: &str) -> Name {
    Name {
        text: text.to_owned(),
        ambiguous: text.chars().filter(|c| c.is_alphanumeric()).count() <= 2,
    }
}

/// Reads a CSV file with a header, handing the named columns of each record to `each`.
pub(crate) fn for_each_record(
    path: &Path,
    columns: &[&'static str],
    mut each: impl FnMut(&[&str]),
) -> Result<(), CatalogError> {
    let read_err = |reason: String| CatalogError::Read {
        path: path.display().to_string(),
        reason,
    };
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_path(path)
        .map_err(|e| read_err(e.to_string()))?;
    let headers = reader
        .headers()
        .map_err(|e| read_err(e.to_string()))?
        .clone();
    let positions: Vec<usize> = columns
        .iter()
        .map(|&column| {
            headers
                .iter()
                // O*NET's mirror starts with a byte-order mark.
                .position(|h| h.trim_start_matches('\u{feff}') == column)
                .ok_or(CatalogError::Column {
                    path: path.display().to_string(),
                    column,
                })
        })
        .collect::<Result<_, _>>()?;
    for record in reader.records() {
        let record = record.map_err(|e| read_err(e.to_string()))?;
        let fields: Vec<&str> = positions
            .iter()
            .map(|&i| record.get(i).unwrap_or(""))
            .collect();
        each(&fields);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_builtin_catalog_is_large_and_well_formed() {
        let catalog = Catalog::builtin();
        assert!(
            catalog.skills.len() >= 1400,
            "{} skills",
            catalog.skills.len()
        );
        let mut labels = std::collections::HashSet::new();
        for skill in &catalog.skills {
            assert!(
                labels.insert(skill.label.to_lowercase()),
                "{} twice",
                skill.label
            );
        }
        let go = catalog.skills.iter().find(|s| s.label == "Go").expect("Go");
        assert!(go.names[0].ambiguous && !go.names[1].ambiguous);
        assert_eq!(go.category, "Software engineering");
    }
}
