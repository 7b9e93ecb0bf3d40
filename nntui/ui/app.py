"""The nntui app: a controller that turns keys into calls on the lab's Session.

The run lifecycle (states, the completion rule, recording each run once, run numbers, the
lock) lives in `nntui.lab.session.Session`; every number shown comes from the lab or the
engine. Start-up stays close to a bare Textual app: the first frame is painted before
numpy, plotext and the body are loaded. Training runs in a thread worker that calls
`Session.train`, which takes the session's lock one epoch at a time.
"""

from __future__ import annotations

import asyncio
import signal
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual import work
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Static
from textual.worker import get_current_worker

from nntui.errors import UserError
from nntui.lab.config import ExperimentConfig
from nntui.ui.widgets.keybar import KeyBar, group

if TYPE_CHECKING:
    from nntui.lab.data import Table
    from nntui.lab.runs import RunStore
    from nntui.lab.session import Session
    from nntui.ui.main_view import MainView
    from nntui.ui.settings_controller import SettingsController

LR = group("lr ×÷10 ×÷2")
TABS = group("tabs")
PROGRESS_INTERVAL = 0.1  # seconds between live updates from the worker (~10 per second)
WIDE, NARROW = 140, 72
ALWAYS_ALLOWED = ("quit", "help", "command_palette")


