/* Trusted driver for module 8's lab checks, C path. Compiled together with the player's lab.c
 * (whose own main is renamed by -Dmain=... on the command line) and run in the sandbox. The
 * tower's trials (health, probe, train) are the boss's (driver.c), read the same way; the rest
 * call one function each.
 *
 * stdin:  the number of checks, then each check as a word and its numbers (inputs only, never an
 *         expected value):
 *   layernorm rows n eps, then x (rows x n), gamma (n), beta (n)
 *   lnbackward rows n eps, then dy (rows x n), x (rows x n), gamma (n), and the numbers dgamma
 *     and dbeta start at (n each: layer_norm_backward adds to them)
 *   build depth n_in width n_out seed              tower_build twice from the same normals
 *   forward depth n_in width n_out seed batch, then x (batch x n_in): tower_forward twice
 *   backward depth n_in width n_out seed batch, then x, labels (batch): tower_backward's grads
 *   health, probe, train: as the boss's H, P and T (see driver.c)
 * fd 3:   one line per check in the runner's result format, every array as base64 of its raw
 *         little-endian doubles: {"case":c,"ok":true,"value":...}.
 * The tower's initial weights come from `normals`, one N(0, 1) per parameter drawn here from
 * the check's seed (splitmix64 and Box-Muller, as the boss draws them). Every output buffer
 * starts as NaN, so an entry the lab never writes cannot pass. The lab's own printf goes to
 * stdout, which never carries results.
 */
#undef main
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static FILE *nf_out;

static void nf_fail(const char *what) {
    fprintf(stderr, "checks driver: %s\n", what);
    exit(3);
}

static double *nf_alloc(long count) {
    if (count < 1 || count > 50000000L) nf_fail("malformed size");
    double *p = malloc(sizeof(double) * (size_t)count);
    if (!p) nf_fail("out of memory");
    for (long k = 0; k < count; k++) p[k] = NAN;
    return p;
}

static void nf_read(double *into, long count) {
    for (long k = 0; k < count; k++)
        if (scanf("%lf", &into[k]) != 1) nf_fail("malformed numbers");
}

static int *nf_read_ints(long count, int below) {
    int *p = malloc(sizeof(int) * (size_t)(count > 0 ? count : 1));
    if (!p) nf_fail("out of memory");
    for (long k = 0; k < count; k++)
        if (scanf("%d", &p[k]) != 1 || p[k] < 0 || p[k] >= below) nf_fail("malformed indices");
    return p;
}

static void nf_number(double x) {
    if (isnan(x)) fputs("NaN", nf_out);
    else if (isinf(x)) fputs(x > 0 ? "Infinity" : "-Infinity", nf_out);
    else fprintf(nf_out, "%.17g", x);
}

/* {"__nd__": base64 of the doubles' little-endian bytes, "dtype": "float64", "shape": [count]} */
static void nf_array(const double *values, long count) {
    static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t length = (size_t)count * 8;
    unsigned char *bytes = malloc(length + 3);
    if (!bytes) nf_fail("out of memory");
    for (long k = 0; k < count; k++) {
        uint64_t bits;
        memcpy(&bits, &values[k], 8);
        for (int i = 0; i < 8; i++) bytes[k * 8 + i] = (unsigned char)(bits >> (8 * i));
    }
    fputs("{\"__nd__\":\"", nf_out);
    for (size_t i = 0; i < length; i += 3) {
        unsigned a = bytes[i], b = i + 1 < length ? bytes[i + 1] : 0, c = i + 2 < length ? bytes[i + 2] : 0;
        fputc(alphabet[a >> 2], nf_out);
        fputc(alphabet[((a & 3) << 4) | (b >> 4)], nf_out);
        fputc(i + 1 < length ? alphabet[((b & 15) << 2) | (c >> 6)] : '=', nf_out);
        fputc(i + 2 < length ? alphabet[c & 63] : '=', nf_out);
    }
    fprintf(nf_out, "\",\"dtype\":\"float64\",\"shape\":[%ld]}", count);
    free(bytes);
}

/* ---------------------------------------------------------------- the tower's sizes, normals */

static long nf_size(const int *s) {  /* depth, n_in, width, n_out */
    for (int k = 0; k < 4; k++)
        if (s[k] < 1 || s[k] > 4096) nf_fail("malformed shape");
    long d = s[0], i = s[1], w = s[2], o = s[3];
    return i * w + w + 2 * d * w + d * w * w + d * w + w * o + o;
}

static long nf_w_blocks(const int *s) {  /* where W starts in params */
    long d = s[0], i = s[1], w = s[2];
    return i * w + w + 2 * d * w;
}

