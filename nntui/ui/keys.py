"""The app's keys: one Binding per action (footer text, help tooltip, footer group), and
which of them still work while a second screen (inspector, dialog, help) is open."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from textual.app import SystemCommand
from textual.binding import Binding, BindingType

from nntui.ui.widgets.keybar import group

LR = group("lr ×÷10 ×÷2")
TABS = group("tabs")
#: `b` shows or hides the sidebar, tab goes into it (ui/body.py): one item, "b tab Sidebar".
SIDEBAR = group("Sidebar")

#: App actions that also work over a second screen: quitting, help, the palette, and
#: moving the focus (Tab / Shift+Tab reach every field of a dialog).
ALWAYS_ALLOWED = ("quit", "help", "command_palette", "focus_next", "focus_previous")

APP_BINDINGS: list[BindingType] = [
    Binding("space", "toggle_run", "Run/pause", tooltip="run to the last epoch / pause"),
    Binding("i", "inspect", "Inspect", tooltip="backprop inspector: every number of a step"),
    Binding("s", "step", "Step", tooltip="one SGD update (one sample or mini-batch)"),
    Binding("e", "epoch", "Epoch", tooltip="finish the current epoch"),
    Binding("f", "finish", "To end", tooltip="train to the last epoch at full speed"),
    Binding("u", "undo", "Undo", tooltip="undo the last step, epoch or run epoch"),
    Binding("r", "reset", "Reset", tooltip="back to the exact initial weights"),
    Binding("question_mark", "help", "Help", tooltip="this help"),
    Binding("q", "quit", "Quit", tooltip="quit nntui"),
    Binding("ctrl+p", "command_palette", "Palette", tooltip="command palette: every action"),
    Binding("plus", "scale_lr(10)", "lr×10", tooltip="multiply the learning rate by 10",
            group=LR),
    Binding("minus", "scale_lr(0.1)", "lr÷10", tooltip="divide the learning rate by 10",
            group=LR),
    Binding("asterisk", "scale_lr(2)", "lr×2", tooltip="multiply the learning rate by 2",
            group=LR),
    Binding("slash", "scale_lr(0.5)", "lr÷2", tooltip="divide the learning rate by 2",
            group=LR),
    Binding("g", "regenerate", "New data", tooltip="next data seed: new rows or split"),
    Binding("w", "redraw", "New weights", tooltip="re-draw random initial weights"),
    Binding("l", "toggle_log", "Log", tooltip="log scale for the loss curve"),
    Binding("b", "toggle_sidebar", "Sidebar", tooltip="show or hide the settings",
            group=SIDEBAR),
    Binding("1", "tab('tab-loss')", "Loss", tooltip="loss curve tab", group=TABS),
    Binding("2", "tab('tab-results')", "Results", tooltip="metrics and weights tab (up/down "
            "scroll)", group=TABS),
    Binding("3", "tab('tab-data')", "Data", tooltip="data preview tab (up/down scroll)",
            group=TABS),
    Binding("4", "tab('tab-runs')", "Runs", tooltip="runs table, overlay and export tab",
            group=TABS),
    Binding("5", "tab('tab-fit')", "Fit", tooltip="fit tab: predicted vs actual, the fitted "
            "function and each hidden unit's part", group=TABS),
    Binding("6", "tab('tab-landscape')", "Landscape", tooltip="loss landscape tab: the "
            "training loss over two parameters, with the path", group=TABS),
    Binding("v", "sweep", "Sweep", tooltip="sweep one setting over a list of values"),
    Binding("L", "guided_lab", "Lab", tooltip="guided lab: the course's experiments, page "
            "by page, with your answers"),
    Binding("k", "framework_check", "sklearn", tooltip="framework check: the same start "
            "trained by scikit-learn's MLPRegressor"),
    Binding("ctrl+s", "settings_file('save')", "Save", tooltip="save the settings as TOML"),
    Binding("ctrl+o", "settings_file('load')", "Open", tooltip="load settings (TOML or a "
            "ready experiment)"),
    Binding("escape", "leave_field", "Keys", tooltip="leave a field: keys work again",
            show=False),
]


def palette_commands(app: Any) -> Iterator[SystemCommand]:
    """The command palette's entries: every key's action, and ASCII drawing (no key)."""
    yield SystemCommand("ASCII drawing", "draw with ASCII characters only (plain "
                        "terminals), on or off; kept for later sessions",
                        app.action_toggle_ascii)
    for binding in APP_BINDINGS:
        if isinstance(binding, Binding) and binding.action not in ("leave_field",
                                                                   "command_palette"):
            yield SystemCommand(binding.description, binding.tooltip,
                                lambda a=binding.action: app.run_action(a))
