"""The app's settings side: fields, keys that change settings, data loads, TOML files.

A mixin of NNApp (kept apart so that each file stays readable): every change is parsed and
validated by core's Session; slow data loads run in a thread worker; a bad value is refused
in place and the current run is kept.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from textual import work
from textual.message import Message

from nntui.errors import UserError

if TYPE_CHECKING:
    from nntui.lab.data import Table
    from nntui.lab.session import Change
    from nntui.ui.widgets.fields import SettingField


class SettingsMixin:
    """Settings handling for NNApp (uses its `live` session, `view` and training controls)."""

    if TYPE_CHECKING:  # provided by NNApp
        from nntui.lab.session import Session
        from nntui.ui.main_view import MainView

        live: Session
        view: MainView
        rate: float | None

        def stop_training(self) -> None: ...
        def refresh_training(self) -> None: ...
        def refresh_all(self) -> None: ...
        def record_run(self, stopped: bool = False) -> None: ...

    @dataclass
    class DataLoaded(Message):
        """A data change finished loading (table) or failed (error)."""

        change: Change
        field: SettingField | None
        table: Table | None = None
        error: str = ""

    def action_scale_lr(self, factor: float) -> None:
        lr = self.live.config.lr * factor
        self.apply_change(self.live.propose("lr", repr(lr)), None)

    def action_regenerate(self) -> None:
        self.apply_change(self.live.regenerate(), None)

    def action_redraw(self) -> None:
        try:
            change = self.live.redraw_weights()
        except UserError as exc:
            self.notify(str(exc), severity="warning")
            return
        self.apply_change(change, None)

    def action_settings_file(self, mode: str) -> None:
        from nntui.lab.config import save_toml
        from nntui.lab.session import Change
        from nntui.ui.screens.forms import FileChoice, SettingsFileScreen

        def done(choice: FileChoice | None) -> None:
            if choice is None:
                return
            if choice.config is None:
                try:
                    save_toml(self.live.config, choice.path)
                except UserError as exc:
                    self.notify(str(exc), severity="error")
                    return
                self.notify(f"Settings saved to {choice.path}")
                return
            self.apply_change(Change(choice.config, "data", "config"), None)
            self.notify(f"Loaded {choice.path}")

        self.push_screen(SettingsFileScreen(mode), done)

    def on_setting_field_committed(self, message: Any) -> None:
        """A field was edited (SettingField.Committed): refuse in place or apply."""
        try:
            change = self.live.propose(message.key, message.text)
        except UserError as exc:
            message.field.show_error(str(exc))
            return
        message.field.clear_error()
        self.apply_change(change, message.field)

    def apply_change(self, change: Change, field: SettingField | None) -> None:
        """Adopt a validated change; data loads that may be slow go to a worker."""
        if change.kind == "none":
            return
        if change.kind == "live":
            self.live.apply(change)
            self.run_worker(self.view.sync_settings())
            self.refresh_training()
            return
        self.stop_training()
        if change.kind == "data" and change.config.dataset != "generated":
            self.notify("Loading data…")
            self.load_data(change, field)
            return
        self.adopt(change, field, None)

    @work(thread=True, exclusive=True, group="data", exit_on_error=False)
    def load_data(self, change: Change, field: SettingField | None) -> None:
        try:
            table = self.live.load(change.config)
        except UserError as exc:
            self.post_message(self.DataLoaded(change, field, error=str(exc)))
            return
        except Exception as exc:  # noqa: BLE001 - an odd file must never crash the app
            self.post_message(self.DataLoaded(change, field, error=f"cannot load the data: "
                                              f"{type(exc).__name__}: {exc}"))
            return
        self.post_message(self.DataLoaded(change, field, table=table))

    def on_settings_mixin_data_loaded(self, message: DataLoaded) -> None:
        if message.error:
            self.report_error(message.field, message.error)
            return
        self.adopt(message.change, message.field, message.table)

    def adopt(self, change: Change, field: SettingField | None, table: Table | None) -> None:
        old = self.live.trainer
        self.record_run(stopped=True)
        try:
            self.live.apply(change, table)
        except UserError as exc:
            self.report_error(field, str(exc))
            return
        self.rate = None
        self.run_worker(self.view.sync_settings())
        self.refresh_all()
        lost = f" ({old.epochs_done} epochs discarded)" if old.epochs_done else ""
        what = "Data" if change.kind == "data" else "Network or initial weights"
        self.notify(f"{what} changed: the run starts again from epoch 0{lost}.")

    def report_error(self, field: SettingField | None, message: str) -> None:
        if field is not None:
            field.show_error(message)
        self.notify(message, severity="error", title="Not applied; the current run is kept")
