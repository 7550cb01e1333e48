//! The matching engine's arithmetic: the loops the model and the vector index spend their time
//! in, on plain slices (the server's `matching::bert` and `matching::index` wrap them).
//!
//! A crate of its own so that every build compiles it optimised (`Cargo.toml`'s dev profile,
//! as for candle): inside the server crate a debug build (the tests, `make run`) left these loops
//! unoptimised, where every `mul_add` and every intrinsic became a function call and they were
//! most of the embedding's time and much of the tests'.
//!
//! - GELU uses a rational approximation of erf (the one Eigen uses for `float`, accurate to
//!   about 1e-7) and softmax a polynomial exp (within a few ulp), both plain arithmetic that
//!   compiles to AVX-512 or AVX2/FMA through pulp, instead of a libm call per element.
//! - [`dense_by_output`] is `x·Wᵀ + b` for a few rows, each weight row read once.
//! - [`dot_i8_rows`] is the int8 scan of the vector index.
//!
//! What they compute is checked here; the server's tests check the model against Python's
//! sentence-transformers and the index against an f32 scan.

#![forbid(unsafe_code)]

/// erf(x) for f32, within ~1e-7 of the exact value: a rational function of x on [-4, 4]
/// (erf is ±1 to f32 precision beyond).
#[inline(always)]
pub fn erf(x: f32) -> f32 {
    let x = x.clamp(-4.0, 4.0);
    let x2 = x * x;
    let mut p = x2.mul_add(-2.726_142_3e-10, 2.770_681_4e-8);
    p = p.mul_add(x2, -2.101_024e-6);
    p = p.mul_add(x2, -5.692_506_4e-5);
    p = p.mul_add(x2, -7.349_906_3e-4);
    p = p.mul_add(x2, -2.954_600_1e-3);
    p = p.mul_add(x2, -1.609_603_3e-2);
    let mut q = x2.mul_add(-1.456_607_2e-5, -2.133_740_6e-4);
    q = q.mul_add(x2, -1.682_827e-3);
    q = q.mul_add(x2, -7.373_329e-3);
    q = q.mul_add(x2, -1.426_474e-2);
    x * p / q
}

/// e^x for f32 within about 2 ulp, from arithmetic alone (so a loop of it vectorises): x = n·ln2
/// + r with |r| ≤ ln2/2, e^r by its degree-6 Taylor polynomial, 2^n put into the exponent bits.
#[inline(always)]
pub fn exp(x: f32) -> f32 {
    // Below this e^x is 0 in f32 (the attention mask's -inf-like values land here).
    let x = x.clamp(-87.0, 88.0);
    let n = (x * std::f32::consts::LOG2_E).round();
    let r = n.mul_add(-0.693_145_75, x);
    let r = n.mul_add(-1.428_606_8e-6, r);
    let mut p = r.mul_add(1.0 / 720.0, 1.0 / 120.0);
    p = p.mul_add(r, 1.0 / 24.0);
    p = p.mul_add(r, 1.0 / 6.0);
    p = p.mul_add(r, 0.5);
    p = p.mul_add(r, 1.0);
    p = p.mul_add(r, 1.0);
    let scale = f32::from_bits(((n as i32 + 127) as u32) << 23);
    p * scale
}

/// GELU, `0.5·x·(1 + erf(x/√2))`, of every element. On a CPU with AVX2 and FMA the loop is
/// compiled for them (through pulp), so `mul_add` is one instruction and eight elements go at a
/// time; elsewhere it is the same arithmetic, portable.
pub fn gelu(input: &[f32], output: &mut [f32]) {
    struct Gelu<'a> {
        input: &'a [f32],
        output: &'a mut [f32],
    }
    impl pulp::NullaryFnOnce for Gelu<'_> {
        type Output = ();
        #[inline(always)]
        fn call(self) {
            for (y, &x) in self.output.iter_mut().zip(self.input) {
                *y = 0.5 * x * (1.0 + erf(x * std::f32::consts::FRAC_1_SQRT_2));
            }
        }
    }
    on_simd(Gelu { input, output });
}

/// Softmax of each row of `width` elements, in place.
pub fn softmax_rows(rows: &mut [f32], width: usize) {
    on_simd(SoftmaxRows {
        rows,
        width: width.max(1),
    });
}

struct SoftmaxRows<'a> {
    rows: &'a mut [f32],
    width: usize,
}

impl pulp::NullaryFnOnce for SoftmaxRows<'_> {
    type Output = ();
    #[inline(always)]
    fn call(self) {
        for row in self.rows.chunks_exact_mut(self.width) {
            let max = lanes(row, f32::NEG_INFINITY, f32::max);
            for x in row.iter_mut() {
                *x = exp(*x - max);
            }
            let inverse = 1.0 / lanes(row, 0.0, |a, b| a + b);
            for x in row.iter_mut() {
                *x *= inverse;
            }
        }
    }
}

