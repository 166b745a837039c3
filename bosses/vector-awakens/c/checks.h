/* The functions module 1's lab checks call, C path. The checks compile lab.c with this header
 * forced in first (gcc -include), so a function with other parameters is a compile error rather
 * than a crash. Arrays hold n doubles; closest_pairs reads n rows of d doubles, row i at
 * vectors + i*d. */
double dot(const double *u, const double *v, int n);
double norm(const double *v, int n);
double cosine_similarity(const double *u, const double *v, int n);
int project(const double *v, const double *u, int n, double *out);
int closest_pairs(const double *vectors, int n, int d, int k,
                  int *first, int *second, double *similarity);
