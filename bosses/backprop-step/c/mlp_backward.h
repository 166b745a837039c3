/* The signature module 6's boss calls. The fight compiles lab.c with this header forced in
 * first (gcc -include), so an mlp_backward with other parameters is a compile error rather
 * than a crash. */
double mlp_backward(const int *widths, const double *params, const double *x,
                    const int *labels, int batch, double *grads);
