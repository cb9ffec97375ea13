"""The quote document as PDF bytes, drawn with fpdf2 from the facts and the template.

Why fpdf2 (README, "The quote document"): it is pure Python and installs from pip alone
(its dependencies, fontTools and Pillow, are matplotlib's too), so a fresh CI machine
or a slim container renders quotes with no system libraries (WeasyPrint needs Pango).
It embeds a subset of a TrueType font, so any customer name renders; the font is DejaVu
Sans from matplotlib's data (its licence allows embedding and redistribution).

fpdf2 is imported inside `render`: building the app or the CLI never loads it.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from babel.dates import format_date
from babel.numbers import format_currency, format_decimal, format_percent

from store.services.quotes.document_facts import APPROVED as APPROVED_STATES
from store.services.quotes.document_facts import DocumentFacts, Letterhead
from store.services.quotes.document_template import Template

if TYPE_CHECKING:
    from fpdf import FPDF

FAMILY = "QuoteSans"


def _rgb(color: str) -> tuple[int, int, int]:
    return int(color[1:3], 16), int(color[3:5], 16), int(color[5:7], 16)


class Formats:
    """Numbers, money and dates in the document's locale (Babel, CLDR data)."""

    def __init__(self, currency: str, locale: str) -> None:
        self.currency, self.locale = currency, locale

    def money(self, amount: Decimal) -> str:
        return format_currency(amount, self.currency, locale=self.locale)

    def percent(self, value: Decimal) -> str:
        """As precise as the rate is (SALESBOT_QUOTE_TAX allows four decimals): "8.875%",
        never a rounded "8.88%" beside a tax computed at 8.875."""
        return format_percent(value / 100, "#,##0.####%", locale=self.locale)

    def number(self, value: int) -> str:
        return format_decimal(value, locale=self.locale)

    def day(self, value: Any) -> str:
        return format_date(value, format="medium", locale=self.locale)


def cell_text(field: str, line: Any, fmt: Formats) -> str:
    match field:
        case "position":
            return str(line.position)
        case "sku":
            return line.sku or ""
        case "description":
            return str(line.description)
        case "quantity":
            return fmt.number(line.quantity)
        case "unit_price":
            return fmt.money(line.unit_price)
        case "discount":
            return fmt.percent(line.discount_percent) if line.discount_percent else "–"
        case _:
            return fmt.money(line.total)


def render(facts: DocumentFacts, template: Template, letterhead: Letterhead,
           folder: Path | None = None) -> bytes:
    """The document, drawn section by section."""
    drawer = _Drawer(facts, template, letterhead, folder)
    drawer.heading()
    drawer.parties()
    drawer.line_table()
    drawer.totals()
    drawer.closing()
    return bytes(drawer.pdf.output())


def _new_pdf(template: Template, mark: str | None, footer_label: str) -> FPDF:
    """An FPDF whose every page carries the watermark (drawn first, under the content)
    and a footer naming the quote and the page."""
    from fpdf import FPDF

    colors, size = template.colors, template.fonts.size

    class QuotePDF(FPDF):
        def header(self) -> None:
            if mark:
                _watermark(self, mark, _rgb(colors.watermark))

        def footer(self) -> None:
            self.set_y(-template.page.margin_mm + 4)
            self.set_font(FAMILY, "", size - 1.5)
            self.set_text_color(*_rgb(colors.muted))
            self.cell(0, 4, f"{footer_label} · {template.label('page')} "
                      f"{self.page_no()}/{{nb}}", align="R")

    return QuotePDF(orientation="P", unit="mm", format=template.page.size)


