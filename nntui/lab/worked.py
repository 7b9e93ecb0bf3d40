"""A worked example of one SGD step: every number of the forward pass, the chain rule and
the update, for the inspector and for `nntui step` (text, Markdown and JSON).

Everything is read from a `StepRecord` the trainer produced (`peek()` or `step()`); the
only extra computation is the finite-difference check, done by core's network.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from nntui.engine.network import Architecture, Trace
from nntui.engine.trainer import StepRecord, Trainer
from nntui.lab.experiment import Experiment
from nntui.lab.numbers import num

#: Below this relative difference the chain rule and the finite difference agree.
AGREE_RELATIVE = 1e-6


def fmt(v: float) -> str:
    """A number as printed everywhere in the worked example (the one formatter)."""
    return num(v)


def factor(v: float) -> str:
    """A number inside a product: negative values in parentheses."""
    return f"({fmt(v)})" if v < 0 else fmt(v)


@dataclass
class ChainTerm:
    """dL/dp as a product of named factors, left to right."""

    name: str
    factors: list[tuple[str, float]]
    value: float
    closed_gate: int | None = None  # hidden unit (0-based) whose ReLU gate is closed


@dataclass
class WorkedStep:
    """One step for one sample, with everything the inspector and handouts show."""

    exp: Experiment
    record: StepRecord
    index: int
    x_raw: list[float]
    y_raw: float
    y_hat_raw: float = 0.0  # the prediction in the target's original units
    numeric: list[float] = field(default_factory=list)

    @property
    def trace(self) -> Trace:
        """The (first) sample's forward and backward pass."""
        return self.record.traces[0]

    @property
    def names(self) -> list[str]:
        return self.exp.arch.names

    def chain(self) -> list[ChainTerm]:
        """The chain-rule product of every parameter, in parameter order."""
        arch, t = self.exp.arch, self.trace
        p = self.record.params_before
        terms: dict[int, ChainTerm] = {}
        for j in range(arch.n_hidden):
            u = j + 1
            v = arch.output_weight(j)
            vname = self.names[v]
            closed = j if arch.activation == "relu" and t.dh_dz[j] == 0.0 else None
            head = [("dL/dy_hat", t.dl_dyhat), (f"dy_hat/dh{u}", p[v]),
                    (f"dh{u}/dz{u}", t.dh_dz[j])]
            for i in range(arch.n_inputs):
                k = arch.input_weight(j, i)
                terms[k] = ChainTerm(self.names[k], [*head, (f"dz{u}/d{self.names[k]}",
                                                              t.x[i])], t.grads[k], closed)
            b = arch.hidden_bias(j)
            terms[b] = ChainTerm(self.names[b], [*head, (f"dz{u}/d{self.names[b]}", 1.0)],
                                 t.grads[b], closed)
            terms[v] = ChainTerm(vname, [("dL/dy_hat", t.dl_dyhat),
                                         (f"dy_hat/d{vname}", t.h[j])], t.grads[v])
        c = arch.output_bias
        terms[c] = ChainTerm(self.names[c], [("dL/dy_hat", t.dl_dyhat),
                                             (f"dy_hat/d{self.names[c]}", 1.0)], t.grads[c])
        return [terms[k] for k in range(arch.n_params)]

    def relative_difference(self, k: int) -> float:
        a, n = self.trace.grads[k], self.numeric[k]
        scale = max(abs(a), abs(n))
        return 0.0 if scale == 0.0 else abs(a - n) / scale


@dataclass
class UnitActivity:
    """How often a hidden unit outputs exactly 0 on the training rows."""

    unit: int  # 1-based
    zero_share: float

    def dead(self, activation: str) -> bool:
        """A ReLU unit that is 0 on every row: its input weights get no gradient at all."""
        return activation == "relu" and self.zero_share == 1.0


def unit_activity(arch: Architecture, theta: np.ndarray, x: np.ndarray) -> list[UnitActivity]:
    return [UnitActivity(j + 1, share)
            for j, share in enumerate(arch.inactive_share(theta, x))]


