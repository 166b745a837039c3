/* Trusted driver for module 12's lab checks, C path. Compiled together with the player's lab.c
 * (whose own main is renamed by -Dmain=... on the command line) and run in the sandbox, in a
 * folder that also holds the model files the checks name (float32 little-endian, tensors one
 * after another, as datasets/tinygpt/weights.bin).
 *
 * stdin:  the number of checks, then each check: a word and its sizes, then its numbers.
 *           layernorm T d eps           x (T x d), g (d), b (d)
 *           gelu n                      n numbers
 *           linear T n_in n_out         x (T x n_in), W (n_in x n_out), b (n_out)
 *           attention T d n_head        qkv (T x 3d)
 *           sample n V                  n times: temperature u, then V logits
 *           forward FILE n_layer n_head d_model context vocab_size eps T       T token ids
 *           generate FILE n_layer n_head d_model context vocab_size eps n_prompt n temperature
 *                                       n_prompt token ids, n uniform numbers
 *         Inputs only: never an expected value.
 * fd 3:   one line per check in the runner's result format:
 *           {"case":c,"ok":true,"value":{"out":[...]}}      the arrays (logits for forward)
 *           {"case":c,"ok":true,"value":{"tokens":[...]}}   sample and generate
 * Every output starts as NaN (tokens as -1), so what the lab never writes cannot pass; the
 * weights are followed by vocab_size x d_model NaNs, so a read past their end shows up as NaN.
 * The lab's own printf goes to stdout, which never carries results.
 */
#undef main
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdint.h>
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

/* Numbers the lab takes as float (gains, biases, weights): written exactly by the checks. */
static float *nf_read_floats(long count) {
    double *wide = nf_read(count);
    float *array = malloc(sizeof(float) * (size_t)count);
    if (array == NULL) nf_fail("out of memory");
    for (long k = 0; k < count; k++) array[k] = (float)wide[k];
    free(wide);
    return array;
}

static int *nf_read_ids(long count, int below) {
    int *ids = malloc(sizeof(int) * (size_t)nf_size(count));
    if (ids == NULL) nf_fail("out of memory");
    for (long k = 0; k < count; k++)
        if (scanf("%d", &ids[k]) != 1 || ids[k] < 0 || ids[k] >= below) nf_fail("malformed token ids");
    return ids;
}

static void nf_number(FILE *out, double x) {
    if (isnan(x)) fputs("NaN", out);
    else if (isinf(x)) fputs(x > 0 ? "Infinity" : "-Infinity", out);
    else fprintf(out, "%.17g", x);
}

/* {"case":c,"ok":true,"value":{"out":[values]}} */
static void nf_answer(FILE *out, int c, const double *values, long count) {
    fprintf(out, "{\"case\":%d,\"ok\":true,\"value\":{\"out\":[", c);
    for (long k = 0; k < count; k++) {
        if (k) fputc(',', out);
        nf_number(out, values[k]);
    }
    fputs("]}}\n", out);
}

/* {"case":c,"ok":true,"value":{"tokens":[ids]}} */
static void nf_tokens(FILE *out, int c, const int *tokens, long count) {
    fprintf(out, "{\"case\":%d,\"ok\":true,\"value\":{\"tokens\":[", c);
    for (long k = 0; k < count; k++) fprintf(out, k ? ",%d" : "%d", tokens[k]);
    fputs("]}}\n", out);
}

static void nf_layer_norm(FILE *out, int c) {
    int T, d;
    double eps;
    if (scanf("%d %d %lf", &T, &d, &eps) != 3) nf_fail("malformed layer_norm check");
    long count = nf_size(T) * nf_size(d);
    double *x = nf_read(count), *y = nf_nans(count);
    float *g = nf_read_floats(d), *b = nf_read_floats(d);
    layer_norm(x, g, b, eps, T, d, y);
    nf_answer(out, c, y, count);
    free(x); free(y); free(g); free(b);
}

static void nf_gelu(FILE *out, int c) {
    int n;
    if (scanf("%d", &n) != 1) nf_fail("malformed gelu check");
    double *x = nf_read(n), *y = nf_nans(n);
    for (int k = 0; k < n; k++) y[k] = gelu(x[k]);
    nf_answer(out, c, y, n);
    free(x); free(y);
}

static void nf_linear(FILE *out, int c) {
    int T, n_in, n_out;
    if (scanf("%d %d %d", &T, &n_in, &n_out) != 3) nf_fail("malformed linear check");
    double *x = nf_read(nf_size(T) * nf_size(n_in)), *y = nf_nans((long)T * nf_size(n_out));
    float *W = nf_read_floats((long)n_in * n_out), *b = nf_read_floats(n_out);
    linear(x, W, b, T, n_in, n_out, y);
    nf_answer(out, c, y, (long)T * n_out);
    free(x); free(y); free(W); free(b);
}

