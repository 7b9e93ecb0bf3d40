"""The user's preferences for how the app looks: its theme, ASCII drawing, the sidebar.

Kept as TOML in the user's config directory (platformdirs: `$XDG_CONFIG_HOME/nntui`,
`~/.config/nntui` on Linux), so a choice made once holds in every later session. A
damaged or half-edited file never stops the app: what cannot be read is left at its
default and the reason comes back as a warning to show.
"""

from __future__ import annotations

import tomllib
from dataclasses import asdict, dataclass, fields
from pathlib import Path

from nntui.lab.storage import UnreadableFile, atomic_write, problem, read_regular

#: A preferences file is a few lines; anything larger is not ours.
LIMIT = 64 * 1024


@dataclass
class Preferences:
    """What the app restores at start (the defaults are Textual's and the full layout)."""

    theme: str = "textual-dark"
    ascii: bool = False
    sidebar: bool = True


def preferences_path() -> Path:
    """`preferences.toml` in the user's config directory (XDG_CONFIG_HOME respected)."""
    from platformdirs import user_config_path

    return user_config_path("nntui", appauthor=False) / "preferences.toml"


def load(path: Path | None = None) -> tuple[Preferences, list[str]]:
    """The saved preferences and warnings about what could not be used (never raises).

    A missing file is the first start: defaults, no warning. A value of the wrong type
    keeps its default; unknown keys (from a newer nntui) are ignored.
    """
    path = path or preferences_path()
    prefs = Preferences()
    try:
        data = tomllib.loads(read_regular(str(path), LIMIT).decode("utf-8"))
    except UnreadableFile as exc:
        if not path.exists() and not path.is_symlink():
            return prefs, []
        return prefs, [f"preferences in {path} were not read ({exc.problem}); "
                       "using the defaults"]
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        return prefs, [f"preferences in {path} are damaged ({exc}); using the defaults"]
    warnings = []
    for f in fields(Preferences):
        if f.name not in data:
            continue
        value = data[f.name]
        if type(value) is not type(getattr(prefs, f.name)):
            warnings.append(f"preference {f.name} = {value!r} in {path} is not a "
                            f"{type(getattr(prefs, f.name)).__name__}; using the default")
            continue
        setattr(prefs, f.name, value)
    return prefs, warnings


def save(prefs: Preferences, path: Path | None = None) -> str:
    """Write the preferences atomically; '' when saved, else why not (never raises): a
    read-only home must not stop the app, the choice then holds for this session only."""
    import tomli_w

    path = path or preferences_path()
    try:
        atomic_write(str(path), tomli_w.dumps(asdict(prefs)))
    except (OSError, ValueError) as exc:
        return f"preferences not saved to {path}: {problem(exc)}"
    return ""
