"""Quotes and approvals in the store: totals, versions, the policy, who may decide."""

from __future__ import annotations

import threading
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from store.config_files import PolicyError
from store.errors import Conflict, InvalidInput, NotAllowed
from store.models import Product
from store.money import to_minor
from store.services import Services
from store.services.quotes.policy import load_policy
from store.services.quotes.quotes import LineSpec
from store.services.quotes.totals import LineInput, compute
from tests.conftest import add_users


@pytest.fixture
def team(services: Services) -> dict[str, int]:
    store = services.store
    with store.transaction() as s:
        people = add_users(s, {
            "mo": ("U0MO", "Mo Manager", "manager"),
            "ana": ("U0ANA", "Ana Rep", "rep"),
            "ada": ("U0ADA", "Ada Admin", "admin"),
            "fin": ("U0FIN", "Fin Finance", "finance"),
            "oli": ("U0OLI", "Oli Other", "rep"),
        }, managers={"ana": "mo", "oli": "mo"})
        s.add_all([
            Product(sku="PLAT-SEAT", name="Platform seat", list_price_minor=120000,
                    currency="USD", is_active=True),
            Product(sku="SVC-ONB", name="Onboarding services", list_price_minor=1500000,
                    currency="USD", is_active=True),
        ])
        ids = {k: u.id for k, u in people.items()}
    services.accounts.create(ids["ana"], "Globex")
    ids["opp"] = services.opportunities.create(ids["ana"], "Expansion", account="Globex").id
    return ids


def quote(services: Services, team, percent: str = "30", seats: int = 20):
    return services.quotes.create(team["ana"], team["opp"], [
        LineSpec(product="platform", quantity=seats, discount_percent=Decimal(percent))])


def test_totals_are_computed_by_the_store(services: Services, team) -> None:
    q = services.quotes.create(team["ana"], team["opp"], [
        LineSpec(product="PLAT-SEAT", quantity=3, discount_percent=Decimal("12.5")),
        LineSpec(product="onboarding", quantity=1)], discount_percent=Decimal("5"))
    # 3 × 1,200 at 12.5 % off = 3,150.00; + 15,000 = 18,150.00; 5 % off = 907.50
    assert (q.subtotal, q.discount, q.total) == (
        Decimal("18150.00"), Decimal("907.50"), Decimal("17242.50"))
    assert q.number.startswith("Q-2026-") and q.version == 1 and q.status == "draft"
    # (18,600 list − 17,242.50) / 18,600 = 7.30 % off list, all discounts together
    assert q.effective_discount_percent == Decimal("7.30")


@settings(max_examples=200, deadline=None)
@given(lines=st.lists(st.tuples(st.integers(0, 10**9), st.integers(1, 10_000),
                                st.integers(0, 10_000)), min_size=1, max_size=8),
       quote_bp=st.integers(0, 10_000))
def test_totals_exact_to_the_cent(lines, quote_bp) -> None:
    totals = compute([LineInput(p, q, d) for p, q, d in lines], quote_bp)
    expected_lines = [
        int((Decimal(p) * q * (10_000 - d) / 10_000).quantize(Decimal(1), ROUND_HALF_EVEN))
        for p, q, d in lines]
    assert list(totals.line_totals) == expected_lines
    subtotal = sum(expected_lines)
    discount = int((Decimal(subtotal) * quote_bp / 10_000).quantize(Decimal(1), ROUND_HALF_EVEN))
    assert (totals.subtotal_minor, totals.discount_minor, totals.total_minor) == (
        subtotal, discount, subtotal - discount)
    assert 0 <= totals.total_minor <= totals.list_minor


def test_awkward_prices_round_half_even() -> None:
    # 0.125 → 0.12 and 0.375 → 0.38 (half to even), never float noise
    assert compute([LineInput(25, 1, 5000)]).total_minor == 12
    assert compute([LineInput(75, 1, 5000)]).total_minor == 38
    assert to_minor("0.005", "USD") == 0 and to_minor("0.015", "USD") == 2


def test_thirty_percent_needs_manager_then_admin(services: Services, team) -> None:
    q = quote(services, team)
    outcome = services.approvals.request(team["ana"], q.id, justification="competitive")
    assert outcome.status == "pending"
    assert [(n.level, n.approver_slack_id) for n in outcome.notify] == [(1, "U0MO")]
    first = services.approvals.decide(team["mo"], outcome.notify[0].step_id, "approved",
                                      quote_version=1)
    assert [(n.level, n.approver_slack_id) for n in first.notify] == [(2, "U0ADA")]
    final = services.approvals.decide(team["ada"], first.notify[0].step_id, "approved",
                                      quote_version=1)
    assert final.request_status == "approved" and final.quote.status == "approved"


def test_small_discount_needs_no_approval(services: Services, team) -> None:
    outcome = services.approvals.request(team["ana"], quote(services, team, "5").id)
    assert (outcome.status, outcome.notify, outcome.quote.status) == ("approved", [], "approved")


