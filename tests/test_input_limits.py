"""Ordinary typing and forged forms never crash a listener (issue 14, items 5 and 6).

Every input error is answered with a sentence the rep understands (the `chat` fixture fails
a test in which anyone saw the generic failure line); a view submission whose
private_metadata or values were tampered with is acknowledged with errors (HTTP 200),
never a 500, and writes nothing.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from slack_bolt import BoltResponse

from bot.chat import Chat
from store.models import Activity, Product, Quote
from store.services import Services
from tests.conftest import add_users


@pytest.fixture
def team(services: Services) -> dict[str, int]:
    with services.store.transaction() as s:
        people = add_users(s, {
            "U0MO": ("U0MO", "Mo Manager", "manager"),
            "U0ANA": ("U0ANA", "Ana Rep", "rep"),
            "U0ADA": ("U0ADA", "Ada Admin", "admin"),
        }, managers={"U0ANA": "U0MO"})
        s.add(Product(sku="PLAT-SEAT", name="Platform seat (annual)", list_price_minor=120000,
                      currency="USD", is_active=True))
        ids = {k: u.id for k, u in people.items()}
    services.accounts.create(ids["U0ANA"], "Globex")
    ids["opp"] = services.opportunities.create(ids["U0ANA"], "Expansion", account="Globex",
                                               amount=Decimal(1000)).id
    return ids


def count(services: Services, model: Any) -> int:
    with services.store.transaction() as s:
        return s.query(model).count()


@pytest.mark.parametrize("off", ["101", "120"])
def test_a_discount_over_100_percent_is_refused_in_words(chat: Chat, services, team,
                                                         off: str) -> None:
    [reply] = chat.say(f"quote globex expansion: 20 seats of Platform at {off}% off")
    assert reply.text == f"A discount is between 0 and 100 % (not {off} %)."
    assert count(services, Quote) == 0


def test_too_many_seats_are_refused_in_words(chat: Chat, services, team) -> None:
    [reply] = chat.say("quote globex expansion: 99999999999999999999 seats of Platform")
    assert reply.text == "A quantity is a whole number from 1 to 1,000,000."
    assert count(services, Quote) == 0


def test_an_amount_too_large_for_the_store_is_refused_in_words(chat: Chat, services,
                                                               team) -> None:
    [reply] = chat.say("globex expansion is now 999999999999999999999k")
    assert reply.text == ("That amount is too large: the most a deal can hold is "
                          "92,233,720,368,547,758.07 USD.")
    assert services.opportunities.get(team["U0ANA"], team["opp"]).amount == Decimal(1000)


def test_an_article_id_too_large_for_the_store_is_not_found(chat: Chat, team) -> None:
    [reply] = chat.command("/sales kb edit 99999999999999999999", user="U0ADA")
    assert "does not exist" in reply.text


def test_a_nul_character_never_reaches_the_database(chat: Chat, services, team) -> None:
    """PostgreSQL text cannot hold NUL: on it this crashed; the store now drops it."""
    [reply] = chat.say("note on globex: champion\x00 left")
    assert "Logged a note" in reply.text
    with services.store.transaction() as s:
        [subject] = [a.subject for a in s.query(Activity)]
    assert "\x00" not in subject and "champion left" in subject.lower()


def test_a_superscript_quantity_in_the_quote_form(chat: Chat, services, team) -> None:
    """'²'.isdigit() is True, yet int('²') raises: it crashed before the ack."""
    chat.say("quote globex expansion")
    chat.click(action_id="quote_form")
    response = chat.submit({"Product 1": "PLAT-SEAT", "Quantity 1": "²"})
    assert field_errors(response) == {"qty_1": "A whole number from 1 to 1,000,000."}
    response = chat.submit({"Product 1": "PLAT-SEAT", "Quantity 1": "2",
                            "Line 1 discount %": "150"})
    assert field_errors(response) == {"disc_1": "A discount is between 0 and 100 % (not 150 %)."}
    assert count(services, Quote) == 0


def test_a_superscript_probability_in_the_deal_form(chat: Chat, services, team) -> None:
    chat.say("show globex expansion")
    chat.click(action_id="opp_edit")
    response = chat.submit({"Probability %": "5²"})
    assert field_errors(response) == {"probability": "A whole percentage from 0 to 100."}
    assert services.opportunities.get(team["U0ANA"], team["opp"]).probability != 5


def field_errors(response: BoltResponse) -> dict[str, str]:
    assert response.status == 200
    body = json.loads(response.body)
    assert body["response_action"] == "errors"
    return body["errors"]


def forge(chat: Chat, metadata: str, values: dict[str, str], user: str = "U0ANA"
          ) -> BoltResponse:
    """Submit the open form with its private_metadata replaced by `metadata`."""
    modal = chat.open_modal(user)
    assert modal is not None
    modal.view["private_metadata"] = metadata
    return chat.submit(values, user=user)


STALE = "This form can't be read any more; close it and open it again."


@pytest.mark.parametrize("metadata", ['{"opp": "x"}', '{"opp": 99999999999999999999}',
                                      "[1, 2]", "not json", '{"opp": null}'])
def test_a_forged_deal_form_is_acknowledged_with_errors(chat: Chat, services, team,
                                                        metadata: str) -> None:
    chat.say("show globex expansion")
    chat.click(action_id="opp_edit")
    response = forge(chat, metadata, {"Amount": "5000"})
    assert field_errors(response) == {"amount": STALE}
    assert services.opportunities.get(team["U0ANA"], team["opp"]).amount == Decimal(1000)


def test_a_deal_form_naming_a_deal_that_does_not_exist(chat: Chat, services, team) -> None:
    chat.say("show globex expansion")
    chat.click(action_id="opp_edit")
    response = forge(chat, json.dumps({"opp": team["opp"] + 1000}), {"Amount": "5000"})
    assert list(field_errors(response)) == ["owner"]


def test_a_forged_date_in_the_deal_form(chat: Chat, services, team) -> None:
    chat.say("show globex expansion")
    chat.click(action_id="opp_edit")
    response = chat.submit({"Close date": "not-a-date"})
    assert field_errors(response) == {"close_date": "“not-a-date” is not a date."}


@pytest.mark.parametrize("metadata", ['{"opp": "1; drop"}', '{"quote": "x"}', "7"])
def test_a_forged_quote_form_is_acknowledged_with_errors(chat: Chat, services, team,
                                                         metadata: str) -> None:
    chat.say("quote globex expansion")
    chat.click(action_id="quote_form")
    response = forge(chat, metadata, {"Product 1": "PLAT-SEAT", "Quantity 1": "2"})
    assert field_errors(response) == {"product_1": STALE}
    assert count(services, Quote) == 0


def test_a_forged_approval_request_is_acknowledged_with_errors(chat: Chat, services,
                                                               team) -> None:
    chat.say("quote globex expansion: 20 seats of Platform at 30% off")
    chat.click(action_id="quote_request")
    response = forge(chat, '{"quote": {"id": 1}}', {"Why this discount?": "competitor"})
    assert field_errors(response) == {"justification": STALE}
    assert services.quotes.get(team["U0ANA"], 1).status == "draft"


def test_a_long_non_ascii_question_keeps_its_buttons_whole(chat: Chat, services,
                                                           team) -> None:
    """Each "which one?" button carries the whole request as JSON; 400 "é" are 2,400
    characters escaped, past Slack's 2,000. The value used to be cut (half a JSON
    document, a crash on click); now it is kept in the store and the button refers to it."""
    renewal = services.opportunities.create(team["U0ANA"], "Renewal", account="Globex").id
    step = "é" * 400
    [question] = chat.say(f"next step on globex: {step}")
    assert "Which deal" in question.text
    assert all(len(c.value or "") <= 2000 for c in question.controls)
    pick = next(c.number for c in question.controls if c.label == "Globex — Renewal")
    chat.click(pick)
    answer = chat.latest()
    assert answer is not None and "Renewal" in answer.text  # the question, replaced
    assert services.opportunities.get(team["U0ANA"], renewal).next_step == step


def test_a_forged_activity_form_is_acknowledged_with_errors(chat: Chat, services,
                                                            team) -> None:
    chat.say("show globex expansion")
    chat.click(action_id="opp_log_activity")
    modal = chat.open_modal()
    assert modal is not None
    first = modal.view["blocks"][0]["block_id"]
    response = forge(chat, '{"opp": {"$gt": 0}}', {"Follow up on": "2026-12-01"})
    assert field_errors(response) == {first: STALE}
    modal.view["private_metadata"] = json.dumps({"opp": team["opp"]})
    response = chat.submit({"Follow up on": "someday"})
    assert field_errors(response) == {"follow_up": "“someday” is not a date."}
    assert count(services, Activity) == 0


def test_a_forged_date_in_the_new_deal_form(chat: Chat, services, team) -> None:
    chat.command("/sales new")
    response = chat.submit({"Account": "Globex", "Deal name": "Pilot",
                            "Close date": "31/12/2026"})
    assert field_errors(response) == {"close_date": "“31/12/2026” is not a date."}


def test_a_kept_button_value_is_read_back_only_by_its_own_reference(services) -> None:
    """Ids are sequential: a forged `parked:N` must not read someone else's request."""
    from handlers.slack.parked_values import fit, restore, use
    from store.errors import NotFound

    use(services.button_values.park)
    value = json.dumps({"text": "é" * 1000})

    reference = fit(value)
    assert reference.startswith("parked:") and len(reference) < 100
    clicked = {"actions": [{"value": reference}]}
    restore(clicked, services.button_values.get)
    assert clicked["actions"][0]["value"] == value
    number = reference.split(":")[1]
    for forged in (f"parked:{number}:{'0' * 32}", f"parked:{number}"):
        body = {"actions": [{"value": forged}]}
        if forged.count(":") == 2:
            with pytest.raises(NotFound):
                restore(body, services.button_values.get)
        else:
            restore(body, services.button_values.get)  # not a reference: left as it is
            assert body["actions"][0]["value"] == forged


