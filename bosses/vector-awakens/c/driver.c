/* Trusted driver for module 1's boss, C path. Compiled together with the player's lab.c
 * (whose own main is renamed by -Dmain=... on the command line) and run in the sandbox.
 *
 * stdin:  the number of cases, then for each case a line "n d k" followed by n lines of
 *         d numbers (the rows of the embedding matrix). No words and no expected values.
 * fd 3:   one line per case, written after closest_pairs returns, in the runner's result
 *         format:  {"case":c,"ok":true,"value":[[i,j,similarity],...]}
 *         or       {"case":c,"ok":false,"error":"..."} when the returned count is impossible.
 * The trusted side turns row numbers into words and judges. The lab's own printf goes to
 * stdout, which never carries results.
 */
#undef main
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

int closest_pairs(const double *vectors, int n, int d, int k,
                  int *first, int *second, double *similarity);

static void nf_fail(const char *what) {
    fprintf(stderr, "boss driver: %s\n", what);
    exit(3);
}

static void nf_number(FILE *out, double x) {
    if (isnan(x)) fputs("NaN", out);
    else if (isinf(x)) fputs(x > 0 ? "Infinity" : "-Infinity", out);
    else fprintf(out, "%.17g", x);
}

int main(void) {
    FILE *out = fdopen(3, "w");
    if (out == NULL) out = stdout;  /* run by hand, outside the fight */
    int cases;
    if (scanf("%d", &cases) != 1 || cases < 0) nf_fail("malformed input");
    for (int c = 0; c < cases; c++) {
        int n, d, k;
        if (scanf("%d %d %d", &n, &d, &k) != 3 || n < 0 || d < 1 || k < 0) nf_fail("malformed case");
        double *vectors = malloc(sizeof(double) * ((size_t)n * d + 1));
        int *first = malloc(sizeof(int) * ((size_t)k + 1));
        int *second = malloc(sizeof(int) * ((size_t)k + 1));
        double *similarity = malloc(sizeof(double) * ((size_t)k + 1));
        if (!vectors || !first || !second || !similarity) nf_fail("out of memory");
        for (long i = 0; i < (long)n * d; i++)
            if (scanf("%lf", &vectors[i]) != 1) nf_fail("malformed vectors");
        for (int p = 0; p < k; p++) {  /* what a pair never written reads as */
            first[p] = -1;
            second[p] = -1;
            similarity[p] = NAN;
        }

        int count = closest_pairs(vectors, n, d, k, first, second, similarity);

        if (count < 0 || count > k) {
            fprintf(out, "{\"case\":%d,\"ok\":false,\"error\":\"closest_pairs returned %d, "
                         "but it must return how many pairs it wrote (0 to k = %d)\"}\n", c, count, k);
        } else {
            fprintf(out, "{\"case\":%d,\"ok\":true,\"value\":[", c);
            for (int p = 0; p < count; p++) {
                fprintf(out, "%s[%d,%d,", p ? "," : "", first[p], second[p]);
                nf_number(out, similarity[p]);
                fputc(']', out);
            }
            fputs("]}\n", out);
        }
        fflush(out);
        free(vectors);
        free(first);
        free(second);
        free(similarity);
    }
    return 0;
}
