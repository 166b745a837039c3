/* Wrong on purpose: the backward forgets the residual path: dh leaving a block is only what went through the block, not dh plus it.
 *
 * Otherwise module 8's C reference lab.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EPS 1e-5

/* ---------------------------------------------------------------- normalisation */

/* y (rows x n) = gamma * (x - mean) / sqrt(var + eps) + beta, each row on its own; the
 * variance divides by n. */
void layer_norm(const double *x, const double *gamma, const double *beta, double eps,
                int rows, int n, double *y) {
    for (int r = 0; r < rows; r++) {
        const double *xr = x + (long)r * n;
        double mean = 0, var = 0;
        for (int j = 0; j < n; j++) mean += xr[j];
        mean /= n;
        for (int j = 0; j < n; j++) var += (xr[j] - mean) * (xr[j] - mean);
        var /= n;
        double inv = 1.0 / sqrt(var + eps);
        for (int j = 0; j < n; j++) y[(long)r * n + j] = gamma[j] * (xr[j] - mean) * inv + beta[j];
    }
}

/* Given dy = dL/dy: dx (rows x n), and adds to dgamma and dbeta (n each). Every x_hat of a row
 * depends on every x of it through the mean and the variance: hence the two means below. */
void layer_norm_backward(const double *dy, const double *x, const double *gamma, double eps,
                         int rows, int n, double *dx, double *dgamma, double *dbeta) {
    for (int r = 0; r < rows; r++) {
        const double *xr = x + (long)r * n, *dyr = dy + (long)r * n;
        double mean = 0, var = 0;
        for (int j = 0; j < n; j++) mean += xr[j];
        mean /= n;
        for (int j = 0; j < n; j++) var += (xr[j] - mean) * (xr[j] - mean);
        var /= n;
        double inv = 1.0 / sqrt(var + eps), m1 = 0, m2 = 0;
        for (int j = 0; j < n; j++) {
            double x_hat = (xr[j] - mean) * inv, dx_hat = dyr[j] * gamma[j];
            m1 += dx_hat / n;
            m2 += dx_hat * x_hat / n;
            dgamma[j] += dyr[j] * x_hat;
            dbeta[j] += dyr[j];
        }
        for (int j = 0; j < n; j++) {
            double x_hat = (xr[j] - mean) * inv;
            dx[(long)r * n + j] = (dyr[j] * gamma[j] - m1 - x_hat * m2) * inv;
        }
    }
}

/* ---------------------------------------------------------------- linear layers */

/* y (batch x n_out) = x (batch x n_in) W (n_in x n_out) + b. */
void linear_forward(const double *x, const double *W, const double *b, double *y,
                    int batch, int n_in, int n_out) {
    for (int r = 0; r < batch; r++)
        for (int j = 0; j < n_out; j++) {
            double sum = b[j];
            for (int i = 0; i < n_in; i++) sum += x[(long)r * n_in + i] * W[(long)i * n_out + j];
            y[(long)r * n_out + j] = sum;
        }
}

/* Given dy = dL/dy: dW = x^T dy, db = dy summed over the batch, and dx = dy W^T unless dx is NULL. */
void linear_backward(const double *x, const double *W, const double *dy, double *dx,
                     double *dW, double *db, int batch, int n_in, int n_out) {
    for (int i = 0; i < n_in; i++)
        for (int j = 0; j < n_out; j++) {
            double sum = 0;
            for (int r = 0; r < batch; r++) sum += x[(long)r * n_in + i] * dy[(long)r * n_out + j];
            dW[(long)i * n_out + j] = sum;
        }
    for (int j = 0; j < n_out; j++) {
        double sum = 0;
        for (int r = 0; r < batch; r++) sum += dy[(long)r * n_out + j];
        db[j] = sum;
    }
    if (dx == NULL) return;
    for (int r = 0; r < batch; r++)
        for (int i = 0; i < n_in; i++) {
            double sum = 0;
            for (int j = 0; j < n_out; j++) sum += dy[(long)r * n_out + j] * W[(long)i * n_out + j];
            dx[(long)r * n_in + i] = sum;
        }
}

