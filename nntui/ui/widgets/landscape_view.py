"""The Landscape tab: the training loss over two parameters, shaded, with the path.

`nntui.lab.landscape` computes the grid (in a thread worker, one at a time: a request
made meanwhile is served once the running one ends); this widget only draws it as text:
one character per cell from a ramp, the path as `o`, the start as `S`, the current
point as `X`. While a run trains it asks for a preview (fewer rows, fewer cells, labelled
so), at most a quarter of the time; the exact grid when training stops.
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
from nntui.ui.training import yield_to_screen

if TYPE_CHECKING:
    from nntui.engine.network import Architecture
    from nntui.lab.session import Session

#: Shade colours, lowest loss first (one per ramp character).
COLOURS = ("#1d2b6b", "#24438f", "#2b63a8", "#2f86b5", "#3aa6a8", "#63bf8a", "#a3cf62",
           "#d9d44a", "#f2b13b", "#f47a33")
LABEL_WIDTH = 9  # the y axis' numbers left of the grid
#: Lines around the grid: the title above; the x labels and three legend lines below.
ABOVE, BELOW = 1, 4
#: While training, a grid is asked for only after this many times its cost has passed
#: since the last one ended: the worker takes at most 1 / (1 + LIVE_WAIT) of a core.
LIVE_WAIT = 3.0


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
        that grid took to compute (times LIVE_WAIT) is dropped (the next one asks again),
        and the grid is a preview (`of_trainer`): training keeps its speed, whatever the
        table's size. A key (`asked`) is never dropped.
        """
        if not asked and session.running and \
                time.perf_counter() - self._done_at < LIVE_WAIT * self._cost:
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
        t, pair, span, preview = session.trainer, self.pair, self.span, session.running
        cols, rows = self._wanted = self.grid_size()
        self._started_at = time.perf_counter()

        def compute() -> core.Landscape:
            yield_to_screen()  # the training thread's priority: never ahead of training
            return core.of_trainer(t, pair, span, cols, rows, session.lock, preview)

        self.run_worker(compute, thread=True, group="landscape", exit_on_error=False)

    def grid_size(self) -> tuple[int, int]:
        """(columns, rows) of cells that fit beside the y labels, below the title, above the
        x labels and the legend (the core makes both odd: one less when even)."""
        cols = max(5, self.size.width - LABEL_WIDTH)
        rows = max(3, self.size.height - ABOVE - BELOW)
        return cols - 1 + cols % 2, rows - 1 + rows % 2

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
    """The grid as text: title, rows (highest y first) with y labels, x labels, legend;
    no line wider than the labels and the grid.

    Drawn on `cols` x `rows` characters (default: one per cell); a coarser grid (a large
    table) is stretched onto them, each character showing its nearest cell.
    """
    grid_rows, grid_cols = ls.loss.shape
    cols, rows = (cols or grid_cols) | 1, (rows or grid_rows) | 1
    a, b = ls.names
    text = Text(no_wrap=True, overflow="crop")
    width = LABEL_WIDTH + cols
    kind = "preview loss" if ls.preview else "train loss"
    text.append(cut(f"{kind}: {a} → {b} ↑ ±{num(ls.span, 3)}{' (auto)' if auto else ''}",
                    width) + "\n", style="bold")
    shades = ls.shades()[np.ix_(nearest(grid_rows, rows), nearest(grid_cols, cols))]
    marks: dict[tuple[int, int], tuple[str, str]] = {}
    cells, outside = ls.path_cells(cols, rows)
    for cell in cells:
        marks[cell] = ("o", "bold white")
    start = ls.path[0]
    if len(ls.path) > 1 and cells and ls.cell(start[0], start[1], cols, rows) == cells[0]:
        marks[cells[0]] = ("S", "bold magenta")
    marks[(rows // 2, cols // 2)] = ("X", "bold red")
    labels = dict(zip((0, rows // 2, rows - 1), tick_labels(
        [float(ls.ys[0]), float(ls.ys[grid_rows // 2]), float(ls.ys[-1])], LABEL_WIDTH - 1)))
    blank = " " * len(labels[0])
    for r in range(rows - 1, -1, -1):
        text.append(labels.get(r, blank) + " ", style="dim")
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
    x_line = " " * LABEL_WIDTH + left + " " * gap + mid
    x_line += " " * max(1, cols - len(left) - gap - len(mid) - len(right)) + right
    text.append(cut(x_line, width) + "\n", style="dim")
    text.append_text(legend(ls, outside, width))
    return text


def cut(line: str, width: int) -> str:
    """`line`, or its first width - 1 characters and an ellipsis."""
    return line if len(line) <= width else line[: max(0, width - 1)] + "…"


def tick_labels(values: list[float], width: int) -> list[str]:
    """The y axis' labels, right-aligned to one width: four significant digits, or fewer
    while they fit no better and still tell the values apart (`0.0005493` -> `0.000549`);
    wider than `width` only when nothing shorter tells them apart."""
    best = [num(v, 4) for v in values]
    for digits in (3, 2):
        if max(map(len, best)) <= width:
            break
        fewer = [num(v, digits) for v in values]
        if len(set(fewer)) < len(set(best)):
            break
        best = fewer
    wide = max(width, *map(len, best))
    return [label.rjust(wide) for label in best]


def nearest(count: int, size: int) -> np.ndarray:
    """For each of `size` characters, the nearest of `count` cells over the same extent."""
    if size <= 1 or count <= 1:
        return np.zeros(size, dtype=int)
    return np.round(np.arange(size) * (count - 1) / (size - 1)).astype(int)


def legend(ls: core.Landscape, outside: int, width: int = 80) -> Text:
    """Three lines: the ramp with the loss range (log shading); the marks, with the loss
    at the current weights; what the status line's loss is not, and other notes."""
    text = Text(no_wrap=True, overflow="crop")
    span = ls.loss_range
    if span is not None:
        text.append(num(span[0], 3) + " ")
        for ch, colour in zip(core.RAMP, COLOURS):
            text.append(ch if ch != " " else "·", style=colour)
        text.append(cut(" " + num(span[1], 3) + " (log shading)",
                        max(1, width - len(num(span[0], 3)) - 1 - len(core.RAMP))))
    text.append("\n")
    here = (f"X preview loss at the current weights {num(ls.center_loss, 4)}" if ls.preview
            else f"X loss at the current weights {num(ls.center_loss, 4)}")
    text.append("X", style="bold red")
    text.append(cut(here + "  o path", width)[1:] if len(here) + 8 <= width
                else cut(here, width)[1:])
    notes = []
    if ls.preview:
        notes.append(f"preview: {ls.rows_used} of {ls.rows_total} rows, exact once paused")
    if ls.mid_epoch:
        notes.append("(the status shows the last finished epoch's)")
    if outside:
        notes.append(f"{outside} path points outside: ] widens")
    if ls.coarse:
        notes.append("coarse grid: a large table")
    text.append("\n" + cut("; ".join(notes), width), style="dim")
    return text
