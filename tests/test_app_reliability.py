"""What a student types or presses never breaks the app (issue 9: A, B, 7-11).

Typed text is shown as typed (never read as markup), keys that would leave a valid range
are refused, every control of a dialog is reachable with Tab, the CSV source asks for its
path, typeahead after `q` is dropped, the results and runs fit 80x24, and the key bar
lists only the keys that work where the focus is.
"""

from __future__ import annotations

import math
from pathlib import Path

from textual import events
from textual.containers import VerticalScroll
from textual.message import Message
from textual.notifications import Notification, Notify
from textual.widgets import DataTable, Input, Select

from app_helpers import edit, field, hit, make_app, plain, running, settle, sidebar_text, wait_until
from nntui.lab.config import presets
from nntui.lab.runs import RunStore
from nntui.ui.screens.forms import SettingsFileScreen, SweepScreen, classic_values
from nntui.ui.widgets.keybar import KeyBar
from nntui.ui.widgets.settings import Sidebar

MARKUP = ("[/]", "[/x] [b]bold?[/b]")  # used to crash; used to lose the brackets


class Toasts:
    """A message hook that keeps every notification the app sends."""

    def __init__(self) -> None:
        self.sent: list[Notification] = []

    def __call__(self, message: Message) -> None:
        if isinstance(message, Notify):
            self.sent.append(message.notification)


async def test_text_that_looks_like_markup_is_shown_as_typed(tmp_path: Path) -> None:
    """A: `[/]` in any field, the sweep values or the file dialog used to crash the app
    (MarkupError); `results [final].csv` showed as `results .csv`. Toasts are drawn."""
    toasts = Toasts()
    app = make_app()
    async with running(app, message_hook=toasts, notifications=True) as pilot:
        sidebar = app.query_one(Sidebar)
        rows = [r for r in sidebar.model.rows if r.selectable and not r.is_panel
                and not r.choices and r.shown]
        typed = {r.key: MARKUP[n % len(MARKUP)] for n, r in enumerate(rows)}
        for key, text in typed.items():
            sidebar.post_message(Sidebar.Committed(key, text))
        await settle(pilot)
        for key, text in typed.items():  # each is refused in place, its text shown as typed
            assert text in field(app, key).error, (key, text)
        sidebar.model.collapsed["init"] = False
        sidebar.redraw()
        await settle(pilot)
        assert "[/x]" in sidebar_text(app)
        await edit(pilot, "dataset", "csv")
        path = await edit(pilot, "csv", str(tmp_path / "results [final].csv"))
        assert "results [final].csv" in path.error
        assert "[final].csv" in sidebar_text(app)
        assert any("results [final].csv" in t.message for t in toasts.sent)
        assert all(not t.markup for t in toasts.sent)

        await pilot.press("escape", "v")
        await wait_until(pilot, lambda: isinstance(app.screen, SweepScreen), "the sweep")
        app.screen.query_one("#sweep-values", Input).value = "[/x]"
        await pilot.press("enter")
        assert "[/x]" in plain(app.screen.query_one("#sweep-error"))
        await pilot.press("escape", "ctrl+o")
        await wait_until(pilot, lambda: isinstance(app.screen, SettingsFileScreen), "open")
        app.screen.query_one("#path", Input).value = "[/]"
        await pilot.press("enter")
        assert "[/]" in plain(app.screen.query_one("#file-error"))
        await pilot.press("escape")
        await settle(pilot)
        assert app.session.trainer.updates == 0 and app.is_running


