"""The Runs tab: every recorded run in a table, selected runs overlaid and compared.

A view of the session's RunHistory (lab/history.py): runs are recorded, saved, swept and
exported there; this widget only renders them and turns keys into history calls.
"""

from __future__ import annotations

from typing import Any

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import DataTable, Static

from nntui.errors import UserError
from nntui.lab.history import RunHistory
from nntui.lab.report import headline_cell, num
from nntui.lab.runs import StoredRun, config_changes
from nntui.ui.ascii import spell, spell_renderable
from nntui.ui.widgets.loss_plot import LossPlot


class RunsView(Vertical):
    """Table of runs (enter selects), overlay of the selected curves, weights side by side.

    It renders a RunHistory (lab): recording, saving, sweeps and exports happen there.
    """

    BINDINGS = [
        Binding("enter", "toggle_select", "Select", tooltip="select a run for the overlay"),
        Binding("c", "clear", "Clear", tooltip="clear the selection"),
        Binding("x", "export", "Export", tooltip="export the selected runs (md, csv, json)"),
        Binding("o", "toggle_weights", "Curves/weights", tooltip="show the overlaid curves or "
                "the final weights side by side (both on a wide terminal)"),
    ]

    def __init__(self, history: RunHistory) -> None:
        super().__init__(id="runs")
        self.history = history
        self.log_scale = False

    @property
    def runs(self) -> list[StoredRun]:
        return self.history.runs

    @property
    def selected(self) -> list[str]:
        return self.history.selected

    def compose(self) -> ComposeResult:
        yield DataTable(id="runs-table", cursor_type="row", zebra_stripes=True)
        with Horizontal(id="runs-lower"):
            yield LossPlot(id="overlay")
            with Vertical(id="runs-weights"):
                yield Static(id="weights-compare")

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        # The numbers first, so that they fit beside the sidebar at 80 columns; "changes"
        # can be long, so it comes last (the table scrolls sideways to it). "#" holds the
        # run's number, after ● when it is selected.
        table.add_columns("#", "status", "ep", "train MSE", "test MSE",
                          spell(self.app, "test R²"), "time", "changes")
        overlay = self.query_one("#overlay", LossPlot)
        overlay.title = "train loss of the selected runs"
        overlay.empty_text = "enter on a run overlays its loss curve"
        self.history.on_change = self.rebuild
        self.rebuild()

    def on_unmount(self) -> None:
        self.history.on_change = None

    def rebuild(self) -> None:
        """Redraw the table; when runs were added the cursor follows the newest one, so a
        new run (a sweep's, say) is never left below the visible rows."""
        table = self.query_one(DataTable)
        row = table.cursor_row if table.row_count == len(self.runs) else len(self.runs) - 1
        table.clear()
        previous = None
        for n, run in enumerate(self.runs, start=1):
            d = run.doc
            train, test = d["history"]["train_loss"], d["history"]["test_loss"]
            status = Text(d["status"], style="bold red" if d["status"] == "diverged" else "")
            changes = run.label or config_changes(previous, run.config)
            mark = "●" if run.id in self.selected else " "
            table.add_row(Text(f"{mark}{n}"), status,
                          str(d["epochs_run"]), num(train[-1] if train else None, 4),
                          num(test[-1] if test else None, 4),
                          headline_cell(d.get("task", "regress"), d["metrics"]["test"]),
                          Text(run.finished_at[11:19]), Text(spell(self.app, changes[:48])),
                          key=run.id)
            previous = run.config
        if self.runs:
            table.move_cursor(row=min(max(row, 0), len(self.runs) - 1))
        self.show_selection()

    def on_resize(self) -> None:
        """Shorter (a taller key bar on this tab): the cursor's run stays in view."""
        table = self.query_one(DataTable)
        if table.row_count:
            table.call_after_refresh(table.move_cursor, row=table.cursor_row)

    def show_selection(self) -> None:
        chosen = self.history.chosen
        number = self.history.number
        plot = self.query_one("#overlay", LossPlot)
        plot.log_scale = self.log_scale
        plot.show({f"#{number(r.id)}": r.doc["history"]["train_loss"] for r in chosen})
        self.query_one("#weights-compare", Static).update(spell_renderable(
            self.app, weights_table([(f"#{number(r.id)}", r.doc) for r in chosen])))

    # -- actions -----------------------------------------------------------------------------
    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_toggle_select()

    def action_toggle_select(self) -> None:
        self.history.toggle(self.query_one(DataTable).cursor_row)

    def action_toggle_weights(self) -> None:
        self.toggle_class("-weights")

    def action_clear(self) -> None:
        self.history.select([])

    def action_export(self) -> None:
        try:
            paths = self.history.export()
        except (UserError, OSError) as exc:
            self.app.notify(f"Export failed: {exc}", severity="error")
            return
        self.app.notify("Exported:\n" + "\n".join(str(p) for p in paths), timeout=10)


def weights_table(runs: list[tuple[str, dict[str, Any]]]) -> Table | Text:
    if not runs:
        return Text("Select runs to compare their final weights.", style="dim")
    table = Table(box=None, padding=(0, 1), header_style="bold", title="final weights",
                  title_justify="left")
    table.add_column("param")
    for label, _ in runs:
        table.add_column(label, justify="right")
    names: list[str] = []
    for _, doc in runs:
        names += [n for n in doc["params"] if n not in names]
    for name in names:  # from run files: plain text, never markup
        table.add_row(Text(name), *(num(doc["params"].get(name), 5) if name in doc["params"]
                              else "" for _, doc in runs))
    return table
