/* The arithmetic of nntui's compiled kernel: one SGD update, an epoch, epoch losses.
 *
 * Included by _kernel.c only (which holds the Python bindings). Every floating-point
 * operation is the one the pure-Python path makes, in the same order (fastloop.py and the
 * activation templates in activations.py); see _kernel.c for why that holds bit for bit.
 *
 * Parameter vector (docs/design.md section 2): W (k x n, unit by unit), then the output
 * weights v (k), the hidden biases b (k) and the output bias c.
 */
#ifndef NNTUI_KERNEL_SGD_H
#define NNTUI_KERNEL_SGD_H

#include <math.h>
#include <stdint.h>
#include <string.h>
#ifdef _WIN32
#include <windows.h>
#else
#include <time.h>
#endif

#if defined(_MSC_VER)
#define INLINE static __forceinline
#define restrict __restrict
#else
#define INLINE static inline __attribute__((always_inline))
#endif

/* Every function below that takes `act` is inlined with a constant activation (see
   `epoch` and `mean_loss`), so the hot loops have no switch. */
enum { RELU = 0, SIGMOID = 1, TANH = 2, LINEAR = 3 };
enum { DONE = 0, NONFINITE_PARAM = 1, NONFINITE_LOSS = 2, BLOW_UP = 3 };

typedef struct {
    Py_ssize_t n, k, P;
    int act;
    double *restrict z, *restrict h, *restrict gp, *restrict dz; /* k each */
    double *restrict g, *restrict saved;                          /* P each */
} Net;

static double seconds_now(void)
{
#ifdef _WIN32
    LARGE_INTEGER f, t;
    QueryPerformanceFrequency(&f);
    QueryPerformanceCounter(&t);
    return (double)t.QuadPart / (double)f.QuadPart;
#else
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
#endif
}

/* z, h = g(z) and (if `slope`) g'(z) of every hidden unit: activations.py's templates. */
INLINE void hidden(const Net *net, const double *p, const double *xr, const int act,
                   const int slope)
{
    const Py_ssize_t n = net->n, k = net->k;
    const double *b = p + n * k + k;
    for (Py_ssize_t j = 0; j < k; j++) {
        const double *w = p + j * n;
        double acc = w[0] * xr[0];
        for (Py_ssize_t i = 1; i < n; i++)
            acc = acc + w[i] * xr[i];
        const double z = acc + b[j];
        double e;
        net->z[j] = z;
        switch (act) {
        case RELU:
            net->h[j] = z > 0.0 ? z : 0.0;
            break;
        case SIGMOID:
            e = exp(-fabs(z));
            net->h[j] = z >= 0.0 ? 1.0 / (1.0 + e) : e / (1.0 + e);
            if (slope)
                net->gp[j] = e / ((1.0 + e) * (1.0 + e));
            break;
        case TANH:
            net->h[j] = tanh(z);
            if (slope) {
                e = exp(-2.0 * fabs(z));
                net->gp[j] = 4.0 * e / ((1.0 + e) * (1.0 + e));
            }
            break;
        default:
            net->h[j] = z;
        }
    }
}

/* y_hat = v1*h1 + ... + vk*hk + c, left to right. */
INLINE double output(const Net *net, const double *p)
{
    const double *v = p + net->n * net->k;
    double acc = v[0] * net->h[0];
    for (Py_ssize_t j = 1; j < net->k; j++)
        acc = acc + v[j] * net->h[j];
    return acc + p[net->P - 1];
}

/* dL/dy_hat, and dL/dz of every unit by the chain convention (0 where g'(z) is 0). */
INLINE double backward(const Net *net, const double *p, const double *xr, double y,
                       const int act)
{
    hidden(net, p, xr, act, 1);
    const double d = 2.0 * (output(net, p) - y);
    const double *v = p + net->n * net->k;
    for (Py_ssize_t j = 0; j < net->k; j++) {
        const double dlh = d * v[j];
        switch (act) {
        case RELU:
            net->dz[j] = net->z[j] > 0.0 ? dlh : 0.0;
            break;
        case SIGMOID:
        case TANH:
            net->dz[j] = net->gp[j] != 0.0 ? dlh * net->gp[j] : 0.0;
            break;
        default:
            net->dz[j] = dlh;
        }
    }
    return d;
}

/* One per-sample update p <- p - lr * dL/dp, in the fast loop's order. */
INLINE void sgd_step(const Net *net, double *p, const double *xr, double y, double lr,
                     const int act)
{
    const Py_ssize_t n = net->n, k = net->k;
    const double d = backward(net, p, xr, y, act);
    double *v = p + n * k, *b = v + k;
    for (Py_ssize_t j = 0; j < k; j++) {
        double *w = p + j * n;
        const double dz = net->dz[j];
        for (Py_ssize_t i = 0; i < n; i++)
            w[i] = w[i] - lr * (dz * xr[i]);
        b[j] = b[j] - lr * dz;
        v[j] = v[j] - lr * (d * net->h[j]);
    }
    p[net->P - 1] = p[net->P - 1] - lr * d;
}

/* This row's gradient added to g (or written to it, for the batch's first row). */
INLINE void accumulate(const Net *net, const double *p, const double *xr, double y,
                       int first, const int act)
{
    const Py_ssize_t n = net->n, k = net->k;
    const double d = backward(net, p, xr, y, act);
    double *g = net->g, *gv = g + n * k, *gb = gv + k;
    for (Py_ssize_t j = 0; j < k; j++) {
        const double dz = net->dz[j];
        for (Py_ssize_t i = 0; i < n; i++)
            g[j * n + i] = first ? dz * xr[i] : g[j * n + i] + dz * xr[i];
        gb[j] = first ? dz : gb[j] + dz;
        gv[j] = first ? d * net->h[j] : gv[j] + d * net->h[j];
    }
    g[net->P - 1] = first ? d : g[net->P - 1] + d;
}

