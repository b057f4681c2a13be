"""Bounded reading of untrusted inputs: the one home of "read a file".

Every input estate reads whole or streams (a ``plan.json`` for ``check``,
``report`` and ``--pins``, a scenarios or reference TOML, CSV sheets and
registers, the workbook file itself) is opened by :func:`open_regular`, which
refuses anything but a regular file (a device such as ``/dev/zero``, a FIFO,
a socket, a folder) by examining the *open* descriptor — ``st_size`` is 0 for
``/dev/zero`` and FIFOs, so a size checked by name bounds nothing. Files read
whole go through :func:`read_bounded`, which counts the bytes actually read;
JSON and TOML through :func:`load_json` and :func:`load_toml`, which also
bound nesting and the number of objects, with a clear message instead of a
``RecursionError`` or a machine out of memory. Standard library only.
"""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Iterable
from typing import Any

from estate.errors import EstateError, Issue


def _reason(exc: OSError) -> str:
    return exc.strerror or str(exc)


#: Largest text input read whole (a plan.json, a scenarios or reference TOML).
MAX_TEXT_BYTES = 64 * 2**20
#: Deepest nesting of lists and tables in a JSON or TOML input.
MAX_DEPTH = 32
#: Most lists and objects in a JSON input (a 3,000-application plan has ~60,000).
MAX_CONTAINERS = 2_000_000
#: Most values (commas) in a JSON input.
MAX_VALUES = 10_000_000
_CHUNK = 1 << 20


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def open_regular(path: str | os.PathLike[str], what: str = "file") -> int:
    """Open ``path`` for reading; refuse anything but a regular file.

    The file is opened non-blocking (a FIFO planted where a file is expected
    must not hang the open) and its *open* descriptor examined, so a device
    (``/dev/zero``), FIFO, socket or folder is refused even when reached
    through a link or swapped in after a check by name.

    Returns
    -------
    int
        An open file descriptor (blocking again); the caller closes it.

    Raises
    ------
    EstateError
        Naming the file and what it is instead.
    """
    p = str(path)
    try:
        fd = os.open(p, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
    except FileNotFoundError:
        raise EstateError(Issue(p, f"{what} not found (no such file)")) from None
    except IsADirectoryError:
        raise EstateError(Issue(p, f"is a folder; give the {what}")) from None
    except OSError as exc:
        raise EstateError(Issue(p, f"cannot read the {what}: {_reason(exc)}")) from None
    st = os.fstat(fd)
    if not stat.S_ISREG(st.st_mode):
        os.close(fd)
        raise EstateError(Issue(p, f"is {_kind(st.st_mode)}, not a regular file; give the "
                                f"{what} itself (estate reads only regular files)"))
    os.set_blocking(fd, True)
    return fd


def check_regular(path: str | os.PathLike[str], what: str = "file") -> int:
    """Refuse ``path`` unless it is a regular file; return its size in bytes.

    Raises
    ------
    EstateError
        See :func:`open_regular`.
    """
    fd = open_regular(path, what)
    try:
        return os.fstat(fd).st_size
    finally:
        os.close(fd)


def read_bounded(path: str | os.PathLike[str], limit: int, what: str = "file") -> bytes:
    """The bytes of a regular file, refused once more than ``limit`` are read.

    The bytes actually read are counted (not the size the file claims), so a
    file that grows while it is read cannot exceed the bound either.

    Raises
    ------
    EstateError
        When the file is not a regular file (:func:`open_regular`), cannot be
        read, or holds more than ``limit`` bytes.
    """
    fd = open_regular(path, what)
    parts: list[bytes] = []
    got = 0
    try:
        while True:
            chunk = os.read(fd, min(_CHUNK, limit + 1 - got))
            if not chunk:
                break
            got += len(chunk)
            if got > limit:
                raise EstateError(Issue(str(path), f"is larger than {limit // 2**20} MiB "
                                        f"(at most {limit:,} bytes are read); not a {what}"))
            parts.append(chunk)
    except OSError as exc:
        raise EstateError(Issue(str(path), f"cannot read the {what}: {_reason(exc)}")) from None
    finally:
        os.close(fd)
    return b"".join(parts)


def read_text_bounded(path: str | os.PathLike[str], limit: int = MAX_TEXT_BYTES,
                      what: str = "file") -> str:
    """A UTF-8 text file read by :func:`read_bounded` (a BOM is dropped).

    Raises
    ------
    EstateError
        As :func:`read_bounded`, or when the text is not UTF-8 (naming the byte).
    """
    data = read_bounded(path, limit, what)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise EstateError(Issue(str(path), f"is not UTF-8 text (byte 0x{data[exc.start]:02x} "
                                f"on line {line:,}); not a {what}")) from None


def _too_deep(path: str, what: str) -> EstateError:
    return EstateError(Issue(path, f"nests lists or tables more than {MAX_DEPTH} deep; not a "
                             f"{what} estate writes or reads"))


def check_depth(data: Any, path: str, what: str, *, containers: int = MAX_CONTAINERS) -> None:
    """Refuse parsed JSON/TOML nested more than :data:`MAX_DEPTH` deep or holding
    more than ``containers`` lists and tables (walked without recursion).

    Raises
    ------
    EstateError
        Naming the file and the limit.
    """
    stack: list[tuple[Any, int]] = [(data, 1)]
    seen = 0
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            values: Iterable[Any] = item.values()
        elif isinstance(item, list):
            values = item
        else:
            continue
        seen += 1
        if depth > MAX_DEPTH:
            raise _too_deep(path, what)
        if seen > containers:
            raise EstateError(Issue(path, f"holds more than {containers:,} lists and objects; "
                                    f"not a {what}"))
        stack.extend((v, depth + 1) for v in values if isinstance(v, dict | list))


def load_json(path: str | os.PathLike[str], limit: int = MAX_TEXT_BYTES,
              what: str = "JSON file") -> Any:
    """Parse a JSON file read by :func:`read_text_bounded`, bounded in size,
    nesting (:data:`MAX_DEPTH`) and number of lists and objects.

    Before parsing, the ``[`` and ``{`` in the text (an upper bound on the
    lists and objects it makes) and its commas (on the values) are counted, so
    64 MiB of ``[{},{},…]`` or ``[1,1,…]`` is refused without building
    millions of objects.

    Raises
    ------
    EstateError
        Not readable, too large, not JSON (line and column), too deep.
    """
    text = read_text_bounded(path, limit, what)
    p = str(path)
    if text.count("{") + text.count("[") > MAX_CONTAINERS or text.count(",") > MAX_VALUES:
        raise EstateError(Issue(p, f"holds more than {MAX_CONTAINERS:,} lists and objects or "
                                f"{MAX_VALUES:,} values; not a {what}"))
    try:
        data = json.loads(text)
    except RecursionError:
        raise _too_deep(p, what) from None
    except json.JSONDecodeError as exc:
        raise EstateError(Issue(p, f"not JSON (line {exc.lineno}, column {exc.colno}: "
                                f"{exc.msg})")) from None
    check_depth(data, p, what)
    return data


def load_toml(path: str | os.PathLike[str], limit: int = MAX_TEXT_BYTES,
              what: str = "TOML file") -> dict[str, Any]:
    """Parse a TOML file read by :func:`read_text_bounded`, bounded in size and
    nesting (:data:`MAX_DEPTH`; a deeper file is refused, never a ``RecursionError``).

    Raises
    ------
    EstateError
        Not readable, too large, not TOML (with tomllib's line and column), too deep.
    """
    import tomllib

    text = read_text_bounded(path, limit, what)
    p = str(path)
    try:
        data = tomllib.loads(text)
    except RecursionError:
        raise _too_deep(p, what) from None
    except tomllib.TOMLDecodeError as exc:
        raise EstateError(Issue(p, f"not valid TOML: {exc}")) from None
    check_depth(data, p, what)
    return data
