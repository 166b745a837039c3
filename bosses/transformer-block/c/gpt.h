/* What module 12's boss calls. The fight compiles lab.c with this header forced in first
 * (gcc -include), so a gpt_forward or gpt_generate with other parameters is a compile error
 * rather than a crash. The lab declares the same Config under the same guard, so it also
 * builds on its own. */
#ifndef NF_GPT_CONFIG
#define NF_GPT_CONFIG
typedef struct {
    int n_layer, n_head, d_model, context, vocab_size;
    double eps; /* LayerNorm's epsilon: 1e-5 */
} Config;
#endif

void gpt_forward(const Config *c, const float *weights, const int *ids, int T, double *logits);
void gpt_generate(const Config *c, const float *weights, const int *prompt, int n_prompt, int n,
                  double temperature, const double *u, int *out);
