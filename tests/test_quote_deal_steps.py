"""The deal in step with its quote, through signed requests: the deal's card says which
quote its amount comes from (and stops saying so when they part); "Q-… was accepted"
typed does what Customer accepted does; marking a quote sent moves the deal to
SALESBOT_QUOTE_SENT_STAGE when that is further on, never back."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bot.app import create_app, make_deps
from bot.chat import Chat
from bot.localslack import LocalSlack
from bot.settings import Settings
from store.models import AuditEntry, OpportunityHistory, Quote, Stage
from store.services import Services
from tests.conftest import SIGNING_SECRET
from tests.test_approvals_slack import team as team


def approved_at_once(chat: Chat) -> None:
    """Q-2026-0001 v1, 20 Platform seats at 5 % off ($22,800.00): within policy, so
    approved on request and synced to Globex — Expansion."""
    chat.say("quote globex expansion: 20 seats of Platform at 5% off", user="U0ANA")
    chat.click(action_id="quote_request", user="U0ANA")
    chat.submit({}, user="U0ANA")


def deal(services: Services, team) -> tuple[str, Decimal]:
    opp = services.opportunities.visible(team["U0ANA"])[0]
    return opp.stage.name, opp.amount


def history(services: Services) -> list[tuple[str, int, str | None]]:
    with services.store.transaction() as s:
        return [(s.get(Stage, h.to_stage_id).name, h.amount_minor, h.note)
                for h in s.query(OpportunityHistory).order_by(OpportunityHistory.id)]


def card_of(chat: Chat) -> str:
    [card] = [m for m in chat.say("show globex", user="U0ANA")
              if any(c.action_id == "opp_edit" for c in m.controls)]
    return card.render()


def test_the_card_names_the_quote_its_amount_comes_from_until_they_differ(
        chat: Chat, services: Services, team) -> None:
    assert "from quote" not in card_of(chat)  # no quote yet
    approved_at_once(chat)
    assert deal(services, team) == ("Prospecting", Decimal("22800.00"))
    assert "$22,800 · from quote Q-2026-0001 v1" in card_of(chat)
    edited = chat.say("globex expansion amount 25k", user="U0ANA")  # over the quote's total
    shown = " ".join(m.render() for m in edited)  # what changed, Undo, and the card
    assert "$25,000" in shown and "from quote" not in shown
    chat.click(action_id="undo", user="U0ANA")  # back to the quote's total: it says so again
    assert "$22,800 · from quote Q-2026-0001 v1" in card_of(chat)
    services.undo.undo(team["U0ANA"], _sync_undo_token(services))  # Undo of the sync itself
    assert deal(services, team)[1] == Decimal(0)
    assert "from quote" not in card_of(chat)  # the quote is still synced, but not the amount


def _sync_undo_token(services: Services) -> int:
    with services.store.transaction() as s:
        return min(a.id for a in s.query(AuditEntry).filter_by(action="undo:opportunity"))


@pytest.mark.parametrize("said", ["quote Q-2026-0001 accepted", "Q-2026-0001 was accepted",
                                  "customer accepted Q-2026-0001"])
def test_accepted_typed_moves_the_deal_with_history_and_undo(
        chat: Chat, services: Services, team, said: str) -> None:
    approved_at_once(chat)
    rows = len(history(services))
    [reply] = chat.say(said, user="U0ANA")
    assert reply.render().startswith("Marked Q-2026-0001 v1 accepted by the customer. "
                                     "Globex — Expansion's amount is $22,800.00, from "
                                     "Q-2026-0001 v1 and moved to Negotiation/Review.")
    assert [c.label for c in reply.controls] == ["Undo"]
    assert services.quotes.get(team["U0ANA"], "Q-2026-0001").status == "accepted"
    assert deal(services, team) == ("Negotiation/Review", Decimal("22800.00"))
    assert history(services)[rows:] == [
        ("Negotiation/Review", 2280000, "amount from quote Q-2026-0001 v1")]
    chat.click(action_id="undo", user="U0ANA")
    assert deal(services, team) == ("Prospecting", Decimal("22800.00"))


def test_accepted_typed_is_refused_to_another_rep_and_for_an_unapproved_quote(
        chat: Chat, services: Services, team) -> None:
    chat.say("quote globex expansion: 20 seats of Platform at 5% off", user="U0ANA")
    [refused] = chat.say("Q-2026-0001 was accepted", user="U0ANA")
    assert ("Q-2026-0001 v1 is draft; only an approved or sent quote can be accepted"
            in refused.render())
    chat.click(action_id="quote_request", user="U0ANA")
    chat.submit({}, user="U0ANA")
    [refused] = chat.say("customer accepted Q-2026-0001", user="U0OLI")
    assert "You can only change your own quotes" in refused.render()
    chat.say("is Q-2026-0001 accepted?", user="U0ANA")  # a question is no yes
    chat.say("Q-2026-0001 not accepted yet", user="U0ANA")
    assert services.quotes.get(team["U0ANA"], "Q-2026-0001").status == "approved"
    assert deal(services, team)[0] == "Prospecting"


def test_marking_sent_moves_the_deal_to_the_proposal_stage_with_undo(
        chat: Chat, services: Services, team) -> None:
    approved_at_once(chat)
    rows = len(history(services))
    [reply] = chat.say("mark Q-2026-0001 sent", user="U0ANA")
    assert reply.render().startswith(
        "Marked Q-2026-0001 v1 sent. I'll remind you to call for feedback in 10 days. "
        "Globex — Expansion moved to Proposal/Price Review.")
    assert history(services)[rows:] == [
        ("Proposal/Price Review", 2280000, "quote Q-2026-0001 v1 sent")]
    chat.click(action_id="undo", user="U0ANA")
    assert deal(services, team)[0] == "Prospecting"
    assert services.quotes.get(team["U0ANA"], "Q-2026-0001").status == "presented"


def test_marking_sent_never_moves_a_deal_back(chat: Chat, services: Services, team) -> None:
    approved_at_once(chat)
    opp = services.opportunities.visible(team["U0ANA"])[0]
    services.opportunities.move_stage(team["U0ANA"], opp.id, "Negotiation/Review")
    rows = len(history(services))
    chat.click(action_id="quote_sent", user="U0ANA")  # the card's Mark sent button
    told = chat.latest("U0ANA").render()
    assert "Marked sent." in told and "moved to" not in told and "Undo" not in told
    assert deal(services, team)[0] == "Negotiation/Review" and len(history(services)) == rows


def test_an_empty_or_unknown_sent_stage_leaves_the_deal(
        settings: Settings, services: Services, slack: LocalSlack, clock, team,
        caplog: pytest.LogCaptureFixture) -> None:
    quiet = settings.model_copy(update={"quote_sent_stage": ""})
    assert make_deps(quiet, services).quote_sent_stage is None
    chat = Chat(app=create_app(quiet, services, clock=clock, process_before_response=True),
                slack=slack, signing_secret=SIGNING_SECRET, user="U0ANA")
    approved_at_once(chat)
    [reply] = chat.say("mark Q-2026-0001 sent", user="U0ANA")
    assert "moved to" not in reply.render() and reply.controls == []
    assert deal(services, team)[0] == "Prospecting"
    with services.store.transaction() as s:
        quote_id = s.query(Quote).one().id
        s.query(Quote).filter_by(id=quote_id).update({"status": "approved"})
    sent = services.approvals.mark_sent(team["U0ANA"], quote_id, stage="Shipped")
    assert sent.quote.status == "presented" and sent.moved_to is None
    assert "fix SALESBOT_QUOTE_SENT_STAGE" in caplog.text
    assert deal(services, team)[0] == "Prospecting"
