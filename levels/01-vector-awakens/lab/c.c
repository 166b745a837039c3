/* Module 1 lab, C edition: dot, norm, cosine similarity and projection.
 *
 * Build and run:  gcc -std=c11 -O2 lab.c -lm && ./a.out
 * Each function works on arrays of n doubles. Fill in the TODOs until the
 * printed numbers match the Python lab. The boss fight calls closest_pairs (its own
 * main replaces yours during the fight, so keep whatever you like in main).
 */
#include <math.h>
#include <stdio.h>

/* u·v = sum of u[i] * v[i]. */
double dot(const double *u, const double *v, int n) {
    (void)u; (void)v; (void)n;
    /* TODO: accumulate u[i] * v[i] over i = 0 .. n-1 */
    return 0;
}

/* Euclidean length sqrt(v·v). */
double norm(const double *v, int n) {
    (void)v; (void)n;
    /* TODO: reuse dot and sqrt */
    return 0;
}

/* u·v / (|u| |v|); return 0 if either vector has zero length. */
double cosine_similarity(const double *u, const double *v, int n) {
    (void)u; (void)v; (void)n;
    /* TODO: divide the dot product by both norms, guarding against zero */
    return 0;
}

/* Write the projection of v onto the line through u into out[0..n-1].
 * Returns 0 on success, -1 if u is the zero vector. */
int project(const double *v, const double *u, int n, double *out) {
    (void)v; (void)u;
    /* TODO: c = (u·v) / (u·u); out[i] = c * u[i] */
    for (int i = 0; i < n; i++) out[i] = 0;
    return 0;
}

/* The boss fight: the k most similar pairs of distinct rows of vectors, best first.
 * vectors holds n rows of d doubles, one after another: row i starts at vectors + i*d.
 * Write pair p as rows first[p] and second[p] with their cosine similarity[p]
 * (most similar first, each pair once, zero vectors skipped) and return how many pairs
 * you wrote: k, or fewer when fewer pairs exist. */
int closest_pairs(const double *vectors, int n, int d, int k,
                  int *first, int *second, double *similarity) {
    (void)vectors; (void)n; (void)d; (void)k; (void)first; (void)second; (void)similarity;
    /* TODO: for every pair i < j of nonzero rows, compute cosine_similarity(row i, row j, d)
     * and keep the k largest, sorted from most to least similar */
    return 0;
}

int main(void) {
    double u[3] = {1, 2, 2}, v[3] = {2, 0, 1};
    double a[2] = {2, 1}, b[2] = {3, 4}, p[2];
    printf("dot      %.4f  (want 4)\n", dot(u, v, 3));
    printf("norm     %.4f  (want 3)\n", norm(u, 3));
    printf("cosine   %.4f  (want 0.5963)\n", cosine_similarity(u, v, 3));
    project(a, b, 2, p);
    printf("project  [%.4f, %.4f]  (want [1.2, 1.6])\n", p[0], p[1]);
    return 0;
}
