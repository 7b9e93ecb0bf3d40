"""The Runs tab: every recorded run in a table, selected runs overlaid and compared.

The view owns the run history of the session: the app hands it finished runs (`record`),
it saves them through the RunStore (atomically, as they finish) and shows them. Sweeps run
here too, in a thread worker that uses both cores.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.table import Table
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import DataTable, Static
from textual.worker import get_current_worker

from nntui.errors import UserError
from nntui.lab.config import ExperimentConfig
from nntui.lab.report import metric_text, num
from nntui.lab.runs import RunStore, StoredRun, config_changes
from nntui.ui.widgets.loss_plot import LossPlot

MAX_OVERLAY = 8


class RunsView(Vertical):
    """Table of runs (enter selects), overlay of the selected curves, weights side by side."""

    BINDINGS = [
        Binding("enter", "toggle_select", "Select", tooltip="select a run for the overlay"),
        Binding("c", "clear", "Clear", tooltip="clear the selection"),
        Binding("x", "export", "Export", tooltip="export the selected runs (md, csv, json)"),
        Binding("o", "toggle_weights", "Curves/weights", tooltip="show the overlaid curves or "
                "the final weights side by side (both on a wide terminal)"),
    ]

    @dataclass
    class SweepDone(Message):
        """A sweep finished: how many runs it recorded, and any errors."""

        count: int
        errors: list[str]

    def __init__(self, store: RunStore) -> None:
        super().__init__(id="runs")
        self.store = store
        self.runs: list[StoredRun] = []
        self.selected: list[str] = []
        self.log_scale = False

    def compose(self) -> ComposeResult:
        yield DataTable(id="runs-table", cursor_type="row", zebra_stripes=True)
        with Horizontal(id="runs-lower"):
            yield LossPlot(id="overlay")
            with Vertical(id="runs-weights"):
                yield Static(id="weights-compare")

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("", "#", "time", "status", "changes", "ep", "train MSE",
                          "test MSE", "test R²")
        try:
            self.runs = self.store.load()
        except UserError:
            self.runs = []
        overlay = self.query_one("#overlay", LossPlot)
        overlay.title = "train loss of the selected runs"
        overlay.empty_text = "enter on a run overlays its loss curve"
        self.rebuild()

    # -- data --------------------------------------------------------------------------------
    def record(self, doc: dict[str, Any], origin: str, label: str = "") -> StoredRun | None:
        """Save a finished run and show it; a failed save is reported, never lost silently."""
        try:
            run = self.store.save(doc, origin, label)
        except UserError as exc:
            self.app.notify(f"{exc}; the run is kept in this session only", severity="error")
            run = RunStore(self.store.directory, persist=False).save(doc, origin, label)
        self.runs.append(run)
        self.rebuild()
        return run

    def rebuild(self) -> None:
        table = self.query_one(DataTable)
        row = table.cursor_row
        table.clear()
        previous = None
        for n, run in enumerate(self.runs, start=1):
            d = run.doc
            train, test = d["history"]["train_loss"], d["history"]["test_loss"]
            status = Text(d["status"], style="bold red" if d["status"] == "diverged" else "")
            changes = run.label or config_changes(previous, run.config)
            table.add_row("●" if run.id in self.selected else " ", str(n),
                          run.finished_at[11:19], status, changes[:48], str(d["epochs_run"]),
                          num(train[-1] if train else None, 4),
                          num(test[-1] if test else None, 4),
                          metric_text("r2", d["metrics"]["test"]["r2"]), key=run.id)
            previous = run.config
        if self.runs:
            table.move_cursor(row=min(max(row, 0), len(self.runs) - 1))
        self.show_selection()

    def number(self, run_id: str) -> int:
        return next(n for n, r in enumerate(self.runs, start=1) if r.id == run_id)

    def show_selection(self) -> None:
        chosen = [r for r in self.runs if r.id in self.selected]
        plot = self.query_one("#overlay", LossPlot)
        plot.log_scale = self.log_scale
        plot.show({f"#{self.number(r.id)}": r.doc["history"]["train_loss"] for r in chosen})
        self.query_one("#weights-compare", Static).update(weights_table(
            [(f"#{self.number(r.id)}", r.doc) for r in chosen]))

    def select(self, ids: list[str]) -> None:
        self.selected = list(ids)[-MAX_OVERLAY:]
        self.rebuild()

    # -- actions -----------------------------------------------------------------------------
    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_toggle_select()

    def action_toggle_select(self) -> None:
        table = self.query_one(DataTable)
        if not self.runs:
            return
        run_id = self.runs[min(table.cursor_row, len(self.runs) - 1)].id
        if run_id in self.selected:
            self.selected.remove(run_id)
        else:
            self.selected = [*self.selected, run_id][-MAX_OVERLAY:]
        self.rebuild()

    def action_toggle_weights(self) -> None:
        self.toggle_class("-weights")

    def action_clear(self) -> None:
        self.select([])

    def action_export(self) -> None:
        chosen = [r for r in self.runs if r.id in self.selected]
        if not chosen:
            self.app.notify("Select runs first (enter on a row).", severity="warning")
            return
        try:
            paths = export_runs(chosen, self.store.directory / "exports")
        except (UserError, OSError) as exc:
            self.app.notify(f"Export failed: {exc}", severity="error")
            return
        self.app.notify("Exported:\n" + "\n".join(str(p) for p in paths), timeout=10)

    # -- sweeps ------------------------------------------------------------------------------
    @work(thread=True, exclusive=True, group="sweep", exit_on_error=False)
    def run_sweep(self, configs: list[ExperimentConfig]) -> None:
        """Run a sweep on both cores; each run is recorded as it finishes."""
        from nntui.lab.sweep import run_sweep, short_label, varying_keys

        worker = get_current_worker()
        keys = varying_keys(configs)
        ids: list[str] = []
        errors: list[str] = []

        def on_result(i: int, doc: dict[str, Any]) -> None:
            if "error" in doc:
                errors.append(doc["error"])
                return
            run = self.app.call_from_thread(self.record, doc, "sweep",
                                            short_label(doc["config"], keys))
            if run is not None:
                ids.append(run.id)
                self.app.call_from_thread(self.select, ids)

        try:
            run_sweep(configs, on_result, workers=2, cancelled=lambda: worker.is_cancelled)
        except Exception as exc:  # noqa: BLE001 - a failed sweep is reported, never a crash
            errors.append(f"the sweep stopped: {exc}")
        self.post_message(self.SweepDone(len(ids), errors))


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
    for name in names:
        table.add_row(name, *(num(doc["params"].get(name), 5) if name in doc["params"]
                              else "" for _, doc in runs))
    return table


def export_runs(runs: list[StoredRun], directory: Path) -> list[Path]:
    """Write the runs as a Markdown report, CSV loss histories and JSON (atomically)."""
    from nntui.lab.export import export_text
    from nntui.lab.storage import atomic_write

    stem = directory / f"runs-{runs[0].id}" if len(runs) == 1 else \
        directory / f"compare-{runs[0].id}-{len(runs)}"
    paths = []
    for ext in ("md", "csv", "json"):
        path = stem.with_suffix(f".{ext}")
        atomic_write(str(path), export_text(runs, ext))
        paths.append(path)
    return paths
