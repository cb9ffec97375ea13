"""One message → one plan: every fact in it, or the part that needs asking about.

The reading goes in four steps, each its own module so each can be tested alone:
`normalise` (escapes, emoji, shorthand, mood) → `spotting` (every known name in the
sentence) → `facts` (amounts, percentages, days, next step) → here, where each intent is
scored by its evidence (`CUES`: the words that say it, the names and facts that fit it, the
mood) instead of by which pattern comes first; `mood` then makes a question, a "don't" or a
"might" of a plan that would write. The plan then gathers what the message says
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

from handlers.language.command_rest import stands_apart, with_rest
from handlers.language.commands import follow_up_plan, question, quote_plan, role_plan
from handlers.language.cues import (
    ADVANCE_CUES,
    CUES,
    QUOTE_ACTIONS,
    REPORT_WORDS,
    RESCHEDULE_WORDS,
    ROLE_WORDS,
    SENT_THINGS,
    UNDO_PHRASES,
    cue_weight,
)
from handlers.language.deal_facts import (
    mentioned_words,
)
from handlers.language.deal_plan import facts_plan, stage_move
from handlers.language.facts import Facts, read_facts
from handlers.language.mood import with_mood
from handlers.language.new_deal_rest import with_earlier_facts
from handlers.language.normalise import Sentence, normalise
from handlers.language.plan import (
    Ask,
    Command,
    Plan,
    Reading,
)
from handlers.language.requests import request_plan
from handlers.language.several import several
from handlers.language.spotting import Gazetteer, Known, Mention


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
    plan = with_mood(sentence, mentions, _plan(sentence, mentions, facts, scores))
    plan = _asked_day(plan, facts)
    if whole and plan.intent in ("snooze", "done"):  # "done w the wayne f/u - close 12/15"
        plan = with_rest(plan, Reading(sentence, mentions, facts, scores, plan), lambda rest:
                         understand(rest, names, now, tz, fiscal_year_start=fiscal_year_start,
                                    visible=visible, decoded=True))
    if whole and plan.new_deal is not None:  # "umbrella to won; and open a new one for them"
        plan = with_earlier_facts(plan, Reading(sentence, mentions, facts, scores, plan),
                                  lambda part: understand(
                                      part, names, now, tz, fiscal_year_start=fiscal_year_start,
                                      visible=visible, decoded=True, whole=False))
    if whole and plan.intent in SPLITS:
        parts = several(sentence, mentions, lambda part: understand(
            part, names, now, tz, fiscal_year_start=fiscal_year_start, visible=visible,
            decoded=True, whole=False), creating=plan.new_deal is not None)
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


DECIDING = frozenset({"approve", "approved", "approving", "reject", "rejected", "rejecting",
                      "decline", "declined", "deny", "lgtm"})
"""An approver's words that decide a quote named by its deal ("approve the globex quote")."""
SHOWING = frozenset({"status", "show", "where's", "wheres", "latest"})
"""Words that ask to see a quote named by its deal ("status of my globex quote")."""
OPENING = frozenset({"add", "added", "open", "opened", "create", "created", "spun", "spin",
                     "opening", "adding"})
"""Verbs that, before a deal noun, make a new deal ("opened a migration opp"), unless it
is one already ("opened the acme deal card")."""
THE = frozenset({("the",), ("that",), ("this",), ("my",), ("our",), ("their",)})
SENT_QUOTE = frozenset({"quote", "sent", "the", "my", "our", "just", "out", "over", "to",
                        "them", "their", "went", "has", "been", "was", "is", "it"})
"""All the words (beside the deal's name) of "acme quote sent", "sent the globex quote"."""
ROLE_CHANGES = frozenset({"make", "promote", "demote", "change", "set", "switch", "should",
                          "now", "to", "as"})
"""Words that make "dana … admin" a role change ("dana should be an admin", "change morgan
to rep"), not a remark about someone's job ("ask dana, she's a manager")."""
SEVERAL_TIMES = frozenset({"twice", "times", "two", "three", "all", "everything", "both"})
"""Words that ask "undo" for more than the last change, which is all it reverses."""
DAY_WRITES = frozenset({"log", "move", "edit", "multi", "create", "snooze"})
SPLITS = frozenset({"log", "move", "edit", "multi", "unknown", "create"})
"""The plans a message naming several deals may be read as instead, part by part."""

