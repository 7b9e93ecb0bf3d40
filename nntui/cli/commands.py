"""The commands that train one experiment: the app, `nntui run` and `nntui step`."""

from __future__ import annotations

import argparse
import os
import sys
from typing import TYPE_CHECKING

from nntui.cli import startup
from nntui.cli.parser import printable
from nntui.errors import UserError
from nntui.lab.config import OPTIONS, ExperimentConfig, from_mapping, load_toml, save_toml

if TYPE_CHECKING:
    from nntui.lab.runs import StoredRun


def config_from_args(ns: argparse.Namespace) -> ExperimentConfig:
    """Defaults, then --config, then flags; then --save-config if asked."""
    values = vars(ns)
    base = load_toml(values["config"]) if "config" in values else ExperimentConfig()
    cfg = from_mapping({k: v for k, v in values.items() if k in OPTIONS}, base,
                       origin="command line")
    if "save_config" in values:
        save_toml(cfg, values["save_config"])
    return cfg


def cmd_run(cfg: ExperimentConfig, ns: argparse.Namespace) -> int:
    """Train; print the result; then save it (see `saves`). A failed save never loses the
    result.

    The results directory is checked before training (a read-only one fails at once).
    If saving fails anyway (a full disk), the result has been printed: the failure is the
    one `nntui: error:` line and the exit status is 2.
    """
    import json

    from nntui.cli.experiments import store_from
    from nntui.lab.experiment import Experiment
    from nntui.lab.report import summary

    store = store_from(ns) if saves(ns) else None
    if store is not None:
        store.check_writable()
    exp = Experiment.build(cfg)
    exp.run()
    doc = exp.document()
    saved: StoredRun | None = None
    problem = ""
    if store is not None:
        try:
            saved = store.save(doc, "run")
        except UserError as exc:
            problem = f"{exc}; the result above was not saved (see --results, --no-save)"
    if ns.json:
        print(json.dumps(doc, indent=2, allow_nan=False))
    else:
        print(printable(summary(exp)))
        if saved is not None:
            print(printable(f"\nsaved as {saved.path}"))
    if problem:
        sys.stdout.flush()
        raise UserError(problem)
    return 0


def saves(ns: argparse.Namespace) -> bool:
    """Whether `nntui run` saves: by default yes, but not with --json, whose output is the
    result itself (a script or grader reads it; files piling up in the results directory
    would be a surprise); --save and --no-save decide explicitly."""
    if getattr(ns, "no_save", False):
        return False
    return bool(getattr(ns, "save", False)) or not ns.json


def cmd_step(cfg: ExperimentConfig, ns: argparse.Namespace) -> int:
    import json

    from nntui.lab.config import parse_int
    from nntui.lab.experiment import Experiment, finite_or_null
    from nntui.lab.worked import worked_step
    from nntui.lab.worked_text import to_json, to_text

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
        print(printable(to_text(w, markdown=ns.markdown)))
        print()
    return 0


def cmd_app(cfg: ExperimentConfig, ns: argparse.Namespace, lab: bool = False) -> int:
    """Check everything the app will need first, so a mistake fails as `nntui run` does.

    Generated data is checked without numpy (the app paints before loading it); a table is
    loaded here, so that a bad CSV never opens the app. Without a terminal (`ssh host nntui`
    without -t, a pipe, TERM=dumb) the app would write escape codes into the void and
    wait for keys that never come: that is refused first. `lab`: open on the guided lab.
    """
    from nntui.engine.naming import check_overrides

    if not has_terminal():
        raise UserError("the app needs a terminal; use nntui run ... for headless output")

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
    from nntui.ui.ascii import plain_terminal

    store = RunStore(getattr(ns, "results", None), persist=not getattr(ns, "no_save", False))
    ascii_only = getattr(ns, "ascii", False) or plain_terminal()
    if lab:
        from nntui.ui.guided_app import GuidedApp

        guided = GuidedApp(cfg, table, store, ascii_only=ascii_only, keep_prefs=True)
        guided.when_built = startup.resume  # collect again once its screen is built
        guided.run()
        return 0
    app = NNApp(cfg, table, store, ascii_only=ascii_only, keep_prefs=True)
    app.when_built = startup.resume  # collect again once its screen is built (startup.py)
    app.run()
    return 0


def has_terminal() -> bool:
    """True when stdin and stdout are terminals the app can draw on (not TERM=dumb), or
    when the app draws in a browser (`nntui serve`: textual-serve's web driver)."""
    if os.environ.get("TEXTUAL_DRIVER", "").endswith(":WebDriver"):
        return True
    try:
        ttys = sys.stdin.isatty() and sys.stdout.isatty()
    except (AttributeError, ValueError):  # closed or replaced streams
        return False
    return ttys and os.environ.get("TERM", "") != "dumb"
