""""renewals this quarter", "what renews in the next 30 days": the contracts that end, over
the accounts the asker can see, each with its renewal deal or a word that there is none.
Through signed requests; the chat's clock is Monday 23 Nov 2026."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from bot.chat import Chat
from store.models import Account, Contract
from store.services import Services


def _contract(services: Services, owner_id: int, account: str, name: str, ends: date,
              value: int) -> None:
    with services.store.transaction() as s:
        account_id = s.scalar(select(Account.id).where(Account.name == account))
        s.add(Contract(account_id=account_id, name=name, value_minor=value * 100,
                       currency="USD", start_date=date(2025, 1, 1), end_date=ends,
                       owner_id=owner_id, status="active"))


def test_renewals_asked_in_words_list_what_ends_and_only_what_the_rep_may_see(
        chat: Chat, services: Services, book) -> None:
    ana = book["ana"]
    _contract(services, ana, "Acme", "Acme platform", date(2026, 12, 15), 84000)
    _contract(services, ana, "Globex", "Globex support", date(2027, 2, 10), 12000)
    _contract(services, ana, "Hooli", "Hooli pilot", date(2027, 9, 1), 5000)
    bob = services.users.get_or_create("U0BOB", name="Bob Rep", timezone="America/New_York")
    services.accounts.create(bob.id, "Cyberdyne")
    _contract(services, bob.id, "Cyberdyne", "Cyberdyne seats", date(2026, 12, 20), 99000)

    [soon] = chat.say("renewals coming up")
    assert "Renewals in the next 90 days* (2)" in soon.text
    # Acme's open "Renewal" deal, never linked to the contract, is named as its renewal
    assert "*Acme* — Acme platform, $84,000, ends Tue, Dec 15, 2026; renewal deal " \
        "*Acme — Renewal*" in soon.text
    assert "Globex support, $12,000, ends Wed, Feb 10, 2027; no renewal deal yet" in soon.text
    assert "Hooli" not in soon.text
    assert "Cyberdyne" not in soon.text  # Bob's account
    [month] = chat.say("which contracts renew this month?")
    assert month.text == "No contract you can see ends in November 2026."
    [quarter] = chat.say("what renews in Q1")
    assert "Renewals in Q1 2027* (1)" in quarter.text and "Globex support" in quarter.text
