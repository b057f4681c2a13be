"""One writer at a time per target: a lock for each workbook file, CSV folder
or output folder that estate writes.

:func:`target_lock` takes an exclusive ``flock`` on a *folder*: an output
folder itself, or the folder holding a workbook file or CSV folder (whose own
file is replaced atomically, so its inode changes, and which may not exist
yet). No lock file is left anywhere. A second writer waits up to
:data:`LOCK_WAIT` seconds, then is refused with a message naming the process
that holds the lock. The kernel drops a lock when its process ends (``kill
-9`` included), so nothing stale ever blocks anyone. The lock is re-entrant
within a process. Standard library only (POSIX ``fcntl``).
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from estate.errors import EstateError, Issue

#: Seconds a second writer waits for the lock before it is refused.
LOCK_WAIT = 30.0

_held: dict[tuple[int, int], int] = {}  # (device, inode) of a locked folder -> depth


def lock_folder(target: str | os.PathLike[str], *, inside: bool = False) -> Path:
    """The folder whose lock guards ``target``: ``target`` itself when ``inside``
    (an output folder), else the folder holding it."""
    t = Path(os.path.abspath(target))
    return t if inside else t.parent


def _holder(st: os.stat_result) -> str:
    """The process holding a flock on this inode, from ``/proc/locks`` ("?" if unknown)."""
    want = f":{st.st_ino}"
    try:
        with open("/proc/locks", encoding="ascii") as fh:
            for line in fh:
                parts = line.split()
                if "FLOCK" in parts and len(parts) > 5 and parts[5].endswith(want):
                    return parts[4]
    except OSError:
        pass
    return "?"


@contextmanager
def target_lock(target: str | os.PathLike[str], *, inside: bool = False,
                wait: float | None = None) -> Iterator[Path]:
    """Hold the exclusive lock of ``target`` for the ``with`` block.

    Parameters
    ----------
    target
        The workbook file, CSV folder or output folder about to be written.
    inside
        ``target`` is an output folder: lock it (it is created).
    wait
        Seconds to wait for another writer (default :data:`LOCK_WAIT`).

    Raises
    ------
    EstateError
        When another process still holds the lock after ``wait`` seconds, or
        the folder cannot be opened.
    """
    import fcntl

    folder = lock_folder(target, inside=inside)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError as exc:
        raise EstateError(Issue(str(target), f"cannot lock {folder} ({exc.strerror}); "
                                "estate locks what it writes so that two runs cannot mix "
                                "their changes")) from None
    st = os.fstat(fd)
    key = (st.st_dev, st.st_ino)
    if key in _held:
        os.close(fd)
        _held[key] += 1
        try:
            yield folder
        finally:
            _held[key] -= 1
        return
    limit = LOCK_WAIT if wait is None else wait
    deadline = time.monotonic() + limit
    try:
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise EstateError(Issue(str(target), f"another estate run (process "
                                            f"{_holder(st)}) is writing it; waited {limit:g} s "
                                            "— let it finish, then run this again")) from None
                time.sleep(0.05)
        _held[key] = 1
        try:
            yield folder
        finally:
            del _held[key]
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
