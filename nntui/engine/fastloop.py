"""Fast SGD epochs, generated as straight-line Python for one architecture (any depth).

Per-sample SGD is sequential, so numpy cannot vectorise it and small-array numpy calls cost
microseconds each. Unrolled float arithmetic on local variables is ~10x faster. The
generated code performs the same floating-point operations in the same order as
`Architecture.trace` followed by `p - lr * grad`, so both paths agree bit for bit, divergence
included (tests/test_equivalence.py checks this): the activation's lines come from its
specification, which mirrors its scalar functions, and every update is always applied, even
for a closed ReLU gate (dL/dz = 0 there, as in the trace). Only code built from integers
and fixed templates is compiled; no user text.

Mini-batches use the same lines per row: the rows' gradients are summed in row order and
divided by the batch's row count (`network.mean_gradient`), so no numpy call per batch is
needed and the compiled kernel (`_kernel.c`) can make exactly the same operations.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import lru_cache

from nntui.engine.network import Architecture
from nntui.engine.optimizers import Settings, constants
from nntui.engine.optimizers import code as optimizer_code

Rows = list[tuple[float, ...]]
EpochFn = Callable[[list[float], Rows, float], tuple[list[float], int, bool]]
#: A mini-batch epoch: (params, rows, lr, batch size) -> (params, updates done, all finite).
BatchEpochFn = Callable[[list[float], Rows, float, int], tuple[list[float], int, bool]]


def _vars(arch: Architecture) -> list[str]:
    """The local variable of each parameter: its name (w1) or, for `W2[1,3]`, p<index>."""
    return [name if name.isidentifier() else f"p{k}" for k, name in enumerate(arch.names)]


def _unit(layer: int, j: int, arch: Architecture, kind: str) -> str:
    """A hidden unit's local variable: z0 (one hidden layer, as before) or z1_0."""
    return f"{kind}{j}" if arch.depth == 1 else f"{kind}{layer}_{j}"


def _inputs(arch: Architecture, layer: int) -> list[str]:
    """The variables weight layer `layer` multiplies: x0.. or the layer below's h."""
    if layer == 0:
        return [f"x{i}" for i in range(arch.n_inputs)]
    return [_unit(layer - 1, j, arch, "h") for j in range(arch.sizes[layer])]


def _sample(arch: Architecture) -> list[str]:
    """Forward and backward pass of one row (x0.., y): sets z, h, d = dL/dy_hat and dz."""
    spec, v, depth = arch.spec, _vars(arch), arch.depth
    body: list[str] = []
    for layer, k in enumerate(arch.widths):
        a = _inputs(arch, layer)
        for j in range(k):
            z = _unit(layer, j, arch, "z")
            terms = " + ".join(f"{v[arch.weight(layer, j, i)]} * {a[i]}"
                               for i in range(len(a)))
            body.append(f"{z} = {terms} + {v[arch.bias(layer, j)]}")
            body += [line.format(z=z, h=_unit(layer, j, arch, "h"),
                                 gp=_unit(layer, j, arch, "gp"), e=_unit(layer, j, arch, "e"))
                     for line in spec.code]
    a = _inputs(arch, depth)
    out = " + ".join(f"{v[arch.weight(depth, 0, j)]} * {a[j]}" for j in range(len(a)))
    body.append(f"zo = {out} + {v[arch.output_bias]}")
    body += [line.format(zo="zo", yh="yh", d="d", e="eo") for line in arch.loss_spec.code]
    upper = ["d"]  # δ of the layer above
    for layer in reversed(range(depth)):
        # dL/dz = (W_above^T δ_above) * g'(z), exactly 0 where g'(z) = 0 (the trace's rule).
        dz = [_unit(layer, j, arch, "dz") for j in range(arch.widths[layer])]
        for j in range(len(dz)):
            dlh = " + ".join(f"{upper[m]} * {v[arch.weight(layer + 1, m, j)]}"
                             for m in range(len(upper)))
            body.append(spec.chain_code.format(
                dz=dz[j], dlh=f"({dlh})", z=_unit(layer, j, arch, "z"),
                gp=_unit(layer, j, arch, "gp")))
        upper = dz
    return body


def _gradient_terms(arch: Architecture) -> list[tuple[str, str]]:
    """(parameter variable, this row's dL/dparameter) in update order."""
    v, depth = _vars(arch), arch.depth
    terms = []
    for layer in range(depth + 1):
        a = _inputs(arch, layer)
        for j in range(arch.sizes[layer + 1]):
            delta = "d" if layer == depth else _unit(layer, j, arch, "dz")
            terms += [(v[arch.weight(layer, j, i)], f"{delta} * {a[i]}")
                      for i in range(len(a))]
            terms.append((v[arch.bias(layer, j)], delta))
    return terms


def _check(arch: Architecture, checked: bool, when: str) -> list[str]:
    """Save the parameters before an update, or stop if the update made one non-finite."""
    if not checked:
        return []
    names = ", ".join(_vars(arch))
    if when == "before":
        return [f"saved = [{names}]"]
    return [f"if not all(map(isfinite, ({names},))):", "    return saved, done, False",
            "done += 1"]


def _source(arch: Architecture, checked: bool) -> str:
    names = _vars(arch)
    xs = [f"x{i}" for i in range(arch.n_inputs)]
    body = _sample(arch) + _check(arch, checked, "before")
    body += [f"{p} = {p} - lr * ({g})" for p, g in _gradient_terms(arch)]
    body += _check(arch, checked, "after")
    lines = [
        "def epoch(p, rows, lr):",
        f"    {', '.join(names)}, = p",
        "    done = 0",
        f"    for {', '.join(xs)}, y in rows:",
    ]
    lines += ["        " + line for line in body]
    lines.append(f"    return [{', '.join(names)}], len(rows), True")
    return "\n".join(lines) + "\n"


