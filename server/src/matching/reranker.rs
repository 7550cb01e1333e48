//! The learned re-ranker: a logistic model over a match's score parts, trained with candle-nn on
//! labelled outcomes (advanced or hired = 1, rejected = 0). It is worth activating only when it
//! ranks held-out outcomes better than the default weights do; `train` reports both.
//!
//! Not used by the product yet: the hiring issue supplies the labelled outcomes and trains it
//! (see `registry.rs`); until then only `tests/reranker.rs` reaches it.

use super::score::{Weights, DEFAULT_WEIGHTS};
use candle_core::{DType, Device, Tensor, Var};
use candle_nn::{AdamW, Optimizer, ParamsAdamW};
use serde::{Deserialize, Serialize};

/// The inputs the re-ranker sees for one candidate–job pair.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Features {
    pub semantic: f64,
    pub coverage: f64,
    pub fit: f64,
    /// Share of the job's must-have skills the candidate does not show.
    pub must_missing: f64,
}

impl Features {
    fn row(&self) -> [f32; 4] {
        [
            self.semantic as f32,
            self.coverage as f32,
            self.fit as f32,
            self.must_missing as f32,
        ]
    }

    /// What the default, hand-set score makes of these parts (0–1).
    pub fn default_score(&self, weights: Weights) -> f64 {
        (weights.semantic * self.semantic
            + weights.coverage * self.coverage
            + weights.fit * self.fit)
            * (1.0 - 0.4 * self.must_missing)
    }
}

/// One labelled outcome.
#[derive(Clone, Copy, Debug, Serialize, Deserialize)]
pub struct Example {
    pub features: Features,
    /// Advanced or hired.
    pub positive: bool,
}

/// A trained logistic model.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LogisticModel {
    /// f32 as trained, so a stored model reads back bit for bit.
    pub weights: [f32; 4],
    pub bias: f32,
}

impl LogisticModel {
    /// Probability of a good outcome.
    pub fn predict(&self, f: &Features) -> f64 {
        let row = f.row();
        let z: f64 = f64::from(self.bias)
            + self
                .weights
                .iter()
                .zip(row)
                .map(|(w, x)| f64::from(*w) * f64::from(x))
                .sum::<f64>();
        1.0 / (1.0 + (-z).exp())
    }
}

/// Validation metrics of the trained model and of the default weights on the same held-out set.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TrainingReport {
    pub model: LogisticModel,
    pub train_size: usize,
    pub validation_size: usize,
    pub auc: f64,
    pub accuracy: f64,
    pub baseline_auc: f64,
    pub baseline_accuracy: f64,
    /// The model ranks held-out outcomes better than the default weights (by AUC).
    pub beats_baseline: bool,
}

/// Why there is no model.
#[derive(Debug, thiserror::Error)]
pub enum TrainingError {
    #[error(
        "need at least {MIN_EXAMPLES} labelled outcomes with both good and bad ones; have {given}"
    )]
    TooFew { given: usize },
    #[error("training failed: {0}")]
    Candle(#[from] candle_core::Error),
}

const MIN_EXAMPLES: usize = 40;
const EPOCHS: usize = 400;
/// A model must beat the defaults' AUC by at least this much, or by half the AUC's rough standard
/// error on a small validation set (0.5/√n), whichever is larger, and be clearly better than
/// chance: a lucky split must not replace the defaults.
const MARGIN: f64 = 0.01;
const MIN_AUC: f64 = 0.6;

/// Area under the ROC curve: the chance that a random positive scores above a random negative.
pub fn auc(scores: &[f64], positive: &[bool]) -> f64 {
    let mut pairs: Vec<(f64, bool)> = scores
        .iter()
        .copied()
        .zip(positive.iter().copied())
        .collect();
    pairs.sort_by(|a, b| a.0.total_cmp(&b.0));
    let (mut rank_sum, mut positives) = (0.0, 0usize);
    let mut i = 0;
    while i < pairs.len() {
        // Tied scores share their average rank.
        let mut j = i;
        while j + 1 < pairs.len() && pairs[j + 1].0 == pairs[i].0 {
            j += 1;
        }
        let average_rank = (i + j) as f64 / 2.0 + 1.0;
        for pair in &pairs[i..=j] {
            if pair.1 {
                rank_sum += average_rank;
                positives += 1;
            }
        }
        i = j + 1;
    }
    let negatives = pairs.len() - positives;
    if positives == 0 || negatives == 0 {
        return 0.5;
    }
    let p = positives as f64;
    (rank_sum - p * (p + 1.0) / 2.0) / (p * negatives as f64)
}

