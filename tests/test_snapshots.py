"""Snapshot tests of the real app at 80x24 and 160x48 (the README's scenes and more)."""

from __future__ import annotations

import pytest
from textual.message import Message
from textual.notifications import Notification, Notify

from nntui.ui.screenshots import SCENE_TOAST_SECONDS, SCENES, press, scene_app, settle

CASES = [(name, SCENES[name][2]) for name in SCENES] + [
    ("start-80x24", (160, 48)),
    ("finished-80x24", (160, 48)),
    ("diverged-80x24", (160, 48)),
    ("inspector-80x24", (160, 48)),
    ("inspector-closed-gate-160x48", (80, 24)),
    ("runs-80x24", (160, 48)),
    ("fit-80x24", (160, 48)),
    ("fit-curve-160x48", (80, 24)),
    ("landscape-80x24", (160, 48)),
    ("landscape-160x48", (80, 24)),
    ("classify-80x24", (160, 48)),
]


@pytest.mark.parametrize(("scene", "size"), CASES, ids=[f"{n}@{w}x{h}" for n, (w, h) in CASES])
def test_scene(snap_compare, scene: str, size: tuple[int, int]) -> None:  # noqa: ANN001
    keys = SCENES[scene][1]
    assert snap_compare(scene_app(scene), terminal_size=size, run_before=press(*keys))


async def test_toasts_of_a_scene_stay_until_the_picture_is_taken() -> None:
    """A toast in a picture must not depend on how fast the machine took it: in a scene
    every toast, whatever timeout the app asks for, outlasts any test run."""
    toasts: list[Notification] = []

    def hook(message: Message) -> None:
        if isinstance(message, Notify):
            toasts.append(message.notification)

    app = scene_app("start-80x24")
    async with app.run_test(message_hook=hook) as pilot:
        await press("u")(pilot)  # nothing to undo: a toast with the default timeout
        app.notify("Exported", timeout=10)  # as the export does
        await settle(pilot)
    assert [t.message for t in toasts] == ["Nothing to undo: this is the initial state.",
                                           "Exported"]
    assert all(t.timeout == SCENE_TOAST_SECONDS for t in toasts)
