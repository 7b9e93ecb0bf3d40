"""The compiled kernel: built by the install, optional, switchable, and safe to call.

Its arithmetic is checked against the Python path in tests/test_equivalence.py; here: that
`make test` really tests it (it is built), that nntui still installs and trains without a
compiler or with NNTUI_KERNEL=off (with the same numbers), and that the kernel's own edges
hold (bad arguments, a chunk cut short by the clock).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from nntui.engine import compiled, kernel
from nntui.engine.network import Architecture
from nntui.engine.trainer import Trainer

ROOT = Path(__file__).resolve().parents[1]
needs_kernel = pytest.mark.skipif(kernel.BUILT is None, reason=f"kernel {kernel.REASON}")


def test_the_kernel_is_built() -> None:
    """A development install (`make test` on a fresh clone) compiles the kernel."""
    assert kernel.BUILT is not None, f"the compiled kernel is {kernel.REASON}"


def python(code: str, **env: str) -> str:
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, env={**os.environ, **env})
    return out.stdout


def test_nntui_kernel_off_switches_the_default_to_python() -> None:
    code = ("from nntui.engine import kernel; from nntui.lab.experiment import Experiment;"
            "from nntui.lab.config import ExperimentConfig;"
            "print(kernel.AVAILABLE, kernel.PATH, Experiment.build(ExperimentConfig())"
            ".trainer.path, kernel.describe())")
    off = python(code, NNTUI_KERNEL="off").split(maxsplit=3)
    assert off[:3] == ["False", "python", "python"] and "NNTUI_KERNEL=off" in off[3]
    if kernel.BUILT is not None:
        assert python(code, NNTUI_KERNEL="").split()[:4] == ["True", "compiled", "compiled",
                                                            "compiled"]


@pytest.mark.parametrize("args", [[], ["--activation", "tanh", "--batch-size", "4",
                                       "--shuffle", "--hidden", "3", "--epochs", "40"]])
def test_a_whole_run_gives_the_same_document_on_both_paths(args: list[str]) -> None:
    code = ("import sys; from nntui.cli import main;"
            f"sys.exit(main(['run', '--json', '--no-save', *{args!r}]))")
    docs = [json.loads(python(code, NNTUI_KERNEL=switch)) for switch in ("", "off")]
    assert [doc.pop("training") for doc in docs] == [{"path": "compiled"},
                                                      {"path": "python"}]
    for doc in docs:
        doc.pop("nntui", None)
    assert docs[0] == docs[1]


def test_installing_without_a_compiler_still_succeeds(tmp_path: Path) -> None:
    """setup.py marks the extension optional: a failed compile is a warning, not an error."""
    pytest.importorskip("setuptools")  # in the venv up to Python 3.11 (pip builds in its own)
    proc = subprocess.run(
        [sys.executable, "setup.py", "-q", "build_ext", "--build-lib", str(tmp_path / "lib"),
         "--build-temp", str(tmp_path / "tmp")],
        cwd=ROOT, capture_output=True, text=True, env={**os.environ, "CC": "false"})
    assert proc.returncode == 0, proc.stderr
    assert not list(tmp_path.rglob("_kernel*")) and "_kernel" in proc.stderr


def test_a_kernel_older_than_its_source_is_not_used(tmp_path: Path) -> None:
    edited = tmp_path / "_kernel.c"
    edited.write_text("/* edited since the build */\n")
    module, reason = kernel._load((kernel.SOURCES[0], str(edited)))
    if kernel.BUILT is None:
        assert module is None and "not built" in reason
    else:
        assert module is None and "older" in reason
        assert kernel._load() == (kernel.BUILT, "")


def trainer(compiled: bool, **kw: object) -> Trainer:
    rng = np.random.default_rng(5)
    x, y = rng.random((30, 2)), rng.random(30)
    arch = Architecture(2, 3, "sigmoid")
    return Trainer(arch, rng.normal(0, 1, arch.n_params), x[:24], y[:24], x[24:], y[24:],
                   lr=0.1, compiled=compiled, **kw)  # type: ignore[arg-type]


@needs_kernel
@pytest.mark.parametrize("batch_size", [1, 5])
def test_a_chunk_cut_short_by_the_clock_winds_the_shuffle_back(batch_size: int) -> None:
    """Orders drawn for epochs that did not run are given back to the generator."""
    fast, ref = trainer(True, shuffle=True, batch_size=batch_size), trainer(
        False, shuffle=True, batch_size=batch_size)
    fast._epoch_seconds = 1e-15  # sizes the chunk to many epochs ...
    assert compiled.chunk_size(fast, 50, 1e-12) == 50
    records = compiled.compiled_epochs(fast, 50, 1e-12)  # ... but the time is up at once
    assert len(records) == 1
    ref.epoch()
    for _ in range(3):
        fast.epoch()
        ref.epoch()
    assert fast.theta.tobytes() == ref.theta.tobytes() and fast.train_loss == ref.train_loss
    assert fast.rng.bit_generator.state == ref.rng.bit_generator.state


@needs_kernel
def test_the_kernel_refuses_arguments_that_do_not_fit() -> None:
    k = kernel.BUILT
    assert k is not None
    theta, x, y = np.zeros(9), np.zeros((4, 2)), np.zeros(4)
    out, no_order = (np.zeros(9), np.zeros(1), np.zeros(1)), np.zeros(0, dtype=np.int64)

    def train(theta: np.ndarray = theta, x: np.ndarray = x, order: np.ndarray = no_order,
              n: int = 2, pos: int = 0) -> object:
        return k.train(theta, x, y, x[:0], y[:0], order, pos, 1, 1, n, 2, 0, 0.1, 1e3, 0.0,
                       *out)

    assert train() == (1, 4, 0, kernel.DONE)
    for bad in ({"theta": np.zeros(8)}, {"x": np.zeros((4, 3))}, {"n": 3}, {"pos": 5},
                {"order": np.array([0, 1, 2, 4])}, {"order": np.array([0, 1, 2])}):
        with pytest.raises(ValueError):
            train(**bad)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        k.mean_loss(theta, x[:0], y[:0], 2, 2, 0)
    with pytest.raises(ValueError):
        k.mean_loss(theta, x, y, 2, 2, 7)
    assert k.mean_loss(theta, x, y + 2.0, 2, 2, 0) == 4.0
