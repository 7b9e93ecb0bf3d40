"""What a shell user looks up or sets up: the ready experiments and completion scripts."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from nntui.cli.parser import build_parser, printable
from nntui.errors import UserError
from nntui.lab.config import OPTIONS, preset_description, presets

#: Options whose value is a file or a folder: completed as paths by every shell.
PATH_METAVARS = {"PATH": "file", "FILE.toml": "file", "FILE": "file", "DIR": "directory"}


def cmd_presets(ns: argparse.Namespace) -> int:
    """List the ready experiments with their descriptions, or print one's TOML."""
    found = presets()
    if ns.name is not None:
        preset = found.get(ns.name.removesuffix(".toml"))
        if preset is None:
            raise UserError(f"no ready experiment {ns.name!r}; there are "
                            f"{', '.join(found)} (see 'nntui presets')")
        sys.stdout.write(preset.read_text(encoding="utf-8"))
        return 0
    width = max(map(len, found), default=0)
    for name, preset in found.items():
        print(printable(f"{name:<{width}}  {preset_description(preset)}"))
    print("\nUse one by name with --config NAME (the app, run, sweep, ...) or ctrl+o in\n"
          "the app; 'nntui presets NAME' prints its TOML, to copy and edit.")
    return 0


def cmd_completion(ns: argparse.Namespace) -> int:
    """The completion script for `ns.shell`, generated from the parser itself (shtab)."""
    import shtab

    parser = build_parser()
    kinds = {"file": shtab.FILE, "directory": shtab.DIRECTORY, "config": config_completion()}
    for action in walk_actions(parser):  # this parser only writes the script: safe to add
        kind = "config" if "--config" in action.option_strings else \
            PATH_METAVARS.get(str(action.metavar))
        if kind is not None:
            action.complete = kinds[kind]  # type: ignore[attr-defined]
        if action.dest in OPTIONS and OPTIONS[action.dest].kind == "choice":
            action.choices = OPTIONS[action.dest].choices  # --activation <TAB>: the names
    print(shtab.complete(parser, shell=ns.shell), end="")
    return 0


def walk_actions(parser: argparse.ArgumentParser) -> list[argparse.Action]:
    """Every argument of the parser and of its subcommands, at any depth."""
    found: list[argparse.Action] = []
    for action in parser._actions:
        found.append(action)
        if isinstance(action, argparse._SubParsersAction):
            for sub in dict.fromkeys(action.choices.values()):  # aliases: once
                found += walk_actions(sub)
    return found


def config_completion() -> dict[str, Any]:
    """shtab's custom completion for --config: the ready experiments' names (from
    presets(), written into the script) as well as files, in each shell's own way."""
    names = " ".join(presets())
    return {
        "bash": "_shtab_nntui_config_compgen",
        "zsh": "_shtab_nntui_config",
        "fish": f"(__fish_complete_path (commandline -ct)) {names}",
        "preamble": {
            "bash": ("_shtab_nntui_config_compgen() {\n"
                     f'  compgen -W "{names}" -- "$1"\n'
                     '  _shtab_compgen_files "$1"\n}\n'),
            "zsh": ("_shtab_nntui_config() {\n"
                    f"  _alternative 'presets:ready experiment:({names})' 'files:file:_files'"
                    "\n}\n"),
        },
    }
