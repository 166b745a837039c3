/* Wrong on purpose: GELU is the exact erf form, 0.5 x (1 + erf(x / sqrt 2)), not GPT-2's tanh
 * approximation the model was trained with (they differ by up to about 5e-4). Must lose.
 * Otherwise module 12's C reference lab. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PI 3.14159265358979323846

#ifndef NF_GPT_CONFIG
#define NF_GPT_CONFIG
typedef struct {
    int n_layer, n_head, d_model, context, vocab_size;
    double eps; /* LayerNorm's epsilon: 1e-5 */
} Config;
#endif

/* One block's tensors, in the order weights.bin stores them. */
typedef struct {
    const float *ln_1_w, *ln_1_b, *attn_w, *attn_b, *attn_proj_w, *attn_proj_b;
    const float *ln_2_w, *ln_2_b, *fc_w, *fc_b, *fc_proj_w, *fc_proj_b;
} Block;

/* The next n floats of the file, and move past them. */
static const float *take(const float **at, size_t n) {
    const float *start = *at;
    *at += n;
    return start;
}

/* Floats in one block: two LayerNorms (2d each), qkv (d x 3d + 3d), the attention's projection
 * (d x d + d), the MLP (d x 4d + 4d, then 4d x d + d): 12 d^2 + 13 d. */
size_t block_size(int d) {
    return 12 * (size_t)d * d + 13 * (size_t)d;
}

/* Block l's tensors: after wte (vocab x d) and wpe (context x d), and the l blocks before it. */
Block block_weights(const Config *c, const float *weights, int l) {
    size_t d = c->d_model;
    const float *at = weights + (size_t)(c->vocab_size + c->context) * d + l * block_size(d);
    Block b;
    b.ln_1_w = take(&at, d);            b.ln_1_b = take(&at, d);
    b.attn_w = take(&at, d * 3 * d);    b.attn_b = take(&at, 3 * d);
    b.attn_proj_w = take(&at, d * d);   b.attn_proj_b = take(&at, d);
    b.ln_2_w = take(&at, d);            b.ln_2_b = take(&at, d);
    b.fc_w = take(&at, d * 4 * d);      b.fc_b = take(&at, 4 * d);
    b.fc_proj_w = take(&at, 4 * d * d); b.fc_proj_b = take(&at, d);
    return b;
}

/* Each of the T rows of x (T x d): (x - mean) / sqrt(var + eps) * g + b, var the biased one. */
void layer_norm(const double *x, const float *g, const float *b, double eps, int T, int d, double *out) {
    for (int t = 0; t < T; t++) {
        const double *row = x + (size_t)t * d;
        double mean = 0, var = 0;
        for (int i = 0; i < d; i++) mean += row[i];
        mean /= d;
        for (int i = 0; i < d; i++) var += (row[i] - mean) * (row[i] - mean);
        var /= d;
        double scale = 1.0 / sqrt(var + eps);
        for (int i = 0; i < d; i++) out[(size_t)t * d + i] = (row[i] - mean) * scale * g[i] + b[i];
    }
}

/* GPT-2's GELU, the tanh form. */
double gelu(double x) {
    return 0.5 * x * (1.0 + erf(x / sqrt(2.0)));
}

/* y (T x n_out) = x (T x n_in) W (n_in x n_out) + b. Row i of W is added in one sweep. */
void linear(const double *x, const float *W, const float *b, int T, int n_in, int n_out, double *y) {
    for (int t = 0; t < T; t++) {
        double *yt = y + (size_t)t * n_out;
        for (int j = 0; j < n_out; j++) yt[j] = b[j];
        for (int i = 0; i < n_in; i++) {
            double xi = x[(size_t)t * n_in + i];
            const float *row = W + (size_t)i * n_out;
            for (int j = 0; j < n_out; j++) yt[j] += xi * row[j];
        }
    }
}

/* Causal multi-head attention on qkv (T x 3d: q | k | v, head h in columns h*d_head..): out is
 * T x d, the heads side by side. Position t attends to positions 0..t only. */
