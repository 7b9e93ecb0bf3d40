"""The one-line status: epoch, losses, speed and what the trainer is doing (compact
numbers: `1.17e-3`, `1.48M steps/s`, so that it stays one line at 80 columns)."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from nntui.lab.numbers import compact, num


class StatusLine(Static):
    """Set the fields, then call `render_status()`; `show_rate` is off in snapshot tests.

    Redrawn ~10 times a second while training: the screen's layout is redone only when
    the line wraps onto a different number of rows.
    """

    show_rate = True
    _rows = 0

    def render_status(self, *, state: str, epoch: int, epochs: int, update: int,
                      train: float | None, test: float | None, rate: float | None,
                      lr: float) -> None:
        text = Text()
        style = {"running": "bold green", "diverged": "bold white on red",
                 "finished": "bold cyan"}.get(state, "bold")
        text.append(f" {state} ", style=style)
        text.append(f" ep {epoch}/{epochs}")
        if update:
            text.append(f"+{update}", style="dim")
        text.append(f" train {compact(train, 3)}")
        if test is not None:
            text.append(f" test {compact(test, 3)}")
        # What the sidebar or the speed adds, only while it fits on the one line (the main
        # area is about 48 columns wide beside the sidebar at 80x24): lr, then steps/s.
        width = self.content_size.width or self.size.width
        for extra, style in ((f" lr {num(lr, 4)}", ""),
                             (f" {compact(rate)} steps/s" if rate is not None
                              and self.show_rate else "", "dim")):
            if extra and (not width or text.cell_len + len(extra) <= width):
                text.append(extra, style=style)
        rows = len(text.wrap(self.app.console, max(1, self.size.width))) if self.size.width \
            else 0
        self.update(text, layout=rows != self._rows or not rows)
        self._rows = rows
