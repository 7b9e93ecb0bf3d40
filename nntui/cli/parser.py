"""The argument parser, derived from the option registry (every command shares it)."""

from __future__ import annotations

import argparse
import functools
import sys
import textwrap
from typing import Any, NoReturn

from nntui import __version__
from nntui.lab.config import OPTIONS, ExperimentConfig
from nntui.lab.options import Option

EXIT_USAGE = 2


def option_help(opt: Option) -> str:
    """The option's help with its default, as `--help` shows it."""
    default = getattr(ExperimentConfig(), opt.key)
    if default is None or default == {}:
        return opt.help
    return f"{opt.help} (default {opt.format(default)})"


class Parser(argparse.ArgumentParser):
    """argparse that reports mistakes as one `nntui: error:` line (no usage dump)."""

    def error(self, message: str, prog: str = "") -> NoReturn:
        """The help named is the one of the (sub)command that failed: `nntui runs rm`
        without an id points to `nntui runs rm --help` (its prog), not to nntui's own."""
        if message.endswith("expected one argument"):  # `--noise-range -1,1`: argparse
            flag = message.split()[1].rstrip(":").split("/")[-1]
            message += f" (for a value that starts with '-', write {flag}=VALUE)"
        fail(f"{message} (see '{prog or self.prog} --help')")

    def parse_known_args(self, args: Any = None, namespace: Any = None) -> Any:
        """Note the innermost (sub)command parsed (`HELP_OF`): a subcommand's namespace is
        copied into its parent's after it, so the first one to set it is the deepest."""
        ns, extras = super().parse_known_args(args, namespace)
        if not hasattr(ns, HELP_OF):
            setattr(ns, HELP_OF, self.prog)
        return ns, extras

    def parse_args(self, args: Any = None, namespace: Any = None) -> Any:
        """As argparse's, but an unknown option is reported with the help of the command
        it was given to (`nntui run --nope`: see 'nntui run --help')."""
        ns, extras = self.parse_known_args(args, namespace)
        prog = getattr(ns, HELP_OF, self.prog)
        delattr(ns, HELP_OF)
        if extras:
            self.error(f"unrecognized arguments: {' '.join(extras)}", prog)
        return ns


#: The namespace attribute where Parser notes the innermost command parsed.
HELP_OF = "_help_of"


def fail(message: str) -> NoReturn:
    print(f"nntui: error: {one_line(message)}", file=sys.stderr)
    raise SystemExit(EXIT_USAGE)


def printable(text: str) -> str:
    """Text for a terminal, lines kept: user text inside it (a CSV header, a run label)
    can never move the cursor or clear the screen; its control characters are escaped."""
    return "\n".join(map(one_line, text.split("\n")))


def one_line(text: str) -> str:
    """Text for one line of a terminal: user text (a value, a file name, a CSV header)
    may hold newlines or escape sequences; they are shown escaped (`\\n`, `\\x1b`)."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii")
                   for c in text)


#: The groups of `--help`, from each option's sidebar panel (the app's Data, Initial
#: weights and Learning panels), so an option's group is part of its one registry entry.
GROUPS = {"data": "data", "init": "initial weights", "learn": "network and training"}


@functools.cache
def config_help() -> str:
    """--config's help, naming the ready experiments (`nntui presets`); once per process."""
    from nntui.lab.config import presets

    return ("read settings from a TOML file, or a ready experiment by name: "
            f"{', '.join(presets())} (see 'nntui presets'); flags override it")


