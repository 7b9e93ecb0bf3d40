"""Headless commands for comparing runs: `nntui sweep` and `nntui compare-sklearn`."""

from __future__ import annotations

import argparse
import json
import signal
import sys
from typing import Any

from nntui.cli.parser import one_line, printable
from nntui.errors import UserError
from nntui.lab.config import OPTIONS, ExperimentConfig, from_mapping, read_toml
from nntui.lab.options import format_value
from nntui.lab.report import metric_labels, metric_text, num
from nntui.lab.runs import RunStore


def store_from(ns: argparse.Namespace) -> RunStore | None:
    """The results directory of --results (default: the user's data dir); None: --no-save."""
    if getattr(ns, "no_save", False):
        return None
    return RunStore(getattr(ns, "results", None))


def sweep_axes(ns: argparse.Namespace) -> tuple[ExperimentConfig, dict[str, list[Any]]]:
    """Split the options into a base config and the lists to sweep over.

    A --config file's [sweep] table gives axes too; flags with several values override it.
    """
    values = vars(ns)
    settings: dict[str, Any] = {}
    axes: dict[str, list[Any]] = {}
    if "config" in values:
        settings, axes = read_toml(values["config"])
    base = from_mapping(settings, origin=f"config file {values.get('config')}")
    fixed: dict[str, Any] = {}
    for key in values:  # in the order given on the command line: the grid's order
        if key not in OPTIONS:
            continue
        if OPTIONS[key].kind == "bool":
            fixed[key] = values[key]
            continue
        options = OPTIONS[key].alternatives(values[key])
        if len(options) > 1:
            axes[key] = options
        else:
            axes.pop(key, None)
            fixed[key] = options[0]
    base = from_mapping(fixed, base, origin="command line")
    if not axes:
        raise UserError("nothing to sweep: give an option several values, e.g. "
                        "--lr 0.005,0.01,0.1 (ranges and features: separate with ';')")
    return base, axes


MAX_WORKERS = 32


def cmd_sweep(ns: argparse.Namespace) -> int:
    """Run the grid; print the table (or JSON) of the runs that finished.

    A run that fails (bad data for that combination, a failed save) never stops the
    others: they are all reported after the results, in one `nntui: error:` line, and the
    exit status is 2. Ctrl-C stops the sweep at once (status 130); finished runs are saved.
    """
    from nntui.lab.config import parse_int
    from nntui.lab.sweep import grid, run_sweep, short_label, varying_keys

    workers = None if ns.workers == "auto" else parse_int("--workers", ns.workers)
    if workers is not None and not 1 <= workers <= MAX_WORKERS:
        raise UserError(f"--workers must be between 1 and {MAX_WORKERS}, got {workers}")
    base, axes = sweep_axes(ns)
    configs = grid(base, axes)
    keys = varying_keys(configs)
    store = store_from(ns)
    if store is not None:
        store.check_writable()
    docs: list[dict[str, Any] | None] = [None] * len(configs)
    errors: dict[int, str] = {}  # run index -> what went wrong (reported in grid order)

    def on_result(i: int, doc: dict[str, Any]) -> None:
        docs[i] = doc
        label = short_label(configs[i].to_dict(), keys)
        if "error" in doc:
            errors[i] = f"{label}: {doc['error']}"
        elif store is not None:
            try:
                store.save(doc, "sweep", short_label(doc["config"], keys))
            except UserError as exc:
                errors[i] = f"{label}: not saved: {exc}"
        if not ns.json:
            print(f"finished {sum(d is not None for d in docs)}/{len(configs)}: "
                  f"{one_line(label)}{' (failed)' if 'error' in doc else ''}",
                  file=sys.stderr, flush=True)

    def hang_up(signum: int, frame: object) -> None:
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGHUP, hang_up)
    run_sweep(configs, on_result, workers=workers)
    finished = [d for d in docs if d is not None and "error" not in d]
    if ns.json:
        print(json.dumps({"runs": finished}, indent=2, allow_nan=False))
    elif finished:
        print(printable(sweep_table(finished, keys)))
        if store is not None:
            print(f"\n{len(finished) - sum(': not saved: ' in e for e in errors.values())} run(s) "
                  f"saved in {store.directory}")
    if ns.plot and finished:
        from nntui.lab.export import ascii_plot

        print(printable(ascii_plot({short_label(d["config"], keys): d["history"]["train_loss"]
                                    for d in finished}, log=True if ns.log else None)))
    if errors:
        sys.stdout.flush()
        raise UserError(failures_line([errors[i] for i in sorted(errors)], len(configs)))
    return 0


