"""CSV import and export of the store's records (docs/INTERFACES.md "CSV files").

`KINDS` names what can be moved; `import_csv` reads one file in one transaction, all or
nothing unless told to skip bad rows; `export_csv` writes the canonical columns sorted
by key, so an export imported into an empty database exports to the same bytes.
"""

from store.transfer.exporter import export_csv
from store.transfer.importer import import_csv
from store.transfer.kinds import KINDS, ImportResult, KindSpec
from store.transfer.spec import IGNORE, ImportOptions, Problem, UsageProblem

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
