"""A worked example of one SGD step: every number of the forward pass, the chain rule and
the update, for the inspector and for `nntui step` (worked_text.py renders it).

Everything is read from a `StepRecord` the trainer produced (`peek()` or `step()`); the
only extra computation is the finite-difference check, done by the engine's network: two
forward passes per parameter, so O(params²) for one sample (~0.5 s at 4 x 16 hidden
units). The inspector therefore builds the step without it (`worked_step(...,
numeric=False)`) and fills it in from a worker, a layer at a time (`check_chunks`,
`numeric_partials`, `with_numeric`), each result tagged with its step (`check_key`). Each
chain-rule factor carries its name, its symbolic value and its number
(`dy_hat/dh1 = w5 = 0.6`), and each finite-difference check says whether it agrees, or
why it cannot (a ReLU kink, a gradient below the finite difference's rounding noise).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field, replace
from functools import cached_property

import numpy as np

from nntui.engine.network import Architecture, Trace
from nntui.engine.trainer import StepRecord, Trainer
from nntui.lab.experiment import Experiment
from nntui.lab.numbers import num
from nntui.lab.worked_deep import out_name, unit_label

#: Below this relative difference the chain rule and the finite difference agree.
AGREE_RELATIVE = 1e-6
#: The finite difference's step (central differences; rounding and truncation balance).
FD_STEP = 1e-5
#: L(p + eps) - L(p - eps) is exact only to a few ulps of L: a gradient below this many
#: times that rounding noise (divided by 2 eps) cannot be told from 0 by the difference.
FD_NOISE_ULPS = 64.0


def fmt(v: float) -> str:
    """A number as printed everywhere in the worked example (the one formatter)."""
    return num(v)


def factor(v: float) -> str:
    """A number inside a product: negative values in parentheses."""
    return f"({fmt(v)})" if v < 0 else fmt(v)


def distinct_digits(old: float, new: float, least: int = 6) -> int:
    """Significant digits enough to show `old` and `new` as different numbers (max 17)."""
    for digits in range(least, 18):
        if old == new or num(old, digits) != num(new, digits):
            return digits
    return 17


@dataclass(frozen=True)
class Factor:
    """One factor of a chain-rule product: `dy_hat/dh1 = w5 = 0.6`."""

    name: str  # the partial derivative, e.g. "dy_hat/dh1"
    symbol: str  # what it equals, e.g. "w5", "relu'(z1)", "x1", "2(y_hat - y)"
    value: float


@dataclass
class ChainTerm:
    """dL/dp as a product of named factors, left to right."""

    name: str
    factors: list[Factor]
    value: float
    closed_gate: int | None = None  # hidden unit (0-based) whose ReLU gate is closed
    unit: int | None = None  # the hidden unit (0-based) whose z this parameter feeds
    reach: float = 0.0  # |dz/dp|: how far a change of the parameter moves that z


@dataclass(frozen=True)
class Check:
    """The finite-difference check of one gradient."""

    status: str  # "agree", "differ", "kink" or "flat"
    relative: float  # |analytic - numeric| / max(|analytic|, |numeric|)
    note: str  # for "kink" and "flat": why the numbers may differ


@dataclass
class WorkedStep:
    """One step for one sample, with everything the inspector and handouts show."""

    exp: Experiment
    record: StepRecord
    index: int
    x_raw: list[float]
    y_raw: float
    y_hat_raw: float = 0.0  # the prediction in the target's original units
    #: The finite differences by parameter index: all of them, or (the inspector, while
    #: its worker checks) those done so far; `check(k)` needs k's.
    numeric: dict[int, float] = field(default_factory=dict)

    @property
    def trace(self) -> Trace:
        """The (first) sample's forward and backward pass."""
        return self.record.traces[0]

    @cached_property
    def names(self) -> list[str]:
        """The parameters' names (built once: views look them up per parameter)."""
        return self.exp.arch.names

    def chain(self) -> list[ChainTerm]:
        """The chain-rule product of every parameter, in parameter order."""
        arch, t, names = self.exp.arch, self.trace, self.names
        if arch.depth > 1:  # δ per layer (worked_deep.py)
            from nntui.lab.worked_deep import chain

            return chain(self)
        p = self.record.params_before
        relu = arch.activation == "relu"
        g = arch.activation
        out = out_name(arch)  # y_hat, or z_out before a sigmoid output
        top = Factor(f"dL/d{out}", arch.loss_spec.delta_formula, t.dl_dyhat)
        terms: dict[int, ChainTerm] = {}
        for j in range(arch.n_hidden):
            u = j + 1
            v = arch.output_weight(j)
            closed = j if relu and t.dh_dz[j] == 0.0 else None
            head = [top, Factor(f"d{out}/dh{u}", names[v], p[v]),
                    Factor(f"dh{u}/dz{u}", f"{g}'(z{u})", t.dh_dz[j])]
            for i in range(arch.n_inputs):
                k = arch.input_weight(j, i)
                terms[k] = ChainTerm(names[k], [*head, Factor(f"dz{u}/d{names[k]}",
                                                              f"x{i + 1}", t.x[i])],
                                     t.grads[k], closed, j, abs(t.x[i]))
            b = arch.hidden_bias(j)
            terms[b] = ChainTerm(names[b], [*head, Factor(f"dz{u}/d{names[b]}", "1", 1.0)],
                                 t.grads[b], closed, j, 1.0)
            terms[v] = ChainTerm(names[v], [top, Factor(f"d{out}/d{names[v]}", f"h{u}",
                                                        t.h[j])], t.grads[v])
        c = arch.output_bias
        terms[c] = ChainTerm(names[c], [top, Factor(f"d{out}/d{names[c]}", "1", 1.0)],
                             t.grads[c])
        return [terms[k] for k in range(arch.n_params)]

    def relative_difference(self, k: int) -> float:
        a, n = self.trace.grads[k], self.numeric[k]
        scale = max(abs(a), abs(n))
        return 0.0 if scale == 0.0 else abs(a - n) / scale

    @property
    def fd_noise(self) -> float:
        """The smallest gradient a central difference can resolve at this loss."""
        return FD_NOISE_ULPS * math.ulp(max(abs(self.trace.loss), 1e-300)) / (2 * FD_STEP)

    def check(self, k: int, term: ChainTerm | None = None) -> Check:
        """Does the finite difference confirm dL/dp? If it cannot, say why."""
        term = term or self.chain()[k]
        rel = self.relative_difference(k)
        a, n = self.trace.grads[k], self.numeric[k]
        j = term.unit
        if (j is not None and self.exp.arch.activation == "relu" and term.reach > 0.0
                and abs(self.trace.z[j]) <= FD_STEP * term.reach):
            z, u = self.trace.z[j], unit_label(self.exp.arch, j)
            where = (f"z{u} = 0 is the ReLU kink: relu'(0) = 0 by convention"
                     if z == 0.0 else f"z{u} = {z:.3g} is within the finite difference's "
                     "step of the ReLU kink at 0")
            return Check("kink", rel, f"{where}; the central difference straddles the kink "
                         "and averages the slopes 0 and 1")
        noise = self.fd_noise
        if max(abs(a), abs(n)) <= noise:
            return Check("flat", rel, f"too flat to check numerically (below the finite "
                         f"difference's rounding noise, {noise:.1e})")
        if abs(a - n) <= max(AGREE_RELATIVE * max(abs(a), abs(n)), noise):
            return Check("agree", rel, "")
        if j is not None and self.exp.arch.activation == "relu" and self.exp.arch.depth > 1:
            # a parameter moves every layer above its own: is a gate there within the step?
            from nntui.lab.worked_deep import kink_unit

            kink = kink_unit(self, k, FD_STEP)
            if kink is not None:
                return Check("kink", rel, f"z{unit_label(self.exp.arch, kink)} is within the "
                             "finite difference's step of the ReLU kink at 0; the central "
                             "difference straddles the kink and averages the slopes 0 and 1")
        return Check("differ", rel, "")