void attention(const double *qkv, int T, int d, int n_head, double *out) {
    int d_head = d / n_head;
    double *w = malloc(sizeof(double) * T);
    for (int h = 0; h < n_head; h++)
        for (int t = 0; t < T; t++) {
            const double *q = qkv + (size_t)t * 3 * d + h * d_head;
            double top = -INFINITY, total = 0;
            for (int s = 0; s <= t; s++) { /* no looking ahead */
                const double *k = qkv + (size_t)s * 3 * d + d + h * d_head;
                double dot = 0;
                for (int i = 0; i < d_head; i++) dot += q[i] * k[i];
                w[s] = dot / sqrt((double)d_head);
                if (w[s] > top) top = w[s];
            }
            for (int s = 0; s <= t; s++) total += (w[s] = exp(w[s] - top));
            double *o = out + (size_t)t * d + h * d_head;
            for (int i = 0; i < d_head; i++) o[i] = 0;
            for (int s = 0; s <= t; s++) {
                const double *v = qkv + (size_t)s * 3 * d + 2 * d + h * d_head;
                for (int i = 0; i < d_head; i++) o[i] += w[s] / total * v[i];
            }
        }
    free(w);
}

/* One pre-LN block on x (T x d), in place: x += attn(ln_1(x)); x += mlp(ln_2(x)). */
void block(const Config *c, Block b, double *x, int T) {
    int d = c->d_model;
    double *h = malloc(sizeof(double) * T * d), *y = malloc(sizeof(double) * T * d);
    double *wide = malloc(sizeof(double) * T * 4 * d); /* qkv (3d) or the MLP's hidden layer (4d) */
    layer_norm(x, b.ln_1_w, b.ln_1_b, c->eps, T, d, h);
    linear(h, b.attn_w, b.attn_b, T, d, 3 * d, wide);
    attention(wide, T, d, c->n_head, h);
    linear(h, b.attn_proj_w, b.attn_proj_b, T, d, d, y);
    for (int k = 0; k < T * d; k++) x[k] += y[k];
    layer_norm(x, b.ln_2_w, b.ln_2_b, c->eps, T, d, h);
    linear(h, b.fc_w, b.fc_b, T, d, 4 * d, wide);
    for (int k = 0; k < T * 4 * d; k++) wide[k] = gelu(wide[k]);
    linear(wide, b.fc_proj_w, b.fc_proj_b, T, 4 * d, d, y);
    for (int k = 0; k < T * d; k++) x[k] += y[k];
    free(h);
    free(y);
    free(wide);
}

/* The boss: logits (T x vocab_size) for the tokens ids[0..T-1], 1 <= T <= context. Row t
 * scores the token that follows ids[0..t]. */
void gpt_forward(const Config *c, const float *weights, const int *ids, int T, double *logits) {
    int d = c->d_model, V = c->vocab_size;
    const float *wte = weights, *wpe = weights + (size_t)V * d;
    const float *ln_f = wpe + (size_t)c->context * d + c->n_layer * block_size(d); /* then its bias */
    double *x = calloc((size_t)T * d, sizeof(double)), *h = malloc(sizeof(double) * T * d);
    for (int t = 0; t < T; t++)
        for (int i = 0; i < d; i++) x[t * d + i] = (double)wte[(size_t)ids[t] * d + i] + wpe[(size_t)t * d + i];
    for (int l = 0; l < c->n_layer; l++) block(c, block_weights(c, weights, l), x, T);
    layer_norm(x, ln_f, ln_f + d, c->eps, T, d, h);
    for (int t = 0; t < T; t++) /* the unembedding is wte itself, transposed */
        for (int v = 0; v < V; v++) {
            double dot = 0;
            for (int i = 0; i < d; i++) dot += h[t * d + i] * wte[(size_t)v * d + i];
            logits[(size_t)t * V + v] = dot;
        }
    free(x);
    free(h);
}

/* The smallest token i with u < p[0] + ... + p[i], p = softmax(logits / temperature). */
int sample(const double *logits, int V, double temperature, double u) {
    double top = -INFINITY, total = 0, running = 0;
    for (int v = 0; v < V; v++) if (logits[v] > top) top = logits[v];
    for (int v = 0; v < V; v++) total += exp((logits[v] - top) / temperature);
    for (int v = 0; v < V; v++) {
        running += exp((logits[v] - top) / temperature) / total;
        if (u < running) return v;
    }
    return V - 1; /* u within rounding of 1 */
}

