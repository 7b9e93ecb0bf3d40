"""The layered inspector: one page per layer of a network with several hidden layers.

Each page shows its layer's forward values (z and h of each unit, or y_hat and L), its δ
computed from the layer above (with the numbers), every gradient of its parameters as δ
times the input it multiplies with the finite-difference column, and their update
(old → new). Every number is read from the lab's `LayerStep` (worked_deep.py); formatting
only. Which pages are visible is layout (app.tcss): one at a time on a narrow or normal
terminal (the current one), all side by side on a wide one.
"""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual.containers import Horizontal
from textual.widgets import Static

from nntui.lab.worked import UnitActivity, WorkedStep, fmt
from nntui.lab.worked_deep import Filled, LayerStep, delta_name, layer_steps, output_delta_lines
from nntui.lab.worked_optim import rule_lines
from nntui.lab.worked_text import update_lines, update_text
from nntui.ui.ascii import spell_renderable, times
from nntui.ui.widgets.worked_view import CHECKING

CHECK_STYLE = {"agree": "green", "differ": "bold yellow", "kink": "cyan", "flat": "cyan"}


def heading(title: str) -> Text:
    return Text(title, style="bold underline")


def filled_text(f: Filled, note: str = "", style: str = "") -> Text:
    """`name = symbol` (symbols in cyan), then `= numbers = value` on the same line."""
    text = Text(f"{f.name} = ")
    text.append(f.symbol, style="cyan")
    text.append(f" = {f.numbers} = ")
    text.append(fmt(f.value), style=style or "bold")
    if note:
        text.append(note, style="bold red")
    return text


def gradient_lines(step: LayerStep) -> list[Text]:
    """`dL/dW2[1,2] = δ2[1]·h1[2] = (-0.12)·0.3 = -0.036  numeric -0.036 agree 1e-11`,
    then the notes of the checks that cannot agree (a kink, a flat gradient)."""
    lines, notes = [], []
    for g in step.gradients:
        check = g.check
        if check is None or g.numeric is None:  # the inspector's worker is on it
            lines.append(filled_text(g.filled) + Text(f"  numeric {CHECKING}", style="dim"))
            continue
        if check.note and check.note not in notes:
            notes.append(check.note)
        shown = (f"{check.status} {check.relative:.1e}" if check.status in ("agree", "differ")
                 else check.status)
        text = filled_text(g.filled)
        text.append(f"  numeric {fmt(g.numeric)} ", style="dim")
        text.append(shown, style=CHECK_STYLE[check.status])
        lines.append(text)
    return lines + [Text(note, style="cyan") for note in notes]


def update_table(ws: WorkedStep, step: LayerStep) -> Table:
    """The layer's parameters before and after the step (enough digits to differ)."""
    table = Table(box=None, padding=(0, 1), header_style="bold")
    for name in ("param", "old", "", "new"):
        table.add_column(name, justify="left" if name == "param" else "right")
    for k in step.params:
        old, new = update_text(ws, k)
        table.add_row(ws.names[k], old, "→", Text(new, style="bold"))
    return table


def update_part(ws: WorkedStep, step: LayerStep, x: str = "·") -> list[RenderableType]:
    """The layer's update: plain SGD as an old → new table; momentum, Adam or L2 as the
    record's own terms (worked_optim.py's lines: the rule, then this layer's parameters)."""
    r = ws.record
    if r.optimizer is None:
        return [heading(f"Update: p <- p - lr {x} dL/dp, lr = {fmt(r.lr)}"),
                update_table(ws, step)]
    rules = rule_lines(ws)
    lines = update_lines(ws)[len(rules):]  # one per parameter, in vector order
    return [heading(f"Update: {r.optimizer.settings.describe()}"),
            *(Text(line, style="cyan") for line in rules),
            *(Text(lines[k]) for k in step.params)]


