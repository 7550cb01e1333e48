//! What the layout of a CV or a job ad says about the skills named in it: names inside a link,
//! an e-mail address, a contact line or an organisation's name are not skills ("github.com/ana",
//! "Ilica 42, Zagreb, Croatia · +385 …", "Cargo Route GmbH"), and a mention inside a dated
//! experience entry shows the skill in use even when its own line is a list.

use regex::Regex;
use std::sync::LazyLock;

/// URLs (a bare domain only with a path: "ASP.NET" is no link) and e-mail addresses.
static LINK: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i:https?://|www\.)\S+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+|\b[\w-]+(?:\.[\w-]+)*\.[a-z]{2,10}/\S*",
    )
    .expect("valid regex")
});
/// A telephone number: "+385 91 555 0142", "07700 900123", "(030) 1234-567".
static PHONE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:\+\d{1,3}[\s.-]?)?\(?\d{2,5}\)?[\s.-]?\d{3,4}[\s.-]?\d{3,5}")
        .expect("valid regex")
});
/// A postal code next to a place: "10000 Zagreb", "LS3 1AB", "SW1A 2AA", "20095 Hamburg".
static POSTCODE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(?:\d{4,5}\s+\p{Lu}|\p{Lu}{1,2}\d[\p{Lu}\d]?\s\d\p{Lu}{2}\b)")
        .expect("valid regex")
});

/// Words that end an organisation's name.
const COMPANY_SUFFIXES: &[&str] = &[
    "gmbh",
    "ag",
    "kg",
    "se",
    "ltd",
    "limited",
    "plc",
    "llc",
    "llp",
    "inc",
    "corp",
    "corporation",
    "co",
    "group",
    "holding",
    "holdings",
    "sa",
    "sas",
    "sarl",
    "sl",
    "spa",
    "srl",
    "bv",
    "nv",
    "ab",
    "oy",
    "asa",
    "aps",
    "pty",
];
/// The top of a CV searched for contact lines.
const CONTACT_LINES: usize = 8;

/// Where in a text no skill can be named.
#[derive(Debug, Default)]
pub struct Layout {
    blocked: Vec<[usize; 2]>,
}

impl Layout {
    /// Links and e-mail addresses anywhere, and the contact lines at the top (the lines before
    /// the first blank line or heading that hold an e-mail, a phone number, a link or a postal
    /// code).
    pub fn read(text: &str) -> Self {
        let mut blocked: Vec<[usize; 2]> =
            LINK.find_iter(text).map(|m| [m.start(), m.end()]).collect();
        blocked.extend(contact_lines(text).map(|(start, line)| [start, start + line.len()]));
        blocked.sort_unstable();
        Self { blocked }
    }

    /// Whether a name found at `span` cannot be a skill: it lies in a link or a contact line,
    /// or it starts an organisation's name ("Cargo Route GmbH", "Salesforce Inc.").
    pub fn excludes(&self, text: &str, [start, end]: [usize; 2]) -> bool {
        self.blocked.iter().any(|&[s, e]| s < end && start < e)
            || in_company_name(text, end)
            || is_employer(text, [start, end])
    }
}

/// The contact lines at the top of a CV with their start: the lines before the first blank line
/// that hold an e-mail address, a phone number, a link or a postal code.
fn contact_lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut offset = 0;
    text.split_inclusive('\n')
        .take(CONTACT_LINES)
        .map(move |line| {
            let start = offset;
            offset += line.len();
            (start, line.trim_end())
        })
        .skip_while(|(_, line)| line.trim().is_empty())
        .take_while(|(_, line)| !line.trim().is_empty())
        .filter(|(_, line)| LINK.is_match(line) || PHONE.is_match(line) || POSTCODE.is_match(line))
}

