"""Sweeps: one experiment per combination of listed values, run on both cores.

An option's alternatives are separated by commas (`--lr 0.005,0.01`); for options whose
own value has commas (features, ranges, --set) they are separated by `;`
(`--n1-range "0,5;0,20"`): the option registry knows which. Several lists form a grid,
in the order given. Each run is exactly `nntui run --json` for its settings; a diverged
run is a result like any other.
"""

from __future__ import annotations

import itertools
import multiprocessing
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from typing import Any

from nntui.errors import UserError
from nntui.lab.config import ExperimentConfig, from_mapping, option_for
from nntui.lab.options import format_value

MAX_RUNS = 500


def alternatives(key: str, text: str) -> list[str]:
    """The alternatives written in one option value (the option knows its separator)."""
    return option_for(key).alternatives(text)


def grid(base: ExperimentConfig, axes: dict[str, list[Any]]) -> list[ExperimentConfig]:
    """Every combination of the axes' values on top of `base` (validated, in order)."""
    keys = [option_for(k).key for k in axes]
    values = [[option_for(k).parse(v) for v in axes[k]] for k in axes]
    total = 1
    for v in values:
        total *= len(v)
    if total > MAX_RUNS:
        raise UserError(f"a sweep of {total} runs is too large (at most {MAX_RUNS})")
    return [from_mapping(dict(zip(keys, combo)), base, origin="sweep")
            for combo in itertools.product(*values)]


def run_document(cfg_dict: dict[str, Any]) -> dict[str, Any]:
    """Build and train one experiment; the `nntui run --json` document (or an error)."""
    from nntui.lab.experiment import Experiment

    try:
        exp = Experiment.build(from_mapping(cfg_dict, origin="sweep"))
        exp.run()
        return exp.document()
    except UserError as exc:
        return {"error": str(exc), "config": cfg_dict}


def run_sweep(configs: list[ExperimentConfig],
              on_result: Callable[[int, dict[str, Any]], None],
              workers: int = 2, cancelled: Callable[[], bool] | None = None) -> None:
    """Run every config (on `workers` processes); call on_result(i, doc) as each finishes."""
    if workers <= 1 or len(configs) == 1:
        for i, cfg in enumerate(configs):
            if cancelled is not None and cancelled():
                return
            on_result(i, run_document(cfg.to_dict()))
        return
    context = multiprocessing.get_context("spawn")
    start_resource_tracker()
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        futures: dict[Future[dict[str, Any]], int] = {
            pool.submit(run_document, cfg.to_dict()): i for i, cfg in enumerate(configs)}
        try:
            for future in as_completed(futures):
                on_result(futures[future], future.result())
                if cancelled is not None and cancelled():
                    break
        finally:
            for future in futures:
                future.cancel()


def start_resource_tracker() -> None:
    """Start multiprocessing's helper process with the real stderr.

    Inside a Textual app sys.stderr is replaced by an object without a file descriptor,
    and the helper cannot be started from there ("bad value(s) in fds_to_keep").
    """
    import sys
    from multiprocessing import resource_tracker

    saved = sys.stderr
    sys.stderr = sys.__stderr__
    try:
        resource_tracker.ensure_running()
    finally:
        sys.stderr = saved


def varying_keys(configs: list[ExperimentConfig]) -> list[str]:
    """The option names whose values differ between the configs (for tables and legends)."""
    dicts = [c.to_dict() for c in configs]
    keys = sorted({k for d in dicts for k in d})
    return [k for k in keys if len({repr(d.get(k)) for d in dicts}) > 1]


def short_label(cfg_dict: dict[str, Any], keys: list[str]) -> str:
    """'lr=0.01 init=large' from the varying keys of one run."""
    return " ".join(f"{k}={format_value(cfg_dict.get(k))}" for k in keys) or "run"
