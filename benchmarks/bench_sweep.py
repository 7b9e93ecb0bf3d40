"""Sweeps as a user runs them: `nntui sweep` on one process, two, and the default (auto).

A 100-run grid on the default data (10 learning rates x 10 seeds, 100 rows x 300 epochs)
and an 8-run grid on 1338 rows, each with the compiled kernel and with NNTUI_KERNEL=off.
CPU is the command's own plus its workers' (user + system), start-up included: a second
process pays an interpreter and its imports, which only long grids earn back, and only on
an idle core. The last column is what `--workers auto` (the default) chose on this
machine at that moment (lab/sweep.py `choose_workers`).
"""

from __future__ import annotations

import os
import subprocess
import sys

from bench_commands import timed

LRS = "0.001,0.002,0.003,0.005,0.007,0.01,0.02,0.03,0.05,0.07"
GRIDS = [
    ("100 runs, default data", ["--lr", LRS, "--seed", ",".join(map(str, range(10)))]),
    ("8 runs, 1338 rows x 300", ["--lr", "0.001,0.002,0.005,0.01,0.02,0.05,0.1,0.2",
                                 "--rows", "1338"]),
]
CHOICE = """
import sys
from nntui.cli import build_parser
from nntui.cli.experiments import sweep_axes
from nntui.lab.sweep import default_workers, grid
ns = build_parser().parse_args(["sweep", *sys.argv[1:]])
print(default_workers(grid(*sweep_axes(ns))))
"""


def chosen(grid: list[str], switch: str) -> str:
    """The number of processes `--workers auto` picks for this grid now."""
    env = {**os.environ, "NNTUI_KERNEL": switch}
    out = subprocess.run([sys.executable, "-c", CHOICE, *grid], capture_output=True,
                         text=True, env=env, check=True)
    return out.stdout.strip()


def main(repeats: int = 3) -> None:
    print(f"\nSweeps (`nntui sweep --no-save --json`, whole command; medians of {repeats} "
          "with the kernel, 1 run in pure Python)")
    print(f"  {'grid':<25}{'path':<9}{'1 process wall/cpu s':>21}"
          f"{'2 processes wall/cpu s':>23}{'auto wall/cpu s':>17}{'auto':>6}")
    for label, grid in GRIDS:
        for path, switch in (("compiled", ""), ("python", "off")):
            n = repeats if switch == "" else 1
            cells = []
            for workers in ("1", "2", "auto"):
                args = ["sweep", "--no-save", "--json", "--workers", workers, *grid]
                runs = [timed(args, switch) for _ in range(n)]
                wall = sorted(w for w, _ in runs)[n // 2]
                cpu = sorted(c for _, c in runs)[n // 2]
                cells.append(f"{wall:>9.2f}{cpu:>7.2f}")
            print(f"  {label:<25}{path:<9}{cells[0]:>21}{cells[1]:>23}{cells[2]:>17}"
                  f"{chosen(grid, switch):>6}")


if __name__ == "__main__":
    main()