def _forge_button(message: Any, action_id: str, value: str) -> None:
    """Turn the message's first button into `action_id` carrying `value`, as a forger would."""
    for block in message.blocks:
        for element in block.get("elements", []):
            if element.get("type") == "button":
                element["action_id"], element["value"] = action_id, value
                return
    raise AssertionError("no button to forge")


@pytest.mark.parametrize(("action_id", "value"), [
    ("kb_page_prev", "{}"),
    ("kb_page_next", '{"id": null, "page": 2}'),
    ("kb_page_next", '{"id": 1, "page": "two"}'),
    ("kb_more", '{"q": {"x": 1}, "page": 2}'),
    ("kb_more", '{"q": "pricing"}'),
    ("account_new", '{"version": {}, "article": {"page": -9223372036854775808}}'),
    ("account_new", '{"i": {"name": "create", "text": "x"}, "name": ["Evil"]}'),
    ("account_new", '{"i": {"name": "create", "text": "x"}, "name": "Evil Co", "fu": "not a day"}'),
    ("choose_1", '{"i": {"name": 5}, "account": 1}'),
    ("share_in_channel", "{}"),
    ("share_in_channel", '{"name": "pipeline", "text": ["pipeline"]}'),
])
def test_a_forged_button_value_is_answered_in_words(chat: Chat, services: Services, team,
                                                    action_id: str, value: str) -> None:
    """Found by the 10,000-example fuzz run: these clicks were a 500 and a traceback."""
    [card] = chat.say("show globex expansion", user="U0ANA")
    _forge_button(card, action_id, value)
    accounts = len(services.accounts.visible(team["U0ANA"]))
    chat.click(action_id=action_id, user="U0ANA")
    assert "can't be read any more" in chat.transcript[-1].render()
    assert len(services.accounts.visible(team["U0ANA"])) == accounts
