"""Operations labour: what administering a server costs, on premises and once
moved to the cloud — the one home of the labour rule, used by the cost of
staying (:mod:`estate.staying`) and by generated options
(:mod:`estate.estimate`). Formulas in ``docs/reference-data.md``.

Standard library and :mod:`estate` only.
"""

from __future__ import annotations

from estate.model import Server
from estate.reference import Reference, packaged_reference

__all__ = ["CLOUD_LABOUR_STRATEGIES", "cloud_labour_monthly", "labour_monthly",
           "loaded_salary"]


def _ref(ref: Reference | None) -> Reference:
    return ref if ref is not None else packaged_reference()


def loaded_salary(ref: Reference | None = None) -> float:
    """£ a year an administrator costs: salary plus employer on-costs.

    ``admin_salary + employer_ni_rate × max(0, admin_salary −
    employer_ni_threshold) + lgps_employer_rate × admin_salary`` (all
    ``labour.*``): £40,000 + 15 % × £35,000 + 19.8 % × £40,000 = £53,170.
    """
    r = _ref(ref)
    salary = r.number("labour.admin_salary")
    ni = r.number("labour.employer_ni_rate") * max(
        0.0, salary - r.number("labour.employer_ni_threshold"))
    return salary + ni + r.number("labour.lgps_employer_rate") * salary


def labour_monthly(server: Server, ref: Reference | None = None) -> float:
    """£ a month of administering it on premises: loaded salary / servers per
    administrator / 12.

    :func:`loaded_salary`; ``labour.vms_per_admin`` for a VM,
    ``labour.physical_per_admin`` for a physical server. Hosts are part of the
    platform (hypervisor licences).
    """
    if server.kind == "host":
        return 0.0
    r = _ref(ref)
    per = r.number("labour.vms_per_admin" if server.kind == "virtual"
                   else "labour.physical_per_admin")
    return loaded_salary(r) / per / 12


#: Strategies with a cloud labour fraction (``labour.cloud_fraction_<strategy>``).
CLOUD_LABOUR_STRATEGIES = ("rehost", "replatform", "repurchase")


def cloud_labour_monthly(server: Server, strategy: str = "rehost",
                         ref: Reference | None = None) -> float:
    """£ a month of administering the server once moved by ``strategy``.

    ``labour.cloud_fraction_<strategy>`` × :func:`labour_monthly` of it as a
    VM (a physical server becomes a VM in the cloud): e.g. rehost 70 % ×
    £53,170 / 100 / 12 = £31.02.
    """
    if strategy not in CLOUD_LABOUR_STRATEGIES:
        raise ValueError(f"strategy must be one of {CLOUD_LABOUR_STRATEGIES}")
    r = _ref(ref)
    as_vm = server if server.kind == "virtual" else Server(server.server_id, server.site_id,
                                                           "virtual")
    return labour_monthly(as_vm, r) * r.number(f"labour.cloud_fraction_{strategy}")
