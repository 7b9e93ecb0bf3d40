"""The worked step of a network with several hidden layers: forward values, the δ of each
layer computed from the layer above, every gradient as δ times its input, by name.

worked.py and worked_text.py call these for `arch.depth > 1` (a one-hidden-layer network
keeps its own, notebook-shaped text). Values are named as naming.py names them: `z2[1]`
is unit 1 of hidden layer 2, `W3[1,2]` the output's weight from `h2[2]`. Everything is
read from the trainer's Trace (`Trace.layers`); nothing is computed here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from nntui.engine.naming import unit_name
from nntui.engine.network import Architecture, Trace

if TYPE_CHECKING:
    from nntui.lab.worked import ChainTerm, WorkedStep


def _fmt(v: float) -> str:
    from nntui.lab.worked import fmt

    return fmt(v)


def _factor(v: float) -> str:
    from nntui.lab.worked import factor

    return factor(v)


def first_unit(arch: Architecture, layer: int) -> int:
    """The flat index (Trace.z, Trace.h, ...) of hidden layer `layer`'s first unit."""
    return sum(arch.widths[:layer])


def unit_label(arch: Architecture, flat: int) -> str:
    """A hidden unit by its flat index: `2` (one hidden layer) or `2[1]` (layer 2, unit 1)."""
    for layer, k in enumerate(arch.widths):
        if flat < k:
            return unit_name("", layer, flat, arch.depth)
        flat -= k
    raise IndexError(flat)


def input_names(arch: Architecture, layer: int) -> list[str]:
    """What weight layer `layer` multiplies: x1.. or the h of the hidden layer below."""
    if layer == 0:
        return [f"x{i + 1}" for i in range(arch.n_inputs)]
    return [unit_name("h", layer - 1, j, arch.depth) for j in range(arch.widths[layer - 1])]


def input_values(t: Trace, layer: int) -> list[float]:
    return t.x if layer == 0 else t.layers[layer - 1].h


def forward_lines(ws: WorkedStep) -> list[str]:
    """`z2[1] = W2[1,1]*h1[1] + ... + b2[1] = ... = 0.3` per unit, layer by layer."""
    arch, t, p, names = ws.exp.arch, ws.trace, ws.record.params_before, ws.names
    g, depth, out = arch.activation, arch.depth, []
    for layer in range(depth + 1):
        ins, vals = input_names(arch, layer), input_values(t, layer)
        for j in range(arch.sizes[layer + 1]):
            ws_ = [arch.weight(layer, j, i) for i in range(len(ins))]
            b = arch.bias(layer, j)
            sym = " + ".join(f"{names[k]}*{ins[i]}" for i, k in enumerate(ws_))
            nums = " + ".join(f"{_factor(p[k])}*{_factor(vals[i])}" for i, k in enumerate(ws_))
            if layer == depth:
                out += output_lines(ws, f"{sym} + {names[b]}", f"{nums} + {_factor(p[b])}")
                continue
            z, h, lt = (unit_name("z", layer, j, depth), unit_name("h", layer, j, depth),
                        t.layers[layer])
            out.append(f"{z} = {sym} + {names[b]} = {nums} + {_factor(p[b])} = "
                       f"{_fmt(lt.z[j])}")
            gate = "  (gate closed: z <= 0)" if g == "relu" and lt.z[j] <= 0.0 else ""
            out.append(f"{h} = {g}({z}) = {g}({_fmt(lt.z[j])}) = {_fmt(lt.h[j])}{gate}")
    return out


def out_name(arch: Architecture) -> str:
    """What the output layer's sum is called: y_hat (linear output) or z_out (sigmoid)."""
    return "y_hat" if arch.task == "regress" else "z_out"


