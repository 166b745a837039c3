/* Trusted driver for module 7's boss, C path. Compiled together with the player's lab.c
 * (whose own main is renamed by -Dmain=... on the command line) and run in the sandbox.
 *
 * stdin:  the number of cases, then for each case the lines
 *           "optimizer surface steps n"    optimizer 0-4: sgd momentum rmsprop adam adamw;
 *                                          surface 0-4: quadratic rosenbrock saddle beale bowl
 *           the surface's constants        3, 2, 2, 1 or n numbers
 *           "beta beta1 beta2 eps weight_decay"   the hyperparameters (unused ones are 0)
 *           theta0                         n numbers
 *           the learning rate of each step steps numbers
 *         Inputs only: no expected values.
 * fd 3:   one line per case, after its last step, in the runner's result format:
 *         {"case":c,"ok":true,"value":{"__nd__":"<base64>","dtype":"float64","shape":[steps+1,n]}},
 *         the trajectory as raw little-endian doubles (exact, and small).
 * The gradients are the Python boss's, operation for operation (boss.py: quadratic, rosenbrock,
 * saddle, beale, bowl), so the same iterate gives the same gradient to the last bit. The lab's
 * own printf goes to stdout, which never carries results.
 */
#undef main
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void sgd(double *theta, const double *grad, int n, double lr);
void momentum(double *theta, const double *grad, int n, double *v, double lr, double beta);
void rmsprop(double *theta, const double *grad, int n, double *s, double lr, double beta, double eps);
void adam(double *theta, const double *grad, int n, double *m, double *v, int *t,
          double lr, double beta1, double beta2, double eps);
void adamw(double *theta, const double *grad, int n, double *m, double *v, int *t,
           double lr, double beta1, double beta2, double eps, double weight_decay);

enum { QUADRATIC, ROSENBROCK, SADDLE, BEALE, BOWL };
static const int CONSTANTS[] = {3, 2, 2, 1, -1};  /* -1: n of them */

static void nf_fail(const char *what) {
    fprintf(stderr, "boss driver: %s\n", what);
    exit(3);
}

static void nf_read(double *into, size_t count) {
    for (size_t k = 0; k < count; k++)
        if (scanf("%lf", &into[k]) != 1) nf_fail("malformed numbers");
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

/* The surface's gradient at p, into g: the same operations, in the same order, as boss.py. */
static void nf_gradient(int surface, const double *c, const double *p, double *g, int n) {
    double x = p[0], y = n > 1 ? p[1] : 0;
    switch (surface) {
    case QUADRATIC:
        g[0] = c[0] * x + c[1] * y;
        g[1] = c[1] * x + c[2] * y;
        break;
    case ROSENBROCK:
        g[0] = -2.0 * (c[0] - x) - 4.0 * c[1] * x * (y - x * x);
        g[1] = 2.0 * c[1] * (y - x * x);
        break;
    case SADDLE:
        g[0] = c[0] * x;
        g[1] = c[1] * (y * y * y - y);
        break;
    case BEALE: {
        double t1 = 1.5 - x + x * y, t2 = 2.25 - x + x * y * y, t3 = 2.625 - x + x * y * y * y;
        g[0] = 2.0 * t1 * (y - 1.0) + 2.0 * t2 * (y * y - 1.0) + 2.0 * t3 * (y * y * y - 1.0);
        g[1] = 2.0 * t1 * x + 4.0 * t2 * x * y + 6.0 * t3 * x * y * y;
        break;
    }
    default:
        for (int k = 0; k < n; k++) g[k] = c[k] * p[k];
    }
}

int main(void) {
    FILE *out = fdopen(3, "w");
    if (out == NULL) out = stdout;  /* run by hand, outside the fight */
    int cases;
    if (scanf("%d", &cases) != 1 || cases < 0) nf_fail("malformed input");
    for (int c = 0; c < cases; c++) {
        int optimizer, surface, steps, n, t = 0;
        if (scanf("%d %d %d %d", &optimizer, &surface, &steps, &n) != 4 || optimizer < 0 || optimizer > 4
            || surface < 0 || surface > BOWL || steps < 1 || n < 1 || (surface != BOWL && n != 2))
            nf_fail("malformed case");
        int constants = CONSTANTS[surface] < 0 ? n : CONSTANTS[surface];
        double hp[5], k[64];
        if (constants > 64) nf_fail("too many constants");
        nf_read(k, (size_t)constants);
        nf_read(hp, 5);
        double *path = malloc(sizeof(double) * (size_t)(steps + 1) * n);
        double *lrs = malloc(sizeof(double) * (size_t)steps);
        double *theta = malloc(sizeof(double) * n), *grad = malloc(sizeof(double) * n);
        double *m = calloc(n, sizeof(double)), *v = calloc(n, sizeof(double));
        if (!path || !lrs || !theta || !grad || !m || !v) nf_fail("out of memory");
        nf_read(theta, n);
        nf_read(lrs, steps);
        memcpy(path, theta, sizeof(double) * n);
        for (int step = 0; step < steps; step++) {
            double lr = lrs[step];
            nf_gradient(surface, k, theta, grad, n);
            switch (optimizer) {
            case 0: sgd(theta, grad, n, lr); break;
            case 1: momentum(theta, grad, n, v, lr, hp[0]); break;
            case 2: rmsprop(theta, grad, n, v, lr, hp[0], hp[3]); break;
            case 3: adam(theta, grad, n, m, v, &t, lr, hp[1], hp[2], hp[3]); break;
            default: adamw(theta, grad, n, m, v, &t, lr, hp[1], hp[2], hp[3], hp[4]);
            }
            memcpy(path + (size_t)(step + 1) * n, theta, sizeof(double) * n);
        }
        fprintf(out, "{\"case\":%d,\"ok\":true,\"value\":{\"__nd__\":\"", c);
        nf_base64(out, path, (size_t)(steps + 1) * n);
        fprintf(out, "\",\"dtype\":\"float64\",\"shape\":[%d,%d]}}\n", steps + 1, n);
        fflush(out);
        free(path);
        free(lrs);
        free(theta);
        free(grad);
        free(m);
        free(v);
    }
    return 0;
}
