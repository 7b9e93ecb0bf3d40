"""The live loss curve: train and test loss per epoch, thinned to what the screen can show.

Each curve has its own marker as well as its own colour, so they stay apart on a
monochrome terminal or with NO_COLOR; with ASCII drawing (ui/ascii.py) the markers are
ASCII characters (`series_style`: every plot of the app takes its curves' looks from
here). The legend is a line below the plot (`render_with_legend`), never drawn over the
data. The y axis has ticks at round values, labelled briefly (`1.6e3`, `0.02`), on linear
and log scales alike.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from plotext._dict import hd_symbols
from rich.text import Text
from textual.app import RenderResult
from textual_plotext import PlotextPlot

from nntui.ui.ascii import ascii_drawing, spell_text
from nntui.ui.widgets.keybar import pack

#: Markers by curve, in order (train, test; or the runs of the overlay): the first two
#: are drawn as lines of different texture, the rest as distinct symbols.
MARKERS = ("hd", "braille", "x", "+", "o", "*", "#", "@", "%", "=")
ASCII_MARKERS = ("*", "o", "+", "x", "#", "@", "%", "=", "&", "$")
#: Colours by curve, in the same order (the plot library's own first ten).
COLOURS = ((0, 130, 200), (60, 180, 75), (230, 25, 75), (255, 225, 25), (245, 130, 48),
           (145, 30, 180), (70, 240, 240), (240, 50, 230), (180, 225, 40), (250, 190, 212))
#: A reference line (the diagonal, a known target) in any plot.
GREY = (128, 128, 128)
RGB = tuple[int, int, int]
#: A legend entry: label, marker, colour.
Key = tuple[str, str, RGB]


def series_style(index: int, ascii_only: bool) -> tuple[str, RGB]:
    """The marker and colour of a plot's curve number `index` (distinct for ten curves)."""
    markers = ASCII_MARKERS if ascii_only else MARKERS
    return markers[index % len(markers)], COLOURS[index % len(COLOURS)]


def legend(keys: Sequence[Key], width: int) -> Text:
    """The keys as `▞▞ train  ⢕⢕ test`, each marker as the plot draws it, wrapped
    between entries to lines of `width`."""
    return pack([Text.assemble((hd_symbols.get(marker, marker[:1]) * 2,
                                f"rgb({colour[0]},{colour[1]},{colour[2]})"), " " + label)
                 for label, marker, colour in keys], width, "crop")


def render_with_legend(widget: PlotextPlot, keys: Sequence[Key]) -> Text:
    """The widget's plotext figure built a legend's height shorter, the legend below it.

    PlotextPlot.render builds at the widget's full size; this does the same (plotext's
    size set twice, as it does, and the app's theme) on the rows the legend leaves.
    """
    width, height = widget.size.width, widget.size.height
    below = legend(keys, width) if keys else Text()
    lines = len(below.plain.splitlines()) if keys else 0
    plt = widget.plt
    plt.plotsize(width, max(1, height - lines))
    plt._set_size(width, max(1, height - lines))  # noqa: SLF001 - as PlotextPlot does
    plt.theme(widget._get_plotext_theme_name(widget.app.theme))  # noqa: SLF001
    text = Text.from_ansi(plt.build().rstrip("\n"), no_wrap=True)
    if lines:
        text.append("\n")
        text.append_text(below)
    return spell_text(widget.app, text)  # ASCII mode: ŷ as y_hat, ² as ^2 (ui/ascii.py)


def thin(values: list[float], limit: int) -> tuple[list[int], list[float]]:
    """At most `limit` evenly spaced (epoch, value) points, always keeping the last one."""
    n = len(values)
    if n <= limit:
        return list(range(1, n + 1)), list(values)
    step = (n - 1) / (limit - 1)
    idx = sorted({round(i * step) for i in range(limit)} | {n - 1})
    return [i + 1 for i in idx], [values[i] for i in idx]


def tick_label(value: float, step: float) -> str:
    """`value` with the significant digits that tell ticks `step` apart, in the shortest
    exact form: `1.6e3` (not `1638.7191`), `2000`, `0.02`, `5e-4`."""
    if value == 0 or not math.isfinite(value):
        return "0" if value == 0 else str(value)
    magnitude = math.floor(math.log10(abs(value)))
    resolution = math.floor(math.log10(abs(step))) if step > 0 else magnitude
    digits = min(6, max(1, magnitude - resolution + 1))
    rounded = float(f"{value:.{digits}g}")
    if -3 <= magnitude <= 3 and (magnitude < digits or rounded == value):
        decimals = max(0, digits - 1 - magnitude)
        return f"{rounded:.{decimals}f}"
    mantissa, exponent = f"{value:.{digits - 1}e}".split("e")
    return f"{mantissa}e{int(exponent)}"


def nice_step(span: float, count: int) -> float:
    """A round step (1, 2 or 5 times a power of ten) giving about `count` ticks."""
    raw = span / max(1, count)
    power = 10.0 ** math.floor(math.log10(raw))
    return next(m * power for m, below in ((1, 1.5), (2, 3.5), (5, 7.5), (10, 11))
                if raw < below * power)


