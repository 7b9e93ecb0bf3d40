"""The network: n inputs, one or more hidden layers, one output (docs/design.md §2): linear
with the squared error, or a sigmoid with the cross-entropy under --task classify (the
task's specification, losses.py, gives the output, L and the output's δ).

Parameters live in one flat float64 vector: every weight layer's weights (unit by unit,
each unit's in input order), then every layer's biases, the output layer last. With one
hidden layer of k units this is w1..w[n*k+k], then b1..b[k+1]: hidden unit j (1-based) has
input weights w[(j-1)*n+1 .. j*n] and bias b[j]; the output weights are w[n*k+1 .. n*k+k]
and the output bias is b[k+1]. For n = k = 2 this gives the notebook's w1..w6, b1..b3.
Deeper networks name the same order `W2[1,3]`, `b2[1]` (naming.py).

`trace()` is the readable per-sample forward and backward pass in plain Python floats; every
number the inspector shows comes from it. Backwards, the δ (= dL/dz) of each hidden layer
comes from the layer above: δ_l = (W_{l+1}ᵀ δ_{l+1}) ⊙ g'(z_l), with δ of the output
dL/dy_hat, and every gradient is a δ times the input it multiplies. `forward()` is the one
vectorised forward pass: `predict()`, `mean_loss()` (epoch losses), metrics and
`inactive_share()` use it. It makes the trace's operations in the trace's order (no matrix
product, whose summation order and fused multiply-adds belong to the BLAS library), so each
of its values equals the trace's bit for bit, and the compiled kernel computes the same
epoch losses. Everything about the activation comes from its specification.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from nntui.engine.activations import Activation, activation, chain
from nntui.engine.losses import Loss, loss
from nntui.engine.naming import check_widths, hidden_widths, param_names


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
    """Sizes and activation of the network: `n_hidden` units in the first hidden layer,
    `deeper` the widths of hidden layers 2, 3, ... (empty: the one-hidden-layer network).

    Layers are numbered from 0 in code: weight layer l (0..depth) maps layer l's values
    (the inputs for l = 0) to layer l+1's z (the output for l = depth).
    """

    n_inputs: int = 2
    n_hidden: int = 2
    activation: str = "relu"
    deeper: tuple[int, ...] = ()
    task: str = "regress"  # the output unit and loss (losses.py)

    def __post_init__(self) -> None:
        activation(self.activation)  # an unknown name is a UserError here, not later
        loss(self.task)

    @classmethod
    def of(cls, n_inputs: int, hidden: int | Sequence[int], act: str = "relu",
           task: str = "regress") -> Architecture:
        """The network of a `--hidden` value: `2` or `(3, 2)` (widths checked)."""
        widths = hidden_widths(hidden)
        problem = check_widths(widths)
        if problem:
            raise ValueError(f"hidden layers {problem}")
        return cls(n_inputs, widths[0], act, widths[1:], task)

    @property
    def loss_spec(self) -> Loss:
        """The task's output and loss specification."""
        return loss(self.task)

    @property
    def spec(self) -> Activation:
        """The hidden activation's specification (value, derivative, code)."""
        return activation(self.activation)

    @property
    def widths(self) -> tuple[int, ...]:
        """The hidden layers' widths."""
        return (self.n_hidden, *self.deeper)

    @property
    def depth(self) -> int:
        """The number of hidden layers."""
        return 1 + len(self.deeper)

    @property
    def hidden(self) -> int | tuple[int, ...]:
        """The `--hidden` value of this network: an int for one layer, else the widths."""
        return self.n_hidden if not self.deeper else self.widths

    @property
    def sizes(self) -> tuple[int, ...]:
        """(inputs, hidden widths..., 1)."""
        return (self.n_inputs, *self.widths, 1)

    @property
    def shape(self) -> str:
        """'2-3-2-1'."""
        return "-".join(map(str, self.sizes))

    @cached_property
    def _offsets(self) -> tuple[tuple[int, ...], tuple[int, ...]]:
        """Vector index of each weight layer's first weight and of its first bias."""
        s = self.sizes
        w, b = [0], []
        for layer in range(len(s) - 1):
            w.append(w[-1] + s[layer] * s[layer + 1])
        b.append(w.pop())
        for layer in range(1, len(s) - 1):
            b.append(b[-1] + s[layer])
        return tuple(w), tuple(b)

    @property
    def n_weights(self) -> int:
        return self._offsets[1][0]

    @property
    def n_params(self) -> int:
        return self.n_weights + sum(self.widths) + 1

    @property
    def names(self) -> list[str]:
        """Parameter names in vector order (naming.py)."""
        return param_names(self.n_inputs, self.hidden)

    def weight(self, layer: int, j: int, i: int) -> int:
        """Vector index of weight layer `layer`'s weight into unit j from unit i (0-based)."""
        return self._offsets[0][layer] + j * self.sizes[layer] + i

    def bias(self, layer: int, j: int) -> int:
        """Vector index of the bias of unit j of weight layer `layer` (0-based)."""
        return self._offsets[1][layer] + j

    def input_weight(self, j: int, i: int) -> int:
        """Vector index of the weight from input i to first-layer unit j (both 0-based)."""
        return self.weight(0, j, i)

    def output_weight(self, j: int) -> int:
        """Vector index of the weight from last-hidden-layer unit j (0-based) to the output."""
        return self.weight(self.depth, 0, j)

    def hidden_bias(self, j: int) -> int:
        """Vector index of the bias of first-layer unit j (0-based)."""
        return self.bias(0, j)

    @property
    def output_bias(self) -> int:
        return self.n_params - 1

    def layer_params(self, theta: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
        """Views (W units x fan-in, b units) of each weight layer, the output layer last."""
        s, (w_off, b_off) = self.sizes, self._offsets
        return [(theta[w_off[layer] : w_off[layer] + s[layer] * s[layer + 1]].reshape(
            s[layer + 1], s[layer]), theta[b_off[layer] : b_off[layer] + s[layer + 1]])
            for layer in range(len(s) - 1)]

    def unpack(self, theta: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
        """Views (W k x n, b k, v k, c) of a one-hidden-layer parameter vector."""
        if self.deeper:
            raise ValueError(f"unpack() is for one hidden layer; use layer_params() for "
                             f"{self.shape}")
        (w_in, b), (v, c) = self.layer_params(theta)
        return w_in, b, v[0], float(c[0])

    def forward(self, theta: np.ndarray,
                x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """z and h (rows x hidden units, layer 1's first) and y_hat (rows) for every row."""
        with np.errstate(all="ignore"):
            zs, hs, y_hat = self._forward(theta, x)
        if len(zs) == 1:
            return zs[0], hs[0], y_hat
        return np.concatenate(zs, axis=1), np.concatenate(hs, axis=1), y_hat

    def layer_values(self, theta: np.ndarray,
                     x: np.ndarray) -> tuple[list[np.ndarray], list[np.ndarray], np.ndarray]:
        """z and h of each hidden layer (rows x its units), and y_hat: `forward` by layer."""
        with np.errstate(all="ignore"):
            return self._forward(theta, x)

    def _forward(self, theta: np.ndarray,
                 x: np.ndarray) -> tuple[list[np.ndarray], list[np.ndarray], np.ndarray]:
        """`forward` without its errstate (the caller's): sums run left to right as in the
        trace (w1*x1 + w2*x2 + b1), and cumsum is sequential. The last value is y_hat."""
        zs, hs, z_out = self._forward_z(theta, x)
        return zs, hs, self.loss_spec.array_output(z_out)

    def _forward_z(self, theta: np.ndarray,
                   x: np.ndarray) -> tuple[list[np.ndarray], list[np.ndarray], np.ndarray]:
        """`_forward` with the output's z (before the output activation) last."""
        layers = self.layer_params(theta)
        a, zs, hs = x, [], []
        for w, b in layers[:-1]:
            z = a[:, :1] * w[:, 0]
            for i in range(1, w.shape[1]):
                z += a[:, i : i + 1] * w[:, i]
            z += b
            a = self.spec.array_value(z)
            zs.append(z)
            hs.append(a)
        v, c = layers[-1]
        return zs, hs, np.cumsum(a * v[0], axis=1)[:, -1] + c[0]

    def predict(self, theta: np.ndarray, x: np.ndarray) -> np.ndarray:
        """y_hat for every row of x (rows x n_inputs)."""
        with np.errstate(all="ignore"):
            return self._forward(theta, x)[2]

    def inactive_share(self, theta: np.ndarray, x: np.ndarray) -> list[float]:
        """Per hidden unit (layer 1's first), the share of rows where its h is exactly 0."""
        if len(x) == 0:
            return [0.0] * sum(self.widths)
        h = self.forward(theta, x)[1]
        return [float(v) for v in np.mean(h == 0.0, axis=0)]

    def losses(self, theta: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Per-row loss L: (y_hat - y)^2, or the cross-entropy computed from z_out."""
        with np.errstate(all="ignore"):
            return self.loss_spec.array_value(self._forward_z(theta, x)[2], y)

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
            sq = self.loss_spec.array_value(self._forward_z(theta, x)[2], y)
            first = float(np.cumsum(sq[:split])[-1]) / split
            return first, float(np.cumsum(sq[split:])[-1]) / (len(y) - split) if len(
                y) > split else None

    def _sample_forward(self, p: list[float],
                        x: list[float]) -> tuple[list[list[float]], list[list[float]], float]:
        """One sample's forward pass: what each weight layer multiplies (x, h1, ...), the z
        of each hidden layer and z_out. `trace` and `sample_loss` share it, so a loss
        computed without the backward pass has the same bits as the trace's."""
        g = self.spec
        a = [float(v) for v in x]
        inputs: list[list[float]] = []  # what each weight layer multiplies
        zs: list[list[float]] = []
        for layer, k in enumerate(self.widths):
            inputs.append(a)
            z = []
            for j in range(k):
                # Left to right, exactly as written: w1*x1 + w2*x2 + b1.
                acc = p[self.weight(layer, j, 0)] * a[0]
                for i in range(1, len(a)):
                    acc += p[self.weight(layer, j, i)] * a[i]
                z.append(acc + p[self.bias(layer, j)])
            zs.append(z)
            a = [g.value(v) for v in z]
        inputs.append(a)
        depth = self.depth
        acc = p[self.weight(depth, 0, 0)] * a[0]
        for j in range(1, len(a)):
            acc += p[self.weight(depth, 0, j)] * a[j]
        return inputs, zs, acc + p[self.output_bias]

    def sample_loss(self, theta: np.ndarray | list[float], x: list[float], y: float) -> float:
        """L of one sample: `trace(theta, x, y).loss` without the backward pass."""
        return self.loss_spec.value(self._sample_forward([float(t) for t in theta], x)[2], y)

    def trace(self, theta: np.ndarray | list[float], x: list[float], y: float) -> Trace:
        """Forward and backward pass for one sample, keeping every chain-rule factor."""
        p = [float(t) for t in theta]
        g, depth = self.spec, self.depth
        inputs, zs, z_out = self._sample_forward(p, x)
        out = self.loss_spec
        y_hat = out.output(z_out)
        dl_dyhat = out.delta(y_hat, y)  # the output's δ = dL/dz_out
        layers: list[LayerTrace] = [LayerTrace([], [], [], [], [])] * depth
        upper = [dl_dyhat]  # δ of the layer above: the output's is dL/dy_hat
        for layer in reversed(range(depth)):
            z, above = zs[layer], layer + 1
            dl_dh = []
            for j in range(len(z)):  # (W_{l+1}ᵀ δ_{l+1})_j, summed left to right
                acc = p[self.weight(above, 0, j)] * upper[0]
                for m in range(1, len(upper)):
                    acc += p[self.weight(above, m, j)] * upper[m]
                dl_dh.append(acc)
            dh_dz = [g.derivative(v) for v in z]
            # A unit with g'(z) = 0 passes exactly 0 back, even when dL/dh is infinite.
            upper = [chain(dl_dh[j], dh_dz[j]) for j in range(len(z))]
            layers[layer] = LayerTrace(z, inputs[above], dh_dz, dl_dh, upper)
        grads = [0.0] * self.n_params
        deltas = [lt.dl_dz for lt in layers] + [[dl_dyhat]]
        for layer, delta in enumerate(deltas):
            for j, d in enumerate(delta):
                for i, v in enumerate(inputs[layer]):
                    grads[self.weight(layer, j, i)] = d * v
                grads[self.bias(layer, j)] = d
        return Trace(
            x=list(x), y=y, z=flat(lt.z for lt in layers), h=flat(lt.h for lt in layers),
            y_hat=y_hat, loss=out.value(z_out, y), dl_dyhat=dl_dyhat,
            dh_dz=flat(lt.dh_dz for lt in layers), dl_dh=flat(lt.dl_dh for lt in layers),
            dl_dz=flat(lt.dl_dz for lt in layers), grads=grads, layers=layers,
            z_out=z_out, task=self.task,
        )

    def numeric_gradient(
        self, theta: np.ndarray | list[float], x: list[float], y: float, eps: float = 1e-5
    ) -> list[float]:
        """Central finite differences (L(p+eps) - L(p-eps)) / 2eps, one parameter at a time."""
        p = [float(t) for t in theta]
        return [self.numeric_partial(p, x, y, i, eps) for i in range(len(p))]

    def numeric_partial(self, p: list[float], x: list[float], y: float, i: int,
                        eps: float = 1e-5) -> float:
        """dL/dp_i by a central difference (one entry of `numeric_gradient`), so a caller
        can check a few parameters at a time, e.g. a worker that may be cancelled."""
        up, down = list(p), list(p)
        up[i] += eps
        down[i] -= eps
        return (self.sample_loss(up, x, y) - self.sample_loss(down, x, y)) / (2 * eps)


def flat(lists: Iterable[list[float]]) -> list[float]:
    """The lists of each layer, one after the other."""
    return [v for values in lists for v in values]


@dataclass
class LayerTrace:
    """One hidden layer's values for one sample (0-based lists over its units)."""

    z: list[float]
    h: list[float]
    dh_dz: list[float]  # g'(z)
    dl_dh: list[float]  # (W_{l+1}ᵀ δ_{l+1}): dL/dy_hat * w_out for the last hidden layer
    dl_dz: list[float]  # δ_l = dL/dh ⊙ g'(z) (the chain convention)


@dataclass
class Trace:
    """Every value of one sample's forward and backward pass (0-based lists).

    z, h, dh_dz, dl_dh and dl_dz list every hidden unit, layer 1's first (with one hidden
    layer: that layer's units); `layers` holds the same values layer by layer.
    `dl_dyhat` is the output's δ = dL/dz_out: dL/dy_hat = 2(y_hat - y) for regression (the
    output is linear, z_out = y_hat), y_hat - y for classification (losses.py).
    """

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
    layers: list[LayerTrace] = field(default_factory=list)
    z_out: float = 0.0  # the output's z (y_hat itself for regression)
    task: str = "regress"


def mean_gradient(traces: list[Trace]) -> list[float]:
    """The mini-batch gradient: the rows' gradients summed in row order, over their count.

    The order the fast loop and the compiled kernel use too (a batch of one row gives its
    gradient unchanged), so every path makes the same update bit for bit.
    """
    total = list(traces[0].grads)
    for t in traces[1:]:
        total = [a + g for a, g in zip(total, t.grads)]
    return [a / len(traces) for a in total]
