/* Trusted driver for module 5's boss, C path. Compiled together with the player's lab.c (whose
 * own main is renamed by -Dmain=... on the command line) and run in the sandbox.
 *
 * stdin:  the number of cases, then each case: a word and its sizes, then its numbers.
 *           forward n H      X (2n), W1 (2H), b1 (H), W2 (H), b2 (1)
 *           backward n H     X (2n), y (n ints), W1, b1, W2, b2 as above
 *           train n m seed   X (2n), y (n ints), X_test (2m)
 *         Inputs only: never a held-out label or an expected value.
 * fd 3:   one line per case in the runner's result format, written after the lab returns:
 *           forward   {"case":c,"ok":true,"value":[p_0, ..., p_{n-1}]}
 *           backward  {"case":c,"ok":true,"value":{"W1":[2H],"b1":[H],"W2":[H],"b2":[1]}}
 *           train     {"case":c,"ok":true,"value":[label_0, ..., label_{m-1}]}
 * Outputs start as NaN (labels as -1), so a number the lab never wrote shows as one. The
 * backward case runs the lab's own mlp_forward first, as the Python path does. The lab's own
 * printf goes to stdout, which never carries results.
 */
#undef main
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void mlp_forward(const double *X, int n, int H, const double *W1, const double *b1,
                 const double *W2, double b2, double *z1, double *h1, double *p);
void mlp_backward(const double *X, const int *y, int n, int H, const double *W2,
                  const double *z1, const double *h1, const double *p,
                  double *dW1, double *db1, double *dW2, double *db2);
void fit_predict(const double *X, const int *y, int n, unsigned long long seed,
                 const double *X_test, int m, int *labels);

enum { MAX_POINTS = 100000, MAX_HIDDEN = 4096 };

static void nf_fail(const char *what) {
    fprintf(stderr, "boss driver: %s\n", what);
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

static void nf_list(FILE *out, const double *values, long count) {
    fputc('[', out);
    for (long k = 0; k < count; k++) {
        if (k) fputc(',', out);
        nf_number(out, values[k]);
    }
    fputc(']', out);
}

static void nf_sizes(int n, int H) {
    if (n < 1 || n > MAX_POINTS || H < 1 || H > MAX_HIDDEN) nf_fail("malformed sizes");
}

static void forward_case(FILE *out, int c, int n, int H) {
    double *X = nf_read_doubles(2L * n), *W1 = nf_read_doubles(2L * H), *b1 = nf_read_doubles(H);
    double *W2 = nf_read_doubles(H), *b2 = nf_read_doubles(1);
    double *z1 = nf_doubles((long)n * H), *h1 = nf_doubles((long)n * H), *p = nf_doubles(n);
    mlp_forward(X, n, H, W1, b1, W2, b2[0], z1, h1, p);
    fprintf(out, "{\"case\":%d,\"ok\":true,\"value\":", c);
    nf_list(out, p, n);
    fputs("}\n", out);
    free(X); free(W1); free(b1); free(W2); free(b2); free(z1); free(h1); free(p);
}

static void backward_case(FILE *out, int c, int n, int H) {
    double *X = nf_read_doubles(2L * n);
    int *y = nf_read_ints(n);
    double *W1 = nf_read_doubles(2L * H), *b1 = nf_read_doubles(H);
    double *W2 = nf_read_doubles(H), *b2 = nf_read_doubles(1);
    double *z1 = nf_doubles((long)n * H), *h1 = nf_doubles((long)n * H), *p = nf_doubles(n);
    double *dW1 = nf_doubles(2L * H), *db1 = nf_doubles(H), *dW2 = nf_doubles(H), *db2 = nf_doubles(1);
    mlp_forward(X, n, H, W1, b1, W2, b2[0], z1, h1, p);
    mlp_backward(X, y, n, H, W2, z1, h1, p, dW1, db1, dW2, db2);
    fprintf(out, "{\"case\":%d,\"ok\":true,\"value\":{\"W1\":", c);
    nf_list(out, dW1, 2L * H);
    fputs(",\"b1\":", out);
    nf_list(out, db1, H);
    fputs(",\"W2\":", out);
    nf_list(out, dW2, H);
    fputs(",\"b2\":", out);
    nf_list(out, db2, 1);
    fputs("}}\n", out);
    free(X); free(y); free(W1); free(b1); free(W2); free(b2); free(z1); free(h1); free(p);
    free(dW1); free(db1); free(dW2); free(db2);
}

static void train_case(FILE *out, int c, int n, int m, unsigned long long seed) {
    double *X = nf_read_doubles(2L * n);
    int *y = nf_read_ints(n);
    double *X_test = nf_read_doubles(2L * m);
    int *labels = nf_ints(m);
    fit_predict(X, y, n, seed, X_test, m, labels);
    fprintf(out, "{\"case\":%d,\"ok\":true,\"value\":[", c);
    for (int i = 0; i < m; i++) fprintf(out, "%s%d", i ? "," : "", labels[i]);
    fputs("]}\n", out);
    free(X); free(y); free(X_test); free(labels);
}

int main(void) {
    FILE *out = fdopen(3, "w");
    if (out == NULL) out = stdout;  /* run by hand, outside the fight */
    int cases;
    if (scanf("%d", &cases) != 1 || cases < 0) nf_fail("malformed input");
    for (int c = 0; c < cases; c++) {
        char kind[16];
        int n, size;
        if (scanf("%15s %d %d", kind, &n, &size) != 3) nf_fail("malformed case");
        if (strcmp(kind, "forward") == 0) {
            nf_sizes(n, size);
            forward_case(out, c, n, size);
        } else if (strcmp(kind, "backward") == 0) {
            nf_sizes(n, size);
            backward_case(out, c, n, size);
        } else if (strcmp(kind, "train") == 0) {
            unsigned long long seed;
            if (scanf("%llu", &seed) != 1) nf_fail("malformed seed");
            nf_sizes(n, 1);
            nf_sizes(size, 1);
            train_case(out, c, n, size, seed);
        } else {
            nf_fail("unknown case");
        }
        fflush(out);
    }
    return 0;
}
