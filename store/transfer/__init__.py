"""CSV import and export of the store's records (docs/INTERFACES.md "CSV files").

`KINDS` names what can be moved; `import_csv` reads one file in one transaction, all or
nothing unless told to skip bad rows; `export_csv` writes the canonical columns sorted
by key, so an export imported into an empty database exports to the same bytes.

Start-up cost: each name is imported from its module when first asked for (PEP 562), so
`salesbot export` (SQLAlchemy Core only) never loads the import rules (the ORM, every
model) that importing them here would.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from store.transfer.exporter import export_csv
    from store.transfer.importer import import_csv
    from store.transfer.kinds import KINDS, ImportResult, KindSpec
    from store.transfer.spec import IGNORE, ImportOptions, Problem, UsageProblem

_HOMES = {
    "export_csv": "exporter", "import_csv": "importer",
    "KINDS": "kinds", "ImportResult": "kinds", "KindSpec": "kinds",
    "IGNORE": "spec", "ImportOptions": "spec", "Problem": "spec", "UsageProblem": "spec",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"store.transfer.{home}"), name)


__all__ = [
    "IGNORE",
    "KINDS",
    "ImportOptions",
    "ImportResult",
    "KindSpec",
    "Problem",
    "UsageProblem",
    "export_csv",
    "import_csv",
]
