"""Quotes: numbered (`Q-2026-0042`), versioned, totals computed here and only here.

Changing a quote never edits it: it writes version n+1 and marks version n
superseded, and any approval pending on the old version is superseded too. A
decided approval therefore never carries over to a changed quote (the bypass
OCA/sale-workflow#1087 describes).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timedelta
from decimal import Decimal

from pydantic import BaseModel, ConfigDict
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from store.access import require_owner_access
from store.db import Store
from store.errors import Conflict, InvalidInput
from store.models import ApprovalRequest, ApprovalStep, Opportunity, Product, Quote, QuoteLine, User
from store.money import from_minor
from store.resolve import NameIndex, resolve
from store.schemas import deal_title
from store.services.deals.opportunities import require_opportunity
from store.services.people.users import require_by_id
from store.services.quotes.lines import LineSpec
from store.services.quotes.lookup import require_quote, require_quote_reader
from store.services.quotes.sync import ACCEPTED_STAGE, SyncOutcome, accept_quote, pick_quote
from store.services.quotes.totals import LineInput, compute, percent_to_bp
from store.services.system import audit

VALID_DAYS = 30
EDITABLE = ("draft", "rejected", "pending_approval", "approved")


class LineView(BaseModel):
    model_config = ConfigDict(frozen=True)

    position: int
    sku: str | None
    description: str
    quantity: int
    unit_price: Decimal
    discount_percent: Decimal
    total: Decimal


class QuoteView(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: int
    number: str
    version: int
    status: str
    opportunity_id: int
    opportunity_title: str
    owner_id: int
    owner_name: str
    currency: str
    lines: list[LineView]
    list_total: Decimal
    subtotal: Decimal
    quote_discount_percent: Decimal
    discount: Decimal
    total: Decimal
    effective_discount_percent: Decimal
    valid_until: date
    justification: str | None
    segment: str
    synced: bool = False  # the deal follows this quote and holds its total (not undone)

    @property
    def label(self) -> str:
        return f"{self.number} v{self.version}"


def quote_view(session: Session, quote: Quote, *,
               skus: Mapping[int | None, str] | None = None) -> QuoteView:
    """`skus`: the lines' products' SKUs when the caller read them already (a queue)."""
    from store.services.quotes.policy import segment_of

    opp = session.get(Opportunity, quote.opportunity_id)
    assert opp is not None
    owner = session.get(User, quote.owner_id)
    if skus is None:
        skus = {p.id: p.sku for p in session.scalars(
            select(Product).where(Product.id.in_([ln.product_id for ln in quote.lines])))}
    totals = compute([LineInput(ln.unit_price_minor, ln.quantity, ln.discount_bp)
                      for ln in quote.lines], quote.discount_bp)
    money = lambda minor: from_minor(minor, quote.currency)  # noqa: E731
    return QuoteView(
        id=quote.id, number=quote.number, version=quote.version, status=quote.status,
        opportunity_id=opp.id,
        opportunity_title=deal_title(opp.account.name if opp.account else None, opp.name),
        owner_id=quote.owner_id, owner_name=owner.name if owner else "?",
        currency=quote.currency,
        lines=[LineView(position=ln.position, sku=skus.get(ln.product_id),
                        description=ln.description, quantity=ln.quantity,
                        unit_price=money(ln.unit_price_minor),
                        discount_percent=Decimal(ln.discount_bp) / 100,
                        total=money(ln.line_total_minor)) for ln in quote.lines],
        list_total=money(totals.list_minor), subtotal=money(quote.subtotal_minor),
        quote_discount_percent=Decimal(quote.discount_bp) / 100,
        discount=money(quote.discount_minor), total=money(quote.total_minor),
        effective_discount_percent=Decimal(totals.effective_discount_bp) / 100,
        valid_until=quote.valid_until, justification=quote.justification,
        segment=segment_of(opp.account.employees if opp.account else None),
        synced=bool(quote.synced) and opp.amount_minor == quote.total_minor,
    )


def _product_index(session: Session) -> tuple[NameIndex, dict[int, Product]]:
    products = {p.id: p for p in session.scalars(select(Product).where(Product.is_active))}
    entries = [(p.id, p.name) for p in products.values()]
    entries += [(p.id, p.sku) for p in products.values()]
    return NameIndex(entries), products


def resolve_product(session: Session, name: str) -> Product:
    index, products = _product_index(session)
    exact = [p for p in products.values() if p.sku.lower() == name.strip().lower()]
    if exact:
        return exact[0]
    result = resolve(index.search(name, limit=5, cutoff=70))
    if result.kind == "found" and result.match is not None:
        return products[result.match.id]
    if result.kind == "ambiguous":
        # "platform seat" is the one whose name has every word typed, not just the closest
        words = set(name.lower().split())
        whole = {m.id for m in result.candidates
                 if words <= set(products[m.id].name.lower().replace("(", " ").split())}
        if len(whole) == 1:
            return products[whole.pop()]
        names = ", ".join(sorted({products[m.id].name for m in result.candidates}))
        raise InvalidInput(f"“{name}” could be several products: {names}. Name it exactly.")
    raise InvalidInput(f"There is no product like “{name}” in the catalog.")


def _next_number(session: Session, year: int) -> str:
    prefix = f"Q-{year}-"
    last = session.scalar(select(func.max(Quote.number)).where(Quote.number.like(prefix + "%")))
    sequence = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{prefix}{sequence:04d}"


def _fill(session: Session, quote: Quote, lines: list[LineSpec], discount_bp: int) -> None:
    if not lines:
        raise InvalidInput("A quote needs at least one line.")
    products = [resolve_product(session, spec.product) for spec in lines]
    currencies = {p.currency for p in products}
    if currencies != {quote.currency}:
        raise InvalidInput("Every product on a quote must be priced in the deal's currency "
                           f"({quote.currency}).")
    inputs = [LineInput(p.list_price_minor, spec.quantity, percent_to_bp(spec.discount_percent))
              for p, spec in zip(products, lines, strict=True)]
    totals = compute(inputs, discount_bp)
    quote.lines = [
        QuoteLine(position=i + 1, product_id=p.id, description=p.name, quantity=inp.quantity,
                  unit_price_minor=inp.unit_price_minor, discount_bp=inp.discount_bp,
                  line_total_minor=total)
        for i, (p, inp, total) in enumerate(zip(products, inputs, totals.line_totals,
                                                strict=True))
    ]
    quote.discount_bp = discount_bp
    quote.subtotal_minor = totals.subtotal_minor
    quote.discount_minor = totals.discount_minor
    quote.total_minor = totals.total_minor


def supersede_pending(session: Session, quote: Quote, now: datetime) -> None:
    """A pending request on an old version can never be decided: end it and its steps."""
    for request in session.scalars(select(ApprovalRequest).where(
            ApprovalRequest.quote_id == quote.id, ApprovalRequest.status == "pending")):
        request.status = "superseded"
        request.completed_at = now
        session.execute(update(ApprovalStep).where(
            ApprovalStep.request_id == request.id,
            ApprovalStep.status.in_(("waiting", "pending"))).values(status="skipped"))


class ProductView(BaseModel):
    model_config = ConfigDict(frozen=True)

    sku: str
    name: str
    list_price: Decimal
    currency: str


class QuoteService:
    def __init__(self, store: Store) -> None:
        self.store = store

    def catalog(self) -> list[ProductView]:
        """Active products, by name (at most 100: a select menu's limit)."""
        with self.store.transaction() as s:
            products = s.scalars(select(Product).where(Product.is_active)
                                 .order_by(Product.name).limit(100))
            return [ProductView(sku=p.sku, name=p.name, currency=p.currency,
                                list_price=from_minor(p.list_price_minor, p.currency))
                    for p in products]

    def create(self, actor_id: int, opportunity_id: int, lines: list[LineSpec], *,
               discount_percent: Decimal = Decimal(0), justification: str | None = None,
               valid_days: int = VALID_DAYS) -> QuoteView:
        try:
            discount_bp = percent_to_bp(discount_percent)
        except ValueError as exc:
            raise InvalidInput(str(exc)) from exc
        with self.store.transaction() as s:
            actor = require_by_id(s, actor_id)
            opp = require_opportunity(s, opportunity_id)
            require_owner_access(s, actor, opp.owner_id, "deals")
            if opp.stage.kind != "open":
                raise Conflict(f"{opp.name} is {opp.stage.name}; quotes are for open deals.")
            now = self.store.now()
            quote = Quote(
                number=_next_number(s, now.year), version=1, opportunity_id=opp.id,
                owner_id=opp.owner_id, status="draft", currency=opp.currency,
                valid_until=now.date() + timedelta(days=valid_days),
                justification=(justification or "").strip() or None,
            )
            _fill(s, quote, lines, discount_bp)
            s.add(quote)
            s.flush()
            audit.record(s, at=now, actor_id=actor.id, action="quote.create",
                         entity_type="quote", entity_id=quote.id,
                         detail={"number": quote.number, "total_minor": quote.total_minor})
            return quote_view(s, quote)

    def revise(self, actor_id: int, quote_ref: int | str, *, lines: list[LineSpec] | None = None,
               discount_percent: Decimal | None = None,
               justification: str | None = None) -> QuoteView:
        """Write version n+1 with the changes; version n is superseded."""
        with self.store.transaction() as s:
            actor = require_by_id(s, actor_id)
            old = require_quote(s, quote_ref)
            require_owner_access(s, actor, old.owner_id, "quotes")
            if old.status not in EDITABLE:
                raise Conflict(f"{old.number} is {old.status.replace('_', ' ')}; "
                               "it can't be changed any more.")
            now = self.store.now()
            specs = lines or [LineSpec(product=ln.description, quantity=ln.quantity,
                                       discount_percent=Decimal(ln.discount_bp) / 100)
                              for ln in old.lines]
            try:
                discount_bp = (percent_to_bp(discount_percent) if discount_percent is not None
                               else old.discount_bp)
            except ValueError as exc:
                raise InvalidInput(str(exc)) from exc
            new = Quote(
                number=old.number, version=old.version + 1, opportunity_id=old.opportunity_id,
                owner_id=old.owner_id, status="draft", currency=old.currency,
                valid_until=now.date() + timedelta(days=VALID_DAYS),
                justification=justification if justification is not None else old.justification,
                supersedes_id=old.id,
            )
            _fill(s, new, specs, discount_bp)
            supersede_pending(s, old, now)
            old.status = "superseded"
            s.add(new)
            s.flush()
            audit.record(s, at=now, actor_id=actor.id, action="quote.revise",
                         entity_type="quote", entity_id=new.id,
                         detail={"number": new.number, "version": new.version,
                                 "supersedes": old.id})
            return quote_view(s, new)

    def revise_discount(self, actor_id: int, quote_ref: int | str,
                        percent: Decimal) -> QuoteView:
        """"Revise Q-… to 20% off": the discount goes where the quote has it, on its
        lines when the quote-wide discount is 0 (as "20 seats at 15% off" makes it), else
        on the quote."""
        quote = self.get(actor_id, quote_ref)
        if quote.quote_discount_percent == 0 and all(line.sku for line in quote.lines):
            return self.revise(actor_id, quote_ref, lines=[
                LineSpec(product=line.sku or "", quantity=line.quantity,
                         discount_percent=percent) for line in quote.lines])
        return self.revise(actor_id, quote_ref, discount_percent=percent)

    def sync(self, actor_id: int, quote_ref: int | str) -> SyncOutcome:
        """The rep picks this quote as the deal's synced quote: the amount follows it."""
        return pick_quote(self.store, actor_id, quote_ref)

    def accept(self, actor_id: int, quote_ref: int | str, *,
               stage: str | None = ACCEPTED_STAGE) -> SyncOutcome:
        """The customer accepted it: accepted, synced, the deal moved on (sync.py)."""
        return accept_quote(self.store, actor_id, quote_ref, stage)

    def get(self, actor_id: int, quote_ref: int | str) -> QuoteView:
        with self.store.transaction() as s:
            actor = require_by_id(s, actor_id)
            quote = require_quote(s, quote_ref)
            require_quote_reader(s, actor, quote)
            return quote_view(s, quote)