# -- evidence ------------------------------------------------------------------------------
def _evidence(sentence: Sentence, mentions: tuple[Mention, ...], facts: Facts) -> dict[str, float]:
    """Each intent's score from its cue words (outside names), names and facts."""
    named = mentioned_words(mentions) | facts.step_words  # a call in the next step is to come
    words = [w for i, w in enumerate(sentence.words) if i not in named]
    scores = {intent: sum(cue_weight(intent, w) for w in words) for intent in CUES}
    kinds = {m.kind for m in mentions}
    if "stage" in kinds and stage_move(sentence, mentions) is not None:
        scores["move"] += 3
    if facts.amounts or facts.next_step or any(d.role == "close" for d in facts.days):
        scores["edit"] += 2 if facts.amounts or facts.next_step else 1.5
    if facts.percents and not all(p.discount for p in facts.percents):
        scores["edit"] += 1
    if "deal" in sentence.words and ("new" in sentence.words or "create" in sentence.words):
        scores["create"] += 2
    for at, word in enumerate(sentence.words[:-1]):
        following = sentence.words[at + 1:at + 4]
        if (word in OPENING and following[:1] not in THE and (
                "deal" in following or following[1:3] == ("new", "one")
                                 or following[:2] in (("new", "one"), ("another", "one"))))\
                or (word == "new" and ({"biz", "business"} & set(following[:2]))):
            scores["create"] += 2  # "opened a migration opp", "open a new one for them"
        if word == "deal" and {"called", "named"} & set(following) and not any(
                m.kind == "deal" and m.start > at for m in mentions):
            scores["create"] += 4  # "opp for virtucon called Services, 30k": no such deal
    if "quote" in kinds:
        scores["quote"] = 4 + sum(1 for w in words if w in QUOTE_ACTIONS)
    elif "quote" in words and ((DECIDING | SHOWING) & set(words) or (
            set(words) <= SENT_QUOTE and "sent" in words and any(
                m.kind in ("deal", "account") for m in mentions))):  # "acme quote sent"
        scores["quote"] = 4.0  # "approve the globex quote", "status of my globex quote"
    else:
        scores["quote"] = 2.0 if "quote" in words else 0.0
    if "follow" in words or "task" in words or "reminder" in words:
        scores["snooze"] += 1 if scores["snooze"] else 0
        scores["done"] += 1 if scores["done"] else 0
    if _finishes(sentence):
        scores["done"] += 5
    if "user" in kinds and any(w in ROLE_WORDS for w in words):
        scores["role"] += 3
    if "stage" not in kinds and scores["move"] >= 3 and _to_a_person(sentence, mentions):
        scores["owner"] += 3  # "move the pied piper deal to dana": a new owner, no stage
    words_at = sentence.words
    ends = {m.end for m in mentions if m.kind in ("account", "deal")}  # "grace called": a call
    for at, word in enumerate(words_at):
        if word in ("called", "named") and (at in ends or words_at[at - 1] == "deal"):
            scores["log"] -= cue_weight("log", word)  # "a deal for initech called …"
    if "account" in kinds and "deal" not in kinds and facts.amounts and not sentence.is_question:
        first = min(m.end for m in mentions if m.kind == "account")
        if "deal" in words_at[first:first + 5] and {"a", "an", "another", "new"} & set(
                words_at[first:first + 5]):  # not "gringotts deal is now 75k": an edit
            scores["create"] += 3  # "monarch wants a pilot deal, 20k": no such deal yet
    for at, word in enumerate(words_at):
        if word == "sent" and SENT_THINGS & set(words_at[max(0, at - 2):at + 4]):
            scores["log"] += 1  # "sent proposal", "msa sent": the email that went out
    scores["question"] = 4.0 if sentence.is_question else 0.0
    if set(words) & REPORT_WORDS:
        scores["question"] += 2
    return scores


def _to_a_person(sentence: Sentence, mentions: tuple[Mention, ...]) -> bool:
    """Whether the message ends "… to dana" or "… to @dana": a person, where a move names
    its stage."""
    words = sentence.words
    last = len(words) - 1
    if sentence.users and last > 0 and words[last - 1] == "to" and words[last][:1] == "@":
        return True
    return any(m.kind == "user" and m.start > 0 and words[m.start - 1] == "to"
               and m.end == len(words) for m in mentions)


