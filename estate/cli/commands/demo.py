"""``estate demo`` and ``estate synth``: write a demo or synthetic estate workbook."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import click

from estate.cli.common import user_errors
from estate.model import Estate


def _report(estate: Estate, out: Path) -> None:
    kinds = Counter(s.kind for s in estate.servers)
    deps = Counter(d.kind for d in estate.dependencies)
    with_rows = {o.app_id for o in estate.options}
    click.echo(f"wrote {out}")
    click.echo(f"  applications: {len(estate.applications)} "
               f"({len(estate.applications) - len(with_rows)} without options rows)")
    click.echo(f"  servers:      {len(estate.servers)} ("
               + ", ".join(f"{kinds[k]} {k}" for k in ("host", "virtual", "physical")) + ")")
    click.echo(f"  sites:        {len(estate.sites)} ("
               + ", ".join(s.site_id + (f" exit by {s.exit_by}" if s.exit_by else "")
                           for s in estate.sites) + ")")
    click.echo(f"  options:      {len(estate.options)}")
    click.echo(f"  dependencies: {len(estate.dependencies)} ("
               + ", ".join(f"{deps[k]} {k}" for k in ("together", "before", "loose")) + ")")
    click.echo(f"  contracts:    {len(estate.contracts)}")
    click.echo("  teams:        " + ", ".join(f"{t.team_id} {t.days_per_month:g} days/month"
                                              for t in estate.teams))
    s = estate.settings
    click.echo(f"  horizon:      {s.horizon_months} months from {s.horizon_start}; "
               f"at most {s.max_critical_in_flight} critical in flight")


@click.command()
@click.option("--out", "out", type=click.Path(path_type=Path), default=Path("demo-estate.xlsx"),
              show_default=True,
              help="Workbook to write (.xlsx), or a folder for one .csv per sheet.")
@user_errors
def demo(out: Path) -> None:
    """Write the demo estate of the fictional Borough of Wessexford Council
    (about 300 applications, 48 months from the next April)."""
    from inventory.demo import demo_estate
    from inventory.writer import write_estate

    estate = demo_estate()
    _report(estate, write_estate(estate, out))


@click.command()
@click.option("--apps", "n_apps", type=click.IntRange(1, 100_000), required=True,
              help="Number of applications (servers are about 2.5-3 times as many); "
                   "with --shape export the number of VMs, one application each.")
@click.option("--shape", type=click.Choice(["council", "export"]), default="council",
              show_default=True,
              help="council: a council's application catalogue (options, dependencies, "
                   "teams, budget). export: like an RVTools export imported with the "
                   "defaults: one application per VM, no options rows (a generated rehost "
                   "to CLOUD-UK), 2-10 datacentres with facilities costs, clusters of "
                   "hosts with refresh dates, an estimated per-core hypervisor "
                   "subscription per cluster, powered-off and template-like VMs, few "
                   "dependencies.")
@click.option("--datacentres", type=click.IntRange(1, 50), default=None,
              help="--shape export: number of datacentres [default: 2-10, drawn by size].")
@click.option("--seed", type=int, default=0, show_default=True,
              help="Random seed: the same seed always gives the same estate.")
@click.option("--start", "horizon_start", default=None,
              help="First month planned (YYYY-MM) [default: the next April; --shape export: "
                   "next month, as an import].")
@click.option("--months", "horizon_months", type=click.IntRange(1, 600), default=48,
              show_default=True, help="Months planned.")
@click.option("--out", "out", type=click.Path(path_type=Path), default=None,
              help="Workbook to write (.xlsx), or a folder for one .csv per sheet "
                   "[default: synth-<apps>-<seed>.xlsx].")
@user_errors
def synth(n_apps: int, shape: str, datacentres: int | None, seed: int,
          horizon_start: str | None, horizon_months: int, out: Path | None) -> None:
    """Write a seeded synthetic estate of --apps applications: a council's
    (default) or, with --shape export, one shaped like an imported RVTools
    export."""
    from estate.months import default_horizon_start, is_month, next_april
    from inventory.synth import synth_estate
    from inventory.synth_export import export_estate
    from inventory.writer import write_estate

    if horizon_start is None:
        horizon_start = default_horizon_start() if shape == "export" else next_april()
    if not is_month(horizon_start):
        raise click.BadParameter(f"{horizon_start!r} is not a month in YYYY-MM form",
                                 param_hint="--start")
    if datacentres is not None and shape != "export":
        raise click.BadParameter("only with --shape export", param_hint="--datacentres")
    if shape == "export":
        estate = export_estate(n_apps, seed, horizon_start=horizon_start,
                               horizon_months=horizon_months, datacentres=datacentres)
        default = Path(f"export-{n_apps}-{seed}.xlsx")
    else:
        estate = synth_estate(n_apps, seed, horizon_start=horizon_start,
                              horizon_months=horizon_months)
        default = Path(f"synth-{n_apps}-{seed}.xlsx")
    _report(estate, write_estate(estate, out or default))
