"""How the planner priced the cloud options it generated, in plain words for the board.

Reads ``assumptions.cloud_pricing`` of the resolved estate (or of the plan):
each cloud site's provider and pricing basis, and whether Software Assurance
was taken to be held.
"""

from __future__ import annotations

from reports.facts import Facts

_BASIS_WORDS = {"payg": "pay-as-you-go prices", "reserved_1y": "1-year reservations",
                "reserved_3y": "3-year reservations", "savings_plan_1y": "a 1-year savings plan",
                "savings_plan_3y": "a 3-year savings plan"}
_PROVIDER_WORDS = {"azure": "Azure", "aws": "AWS", "google": "Google Cloud"}


def cloud_pricing_words(facts: Facts) -> str:
    """How the generated cloud options were priced, in plain words ("" when the
    planner generated none): the commitment at each cloud site and whether
    Windows Server and SQL Server licences were taken to carry Software
    Assurance."""
    terms = facts.estate.assumptions.get("cloud_pricing") or facts.plan.assumptions.get(
        "cloud_pricing")
    if not terms or not any(o.generated and o.strategy == "rehost"
                            for o in facts.estate.options):
        return ""
    by_basis: dict[str, list[str]] = {}
    for site, t in terms.get("sites", {}).items():
        provider = _PROVIDER_WORDS.get(t["provider"], t["provider"])
        by_basis.setdefault(t["basis"], []).append(f"{site} ({provider})")
    bases = "; ".join(f"{_BASIS_WORDS.get(b, b)} at {' and '.join(s)}"
                      for b, s in by_basis.items())
    licences = ("Windows Server and SQL Server licences move with the servers (Software "
                "Assurance held)" if terms.get("software_assurance", True) else
                "cloud prices include Windows Server and SQL Server licences (no Software "
                "Assurance)")
    return f"Cloud moves the planner estimated: list prices with {bases}; {licences}."