@dataclass
class UnitActivity:
    """How often a hidden unit outputs exactly 0 on the training rows."""

    unit: int  # 1-based, over every hidden layer's units (layer 1's first)
    zero_share: float
    name: str = ""  # its h: `h2`, or `h2[1]` in a network with several hidden layers

    def dead(self, activation: str) -> bool:
        """A ReLU unit that is 0 on every row: its input weights get no gradient at all."""
        return activation == "relu" and self.zero_share == 1.0


def unit_activity(arch: Architecture, theta: np.ndarray, x: np.ndarray) -> list[UnitActivity]:
    return [UnitActivity(j + 1, share, f"h{unit_label(arch, j)}")
            for j, share in enumerate(arch.inactive_share(theta, x))]


def worst_sample(trainer: Trainer) -> tuple[int, float]:
    """The training row with the largest loss at the current parameters, and that loss."""
    losses = trainer.arch.losses(trainer.theta, trainer.x_train, trainer.y_train)
    index = int(np.nanargmax(losses)) if np.isfinite(losses).any() else 0
    return index, float(losses[index])


def worked_step(exp: Experiment, record: StepRecord, numeric: bool = True) -> WorkedStep:
    """Wrap a trainer record for display, adding raw values and (unless `numeric` is
    False: the inspector checks in a worker) the numeric gradients."""
    index = record.indices[0]
    raw_idx = int(exp.dataset.train_idx[index])
    t = record.traces[0]
    y_hat_raw = float(exp.dataset.y_scaler.inverse(np.array([t.y_hat]))[0])
    ws = WorkedStep(exp, record, index, [float(v) for v in exp.dataset.table.x[raw_idx]],
                    float(exp.dataset.table.y[raw_idx]), y_hat_raw)
    if numeric:
        ws.numeric = dict(enumerate(exp.arch.numeric_gradient(record.params_before, t.x, t.y,
                                                              FD_STEP)))
    return ws


