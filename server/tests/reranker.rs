//! The learned re-ranker on labelled outcomes: it trains, reports validation metrics next to the
//! default weights', and counts as better only when it really ranks held-out outcomes better.

use talentloom_server::matching::reranker::{train, Example, Features, TrainingError};

/// Deterministic pseudo-random numbers in [0, 1).
struct Numbers(u64);
impl Numbers {
    fn next(&mut self) -> f64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Pairs whose outcome follows `rule` (applied to the features and a noise term).
fn outcomes(n: usize, seed: u64, rule: impl Fn(&Features, f64) -> bool) -> Vec<Example> {
    let mut r = Numbers(seed);
    (0..n)
        .map(|_| {
            let features = Features {
                semantic: r.next(),
                coverage: r.next(),
                fit: r.next(),
                must_missing: if r.next() < 0.3 { r.next() } else { 0.0 },
            };
            let noise = r.next() - 0.5;
            Example {
                positive: rule(&features, noise),
                features,
            }
        })
        .collect()
}

#[test]
fn a_model_that_learns_what_recruiters_value_beats_the_defaults() {
    // These recruiters care about fit far more than the default weights do.
    let examples = outcomes(600, 7, |f, noise| {
        0.15 * f.semantic + 0.25 * f.coverage + 0.9 * f.fit + 0.2 * noise > 0.65
    });
    let report = train(&examples).expect("trains");
    assert_eq!((report.train_size, report.validation_size), (480, 120));
    assert!(report.auc > 0.9, "{report:?}");
    assert!(report.auc > report.baseline_auc + 0.05, "{report:?}");
    assert!(report.accuracy > 0.8, "{report:?}");
    assert!(report.beats_baseline);
    // It learned that fit matters most.
    let w = report.model.weights;
    assert!(w[2] > w[0] && w[2] > w[1], "{w:?}");
    // Training is deterministic.
    assert_eq!(train(&examples).expect("trains"), report);
}

#[test]
fn a_model_that_cannot_beat_the_defaults_is_refused() {
    // Outcomes that the default score already orders perfectly.
    let default = talentloom_server::matching::score::DEFAULT_WEIGHTS;
    let examples = outcomes(300, 11, |f, _| f.default_score(default) > 0.45);
    let report = train(&examples).expect("trains");
    assert!(report.baseline_auc > 0.99, "{report:?}");
    assert!(!report.beats_baseline, "{report:?}");

    // Outcomes unrelated to anything measured.
    let examples = outcomes(300, 13, |_, noise| noise > 0.0);
    let report = train(&examples).expect("trains");
    assert!(!report.beats_baseline, "{report:?}");
    assert!((0.3..0.7).contains(&report.auc), "{report:?}");
}

#[test]
fn too_few_or_one_sided_outcomes_are_refused() {
    let few = outcomes(20, 3, |_, noise| noise > 0.0);
    assert!(matches!(
        train(&few),
        Err(TrainingError::TooFew { given: 20 })
    ));
    let all_hired = outcomes(100, 5, |_, _| true);
    assert!(matches!(
        train(&all_hired),
        Err(TrainingError::TooFew { .. })
    ));
}

use crate::common;

use common::Db as Backend;
use talentloom_server::matching::registry;

async fn the_registry_keeps_versions_activates_winners_and_rolls_back(backend: Backend) {
    let Some(test_db) = common::TestDb::with_two_organisations(backend).await else {
        return;
    };
    let (db, acme, globex) = (test_db.db.clone(), test_db.orgs[0], test_db.orgs[1]);
    let winner = train(&outcomes(600, 7, |f, noise| {
        0.15 * f.semantic + 0.25 * f.coverage + 0.9 * f.fit + 0.2 * noise > 0.65
    }))
    .expect("trains");
    let loser = train(&outcomes(300, 13, |_, noise| noise > 0.0)).expect("trains");
    assert!(winner.beats_baseline && !loser.beats_baseline);

    assert_eq!(
        registry::record(&db, acme, &winner)
            .await
            .expect("recorded"),
        1
    );
    assert_eq!(
        registry::active(&db, acme)
            .await
            .expect("read")
            .map(|a| a.0),
        Some(1)
    );
    // A model that loses is kept for the record but does not replace the active one.
    assert_eq!(
        registry::record(&db, acme, &loser).await.expect("recorded"),
        2
    );
    assert_eq!(
        registry::active(&db, acme)
            .await
            .expect("read")
            .map(|a| a.0),
        Some(1)
    );
    let winner_again = registry::record(&db, acme, &winner)
        .await
        .expect("recorded");
    assert_eq!(winner_again, 3);
    let (version, model) = registry::active(&db, acme)
        .await
        .expect("read")
        .expect("active");
    assert_eq!((version, &model), (3, &winner.model));

    let versions = registry::versions(&db, acme).await.expect("list");
    let listed: Vec<(i64, bool)> = versions.iter().map(|v| (v.version, v.active)).collect();
    assert_eq!(listed, [(3, true), (2, false), (1, false)]);
    assert_eq!(versions[1].validation_size, 60);
    assert!((versions[0].auc - winner.auc).abs() < 1e-9);

    // Roll back to version 1, then to the defaults.
    registry::activate(&db, acme, 1).await.expect("rollback");
    assert_eq!(
        registry::active(&db, acme)
            .await
            .expect("read")
            .map(|a| a.0),
        Some(1)
    );
    assert!(matches!(
        registry::activate(&db, acme, 9).await,
        Err(registry::RegistryError::NoSuchVersion(9))
    ));
    assert_eq!(
        registry::active(&db, acme)
            .await
            .expect("read")
            .map(|a| a.0),
        Some(1)
    );
    registry::deactivate_all(&db, acme).await.expect("defaults");
    assert!(registry::active(&db, acme).await.expect("read").is_none());

    // Another organisation has its own, empty registry, and cannot activate acme's versions.
    assert!(registry::versions(&db, globex)
        .await
        .expect("list")
        .is_empty());
    assert!(matches!(
        registry::activate(&db, globex, 1).await,
        Err(registry::RegistryError::NoSuchVersion(1))
    ));
    test_db.close().await;
}

on_both_databases!(the_registry_keeps_versions_activates_winners_and_rolls_back);
