//! Wrong on purpose: the unembedding reads its own lm_head matrix after ln_f, as an untied
//! checkpoint would store it; this model's unembedding is wte itself (tied), and nothing follows ln_f. Must lose.
//! Otherwise module 12's Rust reference lab.

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
    let mut out = vec![0.0; x.len()];
    for (row, o) in x.chunks(d).zip(out.chunks_mut(d)) {
        let mean = row.iter().sum::<f64>() / d as f64;
        let var = row.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / d as f64;
        let scale = 1.0 / (var + eps).sqrt();
        for i in 0..d {
            o[i] = (row[i] - mean) * scale * g[i] as f64 + b[i] as f64;
        }
    }
    out
}

/// GPT-2's GELU, the tanh form.
pub fn gelu(x: f64) -> f64 {
    0.5 * x * (1.0 + ((2.0 / std::f64::consts::PI).sqrt() * (x + 0.044715 * x * x * x)).tanh())
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
    let t_len = qkv.len() / (3 * d);
    let d_head = d / n_head;
    let mut out = vec![0.0; t_len * d];
    let mut w = vec![0.0; t_len];
    for h in 0..n_head {
        for t in 0..t_len {
            let q = &qkv[t * 3 * d + h * d_head..][..d_head];
            for s in 0..=t { // no looking ahead
                let k = &qkv[s * 3 * d + d + h * d_head..][..d_head];
                w[s] = q.iter().zip(k).map(|(a, b)| a * b).sum::<f64>() / (d_head as f64).sqrt();
            }
            let top = w[..=t].iter().cloned().fold(f64::NEG_INFINITY, f64::max);
            let mut total = 0.0;
            for s in 0..=t {
                w[s] = (w[s] - top).exp();
                total += w[s];
            }
            let o = &mut out[t * d + h * d_head..][..d_head];
            for s in 0..=t {
                let v = &qkv[s * 3 * d + 2 * d + h * d_head..][..d_head];
                for i in 0..d_head {
                    o[i] += w[s] / total * v[i];
                }
            }
        }
    }
    out
}

/// One pre-LN block on x (T × d), in place: x += attn(ln_1(x)); x += mlp(ln_2(x)).
fn block(c: &Config, b: &Block, x: &mut [f64]) {
    let d = c.d_model;
    let qkv = linear(&layer_norm(x, b.ln_1_w, b.ln_1_b, c.eps, d), b.attn_w, b.attn_b, d, 3 * d);
    let y = linear(&attention(&qkv, d, c.n_head), b.attn_proj_w, b.attn_proj_b, d, d);
    for (xi, yi) in x.iter_mut().zip(&y) {
        *xi += yi;
    }
    let mut hidden = linear(&layer_norm(x, b.ln_2_w, b.ln_2_b, c.eps, d), b.fc_w, b.fc_b, d, 4 * d);
    for v in hidden.iter_mut() {
        *v = gelu(*v);
    }
    let y = linear(&hidden, b.fc_proj_w, b.fc_proj_b, 4 * d, d);
    for (xi, yi) in x.iter_mut().zip(&y) {
        *xi += yi;
    }
}

/// The boss: logits (T × vocab_size, row-major) for the tokens ids, 1 ≤ T ≤ context. Row t
/// scores the token that follows ids[..=t].
pub fn gpt_forward(c: &Config, weights: &[f32], ids: &[usize]) -> Vec<f64> {
    let (d, v_size) = (c.d_model, c.vocab_size);
    let (wte, rest) = weights.split_at(v_size * d);
    let wpe = &rest[..c.context * d];
    let ln_f = &rest[c.context * d + c.n_layer * block_size(d)..];
    let mut x = vec![0.0; ids.len() * d];
    for (t, &id) in ids.iter().enumerate() {
        for i in 0..d {
            x[t * d + i] = wte[id * d + i] as f64 + wpe[t * d + i] as f64;
        }
    }
    for l in 0..c.n_layer {
        block(c, &block_weights(c, weights, l), &mut x);
    }
    let h = layer_norm(&x, &ln_f[..d], &ln_f[d..2 * d], c.eps, d);
    let lm_head = &ln_f[2 * d..]; // vocab × d, after ln_f's weight and bias
    let mut logits = vec![0.0; ids.len() * v_size];
    for (ht, lt) in h.chunks(d).zip(logits.chunks_mut(v_size)) {
        for v in 0..v_size {
            lt[v] = ht.iter().zip(&lm_head[v * d..(v + 1) * d]).map(|(a, &b)| a * b as f64).sum();
        }
    }
    logits
}

/// The smallest token i with u < p[0] + ... + p[i], p = softmax(logits / temperature).
pub fn sample(logits: &[f64], temperature: f64, u: f64) -> usize {
    let top = logits.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
    let total: f64 = logits.iter().map(|l| ((l - top) / temperature).exp()).sum();
    let mut running = 0.0;
    for (v, l) in logits.iter().enumerate() {
        running += ((l - top) / temperature).exp() / total;
        if u < running {
            return v;
        }
    }
    logits.len() - 1 // u within rounding of 1
}

/// The boss: n new tokens after the prompt, token k drawn with the uniform number u[k]. The model
/// sees at most the last `context` tokens.
pub fn gpt_generate(c: &Config, weights: &[f32], prompt: &[usize], n: usize, temperature: f64, u: &[f64]) -> Vec<usize> {
    let mut ids = prompt.to_vec();
    for k in 0..n {
        let window = &ids[ids.len().saturating_sub(c.context)..];
        let logits = gpt_forward(c, weights, window);
        let next = sample(&logits[(window.len() - 1) * c.vocab_size..], temperature, u[k]);
        ids.push(next);
    }
    ids[prompt.len()..].to_vec()
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