def worst_sample(trainer: Trainer) -> tuple[int, float]:
    """The training row with the largest loss at the current parameters, and that loss."""
    losses = trainer.arch.losses(trainer.theta, trainer.x_train, trainer.y_train)
    index = int(np.nanargmax(losses)) if np.isfinite(losses).any() else 0
    return index, float(losses[index])


def worked_step(exp: Experiment, record: StepRecord) -> WorkedStep:
    """Wrap a trainer record for display, adding raw values and the numeric gradients."""
    index = record.indices[0]
    raw_idx = int(exp.dataset.train_idx[index])
    t = record.traces[0]
    numeric = exp.arch.numeric_gradient(record.params_before, t.x, t.y)
    y_hat_raw = float(exp.dataset.y_scaler.inverse(np.array([t.y_hat]))[0])
    return WorkedStep(exp, record, index, [float(v) for v in exp.dataset.table.x[raw_idx]],
                      float(exp.dataset.table.y[raw_idx]), y_hat_raw, numeric)


# -- text ----------------------------------------------------------------------------------
def sample_lines(ws: WorkedStep) -> list[str]:
    table = ws.exp.dataset.table
    t = ws.trace
    xs = ", ".join(f"x{i + 1} = {fmt(v)} ({name} = {fmt(r)})"
                   for i, (v, r, name) in enumerate(zip(t.x, ws.x_raw, table.features)))
    return [f"sample {ws.index} (training row {ws.index} of {ws.exp.trainer.n_train}): {xs}",
            f"target y = {fmt(t.y)} ({table.target} = {fmt(ws.y_raw)}); prediction y_hat = "
            f"{fmt(t.y_hat)} ({table.target} = {fmt(ws.y_hat_raw)})"]


def forward_lines(ws: WorkedStep) -> list[str]:
    """`z1 = w1*x1 + w2*x2 + b1 = 0.5*1 + (-0.3)*0.5 + 0.1 = 0.45`, then h, y_hat, L."""
    arch, t, p, names = ws.exp.arch, ws.trace, ws.record.params_before, ws.names
    g = arch.activation
    out = []
    for j in range(arch.n_hidden):
        u = j + 1
        ws_ = [arch.input_weight(j, i) for i in range(arch.n_inputs)]
        b = arch.hidden_bias(j)
        sym = " + ".join(f"{names[k]}*x{i + 1}" for i, k in enumerate(ws_))
        num = " + ".join(f"{factor(p[k])}*{factor(t.x[i])}" for i, k in enumerate(ws_))
        out.append(f"z{u} = {sym} + {names[b]} = {num} + {factor(p[b])} = {fmt(t.z[j])}")
        note = "  (gate closed: z <= 0)" if g == "relu" and t.z[j] <= 0.0 else ""
        out.append(f"h{u} = {g}(z{u}) = {g}({fmt(t.z[j])}) = {fmt(t.h[j])}{note}")
    vs = [arch.output_weight(j) for j in range(arch.n_hidden)]
    c = arch.output_bias
    sym = " + ".join(f"{names[v]}*h{j + 1}" for j, v in enumerate(vs))
    num = " + ".join(f"{factor(p[v])}*{factor(t.h[j])}" for j, v in enumerate(vs))
    out.append(f"y_hat = {sym} + {names[c]} = {num} + {factor(p[c])} = {fmt(t.y_hat)}")
    out.append(f"L = (y_hat - y)^2 = ({fmt(t.y_hat)} - {factor(t.y)})^2 = {fmt(t.loss)}")
    return out


def backward_lines(ws: WorkedStep, with_numeric: bool = True) -> list[str]:
    t = ws.trace
    out = [f"dL/dy_hat = 2*(y_hat - y) = 2*({fmt(t.y_hat)} - {factor(t.y)}) = "
           f"{fmt(t.dl_dyhat)}"]
    for k, term in enumerate(ws.chain()):
        names = " * ".join(n for n, _ in term.factors)
        values = " * ".join(factor(v) for _, v in term.factors)
        line = f"dL/d{term.name} = {names} = {values} = {fmt(term.value)}"
        if term.closed_gate is not None:
            line += f"  [ReLU gate {term.closed_gate + 1} closed: dh/dz = 0]"
        if with_numeric and ws.numeric:
            line += (f"  | numeric {fmt(ws.numeric[k])}, rel. diff "
                     f"{ws.relative_difference(k):.1e}")
        out.append(line)
    return out


