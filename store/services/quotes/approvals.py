"""Quote approvals as one service: requesting (`approval_requests`), deciding
(`approval_decisions`), and here what surrounds them: where Slack messages went, marking an
approved quote sent, the approver's queue, a quote's history and delegation.

Every request, decision, cancellation and delegation is written to the audit log.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, joinedload, selectinload

from store.db import Store
from store.errors import Conflict, InvalidInput, NotFound
from store.models import (
    ApprovalRequest,
    ApprovalStep,
    AuditEntry,
    Opportunity,
    Product,
    Quote,
    User,
)
from store.money import from_minor
from store.services.deals import undo
from store.services.people.users import find_user, require_by_id
from store.services.quotes import sending
from store.services.quotes.approval_decisions import (
    DecisionOutcome,
    decide_step,
    decide_steps,
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
from store.services.quotes.sending import SentOutcome
from store.services.system import audit


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

    def decide_all(self, actor_id: int, steps: list[tuple[int, int | None]], decision: str,
                   *, comment: str | None = None) -> list[DecisionOutcome]:
        """Several steps, (step id, quote version) each, decided in one transaction."""
        return decide_steps(self.store, actor_id, steps, decision, comment=comment)

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
                  file_id: str | None = None, stage: str | None = None) -> SentOutcome:
        """Approved → presented, the feedback call, the deal on to `stage` (sending.py)."""
        return sending.mark_sent(self.store, actor_id, quote_ref, file_id=file_id, stage=stage)

    # -- reading ------------------------------------------------------------------------
    def queue(self, actor_id: int, *, limit: int | None = None) -> list[PendingStep]:
        """Steps waiting for the actor's decision (their own and those delegated to them),
        oldest first; at most `limit`. A fixed number of statements however long the queue
        (`_pending_many`)."""
        return self.waiting(actor_id, limit=limit)[0]

    def waiting(self, actor_id: int, *, limit: int | None = None
                ) -> tuple[list[PendingStep], int]:
        """The first `limit` steps of `queue`, and how many are waiting in all."""
        with self.store.read() as s:
            actor = require_by_id(s, actor_id)
            delegators = select(User.id).where(User.delegate_id == actor.id)
            mine = (ApprovalStep.status == "pending",
                    or_(ApprovalStep.approver_id == actor.id,
                        ApprovalStep.approver_id.in_(delegators)))
            query = select(ApprovalStep).where(*mine).order_by(ApprovalStep.id)
            steps = list(s.scalars(query.limit(limit) if limit is not None else query))
            count = len(steps) if limit is None or len(steps) < limit else int(
                s.scalar(select(func.count()).select_from(ApprovalStep).where(*mine)) or 0)
            return _pending_many(s, steps), count

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
        return _pending_many(s, [step])[0]

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
            undo.remember(s, actor=actor, kind="delegate", entity_type="user",
                          entity_id=actor.id, before={"delegate_id": actor.delegate_id},
                          now=now)  # "undo" takes it back, not an older change
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


def _pending_many(s: Session, steps: list[ApprovalStep]) -> list[PendingStep]:
    """Each step as the approver reads it. What the steps name (requests, quotes with their
    lines, deals with their accounts, people, products) is read once for all of them, five
    statements, so a long queue costs what a short one does."""
    if not steps:
        return []
    requests = {r.id: r for r in s.scalars(select(ApprovalRequest).where(
        ApprovalRequest.id.in_({st.request_id for st in steps})))}
    quotes = {q.id: q for q in s.scalars(select(Quote).options(selectinload(Quote.lines))
                                         .where(Quote.id.in_({r.quote_id for r in
                                                              requests.values()})))}
    # held here: the session keeps only weak references, and `quote_view` gets them from it
    deals = s.scalars(select(Opportunity).options(joinedload(Opportunity.account)).where(
        Opportunity.id.in_({q.opportunity_id for q in quotes.values()}))).unique().all()
    people = {u.id: u for u in s.scalars(select(User).where(User.id.in_(
        {r.requested_by_id for r in requests.values()} | {st.approver_id for st in steps}
        | {q.owner_id for q in quotes.values()})))}
    products = {ln.product_id for q in quotes.values() for ln in q.lines}
    skus: dict[int | None, str] = {p.id: p.sku for p in s.scalars(
        select(Product).where(Product.id.in_(products)))}
    pending = []
    for step in steps:
        request = requests[step.request_id]
        quote = quotes[request.quote_id]
        pending.append(PendingStep(
            step.id, request.id, quote_view(s, quote, skus=skus), step.level, step.rule,
            people[request.requested_by_id].name, request.justification,
            people[step.approver_id].slack_user_id, step.slack_channel, step.slack_ts))
    del deals
    return pending


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
