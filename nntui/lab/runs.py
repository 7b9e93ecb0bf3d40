"""Run history on disk: every finished, diverged or stopped run as one JSON file.

Each file is written atomically (temporary file in `.partial/`, fsync, rename), so a dropped
SSH connection or a killed process never leaves half a run among the results. A run file is
the `nntui run --json` document plus a `run` entry: id, time, origin and label.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from nntui.errors import UserError
from nntui.lab.storage import atomic_write

PARTIAL = ".partial"


def default_results_dir() -> Path:
    """The user's data directory (XDG_DATA_HOME/nntui/runs on Linux)."""
    from platformdirs import user_data_path

    return user_data_path("nntui") / "runs"


@dataclass
class StoredRun:
    """One run as stored: its id, when it finished, where it came from, and the document."""

    id: str
    finished_at: str
    origin: str
    label: str
    doc: dict[str, Any]
    path: Path

    @property
    def config(self) -> dict[str, Any]:
        return self.doc["config"]


class RunStore:
    """A directory of run files; `clock` is replaceable so that tests see fixed times."""

    def __init__(self, directory: str | Path | None = None,
                 clock: Callable[[], datetime] = datetime.now, persist: bool = True) -> None:
        self.directory = Path(directory) if directory else default_results_dir()
        self.clock = clock
        self.persist = persist  # False (--no-save): runs live only in this session
        self._counter = 0

    def _prepare(self) -> None:
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise UserError(f"cannot use results directory {self.directory}: "
                            f"{exc.strerror or exc}") from None
        if self.directory.is_file():
            raise UserError(f"results directory {self.directory} is a file")

    def save(self, doc: dict[str, Any], origin: str, label: str = "") -> StoredRun:
        """Write one run atomically and return it as stored."""
        now = self.clock()
        if not self.persist:
            self._counter += 1
            run_id = f"{now:%Y%m%d-%H%M%S}-mem-{self._counter:03d}"
            return StoredRun(run_id, now.isoformat(timespec="seconds"), origin, label, doc,
                             self.directory / f"run-{run_id}.json")
        self._prepare()
        while True:  # ids are unique even for runs saved in the same second
            self._counter += 1
            run_id = f"{now:%Y%m%d-%H%M%S}-{os.getpid() % 10000:04d}-{self._counter:03d}"
            if not (self.directory / f"run-{run_id}.json").exists():
                break
        info = {"id": run_id, "finished_at": now.isoformat(timespec="seconds"),
                "origin": origin, "label": label}
        path = self.directory / f"run-{run_id}.json"
        try:
            atomic_write(str(path), json.dumps({**doc, "run": info}, indent=1,
                                               allow_nan=False),
                         tmp_dir=str(self.directory / PARTIAL))
        except OSError as exc:
            raise UserError(f"cannot write {path}: {exc.strerror or exc}") from None
        return StoredRun(run_id, info["finished_at"], origin, label, doc, path)

    def load(self) -> list[StoredRun]:
        """Every readable run, oldest first; unreadable files are skipped."""
        if not self.persist or not self.directory.is_dir():
            return []
        runs = []
        for path in sorted(self.directory.glob("run-*.json")):
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
                info = data.pop("run")
                runs.append(StoredRun(info["id"], info["finished_at"], info.get("origin", ""),
                                      info.get("label", ""), data, path))
            except (OSError, ValueError, KeyError, TypeError):
                continue
        return sorted(runs, key=lambda r: (r.finished_at, r.id))

    def find(self, ids: list[str]) -> list[StoredRun]:
        """Runs by id (a unique prefix is enough, 'last' is the newest)."""
        runs = self.load()
        found = []
        for wanted in ids:
            if wanted == "last" and runs:
                found.append(runs[-1])
                continue
            matches = [r for r in runs if r.id.startswith(wanted)]
            if len(matches) != 1:
                what = "no run" if not matches else f"{len(matches)} runs"
                raise UserError(f"{what} matching {wanted!r} in {self.directory} "
                                "(see 'nntui runs')")
            found.append(matches[0])
        return found


def config_changes(before: dict[str, Any] | None, after: dict[str, Any]) -> str:
    """The settings that differ from the previous run, e.g. 'lr 0.005→0.1, init large'."""
    if before is None:
        return "first run"
    parts = []
    for key in sorted(set(before) | set(after)):
        a, b = before.get(key), after.get(key)
        if a != b:
            show = (lambda v: "-" if v is None else  # noqa: E731
                    ",".join(map(str, v)) if isinstance(v, list) else str(v))
            parts.append(f"{key} {show(a)}→{show(b)}")
    return ", ".join(parts) or "same settings"
