"""No one pings @channel or forges a link through the bot: names typed into forms and
sentences reach Slack escaped (at their source; `handlers/slack/outgoing.py` is only the
safety net), through real signed requests, checked on every recorded Web API call and
`respond`."""

from __future__ import annotations

import json
import logging
from decimal import Decimal
from typing import Any

import pytest

from bot.chat import Chat
from bot.localslack import LocalSlack
from handlers.slack.outgoing import guard_payload, neutralise
from handlers.slack.text import LINK_MARK, escape, link
from store.models import Team, User
from store.services import Services
from tests.conftest import add_users

NAME = "<!channel> <https://evil.example/login|Open in CRM>"
ESCAPED = "&lt;!channel&gt; &lt;https://evil.example/login|Open in CRM&gt;"
EVIL_LINK = "&lt;https://evil.example/login|Open in CRM&gt;"


@pytest.fixture
def team(services: Services) -> dict[str, int]:
    with services.store.transaction() as s:
        people = add_users(s, {
            "U0MO": ("U0MO", "Mo Manager", "manager"),
            "U0ANA": ("U0ANA", "Ana Rep", "rep"),
            "U0ADA": ("U0ADA", "Ada Admin", "admin"),
        })
        sales = Team(name="Sales", manager_id=people["U0MO"].id)
        s.add(sales)
        s.flush()
        people["U0ANA"].team_id, people["U0ANA"].manager_id = sales.id, people["U0MO"].id
        ids = {k: u.id for k, u in people.items()}
    services.accounts.create(ids["U0ADA"], "Acme", owner_id=ids["U0ANA"])  # Ana works it
    return ids


def _mrkdwn(value: Any) -> list[str]:
    if isinstance(value, list):
        return [t for v in value for t in _mrkdwn(v)]
    if not isinstance(value, dict):
        return []
    own = [value["text"]] if value.get("type") == "mrkdwn" else []
    return own + [t for v in value.values() for t in _mrkdwn(v)]


def sent(slack: LocalSlack) -> str:
    """What Slack reads for mentions and links in every call the app made (Web API and
    `respond`): the top-level text and every mrkdwn text in blocks and views. (plain_text,
    such as headers, titles and input values, is shown as typed.)"""
    seen = []
    for call in slack.calls:
        seen += [str(call.args.get(k) or "") for k in ("text", "initial_comment")]
        seen += _mrkdwn([call.args.get(k) for k in ("blocks", "view", "attachments")])
    return "\n".join(seen)


def assert_inert(slack: LocalSlack, caplog: pytest.LogCaptureFixture) -> str:
    everything = sent(slack)
    assert "<!channel>" not in everything
    assert "<https://evil.example" not in everything
    assert "&amp;lt;" not in everything and "&amp;gt;" not in everything  # escaped once
    assert LINK_MARK not in everything
    # escaped where it was rendered: the guard had nothing to catch
    assert not [r for r in caplog.records if "neutralised" in r.getMessage()]
    return everything


def texts(slack: LocalSlack, *methods: str) -> list[str]:
    return [str(c.args.get("text") or "") for c in slack.calls_of(*methods)]


def test_a_lead_so_named_from_the_form_is_qualified_and_disqualified(
        chat: Chat, slack: LocalSlack, team, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING)
    chat.command("/sales lead", user="U0MO")
    chat.click(action_id="lead_form", user="U0MO")
    chat.submit({"Name": NAME, "Company": "Acme"}, user="U0MO")
    posted = texts(slack, "chat.postMessage")
    assert f"New lead: {ESCAPED}" in posted  # to Ana, its new owner
    assert f"Lead {ESCAPED} added" in posted
    chat.click(action_id="lead_qualify", user="U0MO")
    chat.click(action_id="lead_disqualify", user="U0MO")
    chat.submit({"Why not a fit?": "<!here> no budget"}, user="U0MO")
    everything = assert_inert(slack, caplog)
    assert "<!here>" not in everything and "&lt;!here&gt; no budget" in everything
    updated = texts(slack, "chat.update", "respond")
    assert f"{ESCAPED} is qualified" in updated
    assert f"{ESCAPED} disqualified" in texts(slack, "chat.postMessage")
    assert f"*{ESCAPED}*" in json.dumps(slack.calls_of("views.open")[-1].args["view"],
                                        ensure_ascii=False)