/* The boss: n new tokens after the prompt, token k drawn with the uniform number u[k]. The model
 * sees at most the last `context` tokens. */
void gpt_generate(const Config *c, const float *weights, const int *prompt, int n_prompt, int n,
                  double temperature, const double *u, int *out) {
    int *ids = malloc(sizeof(int) * (n_prompt + n));
    double *logits = malloc(sizeof(double) * c->context * c->vocab_size);
    memcpy(ids, prompt, sizeof(int) * n_prompt);
    for (int k = 0; k < n; k++) {
        int length = n_prompt + k, T = length < c->context ? length : c->context;
        gpt_forward(c, weights, ids + length - T, T, logits);
        ids[length] = out[k] = sample(logits + (size_t)(T - 1) * c->vocab_size, c->vocab_size, temperature, u[k]);
    }
    free(ids);
    free(logits);
}

/* ---------------------------------------------------------------- by hand */

static const char *VOCAB = "\n !\"&'(),-./12345:;?ABCDEFGHIJKLMNOPQRSTUVWXYZ[]abcdefghijklmnopqrstuvwxyz{}";

/* With the shipped weights: 300 characters after a prompt. Without: a small random model,
 * checked for what any forward pass must do. */
int main(int argc, char **argv) {
    if (argc > 1) {
        Config c = {4, 4, 128, 64, 76, 1e-5};
        size_t count = (size_t)(c.vocab_size + c.context) * 128 + 4 * block_size(128) + 2 * 128;
        float *w = malloc(sizeof(float) * count);
        FILE *f = fopen(argv[1], "rb");
        if (!f || fread(w, sizeof(float), count, f) != count) {
            printf("cannot read %zu floats from %s\n", count, argv[1]);
            return 1;
        }
        fclose(f);
        const char *text = "ROMEO.\n";
        int n_prompt = (int)strlen(text), n = 300, prompt[16], out[300];
        double u[300];
        for (int k = 0; k < n_prompt; k++) prompt[k] = (int)(strchr(VOCAB, text[k]) - VOCAB);
        srand(1);
        for (int k = 0; k < n; k++) u[k] = rand() / (RAND_MAX + 1.0);
        gpt_generate(&c, w, prompt, n_prompt, n, 0.8, u, out);
        printf("%s", text);
        for (int k = 0; k < n; k++) putchar(VOCAB[out[k]]);
        printf("\n");
        free(w);
        return 0;
    }
    Config c = {2, 2, 8, 6, 5, 1e-5};
    size_t count = (size_t)(c.vocab_size + c.context) * 8 + 2 * block_size(8) + 2 * 8;
    float *w = malloc(sizeof(float) * count);
    srand(7);
    for (size_t k = 0; k < count; k++) w[k] = (float)(rand() / (RAND_MAX / 2.0) - 1.0);
    int ids[6] = {1, 4, 2, 0, 3, 3}, other[6] = {1, 4, 2, 3, 0, 1};
    double a[6 * 5], b[6 * 5];
    for (int k = 0; k < 6 * 5; k++) a[k] = b[k] = NAN; /* what a logit never written reads as */
    gpt_forward(&c, w, ids, 6, a);
    gpt_forward(&c, w, other, 6, b);
    if (isnan(a[0]) || isnan(b[29])) {
        printf("gpt_forward has not written its logits yet\n");
        free(w);
        return 0;
    }
    double gap = 0;
    for (int k = 0; k < 3 * 5; k++) gap = fmax(gap, fabs(a[k] - b[k]));
    printf("logits at position 0: %.4f %.4f %.4f %.4f %.4f\n", a[0], a[1], a[2], a[3], a[4]);
    printf("change in positions 0-2 when tokens 3-5 change: %.1e (want 0: no looking ahead)\n", gap);
    printf("sample(u = 0.5) at position 5: token %d\n", sample(a + 25, 5, 1.0, 0.5));
    printf("usage for Shakespeare: ./lab path/to/weights.bin (datasets/tinygpt/weights.bin)\n");
    free(w);
    return 0;
}