def failures_line(errors: list[str], total: int) -> str:
    """Every failed run in one line; a problem shared by all runs is said once."""
    problems = {e.partition(": ")[2] for e in errors}
    if len(errors) == total and len(problems) == 1:
        return f"all {total} runs: {problems.pop()}"
    return f"{len(errors)} of {total} runs failed: " + "; ".join(errors)


def sweep_table(docs: list[dict[str, Any]], keys: list[str]) -> str:
    scales = {d["config"].get("scale", "minmax") for d in docs}
    mse = metric_labels(scales.pop() if len(scales) == 1 else "mixed")["mse"]
    classify = all(d.get("task") == "classify" for d in docs)
    scores = ("accuracy", "log_loss") if classify else ("r2", "mape")
    if classify:
        mse = "loss"
    head = [*keys, "status", "epochs", f"train {mse}", f"test {mse}",
            *(("test accuracy", "test log-loss") if classify else ("test R²", "test MAPE"))]
    rows = []
    for d in docs:
        train, test = d["history"]["train_loss"], d["history"]["test_loss"]
        cfg = d["config"]
        rows.append([*(format_value(cfg.get(k)) for k in keys), d["status"], str(d["epochs_run"]),
                     num(train[-1] if train else None, 4), num(test[-1] if test else None, 4),
                     *(metric_text(k, d["metrics"]["test"].get(k)) for k in scores)])
    widths = [max([len(h), *(len(r[i]) for r in rows)]) for i, h in enumerate(head)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(head, widths))]
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths)) for r in rows]
    return "\n".join(lines)


def cmd_compare(cfg: ExperimentConfig, ns: argparse.Namespace) -> int:
    """Train the same start in nntui and scikit-learn; print both and the differences."""
    from nntui.lab.experiment import Experiment, finite_or_null
    from nntui.lab.export import ascii_plot
    from nntui.lab.framework import framework_check

    exp = Experiment.build(cfg)
    check = framework_check(exp)
    theirs = check.theirs
    if ns.json:
        doc = {"config": cfg.to_dict(), "epochs": check.epochs,
               "nntui": {"train_loss": check.ours_train, "test_loss": check.ours_test,
                         "params": dict(zip(check.names, check.ours_params.tolist()))},
               "sklearn": {"train_loss": theirs.train_loss, "test_loss": theirs.test_loss,
                           "params": dict(zip(check.names, theirs.theta.tolist()))},
               "largest_weight_difference": check.largest_weight_difference,
               "largest_loss_difference": check.largest_loss_difference,
               "agree": check.agree, "sensitivity": check.sensitivity,
               "verdict": check.verdict}
        print(json.dumps(finite_or_null(doc), indent=2, allow_nan=False))
        return 0
    from nntui.lab.framework import sklearn_call

    print(f"nntui vs scikit-learn {sklearn_call(exp)}, "
          f"{check.epochs} epochs from the same initial weights\n")
    from nntui.lab.report import loss_label

    print(ascii_plot({"nntui": check.ours_train, "scikit-learn": theirs.train_loss},
                     log=True if ns.log else None,
                     title=f"{loss_label(cfg.scale, cfg.task)} per epoch"))
    print(f"\n  {'param':<7}{'nntui':>14}{'scikit-learn':>14}{'|difference|':>14}")
    for name, a, b, d in zip(check.names, check.ours_params, theirs.theta,
                             check.weight_differences):
        print(f"  {name:<7}{num(a):>14}{num(b):>14}{d:>14.2e}")
    print(f"\nlargest weight difference {check.largest_weight_difference:.3e}; "
          f"largest epoch-loss difference {check.largest_loss_difference:.3e}: "
          f"{check.verdict}")
    return 0


def cmd_conventions(cfg: ExperimentConfig, ns: argparse.Namespace) -> int:
    """Epoch 1 of the run under each tool's loss convention (lab/conventions.py)."""
    from dataclasses import asdict

    from nntui.lab.conventions import conventions, conventions_text
    from nntui.lab.experiment import Experiment, finite_or_null

    conv = conventions(Experiment.build(cfg))
    if ns.json:
        print(json.dumps(finite_or_null(asdict(conv)), indent=2, allow_nan=False))
        return 0
    print("Epoch 1 from the initial weights, as each tool reports it:\n")
    print(conventions_text(conv))
    return 0
