"""Sweeps as a user runs them: `nntui sweep` on one and two worker processes.

A 100-run grid on the default data (10 learning rates x 10 seeds, 100 rows x 300 epochs)
and an 8-run grid on 1338 rows, each with the compiled kernel and with NNTUI_KERNEL=off.
CPU is the command's own plus its workers' (user + system), start-up included: a second
process pays an interpreter and its imports, which only heavy runs earn back.
"""

from __future__ import annotations

from bench_commands import timed

LRS = "0.001,0.002,0.003,0.005,0.007,0.01,0.02,0.03,0.05,0.07"
GRIDS = [
    ("100 runs, default data", ["--lr", LRS, "--seed", ",".join(map(str, range(10)))]),
    ("8 runs, 1338 rows x 300", ["--lr", "0.001,0.002,0.005,0.01,0.02,0.05,0.1,0.2",
                                 "--rows", "1338"]),
]


def main(repeats: int = 3) -> None:
    print(f"\nSweeps (`nntui sweep --no-save --json`, whole command; medians of {repeats})")
    print(f"  {'grid':<26}{'path':<10}{'1 worker wall/cpu s':>21}{'2 workers wall/cpu s':>22}")
    for label, grid in GRIDS:
        for path, switch in (("compiled", ""), ("python", "off")):
            cells = []
            for workers in (1, 2):
                args = ["sweep", "--no-save", "--json", "--workers", str(workers), *grid]
                runs = sorted(timed(args, switch) for _ in range(repeats))
                wall = sorted(w for w, _ in runs)[repeats // 2]
                cpu = sorted(c for _, c in runs)[repeats // 2]
                cells.append(f"{wall:>11.2f}{cpu:>9.2f}")
            print(f"  {label:<26}{path:<10}{cells[0]:>21}{cells[1]:>22}")


if __name__ == "__main__":
    main()