/* ---------------------------------------------------------------- the tower (the boss) */

enum { W_IN, B_IN, GAMMA, BETA, W_BLOCKS, B_BLOCKS, W_OUT, B_OUT, PARTS };

/* Where each array starts in params (and grads): start[W_IN] ... start[B_OUT], then the total. */
static void layout(const int *shape, long start[PARTS + 1]) {
    long depth = shape[0], n_in = shape[1], width = shape[2], n_out = shape[3];
    long size[PARTS] = {n_in * width, width, depth * width, depth * width, depth * width * width,
                        depth * width, width * n_out, n_out};
    start[0] = 0;
    for (int k = 0; k < PARTS; k++) start[k + 1] = start[k] + size[k];
}

/* He init, N(0, 2 / fan_in), from the normals; the output layer a tenth of that; biases and
 * beta 0, gamma 1. */
void tower_build(const int *shape, const double *normals, double *params) {
    int n_in = shape[1], width = shape[2];
    long at[PARTS + 1];
    layout(shape, at);
    for (long k = 0; k < at[PARTS]; k++) params[k] = 0.0;
    for (long k = at[W_IN]; k < at[B_IN]; k++) params[k] = normals[k] * sqrt(2.0 / n_in);
    for (long k = at[GAMMA]; k < at[BETA]; k++) params[k] = 1.0;
    for (long k = at[W_BLOCKS]; k < at[B_BLOCKS]; k++) params[k] = normals[k] * sqrt(2.0 / width);
    for (long k = at[W_OUT]; k < at[B_OUT]; k++) params[k] = 0.1 * normals[k] * sqrt(2.0 / width);
}

/* The forward pass. When trace is not NULL it keeps, for every block l, the block's input h,
 * its normalised a and its pre-activation z (three batch x width arrays), then the top h. */
static void forward(const int *shape, const double *params, const double *x, int batch,
                    double *logits, double *trace) {
    int depth = shape[0], n_in = shape[1], width = shape[2], n_out = shape[3];
    long at[PARTS + 1], bw = (long)batch * width, ww = (long)width * width;
    layout(shape, at);
    double *h = malloc(sizeof(double) * bw), *a = malloc(sizeof(double) * bw), *z = malloc(sizeof(double) * bw);
    linear_forward(x, params + at[W_IN], params + at[B_IN], h, batch, n_in, width);
    for (int l = 0; l < depth; l++) {
        layer_norm(h, params + at[GAMMA] + l * width, params + at[BETA] + l * width, EPS, batch, width, a);
        linear_forward(a, params + at[W_BLOCKS] + l * ww, params + at[B_BLOCKS] + l * width, z, batch, width, width);
        if (trace) {
            memcpy(trace + (3L * l) * bw, h, sizeof(double) * bw);
            memcpy(trace + (3L * l + 1) * bw, a, sizeof(double) * bw);
            memcpy(trace + (3L * l + 2) * bw, z, sizeof(double) * bw);
        }
        for (long k = 0; k < bw; k++) h[k] += z[k] > 0 ? z[k] : 0;  /* the residual path */
    }
    if (trace) memcpy(trace + 3L * depth * bw, h, sizeof(double) * bw);
    linear_forward(h, params + at[W_OUT], params + at[B_OUT], logits, batch, width, n_out);
    free(h);
    free(a);
    free(z);
}

void tower_forward(const int *shape, const double *params, const double *x, int batch, double *logits) {
    forward(shape, params, x, batch, logits, NULL);
}

/* dL/d(every parameter) into grads, given dlogits: the forward again, keeping its trace, then
 * every layer backwards. */
