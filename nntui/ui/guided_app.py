"""`nntui lab`: the app, opened on the guided lab once its body is built.

Light on purpose (the guided screen, and numpy behind it, load after the first paint, as
for the app itself).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from nntui.lab.config import ExperimentConfig
from nntui.ui.app import NNApp

if TYPE_CHECKING:
    from nntui.lab.data import Table
    from nntui.lab.runs import RunStore


class GuidedApp(NNApp):
    """The app with the guided lab on top; its settings are every page's base."""

    def __init__(self, config: ExperimentConfig, table: Table | None = None,
                 store: RunStore | None = None, *, ascii_only: bool = False,
                 keep_prefs: bool = False) -> None:
        super().__init__(config, table, store, ascii_only=ascii_only, keep_prefs=keep_prefs)
        self.lab_base = config

    async def build_body(self) -> None:
        await super().build_body()
        if self.ready and not self.leaving:
            from nntui.ui.screens.guided import GuidedScreen

            self.push_screen(GuidedScreen(self.live, self.lab_base))
