"""Snapshot tests of the real app at 80x24 and 160x48 (the README's scenes and more)."""

from __future__ import annotations

import pytest

from nntui.ui.screenshots import SCENES, press, scene_app

CASES = [(name, SCENES[name][2]) for name in SCENES] + [
    ("start-80x24", (160, 48)),
    ("finished-80x24", (160, 48)),
    ("diverged-80x24", (160, 48)),
    ("inspector-80x24", (160, 48)),
    ("inspector-closed-gate-160x48", (80, 24)),
    ("runs-80x24", (160, 48)),
]


@pytest.mark.parametrize(("scene", "size"), CASES, ids=[f"{n}@{w}x{h}" for n, (w, h) in CASES])
def test_scene(snap_compare, scene: str, size: tuple[int, int]) -> None:  # noqa: ANN001
    keys = SCENES[scene][1]
    assert snap_compare(scene_app(scene), terminal_size=size, run_before=press(*keys))
