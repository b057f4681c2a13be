"""Safe writes: atomic files, all-or-nothing sets of files, journaled folders.

Every file estate writes goes through this module, so that:

- a file is written to a temporary name beside it and moved into place
  (``os.replace``), so a reader never sees half a file and a crash or
  ``kill -9`` leaves the old file as it was;
- a file that is already there keeps its permission bits; a new file gets
  ``0o666`` less the process umask (as ``open()`` would give it);
- a read-only file (no write bit) is refused, not replaced;
- a symbolic link is refused unless the caller asks to write through it
  (``follow_symlinks``), so a link planted in an output folder cannot redirect
  a write to another file; a link is never replaced by a plain file;
- a failure removes the temporary files and raises :class:`WriteError`
  naming what was and was not written.

:class:`FileSet` writes several files all-or-nothing (the plan and its
reports); :func:`replace_in_folder` replaces several files of one folder
through a journal (the sheets of a CSV-folder workbook), so that a run killed
part-way either leaves the folder as it was or is completed by the next run
(:func:`recover_folder`). This module uses the standard library only.
"""

from __future__ import annotations

import json
import os
import stat
import tempfile
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from estate.errors import EstateError, Issue, WriteError

#: Temporary files start with this, in the folder of their target.
TEMP_PREFIX = ".estate-tmp-"
#: The journal of an interrupted folder replacement.
JOURNAL = ".estate-journal.json"

Writer = Callable[[Path], Any]

#: Test seam: called with a label at every step of a multi-file write
#: (``staged NAME``, ``committed``, ``replaced NAME``); tests set it to
#: simulate a crash at that point. ``None`` in normal use.
CHECKPOINT: Callable[[str], None] | None = None


def _checkpoint(label: str) -> None:
    if CHECKPOINT is not None:
        CHECKPOINT(label)


def temp_prefix() -> str:
    """This process's temporary-file prefix, ``.estate-tmp-<pid>-``: a clean-up
    removes only the temporary files of processes that are gone."""
    return f"{TEMP_PREFIX}{os.getpid()}-"


