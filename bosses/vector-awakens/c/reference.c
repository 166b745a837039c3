/* Module 1 reference lab, C edition: the four vector operations and the nearest-pairs search.
 *
 * Build and run:  gcc -std=c11 -O2 lab.c -lm && ./a.out
 * Plain loops over arrays of n doubles: no BLAS, no library similarity.
 */
#include <math.h>
#include <stdio.h>

/* u·v = sum of u[i] * v[i]. */
double dot(const double *u, const double *v, int n) {
    double total = 0;
    for (int i = 0; i < n; i++) total += u[i] * v[i];
    return total;
}

/* Euclidean length sqrt(v·v). */
double norm(const double *v, int n) {
    return sqrt(dot(v, v, n));
}

/* u·v / (|u| |v|); return 0 if either vector has zero length. */
double cosine_similarity(const double *u, const double *v, int n) {
    double length_u = norm(u, n), length_v = norm(v, n);
    if (length_u == 0 || length_v == 0) return 0;
    return dot(u, v, n) / (length_u * length_v);
}

/* Write the projection of v onto the line through u into out[0..n-1].
 * Returns 0 on success, -1 if u is the zero vector. */
int project(const double *v, const double *u, int n, double *out) {
    double uu = dot(u, u, n);
    if (uu == 0) return -1;
    double coefficient = dot(u, v, n) / uu;
    for (int i = 0; i < n; i++) out[i] = coefficient * u[i];
    return 0;
}

/* The k most similar pairs of distinct rows, best first. Row i of vectors starts at
 * vectors + i*d. Pair p is rows first[p], second[p] with cosine similarity[p].
 * Zero vectors have no direction, so they take no part. Returns how many pairs were
 * written: k, or fewer when fewer pairs exist. */
int closest_pairs(const double *vectors, int n, int d, int k,
                  int *first, int *second, double *similarity) {
    int count = 0;
    if (k <= 0) return 0;
    for (int i = 0; i < n; i++) {
        if (norm(vectors + i * d, d) == 0) continue;
        for (int j = i + 1; j < n; j++) {
            if (norm(vectors + j * d, d) == 0) continue;
            double s = cosine_similarity(vectors + i * d, vectors + j * d, d);
            if (count < k) count++;                       /* room for one more pair */
            else if (s <= similarity[k - 1]) continue;    /* no better than the worst kept */
            /* insert (i, j, s) into the sorted list; when full, the last pair falls off */
            int p = count - 1;
            while (p > 0 && similarity[p - 1] < s) {
                first[p] = first[p - 1];
                second[p] = second[p - 1];
                similarity[p] = similarity[p - 1];
                p--;
            }
            first[p] = i;
            second[p] = j;
            similarity[p] = s;
        }
    }
    return count;
}

int main(void) {
    double u[3] = {1, 2, 2}, v[3] = {2, 0, 1};
    double a[2] = {2, 1}, b[2] = {3, 4}, p[2];
    printf("dot      %.4f  (want 4)\n", dot(u, v, 3));
    printf("norm     %.4f  (want 3)\n", norm(u, 3));
    printf("cosine   %.4f  (want 0.5963)\n", cosine_similarity(u, v, 3));
    project(a, b, 2, p);
    printf("project  [%.4f, %.4f]  (want [1.2, 1.6])\n", p[0], p[1]);

    const char *words[4] = {"king", "queen", "apple", "pear"};
    double vectors[4 * 3] = {0.9, 0.1, 0.0,  0.8, 0.2, 0.1,  0.0, 0.9, 0.4,  0.1, 0.8, 0.5};
    int first[3], second[3];
    double similarity[3];
    int count = closest_pairs(vectors, 4, 3, 3, first, second, similarity);
    for (int q = 0; q < count; q++)
        printf("(%s, %s, %.6f)\n", words[first[q]], words[second[q]], similarity[q]);
    return 0;
}
