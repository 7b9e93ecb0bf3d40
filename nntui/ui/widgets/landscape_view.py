"""The Landscape tab: the training loss over two parameters, shaded, with the path.

`nntui.lab.landscape` computes the grid (in a thread worker, one at a time: a request
made meanwhile is served once the running one ends); this widget only draws it as text:
one character per cell from a ramp, the path as `o`, the start as `S`, the current
point as `X`.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

import numpy as np
from rich.text import Text
from textual.app import RenderResult
from textual.binding import Binding
from textual.widget import Widget
from textual.worker import Worker, WorkerState

from nntui.lab import landscape as core
from nntui.lab.numbers import num
from nntui.ui.ascii import spell_text

if TYPE_CHECKING:
    from nntui.engine.network import Architecture
    from nntui.lab.session import Session

#: Shade colours, lowest loss first (one per ramp character).
COLOURS = ("#1d2b6b", "#24438f", "#2b63a8", "#2f86b5", "#3aa6a8", "#63bf8a", "#a3cf62",
           "#d9d44a", "#f2b13b", "#f47a33")
LABEL_WIDTH = 9  # the y axis' numbers left of the grid
ZOOM = 2.0


class LandscapeView(Widget):
    """Keys choose the two parameters and the span; focused when its tab is shown."""

    DEFAULT_CSS = """
    LandscapeView { min-height: 6; }
    """
    can_focus = True

    BINDINGS = [
        Binding("x", "next_param(0)", "Next x", tooltip="landscape tab: the next parameter "
                "on the x axis"),
        Binding("y", "next_param(1)", "Next y", tooltip="landscape tab: the next parameter "
                "on the y axis"),
        Binding("left_square_bracket", "zoom(0.5)", "Zoom in", tooltip="landscape tab: "
                "half the span"),
        Binding("right_square_bracket", "zoom(2)", "Zoom out", tooltip="landscape tab: "
                "twice the span"),
    ]

    def __init__(self, id: str | None = None) -> None:  # noqa: A002 - textual's name
        super().__init__(id=id)
        self.session: Session | None = None
        self._arch: Architecture | None = None
        self.pair = (0, 1)  # set to the output weights by the first `follow`
        self.span: float | None = None  # None: fitted to the path (nice_span)
        self.result: core.Landscape | None = None
        self.error = ""
        self._busy = False
        self._again = self._again_asked = False
        self._wanted = (0, 0)
        self._started_at = self._done_at = self._cost = 0.0

    # -- computing --------------------------------------------------------------------------
    def follow(self, session: Session, asked: bool = False) -> None:
        """Compute the landscape for the session's current weights (in a thread).

        While a run trains, a progress report that comes sooner after the last grid than
        that grid took to compute is dropped (the next one asks again): the worker keeps
        at most about half a core, whatever the table's size. A key (`asked`) is never
        dropped.
        """
        if not asked and session.running and \
                time.perf_counter() - self._done_at < self._cost:
            return
        arch = session.trainer.arch
        if arch != self._arch:  # new parameter names: back to the output weights
            self.pair, self.span, self._arch = core.default_pair(arch), None, arch
        self.session = session
        if not self.size.area:  # not laid out yet: on_resize asks once it is
            return
        if self._busy:  # served when the running one ends
            self._again, self._again_asked = True, self._again_asked or asked
            return
        self._busy, self._again, self._again_asked = True, False, False
        t, pair, span = session.trainer, self.pair, self.span
        cols, rows = self._wanted = self.grid_size()
        self._started_at = time.perf_counter()
        self.run_worker(lambda: core.of_trainer(t, pair, span, cols, rows, session.lock),
                        thread=True, group="landscape", exit_on_error=False)

    def grid_size(self) -> tuple[int, int]:
        """(columns, rows) of cells that fit beside the y labels, below the title, above the
        x labels and the two lines of the legend (the core makes both odd)."""
        return max(5, self.size.width - LABEL_WIDTH - 1), max(3, self.size.height - 5)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group != "landscape" or event.state not in (
                WorkerState.SUCCESS, WorkerState.ERROR, WorkerState.CANCELLED):
            return
        event.stop()
        self._busy = False
        self._done_at = time.perf_counter()
        self._cost = self._done_at - self._started_at
        if event.state == WorkerState.SUCCESS:
            self.result, self.error = event.worker.result, ""
        elif event.state == WorkerState.ERROR:
            self.error = f"the landscape cannot be computed: {event.worker.error}"
        self.refresh()
        resized = self._wanted != self.grid_size()
        if (self._again or resized) and self.session is not None and self.is_attached:
            # a progress report waits out the grid's cost again (it may be dropped: the
            # next report asks again, and the one at the end of the run is never dropped)
            self.follow(self.session, asked=self._again_asked or resized)

    def on_resize(self) -> None:
        """A grid of the new size (once shown: `follow` sets the session)."""
        if self.grid_size() != self._wanted:
            self._recompute()

    def _recompute(self) -> None:
        if self.session is not None:
            self.follow(self.session, asked=True)

    def action_next_param(self, axis: int) -> None:
        if self.session is None:
            return
        n = self.session.trainer.arch.n_params
        pair = list(self.pair)
        pair[axis] = (pair[axis] + 1) % n
        if pair[axis] == pair[1 - axis]:
            pair[axis] = (pair[axis] + 1) % n
        self.pair = (pair[0], pair[1])
        self.span = None
        self._recompute()

    def action_zoom(self, factor: float) -> None:
        current = self.span if self.span is not None else (
            self.result.span if self.result is not None else 1.0)
        self.span = min(max(current * factor, 1e-6), 1e6)
        self._recompute()

    # -- drawing -----------------------------------------------------------------------------
    def render(self) -> RenderResult:
        if self.error:
            return Text(self.error, style="red")
        ls = self.result
        if ls is None:
            return Text("computing the loss landscape…", style="dim")
        return spell_text(self.app, draw(ls, self.span is None, *self.grid_size()))


def draw(ls: core.Landscape, auto: bool, cols: int = 0, rows: int = 0) -> Text:
    """The grid as text: header, rows (highest y first) with y labels, x labels, legend.

    Drawn on `cols` x `rows` characters (default: one per cell); a coarser grid (a large
    table) is stretched onto them, each character showing its nearest cell.
    """
    grid_rows, grid_cols = ls.loss.shape
    cols, rows = (cols or grid_cols) | 1, (rows or grid_rows) | 1
    a, b = ls.names
    text = Text(no_wrap=True, overflow="crop")
    coarse = " (coarse grid: large table)" if ls.coarse else ""
    text.append(f"train loss: {a} → {b} ↑ ±{num(ls.span, 3)}"
                f"{' (auto)' if auto else ''}{coarse}\n", style="bold")
    shades = ls.shades()[np.ix_(nearest(grid_rows, rows), nearest(grid_cols, cols))]
    marks: dict[tuple[int, int], tuple[str, str]] = {}
    cells, outside = ls.path_cells(cols, rows)
    for cell in cells:
        marks[cell] = ("o", "bold white")
    start = ls.path[0]
    if len(ls.path) > 1 and cells and ls.cell(start[0], start[1], cols, rows) == cells[0]:
        marks[cells[0]] = ("S", "bold magenta")
    marks[(rows // 2, cols // 2)] = ("X", "bold red")
    y_labels = {0: ls.ys[0], rows // 2: ls.ys[grid_rows // 2], rows - 1: ls.ys[-1]}
    for r in range(rows - 1, -1, -1):
        label = num(float(y_labels[r]), 4) if r in y_labels else ""
        text.append(f"{label:>{LABEL_WIDTH - 1}} ", style="dim")
        for c in range(cols):
            mark = marks.get((r, c))
            if mark is not None:
                text.append(mark[0], style=mark[1])
                continue
            s = int(shades[r, c])
            text.append("?" if s < 0 else core.RAMP[s], style="red" if s < 0 else COLOURS[s])
        text.append("\n")
    left, mid, right = (num(float(v), 4) for v in (ls.xs[0], ls.xs[grid_cols // 2], ls.xs[-1]))
    gap = max(1, cols // 2 - len(left) - len(mid) // 2)
    text.append(" " * LABEL_WIDTH + left + " " * gap + mid, style="dim")
    text.append(" " * max(1, cols - len(left) - gap - len(mid) - len(right)) + right + "\n",
                style="dim")
    text.append_text(legend(ls, outside))
    return text


def nearest(count: int, size: int) -> np.ndarray:
    """For each of `size` characters, the nearest of `count` cells over the same extent."""
    if size <= 1 or count <= 1:
        return np.zeros(size, dtype=int)
    return np.round(np.arange(size) * (count - 1) / (size - 1)).astype(int)


def legend(ls: core.Landscape, outside: int) -> Text:
    """The ramp with the loss range (log shading), the marks and the loss here."""
    text = Text()
    span = ls.loss_range
    if span is not None:
        text.append(num(span[0], 3) + " ")
        for ch, colour in zip(core.RAMP, COLOURS):
            text.append(ch if ch != " " else "·", style=colour)
        text.append(" " + num(span[1], 3) + " (log shading)\n")
    text.append("X", style="bold red")
    text.append(f" now {num(ls.center_loss, 4)}  ")
    text.append("o", style="bold white")
    text.append(" path" + (f" ({outside} outside: ] widens)" if outside else ""))
    return text
