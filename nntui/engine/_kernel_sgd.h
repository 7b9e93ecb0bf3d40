/* The arithmetic of nntui's compiled kernel: one SGD update, an epoch, epoch losses.
 *
 * Included by _kernel.c only (which holds the Python bindings). Every floating-point
 * operation is the one the pure-Python path makes, in the same order (fastloop.py and the
 * activation templates in activations.py); see _kernel.c for why that holds bit for bit.
 *
 * Parameter vector (docs/design.md section 2): every weight layer's weights (unit by
 * unit, each in input order; the output layer's last), then every layer's biases. With
 * one hidden layer: W (k x n), the output weights v (k), the hidden biases b (k), c.
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
/* Hidden layers the kernel takes (nntui itself stops at 4). */
#define MAX_DEPTH 8

/* size[0] inputs, size[1..L] the hidden layers' widths, size[L+1] = 1 output. Weight
   layer l (0..L) maps size[l] values to size[l+1]: its weights start at woff[l] (unit by
   unit, each in input order), its biases at boff[l]. Unit j of hidden layer l keeps its
   z, h, g'(z) and dL/dz at index uoff[l] + j; dz[uoff[L]] is the output's, dL/dy_hat. */
typedef struct {
    Py_ssize_t n, L, P;
    Py_ssize_t size[MAX_DEPTH + 2], woff[MAX_DEPTH + 1], boff[MAX_DEPTH + 1],
        uoff[MAX_DEPTH + 1];
    int act;
    double *restrict z, *restrict h, *restrict gp, *restrict dz; /* units + 1 each */
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

/* What weight layer l multiplies: the row's inputs or hidden layer l-1's h. */
#define LAYER_IN(net, l, xr) ((l) == 0 ? (xr) : (net)->h + (net)->uoff[(l) - 1])

/* z, h = g(z) and (if `slope`) g'(z) of every hidden unit: activations.py's templates. */
INLINE void hidden(const Net *net, const double *p, const double *xr, const int act,
                   const int slope)
{
    for (Py_ssize_t l = 0; l < net->L; l++) {
        const Py_ssize_t fan = net->size[l], k = net->size[l + 1];
        const double *a = LAYER_IN(net, l, xr), *b = p + net->boff[l];
        double *zl = net->z + net->uoff[l], *hl = net->h + net->uoff[l];
        double *gl = net->gp + net->uoff[l];
        for (Py_ssize_t j = 0; j < k; j++) {
            const double *w = p + net->woff[l] + j * fan;
            double acc = w[0] * a[0];
            for (Py_ssize_t i = 1; i < fan; i++)
                acc = acc + w[i] * a[i];
            const double z = acc + b[j];
            double e;
            zl[j] = z;
            switch (act) {
            case RELU:
                hl[j] = z > 0.0 ? z : 0.0;
                break;
            case SIGMOID:
                e = exp(-fabs(z));
                hl[j] = z >= 0.0 ? 1.0 / (1.0 + e) : e / (1.0 + e);
                if (slope)
                    gl[j] = e / ((1.0 + e) * (1.0 + e));
                break;
            case TANH:
                hl[j] = tanh(z);
                if (slope) {
                    e = exp(-2.0 * fabs(z));
                    gl[j] = 4.0 * e / ((1.0 + e) * (1.0 + e));
                }
                break;
            default:
                hl[j] = z;
            }
        }
    }
}

/* y_hat = v1*h1 + ... + vk*hk + c over the last hidden layer, left to right. */
INLINE double output(const Net *net, const double *p)
{
    const Py_ssize_t L = net->L, k = net->size[L];
    const double *v = p + net->woff[L], *h = net->h + net->uoff[L - 1];
    double acc = v[0] * h[0];
    for (Py_ssize_t j = 1; j < k; j++)
        acc = acc + v[j] * h[j];
    return acc + p[net->P - 1];
}

/* dL/dy_hat, then dL/dz of every unit, top layer first: dL/dh_j = sum over the layer
   above of its weight from j times its dL/dz, left to right; then the chain convention
   (0 where g'(z) is 0). */
INLINE double backward(const Net *net, const double *p, const double *xr, double y,
                       const int act)
{
    hidden(net, p, xr, act, 1);
    const double d = 2.0 * (output(net, p) - y);
    net->dz[net->uoff[net->L]] = d;
    for (Py_ssize_t l = net->L - 1; l >= 0; l--) {
        const Py_ssize_t k = net->size[l + 1], up = net->size[l + 2];
        const double *wu = p + net->woff[l + 1], *du = net->dz + net->uoff[l + 1];
        const double *zl = net->z + net->uoff[l], *gl = net->gp + net->uoff[l];
        double *dl = net->dz + net->uoff[l];
        for (Py_ssize_t j = 0; j < k; j++) {
            double dlh = du[0] * wu[j];
            for (Py_ssize_t m = 1; m < up; m++)
                dlh = dlh + du[m] * wu[m * k + j];
            switch (act) {
            case RELU:
                dl[j] = zl[j] > 0.0 ? dlh : 0.0;
                break;
            case SIGMOID:
            case TANH:
                dl[j] = gl[j] != 0.0 ? dlh * gl[j] : 0.0;
                break;
            default:
                dl[j] = dlh;
            }
        }
    }
    return d;
}

/* One per-sample update p <- p - lr * dL/dp: every gradient is a dL/dz times its input. */
INLINE void sgd_step(const Net *net, double *p, const double *xr, double y, double lr,
                     const int act)
{
    backward(net, p, xr, y, act);
    for (Py_ssize_t l = 0; l <= net->L; l++) {
        const Py_ssize_t fan = net->size[l], k = net->size[l + 1];
        const double *a = LAYER_IN(net, l, xr), *dl = net->dz + net->uoff[l];
        double *b = p + net->boff[l];
        for (Py_ssize_t j = 0; j < k; j++) {
            double *w = p + net->woff[l] + j * fan;
            const double dz = dl[j];
            for (Py_ssize_t i = 0; i < fan; i++)
                w[i] = w[i] - lr * (dz * a[i]);
            b[j] = b[j] - lr * dz;
        }
    }
}

/* This row's gradient added to g (or written to it, for the batch's first row). */
INLINE void accumulate(const Net *net, const double *p, const double *xr, double y,
                       int first, const int act)
{
    backward(net, p, xr, y, act);
    for (Py_ssize_t l = 0; l <= net->L; l++) {
        const Py_ssize_t fan = net->size[l], k = net->size[l + 1];
        const double *a = LAYER_IN(net, l, xr), *dl = net->dz + net->uoff[l];
        double *gb = net->g + net->boff[l];
        for (Py_ssize_t j = 0; j < k; j++) {
            double *gw = net->g + net->woff[l] + j * fan;
            const double dz = dl[j];
            for (Py_ssize_t i = 0; i < fan; i++)
                gw[i] = first ? dz * a[i] : gw[i] + dz * a[i];
            gb[j] = first ? dz : gb[j] + dz;
        }
    }
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
