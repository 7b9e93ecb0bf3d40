"""The one-line status: epoch, losses, speed and what the trainer is doing."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from nntui.lab.numbers import num


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
        text.append(f" train {num(train, 4)}")
        if test is not None:
            text.append(f" test {num(test, 4)}")
        text.append(f" lr {num(lr, 4)}")
        if rate is not None and self.show_rate:
            text.append(f" {rate / 1e3:,.0f}k steps/s", style="dim")
        rows = len(text.wrap(self.app.console, max(1, self.size.width))) if self.size.width \
            else 0
        self.update(text, layout=rows != self._rows or not rows)
        self._rows = rows