def _alive_owner(name: str) -> bool:
    """Whether the temporary file ``name`` belongs to another process still running."""
    rest = name[len(TEMP_PREFIX):]
    pid_text = rest.split("-", 1)[0]
    if not pid_text.isdigit() or int(pid_text) == os.getpid():
        return False
    try:
        os.kill(int(pid_text), 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # exists, another user's
    return True


def new_file_mode() -> int:
    """Permission bits of a new file under the process umask (``0o644`` usually)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return 0o666 & ~mask


def _reason(exc: OSError) -> str:
    return exc.strerror or str(exc)


def writable_target(path: str | os.PathLike[str], *,
                    follow_symlinks: bool = False) -> tuple[Path, int]:
    """Check that ``path`` may be (re)written; return the file to write and its mode.

    Returns
    -------
    (Path, int)
        The file to write (a symlink's target when ``follow_symlinks``) and
        the permission bits it will have: those of the existing file, else
        ``0o666`` less the umask.

    Raises
    ------
    EstateError
        When ``path`` is a symbolic link (and ``follow_symlinks`` is false),
        a folder or special file, read-only, or its folder cannot be written.
    """
    p = Path(path)
    if p.is_symlink():
        link = os.readlink(p)
        if not follow_symlinks:
            raise EstateError(Issue(str(p), f"is a symbolic link (to {link}); estate does not "
                                    "write through a link unless told to (estate import "
                                    "--follow-symlinks) — give the real path, or remove the "
                                    "link"))
        p = Path(os.path.realpath(p))
    try:
        st = p.stat()
    except FileNotFoundError:
        st = None
    except OSError as exc:
        raise EstateError(Issue(str(p), f"cannot write: {_reason(exc)}")) from exc
    if st is not None:
        if stat.S_ISDIR(st.st_mode):
            raise EstateError(Issue(str(p), "is a folder; give a file name"))
        if not stat.S_ISREG(st.st_mode):
            raise EstateError(Issue(str(p), "is not a regular file; give another file name"))
        mode = stat.S_IMODE(st.st_mode)
        if not mode & 0o222 or not os.access(p, os.W_OK):
            raise EstateError(Issue(str(p), f"is read-only (mode {mode:o}); estate does not "
                                    "replace a read-only file — make it writable "
                                    f"(chmod u+w {p.name}) or write to another file"))
    else:
        mode = new_file_mode()
    _check_folder(p.parent)
    return p, mode


def _check_folder(folder: Path) -> None:
    """The folder exists (or can be created) and files can be created in it."""
    existing = folder
    while not existing.exists():
        if existing.parent == existing:
            break
        existing = existing.parent
    if existing.exists() and not existing.is_dir():
        raise EstateError(Issue(str(existing), "is a file, not a folder; cannot write under it"))
    if not os.access(existing, os.W_OK | os.X_OK):
        raise EstateError(Issue(str(folder), "cannot write in this folder (permission "
                                "denied); choose another folder"))


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _stage(target: Path, mode: int, write: Writer) -> Path:
    """Write a temporary file beside ``target`` with ``write``; return its path."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=temp_prefix(), suffix="-" + target.name,
                                dir=target.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        write(tmp)
        os.chmod(tmp, mode)
        _fsync(tmp)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return tmp


def atomic_write(path: str | os.PathLike[str], write: Writer, *,
                 follow_symlinks: bool = False) -> Path:
    """Write one file atomically with ``write(temporary_path)``.

    Parameters
    ----------
    path
        The file to write; its folder is created when missing.
    write
        Writes the whole file at the path it is given (a temporary name in
        the same folder).
    follow_symlinks
        Write through a symbolic link at ``path`` to the file it points to
        (otherwise a link is refused).

    Returns
    -------
    Path
        The file written (a link's target when followed).

    Raises
    ------
    EstateError
        When the target is refused (see :func:`writable_target`) or cannot be
        written; the temporary file is removed and the old file is untouched.
    """
    target, mode = writable_target(path, follow_symlinks=follow_symlinks)
    try:
        tmp = _stage(target, mode, write)
        os.replace(tmp, target)
    except OSError as exc:
        raise WriteError(Issue(str(path), f"cannot write: {_reason(exc)}; the file was "
                               "left as it was"), not_written=(str(path),)) from exc
    return target


def write_text(path: str | os.PathLike[str], text: str, *,
               follow_symlinks: bool = False) -> Path:
    """Write UTF-8 ``text`` to ``path`` atomically (see :func:`atomic_write`)."""
    def write(tmp: Path) -> None:
        with tmp.open("w", encoding="utf-8", newline="") as fh:
            fh.write(text)

    return atomic_write(path, write, follow_symlinks=follow_symlinks)


class FileSet:
    """Write several files all-or-nothing.

    Each :meth:`stage` writes one file to a temporary name at once (so a
    later step may read it); :meth:`commit` moves every staged file into
    place. Leaving the ``with`` block by an exception, or a failing stage,
    removes every temporary file: nothing is written.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> with FileSet() as fs:
    ...     _ = fs.stage(d / "a.txt", lambda p: p.write_text("a"))
    ...     _ = fs.stage(d / "b.txt", lambda p: p.write_text("b"))
    ...     written = fs.commit()
    >>> sorted(p.name for p in d.iterdir())
    ['a.txt', 'b.txt']
    """

    def __init__(self, *, follow_symlinks: bool = False) -> None:
        self.follow_symlinks = follow_symlinks
        self._staged: list[tuple[Path, Path]] = []  # (target, temporary)
        self._names: list[str] = []

    def __enter__(self) -> FileSet:
        return self

    def __exit__(self, *exc: object) -> None:
        self.discard()

    def names(self) -> tuple[str, ...]:
        """Every file staged so far (as given)."""
        return tuple(self._names)

    def stage(self, path: str | os.PathLike[str], write: Writer, *,
              planned: Iterable[str] = (), optional: bool = False) -> Path | None:
        """Write ``path``'s new content to a temporary file; return that file.

        ``planned`` names the files that would have followed, for the message
        when this one fails. With ``optional``, a ``write`` that returns
        ``None`` means "nothing to write": the file is left out of the set
        (and ``None`` returned) without failing it.

        Raises
        ------
        WriteError
            When the file cannot be written; every staged file is discarded.
        """
        self._names.append(str(path))
        skipped: list[bool] = []

        def run(tmp: Path) -> None:
            if write(tmp) is None and optional:
                skipped.append(True)

        try:
            target, mode = writable_target(path, follow_symlinks=self.follow_symlinks)
            tmp = _stage(target, mode, run)
        except (OSError, EstateError) as exc:
            self.discard()
            reason = (exc.issues[0].message if isinstance(exc, EstateError)
                      else _reason(exc))
            names = tuple(self._names) + tuple(planned)
            raise WriteError(Issue(str(path), f"cannot write: {reason}; nothing was written "
                                   f"(not written: {', '.join(Path(n).name for n in names)})"),
                             not_written=names) from exc
        except BaseException:
            self.discard()
            raise
        if skipped:
            tmp.unlink(missing_ok=True)
            self._names.pop()
            return None
        self._staged.append((target, tmp))
        _checkpoint(f"staged {Path(path).name}")
        return tmp

    def commit(self) -> list[Path]:
        """Move every staged file into place, in staging order.

        Raises
        ------
        WriteError
            Naming the files moved and those not moved, when a move fails.
        """
        done: list[Path] = []
        for i, (target, tmp) in enumerate(self._staged):
            try:
                os.replace(tmp, target)
            except OSError as exc:
                rest = [str(t) for t, _ in self._staged[i:]]
                self.discard()
                raise WriteError(Issue(str(target), f"cannot move into place: "
                                       f"{_reason(exc)}; written: "
                                       f"{', '.join(str(d) for d in done) or 'none'}; not "
                                       f"written: {', '.join(rest)}"),
                                 written=tuple(str(d) for d in done),
                                 not_written=tuple(rest)) from exc
            done.append(target)
            self._staged[i] = (target, target)
            _checkpoint(f"replaced {target.name}")
        self._staged = []
        return done

    def discard(self) -> None:
        """Remove every temporary file not yet moved into place."""
        for target, tmp in self._staged:
            if tmp != target:
                tmp.unlink(missing_ok=True)
        self._staged = []


def check_output_dir(folder: str | os.PathLike[str], names: Iterable[str] = (), *,
                     follow_symlinks: bool = False) -> None:
    """Check, before any long work, that ``names`` can be written into ``folder``.

    The folder must be a folder (or not exist yet under a writable one),
    files must be creatable in it (a probe file is created and removed), and
    each named file must be writable (not read-only, not a link unless
    ``follow_symlinks``, not a folder).

    Raises
    ------
    EstateError
        Naming every problem found.
    """
    out = Path(folder)
    if out.exists() and not out.is_dir():
        raise EstateError(Issue(str(out), "is a file, not a folder; give a folder for --out"))
    _check_folder(out)
    if out.is_dir():
        try:
            fd, probe = tempfile.mkstemp(prefix=TEMP_PREFIX, dir=out)
            os.close(fd)
            os.unlink(probe)
        except OSError as exc:
            raise EstateError(Issue(str(out), f"cannot write in this folder: {_reason(exc)}; "
                                    "choose another --out")) from exc
    issues = []
    for name in names:
        try:
            writable_target(out / name, follow_symlinks=follow_symlinks)
        except EstateError as exc:
            issues.extend(exc.issues)
    if issues:
        raise EstateError(issues)


# -- folders of files, through a journal --------------------------------------

def recover_folder(folder: str | os.PathLike[str]) -> bool:
    """Finish or roll back an interrupted :func:`replace_in_folder`.

    A journal means the new files were all written before the run stopped:
    the remaining moves are done (roll forward). Without one, temporary files
    of a run that stopped earlier are removed (the folder is as it was).

    Returns
    -------
    bool
        Whether an interrupted replacement was completed.
    """
    out = Path(folder)
    journal = out / JOURNAL
    completed = False
    if journal.is_file():
        try:
            plan = json.loads(journal.read_text(encoding="utf-8"))
            moves, gone = plan["moves"], plan.get("remove", [])
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise EstateError(Issue(str(journal), "an interrupted write left this journal and "
                                    f"it cannot be read ({exc}); the folder may mix old and "
                                    "new files — restore it from a backup, then delete "
                                    "the journal")) from exc
        for tmp_name, final_name in moves:
            tmp = out / Path(tmp_name).name
            if tmp.exists():
                os.replace(tmp, out / Path(final_name).name)
        for name in gone:
            (out / Path(name).name).unlink(missing_ok=True)
        journal.unlink()
        completed = True
    if out.is_dir():
        for leftover in out.glob(TEMP_PREFIX + "*"):
            if leftover.is_file() and not _alive_owner(leftover.name):
                leftover.unlink(missing_ok=True)
    return completed


def interrupted(folder: str | os.PathLike[str]) -> bool:
    """Whether ``folder`` holds the journal of an unfinished replacement."""
    return (Path(folder) / JOURNAL).is_file()


def replace_in_folder(folder: str | os.PathLike[str], files: Mapping[str, Writer], *,
                      remove: Iterable[str] = ()) -> list[Path]:
    """Write the files ``{name: write}`` into ``folder`` as one change.

    Files named in ``remove`` (and not written) are deleted in the same change.

    Every new file is first written to a temporary name; then a journal
    listing the moves is written atomically (the commit point) and the moves
    are done. Killed before the journal exists, the folder is as it was (the
    next call removes the temporary files); killed after, the next call (or
    :func:`recover_folder`) completes the moves. Existing files keep their
    permission bits; other files in the folder are left alone.

    Returns
    -------
    list of Path
        The files written.

    Raises
    ------
    EstateError
        When the folder cannot be written; nothing is changed then.
    """
    out = Path(folder)
    if out.exists() and not out.is_dir():
        raise EstateError(Issue(str(out), "is not a folder; give a folder for the .csv "
                                "files or a file name ending in .xlsx"))
    out.mkdir(parents=True, exist_ok=True)
    recover_folder(out)
    staged: list[tuple[Path, Path]] = []
    try:
        for name, write in files.items():
            target, mode = writable_target(out / name)
            staged.append((target, _stage(target, mode, write)))
            _checkpoint(f"staged {name}")
        moves = [[tmp.name, target.name] for target, tmp in staged]
        gone = [n for n in remove if n not in files and (out / n).is_file()]
        write_text(out / JOURNAL, json.dumps({"moves": moves, "remove": gone}))
    except BaseException as exc:
        for _target, tmp in staged:
            tmp.unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise WriteError(Issue(str(out), f"cannot write: {_reason(exc)}; the folder was "
                                   "left as it was"), not_written=tuple(files)) from exc
        raise
    _checkpoint("committed")
    for target, tmp in staged:
        os.replace(tmp, target)
        _checkpoint(f"replaced {target.name}")
    for name in gone:
        (out / name).unlink(missing_ok=True)
    (out / JOURNAL).unlink()
    _fsync_dir(out)
    return [t for t, _ in staged]


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)

