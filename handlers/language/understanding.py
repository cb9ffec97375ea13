"""One message → one plan: every fact in it, or the part that needs asking about.

The reading goes in four steps, each its own module so each can be tested alone:
`normalise` (escapes, emoji, shorthand, mood) → `spotting` (every known name in the
sentence) → `facts` (amounts, percentages, days, next step) → here, where each intent is
scored by its evidence (`CUES`: the words that say it, the names and facts that fit it, the
mood) instead of by which pattern comes first. The plan then gathers what the message says
about its one subject: an activity, a stage move, field edits, a new deal; or it is one
command (undo, snooze, done, a quote decision, a role change), or a question (which never
writes). Anything unclear is an `Ask`, and a plan with an ask writes nothing.

Pure Python with no Slack and no store: the names come in as a `Gazetteer` the caller built
from the store, so a stage renamed in `/sales stages` is read by its new name at once.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import datetime

from handlers.language.commands import follow_up_plan, question, quote_plan, role_plan
from handlers.language.cues import (
    ACTIVITY_KIND,
    ADVANCE_CUES,
    BASE_VERBS,
    CUES,
    FUTURE,
    NEXT_STAGE,
    NOT_A_LOSS,
    NOT_BEFORE_STAGE,
    PAST_MARKERS,
    QUOTE_ACTIONS,
    REPORT_WORDS,
    RESCHEDULE_WORDS,
    ROLE_WORDS,
    TO_WORDS,
    UNDO_PHRASES,
)
from handlers.language.deal_facts import (
    activity_kind,
    deal_edits,
    mentioned_words,
    new_deal_name,
    refusals_of,
    unknown_name,
)
from handlers.language.facts import Facts, read_facts
from handlers.language.normalise import Sentence, normalise, opens_clause
from handlers.language.plan import (
    Activity,
    Ask,
    Command,
    Edits,
    NewDeal,
    Plan,
    Question,
    Reading,
)
from handlers.language.several import several
from handlers.language.spotting import EXACT, Gazetteer, Known, Mention
from handlers.language.subjects import best_of, contact_of, subject_of
from handlers.language.wordforms import one_edit


def understand(text: str, names: Gazetteer, now: datetime, tz: str, *,
               fiscal_year_start: int = 1,
               visible: Callable[[Known], bool] | None = None,
               decoded: bool = False, whole: bool = True) -> Reading:
    """Read `text` (see the module docstring); `now` is aware, `tz` the rep's zone;
    `visible` drops names the rep may not see, so they read as unknown words. A message
    about several deals is read part by part (`several`) unless `whole` is False (a part)."""
    sentence = normalise(text, decoded=decoded)
    mentions = tuple(m for m in names.spot(sentence.words)
                     if visible is None or visible(m.known))
    facts = read_facts(sentence, now, tz, fiscal_year_start=fiscal_year_start)
    scores = _evidence(sentence, mentions, facts)
    plan = _plan(sentence, mentions, facts, scores)
    plan = _asked_day(plan, facts)
    if whole and plan.intent in SPLITS:
        parts = several(sentence, mentions, lambda part: understand(
            part, names, now, tz, fiscal_year_start=fiscal_year_start, visible=visible,
            decoded=True, whole=False))
        plan = parts or plan
    return Reading(sentence, mentions, facts, scores, plan)


def _asked_day(plan: Plan, facts: Facts) -> Plan:
    """A day read two ways ("closing next fri" on a Wednesday, "12/03" with no settled
    order) in a plan that writes is asked about first, never guessed."""
    if plan.intent not in DAY_WRITES:
        return plan
    for day in facts.days:
        if day.other is not None:
            ask = Ask("day", readings=(day.day.isoformat(), day.other.isoformat()),
                      typed=day.phrase)
            return replace(plan, asks=(ask, *plan.asks))
    return plan


DAY_WRITES = frozenset({"log", "move", "edit", "multi", "create", "snooze"})
SPLITS = frozenset({"log", "move", "edit", "multi", "unknown"})
"""The plans a message naming several deals may be read as instead, part by part."""

# -- evidence ------------------------------------------------------------------------------
def _cue_weight(intent: str, word: str) -> float:
    cues = CUES[intent]
    if word in cues:
        return cues[word]
    if len(word) >= 5:  # "mvoe", "advnce": one slip from a cue still counts, for less
        for cue, weight in cues.items():
            if len(cue) >= 4 and abs(len(cue) - len(word)) <= 1 and one_edit(word, cue):
                return weight * 0.7
    return 0.0


def _evidence(sentence: Sentence, mentions: tuple[Mention, ...], facts: Facts) -> dict[str, float]:
    """Each intent's score from its cue words (outside names), names and facts."""
    named = mentioned_words(mentions)
    words = [w for i, w in enumerate(sentence.words) if i not in named]
    scores = {intent: sum(_cue_weight(intent, w) for w in words) for intent in CUES}
    kinds = {m.kind for m in mentions}
    if "stage" in kinds and _stage_move(sentence, mentions) is not None:
        scores["move"] += 3
    if facts.amounts or facts.next_step or any(d.role == "close" for d in facts.days):
        scores["edit"] += 2 if facts.amounts or facts.next_step else 1.5
    if facts.percents and not all(p.discount for p in facts.percents):
        scores["edit"] += 1
    if "deal" in sentence.words and ("new" in sentence.words or "create" in sentence.words):
        scores["create"] += 2
    for at, word in enumerate(sentence.words[:-1]):
        following = sentence.words[at + 1:at + 3]
        if (word in ("add", "open") and "deal" in following) or (word == "new" and (
                {"biz", "business"} & set(following))):
            scores["create"] += 2
    if "quote" in kinds:
        scores["quote"] = 4 + sum(1 for w in words if w in QUOTE_ACTIONS)
    else:
        scores["quote"] = 2.0 if "quote" in words else 0.0
    if "follow" in words or "task" in words or "reminder" in words:
        scores["snooze"] += 1 if scores["snooze"] else 0
        scores["done"] += 1 if scores["done"] else 0
    if "user" in kinds and any(w in ROLE_WORDS for w in words):
        scores["role"] += 3
    scores["question"] = 4.0 if sentence.is_question else 0.0
    if set(words) & REPORT_WORDS:
        scores["question"] += 2
    return scores


