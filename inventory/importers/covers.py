"""What a contract covers: match a register's supplier and title to the workbook.

A contract register says who supplies what, not which application, server or
site it serves. :class:`CoverIndex` reads the target workbook and proposes
``covers`` for a contract:

* an application, server or site whose name or id appears as whole words in
  the contract's supplier or title (names of at least 4 characters);
* an application whose name contains the supplier's first distinctive word
  (``Civica UK Ltd`` -> ``Civica OpenRevenues``);
* a hypervisor contract (VMware, vSphere, vCenter, ESXi, Broadcom) covers the
  workbook's hosts that no other register contract covers, and replaces the
  estimated hypervisor rows of an RVTools import;
* ``--covers-map FILE.csv`` (``contract,covers``) names them outright.

Proposals are for the user to check: the import lists every contract that
still covers nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from estate.errors import EstateError, Issue
from inventory.importers.common import (
    ImportContext,
    make_id,
    read_single,
    require,
    split_list,
    truthy,
)
from inventory.importers.rows import workbook_rows

HYPERVISOR = re.compile(r"\b(vmware|vsphere|vcenter|esxi|broadcom|vcf|vvf)\b", re.I)
_NON_WORD = re.compile(r"[^a-z0-9]+")
#: Supplier words too common to identify an application.
STOP_WORDS = frozenset("""
limited ltd plc llp inc uk the and group holdings services service solutions systems
system technology technologies consulting software computer computers data network
networks council borough county city international global europe digital business
partners company corporation corp microsoft support""".split())


def words(text: str) -> str:
    """Lower-case words separated by single spaces, padded: ``" civica uk ltd "``."""
    return f" {' '.join(_NON_WORD.sub(' ', text.lower()).split())} "


@dataclass
class CoverIndex:
    """The workbook's applications, servers and sites, by the words naming them."""

    names: dict[str, str] = field(default_factory=dict)  # " words " -> id
    app_names: dict[str, str] = field(default_factory=dict)  # app id -> " words "
    hosts: list[str] = field(default_factory=list)
    covered_hosts: set[str] = field(default_factory=set)
    estimated: dict[str, list[str]] = field(default_factory=dict)  # hypervisor rows
    existing: dict[str, list[str]] = field(default_factory=dict)  # contract -> covers

    @classmethod
    def of(cls, ctx: ImportContext) -> CoverIndex:
        """Read the target workbook (empty when there is none)."""
        idx = cls()
        for sheet, id_col, name_cols in (("applications", "app_id", ("name",)),
                                         ("servers", "server_id", ("hostname",)),
                                         ("sites", "site_id", ("name",))):
            for r in workbook_rows(ctx, sheet):
                rid = r.get(id_col, "")
                plain = rid[4:] if sheet == "applications" and rid.startswith("APP-") else rid
                for text in (plain, *(r.get(c, "") for c in name_cols)):
                    key = words(text)
                    if len(key.strip()) >= 4:
                        idx.names.setdefault(key, rid)
                if sheet == "applications":
                    idx.app_names[rid] = words(r.get("name", "") or plain)
                if sheet == "servers" and r.get("kind", "") == "host":
                    idx.hosts.append(rid)
        idx._contracts(ctx)
        return idx

    def _contracts(self, ctx: ImportContext) -> None:
        for r in workbook_rows(ctx, "contracts"):
            cid, covers = r.get("contract_id", ""), split_list(r.get("covers", ""))
            self.existing[cid] = covers
            if truthy(r.get("estimated", "")):
                self.estimated[cid] = covers
            else:
                self.covered_hosts.update(c for c in covers if c in self.hosts)

    def match(self, supplier: str, title: str) -> list[str]:
        """Ids whose names appear in the supplier or title, and applications named
        after the supplier."""
        text = words(f"{supplier} {title}")
        found = [rid for key, rid in self.names.items() if key in text]
        first = next((w for w in words(supplier).split()
                      if len(w) >= 4 and w not in STOP_WORDS and not w.isdigit()), "")
        if first:
            found += [a for a, name in self.app_names.items() if f" {first} " in name]
        return list(dict.fromkeys(found))

    def hypervisor(self, *texts: str) -> tuple[list[str], set[str]]:
        """(hosts a hypervisor contract covers, estimated rows it replaces), or
        ``([], set())`` when the texts do not name a hypervisor."""
        if not self.hosts or not any(HYPERVISOR.search(t) for t in texts):
            return [], set()
        hosts = [h for h in self.hosts if h not in self.covered_hosts]
        return hosts, set(self.estimated)


def read_covers_map(path: Path, index: CoverIndex) -> tuple[dict[str, list[str]], list[Issue]]:
    """``{contract reference (upper-case id): [ids]}`` from a ``contract,covers`` CSV.

    A name in ``covers`` that is not an id of the workbook is looked up by name;
    one found nowhere is reported and left out.
    """
    sheet = read_single(path)
    cols = require(sheet, contract=("contract", "contract_id", "reference", "contract reference"),
                   covers=("covers", "cover", "applications", "ids"))
    known = set(index.names.values())
    out: dict[str, list[str]] = {}
    issues: list[Issue] = []
    for row in sheet.rows:
        ref = make_id(row.get(cols["contract"]))
        for item in split_list(row.get(cols["covers"])):
            rid = item if item in known else index.names.get(words(item))
            if rid is None:
                issues.append(sheet.issue(row, f"{item!r} is not an application, server or "
                                          "site of the workbook; left out", cols["covers"],
                                          item))
            elif ref:
                out.setdefault(ref, []).append(rid)
    if not out and not issues and not sheet.rows:
        raise EstateError(Issue(str(path), "the covers map has no rows"))
    return out, issues


__all__ = ["HYPERVISOR", "CoverIndex", "read_covers_map", "words"]
