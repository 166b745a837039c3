/* Module 5 lab, C edition: a perceptron, then a two-layer MLP trained by hand.
 *
 * Build and run:  gcc -std=c11 -O2 lab.c -lm && ./a.out
 * Arrays are flat and row-major: X holds n rows of 2 doubles (row i at X + 2*i); W1 holds 2
 * rows of H (W1[i*H + j] joins input i to hidden unit j); b1 and W2 hold H doubles; b2 is one
 * double. The boss calls mlp_forward, mlp_backward and fit_predict (its own main replaces
 * yours during the fight). Fill in the TODOs until main prints what it wants.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

/* Rosenblatt's rule from w = 0, b = 0, the examples in order: y_hat = (w·x + b > 0), then
 * w += lr (y - y_hat) x and b += lr (y - y_hat). mistakes[e] counts the examples epoch e
 * got wrong. */
void perceptron_train(const double *X, const int *y, int n, int epochs, double lr,
                      double *w, double *b, int *mistakes) {
    (void)X; (void)y; (void)n; (void)lr;
    w[0] = w[1] = *b = 0;
    for (int e = 0; e < epochs; e++) mistakes[e] = -1;
    /* TODO: loop over epochs, then over the examples; update w and b on each mistake */
}

/* A standard normal number from a splitmix64 stream (Box–Muller). Given. */
static double randn(unsigned long long *state) {
    double u[2];
    for (int k = 0; k < 2; k++) {
        unsigned long long z = (*state += 0x9E3779B97F4A7C15ULL);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
        u[k] = ((z ^ (z >> 31)) >> 11) * 0x1.0p-53;  /* uniform in [0, 1) */
    }
    return sqrt(-2 * log(1 - u[0])) * cos(6.283185307179586 * u[1]);
}

/* He initialisation: W ~ N(0, 2 / fan_in), biases zero. Given. */
void mlp_init(int H, unsigned long long seed, double *W1, double *b1, double *W2, double *b2) {
    unsigned long long state = seed;
    for (int k = 0; k < 2 * H; k++) W1[k] = randn(&state) * sqrt(2.0 / 2);
    for (int j = 0; j < H; j++) W2[j] = randn(&state) * sqrt(2.0 / H);
    for (int j = 0; j < H; j++) b1[j] = 0;
    *b2 = 0;
}

/* z1 = X W1 + b1, h1 = max(z1, 0), p = sigmoid(h1 W2 + b2). Keep z1 and h1 (n rows of H):
 * the backward pass needs them. */
void mlp_forward(const double *X, int n, int H, const double *W1, const double *b1,
                 const double *W2, double b2, double *z1, double *h1, double *p) {
    (void)X; (void)n; (void)H; (void)W1; (void)b1; (void)W2; (void)b2; (void)z1; (void)h1; (void)p;
    /* TODO: for each row i and hidden unit j: z1[i*H + j], h1[i*H + j]; then p[i] */
}

/* Gradients of the mean binary cross-entropy: start from dz2 = (p[i] - y[i]) / n; then
 * dW2[j] += h1 dz2, db2 += dz2; dz1 = dz2 W2[j] where z1 > 0 (else 0); dW1 += x dz1, db1 += dz1.
 * Set every gradient to 0 before you add into it. */
void mlp_backward(const double *X, const int *y, int n, int H, const double *W2,
                  const double *z1, const double *h1, const double *p,
                  double *dW1, double *db1, double *dW2, double *db2) {
    (void)X; (void)y; (void)n; (void)H; (void)W2; (void)z1; (void)h1; (void)p;
    (void)dW1; (void)db1; (void)dW2; (void)db2;
    /* TODO: one pass over the rows, accumulating every gradient */
}

/* Full-batch gradient descent from mlp_init(H, seed). */
void mlp_train(const double *X, const int *y, int n, int H, int steps, double lr,
               unsigned long long seed, double *W1, double *b1, double *W2, double *b2) {
    (void)X; (void)y; (void)n; (void)steps; (void)lr;
    mlp_init(H, seed, W1, b1, W2, b2);
    /* TODO: malloc z1, h1 (n*H), p (n) and the gradients; `steps` times: forward, backward,
     * then W -= lr * dW for every parameter; free what you malloc'd */
}

/* The boss's entry: train on (X, y) from seed, then label each of the m rows of X_test 0 or 1.
 * TODO: these settings are a start, enough for XOR (mostly) and not for the spirals. */
void fit_predict(const double *X, const int *y, int n, unsigned long long seed,
                 const double *X_test, int m, int *labels) {
    enum { H = 8 };
    double W1[2 * H], b1[H], W2[H], b2;
    mlp_train(X, y, n, H, 1000, 0.5, seed, W1, b1, W2, &b2);
    double *z1 = malloc(sizeof(double) * m * H), *h1 = malloc(sizeof(double) * m * H);
    double *p = malloc(sizeof(double) * m);
    for (int i = 0; i < m; i++) p[i] = NAN;
    mlp_forward(X_test, m, H, W1, b1, W2, b2, z1, h1, p);
    for (int i = 0; i < m; i++) labels[i] = p[i] > 0.5;
    free(z1); free(h1); free(p);
}

int main(void) {
    double X[8] = {0, 0, 0, 1, 1, 0, 1, 1}, w[2], b;
    int xor[4] = {0, 1, 1, 0}, mistakes[8], labels[4];
    perceptron_train(X, xor, 4, 8, 1.0, w, &b, mistakes);
    printf("perceptron on XOR, mistakes per epoch:");
    for (int e = 0; e < 8; e++) printf(" %d", mistakes[e]);
    printf("  (want 2 3 4 4 4 4 4 4: never 0)\n");
    fit_predict(X, xor, 4, 0, X, 4, labels);
    printf("MLP on XOR: %d %d %d %d  (want 0 1 1 0)\n", labels[0], labels[1], labels[2], labels[3]);
    return 0;
}