def check_key(ws: WorkedStep) -> Hashable:
    """What the finite differences of `ws` depend on: the network, the parameters before
    the step and the sample. A result computed for another key belongs to another step."""
    t = ws.trace
    return ws.exp.arch, tuple(ws.record.params_before), tuple(t.x), t.y


def check_chunks(arch: Architecture, first: int = 0) -> list[tuple[int, list[int]]]:
    """Each weight layer (0-based, the inspector's page) with its parameter indices (its
    weights, then its biases), starting with layer `first` and wrapping around."""
    chunks = []
    for layer in range(arch.depth + 1):
        width, fan_in = arch.sizes[layer + 1], arch.sizes[layer]
        chunks.append((layer, [*(arch.weight(layer, j, i) for j in range(width)
                                 for i in range(fan_in)),
                               *(arch.bias(layer, j) for j in range(width))]))
    first %= len(chunks)
    return chunks[first:] + chunks[:first]


def numeric_partials(ws: WorkedStep, indices: Iterable[int],
                     cancelled: Callable[[], bool] = lambda: False) -> dict[int, float] | None:
    """The central differences of the parameters `indices` (the engine's numbers, bit for
    bit); None as soon as `cancelled()` says the result is no longer wanted."""
    arch, t = ws.exp.arch, ws.trace
    p = [float(v) for v in ws.record.params_before]
    out: dict[int, float] = {}
    for k in indices:
        if cancelled():
            return None
        out[k] = arch.numeric_partial(p, t.x, t.y, k, FD_STEP)
    return out


def with_numeric(ws: WorkedStep, numeric: dict[int, float]) -> WorkedStep:
    """The same step with more finite differences known."""
    return replace(ws, numeric={**ws.numeric, **numeric})
