"""Planning settings (the workbook's ``settings`` sheet), checked on construction.

This module uses the standard library only.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from estate.checks import (
    MAX_COUNT,
    MAX_HORIZON_MONTHS,
    MAX_NOTICE_WEEKS,
    check,
    check_month,
    check_nonneg,
    check_size,
)

OS_POLICIES = ("flag", "esu", "forbid")


@dataclass(frozen=True)
class Settings:
    """Planning settings (the ``settings`` sheet); see ``docs/workbook.md``.

    ``grid_kg_per_kwh`` is ``None`` (reference table), one number for every
    year, or a mapping year -> factor. ``grid_by_year`` is filled by
    :func:`estate.resolve.resolve` for every calendar year the horizon touches.
    ``extra`` keeps any other key of the settings sheet (reference overrides).
    ``hours_per_month`` (730) turns watts into kWh a month; the resolver takes
    it from the reference data (``ccf.hours_per_month``), so an override of
    that value applies to every figure.
    """

    horizon_start: str
    horizon_months: int = 48
    discount_rate: float = 0.035
    carbon_price: float | None = None
    team_days_per_month: float = 60.0
    max_critical_in_flight: int = 1
    max_golives_per_month: int | None = None
    freeze_months: tuple[int, ...] = ()
    grid_kg_per_kwh: float | dict[int, float] | None = None
    resident_notice_weeks: int = 8
    organisation: str = ""
    strategy: str = ""
    hours_per_month: float = 730.0
    unsupported_os_policy: str = "flag"
    unsupported_os_grace_months: int = 0
    ha_spare_hosts: int = 1
    vcpus_per_core: float | None = None
    extend_support_fraction: float = 0.0
    extend_support_years: int = 0
    grid_by_year: dict[int, float] = field(default_factory=dict)
    extra: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        check_month(self.horizon_start, "horizon_start")
        check(1 <= self.horizon_months <= MAX_HORIZON_MONTHS,
               f"horizon_months must be 1 to {MAX_HORIZON_MONTHS} (50 years; got "
               f"{self.horizon_months:,})")
        check(-1 < self.discount_rate <= 1, "discount_rate must be above -1 and at most 1 "
               f"(a fraction: 0.035 is 3.5 %; got {self.discount_rate:g})")
        check_nonneg(self.carbon_price, "carbon_price")
        check_nonneg(self.team_days_per_month, "team_days_per_month")
        check(0 <= self.max_critical_in_flight <= MAX_COUNT,
               f"max_critical_in_flight must be 0 to {MAX_COUNT:,}")
        if self.max_golives_per_month is not None:
            check(0 <= self.max_golives_per_month <= MAX_COUNT,
                   f"max_golives_per_month must be 0 to {MAX_COUNT:,}")
        check(all(1 <= m <= 12 for m in self.freeze_months), "freeze_months must be 1-12")
        check(0 <= self.resident_notice_weeks <= MAX_NOTICE_WEEKS,
               f"resident_notice_weeks must be 0 to {MAX_NOTICE_WEEKS}")
        check(self.hours_per_month > 0, "hours_per_month must be positive")
        check_size(self.hours_per_month, "hours_per_month")
        check(self.unsupported_os_policy in OS_POLICIES,
               f"unsupported_os_policy {self.unsupported_os_policy!r} must be one of "
               f"{', '.join(OS_POLICIES)}")
        check(0 <= self.unsupported_os_grace_months <= MAX_HORIZON_MONTHS,
               f"unsupported_os_grace_months must be 0 to {MAX_HORIZON_MONTHS}")
        check(0 <= self.ha_spare_hosts <= MAX_COUNT,
               f"ha_spare_hosts must be 0 to {MAX_COUNT:,}")
        if self.vcpus_per_core is not None:
            check(self.vcpus_per_core > 0, "vcpus_per_core must be positive")
            check_size(self.vcpus_per_core, "vcpus_per_core")
