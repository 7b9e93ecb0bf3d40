"""The update of a worked step under momentum, Adam or L2: every extra term with numbers.

Read from the StepRecord's `optimizer` (engine/optimizers.py's `OptimizerStep`): the
weight decay λ·w, the velocity, the moments m and v, their bias-corrected m̂ and v̂, and
the new value. Nothing is computed here; worked_text.py calls `optimizer_lines` when the
step has an optimizer (plain SGD without L2 keeps its one-line form).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from nntui.lab.worked import factor, fmt

if TYPE_CHECKING:
    from nntui.lab.worked import WorkedStep


def rule_lines(ws: WorkedStep) -> list[str]:
    """The rule in symbols, with this update's constants."""
    r = ws.record
    step = r.optimizer
    assert step is not None
    s = step.settings
    out = [f"update rule: {s.describe()}, lr = {fmt(r.lr)}, update t = {step.t}"]
    if s.l2:
        out.append(f"weight decay: g = dL/dp + λ*p for weights (λ = {fmt(s.l2)}); "
                   "a bias keeps g = dL/dp")
    if s.name == "sgd":
        out.append("p <- p - lr * g")
    elif s.name == "momentum":
        out.append(f"v <- β*v - lr*g;  p <- p + v   (β = {fmt(s.momentum)}, v starts at 0)")
    else:
        out += [f"m <- β1*m + (1-β1)*g;  v <- β2*v + (1-β2)*g²   (β1 = {fmt(s.beta1)}, "
                f"β2 = {fmt(s.beta2)})",
                f"m̂ = m/(1-β1^t) = m/{fmt(step.c1)};  v̂ = v/(1-β2^t) = v/{fmt(step.c2)}",
                f"p <- p - lr*m̂/(√v̂ + ε)   (ε = {fmt(s.eps)}; scikit-learn folds the "
                "corrections into lr and adds ε to √v)"]
    return out


def optimizer_lines(ws: WorkedStep) -> list[str]:
    """The rule, then one line per parameter with each of its terms."""
    from nntui.lab.worked_text import update_text

    r = ws.record
    step = r.optimizer
    assert step is not None
    s, out = step.settings, rule_lines(ws)
    for k, (name, tm) in enumerate(zip(ws.names, step.terms)):
        old, new = update_text(ws, k)
        g = (f"g = {fmt(tm.grad)} + {fmt(s.l2)}*{factor(r.params_before[k])} = "
             f"{fmt(tm.total)}" if tm.decay != 0.0 or (s.l2 and k < ws.exp.arch.n_weights)
             else f"g = {fmt(tm.total)}")
        if s.name == "sgd":
            parts = [g, f"{name} = {old} - {fmt(r.lr)}*{factor(tm.total)} = {new}"]
        elif s.name == "momentum":
            v0, v1 = tm.state_before[0], tm.state_after[0]
            parts = [g, f"v = {fmt(s.momentum)}*{factor(v0)} - {fmt(r.lr)}*{factor(tm.total)}"
                     f" = {fmt(v1)}", f"{name} = {old} + {factor(v1)} = {new}"]
        else:
            (m0, v0), (m1, v1) = tm.state_before, tm.state_after
            parts = [g, f"m = {fmt(s.beta1)}*{factor(m0)} + {fmt(1.0 - s.beta1)}*"
                     f"{factor(tm.total)} = {fmt(m1)}",
                     f"v = {fmt(s.beta2)}*{factor(v0)} + {fmt(1.0 - s.beta2)}*"
                     f"{factor(tm.total)}² = {fmt(v1)}",
                     f"m̂ = {fmt(tm.m_hat)}, v̂ = {fmt(tm.v_hat)}",
                     f"{name} = {old} - {fmt(r.lr)}*{factor(tm.m_hat)}/(√{fmt(tm.v_hat)} + "
                     f"{fmt(s.eps)}) = {new}"]
        out.append(f"{name}: " + "; ".join(parts))
    return out


def optimizer_json(ws: WorkedStep) -> dict[str, Any] | None:
    """`nntui step --json`'s `optimizer`: settings, t, and each parameter's terms."""
    step = ws.record.optimizer
    if step is None:
        return None
    s = step.settings
    names = {"momentum": ("v",), "adam": ("m", "v")}.get(s.name, ())
    terms = {}
    for name, tm in zip(ws.names, step.terms):
        entry: dict[str, float] = {"grad": tm.grad, "decay": tm.decay, "g": tm.total}
        entry.update({f"{n}_before": v for n, v in zip(names, tm.state_before)})
        entry.update({f"{n}_after": v for n, v in zip(names, tm.state_after)})
        if s.name == "adam":
            entry.update(m_hat=tm.m_hat, v_hat=tm.v_hat)
        terms[name] = entry
    return {"name": s.name, "momentum": s.momentum, "beta1": s.beta1, "beta2": s.beta2,
            "eps": s.eps, "l2": s.l2, "t": step.t, "bias_correction1": step.c1,
            "bias_correction2": step.c2, "terms": terms}
