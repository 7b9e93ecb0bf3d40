"""The app's run history side: recording finished runs, sweeps and the framework check.

A mixin of NNApp. A run is recorded (and saved atomically) when it reaches its last epoch
or diverges, and as "stopped" when it is reset, replaced or left at quit.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from nntui.lab.config import ExperimentConfig


class RunsMixin:
    """Run-history handling for NNApp."""

    if TYPE_CHECKING:  # provided by NNApp
        from nntui.lab.session import Session
        from nntui.ui.main_view import MainView

        live: Session
        view: MainView

        def stop_training(self) -> None: ...

    _recorded: tuple[int, int, int, int | None] | None = None
    run_number = 0  # bumped whenever the trainer starts again from its initial weights

    def new_run(self) -> None:
        self.live.trainer.reset()
        self.run_number += 1

    def record_if_finished(self) -> None:
        """A run that reached its last epoch or diverged goes to the history (and disk)."""
        t = self.live.trainer
        if t.diverged or t.epochs_done >= self.live.config.epochs:
            self.record_run()

    def record_run(self, stopped: bool = False) -> None:
        """Save the current run once per state; `stopped`: it is being left unfinished."""
        t = self.live.trainer
        state = (self.live.generation, self.run_number, t.updates, t.diverged_at)
        if t.updates == 0 or state == self._recorded:
            return
        self._recorded = state
        label = f"stopped at epoch {t.epochs_done}" if stopped else ""
        self.view.runs.record(self.live.experiment.document(), "app", label)

    def action_sweep(self) -> None:
        from nntui.ui.screens.forms import SweepScreen

        def start(configs: list[ExperimentConfig] | None) -> None:
            if configs:
                self.view.runs.run_sweep(configs)
                self.action_tab("tab-runs")
                self.notify(f"Sweep of {len(configs)} runs started on both cores.")

        self.push_screen(SweepScreen(self.live.config), start)

    def on_runs_view_sweep_done(self, message: Any) -> None:
        errors = "; ".join(message.errors)
        self.notify(f"Sweep finished: {message.count} run(s) recorded and overlaid."
                    + (f" Errors: {errors}" if errors else ""),
                    severity="error" if errors else "information")

    def action_framework_check(self) -> None:
        from nntui.ui.screens.framework import FrameworkScreen

        self.stop_training()
        self.push_screen(FrameworkScreen(self.live.experiment))

