//! Wrong on purpose: the loss is a mean, but the gradient at the logits is not divided
//! by the batch size. Must lose.
//! Otherwise module 6's Rust reference lab.

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
    let batch = x.len() / n_in;
    for i in 0..n_in {
        for j in 0..n_out {
            dw[i * n_out + j] = (0..batch).map(|r| x[r * n_in + i] * dy[r * n_out + j]).sum();
        }
    }
    for j in 0..n_out {
        db[j] = (0..batch).map(|r| dy[r * n_out + j]).sum();
    }
    for r in 0..batch {
        for i in 0..n_in {
            dx[r * n_in + i] = (0..n_out).map(|j| dy[r * n_out + j] * w[i * n_out + j]).sum();
        }
    }
}

/// max(z, 0), entry by entry.
pub fn relu_forward(z: &[f64]) -> Vec<f64> {
    z.iter().map(|&v| if v > 0.0 { v } else { 0.0 }).collect()
}

/// Keep dh where z > 0 and zero it elsewhere (the slope at exactly 0 is 0).
pub fn relu_backward(z: &[f64], dh: &mut [f64]) {
    for (d, &v) in dh.iter_mut().zip(z) {
        if !(v > 0.0) {
            *d = 0.0;
        }
    }
}

/// The mean cross-entropy of softmax(logits) against the labels; writes its gradient,
/// (softmax − onehot) / batch, into dlogits.
pub fn softmax_xent(logits: &[f64], labels: &[usize], classes: usize, dlogits: &mut [f64]) -> f64 {
    let batch = labels.len();
    let mut loss = 0.0;
    for (r, &label) in labels.iter().enumerate() {
        let z = &logits[r * classes..(r + 1) * classes];
        let top = z.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
        let total: f64 = z.iter().map(|&v| (v - top).exp()).sum(); // no overflow
        loss += top + total.ln() - z[label];
        for c in 0..classes {
            dlogits[r * classes + c] = (z[c] - top).exp() / total;
        }
        dlogits[r * classes + label] -= 1.0;
    }
    loss / batch as f64
}

/// The boss: the mean loss of a 3-layer ReLU MLP on a batch, and the gradient of every weight
/// and bias. widths = [n0, n1, n2, n3]; params holds W1 (n0 × n1), b1 (n1), W2, b2, W3, b3 one
/// after another, and grads gets dL/d(each) in the same layout.
pub fn mlp_backward(widths: &[usize], params: &[f64], x: &[f64], labels: &[usize], grads: &mut [f64]) -> f64 {
    let batch = labels.len();
    let mut starts = Vec::new(); // where each layer's w and b begin in params and grads
    let mut at = 0;
    for l in 0..3 {
        starts.push((at, at + widths[l] * widths[l + 1]));
        at += widths[l] * widths[l + 1] + widths[l + 1];
    }
    let block = |l: usize| {
        let (w, b) = starts[l];
        (&params[w..b], &params[b..b + widths[l + 1]])
    };
    // forward, keeping each layer's input and its output before the ReLU
    let mut inputs = vec![x.to_vec()];
    let mut z = Vec::new();
    for l in 0..3 {
        let (w, b) = block(l);
        let mut out = vec![0.0; batch * widths[l + 1]];
        linear_forward(&inputs[l], w, b, &mut out, widths[l], widths[l + 1]);
        if l < 2 {
            inputs.push(relu_forward(&out));
        }
        z.push(out);
    }
    let mut dz = vec![0.0; batch * widths[3]];
    let loss = softmax_xent(&z[2], labels, widths[3], &mut dz);
    for l in (0..3).rev() { // walk the layers backwards
        let (w, _) = block(l);
        let (w_at, b_at) = starts[l];
        let (dw, rest) = grads[w_at..].split_at_mut(b_at - w_at);
        let mut dx = vec![0.0; batch * widths[l]];
        linear_backward(&inputs[l], w, &dz, &mut dx, dw, &mut rest[..widths[l + 1]], widths[l], widths[l + 1]);
        if l > 0 {
            relu_backward(&z[l - 1], &mut dx);
        }
        dz = dx;
    }
    loss
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
