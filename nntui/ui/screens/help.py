"""The `?` screen: every key of the app, made from the live bindings, and the conventions."""

from __future__ import annotations

from typing import Any

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from nntui.ui.ascii import spell_renderable, spell_text

FIELDS = """\
Settings: Tab puts a cursor in the sidebar; up/down move it, Enter edits the setting under
it (Enter applies it, Tab applies it and edits the next one) or opens its list of choices;
left/right close and open a panel; Escape returns to the keys. A blank setting means its
default (shown in grey). A bad value is refused in place and the current run is kept.
Ctrl+P opens the command palette: every action above is there too."""


def conventions(app: Any) -> str:
    """The conventions of the run the app has configured (from the lab), then the fields."""
    from nntui.lab.report import run_conventions

    session = getattr(app, "session", None)
    if session is None:
        return FIELDS
    return run_conventions(session.experiment) + "\n" + FIELDS


def key_label(binding: Binding) -> str:
    names = {"space": "space", "plus": "+", "minus": "-", "asterisk": "*", "slash": "/",
             "question_mark": "?", "escape": "esc", "full_stop": ".",
             "right_square_bracket": "]", "left_square_bracket": "["}
    return ", ".join(names.get(k, k) for k in binding.key.split(","))


def every_key(app_bindings: list[Any]) -> list[Binding]:
    """The app's keys, then the Runs, Fit and Landscape tabs' and the settings' (help
    lists them all)."""
    from nntui.ui.widgets.fit_view import FitView
    from nntui.ui.widgets.landscape_view import LandscapeView
    from nntui.ui.widgets.runs_view import RunsView
    from nntui.ui.widgets.settings import Sidebar

    runs = [Binding(b.key, b.action, f"Runs tab: {b.description}",
                    tooltip=f"runs tab: {b.tooltip}")
            for b in RunsView.BINDINGS if isinstance(b, Binding)]
    keys = [*app_bindings, *runs, *FitView.BINDINGS, *LandscapeView.BINDINGS,
            *(b for b in Sidebar.BINDINGS if isinstance(b, Binding) and b.show)]
    return [b for b in keys if isinstance(b, Binding)]


class HelpScreen(ModalScreen[None]):
    """Lists `bindings` (key, description, tooltip); any of escape, q or ? closes it."""

    BINDINGS = [("escape,q,question_mark", "dismiss", "Close help")]

    def __init__(self, bindings: list[Binding], notes: str | None = None) -> None:
        super().__init__()
        self.bindings = bindings
        self.notes = notes

    def compose(self) -> ComposeResult:
        table = Table(box=None, padding=(0, 2), header_style="bold")
        table.add_column("key", style="bold cyan", no_wrap=True)
        table.add_column("action")
        for binding in self.bindings:
            table.add_row(key_label(binding), binding.tooltip or binding.description)
        with VerticalScroll(id="help-body"):
            yield Static(Text("nntui — keys", style="bold"))
            yield Static(spell_renderable(self.app, table))
            notes = self.notes if self.notes is not None else conventions(self.app)
            yield Static(spell_text(self.app, Text(notes, style="dim")), id="help-conventions")

    def action_dismiss(self) -> None:  # type: ignore[override]
        self.dismiss()