async def test_column_names_and_run_labels_are_shown_as_written(tmp_path: Path) -> None:
    """A: CSV headers (data preview, inspector) and run labels (runs table) are text."""
    csv = tmp_path / "odd.csv"
    csv.write_text("age [/],[b]bmi[/b],cost [/x]\n"
                   + "".join(f"{20 + i},{25 + i % 7},{100 + 3 * i}\n" for i in range(20)))
    store = RunStore(tmp_path / "runs")
    app = make_app(dataset="csv", csv=str(csv))
    app.store = store
    async with running(app) as pilot:
        await pilot.press("e")
        app.session.history.record(app.session.experiment.document(), "sweep",
                                   "label [/] [b]x[/b]")
        await pilot.press("3")
        preview = plain(app.query_one("#preview"))  # type: ignore[arg-type]
        assert all(name in preview for name in ("age [/]", "[b]bmi[/b]", "cost [/x]"))
        await pilot.press("4")
        table = app.query_one("#runs-table", DataTable)
        assert "label [/] [b]x[/b]" in str(table.get_row_at(table.row_count - 1))
        await pilot.press("i")
        await settle(pilot)
        worked = plain(app.screen.query_one("#worked"))  # type: ignore[arg-type]
        assert "age [/]" in worked and "cost [/x]" in worked


async def test_holding_plus_or_minus_stops_at_the_limit_and_keeps_the_rate() -> None:
    """B: holding + (400 presses, past the largest number a setting may hold) and - (from
    1e-300, 40 presses, past zero): each press past the limit is refused with a message
    and the rate stays the last valid one (it used to crash on 'inf' and on 0)."""
    toasts = Toasts()
    app = make_app()
    async with running(app, message_hook=toasts) as pilot:
        for _ in range(400):
            app.action_scale_lr(10)  # what holding + does, one press at a time
        top = app.session.lr
        await pilot.press("plus")
        assert app.session.lr == app.session.trainer.lr == top and math.isfinite(top)
        assert toasts.sent[-1].message.endswith(f"the learning rate stays {top:g}")
        await edit(pilot, "lr", "1e-300")
        await pilot.press("escape")
        for _ in range(40):
            app.action_scale_lr(0.1)
        bottom = app.session.lr
        await pilot.press("minus")
        assert app.session.lr == app.session.trainer.lr == bottom and 0 < bottom < 1e-300
        assert toasts.sent[-1].message.endswith(f"the learning rate stays {bottom:g}")
        await pilot.press("s")
        await settle(pilot)
        assert app.is_running and app.session.trainer.updates == 1
        assert field(app, "lr").text == f"{app.session.lr:g}"


async def test_tab_reaches_every_control_of_a_dialog() -> None:
    """7: Tab and Shift+Tab move the focus inside the sweep and the file dialogs, so the
    setting to sweep and the ready experiments can be chosen with the keyboard."""
    app = make_app()
    async with running(app) as pilot:
        await pilot.press("v")
        await wait_until(pilot, lambda: isinstance(app.screen, SweepScreen), "the sweep")
        dialog = app.screen
        await wait_until(pilot, lambda: dialog.focused is dialog.query_one("#sweep-values"))
        await pilot.press("shift+tab")
        assert dialog.focused is dialog.query_one("#sweep-key", Select)
        await pilot.press("enter", "down", "enter")  # lr, then the next setting: epochs
        await settle(pilot)
        assert dialog.query_one("#sweep-key", Select).value == "epochs"
        assert dialog.query_one("#sweep-values", Input).value == classic_values("epochs")
        await pilot.press("tab")
        assert dialog.focused is dialog.query_one("#sweep-values")
        await pilot.press("escape", "ctrl+o")
        await wait_until(pilot, lambda: isinstance(app.screen, SettingsFileScreen), "open")
        await settle(pilot)
        await pilot.press("shift+tab")
        assert app.screen.focused is app.screen.query_one("#preset", Select)
        downs = list(presets()).index("wide-range") + 1  # the list starts with "choose…"
        await pilot.press("enter", *["down"] * downs, "enter")
        await settle(pilot)
        assert not isinstance(app.screen, SettingsFileScreen)
        assert app.session.config.n1_range == (0, 20)