class NNApp(App[None]):
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

    @dataclass
    class SweepDone(Message):
        """A sweep finished: how many runs it recorded, and any errors."""

        count: int
        errors: list[str]

    def __init__(self, config: ExperimentConfig | Session | None = None,
                 table: Table | None = None, store: RunStore | None = None) -> None:
        """Open on `config` (validated); `table` is data already loaded for it; finished
        runs are saved in `store` (default: the user's data directory)."""
        super().__init__()
        self.store = store  # built after the first paint when not given
        self._start: tuple[ExperimentConfig, Table | None] | None = None
        self.session: Session | None = None
        if config is not None and not isinstance(config, ExperimentConfig):
            self.session = config
        else:
            self._start = (config or ExperimentConfig(), table)
        self.rate: float | None = None
        self._body_ready = False
        self.settings: SettingsController | None = None

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
            self.live.record(stopped=True)
        self.exit()

    async def build_body(self) -> None:
        """After the first paint: build the session (numpy) and mount the body."""
        from nntui.lab.history import RunHistory
        from nntui.lab.runs import RunStore
        from nntui.lab.session import Session
        from nntui.ui.main_view import MainView
        from nntui.ui.settings_controller import SettingsController

        self.store = self.store if self.store is not None else RunStore()
        history = RunHistory(self.store)  # the app's store, also for a session given
        if self.session is None and self._start is not None:
            try:
                self.session = Session(*self._start, history=history)
            except UserError as exc:  # the CLI checks first; this is the last safety net
                self.query_one("#starting", Static).update(f"nntui: error: {exc} (q quits)")
                return
        assert self.session is not None
        self.session.history = history
        if not self.screen.is_attached or self._exit:  # quit before the body was built
            return
        self.settings = SettingsController(self)
        await self.query_one("#starting").remove()
        await self.mount(MainView(self.session), before=self.query_one(KeyBar))
        self.session.history.load()
        self._body_ready = True
        self.refresh_all()
        self.screen.set_focus(None)
        self.show_history_warnings()

    @property
    def ready(self) -> bool:
        return self.session is not None and self._body_ready

    @property
    def running(self) -> bool:
        return self.session is not None and self.session.running

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """App keys work on the main screen once it is built (not under the inspector)."""
        if action in ALWAYS_ALLOWED:
            return True
        return self._body_ready and len(self.screen_stack) == 1

    @property
    def view(self) -> MainView:
        return self.query_one("#body")  # type: ignore[return-value]

    @property
    def live(self) -> Session:
        """The session, once built (every action runs only after that)."""
        assert self.session is not None
        return self.session

    @property
    def controller(self) -> SettingsController:
        assert self.settings is not None
        return self.settings

    # -- rendering ---------------------------------------------------------------------------
    def refresh_all(self) -> None:
        self.view.session = self.live
        self.refresh_training()
        self.view.show_data()

    def refresh_training(self) -> None:
        self.view.show_training(self.live.state.value, self.rate)

    def show_history_warnings(self) -> None:
        for warning in self.live.history.take_warnings():
            self.notify(warning, severity="warning", timeout=10)

    # -- training worker ---------------------------------------------------------------------
    @work(thread=True, exclusive=True, group="train")
    def train(self, live: bool = True) -> None:
        worker = get_current_worker()
        session = self.live
        gen, start_updates = session.generation, session.trainer.updates
        start = last = time.perf_counter()

        def progress() -> None:
            nonlocal last
            now = time.perf_counter()
            if live and now - last >= PROGRESS_INTERVAL:
                last = now
                self.post_message(self.Progress(gen, self._rate(start_updates, start)))

        status = session.train(lambda: worker.is_cancelled, progress)
        self.post_message(self.TrainingDone(gen, status, self._rate(start_updates, start)))

    def _rate(self, start_updates: int, start: float) -> float:
        elapsed = max(time.perf_counter() - start, 1e-9)
        return (self.live.trainer.updates - start_updates) / elapsed

    def on_nnapp_progress(self, message: Progress) -> None:
        if message.generation == self.live.generation:
            self.rate = message.rate
            self.refresh_training()

    def on_nnapp_training_done(self, message: TrainingDone) -> None:
        if message.generation != self.live.generation:
            return
        self.live.running = False
        self.live.record_if_complete()
        self.rate = message.rate
        self.refresh_training()
        self.show_history_warnings()
        if message.status == "diverged":
            self.notify("The run diverged: see the banner.", severity="error")

    def stop_training(self) -> None:
        """Cancel the worker; after this returns it will not touch the trainer again."""
        for worker in self.workers:
            if worker.group == "train":
                worker.cancel()
        with self.live.lock:
            pass
        self.live.running = False

    def start_training(self, live: bool) -> None:
        note = self.live.start()
        if note:
            self.notify(note)
        self.live.running = True
        self.train(live)
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
        record = self.live.step()
        if record is None:
            self.notify("This run diverged: undo (u) or reset (r).", severity="warning")
        elif record.diverged:
            self.notify("That step would make a weight infinite: the run diverged.",
                        severity="error")
        self.refresh_training()

    def action_epoch(self) -> None:
        self.stop_training()
        if not self.live.epoch():
            self.notify("Nothing to do: the run is complete (space or f starts a new one).")
        self.refresh_training()

    def action_undo(self) -> None:
        self.stop_training()
        if not self.live.undo():
            self.notify("Nothing to undo: this is the initial state.")
        self.refresh_training()

    def action_reset(self) -> None:
        self.stop_training()
        self.live.new_run()
        self.rate = None
        self.refresh_training()
        self.notify("Reset to the initial weights.")

    def action_scale_lr(self, factor: float) -> None:
        self.controller.scale_lr(factor)

    def action_regenerate(self) -> None:
        self.controller.apply(self.live.regenerate(), None)

    def action_redraw(self) -> None:
        self.controller.redraw()

    def action_settings_file(self, mode: str) -> None:
        self.controller.settings_file(mode)

    def on_setting_field_committed(self, message: Any) -> None:
        """A field was edited (SettingField.Committed): refuse in place or apply."""
        self.controller.commit(message.field, message.key, message.text)

    def on_settings_controller_data_loaded(self, message: Any) -> None:
        self.controller.data_loaded(message)

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
            self.live.record(stopped=True)
        await super().action_quit()

    def action_inspect(self) -> None:
        from nntui.ui.screens.inspector import InspectorScreen

        self.stop_training()
        self.push_screen(InspectorScreen(self.live), lambda _: self.refresh_training())

    def action_framework_check(self) -> None:
        from nntui.ui.screens.framework import FrameworkScreen

        self.stop_training()
        self.push_screen(FrameworkScreen(self.live.experiment))

    # -- sweeps ------------------------------------------------------------------------------
    def action_sweep(self) -> None:
        from nntui.ui.screens.forms import SweepScreen
        from nntui.ui.sweeps import start_sweep

        def start(configs: list[ExperimentConfig] | None) -> None:
            if configs:
                start_sweep(self, configs)
                self.action_tab("tab-runs")
                self.notify(f"Sweep of {len(configs)} runs started on both cores.")

        self.push_screen(SweepScreen(self.live.config), start)

    def on_nnapp_sweep_done(self, message: SweepDone) -> None:
        errors = "; ".join(message.errors)
        self.notify(f"Sweep finished: {message.count} run(s) recorded and overlaid."
                    + (f" Errors: {errors}" if errors else ""),
                    severity="error" if errors else "information")
        self.show_history_warnings()

    # -- help and the command palette --------------------------------------------------------
    def action_help(self) -> None:
        from nntui.ui.screens.help import HelpScreen, every_key

        self.push_screen(HelpScreen(every_key(self.BINDINGS)))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        for binding in self.BINDINGS:
            if isinstance(binding, Binding) and binding.action not in ("leave_field",
                                                                       "command_palette"):
                yield SystemCommand(binding.description, binding.tooltip,
                                    lambda a=binding.action: self.run_action(a))
