"""Saved runs: exact round trips, damaged files skipped with a warning, unique files per save."""

from __future__ import annotations

import errno
import json
import multiprocessing
from collections.abc import Callable
from datetime import datetime
from multiprocessing.synchronize import Barrier
from pathlib import Path
from typing import Any

import pytest

from nntui.errors import UserError
from nntui.lab import storage
from nntui.lab.config import ExperimentConfig
from nntui.lab.experiment import Experiment
from nntui.lab.rundoc import RunFileError
from nntui.lab.runs import PARTIAL, RunStore

Cli = Callable[..., tuple[int, str, str]]
NOW = datetime(2026, 3, 1, 9, 30, 0)


def fixed_clock() -> datetime:
    """Every save at the same second: ids can only differ by their counter."""
    return NOW


@pytest.fixture(scope="module")
def doc() -> dict[str, Any]:
    exp = Experiment.build(ExperimentConfig(epochs=3))
    exp.run()
    return exp.document()


def test_a_run_round_trips_unchanged(tmp_path: Path, doc: dict[str, Any]) -> None:
    store = RunStore(tmp_path, clock=fixed_clock)
    saved = store.save(doc, "run", "first try")
    assert saved.id == "20260301-093000-001" and saved.path.name == f"run-{saved.id}.json"
    info = {"id": saved.id, "finished_at": "2026-03-01T09:30:00", "origin": "run",
            "label": "first try"}
    assert json.loads(saved.path.read_text()) == {**doc, "run": info}
    [loaded] = store.load()
    assert store.warnings == []
    assert loaded.doc == doc and loaded.doc["schema"] == 3
    assert (loaded.id, loaded.finished_at, loaded.origin, loaded.label) == tuple(info.values())
    assert loaded.document == {**doc, "run": info}
    assert sorted(p.name for p in tmp_path.iterdir()) == [saved.path.name]  # no .partial/


def test_a_file_from_before_the_schema_number_loads(tmp_path: Path,
                                                    doc: dict[str, Any]) -> None:
    old = {k: v for k, v in doc.items() if k != "schema"}
    info = {"id": "20250101-000000-0001-001", "finished_at": "2025-01-01T00:00:00",
            "origin": "run", "label": ""}
    (tmp_path / "run-20250101-000000-0001-001.json").write_text(
        json.dumps({**old, "run": info}, indent=1))
    [loaded] = RunStore(tmp_path).load()
    assert loaded.doc == {**doc, "schema": 1} and loaded.id == info["id"]


def good_text(doc: dict[str, Any]) -> str:
    info = {"id": "x", "finished_at": "2026-01-01T00:00:00", "origin": "run", "label": ""}
    return json.dumps({**doc, "run": info}, indent=1)


def replaced(doc: dict[str, Any], old: str, new: str) -> str:
    text = good_text(doc)
    assert old in text
    return text.replace(old, new, 1)


