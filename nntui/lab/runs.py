"""Run history on disk: every finished, diverged or stopped run as one JSON file.

A run file is the `nntui run --json` document plus a `run` entry (id, time, origin, label),
in the versioned layout of `rundoc`. Each file is written atomically and created
exclusively (temporary file in `.partial/`, fsync, hard link to its final name), so a
dropped SSH connection or a killed process never leaves half a run among the results, and
processes saving at the same moment never overwrite each other: a taken id means the next.
Loading checks every file; a damaged or foreign one is skipped and named in `warnings`.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from nntui.errors import UserError
from nntui.lab.storage import (
    UnreadableFile,
    create_exclusive,
    problem,
    read_regular,
    remove_stale_temps,
)

if TYPE_CHECKING:  # rundoc is imported where a run file is read or written, after the
    # app's first paint (the saved runs are loaded once the first screen is drawn)
    from nntui.lab.rundoc import RunDocument, RunInfo

PARTIAL = ".partial"
#: A temporary in PARTIAL older than this was left by a killed process (a write takes ms).
STALE_SECONDS = 3600.0
#: A run of the most epochs (1,000,000) takes about 80 MB; anything larger is not a run.
MAX_RUN_BYTES = 256 * 2**20


def default_results_dir() -> Path:
    """The user's data directory (XDG_DATA_HOME/nntui/runs on Linux)."""
    from platformdirs import user_data_path

    return user_data_path("nntui") / "runs"


@dataclass
class StoredRun:
    """One run as stored: its id, when it finished, where it came from, and the document.

    `doc` is the validated run document without its `run` entry (what `nntui run --json`
    printed); `document` is the whole file, typed.
    """

    id: str
    finished_at: str
    origin: str
    label: str
    doc: dict[str, Any]
    path: Path

    @property
    def config(self) -> dict[str, Any]:
        return self.doc["config"]

    @property
    def info(self) -> RunInfo:
        return {"id": self.id, "finished_at": self.finished_at, "origin": self.origin,
                "label": self.label}

    @property
    def document(self) -> RunDocument:
        """The run file's content: the document (checked when saved or loaded) and `run`."""
        return cast("RunDocument", {**self.doc, "run": self.info})


def read_run(path: Path) -> StoredRun:
    """One run file, checked; RunFileError (with the reason) if it cannot be used.

    Only a regular file of at most MAX_RUN_BYTES is read: a FIFO, a link to /dev/zero or
    JSON nested 100,000 deep is a reason to skip the file, never a hang or a crash.
    """
    import json  # json and tempfile where used: the app's first paint needs neither

    from nntui.lab.rundoc import RunFileError, validate_document

    try:
        text = read_regular(str(path), MAX_RUN_BYTES).decode("utf-8")
    except UnreadableFile as exc:
        raise RunFileError(path.name, exc.problem) from None
    except UnicodeDecodeError:
        raise RunFileError(path.name, "not a text file (not UTF-8)") from None
    if not text.strip():
        raise RunFileError(path.name, "the file is empty")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise RunFileError(path.name, f"not valid JSON, perhaps cut short ({exc.msg} at "
                           f"line {exc.lineno}, column {exc.colno})") from None
    except RecursionError:
        raise RunFileError(path.name, "not an nntui run file (nested too deeply)") from None
    try:
        doc: dict[str, Any] = dict(validate_document(data, path.name, stored=True))
    except RecursionError:  # parsed, but too deep for the checks that walk it
        raise RunFileError(path.name, "not an nntui run file (nested too deeply)") from None
    info = doc.pop("run")
    return StoredRun(info["id"], info["finished_at"], info["origin"], info["label"], doc,
                     path)