/// Folds a row in eight independent lanes (a single running value would not vectorise).
#[inline(always)]
fn lanes(row: &[f32], init: f32, f: impl Fn(f32, f32) -> f32) -> f32 {
    let mut acc = [init; 8];
    let chunks = row.chunks_exact(8);
    let rest = chunks.remainder();
    for chunk in chunks {
        for (a, &x) in acc.iter_mut().zip(chunk) {
            *a = f(*a, x);
        }
    }
    let mut total = rest.iter().fold(init, |a, &x| f(a, x));
    for a in acc {
        total = f(total, a);
    }
    total
}

/// Runs `work` compiled for AVX-512, else AVX2 and FMA, when the CPU has them (pulp's
/// `vectorize`, safe), else as portable code.
fn on_simd<W: pulp::NullaryFnOnce<Output = ()>>(work: W) {
    #[cfg(target_arch = "x86_64")]
    {
        if let Some(simd) = pulp::x86::V4::try_new() {
            return simd.vectorize(work);
        }
        if let Some(simd) = pulp::x86::V3::try_new() {
            return simd.vectorize(work);
        }
    }
    work.call();
}

/// `x·Wᵀ + b` for the rows of `x` (`rows` of `inputs` each) and a part of the weights (`w`, rows
/// of `inputs` in their stored `[out, in]` layout, and their biases `b`), into `y` by output
/// (`[outputs, rows]`): each weight row is read once and multiplied with every input row while
/// it is in cache. The caller splits the outputs between threads.
pub fn dense_by_output(x: &[f32], w: &[f32], b: &[f32], y: &mut [f32], inputs: usize) {
    let rows = x.len() / inputs.max(1);
    if rows == 0 {
        return;
    }
    pulp::Arch::new().dispatch(DenseRows {
        x,
        w,
        b,
        y,
        inputs,
        rows,
    });
}

struct DenseRows<'a> {
    x: &'a [f32],
    w: &'a [f32],
    b: &'a [f32],
    /// `[outputs, rows]`
    y: &'a mut [f32],
    inputs: usize,
    rows: usize,
}

impl pulp::WithSimd for DenseRows<'_> {
    type Output = ();

    #[inline(always)]
    fn with_simd<S: pulp::Simd>(self, simd: S) {
        let rows: Vec<&[f32]> = self.x.chunks_exact(self.inputs).collect();
        let last = rows.len() - 1;
        for (j, (weights, &bias)) in self.w.chunks_exact(self.inputs).zip(self.b).enumerate() {
            // Four input rows at a time share each load of the weight row (the last group
            // repeats its last row where it has fewer).
            for first in (0..rows.len()).step_by(4) {
                let group = [0, 1, 2, 3].map(|r| rows[(first + r).min(last)]);
                let sums = dot4(simd, group, weights);
                for (r, sum) in sums.into_iter().enumerate().take(rows.len() - first) {
                    self.y[j * self.rows + first + r] = bias + sum;
                }
            }
        }
    }
}

/// The dot products of four rows with `w` (all of one length), each summed in its own register.
#[inline(always)]
fn dot4<S: pulp::Simd>(simd: S, x: [&[f32]; 4], w: &[f32]) -> [f32; 4] {
    // No closures here: a closure is not compiled for the CPU features `simd` stands for, so
    // the intrinsics inside it would become calls.
    let (w_head, w_tail) = S::as_simd_f32s(w);
    let (x0, x1, x2, x3) = (
        S::as_simd_f32s(x[0]).0,
        S::as_simd_f32s(x[1]).0,
        S::as_simd_f32s(x[2]).0,
        S::as_simd_f32s(x[3]).0,
    );
    let zero = simd.splat_f32s(0.0);
    let (mut a0, mut a1, mut a2, mut a3) = (zero, zero, zero, zero);
    for ((((&w, &v0), &v1), &v2), &v3) in w_head.iter().zip(x0).zip(x1).zip(x2).zip(x3) {
        a0 = simd.mul_add_f32s(v0, w, a0);
        a1 = simd.mul_add_f32s(v1, w, a1);
        a2 = simd.mul_add_f32s(v2, w, a2);
        a3 = simd.mul_add_f32s(v3, w, a3);
    }
    let mut sums = [
        simd.reduce_sum_f32s(a0),
        simd.reduce_sum_f32s(a1),
        simd.reduce_sum_f32s(a2),
        simd.reduce_sum_f32s(a3),
    ];
    let offset = w.len() - w_tail.len();
    for (sum, row) in sums.iter_mut().zip(x) {
        for (a, b) in row[offset..].iter().zip(w_tail) {
            *sum += a * b;
        }
    }
    sums
}

