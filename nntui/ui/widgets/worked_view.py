"""Rich rendering of a WorkedStep: sample, diagram, forward, chain rule, update, dead units.

Every number is read from core's WorkedStep (the trainer's record); formatting only.
"""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual.widgets import Static

from nntui.lab.worked import (
    AGREE_RELATIVE,
    UnitActivity,
    WorkedStep,
    diagram_lines,
    factor,
    fmt,
    forward_lines,
    sample_lines,
)


def heading(title: str) -> Text:
    return Text(f"\n{title}", style="bold underline")


def chain_table(ws: WorkedStep) -> Table:
    table = Table(box=None, padding=(0, 1), header_style="bold", expand=False)
    table.add_column("gradient", no_wrap=True)
    table.add_column("chain rule: factors")
    table.add_column("value", justify="right", no_wrap=True)
    table.add_column("numeric", justify="right", no_wrap=True)
    table.add_column("rel.diff", justify="right", no_wrap=True)
    for k, term in enumerate(ws.chain()):
        names = " · ".join(n for n, _ in term.factors)
        values = " · ".join(factor(v) for _, v in term.factors)
        cell = Text(names + "\n", style="dim") + Text("= " + values)
        style = ""
        if term.closed_gate is not None:
            cell.append(f"\n  ReLU gate {term.closed_gate + 1} closed: dh/dz = 0", "bold red")
            style = "red"
        rel = ws.relative_difference(k)
        table.add_row(f"dL/d{term.name}", cell, Text(fmt(term.value), style=style),
                      fmt(ws.numeric[k]),
                      Text(f"{rel:.1e}", style="green" if rel < AGREE_RELATIVE else "yellow"))
    return table


def update_table(ws: WorkedStep) -> Table:
    r = ws.record
    table = Table(box=None, padding=(0, 1), header_style="bold")
    for name in ("param", "old", "dL/dp", "lr·dL/dp", "new"):
        table.add_column(name, justify="left" if name == "param" else "right")
    for k, name in enumerate(ws.names):
        table.add_row(name, fmt(r.params_before[k]), fmt(r.grads[k]), fmt(r.lr * r.grads[k]),
                      Text(fmt(r.params_after[k]), style="bold"))
    return table


def dead_units(units: list[UnitActivity], activation: str) -> RenderableType:
    text = Text()
    for unit in units:
        text.append(f"h{unit.unit}: output 0 on {100 * unit.zero_share:.0f}% of training "
                    "samples")
        if unit.dead(activation):
            text.append("  DEAD: inactive on every sample, its input weights cannot "
                        "learn", style="bold red")
        text.append("\n")
    return text


class WorkedView(Static):
    """Shows `show(ws, shares)`; the parts are stacked for narrow terminals."""

    def show(self, ws: WorkedStep, units: list[UnitActivity], note: str = "") -> None:
        parts: list[RenderableType] = []
        if note:
            parts.append(Text(note, style="bold yellow"))
        parts += [heading("Sample"), Text("\n".join(sample_lines(ws))),
                  heading("Network"), Text("\n".join(diagram_lines(ws)), no_wrap=True,
                                           overflow="ellipsis"),
                  heading("Forward pass"), Text("\n".join(forward_lines(ws))),
                  heading(f"Backward pass: dL/dy_hat = 2*(y_hat - y) = "
                          f"{fmt(ws.trace.dl_dyhat)}"),
                  chain_table(ws),
                  heading(f"Update: p <- p - lr · dL/dp, lr = {fmt(ws.record.lr)}"),
                  update_table(ws),
                  heading("Hidden units"), dead_units(units, ws.exp.arch.activation)]
        self.update(Group(*parts))