def update_lines(ws: WorkedStep) -> list[str]:
    r = ws.record
    out = [f"p <- p - lr * dL/dp with lr = {fmt(r.lr)}"]
    for k, name in enumerate(ws.names):
        step = r.lr * r.grads[k]
        out.append(f"{name} = {fmt(r.params_before[k])} - {fmt(r.lr)}*{factor(r.grads[k])} = "
                   f"{fmt(r.params_before[k])} - {factor(step)} = {fmt(r.params_after[k])}")
    return out


def diagram_lines(ws: WorkedStep) -> list[str]:
    """The network with current values on nodes and weights on edges, unit by unit."""
    arch, t, p, names = ws.exp.arch, ws.trace, ws.record.params_before, ws.names
    out = []
    for j in range(arch.n_hidden):
        u = j + 1
        v = arch.output_weight(j)
        edges = [f"x{i + 1}={fmt(t.x[i])} ─{names[k]} {fmt(p[k])}─"
                 for i, k in enumerate(arch.input_weight(j, i) for i in range(arch.n_inputs))]
        width = max(len(e) for e in edges)
        for i, edge in enumerate(edges):
            if i < len(edges) - 1:
                out.append(f"{edge:─<{width}}┐")
                continue
            gate = " (closed)" if arch.activation == "relu" and t.z[j] <= 0.0 else ""
            out.append(f"{edge:─<{width}}┴▶ [{names[arch.hidden_bias(j)]} "
                       f"{fmt(p[arch.hidden_bias(j)])}] z{u}={fmt(t.z[j])} → h{u}="
                       f"{fmt(t.h[j])}{gate} ─{names[v]} {fmt(p[v])}─▶ y_hat")
    c = arch.output_bias
    out.append(f"y_hat = {fmt(t.y_hat)} (+{names[c]} {fmt(p[c])}), y = {fmt(t.y)}, "
               f"L = {fmt(t.loss)}")
    return out


def to_text(ws: WorkedStep, markdown: bool = False) -> str:
    """The whole worked example, plain or as Markdown (headings and code blocks)."""
    sections = [("Sample", sample_lines(ws)), ("Network", diagram_lines(ws)),
                ("Forward pass", forward_lines(ws)),
                ("Backward pass (chain rule)", backward_lines(ws)),
                ("Update", update_lines(ws))]
    parts = []
    for title, lines in sections:
        if markdown:
            parts.append(f"### {title}\n\n```\n" + "\n".join(lines) + "\n```")
        else:
            parts.append(f"{title}\n" + "\n".join("  " + line for line in lines))
    return "\n\n".join(parts)


def to_json(ws: WorkedStep) -> dict[str, Any]:
    """The `nntui step --json` object (issue: sample, forward, gradients, ...)."""
    t, r, names = ws.trace, ws.record, ws.names
    forward: dict[str, float] = {}
    forward.update({f"z{j + 1}": z for j, z in enumerate(t.z)})
    forward.update({f"h{j + 1}": h for j, h in enumerate(t.h)})
    forward.update(y_hat=t.y_hat, loss=t.loss, y_hat_raw=ws.y_hat_raw)
    return {
        "sample": {"index": ws.index, "x": list(t.x), "y": t.y, "x_raw": ws.x_raw,
                   "y_raw": ws.y_raw},
        "epoch": r.epoch,
        "forward": forward,
        "chain": {"dL/dy_hat": t.dl_dyhat,
                  **{f"dL/dh{j + 1}": v for j, v in enumerate(t.dl_dh)},
                  **{f"dh{j + 1}/dz{j + 1}": v for j, v in enumerate(t.dh_dz)},
                  **{f"dL/dz{j + 1}": v for j, v in enumerate(t.dl_dz)}},
        "gradients": dict(zip(names, r.grads)),
        "numeric_gradients": dict(zip(names, ws.numeric)),
        "lr": r.lr,
        "params_before": dict(zip(names, r.params_before)),
        "params_after": dict(zip(names, r.params_after)),
        "diverged": r.diverged,
    }