static uint64_t nf_state;

static double nf_uniform(void) {  /* splitmix64, then 53 bits in (0, 1) */
    uint64_t z = (nf_state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    z ^= z >> 31;
    return ((z >> 11) + 0.5) / 9007199254740992.0;
}

static double *nf_build(const int *shape, unsigned long long seed) {
    long size = nf_size(shape);
    double *normals = nf_alloc(size), *params = nf_alloc(size);
    nf_state = seed;
    for (long k = 0; k < size; k++)
        normals[k] = sqrt(-2.0 * log(nf_uniform())) * cos(6.283185307179586 * nf_uniform());
    tower_build(shape, normals, params);
    free(normals);
    return params;
}

/* The mean softmax cross-entropy of logits (batch x classes) and, when dlogits is not NULL,
 * its gradient. */
static double nf_cross_entropy(const double *logits, const int *labels, int batch, int classes, double *dlogits) {
    double loss = 0;
    for (int r = 0; r < batch; r++) {
        const double *z = logits + (long)r * classes;
        double top = z[0], total = 0;
        for (int j = 1; j < classes; j++) top = z[j] > top ? z[j] : top;
        for (int j = 0; j < classes; j++) total += exp(z[j] - top);
        loss += top + log(total) - z[labels[r]];
        if (dlogits)
            for (int j = 0; j < classes; j++)
                dlogits[(long)r * classes + j] = (exp(z[j] - top) / total - (j == labels[r])) / batch;
    }
    return loss / batch;
}

/* ---------------------------------------------------------------- the trials */

static void nf_begin(int c) {  /* after the lab has answered: a line it cannot interrupt */
    fprintf(nf_out, "{\"case\":%d,\"ok\":true,\"value\":", c);
}

static void nf_layer_norm(int c) {
    int rows, n;
    double eps;
    if (scanf("%d %d %lf", &rows, &n, &eps) != 3 || rows < 1 || n < 1 || rows > 10000 || n > 10000)
        nf_fail("malformed layer_norm case");
    double *x = nf_alloc((long)rows * n), *gamma = nf_alloc(n), *beta = nf_alloc(n), *y = nf_alloc((long)rows * n);
    nf_read(x, (long)rows * n);
    nf_read(gamma, n);
    nf_read(beta, n);
    layer_norm(x, gamma, beta, eps, rows, n, y);
    nf_begin(c);
    nf_array(y, (long)rows * n);
    free(x);
    free(gamma);
    free(beta);
    free(y);
}

/* Reads "depth n_in width n_out seed batch", x and labels; builds the tower. */
static double *nf_tower(int *shape, int *batch, double **x, int **labels) {
    unsigned long long seed;
    if (scanf("%d %d %d %d %llu %d", &shape[0], &shape[1], &shape[2], &shape[3], &seed, batch) != 6 ||
        *batch < 1 || *batch > 100000)
        nf_fail("malformed tower case");
    *x = nf_alloc((long)*batch * shape[1]);
    nf_read(*x, (long)*batch * shape[1]);
    *labels = nf_read_ints(*batch, shape[3]);
    return nf_build(shape, seed);
}

static void nf_health(int c) {
    int shape[4], batch, *labels;
    double *x, *params = nf_tower(shape, &batch, &x, &labels);
    double *logits = nf_alloc((long)batch * shape[3]), *dlogits = nf_alloc((long)batch * shape[3]);
    double *grads = nf_alloc(nf_size(shape)), *norms = nf_alloc(shape[0]);
    tower_forward(shape, params, x, batch, logits);
    double loss = nf_cross_entropy(logits, labels, batch, shape[3], dlogits);
    tower_backward(shape, params, x, batch, dlogits, grads);
    long ww = (long)shape[2] * shape[2];
    for (int l = 0; l < shape[0]; l++) {
        double sum = 0;
        for (long k = 0; k < ww; k++) sum += grads[nf_w_blocks(shape) + l * ww + k] * grads[nf_w_blocks(shape) + l * ww + k];
        norms[l] = sqrt(sum);
    }
    nf_begin(c);
    fputs("{\"norms\":", nf_out);
    nf_array(norms, shape[0]);
    fputs(",\"loss\":", nf_out);
    nf_number(loss);
    fputs("}", nf_out);
    free(params); free(x); free(labels); free(logits); free(dlogits); free(grads); free(norms);
}

static void nf_probe(int c) {
    int shape[4], batch, count, *labels;
    double *x, *params = nf_tower(shape, &batch, &x, &labels);
    long size = nf_size(shape);
    if (scanf("%d", &count) != 1 || count < 1 || count > 1000) nf_fail("malformed probes");
    int *where = nf_read_ints(count, (int)size);
    double *logits = nf_alloc((long)batch * shape[3]), *dlogits = nf_alloc((long)batch * shape[3]);
    double *grads = nf_alloc(size), *rows = nf_alloc(3L * count);
    tower_forward(shape, params, x, batch, logits);
    nf_cross_entropy(logits, labels, batch, shape[3], dlogits);
    tower_backward(shape, params, x, batch, dlogits, grads);
    for (int p = 0; p < count; p++) {
        double keep = params[where[p]], steps[2] = {1e-5, 1e-6};
        rows[3 * p] = grads[where[p]];
        for (int s = 0; s < 2; s++) {
            params[where[p]] = keep + steps[s];
            tower_forward(shape, params, x, batch, logits);
            double up = nf_cross_entropy(logits, labels, batch, shape[3], NULL);
            params[where[p]] = keep - steps[s];
            tower_forward(shape, params, x, batch, logits);
            double down = nf_cross_entropy(logits, labels, batch, shape[3], NULL);
            params[where[p]] = keep;
            rows[3 * p + 1 + s] = (up - down) / (2 * steps[s]);
        }
    }
    nf_begin(c);
    nf_array(rows, 3L * count);
    free(params); free(x); free(labels); free(where); free(logits); free(dlogits); free(grads); free(rows);
}

static void nf_train(int c) {
    int shape[4], n, n_test, steps, batch;
    unsigned long long seed;
    double rate, momentum;
    if (scanf("%d %d %d %d %llu %d %d %d %d %lf %lf", &shape[0], &shape[1], &shape[2], &shape[3], &seed,
              &n, &n_test, &steps, &batch, &rate, &momentum) != 11 ||
        n < 1 || n_test < 1 || steps < 1 || batch < 1 || batch > n || n > 100000 || n_test > 100000 || steps > 100000)
        nf_fail("malformed training case");
    int n_in = shape[1], n_out = shape[3];
    double *x = nf_alloc((long)n * n_in), *x_test = nf_alloc((long)n_test * n_in);
    nf_read(x, (long)n * n_in);
    int *labels = nf_read_ints(n, n_out);
    nf_read(x_test, (long)n_test * n_in);
    int *rows = nf_read_ints((long)steps * batch, n);
    double *params = nf_build(shape, seed);
    long size = nf_size(shape);
    double *velocity = nf_alloc(size), *grads = nf_alloc(size), *xb = nf_alloc((long)batch * n_in);
    double *logits = nf_alloc((long)batch * n_out), *dlogits = nf_alloc((long)batch * n_out);
    double *test_logits = nf_alloc((long)n_test * n_out), *train_logits = nf_alloc((long)n * n_out);
    double *losses = nf_alloc(steps / 10 + 2);
    int *yb = malloc(sizeof(int) * (size_t)batch), kept = 0;
    if (!yb) nf_fail("out of memory");
    for (long k = 0; k < size; k++) velocity[k] = 0.0;
    for (int step = 0; step < steps; step++) {
        for (int r = 0; r < batch; r++) {
            int row = rows[(long)step * batch + r];
            memcpy(xb + (long)r * n_in, x + (long)row * n_in, sizeof(double) * n_in);
            yb[r] = labels[row];
        }
        tower_forward(shape, params, xb, batch, logits);
        double loss = nf_cross_entropy(logits, yb, batch, n_out, dlogits);
        for (long k = 0; k < size; k++) grads[k] = NAN;
        tower_backward(shape, params, xb, batch, dlogits, grads);
        for (long k = 0; k < size; k++) {
            velocity[k] = momentum * velocity[k] + grads[k];
            params[k] -= rate * velocity[k];
        }
        if (step % 10 == 0) losses[kept++] = loss;
        if (step == steps - 1) losses[kept++] = loss;
    }
    tower_forward(shape, params, x, n, train_logits);
    tower_forward(shape, params, x_test, n_test, test_logits);
    nf_begin(c);
    fputs("{\"train_logits\":", nf_out);
    nf_array(train_logits, (long)n * n_out);
    fputs(",\"logits\":", nf_out);
    nf_array(test_logits, (long)n_test * n_out);
    fputs(",\"losses\":", nf_out);
    nf_array(losses, kept);
    fputs("}", nf_out);
    free(x); free(x_test); free(labels); free(rows); free(params); free(velocity); free(grads); free(xb);
    free(logits); free(dlogits); free(test_logits); free(train_logits); free(losses); free(yb);
}

/* ---------------------------------------------------------------- the checks' own trials */

static void nf_ln_backward(int c) {
    int rows, n;
    double eps;
    if (scanf("%d %d %lf", &rows, &n, &eps) != 3 || rows < 1 || n < 1 || rows > 10000 || n > 10000)
        nf_fail("malformed layer_norm_backward check");
    long count = (long)rows * n;
    double *dy = nf_alloc(count), *x = nf_alloc(count), *gamma = nf_alloc(n), *dx = nf_alloc(count);
    double *dgamma = nf_alloc(n), *dbeta = nf_alloc(n);
    nf_read(dy, count);
    nf_read(x, count);
    nf_read(gamma, n);
    nf_read(dgamma, n);
    nf_read(dbeta, n);
    layer_norm_backward(dy, x, gamma, eps, rows, n, dx, dgamma, dbeta);
    nf_begin(c);
    fputs("{\"dx\":", nf_out);
    nf_array(dx, count);
    fputs(",\"dgamma\":", nf_out);
    nf_array(dgamma, n);
    fputs(",\"dbeta\":", nf_out);
    nf_array(dbeta, n);
    fputs("}", nf_out);
    free(dy); free(x); free(gamma); free(dx); free(dgamma); free(dbeta);
}

static void nf_shape(int *shape, unsigned long long *seed) {
    if (scanf("%d %d %d %d %llu", &shape[0], &shape[1], &shape[2], &shape[3], seed) != 5)
        nf_fail("malformed tower");
    nf_size(shape);
}

static void nf_build_twice(int c) {
    int shape[4];
    unsigned long long seed;
    nf_shape(shape, &seed);
    double *first = nf_build(shape, seed), *second = nf_build(shape, seed);
    nf_begin(c);
    fputs("{\"first\":", nf_out);
    nf_array(first, nf_size(shape));
    fputs(",\"second\":", nf_out);
    nf_array(second, nf_size(shape));
    fputs("}", nf_out);
    free(first); free(second);
}

static void nf_forward_twice(int c) {
    int shape[4], batch;
    unsigned long long seed;
    nf_shape(shape, &seed);
    if (scanf("%d", &batch) != 1 || batch < 1 || batch > 100000) nf_fail("malformed batch");
    double *x = nf_alloc((long)batch * shape[1]), *params = nf_build(shape, seed);
    nf_read(x, (long)batch * shape[1]);
    double *first = nf_alloc((long)batch * shape[3]), *second = nf_alloc((long)batch * shape[3]);
    tower_forward(shape, params, x, batch, first);
    tower_forward(shape, params, x, batch, second);
    nf_begin(c);
    fputs("{\"first\":", nf_out);
    nf_array(first, (long)batch * shape[3]);
    fputs(",\"second\":", nf_out);
    nf_array(second, (long)batch * shape[3]);
    fputs("}", nf_out);
    free(x); free(params); free(first); free(second);
}

static void nf_gradients(int c) {
    int shape[4], batch, *labels;
    double *x, *params = nf_tower(shape, &batch, &x, &labels);
    double *logits = nf_alloc((long)batch * shape[3]), *dlogits = nf_alloc((long)batch * shape[3]);
    double *grads = nf_alloc(nf_size(shape));
    tower_forward(shape, params, x, batch, logits);
    nf_cross_entropy(logits, labels, batch, shape[3], dlogits);
    tower_backward(shape, params, x, batch, dlogits, grads);
    nf_begin(c);
    nf_array(grads, nf_size(shape));
    free(params); free(x); free(labels); free(logits); free(dlogits); free(grads);
}

int main(void) {
    nf_out = fdopen(3, "w");
    if (nf_out == NULL) nf_out = stdout;  /* run by hand, outside the checks */
    int checks;
    if (scanf("%d", &checks) != 1 || checks < 0) nf_fail("malformed input");
    for (int c = 0; c < checks; c++) {
        char word[16];
        if (scanf("%15s", word) != 1) nf_fail("malformed check");
        if (strcmp(word, "layernorm") == 0) nf_layer_norm(c);
        else if (strcmp(word, "lnbackward") == 0) nf_ln_backward(c);
        else if (strcmp(word, "build") == 0) nf_build_twice(c);
        else if (strcmp(word, "forward") == 0) nf_forward_twice(c);
        else if (strcmp(word, "backward") == 0) nf_gradients(c);
        else if (strcmp(word, "health") == 0) nf_health(c);
        else if (strcmp(word, "probe") == 0) nf_probe(c);
        else if (strcmp(word, "train") == 0) nf_train(c);
        else nf_fail("unknown check");
        fputs("}\n", nf_out);
        fflush(nf_out);
    }
    return 0;
}
