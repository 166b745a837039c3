/* Wrong on purpose: zero rows are not skipped; their cosine comes out as 0, so their pairs are
 * listed when fewer than k other pairs exist. Must lose. */
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

/* The k most similar pairs of distinct rows, best first. Row i of vectors starts at
 * vectors + i*d. Pair p is rows first[p], second[p] with cosine similarity[p].
 * A zero vector's cosine is 0, so its pairs compete with the rest. Returns how many pairs were
 * written: k, or fewer when fewer pairs exist. */
int closest_pairs(const double *vectors, int n, int d, int k,
                  int *first, int *second, double *similarity) {
    int count = 0;
    if (k <= 0) return 0;
    for (int i = 0; i < n; i++) {
        for (int j = i + 1; j < n; j++) {
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
