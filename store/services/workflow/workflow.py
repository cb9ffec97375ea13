"""Running the workflow rules (rules.py, workflow_rules.yml) over recent events, exactly once."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, exists, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from store.db import Store
from store.models import (
    Account,
    Activity,
    Case,
    Contract,
    Opportunity,
    OpportunityHistory,
    Reminder,
    Stage,
    User,
)
from store.money import from_minor
from store.schemas import deal_title
from store.services.people.users import find_user
from store.services.system.within import within
from store.services.workflow.rules import WINDOW, Event, Rule, Rules
from store.working_time import DEFAULT_WORKING_HOURS, next_delivery, start_of_working_day

_ANY_EVENTS = select(  # built once: the sweep runs it every minute
    exists().where(OpportunityHistory.changed_at >= bindparam("since")),
    exists().where(Account.created_at >= bindparam("since")),
    exists().where(Case.opened_at >= bindparam("since")))


def _history_events(s: Session, since: datetime) -> list[Event]:
    recent = select(OpportunityHistory.opportunity_id).where(
        OpportunityHistory.changed_at >= since).distinct()
    rows = s.scalars(select(OpportunityHistory).where(
        OpportunityHistory.opportunity_id.in_(recent))
        .order_by(OpportunityHistory.opportunity_id, OpportunityHistory.changed_at,
                  OpportunityHistory.id))
    stages = {st.id: st.name for st in s.scalars(select(Stage))}
    events: list[Event] = []
    previous: dict[int, OpportunityHistory] = {}
    for row in rows:
        before = previous.get(row.opportunity_id)
        previous[row.opportunity_id] = row
        if row.changed_at < since:
            continue
        amount = from_minor(row.amount_minor, row.currency)
        was = from_minor(before.amount_minor, before.currency) if before else Decimal(0)
        facts = {"amount": amount, "was": was, "stage": stages.get(row.to_stage_id, "")}
        if row.from_stage_id is None:
            events.append(Event("opportunity.created", f"h{row.id}", row.changed_at,
                                row.owner_id, "opportunity", row.opportunity_id, facts))
        elif row.from_stage_id != row.to_stage_id:
            events.append(Event("opportunity.moved", f"h{row.id}", row.changed_at,
                                row.owner_id, "opportunity", row.opportunity_id, facts))
        if amount != was or before is None:
            events.append(Event("opportunity.amount", f"h{row.id}", row.changed_at,
                                row.owner_id, "opportunity", row.opportunity_id, facts))
    return events


def _other_events(s: Session, since: datetime, now: datetime) -> list[Event]:
    events = [Event("account.created", f"a{a.id}", a.created_at, a.owner_id, "account", a.id,
                    {"employees": a.employees or 0})
              for a in s.scalars(select(Account).where(Account.created_at >= since))]
    soon = now.date() + timedelta(days=90)
    for case in s.scalars(select(Case).where(Case.opened_at >= since)):
        renewing = s.scalar(select(Contract.id).where(
            Contract.account_id == case.account_id, Contract.status == "active",
            Contract.end_date <= soon, Contract.end_date >= now.date()).limit(1))
        account = s.get(Account, case.account_id)
        events.append(Event("case.opened", f"c{case.id}", case.opened_at,
                            account.owner_id if account else None, "case", case.id,
                            {"open_renewal": renewing is not None}))
    return events


def _amount(event: Event, key: str) -> Decimal | None:
    value = event.facts.get(key)
    return value if isinstance(value, Decimal) else None


def matches(rule: Rule, event: Event) -> bool:
    when = rule.when
    if when.event != event.kind:
        return False
    amount = _amount(event, "amount")
    if when.event == "opportunity.amount":
        was = _amount(event, "was")
        return bool(amount is not None and was is not None and when.amount_above is not None
                    and was < when.amount_above <= amount)
    if when.amount_above is not None and (amount is None or amount <= when.amount_above):
        return False
    if when.to_stage and str(event.facts.get("stage", "")).lower() != when.to_stage.lower():
        return False
    employees = event.facts.get("employees", 0)
    if when.employees_above is not None and isinstance(employees, int) and \
            employees <= when.employees_above:
        return False
    return not (when.open_renewal is not None and
                event.facts.get("open_renewal") != when.open_renewal)


class WorkflowService:
    def __init__(self, store: Store, rules: Rules, *, working_hours: str = DEFAULT_WORKING_HOURS,
                 default_timezone: str = "UTC") -> None:
        self.store = store
        self.rules = rules
        self.working_hours = working_hours
        self.default_timezone = default_timezone

    def sweep(self, session: Session | None = None, *, recent: bool | None = None) -> int:
        """Apply every rule to recent events; returns how many new effects were made. In
        `session` when given (the reminder sweep's one transaction), else in its own.
        `recent`: whether there are events since `WINDOW` ago, when the caller looked
        already (the sweep's housekeeping does); else one look at three indexes first."""
        if not self.rules.rules or recent is False:
            return 0
        now = self.store.now()
        made = 0
        with within(self.store, session) as s:
            if recent is None and not any(
                    s.connection().execute(_ANY_EVENTS, {"since": now - WINDOW}).one()):
                return 0  # most sweeps
            events = _history_events(s, now - WINDOW) + _other_events(s, now - WINDOW, now)
            for event in events:
                for rule in self.rules.rules:
                    if matches(rule, event):
                        made += self._apply(s, rule, event, now)
        return made

    def _recipients(self, s: Session, rule: Rule, event: Event) -> list[tuple[User | None,
                                                                                 str | None]]:
        notify = rule.then.notify
        assert notify is not None
        owner = s.get(User, event.owner_id) if event.owner_id else None
        if notify.channel:
            return [(None, notify.channel)]
        if notify.owner:
            return [(owner, None)] if owner else []
        if notify.owner_manager:
            manager = s.get(User, owner.manager_id) if owner and owner.manager_id else None
            return [(manager, None)] if manager else []
        if notify.role:
            return [(u, None) for u in s.scalars(select(User).where(
                User.role == notify.role, User.is_active.is_(True)))]
        named = find_user(s, notify.user or "")
        return [(named, None)] if named else []

    def _apply(self, s: Session, rule: Rule, event: Event, now: datetime) -> int:
        made = 0
        if rule.then.notify is not None:
            insert = pg_insert if self.store.dialect == "postgresql" else sqlite_insert
            for user, channel in self._recipients(s, rule, event):
                if user is not None and not user.is_active:
                    continue
                who = f"u{user.id}" if user else channel
                deliver = now if user is None else next_delivery(
                    max(event.at, now), user.timezone or self.default_timezone,
                    self.working_hours, weekends=user.weekend_reminders,
                    muted_until=user.reminders_muted_until)
                made += 1 if s.scalar(insert(Reminder).values(
                    key=f"rule:{rule.slug}:{event.key}:{who}", kind="rule",
                    subject_type=event.subject_type, subject_id=event.subject_id,
                    user_id=user.id if user else None, channel_id=channel, due_at=event.at,
                    deliver_at=deliver, status="pending", attempts=0, created_at=now,
                ).on_conflict_do_nothing(index_elements=["key"]).returning(Reminder.id)) else 0
        task = rule.then.task
        owner = s.get(User, event.owner_id) if event.owner_id else None
        if task is not None and owner is not None and owner.is_active:
            key = f"rule:{rule.slug}:{event.key}"
            if s.scalar(select(Activity.id).where(Activity.slack_event_key == key)) is None:
                self._add_task(s, owner, task.subject, task.days, event, key, now)
                made += 1
        return made

    def _add_task(self, s: Session, owner: User, subject: str, days: int, event: Event,
                  key: str, now: datetime) -> None:
        facts = self.placeholders(s, event.subject_type, event.subject_id)
        opp = s.get(Opportunity, event.subject_id) if event.subject_type == "opportunity" \
            else None
        account = opp.account if opp else (s.get(Account, event.subject_id)
                                           if event.subject_type == "account" else None)
        tz = owner.timezone or self.default_timezone
        day = (event.at.astimezone(ZoneInfo(tz)) + timedelta(days=days)).date()
        due = start_of_working_day(day, tz, self.working_hours)
        s.add(Activity(kind="task", subject=_fill(subject, facts)[:300], occurred_at=now,
                       follow_up_at=due, done=False, owner_id=owner.id, opportunity=opp,
                       account=account, slack_event_key=key))

    def placeholders(self, s: Session, subject_type: str, subject_id: int) -> dict[str, Any]:
        """Values for a rule's {deal}, {account}, {owner}, {amount}, {stage}, {case}…"""
        facts: dict[str, Any] = {"deal": "", "account": "", "owner": "", "amount": "",
                                 "stage": "", "employees": "", "case": ""}
        if subject_type == "opportunity" and (opp := s.get(Opportunity, subject_id)):
            facts |= {"deal": deal_title(opp.account.name if opp.account else None, opp.name),
                      "account": opp.account.name if opp.account else "",
                      "owner": opp.owner.name, "stage": opp.stage.name,
                      "amount": f"{from_minor(opp.amount_minor, opp.currency):,} "
                                f"{opp.currency}"}
        elif subject_type == "account" and (account := s.get(Account, subject_id)):
            facts |= {"account": account.name, "employees": account.employees or "",
                      "owner": account.owner.name if account.owner else ""}
        elif subject_type == "case" and (case := s.get(Case, subject_id)):
            account = s.get(Account, case.account_id)
            facts |= {"case": f"{case.number} {case.subject}",
                      "account": account.name if account else "",
                      "owner": account.owner.name if account and account.owner else ""}
        return facts

    def message(self, key: str, subject_type: str, subject_id: int) -> tuple[str, str] | None:
        """(rule name, filled message) for a rule reminder, or None if the rule is gone."""
        slug = key.split(":")[1]
        rule = self.rules.by_slug(slug)
        if rule is None or not rule.then.message:
            return None
        with self.store.transaction() as s:
            facts = self.placeholders(s, subject_type, subject_id)
            return rule.name, _fill(rule.then.message, _as_at_event(s, key, subject_id, facts))


def _as_at_event(s: Session, key: str, subject_id: int, facts: dict[str, Any]
                 ) -> dict[str, Any]:
    """A deal's {amount} and {stage} as the history row that fired the rule holds them (key
    `rule:<slug>:h<row id>:…`): "is now 150,000" must name the amount that crossed, not
    one changed while the notice waited to be delivered."""
    parts = key.split(":")
    event = parts[2] if len(parts) > 2 else ""
    if not (event.startswith("h") and event[1:].isdigit()):
        return facts
    row = s.get(OpportunityHistory, int(event[1:]))
    if row is None or row.opportunity_id != subject_id:
        return facts
    stage = s.get(Stage, row.to_stage_id)
    return {**facts, "amount": f"{from_minor(row.amount_minor, row.currency):,} {row.currency}",
            "stage": stage.name if stage else facts["stage"]}


def _fill(template: str, facts: dict[str, Any]) -> str:
    values: defaultdict[str, Any] = defaultdict(str, facts)
    return template.format_map(values)
