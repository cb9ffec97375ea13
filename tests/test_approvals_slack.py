"""The whole quote approval flow through signed requests: what each person saw, and
what the store and its audit log hold."""

from __future__ import annotations

import json
from decimal import Decimal
from urllib.parse import urlencode

import pytest

from bot.chat import APP_ID, Chat
from bot.localslack import TEAM_ID, LocalSlack
from store.errors import Conflict
from store.models import AuditEntry, Product
from store.services import Services
from tests.conftest import add_users


@pytest.fixture
def team(services: Services) -> dict[str, int]:
    with services.store.transaction() as s:
        people = add_users(s, {
            "U0MO": ("U0MO", "Mo Manager", "manager"),
            "U0ANA": ("U0ANA", "Ana Rep", "rep"),
            "U0ADA": ("U0ADA", "Ada Admin", "admin"),
            "U0OLI": ("U0OLI", "Oli Other", "rep"),
        }, managers={"U0ANA": "U0MO"})
        s.add(Product(sku="PLAT-SEAT", name="Platform seat (annual)", list_price_minor=120000,
                      currency="USD", is_active=True))
        ids = {k: u.id for k, u in people.items()}
    services.accounts.create(ids["U0ANA"], "Globex")
    services.opportunities.create(ids["U0ANA"], "Expansion", account="Globex")
    return ids


def audit_actions(services: Services) -> list[str]:
    with services.store.transaction() as s:
        return [a.action for a in s.query(AuditEntry).order_by(AuditEntry.id)
                if a.action.startswith(("approval.", "quote."))]


def request(chat: Chat, discount: str = "30") -> None:
    [card] = chat.say(f"quote globex expansion: 20 seats of Platform at {discount}% off",
                      user="U0ANA")
    assert "Q-2026-0001 v1" in card.render() and "$16,800.00" in card.render()
    chat.click(action_id="quote_request", user="U0ANA")
    chat.submit({"Why this discount?": "matching a competitor"}, user="U0ANA")


def test_request_reject_revise_approve(chat: Chat, slack: LocalSlack, services: Services,
                                       team) -> None:
    request(chat)
    # the manager is asked first, with the numbers and the why
    ask = chat.latest("U0MO", with_controls=True)
    assert "Ana Rep* asks you to approve *Q-2026-0001 v1*" in ask.text or "Q-2026-0001" in \
        ask.render()
    assert "matching a competitor" in ask.render() and "30% off list" in ask.render()
    assert chat.latest("U0ADA") is None  # level 2 waits
    chat.click(action_id="approval_approve", user="U0MO")
    assert "approved* by Mo Manager" in chat.transcript[ask.id - 1].render()
    assert chat.transcript[ask.id - 1].controls == []  # no live buttons left behind
    # the admin is asked next; she rejects with a reason
    chat.click(action_id="approval_reject", user="U0ADA")
    chat.submit({"Reason for the rep": "too deep for a 1-year deal"}, user="U0ADA")
    told = [m.render() for m in chat.visible_to("U0ANA")]
    assert any("Mo Manager approved Q-2026-0001 v1" in t for t in told)
    assert any("Ada Admin rejected Q-2026-0001 v1" in t and "too deep" in t for t in told)
    thread = slack.calls_of("chat.postMessage")[-1].args
    assert thread["thread_ts"] and thread["channel"].startswith("D")
    # the rep revises to 20 % (v2): both levels again? 20 % needs the manager only
    chat.click(action_id="quote_revise", user="U0ANA")
    chat.submit({"Line 1 discount %": "20"}, user="U0ANA")
    v2 = chat.latest("U0ANA", with_controls=True)
    assert "Q-2026-0001 v2" in v2.render() and "$19,200.00" in v2.render()
    chat.click(action_id="quote_request", user="U0ANA")
    chat.submit({}, user="U0ANA")
    chat.click(action_id="approval_approve", user="U0MO")
    told = " ".join(m.render() for m in chat.visible_to("U0ANA"))
    assert "Mo Manager approved Q-2026-0001 v2. It is approved" in told
    final = chat.latest("U0ANA", with_controls=True)  # the request message, now current
    assert "_Approved_" in final.render() and "Mark sent" in final.render()
    assert "Cancel request" not in told.split("Q-2026-0001 v2")[-1]
    quote = services.quotes.get(team["U0ANA"], "Q-2026-0001")
    assert (quote.version, quote.status) == (2, "approved")
    assert audit_actions(services) == [
        "quote.create", "approval.request", "approval.approved", "approval.rejected",
        "quote.revise", "approval.request", "approval.approved"]


