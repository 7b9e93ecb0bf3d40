"""Sweeps: one experiment per combination of listed values, on one or more processes.

An option's alternatives are separated by commas (`--lr 0.005,0.01`); for options whose
own value has commas (features, ranges, --set) they are separated by `;`
(`--n1-range "0,5;0,20"`): the option registry knows which. Several lists form a grid,
in the order given. Each run is exactly `nntui run --json` for its settings; a diverged
run is a result like any other.

A second process costs an interpreter and its imports (~0.2-0.3 s of CPU) and only helps
when a core is idle, so by default (`workers=None`) `choose_workers` starts workers only
for grids whose estimated training time pays for them (`make bench` measures both).
"""

from __future__ import annotations

import itertools
import math
import os
from collections.abc import Callable
from typing import Any

from nntui.errors import UserError
from nntui.lab.config import ExperimentConfig, from_mapping, option_for
from nntui.lab.options import format_value

MAX_RUNS = 500
MAX_AUTO_WORKERS = 2  # the default never starts more (the machines are shared)
#: Measured by `make bench` (benchmarks/bench_sweep.py) on a 2-core machine: the CPU
#: seconds a worker process costs before its first run, what one run costs besides
#: training, and training per sample, epoch and parameter on each path.
WORKER_START_SECONDS = 0.25
RUN_SECONDS = 0.0015
STEP_SECONDS = {"compiled": 4e-9, "python": 1e-7}
TABLE_ROWS = 1000  # a guess for a table whose size is not known before it is read


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


def run_document(cfg_dict: dict[str, Any],
                 cancelled: Callable[[], bool] | None = None) -> dict[str, Any] | None:
    """Build and train one experiment: its `nntui run --json` document, or an error.

    Trains epoch by epoch and returns None as soon as `cancelled()` is true.
    """
    from nntui.lab.experiment import Experiment

    try:
        exp = Experiment.build(from_mapping(cfg_dict, origin="sweep"))
        if exp.trainer.run(exp.config.epochs, cancelled=cancelled) == "cancelled":
            return None
        return exp.document()
    except UserError as exc:
        return {"error": str(exc), "config": cfg_dict}
    except MemoryError:
        return {"error": "out of memory: try fewer --rows or --hidden", "config": cfg_dict}


def check_sources(configs: list[ExperimentConfig]) -> None:
    """Every run reads its CSV again: a stream (FIFO, /dev/stdin) would only feed the first."""
    for path in {c.csv for c in configs if c.dataset == "csv" and c.csv}:
        if os.path.exists(path) and not os.path.isdir(path) and not os.path.isfile(path):
            raise UserError(f"--csv {path} is not a regular file, and each run of a sweep "
                            "reads it again: save it to a file first")


def estimated_seconds(configs: list[ExperimentConfig], path: str) -> float:
    """CPU seconds the runs would take in one process (a rough model: see the constants)."""
    total = 0.0
    for cfg in configs:
        rows = cfg.rows or (100 if cfg.dataset == "generated" else TABLE_ROWS)
        inputs = len(cfg.features) if cfg.features else 2
        hidden: Any = cfg.hidden  # one width, or (deeper networks) one per layer
        sizes = [inputs, *([hidden] if isinstance(hidden, int) else hidden), 1]
        params = sum((a + 1) * b for a, b in zip(sizes, sizes[1:]))
        steps = rows * (1 - cfg.test_size) * cfg.epochs
        total += RUN_SECONDS + steps * params * STEP_SECONDS[path]
    return total


def choose_workers(seconds: float, runs: int, limit: int, cores: int, load: float) -> int:
    """How many processes to run a sweep on: more than one only when each extra worker's
    start-up is paid back twice by the time it saves and a core is idle for it (`load`:
    the machine's load average, this process included); never more than `limit` or
    `runs`. One process is never slower than this choice."""
    idle = math.floor(cores - max(load - 1.0, 0.0) + 0.5)
    paid = math.floor(seconds / (2 * WORKER_START_SECONDS))
    return max(1, min(limit, runs, idle, paid))


def default_workers(configs: list[ExperimentConfig], limit: int = MAX_AUTO_WORKERS) -> int:
    """`choose_workers` for this machine now (its cores, its load, the training path)."""
    from nntui.engine import kernel

    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else \
        (os.cpu_count() or 1)
    try:
        load = os.getloadavg()[0]
    except (AttributeError, OSError):  # no load average here: assume a busy machine
        load = float(cores)
    return choose_workers(estimated_seconds(configs, kernel.PATH), len(configs), limit,
                          cores, load)


def run_sweep(configs: list[ExperimentConfig],
              on_result: Callable[[int, dict[str, Any]], None],
              workers: int | None = None, cancelled: Callable[[], bool] | None = None) -> None:
    """Run every config (on `workers` processes; None: `default_workers`); call
    on_result(i, doc) as each finishes.

    Returns soon after `cancelled()` turns true (checked about ten times a second, and
    between the epochs of an in-process run): runs in progress are abandoned, not awaited.
    A KeyboardInterrupt does the same. Worker processes never outlive this call, and they
    end by themselves if this process is killed (see `pool`).
    """
    check_sources(configs)
    if workers is None:
        workers = default_workers(configs)
    if workers <= 1 or len(configs) == 1:
        for i, cfg in enumerate(configs):
            if cancelled is not None and cancelled():
                return
            doc = run_document(cfg.to_dict(), cancelled)
            if doc is None:
                return
            on_result(i, doc)
        return
    from nntui.lab.pool import run_pool

    run_pool([c.to_dict() for c in configs], on_result, min(workers, len(configs)),
             cancelled)


def varying_keys(configs: list[ExperimentConfig]) -> list[str]:
    """The option names whose values differ between the configs (for tables and legends)."""
    dicts = [c.to_dict() for c in configs]
    keys = sorted({k for d in dicts for k in d})
    return [k for k in keys if len({repr(d.get(k)) for d in dicts}) > 1]


def short_label(cfg_dict: dict[str, Any], keys: list[str]) -> str:
    """'lr=0.01 init=large' from the varying keys of one run."""
    return " ".join(f"{k}={format_value(cfg_dict.get(k))}" for k in keys) or "run"