def page(ws: WorkedStep, step: LayerStep, units: list[UnitActivity],
         x: str = "·") -> RenderableType:
    """Everything of one layer, top to bottom: forward, δ, gradients, update, activity;
    products written with `x` (`*` in ASCII mode)."""
    parts: list[RenderableType] = [Text(step.title.capitalize(), style="bold reverse")]
    top = delta_name(ws.exp.arch, ws.exp.arch.depth, 0)  # dL/dy_hat or dL/dz_out
    if step.output:
        parts += [heading("Forward"), *(filled_text(f) for f in step.forward),
                  heading(f"Backward: the output's δ is {top}")]
        if ws.exp.arch.task == "regress":
            parts += [filled_text(f) for f in step.backward]
        else:  # the derivation of y_hat - y, line by line
            parts += [Text(line) for line in output_delta_lines(ws)]
    else:
        n, g = step.number, step.activation
        above = top if n == step.depth else f"δ{n + 1}"
        parts += [heading(f"Forward: z{n} = W{n}·h{n - 1} + b{n}, h{n} = {g}(z{n})"
                          if n > 1 else f"Forward: z1 = W1·x + b1, h1 = {g}(z1)"),
                  *(filled_text(f, "  (gate closed)" if i % 2 and step.deltas[i // 2].closed
                                else "") for i, f in enumerate(step.forward)),
                  heading(f"Backward: δ{n} = (W{n + 1}ᵀ {above}) ⊙ {g}'(z{n})")]
        for d in step.deltas:
            closed = "  [ReLU gate closed: δ = 0]" if d.closed else ""
            parts.append(filled_text(d.filled, closed, "bold red" if d.closed else ""))
    n = step.number
    each = f"dL/dW{n}[1,i] = {top}" if step.output else f"dL/dW{n}[j,i] = δ{n}[j]"
    parts += [heading(f"Gradients: {each} {x} input i (numeric: central difference)"),
              *gradient_lines(step), *update_part(ws, step, x)]
    if step.units:
        text = Text()
        for j in step.units:
            unit = units[j]
            text.append(f"\n{unit.name}: output 0 on {100 * unit.zero_share:.0f}% of "
                        "training samples")
            if unit.dead(step.activation):
                text.append("  DEAD", style="bold red")
        parts += [heading("Hidden units"), text]
    return Group(*parts)


class LayerPage(Static):
    """One layer's page (its content set by LayerPages)."""


class LayerPages(Horizontal):
    """The pages of every layer; `turn()` moves the current one (class `-current`)."""

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002 (Textual's name)
        super().__init__(id=id)
        self.current = 0
        self.steps: list[LayerStep] = []

    def show(self, ws: WorkedStep, units: list[UnitActivity], only: int | None = None) -> None:
        """The pages of this step (hidden for a network with one hidden layer); `only`: just
        that page changed (the same step, more of its checks known)."""
        self.display = ws.exp.arch.depth > 1
        if not self.display:
            self.steps = []
            return
        x = times(self.app)  # the product sign: `*` in ASCII mode
        self.steps = layer_steps(ws, x)
        self.current = min(self.current, len(self.steps) - 1)
        pages = list(self.query(LayerPage))
        if only is not None and len(pages) == len(self.steps):
            pages[only].update(spell_renderable(self.app,
                                                page(ws, self.steps[only], units, x)))
            return
        contents = [spell_renderable(self.app, page(ws, step, units, x))
                    for step in self.steps]
        if len(pages) == len(contents):
            for widget, content in zip(pages, contents):
                widget.update(content)
        else:
            self.remove_children()
            self.mount(*(LayerPage(content, classes="-current" if i == self.current else "")
                         for i, content in enumerate(contents)))

    def mark_current(self) -> None:
        for i, widget in enumerate(self.query(LayerPage)):
            widget.set_class(i == self.current, "-current")

    def turn(self, delta: int) -> str:
        """Go `delta` layers on (wrapping around); the new page's title."""
        if not self.steps:
            return ""
        self.current = (self.current + delta) % len(self.steps)
        self.mark_current()
        return self.steps[self.current].title