# -- the plan ------------------------------------------------------------------------------
def _plan(sentence: Sentence, mentions: tuple[Mention, ...], facts: Facts,
          scores: Mapping[str, float]) -> Plan:
    words = sentence.words
    if not words:
        return Plan("chatter" if sentence.cheer else "help")  # "👍": nothing to do
    if scores["undo"] >= 5 or sentence.text.strip(" .!") in UNDO_PHRASES:
        many = (Ask("count"),) if set(words) & SEVERAL_TIMES or any(
            w.isdigit() and int(w) > 1 for w in words) else ()
        return Plan("undo", command=Command("undo"), asks=many)
    if scores["help"] >= 4 and len(words) <= 4:
        return Plan("help")
    if scores["role"] >= 4 or (scores["role"] >= 1 and sentence.users
                               and set(words) & set(ROLE_WORDS)) or (
            any(m.kind == "user" for m in mentions) and set(words) & set(ROLE_WORDS)
            and set(words) & ROLE_CHANGES) or (
            words[:1] == ("make",) and "me" in words and set(words) & set(ROLE_WORDS)) \
            or _makes_someone(sentence, mentions):
        return role_plan(sentence, mentions)
    if scores["quote"] >= 4:
        return quote_plan(sentence, mentions, facts)
    if (asked := request_plan(sentence, mentions, facts, scores)) is not None:
        return asked
    if scores["question"] >= 4 and scores["question"] >= max(scores["log"], scores["edit"]):
        return Plan("question", question=question(sentence, mentions))
    if scores["create"] < 4 and (scores["log"] < 2 or stands_apart(
            sentence, "done" if scores["done"] >= 4 else "snooze")) and (
            scores["snooze"] >= 5 or _reschedules(sentence, mentions, facts, scores)
            or (scores["done"] >= 4 and (_about_follow_up(sentence) or _finishes(sentence)))):
        return follow_up_plan(sentence, mentions, facts, scores)
    if not mentions and not facts.amounts and (
            (scores["thanks"] >= 2 and (len(words) <= 4 or max(
                scores[k] for k in ("log", "move", "edit", "create")) < 2))
            or (scores["thanks"] >= 1 and len(words) <= 2)):  # "cool", "ugh mondays",
        return Plan("chatter")  # "have a good weekend", "lol the coffee machine is broken"
    if scores["hello"] >= 3 and not mentions and (len(words) <= 3 or (len(words) <= 6 and max(
            scores[k] for k in ("log", "move", "edit", "create")) < 2)):  # "crazy week ahead"
        return Plan("hello")
    if scores["question"] >= 2 and scores["log"] < 2 and not any(
            m.kind in ("account", "deal", "contact") for m in mentions):  # "pipeline for dana"
        return Plan("question", question=question(sentence, mentions))
    return facts_plan(sentence, mentions, facts, scores)


def _makes_someone(sentence: Sentence, mentions: tuple[Mention, ...]) -> bool:
    """"make dana a vp": a role change even when the role is none the bot has, so the
    answer asks which role instead of reading it as a note."""
    words = sentence.words
    person = next((m for m in mentions if m.kind == "user" and m.start == 1), None)
    if words[:1] != ("make",) or len(words) > 5:
        return False
    after = person.end if person is not None else 2 if words[1:2] == ("me",) else None
    return after is not None and words[after:after + 1] in (("a",), ("an",))


def _reschedules(sentence: Sentence, mentions: tuple[Mention, ...], facts: Facts,
                 scores: Mapping[str, float]) -> bool:
    """"push the wayne follow-up to next tues", "hooli f/u → friday": a follow-up that
    exists, given a new day; not an activity with a follow-up ("call w/ acme, f/u fri"),
    nor a stage move with one ("initech to proposal + f/u w ken thurs")."""
    if scores["log"] >= 2 or not facts.days or not _about_follow_up(sentence):
        return False
    if stage_move(sentence, mentions) is not None or ADVANCE_CUES & set(sentence.words) \
            or facts.amounts:
        return False  # "advance initech to the next stage, f/u monday": a move and a task
    for day in facts.days:
        before = sentence.text[:day.start].split()
        if not FOLLOW_UP_WORDS & set(before):
            continue  # the follow-up is named before its new day
        lead = day.phrase.split()[0] if day.phrase else ""
        if lead in UNTIL_WORDS or (before and before[-1] in UNTIL_WORDS) \
                or set(before) & RESCHEDULE_WORDS:
            return True
    return False


UNTIL_WORDS = frozenset({"to", "until", "till", "til", "->", "→", "for"})
"""Words that give a follow-up its new day: "hooli follow up to monday", "f/u → friday"."""


def _about_follow_up(sentence: Sentence) -> bool:
    return any(w in FOLLOW_UP_WORDS for w in sentence.words)


FOLLOW_UP_WORDS = frozenset({"follow", "task", "reminder", "followups", "todo"})
TICK_OFF = frozenset({"check", "tick", "cross"})
"""Verbs that, with "off", finish a to-do: "tick off the hooli one"."""
CLOSE_TASK = frozenset({"close", "clear", "dismiss", "finish", "complete", "resolve"})
"""Verbs that finish a follow-up when it is their object: "clear the acme reminder"."""


def _finishes(sentence: Sentence) -> bool:
    """"check off hooli", "close the reminder": a follow-up finished, said without "done"
    (closing a deal is not this: the follow-up word must come right after the verb)."""
    words = sentence.words
    for at, word in enumerate(words[:-1]):
        if word in TICK_OFF and words[at + 1] == "off":
            return True
        if word in CLOSE_TASK and words[at + 1] != "date" \
                and FOLLOW_UP_WORDS & set(words[at + 1:at + 4]):
            return True  # "close date 12/20 f/u monday" is a close date and a follow-up
    return False