def test_a_lead_so_named_in_words_is_converted(chat: Chat, slack: LocalSlack, team,
                                               caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING)
    chat.say(f"new lead: {NAME}", user="U0ANA")
    chat.click(action_id="lead_convert", user="U0ANA")
    everything = assert_inert(slack, caplog)
    assert any(t.startswith("Converted ") and EVIL_LINK in t
               for t in texts(slack, "chat.update", "chat.postMessage", "respond"))
    assert EVIL_LINK in everything


def test_the_pipeline_of_a_person_so_named_shared_in_a_channel(
        chat: Chat, slack: LocalSlack, services: Services, team,
        caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING)
    with services.store.transaction() as s:
        s.get_one(User, team["U0ANA"]).name = NAME
    services.opportunities.create(team["U0ANA"], "Renewal", account="Acme",
                                  amount=Decimal(1000))
    chat.mention("pipeline", user="U0ANA", channel="C0SALES")
    chat.click(action_id="pipeline_share", user="U0ANA")
    assert_inert(slack, caplog)
    assert f"Shared the pipeline of {ESCAPED} here." in texts(slack, "respond")
    assert any(t.startswith(f"Pipeline · {ESCAPED}: ")
               for t in texts(slack, "chat.postMessage", "chat.postEphemeral"))


def test_an_article_so_titled_is_found_opened_and_shared(
        chat: Chat, slack: LocalSlack, services: Services, team,
        caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING)
    chat.command("/sales kb add", user="U0ADA")
    chat.submit({"Title": NAME, "Tags": "licensing",
                 "Article (markdown)": "Zebra seats are counted per named user; "
                                       "[docs](https://docs.example.com/seats)."},
                user="U0ADA")
    chat.say("kb zebra seats", user="U0ANA")
    chat.click(action_id="kb_open", user="U0ANA")
    everything = assert_inert(slack, caplog)
    assert f"Knowledge base: {ESCAPED}" in texts(slack, "chat.postMessage", "chat.update",
                                                 "respond")
    assert "<https://docs.example.com/seats|docs>" in everything  # our own link stays


def test_the_edit_deal_form_of_a_deal_so_named(chat: Chat, slack: LocalSlack,
                                               services: Services, team,
                                               caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING)
    services.opportunities.create(team["U0ANA"], NAME, account="Acme", amount=Decimal(5000))
    chat.say("show acme", user="U0ANA")
    chat.click(action_id="opp_edit", user="U0ANA")
    assert_inert(slack, caplog)
    view = slack.calls_of("views.open")[-1].args["view"]
    assert f"*Acme — {ESCAPED}*" in json.dumps(view, ensure_ascii=False)


# -- the guard itself ---------------------------------------------------------------------

def test_the_guard_neutralises_what_slipped_through_and_passes_what_we_built() -> None:
    assert neutralise(NAME) == (ESCAPED, True)
    assert neutralise("<!here> <!everyone> <!subteam^S123|sales> <@U1|me> a < b") == (
        "&lt;!here&gt; &lt;!everyone&gt; &lt;!subteam^S123|sales&gt; &lt;@U1|me&gt; "
        "a &lt; b", True)
    assert neutralise("<https://x.example/?a=1&b=2|go>") == (
        "&lt;https://x.example/?a=1&amp;b=2|go&gt;", True)
    ours = (f"{escape('Q&A <b>')} for <@U0ANA> in <#C0SALES> "
            f"{link('https://docs.example.com/a?b=1&amp;c=2', 'docs')}\n> a quote")
    assert neutralise(ours) == (
        "Q&amp;A &lt;b&gt; for <@U0ANA> in <#C0SALES> "
        "<https://docs.example.com/a?b=1&amp;c=2|docs>\n> a quote", False)
    assert neutralise(escape(NAME)) == (ESCAPED, False)  # never escaped twice


