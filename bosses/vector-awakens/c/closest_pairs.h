/* The signature module 1's boss calls. The fight compiles lab.c with this header forced in
 * first (gcc -include), so a closest_pairs with other parameters is a compile error rather
 * than a crash. */
int closest_pairs(const double *vectors, int n, int d, int k,
                  int *first, int *second, double *similarity);
