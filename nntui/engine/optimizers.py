"""The update rule, written once: plain SGD, momentum and Adam, with L2 weight decay.

Every parameter p with gradient g (the batch's mean dL/dp) is updated in this fixed order:

1. weight decay (weights only, never biases, as in scikit-learn): g <- g + λ·p, only when
   λ = `l2` is not 0 (so `--l2 0` makes exactly the operations of plain SGD);
2. the optimizer, with its state vectors (one value per parameter):
   - sgd:      p <- p - lr·g
   - momentum: v <- β·v - lr·g;  p <- p + v   (scikit-learn's SGDOptimizer, nesterov off)
   - adam:     m <- β1·m + (1-β1)·g;  v <- β2·v + (1-β2)·g²;
               m̂ = m / (1-β1^t);  v̂ = v / (1-β2^t);  p <- p - lr·m̂ / (√v̂ + ε)
     where t is the 1-based number of this update since the start of the run.

`update()` is the readable form (plain floats, every term kept for the worked step) and
`code()` the same lines for the generated fast loop; both perform the same floating-point
operations, so the step path and the fast path agree bit for bit (tests check it). The
per-update constants (1-β1^t, 1-β2^t) come from `constants()`, used by both.

scikit-learn's Adam folds the bias corrections into the learning rate,
lr_t = lr·√(1-β2^t)/(1-β1^t), and adds ε to the uncorrected √v: the same as this rule with
ε replaced by ε·√(1-β2^t) (docs/design.md §2 says how the framework check maps the two).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from nntui.errors import UserError

OPTIMIZERS: tuple[str, ...] = ("sgd", "momentum", "adam")
#: The state vectors each optimizer keeps, by name.
STATE: dict[str, tuple[str, ...]] = {"sgd": (), "momentum": ("v",), "adam": ("m", "v")}


@dataclass(frozen=True)
class Settings:
    """An optimizer and its constants (the learning rate is the trainer's, it may change)."""

    name: str = "sgd"
    momentum: float = 0.9
    beta1: float = 0.9
    beta2: float = 0.999
    eps: float = 1e-8
    l2: float = 0.0

    def __post_init__(self) -> None:
        if self.name not in OPTIMIZERS:
            raise UserError(f"unknown optimizer {self.name!r}: choose one of "
                            f"{', '.join(OPTIMIZERS)}")

    @property
    def plain(self) -> bool:
        """Plain SGD without weight decay: the notebook's rule (the compiled kernel's)."""
        return self.name == "sgd" and self.l2 == 0.0

    @property
    def state_names(self) -> tuple[str, ...]:
        return STATE[self.name]

    def describe(self) -> str:
        """`adam (β1 0.9, β2 0.999, ε 1e-08), L2 0.01` for summaries."""
        text = {"sgd": "sgd", "momentum": f"momentum (β {self.momentum:g})",
                "adam": f"adam (β1 {self.beta1:g}, β2 {self.beta2:g}, ε {self.eps:g})"}[
            self.name]
        return text + (f", L2 λ {self.l2:g}" if self.l2 else "")


def constants(s: Settings, t: int) -> tuple[float, float]:
    """(1-β1^t, 1-β2^t) of update t (1-based); (1, 1) for the others (unused)."""
    if s.name != "adam":
        return 1.0, 1.0
    return 1.0 - s.beta1**t, 1.0 - s.beta2**t


@dataclass
class Terms:
    """Every number of one parameter's update (for the worked step)."""

    grad: float  # the batch's mean dL/dp
    decay: float  # λ·p (0 for a bias or λ = 0)
    total: float  # grad + decay (what the optimizer uses)
    state_before: tuple[float, ...]
    state_after: tuple[float, ...]
    m_hat: float = math.nan  # adam only
    v_hat: float = math.nan
    step: float = 0.0  # the change p_after - p_before as the rule computes it
    after: float = 0.0


def update(s: Settings, lr: float, p: float, g: float, state: tuple[float, ...],
           weight: bool, c1: float, c2: float) -> Terms:
    """One parameter's update (the module docstring's order), every term kept."""
    decay = s.l2 * p if weight and s.l2 != 0.0 else 0.0
    total = g + decay if weight and s.l2 != 0.0 else g
    if s.name == "sgd":
        after = p - lr * total
        return Terms(g, decay, total, (), (), step=-(lr * total), after=after)
    if s.name == "momentum":
        v = s.momentum * state[0] - lr * total
        return Terms(g, decay, total, state, (v,), step=v, after=p + v)
    m = s.beta1 * state[0] + (1.0 - s.beta1) * total
    v = s.beta2 * state[1] + (1.0 - s.beta2) * (total * total)
    m_hat, v_hat = m / c1, v / c2
    change = lr * m_hat / (math.sqrt(v_hat) + s.eps)
    return Terms(g, decay, total, state, (m, v), m_hat, v_hat, -change, p - change)


def code(s: Settings, p: str, g: str, weight: bool) -> list[str]:
    """`update` as fast-loop lines for parameter variable `p` with gradient expression `g`.

    State variables are named `s0_<p>`, `s1_<p>`; the loop binds lr and the constants
    o_mom, o_b1, o_b2, o_nb1 (= 1.0 - β1), o_nb2, o_eps, o_l2 and, per update, o_c1 and
    o_c2 (`constants`): names no parameter can have (w1, b1, p7).
    """
    total = f"(({g}) + o_l2 * {p})" if weight and s.l2 != 0.0 else f"({g})"
    if s.name == "sgd":
        return [f"{p} = {p} - lr * {total}"]
    if s.name == "momentum":
        return [f"s0_{p} = o_mom * s0_{p} - lr * {total}", f"{p} = {p} + s0_{p}"]
    return [f"o_g = {total}",
            f"s0_{p} = o_b1 * s0_{p} + o_nb1 * o_g",
            f"s1_{p} = o_b2 * s1_{p} + o_nb2 * (o_g * o_g)",
            f"{p} = {p} - lr * (s0_{p} / o_c1) / (sqrt(s1_{p} / o_c2) + o_eps)"]


@dataclass
class OptimizerStep:
    """The optimizer's part of one update: its settings, t and every parameter's terms."""

    settings: Settings
    t: int  # 1-based update number since the start (Adam's bias-correction exponent)
    c1: float
    c2: float
    terms: list[Terms] = field(default_factory=list)


def apply(s: Settings, lr: float, params: list[float], grads: list[float],
          state: list[list[float]], weights: int, t: int) -> tuple[list[float],
                                                                   list[list[float]],
                                                                   OptimizerStep]:
    """Update every parameter (the first `weights` are weights): new params, new state."""
    c1, c2 = constants(s, t)
    terms = [update(s, lr, p, g, tuple(vec[k] for vec in state), k < weights, c1, c2)
             for k, (p, g) in enumerate(zip(params, grads))]
    new_state = [[tm.state_after[i] for tm in terms] for i in range(len(state))]
    return [tm.after for tm in terms], new_state, OptimizerStep(s, t, c1, c2, terms)