def output_lines(ws: WorkedStep, sym: str, nums: str) -> list[str]:
    """The output's sum, then (classify) y_hat = σ(z_out), then the loss with numbers."""
    t = ws.trace
    if ws.exp.arch.task == "regress":
        return [f"y_hat = {sym} = {nums} = {_fmt(t.y_hat)}",
                f"L = (y_hat - y)^2 = ({_fmt(t.y_hat)} - {_factor(t.y)})^2 = {_fmt(t.loss)}"]
    return [f"z_out = {sym} = {nums} = {_fmt(t.z_out)}",
            f"y_hat = sigmoid(z_out) = sigmoid({_fmt(t.z_out)}) = {_fmt(t.y_hat)}",
            f"L = -(y log y_hat + (1 - y) log(1 - y_hat)) with y = {_fmt(t.y)}: "
            f"{_fmt(t.loss)}",
            "  (computed from z_out, no log(0): L = log(1 + exp(-|z_out|)) + max(z_out, 0)"
            " - z_out*y)"]


def output_delta_lines(ws: WorkedStep) -> list[str]:
    """The output's δ: 2(y_hat - y) for regression; for classification derived from the
    chain dL/dy_hat * dy_hat/dz_out, where y_hat(1 - y_hat) cancels to y_hat - y."""
    t = ws.trace
    if ws.exp.arch.task == "regress":
        return [f"dL/dy_hat = 2(y_hat - y) = 2*({_fmt(t.y_hat)} - {_factor(t.y)}) = "
                f"{_fmt(t.dl_dyhat)}"]
    slope = t.y_hat * (1.0 - t.y_hat)
    dl_dyhat = (t.y_hat - t.y) / slope if slope != 0.0 else float("inf")
    return [f"dL/dy_hat = -y/y_hat + (1 - y)/(1 - y_hat) = (y_hat - y)/(y_hat(1 - y_hat)) = "
            f"{_fmt(dl_dyhat)}",
            f"dy_hat/dz_out = sigmoid'(z_out) = y_hat(1 - y_hat) = {_fmt(slope)}",
            "dL/dz_out = dL/dy_hat * dy_hat/dz_out = (y_hat - y)/(y_hat(1 - y_hat)) * "
            "y_hat(1 - y_hat) = y_hat - y",
            f"          = {_fmt(t.y_hat)} - {_factor(t.y)} = {_fmt(t.dl_dyhat)}  (the output's δ)"]


def delta_lines(ws: WorkedStep) -> list[str]:
    """δ layer by layer, top first: dL/dh = W_aboveᵀ δ_above, then dL/dz = dL/dh * g'(z)."""
    arch, t, p, names = ws.exp.arch, ws.trace, ws.record.params_before, ws.names
    g, depth, out = arch.activation, arch.depth, []
    for layer in reversed(range(depth)):
        lt, above = t.layers[layer], layer + 1
        if above == depth:
            up_names, up_vals = [f"dL/d{out_name(arch)}"], [t.dl_dyhat]
        else:
            up_names = [f"dL/d{unit_name('z', above, m, depth)}"
                        for m in range(arch.widths[above])]
            up_vals = t.layers[above].dl_dz
        for j in range(len(lt.z)):
            z, h = unit_name("z", layer, j, depth), unit_name("h", layer, j, depth)
            ks = [arch.weight(above, m, j) for m in range(len(up_names))]
            sym = " + ".join(f"{names[k]}*{up_names[m]}" for m, k in enumerate(ks))
            nums = " + ".join(f"{_factor(p[k])}*{_factor(up_vals[m])}"
                              for m, k in enumerate(ks))
            out.append(f"dL/d{h} = {sym} = {nums} = {_fmt(lt.dl_dh[j])}")
            closed = "  [ReLU gate closed: dh/dz = 0]" if (
                g == "relu" and lt.dh_dz[j] == 0.0) else ""
            out.append(f"dL/d{z} = dL/d{h} * {g}'({z}) = {_factor(lt.dl_dh[j])}*"
                       f"{_factor(lt.dh_dz[j])} = {_fmt(lt.dl_dz[j])}{closed}")
    return out


