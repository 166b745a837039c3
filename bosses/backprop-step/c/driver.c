/* Trusted driver for module 6's boss, C path. Compiled together with the player's lab.c
 * (whose own main is renamed by -Dmain=... on the command line) and run in the sandbox.
 *
 * stdin:  the number of cases, then for each case a line "batch n0 n1 n2 n3", one line per
 *         parameter block (W1 b1 W2 b2 W3 b3, row-major), one line per row of x, and a line
 *         of labels. Inputs only: no expected values.
 * fd 3:   one line per case, written after mlp_backward returns, in the runner's result format:
 *         {"case":c,"ok":true,"value":{"loss":L,"grads":{"__nd__":"<base64>","dtype":"float64",
 *         "shape":[N]}}}, the N gradients as raw little-endian doubles (exact, and small).
 * Gradients start as NaN, so one the lab never writes cannot pass. The lab's own printf goes
 * to stdout, which never carries results.
 */
#undef main
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

double mlp_backward(const int *widths, const double *params, const double *x,
                    const int *labels, int batch, double *grads);

static void nf_fail(const char *what) {
    fprintf(stderr, "boss driver: %s\n", what);
    exit(3);
}

static void nf_number(FILE *out, double x) {
    if (isnan(x)) fputs("NaN", out);
    else if (isinf(x)) fputs(x > 0 ? "Infinity" : "-Infinity", out);
    else fprintf(out, "%.17g", x);
}

/* The doubles as base64 of their little-endian bytes. */
static void nf_base64(FILE *out, const double *values, size_t count) {
    static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t length = count * 8;
    unsigned char *bytes = malloc(length + 3);
    if (!bytes) nf_fail("out of memory");
    for (size_t k = 0; k < count; k++) {
        uint64_t bits;
        memcpy(&bits, &values[k], 8);
        for (int i = 0; i < 8; i++) bytes[k * 8 + i] = (unsigned char)(bits >> (8 * i));
    }
    for (size_t i = 0; i < length; i += 3) {
        unsigned a = bytes[i], b = i + 1 < length ? bytes[i + 1] : 0, c = i + 2 < length ? bytes[i + 2] : 0;
        fputc(alphabet[a >> 2], out);
        fputc(alphabet[((a & 3) << 4) | (b >> 4)], out);
        fputc(i + 1 < length ? alphabet[((b & 15) << 2) | (c >> 6)] : '=', out);
        fputc(i + 2 < length ? alphabet[c & 63] : '=', out);
    }
    free(bytes);
}

static void nf_read(double *into, size_t count) {
    for (size_t k = 0; k < count; k++)
        if (scanf("%lf", &into[k]) != 1) nf_fail("malformed numbers");
}

int main(void) {
    FILE *out = fdopen(3, "w");
    if (out == NULL) out = stdout;  /* run by hand, outside the fight */
    int cases;
    if (scanf("%d", &cases) != 1 || cases < 0) nf_fail("malformed input");
    for (int c = 0; c < cases; c++) {
        int batch, widths[4];
        if (scanf("%d %d %d %d %d", &batch, &widths[0], &widths[1], &widths[2], &widths[3]) != 5 || batch < 1)
            nf_fail("malformed case");
        size_t count = 0;
        for (int l = 0; l < 3; l++) {
            if (widths[l] < 1 || widths[l + 1] < 1) nf_fail("malformed widths");
            count += (size_t)widths[l] * widths[l + 1] + widths[l + 1];
        }
        double *params = malloc(sizeof(double) * count);
        double *grads = malloc(sizeof(double) * count);
        double *x = malloc(sizeof(double) * (size_t)batch * widths[0]);
        int *labels = malloc(sizeof(int) * (size_t)batch);
        if (!params || !grads || !x || !labels) nf_fail("out of memory");
        nf_read(params, count);
        nf_read(x, (size_t)batch * widths[0]);
        for (int r = 0; r < batch; r++)
            if (scanf("%d", &labels[r]) != 1) nf_fail("malformed labels");
        for (size_t k = 0; k < count; k++) grads[k] = NAN;  /* what a gradient never written reads as */

        double loss = mlp_backward(widths, params, x, labels, batch, grads);

        fprintf(out, "{\"case\":%d,\"ok\":true,\"value\":{\"loss\":", c);
        nf_number(out, loss);
        fputs(",\"grads\":{\"__nd__\":\"", out);
        nf_base64(out, grads, count);
        fprintf(out, "\",\"dtype\":\"float64\",\"shape\":[%zu]}}}\n", count);
        fflush(out);
        free(params);
        free(grads);
        free(x);
        free(labels);
    }
    return 0;
}
