"""The pipeline as a picture: open amounts by stage, stacked by owner, one panel per currency.

Drawn with matplotlib's Agg canvas on a `Figure` of its own (never pyplot's global state),
so request threads can draw at once. Returns PNG bytes; the text summary never depends on
it, so a chart that can't be drawn or uploaded only leaves the text.

matplotlib (with numpy, ~50 MiB and most of a second) is imported when a chart is drawn,
never when the handlers are registered: most processes never draw one.
"""

from __future__ import annotations

import io
from collections import defaultdict
from collections.abc import Sequence

from store.services.pipeline.summary import StageOwnerAmount

MAX_OWNERS = 8  # the rest are stacked as "Others"
MAX_CURRENCIES = 3
WIDTH, HEIGHT, DPI = 9.0, 4.5, 100


def pipeline_png(cells: Sequence[StageOwnerAmount], stages: Sequence[str], title: str
                 ) -> bytes | None:
    """Stacked bars (x: `stages` in order, stacks: owners); None when there is nothing open."""
    by_currency: dict[str, list[StageOwnerAmount]] = defaultdict(list)
    for cell in cells:
        by_currency[cell.currency].append(cell)
    if not by_currency:
        return None
    currencies = sorted(by_currency, key=lambda c: -sum(x.amount for x in by_currency[c]))
    currencies = currencies[:MAX_CURRENCIES]
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(WIDTH, HEIGHT * len(currencies)), dpi=DPI)
    FigureCanvasAgg(figure)
    axes = figure.subplots(len(currencies), 1, squeeze=False)[:, 0]
    for ax, currency in zip(axes, currencies, strict=True):
        _panel(ax, by_currency[currency], list(stages), currency)
    figure.suptitle(title)
    figure.tight_layout()
    out = io.BytesIO()
    figure.savefig(out, format="png")
    return out.getvalue()


def _panel(ax, cells: list[StageOwnerAmount], stages: list[str], currency: str) -> None:
    totals: dict[str, float] = defaultdict(float)
    for cell in cells:
        totals[cell.owner] += float(cell.amount)
    ranked = sorted(totals, key=lambda o: -totals[o])
    shown = ranked[:MAX_OWNERS]
    grid: dict[str, list[float]] = {owner: [0.0] * len(stages) for owner in shown}
    if len(ranked) > MAX_OWNERS:
        grid["Others"] = [0.0] * len(stages)
    for cell in cells:
        if cell.stage not in stages:
            continue
        owner = cell.owner if cell.owner in shown else "Others"
        grid[owner][stages.index(cell.stage)] += float(cell.amount)
    bottom = [0.0] * len(stages)
    for owner, values in grid.items():
        ax.bar(stages, values, bottom=bottom, label=owner)
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    ax.set_ylabel(f"Open amount ({currency})")
    ax.tick_params(axis="x", labelrotation=15)
    ax.legend(fontsize="small", loc="upper right")
    ax.yaxis.set_major_formatter(lambda value, _pos: f"{value:,.0f}")