/// The dot product of two f32 slices.
#[inline]
pub fn dot(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// Dot product of two int8 vectors; sixteen independent accumulators let the compiler use
/// SIMD (a single running sum does not vectorise). The portable path.
#[inline]
pub fn dot_i8(a: &[i8], b: &[i8]) -> i32 {
    let mut sums = [0i32; 16];
    for (x, y) in a.chunks_exact(16).zip(b.chunks_exact(16)) {
        for i in 0..16 {
            sums[i] += i32::from(x[i]) * i32::from(y[i]);
        }
    }
    sums.iter().sum()
}

/// The dot product of `query` with every row of `codes` (rows as long as the query), into
/// `out`, one per row; every value in -127..=127 (as the index quantises them: -128 has no
/// magnitude in a byte). A query of `CHUNKS` × 32 bytes is scanned with AVX2 when the CPU has it
/// (the query held in registers, the loop over its chunks unrolled); any other length, or a
/// CPU without AVX2, takes the portable path.
pub fn dot_i8_rows<const CHUNKS: usize>(query: &[i8], codes: &[i8], out: &mut [i32]) {
    let width = query.len();
    if width == 0 {
        out.fill(0);
        return;
    }
    // Whole rows only.
    let codes = &codes[..codes.len() - codes.len() % width];
    #[cfg(target_arch = "x86_64")]
    if width == CHUNKS * 32 {
        if let Some(simd) = pulp::x86::V3::try_new() {
            avx2::dot_all::<CHUNKS>(simd, query, codes, out);
            return;
        }
    }
    for (row, slot) in codes.chunks_exact(width).zip(out.iter_mut()) {
        *slot = dot_i8(query, row);
    }
}

/// The scan with AVX2, through pulp's safe intrinsics: 32 byte products per `maddubs`
/// (|q| as unsigned times the stored byte with q's sign), widened to 32-bit sums by `madd`.
/// Products are at most 127 × 127, so the pairwise 16-bit sums cannot saturate.
#[cfg(target_arch = "x86_64")]
mod avx2 {
    use core::arch::x86_64::__m256i;
    use pulp::{bytemuck, cast, x86::V3};

    pub(super) fn dot_all<const CHUNKS: usize>(
        simd: V3,
        query: &[i8],
        codes: &[i8],
        out: &mut [i32],
    ) {
        simd.vectorize(Scan::<CHUNKS> {
            simd,
            query,
            codes,
            out,
        });
    }

    /// The kernel as a `NullaryFnOnce`, whose `#[inline(always)]` call pulp compiles with AVX2
    /// enabled (a closure's inline hint is not always honoured, and then every intrinsic
    /// becomes a function call: 20× slower).
    struct Scan<'a, const CHUNKS: usize> {
        simd: V3,
        query: &'a [i8],
        codes: &'a [i8],
        out: &'a mut [i32],
    }

    impl<const CHUNKS: usize> pulp::NullaryFnOnce for Scan<'_, CHUNKS> {
        type Output = ();

        #[inline(always)]
        fn call(self) {
            let simd = self.simd;
            let (avx, avx2, sse2, ssse3) = (simd.avx, simd.avx2, simd.sse2, simd.ssse3);
            let query: &[[i8; 32]] = bytemuck::cast_slice(self.query);
            let mut magnitude = [avx._mm256_setzero_si256(); CHUNKS];
            let mut sign = [avx._mm256_setzero_si256(); CHUNKS];
            for (k, q) in query.iter().enumerate().take(CHUNKS) {
                let q: __m256i = cast(*q);
                magnitude[k] = avx2._mm256_abs_epi8(q);
                sign[k] = q;
            }
            let ones = avx._mm256_set1_epi16(1);
            let rows: &[[i8; 32]] = bytemuck::cast_slice(self.codes);
            for (row, slot) in rows.chunks_exact(CHUNKS).zip(self.out.iter_mut()) {
                let mut acc = avx._mm256_setzero_si256();
                for k in 0..CHUNKS {
                    let stored: __m256i = cast(row[k]);
                    let signed = avx2._mm256_sign_epi8(stored, sign[k]);
                    let pairs = avx2._mm256_maddubs_epi16(magnitude[k], signed);
                    acc = avx2._mm256_add_epi32(acc, avx2._mm256_madd_epi16(pairs, ones));
                }
                let low = avx._mm256_castsi256_si128(acc);
                let high = avx2._mm256_extracti128_si256::<1>(acc);
                let sum = sse2._mm_add_epi32(low, high);
                let sum = ssse3._mm_hadd_epi32(sum, sum);
                let sum = ssse3._mm_hadd_epi32(sum, sum);
                *slot = sse2._mm_cvtsi128_si32(sum);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn erf_is_within_1e6_of_the_exact_value() {
        // Exact values (to 10 digits) at a few points, and the symmetry.
        for (x, exact) in [
            (0.0_f32, 0.0_f64),
            (0.1, 0.112_462_916),
            (0.5, 0.520_499_878),
            (1.0, 0.842_700_793),
            (1.5, 0.966_105_146),
            (2.0, 0.995_322_265),
            (3.0, 0.999_977_910),
            (5.0, 1.0),
        ] {
            assert!(
                (f64::from(erf(x)) - exact).abs() < 1e-6,
                "erf({x}) = {}",
                erf(x)
            );
            assert!((f64::from(erf(-x)) + exact).abs() < 1e-6);
        }
    }

    #[test]
    fn exp_is_within_a_few_ulp_of_libm() {
        let mut x = -87.0_f32;
        while x < 88.0 {
            let (fast, exact) = (exp(x), x.exp());
            assert!(
                ((fast - exact) / exact).abs() < 4.0 * f32::EPSILON,
                "exp({x}) = {fast}, libm {exact}"
            );
            x += 0.37;
        }
        assert!(exp(f32::MIN) < 1e-37);
    }

    #[test]
    fn softmax_rows_sum_to_one_in_order() {
        let mut rows = vec![1.0, 2.0, 3.0, 0.0, 0.0, 0.0, -1e30, 5.0, 5.0];
        softmax_rows(&mut rows, 3);
        for row in rows.chunks(3) {
            assert!((row.iter().sum::<f32>() - 1.0).abs() < 1e-6, "{row:?}");
        }
        assert!(rows[0] < rows[1] && rows[1] < rows[2]);
        assert!((rows[3] - 1.0 / 3.0).abs() < 1e-6);
        assert!(rows[6] < 1e-30 && (rows[7] - 0.5).abs() < 1e-6);
    }

    #[test]
    fn gelu_matches_its_definition() {
        let input: Vec<f32> = (-40..=40).map(|i| i as f32 / 10.0).collect();
        let mut output = vec![0.0; input.len()];
        gelu(&input, &mut output);
        for (&x, &y) in input.iter().zip(&output) {
            let x64 = f64::from(x);
            // GELU(x) - GELU(-x) = x, and GELU(0) = 0.
            let mirrored = output[input.iter().position(|&v| v == -x).unwrap_or(0)];
            assert!(
                (f64::from(y - mirrored) - x64).abs() < 1e-5,
                "gelu({x}) = {y}"
            );
        }
        assert_eq!(output[40], 0.0);
    }

    #[test]
    fn dense_by_output_equals_the_plain_product() {
        let (rows, inputs, outputs) = (5, 37, 6);
        let x: Vec<f32> = (0..rows * inputs).map(|i| (i % 7) as f32 - 3.0).collect();
        let w: Vec<f32> = (0..outputs * inputs)
            .map(|i| (i % 5) as f32 * 0.5)
            .collect();
        let b: Vec<f32> = (0..outputs).map(|j| j as f32).collect();
        let mut y = vec![0.0; rows * outputs];
        dense_by_output(&x, &w, &b, &mut y, inputs);
        for j in 0..outputs {
            for i in 0..rows {
                let plain = b[j] + dot(&x[i * inputs..][..inputs], &w[j * inputs..][..inputs]);
                assert!(
                    (y[j * rows + i] - plain).abs() < 1e-3,
                    "output {j}, row {i}"
                );
            }
        }
    }

    #[test]
    fn dot_i8_rows_equals_the_portable_dot() {
        for width in [384, 48] {
            // Codes in -127..=127, as the index quantises them.
            let code = |i: usize| i8::try_from((i % 255) as i32 - 127).unwrap_or(0);
            let query: Vec<i8> = (0..width).map(|i| code(i * 37)).collect();
            let codes: Vec<i8> = (0..width * 9).map(|i| code(i * 91 + 5)).collect();
            let mut out = vec![0; 9];
            dot_i8_rows::<12>(&query, &codes, &mut out);
            let plain: Vec<i32> = codes
                .chunks_exact(width)
                .map(|row| {
                    row.iter()
                        .zip(&query)
                        .map(|(a, b)| i32::from(*a) * i32::from(*b))
                        .sum()
                })
                .collect();
            assert_eq!(out, plain, "width {width}");
        }
    }
}
