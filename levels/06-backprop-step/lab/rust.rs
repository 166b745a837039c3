//! Module 6 lab, Rust edition: backprop for a 3-layer MLP, by hand, on slices.
//!
//! Build and run:  rustc -O lab.rs && ./lab
//! Batches are rows, as in the Python lab: x is batch × n_in, w is n_in × n_out (row-major, so
//! w[i * n_out + j] joins input i to unit j), and a layer is y = x w + b. Fill in the TODOs
//! until main prints a gap below 1e-6. The boss fight calls mlp_backward from its own driver
//! (your main is not called there), so keep whatever you like in main.
#![allow(unused_variables, unused_mut)]

/// y (batch × n_out) = x (batch × n_in) w (n_in × n_out) + b.
pub fn linear_forward(x: &[f64], w: &[f64], b: &[f64], y: &mut [f64], n_in: usize, n_out: usize) {
    for r in 0..x.len() / n_in {
        for j in 0..n_out {
            let mut sum = b[j];
            for i in 0..n_in {
                sum += x[r * n_in + i] * w[i * n_out + j];
            }
            y[r * n_out + j] = sum;
        }
    }
}

/// Given dy = dL/dy: dw = xᵀ dy, db = dy summed over the batch, dx = dy wᵀ.
pub fn linear_backward(x: &[f64], w: &[f64], dy: &[f64], dx: &mut [f64], dw: &mut [f64], db: &mut [f64],
                       n_in: usize, n_out: usize) {
    // TODO: three loops, one per result; each entry is a sum over the batch or over the units
}

/// max(z, 0), entry by entry.
pub fn relu_forward(z: &[f64]) -> Vec<f64> {
    z.iter().map(|&v| if v > 0.0 { v } else { 0.0 }).collect()
}

/// Keep dh where z > 0 and zero it elsewhere (the slope at exactly 0 is 0).
pub fn relu_backward(z: &[f64], dh: &mut [f64]) {
    // TODO: the 0/1 mask
}

/// The mean cross-entropy of softmax(logits) against the labels; writes its gradient,
/// (softmax − onehot) / batch, into dlogits.
pub fn softmax_xent(logits: &[f64], labels: &[usize], classes: usize, dlogits: &mut [f64]) -> f64 {
    // TODO: per row, subtract the largest logit before exp; the row's loss is
    // ln(sum of exp) − (the label's logit), both after the shift
    0.0
}

/// The boss: the mean loss of a 3-layer ReLU MLP on a batch, and the gradient of every weight
/// and bias. widths = [n0, n1, n2, n3]; params holds W1 (n0 × n1), b1 (n1), W2, b2, W3, b3 one
/// after another, and grads gets dL/d(each) in the same layout (write every entry).
pub fn mlp_backward(widths: &[usize], params: &[f64], x: &[f64], labels: &[usize], grads: &mut [f64]) -> f64 {
    // TODO: find each block in params and grads; forward with linear_forward and relu_forward,
    // keeping every layer's input and pre-activation; softmax_xent; then linear_backward and
    // relu_backward from the last layer down (grads[a..].split_at_mut(k) gives dw and db at once)
    0.0
}

fn main() {
    // a [2, 3, 2, 2] network on two examples: every gradient beside a central difference
    let widths = [2, 3, 2, 2];
    let labels = [1, 0];
    let x = [0.5, -1.0, 2.0, 0.25];
    let mut params = vec![0.1, -0.4, 0.3, 0.2, 0.5, -0.6, 0.0, 0.1, -0.1, // W1, b1
                          0.7, -0.2, 0.4, 0.3, -0.5, 0.6, 0.05, -0.05, // W2, b2
                          0.2, -0.3, 0.4, 0.1, 0.0, 0.0]; // W3, b3
    let mut grads = vec![f64::NAN; 23]; // a gradient never written stays NaN
    let mut scratch = vec![0.0; 23];
    println!("loss {:.6}  (want 0.705007)", mlp_backward(&widths, &params, &x, &labels, &mut grads));
    let mut worst: f64 = 0.0;
    for k in 0..23 {
        if grads[k].is_nan() {
            println!("grads[{}] was never written", k);
            return;
        }
        let keep = params[k];
        params[k] = keep + 1e-6;
        let up = mlp_backward(&widths, &params, &x, &labels, &mut scratch);
        params[k] = keep - 1e-6;
        let down = mlp_backward(&widths, &params, &x, &labels, &mut scratch);
        params[k] = keep;
        worst = worst.max((grads[k] - (up - down) / 2e-6).abs());
    }
    println!("largest gap to central differences {:.1e} (want below 1e-6)", worst);
}
