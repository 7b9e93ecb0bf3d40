"""Saved runs are the user's to clean up (issue 13): `nntui runs rm` / `prune`, `run --json`
saving only when asked, and no temporary folder or file left behind."""

from __future__ import annotations

import errno
import os
import tempfile
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from nntui.lab import storage
from nntui.lab.config import ExperimentConfig
from nntui.lab.experiment import Experiment
from nntui.lab.runs import PARTIAL, STALE_SECONDS, RunStore

Cli = Callable[..., tuple[int, str, str]]


@pytest.fixture(scope="module")
def doc() -> dict[str, Any]:
    exp = Experiment.build(ExperimentConfig(epochs=2))
    exp.run()
    return exp.document()


def store_of(tmp_path: Path, doc: dict[str, Any], n: int) -> list[str]:
    """`n` saved runs one minute apart (oldest first) and a damaged file; their ids."""
    times = iter(datetime(2026, 3, 1, 9, 0) + timedelta(minutes=i) for i in range(n))
    store = RunStore(tmp_path, clock=lambda: next(times))
    ids = [store.save(doc, "run").id for _ in range(n)]
    (tmp_path / "run-damaged.json").write_text("{")
    (tmp_path / "notes.txt").write_text("mine")
    return ids


def remaining(tmp_path: Path) -> list[str]:
    return [r.id for r in RunStore(tmp_path).load()]


def test_rm_deletes_the_named_runs_only(cli: Cli, tmp_path: Path,
                                        doc: dict[str, Any]) -> None:
    ids = store_of(tmp_path, doc, 4)
    code, out, err = cli("runs", "rm", ids[1], "last", ids[1], "--results", str(tmp_path))
    assert code == 0 and f"deleted {ids[1]}" in out and f"deleted {ids[3]}" in out
    assert "2 run(s) deleted; 2 left" in out and "skipped" in err  # the damaged file, named
    assert remaining(tmp_path) == [ids[0], ids[2]]
    assert (tmp_path / "run-damaged.json").exists() and (tmp_path / "notes.txt").exists()


def test_rm_with_an_unknown_id_deletes_nothing(cli: Cli, tmp_path: Path,
                                               doc: dict[str, Any]) -> None:
    ids = store_of(tmp_path, doc, 3)
    code, out, err = cli("runs", "rm", ids[0], "nope", "--results", str(tmp_path))
    assert code == 2 and out == ""
    assert err.splitlines()[-1] == (f"nntui: error: no run matching 'nope' in {tmp_path} "
                                    "(see 'nntui runs')")
    assert remaining(tmp_path) == ids
    code, _, err = cli("runs", "rm", "2026", "--results", str(tmp_path))  # ambiguous
    assert code == 2 and "3 runs matching '2026'" in err and remaining(tmp_path) == ids


def test_prune_keeps_the_newest(cli: Cli, tmp_path: Path, doc: dict[str, Any]) -> None:
    ids = store_of(tmp_path, doc, 5)
    code, out, _ = cli("runs", "prune", "--keep", "2", "--dry-run", "--results", str(tmp_path))
    assert code == 0 and "3 run(s) would be deleted" in out and remaining(tmp_path) == ids
    code, out, _ = cli("runs", "prune", "--keep", "2", "--results", str(tmp_path))
    assert code == 0 and "3 run(s) deleted; 2 left" in out
    assert remaining(tmp_path) == ids[3:]
    code, out, _ = cli("runs", "prune", "--keep", "9", "--results", str(tmp_path))
    assert code == 0 and "0 run(s) deleted; 2 left" in out
    code, out, _ = cli("runs", "prune", "--keep", "0", "--results", str(tmp_path))
    assert remaining(tmp_path) == [] and (tmp_path / "run-damaged.json").exists()


@pytest.mark.parametrize(("keep", "message"), [("-1", "--keep must be 0 or more, got -1"),
                                               ("x", "--keep: 'x' is not a whole number")])
def test_prune_refuses_a_bad_keep(cli: Cli, tmp_path: Path, doc: dict[str, Any], keep: str,
                                  message: str) -> None:
    ids = store_of(tmp_path, doc, 2)
    code, _, err = cli("runs", "prune", f"--keep={keep}", "--results", str(tmp_path))
    assert code == 2 and message in err.splitlines()[-1] and remaining(tmp_path) == ids
    code, _, err = cli("runs", "prune", "--results", str(tmp_path))
    assert code == 2 and "--keep" in err


def test_run_json_saves_only_with_save(cli: Cli, tmp_path: Path) -> None:
    res = ["--results", str(tmp_path / "runs")]
    assert cli("run", "--json", "--epochs", "1", *res)[0] == 0
    assert not (tmp_path / "runs").exists()  # not even an empty folder
    assert cli("run", "--json", "--save", "--epochs", "1", *res)[0] == 0
    assert len(remaining(tmp_path / "runs")) == 1
    code, out, _ = cli("run", "--epochs", "1", *res)  # the summary: saved, as before
    assert code == 0 and "saved as" in out and len(remaining(tmp_path / "runs")) == 2
    code, _, err = cli("run", "--json", "--save", "--no-save", *res)
    assert code == 2 and "not allowed with" in err


def test_a_save_leaves_no_temporary_folder_and_clears_stale_temporaries(
        tmp_path: Path, doc: dict[str, Any]) -> None:
    partial = tmp_path / PARTIAL
    partial.mkdir()
    stale, fresh = partial / ".tmp-killed.part", partial / ".tmp-writing.part"
    stale.write_text("{half")
    fresh.write_text("{half")
    old = os.stat(stale).st_mtime - STALE_SECONDS - 60
    os.utime(stale, (old, old))
    RunStore(tmp_path).save(doc, "run")
    assert not stale.exists() and fresh.exists()  # another process may be writing that one
    fresh.unlink()
    RunStore(tmp_path).save(doc, "run")
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_a_temporary_that_cannot_be_written_leaves_no_folder(
        tmp_path: Path, doc: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    def full(*args: object, **kw: object) -> tuple[int, str]:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(tempfile, "mkstemp", full)
    with pytest.raises(OSError):
        storage.create_exclusive(str(tmp_path / "run-x.json"), "{}",
                                 tmp_dir=str(tmp_path / PARTIAL))
    with pytest.raises(OSError):
        storage.atomic_write(str(tmp_path / "out.md"), "x", tmp_dir=str(tmp_path / PARTIAL))
    assert list(tmp_path.iterdir()) == []
