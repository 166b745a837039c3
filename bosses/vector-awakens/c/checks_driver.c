/* Trusted driver for module 1's lab checks, C path. Compiled together with the player's lab.c
 * (whose own main is renamed by -Dmain=... on the command line) and run in the sandbox.
 *
 * stdin:  the number of checks, then each check: a word and its sizes, then its numbers.
 *           dot n          u (n numbers), then v (n)
 *           norm n         v (n)
 *           cosine n       u (n), then v (n)
 *           project n      v (n), then u (n): the projection of v onto the line through u
 *           pairs n d k    n rows of d numbers
 *         Inputs only: never an expected value.
 * fd 3:   one line per check in the runner's result format, written after the lab returns:
 *           dot, norm, cosine  {"case":c,"ok":true,"value":x}
 *           project            {"case":c,"ok":true,"value":{"status":s,"out":[n numbers]}}
 *           pairs              {"case":c,"ok":true,"value":[[i,j,similarity],...]}
 *         or {"case":c,"ok":false,"error":"..."} when closest_pairs returns an impossible count.
 * project's out starts as NaN and a pair's rows as -1, so what the lab never wrote shows. The
 * lab's own printf goes to stdout, which never carries results.
 */
#undef main
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { MAX_NUMBERS = 1000000 };

static void nf_fail(const char *what) {
    fprintf(stderr, "checks driver: %s\n", what);
    exit(3);
}

static double *nf_read(long count) {
    if (count < 0 || count > MAX_NUMBERS) nf_fail("malformed size");
    double *array = malloc(sizeof(double) * (size_t)(count + 1));
    if (array == NULL) nf_fail("out of memory");
    for (long k = 0; k < count; k++)
        if (scanf("%lf", &array[k]) != 1) nf_fail("malformed numbers");
    return array;
}

static void nf_number(FILE *out, double x) {
    if (isnan(x)) fputs("NaN", out);
    else if (isinf(x)) fputs(x > 0 ? "Infinity" : "-Infinity", out);
    else fprintf(out, "%.17g", x);
}

static void nf_value(FILE *out, int c, double x) {
    fprintf(out, "{\"case\":%d,\"ok\":true,\"value\":", c);
    nf_number(out, x);
    fputs("}\n", out);
}

static void nf_project(FILE *out, int c, int n) {
    double *v = nf_read(n), *u = nf_read(n);
    double *projection = malloc(sizeof(double) * ((size_t)n + 1));
    if (projection == NULL) nf_fail("out of memory");
    for (int i = 0; i < n; i++) projection[i] = NAN;
    int status = project(v, u, n, projection);
    fprintf(out, "{\"case\":%d,\"ok\":true,\"value\":{\"status\":%d,\"out\":[", c, status);
    for (int i = 0; i < n; i++) {
        if (i) fputc(',', out);
        nf_number(out, projection[i]);
    }
    fputs("]}}\n", out);
    free(v);
    free(u);
    free(projection);
}

static void nf_pairs(FILE *out, int c, int n, int d, int k) {
    if (n < 0 || d < 1 || k < 0 || k > MAX_NUMBERS) nf_fail("malformed sizes");
    double *vectors = nf_read((long)n * d);
    int *first = malloc(sizeof(int) * ((size_t)k + 1)), *second = malloc(sizeof(int) * ((size_t)k + 1));
    double *similarity = malloc(sizeof(double) * ((size_t)k + 1));
    if (!first || !second || !similarity) nf_fail("out of memory");
    for (int p = 0; p < k; p++) {
        first[p] = second[p] = -1;
        similarity[p] = NAN;
    }
    int count = closest_pairs(vectors, n, d, k, first, second, similarity);
    if (count < 0 || count > k) {
        fprintf(out, "{\"case\":%d,\"ok\":false,\"error\":\"closest_pairs returned %d, but it must return "
                     "how many pairs it wrote (0 to k = %d)\"}\n", c, count, k);
    } else {
        fprintf(out, "{\"case\":%d,\"ok\":true,\"value\":[", c);
        for (int p = 0; p < count; p++) {
            fprintf(out, "%s[%d,%d,", p ? "," : "", first[p], second[p]);
            nf_number(out, similarity[p]);
            fputc(']', out);
        }
        fputs("]}\n", out);
    }
    free(vectors);
    free(first);
    free(second);
    free(similarity);
}

int main(void) {
    FILE *out = fdopen(3, "w");
    if (out == NULL) out = stdout;  /* run by hand, outside the checks */
    int checks;
    if (scanf("%d", &checks) != 1 || checks < 0) nf_fail("malformed input");
    for (int c = 0; c < checks; c++) {
        char word[16];
        int n;
        if (scanf("%15s %d", word, &n) != 2 || n < 0 || n > MAX_NUMBERS) nf_fail("malformed check");
        if (strcmp(word, "dot") == 0 || strcmp(word, "cosine") == 0) {
            double *u = nf_read(n), *v = nf_read(n);
            nf_value(out, c, word[0] == 'd' ? dot(u, v, n) : cosine_similarity(u, v, n));
            free(u);
            free(v);
        } else if (strcmp(word, "norm") == 0) {
            double *v = nf_read(n);
            nf_value(out, c, norm(v, n));
            free(v);
        } else if (strcmp(word, "project") == 0) {
            nf_project(out, c, n);
        } else if (strcmp(word, "pairs") == 0) {
            int d, k;
            if (scanf("%d %d", &d, &k) != 2) nf_fail("malformed pairs");
            nf_pairs(out, c, n, d, k);
        } else {
            nf_fail("unknown check");
        }
        fflush(out);
    }
    return 0;
}