def test_the_guard_checks_text_and_every_mrkdwn_object(
        caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING)
    payload = {"channel": "C1", "text": NAME, "blocks": [
        {"type": "section", "text": {"type": "mrkdwn", "text": NAME},
         "fields": [{"type": "mrkdwn", "text": f"*Owner*\n{NAME}"}]},
        {"type": "header", "text": {"type": "plain_text", "text": NAME}},
        {"type": "context", "elements": [{"type": "mrkdwn", "text": "fine"}]}]}
    out = guard_payload("chat.postMessage", payload)
    assert out is not None and out is not payload
    assert out["text"] == ESCAPED
    assert out["blocks"][0]["text"]["text"] == ESCAPED
    assert out["blocks"][0]["fields"][0]["text"] == f"*Owner*\n{ESCAPED}"
    assert out["blocks"][1]["text"]["text"] == NAME  # plain_text: Slack shows it as typed
    assert payload["text"] == NAME  # the caller's dict is left alone
    [warning] = [r for r in caplog.records if "neutralised" in r.getMessage()]
    assert "evil" not in warning.getMessage() and "blocks, text" in warning.getMessage()
    view = {"view": json.dumps({"type": "modal", "blocks": [
        {"type": "section", "text": {"type": "mrkdwn", "text": NAME}}]})}
    assert ESCAPED in (guard_payload("views.open", view) or {})["view"]
    fine = {"channel": "C1", "text": ESCAPED, "blocks": []}
    assert guard_payload("chat.update", fine) is fine
    assert guard_payload("users.info", {"user": "<!channel>"}) == {"user": "<!channel>"}


def test_what_a_renderer_forgot_to_escape_is_caught_on_every_way_out(
        chat: Chat, slack: LocalSlack, services: Services, team,
        monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    """`say` (a DM), `client` (a form) and `respond` (a click), each with a renderer
    that forgot `escape`: neutralised on the way out, and a warning without the text."""
    caplog.set_level(logging.WARNING)
    monkeypatch.setattr("handlers.leads.flow.escape", lambda text: text)
    monkeypatch.setattr("handlers.pipeline.listeners.escape", lambda text: text)
    with services.store.transaction() as s:
        s.get_one(User, team["U0ANA"]).name = NAME
    chat.say(f"new lead: {NAME}", user="U0ANA")  # Slack sends <!channel> as @channel
    chat.command("/sales lead", user="U0MO")
    chat.click(action_id="lead_form", user="U0MO")
    chat.submit({"Name": NAME}, user="U0MO")
    chat.mention("pipeline", user="U0ANA", channel="C0SALES")
    chat.click(action_id="pipeline_share", user="U0ANA")
    everything = sent(slack)
    assert "<!channel>" not in everything
    assert "<https://evil.example" not in everything and "&amp;lt;" not in everything
    assert f"Lead @channel {EVIL_LINK} added" in texts(slack, "chat.postMessage")
    assert f"Lead {ESCAPED} added" in texts(slack, "chat.postMessage")
    assert f"Shared the pipeline of {ESCAPED} here." in texts(slack, "respond")
    warnings = [r.getMessage() for r in caplog.records if "neutralised" in r.getMessage()]
    assert {w.split(" in ")[1].split()[0] for w in warnings} >= {
        "chat.postMessage", "chat.respond"}
    assert not [w for w in warnings if "evil" in w or "channel>" in w]


def test_a_typed_link_mark_never_makes_user_text_a_trusted_link() -> None:
    from handlers.slack.modals import values
    from handlers.slack.outgoing import neutralise
    from handlers.slack.text import LINK_MARK, escape, from_slack

    forged = f"{LINK_MARK}<https://evil.example/login|Reset password>"
    typed = from_slack(forged.replace("<", "&lt;").replace(">", "&gt;"))
    submitted = values({"state": {"values": {"name": {"value": {"type": "plain_text_input",
                                                                "value": forged}}}}})["name"]
    for text in (typed, submitted, escape(forged)):
        assert LINK_MARK not in (text or "")
        assert "<https://evil.example" not in neutralise(text or "")[0]
