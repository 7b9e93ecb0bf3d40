"""Every subcommand in one table: its one-line help, examples, options and handler.

parser.py builds `--help`, the parsers and shell completion from `SUBCOMMANDS`, and
cli/__init__.py dispatches through it, so a new subcommand is one `Subcommand(...)` entry
here (plus its handler module). Handlers are named as "module:function" and imported only
when their command runs, so `nntui --help` and the app's start stay light.
"""

from __future__ import annotations

import argparse
import textwrap
from collections.abc import Callable
from dataclasses import dataclass

from nntui.cli.drill import drill_arguments
from nntui.cli.parser import add_results_options, ascii_argument
from nntui.cli.serve import serve_arguments


@dataclass(frozen=True)
class Subcommand:
    """One `nntui NAME`.

    `experiment`: it takes every experiment option (data, initial weights, training,
    --config); `save_config`: and --save-config. `results`: "save" (--results, --no-save),
    "read" (--results), "own" (the command's own --results) or "" (none shown).
    `config`: the handler is called as
    handler(cfg, ns) with the experiment the options describe, else handler(ns).
    """

    name: str
    help: str  # one line, for `nntui --help`
    examples: tuple[str, ...]  # "nntui ...  # what it does": 2-3 of them
    handler: str  # "package.module:function"
    description: str = ""  # more than `help`, for `nntui NAME --help`
    experiment: bool = True
    save_config: bool = True
    results: str = ""
    config: bool = True
    arguments: Callable[[argparse.ArgumentParser], None] | None = None


def run_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", action="store_true",
                   help="print one JSON document (docs/design.md §5); not saved unless --save")


def step_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--sample", metavar="I", default="0",
                   help="training row to start from (0-based, in order; default 0)")
    p.add_argument("--steps", metavar="N", default=None,
                   help="apply N consecutive steps from sample I and print each")
    out = p.add_mutually_exclusive_group()
    out.add_argument("--markdown", action="store_true", help="print Markdown")
    out.add_argument("--json", action="store_true", help="print one JSON object")


def sweep_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", action="store_true",
                   help='print {"runs": [...]}, each exactly as `nntui run --json`')
    p.add_argument("--plot", action="store_true", help="draw the overlaid loss curves")
    p.add_argument("--log", action="store_true", help="log scale for --plot")
    p.add_argument("--workers", metavar="N", default="auto",
                   help="processes (default auto: a second one only for long grids "
                   "on an idle core)")


def compare_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--log", action="store_true", help="log scale for the plot")


