//! Module 12 lab, Rust edition: the tiny GPT's whole forward pass and its sampler, from the
//! shipped weights, with nothing but the standard library. The boss calls gpt_forward and
//! gpt_generate from its own driver (your main is not called there), so keep whatever you like
//! in main.
//!
//! Build and run:  rustc -O lab.rs && ./lab path/to/weights.bin
//! (the shipped weights are datasets/tinygpt/weights.bin; without a file, main checks a small
//! random model instead). Rows are tokens: x is T × d, w is n_in × n_out (row-major, so
//! w[i * n_out + j] joins input i to output j), and a linear layer is y = x w + b. Weights are
//! f32 as stored; every computation is in f64.

#![allow(unused_variables, unused_mut, dead_code)]

pub struct Config {
    pub n_layer: usize,
    pub n_head: usize,
    pub d_model: usize,
    pub context: usize,
    pub vocab_size: usize,
    pub eps: f64, // LayerNorm's epsilon: 1e-5
}

/// One block's tensors, in the order weights.bin stores them.
struct Block<'a> {
    ln_1_w: &'a [f32], ln_1_b: &'a [f32], attn_w: &'a [f32], attn_b: &'a [f32],
    attn_proj_w: &'a [f32], attn_proj_b: &'a [f32], ln_2_w: &'a [f32], ln_2_b: &'a [f32],
    fc_w: &'a [f32], fc_b: &'a [f32], fc_proj_w: &'a [f32], fc_proj_b: &'a [f32],
}

/// Floats in one block: two LayerNorms (2d each), qkv (d × 3d + 3d), the attention's projection
/// (d × d + d), the MLP (d × 4d + 4d, then 4d × d + d): 12 d² + 13 d.
fn block_size(d: usize) -> usize {
    12 * d * d + 13 * d
}

/// The next n floats, and move past them.
fn take<'a>(at: &mut &'a [f32], n: usize) -> &'a [f32] {
    let (head, rest) = at.split_at(n);
    *at = rest;
    head
}

/// Block l's tensors: after wte (vocab × d) and wpe (context × d), and the l blocks before it.
fn block_weights<'a>(c: &Config, weights: &'a [f32], l: usize) -> Block<'a> {
    let d = c.d_model;
    let mut at = &weights[(c.vocab_size + c.context) * d + l * block_size(d)..];
    Block {
        ln_1_w: take(&mut at, d), ln_1_b: take(&mut at, d),
        attn_w: take(&mut at, d * 3 * d), attn_b: take(&mut at, 3 * d),
        attn_proj_w: take(&mut at, d * d), attn_proj_b: take(&mut at, d),
        ln_2_w: take(&mut at, d), ln_2_b: take(&mut at, d),
        fc_w: take(&mut at, d * 4 * d), fc_b: take(&mut at, 4 * d),
        fc_proj_w: take(&mut at, 4 * d * d), fc_proj_b: take(&mut at, d),
    }
}

/// Each row of x (T × d): (x − mean) / sqrt(var + eps) · g + b, var the biased one.
pub fn layer_norm(x: &[f64], g: &[f32], b: &[f32], eps: f64, d: usize) -> Vec<f64> {
    // TODO: per row (x.chunks(d)), its mean, then its variance around that mean; normalise,
    // scale by g, shift by b
    todo!("layer_norm")
}

/// GPT-2's GELU, the tanh form.
pub fn gelu(x: f64) -> f64 {
    // TODO: the tanh form of the docstring (not erf: the model was trained with this one)
    todo!("gelu")
}

/// y (T × n_out) = x (T × n_in) w (n_in × n_out) + b. Row i of w is added in one sweep.
pub fn linear(x: &[f64], w: &[f32], b: &[f32], n_in: usize, n_out: usize) -> Vec<f64> {
    let mut y = vec![0.0; x.len() / n_in * n_out];
    for (xt, yt) in x.chunks(n_in).zip(y.chunks_mut(n_out)) {
        for j in 0..n_out {
            yt[j] = b[j] as f64;
        }
        for (i, &xi) in xt.iter().enumerate() {
            for (yj, &wij) in yt.iter_mut().zip(&w[i * n_out..(i + 1) * n_out]) {
                *yj += xi * wij as f64;
            }
        }
    }
    y
}

/// Causal multi-head attention on qkv (T × 3d: q | k | v, head h in columns h·d_head..): the
/// output is T × d, the heads side by side. Position t attends to positions 0..=t only.
pub fn attention(qkv: &[f64], d: usize, n_head: usize) -> Vec<f64> {
    // TODO: for each head and each position t: scores q·k / sqrt(d_head) against positions
    // 0..=t, a softmax that subtracts its largest score first, then the weighted sum of v
    todo!("attention")
}

