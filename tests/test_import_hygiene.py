"""core never imports textual; nothing heavy is imported before it is needed."""

from __future__ import annotations

import subprocess
import sys


def loaded_after(statement: str) -> set[str]:
    code = f"{statement}\nimport sys\nprint('\\n'.join(sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    return {name.split(".")[0] for name in out.stdout.split()}


def test_core_does_not_import_textual_pandas_or_sklearn() -> None:
    stmt = ("import nntui.engine, nntui.lab.experiment, nntui.engine.trainer, "
            "nntui.lab.report, nntui.lab.framework, nntui.lab.data")
    mods = loaded_after(stmt)
    assert "nntui" in mods and "numpy" in mods
    assert not {"textual", "pandas", "sklearn", "rich"} & mods


def test_cli_module_is_light() -> None:
    mods = loaded_after("import nntui.cli")
    assert not {"textual", "pandas", "sklearn"} & mods