fn accuracy(scores: &[f64], positive: &[bool], threshold: f64) -> f64 {
    let right = scores
        .iter()
        .zip(positive)
        .filter(|(s, &p)| (**s >= threshold) == p)
        .count();
    right as f64 / scores.len().max(1) as f64
}

/// Trains on four fifths of `examples` (every fifth one is held out, so the split is
/// deterministic) and reports metrics on the held-out fifth.
pub fn train(examples: &[Example]) -> Result<TrainingReport, TrainingError> {
    let positives = examples.iter().filter(|e| e.positive).count();
    if examples.len() < MIN_EXAMPLES || positives == 0 || positives == examples.len() {
        return Err(TrainingError::TooFew {
            given: examples.len(),
        });
    }
    let validation: Vec<&Example> = examples.iter().skip(4).step_by(5).collect();
    let training: Vec<&Example> = examples
        .iter()
        .enumerate()
        .filter(|(i, _)| i % 5 != 4)
        .map(|(_, e)| e)
        .collect();
    let device = Device::Cpu;
    let rows: Vec<f32> = training.iter().flat_map(|e| e.features.row()).collect();
    let x = Tensor::from_vec(rows, (training.len(), 4), &device)?;
    let y = Tensor::from_vec(
        training
            .iter()
            .map(|e| if e.positive { 1f32 } else { 0f32 })
            .collect::<Vec<_>>(),
        (training.len(), 1),
        &device,
    )?;
    // Zeros, not random initial weights: the same data always gives the same model.
    let w = Var::zeros((4, 1), DType::F32, &device)?;
    let b = Var::zeros(1, DType::F32, &device)?;
    let mut optimiser = AdamW::new(
        vec![w.clone(), b.clone()],
        ParamsAdamW {
            lr: 0.05,
            weight_decay: 0.0,
            ..Default::default()
        },
    )?;
    for _ in 0..EPOCHS {
        let logits = x.matmul(w.as_tensor())?.broadcast_add(b.as_tensor())?;
        let loss = candle_nn::loss::binary_cross_entropy_with_logit(&logits, &y)?;
        optimiser.backward_step(&loss)?;
    }
    let weights: Vec<f32> = w.as_tensor().flatten_all()?.to_vec1()?;
    let bias: Vec<f32> = b.as_tensor().to_vec1()?;
    let model = LogisticModel {
        weights: [0, 1, 2, 3].map(|i| weights[i]),
        bias: bias[0],
    };

    let labels: Vec<bool> = validation.iter().map(|e| e.positive).collect();
    let learned: Vec<f64> = validation
        .iter()
        .map(|e| model.predict(&e.features))
        .collect();
    let baseline: Vec<f64> = validation
        .iter()
        .map(|e| e.features.default_score(DEFAULT_WEIGHTS))
        .collect();
    let (auc_learned, auc_baseline) = (auc(&learned, &labels), auc(&baseline, &labels));
    Ok(TrainingReport {
        train_size: training.len(),
        validation_size: validation.len(),
        auc: round4(auc_learned),
        accuracy: round4(accuracy(&learned, &labels, 0.5)),
        baseline_auc: round4(auc_baseline),
        baseline_accuracy: round4(accuracy(&baseline, &labels, 0.5)),
        beats_baseline: auc_learned >= MIN_AUC
            && auc_learned >= auc_baseline + MARGIN.max(0.5 / (validation.len() as f64).sqrt()),
        model,
    })
}

fn round4(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auc_counts_ordered_pairs() {
        assert_eq!(auc(&[0.1, 0.2, 0.8, 0.9], &[false, false, true, true]), 1.0);
        assert_eq!(auc(&[0.9, 0.8, 0.2, 0.1], &[false, false, true, true]), 0.0);
        assert_eq!(auc(&[0.5, 0.5], &[false, true]), 0.5);
    }
}
