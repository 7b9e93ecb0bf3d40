"""The network: n inputs, k hidden units, one linear output (DESIGN.md §2).

Parameters live in one flat float64 vector ordered by name: w1..w[n*k+k], then b1..b[k+1].
Hidden unit j (1-based) has input weights w[(j-1)*n+1 .. j*n] and bias b[j]; the output
weights are w[n*k+1 .. n*k+k] and the output bias is b[k+1]. For n = k = 2 this gives the
notebook's w1..w6, b1..b3.

`trace()` is the readable per-sample forward and backward pass in plain Python floats; every
number the inspector shows comes from it. `predict()` is the vectorised forward pass used for
epoch losses and metrics.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from nntui.engine.naming import param_names


def activate(name: str, z: float) -> float:
    """g(z) for one float; sigmoid is written so that exp never overflows."""
    if name == "relu":
        return z if z > 0.0 else 0.0
    if name == "sigmoid":
        if z >= 0.0:
            return 1.0 / (1.0 + math.exp(-z))
        e = math.exp(z)
        return e / (1.0 + e)
    if name == "tanh":
        return math.tanh(z)
    return z


def derivative(name: str, z: float, h: float) -> float:
    """g'(z) given z and h = g(z); ReLU'(0) = 0 by convention."""
    if name == "relu":
        return 1.0 if z > 0.0 else 0.0
    if name == "sigmoid":
        return h * (1.0 - h)
    if name == "tanh":
        return 1.0 - h * h
    return 1.0


def activate_array(name: str, z: np.ndarray) -> np.ndarray:
    """g(z) elementwise, matching `activate` (no overflow warnings)."""
    if name == "relu":
        return np.where(z > 0.0, z, 0.0)
    if name == "sigmoid":
        with np.errstate(all="ignore"):
            e = np.exp(-np.abs(z))
            return np.where(z >= 0.0, 1.0 / (1.0 + e), e / (1.0 + e))
    if name == "tanh":
        return np.tanh(z)
    return z


@dataclass(frozen=True)
class Architecture:
    """Sizes and activation of a one-hidden-layer network."""

    n_inputs: int = 2
    n_hidden: int = 2
    activation: str = "relu"

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

    def predict(self, theta: np.ndarray, x: np.ndarray) -> np.ndarray:
        """y_hat for every row of x (rows x n_inputs)."""
        w_in, b, v, c = self.unpack(theta)
        with np.errstate(all="ignore"):
            h = activate_array(self.activation, x @ w_in.T + b)
            return h @ v + c

    def inactive_share(self, theta: np.ndarray, x: np.ndarray) -> list[float]:
        """Per hidden unit, the share of rows where its output h is exactly 0 (ReLU off)."""
        if len(x) == 0:
            return [0.0] * self.n_hidden
        w_in, b, _, _ = self.unpack(theta)
        with np.errstate(all="ignore"):
            h = activate_array(self.activation, x @ w_in.T + b)
        return [float(v) for v in np.mean(h == 0.0, axis=0)]

    def losses(self, theta: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Per-row squared error L = (y_hat - y)^2."""
        with np.errstate(all="ignore"):
            return (self.predict(theta, x) - y) ** 2

    def trace(self, theta: np.ndarray | list[float], x: list[float], y: float) -> Trace:
        """Forward and backward pass for one sample, keeping every chain-rule factor."""
        p = [float(t) for t in theta]
        n, k, g = self.n_inputs, self.n_hidden, self.activation
        z: list[float] = []
        h: list[float] = []
        for j in range(k):
            # Left to right, exactly as written: w1*x1 + w2*x2 + b1.
            acc = p[self.input_weight(j, 0)] * x[0]
            for i in range(1, n):
                acc += p[self.input_weight(j, i)] * x[i]
            z.append(acc + p[self.hidden_bias(j)])
            h.append(activate(g, z[j]))
        acc = p[self.output_weight(0)] * h[0]
        for j in range(1, k):
            acc += p[self.output_weight(j)] * h[j]
        y_hat = acc + p[self.output_bias]
        err = y_hat - y
        dl_dyhat = 2.0 * err
        dh_dz = [derivative(g, z[j], h[j]) for j in range(k)]
        dl_dh = [dl_dyhat * p[self.output_weight(j)] for j in range(k)]
        dl_dz = [dl_dh[j] * dh_dz[j] for j in range(k)]
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

    def batch_gradient(self, theta: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Mean of the per-sample gradients over the rows of x (mini-batch SGD)."""
        w_in, b, v, c = self.unpack(theta)
        with np.errstate(all="ignore"):
            z = x @ w_in.T + b
            h = activate_array(self.activation, z)
            d = 2.0 * (h @ v + c - y)
            if self.activation == "relu":
                gprime = (z > 0.0).astype(float)
            elif self.activation == "sigmoid":
                gprime = h * (1.0 - h)
            elif self.activation == "tanh":
                gprime = 1.0 - h * h
            else:
                gprime = np.ones_like(z)
            dz = d[:, None] * v[None, :] * gprime
            m = len(y)
            grad_w_in = dz.T @ x / m
            grad_v = h.T @ d / m
            return np.concatenate([grad_w_in.ravel(), grad_v, dz.mean(axis=0), [d.mean()]])


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