def test_reject_needs_a_reason_and_revision_starts_over(services: Services, team) -> None:
    q = quote(services, team)
    step = services.approvals.request(team["ana"], q.id).notify[0].step_id
    with pytest.raises(InvalidInput):
        services.approvals.decide(team["mo"], step, "rejected", quote_version=1)
    rejected = services.approvals.decide(team["mo"], step, "rejected", quote_version=1,
                                         comment="too deep")
    assert rejected.quote.status == "rejected"
    v2 = services.quotes.revise(team["ana"], q.number, lines=[
        LineSpec(product="platform", quantity=20, discount_percent=Decimal("20"))])
    assert (v2.version, v2.status, v2.number) == (2, "draft", q.number)
    assert services.quotes.get(team["ana"], q.id).status == "superseded"
    again = services.approvals.request(team["ana"], v2.number)
    assert [n.level for n in again.notify] == [1]


def test_only_the_named_approver_decides(services: Services, team) -> None:
    step = services.approvals.request(team["ana"], quote(services, team).id).notify[0].step_id
    with pytest.raises(NotAllowed, match="assigned to Mo Manager"):
        services.approvals.decide(team["oli"], step, "approved", quote_version=1)
    with pytest.raises(NotAllowed, match="your own"):
        services.approvals.decide(team["ana"], step, "approved", quote_version=1)
    assert services.approvals.queue(team["mo"])[0].step_id == step


def test_a_delegate_decides_while_the_manager_is_away(services: Services, team) -> None:
    services.approvals.delegate(team["mo"], "U0OLI")
    step = services.approvals.request(team["ana"], quote(services, team).id).notify[0]
    assert step.delegate_slack_id == "U0OLI"
    assert [p.step_id for p in services.approvals.queue(team["oli"])] == [step.step_id]
    done = services.approvals.decide(team["oli"], step.step_id, "approved", quote_version=1)
    assert done.decided_by == "Oli Other"


def test_a_click_on_a_superseded_version_decides_nothing(services: Services, team) -> None:
    q = quote(services, team)
    step = services.approvals.request(team["ana"], q.id).notify[0].step_id
    services.quotes.revise(team["ana"], q.number, discount_percent=Decimal("1"))
    with pytest.raises(Conflict, match="changed since"):
        services.approvals.decide(team["mo"], step, "approved", quote_version=1)
    history = "\n".join(services.approvals.history(team["ana"], q.number))
    assert "approved level" not in history


def test_two_clicks_at_once_decide_once(services: Services, team) -> None:
    step = services.approvals.request(team["ana"], quote(services, team).id).notify[0].step_id
    services.approvals.delegate(team["mo"], "U0OLI")
    results: list[object] = []
    barrier = threading.Barrier(2)

    def click(user: int, decision: str) -> None:
        barrier.wait()
        try:
            results.append(services.approvals.decide(
                user, step, decision, quote_version=1, comment="no"))
        except Conflict as exc:
            results.append(exc)

    threads = [threading.Thread(target=click, args=(team["mo"], "approved")),
               threading.Thread(target=click, args=(team["oli"], "rejected"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(type(r).__name__ for r in results) == ["Conflict", "DecisionOutcome"]
    decisions = [line for line in services.approvals.history(team["ana"], "Q-2026-0001")
                 if "approved level" in line or "rejected level" in line]
    assert len(decisions) == 1


def test_cancel_and_mark_sent(services: Services, team) -> None:
    q = quote(services, team)
    services.approvals.request(team["ana"], q.id)
    with pytest.raises(NotAllowed):
        services.approvals.cancel(team["oli"], q.id)
    assert services.approvals.cancel(team["ana"], q.id).status == "draft"
    assert services.approvals.queue(team["mo"]) == []
    small = services.quotes.revise(team["ana"], q.number, discount_percent=Decimal(0), lines=[
        LineSpec(product="platform", quantity=2)])
    services.approvals.request(team["ana"], small.id)
    sent = services.approvals.mark_sent(team["ana"], small.id)
    assert sent.quote.status == "presented" and sent.moved_to is None  # no stage asked
    [task] = [a for a in services.activities.list_for(team["ana"]) if a.kind == "task"]
    assert task.subject == f"Call for feedback on {q.number}" and not task.done
    assert (task.follow_up_at - task.occurred_at).days == 10


def test_history_keeps_every_step(services: Services, team) -> None:
    q = quote(services, team)
    step = services.approvals.request(team["ana"], q.id, justification="match competitor")
    services.approvals.decide(team["mo"], step.notify[0].step_id, "rejected", quote_version=1,
                              comment="too deep")
    lines = services.approvals.history(team["ana"], q.number)
    assert [line.split(" · ")[1].split(" ")[0:2] for line in lines] == [
        ["Ana", "Rep"], ["Ana", "Rep"], ["Mo", "Manager"]]
    assert "too deep" in lines[-1]


def test_invalid_policy_names_the_line(tmp_path: Path) -> None:
    bad = tmp_path / "policy.yml"
    bad.write_text("rules:\n  - name: big\n    level: 1\n    when: {discount_above: 10}\n"
                   "    approver: {role: wizard}\n")
    with pytest.raises(PolicyError, match=r"policy.yml:5: rules.0.approver.role"):
        load_policy(bad)
    broken = tmp_path / "broken.yml"
    broken.write_text("rules:\n  - name: [unclosed\n")
    with pytest.raises(PolicyError, match=r"broken.yml:\d+: not valid YAML"):
        load_policy(broken)


def test_the_shipped_policy_loads() -> None:
    assert [r.level for r in load_policy().rules] == [1, 2, 2]
