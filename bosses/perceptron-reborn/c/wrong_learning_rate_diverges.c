/* Wrong on purpose: fit_predict trains at lr 20 ("2 worked, 20 must be faster"); the
 * first steps overshoot so far that every hidden ReLU ends up off for every input, and the
 * network answers one class everywhere. Must lose.
 * Otherwise the module-5 C reference. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

/* ---------------------------------------------------------------- one neuron */

/* Rosenblatt's rule from w = 0, b = 0, the examples in order; mistakes[e] counts the examples
 * epoch e got wrong. */
void perceptron_train(const double *X, const int *y, int n, int epochs, double lr,
                      double *w, double *b, int *mistakes) {
    w[0] = w[1] = *b = 0;
    for (int e = 0; e < epochs; e++) {
        mistakes[e] = 0;
        for (int i = 0; i < n; i++) {
            const double *x = X + 2 * i;
            int y_hat = w[0] * x[0] + w[1] * x[1] + *b > 0;
            int error = y[i] - y_hat;
            w[0] += lr * error * x[0];
            w[1] += lr * error * x[1];
            *b += lr * error;
            mistakes[e] += error != 0;
        }
    }
}

/* ---------------------------------------------------------------- one hidden layer */

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

/* A ReLU hidden layer, then a sigmoid output: z1 = X W1 + b1, h1 = max(z1, 0),
 * p = sigmoid(h1 W2 + b2). z1 and h1 (n rows of H) are kept for the backward pass. */
void mlp_forward(const double *X, int n, int H, const double *W1, const double *b1,
                 const double *W2, double b2, double *z1, double *h1, double *p) {
    for (int i = 0; i < n; i++) {
        double z2 = b2;
        for (int j = 0; j < H; j++) {
            double z = X[2 * i] * W1[j] + X[2 * i + 1] * W1[H + j] + b1[j];
            z1[i * H + j] = z;
            h1[i * H + j] = z > 0 ? z : 0;
            z2 += h1[i * H + j] * W2[j];
        }
        p[i] = 1 / (1 + exp(-z2));
    }
}

/* Gradients of the mean binary cross-entropy. Through the sigmoid, dL/dz2 = (p - y) / n;
 * a ReLU passes gradient only where it was active (z1 > 0). */
void mlp_backward(const double *X, const int *y, int n, int H, const double *W2,
                  const double *z1, const double *h1, const double *p,
                  double *dW1, double *db1, double *dW2, double *db2) {
    for (int k = 0; k < 2 * H; k++) dW1[k] = 0;
    for (int j = 0; j < H; j++) db1[j] = dW2[j] = 0;
    *db2 = 0;
    for (int i = 0; i < n; i++) {
        double dz2 = (p[i] - y[i]) / n;
        *db2 += dz2;
        for (int j = 0; j < H; j++) {
            dW2[j] += h1[i * H + j] * dz2;
            double dz1 = z1[i * H + j] > 0 ? dz2 * W2[j] : 0;
            db1[j] += dz1;
            dW1[j] += X[2 * i] * dz1;
            dW1[H + j] += X[2 * i + 1] * dz1;
        }
    }
}

/* Full-batch gradient descent from mlp_init(H, seed). */
void mlp_train(const double *X, const int *y, int n, int H, int steps, double lr,
               unsigned long long seed, double *W1, double *b1, double *W2, double *b2) {
    double *z1 = malloc(sizeof(double) * n * H), *h1 = malloc(sizeof(double) * n * H);
    double *p = malloc(sizeof(double) * n);
    double *dW1 = malloc(sizeof(double) * 2 * H), *db1 = malloc(sizeof(double) * H);
    double *dW2 = malloc(sizeof(double) * H), db2;
    mlp_init(H, seed, W1, b1, W2, b2);
    for (int s = 0; s < steps; s++) {
        mlp_forward(X, n, H, W1, b1, W2, *b2, z1, h1, p);
        mlp_backward(X, y, n, H, W2, z1, h1, p, dW1, db1, dW2, &db2);
        for (int k = 0; k < 2 * H; k++) W1[k] -= lr * dW1[k];
        for (int j = 0; j < H; j++) {
            b1[j] -= lr * db1[j];
            W2[j] -= lr * dW2[j];
        }
        *b2 -= lr * db2;
    }
    free(z1); free(h1); free(p); free(dW1); free(db1); free(dW2);
}

/* ---------------------------------------------------------------- the boss's entry */

/* Train on (X, y) from seed, then write a label 0 or 1 for each of the m rows of X_test. */
void fit_predict(const double *X, const int *y, int n, unsigned long long seed,
                 const double *X_test, int m, int *labels) {
    enum { H = 64 };
    double W1[2 * H], b1[H], W2[H], b2;
    mlp_train(X, y, n, H, 3000, 20.0, seed, W1, b1, W2, &b2);
    double *z1 = malloc(sizeof(double) * m * H), *h1 = malloc(sizeof(double) * m * H);
    double *p = malloc(sizeof(double) * m);
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
    printf("  (never 0: no line splits XOR)\n");
    fit_predict(X, xor, 4, 0, X, 4, labels);
    printf("MLP on XOR: %d %d %d %d  (want 0 1 1 0)\n", labels[0], labels[1], labels[2], labels[3]);
    return 0;
}
