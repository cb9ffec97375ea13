"""A message's facts about one subject as a plan: log, move, edit, create, as many as it says.

`understanding` decides that a message states facts (not a command, not a question); this
gathers them about the one account or deal it names: an activity (done, or planned with a
day), a stage said as a destination, the deal fields the figures set, a new deal with its
terms and stage. What is unclear is an `Ask`; nothing here knows Slack or the store.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from handlers.language.close_checks import close_refusal
from handlers.language.cues import (
    ACTIVITY_KIND,
    ADVANCE_CUES,
    BASE_VERBS,
    FUTURE,
    NEXT_STAGE,
    NOT_A_LOSS,
    NOT_BEFORE_STAGE,
    PAST_MARKERS,
    TO_WORDS,
    cue_weight,
)
from handlers.language.deal_facts import (
    activity_kind,
    deal_edits,
    either_or,
    mentioned_words,
    new_deal_name,
    refusals_of,
    unknown_subject,
)
from handlers.language.facts import Facts
from handlers.language.follow_up_day import follow_up_day
from handlers.language.normalise import Sentence, opens_clause, rest_after, stands_alone
from handlers.language.plan import Activity, Ask, Edits, NewDeal, Plan, Question
from handlers.language.spotting import EXACT, Known, Mention
from handlers.language.subjects import best_of, contact_of, subject_of


def stage_move(sentence: Sentence, mentions: tuple[Mention, ...]) -> list[Mention] | None:
    """The stage mentions said as a destination ("to negotiation", "signed!", "closed won"),
    not as a thing ("sent the proposal"); None when there is none."""
    found = []
    for mention in mentions:
        if mention.kind != "stage":
            continue
        before = sentence.words[max(0, mention.start - 2):mention.start]
        after = sentence.words[mention.end] if mention.end < len(sentence.words) else ""
        if before and before[-1] in NOT_BEFORE_STAGE:
            continue
        if mention.known.tag == "lost" and after in NOT_A_LOSS and not _names_deal_at(
                mentions, mention.end + (after in ("the", "our", "my"))) and not (
                after in ("it", "them") and _after_a_name(mentions, mention)):
            continue  # "lost track of them", but "lost the hooli pilot", "acme: lost it"
        said_as_move = (any(w in TO_WORDS for w in before) or mention.known.tag is not None
                        or _said_move(sentence)
                        or (mention.score >= EXACT and _after_a_name(mentions, mention)
                            and stands_alone(sentence, mention.start, mention.end)))
        if mention.score < EXACT and not _said_move(sentence) and not (
                before and before[-1] == "to" and ARROWS.search(sentence.raw)):
            said_as_move = False  # "a call to negotiate": a verb, unless a move is said
            # (or drawn: "acme ->negotiaton")
        if said_as_move:
            found.append(mention)
    return found or None


ARROWS = re.compile(r"->|=>|→|⇒|➡")


def _after_a_name(mentions: tuple[Mention, ...], stage: Mention) -> bool:
    """Whether a deal or an account is named before the stage ("hooli pilot: needs
    analysis"), so a stage said alone in its clause is where that deal now is."""
    return any(m.kind in ("deal", "account") and m.end <= stage.start for m in mentions)


def _names_deal_at(mentions: tuple[Mention, ...], at: int) -> bool:
    """Whether a deal or an account is named starting at word `at`."""
    return any(m.start == at and m.kind in ("deal", "account") for m in mentions)


def _said_move(sentence: Sentence) -> bool:
    return any(cue_weight("move", w) > 0 for w in sentence.words)


def _planned(sentence: Sentence, facts: Facts, named: frozenset[int] | set[int]) -> bool:
    """An activity still to do: "set up a call with initech", "need to email dana", or
    "call them tomorrow" (the verb as an order, with a day ahead); words of a name
    (`named`: the stage "Needs Analysis") are no such cue."""
    for at, word in enumerate(sentence.words):
        if at in named or at in facts.step_words:
            continue
        if word in FUTURE:
            return True
        if word in ACTIVITY_KIND:
            before = sentence.words[at - 1] if at else ""
            ahead = any(d.day > facts.occurred_day for d in facts.days)
            after = sentence.words[at + 1] if at + 1 < len(sentence.words) else ""
            order = opens_clause(sentence, at) or before in ("please", "pls", "and", "then")
            said_at = len(" ".join(sentence.words[:at + 1])) + 1  # "demo tmrw 2pm": to come
            dated = any(d.start == said_at and d.day > facts.occurred_day for d in facts.days)
            return ((word in BASE_VERBS and ahead and order) or dated) \
                and before not in PAST_MARKERS and not _said_done(sentence) \
                and after not in ("with", "from", "about", "to", *DONE_AFTER) \
                and not set(DONE_AFTER) & set(sentence.words[at:])
    return False


def _said_done(sentence: Sentence) -> bool:
    """"email to eva re pricing, sent quote, f/u next week": an activity word in the past
    tense says it happened, so the day ahead is its follow-up, not a task's."""
    return any(w in ACTIVITY_KIND and (w.endswith("ed") or w in ("sent", "met", "spoke",
                                                                  "rang"))
               for w in sentence.words)


DONE_AFTER = ("done", "went", "was", "happened", "complete", "completed", "finished")
"""Words after an activity word that say it happened: "demo done, f/u in a week"."""


def facts_plan(sentence: Sentence, mentions: tuple[Mention, ...], facts: Facts,
                scores: Mapping[str, float]) -> Plan:
    """Log / move / edit / create, as many as the message says, about one subject."""
    account, deal, asks = subject_of(_topic(sentence, mentions))
    refusals = refusals_of(facts)
    creating = scores["create"] >= 4
    stage_mentions = stage_move(sentence, mentions)
    stage, ask = best_of("stage", stage_mentions or [])
    asks += [ask] if ask else []
    planned = _planned(sentence, facts, mentioned_words(mentions))
    task_day = planned and any(d.role in ("follow_up", None) for d in facts.days)
    edits = deal_edits(sentence, facts, mentions, logging=scores["log"] >= 2 or task_day,
                       creating=creating)  # "send globex the contract tmrw": the task's day
    activity = None
    contact, contact_asks = contact_of(mentions, account)
    if planned:
        day = next((d.day for d in facts.days if d.role in ("follow_up", None)), None)
        if day is not None and (account or deal):
            activity = Activity("task", contact, day, sentence.raw)
    elif scores["log"] >= 2 or (scores["log"] >= 1 and contact is not None):
        activity = Activity(activity_kind(sentence, facts), contact, follow_up_day(facts, edits),
                            sentence.raw)
        asks.extend(contact_asks)
    elif any(d.role == "follow_up" for d in facts.days) and (account or deal):
        day = next(d.day for d in facts.days if d.role == "follow_up")
        activity = Activity("task", contact, day, sentence.raw)
    refusals += _cannot_apply(sentence, facts, edits, stage, stage_mentions)
    new_deal = None
    if creating:
        new_deal = NewDeal(new_deal_name(sentence, mentions, facts), edits.amount,
                           edits.close_date, stage)
        edits, stage = Edits(), None
    if stage is None and not stage_mentions and not creating \
            and (ADVANCE_CUES & set(sentence.words) or _to_next_stage(sentence, facts)):
        stage = NEXT_STAGE  # "advance initech": the stage after the one it is in
    intent = _main_intent(activity, stage, edits, new_deal)
    if intent == "unknown":
        if (account or deal) and _bare(sentence, mentions):  # "acme", "the globex deal"
            return Plan("question", account=account, deal=deal,
                        question=Question("show", deal or account, sentence.raw))
        if sentence.words[0] in SHOW_WORDS and len(sentence.words) > 1 and not refusals:
            typed = rest_after(sentence, 1).strip(" .!?\"'")  # "show nosuchco": say so
            return Plan("question", question=Question("show", None, sentence.raw, typed))
        return Plan("unknown", refusals=tuple(refusals))
    unknown = None
    named_apart = len({m.start for m in mentions if m.kind in ("account", "deal")}) > 1
    if account is None and deal is None and not named_apart:
        # no name found, or one phrase read as several (two names said: asked which)
        unknown = unknown_subject(sentence, mentions, at=next(
            (m.start for m in mentions if m.kind == "account"), None))
    if account is None and deal is None and not asks:
        asks.append(Ask("subject", typed=unknown[0] if unknown else None))
    return Plan(intent, account=account, deal=deal, activity=activity, stage=stage,
                edits=edits, new_deal=new_deal, asks=tuple(asks), refusals=tuple(refusals),
                unknown_name=unknown[0] if unknown else None,
                unknown_rest=unknown[1] if unknown else None)


def _bare(sentence: Sentence, mentions: tuple[Mention, ...]) -> bool:
    """A name said alone ("acme", "the globex deal"), or asked to be shown ("show me the
    umbrella deal"): the card is the answer."""
    named = mentioned_words(mentions)
    return len(sentence.words) - len(named) <= 1 or (sentence.words[0] in SHOW_WORDS and all(
        w in SHOW_WORDS or w in SHOW_FILLER for i, w in enumerate(sentence.words)
        if i not in named))



def _topic(sentence: Sentence, mentions: tuple[Mention, ...]) -> tuple[Mention, ...]:
    """"note on hooli: acme asked about globex": the one account or deal named before a
    colon is what the rest is about; the names after it are the note's own words."""
    colon = sentence.raw.find(":")
    if colon < 0:
        return mentions
    named = [m for m in mentions if m.kind in ("account", "deal")]
    before = [m for m in named if sentence.ends[m.end - 1] <= colon]
    if len(before) == 1 and len(named) > 1:
        topic = before[0].known
        account = topic.id if topic.kind == "account" else topic.scope
        return tuple(m for m in mentions if m.kind not in ("account", "deal")
                     or sentence.ends[m.end - 1] <= colon
                     or (m.kind == "deal" and m.known.scope == account))  # its own deal
    return mentions


_NEXT_STAGE = re.compile(r"\b(?:to|into|onto) (?:the )?next stage\b")


def _to_next_stage(sentence: Sentence, facts: Facts) -> bool:
    """"bump acme to the next stage": the stage after the one it is in, said without
    "advance"; not when the words are the next step's own ("next step: plan the next
    stage")."""
    found = _NEXT_STAGE.search(sentence.text)
    return found is not None and not (facts.next_step and "next stage" in facts.next_step)


def _cannot_apply(sentence: Sentence, facts: Facts, edits: Edits, stage: Known | None,
                  stage_mentions: list[Mention] | None) -> list[str]:
    """Why the facts as said can't be written: each a question the rep can answer."""
    found = []
    if (unknown_stage := _unknown_stage(sentence, facts, stage_mentions)) is not None:
        found.append(f"I know no stage called “{unknown_stage}”. Which stage did you mean? "
                     "`/sales stages` lists them.")
    if (close := close_refusal(sentence, facts, edits, stage)) is not None:
        found.append(close)
    if (either := either_or(sentence, facts)) is not None:
        found.append(f"Which is it: {either}? Say the one that holds.")
    if _amount_not_given(sentence, facts):
        found.append("What amount? Say it in figures, like `amount 50k`.")
    return found


MOVE_VERBS = frozenset({"move", "moved", "moving", "advance", "advanced"})


def _unknown_stage(sentence: Sentence, facts: Facts,
                   stage_mentions: list[Mention] | None) -> str | None:
    """"move acme to contracting": a move said to a stage the team does not have, so the
    answer asks which stage instead of not understanding; None when a stage was named, or
    the words after "to" are a day, a figure or "the next stage"."""
    words = sentence.words
    if stage_mentions or facts.days or facts.amounts or facts.percents \
            or not MOVE_VERBS & set(words):
        return None
    at = next((i for i, w in enumerate(words) if w in ("to", "into", "onto")), None)
    if at is None or at + 1 >= len(words) or {"next", "stage"} >= set(words[at + 1:]) \
            or "next" in words[at + 1:]:
        return None
    return rest_after(sentence, at + 1).strip(" .!?\"'") or None


def _amount_not_given(sentence: Sentence, facts: Facts) -> bool:
    """"acme amount: lots", "the value is tbd": an amount set to words that are no figure
    is asked about, not read as a note or not understood."""
    if facts.amounts:
        return False
    for at, word in enumerate(sentence.words[:-1]):
        if word in ("amount", "value"):
            after = sentence.raw[sentence.ends[at]:].lstrip()
            if after.startswith((":", "=")) or sentence.words[at + 1] in ("is", "to", "now"):
                return True
    return False


SHOW_WORDS = frozenset({"show", "open", "find", "lookup", "deal", "status", "card", "pull", "view"})
"""First words that ask to see a deal or an account by the name after them."""
SHOW_FILLER = frozenset({"me", "the", "us", "my", "our", "for", "of", "pls", "please", "opp",
                         "account", "again", "up", "quickly"})


def _main_intent(activity: Activity | None, stage: Known | None, edits: Edits,
                 new_deal: NewDeal | None) -> str:
    said = [name for name, part in (("create", new_deal), ("log", activity), ("move", stage),
                                    ("edit", edits or None)) if part is not None]
    if not said:
        return "unknown"
    return said[0] if len(said) == 1 else "multi"
