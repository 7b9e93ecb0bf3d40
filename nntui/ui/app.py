"""The nntui app: keys for every action, a training worker, and settings that apply safely.

Start-up is kept close to a bare Textual app: this module imports only Textual basics. The
first frame (footer and a "starting" line) is painted before numpy, plotext and the body
are loaded; then the Session is built and the MainView mounted. All numbers come from core.
Training runs in a thread worker that holds `lock` for one epoch at a time, so keys stay
responsive and a paused run is never touched by two threads at once.
"""

from __future__ import annotations

import asyncio
import signal
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from textual import work
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Static
from textual.worker import get_current_worker

from nntui.errors import UserError
from nntui.lab.config import ExperimentConfig
from nntui.ui.app_runs import RunsMixin
from nntui.ui.app_settings import SettingsMixin
from nntui.ui.widgets.keybar import KeyBar, group

if TYPE_CHECKING:
    from nntui.lab.data import Table
    from nntui.lab.runs import RunStore
    from nntui.lab.session import Session
    from nntui.ui.main_view import MainView

LR = group("lr ×÷10 ×÷2")
TABS = group("tabs")
PROGRESS_INTERVAL = 0.1  # seconds between live updates from the worker (~10 per second)
WIDE, NARROW = 140, 72
ALWAYS_ALLOWED = ("quit", "help", "command_palette")


