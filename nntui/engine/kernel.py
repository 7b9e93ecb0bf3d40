"""The compiled training kernel (`_kernel.c`), where this install has one.

setup.py builds it as an optional extension: without a C compiler nntui installs anyway and
trains with the generated Python loop (`fastloop`). Both make the same floating-point
operations in the same order, so a run's parameters and losses do not depend on which one
trained (tests/test_equivalence.py). The compiled one is ~20x faster per step.

- `AVAILABLE`: trainers use the kernel by default (it is built, matches `_kernel.c`, and
  the environment variable NNTUI_KERNEL is not `off`); `REASON` says why not; `BUILT` is
  the extension module itself (or None).
- `PATH`: "compiled" or "python", the path a default trainer takes; `describe()` is the
  line for `nntui --version`.

No numpy here: the command line reads these names before numpy is loaded. Loading the
extension costs well under a millisecond.
"""

from __future__ import annotations

import os
import zlib
from types import ModuleType

ENV = "NNTUI_KERNEL"
OFF = ("off", "0", "no", "false", "python")
#: The activations the kernel implements, with its code for each.
ACTIVATION_CODES = {"relu": 0, "sigmoid": 1, "tanh": 2, "linear": 3}
#: Status codes of `_kernel.train`.
DONE, NONFINITE_PARAM, NONFINITE_LOSS, BLOW_UP = 0, 1, 2, 3
#: The kernel's source files, in the order setup.py reads them for the CRC.
SOURCES = tuple(os.path.join(os.path.dirname(__file__), name)
                for name in ("_kernel_sgd.h", "_kernel.c"))


def _load(sources: tuple[str, ...] = SOURCES) -> tuple[ModuleType | None, str]:
    """The extension module if it is built from `sources` as they are now, or None and why.

    An installed wheel may have no source beside it; a development tree has, and an edit
    to it without a rebuild must not test or run the old kernel.
    """
    try:
        from nntui.engine import _kernel
    except ImportError:
        return None, "not built (no C compiler when nntui was installed)"
    crc = 0
    try:
        for path in sources:
            with open(path, "rb") as f:
                crc = zlib.crc32(f.read(), crc)
    except OSError:  # an installed wheel without the source
        return _kernel, ""
    if crc != _kernel.SOURCE_CRC:
        return None, "built from an older _kernel.c (reinstall: pip install -e .)"
    return _kernel, ""


#: The built extension (None if not built); `Trainer(compiled=True)` uses it even when
#: NNTUI_KERNEL=off, which only changes the default.
BUILT, REASON = _load()
if BUILT is not None and os.environ.get(ENV, "").strip().lower() in OFF:
    REASON = f"switched off by {ENV}={os.environ[ENV]}"
AVAILABLE = BUILT is not None and not REASON
PATH = "compiled" if AVAILABLE else "python"


def describe() -> str:
    """What trains, for `nntui --version`: 'compiled kernel' or 'pure Python: the kernel is
    switched off by NNTUI_KERNEL=off' (or not built, or older than its source)."""
    return "compiled kernel" if AVAILABLE else f"pure Python: the kernel is {REASON}"


def supports(activation: str) -> bool:
    """The kernel implements this activation (a new one trains in Python until it does)."""
    return activation in ACTIVATION_CODES
