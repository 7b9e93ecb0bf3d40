"""A fast per-sample SGD epoch, generated as straight-line Python for one architecture.

Per-sample SGD is sequential, so numpy cannot vectorise it and small-array numpy calls cost
microseconds each. Unrolled float arithmetic on local variables is ~10x faster. The
generated code performs the same floating-point operations in the same order as
`Architecture.trace` followed by `p - lr * grad`, so both paths agree bit for bit, divergence
included (tests/test_equivalence.py checks this): the activation's lines come from its
specification, which mirrors its scalar functions, and every update is always applied, even
for a closed ReLU gate (dL/dz = 0 there, as in the trace). Only code built from integers
and fixed templates is compiled; no user text.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import lru_cache

from nntui.engine.network import Architecture

EpochFn = Callable[[list[float], list[tuple[float, ...]], float], tuple[list[float], int, bool]]


def _source(arch: Architecture, checked: bool) -> str:
    n, k, spec = arch.n_inputs, arch.n_hidden, arch.spec
    names = arch.names
    xs = [f"x{i}" for i in range(n)]
    body: list[str] = []
    for j in range(k):
        terms = " + ".join(f"{names[arch.input_weight(j, i)]} * {xs[i]}" for i in range(n))
        body.append(f"z{j} = {terms} + {names[arch.hidden_bias(j)]}")
        body += [line.format(z=f"z{j}", h=f"h{j}", gp=f"gp{j}", e=f"e{j}")
                 for line in spec.code]
    out = " + ".join(f"{names[arch.output_weight(j)]} * h{j}" for j in range(k))
    body.append(f"d = 2.0 * ({out} + {names[arch.output_bias]} - y)")
    for j in range(k):
        # dL/dz = (dL/dy_hat * w_out) * g'(z), exactly 0 where g'(z) = 0 (the trace's rule).
        dlh = f"(d * {names[arch.output_weight(j)]})"
        body.append(spec.chain_code.format(dz=f"dz{j}", dlh=dlh, z=f"z{j}", gp=f"gp{j}"))
    if checked:
        body.append(f"saved = [{', '.join(names)}]")
    for j in range(k):
        for i in range(n):
            w = names[arch.input_weight(j, i)]
            body.append(f"{w} = {w} - lr * (dz{j} * {xs[i]})")
        b = names[arch.hidden_bias(j)]
        v = names[arch.output_weight(j)]
        body += [f"{b} = {b} - lr * dz{j}", f"{v} = {v} - lr * (d * h{j})"]
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
    source = _source(arch, checked)  # an unknown activation is a UserError here
    namespace: dict[str, object] = {"exp": math.exp, "tanh": math.tanh, "abs": abs,
                                    "isfinite": math.isfinite}
    exec(compile(source, f"<nntui epoch {arch}>", "exec"), namespace)  # noqa: S102
    return namespace["epoch"]  # type: ignore[return-value]
