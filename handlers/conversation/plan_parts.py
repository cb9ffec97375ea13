"""The pieces of applying a plan that the one-deal path (`reading_turns`) and the
several-deal path (`several_turns`) share: the activity's headline and spec, the deal's
change (a lost reason, an amount said as a change), and the "Logged …" line."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime
from decimal import Decimal

from handlers.conversation.turn import Turn
from handlers.language.cues import BASE_VERBS, NEXT_STAGE
from handlers.language.normalise import normalise, rest_after
from handlers.language.plan import Plan, Reading
from handlers.language.times import follow_up_time
from handlers.slack import blocks as ui
from handlers.slack.answer import Answer, say_text
from handlers.slack.text import day, escape, local_time, short_money, with_article
from store.schemas import ActivityView, OpportunityView
from store.services.deals.changes import UNSET
from store.services.deals.plans import ActivitySpec, DealChangeSpec, NewDealSpec, Part
from store.services.people.directory import DealRef
from store.working_time import at_local_time, start_of_working_day

_WHEN = re.compile(r"^(?:yesterday|today|this (?:morning|afternoon|evening)|tonight|"
                   r"last (?:night|week|\w+day))\b|\b(?:yesterday|today|this (?:morning|"
                   r"afternoon|evening)|tonight|last (?:night|week|\w+day))[\s.!]*$", re.I)
"""When it happened, said at either end of the rest: kept as the activity's time, not its
headline ("had a meeting with globex yesterday" is "Meeting with Globex")."""
_LOST_WORDS = re.compile(r"^(?:(?:is|was|got|has|been|just|now|to|into|as|moved?|marked?|"
                         r"set|->|→)\s+)*(?:closed\s*[-/]?\s*)?"
                         r"lost\b[\s,:;.!\-–—]*", re.I)
"""The loss itself said after the name ("umbrella closed lost", "… to closed lost"): not a
reason for it."""
_AFTER_LOST = re.compile(r"\blost\b(?:\s+(?:it|them))?[\s,:;.!\-–—]*(.+)$", re.I | re.S)
"""What follows the loss when the names come after it or not at all in the part: "the
pilot is lost, no budget" gives "no budget"."""
_KIND_WORD = {"call": "call", "meeting": "meeting", "email": "email", "note": "note",
              "task": "task"}


def rest(reading: Reading) -> str:
    """What was said after the last account, contact or deal: "they want pricing"; after
    the colon of "note on hooli: champion left, luis is the new contact", all of it."""
    if (said := _after_topic_colon(reading)) is not None:
        return said
    last = max((m.end for m in reading.mentions
                if m.kind in ("account", "contact") or (m.kind == "deal" and not m.apart)),
               default=0)
    rest = rest_after(reading.sentence, last) if last else ""
    previous = None
    while previous != rest:
        previous = rest
        rest = re.sub(r"^[\s,:;.\-–—!()]+|^(?:about|abt|re:?|regarding)\s+|"
                      r"^(?:called|rang|phoned|emailed|texted|pinged)(?:\s+back)?\b|^(?:and|but|so|then)\s+",
                      "", rest, flags=re.I)
        rest = _WHEN.sub("", rest).strip()
    return rest.strip()


def _after_topic_colon(reading: Reading) -> str | None:
    sentence = reading.sentence
    first = min((m for m in reading.mentions if m.kind in ("account", "deal")),
                key=lambda m: m.start, default=None)
    if first is None:
        return None
    after = sentence.raw[sentence.ends[first.end - 1]:]
    if not after.lstrip().startswith(":"):
        return None
    said = after.lstrip()[1:].strip()
    return said if len(said.split()) >= 2 else None


def headline(plan: Plan, reading: Reading) -> str:
    """The activity's one line: what was said after the names ("they want pricing"), or
    "Call with Jane Roe"."""
    assert plan.activity is not None
    gist = rest(reading)
    if _only_days(gist, reading):
        gist = ""  # "called acme, friday": the day is the follow-up's, not the headline
    kind = plan.activity.kind
    contact = plan.activity.contact
    if gist:
        if contact is not None and kind in ("meeting", "call", "email"):
            return f"{kind.capitalize()} with {contact.name}: {gist}"
        return gist[:1].upper() + gist[1:]
    who = contact.name if contact else (plan.account.name if plan.account else "")
    if kind == "task":  # "call globex tmrw": what is to be done
        verb = next((w for w in reading.sentence.words if w in BASE_VERBS), None)
        return f"{verb.capitalize()} {who}".strip() if verb else f"Follow up with {who}".strip()
    return f"{kind.capitalize()} with {who}".strip()


_DAY_LEADS = frozenset({"on", "by", "until", "till", "for", "follow", "up", "again", "next",
                        "this", "and", "then"})


def _only_days(gist: str, reading: Reading) -> bool:
    """Whether the gist is nothing but the message's day phrases ("friday", "f/u tmrw")."""
    days = {w for d in reading.facts.days for w in d.phrase.lower().split()}
    words = normalise(gist).words
    return bool(words) and bool(days) and all(w in days or w in _DAY_LEADS for w in words)


