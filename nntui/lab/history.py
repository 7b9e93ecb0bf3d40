"""The session's run history: runs as they are recorded, saved at once, and the selection.

The app's Runs tab renders a RunHistory; it never saves, sweeps or exports itself. A run
that cannot be saved (a full disk, a read-only directory) is kept in memory and the
reason is returned, so it is reported and never lost silently.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from nntui.errors import UserError
from nntui.lab.runs import RunStore, StoredRun

MAX_SELECTED = 8  # curves an overlay can still tell apart


class RunHistory:
    """Runs of this session (and the ones saved before it), oldest first."""

    def __init__(self, store: RunStore | None) -> None:
        self.store = store if store is not None else RunStore(persist=False)
        self.runs: list[StoredRun] = []
        self.selected: list[str] = []
        self.warnings: list[str] = []  # files skipped while loading, and failed saves
        self.on_change: Callable[[], None] | None = None  # the view's redraw, if any

    def load(self) -> None:
        """Read the runs saved before; unreadable files become warnings, never errors."""
        try:
            self.runs = self.store.load()
        except UserError as exc:
            self.runs = []
            self.warnings.append(str(exc))
        self.warnings += list(getattr(self.store, "warnings", []))
        self._changed()

    def record(self, doc: dict[str, Any], origin: str, label: str = "") -> StoredRun:
        """Save a run (atomically) and add it; on a failed save keep it in memory."""
        try:
            run = self.store.save(doc, origin, label)
        except UserError as exc:
            self.warnings.append(f"{exc}; the run is kept in this session only")
            run = RunStore(self.store.directory, persist=False).save(doc, origin, label)
        self.runs.append(run)
        self._changed()
        return run

    def take_warnings(self) -> list[str]:
        """The warnings not yet shown (each is shown once)."""
        out, self.warnings = self.warnings, []
        return out

    # -- selection for overlays and exports ---------------------------------------------------
    def number(self, run_id: str) -> int:
        """The run's 1-based position in the history (the '#' column)."""
        return next(n for n, r in enumerate(self.runs, start=1) if r.id == run_id)

    @property
    def chosen(self) -> list[StoredRun]:
        return [r for r in self.runs if r.id in self.selected]

    def toggle(self, index: int) -> None:
        """Select or unselect the run at `index` (0-based); at most MAX_SELECTED stay."""
        if not self.runs:
            return
        run_id = self.runs[min(max(index, 0), len(self.runs) - 1)].id
        if run_id in self.selected:
            self.selected.remove(run_id)
        else:
            self.selected = [*self.selected, run_id][-MAX_SELECTED:]
        self._changed()

    def select(self, ids: list[str]) -> None:
        self.selected = list(ids)[-MAX_SELECTED:]
        self._changed()

    def export(self, directory: Path | None = None) -> list[Path]:
        """Write the selected runs as Markdown, CSV and JSON; UserError if none is chosen."""
        from nntui.lab.export import export_runs

        if not self.chosen:
            raise UserError("select runs first (enter on a row)")
        return export_runs(self.chosen, directory or self.store.directory / "exports")

    def _changed(self) -> None:
        if self.on_change is not None:
            self.on_change()
