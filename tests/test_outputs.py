"""Files nntui writes and reads: outputs respect what they write to, run files are read
safely, a saved TOML works from any folder (issue 9, items 1, 2 and 3)."""

from __future__ import annotations

import json
import os
import resource
import signal
import stat
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from nntui.lab import storage
from nntui.lab.config import ExperimentConfig, load_toml, save_toml
from nntui.lab.runs import RunStore

Cli = Callable[..., tuple[int, str, str]]


@pytest.fixture
def results(cli: Cli, tmp_path: Path) -> Path:
    """A results directory holding one short run."""
    directory = tmp_path / "runs"
    code, _, err = cli("run", "--epochs", "2", "--results", str(directory))
    assert code == 0, err
    return directory


@contextmanager
def fifo_reader(path: Path) -> Iterator[list[bytes]]:
    """A FIFO at `path` with a thread that reads everything written to it."""
    os.mkfifo(path)
    got: list[bytes] = []
    thread = threading.Thread(target=lambda: got.append(path.read_bytes()), daemon=True)
    thread.start()
    yield got
    thread.join(timeout=60)  # a hang guard: the writer has closed the FIFO already
    assert not thread.is_alive()


# -- 1. outputs -----------------------------------------------------------------------------
def test_dash_is_standard_output(cli: Cli, results: Path, tmp_path: Path,
                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, _ = cli("export", "-o", "-", "--results", str(results))
    assert code == 0 and "## Weights and biases" in out and not (tmp_path / "-").exists()
    code, out, _ = cli("run", "--no-save", "--epochs", "1", "--save-config", "-")
    assert code == 0 and out.startswith('dataset = "generated"\n') and "status: ok" in out
    assert not (tmp_path / "-").exists()


def test_a_symlink_is_written_through(cli: Cli, results: Path, tmp_path: Path) -> None:
    target = tmp_path / "report.md"
    target.write_text("old")
    link = tmp_path / "link.md"
    link.symlink_to(target)
    code, _, err = cli("export", "-o", str(link), "--results", str(results))
    assert code == 0, err
    assert link.is_symlink() and "## Weights and biases" in target.read_text()
    dangling = tmp_path / "new-link.toml"
    dangling.symlink_to(tmp_path / "made.toml")
    save_toml(ExperimentConfig(lr=0.5), str(dangling))
    assert dangling.is_symlink() and load_toml(str(tmp_path / "made.toml")).lr == 0.5


def test_a_fifo_is_written_not_replaced(cli: Cli, results: Path, tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    with fifo_reader(fifo) as got:
        code, _, err = cli("export", "-o", str(fifo), "--format", "json",
                           "--results", str(results))
    assert code == 0, err
    assert stat.S_ISFIFO(fifo.stat().st_mode) and json.loads(got[0])["runs"]


def test_a_device_is_written_not_replaced(tmp_path: Path) -> None:
    """A private copy of /dev/null: the real one must not be at stake if this fails."""
    null = tmp_path / "null"
    try:
        os.mknod(null, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    except PermissionError:
        pytest.skip("cannot make a device node here")
    save_toml(ExperimentConfig(), str(null))
    assert stat.S_ISCHR(null.stat().st_mode)


def test_dev_stdout_keeps_the_order_of_the_output(tmp_path: Path) -> None:
    """`--save-config /dev/stdout > out.txt`: the TOML, then the summary, in one file
    (/dev/fd/1 here: the same, but an nntui that renames over it cannot replace it)."""
    out = tmp_path / "out.txt"
    with out.open("w") as fh:
        done = subprocess.run([sys.executable, "-m", "nntui", "run", "--no-save", "--epochs",
                               "1", "--save-config", "/dev/fd/1"], stdout=fh,
                              stderr=subprocess.PIPE, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    text = out.read_text()
    assert text.startswith('dataset = "generated"') and "status: ok, 1 epochs" in text


def test_modes_kept_and_umask_respected(tmp_path: Path) -> None:
    existing = tmp_path / "kept.toml"
    existing.write_text("")
    existing.chmod(0o640)
    save_toml(ExperimentConfig(), str(existing))
    assert stat.S_IMODE(existing.stat().st_mode) == 0o640
    old = os.umask(0o027)
    try:
        save_toml(ExperimentConfig(), str(tmp_path / "new.toml"))
        storage.atomic_write(str(tmp_path / "new.md"), "x")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "new.toml").stat().st_mode) == 0o640
    assert stat.S_IMODE((tmp_path / "new.md").stat().st_mode) == 0o640


def test_output_errors_are_one_line(cli: Cli, results: Path, tmp_path: Path) -> None:
    for target in (str(tmp_path), "bad\x00name", str(tmp_path / "file.md" / "x")):
        (tmp_path / "file.md").write_text("")
        code, out, err = cli("export", "-o", target, "--results", str(results))
        assert code == 2 and out == "" and err.startswith("nntui: error: cannot write ")
        assert err.count("\n") == 1, err


# -- 2. run files -----------------------------------------------------------------------------
def limited_nntui(*args: str) -> subprocess.CompletedProcess[str]:
    """nntui in a process that may use at most 1 GB (reading /dev/zero must not get far)."""

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (2**30, 2**30))

    return subprocess.run([sys.executable, "-m", "nntui", *args], capture_output=True,
                          text=True, timeout=120, preexec_fn=limit)


def test_fifo_device_huge_and_deep_run_files_are_skipped(results: Path) -> None:
    os.mkfifo(results / "run-fifo.json")
    (results / "run-zero.json").symlink_to("/dev/zero")
    with open(results / "run-huge.json", "wb") as fh:
        fh.truncate(2**30)  # sparse: a gigabyte that costs nothing
    (results / "run-deep.json").write_text("[" * 100_000 + "]" * 100_000)
    (results / "run-deep-object.json").write_text(
        '{"nntui": "0.1.0", "x": ' + "[" * 980 + "]" * 980 + "}")
    for command in ("runs", "export"):
        done = limited_nntui(command, "--results", str(results))
        assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
        warnings = done.stderr.splitlines()
        assert len(warnings) == 5 and all(w.startswith("nntui: warning: skipped ")
                                          for w in warnings)
    store = RunStore(results)
    assert len(store.load()) == 1
    reasons = {Path(w.split(": ")[0].removeprefix("skipped ")).name: w.split(": ", 1)[1]
               for w in store.warnings}
    assert reasons == {
        "run-deep-object.json": "not an nntui run file (nested too deeply)",
        "run-deep.json": "not an nntui run file (nested too deeply)",
        "run-fifo.json": "not a regular file (it is a FIFO)",
        "run-huge.json": "larger than 256 MB",
        "run-zero.json": "not a regular file (it is a device)"}


def test_a_hang_up_while_saving_comes_after_the_file_is_whole(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`nntui sweep` ends on SIGHUP (SystemExit): never between a temporary and its link."""
    from nntui.lab.experiment import Experiment

    exp = Experiment.build(ExperimentConfig(epochs=1))
    exp.run()
    original = storage._write_temp

    def written_then_hang_up(tmp_dir: str, text: str) -> str:
        tmp = original(tmp_dir, text)
        signal.pthread_kill(threading.main_thread().ident or 0, signal.SIGHUP)
        return tmp

    def hang_up(signum: int, frame: object) -> None:
        raise SystemExit(128 + signum)

    monkeypatch.setattr(storage, "_write_temp", written_then_hang_up)
    old = signal.signal(signal.SIGHUP, hang_up)
    try:
        with pytest.raises(SystemExit):
            RunStore(tmp_path).save(exp.document(), "sweep")
    finally:
        signal.signal(signal.SIGHUP, old)
    assert len(RunStore(tmp_path).load()) == 1 and not (tmp_path / ".partial").exists()


# -- 3. a saved TOML from another folder ----------------------------------------------------
def test_a_saved_toml_works_from_another_folder(cli: Cli, insurance_csv: Path, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    work, configs, elsewhere = (tmp_path / d for d in ("work", "configs", "elsewhere"))
    for d in (work, configs, elsewhere):
        d.mkdir()
    monkeypatch.chdir(work)
    code, _, err = cli("run", "--no-save", "--epochs", "1", "--csv", "../insurance.csv",
                       "--save-config", "../configs/exp.toml")
    assert code == 0, err
    # outside the TOML's folder: absolute; the file works from anywhere
    assert f'csv = "{insurance_csv}"' in (configs / "exp.toml").read_text()
    monkeypatch.chdir(elsewhere)
    code, out, err = cli("run", "--no-save", "--epochs", "1", "--json", "--config",
                         str(configs / "exp.toml"))
    assert code == 0, err
    assert json.loads(out)["data"]["target"] == "charges"
    # beside the TOML: relative to the TOML's folder, so the two can move together
    code, _, err = cli("run", "--no-save", "--epochs", "1", "--csv", str(insurance_csv),
                       "--save-config", str(tmp_path / "beside.toml"))
    assert code == 0 and 'csv = "insurance.csv"' in (tmp_path / "beside.toml").read_text()
    moved = tmp_path / "moved"
    moved.mkdir()
    (tmp_path / "beside.toml").rename(moved / "beside.toml")
    insurance_csv.rename(moved / "insurance.csv")
    assert load_toml(str(moved / "beside.toml")).csv == str(moved / "insurance.csv")


def test_an_older_toml_relative_to_where_nntui_ran_still_loads(
        insurance_csv: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "configs").mkdir()
    old = tmp_path / "configs" / "old.toml"
    old.write_text('csv = "insurance.csv"\n')  # saved by an older nntui, run in tmp_path
    monkeypatch.chdir(tmp_path)
    assert load_toml(str(old)).csv == "insurance.csv"
