//! The BERT encoder of all-MiniLM-L6-v2, written for sentence embeddings on the CPU.
//!
//! It computes what candle-transformers' `BertModel` (and Hugging Face's) computes, with three
//! differences in how, none in what:
//! - Tokens are packed: a batch is one `[tokens, hidden]` matrix of only the real tokens of every
//!   text, so the dense layers (most of the work) never run on padding, and each is one large
//!   matrix product rather than one per text. Attention runs per text over its own tokens, which
//!   is what the padding mask achieves in the padded form.
//! - Query, key and value are one product with their weights stacked, the query part scaled by
//!   1/√(head size) once at load instead of scaling every score.
//! - A dense layer over a few rows (a search query: one short text) is multiplied by a kernel of
//!   its own (`SmallDense`), not gemm: gemm copies the whole weight matrix into its packed
//!   layout on every call, which for a handful of rows costs more than the arithmetic.
//! - GELU uses a rational approximation of erf (the one Eigen uses for `float`, accurate to about
//!   1e-7) and softmax a polynomial exp (within a few ulp), both plain arithmetic that compiles
//!   to AVX-512 or AVX2/FMA through pulp, instead of a libm call per element.
//!
//! The loops themselves (GELU, softmax, the small dense kernel) are in the `kernels` crate,
//! which every build compiles optimised.

use candle_core::{CpuStorage, CustomOp1, CustomOp3, Layout, Module, Result, Shape, Tensor};
use candle_nn::{embedding, layer_norm, linear, Embedding, LayerNorm, Linear, VarBuilder};
use candle_transformers::models::bert::Config;

/// GELU, `0.5·x·(1 + erf(x/√2))`, elementwise on contiguous f32.
struct FastGelu;

impl CustomOp1 for FastGelu {
    fn name(&self) -> &'static str {
        "fast-gelu"
    }

    fn cpu_fwd(&self, storage: &CpuStorage, layout: &Layout) -> Result<(CpuStorage, Shape)> {
        let input = contiguous(self.name(), storage, layout)?;
        let mut output = vec![0.0; input.len()];
        kernels::gelu(input, &mut output);
        Ok((CpuStorage::F32(output), layout.shape().clone()))
    }
}

/// The f32 elements of a contiguous tensor, for the elementwise operations here.
fn contiguous<'a>(op: &str, storage: &'a CpuStorage, layout: &Layout) -> Result<&'a [f32]> {
    let Some((start, end)) = layout.contiguous_offsets() else {
        candle_core::bail!("{op} needs a contiguous tensor");
    };
    Ok(&storage.as_slice::<f32>()?[start..end])
}

/// Softmax over the last dimension of a contiguous f32 tensor.
struct Softmax;

impl CustomOp1 for Softmax {
    fn name(&self) -> &'static str {
        "softmax-rows"
    }

    fn cpu_fwd(&self, storage: &CpuStorage, layout: &Layout) -> Result<(CpuStorage, Shape)> {
        let width = layout.shape().dims().last().copied().unwrap_or(1).max(1);
        let mut output = contiguous(self.name(), storage, layout)?.to_vec();
        kernels::softmax_rows(&mut output, width);
        Ok((CpuStorage::F32(output), layout.shape().clone()))
    }
}

/// Rows of input up to which a dense layer uses [`SmallDense`]; more go to gemm, which is
/// faster once its packing is shared by enough rows.
const SMALL_ROWS: usize = 32;

/// `x·Wᵀ + b` for a few rows of `x`, with `W` in its stored `[out, in]` layout: each weight row
/// is read once and multiplied with every input row while it is in cache.
struct SmallDense;

impl CustomOp3 for SmallDense {
    fn name(&self) -> &'static str {
        "small-dense"
    }

    fn cpu_fwd(
        &self,
        xs: &CpuStorage,
        xl: &Layout,
        ws: &CpuStorage,
        wl: &Layout,
        bs: &CpuStorage,
        bl: &Layout,
    ) -> Result<(CpuStorage, Shape)> {
        let x = contiguous(self.name(), xs, xl)?;
        let w = contiguous(self.name(), ws, wl)?;
        let b = contiguous(self.name(), bs, bl)?;
        let (rows, inputs) = xl.shape().dims2()?;
        let (outputs, weight_inputs) = wl.shape().dims2()?;
        if weight_inputs != inputs || b.len() != outputs || rows == 0 {
            candle_core::bail!(
                "small-dense: input [{rows}, {inputs}], weight [{outputs}, {weight_inputs}], \
                 bias {}",
                b.len()
            );
        }
        // Computed output by output (`[outputs, rows]`), so that the outputs can be split
        // between threads: reading the weights is the bottleneck (memory bandwidth, not
        // arithmetic), and each core adds its own.
        let mut by_output = vec![0.0; rows * outputs];
        let part =
            |w: &[f32], b: &[f32], y: &mut [f32]| kernels::dense_by_output(x, w, b, y, inputs);
        match super::index::SCAN_POOL.as_ref() {
            Some(pool) if pool.current_num_threads() > 1 => {
                use rayon::prelude::*;
                let per_part = outputs.div_ceil(pool.current_num_threads());
                pool.install(|| {
                    w.par_chunks(per_part * inputs)
                        .zip(b.par_chunks(per_part))
                        .zip(by_output.par_chunks_mut(per_part * rows))
                        .for_each(|((w, b), y)| part(w, b, y));
                });
            }
            _ => part(w, b, &mut by_output),
        }
        let mut y = vec![0.0; rows * outputs];
        for (j, column) in by_output.chunks_exact(rows).enumerate() {
            for (i, &value) in column.iter().enumerate() {
                y[i * outputs + j] = value;
            }
        }
        Ok((CpuStorage::F32(y), Shape::from((rows, outputs))))
    }
}

