"""Quote document time for 1, 20 and 60 lines: salesbot's whole path (read the quote from
the store, lay it out from the template, draw it with fpdf2) against the floor, bare fpdf2
drawing the same rows with the same font into a plain table (no store, no template, no
watermark, no Babel).

    python -m benchmarks quote_pdf        (QUOTE_BENCH_SIZES=1,20,60; QUOTE_BENCH_RUNS=7)

Both PDFs are read back with pypdf and must hold the same line totals before a figure is
printed. Medians of the runs after one warm-up; a temp SQLite database, removed after.
"""

from __future__ import annotations

import io
import os
import shutil
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from pypdf import PdfReader

from store.clock import ManualClock
from store.db import Store
from store.migrate import upgrade
from store.models import Product, User
from store.services import Services
from store.services.quotes.document_template import bundled_font
from store.services.quotes.documents import QuoteDocuments, RenderedQuote
from store.services.quotes.lines import LineSpec

NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)


def _setup(folder: Path, sizes: list[int]) -> tuple[Services, int, dict[int, int]]:
    store = Store(f"sqlite:///{folder / 'bench.db'}", ManualClock(NOW))
    upgrade(store.engine)
    services = Services(store)
    with store.transaction() as s:
        rep = User(slack_user_id="U0BENCH", name="Bea Bench", role="rep")
        s.add(rep)
        s.add_all([Product(sku=f"SKU-{i:03d}", name=f"Module {i:03d} licence",
                           list_price_minor=10_000 + i * 1_237, currency="USD",
                           is_active=True) for i in range(1, max(sizes) + 1)])
        s.flush()
        rep_id = rep.id
    services.accounts.create(rep_id, "Müller & Søn")
    opp = services.opportunities.create(rep_id, "Rollout", account="Müller & Søn").id
    quotes = {n: services.quotes.create(rep_id, opp, [
        LineSpec(product=f"SKU-{i:03d}", quantity=i % 7 + 1) for i in range(1, n + 1)]).id
        for n in sizes}
    return services, rep_id, quotes


def _floor(rows: list[tuple[str, str, str, str]]) -> bytes:
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.add_font("F", "", str(bundled_font("DejaVuSans.ttf")))
    pdf.add_font("F", "B", str(bundled_font("DejaVuSans-Bold.ttf")))
    pdf.set_font("F", "", 9)
    pdf.add_page()
    with pdf.table() as table:
        for row in [("#", "Item", "Qty", "Line total"), *rows]:
            cells = table.row()
            for value in row:
                cells.cell(value)
    return bytes(pdf.output())


def _totals(content: bytes, totals: list[str]) -> bool:
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages)
    text = text.replace("\u00a0", " ")
    return all(t in text for t in totals)


def _median(action, runs: int) -> float:  # type: ignore[no-untyped-def]
    action()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def run() -> None:
    sizes = [int(n) for n in os.environ.get("QUOTE_BENCH_SIZES", "1,20,60").split(",")]
    runs = int(os.environ.get("QUOTE_BENCH_RUNS", "7"))
    folder = Path(tempfile.mkdtemp())
    try:
        services, rep_id, quotes = _setup(folder, sizes)
        documents = QuoteDocuments(services.store)
        print(f"{'lines':>6} {'salesbot ms':>12} {'bare fpdf2 ms':>14} {'ratio':>6} "
              f"{'pages':>6} {'bytes':>8}")
        for n in sizes:
            rendered: list[RenderedQuote] = []
            ms = _median(lambda q=quotes[n], out=rendered: out.append(documents.render(rep_id, q)),
                         runs) * 1000
            quote = rendered[-1].facts.quote
            rows = [(str(ln.position), ln.description, str(ln.quantity), f"${ln.total:,}")
                    for ln in quote.lines]
            floor_out: list[bytes] = []
            floor_ms = _median(lambda r=rows, out=floor_out: out.append(_floor(r)), runs) * 1000
            totals = [f"${ln.total:,}" for ln in quote.lines]
            assert _totals(rendered[-1].content, totals) and _totals(floor_out[-1], totals), \
                "the two documents disagree"
            pages = len(PdfReader(io.BytesIO(rendered[-1].content)).pages)
            print(f"{n:>6} {ms:>12.1f} {floor_ms:>14.1f} {ms / floor_ms:>6.2f} {pages:>6} "
                  f"{len(rendered[-1].content):>8}")
        services.store.dispose()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
