"""This machine's memory and this process's resident size, in MB: what the
memory watchdog of a solve reads (:meth:`solver.model.params.SolveParams.memory_cap`,
:mod:`solver.model.search`)."""

from __future__ import annotations

import os


def machine_memory_mb() -> float | None:
    """Physical memory in MB (``/proc/meminfo`` or ``sysconf``; None if unknown)."""
    try:
        with open("/proc/meminfo", encoding="ascii") as f:
            for line in f:
                if line.startswith("MemTotal:"):
                    return int(line.split()[1]) / 1024.0
    except (OSError, ValueError, IndexError):
        pass
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**20
    except (ValueError, OSError, AttributeError):
        return None


def rss_mb() -> float | None:
    """Resident size of this process in MB (Linux ``/proc``; None elsewhere)."""
    try:
        with open("/proc/self/statm", encoding="ascii") as f:
            pages = int(f.read().split()[1])
    except (OSError, ValueError, IndexError):
        return None
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20
