"""Which account, deal and contact a message is about, from the names found in it; or what
to ask when two fit equally well."""

from __future__ import annotations

from handlers.language.plan import Ask
from handlers.language.spotting import EXACT, STEM, Known, Mention


def subject_of(mentions: tuple[Mention, ...]) -> tuple[Known | None, Known | None, list[Ask]]:
    """The account and deal the message is about, or what to ask about them."""
    deals = [m for m in mentions if m.kind == "deal"]
    accounts = [m for m in mentions if m.kind == "account"]
    if any(a.score >= EXACT for a in accounts):  # "initech came back": "came" is no Acme
        accounts = [a for a in accounts if a.score >= STEM]
    contacts = [m for m in mentions if m.kind == "contact"]
    asks: list[Ask] = []
    deal, ask = best_of("deal", deals)
    asks += [ask] if ask else []
    account_ids = {a.known.id for a in accounts} | ({deal.scope} if deal and deal.scope else set())
    account = None
    if len(account_ids) == 1:
        account_id = next(iter(account_ids))
        account = next((a.known for a in accounts if a.known.id == account_id), None)
        if account is None and deal is not None:
            account = Known("account", account_id, "")
    elif len(account_ids) > 1:
        asks.append(Ask("account", tuple(unique([a.known for a in accounts]))))
    if account is None and not account_ids and contacts:
        scopes = {c.known.scope for c in contacts if c.known.scope is not None}
        if len(scopes) == 1:
            account = Known("account", next(iter(scopes)), "")
    return account, deal, asks


def best_of(what: str, mentions: list[Mention]) -> tuple[Known | None, Ask | None]:
    """The best-scoring of `mentions`, or the question when several score the same."""
    if not mentions:
        return None, None
    best = max(m.score for m in mentions)
    top = unique([m.known for m in mentions if m.score == best])
    return (None, Ask(what, tuple(top))) if len(top) > 1 else (top[0], None)


def unique(items: list[Known]) -> list[Known]:
    seen: dict[tuple[str, int], Known] = {}
    for item in items:
        seen.setdefault((item.kind, item.id), item)
    return list(seen.values())


def contact_of(mentions: tuple[Mention, ...],
               account: Known | None) -> tuple[Known | None, list[Ask]]:
    """The person the activity was with: scoped by the account when one is named."""
    contacts = [m for m in mentions if m.kind == "contact"]
    if not contacts:
        return None, []
    if account is not None:
        scoped = [m for m in contacts if m.known.scope == account.id]
        if scoped:
            contacts = scoped
    best = max(c.score for c in contacts)
    top = unique([c.known for c in contacts if c.score >= best - 0.01])
    if len(top) == 1:
        return top[0], []
    return None, [Ask("contact", tuple(top))]
