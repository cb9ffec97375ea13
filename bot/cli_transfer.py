"""`salesbot import` and `salesbot export`: CSV files in and out of the store.

The command line only translates: options into `ImportOptions`, problems into
`FILE:LINE: COLUMN: reason` lines on stderr, outcomes into exit codes (docs/INTERFACES.md:
0 done, 1 refused, 2 usage). The rules live in `store.transfer`.
"""

from __future__ import annotations

import io
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

import click

from bot.cli_common import EXIT_REFUSED

if TYPE_CHECKING:
    from store.transfer import ImportOptions, ImportResult, KindSpec

# Start-up cost: the CSV rules (SQLAlchemy, every model) are imported when a command runs
# or its options are read, never by `salesbot --help`.

_SHOWN_ERRORS = 50
PIPELINE = "pipeline"  # export only: the summary's figures, not records


def _pairs(option: str, given: tuple[str, ...], *, what: str) -> dict[str, str]:
    """`A=B` options as a dict; the last `=` splits, since column names may hold one."""
    pairs: dict[str, str] = {}
    for item in given:
        source, sep, target = item.rpartition("=")
        if not sep or not source.strip() or not target.strip():
            raise click.BadParameter(f"{item!r} is not {what}", param_hint=option)
        pairs[source.strip()] = target.strip()
    return pairs


def _options(spec: KindSpec, settings: Any, skip_bad: bool, column_map: tuple[str, ...],
             stage_map: tuple[str, ...]) -> ImportOptions:
    from store.transfer import IGNORE, ImportOptions

    columns = _pairs("--map", column_map, what="COL=FIELD")
    for column, field in columns.items():
        if field != IGNORE and field not in spec.columns:
            raise click.BadParameter(
                f"{column}={field}: {spec.name} have no column {field!r} "
                f"(they have {', '.join(spec.columns)}; '{IGNORE}' ignores a column)",
                param_hint="--map",
            )
    stages = _pairs("--stage-map", stage_map, what="FROM=TO")
    if stages and not spec.maps_stages:
        raise click.BadParameter(f"applies to opportunities, not {spec.name}",
                                 param_hint="--stage-map")
    return ImportOptions(currency=settings.currency, timezone=settings.timezone,
                         skip_bad=skip_bad, column_map=columns, stage_map=stages)


@contextmanager
def _progress(file: str, label: str) -> Iterator[Callable[[int], None] | None]:
    """A progress bar on stderr, only when stderr is a terminal and the file has a size."""
    if file == "-" or not sys.stderr.isatty():
        yield None
        return
    with click.progressbar(length=os.path.getsize(file), label=label, file=sys.stderr) as bar:
        done = 0

        def advance(position: int) -> None:
            nonlocal done
            bar.update(position - done)
            done = position

        yield advance


def _report(file: str, result: ImportResult) -> None:
    for problem in sorted(result.problems.shown):
        click.echo(problem.render(file), err=True)
    if result.problems.hidden:
        click.echo(f"… and {result.problems.hidden} more errors", err=True)
    click.echo(result.summary())


def _open_input(file: str) -> BinaryIO:
    if file == "-":
        return sys.stdin.buffer
    try:
        return open(file, "rb")
    except OSError as exc:
        click.echo(f"{file}: {exc.strerror or exc}", err=True)
        sys.exit(EXIT_REFUSED)


@contextmanager
def _output(file: str) -> Iterator[io.TextIOWrapper]:
    """UTF-8 text to stdout, or to FILE through a temporary file renamed at the end, so a
    failed export never leaves half a file where the last good one was."""
    if file == "-":
        out = io.TextIOWrapper(sys.stdout.buffer, encoding="utf-8",
                               newline="", write_through=True)
        try:
            yield out
            out.flush()
        finally:
            out.detach()
        return
    path = Path(file)
    partial = path.with_name(f".{path.name}.partial")
    try:
        with open(partial, "w", encoding="utf-8", newline="") as out:
            yield out
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)


def _export_pipeline(context: Any, file: str, period_text: str | None) -> None:
    from store.periods import find_period
    from store.services.pipeline.export import write_summary
    from store.services.pipeline.summary import PipelineService

    settings = context.settings
    service = PipelineService(context.store(), fiscal_year_start=settings.fiscal_year_start,
                              default_timezone=settings.timezone)
    period = None
    if period_text is not None:
        found = find_period(period_text, service.today(), settings.fiscal_year_start)
        if found is None:
            raise click.BadParameter(f"{period_text!r} is not a period (try 2026-Q4 or "
                                     "'this quarter')", param_hint="--period")
        period = found[0]
    summary = service.company_summary(period)
    try:
        with _output(file) as out:
            count = write_summary(summary, out)
    except OSError as exc:
        click.echo(f"{file}: {exc.strerror or exc}", err=True)
        sys.exit(EXIT_REFUSED)
    if file != "-":
        click.echo(f"exported {count} pipeline rows to {file}", err=True)