def test_thirty_percent_needs_both_levels(chat: Chat, services: Services, team) -> None:
    request(chat)
    chat.click(action_id="approval_approve", user="U0MO")
    chat.click(action_id="approval_approve", user="U0ADA")
    assert services.quotes.get(team["U0ANA"], "Q-2026-0001").status == "approved"
    chat.click(action_id="quote_sent", user="U0ANA")
    assert services.quotes.get(team["U0ANA"], "Q-2026-0001").status == "presented"
    assert any("call for feedback" in m.text for m in chat.visible_to("U0ANA"))


def test_a_non_approver_click_is_refused_and_recorded_nowhere(
    chat: Chat, slack: LocalSlack, services: Services, team
) -> None:
    request(chat)
    ask = chat.latest("U0MO", with_controls=True)
    before = audit_actions(services)
    # Oli presses the manager's button (as if the message had been forwarded to him)
    chat.transcript.append(type(ask)(id=len(chat.transcript) + 1, channel="D0OLI", ts=ask.ts,
                                     text=ask.text, blocks=ask.blocks, recipient="U0OLI"))
    chat.click(action_id="approval_approve", user="U0OLI")
    assert "assigned to Mo Manager" in chat.latest("U0OLI").text
    assert chat.latest("U0OLI").ephemeral
    assert audit_actions(services) == before


def test_a_click_on_a_superseded_version_decides_nothing(chat: Chat, services: Services,
                                                          team) -> None:
    request(chat)
    services.quotes.revise(team["U0ANA"], "Q-2026-0001", discount_percent=Decimal(0))
    chat.click(action_id="approval_approve", user="U0MO")
    assert "changed since" in chat.latest("U0MO").text
    assert "approval.approved" not in audit_actions(services)


def test_cancel_withdraws_the_approvers_buttons(chat: Chat, services: Services, team) -> None:
    request(chat)
    chat.click(action_id="quote_cancel", user="U0ANA")
    manager_view = chat.latest("U0MO")
    assert "withdrew" in manager_view.render() and manager_view.controls == []
    assert services.quotes.get(team["U0ANA"], "Q-2026-0001").status == "draft"


def test_queue_history_and_delegation(chat: Chat, services: Services, team) -> None:
    chat.say("delegate to Oli Other", user="U0MO")
    request(chat)
    [ask] = [m for m in chat.visible_to("U0OLI") if m.controls]
    assert "for Mo Manager, who is away" in ask.render()
    [queue] = chat.command("/sales approvals", user="U0OLI")
    assert "1 approval(s) waiting" in queue.render()
    chat.click(action_id="approval_approve", user="U0OLI")
    [history] = chat.command("/sales quote Q-2026-0001 history", user="U0ANA")
    assert "Oli Other approved level 1" in history.render()
    assert "Approvals waiting for you" in chat.open_home(user="U0ADA")