# -- the plan ------------------------------------------------------------------------------
def _plan(sentence: Sentence, mentions: tuple[Mention, ...], facts: Facts,
          scores: Mapping[str, float]) -> Plan:
    words = sentence.words
    if not words:
        return Plan("chatter" if sentence.cheer else "help")  # "👍": nothing to do
    if scores["undo"] >= 5 or sentence.text.strip(" .!") in UNDO_PHRASES:
        return Plan("undo", command=Command("undo"))
    if scores["help"] >= 4 and len(words) <= 4:
        return Plan("help")
    if scores["role"] >= 4 or (scores["role"] >= 1 and sentence.users
                               and set(words) & set(ROLE_WORDS)) or (
            words[:1] == ("make",) and "me" in words and set(words) & set(ROLE_WORDS)):
        return role_plan(sentence, mentions)
    if scores["quote"] >= 4:
        return quote_plan(sentence, mentions, facts)
    if scores["question"] >= 4 and scores["question"] >= max(scores["log"], scores["edit"]):
        return Plan("question", question=question(sentence, mentions))
    if scores["log"] < 2 and (scores["snooze"] >= 5 or _reschedules(sentence, facts, scores)
                              or (scores["done"] >= 4 and _about_follow_up(sentence))):
        return follow_up_plan(sentence, mentions, facts, scores)
    if scores["lead"] >= 5 and scores["log"] < 3:
        return Plan("lead", command=Command("lead", args={"text": sentence.raw}))
    if scores["thanks"] >= 2 and len(words) <= 4 and not mentions:
        return Plan("chatter")
    if scores["hello"] >= 3 and len(words) <= 3 and not mentions:
        return Plan("hello")
    if scores["question"] >= 2 and not mentions and scores["log"] < 2:
        return Plan("question", question=question(sentence, mentions))
    return _facts_plan(sentence, mentions, facts, scores)


def _reschedules(sentence: Sentence, facts: Facts, scores: Mapping[str, float]) -> bool:
    """"push the wayne follow-up to next tues", "hooli f/u → friday": a follow-up that
    exists, given a new day; not an activity with a follow-up ("call w/ acme, f/u fri")."""
    if scores["log"] >= 2 or not facts.days or not _about_follow_up(sentence):
        return False
    words = set(sentence.words)
    return bool(words & RESCHEDULE_WORDS) or "to" in words or "until" in words


def _about_follow_up(sentence: Sentence) -> bool:
    return any(w in ("follow", "task", "reminder", "followups", "todo") for w in sentence.words)


