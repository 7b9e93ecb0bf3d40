"""The nntui app: a controller that turns keys into calls on the lab's Session.

The run lifecycle (states, the completion rule, recording each run once, run numbers, the
lock) lives in `nntui.lab.session.Session`; every number shown comes from the lab or the
engine. numpy, plotext and the body are loaded just after the app is mounted (build_body),
so the command line's other paths never load them. Training runs in a thread worker (training.py);
the keys are in keys.py; a hang-up or a crash is handled in shutdown.py.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual import events
from textual.app import App, ComposeResult, SystemCommand
from textual.message import Message
from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.signal import Signal
from textual.widgets import Static

from nntui.lab.config import ExperimentConfig
from nntui.ui import look, shutdown
from nntui.ui.keys import ALWAYS_ALLOWED, APP_BINDINGS, palette_commands
from nntui.ui.training import start_thread
from nntui.ui.widgets.keybar import KeyBar

if TYPE_CHECKING:
    from nntui.lab.data import Table
    from nntui.lab.runs import RunStore
    from nntui.lab.session import Session
    from nntui.ui.main_view import MainView
    from nntui.ui.settings_controller import SettingsController

WIDE, NARROW = 140, 72


class NNApp(App[None]):
    """Train a small network on the keyboard and watch every number move."""

    CSS_PATH = Path(__file__).with_name("app.tcss")
    TITLE = "nntui"
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (NARROW, "-normal"), (WIDE, "-wide")]
    BINDINGS = APP_BINDINGS

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
                 table: Table | None = None, store: RunStore | None = None,
                 ascii_only: bool = False, keep_prefs: bool = False) -> None:
        """Open on `config` (validated); `table` is data already loaded for it; finished
        runs are saved in `store` (default: the user's data directory); `ascii_only`
        draws with ASCII only (a plain terminal); `keep_prefs` restores and saves the
        user's preferences (the command line's app; tests and pictures leave them)."""
        super().__init__()
        self.keep_prefs = keep_prefs
        self.prefs, self._pref_warnings = look.restore(self, ascii_only)
        self.store = store  # built after the first paint when not given
        self.start_with: tuple[ExperimentConfig, Table | None] | None = None
        self.session: Session | None = None
        if config is not None and not isinstance(config, ExperimentConfig):
            self.session = config
        else:
            self.start_with = (config or ExperimentConfig(), table)
        self.rate: float | None = None
        self.body_ready = False
        self.settings: SettingsController | None = None
        self.crash: shutdown.Crash | None = None  # an unexpected error, once reported
        self._release_hang_up: Callable[[], None] = lambda: None
        #: Called once the body is built (or could not be): the command line resumes the
        #: garbage collector it paused for start-up here (cli/startup.py).
        self.when_built: Callable[[], None] = lambda: None
        #: Published whenever the training view is redrawn: a screen over it may follow.
        self.training_shown: Signal[None] = Signal(self, "training_shown")

    # -- start-up ----------------------------------------------------------------------------
    def get_default_screen(self) -> Screen[None]:
        from nntui.ui.body import MainScreen

        return MainScreen(id="_default")

    def compose(self) -> ComposeResult:
        yield Static("starting nntui…", id="starting")
        yield KeyBar()

    def on_mount(self) -> None:
        self._pref_warnings += look.apply_on_mount(self, self.prefs)
        for warning in self._pref_warnings:
            self.notify(warning, severity="warning", timeout=10)
        self.call_later(self.build_body)
        # A dropped SSH connection: keep the run in progress, then leave (shutdown.py).
        self._release_hang_up = shutdown.catch_hang_up(self)

    def on_unmount(self) -> None:
        self._release_hang_up()
        self.when_built()

    def hang_up(self) -> None:
        """SIGHUP (the terminal is gone): save the run in progress and leave at once."""
        shutdown.hang_up(self)

    # -- an unexpected error: save the run, log the traceback, one line, status 1 -----------
    def _handle_exception(self, error: Exception) -> None:
        if self.crash is None:
            self.crash = shutdown.report_crash(self, error)
        super()._handle_exception(error)

    def _print_error_renderables(self) -> None:
        """After a crash the terminal gets one line naming the log, not a traceback."""
        if self.crash is None:
            super()._print_error_renderables()
            return
        self._exit_renderables.clear()
        self.error_console.print(self.crash.line, markup=False, highlight=False,
                                 soft_wrap=True)

    def run(self, *args: Any, **kwargs: Any) -> Any:
        """Run the app; after an unexpected error (reported above) exit with status 1."""
        result = super().run(*args, **kwargs)
        if self.crash is not None:
            raise SystemExit(1)
        return result

    # -- user text is never markup ---------------------------------------------------------
    def notify(self, message: str, *, title: str = "", severity: SeverityLevel = "information",
               timeout: float | None = None, markup: bool = False) -> None:
        """Like App.notify, but a message is plain text unless asked (it may hold paths,
        typed values or column names, e.g. `results [final].csv`)."""
        super().notify(message, title=title, severity=severity, timeout=timeout,
                       markup=markup)

    async def on_event(self, event: events.Event) -> None:
        """Keys typed ahead of a quit (`q` then `i` over a slow link) are dropped."""
        if isinstance(event, events.Key) and self.leaving:
            return
        await super().on_event(event)

    async def build_body(self) -> None:
        """Just after mounting: build the session (numpy) and mount the body, so the first
        frame is the whole screen (the "starting" line shows only an error)."""
        from nntui.ui import body

        try:
            await body.build(self)
        finally:
            self.when_built()

    @property
    def ready(self) -> bool:
        return self.session is not None and self.body_ready

    @property
    def running(self) -> bool:
        return self.session is not None and self.session.running

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """App keys work on the main screen once it is built (not under the inspector)."""
        if action in ALWAYS_ALLOWED:
            return True
        return self.body_ready and len(self.screen_stack) == 1

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
        self.training_shown.publish(None)

    def show_history_warnings(self) -> None:
        for warning in self.live.history.take_warnings():
            self.notify(warning, severity="warning", timeout=10)

    # -- training (the thread itself: training.py) ------------------------------------------
    @property
    def leaving(self) -> bool:
        """The app is shutting down: its widgets may be gone (a worker may still report)."""
        return self._exit or not self.is_running

    def on_nnapp_progress(self, message: Progress) -> None:
        if message.generation == self.live.generation and not self.leaving:
            self.rate = message.rate
            self.refresh_training()

    def on_nnapp_training_done(self, message: TrainingDone) -> None:
        if message.generation != self.live.generation:
            return
        self.live.running = False
        self.live.record_if_complete()
        if self.leaving:  # the run is kept; there is nothing left to redraw
            return
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
        start_thread(self, live)
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

    def on_sidebar_committed(self, message: Any) -> None:
        """A setting was edited (Sidebar.Committed): refuse in place or apply."""
        self.controller.commit(message.key, message.text)

    def on_settings_controller_data_loaded(self, message: Any) -> None:
        self.controller.data_loaded(message)

    def action_toggle_log(self) -> None:
        self.view.toggle_log_scale()

    def action_toggle_sidebar(self) -> None:
        """b: on a narrow terminal the sidebar comes over the view and goes (the kept
        preference is for wider ones); otherwise it is shown or hidden, and kept so."""
        if self.screen.has_class("-narrow"):
            self.screen.toggle_class("-show-sidebar")
            return
        self.screen.toggle_class("-no-sidebar")
        look.sidebar_changed(self, self.prefs)

    def action_toggle_ascii(self) -> None:
        look.toggle_ascii(self, self.prefs)

    async def action_tab(self, tab: str) -> None:
        """Show a tab and focus what its keys work on, once it is shown: up/down scroll
        the results and the data; enter selects runs."""
        await self.view.show_tab(tab)
        focus = {"tab-results": "#results-scroll", "tab-data": "#data-scroll",
                 "tab-runs": "#runs-table", "tab-fit": "#fit",
                 "tab-landscape": "#landscape"}.get(tab)
        if focus is None:
            self.screen.set_focus(None)
        else:
            self.call_after_refresh(self.view.query_one(focus).focus)

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

    def action_guided_lab(self) -> None:
        from nntui.ui.screens.guided import GuidedScreen

        self.push_screen(GuidedScreen(self.live))

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
                self.call_later(self.action_tab, "tab-runs")
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
        yield from palette_commands(self)
