"""How settings typed in the app reach the Session: fields, keys, data loads, TOML files.

A plain object owned by the app (not a mixin): the app forwards field commits and keys
here. Every value is parsed and validated by the lab's Session (which derives its rules
from the option registry); slow data loads run in a thread worker; a bad value is refused
in place and the current run is kept.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual.message import Message

from nntui.errors import UserError
from nntui.lab.options import DATA, LIVE

if TYPE_CHECKING:
    from nntui.lab.data import Table
    from nntui.lab.session import Change, Session
    from nntui.ui.app import NNApp


class SettingsController:
    """Applies setting changes for one app (uses its session, view and training controls)."""

    @dataclass
    class DataLoaded(Message):
        """A data change finished loading (table) or failed (error)."""

        change: Change
        key: str | None
        table: Table | None = None
        error: str = ""

    def __init__(self, app: NNApp) -> None:
        self.app = app

    @property
    def session(self) -> Session:
        return self.app.live

    # -- entry points ------------------------------------------------------------------------
    def commit(self, key: str, text: str) -> None:
        """A setting was edited: refuse it in place, or apply it."""
        sidebar = self.app.view.sidebar
        if key == "dataset" and text == "csv" and not self.session.config.csv:
            sidebar.ask_for_csv()  # not a mistake: the path comes next
            return
        try:
            change = self.session.propose(key, text)
        except UserError as exc:
            sidebar.show_error(key, str(exc))
            return
        sidebar.clear_error(key)
        self.apply(change, key)

    def scale_lr(self, factor: float) -> None:
        """+ - * /: a rate out of range is refused with a message and the rate is kept."""
        try:
            change = self.session.set_lr(self.session.lr * factor)
        except UserError as exc:
            self.app.notify(f"{exc}; the learning rate stays {self.session.lr:g}",
                            severity="warning")
            return
        self.apply(change, None)

    def redraw(self) -> None:
        try:
            change = self.session.redraw_weights()
        except UserError as exc:
            self.app.notify(str(exc), severity="warning")
            return
        self.apply(change, None)

    def settings_file(self, mode: str) -> None:
        """ctrl+s / ctrl+o: save the settings as TOML, or load a file or a ready experiment."""
        from nntui.lab.config import save_toml
        from nntui.lab.session import Change
        from nntui.ui.screens.forms import ConfirmScreen, FileChoice, SettingsFileScreen

        def write(path: str) -> None:
            try:
                save_toml(self.session.config, path)
            except UserError as exc:
                self.app.notify(str(exc), severity="error")
                return
            self.app.notify(f"Settings saved to {path}")

        def done(choice: FileChoice | None) -> None:
            if choice is None:
                return
            if choice.config is None:
                path = choice.path
                if not os.path.exists(path):
                    write(path)
                    return

                def answered(yes: bool | None) -> None:
                    if yes:
                        write(path)
                    else:
                        self.app.notify(f"{path} kept as it was; nothing saved")

                self.app.push_screen(ConfirmScreen(f"{path} exists. Replace it with the "
                                                   "current settings?"), answered)
                return
            self.apply(Change(choice.config, DATA, "config"), None)
            self.app.notify(f"Loaded {choice.path}")

        self.app.push_screen(SettingsFileScreen(mode), done)

    # -- applying ----------------------------------------------------------------------------
    def apply(self, change: Change, key: str | None) -> None:
        """Adopt a validated change; data loads that may be slow go to a worker."""
        if change.kind == "none":
            return
        if change.kind == LIVE:
            self.session.apply(change)
            self.app.view.sync_settings()
            self.app.refresh_training()
            self.app.show_history_warnings()
            return
        self.app.stop_training()
        if change.kind == DATA and change.config.dataset != "generated":
            self.app.notify("Loading data…")
            self.app.run_worker(lambda: self._load(change, key), thread=True,
                                exclusive=True, group="data", exit_on_error=False)
            return
        self.adopt(change, key, None)

    def _load(self, change: Change, key: str | None) -> None:
        """In a thread: load the table, then hand it back to the app's thread."""
        try:
            table = self.session.load(change.config)
        except UserError as exc:
            message = self.DataLoaded(change, key, error=str(exc))
        except Exception as exc:  # noqa: BLE001 - an odd file must never crash the app
            message = self.DataLoaded(change, key, error=f"cannot load the data: "
                                      f"{type(exc).__name__}: {exc}")
        else:
            message = self.DataLoaded(change, key, table=table)
        self.app.post_message(message)

    def data_loaded(self, message: DataLoaded) -> None:
        if message.error:
            self.report_error(message.key, message.error)
            return
        self.adopt(message.change, message.key, message.table)

    def adopt(self, change: Change, key: str | None, table: Table | None) -> None:
        lost = restart_note(self.session)  # before the change: what happens to this run
        try:
            self.session.apply(change, table)
        except UserError as exc:
            self.report_error(key, str(exc))
            return
        self.app.rate = None
        self.app.view.sync_settings()
        self.app.refresh_all()
        self.app.show_history_warnings()
        what = "Data" if change.kind == DATA else setting_name(change.key)
        note = f" Note: {change.note}." if change.note else ""
        self.app.notify(f"{what} changed: the run starts again from epoch 0{lost}.{note}")

    def report_error(self, key: str | None, message: str) -> None:
        if key is not None:
            self.app.view.sidebar.show_error(key, message)
        self.app.notify(message, severity="error",
                        title="Not applied; the current run is kept")


def restart_note(session: Session) -> str:
    """What a change that starts the run again does to the current run, for its toast.

    A run with a whole epoch (or a divergence) is recorded before the new one starts
    (Session.apply), so it is saved, not discarded; only single steps short of a first
    epoch really are dropped, and only then does the note warn.
    """
    t = session.trainer
    if t.updates == 0:
        return ""
    kept = "saved" if session.history.store.persist else "kept in this session's runs"
    if session.complete:
        return f" (the {'diverged' if t.diverged else 'finished'} run is {kept})"
    if t.epochs_done:
        return f" (the run so far is {kept}, stopped at epoch {t.epochs_done})"
    return (f" ({t.updates} update{'s' if t.updates > 1 else ''} discarded: "
            "no whole epoch yet)")


def setting_name(key: str) -> str:
    """How the sidebar names a setting in a toast ("batch", "w1", "Initial weights")."""
    from nntui.lab.config import OPTIONS

    if key.startswith("param:"):
        return f"Initial {key.split(':', 1)[1]}"
    opt = OPTIONS.get(key)
    return f"The {opt.label} setting" if opt is not None else "Initial weights"
