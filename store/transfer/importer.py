"""Import: one file, one transaction, all or nothing unless `--skip-bad`.

Records are read and written a batch at a time, so memory stays flat however long the
file is; the transaction still spans the whole file, so a bad row found on the last
line rolls back everything before it. Writing continues after the first bad row so
that every problem of the file is reported in one run, not one per attempt.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator, Mapping
from itertools import islice
from typing import BinaryIO

from sqlalchemy import text
from sqlalchemy.orm import Session

from store.db import Store
from store.services.people import name_changes
from store.services.system.statistics import after_bulk_write
from store.transfer.kinds import ImportResult, KindSpec
from store.transfer.loading import ImportContext
from store.transfer.lookups import ImportLookups
from store.transfer.reader import Record, RecordReader
from store.transfer.salesforce import stage_names
from store.transfer.spec import ImportOptions, ProblemLog, Tally, UsageProblem


class _Refused(Exception):
    """Raised inside the transaction so that it rolls back."""


def _batches(records: Iterator[Record], size: int) -> Iterator[list[Record]]:
    while batch := list(islice(records, size)):
        yield batch


def _check_stage_map(lookups: ImportLookups, stage_map: Mapping[str, str]) -> None:
    for source, target in stage_map.items():
        if lookups.stage(target) is None:
            raise UsageProblem(f"--stage-map {source}={target}: there is no stage {target!r} "
                               f"(the stages are {lookups.stage_list()})")


def _plan_each_batch(session: Session) -> None:
    """PostgreSQL re-uses a generic plan for a statement after a few runs; planned while the
    table was still empty it scans the table, so each batch's look-up would cost more
    than the last. Planning with the batch's own values keeps them on the indexes."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))


def import_csv(
    store: Store,
    spec: KindSpec,
    stream: BinaryIO,
    options: ImportOptions,
    *,
    on_progress: Callable[[int], None] | None = None,
) -> ImportResult:
    """Read `stream` (UTF-8, BOM allowed) as `spec`'s kind and write it to the store.

    Bad rows are collected in the result; a refused import has written nothing.
    `on_progress` gets the number of bytes read so far after each batch.
    """
    if options.stage_map and not spec.maps_stages:
        raise UsageProblem(f"--stage-map does not apply to {spec.name}")
    problems, tally = ProblemLog(), Tally()
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
    try:
        with store.transaction() as session:
            _plan_each_batch(session)
            reader = RecordReader(text, spec, options.column_map, problems)
            if reader.layout is None or problems:
                raise _Refused
            lookups = ImportLookups(session, stage_names(options.stage_map,
                                                       salesforce=reader.layout.salesforce))
            _check_stage_map(lookups, options.stage_map)
            context = ImportContext(session, store.now(), options, reader.layout, lookups,
                                    problems, tally)
            loader = spec.loader(context)
            for batch in _batches(iter(reader), options.batch_size):
                loader.load(batch)
                if on_progress is not None:
                    on_progress(stream.tell())
            loader.finish()
            if problems and not options.skip_bad:
                raise _Refused
            name_changes.changed(session, "all")  # the name caches reload what came in
        committed = True
        after_bulk_write(store, tally.new + tally.updated)  # the planner sees what came in
    except _Refused:
        committed = False
    finally:
        text.detach()
    return ImportResult(spec=spec, tally=tally, problems=problems, committed=committed)
