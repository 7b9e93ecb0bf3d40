"""Command line: `nntui [OPTIONS]` opens the app; `nntui run` and friends work headless.

Every user mistake ends as one line `nntui: error: ...` on stderr and exit status 2.
Heavy modules (textual, pandas, scikit-learn) are imported only by the command that needs
them.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any, NoReturn

from nntui import __version__
from nntui.errors import UserError
from nntui.lab.config import ExperimentConfig, from_mapping, load_toml, save_toml

EXIT_USAGE = 2

#: (flag, config key, metavar, help)
OPTION_FLAGS: list[tuple[str, str, str, str]] = [
    ("--dataset", "dataset", "generated|diabetes|csv", "data source (default generated)"),
    ("--csv", "csv", "PATH", "CSV file to read (implies --dataset csv)"),
    ("--features", "features", "A,B", "feature columns (default: bmi,bp for diabetes; "
     "all but the target for a CSV)"),
    ("--target", "target", "C", "target column (default: progression / last CSV column)"),
    ("--rows", "rows", "N", "rows to draw (generated, default 100) or to keep (tables)"),
    ("--n1-range", "n1_range", "LO,HI", "integer range of n1, HI excluded (default 0,5)"),
    ("--n2-range", "n2_range", "LO,HI", "integer range of n2, HI excluded (default 0,5)"),
    ("--noise-range", "noise_range", "LO,HI", "uniform noise range (default 0,2)"),
    ("--seed", "seed", "S", "seed for data, split, shuffling and random init (default 0)"),
    ("--scale", "scale", "minmax|standard|none", "scaling fitted on the training rows"),
    ("--test-size", "test_size", "F", "fraction of rows held out for testing (default 0.2)"),
    ("--hidden", "hidden", "K", "hidden units (default 2)"),
    ("--activation", "activation", "relu|sigmoid|tanh|linear", "hidden activation"),
    ("--init", "init", "PRESET", "notebook|large|small|ones|normal|uniform|xavier|he"),
    ("--sigma", "sigma", "SIGMA", "spread of the normal/uniform presets (default 1)"),
    ("--init-seed", "init_seed", "S", "seed of random presets (default: --seed)"),
    ("--set", "set", "NAME=VALUE,...", "override parameters, e.g. w1=0.5,b3=-0.1"),
    ("--lr", "lr", "LR", "learning rate (default 0.005)"),
    ("--epochs", "epochs", "E", "epochs to train (default 300)"),
    ("--batch-size", "batch_size", "B", "samples per update (default 1: per-sample SGD)"),
]


class Parser(argparse.ArgumentParser):
    """argparse that reports mistakes as one `nntui: error:` line (no usage dump)."""

    def error(self, message: str) -> NoReturn:
        fail(f"{message} (see 'nntui --help')")


def fail(message: str) -> NoReturn:
    print(f"nntui: error: {message}", file=sys.stderr)
    raise SystemExit(EXIT_USAGE)


def experiment_options() -> argparse.ArgumentParser:
    """The options every command shares; absent options stay absent (SUPPRESS)."""
    common = Parser(add_help=False)
    group = common.add_argument_group("experiment options")
    for flag, key, metavar, text in OPTION_FLAGS:
        group.add_argument(flag, dest=key, metavar=metavar, help=text,
                           default=argparse.SUPPRESS)
    group.add_argument("--shuffle", dest="shuffle", action=argparse.BooleanOptionalAction,
                       default=argparse.SUPPRESS, help="shuffle rows every epoch (seeded)")
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


def build_parser() -> Parser:
    common = experiment_options()
    parser = Parser(
        prog="nntui", parents=[common],
        description="Single-step the mathematics of a small neural network. With no "
        "command, open the app on these settings.",
    )
    parser.add_argument("--version", action="version", version=f"nntui {__version__}")
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
    sweep.add_argument("--workers", metavar="N", default="2", help="processes (default 2)")
    compare = sub.add_parser(
        "compare-sklearn", parents=[common],
        help="train the same start with scikit-learn's MLPRegressor and compare",
        description="The framework check: the same architecture, initial weights and "
        "matching learning rate (2*lr: its loss is half the squared error).")
    compare.add_argument("--json", action="store_true", help="print one JSON object")
    compare.add_argument("--log", action="store_true", help="log scale for the plot")
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


def config_from_args(ns: argparse.Namespace) -> ExperimentConfig:
    """Defaults, then --config, then flags; then --save-config if asked."""
    values = vars(ns)
    base = load_toml(values["config"]) if "config" in values else ExperimentConfig()
    keys = {key for _, key, _, _ in OPTION_FLAGS} | {"shuffle"}
    cfg = from_mapping({k: v for k, v in values.items() if k in keys}, base,
                       origin="command line")
    if "save_config" in values:
        save_toml(cfg, values["save_config"])
    return cfg


def cmd_run(cfg: ExperimentConfig, ns: argparse.Namespace) -> int:
    from nntui.cli.experiments import store_from
    from nntui.lab.experiment import Experiment
    from nntui.lab.report import summary

    store = store_from(ns)
    exp = Experiment.build(cfg)
    exp.run()
    doc = exp.document()
    saved = store.save(doc, "run") if store is not None else None
    if ns.json:
        print(json.dumps(doc, indent=2, allow_nan=False))
    else:
        print(summary(exp))
        if saved is not None:
            print(f"\nsaved as {saved.path}")
    return 0


def cmd_step(cfg: ExperimentConfig, ns: argparse.Namespace) -> int:
    from nntui.lab.config import parse_int
    from nntui.lab.experiment import Experiment, finite_or_null
    from nntui.lab.worked import to_json, to_text, worked_step

    index = parse_int("--sample", ns.sample)
    steps = 1 if ns.steps is None else parse_int("--steps", ns.steps)
    if steps < 1 or steps > 10_000:
        raise UserError(f"--steps must be between 1 and 10000, got {steps}")
    exp = Experiment.build(cfg)
    t = exp.trainer
    if not 0 <= index < t.n_train:
        raise UserError(f"--sample {index} is out of range: the training rows are 0.."
                        f"{t.n_train - 1}")
    if cfg.batch_size != 1:
        raise UserError("nntui step shows per-sample steps; use --batch-size 1")
    t.seek(index)
    worked = []
    for _ in range(steps):
        record = t.step()
        if record is None:
            break
        worked.append(worked_step(exp, record))
    if ns.json:
        doc = to_json(worked[0]) if ns.steps is None else {
            "steps": [to_json(w) for w in worked]}
        print(json.dumps(finite_or_null(doc), indent=2, allow_nan=False))
        return 0
    for n, w in enumerate(worked):
        title = f"Step {n + 1} of {len(worked)}: epoch {w.record.epoch}, sample {w.index}"
        print(("## " if ns.markdown else "") + title + ("\n" if ns.markdown else ""))
        print(to_text(w, markdown=ns.markdown))
        print()
    return 0


def cmd_app(cfg: ExperimentConfig, ns: argparse.Namespace) -> int:
    """Check everything the app will need first, so a mistake fails as `nntui run` does.

    Generated data is checked without numpy (the app paints before loading it); a table is
    loaded here, so that a bad CSV never opens the app.
    """
    from nntui.engine.naming import check_overrides

    table = None
    n_inputs = 2
    if cfg.dataset != "generated":
        from nntui.lab.experiment import load_table, require_rows

        table = load_table(cfg)
        require_rows(table)
        n_inputs = len(table.features)
    check_overrides(n_inputs, cfg.hidden, cfg.set)
    from nntui.lab.runs import RunStore  # light: the app's first paint stays fast
    from nntui.ui.app import NNApp

    store = RunStore(getattr(ns, "results", None), persist=not getattr(ns, "no_save", False))
    NNApp(cfg, table, store).run()
    return 0


COMMANDS: dict[str | None, Callable[[ExperimentConfig, argparse.Namespace], int]] = {
    None: cmd_app,
    "run": cmd_run,
    "step": cmd_step,
    "compare-sklearn": lambda cfg, ns: __import__(
        "nntui.cli.experiments", fromlist=["cmd_compare"]).cmd_compare(cfg, ns),
}


def main(argv: Sequence[str] | None = None) -> int:
    ns = build_parser().parse_args(argv)
    try:
        if ns.command in ("sweep", "runs", "export"):
            from nntui.cli import experiments as ex

            if ns.command == "sweep":
                keys = {key for _, key, _, _ in OPTION_FLAGS} | {"shuffle"}
                return ex.cmd_sweep(ns, keys)
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
    try:
        code = main(argv)
        sys.stdout.flush()
    except BrokenPipeError:  # `nntui step | head`: the reader left; that is not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        code = 0
    raise SystemExit(code)


if __name__ == "__main__":
    entry()
