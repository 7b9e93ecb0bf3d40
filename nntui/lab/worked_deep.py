"""The worked step of a network with several hidden layers: forward values, the δ of each
layer computed from the layer above, every gradient as δ times its input, by name.

worked.py and worked_text.py call these for `arch.depth > 1` (a one-hidden-layer network
keeps its own, notebook-shaped text). Values are named as naming.py names them: `z2[1]`
is unit 1 of hidden layer 2, `W3[1,2]` the output's weight from `h2[2]`. Everything is
read from the trainer's Trace (`Trace.layers`); nothing is computed here.

`layer_steps()` gives the same step one layer at a time (`LayerStep`), each number with its
filled formula (`Filled`), for the layered inspector and the layered drill: z and h of each
unit, δ of each unit from the layer above with its factors (`Delta`), every gradient as δ
times the input it multiplies with its finite-difference check (`Gradient`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from nntui.engine.naming import unit_name
from nntui.engine.network import Architecture, Trace

if TYPE_CHECKING:
    from nntui.lab.worked import ChainTerm, Check, WorkedStep


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


@dataclass(frozen=True)
class Filled:
    """One number of the step with its formula: `name = symbol = numbers = value`.

    `needs` names the known values the formula uses (parameters, inputs, earlier values):
    what a drill has to give for it, never the value itself."""

    name: str  # "z2[1]", "δ1[2]", "dL/dW2[1,2]"
    symbol: str  # "W2[1,1]·h1[1] + W2[1,2]·h1[2] + b2[1]"
    numbers: str  # the symbol with the numbers filled in
    value: float  # the trainer's own float
    needs: tuple[str, ...] = ()

    def line(self) -> str:
        return f"{self.name} = {self.symbol} = {self.numbers} = {_fmt(self.value)}"


@dataclass(frozen=True)
class Delta:
    """δ of one hidden unit from the layer above: (Σ_m W_{l+1}[m,j]·δ_{l+1}[m]) · g'(z_l[j]),
    with the factors in the order the engine multiplies them (the sum left to right)."""

    filled: Filled
    weights: tuple[float, ...]  # W_{l+1}[m, j] for m = 1.. (the weights out of the unit)
    upper: tuple[float, ...]  # δ_{l+1}[m] (dL/dy_hat above the last hidden layer)
    dl_dh: float  # the sum: dL/dh of the unit
    slope: float  # g'(z)
    closed: bool  # a closed ReLU gate: δ is exactly 0


@dataclass(frozen=True)
class Gradient:
    """dL/dp as δ of its unit times the input it multiplies, and its numeric check."""

    filled: Filled
    index: int  # the parameter's place in the vector
    delta: float
    input: float  # the input it multiplies (1 for a bias)
    numeric: float | None  # the central finite difference; None: not computed (yet)
    check: Check | None


@dataclass(frozen=True)
class LayerStep:
    """One layer of the step: hidden layers 1..L, then the output layer L+1."""

    number: int  # 1-based
    depth: int  # hidden layers of the network
    width: int  # units
    activation: str  # the hidden activation (the output layer: its own, linear or sigmoid)
    forward: list[Filled]  # z and h of each unit; the output: y_hat and L
    backward: list[Filled]  # δ of each unit; the output: dL/dy_hat (its δ)
    deltas: list[Delta]  # the hidden units' δ with their factors (empty for the output)
    gradients: list[Gradient]  # the layer's parameters in vector order (weights, biases)
    units: range  # the flat indices (Trace.z, Trace.h) of its units; empty for the output

    @property
    def output(self) -> bool:
        return self.number == self.depth + 1

    @property
    def params(self) -> list[int]:
        return [g.index for g in self.gradients]

    @property
    def title(self) -> str:
        """`layer 2 of 3: hidden, 2 relu units` or `layer 3 of 3: output (linear)`."""
        head = f"layer {self.number} of {self.depth + 1}"
        if self.output:
            return f"{head}: output ({self.activation})"
        return f"{head}: hidden, {self.width} {self.activation} unit" + (
            "s" if self.width > 1 else "")


def delta_name(arch: Architecture, layer: int, j: int) -> str:
    """δ of unit j of weight layer `layer` (0-based): `δ2[1]`, or the output's dL/dy_hat
    (dL/dz_out before a sigmoid output)."""
    if layer == arch.depth:
        return f"dL/d{out_name(arch)}"
    return unit_name("δ", layer, j, arch.depth)


def output_filled(ws: WorkedStep, sym: str, nums: str, needs: tuple[str, ...],
                  x: str = "·") -> tuple[list[Filled], Filled]:
    """The output layer's forward values (y_hat and L; classify: z_out, y_hat = σ(z_out)
    and the cross-entropy) and its δ, each with its filled formula. The classify δ's
    formula is its derivation, dL/dy_hat·dy_hat/dz_out = y_hat - y. Used by the layered
    inspector and by the drill (one hidden layer or several), so both say the same."""
    t = ws.trace
    y, yh = _factor(t.y), _fmt(t.y_hat)
    if ws.exp.arch.task == "regress":
        return ([Filled("y_hat", sym, nums, t.y_hat, needs),
                 Filled("L", "(y_hat - y)^2", f"({yh} - {y})^2", t.loss, ("y_hat", "y"))],
                Filled("dL/dy_hat", "2(y_hat - y)", f"2{x}({yh} - {y})", t.dl_dyhat,
                       ("y_hat", "y")))
    return ([Filled("z_out", sym, nums, t.z_out, needs),
             Filled("y_hat", "sigmoid(z_out)", f"sigmoid({_fmt(t.z_out)})", t.y_hat,
                    ("z_out",)),
             Filled("L", "-(y ln(y_hat) + (1 - y) ln(1 - y_hat))",
                    f"-({y}{x}ln({yh}) + (1 - {y}){x}ln(1 - {yh}))", t.loss,
                    ("y_hat", "y"))],
            Filled("dL/dz_out", f"dL/dy_hat{x}dy_hat/dz_out = (y_hat - y)/(y_hat(1 - y_hat))"
                   f"{x}y_hat(1 - y_hat) = y_hat - y", f"{yh} - {y}", t.dl_dyhat,
                   ("y_hat", "y")))


def layer_steps(ws: WorkedStep, times: str = "·") -> list[LayerStep]:
    """The step layer by layer (module docstring); products are written with `times`."""
    arch, t, p, names = ws.exp.arch, ws.trace, ws.record.params_before, ws.names
    g, depth, x = arch.activation, arch.depth, times
    terms = ws.chain()
    steps = []
    for layer in range(depth + 1):
        ins, vals = input_names(arch, layer), input_values(t, layer)
        out = layer == depth
        forward: list[Filled] = []
        for j in range(arch.sizes[layer + 1]):
            ks, b = [arch.weight(layer, j, i) for i in range(len(ins))], arch.bias(layer, j)
            sym = " + ".join([*(f"{names[k]}{x}{ins[i]}" for i, k in enumerate(ks)), names[b]])
            nums = " + ".join([*(f"{_factor(p[k])}{x}{_factor(vals[i])}"
                                 for i, k in enumerate(ks)), _factor(p[b])])
            needs = (*(n for i, k in enumerate(ks) for n in (names[k], ins[i])), names[b])
            if out:
                forward, top = output_filled(ws, sym, nums, needs, x)
                continue
            lt, z = t.layers[layer], unit_name("z", layer, j, depth)
            forward += [Filled(z, sym, nums, lt.z[j], needs),
                        Filled(unit_name("h", layer, j, depth), f"{g}({z})",
                               f"{g}({_fmt(lt.z[j])})", lt.h[j], (z,))]
        deltas = [] if out else [_delta(ws, layer, j, x) for j in range(arch.widths[layer])]
        backward = [d.filled for d in deltas]
        if out:
            backward.append(top)
        gradients = []
        for j in range(arch.sizes[layer + 1]):
            d = delta_name(arch, layer, j)
            dv = t.dl_dyhat if out else t.layers[layer].dl_dz[j]
            pairs = [(arch.weight(layer, j, i), name, vals[i]) for i, name in enumerate(ins)]
            for k, name, v in [*pairs, (arch.bias(layer, j), "1", 1.0)]:
                gradients.append(Gradient(
                    Filled(f"dL/d{names[k]}", f"{d}{x}{name}",
                           f"{_factor(dv)}{x}{_factor(v)}", t.grads[k],
                           (d,) if name == "1" else (d, name)),
                    k, dv, v, ws.numeric.get(k),
                    ws.check(k, terms[k]) if k in ws.numeric else None))
        first = first_unit(arch, layer) if not out else 0
        kind = arch.loss_spec.output_name if out else g
        steps.append(LayerStep(layer + 1, depth, arch.sizes[layer + 1], kind, forward, backward,
                               deltas, sorted(gradients, key=lambda gr: gr.index),
                               range(first, first + (0 if out else arch.widths[layer]))))
    return steps


def _delta(ws: WorkedStep, layer: int, j: int, x: str) -> Delta:
    """`δ1[2] = (W2[1,2]·δ2[1] + W2[2,2]·δ2[2]) · relu'(z1[2]) = (…) · 1 = 0.05 · 1`."""
    arch, t, p, names = ws.exp.arch, ws.trace, ws.record.params_before, ws.names
    depth, above, lt = arch.depth, layer + 1, ws.trace.layers[layer]
    ms = range(arch.sizes[above + 1])
    ks = [arch.weight(above, m, j) for m in ms]
    ups = [delta_name(arch, above, m) for m in ms]
    upper = [t.dl_dyhat] if above == depth else t.layers[above].dl_dz
    z, g = unit_name("z", layer, j, depth), arch.activation
    sym = " + ".join(f"{names[k]}{x}{ups[m]}" for m, k in enumerate(ks))
    nums = " + ".join(f"{_factor(p[k])}{x}{_factor(upper[m])}" for m, k in enumerate(ks))
    slope = f"{g}'({z})"
    filled = Filled(unit_name("δ", layer, j, depth), f"({sym}) {x} {slope}",
                    f"({nums}) {x} {_factor(lt.dh_dz[j])} = {_factor(lt.dl_dh[j])} {x} "
                    f"{_factor(lt.dh_dz[j])}", lt.dl_dz[j],
                    (*(n for m, k in enumerate(ks) for n in (names[k], ups[m])), z))
    return Delta(filled, tuple(p[k] for k in ks), tuple(upper), lt.dl_dh[j], lt.dh_dz[j],
                 g == "relu" and lt.dh_dz[j] == 0.0)
