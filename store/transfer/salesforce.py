"""Salesforce opportunity reports, read as they come out of Salesforce.

Teams moving to salesbot export their pipeline from a Salesforce report; asking them to
rename columns and rewrite dates first is exactly the chore an import should spare them.
A report is recognised by its headers (docs/INTERFACES.md "CSV files"); its `MM/DD/YYYY`
dates, grouped amounts and default stage names are then accepted.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

# header as Salesforce writes it (compared case-insensitively) → our opportunity column
REPORT_COLUMNS: Mapping[str, str] = {
    "opportunity name": "name",
    "account name": "account",
    "stage": "stage",
    "amount": "amount",
    "close date": "close_date",
    "opportunity owner": "owner",
    "probability (%)": "probability",
    "next step": "next_step",
}
_REQUIRED = frozenset(
    ("opportunity name", "account name", "stage", "amount", "close date", "opportunity owner")
)

# Salesforce's default stage names that our default pipeline names differently
DEFAULT_STAGE_NAMES: Mapping[str, str] = {
    "qualification": "Prospecting",
    "id. decision makers": "Value Proposition",
    "perception analysis": "Value Proposition",
    "proposal/price quote": "Proposal/Price Review",
}


def header_key(header: str) -> str:
    """Headers and stage names compare case-insensitively, blanks collapsed."""
    return " ".join(header.split()).casefold()


def is_opportunity_report(headers: Iterable[str]) -> bool:
    return {header_key(h) for h in headers} >= _REQUIRED


def stage_names(extra: Mapping[str, str], *, salesforce: bool) -> dict[str, str]:
    """Stage name as written in the file (key form) → stage name in the store.

    `--stage-map` entries come last so they can override Salesforce's defaults.
    """
    names = dict(DEFAULT_STAGE_NAMES) if salesforce else {}
    names.update({header_key(source): target for source, target in extra.items()})
    return names
