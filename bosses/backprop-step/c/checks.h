/* The functions module 6's lab checks call, C path. The checks compile lab.c with this header
 * forced in first (gcc -include), so a function with other parameters is a compile error rather
 * than a crash. Arrays are flat and row-major: x is batch x n_in, W is n_in x n_out. */
void linear_forward(const double *x, const double *W, const double *b, double *y,
                    int batch, int n_in, int n_out);
void linear_backward(const double *x, const double *W, const double *dy, double *dx,
                     double *dW, double *db, int batch, int n_in, int n_out);
void relu_backward(const double *z, const double *dh, double *dz, int n);
double softmax_xent(const double *logits, const int *labels, int batch, int classes, double *dlogits);
double mlp_backward(const int *widths, const double *params, const double *x,
                    const int *labels, int batch, double *grads);