/// `linear` applied to `x` (`[rows, in]`): [`SmallDense`] for a few rows, gemm for more.
fn dense(linear: &Linear, x: &Tensor) -> Result<Tensor> {
    match (linear.bias(), x.dims2()) {
        (Some(bias), Ok((rows, _))) if (1..=SMALL_ROWS).contains(&rows) => x
            .contiguous()?
            .apply_op3_no_bwd(linear.weight(), bias, &SmallDense),
        _ => linear.forward(x),
    }
}

struct Layer {
    /// Query, key and value stacked (`[3·hidden, hidden]`), the query part pre-scaled.
    qkv: Linear,
    attention_out: Linear,
    attention_norm: LayerNorm,
    intermediate: Linear,
    output: Linear,
    output_norm: LayerNorm,
}

/// The encoder: embeddings and the transformer layers.
pub struct Encoder {
    words: Embedding,
    positions: Embedding,
    token_types: Embedding,
    embedding_norm: LayerNorm,
    layers: Vec<Layer>,
    heads: usize,
    head_size: usize,
    hidden: usize,
}

impl Encoder {
    /// Loads the weights of a `BertModel` checkpoint (with or without the `bert.` prefix).
    pub fn load(vb: VarBuilder, config: &Config) -> Result<Self> {
        let vb = if vb.contains_tensor("embeddings.word_embeddings.weight") {
            vb
        } else {
            vb.pp("bert")
        };
        let hidden = config.hidden_size;
        let heads = config.num_attention_heads;
        let head_size = hidden / heads;
        let eps = config.layer_norm_eps;
        let e = vb.pp("embeddings");
        let mut layers = Vec::with_capacity(config.num_hidden_layers);
        for index in 0..config.num_hidden_layers {
            let l = vb.pp(format!("encoder.layer.{index}"));
            let a = l.pp("attention.self");
            let scale = 1.0 / (head_size as f64).sqrt();
            let query = linear(hidden, hidden, a.pp("query"))?;
            let key = linear(hidden, hidden, a.pp("key"))?;
            let value = linear(hidden, hidden, a.pp("value"))?;
            let bias = |l: &Linear| {
                l.bias()
                    .cloned()
                    .ok_or_else(|| candle_core::Error::Msg("a BERT projection without bias".into()))
            };
            let weight = Tensor::cat(
                &[
                    (query.weight() * scale)?,
                    key.weight().clone(),
                    value.weight().clone(),
                ],
                0,
            )?;
            let bias = Tensor::cat(&[(bias(&query)? * scale)?, bias(&key)?, bias(&value)?], 0)?;
            layers.push(Layer {
                qkv: Linear::new(weight, Some(bias)),
                attention_out: linear(hidden, hidden, l.pp("attention.output.dense"))?,
                attention_norm: layer_norm(hidden, eps, l.pp("attention.output.LayerNorm"))?,
                intermediate: linear(hidden, config.intermediate_size, l.pp("intermediate.dense"))?,
                output: linear(config.intermediate_size, hidden, l.pp("output.dense"))?,
                output_norm: layer_norm(hidden, eps, l.pp("output.LayerNorm"))?,
            });
        }
        Ok(Self {
            words: embedding(config.vocab_size, hidden, e.pp("word_embeddings"))?,
            positions: embedding(
                config.max_position_embeddings,
                hidden,
                e.pp("position_embeddings"),
            )?,
            token_types: embedding(
                config.type_vocab_size,
                hidden,
                e.pp("token_type_embeddings"),
            )?,
            embedding_norm: layer_norm(hidden, eps, e.pp("LayerNorm"))?,
            layers,
            heads,
            head_size,
            hidden,
        })
    }

