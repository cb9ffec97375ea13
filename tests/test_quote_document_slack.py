"""The quote document in Slack, through signed requests: "Send to customer" puts the
approved PDF in the card's thread and records who sent which file when; PDF shows it;
an unapproved or superseded version is never sent."""

from __future__ import annotations

from decimal import Decimal

from bot.chat import Chat
from bot.localslack import LocalSlack
from store.models import Quote
from store.services import Services
from tests.test_approvals_slack import request
from tests.test_approvals_slack import team as team
from tests.test_quote_document import pdf_text


def approved(chat: Chat) -> None:
    request(chat)
    chat.click(action_id="approval_approve", user="U0MO")
    chat.click(action_id="approval_approve", user="U0ADA")


def test_send_to_customer_uploads_the_pdf_to_the_thread_and_records_it(
        chat: Chat, slack: LocalSlack, services: Services, team, clock) -> None:
    approved(chat)
    card = chat.latest("U0ANA", with_controls=True)
    assert [c.label for c in card.controls][:2] == ["Mark sent", "Send to customer"]
    chat.click(action_id="quote_send", user="U0ANA")
    [(args, content)] = slack.uploaded_files()
    assert args["channel_id"] == card.channel and args["thread_ts"] == card.ts
    assert args["file"]["title"] == "Q-2026-0001 v1 · Globex"
    assert "sent by Ana Rep" in args["initial_comment"]
    text = pdf_text(content)
    assert "Approved by Mo Manager, Ada Admin on" in text and "DRAFT" not in text
    assert "$16,800.00" in text and "Platform seat (annual)" in text
    told = chat.transcript[card.id - 1].render()  # the card, replaced in place
    assert "Sent Q-2026-0001 v1 to the customer: Q-2026-0001-v1.pdf is in this thread" in told
    with services.store.transaction() as s:
        quote = s.query(Quote).one()
        assert (quote.status, quote.sent_file_id, quote.sent_at) == (
            "presented", args["file"]["id"], clock.now())
        assert quote.sent_by_id == team["U0ANA"]
    history = services.approvals.history(team["U0ANA"], "Q-2026-0001")
    assert history[-1].endswith("Ana Rep sent v1 to the customer (the PDF)")


def test_an_unapproved_or_superseded_quote_is_not_sent(chat: Chat, slack: LocalSlack,
                                                       services: Services, team) -> None:
    [card] = chat.say("quote globex expansion: 20 seats of Platform at 5% off", user="U0ANA")
    assert "Send to customer" not in [c.label for c in card.controls]
    chat.click(action_id="quote_pdf", user="U0ANA")  # a draft can be looked at …
    [(_, draft)] = slack.uploaded_files()
    assert "DRAFT" in pdf_text(draft)
    chat.click(action_id="quote_request", user="U0ANA")
    chat.submit({}, user="U0ANA")  # 5 %: approved at once
    old_card = chat.latest("U0ANA", with_controls=True)
    services.quotes.revise(team["U0ANA"], "Q-2026-0001", discount_percent=Decimal("1"))
    assert chat.latest("U0ANA", with_controls=True) is old_card
    chat.click(action_id="quote_send", user="U0ANA")
    assert len(slack.uploaded_files()) == 1  # … but the old version's card sends nothing
    refusal = chat.latest("U0ANA").render()
    assert "Q-2026-0001 v1 is superseded; only an approved quote can be sent" in refusal
    assert services.quotes.get(team["U0ANA"], "Q-2026-0001").status == "draft"
    with services.store.transaction() as s:
        assert s.query(Quote).filter(Quote.sent_at.is_not(None)).count() == 0


def test_quote_pdf_typed_puts_the_document_in_the_dm(chat: Chat, slack: LocalSlack,
                                                      services: Services, team) -> None:
    chat.say("quote globex expansion: 3 seats of Platform", user="U0ANA")
    services.quotes.revise(team["U0ANA"], "Q-2026-0001", discount_percent=Decimal("2"))
    [reply] = chat.command("/sales quote Q-2026-0001 pdf", user="U0ANA")
    assert "The PDF of *Q-2026-0001 v2* is in our DM: `Q-2026-0001-v2.pdf`" in reply.render()
    [(args, content)] = slack.uploaded_files()
    assert args["channel_id"].startswith("D") and "Version: 2" in pdf_text(content)


def test_quote_pdf_said_in_words_too(chat: Chat, slack: LocalSlack, services: Services,
                                     team) -> None:
    chat.say("quote globex expansion: 3 seats of Platform", user="U0ANA")
    replies = chat.say("quote Q-2026-0001 pdf", user="U0ANA")
    assert any("`Q-2026-0001-v1.pdf`" in m.render() for m in replies)
    [(_, content)] = slack.uploaded_files()
    assert "DRAFT" in pdf_text(content) and "Globex" in pdf_text(content)
