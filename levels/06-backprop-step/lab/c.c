/* Module 6 lab, C edition: backprop for a 3-layer MLP, by hand, on flat arrays.
 *
 * Build and run:  gcc -std=c11 -O2 lab.c -lm && ./a.out
 * Batches are rows, as in the Python lab: x is batch x n_in, W is n_in x n_out (row-major, so
 * W[i * n_out + j] joins input i to unit j), and a layer is y = x W + b. Fill in the TODOs
 * until main prints a gap below 1e-6. The boss fight calls mlp_backward with its own main
 * (yours is set aside), so keep whatever you like in main.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

/* y (batch x n_out) = x (batch x n_in) W (n_in x n_out) + b. */
void linear_forward(const double *x, const double *W, const double *b, double *y,
                    int batch, int n_in, int n_out) {
    for (int r = 0; r < batch; r++)
        for (int j = 0; j < n_out; j++) {
            double sum = b[j];
            for (int i = 0; i < n_in; i++) sum += x[r * n_in + i] * W[i * n_out + j];
            y[r * n_out + j] = sum;
        }
}

/* Given dy = dL/dy: dW = x^T dy, db = dy summed over the batch, dx = dy W^T. */
void linear_backward(const double *x, const double *W, const double *dy, double *dx,
                     double *dW, double *db, int batch, int n_in, int n_out) {
    (void)x; (void)W; (void)dy; (void)dx; (void)dW; (void)db; (void)batch; (void)n_in; (void)n_out;
    /* TODO: three loops, one per result; each entry is a sum over the batch or over the units */
}

/* h = max(z, 0), entry by entry. */
void relu_forward(const double *z, double *h, int n) {
    for (int k = 0; k < n; k++) h[k] = z[k] > 0 ? z[k] : 0;
}

/* dz = dh where z > 0, else 0 (the slope at exactly 0 is 0). dz may be dh itself. */
void relu_backward(const double *z, const double *dh, double *dz, int n) {
    (void)z; (void)dh; (void)dz; (void)n;
    /* TODO: the 0/1 mask */
}

/* The mean cross-entropy of softmax(logits) against the labels; writes its gradient,
 * (softmax - onehot) / batch, into dlogits. */
double softmax_xent(const double *logits, const int *labels, int batch, int classes, double *dlogits) {
    (void)logits; (void)labels; (void)batch; (void)classes; (void)dlogits;
    /* TODO: per row, subtract the largest logit before exp; the row's loss is
     * log(sum of exp) - (the label's logit), both after the shift */
    return 0;
}

/* The boss: the mean loss of a 3-layer ReLU MLP on a batch, and the gradient of every weight
 * and bias. widths = {n0, n1, n2, n3}; params holds W1 (n0 x n1), b1 (n1), W2, b2, W3, b3 one
 * after another, and grads gets dL/d(each) in the same layout (write every entry). */
double mlp_backward(const int *widths, const double *params, const double *x,
                    const int *labels, int batch, double *grads) {
    (void)widths; (void)params; (void)x; (void)labels; (void)batch; (void)grads;
    /* TODO: find each block in params and grads; forward with linear_forward and relu_forward,
     * keeping every layer's input and pre-activation; softmax_xent; then linear_backward and
     * relu_backward from the last layer down (malloc the scratch arrays, free them after) */
    return 0;
}

int main(void) {
    /* a [2, 3, 2, 2] network on two examples: every gradient beside a central difference */
    int widths[4] = {2, 3, 2, 2}, labels[2] = {1, 0};
    double x[4] = {0.5, -1.0, 2.0, 0.25};
    double params[23] = {0.1, -0.4, 0.3, 0.2, 0.5, -0.6,  0.0, 0.1, -0.1,   /* W1, b1 */
                         0.7, -0.2, 0.4, 0.3, -0.5, 0.6,  0.05, -0.05,      /* W2, b2 */
                         0.2, -0.3, 0.4, 0.1,  0.0, 0.0};                   /* W3, b3 */
    double grads[23], scratch[23], worst = 0;
    for (int k = 0; k < 23; k++) grads[k] = NAN;  /* a gradient never written stays NaN */
    printf("loss %.6f  (want 0.705007)\n", mlp_backward(widths, params, x, labels, 2, grads));
    for (int k = 0; k < 23; k++) {
        if (isnan(grads[k])) {
            printf("grads[%d] was never written\n", k);
            return 0;
        }
        double keep = params[k], up, down;
        params[k] = keep + 1e-6;
        up = mlp_backward(widths, params, x, labels, 2, scratch);
        params[k] = keep - 1e-6;
        down = mlp_backward(widths, params, x, labels, 2, scratch);
        params[k] = keep;
        double gap = fabs(grads[k] - (up - down) / 2e-6);
        if (gap > worst) worst = gap;
    }
    printf("largest gap to central differences %.1e (want below 1e-6)\n", worst);
    return 0;
}
