"""``estate import KIND SOURCE --into WORKBOOK``: merge an export into a workbook."""

from __future__ import annotations

from contextlib import nullcontext
from pathlib import Path

import click

from estate.cli.common import user_errors
from estate.errors import EstateError, Issue
from estate.locks import target_lock
from inventory.importers import IMPORTERS, ImportResult, merge_into, read_source

_LIST_LABELS = {"powered_off": "powered off (flagged in servers.powerstate)",
                "templates": "templates (skipped)",
                "sql_guess": "guessed to run SQL Server Standard from the name (check "
                             "servers.sql_edition)",
                "system_vms": "vSphere system VMs (skipped: infrastructure of their cluster)",
                "expired": "ended before the plan starts (skipped; --keep-expired keeps them)",
                "uncovered": "cover nothing (they run to the end of the plan; fill covers)",
                "skipped": "rows skipped (a required field missing)",
                "uncategorised": "no clear category (left blank)",
                "ends_with_retire": "end with retire (when what they cover is retired)",
                "ends_with_move": "end with move (when what they cover has moved)",
                "ends_with_never": "end with never (run on to the end of the plan)"}


def _write_problems(issues: list[Issue], path: Path) -> None:
    from estate.errors import problems_csv
    from estate.files import write_text

    write_text(path, problems_csv(issues))


def _proposals(kind: str, into: Path, result: ImportResult, month: str | None) -> ImportResult:
    """The actuals a later export proposes (``--propose-actuals``)."""
    from estate.months import is_month
    from inventory.importers.proposals import propose_actuals
    from inventory.load import load_estate

    if kind != "rvtools":
        raise EstateError(Issue("--propose-actuals", "works with rvtools exports only"))
    if month is not None and not is_month(month):
        raise EstateError(Issue("--month", f"{month!r} is not a month YYYY-MM"))
    if not into.exists():
        raise EstateError(Issue(str(into), "--propose-actuals compares a later export with "
                                "an existing workbook; import the first export without it"))
    from datetime import UTC, datetime

    when = month or datetime.now(UTC).strftime("%Y-%m")
    return propose_actuals(load_estate(into), result, when)


@click.command(name="import")
@click.argument("kind", type=click.Choice(sorted(IMPORTERS)))
@click.argument("source", type=click.Path(path_type=Path))
@click.option("--into", "into", required=True, type=click.Path(path_type=Path),
              help="Estate workbook (.xlsx) or CSV folder to merge into; created if missing.")
@click.option("--site", default=None,
              help="Put every imported server at this site (added if missing). Default: "
              "rvtools one site per datacenter (see --sites-from), other server imports DC1.")
@click.option("--site-kind", default="on_prem", show_default=True,
              type=click.Choice(["on_prem", "colo", "cloud"]), help="Kind of a site added.")
@click.option("--sites-from", type=click.Choice(["datacenter", "cluster"]), default="datacenter",
              show_default=True, help="rvtools: each datacenter (or cluster) is a site.")
@click.option("--apps-from", default="vm", show_default=True, metavar="GROUPING",
              help="rvtools: group VMs into applications by vm (one each), folder, "
              "resource-pool, vapp, annotation or column:NAME (a custom attribute).")
@click.option("--app-column", help="rvtools: same as --apps-from column:NAME.")
@click.option("--app-map", type=click.Path(exists=True, path_type=Path),
              help="rvtools: CSV with columns server,application.")
@click.option("--storage", type=click.Choice(["provisioned", "in-use"]), default="provisioned",
              show_default=True, help="rvtools: disk figure used for storage_gb.")
@click.option("--rel", type=click.Path(exists=True, path_type=Path),
              help="servicenow: the cmdb_rel_ci CSV export.")
@click.option("--map", "maps", multiple=True, metavar="COLUMN=FIELD",
              help="contracts: use COLUMN for FIELD (reference, title, supplier, "
              "life_value, annual_value, start, end, cpv, …). Repeatable.")
@click.option("--all", "keep_all", is_flag=True, help="contracts: keep non-ICT contracts too.")
@click.option("--keep-expired", is_flag=True,
              help="contracts: keep contracts that ended before the plan starts.")
@click.option("--covers-map", type=click.Path(exists=True, path_type=Path),
              help="contracts: CSV with columns contract,covers (application, server or site "
              "ids or names, ';' separated).")
@click.option("--date-format", type=click.Choice(["dmy", "mdy", "ymd"]), default=None,
              help="contracts: how the register writes dates like 03/04/2027: dmy (UK, the "
              "default), mdy (US) or ymd. A file whose dates cannot be dmy is refused "
              "without it.")