def y_ticks(low: float, high: float, log: bool, count: int = 5) -> tuple[list[float],
                                                                       list[str]]:
    """Tick positions within [low, high] and their labels (`tick_label`).

    Linear: multiples of a round step. Log: the powers of ten inside the range when
    there are at least two, else 1, 2 and 5 times them, else round linear ticks.
    """
    if not (math.isfinite(low) and math.isfinite(high)) or high <= low:
        return [low], [tick_label(low, abs(low) / 100 or 1.0)]
    if log and low > 0:
        first, last = math.ceil(math.log10(low)), math.floor(math.log10(high))
        if last > first:
            every = max(1, math.ceil((last - first + 1) / count))
            powers = [10.0 ** e for e in range(first, last + 1, every)]
            return powers, [tick_label(p, p) for p in powers]
        steps = [float(f"{m * 10.0 ** e:.12g}") for e in range(first - 1, last + 1)
                 for m in (1, 2, 5)]
        inside = [t for t in steps if low <= t <= high]
        if len(inside) >= 2:
            return inside, [tick_label(t, t) for t in inside]
    for fewer in range(count, 0, -1):  # at most count + 1 ticks: each needs its own row
        step = nice_step(high - low, fewer)
        ticks = [float(f"{k * step:.12g}") for k in range(math.ceil(low / step - 1e-9),
                                                          math.floor(high / step + 1e-9) + 1)]
        if len(ticks) <= count + 1:
            break
    if len(ticks) < 2:  # a narrow range between two round values: its ends
        step = (high - low) / 2
        ticks = [low, high]
    labels = [tick_label(t, step) for t in ticks]
    if len(set(labels)) < len(labels):  # closer than six digits tell apart: one tick
        return ticks[:1], labels[:1]
    return ticks, labels


def series_keys(series: dict[str, list[float]], ascii_only: bool) -> list[Key]:
    """The legend of `draw`'s curves: each non-empty series' label, marker and colour."""
    return [(label, *series_style(n, ascii_only)) for n, (label, values)
            in enumerate(series.items()) if values]


def draw(plt: Any, series: dict[str, list[float]], *, log_scale: bool, ascii_only: bool,
         width: int, height: int, max_epochs: int = 0) -> int:
    """Plot `series` on a plotext figure, without a legend (`series_keys` gives it);
    returns the last epoch drawn (0: nothing)."""
    limit = max(10, 2 * width)
    longest = 0
    low, high = math.inf, -math.inf
    for n, values in enumerate(series.values()):
        xs, ys = thin(values, limit)
        kept = [(x, y) for x, y in zip(xs, ys) if math.isfinite(y) and (y > 0
                                                                         or not log_scale)]
        xs, ys = [x for x, _ in kept], [y for _, y in kept]
        if xs:
            marker, colour = series_style(n, ascii_only)
            plt.plot(xs, ys, marker=marker, color=colour)
            longest = max(longest, xs[-1])
            low, high = min(low, *ys), max(high, *ys)
    if not longest:
        return 0
    if log_scale:
        plt.yscale("log")
    ticks, labels = y_ticks(low, high, log_scale, 5 if height >= 14 else 3)
    plt.yticks(ticks, labels)
    right = max(longest, 2, max_epochs)
    plt.xlim(1, right)
    xt = sorted({1.0 + round(i * (right - 1) / 4) for i in range(5)})
    plt.xticks(xt, [str(int(t)) for t in xt])
    return longest


class LossPlot(PlotextPlot):
    """Data goes down as attributes (`series`, `log_scale`); call `refresh()` after."""

    DEFAULT_CSS = """
    LossPlot { min-height: 6; }
    """

    def __init__(self, id: str | None = None) -> None:  # noqa: A002 - textual's name
        super().__init__(id=id)
        self.series: dict[str, list[float]] = {}
        self.log_scale = False
        self.title = "loss (MSE, scaled)"
        self.max_epochs = 0
        self.empty_text = "no epochs yet: space runs, s steps"

    def show(self, series: dict[str, list[float]], max_epochs: int = 0) -> None:
        self.series = {k: list(v) for k, v in series.items() if v}
        self.max_epochs = max_epochs
        self.refresh()

    def render(self) -> RenderResult:
        plt = self.plt
        plt.clear_data()
        plt.clear_figure()
        plt.title(self.title + (" — log scale" if self.log_scale else ""))
        plt.xlabel("epoch")
        ascii_only = ascii_drawing(self.app)
        drawn = draw(plt, self.series, log_scale=self.log_scale, ascii_only=ascii_only,
                     width=self.size.width, height=self.size.height,
                     max_epochs=self.max_epochs)
        if not drawn:
            text = self.empty_text  # plotext drops a title wider than the plot
            plt.title(text if len(text) < self.size.width - 2 else "no curve yet")
        try:
            return render_with_legend(self, series_keys(self.series, ascii_only)
                                      if drawn else [])
        except Exception as exc:  # noqa: BLE001 - a plotting glitch must never crash the app
            return Text(f"(the loss curve cannot be drawn here: {exc})")
