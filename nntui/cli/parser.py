"""The argument parser, derived from the option registry (every command shares it)."""

from __future__ import annotations

import argparse
import sys
from typing import NoReturn

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

    def error(self, message: str) -> NoReturn:
        if message.endswith("expected one argument"):  # `--noise-range -1,1`: argparse
            flag = message.split()[1].rstrip(":").split("/")[-1]
            message += f" (for a value that starts with '-', write {flag}=VALUE)"
        fail(f"{message} (see 'nntui --help')")


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


def experiment_options() -> Parser:
    """The options every command shares; absent options stay absent (SUPPRESS)."""
    common = Parser(add_help=False)
    group = common.add_argument_group("experiment options")
    for opt in OPTIONS.values():  # every option of the registry, in its order
        if opt.kind == "bool":
            group.add_argument(opt.flag, dest=opt.key, action=argparse.BooleanOptionalAction,
                               default=argparse.SUPPRESS, help=option_help(opt))
        else:
            group.add_argument(opt.flag, dest=opt.key, metavar=opt.metavar,
                               help=option_help(opt), default=argparse.SUPPRESS)
    group.add_argument("--config", metavar="FILE.toml", default=argparse.SUPPRESS,
                       help="read settings from a TOML file (flags override it)")
    group.add_argument("--save-config", metavar="FILE.toml", default=argparse.SUPPRESS,
                       help="write the resulting settings to a TOML file")
    add_results_options(common)
    return common


def add_results_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("results")
    group.add_argument("--results", metavar="DIR", default=argparse.SUPPRESS,
                       help="where runs are saved (default: the user's data directory, "
                       "e.g. ~/.local/share/nntui/runs)")
    group.add_argument("--no-save", action="store_true", default=argparse.SUPPRESS,
                       help="do not save runs")


class VersionAction(argparse.Action):
    """`nntui --version`: the version and the training path (compiled kernel or Python)."""

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace,
                 values: object, option_string: str | None = None) -> None:
        from nntui.engine.kernel import describe

        print(f"nntui {__version__} ({describe()})")
        raise SystemExit(0)


def build_parser() -> Parser:
    common = experiment_options()
    parser = Parser(
        prog="nntui", parents=[common],
        description="Single-step the mathematics of a small neural network. With no "
        "command, open the app on these settings.",
    )
    parser.add_argument("--version", action=VersionAction, nargs=0,
                        help="show the version and which training path runs, then exit")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    run = sub.add_parser("run", parents=[common], help="train headless and print a summary",
                         description="Train headless; print a summary or one JSON document.")
    run.add_argument("--json", action="store_true", help="print one JSON document")
    step = sub.add_parser(
        "step", parents=[common], help="print a worked example of SGD steps",
        description="The forward pass, the chain rule and the update for one training "
        "sample, from the initial parameters (for handouts and lab reports).")
    step.add_argument("--sample", metavar="I", default="0",
                      help="training row to start from (0-based, in order; default 0)")
    step.add_argument("--steps", metavar="N", default=None,
                      help="apply N consecutive steps from sample I and print each")
    out = step.add_mutually_exclusive_group()
    out.add_argument("--markdown", action="store_true", help="print Markdown")
    out.add_argument("--json", action="store_true", help="print one JSON object")
    sweep = sub.add_parser(
        "sweep", parents=[common], help="run a grid of experiments (both cores)",
        description="Give options several values to sweep over them: --lr 0.005,0.01,0.1 "
        "--init large,small. Ranges, features and --set separate alternatives with ';': "
        "--n1-range '0,5;0,20'. Each run is saved as it finishes.")
    sweep.add_argument("--json", action="store_true",
                       help='print {"runs": [...]}, each exactly as `nntui run --json`')
    sweep.add_argument("--plot", action="store_true", help="draw the overlaid loss curves")
    sweep.add_argument("--log", action="store_true", help="log scale for --plot")
    sweep.add_argument("--workers", metavar="N", default="auto",
                       help="processes (default auto: a second one only for long grids "
                       "on an idle core)")
    compare = sub.add_parser(
        "compare-sklearn", parents=[common],
        help="train the same start with scikit-learn's MLPRegressor and compare",
        description="The framework check: the same architecture, initial weights and "
        "matching learning rate (2*lr: its loss is half the squared error).")
    compare.add_argument("--json", action="store_true", help="print one JSON object")
    compare.add_argument("--log", action="store_true", help="log scale for the plot")
    conventions = sub.add_parser(
        "conventions", parents=[common],
        help="one run's epoch-1 loss as nntui, scikit-learn, Keras and PyTorch report it",
        description="Epoch 1 replayed from the initial weights: the loss each tool reports "
        "(after vs before the updates, L vs ½L), the learning rate each needs for the same "
        "updates, and the mean-vs-sum rule for mini-batches. Computed from the run.")
    conventions.add_argument("--json", action="store_true", help="print one JSON object")
    runs = sub.add_parser("runs", help="list the saved runs")
    add_results_options(runs)
    export = sub.add_parser("export", help="export runs as CSV, JSON or a Markdown report")
    export.add_argument("ids", nargs="*", metavar="RUN",
                        help="run ids or unique prefixes (default: the newest, 'last')")
    export.add_argument("--format", choices=("csv", "json", "md"), default="md",
                        help="csv: loss histories; json: the documents; md: a lab report")
    export.add_argument("-o", "--output", metavar="FILE", help="write to FILE (atomically)")
    add_results_options(export)
    return parser


