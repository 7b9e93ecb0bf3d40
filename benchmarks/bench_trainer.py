"""Per-sample SGD: nntui's trainer against a notebook-style loop, 1338 rows x 300 epochs.

The notebook loop is the classic course code: numpy scalars, one sample at a time, every
gradient written out. Both start from the same weights on the same data; the table also
checks that they end at the same weights.
"""

from __future__ import annotations

import time

import numpy as np

from nntui.engine.initialization import initial_params
from nntui.engine.network import Architecture
from nntui.engine.trainer import Trainer

ROWS, EPOCHS, LR = 1338, 300, 0.005


def data() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    x = rng.random((ROWS, 2))
    return x, x[:, 0] ** 2 + x[:, 1] + 0.1 * rng.random(ROWS)


def relu(z: float) -> float:
    return np.maximum(0, z)


def relu_derivative(z: float) -> float:
    return np.where(z > 0, 1.0, 0.0)


def notebook_loop(x: np.ndarray, y: np.ndarray, p: np.ndarray) -> list[float]:
    """The classic course notebook: helper functions, every partial derivative named."""
    w1, w2, w3, w4, w5, w6, b1, b2, b3 = p
    lr = LR
    for _ in range(EPOCHS):
        for i in range(len(x)):
            x1, x2, target = x[i, 0], x[i, 1], y[i]
            z1 = w1 * x1 + w2 * x2 + b1
            h1 = relu(z1)
            z2 = w3 * x1 + w4 * x2 + b2
            h2 = relu(z2)
            y_hat = w5 * h1 + w6 * h2 + b3
            dl_dyhat = 2 * (y_hat - target)
            dl_dw5, dl_dw6, dl_db3 = dl_dyhat * h1, dl_dyhat * h2, dl_dyhat
            dl_dz1 = dl_dyhat * w5 * relu_derivative(z1)
            dl_dz2 = dl_dyhat * w6 * relu_derivative(z2)
            dl_dw1, dl_dw2, dl_db1 = dl_dz1 * x1, dl_dz1 * x2, dl_dz1
            dl_dw3, dl_dw4, dl_db2 = dl_dz2 * x1, dl_dz2 * x2, dl_dz2
            w1, w2, w3 = w1 - lr * dl_dw1, w2 - lr * dl_dw2, w3 - lr * dl_dw3
            w4, w5, w6 = w4 - lr * dl_dw4, w5 - lr * dl_dw5, w6 - lr * dl_dw6
            b1, b2, b3 = b1 - lr * dl_db1, b2 - lr * dl_db2, b3 - lr * dl_db3
        z1 = w1 * x[:, 0] + w2 * x[:, 1] + b1
        z2 = w3 * x[:, 0] + w4 * x[:, 1] + b2
        _loss = np.mean((w5 * relu(z1) + w6 * relu(z2) + b3 - y) ** 2)
    return [float(v) for v in (w1, w2, w3, w4, w5, w6, b1, b2, b3)]


def lean_loop(x: np.ndarray, y: np.ndarray, p: np.ndarray) -> list[float]:
    """A tighter hand-written numpy-scalar loop (no helpers), for an honest second row."""
    w1, w2, w3, w4, w5, w6, b1, b2, b3 = p
    for _ in range(EPOCHS):
        for i in range(len(x)):
            x1, x2, t = x[i, 0], x[i, 1], y[i]
            z1 = w1 * x1 + w2 * x2 + b1
            z2 = w3 * x1 + w4 * x2 + b2
            h1 = z1 if z1 > 0 else 0.0
            h2 = z2 if z2 > 0 else 0.0
            d = 2 * (w5 * h1 + w6 * h2 + b3 - t)
            dz1 = d * w5 if z1 > 0 else 0.0
            dz2 = d * w6 if z2 > 0 else 0.0
            w1, w2, b1 = w1 - LR * dz1 * x1, w2 - LR * dz1 * x2, b1 - LR * dz1
            w3, w4, b2 = w3 - LR * dz2 * x1, w4 - LR * dz2 * x2, b2 - LR * dz2
            w5, w6, b3 = w5 - LR * d * h1, w6 - LR * d * h2, b3 - LR * d
    return [float(v) for v in (w1, w2, w3, w4, w5, w6, b1, b2, b3)]


def timed(fn, *args):  # noqa: ANN001, ANN201
    start = time.perf_counter()
    result = fn(*args)
    return time.perf_counter() - start, result


def main() -> float:
    """Print the table; return the speed-up over the notebook loop."""
    x, y = data()
    arch = Architecture(2, 2, "relu")
    theta0 = initial_params(arch, "notebook")
    trainer = Trainer(arch, theta0, x, y, x[:0], y[:0], lr=LR)
    fast, _ = timed(trainer.run, EPOCHS)
    slow, reference = timed(notebook_loop, x, y, theta0)
    lean, _ = timed(lean_loop, x, y, theta0)
    steps = ROWS * EPOCHS
    diff = float(np.max(np.abs(np.array(reference) - trainer.theta)))
    print(f"\nPer-sample SGD, 2-2-1 ReLU, {ROWS} rows x {EPOCHS} epochs = {steps} steps "
          f"(final weights differ by {diff:.1e})")
    print(f"  {'loop':<42}{'seconds':>9}{'steps/s':>12}{'speed-up':>10}")
    for name, secs in [("notebook-style (numpy scalars, helpers)", slow),
                       ("lean numpy-scalar loop", lean), ("nntui Trainer.run", fast)]:
        print(f"  {name:<42}{secs:>9.3f}{steps / secs:>12,.0f}{slow / secs:>9.1f}x")
    return slow / fast


if __name__ == "__main__":
    main()
