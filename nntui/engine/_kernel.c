/* nntui's compiled training kernel: per-sample and mini-batch SGD epochs, epoch losses.
 *
 * Optional (setup.py builds it with Extension(optional=True)); nntui/engine/kernel.py
 * wraps it and the trainer falls back to the generated Python loop without it.
 *
 * Every floating-point operation is the one the pure-Python path makes, in the same order
 * (nntui/engine/fastloop.py and the activation templates in activations.py), so both
 * paths give the same parameters and losses bit for bit, divergence included
 * (tests/test_equivalence.py). That needs: no contraction into fused multiply-adds
 * (-ffp-contract=off), no -ffast-math, and the C library's exp and tanh, which CPython's
 * math.exp and math.tanh call too. Sums run left to right, as Python writes them.
 *
 * The arithmetic is in _kernel_sgd.h; this file checks the arguments and holds the
 * Python bindings. setup.py passes the CRC-32 of both files as NNTUI_SOURCE_CRC.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include "_kernel_sgd.h"

#ifndef NNTUI_SOURCE_CRC
#define NNTUI_SOURCE_CRC 0UL
#endif

/* The network n -> k -> deeper[0] -> ... -> 1 (deeper: int64 widths, or NULL). */
static int setup_net(Net *net, Py_ssize_t n, Py_ssize_t k, int act, Py_ssize_t theta_len,
                     const Py_buffer *deeper)
{
    const Py_ssize_t more = deeper != NULL ? deeper->len / (Py_ssize_t)sizeof(int64_t) : 0;
    const int64_t *w = deeper != NULL ? deeper->buf : NULL;
    if (n < 1 || k < 1 || act < RELU || act > LINEAR || 1 + more > MAX_DEPTH
        || (deeper != NULL && deeper->len % (Py_ssize_t)sizeof(int64_t))) {
        PyErr_SetString(PyExc_ValueError, "bad network shape or activation");
        return 0;
    }
    net->n = n;
    net->L = 1 + more;
    net->act = act;
    net->size[0] = n;
    net->size[1] = k;
    for (Py_ssize_t l = 0; l < more; l++) {
        if (w[l] < 1 || w[l] > 4096) {
            PyErr_SetString(PyExc_ValueError, "bad network shape or activation");
            return 0;
        }
        net->size[l + 2] = (Py_ssize_t)w[l];
    }
    net->size[net->L + 1] = 1;
    Py_ssize_t weights = 0, units = 0;
    for (Py_ssize_t l = 0; l <= net->L; l++) {
        net->woff[l] = weights;
        net->uoff[l] = units;
        weights += net->size[l] * net->size[l + 1];
        units += net->size[l + 1];
    }
    for (Py_ssize_t l = 0, b = weights; l <= net->L; l++) {
        net->boff[l] = b;
        b += net->size[l + 1];
    }
    net->P = weights + units;
    if (theta_len != net->P * (Py_ssize_t)sizeof(double)) {
        PyErr_SetString(PyExc_ValueError, "theta has the wrong length");
        return 0;
    }
    double *mem = PyMem_Calloc((size_t)(4 * units + 2 * net->P), sizeof(double));
    if (mem == NULL) {
        PyErr_NoMemory();
        return 0;
    }
    net->z = mem;
    net->h = mem + units;
    net->gp = mem + 2 * units;
    net->dz = mem + 3 * units;
    net->g = mem + 4 * units;
    net->saved = net->g + net->P;
    return 1;
}

/* Rows in a buffer of doubles (n per row), or -1 with an exception set. */
static Py_ssize_t rows_of(const Py_buffer *x, const Py_buffer *y, Py_ssize_t n)
{
    const Py_ssize_t rows = y->len / (Py_ssize_t)sizeof(double);
    if (y->len % (Py_ssize_t)sizeof(double) || x->len != rows * n * (Py_ssize_t)sizeof(double)) {
        PyErr_SetString(PyExc_ValueError, "x and y do not match the network");
        return -1;
    }
    return rows;
}

PyDoc_STRVAR(train_doc,
"train(theta, x, y, xt, yt, order, pos, epochs, batch, n, k, act, lr, limit, seconds,\n"
"      thetas, train, test[, deeper]) -> (completed, updates, end_pos, status)\n\n"
"Train theta in place (float64 buffers; order: int64, epochs x rows, or empty;\n"
"deeper: int64 widths of hidden layers 2, 3, ...).");

