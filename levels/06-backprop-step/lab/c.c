/* Module 6 lab, C edition: forward and backward for a linear layer and ReLU.
 *
 * Build and run:  gcc -std=c11 -O2 lab.c -lm && ./a.out
 * Arrays are flat and row-major: W has n_out rows and n_in columns, so
 * W[i * n_in + j] is the weight from input j to output i, and y = W x.
 */
#include <math.h>
#include <stdio.h>

/* y[i] = sum_j W[i][j] * x[j]. Returns 0 on success. */
int linear_forward(const double *W, const double *x, double *y, int n_out, int n_in) {
    (void)W; (void)x; (void)n_in;
    /* TODO: one dot product per output row */
    for (int i = 0; i < n_out; i++) y[i] = 0;
    return 0;
}

/* Given dy = dL/dy, write dx = W^T dy (n_in entries) and dW = dy x^T (n_out * n_in). */
int linear_backward(const double *W, const double *x, const double *dy,
                    double *dx, double *dW, int n_out, int n_in) {
    (void)W; (void)x; (void)dy;
    /* TODO: dW[i*n_in + j] = dy[i] * x[j];  dx[j] = sum_i W[i*n_in + j] * dy[i] */
    for (int j = 0; j < n_in; j++) dx[j] = 0;
    for (int k = 0; k < n_out * n_in; k++) dW[k] = 0;
    return 0;
}

/* dz[k] = dh[k] if z[k] > 0 else 0. */
int relu_backward(const double *dh, const double *z, double *dz, int n) {
    (void)dh; (void)z;
    /* TODO: apply the 0/1 mask */
    for (int k = 0; k < n; k++) dz[k] = 0;
    return 0;
}

/* L = sum_i g[i] * (W x)[i], the loss whose gradient with respect to y is g. */
static double probe_loss(const double *W, const double *x, const double *g, int n_out, int n_in) {
    double y[8], L = 0;
    linear_forward(W, x, y, n_out, n_in);
    for (int i = 0; i < n_out; i++) L += g[i] * y[i];
    return L;
}

int main(void) {
    double W[6] = {0.5, -1.0, 2.0, 1.5, 0.25, -0.75};  /* 2 x 3 */
    double x[3] = {1.0, 2.0, -1.0}, g[2] = {0.3, -0.6};
    double y[2], dx[3], dW[6];
    linear_forward(W, x, y, 2, 3);
    linear_backward(W, x, g, dx, dW, 2, 3);
    printf("y      = [%.4f, %.4f]   (want [-3.5000, 2.7500])\n", y[0], y[1]);
    printf("dx     = [%.4f, %.4f, %.4f]\n", dx[0], dx[1], dx[2]);

    double h = 1e-6, Wp[6], Wm[6];
    for (int k = 0; k < 6; k++) { Wp[k] = W[k]; Wm[k] = W[k]; }
    Wp[1] += h; Wm[1] -= h;
    double numeric = (probe_loss(Wp, x, g, 2, 3) - probe_loss(Wm, x, g, 2, 3)) / (2 * h);
    printf("dW[0][1] analytic %.6f  numeric %.6f\n", dW[1], numeric);
    return 0;
}
