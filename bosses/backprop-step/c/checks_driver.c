/* Trusted driver for module 6's lab checks, C path. Compiled together with the player's lab.c
 * (whose own main is renamed by -Dmain=... on the command line) and run in the sandbox.
 *
 * stdin:  the number of checks, then each check: a word and its sizes, then its numbers.
 *           forward batch n_in n_out    x, W, b
 *           linear batch n_in n_out     x, W, dy
 *           relu n                      z, dh
 *           xent batch classes          logits, labels (ints)
 *           mlp batch n0 n1 n2 n3       params (W1 b1 W2 b2 W3 b3), x, labels (ints)
 *         Inputs only: never an expected value.
 * fd 3:   one line per check in the runner's result format, written after the lab returns:
 *           forward  {"case":c,"ok":true,"value":{"y":[...]}}
 *           linear   {"case":c,"ok":true,"value":{"dx":[...],"dW":[...],"db":[...]}}
 *           relu     {"case":c,"ok":true,"value":{"dz":[...]}}
 *           xent     {"case":c,"ok":true,"value":{"loss":L,"dlogits":[...]}}
 *           mlp      {"case":c,"ok":true,"value":{"loss":L,"grads":[...]}}
 * Every output starts as NaN, so a number the lab never writes shows as one. The lab's own
 * printf goes to stdout, which never carries results.
 */
#undef main
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { MAX_NUMBERS = 1000000 };

static void nf_fail(const char *what) {
    fprintf(stderr, "checks driver: %s\n", what);
    exit(3);
}

static long nf_size(long count) {
    if (count < 1 || count > MAX_NUMBERS) nf_fail("malformed size");
    return count;
}

static double *nf_nans(long count) {
    double *array = malloc(sizeof(double) * (size_t)(nf_size(count) + 1));
    if (array == NULL) nf_fail("out of memory");
    for (long k = 0; k <= count; k++) array[k] = NAN;
    return array;
}

static double *nf_read(long count) {
    double *array = nf_nans(count);
    for (long k = 0; k < count; k++)
        if (scanf("%lf", &array[k]) != 1) nf_fail("malformed numbers");
    return array;
}

static int *nf_read_ints(long count) {
    int *array = malloc(sizeof(int) * (size_t)(nf_size(count) + 1));
    if (array == NULL) nf_fail("out of memory");
    for (long k = 0; k < count; k++)
        if (scanf("%d", &array[k]) != 1) nf_fail("malformed labels");
    return array;
}

static void nf_number(FILE *out, double x) {
    if (isnan(x)) fputs("NaN", out);
    else if (isinf(x)) fputs(x > 0 ? "Infinity" : "-Infinity", out);
    else fprintf(out, "%.17g", x);
}

/* "name":[values] */
static void nf_array(FILE *out, const char *name, const double *values, long count) {
    fprintf(out, "\"%s\":[", name);
    for (long k = 0; k < count; k++) {
        if (k) fputc(',', out);
        nf_number(out, values[k]);
    }
    fputc(']', out);
}

static void nf_begin(FILE *out, int c) {
    fprintf(out, "{\"case\":%d,\"ok\":true,\"value\":{", c);
}

static void nf_end(FILE *out) {
    fputs("}}\n", out);
}

static void nf_linear(FILE *out, int c, int backward) {
    int batch, n_in, n_out;
    if (scanf("%d %d %d", &batch, &n_in, &n_out) != 3) nf_fail("malformed linear check");
    double *x = nf_read(nf_size(batch) * nf_size(n_in)), *W = nf_read((long)n_in * nf_size(n_out));
    if (!backward) {
        double *b = nf_read(n_out), *y = nf_nans((long)batch * n_out);
        linear_forward(x, W, b, y, batch, n_in, n_out);
        nf_begin(out, c);
        nf_array(out, "y", y, (long)batch * n_out);
        free(b);
        free(y);
    } else {
        double *dy = nf_read((long)batch * n_out), *dx = nf_nans((long)batch * n_in);
        double *dW = nf_nans((long)n_in * n_out), *db = nf_nans(n_out);
        linear_backward(x, W, dy, dx, dW, db, batch, n_in, n_out);
        nf_begin(out, c);
        nf_array(out, "dx", dx, (long)batch * n_in);
        fputc(',', out);
        nf_array(out, "dW", dW, (long)n_in * n_out);
        fputc(',', out);
        nf_array(out, "db", db, n_out);
        free(dy); free(dx); free(dW); free(db);
    }
    nf_end(out);
    free(x);
    free(W);
}

static void nf_relu(FILE *out, int c) {
    int n;
    if (scanf("%d", &n) != 1) nf_fail("malformed relu check");
    double *z = nf_read(n), *dh = nf_read(n), *dz = nf_nans(n);
    relu_backward(z, dh, dz, n);
    nf_begin(out, c);
    nf_array(out, "dz", dz, n);
    nf_end(out);
    free(z); free(dh); free(dz);
}

static void nf_xent(FILE *out, int c) {
    int batch, classes;
    if (scanf("%d %d", &batch, &classes) != 2) nf_fail("malformed xent check");
    long count = nf_size(batch) * nf_size(classes);
    double *logits = nf_read(count), *dlogits = nf_nans(count);
    int *labels = nf_read_ints(batch);
    double loss = softmax_xent(logits, labels, batch, classes, dlogits);
    nf_begin(out, c);
    fputs("\"loss\":", out);
    nf_number(out, loss);
    fputc(',', out);
    nf_array(out, "dlogits", dlogits, count);
    nf_end(out);
    free(logits); free(dlogits); free(labels);
}

static void nf_mlp(FILE *out, int c) {
    int batch, widths[4];
    if (scanf("%d %d %d %d %d", &batch, &widths[0], &widths[1], &widths[2], &widths[3]) != 5)
        nf_fail("malformed mlp check");
    long count = 0;
    for (int l = 0; l < 3; l++) count += nf_size(widths[l]) * nf_size(widths[l + 1]) + widths[l + 1];
    double *params = nf_read(count), *x = nf_read(nf_size(batch) * widths[0]), *grads = nf_nans(count);
    int *labels = nf_read_ints(batch);
    double loss = mlp_backward(widths, params, x, labels, batch, grads);
    nf_begin(out, c);
    fputs("\"loss\":", out);
    nf_number(out, loss);
    fputc(',', out);
    nf_array(out, "grads", grads, count);
    nf_end(out);
    free(params); free(x); free(grads); free(labels);
}

int main(void) {
    FILE *out = fdopen(3, "w");
    if (out == NULL) out = stdout;  /* run by hand, outside the checks */
    int checks;
    if (scanf("%d", &checks) != 1 || checks < 0) nf_fail("malformed input");
    for (int c = 0; c < checks; c++) {
        char word[16];
        if (scanf("%15s", word) != 1) nf_fail("malformed check");
        if (strcmp(word, "forward") == 0) nf_linear(out, c, 0);
        else if (strcmp(word, "linear") == 0) nf_linear(out, c, 1);
        else if (strcmp(word, "relu") == 0) nf_relu(out, c);
        else if (strcmp(word, "xent") == 0) nf_xent(out, c);
        else if (strcmp(word, "mlp") == 0) nf_mlp(out, c);
        else nf_fail("unknown check");
        fflush(out);
    }
    return 0;
}
