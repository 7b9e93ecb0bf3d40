"""The layers stay apart: engine (numpy only) < lab (files, runs, sweeps) < ui and cli.

Each rule imports every module of a layer in a fresh interpreter and looks at what ended
up in `sys.modules`. The modules are found with pkgutil, so a new module is covered as
soon as it exists.
"""

from __future__ import annotations

import json
import pkgutil
import subprocess
import sys

import pytest

import nntui.engine
import nntui.lab


def modules_of(package: object) -> list[str]:
    """The package and every module below it."""
    name = package.__name__  # type: ignore[attr-defined]
    found = pkgutil.walk_packages(package.__path__, prefix=name + ".")  # type: ignore[attr-defined]
    return [name, *sorted(m.name for m in found)]


def loaded_by(modules: list[str]) -> dict[str, list[str]]:
    """Import the modules in turn in one fresh interpreter: for each, the modules its
    import added to `sys.modules` (so an offence is shown next to the import that made
    it)."""
    code = (
        "import importlib, json, sys\n"
        "out = {}\n"
        "for name in json.loads(sys.argv[1]):\n"
        "    before = set(sys.modules)\n"
        "    importlib.import_module(name)\n"
        "    out[name] = sorted(set(sys.modules) - before)\n"
        "print(json.dumps(out))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code, json.dumps(modules)],
                          capture_output=True, text=True, check=True)
    return json.loads(proc.stdout)


def offenders(loaded: dict[str, list[str]], forbidden: set[str]) -> dict[str, list[str]]:
    """module -> the forbidden packages (or nntui layers) its import loaded."""
    found = {name: sorted({f for f in forbidden for m in mods
                           if m == f or m.startswith(f + ".")})
             for name, mods in loaded.items()}
    return {name: bad for name, bad in found.items() if bad}


ENGINE_FORBIDDEN = {"nntui.lab", "nntui.ui", "nntui.cli", "textual", "rich", "pandas",
                    "sklearn", "platformdirs", "multiprocessing"}
LAB_FORBIDDEN = {"nntui.ui", "nntui.cli", "textual", "rich", "pandas", "sklearn"}
CLI_FORBIDDEN = {"textual", "pandas", "sklearn", "numpy"}


def test_the_module_lists_are_complete() -> None:
    assert {"nntui.engine.trainer", "nntui.engine.network"} <= set(modules_of(nntui.engine))
    assert {"nntui.lab.session", "nntui.lab.sweep", "nntui.lab.data"} <= set(
        modules_of(nntui.lab))


def test_the_check_sees_a_forbidden_import() -> None:
    """The rule itself works: a module that loads numpy is caught."""
    loaded = loaded_by(["nntui.engine.trainer"])
    assert offenders(loaded, {"numpy"}) == {"nntui.engine.trainer": ["numpy"]}


@pytest.mark.parametrize(("package", "forbidden"), [
    (nntui.engine, ENGINE_FORBIDDEN),
    (nntui.lab, LAB_FORBIDDEN),
], ids=["engine", "lab"])
def test_a_layer_loads_nothing_above_it(package: object, forbidden: set[str]) -> None:
    loaded = loaded_by(modules_of(package))
    assert offenders(loaded, forbidden) == {}


def test_the_command_line_loads_no_heavy_module() -> None:
    """`nntui --help` and every command start without textual, pandas, sklearn or numpy:
    each command imports what it needs when it runs."""
    loaded = loaded_by(["nntui.cli"])
    assert offenders(loaded, CLI_FORBIDDEN) == {}


#: Modules the first screen's path outside the UI does not need, imported where a rarer
#: path uses them: reading a --config file (tomllib), ready experiments outside a plain
#: folder (importlib.resources, zipfile), reading or saving runs (json, tempfile, signal,
#: lab.rundoc). Each costs milliseconds that every start would pay.
FIRST_SCREEN_LAZY = {"tomllib", "importlib.resources", "zipfile", "json", "tempfile",
                     "signal", "nntui.lab.rundoc"}

#: What `nntui` does before the app starts (the parser, the default experiment), then the
#: session the app builds for its first screen, on a results folder given (the default
#: one is found by platformdirs, which Textual loads anyway). numpy is loaded first: only
#: what nntui's own modules load is looked at.
FIRST_SCREEN = """
import sys
import numpy
before = set(sys.modules)
from nntui.cli import build_parser, config_from_args
from nntui.lab.history import RunHistory
from nntui.lab.runs import RunStore
from nntui.lab.session import Session
import nntui.engine.trainer, nntui.lab.experiment, nntui.lab.storage

cfg = config_from_args(build_parser().parse_args([]))
session = Session(cfg, None, history=RunHistory(RunStore(sys.argv[1])))
session.experiment.trainer.step()
loaded = sorted(set(sys.modules) - before)
import json
print(json.dumps(loaded))
"""


def test_the_first_screen_path_loads_no_rarely_needed_module(tmp_path: object) -> None:
    proc = subprocess.run([sys.executable, "-c", FIRST_SCREEN, str(tmp_path)],
                          capture_output=True, text=True, check=True)
    loaded = json.loads(proc.stdout)
    assert "nntui.lab.session" in loaded and "argparse" in loaded  # the path did run
    assert offenders({"first screen": loaded}, FIRST_SCREEN_LAZY) == {}


def test_the_lazy_modules_are_loaded_where_they_are_used(tmp_path: object) -> None:
    """The check above sees them: reading a ready experiment and saving a run load them."""
    code = FIRST_SCREEN.replace("parse_args([])", "parse_args(['--config', 'lr-sweep'])") \
        .replace("session.experiment.trainer.step()",
                 "session.history.store.save(session.experiment.document(), 'run')")
    proc = subprocess.run([sys.executable, "-c", code, str(tmp_path)],
                          capture_output=True, text=True, check=True)
    loaded = json.loads(proc.stdout)
    assert offenders({"run": loaded}, FIRST_SCREEN_LAZY) == {
        "run": sorted(FIRST_SCREEN_LAZY - {"importlib.resources", "zipfile"})}
