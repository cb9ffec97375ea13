"""Asking for a quote's approval: one step per matching policy rule, level by level, each
with its approver resolved now (the owner's manager, someone with a role, or a named
person; never the requester). The requester may withdraw a pending request.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from store.db import Store
from store.errors import Conflict, InvalidInput, NotAllowed
from store.models import ApprovalRequest, ApprovalStep, User
from store.services.people.users import find_user, require_by_id
from store.services.quotes.lookup import require_quote
from store.services.quotes.policy import Policy, QuoteFacts, Rule, matching_rules
from store.services.quotes.quotes import QuoteView, quote_view, supersede_pending
from store.services.quotes.sync import SyncOutcome, follow_approval
from store.services.system import audit


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
    deal: SyncOutcome | None = None  # approved at once: the deal's amount follows it



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



def step_notice(session: Session, step: ApprovalStep) -> StepNotice:
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


def rejected_reason(session: Session, quote_id: int, version: int, label: str) -> str:
    """Why asking again unchanged is refused: the same version would meet the same no."""
    step = session.scalar(select(ApprovalStep).join(
        ApprovalRequest, ApprovalStep.request_id == ApprovalRequest.id).where(
        ApprovalRequest.quote_id == quote_id, ApprovalRequest.quote_version == version,
        ApprovalStep.status == "rejected").order_by(ApprovalStep.id.desc()).limit(1))
    who = session.get(User, step.decided_by_id) if step and step.decided_by_id else None
    why = f" by {who.name}" if who else ""
    if step is not None and step.comment:
        why += f": “{step.comment}”"
    return (f"{label} was rejected{why}. Revise it (change the lines or the discount) "
            "before asking again.")


def request_approval(store: Store, policy: Policy, actor_id: int, quote_ref: int | str, *,
                     justification: str | None = None) -> RequestOutcome:
    """One step per matching rule and approver; the first level pending, the rest waiting.
    No matching rule: the quote is approved at once."""
    with store.transaction() as s:
        actor = require_by_id(s, actor_id)
        quote = require_quote(s, quote_ref)
        if quote.owner_id != actor.id:
            raise NotAllowed("Only the quote's owner can request its approval.")
        if quote.status == "rejected":
            raise Conflict(rejected_reason(s, quote.id, quote.version,
                                            f"{quote.number} v{quote.version}"))
        if quote.status != "draft":
            raise Conflict(f"{quote.number} v{quote.version} is "
                           f"{quote.status.replace('_', ' ')}; change it to ask again.")
        now = store.now()
        view = quote_view(s, quote)
        rules = matching_rules(policy, _facts(view))
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
        deal = follow_approval(s, quote, now) if quote.status == "approved" else None
        return RequestOutcome(
            quote=quote_view(s, quote), request_id=request.id, status=request.status,
            deal=deal,
            rules=[r.name for r in rules],
            notify=[step_notice(s, st) for st in steps if st.status == "pending"],
        )


def cancel_request(store: Store, actor_id: int, quote_ref: int | str) -> QuoteView:
    """The requester withdraws a pending request; the quote goes back to draft."""
    with store.transaction() as s:
        actor = require_by_id(s, actor_id)
        quote = require_quote(s, quote_ref)
        request = s.scalar(select(ApprovalRequest).where(
            ApprovalRequest.quote_id == quote.id, ApprovalRequest.status == "pending"))
        if request is None:
            raise Conflict(f"{quote.number} has no pending approval to cancel.")
        if request.requested_by_id != actor.id:
            raise NotAllowed("Only the person who asked can cancel the request.")
        now = store.now()
        supersede_pending(s, quote, now)
        request.status = "recalled"
        quote.status = "draft"
        audit.record(s, at=now, actor_id=actor.id, action="approval.cancel",
                     entity_type="quote", entity_id=quote.id,
                     detail={"request": request.id})
        return quote_view(s, quote)
