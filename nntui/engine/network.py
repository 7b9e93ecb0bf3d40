"""The network: n inputs, k hidden units, one linear output (docs/design.md §2).

Parameters live in one flat float64 vector ordered by name: w1..w[n*k+k], then b1..b[k+1].
Hidden unit j (1-based) has input weights w[(j-1)*n+1 .. j*n] and bias b[j]; the output
weights are w[n*k+1 .. n*k+k] and the output bias is b[k+1]. For n = k = 2 this gives the
notebook's w1..w6, b1..b3.

`trace()` is the readable per-sample forward and backward pass in plain Python floats; every
number the inspector shows comes from it. `forward()` is the one vectorised forward pass:
`predict()`, `mean_loss()` (epoch losses), metrics and `inactive_share()` use it. It makes the
trace's operations in the trace's order (no matrix product, whose summation order and fused
multiply-adds belong to the BLAS library), so each of its values equals the trace's bit for
bit, and the compiled kernel computes the same epoch losses.
Everything about the activation comes from its specification (`nntui.engine.activations`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nntui.engine.activations import Activation, activation, chain
from nntui.engine.naming import param_names


def activate(name: str, z: float) -> float:
    """g(z) for one float (the specification's scalar value)."""
    return activation(name).value(z)


def derivative(name: str, z: float) -> float:
    """g'(z) for one float, computed from z so it stays exact when a unit saturates."""
    return activation(name).derivative(z)


def activate_array(name: str, z: np.ndarray) -> np.ndarray:
    """g(z) elementwise (no overflow warnings)."""
    with np.errstate(all="ignore"):
        return activation(name).array_value(z)


@dataclass(frozen=True)
class Architecture:
    """Sizes and activation of a one-hidden-layer network."""

    n_inputs: int = 2
    n_hidden: int = 2
    activation: str = "relu"

    def __post_init__(self) -> None:
        activation(self.activation)  # an unknown name is a UserError here, not later

    @property
    def spec(self) -> Activation:
        """The hidden activation's specification (value, derivative, code)."""
        return activation(self.activation)

    @property
    def n_weights(self) -> int:
        return self.n_inputs * self.n_hidden + self.n_hidden

    @property
    def n_params(self) -> int:
        return self.n_weights + self.n_hidden + 1

    @property
    def names(self) -> list[str]:
        """Parameter names in vector order: w1..w[n*k+k], b1..b[k+1]."""
        return param_names(self.n_inputs, self.n_hidden)

    def input_weight(self, j: int, i: int) -> int:
        """Vector index of the weight from input i to hidden unit j (both 0-based)."""
        return j * self.n_inputs + i

    def output_weight(self, j: int) -> int:
        """Vector index of the weight from hidden unit j (0-based) to the output."""
        return self.n_inputs * self.n_hidden + j

    def hidden_bias(self, j: int) -> int:
        return self.n_weights + j

    @property
    def output_bias(self) -> int:
        return self.n_params - 1

    def unpack(self, theta: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
        """Views (W k x n, b k, v k, c) of a parameter vector."""
        n, k = self.n_inputs, self.n_hidden
        w_in = theta[: n * k].reshape(k, n)
        v = theta[n * k : n * k + k]
        b = theta[n * k + k : n * k + 2 * k]
        return w_in, b, v, float(theta[-1])

    def forward(self, theta: np.ndarray,
                x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """z and h (rows x k) and y_hat (rows) for every row of x: the vectorised pass."""
        with np.errstate(all="ignore"):
            return self._forward(theta, x)

    def _forward(self, theta: np.ndarray,
                 x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """`forward` without its errstate (the caller's): sums run left to right as in the
        trace (w1*x1 + w2*x2 + b1), and cumsum is sequential."""
        w_in, b, v, c = self.unpack(theta)
        z = x[:, :1] * w_in[:, 0]
        for i in range(1, self.n_inputs):
            z += x[:, i : i + 1] * w_in[:, i]
        z += b
        h = self.spec.array_value(z)
        return z, h, np.cumsum(h * v, axis=1)[:, -1] + c

    def predict(self, theta: np.ndarray, x: np.ndarray) -> np.ndarray:
        """y_hat for every row of x (rows x n_inputs)."""
        return self.forward(theta, x)[2]

    def inactive_share(self, theta: np.ndarray, x: np.ndarray) -> list[float]:
        """Per hidden unit, the share of rows where its output h is exactly 0 (ReLU off)."""
        if len(x) == 0:
            return [0.0] * self.n_hidden
        h = self.forward(theta, x)[1]
        return [float(v) for v in np.mean(h == 0.0, axis=0)]

    def losses(self, theta: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Per-row squared error L = (y_hat - y)^2."""
        with np.errstate(all="ignore"):
            err = self._forward(theta, x)[2] - y
            return err * err

    def mean_loss(self, theta: np.ndarray, x: np.ndarray, y: np.ndarray) -> float:
        """The mean of L over the rows (at least one), summed in row order.

        The compiled kernel sums the same way, so both give the same bits; numpy's mean
        (pairwise summation) may differ from it in the last bits.
        """
        return self.mean_losses(theta, x, y, len(y))[0]

    def mean_losses(self, theta: np.ndarray, x: np.ndarray, y: np.ndarray,
                    split: int) -> tuple[float, float | None]:
        """`mean_loss` of rows [:split] and of rows [split:] (None if none), in one pass.

        The training and test rows stacked: an epoch's two losses cost one forward pass.
        """
        with np.errstate(all="ignore"):
            err = self._forward(theta, x)[2] - y
            sq = err * err
            first = float(np.cumsum(sq[:split])[-1]) / split
            return first, float(np.cumsum(sq[split:])[-1]) / (len(y) - split) if len(
                y) > split else None

    def trace(self, theta: np.ndarray | list[float], x: list[float], y: float) -> Trace:
        """Forward and backward pass for one sample, keeping every chain-rule factor."""
        p = [float(t) for t in theta]
        n, k, g = self.n_inputs, self.n_hidden, self.spec
        z: list[float] = []
        h: list[float] = []
        for j in range(k):
            # Left to right, exactly as written: w1*x1 + w2*x2 + b1.
            acc = p[self.input_weight(j, 0)] * x[0]
            for i in range(1, n):
                acc += p[self.input_weight(j, i)] * x[i]
            z.append(acc + p[self.hidden_bias(j)])
            h.append(g.value(z[j]))
        acc = p[self.output_weight(0)] * h[0]
        for j in range(1, k):
            acc += p[self.output_weight(j)] * h[j]
        y_hat = acc + p[self.output_bias]
        err = y_hat - y
        dl_dyhat = 2.0 * err
        dh_dz = [g.derivative(z[j]) for j in range(k)]
        dl_dh = [dl_dyhat * p[self.output_weight(j)] for j in range(k)]
        # A unit with g'(z) = 0 passes exactly 0 back, even when dL/dh is infinite.
        dl_dz = [chain(dl_dh[j], dh_dz[j]) for j in range(k)]
        grads = [0.0] * self.n_params
        for j in range(k):
            for i in range(n):
                grads[self.input_weight(j, i)] = dl_dz[j] * x[i]
            grads[self.hidden_bias(j)] = dl_dz[j]
            grads[self.output_weight(j)] = dl_dyhat * h[j]
        grads[self.output_bias] = dl_dyhat
        return Trace(
            x=list(x), y=y, z=z, h=h, y_hat=y_hat, loss=err * err,
            dl_dyhat=dl_dyhat, dh_dz=dh_dz, dl_dh=dl_dh, dl_dz=dl_dz, grads=grads,
        )

    def numeric_gradient(
        self, theta: np.ndarray | list[float], x: list[float], y: float, eps: float = 1e-5
    ) -> list[float]:
        """Central finite differences (L(p+eps) - L(p-eps)) / 2eps, one parameter at a time."""
        p = [float(t) for t in theta]
        out = []
        for i in range(len(p)):
            up, down = list(p), list(p)
            up[i] += eps
            down[i] -= eps
            out.append((self.trace(up, x, y).loss - self.trace(down, x, y).loss) / (2 * eps))
        return out


@dataclass
class Trace:
    """Every value of one sample's forward and backward pass (0-based lists)."""

    x: list[float]
    y: float
    z: list[float]
    h: list[float]
    y_hat: float
    loss: float
    dl_dyhat: float
    dh_dz: list[float]
    dl_dh: list[float]
    dl_dz: list[float]
    grads: list[float]


def mean_gradient(traces: list[Trace]) -> list[float]:
    """The mini-batch gradient: the rows' gradients summed in row order, over their count.

    The order the fast loop and the compiled kernel use too (a batch of one row gives its
    gradient unchanged), so every path makes the same update bit for bit.
    """
    total = list(traces[0].grads)
    for t in traces[1:]:
        total = [a + g for a, g in zip(total, t.grads)]
    return [a / len(traces) for a in total]
