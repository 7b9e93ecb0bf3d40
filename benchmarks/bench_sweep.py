"""Sweeps on both cores: the same 8-run sweep with one process and with two."""

from __future__ import annotations

import time

from nntui.lab.config import ExperimentConfig
from nntui.lab.sweep import grid, run_sweep

RUNS = ["0.001", "0.002", "0.005", "0.01", "0.02", "0.05", "0.1", "0.2"]


def timed_sweep(workers: int, epochs: int) -> tuple[float, list[dict]]:
    configs = grid(ExperimentConfig(rows=1338, epochs=epochs), {"lr": RUNS})
    docs: list[dict] = [{}] * len(configs)

    def keep(i: int, doc: dict) -> None:
        docs[i] = doc

    start = time.perf_counter()
    run_sweep(configs, keep, workers=workers)
    return time.perf_counter() - start, docs


def main() -> None:
    print(f"\nSweeps of {len(RUNS)} runs on 1338 rows (2 processes pay ~0.5 s to start)")
    print(f"  {'epochs per run':<16}{'1 process s':>12}{'2 processes s':>15}{'speed-up':>10}"
          f"  identical")
    for epochs in (300, 3000):
        one, docs_one = timed_sweep(1, epochs)
        two, docs_two = timed_sweep(2, epochs)
        print(f"  {epochs:<16}{one:>12.2f}{two:>15.2f}{one / two:>9.2f}x  "
              f"{docs_one == docs_two}")


if __name__ == "__main__":
    main()
