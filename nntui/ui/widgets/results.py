"""Results: metrics for train and test rows, and the weights next to their initial values.

Redrawn several times a second while training, so the two tables are laid out here as
plain aligned text (what a rich Table without borders prints, at a small fraction of its
cost); a table too wide for the widget falls back to a rich Table, which wraps its cells.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual.widgets import Static

from nntui.lab.report import CLASS_LABELS, METRIC_LABELS, metric_text, num
from nntui.ui.ascii import spell

Cell = str | Text


def table(title: str, header: Sequence[str], rows: Sequence[Sequence[Cell]],
          right: Sequence[bool], width: int) -> RenderableType:
    """A borderless table with one space of padding each side of every cell, exactly as
    rich prints `Table(box=None, padding=(0, 1))`; a rich Table when it would not fit
    `width` (or its title would not fit the table), since rich then wraps the cells."""
    cells = [[Text(c) if isinstance(c, str) else c for c in row] for row in rows]
    widths = [max([len(h)] + [row[k].cell_len for row in cells]) for k, h in enumerate(header)]
    total = sum(widths) + 2 * len(widths)
    if total > width > 0 or len(title) > total:
        wide = Table(title=title, title_justify="left", box=None, padding=(0, 1),
                     header_style="bold")
        for name, justify in zip(header, right):
            wide.add_column(name, justify="right" if justify else "left")
        for row in cells:
            wide.add_row(*row)
        return wide
    out = Text(no_wrap=True)
    out.append(title.ljust(total), style="italic")
    for k, row in enumerate([[Text(h, style="bold") for h in header], *cells]):
        out.append("\n")
        edge = "" if k else "bold"  # the header's padding is bold too
        for cell, w, r in zip(row, widths, right):
            padded = cell.copy()
            if r:
                padded.pad_left(w - cell.cell_len)
            else:
                padded.pad_right(w - cell.cell_len)
            out.append(" ", style=edge)
            out.append_text(padded)
            out.append(" ", style=edge)
    return out


class ResultsView(Static):
    """Renders `metrics` (part -> name -> value) and the initial and current parameters.

    `stale` is for the owner: set when the numbers moved, cleared by `show`. The layout is
    redone only when the tables change shape (rows, notes, width): new numbers in the same
    rows repaint this widget alone, not the whole screen.
    """

    def __init__(self, id: str | None = None) -> None:  # noqa: A002 - textual's name
        super().__init__(id=id)
        self.stale = True
        self._shape: tuple[object, ...] = ()

    def show(self, metrics: dict[str, dict[str, float | None]], initial: dict[str, float],
             current: dict[str, float], epochs: int, labels: dict[str, str] | None = None,
             notes: Sequence[str] = ()) -> None:
        """`labels` say each metric's units; `notes` explain each 'n/a'."""
        width = self.content_size.width
        if "accuracy" in metrics["train"]:
            labels = CLASS_LABELS  # a classification run
        scores = table(f"metrics after {epochs} epoch(s)", ("metric", "train", "test"),
                       [(spell(self.app, label), metric_text(key, metrics["train"][key]),
                         metric_text(key, metrics["test"][key]))
                        for key, label in (labels or METRIC_LABELS).items()],
                       (False, True, True), width)  # R^2 in ASCII mode (ui/ascii.py)
        explained = (Text(spell(self.app, "\n".join(notes)), style="dim") if notes
                     else Text(""))
        rows: list[tuple[Cell, ...]] = []
        for name, start in initial.items():
            change = current[name] - start
            style = "green" if change > 0 else "red" if change < 0 else "dim"
            rows.append((name, num(start), num(current[name]),
                         Text(f"{change:+.6g}", style=style)))
        weights = table("weights and biases", ("name", "initial", "now", "change"), rows,
                        (False, True, True, True), width)
        shape = (tuple(labels or METRIC_LABELS), tuple(notes), tuple(initial), width,
                 isinstance(scores, Table), isinstance(weights, Table))
        self.update(Group(scores, explained, Text(""), weights), layout=shape != self._shape)
        self._shape = shape
        self.stale = False