class _Drawer:
    def __init__(self, facts: DocumentFacts, template: Template, letterhead: Letterhead,
                 folder: Path | None) -> None:
        self.facts, self.template, self.letterhead = facts, template, letterhead
        self.quote = facts.quote
        self.fmt = Formats(self.quote.currency, letterhead.locale)
        self.colors, self.size = template.colors, template.fonts.size
        self.line_h = self.size * 0.5
        label = f"{self.quote.number} v{self.quote.version}"
        pdf = self.pdf = _new_pdf(template, template.watermarks.get(self.quote.status), label)
        self.margin = margin = template.page.margin_mm
        pdf.set_margins(margin, margin, margin)
        pdf.set_auto_page_break(True, margin + 4)
        pdf.add_font(FAMILY, "", str(template.font_path(template.fonts.regular, folder)))
        pdf.add_font(FAMILY, "B", str(template.font_path(template.fonts.bold, folder)))
        pdf.set_title(f"{template.label('title')} {label}")
        pdf.set_author(letterhead.company_name)
        pdf.set_creator("salesbot")
        pdf.add_page()

    def text(self, value: str, *, bold: bool = False, scale: float = 1.0,
             color: str | None = None, width: float = 0, align: str = "L") -> None:
        from fpdf.enums import XPos, YPos

        pdf = self.pdf
        pdf.set_font(FAMILY, "B" if bold else "", self.size * scale)
        pdf.set_text_color(*_rgb(color or "#000000"))
        pdf.multi_cell(width, self.line_h * scale, value, align=align,
                       new_x=XPos.LMARGIN if not width else XPos.RIGHT, new_y=YPos.NEXT)

    def heading(self) -> None:
        """The seller on the left; the quote's number, version and dates on the right."""
        pdf, t, fmt, quote = self.pdf, self.template, self.fmt, self.quote
        top, margin = pdf.get_y(), self.margin
        left_w = pdf.epw * 0.55
        if self.letterhead.logo is not None:
            pdf.image(str(self.letterhead.logo), x=margin, y=top, h=t.logo_height_mm)
            pdf.set_y(top + t.logo_height_mm + 2)
        pdf.set_x(margin)
        self.text(self.letterhead.company_name, bold=True, scale=1.6,
                  color=self.colors.accent, width=left_w)
        for part in (self.letterhead.company_address or "").split("\n"):
            if part.strip():
                pdf.set_x(margin)
                self.text(part, color=self.colors.muted, width=left_w)
        left_bottom = pdf.get_y()
        pdf.set_xy(margin + left_w, top)
        right_w = pdf.epw - left_w
        self.text(t.label("title"), bold=True, scale=2.0, color=self.colors.accent,
                  width=right_w, align="R")
        for key, value in (("number", quote.number), ("version", str(quote.version)),
                           ("date", fmt.day(self.facts.issued)),
                           ("valid_until", fmt.day(quote.valid_until))):
            pdf.set_x(margin + left_w)
            self.text(f"{t.label(key)}: {value}", width=right_w, align="R")
        pdf.set_y(max(left_bottom, pdf.get_y()) + 4)
        _rule(pdf, self.colors.rule)

    def parties(self) -> None:
        """From (seller, the rep) and For (customer, contact), side by side; the deal."""
        pdf, t, facts = self.pdf, self.template, self.facts
        seller = [self.letterhead.company_name, f"{t.label('prepared_by')}: {facts.rep_name}"]
        if facts.rep_email:
            seller.append(facts.rep_email)
        customer = [facts.customer]
        if facts.customer_domain:
            customer.append(facts.customer_domain)
        if facts.contact_name:
            role = f", {facts.contact_title}" if facts.contact_title else ""
            customer.append(f"{t.label('contact')}: {facts.contact_name}{role}")
        if facts.contact_email:
            customer.append(facts.contact_email)
        half, y = pdf.epw / 2, pdf.get_y() + 2
        bottoms = []
        for x, side, entries in ((self.margin, "seller", seller),
                                 (self.margin + half, "customer", customer)):
            pdf.set_xy(x, y)
            self.text(t.label(side).upper(), bold=True, scale=0.85, color=self.colors.muted,
                      width=half - 4)
            for i, entry in enumerate(entries):
                pdf.set_x(x)
                self.text(entry, bold=i == 0, width=half - 4)
            bottoms.append(pdf.get_y())
        pdf.set_y(max(bottoms) + 2)
        pdf.set_x(self.margin)
        self.text(f"{t.label('deal')}: {self.quote.opportunity_title}", color=self.colors.muted)
        pdf.ln(3)

    def line_table(self) -> None:
        """One row per line, the heading repeated on every page the table runs onto."""
        from fpdf.fonts import FontFace

        pdf, columns = self.pdf, self.template.columns
        pdf.set_font(FAMILY, "", self.size)
        pdf.set_text_color(0, 0, 0)
        pdf.set_draw_color(*_rgb(self.colors.rule))
        heading = FontFace(family=FAMILY, emphasis="BOLD", color=_rgb(self.colors.accent),
                           fill_color=_rgb(self.colors.heading_fill))
        with pdf.table(col_widths=tuple(c.width for c in columns), width=pdf.epw,
                       text_align=tuple(c.align for c in columns), headings_style=heading,
                       line_height=self.line_h * 1.25, borders_layout="HORIZONTAL_LINES",
                       repeat_headings=1, padding=1) as table:
            row = table.row()
            for column in columns:
                row.cell(column.label)
            for line in self.quote.lines:
                row = table.row()
                for column in columns:
                    row.cell(cell_text(column.field, line, self.fmt))

    def totals(self) -> None:
        """Subtotal, quote discount, tax when configured, the total: right-aligned."""
        from fpdf.enums import XPos, YPos

        pdf, t, fmt, quote, facts = self.pdf, self.template, self.fmt, self.quote, self.facts
        pdf.ln(3)
        label_w, value_w = pdf.epw * 0.30, pdf.epw * 0.20
        x0 = self.margin + pdf.epw - label_w - value_w
        sums: list[tuple[str, str, bool]] = [(t.label("subtotal"), fmt.money(quote.subtotal),
                                              False)]
        if quote.discount:
            sums.append((f"{t.label('quote_discount')} "
                         f"({fmt.percent(quote.quote_discount_percent)})",
                         f"−{fmt.money(quote.discount)}", False))
        if facts.tax is not None and facts.tax_percent is not None:
            if quote.discount:  # else it would repeat the subtotal
                sums.append((t.label("total_before_tax"), fmt.money(quote.total), False))
            sums.append((f"{facts.tax_name} ({fmt.percent(facts.tax_percent)})",
                         fmt.money(facts.tax), False))
        sums.append((f"{t.label('total')} ({quote.currency})", fmt.money(facts.total_due),
                     True))
        for label, value, bold in sums:
            if bold:
                pdf.set_draw_color(*_rgb(self.colors.accent))
                pdf.line(x0, pdf.get_y(), x0 + label_w + value_w, pdf.get_y())
            pdf.set_x(x0)
            pdf.set_font(FAMILY, "B" if bold else "", self.size * (1.2 if bold else 1))
            pdf.set_text_color(*_rgb(self.colors.accent if bold else "#000000"))
            pdf.cell(label_w, self.line_h * 1.5, label, align="R")
            pdf.cell(value_w, self.line_h * 1.5, value, align="R", new_x=XPos.LMARGIN,
                     new_y=YPos.NEXT)
        pdf.ln(4)

    def closing(self) -> None:
        """The approval state (and "superseded" on an old version), then the terms."""
        t, muted = self.template, self.colors.muted
        self.text(t.label("approval").upper(), bold=True, scale=0.85, color=muted)
        self.text(self.facts.approval, bold=self.quote.status not in APPROVED_STATES)
        if self.facts.superseded_by:
            self.text(f"Superseded by {self.facts.superseded_by}: this version is no longer "
                      "valid.", bold=True, color=self.colors.accent)
        self.pdf.ln(3)
        if self.letterhead.terms:
            self.text(t.label("terms").upper(), bold=True, scale=0.85, color=muted)
            for paragraph in self.letterhead.terms.split("\n"):
                self.text(paragraph, color=muted)


def _rule(pdf: FPDF, color: str) -> None:
    pdf.set_draw_color(*_rgb(color))
    pdf.line(pdf.l_margin, pdf.get_y(), pdf.l_margin + pdf.epw, pdf.get_y())
    pdf.ln(2)


def _watermark(pdf: FPDF, mark: str, color: tuple[int, int, int]) -> None:
    """The word across the page, under everything drawn after it."""
    x, y = pdf.get_x(), pdf.get_y()
    pdf.set_font(FAMILY, "B", 80 if len(mark) <= 8 else 60)
    pdf.set_text_color(*color)
    width = pdf.get_string_width(mark)
    cx, cy = pdf.w / 2, pdf.h / 2
    with pdf.rotation(45, cx, cy):
        pdf.text(cx - width / 2, cy + 10, mark)
    pdf.set_xy(x, y)
