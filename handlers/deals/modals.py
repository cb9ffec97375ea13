"""The deal forms: create one, edit one, close one as lost (with the reason)."""

from __future__ import annotations

from typing import Any

from handlers.slack import blocks as ui
from handlers.slack.modals import View, input_block, modal, select, text_input
from handlers.slack.text import escape
from store.schemas import StageView


def new_opportunity(stages: list[StageView], *, name: str | None = None,
                    account: str | None = None) -> View:
    open_stages = [(s.name, s.name) for s in stages if s.kind == "open"]
    return modal("new_opportunity", "New deal", "Create", [
        input_block("account", "Account", text_input(account, max_length=200)),
        input_block("name", "Deal name", text_input(name, max_length=200)),
        input_block("amount", "Amount", text_input(), optional=True, hint="e.g. 84000 or 84k"),
        input_block("close_date", "Close date", {"type": "datepicker"}, optional=True),
        input_block("stage", "Stage",
                    select(open_stages, open_stages[0][1] if open_stages else None)),
    ])


def close_lost(opp_id: int, title: str, *, card: dict[str, str] | None = None) -> View:
    """`card` is the message the form was opened from; it is replaced on submit."""
    return modal("close_lost", "Close lost", "Close lost", [
        ui.mrkdwn(f"*{title}*"),
        input_block("reason", "Why was it lost?", text_input(multiline=True, max_length=1000)),
    ], {"opp": opp_id, "card": card})


def edit_opportunity(opp: Any, owners: list[tuple[str, str]]) -> View:
    """Amount, currency, close date, probability, next step and owner of one deal."""
    close = {"type": "datepicker", "initial_date": opp.close_date.isoformat()}
    return modal("opp_edit", "Edit deal", "Save", [
        ui.mrkdwn(f"*{escape(opp.title)}*"),
        input_block("amount", "Amount", text_input(f"{opp.amount}", max_length=20)),
        input_block("currency", "Currency", text_input(opp.currency, max_length=3)),
        input_block("close_date", "Close date", close),
        input_block("probability", "Probability %",
                    text_input(str(opp.probability), max_length=3)),
        input_block("next_step", "Next step", text_input(opp.next_step, max_length=500),
                    optional=True),
        input_block("owner", "Owner", select(owners, str(opp.owner_id))),
    ], {"opp": opp.id})
