"""Hardware facts: a server's size, replacement cost, generation and end of life.

Pure functions of a :class:`~estate.model.Server` and a
:class:`~estate.reference.Reference` (the packaged data when ``ref`` is
omitted); each formula is in ``docs/reference-data.md`` and pinned by unit
tests. This module uses the standard library only.
"""

from __future__ import annotations

import math
import re

from estate.model import Server
from estate.months import parse_date
from estate.reference import Reference, packaged_reference


def _ref(ref: Reference | None) -> Reference:
    return ref if ref is not None else packaged_reference()


def size(server: Server, ref: Reference | None = None) -> tuple[float, float]:
    """(cores or vCPUs, RAM GB) of a server, reference defaults by kind where blank.

    A virtual server's ``vcpus`` are vCPUs; a physical server's or host's are
    physical cores.
    """
    r = _ref(ref)
    if server.kind == "virtual":
        cores_key, ram_key = "vm.default_vcpus", "vm.default_ram_gb"
    else:
        cores_key = f"server.{server.kind}_default_cores"
        ram_key = f"server.{server.kind}_default_ram_gb"
    cores = server.vcpus if server.vcpus is not None else r.number(cores_key)
    ram = server.ram_gb if server.ram_gb is not None else r.number(ram_key)
    return cores, ram


def storage_gb(server: Server, ref: Reference | None = None) -> float:
    """Storage of a server, GB (``vm.default_storage_gb`` when blank)."""
    if server.storage_gb is not None:
        return server.storage_gb
    return _ref(ref).number("vm.default_storage_gb")


def hardware_cost(cores: float, ram_gb: float, ref: Reference | None = None) -> float:
    """£ to buy a server of ``cores`` physical cores and ``ram_gb`` GB.

    ``cores × hardware.cost_per_core + ram_gb × hardware.cost_per_gb_ram``
    (Azure Migrate's business-case regression, per physical core and GB).
    """
    r = _ref(ref)
    return cores * r.number("hardware.cost_per_core") + ram_gb * r.number(
        "hardware.cost_per_gb_ram")


def replacement_cost(server: Server, ref: Reference | None = None) -> float:
    """£ to replace a physical server or host at end of life (virtual: 0)."""
    if server.kind == "virtual":
        return 0.0
    cores, ram = size(server, ref)
    return hardware_cost(cores, ram, ref)


# -- generation and end of life ------------------------------------------------
_MODEL_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\bgen\s*10\s*(plus|\+)"), "hpe_gen10_plus"),
    (re.compile(r"\bgen\s*(8|9|10|11|12)\b"), "hpe_gen{0}"),
    (re.compile(r"\bproliant\b.*\bg([67])\b"), "hpe_g{0}"),
    (re.compile(r"\bpoweredge\b.*\b[rtmc]\d([1-7])\d\w*\b"), "dell_1{0}g"),
    (re.compile(r"\bthinksystem\b.*\bs[rdt]\d{3}\s+v([23])\b"), "lenovo_v{0}"),
    (re.compile(r"\bthinksystem\b"), "lenovo_v1"),
    (re.compile(r"\b(?:ucs\w*|[bc]\d{3})[\s-]*m([3-7])\b"), "cisco_m{0}"),
)
_CPU_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\b(?:platinum|gold|silver|bronze)\s*\d([1-5])\d\d"), "xeon_sp_{0}"),
    (re.compile(r"\be[57]-\d{4}\w?\s*v([234])\b"), "xeon_e5_v{0}"),
    (re.compile(r"\be[57]-\d{4}\w?\b"), "xeon_e5_v1"),
    (re.compile(r"\b[xelw]56\d\d\b"), "xeon_5600"),
    (re.compile(r"\b[xelw]55\d\d\b"), "xeon_5500"),
    (re.compile(r"\bepyc\s*7\d\d([123])\b"), "epyc_{0}"),
    (re.compile(r"\bepyc\s*9\d\d([45])\b"), "epyc_{0}"),
)


def _match(text: str, patterns: tuple[tuple[re.Pattern[str], str], ...],
           ref: Reference) -> str | None:
    low = text.lower()
    for pattern, template in patterns:
        m = pattern.search(low)
        if m:
            key = "hardware.launch." + template.format(*m.groups())
            if key in ref:
                return key
    return None


def generation(server: Server, ref: Reference | None = None) -> str | None:
    """The ``hardware.launch.*`` key of a server's generation, ``None`` if unknown.

    The model (HPE ProLiant ``Gen8``/``G7``, Dell PowerEdge ``R740``, Lenovo
    ThinkSystem ``V2``, Cisco UCS ``M5``) first, else the CPU (Xeon 5500/5600,
    E5 v1–v4, Xeon Scalable by its second digit, AMD EPYC by its last digit).
    """
    r = _ref(ref)
    return _match(server.model, _MODEL_PATTERNS, r) or _match(server.cpu_model,
                                                               _CPU_PATTERNS, r)


def end_of_life(server: Server, ref: Reference | None = None) -> str | None:
    """Estimated end-of-life month (``YYYY-MM``) of a physical server or host.

    ``purchase_date + hardware.server_life_years`` when the purchase date is
    known; else the January of ``launch year + hardware.purchase_lag_years +
    hardware.server_life_years`` of its generation (:func:`generation`).
    ``None`` for a virtual server or when nothing is known.
    """
    if server.kind == "virtual":
        return None
    r = _ref(ref)
    life = int(r.number("hardware.server_life_years"))
    if server.purchase_date is not None:
        d = parse_date(server.purchase_date)
        return f"{d.year + life:04d}-{d.month:02d}"
    key = generation(server, r)
    if key is None:
        return None
    year = int(r.number(key)) + int(r.number("hardware.purchase_lag_years")) + life
    return f"{year:04d}-01"


def physical_cores(server: Server) -> float | None:
    """Physical cores of a physical server or host: ``cores``, else ``vcpus``
    (the RVTools import writes physical cores to both), ``None`` when neither
    is known. The one reading of the field: a cluster's capacity
    (:mod:`estate.clusters`) and a per-core contract's count
    (:func:`estate.contracts.server_units`, via :func:`licensed_cores`) use it."""
    return server.cores if server.cores is not None else server.vcpus


def licensed_cores(cores: float, sockets: float | None, ref: Reference | None = None) -> float:
    """Physical cores a per-core hypervisor subscription charges for a host.

    At least ``hypervisor.min_cores_per_cpu`` per CPU: ``max(cores,
    sockets × 16)``; with the socket count unknown, ``cores`` rounded up to
    a multiple of 16 (at least 16).
    """
    per_cpu = _ref(ref).number("hypervisor.min_cores_per_cpu")
    if sockets is not None and sockets > 0:
        return max(cores, sockets * per_cpu)
    return max(per_cpu, math.ceil(cores / per_cpu - 1e-9) * per_cpu)


def hypervisor_annual(cores: float, sockets: float | None,
                      ref: Reference | None = None) -> float:
    """£ a year of the per-core hypervisor subscription of one host."""
    return licensed_cores(cores, sockets, ref) * _ref(ref).number("hypervisor.per_core_year")
