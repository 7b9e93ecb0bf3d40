"""Command line: `nntui [OPTIONS]` opens the app; `nntui run` and friends work headless.

Every user mistake ends as one line `nntui: error: ...` on stderr and exit status 2.
Heavy modules (textual, pandas, scikit-learn) are imported only by the command that needs
them. The options come from the registry (lab/config.py), through parser.py.
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any

from nntui.cli import startup
from nntui.cli.commands import cmd_app, config_from_args
from nntui.cli.parser import build_parser, fail
from nntui.errors import UserError


def main(argv: Sequence[str] | None = None) -> int:
    """Parse, then call the command's handler (subcommands.SUBCOMMANDS; none: the app)."""
    from nntui.cli.subcommands import BY_NAME

    ns = build_parser().parse_args(argv)
    try:
        if ns.command is None:
            return cmd_app(config_from_args(ns), ns)
        spec = BY_NAME[ns.command]
        module, _, function = spec.handler.partition(":")
        handler: Callable[..., int] = getattr(importlib.import_module(module), function)
        startup.resume()
        return handler(config_from_args(ns), ns) if spec.config else handler(ns)
    except UserError as exc:
        fail(str(exc))
    except KeyboardInterrupt:
        return 130
    finally:
        startup.resume()  # collecting again whichever way the command ends


def entry(argv: Sequence[str] | None = None) -> Any:
    """Console-script entry point (the collector waits while nntui starts: startup.py)."""
    startup.pause()
    for stream in (sys.stdout, sys.stderr):  # a file name that is not UTF-8 still prints
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
    try:
        code = main(argv)
        sys.stdout.flush()
    except BrokenPipeError:  # `nntui step | head`: the reader left; that is not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        code = 0
    raise SystemExit(code)


if __name__ == "__main__":
    entry()
