"""The Fit tab: predicted against actual, or the fitted function along one input.

It draws what `nntui.lab.fit` works out for the current weights; the keys choose the
panel, the input and the units. It follows training only while its tab is shown (the
main view calls `follow` then), and a curve costs one forward pass over ~500 points.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import RenderResult
from textual.binding import Binding
from textual_plotext import PlotextPlot

from nntui.lab import fit
from nntui.lab.experiment import Experiment
from nntui.lab.numbers import num
from nntui.ui.ascii import spell

#: While a run trains, one live update in this many is drawn (~3 a second; plotext takes
#: 15-35 ms to draw a panel, on the UI thread).
LIVE_EVERY = 3
#: At most this many unit curves are drawn (a wide network: the first ones, and a note).
MAX_UNIT_CURVES = 8
SCATTER, CURVE = "scatter", "curve"


class FitView(PlotextPlot):
    """Focused when its tab is shown, so its keys work at once."""

    DEFAULT_CSS = """
    FitView { min-height: 6; }
    """
    can_focus = True

    BINDINGS = [
        Binding("p", "panel", "Scatter/curve", tooltip="fit tab: predicted vs actual, or "
                "the fitted function along one input"),
        Binding("x", "next_input", "Input", tooltip="fit tab: the next input for the curve "
                "(the others stay at their training median)"),
        Binding("c", "units", "Units", tooltip="fit tab: original or scaled units"),
    ]

    def __init__(self, id: str | None = None) -> None:  # noqa: A002 - textual's name
        super().__init__(id=id)
        self.panel = SCATTER
        self.input = 0
        self.scaled = False
        self.experiment: Experiment | None = None
        self.scatter: fit.Scatter | None = None
        self.curve: fit.Curve | None = None
        self._skipped = 0

    def follow(self, exp: Experiment, live: bool = False) -> None:
        """Work out the current panel for `exp`'s current weights and redraw (`live`: a run
        is training; only one update in LIVE_EVERY is drawn)."""
        if live and exp is self.experiment:
            self._skipped = (self._skipped + 1) % LIVE_EVERY
            if self._skipped:
                return
        self.experiment = exp
        self.input %= exp.arch.n_inputs
        if self.panel == SCATTER:
            self.scatter = fit.scatter(exp, scaled=self.scaled)
        else:
            self.curve = fit.along_input(exp, self.input, scaled=self.scaled)
        self.refresh()

    def _again(self) -> None:
        if self.experiment is not None:
            self.follow(self.experiment)

    def action_panel(self) -> None:
        self.panel = CURVE if self.panel == SCATTER else SCATTER
        self._again()

    def action_next_input(self) -> None:
        if self.panel == SCATTER:
            self.panel = CURVE
        else:
            self.input += 1
        self._again()

    def action_units(self) -> None:
        self.scaled = not self.scaled
        self._again()

    def render(self) -> RenderResult:
        plt = self.plt
        plt.clear_data()
        plt.clear_figure()
        if self.panel == SCATTER and self.scatter is not None:
            self._draw_scatter(self.scatter)
        elif self.panel == CURVE and self.curve is not None:
            self._draw_curve(self.curve)
        else:
            return Text("the fit is drawn once the data is loaded", style="dim")
        try:
            return super().render()
        except Exception as exc:  # noqa: BLE001 - a plotting glitch must never crash the app
            return Text(f"(the fit cannot be drawn here: {exc})")

    def _draw_scatter(self, s: fit.Scatter) -> None:
        plt = self.plt
        plt.title(f"predicted vs actual {s.target} ({s.units}) — p: curve")
        plt.xlabel("actual")
        values = [v for part in ("train", "test")
                  for v in (*s.actual[part].tolist(), *s.predicted[part].tolist())]
        finite = [v for v in values if v == v and abs(v) != float("inf")]
        if finite:
            lo, hi = min(finite), max(finite)
            plt.plot([lo, hi], [lo, hi], label=spell(self.app, "ŷ = y"), marker="dot", color="gray")
        for part, marker, color in (("train", "•", "cyan"), ("test", "x", "orange")):
            if len(s.actual[part]):
                plt.scatter(s.actual[part].tolist(), s.predicted[part].tolist(),
                            label=part, marker=marker, color=color)

    def _draw_curve(self, c: fit.Curve) -> None:
        plt = self.plt
        held = ", ".join(f"{name}={num(value, 4)}" for name, value in c.held.items())
        more = len(c.parts) - 1 - MAX_UNIT_CURVES
        plt.title(spell(self.app, f"ŷ along {c.input_name} ({c.units})"
                        + (f", {held}" if held else "")
                        + (f"; {more} units not drawn" if more > 0 else "")))
        plt.xlabel(f"{c.input_name} — x: next input")
        xs = c.x.tolist()
        if c.target is not None:
            plt.plot(xs, c.target.tolist(), label=spell(self.app, c.target_label), marker="dot",
                     color="gray")
        names = list(c.parts)
        units, bias = names[:-1][:MAX_UNIT_CURVES], names[-1]
        for name in [*units, bias]:
            plt.plot(xs, c.parts[name].tolist(), label=name, marker="braille")
        plt.plot(xs, c.y_hat.tolist(), label=spell(self.app, "ŷ"), marker="hd", color="cyan+")
