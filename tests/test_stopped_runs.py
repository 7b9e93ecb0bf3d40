"""Runs left unfinished (issue 9, item 12): a run that never trained a whole epoch is not
recorded; a stopped one says so in its status, and older "ok" + label files still load."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from nntui.lab.config import ExperimentConfig
from nntui.lab.history import RunHistory
from nntui.lab.rundoc import validate_document
from nntui.lab.runs import RunStore
from nntui.lab.session import Session

Cli = Callable[..., tuple[int, str, str]]


def session(results: Path, **changes: object) -> Session:
    return Session(ExperimentConfig(epochs=3, **changes),  # type: ignore[arg-type]
                   history=RunHistory(RunStore(results)))


def test_a_quit_at_epoch_0_records_nothing(tmp_path: Path) -> None:
    s = session(tmp_path)
    assert s.record(stopped=True) is None  # untouched
    s.step()
    s.step()  # a few single steps: no loss curve yet, nothing to compare
    assert s.trainer.updates == 2 and s.record(stopped=True) is None
    assert s.history.runs == [] and not list(tmp_path.glob("run-*.json"))


def test_a_stopped_run_has_its_own_status(tmp_path: Path, cli: Cli) -> None:
    s = session(tmp_path)
    s.epoch()
    run = s.record(stopped=True)  # what the app does on quit
    assert run is not None and run.doc["status"] == "stopped"
    assert run.label == "stopped at epoch 1" and run.doc["epochs_run"] == 1
    s.epoch()
    s.epoch()  # complete: recorded as finished, "ok"
    assert [r.doc["status"] for r in s.history.runs] == ["stopped", "ok"]
    code, out, _ = cli("runs", "--results", str(tmp_path))
    rows = out.splitlines()[:2]
    assert code == 0 and rows[0].split()[2] == "stopped" and rows[1].split()[2] == "ok"


def test_older_stopped_runs_still_load(tmp_path: Path) -> None:
    s = session(tmp_path)
    s.epoch()
    path = s.record(stopped=True).path  # type: ignore[union-attr]
    old = json.loads(path.read_text())
    old["status"] = "ok"  # how nntui wrote a stopped run before it had the status
    path.write_text(json.dumps(old))
    store = RunStore(tmp_path)
    [run] = store.load()
    assert store.warnings == [] and run.doc["status"] == "ok"
    assert run.label == "stopped at epoch 1"
    assert validate_document({**run.doc, "status": "stopped"}, "x")["status"] == "stopped"
