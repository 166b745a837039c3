/* What module 8's lab checks call, forced into the build (gcc -include) so a function with other
 * parameters is a compile error rather than a crash: the boss's four (tower.h) and
 * layer_norm_backward, which the C starter asks for too.
 *
 * shape = {depth, n_in, width, n_out}; params, grads and normals are one flat array in the
 * layout tower.h describes. */
void layer_norm(const double *x, const double *gamma, const double *beta, double eps,
                int rows, int n, double *y);
void layer_norm_backward(const double *dy, const double *x, const double *gamma, double eps,
                         int rows, int n, double *dx, double *dgamma, double *dbeta);
void tower_build(const int *shape, const double *normals, double *params);
void tower_forward(const int *shape, const double *params, const double *x, int batch, double *logits);
void tower_backward(const int *shape, const double *params, const double *x, int batch,
                    const double *dlogits, double *grads);