def _run_import(context: Any, kind: str, file: str, skip_bad: bool,
                column_map: tuple[str, ...], stage_map: tuple[str, ...]) -> None:
    """`import KIND FILE`: one transaction; exit 1 when nothing was committed."""
    from sqlalchemy.exc import SQLAlchemyError

    from store.transfer import KINDS, UsageProblem, import_csv

    spec = KINDS[kind]
    options = _options(spec, context.settings, skip_bad, column_map, stage_map)
    store = context.store()
    with _open_input(file) as stream, _progress(file, f"importing {kind}") as progress:
        try:
            result = import_csv(store, spec, stream, options, on_progress=progress)
        except UsageProblem as exc:
            raise click.UsageError(str(exc)) from exc
        except SQLAlchemyError as exc:
            reason = getattr(exc, "orig", None) or exc
            click.echo(f"{file}: the database refused the import: {reason}", err=True)
            sys.exit(EXIT_REFUSED)
    _report(file, result)
    if not result.committed:
        sys.exit(EXIT_REFUSED)


def _run_export(context: Any, kind: str, file: str, period: str | None) -> None:
    """`export KIND [FILE]`: the kind's records, or the pipeline summary's figures."""
    if kind == PIPELINE:
        _export_pipeline(context, file, period)
        return
    if period is not None:
        raise click.BadParameter("applies to the pipeline only", param_hint="--period")
    from store.transfer import KINDS, export_csv

    spec = KINDS[kind]
    store = context.store()
    try:
        with _output(file) as out:
            count = export_csv(store, spec, out)
    except OSError as exc:
        click.echo(f"{file}: {exc.strerror or exc}", err=True)
        sys.exit(EXIT_REFUSED)
    if file != "-":
        click.echo(f"exported {count} {spec.noun(count)} to {file}", err=True)


def register(cli: click.Group, pass_context: Any) -> None:
    """Add the import/export commands to the `salesbot` group."""
    from store.transfer import KINDS

    kinds = click.Choice(list(KINDS))
    kinds_help = f"KIND is one of: {', '.join(KINDS)}."

    @cli.command("import", epilog=kinds_help)
    @click.argument("kind", type=kinds, metavar="KIND")
    @click.argument("file", type=click.Path(dir_okay=False, allow_dash=True))
    @click.option("--skip-bad", is_flag=True,
                  help="Import the good rows and report the bad ones (exit 0).")
    @click.option("--map", "column_map", multiple=True, metavar="COL=FIELD",
                  help="Read the file's column COL as FIELD ('-' ignores it). Repeatable.")
    @click.option("--stage-map", multiple=True, metavar="FROM=TO",
                  help="Read stage FROM as our stage TO (opportunities). Repeatable.")
    @pass_context
    def import_command(context: Any, kind: str, file: str, skip_bad: bool,
                       column_map: tuple[str, ...], stage_map: tuple[str, ...]) -> None:
        """Import KIND records from the CSV FILE: all rows or none, unless --skip-bad.

        Rows are matched by their key (docs/INTERFACES.md "CSV files") and updated, so
        importing the same file twice changes nothing.
        """
        _run_import(context, kind, file, skip_bad, column_map, stage_map)

    @cli.command("export", epilog=f"KIND is one of: {', '.join(KINDS)}, {PIPELINE}.")
    @click.argument("kind", type=click.Choice([*KINDS, PIPELINE]), metavar="KIND")
    @click.argument("file", required=False, default="-",
                    type=click.Path(dir_okay=False, allow_dash=True))
    @click.option("--period", default=None, metavar="PERIOD",
                  help="pipeline: deals closing in PERIOD (2026-Q4, 'this quarter', "
                       "'next month', 'this year'); default every open deal.")
    @pass_context
    def export_command(context: Any, kind: str, file: str, period: str | None) -> None:
        """Export every KIND record as CSV to FILE (stdout when FILE is '-' or left out).

        `pipeline` writes the pipeline summary's figures (everyone's deals), the same as
        `/sales pipeline … csv`.
        """
        _run_export(context, kind, file, period)