@click.option("--skip-bad-rows", is_flag=True,
              help="contracts: import the other rows when some lack a required field (end "
              "date, value); without it such a register is refused and nothing is written.")
@click.option("--together-share", type=float, default=0.5, show_default=True,
              help="azure-dependencies: share of time slots with traffic both ways above "
              "which a pair of applications is 'together'.")
@click.option("--propose-actuals", is_flag=True,
              help="rvtools: from a later export, propose actuals (VMs gone: servers switched "
                   "off; new VMs at a cloud site: applications live there), written to the "
                   "actuals sheet marked proposed for you to confirm.")
@click.option("--month", default=None, metavar="YYYY-MM",
              help="--propose-actuals: the month the export was taken (default: this month).")
@click.option("--dry-run", is_flag=True, help="Show what would change; write nothing.")
@click.option("--strict", is_flag=True, help="Write nothing if any row has a problem.")
@click.option("--problems", type=click.Path(path_type=Path),
              help="Write every problem found to this CSV file.")
@click.option("--show", default=25, show_default=True, help="Problems to print at most.")
@click.option("--follow-symlinks", is_flag=True,
              help="When --into is a symbolic link, write the file it points to (otherwise "
                   "a link is refused).")
@user_errors
def importer(kind: str, source: Path, into: Path, site: str | None, site_kind: str,
             sites_from: str, apps_from: str, app_column: str | None, app_map: Path | None,
             storage: str, rel: Path | None, maps: tuple[str, ...], keep_all: bool,
             keep_expired: bool, covers_map: Path | None, date_format: str | None,
             skip_bad_rows: bool, together_share: float,
             propose_actuals: bool, month: str | None, dry_run: bool, strict: bool,
             problems: Path | None, show: int, follow_symlinks: bool) -> None:
    """Import SOURCE of KIND (an RVTools export, a dependency export, a contract
    register, …) and merge it into the estate workbook given by --into.

    New rows are added; in rows already there only the columns this source
    owns are updated, so your own edits and columns survive a re-import.
    """
    # into's lock from reading it to writing it: two imports into one target take turns
    with target_lock(into) if not dry_run else nullcontext(into):
        result = read_source(kind, source, into, site_id=site, site_kind=site_kind,
                             sites_from=sites_from, apps_from=apps_from, app_column=app_column,
                             app_map=str(app_map) if app_map else None, storage=storage,
                             rel=str(rel) if rel else None, map=list(maps), all=keep_all,
                             keep_expired=keep_expired,
                             covers_map=str(covers_map) if covers_map else None,
                             date_format=date_format, skip_bad_rows=skip_bad_rows,
                             together_share=together_share)
        if problems is not None:
            _write_problems(result.in_full(), problems)
        if strict and result.issues:
            raise EstateError(result.issues)
        proposals = _proposals(kind, into, result, month) if propose_actuals else None
        results = [result] + ([proposals] if proposals is not None and proposals.rows else [])
        report = merge_into(into, results, dry_run=dry_run, follow_symlinks=follow_symlinks)
    verb = "Would merge" if dry_run else "Merged"
    click.echo(f"{verb} {kind} {source} into {into}"
               f"{' (new workbook)' if report.created else ''}")
    counts = ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in result.counts.items())
    click.echo(f"  read: {counts}")
    if proposals is not None:
        click.echo("  proposed actuals: " + ", ".join(f"{k} {v}"
                                                     for k, v in proposals.counts.items()))
        for note in proposals.notes:
            click.echo(f"  note: {note}")
    for name, items in result.lists.items():
        shown = ", ".join(items[:15]) + (f", … ({len(items) - 15} more)"
                                         if len(items) > 15 else "")
        click.echo(f"  {_LIST_LABELS.get(name, name)}: {len(items)}: {shown}")
    for note in result.notes:
        click.echo(f"  note: {note}")
    for line in report.lines():
        click.echo(f"  {line}")
    issues = result.issues + report.issues
    if issues:
        click.echo(f"  {len(issues)} problem{'s' if len(issues) != 1 else ''} "
                   "(each row was imported with the value left blank, or skipped, as said):")
        for issue in issues[:show]:
            click.echo(f"    - {issue}")
        if len(issues) > show:
            hint = (f"all are in {problems}" if problems else
                    "use --problems FILE.csv to list them all")
            click.echo(f"    … and {len(issues) - show} more; {hint}")
    if dry_run:
        click.echo("  dry run: nothing written")
