/* Trusted driver for module 5's lab checks, C path. Compiled together with the player's lab.c
 * (whose own main is renamed by -Dmain=... on the command line) and run in the sandbox.
 *
 * stdin:  the number of checks, then each check: a word and its sizes, then its numbers.
 *           perceptron n epochs lr   X (2n), y (n ints)
 *           init H seed
 *           forward n H              X (2n), W1 (2H), b1 (H), W2 (H), b2 (1)
 *           backward n H             X (2n), y (n ints), W1, b1, W2, b2 as above
 *           train n H steps lr seed  X (2n), y (n ints)
 *           fit n m seed             X (2n), y (n ints), X_test (2m)
 *         Inputs only: never a held-out label or an expected value.
 * fd 3:   one line per check in the runner's result format, written after the lab returns:
 *           perceptron     {"case":c,"ok":true,"value":{"w":[2],"b":x,"mistakes":[epochs]}}
 *           init, train    {"case":c,"ok":true,"value":{"W1":[2H],"b1":[H],"W2":[H],"b2":[1]}}
 *           forward        {"case":c,"ok":true,"value":[p_0, ..., p_{n-1}]}
 *           backward       {"case":c,"ok":true,"value":{"W1":[2H],"b1":[H],"W2":[H],"b2":[1]}}
 *           fit            {"case":c,"ok":true,"value":[label_0, ..., label_{m-1}]}
 * Outputs start as NaN (ints as -1), so a number the lab never wrote shows as one. The backward
 * check runs the lab's own mlp_forward first, as the Python check does. The lab's own printf
 * goes to stdout, which never carries results.
 */
#undef main
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { MAX_POINTS = 100000, MAX_HIDDEN = 4096, MAX_EPOCHS = 100000 };

static void nf_fail(const char *what) {
    fprintf(stderr, "checks driver: %s\n", what);
    exit(3);
}

static double *nf_doubles(long count) {
    double *array = malloc(sizeof(double) * (size_t)(count + 1));
    if (array == NULL) nf_fail("out of memory");
    for (long k = 0; k <= count; k++) array[k] = NAN;
    return array;
}

static int *nf_ints(long count) {
    int *array = malloc(sizeof(int) * (size_t)(count + 1));
    if (array == NULL) nf_fail("out of memory");
    for (long k = 0; k <= count; k++) array[k] = -1;
    return array;
}

static double *nf_read_doubles(long count) {
    double *array = nf_doubles(count);
    for (long k = 0; k < count; k++)
        if (scanf("%lf", &array[k]) != 1) nf_fail("malformed numbers");
    return array;
}

static int *nf_read_ints(long count) {
    int *array = nf_ints(count);
    for (long k = 0; k < count; k++)
        if (scanf("%d", &array[k]) != 1) nf_fail("malformed labels");
    return array;
}

static void nf_number(FILE *out, double x) {
    if (isnan(x)) fputs("NaN", out);
    else if (isinf(x)) fputs(x > 0 ? "Infinity" : "-Infinity", out);
    else fprintf(out, "%.17g", x);
}

static void nf_doubles_out(FILE *out, const double *values, int count) {
    fputc('[', out);
    for (int k = 0; k < count; k++) {
        if (k) fputc(',', out);
        nf_number(out, values[k]);
    }
    fputc(']', out);
}

static void nf_ints_out(FILE *out, const int *values, int count) {
    fputc('[', out);
    for (int k = 0; k < count; k++) fprintf(out, "%s%d", k ? "," : "", values[k]);
    fputc(']', out);
}

static void nf_params_out(FILE *out, int c, int H, const double *W1, const double *b1, const double *W2,
                          const double *b2) {
    fprintf(out, "{\"case\":%d,\"ok\":true,\"value\":{\"W1\":", c);
    nf_doubles_out(out, W1, 2 * H);
    fputs(",\"b1\":", out);
    nf_doubles_out(out, b1, H);
    fputs(",\"W2\":", out);
    nf_doubles_out(out, W2, H);
    fputs(",\"b2\":", out);
    nf_doubles_out(out, b2, 1);
    fputs("}}\n", out);
}

static void nf_sizes(int n, int H) {
    if (n < 1 || n > MAX_POINTS || H < 1 || H > MAX_HIDDEN) nf_fail("malformed sizes");
}

static void nf_perceptron(FILE *out, int c) {
    int n, epochs;
    double lr;
    if (scanf("%d %d %lf", &n, &epochs, &lr) != 3 || n < 1 || n > MAX_POINTS || epochs < 1 || epochs > MAX_EPOCHS)
        nf_fail("malformed perceptron check");
    double *X = nf_read_doubles(2L * n), *w = nf_doubles(2), b = NAN;
    int *y = nf_read_ints(n), *mistakes = nf_ints(epochs);
    perceptron_train(X, y, n, epochs, lr, w, &b, mistakes);
    fprintf(out, "{\"case\":%d,\"ok\":true,\"value\":{\"w\":", c);
    nf_doubles_out(out, w, 2);
    fputs(",\"b\":", out);
    nf_number(out, b);
    fputs(",\"mistakes\":", out);
    nf_ints_out(out, mistakes, epochs);
    fputs("}}\n", out);
    free(X); free(w); free(y); free(mistakes);
}