DAMAGE: dict[str, tuple[Callable[[dict[str, Any]], str | bytes], str]] = {
    "truncated": (lambda d: good_text(d)[: len(good_text(d)) // 2], "not valid JSON"),
    "not JSON": (lambda d: "epoch,loss\n1,0.5\n", "not valid JSON"),
    "empty": (lambda d: "", "the file is empty"),
    "binary": (lambda d: b"\x89PNG\r\n\x1a\n\xff\xfe", "not a text file"),
    "JSON list": (lambda d: json.dumps([d]), "not an nntui run file (the JSON is a list"),
    "foreign JSON": (lambda d: json.dumps({"name": "nntui", "version": 2}),
                     "not an nntui run file"),
    "missing key": (lambda d: replaced(d, '"metrics"', '"metrix"'), "missing key metrics"),
    "wrong type": (lambda d: replaced(d, '"train_loss": [', '"train_loss": ["x", '),
                   "history.train_loss is not a list of numbers"),
    "schema too new": (lambda d: replaced(d, "\"schema\": 3", "\"schema\": 7"),
                       "schema 7 is newer than this nntui understands"),
    "NaN": (lambda d: replaced(d, '"train_loss": [', '"train_loss": [NaN, '),
            "history.train_loss[0] is not a finite number"),
    "overflowing number": (lambda d: replaced(d, '"mse": ', '"mse": 1e999, "x": '),
                           "metrics.train.mse is not a finite number"),
    "no run entry": (lambda d: json.dumps(d), "missing key run"),
}


@pytest.mark.parametrize("kind", DAMAGE)
def test_a_damaged_file_is_skipped_with_a_warning(tmp_path: Path, doc: dict[str, Any],
                                                  kind: str) -> None:
    make, reason = DAMAGE[kind]
    store = RunStore(tmp_path, clock=fixed_clock)
    good = store.save(doc, "run")
    bad = tmp_path / "run-20260301-093000-000.json"  # sorts first, so later files still load
    content = make(doc)
    if isinstance(content, bytes):
        bad.write_bytes(content)
    else:
        bad.write_text(content)
    assert [r.id for r in store.load()] == [good.id]
    [warning] = store.warnings
    assert warning.startswith(f"skipped {bad}: ") and reason in warning
    bad.unlink()
    assert len(store.load()) == 1 and store.warnings == []  # each load starts afresh


def test_an_unreadable_entry_is_skipped(tmp_path: Path, doc: dict[str, Any]) -> None:
    RunStore(tmp_path).save(doc, "run")
    (tmp_path / "run-a-directory.json").mkdir()
    store = RunStore(tmp_path)
    assert len(store.load()) == 1
    assert store.warnings == [f"skipped {tmp_path / 'run-a-directory.json'}: cannot read it: "
                              "Is a directory"]


def test_an_invalid_document_is_never_saved(tmp_path: Path, doc: dict[str, Any]) -> None:
    with pytest.raises(RunFileError, match="the run to save: history.lr is not a list"):
        RunStore(tmp_path).save({**doc, "history": {**doc["history"], "lr": None}}, "run")
    assert list(tmp_path.iterdir()) == []


def test_a_blocked_temporary_directory_is_an_error(tmp_path: Path,
                                                   doc: dict[str, Any]) -> None:
    (tmp_path / PARTIAL).write_text("not a directory")
    with pytest.raises(UserError, match="cannot write .*: File exists"):
        RunStore(tmp_path, clock=fixed_clock).save(doc, "run")
    assert not list(tmp_path.glob("run-*"))


def damaged_results(cli: Cli, tmp_path: Path) -> Path:
    """A results directory with one good run and one cut-short file; the bad file's path."""
    code, _, err = cli("run", "--epochs", "3", "--results", str(tmp_path))
    assert code == 0, err
    [good] = tmp_path.glob("run-*.json")
    bad = tmp_path / "run-00000000-000000-001.json"
    bad.write_text(good.read_text()[:200])
    return bad


def test_runs_command_warns_and_succeeds(cli: Cli, tmp_path: Path) -> None:
    bad = damaged_results(cli, tmp_path)
    code, out, err = cli("runs", "--results", str(tmp_path))
    assert code == 0 and "1 run(s) in" in out
    assert err.startswith(f"nntui: warning: skipped {bad}: not valid JSON")
    assert err.count("\n") == 1


def test_export_command_warns_and_succeeds(cli: Cli, tmp_path: Path) -> None:
    bad = damaged_results(cli, tmp_path)
    code, out, err = cli("export", "--format", "json", "--results", str(tmp_path))
    assert code == 0 and err.startswith(f"nntui: warning: skipped {bad}: not valid JSON")
    [run] = json.loads(out)["runs"]
    assert run["schema"] == 3 and run["run"]["origin"] == "run"
    [good] = (p for p in tmp_path.glob("run-*.json") if p != bad)
    assert run == json.loads(good.read_text())  # the export is the whole run file


def test_export_names_the_skipped_file_when_nothing_is_left(cli: Cli, tmp_path: Path) -> None:
    bad = tmp_path / "run-1.json"
    bad.write_text('{"nntui": "0.1.0", "schema": 9}')
    code, out, err = cli("export", "--results", str(tmp_path))
    lines = err.splitlines()
    assert code == 2 and out == "" and len(lines) == 2
    assert lines[0] == (f"nntui: warning: skipped {bad}: schema 9 is newer than this nntui "
                        "understands (it reads schema 3); update nntui to read this run")
    assert lines[1].startswith("nntui: error: no run matching 'last'")


def test_create_exclusive_never_overwrites(tmp_path: Path) -> None:
    target = tmp_path / "run-1.json"
    storage.create_exclusive(str(target), "first", tmp_dir=str(tmp_path / PARTIAL))
    with pytest.raises(FileExistsError):
        storage.create_exclusive(str(target), "second", tmp_dir=str(tmp_path / PARTIAL))
    assert target.read_text() == "first"
    assert [p.name for p in tmp_path.iterdir()] == ["run-1.json"]  # no temporary left


def test_without_hard_links_a_name_is_still_claimed_once(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """A filesystem without hard links (FAT): the O_EXCL reservation keeps the guarantee."""

    def no_links(src: str, dst: str) -> None:
        raise PermissionError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(storage.os, "link", no_links)
    target = tmp_path / "run-1.json"
    storage.create_exclusive(str(target), "first", tmp_dir=str(tmp_path / PARTIAL))
    with pytest.raises(FileExistsError):
        storage.create_exclusive(str(target), "second", tmp_dir=str(tmp_path / PARTIAL))
    assert target.read_text() == "first"
    assert [p.name for p in tmp_path.iterdir()] == ["run-1.json"]


def test_an_id_taken_while_writing_goes_to_the_next(tmp_path: Path, doc: dict[str, Any],
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """Another process saves under the same id after this one chose it: both files stay."""
    other = RunStore(tmp_path, clock=fixed_clock)
    original = storage._write_temp
    interleaved: list[str] = []
    calls = []

    def write_then_let_the_other_save(tmp_dir: str, text: str) -> str:
        calls.append(text)
        tmp = original(tmp_dir, text)
        if len(calls) == 1:  # this store has chosen its id and written its file
            interleaved.append(other.save(doc, "run", "other").id)
        return tmp

    monkeypatch.setattr(storage, "_write_temp", write_then_let_the_other_save)
    mine = RunStore(tmp_path, clock=fixed_clock).save(doc, "run", "mine")
    assert interleaved == ["20260301-093000-001"] and mine.id == "20260301-093000-002"
    labels = {r.id: r.label for r in RunStore(tmp_path).load()}
    assert labels == {"20260301-093000-001": "other", "20260301-093000-002": "mine"}


def save_five(directory: str, barrier: Barrier, doc: dict[str, Any], worker: int,
              results: multiprocessing.Queue[tuple[int, list[str]]]) -> None:
    """One of several processes: wait for all, then save five runs at the same second."""
    store = RunStore(directory, clock=fixed_clock)
    barrier.wait(timeout=120)
    results.put((worker, [store.save(doc, "sweep", f"w{worker}-{j}").id for j in range(5)]))


def test_processes_saving_at_once_each_keep_their_file(tmp_path: Path,
                                                       doc: dict[str, Any]) -> None:
    ctx = multiprocessing.get_context("spawn")
    workers = 6
    barrier = ctx.Barrier(workers)
    results: multiprocessing.Queue[tuple[int, list[str]]] = ctx.Queue()
    procs = [ctx.Process(target=save_five, args=(str(tmp_path), barrier, doc, w, results))
             for w in range(workers)]
    for p in procs:
        p.start()
    returned = dict(results.get(timeout=300) for _ in procs)
    for p in procs:
        p.join(timeout=120)
    assert [p.exitcode for p in procs] == [0] * workers
    expected = {f"w{w}-{j}": returned[w][j] for w in range(workers) for j in range(5)}
    assert len(set(expected.values())) == 30
    store = RunStore(tmp_path)
    runs = store.load()
    assert store.warnings == [] and len(list(tmp_path.glob("run-*.json"))) == 30
    assert {r.label: r.id for r in runs} == expected  # every save is in its own file
    assert all(r.doc == doc for r in runs)
    assert not (tmp_path / PARTIAL).exists()
