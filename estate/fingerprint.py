"""A fingerprint of an estate's inputs, stored in ``plan.json``.

Two workbooks that load to the same objects (the same figures, ids, settings
and pins, whatever the file format or cell formatting) have the same
fingerprint; any changed figure changes it. ``estate report`` refuses, and
``estate check`` flags, a plan whose fingerprint is not the workbook's.

This module uses the standard library only.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import weakref
from typing import Any

from estate.model import Estate

#: Estate fields that are inputs (not lookups, provenance or resolved values).
_INPUT_FIELDS = ("settings", "sites", "applications", "servers", "options", "dependencies",
                 "contracts", "teams", "budget", "pins")


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def input_data(estate: Estate) -> dict[str, Any]:
    """The estate's inputs as plain JSON-able data: what :func:`fingerprint`
    hashes, and what the plan register stores to explain why two plans differ.

    Parameters
    ----------
    estate
        A *raw* estate (as loaded); generated options are left out.
    """
    data = {name: _plain(getattr(estate, name)) for name in _INPUT_FIELDS}
    data["options"] = [o for o, src in zip(data["options"], estate.options, strict=True)
                       if not src.generated]
    if estate.actuals:
        data["actuals"] = _plain(estate.actuals)
    return data


def input_text(estate: Estate) -> str:
    """:func:`input_data` as canonical JSON text (sorted keys, no spaces)."""
    return _text(input_data(estate))


def _text(data: dict[str, Any]) -> str:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), allow_nan=False,
                      default=str)


def fingerprint(estate: Estate) -> str:
    """``sha256:<hex>`` of the estate's inputs as loaded.

    Parameters
    ----------
    estate
        A *raw* estate (as loaded, before :func:`estate.resolve.resolve`);
        generated options are left out, so a resolved estate of the same
        workbook gives the same value except for its filled blanks. The
        ``actuals`` sheet is left out: recording what happened does not make
        the plans made before it plans of another workbook.
    """
    seen = _LAST.get("estate")
    if seen is not None and seen() is estate:  # the same (frozen) object: same inputs
        return str(_LAST["value"])
    data = input_data(estate)
    data.pop("actuals", None)  # what happened is not an input of a plan
    text = _text(data)
    value = "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()
    _LAST.update(estate=weakref.ref(estate), value=value)
    return value


#: The last estate fingerprinted (a weak reference) and its fingerprint: a
#: batch checks every plan of one workbook against the same estate object.
_LAST: dict[str, Any] = {}
