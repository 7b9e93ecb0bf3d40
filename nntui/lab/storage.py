"""Atomic file writes: a reader (or a dropped SSH session) never sees half a file."""

from __future__ import annotations

import os
import tempfile


def atomic_write(path: str, text: str, tmp_dir: str | None = None) -> None:
    """Write `text` to `path` via a temporary file, fsync, then rename over `path`.

    `tmp_dir` (same filesystem) keeps unfinished files out of the target directory, so a
    process killed mid-write leaves nothing half-written where results are read.
    """
    directory = os.path.dirname(os.path.abspath(path))
    tmp_dir = tmp_dir or directory
    os.makedirs(directory, exist_ok=True)
    os.makedirs(tmp_dir, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".part", dir=tmp_dir)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    try:  # make the rename itself durable
        dfd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)
    except OSError:
        pass