async def test_choosing_csv_asks_for_the_path_and_errors_wrap(insurance_csv: Path) -> None:
    """8: `source = csv` shows the path field at once, focused, and says what to do; a
    long error wraps under its field instead of being cut at the sidebar's edge."""
    app = make_app()
    async with running(app) as pilot:
        await edit(pilot, "dataset", "csv")
        path = field(app, "csv")
        sidebar = app.query_one(Sidebar)
        assert path.shown and isinstance(app.focused, Input)
        assert sidebar.model.current is path and sidebar.editing is not None
        assert "type the CSV file's path" in field(app, "dataset").hint
        assert "the CSV file's" in sidebar_text(app)
        assert not field(app, "n1_range").shown and field(app, "features").shown
        missing = "/no/such/folder/with/a/rather/long/name/insurance.csv"
        await edit(pilot, "csv", missing)
        assert missing in path.error
        lines = [line for line in sidebar_text(app).splitlines() if line.startswith("  ")]
        wrapped = "".join(line.strip() for line in lines)
        assert missing in wrapped and len(lines) >= 2  # wrapped over several lines
        assert all(len(line.rstrip()) <= sidebar.scrollable_content_region.width
                   for line in lines)
        await edit(pilot, "csv", str(insurance_csv))
        assert app.session.config.dataset == "csv" and len(app.session.table) == 11
        assert not field(app, "dataset").hint
        await edit(pilot, "dataset", "generated")
        assert not field(app, "csv").shown and field(app, "n1_range").shown


async def test_keys_typed_ahead_of_quit_are_dropped(tmp_path: Path) -> None:
    """9: `q` then `i` (`v`, `k`) arriving together over a slow link: the app quits
    cleanly (it crashed with NoMatches on the screen it had started to open)."""
    app = make_app()
    app.store = RunStore(tmp_path)
    async with running(app) as pilot:
        await pilot.press("e")
        for key in ("q", "i", "v", "k"):
            app.post_message(events.Key(key, key))
        await pilot.pause()
        await pilot.pause()
    assert app.return_code == 0 and app._exception is None
    [run] = RunStore(tmp_path).load()
    assert run.doc["epochs_run"] == 1


async def test_results_scroll_and_the_newest_run_stays_in_view(tmp_path: Path) -> None:
    """10: at 80x24, 2 focuses the results so up/down reach b3; the runs table shows
    more rows, keeps the newest run in view and puts the losses before "changes"."""
    app = make_app(epochs=3)
    app.store = RunStore(tmp_path)
    async with running(app) as pilot:
        await pilot.press("f")
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        scroll = app.query_one("#results-scroll", VerticalScroll)
        assert app.focused is scroll and scroll.max_scroll_y > 0
        await pilot.press("end")
        await settle(pilot)
        assert scroll.scroll_y == scroll.max_scroll_y
        history = app.session.history
        for n in range(12):  # a sweep's runs arriving one by one
            history.record(app.session.experiment.document(), "sweep", f"run {n}")
        await pilot.press("4")
        await settle(pilot)
        table = app.query_one("#runs-table", DataTable)
        shown = table.scrollable_content_region.height - 1  # rows below the header
        assert shown >= 6
        assert table.cursor_row == table.row_count - 1
        assert table.scroll_y <= table.cursor_row < table.scroll_y + shown
        labels = [column.label.plain for column in table.columns.values()]
        assert labels[-1] == "changes" and labels.index("test MSE") < labels.index("time")
        widths = [column.get_render_width(table) for column in table.columns.values()]
        assert sum(widths[:labels.index("test R²") + 1]) <= table.size.width


async def test_key_bar_in_a_field_lists_only_what_works_there() -> None:
    """11: while a field has focus, + - * / and letters are typed into it: the key bar
    shows enter, tab and escape instead."""
    app = make_app()
    async with running(app) as pilot:
        bar = app.query_one(KeyBar)
        sidebar = app.query_one(Sidebar)
        sidebar.focus()
        sidebar.model.go_to("lr")
        await hit(pilot, "enter")
        assert isinstance(app.focused, Input)
        await settle(pilot)
        text = plain(bar)
        assert "enter Confirm" in text and "tab Next field" in text and "esc" in text
        for gone in ("lr ×÷10", "Quit", "tabs", "Run/pause", "Help"):
            assert gone not in text, gone
        assert "^s Save" in text  # ctrl keys still work in a field
        await pilot.press("escape")
        await settle(pilot)
        assert "q Quit" in plain(bar) and "Confirm" not in plain(bar)
        assert isinstance(app.query_one(Sidebar), Sidebar)