def json_argument(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", action="store_true", help="print one JSON object")


def runs_arguments(p: argparse.ArgumentParser) -> None:
    actions = p.add_subparsers(dest="action", metavar="ACTION")
    raw = argparse.RawDescriptionHelpFormatter
    rm = actions.add_parser(
        "rm", help="delete saved runs by id", formatter_class=raw,
        description=textwrap.fill("Delete the named runs. Every id is checked first: an "
                                  "unknown one deletes nothing.", 78),
        epilog=examples_text(("nntui runs rm 20261129-141841-001",
                              "nntui runs rm last  # the newest run")))
    rm.add_argument("ids", nargs="+", metavar="RUN",
                    help="run ids or unique prefixes ('last' is the newest)")
    add_results_options(rm, "read")
    prune = actions.add_parser(
        "prune", help="delete all but the newest N runs", formatter_class=raw,
        description=textwrap.fill("Delete the oldest runs, keeping the newest N. Only run "
                                  "files that nntui wrote are touched; damaged or foreign "
                                  "files are left alone.", 78),
        epilog=examples_text(("nntui runs prune --keep 20",
                              "nntui runs prune --keep 0 --dry-run  # what would go")))
    prune.add_argument("--keep", metavar="N", required=True, help="how many newest runs to keep")
    prune.add_argument("--dry-run", action="store_true", help="only list what would be deleted")
    add_results_options(prune, "read")


def export_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("ids", nargs="*", metavar="RUN",
                   help="run ids or unique prefixes (default: the newest, 'last')")
    p.add_argument("--format", choices=("csv", "json", "md"), default="md",
                   help="csv: loss histories; json: the documents; md: a lab report")
    p.add_argument("-o", "--output", metavar="FILE", help="write to FILE (atomically)")


def presets_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("name", nargs="?", metavar="NAME",
                   help="print this ready experiment's TOML (to copy and edit)")


def completion_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("shell", metavar="SHELL", choices=("bash", "zsh", "fish"),
                   help="bash, zsh or fish")


def examples_text(examples: tuple[str, ...]) -> str:
    return "examples:\n" + "\n".join(f"  {e}" for e in examples)


SUBCOMMANDS: tuple[Subcommand, ...] = (
    Subcommand(
        "run", "train headless and print a summary (or one JSON document)",
        ("nntui run --lr 0.01 --epochs 100",
         "nntui run --json --config wide-range > result.json  # not saved",
         "nntui run --csv insurance.csv --features age,bmi --target charges"),
        "nntui.cli.commands:cmd_run",
        "The run is saved in the results directory, except with --json: that document is "
        "the result, for a script to read (add --save to keep the run as well).",
        results="run", arguments=run_arguments),
    Subcommand(
        "step", "print a worked example of SGD steps",
        ("nntui step --sample 3",
         "nntui step --sample 0 --steps 3 --markdown > steps.md",
         "nntui step --sample 6 --json"),
        "nntui.cli.commands:cmd_step",
        "The forward pass, the chain rule and the update for one training sample, from "
        "the initial parameters (for handouts and lab reports).", arguments=step_arguments),
    Subcommand(
        "sweep", "run a grid of experiments",
        ("nntui sweep --lr 5e-5,0.005,0.01,0.1,1 --plot",
         "nntui sweep --init large,small --rows 30,1000 --json",
         "nntui sweep --config lr-sweep  # a ready experiment's [sweep] table"),
        "nntui.cli.experiments:cmd_sweep",
        "Give options several values to sweep over them: --lr 0.005,0.01,0.1 --init "
        "large,small. Ranges, features and --set separate alternatives with ';': "
        "--n1-range '0,5;0,20'. Each run is saved as it finishes.",
        save_config=False, results="save", config=False, arguments=sweep_arguments),
    Subcommand(
        "compare-sklearn", "train the same start with scikit-learn's MLPRegressor and compare",
        ("nntui compare-sklearn --epochs 5", "nntui compare-sklearn --dataset diabetes --json"),
        "nntui.cli.experiments:cmd_compare",
        "The framework check: the same architecture, initial weights and matching learning "
        "rate (2*lr: its loss is half the squared error).", arguments=compare_arguments),
    Subcommand(
        "conventions", "one run's epoch-1 loss as nntui, scikit-learn, Keras and PyTorch report it",
        ("nntui conventions", "nntui conventions --batch-size 4 --json"),
        "nntui.cli.experiments:cmd_conventions",
        "Epoch 1 replayed from the initial weights: the loss each tool reports (after vs "
        "before the updates, L vs ½L), the learning rate each needs for the same updates, "
        "and the mean-vs-sum rule for mini-batches. Computed from the run.",
        arguments=json_argument),
    Subcommand(
        "drill", "print a randomized exercise sheet: one training step by hand",
        ("nntui drill --seed 7 --markdown > sheet.md",
         "nntui drill --seed 7 --markdown --answers > key.md",
         "nntui drill --seed 7 --task classify --optimizer adam --json"),
        "nntui.cli.drill:cmd_drill",
        "A randomized exercise: small weights and one sample rounded to 2 decimals, the "
        "forward pass, the gradients and the update to work out by hand, for either task "
        "and any update rule. The same seed prints the same sheet. In the app, d in the "
        "inspector drills the current step.",
        experiment=False, config=False, arguments=drill_arguments),
    Subcommand(
        "lab", "open the app on the guided lab (the course's experiments, page by page)",
        ("nntui lab", "nntui lab --epochs 50  # every page shorter"),
        "nntui.cli.lab:cmd_lab",
        "The course's experiments as pages: apply a page's settings and run it, compare it "
        "with the pages before, answer its question. The options are every page's base; the "
        "answers go into nntui export --format md.",
        results="save", arguments=ascii_argument),
    Subcommand(
        "serve", "the app in a web browser (one results folder per session)",
        ("nntui serve  # http://127.0.0.1:8000/ on this machine only",
         "nntui serve --host 0.0.0.0 --port 8080  # offer it to the network"),
        "nntui.cli.serve:cmd_serve",
        "Serve the app to web browsers with textual-serve: open the printed address; each "
        "browser tab is its own session with its own results folder.",
        experiment=False, results="own", config=False, arguments=serve_arguments),
    Subcommand(
        "runs", "list, delete or prune the saved runs",
        ("nntui runs", "nntui runs rm last", "nntui runs prune --keep 20"),
        "nntui.cli.history:cmd_runs",
        "With no action, list the saved runs, oldest first.",
        experiment=False, results="read", config=False, arguments=runs_arguments),
    Subcommand(
        "export", "export runs as CSV, JSON or a Markdown report",
        ("nntui export last --format md -o report.md",
         "nntui export 20261129-1418 --format csv -o losses.csv"),
        "nntui.cli.history:cmd_export",
        experiment=False, results="read", config=False, arguments=export_arguments),
    Subcommand(
        "presets", "list the ready experiments (for --config NAME)",
        ("nntui presets", "nntui presets lr-sweep > my-sweep.toml  # a copy to edit"),
        "nntui.cli.shell:cmd_presets",
        "They ship with nntui; each is used by name: --config NAME.",
        experiment=False, config=False, arguments=presets_arguments),
    Subcommand(
        "completion", "print a shell completion script (bash, zsh or fish)",
        ("nntui completion bash > ~/.local/share/bash-completion/completions/nntui",
         "nntui completion zsh > ~/.zfunc/_nntui  # with fpath+=~/.zfunc",
         "nntui completion fish > ~/.config/fish/completions/nntui.fish"),
        "nntui.cli.shell:cmd_completion",
        "Tab completion of subcommands and options, generated from this parser (shtab).",
        experiment=False, config=False, arguments=completion_arguments),
)

BY_NAME = {s.name: s for s in SUBCOMMANDS}
