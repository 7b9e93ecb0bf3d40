"""The app: first paint against a bare Textual app, key latency and speed while training.

Each number is measured side by side in one run: the bare app and nntui start the same
way (a fresh interpreter, headless, exit right after the first paint); the app's training
is compared with the headless trainer on the same 1338 x 300 experiment.
"""

from __future__ import annotations

import asyncio
import statistics
import subprocess
import sys
import time

from nntui.lab.config import ExperimentConfig
from nntui.lab.experiment import Experiment
from nntui.ui.app import NNApp
from nntui.ui.screenshots import wait_ready

# Both apps stop at their first composed frame (App._display is where Textual writes a
# frame to the terminal; headless, it is called but writes nothing).
PAINT = """
class FirstPaint(BASE):
    def _display(self, screen, renderable):
        if renderable is not None and not getattr(self, "painted", False):
            self.painted = True
            print(time.perf_counter() - START, "sklearn" in sys.modules
                  or "pandas" in sys.modules)
            self.exit()
        super()._display(screen, renderable)
"""

BARE = """
from textual.app import App
from textual.widgets import Footer, Static
class BASE(App):
    def compose(self):
        yield Static("hello")
        yield Footer()
""" + PAINT + """
FirstPaint().run(headless=True)
"""

NNTUI = """
from nntui.cli import build_parser, config_from_args
from nntui.ui.app import NNApp as BASE
""" + PAINT + """
FirstPaint(config_from_args(build_parser().parse_args([]))).run(headless=True)
"""

HEAD = "import sys, time\nSTART = time.perf_counter()\n"
BIG = ExperimentConfig(rows=1338, epochs=300, test_size=0.0)


def interpreter_start() -> float:
    """Seconds a bare `python -c pass` takes: added to the in-process first-paint time."""
    runs = []
    for _ in range(5):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], check=True)
        runs.append(time.perf_counter() - start)
    return statistics.median(runs)


def first_paints(repeats: int = 9) -> dict[str, tuple[float, float, bool]]:
    """(median, min) seconds from interpreter start to first paint, and heavy imports seen.

    The two apps run alternately so that both see the same machine load.
    """
    interpreter = interpreter_start()
    times: dict[str, list[float]] = {"bare": [], "nntui": []}
    heavy = {"bare": False, "nntui": False}
    for _ in range(repeats):
        for name, code in (("bare", BARE), ("nntui", NNTUI)):
            out = subprocess.run([sys.executable, "-c", HEAD + code], capture_output=True,
                                 text=True, check=True)
            first, imported = out.stdout.split()[:2]
            heavy[name] |= imported == "True"
            times[name].append(float(first) + interpreter)
    return {k: (statistics.median(v), min(v), heavy[k]) for k, v in times.items()}


async def keys_while_training(epochs: int) -> tuple[list[float], float, int]:
    """Latencies of key presses during a run, the run's seconds, and its epochs.

    A key is posted as the terminal driver would post it; the latency is the time until
    its action starts running on the event loop.
    """
    app = NNApp(BIG.replace(epochs=epochs))
    latencies: list[float] = []
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_ready(pilot)
        handled: list[float] = []
        original = app.action_toggle_log

        def timed_toggle() -> None:
            handled.append(time.perf_counter())
            original()

        app.action_toggle_log = timed_toggle  # type: ignore[method-assign]
        start = time.perf_counter()
        app.simulate_key("space")
        await asyncio.sleep(0.05)
        while app.running:
            sent = time.perf_counter()
            app.simulate_key("l")
            while not handled and time.perf_counter() - sent < 5:
                await asyncio.sleep(0.0005)
            if handled:
                latencies.append(handled.pop() - sent)
            await asyncio.sleep(0.05)
        seconds = time.perf_counter() - start
        await app.workers.wait_for_complete()
        return latencies, seconds, app.session.trainer.epochs_done  # type: ignore[union-attr]


async def app_run_seconds() -> float:
    """Seconds from pressing f to the finished run, 1338 rows x 300 epochs, in the app."""
    app = NNApp(BIG)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_ready(pilot)
        trainer = app.session.trainer  # type: ignore[union-attr]
        start = time.perf_counter()
        app.simulate_key("f")
        while trainer.epochs_done < 300 or app.running:
            await asyncio.sleep(0.001)
        elapsed = time.perf_counter() - start
        assert app.session.trainer.epochs_done == 300  # type: ignore[union-attr]
        return elapsed


def main() -> None:
    paints = first_paints()
    bare = paints["bare"]
    print("\nFirst paint (fresh interpreter, headless; 9 alternating runs each)")
    print(f"  {'app':<28}{'median s':>9}{'min s':>8}{'ratio':>8}  pandas/sklearn loaded")
    for name, label in (("bare", "bare Textual app"), ("nntui", "nntui (default experiment)")):
        med, low, heavy = paints[name]
        print(f"  {label:<28}{med:>9.3f}{low:>8.3f}{med / bare[0]:>7.2f}x  {heavy}")

    exp = Experiment.build(BIG)
    start = time.perf_counter()
    exp.run()
    headless = time.perf_counter() - start
    in_app = asyncio.run(app_run_seconds())
    print("\nTraining 1338 rows x 300 epochs (per-sample SGD)")
    print(f"  {'where':<30}{'seconds':>9}{'speed':>8}")
    print(f"  {'headless (nntui run engine)':<30}{headless:>9.3f}{1.0:>7.2f}x")
    print(f"  {'in the app (f key, worker)':<30}{in_app:>9.3f}{headless / in_app:>7.2f}x")

    latencies, secs, epochs = asyncio.run(keys_while_training(3000))
    print(f"\nKey latency while training (1338 rows, {epochs} epochs in {secs:.1f} s, "
          f"{len(latencies)} key presses)")
    print(f"  median {1000 * statistics.median(latencies):.1f} ms, "
          f"max {1000 * max(latencies):.1f} ms (goal: under 100 ms)")


if __name__ == "__main__":
    main()