def test_only_the_approver_may_open_the_reject_form(chat: Chat, services: Services,
                                                   team) -> None:
    request(chat)
    ask = chat.latest("U0MO", with_controls=True)
    for stranger, why in (("U0OLI", "This approval is assigned to Mo Manager."),
                          ("U0ANA", "You can't approve your own quote.")):
        ask.recipient = stranger  # the button reaches someone it was not sent to
        told = chat.click(action_id="approval_reject", user=stranger)
        assert chat.open_modal(stranger) is None  # no form
        [refusal] = [m for m in told if m.recipient == stranger]
        assert refusal.ephemeral or refusal.channel.startswith("D")
        assert why in refusal.render()
        assert "Q-2026" not in refusal.render() and "Globex" not in refusal.render()
    ask.recipient = "U0MO"
    chat.click(action_id="approval_reject", user="U0MO")
    form = chat.open_modal("U0MO")
    assert form is not None and "Q-2026-0001" in json.dumps(form.view)
    assert "approval.rejected" not in audit_actions(services)


def test_an_approval_request_reaches_its_approver_when_the_reps_own_note_fails(
        chat: Chat, slack: LocalSlack, services: Services, team, app, clock) -> None:
    """The request is saved before the rep is told; Slack refusing that note (a 500) must
    not keep the manager from being asked, and the note arrives with the next sweep."""
    from bot.localslack import Failure
    from bot.reminders import ReminderRunner

    chat.say("quote globex expansion: 20 seats of Platform at 30% off", user="U0ANA")
    chat.click(action_id="quote_request", user="U0ANA")
    slack.fail_next("chat.postMessage", Failure(status=500, error="internal_error"))
    chat.submit({"Why this discount?": "matching a competitor"}, user="U0ANA")
    ask = chat.latest("U0MO", with_controls=True)
    assert ask is not None and "Q-2026-0001" in ask.render()
    assert not any("went wrong" in m.text for m in chat.transcript)
    ReminderRunner(services, app.client, clock, "UTC", worker="test").run_once()
    assert any("Approval requested for Q-2026-0001" in m.render()
               for m in chat.visible_to("U0ANA"))


def test_approving_from_the_list_keeps_the_other_waiting_items(chat: Chat, services: Services,
                                                                team) -> None:
    services.opportunities.create(team["U0ANA"], "Renewal", account="Globex")
    request(chat)
    [card] = chat.say("quote globex renewal: 10 seats of Platform at 30% off", user="U0ANA")
    assert "Q-2026-0002" in card.render()
    chat.click(action_id="quote_request", user="U0ANA")
    chat.submit({"Why this discount?": "multi-year"}, user="U0ANA")
    [listing] = chat.command("/sales approvals", user="U0MO")
    assert "2 approval(s) waiting" in listing.render()
    assert [c.label for c in listing.controls] == ["Approve", "Reject"] * 2
    chat.click(action_id="approval_approve", user="U0MO")  # the first: Q-2026-0001
    after = chat.transcript[listing.id - 1]
    assert "Q-2026-0001 v1 (level 1" in after.render() and "*approved* by Mo Manager" in \
        after.render()
    assert "Q-2026-0002" in after.render()
    assert [c.label for c in after.controls] == ["Approve", "Reject"]  # the second's, alive
    chat.click(action_id="approval_approve", user="U0MO")
    statuses = {q: services.quotes.get(team["U0ANA"], q).status
                for q in ("Q-2026-0001", "Q-2026-0002")}
    assert "Nothing else is waiting for you" in chat.transcript[listing.id - 1].render()
    assert statuses["Q-2026-0002"] == statuses["Q-2026-0001"]


