"""Deciding an approval step: once, by its approver (or their delegate), never by the
requester.

A decision is one `UPDATE … WHERE status = 'pending' RETURNING id`: two clicks at once, on
any database, decide once and the loser is told who won. A rejection ends the request; an
approval opens the next level, where steps of someone who already approved clear at once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from store.db import Store
from store.errors import Conflict, InvalidInput, NotAllowed, NotFound
from store.models import ApprovalRequest, ApprovalStep, Quote, User
from store.services.people.users import require_by_id
from store.services.quotes.approval_requests import StepNotice, step_notice
from store.services.quotes.lookup import require_quote
from store.services.quotes.quotes import QuoteView, quote_view
from store.services.quotes.sync import SyncOutcome, follow_approval
from store.services.system import audit


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
    deal: SyncOutcome | None = None  # the deal's amount now follows this quote


def require_may_decide(session: Session, actor: User, step: ApprovalStep,
                       request: ApprovalRequest) -> User:
    """The step's approver, if `actor` may decide it: the approver or their delegate, never
    the requester. The words name no quote, so anyone may be told them."""
    approver = require_by_id(session, step.approver_id)
    if actor.id == request.requested_by_id:
        raise NotAllowed("You can't approve your own quote.")
    if actor.id not in (approver.id, approver.delegate_id):
        raise NotAllowed(f"This approval is assigned to {approver.name}.")
    return approver


def decide_step(store: Store, actor_id: int, step_id: int, decision: str, *,
                quote_version: int | None, comment: str | None = None) -> DecisionOutcome:
    """Approve or reject one step, if it is still pending and the version still current."""
    [outcome] = decide_steps(store, actor_id, [(step_id, quote_version)], decision,
                             comment=comment)
    return outcome


def decide_steps(store: Store, actor_id: int, steps: list[tuple[int, int | None]],
                 decision: str, *, comment: str | None = None) -> list[DecisionOutcome]:
    """Approve or reject several steps ("approve Q-2026-0002 and Q-2026-0004") in one
    transaction: every one of them, or (one no longer pending, or changed) none."""
    if decision not in ("approved", "rejected"):
        raise InvalidInput("A decision is approve or reject.")
    comment = (comment or "").strip() or None
    if decision == "rejected" and not comment:
        raise InvalidInput("Say why you reject it; the rep needs the reason.")
    with store.transaction() as s:
        actor = require_by_id(s, actor_id)
        return [_decide(s, store.now(), actor, step_id, decision, version, comment)
                for step_id, version in steps]


def _decide(s: Session, now: datetime, actor: User, step_id: int, decision: str,
            quote_version: int | None, comment: str | None) -> DecisionOutcome:
    step = s.get(ApprovalStep, step_id)
    if step is None:
        raise NotFound("That approval no longer exists.")
    request = s.get(ApprovalRequest, step.request_id)
    quote = s.get(Quote, request.quote_id) if request else None
    assert request is not None and quote is not None
    approver = require_may_decide(s, actor, step, request)
    if (quote_version is not None and quote_version != request.quote_version) or (
            request.status == "superseded"):
        raise Conflict(f"{quote.number} changed since this was asked (now "
                       f"v{require_quote(s, quote.number).version}); nothing was decided.")
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
    notify, cleared = _advance(s, request, quote, actor, decision, now)
    requester = require_by_id(s, request.requested_by_id)
    deal = follow_approval(s, quote, now) if quote.status == "approved" else None
    return DecisionOutcome(
        quote=quote_view(s, quote), step_id=step.id, level=step.level, rule=step.rule,
        decision=decision,
        decided_by=actor.name, comment=comment, request_status=request.status,
        requester_slack_id=requester.slack_user_id,
        request_channel=request.slack_channel, request_ts=request.slack_ts,
        notify=notify, approved_too=cleared, deal=deal,
    )


def _advance(s: Session, request: ApprovalRequest, quote: Quote, actor: User,
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
            return [step_notice(s, st) for st in notices], cleared