def activity(turn: Turn, plan: Plan, reading: Reading, now: datetime) -> ActivitySpec | None:
    if plan.activity is None:
        return None
    follow_up = turn.follow_up_day or plan.activity.follow_up
    follow_up_at = None
    if follow_up is not None:  # "call tmrw at 2": that time; else the working day's start
        said = follow_up_time(reading.sentence.text, reading.facts, follow_up)
        follow_up_at = (at_local_time(follow_up, said, turn.tz) if said is not None else
                        start_of_working_day(follow_up, turn.tz, turn.deps.working_hours))
    link = turn.link
    return ActivitySpec(
        kind=_KIND_WORD.get(plan.activity.kind, "note"),
        subject=headline(plan, reading)[:300], body=plan.activity.body,
        occurred_at=reading.facts.occurred, follow_up_at=follow_up_at,
        contact_id=plan.activity.contact.id if plan.activity.contact else None,
        slack_permalink=link.permalink if link else None,
        slack_event_key=link.event_key if link else None)


def deal_change(plan: Plan, reading: Reading, deal: DealRef,
                 current: Decimal) -> DealChangeSpec | Answer:
    stage, edits = plan.stage, plan.edits
    lost_reason = None
    if stage is not None and stage.tag == "lost":
        # what follows the names and the lost word: "to a competitor", "pricing too high"
        said = rest(reading)
        named = any(m.kind in ("account", "deal", "contact") for m in reading.mentions)
        if not said and not named:  # a part of a longer line: "… and the pilot is lost"
            said = reading.sentence.raw
        if said and not _LOST_WORDS.match(said):  # "the pilot is lost, no budget"
            after = _AFTER_LOST.search(said)
            said = after.group(1) if after else said
        lost_reason = re.sub(r"^(?:because|since|as|bc|b/c)\s+", "",
                             _LOST_WORDS.sub("", said)).strip()[:500]
        if not lost_reason:
            return Answer(
                text="Why was it lost?",
                blocks=[ui.mrkdwn(f"Sorry to hear it. Why was *{escape(deal.display)}* lost? "
                                  "Tell me (`we lost umbrella, they went with a competitor`) "
                                  "or use the form. Nothing was changed yet."),
                        ui.actions(ui.button("Close lost…", "opp_close_lost", str(deal.id)))])
    amount = edits.amount
    if edits.amount_change is not None:  # "went up 10k": from what the deal holds now
        amount = current + edits.amount_change
        if amount < 0:
            return say_text(f"That would take *{escape(deal.display)}* below zero; nothing "
                            "was changed.", private=True)
    return DealChangeSpec(
        stage_id=stage.id if stage is not None and stage is not NEXT_STAGE else None,
        advance=stage is NEXT_STAGE, lost_reason=lost_reason, amount=amount,
        close_date=edits.close_date, probability=edits.probability,
        next_step=edits.next_step if edits.next_step is not None else UNSET)


def logged(activity: ActivityView, plan: Plan, place: str, tz: str) -> str:
    """"Logged a call with Jane Roe on *Globex — Expansion*: “…”. Follow-up due …"."""
    contact = plan.activity.contact if plan.activity else None
    with_whom = f" with {escape(contact.name)}" if contact else ""
    line = (f"Logged {with_article(activity.kind)}{with_whom} on {place}: "
            f"“{escape(activity.subject)}”")
    if activity.follow_up_at:
        line += f". Follow-up due {local_time(activity.follow_up_at, tz)}"
    return line


def new_deal_part(turn: Turn, plan: Plan, reading: Reading) -> Part | Answer | None:
    """The part of a plan that creates a deal (on an account the rep may see) with the
    activity said beside it logged on it; the question when the deal has no name; None
    when the plan creates none or the account is out of sight."""
    new = plan.new_deal
    if new is None or plan.account is None:
        return None
    account = turn.directory.account_name(turn.actor.id, plan.account.id)
    if account is None:
        return None
    named = next((m.known for m in reading.mentions if m.kind == "deal"
                  and m.known.scope == plan.account.id), None) if not new.name else None
    if named is not None:  # "new opp bluth company, add-on seats, 18k": that one exists
        return say_text(f"*{escape(account)}* already has a deal called "
                        f"“{escape(named.own_name or named.name)}”, so nothing was created. "
                        "Give the new one another name, or say what to change on that one "
                        "by its name.", private=True)
    if not new.name:
        return say_text(f"What should the new *{escape(account)}* deal be called? Say it "
                        f"with the terms: `new deal for {escape(account.lower())}: expansion, "
                        "50k, closing end of march`. Nothing was created.", private=True)
    spec = NewDealSpec(new.name[:200], account, turn.services.opportunities.default_currency,
                       amount=new.amount, close_date=new.close_date,
                       stage_id=new.stage.id if new.stage else None)
    spec_activity = activity(turn, plan, reading, turn.deps.clock.now())
    if spec_activity is not None:  # the deal's terms are on its card: the headline says the rest
        spec_activity = replace(spec_activity,
                                subject=_new_deal_headline(spec_activity.kind, plan, spec))
    return Part(None, plan.account.id, spec_activity, new_deal=spec)


def created(opp: OpportunityView) -> str:
    """"Created *Acme — Training* in *Prospecting* ($5,000, closes Fri, Jan 1, 2027)"."""
    return (f"Created *{escape(opp.title)}* in *{escape(opp.stage.name)}*"
            f" ({short_money(opp.amount, opp.currency)}, closes {day(opp.close_date)})")


def _new_deal_headline(kind: str, plan: Plan, spec: NewDealSpec) -> str:
    """"Call with Jane Roe", "Follow up on Globex — Training": what was done or is to do,
    without the new deal's terms the card already shows."""
    if kind == "task":
        return f"Follow up on {spec.account} — {spec.name}"[:300]
    contact = plan.activity.contact if plan.activity is not None else None
    return f"{kind.capitalize()} with {contact.name if contact else spec.account}"[:300]
