"""The conversation: one intent in, one answer out, the same for DMs, @mentions, the
assistant thread, `/sales` and the buttons that finish a pending question.

It turns an intent into service calls and renders the result; it holds no rules of its
own (those are in `store/`), and never touches Slack's API (the surfaces deliver).
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from handlers.conversation.resolver import (
    Resolved,
    Subject,
    clean_phrase,
    new_account_name,
    plausible,
    resolve_deal,
    resolve_stage,
    resolve_subject,
)
from handlers.deps import Deps
from handlers.language.dates import find_date, start_of_working_day
from handlers.language.deal_terms import deal_terms, describe_changes, edit_terms, occurred_at
from handlers.language.intents import Intent
from handlers.pipeline.flow import PipelineFlow
from handlers.quotes import blocks as qb
from handlers.quotes.flow import QuoteFlow
from handlers.slack import blocks as ui
from handlers.slack.answer import Answer, MessageLink, say_text
from handlers.slack.text import day, escape, local_time, short_money
from store.resolve import resolve
from store.schemas import OpportunityView, UserView
from store.services.people.directory import DealRef


class Conversation:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps
        self.services = deps.services
        self.directory = deps.directory
        self.quotes = QuoteFlow(deps)
        self.pipeline = PipelineFlow(deps)

    # -- entry points --------------------------------------------------------------------
    def answer(self, intent: Intent, actor: UserView, *, chosen: dict[str, int] | None = None,
               link: MessageLink | None = None, follow_up_day: date | None = None) -> Answer:
        """Carry out `intent`; `chosen` holds ids the rep picked from an earlier question,
        `link` the Slack message an activity is logged from, `follow_up_day` a date picked
        in a form (instead of one said in words)."""
        chosen = chosen or {}
        if intent.name == "log":
            return self._log(intent, actor, chosen, link, follow_up_day)
        handler = getattr(self, f"_{intent.name}", self._unknown)
        return handler(intent, actor, chosen)

    # -- intents -------------------------------------------------------------------------
    def _edit(self, intent: Intent, actor: UserView, chosen: dict[str, int]) -> Answer:
        """"acme renewal is now 120k, closing end of march", "give the hooli deal to fox"…"""
        deal = self._deal(intent, actor, chosen)
        if isinstance(deal, Answer):
            return deal
        tz = actor.timezone or self.deps.default_timezone
        changes = edit_terms(intent, self.deps.clock.now(), tz)
        if "owner" in changes:
            owner = resolve(self.directory.users().search(changes.pop("owner"), limit=5,
                                                          cutoff=80))
            if owner.kind != "found":
                return say_text(f"I don't know who “{escape(intent.detail)}” is; use their "
                                "name as in Slack.", private=True)
            changes["owner_id"] = owner.match.id
        if not changes:
            return say_text("I couldn't tell what to change. Try `acme renewal is now 120k, "
                            "closing end of march` or `set wayne to 60%`.", private=True)
        before = self.services.opportunities.get(actor.id, deal.id)
        after = self.services.opportunities.update(actor.id, deal.id, **changes)
        line = f"Updated *{escape(after.title)}*: {describe_changes(before, after, tz)}."
        return Answer(text=line, blocks=ui.confirmation(line, after.undo_token))

    def _pipeline(self, intent: Intent, actor: UserView, _chosen: dict[str, int]) -> Answer:
        return self.pipeline.pipeline(intent, actor)

    def _forecast(self, intent: Intent, actor: UserView, _chosen: dict[str, int]) -> Answer:
        return self.pipeline.forecast(intent, actor)

    def _lead(self, intent: Intent, actor: UserView, _chosen: dict[str, int]) -> Answer:
        return self.pipeline.lead(intent, actor)

    def _leads(self, intent: Intent, actor: UserView, _chosen: dict[str, int]) -> Answer:
        return self.pipeline.leads(intent, actor)

    def _quote(self, intent: Intent, actor: UserView, chosen: dict[str, int]) -> Answer:
        return self.quotes.answer(intent, actor, chosen)

    def _reminders(self, _intent: Intent, actor: UserView, _chosen: dict[str, int]) -> Answer:
        tz = actor.timezone or self.deps.default_timezone
        coming = self.services.reminders.upcoming(actor.id)
        names = {"follow_up": "follow-up", "renewal": "renewal", "stale_deal": "quiet deal",
                 "digest": "daily digest"}
        lines = [f"• {local_time(at, tz)}: {names.get(kind, kind)}" for at, kind, _ in coming]
        return say_text("*Coming up*\n" + ("\n".join(lines) or "Nothing scheduled."),
                        private=True)

    def _mute(self, intent: Intent, actor: UserView, _chosen: dict[str, int]) -> Answer:
        tz = actor.timezone or self.deps.default_timezone
        if intent.detail is None:
            self.services.reminders.mute(actor.id, None)
            return say_text("Reminders are on again.", private=True)
        found = find_date(intent.detail, self.deps.clock.now(), tz)
        if found is None:
            return say_text("Until when? Try `mute reminders until monday`.", private=True)
        until = start_of_working_day(found.day, tz, self.deps.working_hours)
        self.services.reminders.mute(actor.id, until)
        return say_text(f"Muted until {local_time(until, tz)}. Say `unmute` to undo.",
                        private=True)

    def _digest(self, intent: Intent, actor: UserView, _chosen: dict[str, int]) -> Answer:
        hour = None if intent.detail == "off" else int(intent.detail or 8)
        if hour is not None and not 0 <= hour <= 23:
            return say_text("An hour between 0 and 23, like `digest at 8am`.", private=True)
        self.services.reminders.set_digest_hour(actor.id, hour)
        if hour is None:
            return say_text("No more daily digest.", private=True)
        return say_text(f"Your daily digest comes at {hour:02d}:00 your time.", private=True)

    def _approvals(self, _intent: Intent, actor: UserView, _chosen: dict[str, int]) -> Answer:
        steps = self.services.approvals.queue(actor.id)
        return Answer(text=f"{len(steps)} approval(s) waiting", blocks=qb.queue(steps))

    def _delegate(self, intent: Intent, actor: UserView, _chosen: dict[str, int]) -> Answer:
        target = (intent.target or "").strip()
        if m := re.match(r"^<@([A-Z0-9]+)(?:\|[^>]*)?>$", target):
            target = m.group(1)
        off = target.lower() in ("off", "none", "nobody", "")
        return say_text(escape(self.services.approvals.delegate(
            actor.id, None if off else target.lstrip("@"))), private=True)

    def _kb(self, intent: Intent, _actor: UserView, _chosen: dict[str, int]) -> Answer:
        from handlers.knowledge.search import search_answer

        return search_answer(self.deps, intent.detail or intent.text)

    def _usage(self, intent: Intent, _actor: UserView, _chosen: dict[str, int]) -> Answer:
        examples = {"deal": "/sales deal Acme", "show": "/sales deal Acme",
                    "opp": "/sales deal Acme", "move": '/sales move "Acme renewal" negotiation',
                    "advance": "/sales advance acme renewal", "won": "/sales won wayne",
                    "lost": "/sales lost umbrella: went with a competitor",
                    "quote": "/sales quote Acme renewal"}
        return say_text(f"Say which deal: `{examples.get(intent.target or '', '/sales help')}`",
                        private=True)

    def _help(self, _intent: Intent, _actor: UserView, _chosen: dict[str, int]) -> Answer:
        return Answer(text="Here's what I can do.", blocks=ui.help_blocks())

    def _unknown(self, intent: Intent, _actor: UserView, _chosen: dict[str, int]) -> Answer:
        return Answer(
            text="I didn't get that.",
            blocks=[ui.mrkdwn(f"I didn't get “{escape(intent.text)}”. Try `help` to see "
                              "what I understand."), *ui.help_blocks()],
        )

    def _followups(self, _intent: Intent, actor: UserView, _chosen: dict[str, int]) -> Answer:
        now = self.deps.clock.now()
        zone = ZoneInfo(actor.timezone or self.deps.default_timezone)
        end_of_today = (now.astimezone(zone).replace(hour=23, minute=59, second=59)
                        ).astimezone(now.tzinfo)
        due = self.services.activities.due_follow_ups(actor.id, end_of_today + timedelta(days=7))
        if not due:
            return say_text("Nothing due this week. :tada:")
        lines = [ui.follow_up_line(a, actor.timezone, now) for a in due[:30]]
        more = f"\n…and {len(due) - 30} more" if len(due) > 30 else ""
        return say_text("*Your follow-ups (this week)*\n" + "\n".join(lines) + more)

    def _show(self, intent: Intent, actor: UserView, chosen: dict[str, int]) -> Answer:
        """A deal's card, or an account's summary when the name is an account's."""
        if "deal" not in chosen:
            resolved = resolve_deal(self.directory, actor.id, intent.target or "")
            if resolved.found is not None:
                chosen = {**chosen, "deal": resolved.found.id}  # resolved once, not twice
            elif resolved.is_none:
                account = self._account_summary(intent, actor)
                if account is not None:
                    return account
                return self._ask_deal(intent, resolved)
            else:
                return self._ask_deal(intent, resolved)
        deal = self._deal(intent, actor, chosen)
        if isinstance(deal, Answer):
            return deal
        return self.card(self.services.opportunities.get(actor.id, deal.id), actor)

    def _account_summary(self, intent: Intent, actor: UserView) -> Answer | None:
        phrase = clean_phrase(intent.target or "")
        result = resolve([m for m in self.directory.accounts().search(phrase, limit=5,
                                                                      cutoff=80)
                          if plausible(phrase, m.name)])
        if result.kind != "found":
            return None
        deals = self.directory.deals_named(actor.id, result.match.id)
        views = [self.services.opportunities.get(actor.id, d.id) for d in deals[:15]]
        recent = self.services.activities.list_for(actor.id, account_id=result.match.id,
                                                   limit=3)
        lines = [f"*{escape(result.match.name)}*"]
        lines += [ui.opportunity_line(v) for v in views] or ["No deals you can see."]
        if recent:
            lines.append("_Recent activity_")
            lines += [ui.activity_line(a, actor.timezone) for a in recent]
        return Answer(text=escape(result.match.name), blocks=[ui.mrkdwn("\n".join(lines))])

    def _advance(self, intent: Intent, actor: UserView, chosen: dict[str, int]) -> Answer:
        deal = self._deal(intent, actor, chosen)
        if isinstance(deal, Answer):
            return deal
        opp = self.services.opportunities.advance(actor.id, deal.id)
        return self.moved(opp)

    def _won(self, intent: Intent, actor: UserView, chosen: dict[str, int]) -> Answer:
        return self._to_stage(intent, actor, chosen, "Closed Won")

    def _lost(self, intent: Intent, actor: UserView, chosen: dict[str, int]) -> Answer:
        if not intent.detail:
            deal = self._deal(intent, actor, chosen)
            if isinstance(deal, Answer):
                return deal
            return Answer(
                text="Why was it lost?",
                blocks=[ui.mrkdwn(f"Sorry to hear it. Why was *{escape(deal.display)}* lost? "
                                  "Tell me (`we lost umbrella, they went with a competitor`) "
                                  "or use the form."),
                        ui.actions(ui.button("Close lost…", "opp_close_lost", str(deal.id)))],
            )
        return self._to_stage(intent, actor, chosen, "Closed Lost")

    def _move(self, intent: Intent, actor: UserView, chosen: dict[str, int]) -> Answer:
        stage = resolve_stage(self.directory.stages(), intent.stage or "")
        if stage is None:
            names = ", ".join(s.name for s in self.directory.stages())
            return say_text(f"I don't know a stage called “{escape(intent.stage)}”. "
                            f"The stages are: {escape(names)}.", private=True)
        if stage.kind == "lost" and not intent.detail:
            return self._lost(intent, actor, chosen)
        return self._to_stage(intent, actor, chosen, stage.name)

    def _to_stage(self, intent: Intent, actor: UserView, chosen: dict[str, int],
                  stage: str) -> Answer:
        deal = self._deal(intent, actor, chosen)
        if isinstance(deal, Answer):
            return deal
        opp = self.services.opportunities.move_stage(actor.id, deal.id, stage,
                                                     lost_reason=intent.detail)
        return self.moved(opp)

    def _create(self, intent: Intent, actor: UserView, chosen: dict[str, int]) -> Answer:
        """"new deal for acme: expansion, 50k, closing end of march"."""
        if "account" in chosen:
            account_name = self.directory.account_name(chosen["account"])
        else:
            result = resolve(self.directory.accounts().search(
                clean_phrase(intent.target or ""), limit=5, cutoff=80))
            if result.kind == "ambiguous":
                options = [(m.name, {"i": intent.to_dict(), "account": m.id})
                           for m in result.candidates]
                return Answer(text="Which account?", private=True, blocks=ui.choice(
                    f"Which account do you mean by “{escape(intent.target or '')}”?", options))
            if result.kind == "none":
                return Answer(
                    text=f"There is no account called “{escape(intent.target or '')}”.",
                    private=True,
                    blocks=[ui.mrkdwn(f"There is no account called “{escape(intent.target or '')}”"
                                      " yet, so no deal was created."),
                            ui.actions(ui.button(f"Create account “{(intent.target or '')[:40]}”",
                                                 "account_new", {"i": intent.to_dict()}))])
            account_name = result.match.name
        tz = actor.timezone or self.deps.default_timezone
        terms = deal_terms(intent.detail or "", self.deps.clock.now(), tz)
        opp = self.services.opportunities.create(
            actor.id, terms.name or "New deal", account=account_name, amount=terms.amount,
            close_date=terms.close_date, undoable=True,
        )
        card = self.card(opp, actor)
        line = (f"Created *{escape(opp.title)}* in *{escape(opp.stage.name)}*"
                f" ({short_money(opp.amount, opp.currency)}, closes {day(opp.close_date)}).")
        return Answer(text=line, blocks=ui.confirmation(line, opp.undo_token) + card.blocks)

    def _log(self, intent: Intent, actor: UserView, chosen: dict[str, int],
             link: MessageLink | None = None, follow_up_day: date | None = None) -> Answer:
        extras: dict[str, str] = {}
        if follow_up_day is not None:
            extras["fu"] = follow_up_day.isoformat()
        if link is not None:
            extras |= {"pl": link.permalink, "ek": link.event_key}
        subject = self._subject(intent, actor, chosen, extras)
        if isinstance(subject, Answer):
            return subject
        tz = actor.timezone or self.deps.default_timezone
        now = self.deps.clock.now()
        if follow_up_day is None and (found := find_date(intent.detail or intent.text, now,
                                                         tz)) is not None:
            follow_up_day = found.day
        follow_up_at = (start_of_working_day(follow_up_day, tz, self.deps.working_hours)
                        if follow_up_day else None)
        about = subject.deal.display if subject.deal else (subject.account_name or (
            subject.contact.name if subject.contact else ""))
        kind = intent.kind or "note"
        who = subject.contact.name if subject.contact else (subject.account_name or about)
        if intent.detail:
            headline = intent.detail[:1].upper() + intent.detail[1:]
            if subject.contact is not None and kind in ("meeting", "call", "email"):
                headline = f"{kind.capitalize()} with {subject.contact.name}: {intent.detail}"
        else:
            headline = f"{kind.capitalize()} with {who}"
        activity = self.services.activities.log(
            actor.id, kind=intent.kind or "note", subject=headline[:300], body=intent.text,
            occurred_at=occurred_at(intent.text, now, tz), follow_up_at=follow_up_at,
            account_id=subject.account_id,
            contact_id=subject.contact.id if subject.contact else None,
            opportunity_id=subject.deal.id if subject.deal else None,
            slack_permalink=link.permalink if link else None,
            slack_event_key=link.event_key if link else None,
        )
        with_whom = f" with {escape(subject.contact.name)}" if subject.contact else ""
        line = (f"Logged a {activity.kind}{with_whom} on *{escape(about)}*: "
                f"“{escape(activity.subject)}”.")
        if activity.follow_up_at:
            line += f" Follow-up due {local_time(activity.follow_up_at, tz)}."
        return Answer(text=line, blocks=ui.confirmation(line, activity.undo_token))

    # -- shared pieces -----------------------------------------------------------------
    def moved(self, opp: OpportunityView) -> Answer:
        line = (f"Moved *{escape(opp.title)}* to *{escape(opp.stage.name)}* "
                f"({opp.probability}%).")
        if opp.stage.kind == "lost" and opp.lost_reason:
            line += f" Reason: {escape(opp.lost_reason)}."
        return Answer(text=line, blocks=ui.confirmation(line, opp.undo_token))

    def card(self, opp: OpportunityView, actor: UserView) -> Answer:
        stages = self.directory.stages()
        next_stage = self.directory.next_stage(opp.stage.id)
        return Answer(
            text=escape(f"{opp.title}: {opp.stage.name}"),
            blocks=ui.opportunity_card(opp, stages, actor.timezone, next_stage=next_stage),
        )

    def _deal(self, intent: Intent, actor: UserView, chosen: dict[str, int]) -> DealRef | Answer:
        if "deal" in chosen:
            deal = next((d for d in self.directory.open_deals(actor.id)
                         if d.id == chosen["deal"]), None)
            if deal is not None:
                return deal
            opp = self.services.opportunities.get(actor.id, chosen["deal"])
            return DealRef(opp.id, opp.name, opp.account_id, opp.account_name, opp.owner_id)
        resolved = resolve_deal(self.directory, actor.id, intent.target or "")
        if resolved.found is not None:
            return resolved.found
        return self._ask_deal(intent, resolved)

    def _ask_deal(self, intent: Intent, resolved: Resolved) -> Answer:
        target = escape(intent.target or "")
        if resolved.is_none:
            return Answer(
                text=f"I couldn't find an open deal matching “{target}”.",
                blocks=[ui.mrkdwn(f"I couldn't find an open deal matching “{target}”."),
                        ui.actions(ui.button("Create a deal", "opp_new",
                                             (intent.target or "")[:150]))],
                private=True,
            )
        options = [(d.display, {"i": intent.to_dict(), "deal": d.id})
                   for d in resolved.candidates]
        return Answer(text=f"Which deal do you mean by “{target}”?",
                      blocks=ui.choice(f"Which deal do you mean by “{target}”?", options),
                      private=True)

    def _subject(self, intent: Intent, actor: UserView, chosen: dict[str, int],
                 extras: dict[str, str]) -> Subject | Answer:
        """`extras` (a form's date, a message link) ride along with any question asked."""
        if "account" in chosen:
            account = self.directory.account_name(chosen["account"])
            deals = self.directory.open_deals(actor.id, account_id=chosen["account"])
            return Subject(account_id=chosen["account"], account_name=account,
                           deal=deals[0] if len(deals) == 1 else None)
        subject = resolve_subject(self.directory, actor.id, intent.target or "", intent.text)
        if subject.account_choices:
            target = escape(intent.target or "")
            options = [(name, {"i": intent.to_dict(), "account": account_id, **extras})
                       for account_id, name in subject.account_choices]
            return Answer(text=f"Which account do you mean by “{target}”?",
                          blocks=ui.choice(f"Which account do you mean by “{target}”?", options),
                          private=True)
        if subject.is_none:
            target = escape(intent.target or "")
            name = new_account_name(intent.target or "")
            return Answer(
                text=f"I couldn't find an account or contact called “{target}”.",
                blocks=[ui.mrkdwn(f"I couldn't find an account or contact called “{target}”, "
                                  "so nothing was logged."),
                        ui.actions(ui.button(f"Create account “{name[:40]}”", "account_new",
                                             {"i": intent.to_dict(), "name": name, **extras}))],
                private=True,
            )
        return subject