def chain(ws: WorkedStep) -> list[ChainTerm]:
    """Every dL/dp as δ of its unit times the input it multiplies, in parameter order."""
    from nntui.lab.worked import ChainTerm, Factor

    arch, t, names = ws.exp.arch, ws.trace, ws.names
    depth, relu = arch.depth, arch.activation == "relu"
    out = out_name(arch)
    top = Factor(f"dL/d{out}", arch.loss_spec.delta_formula, t.dl_dyhat)
    terms: dict[int, ChainTerm] = {}
    for layer in range(depth + 1):
        ins, vals = input_names(arch, layer), input_values(t, layer)
        for j in range(arch.sizes[layer + 1]):
            if layer == depth:
                head, target, flat, closed = top, out, None, None
            else:
                lt, z = t.layers[layer], unit_name("z", layer, j, depth)
                h = unit_name("h", layer, j, depth)
                head = Factor(f"dL/d{z}", f"dL/d{h} * {arch.activation}'({z})", lt.dl_dz[j])
                target, flat = z, first_unit(arch, layer) + j
                closed = flat if relu and lt.dh_dz[j] == 0.0 else None
            for i, name in enumerate(ins):
                k = arch.weight(layer, j, i)
                terms[k] = ChainTerm(names[k], [head, Factor(f"d{target}/d{names[k]}", name,
                                                             vals[i])],
                                     t.grads[k], closed, flat, abs(vals[i]))
            b = arch.bias(layer, j)
            terms[b] = ChainTerm(names[b], [head, Factor(f"d{target}/d{names[b]}", "1", 1.0)],
                                 t.grads[b], closed, flat, 1.0)
    return [terms[k] for k in range(arch.n_params)]


def kink_unit(ws: WorkedStep, k: int, step: float) -> int | None:
    """A ReLU unit whose gate differs between parameter k at ±step and as it is (flat
    index), or None: the central difference then straddles that unit's kink. In a deep
    network a parameter moves the z of every layer above its own, so each is looked at."""
    arch, t, p = ws.exp.arch, ws.trace, ws.record.params_before
    sides = []
    for sign in (1.0, -1.0):
        moved = list(p)
        moved[k] += sign * step
        sides.append(arch.trace(moved, t.x, t.y).z)
    for j, (up, down, z) in enumerate(zip(*sides, t.z)):
        if not (up > 0.0) == (down > 0.0) == (z > 0.0):
            return j
    return None


def diagram_lines(ws: WorkedStep) -> list[str]:
    """The network layer by layer: each unit's z and h (its weights are in the forward
    pass and the update table)."""
    arch, t = ws.exp.arch, ws.trace
    depth = arch.depth
    out = [f"network {arch.shape}, {arch.activation} hidden units, "
           f"{arch.loss_spec.output_name} output",
           "inputs: " + ", ".join(f"x{i + 1}={_fmt(v)}" for i, v in enumerate(t.x))]
    for layer, lt in enumerate(t.layers):
        gate = ["" if arch.activation != "relu" or z > 0.0 else " (closed)" for z in lt.z]
        out.append(f"layer {layer + 1}: " + ", ".join(
            f"{unit_name('z', layer, j, depth)}={_fmt(z)} → {_fmt(lt.h[j])}{gate[j]}"
            for j, z in enumerate(lt.z)))
    out.append(f"y_hat = {_fmt(t.y_hat)}, y = {_fmt(t.y)}, L = {_fmt(t.loss)}")
    return out


def json_values(arch: Architecture, t: Trace) -> tuple[dict[str, float], dict[str, float]]:
    """The `forward` and `chain` maps of `nntui step --json`, named by layer."""
    depth = arch.depth
    forward: dict[str, float] = {}
    chain_values: dict[str, float] = {"dL/dy_hat": t.dl_dyhat}
    for layer, lt in enumerate(t.layers):
        for j in range(len(lt.z)):
            z, h = unit_name("z", layer, j, depth), unit_name("h", layer, j, depth)
            forward[z], forward[h] = lt.z[j], lt.h[j]
            chain_values[f"dL/d{h}"] = lt.dl_dh[j]
            chain_values[f"d{h}/d{z}"] = lt.dh_dz[j]
            chain_values[f"dL/d{z}"] = lt.dl_dz[j]
    return forward, chain_values
