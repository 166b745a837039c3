/* The signatures module 8's boss calls. The fight compiles lab.c with this header forced in
 * first (gcc -include), so a function with other parameters is a compile error rather than a
 * crash.
 *
 * shape = {depth, n_in, width, n_out}. params (and grads, and normals) is one flat row-major
 * array holding, one after another: W_in (n_in x width), b_in (width), gamma (depth x width),
 * beta (depth x width), W (depth x width x width), b (depth x width), W_out (width x n_out),
 * b_out (n_out). Block l owns row l of gamma, beta, b and the l-th width x width matrix of W. */
void layer_norm(const double *x, const double *gamma, const double *beta, double eps,
                int rows, int n, double *y);
void tower_build(const int *shape, const double *normals, double *params);
void tower_forward(const int *shape, const double *params, const double *x, int batch, double *logits);
void tower_backward(const int *shape, const double *params, const double *x, int batch,
                    const double *dlogits, double *grads);
