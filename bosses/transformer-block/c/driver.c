/* Trusted driver for module 12's boss, C path. Compiled together with the player's lab.c (whose
 * own main is renamed by -Dmain=... on the command line) and run in the sandbox, in a folder that
 * also holds the model files the cases name (tinygpt.bin, the shipped weights, and small random
 * models in the same format: float32 little-endian, tensors one after another).
 *
 * stdin:  the number of cases, then per case one line
 *           forward FILE n_layer n_head d_model context vocab_size eps T
 *         and a line of T token ids, or
 *           generate FILE n_layer n_head d_model context vocab_size eps n_prompt n temperature
 *         a line of n_prompt token ids and a line of n uniform numbers in [0, 1).
 *         Inputs only: no expected values.
 * fd 3:   one line per case, in the runner's result format:
 *         {"case":c,"ok":true,"value":{"logits":{"__nd__":"<base64>","dtype":"float64","shape":[T,V]}}}
 *         (raw little-endian doubles: exact), or {"case":c,"ok":true,"value":{"tokens":[...],
 *         "cpu_s":s}} with the process CPU time gpt_generate took.
 * Logits start as NaN and tokens as -1, so what the lab never writes cannot pass; the weights are
 * followed by vocab_size x d_model NaNs, so a read past their end shows up as NaN. The lab's own
 * printf goes to stdout, which never carries results.
 */
#undef main
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gpt.h"

static void nf_fail(const char *what) {
    fprintf(stderr, "boss driver: %s\n", what);
    exit(3);
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

/* The model file's floats, then vocab_size x d_model NaNs. Kept while the next case uses the same file. */
static float *nf_weights(const char *name, const Config *c) {
    static char loaded[64];
    static float *weights = NULL;
    if (weights && strcmp(name, loaded) == 0) return weights;
    size_t d = c->d_model;
    size_t count = (c->vocab_size + c->context) * d + c->n_layer * (12 * d * d + 13 * d) + 2 * d;
    size_t pad = c->vocab_size * d;
    free(weights);
    weights = malloc(sizeof(float) * (count + pad));
    if (!weights) nf_fail("out of memory");
    FILE *f = fopen(name, "rb");
    if (!f) nf_fail("a model file is missing");
    unsigned char bytes[4];
    for (size_t k = 0; k < count; k++) { /* little-endian on any machine */
        if (fread(bytes, 1, 4, f) != 4) nf_fail("a model file is shorter than its config says");
        uint32_t bits = bytes[0] | (uint32_t)bytes[1] << 8 | (uint32_t)bytes[2] << 16 | (uint32_t)bytes[3] << 24;
        memcpy(&weights[k], &bits, 4);
    }
    if (fread(bytes, 1, 1, f) != 0) nf_fail("a model file is longer than its config says");
    fclose(f);
    for (size_t k = 0; k < pad; k++) weights[count + k] = NAN;
    snprintf(loaded, sizeof loaded, "%s", name);
    return weights;
}

static void nf_ints(int *into, int count, int below) {
    for (int k = 0; k < count; k++)
        if (scanf("%d", &into[k]) != 1 || into[k] < 0 || into[k] >= below) nf_fail("malformed token ids");
}

static double nf_cpu_seconds(void) {
    struct timespec now;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
    return now.tv_sec + now.tv_nsec * 1e-9;
}

static void nf_forward(FILE *out, int c, const Config *config, const float *weights) {
    int T, V = config->vocab_size;
    if (scanf("%d", &T) != 1 || T < 1 || T > config->context) nf_fail("malformed length");
    int *ids = malloc(sizeof(int) * T);
    double *logits = malloc(sizeof(double) * T * V);
    if (!ids || !logits) nf_fail("out of memory");
    nf_ints(ids, T, V);
    for (int k = 0; k < T * V; k++) logits[k] = NAN; /* what a logit never written reads as */

    gpt_forward(config, weights, ids, T, logits);

    fprintf(out, "{\"case\":%d,\"ok\":true,\"value\":{\"logits\":{\"__nd__\":\"", c);
    nf_base64(out, logits, (size_t)T * V);
    fprintf(out, "\",\"dtype\":\"float64\",\"shape\":[%d,%d]}}}\n", T, V);
    free(ids);
    free(logits);
}

static void nf_generate(FILE *out, int c, const Config *config, const float *weights) {
    int n_prompt, n;
    double temperature;
    if (scanf("%d %d %lf", &n_prompt, &n, &temperature) != 3 || n_prompt < 1 || n < 1 || !(temperature > 0))
        nf_fail("malformed generation");
    int *prompt = malloc(sizeof(int) * n_prompt), *tokens = malloc(sizeof(int) * n);
    double *u = malloc(sizeof(double) * n);
    if (!prompt || !tokens || !u) nf_fail("out of memory");
    nf_ints(prompt, n_prompt, config->vocab_size);
    for (int k = 0; k < n; k++)
        if (scanf("%lf", &u[k]) != 1) nf_fail("malformed uniform numbers");
    for (int k = 0; k < n; k++) tokens[k] = -1; /* what a token never written reads as */

    double start = nf_cpu_seconds();
    gpt_generate(config, weights, prompt, n_prompt, n, temperature, u, tokens);
    double spent = nf_cpu_seconds() - start;

    fprintf(out, "{\"case\":%d,\"ok\":true,\"value\":{\"tokens\":[", c);
    for (int k = 0; k < n; k++) fprintf(out, k ? ",%d" : "%d", tokens[k]);
    fprintf(out, "],\"cpu_s\":%.6f}}\n", spent);
    free(prompt);
    free(tokens);
    free(u);
}

int main(void) {
    FILE *out = fdopen(3, "w");
    if (out == NULL) out = stdout; /* run by hand, outside the fight */
    int cases;
    if (scanf("%d", &cases) != 1 || cases < 0) nf_fail("malformed input");
    for (int c = 0; c < cases; c++) {
        char kind[16], file[64];
        Config config;
        if (scanf("%15s %63s %d %d %d %d %d %lf", kind, file, &config.n_layer, &config.n_head, &config.d_model,
                  &config.context, &config.vocab_size, &config.eps) != 8)
            nf_fail("malformed case");
        if (config.n_layer < 1 || config.n_head < 1 || config.d_model % config.n_head || config.context < 1 ||
            config.vocab_size < 1 || strchr(file, '/'))
            nf_fail("malformed config");
        const float *weights = nf_weights(file, &config);
        if (strcmp(kind, "forward") == 0) nf_forward(out, c, &config, weights);
        else if (strcmp(kind, "generate") == 0) nf_generate(out, c, &config, weights);
        else nf_fail("unknown kind of case");
        fflush(out);
    }
    return 0;
}
