"""Results: metrics for train and test rows, and the weights next to their initial values."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.widgets import Static

from nntui.lab.report import CLASS_LABELS, METRIC_LABELS, metric_text, num


class ResultsView(Static):
    """Renders `metrics` (part -> name -> value) and the initial and current parameters."""

    def show(self, metrics: dict[str, dict[str, float | None]], initial: dict[str, float],
             current: dict[str, float], epochs: int, labels: dict[str, str] | None = None,
             notes: Sequence[str] = ()) -> None:
        """`labels` say each metric's units; `notes` explain each 'n/a'."""
        scores = Table(title=f"metrics after {epochs} epoch(s)", title_justify="left",
                       box=None, padding=(0, 1), header_style="bold")
        scores.add_column("metric")
        scores.add_column("train", justify="right")
        scores.add_column("test", justify="right")
        if "accuracy" in metrics["train"]:
            labels = CLASS_LABELS  # a classification run
        for key, label in (labels or METRIC_LABELS).items():
            scores.add_row(label, metric_text(key, metrics["train"][key]),
                           metric_text(key, metrics["test"][key]))
        explained = Text("\n".join(notes), style="dim") if notes else Text("")
        weights = Table(title="weights and biases", title_justify="left", box=None,
                        padding=(0, 1), header_style="bold")
        for name, justify in [("name", "left"), ("initial", "right"), ("now", "right"),
                              ("change", "right")]:
            weights.add_column(name, justify=justify)  # type: ignore[arg-type]
        for name, start in initial.items():
            now = current[name]
            change = now - start
            style = "green" if change > 0 else "red" if change < 0 else "dim"
            weights.add_row(name, num(start), num(now), Text(f"{change:+.6g}", style=style))
        self.update(Group(scores, explained, Text(""), weights))
