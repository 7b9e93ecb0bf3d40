"""The app under --task classify and an optimizer: what only the screen shows."""

from __future__ import annotations

from app_helpers import make_app, plain, running
from nntui.lab.worked import worked_step
from nntui.lab.worked_deep import output_delta_lines
from nntui.lab.worked_optim import optimizer_lines
from nntui.ui.screens.inspector import InspectorScreen
from nntui.ui.widgets.worked_view import WorkedView


async def test_the_inspector_derives_the_output_delta_and_shows_adams_terms() -> None:
    app = make_app(dataset="blobs", task="classify", optimizer="adam", l2=0.01)
    async with running(app, size=(160, 48)) as pilot:
        await pilot.press("i")
        assert isinstance(app.screen, InspectorScreen)
        await pilot.press("s")  # one step: the next preview has t = 2 and moments
        text = " ".join(plain(app.screen.query_one(WorkedView)).split())  # lines wrap
        ws = worked_step(app.session.experiment, app.session.preview(app.screen.index))
        assert ws.record.optimizer is not None and ws.record.optimizer.t == 2
        for line in [*output_delta_lines(ws), *optimizer_lines(ws)]:
            assert " ".join(line.split()) in text
        assert "lr·dL/dp" not in text  # the plain SGD table would be wrong here
