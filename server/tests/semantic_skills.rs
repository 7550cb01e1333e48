//! Skills found by similarity of phrases: the threshold is the one the labelled phrase fixture
//! calibrates, and it holds on the half of the fixture it was not calibrated on. Real model.

use crate::common;

use serde::Deserialize;
use std::{collections::HashMap, path::Path};
use talentloom_server::matching::semantic::{
    calibrate, quality, Sample, SkillFinder, SkillVectors, TARGET_PRECISION, THRESHOLD,
};

#[derive(Deserialize)]
struct Labelled {
    phrase: String,
    /// The catalog skills the phrase may rightly be read as; empty when it names none.
    skills: Vec<String>,
}

fn fixture() -> Vec<Labelled> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/skill-phrases.json");
    serde_json::from_str(&std::fs::read_to_string(path).expect("fixture")).expect("fixture JSON")
}

/// Every phrase of the fixture compared with the catalog, in fixture order.
async fn samples(vectors: &SkillVectors) -> (Vec<Sample>, Vec<Labelled>) {
    let engine = common::engine();
    let catalog = engine.skills.catalog();
    let by_label: HashMap<&str, usize> = catalog
        .skills
        .iter()
        .enumerate()
        .map(|(i, s)| (s.label.as_str(), i))
        .collect();
    let labelled = fixture();
    // The fixture measures what the similarity stage sees: phrases no name matches.
    let named: Vec<&str> = labelled
        .iter()
        .filter(|l| !engine.skills.extract(&l.phrase, None).is_empty())
        .map(|l| l.phrase.as_str())
        .collect();
    assert!(
        named.is_empty(),
        "found by name, not a fixture phrase: {named:?}"
    );
    let phrases: Vec<String> = labelled.iter().map(|l| l.phrase.clone()).collect();
    let phrase_vectors = engine.embeddings.embed(phrases).await.expect("embedded");
    let samples = labelled
        .iter()
        .zip(&phrase_vectors)
        .map(|(l, v)| {
            let expected = l
                .skills
                .iter()
                .map(|label| {
                    *by_label
                        .get(label.as_str())
                        .unwrap_or_else(|| panic!("{label:?} is not a catalog label"))
                })
                .collect();
            let (closest, similarity) = vectors.closest(v).expect("a catalog");
            Sample {
                expected,
                closest,
                similarity,
            }
        })
        .collect();
    (samples, labelled)
}

#[tokio::test(flavor = "multi_thread")]
async fn the_threshold_is_calibrated_and_holds_on_held_out_phrases() {
    let vectors = common::skill_vectors().await;
    let (samples, labelled) = samples(&vectors).await;
    let catalog = common::engine().skills.catalog().clone();
    for (sample, l) in samples.iter().zip(&labelled) {
        let verdict = match (
            sample.expected.contains(&sample.closest),
            sample.expected.is_empty(),
        ) {
            (true, _) => "right",
            (false, true) => "none",
            (false, false) => "WRONG",
        };
        println!(
            "{:.3} {verdict:5} {:45} → {}",
            sample.similarity, l.phrase, catalog.skills[sample.closest].label
        );
    }
    let calibrated = calibrate(&samples, TARGET_PRECISION);
    println!(
        "whole fixture ({} phrases): threshold {:.2}, precision {:.3}, recall {:.3} ({} accepted)",
        samples.len(),
        calibrated.threshold,
        calibrated.precision,
        calibrated.recall,
        calibrated.accepted
    );
    assert!(
        (calibrated.threshold - THRESHOLD).abs() < 0.005,
        "the fixture calibrates the threshold to {:.2}; set semantic::THRESHOLD to it",
        calibrated.threshold
    );
    assert!(calibrated.precision >= TARGET_PRECISION);
    assert!(calibrated.recall > 0.1, "recall {:.3}", calibrated.recall);

    // How well calibration carries over to phrases it has not seen: calibrate on one half (even
    // or odd positions), measure on the other.
    let half = |parity: usize| -> Vec<Sample> {
        samples
            .iter()
            .enumerate()
            .filter(|(i, _)| i % 2 == parity)
            .map(|(_, s)| s.clone())
            .collect()
    };
    for parity in [0, 1] {
        let (fit, check) = (half(parity), half(1 - parity));
        let threshold = calibrate(&fit, TARGET_PRECISION).threshold;
        let held = quality(&check, threshold);
        println!(
            "calibrated on half {parity} to {threshold:.2}; the other half: precision {:.3}, recall {:.3} ({} accepted)",
            held.precision, held.recall, held.accepted
        );
        assert!(
            held.precision >= 0.65 && held.recall > 0.1,
            "held-out precision {:.3}, recall {:.3}",
            held.precision,
            held.recall
        );
    }
}

/// A CV that names some skills and describes others: the described ones are found by meaning,
/// with the phrase as evidence, a lower confidence and the role's dates; the noise is not.
#[tokio::test(flavor = "multi_thread")]
async fn described_skills_are_found_with_their_phrase_as_evidence() {
    let vectors = common::skill_vectors().await;
    let engine = common::engine();
    let finder = SkillFinder {
        matcher: engine.skills.clone(),
        vectors: Some(vectors),
    };
    let text = "Care assistant, Sunrise Homes (2021 – present)\n\
                - Caring for elderly people, dressing wounds and first aid.\n\
                - Retouching pictures; a spreadsheet modelling course.\n\
                Team lunches every Friday; modern office.\n\n\
                Hobbies: hiking in the mountains";
    let phrases = finder.phrases(text);
    let phrase_texts: Vec<String> = phrases
        .iter()
        .map(|p| text[p.start..p.end].to_owned())
        .collect();
    let phrase_vectors = engine
        .embeddings
        .embed(phrase_texts)
        .await
        .expect("embedded");
    let found = finder.extract(text, Some(2026), &phrases, &phrase_vectors);
    let summary: Vec<(&str, bool, Vec<&str>, Option<i32>)> = found
        .iter()
        .map(|s| {
            let words = s.spans.iter().map(|&[a, b]| &text[a..b]).collect();
            (s.label.as_str(), s.inferred, words, s.last_used)
        })
        .collect();
    assert_eq!(
        summary,
        [
            (
                "Geriatric care",
                true,
                vec!["Caring for elderly people"],
                Some(2026)
            ),
            ("First aid", false, vec!["first aid"], Some(2026)),
            (
                "Photo editing",
                true,
                vec!["Retouching pictures"],
                Some(2026)
            ),
            (
                "Advanced Excel",
                true,
                vec!["spreadsheet modelling course"],
                Some(2026)
            ),
            // Advanced Excel is Excel: the same phrase shows both.
            (
                "Microsoft Excel",
                true,
                vec!["spreadsheet modelling course"],
                Some(2026)
            ),
        ]
    );
    for skill in found.iter().filter(|s| s.inferred) {
        assert!(
            (0.5..0.85).contains(&skill.confidence),
            "{} is inferred yet {} sure",
            skill.label,
            skill.confidence
        );
    }
    // The same finder without name vectors finds by name only, and embeds nothing.
    let by_name = SkillFinder {
        matcher: engine.skills.clone(),
        vectors: None,
    };
    assert!(by_name.phrases(text).is_empty());
    let labels: Vec<String> = by_name
        .extract(text, Some(2026), &[], &[])
        .into_iter()
        .map(|s| s.label)
        .collect();
    assert_eq!(labels, ["First aid"]);
}