static void nf_init(FILE *out, int c) {
    int H;
    unsigned long long seed;
    if (scanf("%d %llu", &H, &seed) != 2) nf_fail("malformed init check");
    nf_sizes(1, H);
    double *W1 = nf_doubles(2L * H), *b1 = nf_doubles(H), *W2 = nf_doubles(H), b2 = NAN;
    mlp_init(H, seed, W1, b1, W2, &b2);
    nf_params_out(out, c, H, W1, b1, W2, &b2);
    free(W1); free(b1); free(W2);
}

static void nf_forward_or_backward(FILE *out, int c, int backward) {
    int n, H;
    if (scanf("%d %d", &n, &H) != 2) nf_fail("malformed check");
    nf_sizes(n, H);
    double *X = nf_read_doubles(2L * n);
    int *y = backward ? nf_read_ints(n) : NULL;
    double *W1 = nf_read_doubles(2L * H), *b1 = nf_read_doubles(H), *W2 = nf_read_doubles(H);
    double *b2 = nf_read_doubles(1);
    double *z1 = nf_doubles((long)n * H), *h1 = nf_doubles((long)n * H), *p = nf_doubles(n);
    mlp_forward(X, n, H, W1, b1, W2, *b2, z1, h1, p);
    if (!backward) {
        fprintf(out, "{\"case\":%d,\"ok\":true,\"value\":", c);
        nf_doubles_out(out, p, n);
        fputs("}\n", out);
    } else {
        double *dW1 = nf_doubles(2L * H), *db1 = nf_doubles(H), *dW2 = nf_doubles(H), db2 = NAN;
        mlp_backward(X, y, n, H, W2, z1, h1, p, dW1, db1, dW2, &db2);
        nf_params_out(out, c, H, dW1, db1, dW2, &db2);
        free(dW1); free(db1); free(dW2);
    }
    free(X); free(y); free(W1); free(b1); free(W2); free(b2); free(z1); free(h1); free(p);
}

static void nf_train(FILE *out, int c) {
    int n, H, steps;
    double lr;
    unsigned long long seed;
    if (scanf("%d %d %d %lf %llu", &n, &H, &steps, &lr, &seed) != 5 || steps < 0 || steps > MAX_EPOCHS)
        nf_fail("malformed train check");
    nf_sizes(n, H);
    double *X = nf_read_doubles(2L * n);
    int *y = nf_read_ints(n);
    double *W1 = nf_doubles(2L * H), *b1 = nf_doubles(H), *W2 = nf_doubles(H), b2 = NAN;
    mlp_train(X, y, n, H, steps, lr, seed, W1, b1, W2, &b2);
    nf_params_out(out, c, H, W1, b1, W2, &b2);
    free(X); free(y); free(W1); free(b1); free(W2);
}

static void nf_fit(FILE *out, int c) {
    int n, m;
    unsigned long long seed;
    if (scanf("%d %d %llu", &n, &m, &seed) != 3) nf_fail("malformed fit check");
    nf_sizes(n, 1);
    nf_sizes(m, 1);
    double *X = nf_read_doubles(2L * n);
    int *y = nf_read_ints(n);
    double *X_test = nf_read_doubles(2L * m);
    int *labels = nf_ints(m);
    fit_predict(X, y, n, seed, X_test, m, labels);
    fprintf(out, "{\"case\":%d,\"ok\":true,\"value\":", c);
    nf_ints_out(out, labels, m);
    fputs("}\n", out);
    free(X); free(y); free(X_test); free(labels);
}

int main(void) {
    FILE *out = fdopen(3, "w");
    if (out == NULL) out = stdout;  /* run by hand, outside the checks */
    int checks;
    if (scanf("%d", &checks) != 1 || checks < 0) nf_fail("malformed input");
    for (int c = 0; c < checks; c++) {
        char word[16];
        if (scanf("%15s", word) != 1) nf_fail("malformed check");
        if (strcmp(word, "perceptron") == 0) nf_perceptron(out, c);
        else if (strcmp(word, "init") == 0) nf_init(out, c);
        else if (strcmp(word, "forward") == 0) nf_forward_or_backward(out, c, 0);
        else if (strcmp(word, "backward") == 0) nf_forward_or_backward(out, c, 1);
        else if (strcmp(word, "train") == 0) nf_train(out, c);
        else if (strcmp(word, "fit") == 0) nf_fit(out, c);
        else nf_fail("unknown check");
        fflush(out);
    }
    return 0;
}
