"""Reference data: defensible figures for what the inventory leaves blank.

The packaged ``estate/reference.toml`` holds every figure with its unit, year
and source. Each entry is named by its dotted path (``pue.on_prem``,
``grid.2027``, ``carbon_price.central.2026``, ``os.windows_server.2012_r2``).
A user TOML (``--reference FILE``) or the workbook's ``settings`` sheet may
override any entry by that key; see ``docs/reference-data.md``.

This module uses the standard library only.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field, replace
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from estate.errors import EstateError, Issue
from estate.months import is_month
from estate.reading import load_toml

PACKAGED = "reference.toml"

#: The exchange rate every USD figure is converted at (:meth:`Reference.gbp`).
USD_PER_GBP = "cloud.usd_per_gbp"

#: Keys that may be added (not only overridden): more years of a yearly series.
_EXTENSIBLE = (
    re.compile(r"^grid\.(\d{4})$"),
    re.compile(r"^carbon_price\.(central|low|high)\.(\d{4})$"),
)


@dataclass(frozen=True)
class RefValue:
    """One reference figure.

    ``value`` is a number, or a ``YYYY-MM`` month for ``os.*`` entries.
    ``projection`` marks a projected / extrapolated / approximated figure.
    ``price_date`` (``YYYY-MM``, or ``YYYY`` where the source gives no month)
    is when a price was quoted: every money figure has one. ``was`` and
    ``why`` record a change from the previous version of the data set
    (``estate reference --changes``).
    """

    key: str
    value: float | str
    unit: str = ""
    year: int | None = None
    source: str = ""
    note: str = ""
    projection: bool = False
    price_date: str = ""
    was: float | str | None = None
    why: str = ""

    @property
    def is_price(self) -> bool:
        """Whether the figure is money (its unit names GBP or USD)."""
        return "GBP" in self.unit or "USD" in self.unit

    def as_dict(self) -> dict[str, Any]:
        """The entry as a JSON-ready mapping."""
        out: dict[str, Any] = {"key": self.key, "value": self.value, "unit": self.unit,
                               "year": self.year, "source": self.source, "note": self.note,
                               "projection": self.projection}
        if self.price_date:
            out["price_date"] = self.price_date
        if self.why:
            out["was"], out["why"] = self.was, self.why
        return out


@dataclass(frozen=True)
class Reference:
    """The reference data set: entries by dotted key, and the data set's version.

    ``used``, when a set, records every key read (:meth:`tracking`), so that a
    plan can list the entries its estimates rest on.
    """

    version: str
    values: dict[str, RefValue] = field(default_factory=dict)
    used: set[str] | None = field(default=None, compare=False, repr=False)

    def tracking(self) -> Reference:
        """A copy that records every key read in ``used``."""
        return Reference(self.version, self.values, set())

    def __contains__(self, key: object) -> bool:
        return key in self.values

    def keys(self) -> list[str]:
        """Every key, in file order."""
        return list(self.values)

    def entry(self, key: str) -> RefValue:
        """The full entry of ``key`` (raises ``KeyError`` naming the key)."""
        try:
            entry = self.values[key]
        except KeyError:
            raise KeyError(f"no reference value {key!r}") from None
        if self.used is not None:
            self.used.add(key)
        return entry

    def get(self, key: str) -> float | str:
        """The value of ``key`` (a number, or a month for ``os.*``)."""
        return self.entry(key).value

    def number(self, key: str) -> float:
        """The value of ``key`` as a float."""
        value = self.get(key)
        if isinstance(value, str):
            raise TypeError(f"reference value {key!r} is not a number")
        return float(value)

    def gbp(self, key: str) -> float:
        """The value of money figure ``key`` in £: the one place USD is converted.

        A figure whose unit starts ``USD/`` (a price stored as the provider
        lists it) is divided by :data:`USD_PER_GBP` (``cloud.usd_per_gbp``,
        which the settings sheet's ``usd_per_gbp`` overrides); a ``GBP/``
        figure is returned as it is.

        Raises
        ------
        TypeError
            When ``key`` is not a GBP or USD figure.
        """
        entry = self.entry(key)
        value = self.number(key)
        if entry.unit.startswith("USD/") and key != USD_PER_GBP:
            return value / self.number(USD_PER_GBP)
        if entry.unit.startswith("GBP/"):
            return value
        raise TypeError(f"reference value {key!r} ({entry.unit}) is not a GBP or USD figure")

    def series(self, prefix: str) -> dict[int, float]:
        """A yearly series: ``{year: value}`` of every key ``prefix.YYYY``."""
        out: dict[int, float] = {}
        for key, entry in self.values.items():
            head, _, tail = key.rpartition(".")
            if head == prefix and tail.isdigit() and len(tail) == 4:
                out[int(tail)] = float(entry.value)
                if self.used is not None:
                    self.used.add(key)
        return dict(sorted(out.items()))

    def changes(self) -> list[RefValue]:
        """Entries changed since the previous version (those with a ``why``)."""
        return [v for v in self.values.values() if v.why]

    def rows(self) -> list[tuple[str, float | str, str, int | None, str]]:
        """``(key, value, unit, year, source)`` of every entry, for printing."""
        return [(v.key, v.value, v.unit, v.year, v.source) for v in self.values.values()]

    def with_overrides(self, overrides: dict[str, float | str], source: str) -> Reference:
        """A copy with ``overrides`` (already checked by :func:`check_override`)
        replacing values; each changed entry's ``source`` becomes ``source``."""
        values = dict(self.values)
        for key, value in overrides.items():
            old = values.get(key) or _new_entry(self, key)
            values[key] = replace(old, value=value, source=source, note="override",
                                  projection=False, was=None, why="",
                                  price_date="the override's" if old.is_price else "")
        return Reference(self.version, values)


def _new_entry(ref: Reference, key: str) -> RefValue:
    """Template entry for a new year of an extensible series."""
    head, _, tail = key.rpartition(".")
    sibling = next((v for k, v in ref.values.items() if k.rpartition(".")[0] == head), None)
    return RefValue(key, 0.0, sibling.unit if sibling else "", int(tail))


def _flatten(table: dict[str, Any], prefix: str, out: dict[str, RefValue], origin: str) -> None:
    for name, item in table.items():
        key = f"{prefix}.{name}" if prefix else name
        if not isinstance(item, dict):
            continue
        if "value" in item:
            year = item.get("year")
            out[key] = RefValue(key, item["value"], str(item.get("unit", "")),
                                int(year) if year is not None else None,
                                str(item.get("source", origin)), str(item.get("note", "")),
                                bool(item.get("projection", False)),
                                str(item.get("price_date", "")), item.get("was"),
                                str(item.get("why", "")))
        else:
            _flatten(item, key, out, origin)


def is_known_key(ref: Reference, key: str) -> bool:
    """Whether ``key`` names a reference value or a new year of a yearly series."""
    return key in ref.values or any(p.match(key) for p in _EXTENSIBLE)


def check_override(ref: Reference, key: str, raw: Any) -> float | str:
    """Parse an override of reference value ``key`` from ``raw`` (text or number).

    Returns
    -------
    float or str
        A number, or a ``YYYY-MM`` month for ``os.*`` keys.

    Raises
    ------
    ValueError
        Saying what was expected (the caller turns it into an :class:`Issue`).
    """
    if key.startswith("os."):
        text = str(raw).strip()
        if not is_month(text):
            raise ValueError(f"{key} expects an end-of-support month in YYYY-MM form")
        return text
    if isinstance(raw, bool):
        raise ValueError(f"{key} expects a number")
    if isinstance(raw, int | float):
        value = float(raw)
    else:
        text = str(raw).strip().replace(",", "").replace("£", "").replace("_", "")
        scale = 1.0
        if text.endswith("%"):
            text, scale = text[:-1], 0.01
        try:
            value = float(text) * scale
        except ValueError:
            raise ValueError(f"{key} expects a number (found {raw!r})") from None
    if value < 0 or value != value:
        raise ValueError(f"{key} must be a number that is not negative (found {raw!r})")
    if key == USD_PER_GBP and value == 0:
        raise ValueError(f"{key} is an exchange rate (US dollars to the pound) and must be "
                         f"above 0 (found {raw!r})")
    if key.startswith("pue.") and value < 1.0:
        raise ValueError(f"{key} is a PUE and must be at least 1.0 (found {raw!r})")
    entry = ref.values.get(key)
    if entry is not None and entry.unit == "fraction" and value > 1.0:
        raise ValueError(f"{key} is a share and must be between 0 and 1, or 0 % and 100 % "
                         f"(found {raw!r})")
    return value


#: Keys of earlier versions that 2026.2 replaced, and what replaces them.
RETIRED_KEYS: dict[str, str] = {
    "labour.oncost_fraction": "labour.employer_ni_rate, labour.employer_ni_threshold and "
                              "labour.lgps_employer_rate (each on-cost on its own)",
    "labour.cloud_fraction": "labour.cloud_fraction_rehost (and _replatform, _repurchase)",
    "migration.rehost_cost_per_server": "migration.rehost_in_house_per_vm and "
                                        "migration.rehost_partner_per_vm, mixed by "
                                        "migration.partner_share",
    "cloud.backup_per_server_month": "cloud_backup.instance_small, "
                                     "cloud_backup.instance_per_500gb and "
                                     "cloud_backup.storage_per_gb_month",
}


def retired_hint(key: str) -> str:
    """For a key retired in 2026.2, a sentence naming what replaces it; else ``""``."""
    if key not in RETIRED_KEYS:
        return ""
    return f"{key} was replaced in reference data 2026.2 by {RETIRED_KEYS[key]}. "


def _user_overrides(ref: Reference, path: Path) -> dict[str, float | str]:
    file = str(path)
    data = load_toml(path, what="reference-data TOML file")
    flat: dict[str, Any] = {}

    def walk(table: dict[str, Any], prefix: str) -> None:
        for name, item in table.items():
            key = f"{prefix}.{name}" if prefix else name
            if isinstance(item, dict) and "value" not in item:
                walk(item, key)
            elif isinstance(item, dict):
                flat[key] = item["value"]
            elif key not in ("version", "title"):
                flat[key] = item

    walk(data, "")
    issues: list[Issue] = []
    out: dict[str, float | str] = {}
    for key, raw in flat.items():
        if not is_known_key(ref, key):
            issues.append(Issue(file, f"{key!r} is not a reference value; {retired_hint(key)}"
                                      "run `estate reference` for the keys (a dotted path "
                                      "such as pue.on_prem)"))
            continue
        try:
            out[key] = check_override(ref, key, raw)
        except ValueError as exc:
            issues.append(Issue(file, str(exc)))
    if issues:
        raise EstateError(issues)
    return out


@lru_cache(maxsize=1)
def packaged_reference() -> Reference:
    """The packaged reference data set (read once)."""
    text = resources.files("estate").joinpath(PACKAGED).read_text(encoding="utf-8")
    data = tomllib.loads(text)
    values: dict[str, RefValue] = {}
    _flatten(data, "", values, PACKAGED)
    return Reference(str(data.get("version", "unknown")), values)


def load_reference(path: str | Path | None = None) -> Reference:
    """Load the reference data, optionally overridden by a user TOML file.

    Parameters
    ----------
    path : str or Path, optional
        A TOML file overriding any entry by its dotted key, either as
        ``[pue] on_prem = 1.7`` or ``[pue] on_prem = { value = 1.7, ... }``.

    Returns
    -------
    Reference
        The packaged data, with the file's values (their ``source`` names the
        file and the version gains ``+ <file name>``).

    Raises
    ------
    EstateError
        When the file is missing, not TOML, names an unknown key or holds a bad
        value.
    """
    ref = packaged_reference()
    if path is None:
        return ref
    p = Path(path)
    overrides = _user_overrides(ref, p)
    out = ref.with_overrides(overrides, f"override: {p.name}")
    return Reference(f"{ref.version}+{p.name}", out.values)
