/* The signatures module 7's boss calls. The fight compiles lab.c with this header forced in
 * first (gcc -include), so a step function with other parameters is a compile error rather
 * than a crash. Every function updates theta (n doubles) in place; the arrays of state (v, s,
 * m) hold n zeros and *t is 0 before the first step, and the function keeps them up to date. */
void sgd(double *theta, const double *grad, int n, double lr);
void momentum(double *theta, const double *grad, int n, double *v, double lr, double beta);
void rmsprop(double *theta, const double *grad, int n, double *s, double lr, double beta, double eps);
void adam(double *theta, const double *grad, int n, double *m, double *v, int *t,
          double lr, double beta1, double beta2, double eps);
void adamw(double *theta, const double *grad, int n, double *m, double *v, int *t,
           double lr, double beta1, double beta2, double eps, double weight_decay);