static void nf_attention(FILE *out, int c) {
    int T, d, n_head;
    if (scanf("%d %d %d", &T, &d, &n_head) != 3 || n_head < 1 || d % n_head) nf_fail("malformed attention check");
    double *qkv = nf_read(nf_size(T) * 3 * nf_size(d)), *y = nf_nans((long)T * d);
    attention(qkv, T, d, n_head, y);
    nf_answer(out, c, y, (long)T * d);
    free(qkv); free(y);
}

static void nf_sample(FILE *out, int c) {
    int n, V;
    if (scanf("%d %d", &n, &V) != 2) nf_fail("malformed sample check");
    int *tokens = malloc(sizeof(int) * (size_t)nf_size(n));
    if (tokens == NULL) nf_fail("out of memory");
    for (int k = 0; k < n; k++) {
        double temperature, u;
        if (scanf("%lf %lf", &temperature, &u) != 2) nf_fail("malformed sample check");
        double *logits = nf_read(nf_size(V));
        tokens[k] = sample(logits, V, temperature, u);
        free(logits);
    }
    nf_tokens(out, c, tokens, n);
    free(tokens);
}

/* The model file's floats, then vocab_size x d_model NaNs. */
static float *nf_weights(const char *name, const Config *config) {
    size_t d = config->d_model;
    size_t count = (config->vocab_size + config->context) * d + config->n_layer * (12 * d * d + 13 * d) + 2 * d;
    size_t pad = config->vocab_size * d;
    float *weights = malloc(sizeof(float) * (count + pad));
    if (weights == NULL) nf_fail("out of memory");
    FILE *f = fopen(name, "rb");
    if (f == NULL) nf_fail("a model file is missing");
    unsigned char bytes[4];
    for (size_t k = 0; k < count; k++) { /* little-endian on any machine */
        if (fread(bytes, 1, 4, f) != 4) nf_fail("a model file is shorter than its config says");
        uint32_t bits = bytes[0] | (uint32_t)bytes[1] << 8 | (uint32_t)bytes[2] << 16 | (uint32_t)bytes[3] << 24;
        memcpy(&weights[k], &bits, 4);
    }
    if (fread(bytes, 1, 1, f) != 0) nf_fail("a model file is longer than its config says");
    fclose(f);
    for (size_t k = 0; k < pad; k++) weights[count + k] = NAN;
    return weights;
}

static float *nf_model(Config *config) {
    char file[64];
    if (scanf("%63s %d %d %d %d %d %lf", file, &config->n_layer, &config->n_head, &config->d_model,
              &config->context, &config->vocab_size, &config->eps) != 7)
        nf_fail("malformed model");
    if (config->n_layer < 1 || config->n_head < 1 || config->d_model < 1 || config->d_model % config->n_head ||
        config->context < 1 || config->vocab_size < 1 || strchr(file, '/'))
        nf_fail("malformed config");
    return nf_weights(file, config);
}

static void nf_forward(FILE *out, int c) {
    Config config;
    float *weights = nf_model(&config);
    int T;
    if (scanf("%d", &T) != 1 || T < 1 || T > config.context) nf_fail("malformed length");
    int *ids = nf_read_ids(T, config.vocab_size);
    double *logits = nf_nans((long)T * config.vocab_size);
    gpt_forward(&config, weights, ids, T, logits);
    nf_answer(out, c, logits, (long)T * config.vocab_size);
    free(weights); free(ids); free(logits);
}

static void nf_generate(FILE *out, int c) {
    Config config;
    float *weights = nf_model(&config);
    int n_prompt, n;
    double temperature;
    if (scanf("%d %d %lf", &n_prompt, &n, &temperature) != 3 || !(temperature > 0)) nf_fail("malformed generation");
    int *prompt = nf_read_ids(n_prompt, config.vocab_size), *tokens = malloc(sizeof(int) * (size_t)nf_size(n));
    double *u = nf_read(n);
    if (tokens == NULL) nf_fail("out of memory");
    for (int k = 0; k < n; k++) tokens[k] = -1; /* what a token never written reads as */
    gpt_generate(&config, weights, prompt, n_prompt, n, temperature, u, tokens);
    nf_tokens(out, c, tokens, n);
    free(weights); free(prompt); free(tokens); free(u);
}

int main(void) {
    FILE *out = fdopen(3, "w");
    if (out == NULL) out = stdout; /* run by hand, outside the checks */
    int checks;
    if (scanf("%d", &checks) != 1 || checks < 0) nf_fail("malformed input");
    for (int c = 0; c < checks; c++) {
        char word[16];
        if (scanf("%15s", word) != 1) nf_fail("malformed check");
        if (strcmp(word, "layernorm") == 0) nf_layer_norm(out, c);
        else if (strcmp(word, "gelu") == 0) nf_gelu(out, c);
        else if (strcmp(word, "linear") == 0) nf_linear(out, c);
        else if (strcmp(word, "attention") == 0) nf_attention(out, c);
        else if (strcmp(word, "sample") == 0) nf_sample(out, c);
        else if (strcmp(word, "forward") == 0) nf_forward(out, c);
        else if (strcmp(word, "generate") == 0) nf_generate(out, c);
        else nf_fail("unknown check");
        fflush(out);
    }
    return 0;
}