/// Where the person lives, when the contact lines say it: the place after (or, in the UK,
/// before) a postal code ("Ilica 42, 10000 Zagreb, Croatia", "Leeds LS3 1AB"), a part labelled
/// "Based in" or "Location:", or a part of the form "Place, Region" ("Stockport, Greater
/// Manchester"). A bare word is not read as a place: it may be a job title.
pub fn home(text: &str) -> Option<String> {
    let parts = contact_lines(text).flat_map(|(_, line)| {
        line.split(['·', '|', '•', ';', '\t'])
            .map(str::trim)
            .filter(|p| !p.is_empty() && !LINK.is_match(p) && !PHONE.is_match(p))
    });
    let place_words = |s: &str| {
        let s = s.trim().trim_end_matches('.');
        let words: Vec<&str> = s.split_whitespace().collect();
        (!words.is_empty()
            && words.len() <= 3
            && words.iter().all(|w| {
                w.starts_with(char::is_uppercase)
                    && w.chars()
                        .all(|c| c.is_alphabetic() || matches!(c, '-' | '\'' | '.'))
            }))
        .then(|| s.to_owned())
    };
    for part in parts {
        let folded = part.to_lowercase();
        for label in ["based in ", "location:", "lives in ", "address:"] {
            if let Some(rest) = folded.strip_prefix(label) {
                let rest = &part[part.len() - rest.len()..];
                if let Some(place) = rest.split(',').find_map(|p| place_words(strip_postcode(p))) {
                    return Some(place);
                }
            }
        }
        if let Some(code) = POSTCODE.find(part) {
            // "10000 Zagreb": the place follows the code; "Leeds LS3 1AB": it comes before.
            let segment_of = |at: usize| {
                let from = part[..at].rfind(',').map_or(0, |i| i + 1);
                let to = part[at..].find(',').map_or(part.len(), |i| at + i);
                &part[from..to]
            };
            if let Some(place) = place_words(strip_postcode(segment_of(code.start()))) {
                return Some(place);
            }
            continue;
        }
        let mut pieces = part.split(',');
        if let (Some(place), Some(region), None) = (pieces.next(), pieces.next(), pieces.next()) {
            if let (Some(place), Some(_)) = (place_words(place), place_words(region)) {
                return Some(place);
            }
        }
    }
    None
}

/// A part of an address without its postal code ("10000 Zagreb" → "Zagreb").
fn strip_postcode(part: &str) -> &str {
    let part = part.trim();
    match POSTCODE.find(part) {
        // "10000 Zagreb": the place follows the digits.
        Some(m) if m.start() == 0 => part.trim_start_matches(|c: char| c.is_ascii_digit()).trim(),
        Some(m) => part[..m.start()].trim(),
        None => part,
    }
}

/// Whether `span` is a one-word name that stands alone as a later part of the dated line that
/// opens an experience entry ("Account Executive, Personio, Munich — 2018 – 2020"): the
/// employer or the place, not a skill. The first part is the role and counts.
fn is_employer(text: &str, [start, end]: [usize; 2]) -> bool {
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[end..].find('\n').map_or(text.len(), |i| end + i);
    let line = &text[line_start..line_end];
    let name = &text[start..end];
    if !DATE_RANGE.is_match(line) || name.contains(' ') || !name.starts_with(char::is_uppercase) {
        return false;
    }
    let mut part_start = 0;
    let separators = line
        .char_indices()
        .filter(|&(_, c)| matches!(c, ',' | '|' | '·' | '—' | '(' | ')'))
        .chain(std::iter::once((line.len(), ',')));
    for (index, (i, c)) in separators.enumerate() {
        let (from, to) = (line_start + part_start, line_start + i);
        if from <= start && end <= to {
            return index > 0 && line[part_start..i].trim() == name;
        }
        part_start = i + c.len_utf8();
    }
    false
}

/// Whether the name ending at `end` is followed, within the same run of capitalised words, by
/// a company suffix.
fn in_company_name(text: &str, end: usize) -> bool {
    let rest = &text[end..];
    let line = rest.split('\n').next().unwrap_or("");
    for word in line.split_whitespace().take(4) {
        let bare = word.trim_matches(|c: char| !c.is_alphanumeric() && c != '&');
        let folded: String = bare
            .chars()
            .filter(|c| c.is_alphanumeric())
            .flat_map(char::to_lowercase)
            .collect();
        if COMPANY_SUFFIXES.contains(&folded.as_str()) && bare.starts_with(char::is_uppercase) {
            return true;
        }
        // The name goes on only through capitalised words ("Cargo Route GmbH"), "&" and "+".
        let continues = bare.starts_with(char::is_uppercase) || bare == "&" || bare == "+";
        if !continues || word.ends_with([',', ';', ':', '.', ')']) {
            return false;
        }
    }
    false
}

/// Dates of a role: "2019 – present", "03/2018 - 12/2020", "2014 to 2018"; the years are
/// captures 1 and 2.
pub(crate) static DATE_RANGE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(?:\d{1,2}/)?(19[5-9]\d|20\d\d)\s*(?:–|—|-|to|until|bis)\s*(?:\d{1,2}/)?(19[5-9]\d|20\d\d|present|current|now|today|heute)\b")
        .expect("valid regex")
});
/// Lines above a mention searched for the dated line that opens its entry.
const ENTRY_LINES: usize = 12;

/// The line holding `at` and the lines above it in the same block (up to a blank line), nearest
/// first, at most [`ENTRY_LINES`].
fn lines_above(text: &str, at: usize) -> impl Iterator<Item = &str> {
    let end = text[at..].find('\n').map_or(text.len(), |i| at + i);
    text[..end]
        .rsplit('\n')
        .take(ENTRY_LINES)
        .take_while(|line| !line.trim().is_empty())
}

