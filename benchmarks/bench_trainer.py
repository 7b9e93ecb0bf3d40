"""Per-sample SGD: the compiled kernel, the pure-Python fast path and a notebook-style loop.

All on the same 1338-row table (2 inputs, the notebook's 2-2-1 ReLU network, the notebook's
initial weights), measured as CPU time per update (median of several repeats), side by
side in one run. The notebook loop is the classic course code: numpy scalars, one sample
at a time, every gradient written out. The table also checks the final weights: the two
nntui paths must agree bit for bit, the notebook loop to rounding.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

import numpy as np

from nntui.engine import kernel
from nntui.engine.initialization import initial_params
from nntui.engine.network import Architecture
from nntui.engine.trainer import Trainer

ROWS, LR = 1338, 0.005
ARCH = Architecture(2, 2, "relu")


def data(rows: int = ROWS) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    x = rng.random((rows, 2))
    return x, x[:, 0] ** 2 + x[:, 1] + 0.1 * rng.random(rows)


def relu(z: float) -> float:
    return np.maximum(0, z)


def relu_derivative(z: float) -> float:
    return np.where(z > 0, 1.0, 0.0)


def notebook_loop(x: np.ndarray, y: np.ndarray, p: np.ndarray, epochs: int) -> list[float]:
    """The classic course notebook: helper functions, every partial derivative named."""
    w1, w2, w3, w4, w5, w6, b1, b2, b3 = p
    lr = LR
    for _ in range(epochs):
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


def cpu(fn: Callable[[], object], repeats: int) -> tuple[float, object]:
    """Median CPU seconds of `fn()` over `repeats` calls, and its last result."""
    times, result = [], None
    for _ in range(repeats):
        start = time.process_time()
        result = fn()
        times.append(time.process_time() - start)
    return statistics.median(times), result


def trained(compiled: bool, epochs: int, batch_size: int = 1,
            arch: Architecture = ARCH) -> Callable[[], np.ndarray]:
    """A fresh trainer run for `epochs` epochs; returns its final parameters."""
    x, y = data()

    def go() -> np.ndarray:
        t = Trainer(arch, initial_params(arch, "notebook"), x, y, x[:0], y[:0], lr=LR,
                    batch_size=batch_size, compiled=compiled)
        t.run(epochs)
        return t.theta

    return go


def ns_per_update(compiled: bool, epochs: int, repeats: int, batch_size: int = 1,
                  arch: Architecture = ARCH) -> tuple[float, np.ndarray]:
    secs, theta = cpu(trained(compiled, epochs, batch_size, arch), repeats)
    return 1e9 * secs / (ROWS * epochs), theta  # type: ignore[return-value]


def main() -> dict[str, float]:
    """Print the tables; return the measured ns per sample by name."""
    x, y = data()
    theta0 = initial_params(ARCH, "notebook")
    note_epochs = 20
    note, note_theta = cpu(lambda: notebook_loop(x, y, theta0, note_epochs), 3)
    note_ns = 1e9 * note / (ROWS * note_epochs)
    py_ns, py_theta = ns_per_update(False, note_epochs, 3)
    rows: list[tuple[str, float]] = []
    same = "-"
    if kernel.BUILT is not None:
        k_ns, k_theta = ns_per_update(True, 1000, 5)
        _, k_short = ns_per_update(True, note_epochs, 1)
        same = str(k_short.tobytes() == py_theta.tobytes())
        rows.append(("nntui, compiled kernel", k_ns))
    rows += [("nntui, pure-Python fast path", py_ns), ("notebook-style numpy-scalar loop", note_ns)]
    diff = float(np.max(np.abs(np.array(note_theta) - py_theta)))
    print(f"\nPer-sample SGD, 2-2-1 ReLU, {ROWS} rows (CPU time per update, medians; kernel "
          f"= python bit for bit: {same}; notebook differs by {diff:.1e})")
    print(f"  {'loop':<40}{'ns/step':>10}{'vs notebook':>13}")
    for name, ns in rows:
        print(f"  {name:<40}{ns:>10.1f}{note_ns / ns:>12.1f}x")
    out = dict(rows)

    print(f"\nMini-batches (CPU time per sample; the notebook loop is per-sample, "
          f"{note_ns:.0f} ns)")
    print(f"  {'batch':<8}{'path':<16}{'ns/sample':>10}{'vs notebook':>13}")
    for batch in (8, 32):
        paths = [("python", False)] + ([("compiled", True)] if kernel.BUILT else [])
        for name, flag in paths:
            ns, _ = ns_per_update(flag, 300 if flag else note_epochs, 3, batch)
            print(f"  {batch:<8}{name:<16}{ns:>10.1f}{note_ns / ns:>12.1f}x")
            out[f"batch {batch} {name}"] = ns
    out.update(deep_rows(note_epochs))
    epoch_losses()
    return out


def numpy_mean_loss(arch: Architecture, theta: np.ndarray, x: np.ndarray,
                    y: np.ndarray) -> float:
    """The epoch loss as nntui computed it before: a BLAS forward pass and np.mean."""
    w_in, b, v, c = arch.unpack(theta)
    with np.errstate(all="ignore"):
        with np.errstate(all="ignore"):
            h = arch.spec.array_value(x @ w_in.T + b)
            y_hat = h @ v + c
        return float(np.mean((y_hat - y) ** 2))


def epoch_losses() -> None:
    """One epoch's two losses on the default run (80 train + 20 test rows), three ways."""
    from nntui.lab.config import ExperimentConfig
    from nntui.lab.experiment import Experiment

    t = Experiment.build(ExperimentConfig()).trainer
    arch, theta = t.arch, t.theta
    ways = [("numpy mean (before)", lambda: (
        numpy_mean_loss(arch, theta, t.x_train, t.y_train),
        numpy_mean_loss(arch, theta, t.x_test, t.y_test)))]
    for name, flag in [("pure-Python path", False), ("compiled kernel", True)]:
        if flag and kernel.BUILT is None:
            continue
        other = Trainer(arch, t.theta0, t.x_train, t.y_train, t.x_test, t.y_test,
                        compiled=flag)
        ways.append((name, lambda other=other: other._losses(theta)))  # type: ignore[misc]
    print("\nEpoch losses (train + test), default run: 80 + 20 rows; CPU per epoch, medians")
    print(f"  {'way':<28}{'us/epoch':>10}")
    for name, fn in ways:
        secs, _ = cpu(lambda fn=fn: [fn() for _ in range(1000)], 5)  # type: ignore[misc]
        print(f"  {name:<28}{1e3 * secs:>10.1f}")