def test_a_rejected_quote_is_revised_before_it_is_asked_again(chat: Chat, slack: LocalSlack,
                                                              services: Services, team) -> None:
    request(chat)
    first_card = next(m for m in chat.visible_to("U0ANA")
                      if any(c.action_id == "quote_request" for c in m.controls))
    chat.click(action_id="approval_reject", user="U0MO")
    chat.submit({"Reason for the rep": "no discount this quarter"}, user="U0MO")
    [card] = chat.command("/sales quote Q-2026-0001", user="U0ANA")
    assert [c.label for c in card.controls] == ["Revise"]  # no Request approval
    # the card from before still carries the button: pressing it explains, opens no form
    [button] = [c for c in first_card.controls if c.action_id == "quote_request"]
    forms = len(slack.calls_of("views.open"))
    chat.dispatch(urlencode({"payload": json.dumps({
        "type": "block_actions", "user": {"id": "U0ANA", "team_id": TEAM_ID},
        "team": {"id": TEAM_ID}, "api_app_id": APP_ID, "trigger_id": "1.t",
        "response_url": slack.response_url("U0ANA-again"),
        "container": {"type": "message", "message_ts": first_card.ts,
                      "channel_id": first_card.channel, "is_ephemeral": False},
        "channel": {"id": first_card.channel}, "message": {"ts": first_card.ts, "blocks": []},
        "actions": [{"type": "button", "action_id": "quote_request",
                     "block_id": button.block_id, "value": button.value}]})}),
        "application/x-www-form-urlencoded")
    assert len(slack.calls_of("views.open")) == forms
    said = [c.args.get("text", "") for c in slack.calls_of("respond", "chat.postEphemeral")]
    assert any("Q-2026-0001 v1 was rejected by Mo Manager: “no discount this quarter”. "
               "Revise it" in t for t in said), said
    with pytest.raises(Conflict, match="was rejected by Mo Manager"):
        services.approvals.request(team["U0ANA"], "Q-2026-0001")


def test_quotes_decided_in_words_as_with_the_buttons(chat: Chat, services: Services,
                                                     team) -> None:
    request(chat)  # 30 % off: the manager, then the admin
    [refused] = chat.say("approve Q-2026-0001", user="U0OLI")  # not Oli's to decide
    assert "isn't waiting for your approval" in refused.text
    said = chat.say("approve Q-2026-0001", user="U0MO")
    assert [m.text for m in said if m.recipient == "U0MO"] == ["Approved Q-2026-0001 v1."]
    assert any(m.recipient == "U0ADA" for m in said)  # the next level is asked
    assert any("Mo Manager approved Q-2026-0001 v1" in m.render()
               for m in chat.visible_to("U0ANA"))  # the rep is told, as with the button
    [asked] = chat.say("reject Q-2026-0001", user="U0ADA")
    assert "Say why" in asked.text and services.quotes.get(
        team["U0ANA"], "Q-2026-0001").status == "pending_approval"
    chat.say("Q-2026-0001 rejected, 30% off needs a multi-year commit", user="U0ADA")
    assert services.quotes.get(team["U0ANA"], "Q-2026-0001").status == "rejected"
    assert any("needs a multi-year commit" in m.render() for m in chat.visible_to("U0ANA"))
    [revised] = chat.say("revise Q-2026-0001 to 20% off", user="U0ANA")
    assert "v2" in revised.text
    quote = services.quotes.get(team["U0ANA"], "Q-2026-0001")
    assert (quote.version, quote.total) == (2, Decimal("19200.00"))  # 20 seats, 20 % off


def test_a_quote_named_by_its_deal_is_decided_as_by_its_number(chat: Chat, services: Services,
                                                               team) -> None:
    request(chat)
    [refused] = chat.say("approve the globex quote", user="U0OLI")  # Oli can't see Globex
    assert "Nothing was decided" in refused.text and "Q-2026-0001" not in refused.text
    assert services.quotes.get(team["U0ANA"], "Q-2026-0001").status == "pending_approval"
    said = chat.say("ok approve the globex quote", user="U0MO")
    assert [m.text for m in said if m.recipient == "U0MO"] == ["Approved Q-2026-0001 v1."]
    chat.say("reject the globex quote, 30% needs a multi-year commit", user="U0ADA")
    quote = services.quotes.get(team["U0ANA"], "Q-2026-0001")
    assert quote.status == "rejected"
    assert any("needs a multi-year commit" in m.render() for m in chat.visible_to("U0ANA"))


def test_a_quote_named_by_neither_number_nor_deal_is_asked_for(chat: Chat, team) -> None:
    request(chat)
    [asked] = chat.say("approve the quote", user="U0MO")
    assert "Which quote?" in asked.text and "Nothing was decided" in asked.text
