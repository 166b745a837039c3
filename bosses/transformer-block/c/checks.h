/* What module 12's lab checks call, forced into the build (gcc -include) so a function with other
 * parameters is a compile error rather than a crash. The lab declares the same Config under the
 * same guard, so it also builds on its own. block is not here: it takes the lab's own Block, so
 * the checks judge it through gpt_forward on a one-layer model (as the Rust checks must: there
 * block is private to the lab). */
#ifndef NF_GPT_CONFIG
#define NF_GPT_CONFIG
typedef struct {
    int n_layer, n_head, d_model, context, vocab_size;
    double eps; /* LayerNorm's epsilon: 1e-5 */
} Config;
#endif

void layer_norm(const double *x, const float *g, const float *b, double eps, int T, int d, double *out);
double gelu(double x);
void linear(const double *x, const float *W, const float *b, int T, int n_in, int n_out, double *y);
void attention(const double *qkv, int T, int d, int n_head, double *out);
void gpt_forward(const Config *c, const float *weights, const int *ids, int T, double *logits);
int sample(const double *logits, int V, double temperature, double u);
void gpt_generate(const Config *c, const float *weights, const int *prompt, int n_prompt, int n,
                  double temperature, const double *u, int *out);
