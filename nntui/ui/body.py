"""The app's body, built just after the app is mounted: the session (numpy), the main
view, then the saved runs; and the app's own screen, which gives no widget the keys.

Nothing here is imported before the app runs, so the command line's other paths never
load numpy, plotext or the views.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING

from rich.text import Text
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Static

from nntui.errors import UserError
from nntui.ui.keys import SIDEBAR
from nntui.ui.widgets.keybar import KeyBar

if TYPE_CHECKING:
    from nntui.ui.app import NNApp


class MainScreen(Screen[None]):
    """The app's own screen: nothing takes the keys until asked (Tab, a click), so the
    app's keys work from the first frame; dialogs still focus their first field."""

    AUTO_FOCUS = ""
    BINDINGS = [Binding("tab", "app.focus_next", "Settings", tooltip="into the settings "
                        "sidebar (then the tabs' views); shift+tab goes back",
                        group=SIDEBAR)]


async def build(app: NNApp) -> None:
    """Build the session and mount the body, so the first frame is the whole screen (the
    "starting" line shows only an error)."""
    # numpy's BLAS threads buy nothing for these tiny matrices and their start-up
    # burns ~70 ms of CPU on the other core while the first screen is drawn.
    if "numpy" not in sys.modules:
        os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    from nntui.lab.history import RunHistory
    from nntui.lab.runs import RunStore
    from nntui.lab.session import Session
    from nntui.ui.main_view import MainView
    from nntui.ui.settings_controller import SettingsController

    app.store = app.store if app.store is not None else RunStore()
    history = RunHistory(app.store)  # the app's store, also for a session given
    if app.session is None and app.start_with is not None:
        try:
            app.session = Session(*app.start_with, history=history)
        except UserError as exc:  # the CLI checks first; this is the last safety net
            app.query_one("#starting", Static).update(Text(f"nntui: error: {exc} (q quits)"))
            return
    assert app.session is not None
    app.session.history = history
    if not app.screen.is_attached or app.leaving:  # quit before the body was built
        return
    app.settings = SettingsController(app)
    await app.query_one("#starting").remove()
    await app.mount(MainView(app.session), before=app.query_one(KeyBar))
    app.body_ready = True
    app.refresh_all()
    app.screen.set_focus(None)
    # The saved runs (the hidden Runs tab) are read once the first screen is drawn.
    app.call_after_refresh(load_history, app)


def load_history(app: NNApp) -> None:
    if not app.leaving:
        app.live.history.load()
        app.show_history_warnings()
        import nntui.ui.screens.inspector  # noqa: F401 - the first `i` need not load it
