"""Every payload a scripted week on the demo makes the app send passes Slack's published
rules (tests/block_kit.py); and the checker itself catches what Slack refuses. (Every test
that uses the `slack` fixture is checked the same way on teardown, in tests/conftest.py.)"""

from __future__ import annotations

from datetime import timedelta

from bot.chat import Chat
from bot.localslack import Call, LocalSlack
from bot.reminders import ReminderRunner
from store.clock import ManualClock
from store.db import Store
from store.demo import load_demo
from tests.block_kit import MESSAGE_METHODS, VIEW_METHODS, rule_breaks


def _button(action_id: str, value: str) -> dict:
    return {"type": "button", "action_id": action_id, "value": value,
            "text": {"type": "plain_text", "text": value}}


def test_the_checker_catches_what_slack_refuses() -> None:
    twins = {"type": "actions", "elements": [_button("snooze", "1"), _button("snooze", "7")]}
    section = {"type": "section", "text": {"type": "mrkdwn", "text": "x"}}
    breaks = rule_breaks([
        Call("chat.postMessage", {"text": "a", "blocks": [twins]}, {}),
        Call("chat.postMessage", {"text": "b", "blocks": [section] * 51}, {}),
        Call("respond", {"blocks": [section]}, {}),
        Call("views.open", {"view": {"type": "modal", "title": {
            "type": "plain_text", "text": "t"}, "blocks": [section] * 101}}, {}),
        Call("views.open", {"view": {"type": "modal", "title": {
            "type": "plain_text", "text": "t" * 30}, "blocks": [section]}}, {}),
    ])
    assert any("action_id 'snooze' used twice" in b for b in breaks)
    assert any("51 blocks (at most 50)" in b for b in breaks)
    assert any("without a text fallback" in b for b in breaks)
    assert any("101 blocks (at most 100)" in b for b in breaks)
    assert any("title" in b for b in breaks)  # a modal title is at most 24 characters


def test_a_scripted_week_sends_only_what_slack_accepts(store: Store, chat: Chat,
                                                       slack: LocalSlack, services, app,
                                                       clock: ManualClock) -> None:
    load_demo(store)
    alex, priya = "U0ALEX", "U0PRIYA"
    chat.say("new lead: Jane Roe, CTO at Acme, met at the show", user=alex)
    chat.click(action_id="lead_convert", user=alex)  # which account? several buttons
    for line in ("help", "my deals", "show acme", "pipeline", "forecast", "follow-ups",
                 "approvals", "leads",
                 "note on acme: called about pricing, follow up tomorrow", "undo",
                 "kb search pricing"):
        chat.say(line, user=alex)
    for line in ("/sales stages", "/sales pipeline", "/sales new", "/sales log",
                 "/sales admin"):
        chat.command(line, user=priya)
    chat.open_home(user=alex)
    chat.open_home(user=priya)
    clock.advance(timedelta(days=3))  # reminders come due after a clock jump
    ReminderRunner(services, app.client, clock, "UTC", worker="test").run_once()
    chat.absorb()
    sent = slack.calls_of(*MESSAGE_METHODS, *VIEW_METHODS)
    assert len([c for c in sent if c.args.get("blocks") or c.args.get("view")]) >= 20
    assert any("Follow up on" in str(c.args.get("text")) for c in sent)
    assert rule_breaks(slack.calls) == []
