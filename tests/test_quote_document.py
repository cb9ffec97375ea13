"""The quote document: the PDF's text, read back with a real PDF reader (pypdf), holds
every line and exactly the store's figures, formatted by Babel; drafts are watermarked;
only an approved quote goes to the customer."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path

import pytest
from babel.dates import format_date
from babel.numbers import format_currency
from pypdf import PdfReader

from store.config_files import PolicyError
from store.errors import Conflict, NotAllowed
from store.models import Product
from store.money import from_minor
from store.services import Services
from store.services.quotes.document_facts import Letterhead
from store.services.quotes.documents import QuoteDocuments
from store.services.quotes.quotes import LineSpec
from store.services.quotes.totals import tax_minor
from tests.conftest import add_users

CUSTOMER = "Łódź Øresund Müller & Søn — Ελλάς Москва"


def pdf_text(content: bytes) -> str:
    """Every page's text, spaces normalised (Babel puts no-break spaces in amounts)."""
    reader = PdfReader(io.BytesIO(content))
    text = "\n".join(page.extract_text() or "" for page in reader.pages)
    return text.replace("\u00a0", " ").replace("\u202f", " ")


def plain(value: str) -> str:
    return value.replace("\u00a0", " ").replace("\u202f", " ")


@pytest.fixture
def team(services: Services) -> dict[str, int]:
    return priced_team(services)


def priced_team(services: Services) -> dict[str, int]:
    """Mo (manager) over Ana and Oli; sixty USD products and one EUR; Ana's deal with a
    customer and a contact whose names are not ASCII."""
    with services.store.transaction() as s:
        people = add_users(s, {
            "mo": ("U0MO", "Mo Manager", "manager"),
            "ana": ("U0ANA", "Ana Rep", "rep"),
            "oli": ("U0OLI", "Oli Other", "rep"),
        }, managers={"ana": "mo", "oli": "mo"})
        s.add_all([Product(sku=f"SKU-{i:03d}", name=f"Module {i:03d} licence",
                           list_price_minor=10_000 + i * 1_237, currency="USD",
                           is_active=True) for i in range(1, 61)])
        s.add(Product(sku="EU-SEAT", name="Seat (EUR)", list_price_minor=123_456,
                      currency="EUR", is_active=True))
        ids = {k: u.id for k, u in people.items()}
    services.accounts.create(ids["ana"], CUSTOMER)
    ids["opp"] = services.opportunities.create(ids["ana"], "Rollout", account=CUSTOMER).id
    services.contacts.create(ids["ana"], "Zoë Ñúñez", account=CUSTOMER,
                             email="zoe@example.test")
    return ids


def lines(n: int, off: str = "7.5") -> list[LineSpec]:
    return [LineSpec(product=f"SKU-{i:03d}", quantity=i % 7 + 1,
                     discount_percent=Decimal(off) if i % 3 == 0 else Decimal(0))
            for i in range(1, n + 1)]


def test_a_draft_holds_every_line_and_the_store_totals_and_is_watermarked(
        services: Services, team) -> None:
    quote = services.quotes.create(team["ana"], team["opp"], lines(6),
                                   discount_percent=Decimal("5"))
    rendered = QuoteDocuments(services.store).render(team["ana"], quote.number)
    text = pdf_text(rendered.content)
    assert rendered.filename == f"{quote.number}-v1.pdf"
    assert f"Quote: {quote.number}" in text and "Version: 1" in text
    for line in quote.lines:
        assert f"Module {line.position:03d} licence" in text
        assert plain(format_currency(line.total, "USD", locale="en_US")) in text
        assert plain(format_currency(line.unit_price, "USD", locale="en_US")) in text
    assert "7.5%" in text  # the line discount
    for figure in (quote.subtotal, quote.total):
        assert plain(format_currency(figure, "USD", locale="en_US")) in text
    assert f"−{format_currency(quote.discount, 'USD', locale='en_US')}" in text
    assert "Quote discount (5%)" in text
    assert "DRAFT" in text and "Draft: not approved" in text
    assert CUSTOMER in text and "Zoë Ñúñez" in text and "Ana Rep" in text


def test_an_approved_quote_has_no_watermark_and_names_its_approver(
        services: Services, team) -> None:
    quote = services.quotes.create(team["ana"], team["opp"], lines(3, off="30"))
    outcome = services.approvals.request(team["ana"], quote.id)
    assert outcome.status == "pending"
    step = services.approvals.queue(team["mo"])[0]
    services.approvals.decide(team["mo"], step.step_id, "approved",
                              quote_version=quote.version)
    text = pdf_text(QuoteDocuments(services.store).render(team["ana"], quote.id).content)
    assert "Approved by Mo Manager on" in text
    assert "DRAFT" not in text and "NOT APPROVED" not in text


