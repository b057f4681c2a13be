"""Links inside an output folder: the one check that a write below the folder
the user named goes where it says.

A batch (``estate frontier``, ``estate scenarios``) writes a folder per point
or scenario; a link planted anywhere on the way (``OUT/point-1`` linking to
another folder) would redirect its writes. :func:`refuse_links_below` looks at
every component below the named folder with ``lstat``. Standard library only.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from pathlib import Path

from estate.errors import EstateError, Issue


def _reason(exc: OSError) -> str:
    return exc.strerror or str(exc)


def links_below(root: str | os.PathLike[str], path: str | os.PathLike[str]) -> list[Issue]:
    """Every symbolic link between ``root`` (the folder the user named) and ``path``.

    Each component of ``path`` below ``root`` is looked at with ``lstat`` (so a
    link is seen, not followed): a folder link (``OUT/point-1`` pointing at
    another folder) would redirect every write beneath it, a file link the one
    file. ``root`` itself may be a link (the user named it). A ``path`` that
    leaves ``root`` (``..``) is refused too.

    Returns
    -------
    list of Issue
        One issue per link found (empty: nothing below ``root`` is a link).
    """
    base, target = Path(root), Path(path)
    try:
        rel = target.relative_to(base)
    except ValueError:
        return [Issue(str(target), f"is not inside the output folder {base}; estate writes "
                      "only below the folder it is given")]
    if ".." in rel.parts:
        return [Issue(str(target), f"leaves the output folder {base} ('..'); estate writes "
                      "only below the folder it is given")]
    issues: list[Issue] = []
    here = base
    for part in rel.parts:
        here = here / part
        try:
            st = os.lstat(here)
        except FileNotFoundError:
            break
        except OSError as exc:
            issues.append(Issue(str(here), f"cannot be examined: {_reason(exc)}"))
            break
        if stat.S_ISLNK(st.st_mode):
            issues.append(Issue(str(here), f"is a symbolic link (to {os.readlink(here)}) "
                                f"inside the output folder {base}; estate does not write "
                                "through links there (a folder link would redirect its "
                                "files elsewhere) — remove the link or choose another "
                                "--out"))
            break
    return issues


def refuse_links_below(root: str | os.PathLike[str],
                       paths: Iterable[str | os.PathLike[str]]) -> None:
    """Raise naming every link on the way from ``root`` to any of ``paths``.

    Call before any long work (with every file a run will write) and again just
    before each write (:func:`links_below` is cheap), so a link planted during
    the run is caught too.

    Raises
    ------
    EstateError
        Naming every link found.
    """
    issues: list[Issue] = []
    seen: set[str] = set()
    for path in paths:
        for issue in links_below(root, path):
            if issue.file not in seen:
                seen.add(issue.file)
                issues.append(issue)
    if issues:
        raise EstateError(issues)
