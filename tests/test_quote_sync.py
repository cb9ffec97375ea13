"""The deal in step with its quote: the approved (or picked) quote's total becomes the
deal's amount through the one write path, with a history row and Undo; acceptance moves
the deal on as SALESBOT_QUOTE_ACCEPTED_STAGE says."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bot.chat import Chat
from store.errors import Conflict
from store.models import OpportunityHistory, Quote
from store.services import Services
from store.services.quotes.quotes import LineSpec
from tests.test_approvals_slack import request
from tests.test_approvals_slack import team as team
from tests.test_quote_document import lines, priced_team


@pytest.fixture
def priced(services: Services) -> dict[str, int]:
    return priced_team(services)


def history(services: Services, opp_id: int) -> list[tuple[int, str | None, str]]:
    with services.store.transaction() as s:
        return [(h.amount_minor, h.note, h.source) for h in s.query(OpportunityHistory)
                .filter_by(opportunity_id=opp_id).order_by(OpportunityHistory.id)]


def test_an_approved_quote_sets_the_deal_amount_with_history_and_undo(
        services: Services, priced) -> None:
    team = priced
    before = services.opportunities.get(team["ana"], team["opp"]).amount
    quote = services.quotes.create(team["ana"], team["opp"], lines(3, off="30"))
    assert services.opportunities.get(team["ana"], team["opp"]).amount == before  # a draft
    services.approvals.request(team["ana"], quote.id)
    step = services.approvals.queue(team["mo"])[0]
    outcome = services.approvals.decide(team["mo"], step.step_id, "approved",
                                        quote_version=1)
    assert outcome.deal is not None and outcome.deal.quote_label == f"{quote.number} v1"
    deal = services.opportunities.get(team["ana"], team["opp"])
    assert deal.amount == quote.total
    assert history(services, team["opp"])[-1] == (
        int(quote.total * 100), f"amount from quote {quote.number} v1", "system")
    assert services.quotes.get(team["ana"], quote.id).synced
    services.undo.undo(team["ana"], outcome.deal.undo_token)
    assert services.opportunities.get(team["ana"], team["opp"]).amount == before
    assert len(history(services, team["opp"])) == 3  # created, synced, undone


def test_a_picked_quote_keeps_the_sync_until_its_own_next_version(services: Services,
                                                                  priced) -> None:
    team = priced
    first = services.quotes.create(team["ana"], team["opp"], lines(2))
    picked = services.quotes.sync(team["ana"], first.id)
    assert picked.changed and picked.amount == first.total
    other = services.quotes.create(team["ana"], team["opp"], lines(4))
    services.approvals.request(team["ana"], other.id)  # approved at once: within policy
    assert services.opportunities.get(team["ana"], team["opp"]).amount == first.total
    assert not services.quotes.get(team["ana"], other.id).synced
    v2 = services.quotes.revise(team["ana"], first.id, discount_percent=Decimal("2"))
    assert services.approvals.request(team["ana"], v2.id).deal is not None
    assert services.opportunities.get(team["ana"], team["opp"]).amount == v2.total
    with services.store.transaction() as s:
        assert [(q.version, q.sync_picked) for q in s.query(Quote).filter(Quote.synced)] == [
            (2, True)]
    with pytest.raises(Conflict, match="is superseded; the deal can't follow it"):
        services.quotes.sync(team["ana"], first.id)


def test_accepting_moves_the_deal_forward_once_in_one_undoable_change(
        services: Services, priced) -> None:
    team = priced
    quote = services.quotes.create(team["ana"], team["opp"], lines(1))
    with pytest.raises(Conflict, match="only an approved or sent quote can be accepted"):
        services.quotes.accept(team["ana"], quote.id)
    services.approvals.request(team["ana"], quote.id)
    services.approvals.mark_sent(team["ana"], quote.id)
    outcome = services.quotes.accept(team["ana"], quote.id, stage="Negotiation/Review")
    deal = services.opportunities.get(team["ana"], team["opp"])
    assert (services.quotes.get(team["ana"], quote.id).status, deal.stage.name,
            deal.amount) == ("accepted", "Negotiation/Review", quote.total)
    assert outcome.moved_to == "Negotiation/Review"
    services.undo.undo(team["ana"], outcome.undo_token)
    assert services.opportunities.get(team["ana"], team["opp"]).stage.name == "Prospecting"


def test_in_slack_the_approval_tells_the_rep_the_new_amount_with_undo(
        chat: Chat, services: Services, team) -> None:
    request(chat)
    chat.click(action_id="approval_approve", user="U0MO")
    chat.click(action_id="approval_approve", user="U0ADA")
    told = [m for m in chat.visible_to("U0ANA") if "amount is now" in m.render()]
    assert told and "Globex — Expansion's amount is now $16,800.00, from Q-2026-0001 v1" \
        in told[-1].render()
    card = next(m for m in chat.visible_to("U0ANA")
                if any(c.action_id == "quote_send" for c in m.controls))
    assert "The deal's amount follows this quote" in card.render()
    assert "Sync deal amount" not in card.render()
    chat.click(action_id="undo", user="U0ANA")
    deal = services.opportunities.visible(team["U0ANA"])[0]
    assert deal.amount == Decimal(0)
    [card] = chat.command("/sales quote Q-2026-0001", user="U0ANA")
    assert "follows this quote" not in card.render() and "Sync deal amount" in card.render()
    chat.click(action_id="quote_sync", user="U0ANA")  # the card's own button picks it again
    assert services.opportunities.visible(team["U0ANA"])[0].amount == Decimal("16800.00")
    chat.click(action_id="quote_accept", user="U0ANA")
    deal = services.opportunities.visible(team["U0ANA"])[0]
    assert deal.stage.name == "Negotiation/Review"
    assert services.quotes.get(team["U0ANA"], "Q-2026-0001").status == "accepted"


def test_a_deal_in_another_currency_does_not_follow(services: Services, priced) -> None:
    team = priced
    quote = services.quotes.create(team["ana"], team["opp"], [LineSpec(product="SKU-001",
                                                                       quantity=1)])
    services.opportunities.update(team["ana"], team["opp"], currency="EUR")
    with pytest.raises(Conflict, match="is in USD but the deal is in EUR"):
        services.quotes.sync(team["ana"], quote.id)
