"""The app: the whole first screen against a bare Textual app, keys while training (to the
frame), the inspector, and training speed in the app.

Every time is taken at a frame: `App._display` is where Textual hands a finished frame to
the terminal (headless it writes nothing, so each probe also turns the frame into terminal
text, as a real terminal's driver would). A key's latency is from posting it, as the
terminal driver does, to the first frame that shows its effect.
"""

from __future__ import annotations

import asyncio
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import nntui
from nntui.lab.config import ExperimentConfig
from nntui.lab.experiment import Experiment
from nntui.lab.runs import RunStore
from nntui.lab.session import Session
from nntui.ui.app import NNApp
from nntui.ui.screenshots import wait_ready

# The first frame in which `done(app)` holds: time and CPU since the interpreter started.
PAINT = """
import resource
def cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime
class FirstPaint(BASE):
    def _display(self, screen, renderable):
        if renderable is not None and not getattr(self, "painted", False):
            renderable.render_segments(self.console)
            if done(self):
                self.painted = True
                print(time.perf_counter() - START, cpu(), "sklearn" in sys.modules
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
def done(app):
    return True
""" + PAINT + """
FirstPaint().run(headless=True, size=(80, 24))
"""

# The least any screen with nntui's content can cost: a bare app that also loads what the
# first screen cannot do without (numpy for the numbers, plotext for the plot) and draws
# an empty plot. nntui's own share is what it needs beyond this.
FLOOR = """
import os
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
import numpy
from textual.app import App
from textual.widgets import Footer, Static
from textual_plotext import PlotextPlot
class BASE(App):
    def compose(self):
        yield Static("hello")
        yield PlotextPlot()
        yield Footer()
def done(app):
    return True
""" + PAINT + """
FirstPaint().run(headless=True, size=(80, 24))
"""

# nntui's whole first screen: the body built, the sidebar's settings, the plot and the key
# bar all in the frame (not the "starting nntui…" placeholder before them).
NNTUI = """
from nntui.cli import build_parser, config_from_args, startup
startup.pause()  # as the `nntui` command does (cli/startup.py)
from nntui.ui.app import NNApp as BASE
def done(app):
    if not app.ready:
        return False
    shown = app.screen._compositor.visible_widgets
    plot = app.query_one("#plot")
    keys = app.query_one("KeyBar")
    sheet = app.query_one("#sheet-top")
    return (plot in shown and keys in shown and str(keys.content) != "" and sheet in shown
            and len(sheet.lines) > 5)
""" + PAINT + """
app = FirstPaint(config_from_args(build_parser().parse_args([])))
app.when_built = startup.resume
app.run(headless=True, size=(80, 24))
"""

HEAD = "import sys, time\nSTART = time.perf_counter()\n"
BIG = ExperimentConfig(rows=1338, epochs=300, test_size=0.0)
ENDLESS = ExperimentConfig(rows=1338, epochs=1_000_000, test_size=0.0)


def interpreter_start() -> tuple[float, float]:
    """Wall and CPU seconds of a bare `python -c pass` (added to the in-process times)."""
    import resource

    walls, cpus = [], []
    for _ in range(5):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], check=True)
        walls.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return statistics.median(walls), statistics.median(cpus)


def first_screens(repeats: int) -> dict[str, tuple[float, float, float, bool]]:
    """(median wall, min wall, median CPU) seconds from interpreter start to the first
    complete screen, and whether pandas/sklearn were loaded. The two apps alternate, so
    both see the same machine load."""
    # Compiled once, as an installed nntui is (PYTHONDONTWRITEBYTECODE would otherwise
    # make every start compile nntui's sources again; Textual's are compiled at install).
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(Path(nntui.__file__).parent)],
                   check=True, capture_output=True)
    wall0, cpu0 = interpreter_start()
    walls: dict[str, list[float]] = {"bare": [], "floor": [], "nntui": []}
    cpus: dict[str, list[float]] = {"bare": [], "floor": [], "nntui": []}
    heavy = {"bare": False, "floor": False, "nntui": False}
    for _ in range(repeats):
        for name, code in (("bare", BARE), ("floor", FLOOR), ("nntui", NNTUI)):
            out = subprocess.run([sys.executable, "-c", HEAD + code], capture_output=True,
                                 text=True, check=True)
            wall, cpu, imported = out.stdout.split()[-3:]
            heavy[name] |= imported == "True"
            walls[name].append(float(wall) + wall0)
            cpus[name].append(float(cpu))  # the process's own CPU, start-up included
    return {k: (statistics.median(walls[k]), min(walls[k]), statistics.median(cpus[k]),
                heavy[k]) for k in walls}


class FrameProbe:
    """Hooks an app's frames: `until(check)` is the seconds from now to the first frame
    after which `check()` holds."""

    def __init__(self, app: NNApp) -> None:
        self.app = app
        self.waiting: tuple[float, Callable[[], bool]] | None = None
        self.latency: float | None = None
        display = app._display

        def hooked(screen: object, renderable: object) -> None:
            display(screen, renderable)  # type: ignore[arg-type]
            if renderable is None or self.waiting is None:
                return
            renderable.render_segments(app.console)  # type: ignore[attr-defined]
            sent, check = self.waiting
            if check():
                self.latency = time.perf_counter() - sent
                self.waiting = None

        app._display = hooked  # type: ignore[method-assign]

    async def until(self, key: str, check: Callable[[], bool], limit: float = 10) -> float:
        self.latency = None
        self.waiting = (time.perf_counter(), check)
        self.app.simulate_key(key)
        while self.waiting is not None and time.perf_counter() - self.waiting[0] < limit:
            await asyncio.sleep(0.0005)
        assert self.latency is not None, f"{key} never showed"
        return self.latency


