"""The worked example as text: `nntui step` (plain, Markdown, JSON) and the inspector's lines.

Samples are numbered from 0 everywhere (app, CLI, JSON): sample #3 is the fourth training
row. Updates print as many digits as it takes for the old and the new value to differ.
"""

from __future__ import annotations

from typing import Any

from nntui.lab import worked_deep
from nntui.lab.numbers import num
from nntui.lab.worked import WorkedStep, distinct_digits, factor, fmt


def sample_title(ws: WorkedStep) -> str:
    """'sample #3 of the training rows #0..#79' (0-based, one convention everywhere)."""
    return f"sample #{ws.index} of the training rows #0..#{ws.exp.trainer.n_train - 1}"


def sample_lines(ws: WorkedStep) -> list[str]:
    table = ws.exp.dataset.table
    t = ws.trace
    xs = ", ".join(f"x{i + 1} = {fmt(v)} ({name} = {fmt(r)})"
                   for i, (v, r, name) in enumerate(zip(t.x, ws.x_raw, table.features)))
    if table.classes is not None and ws.exp.arch.task == "classify":
        c = table.classes
        return [f"{sample_title(ws)}: {xs}",
                f"target y = {fmt(t.y)} ({table.target} = {c[int(t.y)]}); prediction y_hat = "
                f"{fmt(t.y_hat)} = P({table.target} = {c[1]}): class "
                f"{c[1] if t.y_hat > 0.5 else c[0]}"]
    return [f"{sample_title(ws)}: {xs}",
            f"target y = {fmt(t.y)} ({table.target} = {fmt(ws.y_raw)}); prediction y_hat = "
            f"{fmt(t.y_hat)} ({table.target} = {fmt(ws.y_hat_raw)})"]


def forward_lines(ws: WorkedStep) -> list[str]:
    """`z1 = w1*x1 + w2*x2 + b1 = 0.5*1 + (-0.3)*0.5 + 0.1 = 0.45`, then h, y_hat, L."""
    arch, t, p, names = ws.exp.arch, ws.trace, ws.record.params_before, ws.names
    if arch.depth > 1:
        return worked_deep.forward_lines(ws)
    g = arch.activation
    out = []
    for j in range(arch.n_hidden):
        u = j + 1
        inputs = [arch.input_weight(j, i) for i in range(arch.n_inputs)]
        b = arch.hidden_bias(j)
        sym = " + ".join(f"{names[k]}*x{i + 1}" for i, k in enumerate(inputs))
        nums = " + ".join(f"{factor(p[k])}*{factor(t.x[i])}" for i, k in enumerate(inputs))
        out.append(f"z{u} = {sym} + {names[b]} = {nums} + {factor(p[b])} = {fmt(t.z[j])}")
        note = ""
        if g == "relu" and t.z[j] == 0.0:
            note = "  (z = 0: the kink; relu'(0) = 0 by convention)"
        elif g == "relu" and t.z[j] < 0.0:
            note = "  (gate closed: z <= 0)"
        out.append(f"h{u} = {g}(z{u}) = {g}({fmt(t.z[j])}) = {fmt(t.h[j])}{note}")
    outs = [arch.output_weight(j) for j in range(arch.n_hidden)]
    c = arch.output_bias
    sym = " + ".join(f"{names[v]}*h{j + 1}" for j, v in enumerate(outs))
    nums = " + ".join(f"{factor(p[v])}*{factor(t.h[j])}" for j, v in enumerate(outs))
    return out + worked_deep.output_lines(ws, f"{sym} + {names[c]}",
                                          f"{nums} + {factor(p[c])}")


def factor_lines(ws: WorkedStep) -> list[str]:
    """Each distinct chain-rule factor once: `dy_hat/dh1 = w5 = 0.6` (with several hidden
    layers: the δ of each layer from the layer above, top first)."""
    if ws.exp.arch.depth > 1:
        return worked_deep.delta_lines(ws)
    seen: dict[str, str] = {}
    for term in ws.chain():
        for f in term.factors:
            if f.name not in seen and f.name not in ("dL/dy_hat", "dL/dz_out"):
                seen[f.name] = f"{f.name} = {f.symbol} = {fmt(f.value)}"
    return list(seen.values())


