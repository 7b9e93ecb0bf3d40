"""The garbage collector waits while nntui starts, then skips what starting built.

Start-up allocates mostly what lives as long as the process: modules, classes, the
parser, Textual's styles and the app's widgets. The collector would scan all of them
again and again while they are made and find nothing to free: its ~120 passes took ~50 ms
of the ~490 ms to the app's whole first screen on the development machine.
So the console entry point pauses it, and it resumes when the command starts its real
work (before the app runs, or before a subcommand's handler), with everything made so
far frozen (gc.freeze): later full collections skip those objects, so a pause during
training stays short. Textual pauses the collector the same way while it scrolls.

Only `entry()` pauses: `main()` called in-process (tests, scripts) leaves the collector
as it finds it.
"""

from __future__ import annotations

import gc

_paused = False


def pause() -> None:
    """Stop collecting until `resume()` (unless the collector is already off)."""
    global _paused
    if gc.isenabled():
        gc.disable()
        _paused = True


def resume() -> None:
    """Freeze what start-up made and collect again; nothing if `pause()` did not stop it."""
    global _paused
    if _paused:
        _paused = False
        gc.freeze()
        gc.enable()
