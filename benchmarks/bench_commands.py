"""Whole commands as a user runs them: a fresh interpreter, the compiled kernel or not.

Each command runs alternately with the kernel and with NNTUI_KERNEL=off (so both see the
same machine load); the table gives the median wall and CPU seconds (the child's user +
system time) and the ratio. Start-up (imports) is part of every number: that is what a
user waits for.
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import time

COMMANDS = [
    ("nntui run (default, 100 rows x 300)", ["run", "--no-save"]),
    ("nntui run --rows 1338 (x 300 epochs)", ["run", "--no-save", "--rows", "1338"]),
    ("nntui run --rows 1338 --epochs 3000", ["run", "--no-save", "--rows", "1338",
                                             "--epochs", "3000"]),
]
SWITCHES = {"compiled": "", "python": "off"}


def timed(args: list[str], switch: str) -> tuple[float, float]:
    """Wall and CPU seconds of `nntui ARGS` with NNTUI_KERNEL=switch."""
    env = {**os.environ, "NNTUI_KERNEL": switch}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "nntui", *args], stdout=subprocess.DEVNULL,
                   check=True, env=env)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def measure(args: list[str], repeats: int) -> dict[str, tuple[float, float]]:
    runs: dict[str, list[tuple[float, float]]] = {name: [] for name in SWITCHES}
    for _ in range(repeats):
        for name, switch in SWITCHES.items():
            runs[name].append(timed(args, switch))
    return {name: (statistics.median(w for w, _ in r), statistics.median(c for _, c in r))
            for name, r in runs.items()}


def main(repeats: int = 5) -> None:
    print(f"\nWhole commands, compiled kernel vs NNTUI_KERNEL=off (fresh interpreter each; "
          f"medians of {repeats})")
    print(f"  {'command':<40}{'kernel wall/cpu s':>19}{'python wall/cpu s':>19}"
          f"{'cpu ratio':>11}")
    for label, args in COMMANDS:
        m = measure(args, repeats)
        (kw, kc), (pw, pc) = m["compiled"], m["python"]
        print(f"  {label:<40}{kw:>10.3f}{kc:>9.3f}{pw:>10.3f}{pc:>9.3f}{kc / pc:>10.2f}x")


if __name__ == "__main__":
    main()
