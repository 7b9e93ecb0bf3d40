"""The live loss curve: train and test loss per epoch, thinned to what the screen can show."""

from __future__ import annotations

from rich.text import Text
from textual.app import RenderResult
from textual_plotext import PlotextPlot


def thin(values: list[float], limit: int) -> tuple[list[int], list[float]]:
    """At most `limit` evenly spaced (epoch, value) points, always keeping the last one."""
    n = len(values)
    if n <= limit:
        return list(range(1, n + 1)), list(values)
    step = (n - 1) / (limit - 1)
    idx = sorted({round(i * step) for i in range(limit)} | {n - 1})
    return [i + 1 for i in idx], [values[i] for i in idx]


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
        limit = max(10, 2 * self.size.width)
        longest = 0
        for label, values in self.series.items():
            xs, ys = thin(values, limit)
            if self.log_scale:
                kept = [(x, y) for x, y in zip(xs, ys) if y > 0]
                xs, ys = [x for x, _ in kept], [y for _, y in kept]
            if xs:
                plt.plot(xs, ys, label=label, marker="hd")
                longest = max(longest, xs[-1])
        if self.log_scale and longest:
            plt.yscale("log")
        if longest:
            right = max(longest, 2, self.max_epochs)
            plt.xlim(1, right)
            ticks = sorted({1.0 + round(i * (right - 1) / 4) for i in range(5)})
            plt.xticks(ticks, [str(int(t)) for t in ticks])
        else:
            text = self.empty_text  # plotext drops a title wider than the plot
            plt.title(text if len(text) < self.size.width - 2 else "no curve yet")
        try:
            return super().render()
        except Exception as exc:  # noqa: BLE001 - a plotting glitch must never crash the app
            return Text(f"(the loss curve cannot be drawn here: {exc})")