class RunStore:
    """A directory of run files; `clock` is replaceable so that tests see fixed times.

    `load()` (and `find()`) fill `warnings` with one line per skipped file,
    "skipped <path>: <reason>", for the command line and the Runs tab to show.
    """

    def __init__(self, directory: str | Path | None = None,
                 clock: Callable[[], datetime] = datetime.now, persist: bool = True) -> None:
        self.directory = Path(directory) if directory else default_results_dir()
        self.clock = clock
        self.persist = persist  # False (--no-save): runs live only in this session
        self.warnings: list[str] = []
        self._counter = 0

    def _prepare(self) -> None:
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
        except (OSError, ValueError) as exc:  # ValueError: a NUL in the name
            raise UserError(f"cannot use results directory {self.directory}: "
                            f"{problem(exc)}") from None
        if self.directory.is_file():
            raise UserError(f"results directory {self.directory} is a file")

    def check_writable(self) -> None:
        """UserError now if runs could not be saved here (before hours of training)."""
        if not self.persist:
            return
        self._prepare()
        import tempfile

        try:
            fd, probe = tempfile.mkstemp(prefix=".check-", dir=self.directory)
            os.close(fd)
            os.unlink(probe)
        except OSError as exc:
            raise UserError(f"cannot save runs in {self.directory}: {problem(exc)} "
                            "(choose --results DIR or --no-save)") from None

    def save(self, doc: Mapping[str, Any], origin: str, label: str = "") -> StoredRun:
        """Write one run atomically under a new id and return it as stored.

        The document is checked first, so a file that `load()` would skip is never written.
        """
        now = self.clock()
        stamp, finished = f"{now:%Y%m%d-%H%M%S}", now.isoformat(timespec="seconds")
        if not self.persist:
            self._counter += 1
            run_id = f"{stamp}-mem-{self._counter:03d}"
            return StoredRun(run_id, finished, origin, label, dict(doc),
                             self.directory / f"run-{run_id}.json")
        import json

        from nntui.lab.rundoc import validate_document

        checked: dict[str, Any] = dict(validate_document(dict(doc), "the run to save"))
        checked.pop("run", None)
        self._prepare()
        remove_stale_temps(str(self.directory / PARTIAL), STALE_SECONDS)
        while True:  # the first free id of this second; taken ones (any process) are skipped
            self._counter += 1
            run_id = f"{stamp}-{self._counter:03d}"
            path = self.directory / f"run-{run_id}.json"
            if path.exists():
                continue
            info: RunInfo = {"id": run_id, "finished_at": finished, "origin": origin,
                             "label": label}
            text = json.dumps({**checked, "run": info}, indent=1, allow_nan=False)
            try:
                create_exclusive(str(path), text, tmp_dir=str(self.directory / PARTIAL))
            except FileExistsError as exc:
                if str(path) in (exc.filename, exc.filename2):
                    continue  # another process took this id between the check and the link
                raise UserError(f"cannot write {path}: {exc.strerror or exc}") from None
            except OSError as exc:
                raise UserError(f"cannot write {path}: {exc.strerror or exc}") from None
            return StoredRun(run_id, finished, origin, label, checked, path)

    def load(self) -> list[StoredRun]:
        """Every usable run, oldest first; each skipped file is explained in `warnings`."""
        self.warnings = []
        if not self.persist or not self.directory.is_dir():
            return []
        from nntui.lab.rundoc import RunFileError

        runs = []
        for path in sorted(self.directory.glob("run-*.json")):
            try:
                runs.append(read_run(path))
            except RunFileError as exc:
                self.warnings.append(f"skipped {path}: {exc.problem}")
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

    def prunable(self, keep: int) -> list[StoredRun]:
        """The runs `nntui runs prune --keep N` deletes: all but the newest `keep`.

        Only files that load() accepts (nntui's own run files); others are never counted.
        """
        if keep < 0:
            raise UserError(f"--keep must be 0 or more, got {keep}")
        runs = self.load()
        return runs[:max(0, len(runs) - keep)]

    def delete(self, runs: list[StoredRun]) -> list[StoredRun]:
        """Delete these runs' files (resolved and checked by find/prunable before any goes).

        A file already gone (another nntui deleted it) counts as deleted. If one cannot be
        deleted, the UserError says which and how many went before it.
        """
        done: list[StoredRun] = []
        for run in {r.path: r for r in runs}.values():  # a run named twice: deleted once
            try:
                run.path.unlink()
            except FileNotFoundError:
                pass
            except OSError as exc:
                raise UserError(f"cannot delete {run.path}: {problem(exc)} ({len(done)} "
                                f"run(s) deleted before it)") from None
            done.append(run)
        remove_stale_temps(str(self.directory / PARTIAL), STALE_SECONDS)
        return done


def config_changes(before: dict[str, Any] | None, after: dict[str, Any]) -> str:
    """The settings that differ from the previous run, e.g. 'lr 0.005→0.1, init large'."""
    if before is None:
        return "first run"
    from nntui.lab.config import blank_text
    from nntui.lab.options import format_value

    def show(key: str, value: Any, cfg: dict[str, Any]) -> str:
        """A value as the sidebar shows it; a blank one as what it means (`rows all`)."""
        if value is None:  # left out of the document: the option was blank
            return blank_text(key.replace("-", "_"), str(cfg.get("dataset", "generated")))
        return format_value(value) or "none"  # an empty `set` table: no overrides

    parts = []
    for key in sorted(set(before) | set(after)):
        a, b = before.get(key), after.get(key)
        if a != b:
            parts.append(f"{key} {show(key, a, before)}→{show(key, b, after)}")
    return ", ".join(parts) or "same settings"
