/* The functions module 5's lab checks call, C path. The checks compile lab.c with this header
 * forced in first (gcc -include), so a function with other parameters is a compile error rather
 * than a crash. Layout as in mlp.h: X holds n rows of 2 doubles, W1 2 rows of H, b1 and W2 H
 * doubles each, b2 one double; z1 and h1 n rows of H; y, mistakes and labels are ints. */
void perceptron_train(const double *X, const int *y, int n, int epochs, double lr,
                      double *w, double *b, int *mistakes);
void mlp_init(int H, unsigned long long seed, double *W1, double *b1, double *W2, double *b2);
void mlp_forward(const double *X, int n, int H, const double *W1, const double *b1,
                 const double *W2, double b2, double *z1, double *h1, double *p);
void mlp_backward(const double *X, const int *y, int n, int H, const double *W2,
                  const double *z1, const double *h1, const double *p,
                  double *dW1, double *db1, double *dW2, double *db2);
void mlp_train(const double *X, const int *y, int n, int H, int steps, double lr,
               unsigned long long seed, double *W1, double *b1, double *W2, double *b2);
void fit_predict(const double *X, const int *y, int n, unsigned long long seed,
                 const double *X_test, int m, int *labels);