def add_experiment_options(parser: argparse.ArgumentParser, save_config: bool = True) -> None:
    """Every option of the registry, grouped as the sidebar is; absent ones stay absent
    (SUPPRESS), so a --config file's values are only overridden by flags actually given."""
    groups = {panel: parser.add_argument_group(f"{title} options")
              for panel, title in GROUPS.items()}
    for opt in OPTIONS.values():  # every option of the registry, in its order
        group = groups[opt.panel]
        if opt.kind == "bool":
            group.add_argument(opt.flag, dest=opt.key, action=argparse.BooleanOptionalAction,
                               default=argparse.SUPPRESS, help=option_help(opt))
        else:  # a repeated --set adds to the earlier ones (the option's parser merges)
            group.add_argument(opt.flag, dest=opt.key, metavar=opt.metavar,
                               help=option_help(opt), default=argparse.SUPPRESS,
                               action="append" if opt.kind == "assignments" else "store")
    files = parser.add_argument_group("settings files")
    files.add_argument("--config", metavar="FILE.toml", default=argparse.SUPPRESS,
                       help=config_help())
    files.add_argument("--save-config", metavar="FILE.toml", default=argparse.SUPPRESS,
                       help="write the resulting settings to a TOML file" if save_config
                       else argparse.SUPPRESS)


RESULTS_HELP = ("where runs are saved (default: the user's data directory, "
                "e.g. ~/.local/share/nntui/runs)")


def add_results_options(parser: argparse.ArgumentParser, mode: str) -> None:
    """--results and --no-save where they mean something; elsewhere still accepted (so a
    script written for any command keeps working) but not offered in help or completion.

    mode: "save" (the command saves runs), "run" (`nntui run`: also --save, since --json
    does not save by default), "read" (it reads saved runs) or "" (it uses none).
    """
    hidden = argparse.SUPPRESS
    group = parser.add_argument_group("results")
    group.add_argument("--results", metavar="DIR", default=argparse.SUPPRESS,
                       help=RESULTS_HELP if mode else hidden)
    saving = group.add_mutually_exclusive_group() if mode == "run" else group
    if mode == "run":
        saving.add_argument("--save", action="store_true", default=argparse.SUPPRESS,
                            help="save the run even with --json")
    saving.add_argument("--no-save", action="store_true", default=argparse.SUPPRESS,
                        help="do not save runs" if mode in ("save", "run") else hidden)


class VersionAction(argparse.Action):
    """`nntui --version`: the version and the training path (compiled kernel or Python)."""

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace,
                 values: object, option_string: str | None = None) -> None:
        from nntui.engine.kernel import describe

        print(f"nntui {__version__} ({describe()})")
        raise SystemExit(0)


def ascii_argument(p: argparse.ArgumentParser) -> None:
    """`--ascii`, for the commands that open the app."""
    p.add_argument("--ascii", action="store_true", default=False,
                   help="the app draws with ASCII only (automatic on TERM=linux, vt100)")


class HelpFormatter(argparse.RawDescriptionHelpFormatter):
    """Option help wrapped at spaces only: `wide-range-lr1` stays one word in the list of
    ready experiments."""

    def _split_lines(self, text: str, width: int) -> list[str]:
        return textwrap.wrap(" ".join(text.split()), width, break_on_hyphens=False)


def build_parser() -> Parser:
    """`nntui [OPTIONS]` (the app) and every subcommand of subcommands.SUBCOMMANDS."""
    from nntui.cli.subcommands import SUBCOMMANDS, examples_text

    formatter = HelpFormatter
    parser = Parser(
        prog="nntui", formatter_class=formatter,
        description=textwrap.fill("Single-step the mathematics of a small neural network. "
                                  "With no command, open the app on these settings.", 78),
        epilog=examples_text(("nntui  # the app, the notebook's experiment",
                              "nntui --config wide-range --lr 0.01",
                              "nntui run --help  # a command's options and examples")))
    parser.add_argument("--version", action=VersionAction, nargs=0,
                        help="show the version and which training path runs, then exit")
    ascii_argument(parser)
    add_experiment_options(parser)
    add_results_options(parser, "save")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for spec in SUBCOMMANDS:
        text = [f"{spec.help[0].upper()}{spec.help[1:]}.", spec.description]
        p = sub.add_parser(spec.name, help=spec.help, formatter_class=formatter,
                           description="\n\n".join(textwrap.fill(t, 78) for t in text if t),
                           epilog=examples_text(spec.examples))
        if spec.arguments is not None:
            spec.arguments(p)
        if spec.experiment:
            add_experiment_options(p, spec.save_config)
        if spec.results != "own":  # "own": the command defines --results itself
            add_results_options(p, spec.results)
    return parser
