"""The pipeline summary as CSV rows: the same figures the Slack summary shows, for
`salesbot export pipeline` and `/sales pipeline … csv`.

Columns `section,name,currency,count,amount,weighted,value`; money in major units with
the currency's decimals (as every export), one row per currency; a section with nothing in
it still gets a row, with a count of 0, so an empty period reads as empty, not missing.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence

from store.money import format_plain
from store.services.pipeline.figures import Figures, Summary

COLUMNS = ("section", "name", "currency", "count", "amount", "weighted", "value")


def _money(figures: Figures, *, weighted: bool = True) -> list[str]:
    return [figures.currency, str(figures.count),
            format_plain(figures.amount_minor, figures.currency),
            format_plain(figures.weighted_minor, figures.currency) if weighted else "", ""]


def _rows(section: str, name: str, figures: Sequence[Figures], *, weighted: bool = True
          ) -> Iterator[list[str]]:
    if not figures:
        yield [section, name, "", "0", "", "", ""]
    for f in figures:
        yield [section, name, *_money(f, weighted=weighted)]


def summary_rows(summary: Summary) -> Iterator[list[str]]:
    for stage in summary.stages:
        yield from _rows("stage", stage.name, stage.figures)
    yield from _rows("total", "open pipeline", summary.totals)
    for owner in summary.owners:
        yield from _rows("owner", owner.slack_id, owner.figures)
    for month in summary.months:
        yield from _rows("close_month", month.key, month.figures)
    for quarter in summary.quarters:
        yield from _rows("fiscal_quarter", quarter.code, quarter.figures)
    for change in summary.changes:
        yield from _rows("change", change.kind, change.figures, weighted=False)
    closed = summary.closed
    period = summary.closed_period.code or summary.closed_period.label
    yield from _rows("won", period, closed.won, weighted=False)
    yield ["lost", period, "", str(closed.lost_count), "", "", ""]
    yield ["win_rate", period, "", str(closed.won_count + closed.lost_count), "", "",
           "" if closed.win_rate is None else str(closed.win_rate)]
    yield ["cycle_days", period, "", str(closed.won_count), "", "",
           "" if closed.average_cycle_days is None else f"{closed.average_cycle_days:.1f}"]
    for deal in summary.stuck:
        yield ["stuck", deal.title, deal.currency, "1", str(deal.amount), "",
               str(deal.days_in_stage)]


def write_summary(summary: Summary, out: io.TextIOBase | io.StringIO) -> int:
    """Write the CSV (RFC 4180 line ends, as every export); returns the number of rows."""
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    count = 0
    for row in summary_rows(summary):
        writer.writerow(row)
        count += 1
    return count


def summary_csv(summary: Summary) -> str:
    out = io.StringIO()
    write_summary(summary, out)
    return out.getvalue()