class NNApp(SettingsMixin, RunsMixin, App[None]):
    """Train a small network on the keyboard and watch every number move."""

    CSS_PATH = Path(__file__).with_name("app.tcss")
    TITLE = "nntui"
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (NARROW, "-normal"), (WIDE, "-wide")]
    BINDINGS = [
        Binding("space", "toggle_run", "Run/pause", tooltip="run to the last epoch / pause"),
        Binding("i", "inspect", "Inspect", tooltip="backprop inspector: every number of a step"),
        Binding("s", "step", "Step", tooltip="one SGD update (one sample or mini-batch)"),
        Binding("e", "epoch", "Epoch", tooltip="finish the current epoch"),
        Binding("f", "finish", "To end", tooltip="train to the last epoch at full speed"),
        Binding("u", "undo", "Undo", tooltip="undo the last step, epoch or run epoch"),
        Binding("r", "reset", "Reset", tooltip="back to the exact initial weights"),
        Binding("question_mark", "help", "Help", tooltip="this help"),
        Binding("q", "quit", "Quit", tooltip="quit nntui"),
        Binding("ctrl+p", "command_palette", "Palette", tooltip="command palette: every action"),
        Binding("plus", "scale_lr(10)", "lr×10", tooltip="multiply the learning rate by 10",
                group=LR),
        Binding("minus", "scale_lr(0.1)", "lr÷10", tooltip="divide the learning rate by 10",
                group=LR),
        Binding("asterisk", "scale_lr(2)", "lr×2", tooltip="multiply the learning rate by 2",
                group=LR),
        Binding("slash", "scale_lr(0.5)", "lr÷2", tooltip="divide the learning rate by 2",
                group=LR),
        Binding("g", "regenerate", "New data", tooltip="next data seed: new rows or split"),
        Binding("w", "redraw", "New weights", tooltip="re-draw random initial weights"),
        Binding("l", "toggle_log", "Log", tooltip="log scale for the loss curve"),
        Binding("b", "toggle_sidebar", "Sidebar", tooltip="show or hide the settings"),
        Binding("1", "tab('tab-loss')", "Loss", tooltip="loss curve tab", group=TABS),
        Binding("2", "tab('tab-results')", "Results", tooltip="metrics and weights tab",
                group=TABS),
        Binding("3", "tab('tab-data')", "Data", tooltip="data preview tab", group=TABS),
        Binding("4", "tab('tab-runs')", "Runs", tooltip="runs table, overlay and export tab",
                group=TABS),
        Binding("v", "sweep", "Sweep", tooltip="sweep one setting over a list of values"),
        Binding("k", "framework_check", "sklearn", tooltip="framework check: the same start "
                "trained by scikit-learn's MLPRegressor"),
        Binding("ctrl+s", "settings_file('save')", "Save", tooltip="save the settings as TOML"),
        Binding("ctrl+o", "settings_file('load')", "Open", tooltip="load settings (TOML or a "
                "ready experiment)"),
        Binding("escape", "leave_field", "Keys", tooltip="leave a field: keys work again",
                show=False),
    ]

    @dataclass
    class Progress(Message):
        """The training worker finished some epochs (posted at most ~10 times a second)."""

        generation: int
        rate: float

    @dataclass
    class TrainingDone(Message):
        """The training worker stopped: "ok", "diverged" or "paused"."""

        generation: int
        status: str
        rate: float

    def __init__(self, config: ExperimentConfig | Session | None = None,
                 table: Table | None = None, store: RunStore | None = None) -> None:
        """Open on `config` (validated); `table` is data already loaded for it; finished
        runs are saved in `store` (default: the user's data directory)."""
        super().__init__()
        self.store = store  # built after the first paint when not given
        self._recorded: tuple[int, int, int, int | None] | None = None
        self._start: tuple[ExperimentConfig, Table | None] | None = None
        self.session: Session | None = None
        if config is not None and not isinstance(config, ExperimentConfig):
            self.session = config
        else:
            self._start = (config or ExperimentConfig(), table)
        self.lock = threading.Lock()
        self.rate: float | None = None
        self.running = False

    # -- start-up ----------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Static("starting nntui…", id="starting")
        yield KeyBar()

    def on_mount(self) -> None:
        self.call_after_refresh(self.build_body)
        try:  # a dropped SSH connection: keep the run in progress, then leave
            asyncio.get_running_loop().add_signal_handler(signal.SIGHUP, self.hang_up)
        except (NotImplementedError, RuntimeError, ValueError):
            pass

    def hang_up(self) -> None:
        """SIGHUP: save the current run as stopped (atomically) and exit."""
        if self.ready:
            self.stop_training()
            self.record_run(stopped=True)
        self.exit()

    async def build_body(self) -> None:
        """After the first paint: build the session (numpy) and mount the body."""
        from nntui.lab.runs import RunStore
        from nntui.lab.session import Session
        from nntui.ui.main_view import MainView

        if self.store is None:
            self.store = RunStore()
        if self.session is None and self._start is not None:
            try:
                self.session = Session(*self._start)
            except UserError as exc:  # the CLI checks first; this is the last safety net
                self.query_one("#starting", Static).update(f"nntui: error: {exc} (q quits)")
                return
        assert self.session is not None
        if not self.screen.is_attached or self._exit:  # quit before the body was built
            return
        await self.query_one("#starting").remove()
        await self.mount(MainView(self.session, self.store), before=self.query_one(KeyBar))
        self.refresh_all()
        self.screen.set_focus(None)

    @property
    def ready(self) -> bool:
        return self.session is not None and bool(self.query("#body"))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """App keys work on the main screen once it is built (not under the inspector)."""
        if action in ALWAYS_ALLOWED:
            return True
        return self.ready and len(self.screen_stack) == 1

    @property
    def view(self) -> MainView:
        return self.query_one("#body")  # type: ignore[return-value]

    @property
    def live(self) -> Session:
        """The session, once built (every action runs only after that)."""
        assert self.session is not None
        return self.session

    # -- rendering ---------------------------------------------------------------------------
    def state(self) -> str:
        t = self.live.trainer
        if t.diverged:
            return "diverged"
        if self.running:
            return "running"
        if t.epochs_done >= self.live.config.epochs:
            return "finished"
        return "ready" if t.updates == 0 else "paused"

    def refresh_all(self) -> None:
        self.view.session = self.live
        self.refresh_training()
        self.view.show_data()

    def refresh_training(self) -> None:
        self.view.show_training(self.state(), self.rate)

    # -- training worker ---------------------------------------------------------------------
    @work(thread=True, exclusive=True, group="train")
    def train(self, until: int, live: bool = True) -> None:
        worker = get_current_worker()
        trainer, gen = self.live.trainer, self.live.generation
        start_updates, start = trainer.updates, time.perf_counter()
        last = start
        status = "ok"
        while trainer.epochs_done < until and not trainer.diverged:
            with self.lock:
                if worker.is_cancelled:
                    status = "paused"
                    break
                trainer.epoch()
            now = time.perf_counter()
            if live and now - last >= PROGRESS_INTERVAL:
                last = now
                self.post_message(self.Progress(gen, (trainer.updates - start_updates)
                                                / max(now - start, 1e-9)))
        elapsed = max(time.perf_counter() - start, 1e-9)
        if trainer.diverged:
            status = "diverged"
        self.post_message(self.TrainingDone(gen, status,
                                            (trainer.updates - start_updates) / elapsed))

    def on_nnapp_progress(self, message: Progress) -> None:
        if message.generation == self.live.generation:
            self.rate = message.rate
            self.refresh_training()

    def on_nnapp_training_done(self, message: TrainingDone) -> None:
        if message.generation != self.live.generation:
            return
        self.running = False
        self.rate = message.rate
        self.refresh_training()
        self.record_if_finished()
        if message.status == "diverged":
            self.notify("The run diverged: see the banner.", severity="error")

    def stop_training(self) -> None:
        """Cancel the worker; after this returns it will not touch the trainer again."""
        for worker in self.workers:
            if worker.group == "train":
                worker.cancel()
        with self.lock:
            pass
        self.running = False

    def start_training(self, live: bool) -> None:
        t, epochs = self.live.trainer, self.live.config.epochs
        if t.diverged or t.epochs_done >= epochs:
            # That run is complete and in the history: run again from the initial weights
            # with the current settings (the notebook's "change lr, run again").
            self.record_run()
            self.new_run()
            self.notify("New run from the initial weights.")
        self.running = True
        self.train(epochs, live)
        self.refresh_training()

    # -- actions -----------------------------------------------------------------------------
    def action_toggle_run(self) -> None:
        if self.running:
            self.stop_training()
            self.refresh_training()
        else:
            self.start_training(live=True)

    def action_finish(self) -> None:
        if not self.running:
            self.start_training(live=False)

    def action_step(self) -> None:
        self.stop_training()
        record = self.live.trainer.step()
        if record is None:
            self.notify("This run diverged: undo (u) or reset (r).", severity="warning")
        elif record.diverged:
            self.notify("That step would make a weight infinite: the run diverged.",
                        severity="error")
        self.refresh_training()
        self.record_if_finished()

    def action_epoch(self) -> None:
        self.stop_training()
        if self.live.trainer.epoch() is None and not self.live.trainer.diverged:
            self.notify("Nothing to do.")
        self.refresh_training()
        self.record_if_finished()

    def action_undo(self) -> None:
        self.stop_training()
        if not self.live.trainer.undo():
            self.notify("Nothing to undo: this is the initial state.")
        self.refresh_training()

    def action_reset(self) -> None:
        self.stop_training()
        self.record_run(stopped=True)
        self.new_run()
        self.rate = None
        self.refresh_training()
        self.notify("Reset to the initial weights.")

    def action_toggle_log(self) -> None:
        self.view.toggle_log_scale()

    def action_toggle_sidebar(self) -> None:
        self.screen.toggle_class("-no-sidebar")
        self.screen.toggle_class("-show-sidebar")

    def action_tab(self, tab: str) -> None:
        self.view.query_one("#tabs").active = tab  # type: ignore[attr-defined]
        if tab == "tab-runs":  # focus once the pane is shown: enter then selects runs
            self.call_after_refresh(self.view.query_one("#runs-table").focus)

    def action_leave_field(self) -> None:
        self.screen.set_focus(None)

    async def action_quit(self) -> None:
        if self.ready:
            self.stop_training()
            self.record_run(stopped=True)
        await super().action_quit()

    def action_inspect(self) -> None:
        from nntui.ui.screens.inspector import InspectorScreen

        self.stop_training()
        self.push_screen(InspectorScreen(self.live), lambda _: self.refresh_training())

    def action_help(self) -> None:
        from nntui.ui.screens.help import HelpScreen
        from nntui.ui.widgets.fields import SettingField
        from nntui.ui.widgets.runs_view import RunsView

        keys = [*self.BINDINGS, *(Binding(b.key, b.action, f"Runs tab: {b.description}",
                                          tooltip=f"runs tab: {b.tooltip}")
                                  for b in RunsView.BINDINGS if isinstance(b, Binding)),
                *SettingField.BINDINGS]
        self.push_screen(HelpScreen([b for b in keys if isinstance(b, Binding)]))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        for binding in self.BINDINGS:
            if isinstance(binding, Binding) and binding.action not in ("leave_field",
                                                                       "command_palette"):
                yield SystemCommand(binding.description, binding.tooltip,
                                    lambda a=binding.action: self.run_action(a))
