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
from nntui.ui.ascii import ascii_drawing, spell
from nntui.ui.widgets.loss_plot import GREY, Key, render_with_legend, series_style

#: While a run trains, one live update in this many is drawn (~3 a second; plotext takes
#: 15-35 ms to draw a panel, on the UI thread).
LIVE_EVERY = 3
#: At most this many unit curves are drawn (a wide network: the first ones, and a note):
#: with ŷ, the target and the bias, every curve has its own marker (loss_plot.MARKERS).
MAX_UNIT_CURVES = 7
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
        if (self.scatter if self.panel == SCATTER else self.curve) is None:
            return Text("the fit is drawn once the data is loaded", style="dim")
        ascii_only = ascii_drawing(self.app) if self.is_attached else False
        keys = []
        for key, xs, ys, line in self.series(ascii_only):
            draw = plt.plot if line else plt.scatter
            draw(xs, ys, marker=key[1], color=key[2])
            keys.append(key)
        self._titles()
        try:
            return render_with_legend(self, keys)
        except Exception as exc:  # noqa: BLE001 - a plotting glitch must never crash the app
            return Text(f"(the fit cannot be drawn here: {exc})")

    def series(self, ascii_only: bool) -> list[tuple[Key, list[float], list[float], bool]]:
        """What the current panel draws: (legend key, x, y, as a line), in drawing order
        (the legend's order too). Each series has its own marker and colour
        (`series_style`), so they stay apart without colour and in ASCII."""
        if self.panel == SCATTER and self.scatter is not None:
            return scatter_series(self.scatter, ascii_only)
        if self.panel == CURVE and self.curve is not None:
            return curve_series(self.curve, ascii_only)
        return []

    def _titles(self) -> None:
        """Title and x label, shortened to what plotext shows (it drops a wider title);
        spelled in ASCII mode (`y_hat vs y`: the cell filter would draw `y vs y`)."""
        width = max(1, self.size.width - 2)

        def titled(width: int, *choices: str) -> str:
            return fitting(width, *(spell(self.app, c) for c in choices))

        if self.panel == SCATTER and self.scatter is not None:
            s = self.scatter
            self.plt.title(titled(width, f"predicted vs actual {s.target} ({s.units})",
                                  f"ŷ vs y: {s.target} ({s.units})", f"ŷ vs y ({s.units})"))
            self.plt.xlabel(titled(width, f"actual {s.target} — p: curve", "actual"))
        elif self.curve is not None:
            c = self.curve
            held = ", ".join(f"{name}={num(value, 4)}" for name, value in c.held.items())
            more = len(c.parts) - 1 - MAX_UNIT_CURVES
            note = f"; {more} units not drawn" if more > 0 else ""
            self.plt.title(titled(width, f"ŷ along {c.input_name} ({c.units})"
                                  + (f", {held}" if held else "") + note,
                                  f"ŷ along {c.input_name} ({c.units})" + note,
                                  f"ŷ along {c.input_name} ({c.units})"))
            self.plt.xlabel(titled(width, f"{c.input_name} — x: next input", c.input_name))


def fitting(width: int, *choices: str) -> str:
    """The first of `choices` at most `width` long, else the last one cut to it."""
    for text in choices:
        if len(text) <= width:
            return text
    return choices[-1][: max(0, width - 1)] + "…"


def scatter_series(s: fit.Scatter, ascii_only: bool) -> list[tuple[Key, list[float],
                                                                    list[float], bool]]:
    """The diagonal ŷ = y (a grey line), then the training and the test rows."""
    out: list[tuple[Key, list[float], list[float], bool]] = []
    values = [v for part in ("train", "test")
              for v in (*s.actual[part].tolist(), *s.predicted[part].tolist())]
    finite = [v for v in values if v == v and abs(v) != float("inf")]
    if finite:
        lo, hi = min(finite), max(finite)
        out.append((("ŷ = y", series_style(0, ascii_only)[0], GREY), [lo, hi], [lo, hi], True))
    for part, index in (("train", 2), ("test", 4)):
        if len(s.actual[part]):
            out.append(((part, *series_style(index, ascii_only)), s.actual[part].tolist(),
                        s.predicted[part].tolist(), False))
    return out


def curve_series(c: fit.Curve, ascii_only: bool) -> list[tuple[Key, list[float],
                                                                 list[float], bool]]:
    """The known target (a grey line), each unit's part, the bias, then ŷ on top."""
    xs = c.x.tolist()
    out: list[tuple[Key, list[float], list[float], bool]] = []
    if c.target is not None:
        out.append(((c.target_label, series_style(1, ascii_only)[0], GREY), xs,
                    c.target.tolist(), True))
    names = list(c.parts)
    for index, name in enumerate([*names[:-1][:MAX_UNIT_CURVES], names[-1]], start=2):
        out.append(((name, *series_style(index, ascii_only)), xs, c.parts[name].tolist(),
                    True))
    out.append((("ŷ", *series_style(0, ascii_only)), xs, c.y_hat.tolist(), True))
    return out
