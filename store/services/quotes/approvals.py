"""Quote approvals: a request makes one step per matching policy rule, level by level;
each step is decided once, by its approver (or their delegate), never by the requester.

A decision is one `UPDATE … WHERE status = 'pending' RETURNING id`: two clicks at
once, on any database, decide once and the loser is told who won. Every request,
decision, cancellation and delegation is written to the audit log.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from store.db import Store
from store.errors import Conflict, InvalidInput, NotAllowed, NotFound
from store.models import ApprovalRequest, ApprovalStep, AuditEntry, Quote, User
from store.money import from_minor
from store.services.activities.activities import add_activity
from store.services.deals.opportunities import require_opportunity
from store.services.people.users import find_user, require_by_id
from store.services.quotes.policy import Policy, QuoteFacts, Rule, matching_rules
from store.services.quotes.quotes import QuoteView, quote_view, require_quote, supersede_pending
from store.services.system import audit

FEEDBACK_DAYS = 10


@dataclass(frozen=True)
class StepNotice:
    """Someone must now be asked: the step, its approver and their delegate."""

    step_id: int
    level: int
    rule: str
    approver_slack_id: str
    approver_name: str
    delegate_slack_id: str | None


@dataclass(frozen=True)
class RequestOutcome:
    quote: QuoteView
    request_id: int
    status: str  # pending or approved (nothing needed approval)
    rules: list[str]
    notify: list[StepNotice]


@dataclass(frozen=True)
class DecisionOutcome:
    quote: QuoteView
    step_id: int
    level: int
    rule: str
    decision: str
    decided_by: str
    comment: str | None
    request_status: str  # pending / approved / rejected
    requester_slack_id: str
    request_channel: str | None
    request_ts: str | None
    notify: list[StepNotice] = field(default_factory=list)
    approved_too: list[int] = field(default_factory=list)  # same approver, cleared at once


@dataclass(frozen=True)
class PendingStep:
    step_id: int
    request_id: int
    quote: QuoteView
    level: int
    rule: str
    requester_name: str
    justification: str | None
    approver_slack_id: str
    slack_channel: str | None
    slack_ts: str | None


def _resolve_approver(session: Session, rule: Rule, owner: User, requester: User) -> User:
    approver = rule.approver
    if approver.owner_manager:
        manager = session.get(User, owner.manager_id) if owner.manager_id else None
        while manager is not None and manager.id == requester.id:
            manager = session.get(User, manager.manager_id) if manager.manager_id else None
        if manager is None or not manager.is_active:
            raise InvalidInput(f"{owner.name} has no manager to approve “{rule.name}”; "
                               "ask an admin to set one (`/sales admin`).")
        return manager
    if approver.role:
        candidates = session.scalars(select(User).where(
            User.role == approver.role, User.is_active.is_(True), User.id != requester.id
        ).order_by(User.id)).all()
        if not candidates:
            raise InvalidInput(f"Nobody has the {approver.role} role to approve “{rule.name}”.")
        return candidates[0]
    named = find_user(session, approver.user or "")
    if named is None or not named.is_active:
        raise InvalidInput(f"The approver named for “{rule.name}” ({approver.user}) is not an "
                           "active user.")
    if named.id == requester.id:
        raise InvalidInput(f"You are the approver for “{rule.name}”; someone else must "
                           "request this approval.")
    return named


def _notice(session: Session, step: ApprovalStep) -> StepNotice:
    approver = session.get(User, step.approver_id)
    assert approver is not None
    delegate = session.get(User, approver.delegate_id) if approver.delegate_id else None
    return StepNotice(step.id, step.level, step.rule, approver.slack_user_id, approver.name,
                      delegate.slack_user_id if delegate and delegate.is_active else None)


def _facts(view: QuoteView) -> QuoteFacts:
    skus = {line.sku for line in view.lines if line.sku}
    return QuoteFacts(
        discount_bp=int(view.effective_discount_percent * 100), total=view.total,
        skus=frozenset(s.upper() for s in skus), segment=view.segment,
    )


class ApprovalService:
    def __init__(self, store: Store, policy: Policy) -> None:
        self.store = store
        self.policy = policy

    # -- requesting --------------------------------------------------------------------
    def request(self, actor_id: int, quote_ref: int | str, *,
                justification: str | None = None) -> RequestOutcome:
        with self.store.transaction() as s:
            actor = require_by_id(s, actor_id)
            quote = require_quote(s, quote_ref)
            if quote.owner_id != actor.id:
                raise NotAllowed("Only the quote's owner can request its approval.")
            if quote.status not in ("draft", "rejected"):
                raise Conflict(f"{quote.number} v{quote.version} is "
                               f"{quote.status.replace('_', ' ')}; change it to ask again.")
            now = self.store.now()
            view = quote_view(s, quote)
            rules = matching_rules(self.policy, _facts(view))
            owner = require_by_id(s, quote.owner_id)
            request = ApprovalRequest(
                quote_id=quote.id, quote_version=quote.version, status="pending",
                requested_by_id=actor.id, requested_at=now,
                justification=(justification or quote.justification or "").strip() or None,
                auto_approved=not rules,
            )
            s.add(request)
            s.flush()
            first_level = rules[0].level if rules else None
            seen: set[tuple[int, int]] = set()
            steps: list[ApprovalStep] = []
            for rule in rules:
                approver = _resolve_approver(s, rule, owner, actor)
                if (rule.level, approver.id) in seen:
                    continue  # one person approves a level once, whatever rules they cover
                seen.add((rule.level, approver.id))
                step = ApprovalStep(request_id=request.id, level=rule.level, rule=rule.name,
                                    approver_id=approver.id,
                                    status="pending" if rule.level == first_level else "waiting")
                s.add(step)
                steps.append(step)
            s.flush()
            if not rules:
                request.status, request.completed_at, quote.status = "approved", now, "approved"
            else:
                quote.status = "pending_approval"
            audit.record(s, at=now, actor_id=actor.id, action="approval.request",
                         entity_type="quote", entity_id=quote.id,
                         detail={"request": request.id, "version": quote.version,
                                 "rules": [r.name for r in rules],
                                 "justification": request.justification})
            return RequestOutcome(
                quote=quote_view(s, quote), request_id=request.id, status=request.status,
                rules=[r.name for r in rules],
                notify=[_notice(s, st) for st in steps if st.status == "pending"],
            )

    def remember_thread(self, request_id: int, channel: str, ts: str) -> None:
        """Where the requester was told; later decisions reply in that thread."""
        with self.store.transaction() as s:
            request = s.get(ApprovalRequest, request_id)
            if request is not None:
                request.slack_channel, request.slack_ts = channel, ts

    def remember_message(self, step_id: int, channel: str, ts: str) -> None:
        """The approver's DM, so it can be replaced by the outcome."""
        with self.store.transaction() as s:
            step = s.get(ApprovalStep, step_id)
            if step is not None:
                step.slack_channel, step.slack_ts = channel, ts

    # -- deciding -----------------------------------------------------------------------
    def decide(self, actor_id: int, step_id: int, decision: str, *, quote_version: int | None,
               comment: str | None = None) -> DecisionOutcome:
        if decision not in ("approved", "rejected"):
            raise InvalidInput("A decision is approve or reject.")
        comment = (comment or "").strip() or None
        if decision == "rejected" and not comment:
            raise InvalidInput("Say why you reject it; the rep needs the reason.")
        with self.store.transaction() as s:
            actor = require_by_id(s, actor_id)
            step = s.get(ApprovalStep, step_id)
            if step is None:
                raise NotFound("That approval no longer exists.")
            request = s.get(ApprovalRequest, step.request_id)
            quote = s.get(Quote, request.quote_id) if request else None
            assert request is not None and quote is not None
            approver = require_by_id(s, step.approver_id)
            if actor.id == request.requested_by_id:
                raise NotAllowed("You can't approve your own quote.")
            if actor.id not in (approver.id, approver.delegate_id):
                raise NotAllowed(f"This approval is assigned to {approver.name}.")
            if (quote_version is not None and quote_version != request.quote_version) or (
                    request.status == "superseded"):
                raise Conflict(f"{quote.number} changed since this was asked (now "
                               f"v{self._current_version(s, quote)}); nothing was decided.")
            now = self.store.now()
            won = s.scalar(
                update(ApprovalStep)
                .where(ApprovalStep.id == step.id, ApprovalStep.status == "pending")
                .values(status=decision, decided_by_id=actor.id, decided_at=now,
                        comment=comment)
                .returning(ApprovalStep.id)
            )
            if won is None:
                s.refresh(step)
                by = s.get(User, step.decided_by_id) if step.decided_by_id else None
                if step.status == "waiting":
                    raise Conflict("This step waits for an earlier level to approve first.")
                who = f" by {by.name}" if by else ""
                raise Conflict(f"This approval was already {step.status}{who}.")
            s.refresh(step)
            audit.record(s, at=now, actor_id=actor.id, action=f"approval.{decision}",
                         entity_type="quote", entity_id=quote.id,
                         detail={"request": request.id, "step": step.id, "level": step.level,
                                 "rule": step.rule, "comment": comment,
                                 "on_behalf_of": approver.id if actor.id != approver.id
                                 else None})
            notify, cleared = self._advance(s, request, quote, actor, decision, now)
            requester = require_by_id(s, request.requested_by_id)
            return DecisionOutcome(
                quote=quote_view(s, quote), step_id=step.id, level=step.level, rule=step.rule,
                decision=decision,
                decided_by=actor.name, comment=comment, request_status=request.status,
                requester_slack_id=requester.slack_user_id,
                request_channel=request.slack_channel, request_ts=request.slack_ts,
                notify=notify, approved_too=cleared,
            )

    @staticmethod
    def _current_version(session: Session, quote: Quote) -> int:
        return require_quote(session, quote.number).version

    def _advance(self, s: Session, request: ApprovalRequest, quote: Quote, actor: User,
                 decision: str, now: datetime) -> tuple[list[StepNotice], list[int]]:
        """After a decision: reject the whole request, or open the next level."""
        steps = list(s.scalars(select(ApprovalStep).where(
            ApprovalStep.request_id == request.id).order_by(ApprovalStep.level, ApprovalStep.id)))
        if decision == "rejected":
            for st in steps:
                if st.status in ("waiting", "pending"):
                    st.status = "skipped"
            request.status, request.completed_at, quote.status = "rejected", now, "rejected"
            return [], []
        cleared: list[int] = []
        while True:
            if any(st.status == "pending" for st in steps):
                return [], cleared
            waiting = [st for st in steps if st.status == "waiting"]
            if not waiting:
                request.status, request.completed_at, quote.status = "approved", now, "approved"
                return [], cleared
            level = min(st.level for st in waiting)
            approved_by = {st.approver_id for st in steps if st.status == "approved"}
            notices = []
            for st in (w for w in waiting if w.level == level):
                if st.approver_id in approved_by:
                    # the same person already approved this request: one click clears both
                    st.status, st.decided_by_id, st.decided_at = "approved", st.approver_id, now
                    st.comment = "approved at an earlier level"
                    cleared.append(st.id)
                else:
                    st.status = "pending"
                    notices.append(st)
            s.flush()
            if notices:
                return [_notice(s, st) for st in notices], cleared

    def cancel(self, actor_id: int, quote_ref: int | str) -> QuoteView:
        """The requester withdraws a pending request; the quote goes back to draft."""
        with self.store.transaction() as s:
            actor = require_by_id(s, actor_id)
            quote = require_quote(s, quote_ref)
            request = s.scalar(select(ApprovalRequest).where(
                ApprovalRequest.quote_id == quote.id, ApprovalRequest.status == "pending"))
            if request is None:
                raise Conflict(f"{quote.number} has no pending approval to cancel.")
            if request.requested_by_id != actor.id:
                raise NotAllowed("Only the person who asked can cancel the request.")
            now = self.store.now()
            supersede_pending(s, quote, now)
            request.status = "recalled"
            quote.status = "draft"
            audit.record(s, at=now, actor_id=actor.id, action="approval.cancel",
                         entity_type="quote", entity_id=quote.id,
                         detail={"request": request.id})
            return quote_view(s, quote)

    def pending_messages(self, quote_ref: int | str) -> list[tuple[str, str]]:
        """(channel, ts) of approvers' messages for steps no longer pending, to tidy up."""
        with self.store.transaction() as s:
            quote = require_quote(s, quote_ref)
            rows = s.execute(select(ApprovalStep.slack_channel, ApprovalStep.slack_ts)
                             .join(ApprovalRequest)
                             .where(ApprovalRequest.quote_id == quote.id,
                                    ApprovalStep.status == "skipped",
                                    ApprovalStep.slack_ts.is_not(None)))
            return [(r[0], r[1]) for r in rows]

    def mark_sent(self, actor_id: int, quote_ref: int | str) -> QuoteView:
        """Approved → presented, and a feedback follow-up for the rep in 10 days."""
        with self.store.transaction() as s:
            actor = require_by_id(s, actor_id)
            quote = require_quote(s, quote_ref)
            if quote.owner_id != actor.id:
                raise NotAllowed("Only the quote's owner can mark it sent.")
            if quote.status != "approved":
                raise Conflict(f"{quote.number} v{quote.version} is "
                               f"{quote.status.replace('_', ' ')}; only an approved quote "
                               "can be sent.")
            now = self.store.now()
            quote.status, quote.sent_at = "presented", now
            opp = require_opportunity(s, quote.opportunity_id)
            add_activity(s, owner=actor, kind="task",
                         subject=f"Call for feedback on {quote.number}",
                         occurred_at=now, follow_up_at=now + timedelta(days=FEEDBACK_DAYS),
                         account=opp.account, opportunity=opp)
            audit.record(s, at=now, actor_id=actor.id, action="quote.sent",
                         entity_type="quote", entity_id=quote.id,
                         detail={"version": quote.version})
            return quote_view(s, quote)

    # -- reading ------------------------------------------------------------------------
    def queue(self, actor_id: int) -> list[PendingStep]:
        """Steps waiting for the actor's decision (their own and those delegated to them)."""
        with self.store.transaction() as s:
            actor = require_by_id(s, actor_id)
            delegators = s.scalars(select(User.id).where(User.delegate_id == actor.id))
            principals = [actor.id, *delegators]
            steps = s.scalars(select(ApprovalStep).where(
                ApprovalStep.approver_id.in_(principals), ApprovalStep.status == "pending"
            ).order_by(ApprovalStep.id))
            return [self._pending(s, st) for st in steps]

    def pending_step(self, step_id: int) -> PendingStep:
        with self.store.transaction() as s:
            step = s.get(ApprovalStep, step_id)
            if step is None:
                raise NotFound("That approval no longer exists.")
            return self._pending(s, step)

    @staticmethod
    def _pending(s: Session, step: ApprovalStep) -> PendingStep:
        request = s.get(ApprovalRequest, step.request_id)
        assert request is not None
        quote = s.get(Quote, request.quote_id)
        requester = s.get(User, request.requested_by_id)
        approver = s.get(User, step.approver_id)
        assert quote is not None and requester is not None and approver is not None
        return PendingStep(step.id, request.id, quote_view(s, quote), step.level, step.rule,
                           requester.name, request.justification, approver.slack_user_id,
                           step.slack_channel, step.slack_ts)

    def history(self, actor_id: int, quote_ref: int | str) -> list[str]:
        """Every request, decision and change of the quote, oldest first, as lines."""
        with self.store.transaction() as s:
            actor = require_by_id(s, actor_id)
            quote = require_quote(s, quote_ref)
            from store.services.quotes.quotes import require_quote_reader

            require_quote_reader(s, actor, quote)
            ids = list(s.scalars(select(Quote.id).where(Quote.number == quote.number)))
            entries = s.scalars(select(AuditEntry).where(
                AuditEntry.entity_type == "quote", AuditEntry.entity_id.in_(ids)
            ).order_by(AuditEntry.at, AuditEntry.id))
            names = {u.id: u.name for u in s.scalars(select(User))}
            lines = []
            for entry in entries:
                detail = json.loads(entry.detail or "{}")
                who = names.get(entry.actor_id or 0, "system")
                lines.append((entry.at, _describe(entry.action, who, detail, quote)))
            return [f"{at:%Y-%m-%d %H:%M} UTC · {text}" for at, text in lines]

    # -- delegation ---------------------------------------------------------------------
    def delegate(self, actor_id: int, to_ref: str | None) -> str:
        """Let someone decide my approvals while I'm away (None: take them back)."""
        with self.store.transaction() as s:
            actor = require_by_id(s, actor_id)
            now = self.store.now()
            if to_ref is None:
                actor.delegate_id = None
                audit.record(s, at=now, actor_id=actor.id, action="approval.delegate",
                             entity_type="user", entity_id=actor.id, detail={"to": None})
                return "Your approvals come to you again."
            target = find_user(s, to_ref)
            if target is None or not target.is_active:
                raise NotFound(f"There is no active user {to_ref!r}.")
            if target.id == actor.id:
                raise InvalidInput("Pick someone other than yourself.")
            actor.delegate_id = target.id
            audit.record(s, at=now, actor_id=actor.id, action="approval.delegate",
                         entity_type="user", entity_id=actor.id, detail={"to": target.id})
            return f"{target.name} can now decide your approvals until you say `delegate off`."


def _describe(action: str, who: str, detail: dict, quote: Quote) -> str:
    comment = f": “{detail['comment']}”" if detail.get("comment") else ""
    match action:
        case "quote.create":
            total = from_minor(int(detail.get("total_minor", 0)), quote.currency)
            return f"{who} created {detail.get('number')} (total {total} {quote.currency})"
        case "quote.revise":
            return f"{who} revised it to v{detail.get('version')}"
        case "approval.request":
            rules = ", ".join(detail.get("rules") or []) or "no approval needed"
            return f"{who} requested approval of v{detail.get('version')} ({rules})"
        case "approval.approved":
            return f"{who} approved level {detail.get('level')} ({detail.get('rule')}){comment}"
        case "approval.rejected":
            return f"{who} rejected level {detail.get('level')} ({detail.get('rule')}){comment}"
        case "approval.cancel":
            return f"{who} cancelled the approval request"
        case "quote.sent":
            return f"{who} marked v{detail.get('version')} sent"
    return f"{who}: {action}"
