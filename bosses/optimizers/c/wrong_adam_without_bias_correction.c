/* Wrong on purpose: Adam steps with the raw m and v, never dividing by 1 - beta^t.
 *
 * Module 7 lab, C edition, otherwise like the reference.
 *
 * Build and run:  gcc -std=c11 -O2 lab.c -lm && ./a.out
 * Each function moves theta (n doubles) in place, given the gradient grad (n doubles). What an
 * optimizer remembers lives in arrays you are handed (v, s, m: n zeros before the first step)
 * and, for Adam, in the step count *t (0 before the first step). The boss fight calls these
 * five with its own main (this one is set aside), on hidden surfaces, and compares every step
 * with the Python reference to 1e-8.
 */
#include <math.h>
#include <stdio.h>

/* theta <- theta - lr * grad. */
void sgd(double *theta, const double *grad, int n, double lr) {
    for (int i = 0; i < n; i++) theta[i] -= lr * grad[i];
}

/* v <- beta * v + grad, then theta <- theta - lr * v. */
void momentum(double *theta, const double *grad, int n, double *v, double lr, double beta) {
    for (int i = 0; i < n; i++) {
        v[i] = beta * v[i] + grad[i];  /* the velocity sums gradients, not steps */
        theta[i] -= lr * v[i];
    }
}

/* s <- beta * s + (1 - beta) * grad^2, then theta <- theta - lr * grad / (sqrt(s) + eps). */
void rmsprop(double *theta, const double *grad, int n, double *s, double lr, double beta, double eps) {
    for (int i = 0; i < n; i++) {
        s[i] = beta * s[i] + (1 - beta) * (grad[i] * grad[i]);
        theta[i] -= lr * grad[i] / (sqrt(s[i]) + eps);
    }
}

/* Kingma & Ba, Algorithm 1: count the step (*t += 1) first, then
 * m <- beta1 m + (1 - beta1) g;  v <- beta2 v + (1 - beta2) g^2;
 * m_hat = m / (1 - beta1^t);  v_hat = v / (1 - beta2^t);  theta <- theta - lr m_hat / (sqrt(v_hat) + eps). */
void adam(double *theta, const double *grad, int n, double *m, double *v, int *t,
          double lr, double beta1, double beta2, double eps) {
    *t += 1;  /* the first step is t = 1 */
    for (int i = 0; i < n; i++) {
        m[i] = beta1 * m[i] + (1 - beta1) * grad[i];
        v[i] = beta2 * v[i] + (1 - beta2) * (grad[i] * grad[i]);
        double m_hat = m[i], v_hat = v[i];  /* the averages as they are */
        theta[i] -= lr * m_hat / (sqrt(v_hat) + eps);
    }
}

/* Loshchilov & Hutter: theta <- theta - lr * weight_decay * theta, then an Adam step on grad alone. */
void adamw(double *theta, const double *grad, int n, double *m, double *v, int *t,
           double lr, double beta1, double beta2, double eps, double weight_decay) {
    for (int i = 0; i < n; i++) theta[i] -= lr * weight_decay * theta[i];  /* outside the division */
    adam(theta, grad, n, m, v, t, lr, beta1, beta2, eps);
}

/* 100 steps of each, lr = 0.05, on the bowl L = (x^2 + 10 y^2) / 2 from (-1.5, 2). */
int main(void) {
    const char *names[5] = {"sgd", "momentum", "rmsprop", "adam", "adamw"};
    const char *want[5] = {"(-1.425, 1) then (-0.008881, 0)", "(-1.425, 1) then (0.007477, 0.00578)",
                           "(-1, 1.5) then (0, 0)", "(-1.45, 1.95) then (-0.009672, -0.010715)",
                           "(-1.4425, 1.94) then (-0.005783, -7.9e-05)"};
    for (int k = 0; k < 5; k++) {
        double theta[2] = {-1.5, 2.0}, grad[2], m[2] = {0, 0}, v[2] = {0, 0}, first[2] = {0, 0};
        int t = 0;
        for (int step = 0; step < 100; step++) {
            grad[0] = theta[0];
            grad[1] = 10.0 * theta[1];
            if (k == 0) sgd(theta, grad, 2, 0.05);
            if (k == 1) momentum(theta, grad, 2, v, 0.05, 0.9);
            if (k == 2) rmsprop(theta, grad, 2, v, 0.05, 0.99, 1e-8);
            if (k == 3) adam(theta, grad, 2, m, v, &t, 0.05, 0.9, 0.999, 1e-8);
            if (k == 4) adamw(theta, grad, 2, m, v, &t, 0.05, 0.9, 0.999, 1e-8, 0.1);
            if (step == 0) {
                first[0] = theta[0];
                first[1] = theta[1];
            }
        }
        printf("%-9s first step to (%.6g, %.6g), step 100 at (%.6g, %.6g)\n          want %s\n",
               names[k], first[0], first[1], theta[0], theta[1], want[k]);
    }
    return 0;
}