def _batch_source(arch: Architecture, checked: bool) -> str:
    names = _vars(arch)
    row = ", ".join(f"x{i}" for i in range(arch.n_inputs)) + ", y"
    terms = _gradient_terms(arch)
    first = _sample(arch) + [f"g_{p} = {g}" for p, g in terms]
    rest = _sample(arch) + [f"g_{p} = g_{p} + {g}" for p, g in terms]
    update = _check(arch, checked, "before")
    update += [f"{p} = {p} - lr * (g_{p} / m)" for p, _ in terms]
    update += _check(arch, checked, "after") or ["done += 1"]
    lines = [
        "def epoch(p, rows, lr, size):",
        f"    {', '.join(names)}, = p",
        "    done = 0",
        "    for lo in range(0, len(rows), size):",
        "        batch = rows[lo : lo + size]",
        "        m = len(batch)",
        f"        {row} = batch[0]",
        *["        " + line for line in first],
        f"        for {row} in batch[1:]:",
        *["            " + line for line in rest],
        *["        " + line for line in update],
    ]
    lines.append(f"    return [{', '.join(names)}], done, True")
    return "\n".join(lines) + "\n"


def _optimizer_source(arch: Architecture, s: Settings, checked: bool) -> str:
    """Mini-batch epochs (a batch of one row too: g / 1.0 is g) with an optimizer's state.

    `epoch(p, state, rows, lr, size, hyper, t)` -> (params, state, updates done, all
    finite); `t` counts the updates made before this epoch. The update lines are
    `optimizers.code`, the operations of `optimizers.update`.
    """
    names, n_state = _vars(arch), len(s.state_names)
    row = ", ".join(f"x{i}" for i in range(arch.n_inputs)) + ", y"
    terms = _gradient_terms(arch)
    weights = set(names[: arch.n_weights])
    state = [f"s{i}_{p}" for i in range(n_state) for p in names]
    first = _sample(arch) + [f"g_{p} = {g}" for p, g in terms]
    rest = _sample(arch) + [f"g_{p} = g_{p} + {g}" for p, g in terms]
    update = [f"saved = [{', '.join(names + state)}]"] if checked else []
    update += ["t += 1", "o_c1, o_c2 = o_consts(t)"]
    for p, _ in terms:
        update += optimizer_code(s, p, f"g_{p} / m", p in weights)
    keep = f"[{', '.join(names)}], [{', '.join(state)}]" if state else f"[{', '.join(names)}], []"
    if checked:
        update += [f"if not all(map(isfinite, ({', '.join(names)},))):",
                   f"    return saved[:{len(names)}], saved[{len(names)}:], done, False"]
    update.append("done += 1")
    lines = [
        "def epoch(p, state, rows, lr, size, hyper, t):",
        f"    {', '.join(names)}, = p",
        *([f"    {', '.join(state)}, = [v for vec in state for v in vec]"] if state else []),
        "    o_mom, o_b1, o_b2, o_nb1, o_nb2, o_eps, o_l2, o_consts = hyper",
        "    done = 0",
        "    for lo in range(0, len(rows), size):",
        "        batch = rows[lo : lo + size]",
        "        m = len(batch)",
        f"        {row} = batch[0]",
        *["        " + line for line in first],
        f"        for {row} in batch[1:]:",
        *["            " + line for line in rest],
        *["        " + line for line in update],
    ]
    lines.append(f"    return {keep}, done, True")
    return "\n".join(lines) + "\n"


def _compile(source: str, arch: Architecture) -> object:
    namespace: dict[str, object] = {"exp": math.exp, "tanh": math.tanh, "abs": abs,
                                    "isfinite": math.isfinite, "sqrt": math.sqrt}
    exec(compile(source, f"<nntui epoch {arch}>", "exec"), namespace)  # noqa: S102
    return namespace["epoch"]


@lru_cache(maxsize=64)
def compile_epoch(arch: Architecture, checked: bool = False) -> EpochFn:
    """Return `epoch(params, rows, lr) -> (params, steps_done, all_finite)`.

    Unchecked, it runs every row and always reports True (the caller checks once at the
    end). Checked, it stops before the first step that makes a parameter non-finite and
    returns the last finite parameters and the number of steps applied.
    """
    return _compile(_source(arch, checked), arch)  # type: ignore[return-value]


@lru_cache(maxsize=64)
def compile_batch_epoch(arch: Architecture, checked: bool = False) -> BatchEpochFn:
    """Return `epoch(params, rows, lr, size) -> (params, updates_done, all_finite)`.

    Mini-batches of `size` rows (the last may be shorter); otherwise as `compile_epoch`.
    """
    return _compile(_batch_source(arch, checked), arch)  # type: ignore[return-value]


#: An optimizer's epoch: (params, state, rows, lr, size, hyper, t) -> (params, state,
#: updates done, all finite).
OptimizerEpochFn = Callable[..., tuple[list[float], list[float], int, bool]]


@lru_cache(maxsize=64)
def compile_optimizer_epoch(arch: Architecture, s: Settings,
                            checked: bool = False) -> OptimizerEpochFn:
    """Return the epoch function of `s` (any optimizer, L2 or not) for `arch`.

    The state comes back flat: every state vector one after the other.
    """
    return _compile(_optimizer_source(arch, s, checked), arch)  # type: ignore[return-value]


def hyper(s: Settings) -> tuple[object, ...]:
    """The constants an optimizer epoch binds (see `_optimizer_source`)."""
    return (s.momentum, s.beta1, s.beta2, 1.0 - s.beta1, 1.0 - s.beta2, s.eps, s.l2,
            lambda t: constants(s, t))