/// Whether the mention at `at` belongs to a dated experience entry: a line above it in the same
/// block (no blank line or heading between) holds a date range.
pub fn in_experience_entry(text: &str, at: usize) -> bool {
    lines_above(text, at)
        .take_while(|line| !is_heading(line))
        .any(|line| DATE_RANGE.is_match(line))
}

/// Headings and line labels of a CV's certificates and licences.
const CREDENTIALS: &[&str] = &[
    "certifications",
    "certification",
    "certificates",
    "certificate",
    "licences",
    "licence",
    "licenses",
    "license",
    "qualifications",
    "education",
];

/// Whether the mention at `at` is in a list of certificates, licences or degrees: its line
/// starts with such a label ("Certifications: ILS, BLS") or the heading above its block is one.
pub fn in_credentials(text: &str, at: usize) -> bool {
    let label = |line: &str| {
        let head = line.split(':').next().unwrap_or("");
        let bare = head
            .trim()
            .trim_matches(|c: char| c == '#' || c == '*' || c.is_whitespace())
            .to_lowercase();
        CREDENTIALS.contains(&bare.as_str())
    };
    // The nearest label or heading decides ("Education" is both).
    lines_above(text, at)
        .find(|line| label(line) || is_heading(line))
        .is_some_and(label)
}

/// Headings that open a part of a CV other than an experience entry.
const HEADINGS: &[&str] = &[
    "skills",
    "key skills",
    "technical skills",
    "languages",
    "education",
    "certifications",
    "certificates",
    "qualifications",
    "interests",
    "hobbies",
    "references",
    "summary",
    "profile",
];

fn is_heading(line: &str) -> bool {
    let bare = line
        .trim()
        .trim_matches(|c: char| c == '#' || c == '*' || c == ':' || c.is_whitespace())
        .to_lowercase();
    HEADINGS.contains(&bare.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn excluded(text: &str, name: &str) -> bool {
        let at = text.find(name).expect("the name is in the text");
        Layout::read(text).excludes(text, [at, at + name.len()])
    }

    const CV: &str = "Ana Kovač\nSenior Backend Engineer\nIlica 42, 10000 Zagreb, Croatia · +385 91 555 0142\ngithub.com/anakovac · linkedin.com/in/anakovac\n\nExperience\nSenior Backend Engineer, Cargo Route GmbH, Zagreb — 2021 – present\n- Built services in Rust; Cargo workspaces with 40 crates.\n\nSkills: Rust, GitHub Actions\n";

    #[test]
    fn contact_lines_links_and_employers_hold_no_skills() {
        assert!(excluded(CV, "Croatia"));
        assert!(excluded(CV, "github"));
        assert!(excluded(CV, "Cargo Route"));
        assert!(excluded(
            "Worked at Salesforce Inc. for years",
            "Salesforce"
        ));
        assert!(excluded(
            "Account Executive, Personio, Munich — 2018 – 2020",
            "Personio"
        ));
        assert!(!excluded("Python Developer, Acme, 2019 – 2021", "Python"));
        assert!(!excluded(
            "Staff Nurse, Emergency Department, Leeds — 2021 – present",
            "Emergency Department"
        ));
        assert!(!excluded(CV, "Backend"));
        assert!(!excluded(CV, "Cargo workspaces"));
        assert!(!excluded(CV, "GitHub Actions"));
        // A phone number further down is no contact block.
        let later = "Summary\nNurse.\n\nCalled 999 twice; BLS.\nCall 07700 900123\n";
        assert!(!excluded(later, "BLS"));
    }

    #[test]
    fn home_comes_from_the_address_in_the_contact_lines() {
        assert_eq!(home(CV).as_deref(), Some("Zagreb"));
        let uk = "Jo Bloggs\n12 Park Row, Leeds LS3 1AB · 07700 900123\n\nSummary\nNurse.\n";
        assert_eq!(home(uk).as_deref(), Some("Leeds"));
        let region =
            "Imran Shah ACCA\nStockport, Greater Manchester · 07700 900456 · imran@example.co.uk\n";
        assert_eq!(home(region).as_deref(), Some("Stockport"));
        let labelled = "Lena Vogel\nBased in Munich · lena@example.de\n";
        assert_eq!(home(labelled).as_deref(), Some("Munich"));
        // A job title beside the phone number is not a place, nor is anything below the top.
        assert_eq!(home("Sam Lee\nStaff Nurse · 07700 900123\n"), None);
        assert_eq!(
            home("Sam Lee\nsam@example.com\n\nExperience\nNurse, Leeds, Yorkshire\n"),
            None
        );
    }

    #[test]
    fn mentions_inside_a_dated_entry_are_in_an_entry() {
        let rust = CV.find("Rust;").expect("mention");
        assert!(in_experience_entry(CV, rust));
        let listed = CV.rfind("Rust").expect("mention");
        assert!(!in_experience_entry(CV, listed));
    }
}
