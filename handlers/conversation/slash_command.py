"""`/sales`: the same actions as free text, in a fixed grammar, plus the forms."""

from __future__ import annotations

import re
import shlex
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient

from handlers.activities import modals as activity_modals
from handlers.admin.panels import open_admin, stages_answer
from handlers.conversation.conversation import Conversation
from handlers.conversation.resolver import resolve_deal
from handlers.deals import modals as deal_modals
from handlers.deps import Deps
from handlers.knowledge.forms import open_article_form
from handlers.language.intents import MAX_MESSAGE_CHARS, Intent, too_long
from handlers.quotes import modals as quote_modals
from handlers.slack.middleware import actor_of
from handlers.slack.text import escape, from_slack

_LOG = re.compile(r"^(?P<kind>call|meeting|email|note|task)\s+(?P<target>[^:]+?)\s*:\s*"
                  r"(?P<detail>.+)$", re.I | re.DOTALL)


SUBCOMMANDS = frozenset({
    "help", "followups", "follow-ups", "due", "log", "deal", "show", "opp", "move", "advance",
    "next", "won", "lost", "quote", "pipeline", "forecast", "lead", "leads", "kb", "approvals",
    "delegate"})
"""`/sales` words with a fixed grammar; anything else after `/sales` (`reminders`, `mute`,
`digest at 8am` among them) is free text, read as a DM is."""


def _words(text: str) -> list[str]:
    try:
        return shlex.split(text)
    except ValueError:
        return text.split()


def command_intent(text: str) -> Intent:
    """`/sales SUB …` → an intent (the sub-commands that open a form never get here)."""
    if (refused := too_long(text)) is not None:
        return refused
    text = " ".join(text.split())
    sub, _, rest = text.partition(" ")
    sub = sub.lower()
    if sub in ("", "help"):
        return Intent("help", text)
    if sub in ("followups", "follow-ups", "due"):
        return Intent("followups", text)
    if sub == "log" and (m := _LOG.match(rest)):
        return Intent("log", text, kind=m["kind"].lower(), target=m["target"].strip(),
                      detail=m["detail"].strip())
    if sub == "log" and ":" in rest:  # no kind given: a note
        target, _, detail = rest.partition(":")
        return Intent("log", text, kind="note", target=target.strip(), detail=detail.strip())
    if sub in ("deal", "show", "opp", "move", "advance", "won", "lost", "quote") and not rest:
        return Intent("usage", text, target=sub)
    if sub == "move":
        target, to, stage = rest.rpartition(" to ")
        if to:  # `/sales move acme renewal to negotiation`
            return Intent("move", text, target=target.strip("\"' "), stage=stage.strip())
        words = _words(rest)
        if len(words) < 2:
            return Intent("usage", text, target="move")
        return Intent("move", text, target=words[0], stage=" ".join(words[1:]))
    if sub == "quote":
        target, _, detail = rest.partition(":")
        return Intent("quote", text, target=target.strip("\"' "), detail=detail.strip() or None)
    if sub in ("pipeline", "forecast"):
        return Intent(sub, text, detail=rest.strip() or None)
    if sub == "lead":
        return Intent("lead", text, detail=rest.strip() or None)
    if sub == "leads":
        return Intent("leads", text)
    if sub == "kb":
        return Intent("kb", text, detail=rest)
    if sub == "approvals":
        return Intent("approvals", text)
    if sub == "delegate":
        return Intent("delegate", text, target=rest.strip())
    if sub in ("deal", "show", "opp"):
        return Intent("show", text, target=rest.strip("\"'"))
    if sub in ("advance", "next"):
        return Intent("advance", text, target=rest.strip("\"'"))
    if sub == "won":
        return Intent("won", text, target=rest.strip("\"'"))
    if sub == "lost":
        target, _, reason = rest.partition(":")
        return Intent("lost", text, target=target.strip("\"' "), detail=reason.strip() or None)
    return Intent("unknown", text)  # free text: the conversation reads it


def _opens_form(intent: Intent) -> bool:
    """`/sales quote Acme renewal` opens the form; `/sales quote Q-2026-0042` shows it."""
    return not re.match(r"^Q-\d{4}-\d+", intent.target or "", re.I)


def register(app: App, deps: Deps, conversation: Conversation) -> None:
    @app.command("/sales")
    def sales(ack: Ack, command: dict[str, Any], respond: Respond, client: WebClient,
              context: BoltContext) -> None:
        ack()
        text = from_slack(command.get("text") or "").strip()
        actor = actor_of(context)
        if text.lower() == "log":
            client.views_open(trigger_id=command["trigger_id"],
                              view=activity_modals.log_activity())
            return
        words = text.split(maxsplit=2)
        if (len(words) >= 2 and words[0].lower() == "kb" and words[1].lower() in ("add", "edit")
                and len(text) <= MAX_MESSAGE_CHARS):  # longer: command_intent says too long
            open_article_form(deps, client, actor.id, command["trigger_id"],
                              words[2] if words[1].lower() == "edit" and len(words) > 2
                              else None)
            return
        if text.lower() == "stages":
            answer = stages_answer(deps, actor.id)
            respond(text=answer.text, blocks=answer.blocks, response_type="ephemeral")
            return
        if text.lower() == "admin":
            open_admin(deps, client, actor.id, command["trigger_id"])
            return
        if text.lower() in ("new", "new deal"):
            client.views_open(trigger_id=command["trigger_id"],
                              view=deal_modals.new_opportunity(deps.directory.stages()))
            return
        intent = command_intent(text)
        if intent.name == "quote" and not intent.detail and _opens_form(intent):
            resolved = resolve_deal(deps.directory, actor.id, intent.target or "")
            if resolved.found is not None:
                client.views_open(trigger_id=command["trigger_id"], view=quote_modals.quote_form(
                    [(f"{p.name} ({p.sku})", p.sku) for p in deps.services.quotes.catalog()],
                    title=f"Quote for {escape(resolved.found.display)}",
                    metadata={"opp": resolved.found.id}))
                return
        if text.split(maxsplit=1)[:1] and text.split(maxsplit=1)[0].lower() in SUBCOMMANDS:
            answer = conversation.answer(intent, actor)
        else:  # free text after /sales: read as a DM would be
            _read, answer = conversation.answer_text(text, actor)
        respond(text=answer.text, blocks=answer.blocks, response_type="ephemeral")