static PyObject *py_train(PyObject *self, PyObject *args)
{
    (void)self;
    Py_buffer theta, x, y, xt, yt, order, thetas, tr, te, deeper = {0};
    Py_ssize_t n, k;
    int act;
    Run run = {0};
    if (!PyArg_ParseTuple(args, "w*y*y*y*y*y*nnnnnidddw*w*w*|y*:train", &theta, &x, &y, &xt,
                          &yt, &order, &run.pos, &run.epochs, &run.batch, &n, &k, &act,
                          &run.lr, &run.limit, &run.seconds, &thetas, &tr, &te, &deeper))
        return NULL;
    Net net = {0};
    PyObject *result = NULL;
    if (!setup_net(&net, n, k, act, theta.len, deeper.obj != NULL ? &deeper : NULL))
        goto out;
    run.N = rows_of(&x, &y, n);
    run.NT = run.N < 0 ? -1 : rows_of(&xt, &yt, n);
    if (run.N < 0 || run.NT < 0)
        goto out;
    const Py_ssize_t E = run.epochs, D = (Py_ssize_t)sizeof(double);
    if (run.N < 1 || run.batch < 1 || E < 1 || run.pos < 0 || run.pos > run.N
        || thetas.len < E * net.P * D || tr.len < E * D || te.len < E * D
        || (order.len != 0 && order.len != E * run.N * (Py_ssize_t)sizeof(int64_t))) {
        PyErr_SetString(PyExc_ValueError, "bad sizes for train()");
        goto out;
    }
    if (order.len != 0) {
        const int64_t *o = order.buf;
        for (Py_ssize_t i = 0; i < E * run.N; i++)
            if (o[i] < 0 || o[i] >= run.N) {
                PyErr_SetString(PyExc_ValueError, "order holds a row out of range");
                goto out;
            }
        run.order = o;
    }
    run.x = x.buf;
    run.y = y.buf;
    run.xt = xt.buf;
    run.yt = yt.buf;
    run.thetas = thetas.buf;
    run.train = tr.buf;
    run.test = te.buf;
    Py_BEGIN_ALLOW_THREADS
    train_epochs(&run, &net, theta.buf);
    Py_END_ALLOW_THREADS
    result = Py_BuildValue("nnni", run.completed, run.updates, run.end_pos, run.status);
out:
    PyMem_Free(net.z);
    PyBuffer_Release(&theta);
    PyBuffer_Release(&x);
    PyBuffer_Release(&y);
    PyBuffer_Release(&xt);
    PyBuffer_Release(&yt);
    PyBuffer_Release(&order);
    PyBuffer_Release(&thetas);
    PyBuffer_Release(&tr);
    PyBuffer_Release(&te);
    if (deeper.obj != NULL)
        PyBuffer_Release(&deeper);
    return result;
}

PyDoc_STRVAR(loss_doc,
"mean_loss(theta, x, y, n, k, act[, deeper]) -> float\n\n"
"The mean of (y_hat - y)^2 over the rows, summed in row order.");

static PyObject *py_mean_loss(PyObject *self, PyObject *args)
{
    (void)self;
    Py_buffer theta, x, y, deeper = {0};
    Py_ssize_t n, k;
    int act;
    if (!PyArg_ParseTuple(args, "y*y*y*nni|y*:mean_loss", &theta, &x, &y, &n, &k, &act,
                          &deeper))
        return NULL;
    Net net = {0};
    PyObject *result = NULL;
    if (setup_net(&net, n, k, act, theta.len, deeper.obj != NULL ? &deeper : NULL)) {
        const Py_ssize_t rows = rows_of(&x, &y, n);
        if (rows == 0)
            PyErr_SetString(PyExc_ValueError, "no rows");
        else if (rows > 0)
            result = PyFloat_FromDouble(mean_loss(&net, theta.buf, x.buf, y.buf, rows));
    }
    PyMem_Free(net.z);
    PyBuffer_Release(&theta);
    PyBuffer_Release(&x);
    PyBuffer_Release(&y);
    if (deeper.obj != NULL)
        PyBuffer_Release(&deeper);
    return result;
}

static PyMethodDef methods[] = {
    {"train", py_train, METH_VARARGS, train_doc},
    {"mean_loss", py_mean_loss, METH_VARARGS, loss_doc},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_kernel", "nntui's compiled SGD kernel (see kernel.py).", -1,
    methods, NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit__kernel(void)
{
    PyObject *m = PyModule_Create(&module);
    if (m == NULL)
        return NULL;
    /* setup.py passes the CRC-32 of this file: kernel.py refuses a build of older source. */
    PyObject *crc = PyLong_FromUnsignedLong(NNTUI_SOURCE_CRC);
    if (crc == NULL || PyModule_AddObject(m, "SOURCE_CRC", crc) < 0) {
        Py_XDECREF(crc);
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