def _stage_move(sentence: Sentence, mentions: tuple[Mention, ...]) -> list[Mention] | None:
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
        if mention.known.tag == "lost" and after in NOT_A_LOSS:
            continue
        said_as_move = (any(w in TO_WORDS for w in before) or mention.known.tag is not None
                        or _said_move(sentence))
        if mention.score < EXACT and not _said_move(sentence):
            said_as_move = False  # "a call to negotiate": a verb, unless a move is said
        if said_as_move:
            found.append(mention)
    return found or None


def _said_move(sentence: Sentence) -> bool:
    return any(_cue_weight("move", w) > 0 for w in sentence.words)


def _planned(sentence: Sentence, facts: Facts) -> bool:
    """An activity still to do: "set up a call with initech", "need to email dana", or
    "call them tomorrow" (the verb as an order, with a day ahead)."""
    for at, word in enumerate(sentence.words):
        if word in FUTURE:
            return True
        if word in ACTIVITY_KIND:
            before = sentence.words[at - 1] if at else ""
            ahead = any(d.day > facts.occurred.date() for d in facts.days)
            after = sentence.words[at + 1] if at + 1 < len(sentence.words) else ""
            order = opens_clause(sentence, at) or before in ("please", "pls", "and", "then")
            return (word in BASE_VERBS and ahead and order and before not in PAST_MARKERS
                    and after not in ("with", "from", "about", *DONE_AFTER))
    return False


DONE_AFTER = ("done", "went", "was", "happened", "complete", "completed", "finished")
"""Words after an activity word that say it happened: "demo done, f/u in a week"."""


def _facts_plan(sentence: Sentence, mentions: tuple[Mention, ...], facts: Facts,
                scores: Mapping[str, float]) -> Plan:
    """Log / move / edit / create, as many as the message says, about one subject."""
    account, deal, asks = subject_of(mentions)
    refusals = refusals_of(facts)
    creating = scores["create"] >= 4
    stage_mentions = _stage_move(sentence, mentions)
    stage, ask = best_of("stage", stage_mentions or [])
    asks += [ask] if ask else []
    edits = deal_edits(sentence, facts, mentions, logging=scores["log"] >= 2, creating=creating)
    activity = None
    contact, contact_asks = contact_of(mentions, account)
    if _planned(sentence, facts):
        day = next((d.day for d in facts.days if d.role in ("follow_up", None)), None)
        if day is not None and (account or deal):
            activity = Activity("task", contact, day, sentence.raw)
    elif scores["log"] >= 2 or (scores["log"] >= 1 and contact is not None):
        kind = activity_kind(sentence)
        follow_up = next((d.day for d in facts.days if d.role == "follow_up"), None)
        if follow_up is None and not edits.close_date:
            follow_up = next((d.day for d in facts.days if d.role is None), None)
        activity = Activity(kind, contact, follow_up, sentence.raw)
        asks.extend(contact_asks)
    elif any(d.role == "follow_up" for d in facts.days) and (account or deal):
        day = next(d.day for d in facts.days if d.role == "follow_up")
        activity = Activity("task", contact, day, sentence.raw)
    new_deal = None
    if creating:
        new_deal = NewDeal(new_deal_name(sentence, mentions, facts), edits.amount,
                           edits.close_date, stage)
        edits, stage = Edits(), None
    if stage is None and not stage_mentions and not creating \
            and ADVANCE_CUES & set(sentence.words):
        stage = NEXT_STAGE  # "advance initech": the stage after the one it is in
    intent = _main_intent(activity, stage, edits, new_deal)
    if intent == "unknown":
        bare = len(sentence.words) - len(mentioned_words(mentions)) <= 1
        if (account or deal) and bare:  # "acme", "the globex deal": show it
            return Plan("question", account=account, deal=deal,
                        question=Question("show", deal or account, sentence.raw))
        return Plan("unknown", refusals=tuple(refusals))
    unknown = unknown_name(sentence, mentions) if account is None and deal is None else None
    if account is None and deal is None and not asks:
        asks.append(Ask("subject", typed=unknown))
    return Plan(intent, account=account, deal=deal, activity=activity, stage=stage,
                edits=edits, new_deal=new_deal, asks=tuple(asks), refusals=tuple(refusals),
                unknown_name=unknown)


def _main_intent(activity: Activity | None, stage: Known | None, edits: Edits,
                 new_deal: NewDeal | None) -> str:
    said = [name for name, part in (("create", new_deal), ("log", activity), ("move", stage),
                                    ("edit", edits or None)) if part is not None]
    if not said:
        return "unknown"
    return said[0] if len(said) == 1 else "multi"