    /// The mean of the last hidden states over each text's tokens (`[texts, hidden]`), given
    /// each text's token ids (no padding).
    pub fn mean_pooled(&self, texts: &[&[u32]]) -> Result<Tensor> {
        // A few tokens (a search query) run on the scan threads as a whole, so that each dense
        // layer's split finds the other thread awake instead of waking it 24 times.
        let tokens: usize = texts.iter().map(|t| t.len()).sum();
        match super::index::SCAN_POOL.as_ref() {
            Some(pool) if tokens <= SMALL_ROWS && pool.current_num_threads() > 1 => {
                pool.install(|| self.pooled(texts))
            }
            _ => self.pooled(texts),
        }
    }

    fn pooled(&self, texts: &[&[u32]]) -> Result<Tensor> {
        let device = self.words.embeddings().device();
        let lengths: Vec<usize> = texts.iter().map(|t| t.len()).collect();
        let ids: Vec<u32> = texts.iter().flat_map(|t| t.iter().copied()).collect();
        let positions: Vec<u32> = lengths.iter().flat_map(|&n| 0..n as u32).collect();
        let total = ids.len();
        let ids = Tensor::from_vec(ids, total, device)?;
        let positions = Tensor::from_vec(positions, total, device)?;
        let mut hidden = (self.words.forward(&ids)? + self.positions.forward(&positions)?)?
            .broadcast_add(&self.token_types.embeddings().get(0)?)?;
        hidden = self.embedding_norm.forward(&hidden)?;
        for layer in &self.layers {
            hidden = self.layer(layer, &hidden, &lengths)?;
        }
        let mut means = Vec::with_capacity(lengths.len());
        let mut offset = 0;
        for &n in &lengths {
            means.push(hidden.narrow(0, offset, n)?.mean(0)?);
            offset += n;
        }
        Tensor::stack(&means, 0)
    }

    fn layer(&self, layer: &Layer, hidden: &Tensor, lengths: &[usize]) -> Result<Tensor> {
        let qkv = dense(&layer.qkv, hidden)?;
        let mut contexts = Vec::with_capacity(lengths.len());
        let mut offset = 0;
        for &n in lengths {
            // [n, 3·hidden] → three [heads, n, head_size]
            let text = qkv
                .narrow(0, offset, n)?
                .reshape((n, 3, self.heads, self.head_size))?
                .permute((1, 2, 0, 3))?;
            let q = text.get(0)?.contiguous()?;
            let k = text.get(1)?.contiguous()?;
            let v = text.get(2)?.contiguous()?;
            let scores = q.matmul(&k.t()?)?;
            let weights = scores.apply_op1_no_bwd(&Softmax)?;
            let context = weights
                .matmul(&v)?
                .transpose(0, 1)?
                .reshape((n, self.hidden))?;
            contexts.push(context);
            offset += n;
        }
        let context = Tensor::cat(&contexts, 0)?;
        let attended = layer
            .attention_norm
            .forward(&(dense(&layer.attention_out, &context)? + hidden)?)?;
        let inner = dense(&layer.intermediate, &attended)?.apply_op1_no_bwd(&FastGelu)?;
        layer
            .output_norm
            .forward(&(dense(&layer.output, &inner)? + attended)?)
    }
}

#[cfg(test)]
mod tests {
    use candle_core::{Device, Module, Tensor};
    use candle_nn::Linear;

    #[test]
    fn the_small_kernel_multiplies_as_gemm_does() -> candle_core::Result<()> {
        // Deterministic values in [-1, 1).
        let values = |n: usize, seed: u64| -> Vec<f32> {
            let mut x = seed;
            (0..n)
                .map(|_| {
                    x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                    (x >> 40) as f32 / (1u64 << 23) as f32 - 1.0
                })
                .collect()
        };
        let (inputs, outputs) = (64, 48);
        let weight =
            Tensor::from_vec(values(outputs * inputs, 1), (outputs, inputs), &Device::Cpu)?;
        let bias = Tensor::from_vec(values(outputs, 2), outputs, &Device::Cpu)?;
        let linear = Linear::new(weight, Some(bias));
        // Every remainder of the four-row blocks, and the first size gemm takes.
        for rows in [
            1,
            2,
            3,
            4,
            5,
            7,
            8,
            9,
            super::SMALL_ROWS,
            super::SMALL_ROWS + 1,
        ] {
            let x = Tensor::from_vec(
                values(rows * inputs, rows as u64 + 3),
                (rows, inputs),
                &Device::Cpu,
            )?;
            let ours = super::dense(&linear, &x)?.to_vec2::<f32>()?;
            let gemm = linear.forward(&x)?.to_vec2::<f32>()?;
            assert_eq!(ours.len(), rows);
            for (a, b) in ours.iter().flatten().zip(gemm.iter().flatten()) {
                assert!((a - b).abs() < 1e-4, "{rows} rows: {a} against {b}");
            }
        }
        Ok(())
    }
}