def test_a_precise_tax_rate_and_the_approval_day_print_as_the_document_writes_them(
        services: Services, team, clock) -> None:
    """Seen on the example picture (docs/quote-example.png): "Sales tax (8.88%)" beside a
    tax computed at 8.875 %, an ISO approval day under "Date: Dec 3, 2026", and "Total
    before tax" repeating the subtotal when there is no quote discount."""
    quote = services.quotes.create(team["ana"], team["opp"], lines(3, off="30"))
    services.approvals.request(team["ana"], quote.id)
    step = services.approvals.queue(team["mo"])[0]
    services.approvals.decide(team["mo"], step.step_id, "approved", quote_version=1)
    letterhead = Letterhead(tax_name="Sales tax", tax_percent=Decimal("8.875"))
    text = pdf_text(QuoteDocuments(services.store, letterhead).render(team["ana"],
                                                                      quote.id).content)
    tax = from_minor(tax_minor(int(quote.total * 100), Decimal("8.875")), "USD")
    assert f"Sales tax (8.875%) {plain(format_currency(tax, 'USD', locale='en_US'))}" in text
    assert "Total before tax" not in text
    assert f"Approved by Mo Manager on {format_date(clock.now().date(), 'medium')}" in text


def test_sixty_lines_render_on_several_pages_with_every_line(services: Services, team) -> None:
    quote = services.quotes.create(team["ana"], team["opp"], lines(60))
    content = QuoteDocuments(services.store).render(team["ana"], quote.id).content
    reader = PdfReader(io.BytesIO(content))
    assert len(reader.pages) >= 2
    text = pdf_text(content)
    for line in quote.lines:
        assert f"Module {line.position:03d} licence" in text
        assert plain(format_currency(line.total, "USD", locale="en_US")) in text
    assert f"Total (USD) {plain(format_currency(quote.total, 'USD', locale='en_US'))}" in text
    assert f"Page 2/{len(reader.pages)}" in text


def test_tax_and_locale_come_from_the_letterhead(services: Services, team) -> None:
    opp = services.opportunities.create(team["ana"], "EU deal", account=CUSTOMER,
                                        currency="EUR")
    quote = services.quotes.create(team["ana"], opp.id, [
        LineSpec(product="EU-SEAT", quantity=3, discount_percent=Decimal("12.5"))])
    letterhead = Letterhead(company_name="Vendeur SARL", tax_name="TVA",
                            tax_percent=Decimal("20"), locale="fr_FR",
                            terms="Paiement à 30 jours.")
    text = pdf_text(QuoteDocuments(services.store, letterhead).render(team["ana"],
                                                                      quote.id).content)
    total_minor = 324_072  # 3 × 1 234,56 at 12.5 % off = 3 240,72 (half-even)
    assert quote.total == Decimal("3240.72")
    tax = tax_minor(total_minor, Decimal("20"))
    assert tax == 64_814
    fr = lambda v: plain(format_currency(v, "EUR", locale="fr_FR"))  # noqa: E731
    assert fr(Decimal("3240.72")) in text and fr(Decimal("648.14")) in text
    assert fr(Decimal("3888.86")) in text
    assert "TVA (20 %)" in plain(text) or "TVA (20%)" in text
    assert "Vendeur SARL" in text and "Paiement à 30 jours." in text


def test_a_revision_leaves_the_old_document_saying_superseded(services: Services,
                                                              team) -> None:
    quote = services.quotes.create(team["ana"], team["opp"], lines(2))
    services.quotes.revise(team["ana"], quote.id, discount_percent=Decimal("3"))
    documents = QuoteDocuments(services.store)
    old = pdf_text(documents.render(team["ana"], quote.id).content)
    new = pdf_text(documents.render(team["ana"], quote.number).content)
    assert "SUPERSEDED" in old and f"Superseded by {quote.number} v2" in old
    assert "Version: 2" in new and "Superseded" not in new


def test_only_an_approved_quote_goes_to_the_customer(services: Services, team) -> None:
    quote = services.quotes.create(team["ana"], team["opp"], lines(1))
    documents = QuoteDocuments(services.store)
    with pytest.raises(Conflict, match="is draft; only an approved quote can be sent"):
        documents.for_customer(team["ana"], quote.id)
    services.approvals.request(team["ana"], quote.id)  # within policy: approved at once
    with pytest.raises(NotAllowed):
        documents.for_customer(team["oli"], quote.id)
    assert documents.for_customer(team["ana"], quote.id).content.startswith(b"%PDF")


def test_an_admin_template_overrides_what_it_names(services: Services, team,
                                                   tmp_path: Path) -> None:
    custom = tmp_path / "quote.yml"
    custom.write_text("labels:\n  title: Angebot\n  total: Gesamt\n"
                      "columns:\n  - {field: description, label: Artikel, width: 60}\n"
                      "  - {field: total, label: Summe, width: 20, align: R}\n")
    quote = services.quotes.create(team["ana"], team["opp"], lines(2))
    text = pdf_text(QuoteDocuments(services.store, Letterhead(template=custom)).render(
        team["ana"], quote.id).content)
    assert "Angebot" in text and "Artikel" in text and "Gesamt (USD)" in text
    assert "List price" not in text
    custom.write_text("colors:\n  accent: blue\n")
    with pytest.raises(PolicyError, match=r"colors.accent.*not a colour"):
        QuoteDocuments(services.store, Letterhead(template=custom))