def shown(app: NNApp, selector: str) -> Callable[[], bool]:
    def check() -> bool:
        return app.query_one(selector) in app.screen._compositor.visible_widgets
    return check


async def keys_while_training(seconds: float) -> tuple[list[float], int]:
    """Tab switches (1 and 2, alternately, 80-130 ms apart) while a run trains: each
    latency is to the frame that shows the other tab. Also the epochs trained."""
    app = NNApp(Session(ENDLESS), store=RunStore("/nonexistent/bench", persist=False))
    probe = FrameProbe(app)
    latencies: list[float] = []
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_ready(pilot)
        app.simulate_key("space")
        await asyncio.sleep(0.3)
        start = time.perf_counter()
        k = 0
        while time.perf_counter() - start < seconds and app.running:
            k += 1
            key, target = ("2", "#results") if k % 2 else ("1", "#plot")
            latencies.append(await probe.until(key, shown(app, target)))
            await asyncio.sleep(0.08 + 0.025 * (k % 3))
        app.simulate_key("space")
        await asyncio.gather(*(w.wait() for w in app.workers), return_exceptions=True)
        return latencies, app.live.trainer.epochs_done


async def inspector_opens(times: int) -> tuple[list[float], list[float]]:
    """Seconds from `i` to the first frame of the inspector: at rest, and while training
    (1338 rows; the first opening includes importing the inspector)."""
    app = NNApp(Session(ENDLESS), store=RunStore("/nonexistent/bench", persist=False))
    probe = FrameProbe(app)
    rest: list[float] = []
    training: list[float] = []
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_ready(pilot)
        for out, train in ((rest, False), (training, True)):
            for _ in range(times):
                if train:
                    app.simulate_key("space")
                    await asyncio.sleep(0.3)
                out.append(await probe.until("i", lambda: app.screen.id == "inspector"))
                await pilot.press("escape")
                await pilot.pause()
    return rest, training


async def app_run_seconds() -> float:
    """Seconds from pressing f to the finished run, 1338 rows x 300 epochs, in the app."""
    app = NNApp(Session(BIG), store=RunStore("/nonexistent/bench", persist=False))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_ready(pilot)
        trainer = app.live.trainer
        start = time.perf_counter()
        app.simulate_key("f")
        while trainer.epochs_done < 300 or app.running:
            await asyncio.sleep(0.001)
        return time.perf_counter() - start


def ms(values: list[float], q: float) -> str:
    ordered = sorted(values)
    return f"{1000 * ordered[min(len(ordered) - 1, int(q * len(ordered)))]:.0f}"


def main(repeats: int = 7) -> None:
    screens = first_screens(repeats)
    bare = screens["bare"]
    print(f"\nFirst screen (fresh interpreter, headless 80x24, {repeats} alternating runs; "
          "nntui: the whole screen, not its placeholder)")
    print(f"  {'app':<30}{'median s':>9}{'min s':>8}{'cpu s':>8}{'ratio':>8}  "
          "pandas/sklearn loaded")
    for name, label in (("bare", "bare Textual app (first paint)"),
                        ("floor", "  + numpy, plotext, a plot"),
                        ("nntui", "nntui, default experiment")):
        med, low, cpu, heavy = screens[name]
        print(f"  {label:<30}{med:>9.3f}{low:>8.3f}{cpu:>8.3f}{med / bare[0]:>7.2f}x  {heavy}")

    exp = Experiment.build(BIG)
    start = time.perf_counter()
    exp.run()
    headless = time.perf_counter() - start
    in_app = asyncio.run(app_run_seconds())
    print("\nTraining 1338 rows x 300 epochs (per-sample SGD)")
    print(f"  {'where':<30}{'seconds':>9}{'speed':>8}")
    print(f"  {'headless (nntui run engine)':<30}{headless:>9.3f}{1.0:>7.2f}x")
    print(f"  {'in the app (f key, worker)':<30}{in_app:>9.3f}{headless / in_app:>7.2f}x")

    latencies, epochs = asyncio.run(keys_while_training(8.0))
    print(f"\nKeys while training (1338 rows, {epochs} epochs trained meanwhile): "
          f"{len(latencies)} tab switches, key to the frame that shows the tab")
    print(f"  p50 {ms(latencies, 0.5)} ms, p90 {ms(latencies, 0.9)} ms, "
          f"max {ms(latencies, 1.0)} ms (goal: p90 under 100 ms)")

    rest, training = asyncio.run(inspector_opens(3))
    print("\nInspector, `i` to its first frame (1338 rows; goal: under 300 ms)")
    print(f"  at rest: first {1000 * rest[0]:.0f} ms (imports it), then "
          f"{', '.join(f'{1000 * t:.0f}' for t in rest[1:])} ms; while training: "
          f"{', '.join(f'{1000 * t:.0f}' for t in training)} ms")


if __name__ == "__main__":
    main()
