/* The functions module 5's boss calls, C path. The fight compiles lab.c with this header forced
 * in first (gcc -include), so a function with other parameters is a compile error rather than a
 * crash.
 *
 * Layout: X holds n rows of 2 doubles (row i at X + 2*i); W1 holds 2 rows of H (W1[i*H + j]
 * joins input i to hidden unit j); b1 and W2 hold H doubles each; b2 is one double; z1 and h1
 * hold n rows of H; p holds n probabilities; y and labels hold n (or m) ints, 0 or 1. */
void mlp_forward(const double *X, int n, int H, const double *W1, const double *b1,
                 const double *W2, double b2, double *z1, double *h1, double *p);
void mlp_backward(const double *X, const int *y, int n, int H, const double *W2,
                  const double *z1, const double *h1, const double *p,
                  double *dW1, double *db1, double *dW2, double *db2);
void fit_predict(const double *X, const int *y, int n, unsigned long long seed,
                 const double *X_test, int m, int *labels);
