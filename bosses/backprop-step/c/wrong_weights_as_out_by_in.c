/* Wrong on purpose: reads every W as n_out x n_in (the math's y = W x), while the boss
 * stores it n_in x n_out. Must lose.
 * Otherwise module 6's C reference lab. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

/* y (batch x n_out) = x (batch x n_in) W (n_in x n_out) + b. */
void linear_forward(const double *x, const double *W, const double *b, double *y,
                    int batch, int n_in, int n_out) {
    for (int r = 0; r < batch; r++)
        for (int j = 0; j < n_out; j++) {
            double sum = b[j];
            for (int i = 0; i < n_in; i++) sum += x[r * n_in + i] * W[j * n_in + i];
            y[r * n_out + j] = sum;
        }
}

/* Given dy = dL/dy: dW = x^T dy, db = dy summed over the batch, dx = dy W^T. */
void linear_backward(const double *x, const double *W, const double *dy, double *dx,
                     double *dW, double *db, int batch, int n_in, int n_out) {
    for (int i = 0; i < n_in; i++)
        for (int j = 0; j < n_out; j++) {
            double sum = 0;
            for (int r = 0; r < batch; r++) sum += x[r * n_in + i] * dy[r * n_out + j];
            dW[j * n_in + i] = sum;
        }
    for (int j = 0; j < n_out; j++) {
        double sum = 0;
        for (int r = 0; r < batch; r++) sum += dy[r * n_out + j];
        db[j] = sum;
    }
    for (int r = 0; r < batch; r++)
        for (int i = 0; i < n_in; i++) {
            double sum = 0;
            for (int j = 0; j < n_out; j++) sum += dy[r * n_out + j] * W[j * n_in + i];
            dx[r * n_in + i] = sum;
        }
}

/* h = max(z, 0), entry by entry. */
void relu_forward(const double *z, double *h, int n) {
    for (int k = 0; k < n; k++) h[k] = z[k] > 0 ? z[k] : 0;
}

/* dz = dh where z > 0, else 0 (the slope at exactly 0 is 0). dz may be dh itself. */
void relu_backward(const double *z, const double *dh, double *dz, int n) {
    for (int k = 0; k < n; k++) dz[k] = z[k] > 0 ? dh[k] : 0;
}

/* The mean cross-entropy of softmax(logits) against the labels; writes its gradient,
 * (softmax - onehot) / batch, into dlogits. */
double softmax_xent(const double *logits, const int *labels, int batch, int classes, double *dlogits) {
    double loss = 0;
    for (int r = 0; r < batch; r++) {
        const double *z = logits + r * classes;
        double *p = dlogits + r * classes;
        double top = z[0], total = 0;
        for (int c = 1; c < classes; c++) if (z[c] > top) top = z[c];
        for (int c = 0; c < classes; c++) total += exp(z[c] - top);   /* no overflow */
        loss += top + log(total) - z[labels[r]];
        for (int c = 0; c < classes; c++) p[c] = exp(z[c] - top) / total / batch;
        p[labels[r]] -= 1.0 / batch;
    }
    return loss / batch;
}

/* The boss: the mean loss of a 3-layer ReLU MLP on a batch, and the gradient of every weight
 * and bias. widths = {n0, n1, n2, n3}; params holds W1 (n0 x n1), b1 (n1), W2, b2, W3, b3 one
 * after another, and grads gets dL/d(each) in the same layout. */
double mlp_backward(const int *widths, const double *params, const double *x,
                    const int *labels, int batch, double *grads) {
    const double *W[3], *b[3], *in[3];   /* in[l]: what layer l reads */
    double *dW[3], *db[3], *z[3];        /* z[l]: what layer l writes, before any ReLU */
    size_t at = 0;
    for (int l = 0; l < 3; l++) {
        W[l] = params + at;
        dW[l] = grads + at;
        at += (size_t)widths[l] * widths[l + 1];
        b[l] = params + at;
        db[l] = grads + at;
        at += widths[l + 1];
        z[l] = malloc(sizeof(double) * batch * widths[l + 1]);
    }
    double *h1 = malloc(sizeof(double) * batch * widths[1]);
    double *h2 = malloc(sizeof(double) * batch * widths[2]);
    in[0] = x;
    in[1] = h1;
    in[2] = h2;

    linear_forward(in[0], W[0], b[0], z[0], batch, widths[0], widths[1]);
    relu_forward(z[0], h1, batch * widths[1]);
    linear_forward(in[1], W[1], b[1], z[1], batch, widths[1], widths[2]);
    relu_forward(z[1], h2, batch * widths[2]);
    linear_forward(in[2], W[2], b[2], z[2], batch, widths[2], widths[3]);

    double *dz = malloc(sizeof(double) * batch * widths[3]);
    double loss = softmax_xent(z[2], labels, batch, widths[3], dz);
    for (int l = 2; l >= 0; l--) {   /* walk the layers backwards */
        double *dx = malloc(sizeof(double) * batch * widths[l]);
        linear_backward(in[l], W[l], dz, dx, dW[l], db[l], batch, widths[l], widths[l + 1]);
        if (l > 0) relu_backward(z[l - 1], dx, dx, batch * widths[l]);
        free(dz);
        dz = dx;
    }
    free(dz);
    free(h1);
    free(h2);
    for (int l = 0; l < 3; l++) free(z[l]);
    return loss;
}

int main(void) {
    /* a [2, 3, 2, 2] network on two examples: every gradient beside a central difference */
    int widths[4] = {2, 3, 2, 2}, labels[2] = {1, 0};
    double x[4] = {0.5, -1.0, 2.0, 0.25};
    double params[23] = {0.1, -0.4, 0.3, 0.2, 0.5, -0.6,  0.0, 0.1, -0.1,   /* W1, b1 */
                         0.7, -0.2, 0.4, 0.3, -0.5, 0.6,  0.05, -0.05,      /* W2, b2 */
                         0.2, -0.3, 0.4, 0.1,  0.0, 0.0};                   /* W3, b3 */
    double grads[23], scratch[23], worst = 0;
    for (int k = 0; k < 23; k++) grads[k] = NAN;  /* a gradient never written stays NaN */
    printf("loss %.6f  (want 0.705007)\n", mlp_backward(widths, params, x, labels, 2, grads));
    for (int k = 0; k < 23; k++) {
        if (isnan(grads[k])) {
            printf("grads[%d] was never written\n", k);
            return 0;
        }
        double keep = params[k], up, down;
        params[k] = keep + 1e-6;
        up = mlp_backward(widths, params, x, labels, 2, scratch);
        params[k] = keep - 1e-6;
        down = mlp_backward(widths, params, x, labels, 2, scratch);
        params[k] = keep;
        double gap = fabs(grads[k] - (up - down) / 2e-6);
        if (gap > worst) worst = gap;
    }
    printf("largest gap to central differences %.1e (want below 1e-6)\n", worst);
    return 0;
}
