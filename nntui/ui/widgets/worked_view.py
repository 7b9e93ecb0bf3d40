"""Rich rendering of a WorkedStep: sample, diagram, forward, chain rule, update, dead units.

Every number is read from the lab's WorkedStep (the trainer's record); formatting only.
"""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual.widgets import Static

from nntui.lab.worked import UnitActivity, WorkedStep, factor, fmt
from nntui.lab.worked_deep import output_delta_lines, unit_label
from nntui.lab.worked_text import (
    diagram_lines,
    factor_lines,
    forward_lines,
    sample_lines,
    update_lines,
    update_text,
)
from nntui.ui.ascii import spell_renderable, times

#: How to move between the layer pages (the inspector's bindings).
LAYER_KEYS = "one page per layer: , and . turn them (side by side when wide)"
CHECK_STYLE = {"agree": "green", "differ": "bold yellow", "kink": "cyan", "flat": "cyan"}
#: What the numeric column shows while the inspector's worker computes it.
CHECKING = "checking…"


def heading(title: str) -> Text:
    return Text(f"\n{title}", style="bold underline")


def chain_table(ws: WorkedStep, x: str = "·") -> Table:
    """Every gradient as its chain-rule product, the factors joined by `x` (the product
    sign: `*` in ASCII mode), with the finite-difference column."""
    table = Table(box=None, padding=(0, 1), header_style="bold", expand=False)
    table.add_column("gradient", no_wrap=True)
    table.add_column("chain rule: factors")
    table.add_column("value", justify="right", no_wrap=True)
    table.add_column("numeric", justify="right", no_wrap=True)
    table.add_column("check", justify="right", no_wrap=True)
    notes: list[str] = []
    for k, term in enumerate(ws.chain()):
        names = f" {x} ".join(f.name for f in term.factors)
        symbols = f" {x} ".join(f.symbol for f in term.factors)
        values = f" {x} ".join(factor(f.value) for f in term.factors)
        cell = Text(names + "\n", style="dim") + Text("= " + symbols + "\n", style="cyan")
        cell.append("= " + values)
        style = ""
        if term.closed_gate is not None:
            gate = unit_label(ws.exp.arch, term.closed_gate)
            cell.append(f"\n  ReLU gate {gate} closed: dh/dz = 0", "bold red")
            style = "red"
        if k not in ws.numeric:  # the worker has not got to it yet
            table.add_row(f"dL/d{term.name}", cell, Text(fmt(term.value), style=style),
                          Text(CHECKING, style="dim"), "")
            continue
        check = ws.check(k, term)
        if check.note and check.note not in notes:
            notes.append(check.note)
        shown = f"{check.relative:.1e}" if check.status in ("agree", "differ") else check.status
        table.add_row(f"dL/d{term.name}", cell, Text(fmt(term.value), style=style),
                      fmt(ws.numeric[k]), Text(shown, style=CHECK_STYLE[check.status]))
    if notes:
        table.caption = "; ".join(f"{n}" for n in notes)
        table.caption_justify = "left"
    return table


def update_table(ws: WorkedStep, x: str = "·") -> Table:
    r = ws.record
    table = Table(box=None, padding=(0, 1), header_style="bold")
    for name in ("param", "old", "dL/dp", f"lr{x}dL/dp", "new"):
        table.add_column(name, justify="left" if name == "param" else "right")
    for k, name in enumerate(ws.names):
        old, new = update_text(ws, k)  # enough digits that old and new differ
        table.add_row(name, old, fmt(r.grads[k]), fmt(r.lr * r.grads[k]),
                      Text(new, style="bold"))
    return table


def dead_units(units: list[UnitActivity], activation: str) -> RenderableType:
    text = Text()
    for unit in units:
        name = unit.name or f"h{unit.unit}"
        text.append(f"{name}: output 0 on {100 * unit.zero_share:.0f}% of training samples")
        if unit.dead(activation):
            text.append("  DEAD: inactive on every sample, its input weights cannot "
                        "learn", style="bold red")
        text.append("\n")
    return text


def backward_head(ws: WorkedStep) -> list[RenderableType]:
    """The output's δ and the named factors; a sigmoid output derives its δ = y_hat - y."""
    if ws.exp.arch.task == "regress":
        return [heading(f"Backward pass: dL/dy_hat = 2(y_hat - y) = "
                        f"{fmt(ws.trace.dl_dyhat)}"), Text("\n".join(factor_lines(ws)))]
    return [heading("Backward pass"),
            Text("\n".join([*output_delta_lines(ws), *factor_lines(ws)]))]


def fit_lines(lines: list[str], width: int) -> list[str]:
    """Diagram lines no wider than `width`: a long one is broken before an edge (` ─w5
    0.6─▶ y_hat` goes on a line of its own, indented), so no end of an edge is cut off."""
    out: list[str] = []
    for line in lines:
        while len(line) > width and line.rfind(" ─", 0, width) > 4:
            cut = line.rfind(" ─", 0, width)
            out.append(line[:cut])
            line = "    " + line[cut + 1:]
        out.append(line)
    return out


class WorkedView(Static):
    """Shows `show(ws, shares)`; the parts are stacked for narrow terminals."""

    _shown: tuple[WorkedStep, list[UnitActivity], str] | None = None

    def on_resize(self) -> None:
        if self._shown is not None:
            self.show(*self._shown)  # the diagram is broken for the new width

    def show(self, ws: WorkedStep, units: list[UnitActivity], note: str = "") -> None:
        self._shown = (ws, units, note)
        x = times(self.app)  # the product sign: `*` in ASCII mode
        parts: list[RenderableType] = []
        if note:
            parts.append(Text(note, style="bold yellow"))
        if ws.exp.arch.depth > 1:  # the layers are on their pages (layer_pages.py)
            arch = ws.exp.arch
            parts += [heading("Sample"), Text("\n".join(sample_lines(ws))),
                      Text(f"network {arch.shape}, {arch.activation} hidden units, linear "
                           f"output; {LAYER_KEYS}", style="dim")]
            self.update(spell_renderable(self.app, Group(*parts)))
            return
        parts += [heading("Sample"), Text("\n".join(sample_lines(ws))),
                  heading("Network"),
                  Text("\n".join(fit_lines(diagram_lines(ws), self.content_size.width or 76)),
                       no_wrap=True, overflow="ellipsis"),
                  heading("Forward pass"), Text("\n".join(forward_lines(ws))),
                  *backward_head(ws), Text(""), chain_table(ws, x)]
        if ws.record.optimizer is not None:  # momentum, adam or L2: every term (worked_optim)
            parts += [heading("Update"), Text("\n".join(update_lines(ws)))]
        else:
            parts += [heading(f"Update: p <- p - lr {x} dL/dp, lr = {fmt(ws.record.lr)}"),
                      update_table(ws, x)]
        parts += [heading("Hidden units"), dead_units(units, ws.exp.arch.activation)]
        self.update(spell_renderable(self.app, Group(*parts)))