/// One pre-LN block on x (T × d), in place: x += attn(ln_1(x)); x += mlp(ln_2(x)).
fn block(c: &Config, b: &Block, x: &mut [f64]) {
    // TODO: two residual additions, each around a sublayer whose input is normalised first:
    // layer_norm, linear (qkv), attention, linear (projection); then layer_norm, linear (to 4d),
    // gelu, linear (back to d)
    todo!("block")
}

/// The boss: logits (T × vocab_size, row-major) for the tokens ids, 1 ≤ T ≤ context. Row t
/// scores the token that follows ids[..=t].
pub fn gpt_forward(c: &Config, weights: &[f32], ids: &[usize]) -> Vec<f64> {
    // TODO: x[t] = wte[ids[t]] + wpe[t] (wte is the first vocab × d floats, wpe the next
    // context × d); every block (block_weights finds block l); ln_f (weight, then bias: the last
    // 2d floats); then logits[t][v] = ln_f(x)[t] · wte[v], the unembedding tied to wte
    todo!("gpt_forward")
}

/// The smallest token i with u < p[0] + ... + p[i], p = softmax(logits / temperature).
pub fn sample(logits: &[f64], temperature: f64, u: f64) -> usize {
    // TODO: p = softmax(logits / temperature), subtracting the largest first; return the first
    // v whose running sum p[0] + ... + p[v] passes u
    todo!("sample")
}

/// The boss: n new tokens after the prompt, token k drawn with the uniform number u[k]. The model
/// sees at most the last `context` tokens.
pub fn gpt_generate(c: &Config, weights: &[f32], prompt: &[usize], n: usize, temperature: f64, u: &[f64]) -> Vec<usize> {
    // TODO: keep the text in one Vec (prompt, then each new token); each step runs gpt_forward
    // on its last min(len, context) tokens and samples from the last row of logits with u[k]
    todo!("gpt_generate")
}

// ---------------------------------------------------------------- by hand

const VOCAB: &str = "\n !\"&'(),-./12345:;?ABCDEFGHIJKLMNOPQRSTUVWXYZ[]abcdefghijklmnopqrstuvwxyz{}";

/// A small generator for the uniform numbers (xorshift): enough to sample by hand.
fn uniforms(n: usize, mut state: u64) -> Vec<f64> {
    (0..n).map(|_| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state >> 11) as f64 / (1u64 << 53) as f64
    }).collect()
}

/// With the shipped weights: 300 characters after a prompt. Without: a small random model,
/// checked for what any forward pass must do.
fn main() {
    if let Some(path) = std::env::args().nth(1) {
        let c = Config { n_layer: 4, n_head: 4, d_model: 128, context: 64, vocab_size: 76, eps: 1e-5 };
        let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("cannot read {}: {}", path, e));
        let weights: Vec<f32> = bytes.chunks(4).map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])).collect();
        let prompt: Vec<usize> = "ROMEO.\n".chars().map(|ch| VOCAB.find(ch).unwrap()).collect();
        let out = gpt_generate(&c, &weights, &prompt, 300, 0.8, &uniforms(300, 1));
        let text: String = out.iter().map(|&i| VOCAB.as_bytes()[i] as char).collect();
        println!("ROMEO.\n{}", text);
        return;
    }
    let c = Config { n_layer: 2, n_head: 2, d_model: 8, context: 6, vocab_size: 5, eps: 1e-5 };
    let count = (c.vocab_size + c.context) * 8 + 2 * block_size(8) + 2 * 8;
    let weights: Vec<f32> = uniforms(count, 7).iter().map(|u| (2.0 * u - 1.0) as f32).collect();
    let a = gpt_forward(&c, &weights, &[1, 4, 2, 0, 3, 3]);
    let b = gpt_forward(&c, &weights, &[1, 4, 2, 3, 0, 1]);
    let gap = a[..15].iter().zip(&b[..15]).map(|(x, y)| (x - y).abs()).fold(0.0, f64::max);
    println!("logits at position 0: {:.4?}", &a[..5]);
    println!("change in positions 0-2 when tokens 3-5 change: {:.1e} (want 0: no looking ahead)", gap);
    println!("sample(u = 0.5) at position 5: token {}", sample(&a[25..], 1.0, 0.5));
    println!("usage for Shakespeare: ./lab path/to/weights.bin (datasets/tinygpt/weights.bin)");
}
