"""A fast per-sample SGD epoch, generated as straight-line Python for one architecture.

Per-sample SGD is sequential, so numpy cannot vectorise it and small-array numpy calls cost
microseconds each. Unrolled float arithmetic on local variables is ~10x faster. The
generated code performs the same floating-point operations in the same order as
`Architecture.trace` followed by `p - lr * grad`, so both paths agree bit for bit (a test
checks this). Only code built from integers and fixed templates is compiled; no user text.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import lru_cache

from nntui.engine.naming import ACTIVATIONS
from nntui.engine.network import Architecture

EpochFn = Callable[[list[float], list[tuple[float, ...]], float], tuple[list[float], int, bool]]


def _hidden_lines(act: str, j: int) -> list[str]:
    """Lines that set h{j} and, except for ReLU, the local gate gp{j} = g'(z{j})."""
    z, h, gp = f"z{j}", f"h{j}", f"gp{j}"
    if act == "relu":
        return [f"{h} = {z} if {z} > 0.0 else 0.0"]
    if act == "sigmoid":
        return [
            f"{h} = 1.0 / (1.0 + exp(-{z})) if {z} >= 0.0 else exp({z}) / (1.0 + exp({z}))",
            f"{gp} = {h} * (1.0 - {h})",
        ]
    if act == "tanh":
        return [f"{h} = tanh({z})", f"{gp} = 1.0 - {h} * {h}"]
    return [f"{h} = {z}", f"{gp} = 1.0"]


def _source(arch: Architecture, checked: bool) -> str:
    n, k, relu = arch.n_inputs, arch.n_hidden, arch.activation == "relu"
    names = arch.names
    xs = [f"x{i}" for i in range(n)]
    body: list[str] = []
    for j in range(k):
        terms = " + ".join(f"{names[arch.input_weight(j, i)]} * {xs[i]}" for i in range(n))
        body.append(f"z{j} = {terms} + {names[arch.hidden_bias(j)]}")
        body += _hidden_lines(arch.activation, j)
    out = " + ".join(f"{names[arch.output_weight(j)]} * h{j}" for j in range(k))
    body.append(f"d = 2.0 * ({out} + {names[arch.output_bias]} - y)")
    for j in range(k):
        # dL/dz = dL/dy_hat * w_out * g'(z); a closed ReLU gate is handled below.
        gate = "" if relu else f" * gp{j}"
        body.append(f"dz{j} = d * {names[arch.output_weight(j)]}{gate}")
    if checked:
        body.append(f"saved = [{', '.join(names)}]")
    for j in range(k):
        unit = []
        for i in range(n):
            w = names[arch.input_weight(j, i)]
            unit.append(f"{w} = {w} - lr * (dz{j} * {xs[i]})")
        b = names[arch.hidden_bias(j)]
        v = names[arch.output_weight(j)]
        unit += [f"{b} = {b} - lr * dz{j}", f"{v} = {v} - lr * (d * h{j})"]
        if relu:
            # A closed gate makes every gradient of this unit 0 and p - lr * 0 == p, so
            # those updates are skipped: the same numbers, less work. (With a non-finite
            # d the step path gets NaN where this gets inf; both count as divergence.)
            body.append(f"if z{j} > 0.0:")
            body += ["    " + line for line in unit]
        else:
            body += unit
    c = names[arch.output_bias]
    body.append(f"{c} = {c} - lr * d")
    if checked:
        body.append(f"if not all(map(isfinite, ({', '.join(names)},))):")
        body.append("    return saved, done, False")
        body.append("done += 1")
    lines = [
        "def epoch(p, rows, lr):",
        f"    {', '.join(names)}, = p",
        "    done = 0",
        f"    for {', '.join(xs)}, y in rows:",
    ]
    lines += ["        " + line for line in body]
    lines.append(f"    return [{', '.join(names)}], len(rows), True")
    return "\n".join(lines) + "\n"


@lru_cache(maxsize=64)
def compile_epoch(arch: Architecture, checked: bool = False) -> EpochFn:
    """Return `epoch(params, rows, lr) -> (params, steps_done, all_finite)`.

    Unchecked, it runs every row and always reports True (the caller checks once at the
    end). Checked, it stops before the first step that makes a parameter non-finite and
    returns the last finite parameters and the number of steps applied.
    """
    if arch.activation not in ACTIVATIONS:
        raise ValueError(f"unknown activation {arch.activation!r}")
    namespace: dict[str, object] = {"exp": math.exp, "tanh": math.tanh,
                                    "isfinite": math.isfinite}
    exec(compile(_source(arch, checked), f"<nntui epoch {arch}>", "exec"), namespace)  # noqa: S102
    return namespace["epoch"]  # type: ignore[return-value]