def backward_lines(ws: WorkedStep, with_numeric: bool = True) -> list[str]:
    """dL/dy_hat, the factors by name, then every dL/dp as a product with its check."""
    out = [*worked_deep.output_delta_lines(ws), *factor_lines(ws)]
    for k, term in enumerate(ws.chain()):
        names = " * ".join(f.name for f in term.factors)
        symbols = " * ".join(f.symbol for f in term.factors)
        values = " * ".join(factor(f.value) for f in term.factors)
        line = f"dL/d{term.name} = {names} = {symbols} = {values} = {fmt(term.value)}"
        if term.closed_gate is not None:
            gate = worked_deep.unit_label(ws.exp.arch, term.closed_gate)
            line += f"  [ReLU gate {gate} closed: dh/dz = 0]"
        if with_numeric and k in ws.numeric:
            check = ws.check(k, term)
            line += f"  | numeric {fmt(ws.numeric[k])}"
            line += f": {check.note}" if check.note else f", rel. diff {check.relative:.1e}"
        out.append(line)
    return out


def update_text(ws: WorkedStep, k: int) -> tuple[str, str]:
    """Old and new value of parameter k with enough digits to tell them apart."""
    r = ws.record
    old, new = r.params_before[k], r.params_after[k]
    digits = distinct_digits(old, new)
    return num(old, digits), num(new, digits)


def update_lines(ws: WorkedStep) -> list[str]:
    r = ws.record
    if r.optimizer is not None:
        from nntui.lab.worked_optim import optimizer_lines

        return optimizer_lines(ws)
    out = [f"p <- p - lr * dL/dp with lr = {fmt(r.lr)}"]
    for k, name in enumerate(ws.names):
        old, new = update_text(ws, k)
        step = r.lr * r.grads[k]
        out.append(f"{name} = {old} - {fmt(r.lr)}*{factor(r.grads[k])} = "
                   f"{old} - {factor(step)} = {new}")
    return out


def diagram_lines(ws: WorkedStep) -> list[str]:
    """The network with current values on nodes and weights on edges, unit by unit."""
    arch, t, p, names = ws.exp.arch, ws.trace, ws.record.params_before, ws.names
    if arch.depth > 1:
        return worked_deep.diagram_lines(ws)
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
    """The `nntui step --json` object: sample, forward, chain rule, checks, update (and
    the task and the optimizer's terms: worked_optim.py)."""
    from nntui.lab.worked_optim import optimizer_json

    t, r, names = ws.trace, ws.record, ws.names
    forward: dict[str, float] = {}
    forward.update({f"z{j + 1}": z for j, z in enumerate(t.z)})
    forward.update({f"h{j + 1}": h for j, h in enumerate(t.h)})
    chain_values = {"dL/dy_hat": t.dl_dyhat,
                    **{f"dL/dh{j + 1}": v for j, v in enumerate(t.dl_dh)},
                    **{f"dh{j + 1}/dz{j + 1}": v for j, v in enumerate(t.dh_dz)},
                    **{f"dL/dz{j + 1}": v for j, v in enumerate(t.dl_dz)}}
    if ws.exp.arch.depth > 1:  # named by layer: z2[1], dL/dz2[1], ...
        forward, chain_values = worked_deep.json_values(ws.exp.arch, t)
    forward.update(y_hat=t.y_hat, loss=t.loss, y_hat_raw=ws.y_hat_raw)
    if ws.exp.arch.task == "classify":
        forward["z_out"] = t.z_out
        chain_values["dL/dz_out"] = chain_values.pop("dL/dy_hat")
    chain = ws.chain()
    return {
        "sample": {"index": ws.index, "x": list(t.x), "y": t.y, "x_raw": ws.x_raw,
                   "y_raw": ws.y_raw},
        "epoch": r.epoch,
        "forward": forward,
        "chain": chain_values,
        "chain_rule": {f"dL/d{term.name}": [
            {"factor": f.name, "symbol": f.symbol, "value": f.value} for f in term.factors]
            for term in chain},
        "gradients": dict(zip(names, r.grads)),
        "numeric_gradients": {name: ws.numeric[k] for k, name in enumerate(names)},
        "numeric_check": {term.name: ws.check(k, term).status
                          for k, term in enumerate(chain)},
        "lr": r.lr,
        "task": ws.exp.arch.task,
        "optimizer": optimizer_json(ws),
        "params_before": dict(zip(names, r.params_before)),
        "params_after": dict(zip(names, r.params_after)),
        "diverged": r.diverged,
    }
