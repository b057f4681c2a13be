"""Importers: turn discovery exports and registers into estate workbook rows.

Each importer is a function ``(path, ctx) -> ImportResult``; see
:mod:`inventory.importers.common`. :func:`run_import` runs one and merges the
result into a workbook with :func:`inventory.importers.merge.merge_into`.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from inventory.importers.common import ImportContext, ImportResult
from inventory.importers.merge import MergeReport, merge_into

# kind -> (module, function)
IMPORTERS: dict[str, tuple[str, str]] = {
    "rvtools": ("rvtools", "import_rvtools"),
    "azure-dependencies": ("azure", "import_azure_dependencies"),
    "azure-migrate-servers": ("azure", "import_azure_migrate_servers"),
    "servicenow": ("servicenow", "import_servicenow"),
    "contracts": ("contracts", "import_contracts"),
    "aws-discovery": ("aws", "import_aws_discovery"),
    "aws-cmf": ("aws", "import_aws_cmf"),
}


def importer(kind: str) -> Callable[[Path, ImportContext], ImportResult]:
    """The importer function of ``kind`` (a key of :data:`IMPORTERS`)."""
    module, attr = IMPORTERS[kind]
    fn: Callable[[Path, ImportContext], ImportResult] = getattr(
        importlib.import_module(f"inventory.importers.{module}"), attr)
    return fn


def read_source(kind: str, source: str | Path, into: str | Path | None = None, *,
                site_id: str | None = None, site_kind: str = "on_prem",
                **options: Any) -> ImportResult:
    """Run the importer ``kind`` on ``source`` (nothing is written).

    ``into`` is the target workbook, read (when it exists) by importers that
    link to existing rows, such as ``azure-dependencies`` and ``contracts``.
    ``site_id`` (``--site``) puts every imported server at one site; without
    it RVTools uses the export's datacenters and the other server importers
    ``DC1``.
    """
    from inventory.tables import read_tables

    workbook = None
    if into is not None and Path(into).exists():
        workbook = read_tables(into)
    ctx = ImportContext(site_id=site_id, workbook=workbook, options=options,
                        site_kind=site_kind)
    return importer(kind)(Path(source), ctx)


def run_import(kind: str, source: str | Path, into: str | Path, *,
               site_id: str | None = None, site_kind: str = "on_prem", dry_run: bool = False,
               **options: Any) -> tuple[ImportResult, MergeReport]:
    """Import ``source`` of ``kind`` and merge it into the workbook ``into``,
    holding ``into``'s lock (:func:`estate.locks.target_lock`) from reading it to
    writing it, so that two imports into one target take turns."""
    from contextlib import nullcontext

    from estate.locks import target_lock

    with target_lock(into) if not dry_run else nullcontext(Path(into)):
        result = read_source(kind, source, into, site_id=site_id, site_kind=site_kind,
                             **options)
        report = merge_into(into, result, dry_run=dry_run)
    return result, report


__all__ = ["IMPORTERS", "ImportContext", "ImportResult", "MergeReport", "importer",
           "merge_into", "read_source", "run_import"]
