"""Command line: `nntui [OPTIONS]` opens the app; `nntui run` and friends work headless.

Every user mistake ends as one line `nntui: error: ...` on stderr and exit status 2.
Heavy modules (textual, pandas, scikit-learn) are imported only by the command that needs
them. The options come from the registry (lab/config.py), through parser.py.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any

from nntui.cli.commands import cmd_app, cmd_run, cmd_step, config_from_args
from nntui.cli.parser import build_parser, fail
from nntui.errors import UserError
from nntui.lab.config import ExperimentConfig


def cmd_compare(cfg: ExperimentConfig, ns: argparse.Namespace) -> int:
    """`nntui compare-sklearn` (its module is imported only when asked for)."""
    from nntui.cli.experiments import cmd_compare as compare

    return compare(cfg, ns)


def cmd_conventions(cfg: ExperimentConfig, ns: argparse.Namespace) -> int:
    """`nntui conventions`: one run's loss under each tool's convention."""
    from nntui.cli.experiments import cmd_conventions as conventions

    return conventions(cfg, ns)


COMMANDS: dict[str | None, Callable[[ExperimentConfig, argparse.Namespace], int]] = {
    None: cmd_app,
    "run": cmd_run,
    "step": cmd_step,
    "compare-sklearn": cmd_compare,
    "conventions": cmd_conventions,
}


def main(argv: Sequence[str] | None = None) -> int:
    ns = build_parser().parse_args(argv)
    try:
        if ns.command == "serve":
            from nntui.cli.serve import cmd_serve

            return cmd_serve(ns)
        if ns.command in ("sweep", "runs", "export"):
            from nntui.cli import experiments as ex

            if ns.command == "sweep":
                return ex.cmd_sweep(ns)
            from nntui.cli import history

            return history.cmd_runs(ns) if ns.command == "runs" else history.cmd_export(ns)
        cfg = config_from_args(ns)
        return COMMANDS[ns.command](cfg, ns)
    except UserError as exc:
        fail(str(exc))
    except KeyboardInterrupt:
        return 130


def entry(argv: Sequence[str] | None = None) -> Any:
    """Console-script entry point."""
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