INLINE int all_finite(const double *p, Py_ssize_t P)
{
    for (Py_ssize_t i = 0; i < P; i++)
        if (!isfinite(p[i]))
            return 0;
    return 1;
}

/* Mean of (y_hat - y)^2 over the rows, summed in row order. */
INLINE double mean_loss_act(const Net *net, const double *p, const double *x,
                           const double *y, Py_ssize_t rows, const int act)
{
    double s = 0.0;
    for (Py_ssize_t r = 0; r < rows; r++) {
        hidden(net, p, x + r * net->n, act, 0);
        const double err = output(net, p) - y[r];
        s = r == 0 ? err * err : s + err * err;
    }
    return s / (double)rows;
}

static double mean_loss(const Net *net, const double *p, const double *x, const double *y,
                        Py_ssize_t rows)
{
    switch (net->act) {
    case RELU: return mean_loss_act(net, p, x, y, rows, RELU);
    case SIGMOID: return mean_loss_act(net, p, x, y, rows, SIGMOID);
    case TANH: return mean_loss_act(net, p, x, y, rows, TANH);
    default: return mean_loss_act(net, p, x, y, rows, LINEAR);
    }
}

typedef struct {
    const double *x, *y, *xt, *yt;
    const int64_t *order; /* epochs x N row indices, or NULL for file order */
    Py_ssize_t N, NT, pos, epochs, batch;
    double lr, limit, seconds;
    double *thetas, *train, *test; /* outputs per finished epoch */
    Py_ssize_t completed, updates, end_pos;
    int status;
} Run;

#define ROW(r) (ord != NULL ? (Py_ssize_t)ord[r] : (r))

/* One epoch from `start`; returns 0 when a parameter would become non-finite. */
INLINE int epoch_act(Run *run, const Net *net, double *p, const int64_t *ord,
                     Py_ssize_t start, const int act)
{
    const Py_ssize_t n = net->n, P = net->P, N = run->N, B = run->batch;
    const double lr = run->lr;
    if (B == 1) {
        /* Unchecked, as the Python path: a non-finite parameter stays non-finite, so one
           check at the end finds it; then the epoch runs again, checked, from its start. */
        memcpy(net->saved, p, P * sizeof(double));
        for (Py_ssize_t r = start; r < N; r++)
            sgd_step(net, p, run->x + ROW(r) * n, run->y[ROW(r)], lr, act);
        if (all_finite(p, P)) {
            run->updates += N - start;
            return 1;
        }
        memcpy(p, net->saved, P * sizeof(double));
        for (Py_ssize_t r = start; r < N; r++) {
            memcpy(net->saved, p, P * sizeof(double));
            sgd_step(net, p, run->x + ROW(r) * n, run->y[ROW(r)], lr, act);
            if (!all_finite(p, P)) {
                memcpy(p, net->saved, P * sizeof(double));
                run->end_pos = r;
                return 0;
            }
            run->updates++;
        }
        return 1;
    }
    for (Py_ssize_t lo = start; lo < N; lo += B) {
        const Py_ssize_t hi = lo + B < N ? lo + B : N;
        const double m = (double)(hi - lo);
        for (Py_ssize_t r = lo; r < hi; r++)
            accumulate(net, p, run->x + ROW(r) * n, run->y[ROW(r)], r == lo, act);
        memcpy(net->saved, p, P * sizeof(double));
        for (Py_ssize_t i = 0; i < P; i++)
            p[i] = p[i] - lr * (net->g[i] / m);
        if (!all_finite(p, P)) {
            memcpy(p, net->saved, P * sizeof(double));
            run->end_pos = lo;
            return 0;
        }
        run->updates++;
    }
    return 1;
}

static int epoch(Run *run, const Net *net, double *p, const int64_t *ord, Py_ssize_t start)
{
    switch (net->act) {
    case RELU: return epoch_act(run, net, p, ord, start, RELU);
    case SIGMOID: return epoch_act(run, net, p, ord, start, SIGMOID);
    case TANH: return epoch_act(run, net, p, ord, start, TANH);
    default: return epoch_act(run, net, p, ord, start, LINEAR);
    }
}

/* Epochs until `epochs` are finished, the time is up, or the run diverges. */
static void train_epochs(Run *run, const Net *net, double *p)
{
    const double started = seconds_now();
    const Py_ssize_t N = run->N, P = net->P;
    for (Py_ssize_t e = 0; e < run->epochs; e++) {
        const int64_t *ord = run->order != NULL ? run->order + e * N : NULL;
        if (!epoch(run, net, p, ord, e == 0 ? run->pos : 0)) {
            run->status = NONFINITE_PARAM;
            return;
        }
        const double tr = mean_loss(net, p, run->x, run->y, N);
        const double te = run->NT > 0 ? mean_loss(net, p, run->xt, run->yt, run->NT) : 0.0;
        if (!isfinite(tr) || !isfinite(te)) {
            run->status = NONFINITE_LOSS;
            run->end_pos = N;
            return;
        }
        run->train[e] = tr;
        run->test[e] = te;
        memcpy(run->thetas + e * P, p, P * sizeof(double));
        run->completed++;
        if (tr > run->limit) {
            run->status = BLOW_UP;
            return;
        }
        if (seconds_now() - started >= run->seconds)
            return;
    }
}

#endif
