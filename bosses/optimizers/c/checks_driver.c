/* Trusted driver for module 7's lab checks, C path. Compiled together with the player's lab.c
 * (whose own main is renamed by -Dmain=... on the command line) and run in the sandbox.
 *
 * stdin:  the number of checks, then each check:
 *           optimizer n k                       which step function, θ's size, how many steps
 *           beta eps beta1 beta2 weight_decay   the hyperparameters (0 where the optimizer has none)
 *           theta0 (n numbers)
 *           then k lines: lr, then the gradient (n numbers)
 *         Inputs only: never an expected value.
 * fd 3:   one line per check in the runner's result format, written after the last step:
 *           {"case":c,"ok":true,"value":{"path":[θ0, θ after step 1, ..., θ after step k]}}
 *         the (k + 1) n numbers row after row.
 * The state (v, s, m) starts at zeros and t at 0, and lives across the check's steps, as the
 * function's comment promises. The lab's own printf goes to stdout, which never carries results.
 */
#undef main
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { MAX_SIZE = 100000, MAX_STEPS = 10000 };

static void nf_fail(const char *what) {
    fprintf(stderr, "checks driver: %s\n", what);
    exit(3);
}

static double *nf_zeros(long count) {
    double *array = calloc((size_t)count + 1, sizeof(double));
    if (array == NULL) nf_fail("out of memory");
    return array;
}

static void nf_read(double *array, long count) {
    for (long k = 0; k < count; k++)
        if (scanf("%lf", &array[k]) != 1) nf_fail("malformed numbers");
}

static void nf_number(FILE *out, double x) {
    if (isnan(x)) fputs("NaN", out);
    else if (isinf(x)) fputs(x > 0 ? "Infinity" : "-Infinity", out);
    else fprintf(out, "%.17g", x);
}

/* One step of the named optimizer on theta, with its state. */
static void nf_step(const char *name, double *theta, const double *grad, int n, double *m, double *v, int *t,
                    double lr, const double *hp) {
    double beta = hp[0], eps = hp[1], beta1 = hp[2], beta2 = hp[3], weight_decay = hp[4];
    if (strcmp(name, "sgd") == 0) sgd(theta, grad, n, lr);
    else if (strcmp(name, "momentum") == 0) momentum(theta, grad, n, v, lr, beta);
    else if (strcmp(name, "rmsprop") == 0) rmsprop(theta, grad, n, v, lr, beta, eps);
    else if (strcmp(name, "adam") == 0) adam(theta, grad, n, m, v, t, lr, beta1, beta2, eps);
    else if (strcmp(name, "adamw") == 0) adamw(theta, grad, n, m, v, t, lr, beta1, beta2, eps, weight_decay);
    else nf_fail("unknown optimizer");
}

int main(void) {
    FILE *out = fdopen(3, "w");
    if (out == NULL) out = stdout;  /* run by hand, outside the checks */
    int checks;
    if (scanf("%d", &checks) != 1 || checks < 0) nf_fail("malformed input");
    for (int c = 0; c < checks; c++) {
        char name[16];
        int n, k, t = 0;
        double hp[5];
        if (scanf("%15s %d %d", name, &n, &k) != 3 || n < 1 || n > MAX_SIZE || k < 0 || k > MAX_STEPS)
            nf_fail("malformed check");
        nf_read(hp, 5);
        double *path = nf_zeros((long)(k + 1) * n), *grad = nf_zeros(n), *m = nf_zeros(n), *v = nf_zeros(n);
        nf_read(path, n);
        for (int step = 1; step <= k; step++) {
            double lr, *theta = path + (long)step * n;
            if (scanf("%lf", &lr) != 1) nf_fail("malformed rate");
            nf_read(grad, n);
            memcpy(theta, theta - n, sizeof(double) * n);
            nf_step(name, theta, grad, n, m, v, &t, lr, hp);
        }
        fprintf(out, "{\"case\":%d,\"ok\":true,\"value\":{\"path\":[", c);
        for (long i = 0; i < (long)(k + 1) * n; i++) {
            if (i) fputc(',', out);
            nf_number(out, path[i]);
        }
        fputs("]}}\n", out);
        fflush(out);
        free(path);
        free(grad);
        free(m);
        free(v);
    }
    return 0;
}