DEEP = Architecture.of(2, (8, 8), "relu")


def numpy_deep_loop(x: np.ndarray, y: np.ndarray, p: np.ndarray, epochs: int) -> np.ndarray:
    """The notebook's loop written for any depth: one sample at a time, small numpy arrays
    per layer (z = W @ h + b), deltas backwards through W.T."""
    theta = p.copy()
    layers = DEEP.layer_params(theta)  # views: updated in place
    for _ in range(epochs):
        for xi, yi in zip(x, y):
            hs = [xi]
            for w, b in layers[:-1]:
                hs.append(np.maximum(0.0, w @ hs[-1] + b))
            delta = 2.0 * (layers[-1][0] @ hs[-1] + layers[-1][1] - yi)
            for (w, b), h in zip(reversed(layers), reversed(hs)):
                grad_w, grad_b = np.outer(delta, h), delta
                delta = (w.T @ delta) * (h > 0.0)
                w -= LR * grad_w
                b -= LR * grad_b
    return theta


def deep_rows(epochs: int) -> dict[str, float]:
    """Per-sample SGD on a 2-8-8-1 ReLU network: kernel, pure Python, numpy per layer."""
    x, y = data()
    note, note_theta = cpu(lambda: numpy_deep_loop(x, y, initial_params(DEEP, "notebook"),
                                                   epochs), 3)
    rows = {"2-8-8-1 notebook-style numpy loop": 1e9 * note / (ROWS * epochs)}
    py_ns, py_theta = ns_per_update(False, epochs, 3, arch=DEEP)
    rows["2-8-8-1 pure-Python fast path"] = py_ns
    same = "-"
    if kernel.BUILT is not None:
        rows["2-8-8-1 compiled kernel"], _ = ns_per_update(True, 200, 5, arch=DEEP)
        same = str(ns_per_update(True, epochs, 1, arch=DEEP)[1].tobytes() == py_theta.tobytes())
    diff = float(np.max(np.abs(np.asarray(note_theta) - py_theta)))
    print(f"\nPer-sample SGD, 2-8-8-1 ReLU ({DEEP.n_params} parameters), {ROWS} rows (kernel = "
          f"python bit for bit: {same}; the numpy loop differs by {diff:.1e})")
    print(f"  {'loop':<40}{'ns/step':>10}{'vs numpy':>13}")
    for name, ns in sorted(rows.items(), key=lambda r: r[1]):
        print(f"  {name:<40}{ns:>10.1f}{rows['2-8-8-1 notebook-style numpy loop'] / ns:>12.1f}x")
    return rows


if __name__ == "__main__":
    main()
