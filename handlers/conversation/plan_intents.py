"""A plan that an existing turn answers, as that turn's intent: the requests (help, the
lists, mute, digest, a lead, a stand-in approver, a new quote's lines, a deal given to
someone), and the plans about a name the store does not know, which the turns answer by
offering to create it ("logged a call with zorblax" → Create account "zorblax").

The language layer has read the message; nothing here reads words again, it only carries
what was read (`Command.args`, `Plan.unknown_name`) into the `Intent` the turn takes.
"""

from __future__ import annotations

from itertools import pairwise

from handlers.conversation.resolver import Resolved
from handlers.conversation.turn import Turn
from handlers.conversation.which_deal import ask_deal
from handlers.language.intents import Intent
from handlers.language.plan import Plan, Reading
from handlers.slack import blocks as ui
from handlers.slack.answer import Answer, say_text
from handlers.slack.text import escape
from store.services.people.directory import DealRef

LISTS = frozenset({"help", "followups", "reminders", "leads", "approvals"})
"""Plans answered by the turn of the same name, with nothing more to carry."""
WITH_DETAIL = frozenset({"mute", "digest", "lead"})


def request(turn: Turn, plan: Plan) -> Intent | Answer | None:
    """The intent of the turn that answers a request plan; None when `plan` is no request."""
    text = turn.intent.text
    args = plan.command.args if plan.command is not None else {}
    if plan.intent in LISTS:
        return Intent(plan.intent, text)
    if plan.intent == "digest" and plan.asks and plan.asks[0].what == "on the hour":
        hour = int(str(args.get("detail")))
        return say_text(f"The digest comes on the hour: say `digest at {hour}:00` or `digest "
                        f"at {(hour + 1) % 24}:00`. Nothing was changed.", private=True)
    if plan.intent == "digest" and plan.asks:
        return say_text("At what hour? Say `digest at 8am`, or `digest off`.", private=True)
    if plan.intent in WITH_DETAIL:
        return Intent(plan.intent, text, detail=_text(args.get("detail")))
    if plan.intent == "delegate":
        return Intent("delegate", text, target=_text(args.get("target")) or "")
    if plan.intent == "owner":
        return Intent("edit", text, kind="owner", target=_text(args.get("target")),
                      detail=_text(args.get("detail")))
    if plan.intent == "quote" and plan.asks:
        return say_text("Which quote? Say its number, like `approve Q-2026-0006`; `approvals` "
                        "lists the ones waiting for you. Nothing was decided.", private=True)
    if plan.intent == "quote" and plan.command is not None and plan.command.target is None \
            and args.get("action") not in ("approve", "reject", "sent"):  # by the deal named
        return Intent("quote", text, kind=_text(args.get("kind")),
                      target=_text(args.get("target")) or "", detail=_text(args.get("detail")))
    return None


def unknown_subject(turn: Turn, plan: Plan) -> Intent | Answer:
    """A plan about a name no account, deal or contact has: the activity or the new deal
    goes to the turn that offers to create the account; a change to a deal says no deal
    matched (with a button to create one); no name at all is asked for."""
    text, typed = turn.intent.text, plan.unknown_name
    if typed and plan.new_deal is not None:
        return Intent("create", text, target=typed, detail=plan.unknown_rest)
    if typed and plan.activity is not None:
        return Intent("log", text, kind=plan.activity.kind, target=typed,
                      detail=plan.unknown_rest)
    if typed:
        return ask_deal(Intent("show", text, target=typed), Resolved())
    return say_text("Which account or deal is that about? Say its name, like `logged a call "
                    "with acme, they want pricing` or `move globex to negotiation`. "
                    "Nothing was changed.", private=True)


def no_open_deal(turn: Turn, plan: Plan) -> Answer:
    """A stage or a field for an account with no open deal the rep can see."""
    if plan.account is None:
        return say_text("That deal is closed or gone, so nothing was changed.", private=True)
    name = turn.directory.account_name(turn.actor.id, plan.account.id) or plan.account.name
    return say_text(f"*{escape(name)}* has no open deal you can see, so nothing was changed. "
                    f"Say `new deal for {escape(name.lower())}: …` to open one.", private=True)


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


REOPEN_WORDS = frozenset({"reopen", "reopened", "reopening", "re-open", "revive", "revived",
                          "reviving", "resurrect", "unlose"})
"""Words that say a closed deal comes back, so the closed deals are candidates."""


def _words_of(text: str) -> list[str]:
    return [w.strip(".,;:!?\"'()") for w in text.lower().split()]


def reopened_deal(turn: Turn, plan: Plan) -> DealRef | None:
    """"reopen sterling cooper upsell to negotiation": the closed deal the message names,
    though the name index holds only open deals (so the account's open deal is not moved
    in its place). Said with a reopen cue ("reopen", "revive", "back to"); the account's
    one closed deal when the message names none and the account has no open deal."""
    words = _words_of(turn.intent.text)
    cued = REOPEN_WORDS & set(words) or any(
        a == "back" and b in ("to", "into") for a, b in pairwise(words))
    if plan.account is None or plan.deal is not None or not cued:
        return None
    actor_id = turn.actor.id
    open_ids = {d.id for d in turn.directory.open_deals(actor_id, account_id=plan.account.id)}
    closed = [d for d in turn.directory.deals_named(actor_id, plan.account.id)
              if d.id not in open_ids]
    said = set(words)
    named = [d for d in closed
             if d.name and all(w in said for w in _words_of(d.name))]
    if len(named) == 1:
        return named[0]
    if not named and not open_ids and len(closed) == 1:
        return closed[0]
    return None


def note_offer(turn: Turn, reading: Reading) -> Answer | None:
    """A line about one customer the reader could not act on ("umbrella legal is
    reviewing", "wish initech would sign already"): nothing is changed, and the line is
    offered as a note on that account, one click away, rather than lost behind "I didn't
    get that". None when no one customer is named."""
    accounts = {m.known.id if m.known.kind == "account" else m.known.scope
                for m in reading.mentions if m.kind in ("account", "deal", "contact")}
    if len(accounts) != 1 or None in accounts:
        return None
    [account_id] = accounts
    assert account_id is not None
    name = turn.directory.account_name(turn.actor.id, account_id)
    if name is None:
        return None
    text = turn.intent.text
    intent = Intent("log", text, kind="note", target=name, detail=text)
    prompt = (f"I couldn't tell what to change from that, so nothing was changed. Log it as "
              f"a note on *{escape(name)}*?")
    return Answer(text=prompt, private=True, blocks=[ui.mrkdwn(prompt), ui.actions(
        ui.button("Log it as a note", "choose_0",
                  {"i": intent.to_dict(), "account": account_id}),
        ui.button("No, leave it", "choose_none", "{}"))])

