"""Quote approvals as one service: requesting (`approval_requests`), deciding
(`approval_decisions`), and here what surrounds them: where Slack messages went, marking an
approved quote sent, the approver's queue, a quote's history and delegation.

Every request, decision, cancellation and delegation is written to the audit log.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from store.db import Store
from store.errors import Conflict, InvalidInput, NotAllowed, NotFound
from store.models import ApprovalRequest, ApprovalStep, AuditEntry, Quote, User
from store.money import from_minor
from store.services.activities.activities import add_activity
from store.services.deals.opportunities import require_opportunity
from store.services.people.users import find_user, require_by_id
from store.services.quotes.approval_decisions import (
    DecisionOutcome,
    decide_step,
    require_may_decide,
)
from store.services.quotes.approval_requests import (
    RequestOutcome,
    cancel_request,
    rejected_reason,
    request_approval,
)
from store.services.quotes.lookup import require_quote, require_quote_reader
from store.services.quotes.policy import Policy
from store.services.quotes.quotes import QuoteView, quote_view
from store.services.system import audit

FEEDBACK_DAYS = 10


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



class ApprovalService:
    def __init__(self, store: Store, policy: Policy) -> None:
        self.store = store
        self.policy = policy

    # -- requesting --------------------------------------------------------------------
    def check_may_ask_again(self, quote_id: int) -> None:
        """A rejected version is refused before its form opens, with who said no and why."""
        with self.store.transaction() as s:
            quote = s.get(Quote, quote_id)
            if quote is not None and quote.status == "rejected":
                raise Conflict(rejected_reason(s, quote.id, quote.version,
                                               f"{quote.number} v{quote.version}"))

    def request(self, actor_id: int, quote_ref: int | str, *,
                justification: str | None = None) -> RequestOutcome:
        return request_approval(self.store, self.policy, actor_id, quote_ref,
                                justification=justification)

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
        return decide_step(self.store, actor_id, step_id, decision,
                           quote_version=quote_version, comment=comment)

    def cancel(self, actor_id: int, quote_ref: int | str) -> QuoteView:
        """The requester withdraws a pending request; the quote goes back to draft."""
        return cancel_request(self.store, actor_id, quote_ref)

    def pending_messages(self, quote_ref: int | str) -> list[tuple[str, str]]:
        """(channel, ts) of approvers' messages for steps no longer pending, to tidy up."""
        with self.store.transaction() as s:
            quote = require_quote(s, quote_ref)
            rows = s.execute(select(ApprovalStep.slack_channel, ApprovalStep.slack_ts)
                             .join(ApprovalRequest)
                             .where(ApprovalRequest.quote_id == quote.id,
                                    ApprovalStep.status == "skipped",
                                    ApprovalStep.slack_ts.is_not(None)))
            return [(channel, ts) for channel, ts in rows if channel is not None and ts is not None]

    def mark_sent(self, actor_id: int, quote_ref: int | str, *,
                  file_id: str | None = None) -> QuoteView:
        """Approved → presented, and a feedback follow-up for the rep in 10 days; who sent
        it, and the document's reference when the bot uploaded it (`file_id`)."""
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
            quote.status, quote.sent_at, quote.sent_by_id = "presented", now, actor.id
            quote.sent_file_id = file_id
            opp = require_opportunity(s, quote.opportunity_id)
            add_activity(s, owner=actor, kind="task",
                         subject=f"Call for feedback on {quote.number}",
                         occurred_at=now, follow_up_at=now + timedelta(days=FEEDBACK_DAYS),
                         account=opp.account, opportunity=opp)
            audit.record(s, at=now, actor_id=actor.id, action="quote.sent",
                         entity_type="quote", entity_id=quote.id,
                         detail={"version": quote.version, "file": file_id})
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

    def step_to_decide(self, actor_id: int, step_id: int) -> PendingStep:
        """The step, if the actor may decide it (`require_may_decide`, the rule `decide`
        applies); NotAllowed, naming no quote, for anyone else."""
        with self.store.transaction() as s:
            actor = require_by_id(s, actor_id)
            step = s.get(ApprovalStep, step_id)
            request = s.get(ApprovalRequest, step.request_id) if step is not None else None
            if step is None or request is None:
                raise NotFound("That approval no longer exists.")
            require_may_decide(s, actor, step, request)
            return self._pending(s, step)

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
    def delegate(self, actor_id: int, to_ref: str | None) -> str | None:
        """Let someone decide my approvals while I'm away (None: take them back); the name
        of the person who now decides them, None when that is the actor again."""
        with self.store.transaction() as s:
            actor = require_by_id(s, actor_id)
            now = self.store.now()
            if to_ref is None:
                actor.delegate_id = None
                audit.record(s, at=now, actor_id=actor.id, action="approval.delegate",
                             entity_type="user", entity_id=actor.id, detail={"to": None})
                return None
            target = find_user(s, to_ref)
            if target is None or not target.is_active:
                raise NotFound(f"There is no active user {to_ref!r}.")
            if target.id == actor.id:
                raise InvalidInput("Pick someone other than yourself.")
            actor.delegate_id = target.id
            audit.record(s, at=now, actor_id=actor.id, action="approval.delegate",
                         entity_type="user", entity_id=actor.id, detail={"to": target.id})
            return target.name


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
        case "deal.follows_quote":
            how = "picked by" if detail.get("picked") else "on approval, for"
            return f"the deal's amount follows v{detail.get('version')} ({how} {who})"
        case "quote.accepted":
            return f"{who} recorded v{detail.get('version')} accepted by the customer"
        case "quote.sent" if detail.get("file"):
            return f"{who} sent v{detail.get('version')} to the customer (the PDF)"
        case "quote.sent":
            return f"{who} marked v{detail.get('version')} sent"
    return f"{who}: {action}"