void tower_backward(const int *shape, const double *params, const double *x, int batch,
                    const double *dlogits, double *grads) {
    int depth = shape[0], n_in = shape[1], width = shape[2], n_out = shape[3];
    long at[PARTS + 1], bw = (long)batch * width, ww = (long)width * width;
    layout(shape, at);
    double *trace = malloc(sizeof(double) * (3L * depth + 1) * bw);
    double *logits = malloc(sizeof(double) * batch * n_out);
    double *dh = malloc(sizeof(double) * bw), *dz = malloc(sizeof(double) * bw);
    double *da = malloc(sizeof(double) * bw), *dx = malloc(sizeof(double) * bw);
    forward(shape, params, x, batch, logits, trace);
    for (long k = 0; k < at[PARTS]; k++) grads[k] = 0.0;
    linear_backward(trace + 3L * depth * bw, params + at[W_OUT], dlogits, dh, grads + at[W_OUT],
                    grads + at[B_OUT], batch, width, n_out);
    for (int l = depth - 1; l >= 0; l--) {
        const double *h = trace + (3L * l) * bw, *a = h + bw, *z = h + 2 * bw;
        for (long k = 0; k < bw; k++) dz[k] = z[k] > 0 ? dh[k] : 0;
        linear_backward(a, params + at[W_BLOCKS] + l * ww, dz, da, grads + at[W_BLOCKS] + l * ww,
                        grads + at[B_BLOCKS] + l * width, batch, width, width);
        layer_norm_backward(da, h, params + at[GAMMA] + l * width, EPS, batch, width, dx,
                            grads + at[GAMMA] + l * width, grads + at[BETA] + l * width);
        memcpy(dh, dx, sizeof(double) * bw);
    }
    linear_backward(x, params + at[W_IN], dh, NULL, grads + at[W_IN], grads + at[B_IN], batch, n_in, width);
    free(trace);
    free(logits);
    free(dh);
    free(dz);
    free(da);
    free(dx);
}

/* ---------------------------------------------------------------- run this file */

int main(void) {
    double x[3] = {1, 2, 6}, ones[3] = {1, 1, 1}, zeros[3] = {0, 0, 0}, y[3] = {0, 0, 0};
    layer_norm(x, ones, zeros, 0.0, 1, 3, y);
    printf("layer_norm(1, 2, 6) = %.6f %.6f %.6f, want %.6f %.6f %.6f\n", y[0], y[1], y[2],
           -2 * sqrt(3.0 / 14), -sqrt(3.0 / 14), 3 * sqrt(3.0 / 14));

    int shape[4] = {20, 2, 32, 2}, batch = 64;
    long at[PARTS + 1];
    layout(shape, at);
    double *normals = malloc(sizeof(double) * at[PARTS]), *params = malloc(sizeof(double) * at[PARTS]);
    double *grads = malloc(sizeof(double) * at[PARTS]), xs[64 * 2], logits[64 * 2], dlogits[64 * 2];
    srand(1);
    for (long k = 0; k < at[PARTS]; k++) {  /* Box-Muller from rand(): fine for a demo */
        double u = (rand() + 1.0) / (RAND_MAX + 2.0), v = (rand() + 1.0) / (RAND_MAX + 2.0);
        normals[k] = sqrt(-2 * log(u)) * cos(6.283185307179586 * v);
    }
    for (int k = 0; k < batch * 2; k++) xs[k] = normals[k] * 0.5;
    tower_build(shape, normals, params);
    tower_forward(shape, params, xs, batch, logits);
    for (int r = 0; r < batch; r++) {  /* dL/dlogits of the mean cross-entropy, every label 0 */
        double top = fmax(logits[2 * r], logits[2 * r + 1]);
        double e0 = exp(logits[2 * r] - top), e1 = exp(logits[2 * r + 1] - top);
        dlogits[2 * r] = (e0 / (e0 + e1) - 1) / batch;
        dlogits[2 * r + 1] = e1 / (e0 + e1) / batch;
    }
    tower_backward(shape, params, xs, batch, dlogits, grads);
    printf("the tower at init: |dL/dW[l]| per block");
    for (int l = 0; l < shape[0]; l++) {
        double sum = 0;
        for (long k = 0; k < 32L * 32; k++) {
            double g = grads[at[W_BLOCKS] + l * 32L * 32 + k];
            sum += g * g;
        }
        printf(" %.2g", sqrt(sum));
    }
    printf("\n");
    free(normals);
    free(params);
    free(grads);
    return 0;
}
