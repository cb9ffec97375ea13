"""The quote forms: lines and discounts, a request for approval, an approver's rejection."""

from __future__ import annotations

from typing import Any

from handlers.slack import blocks as ui
from handlers.slack.modals import Block, View, input_block, modal, select, text_input

QUOTE_ROWS = 5


def quote_form(products: list[tuple[str, str]], *, title: str, metadata: dict[str, Any],
               lines: list[tuple[str, int, str]] | None = None,
               discount: str | None = None) -> View:
    """Up to five lines from the catalog, a quote discount, and the reason for it.

    `products` are (label, sku); `lines` pre-fill (sku, quantity, discount percent).
    """
    lines = lines or []
    blocks: list[Block] = [ui.mrkdwn(f"*{title}*")]
    for row in range(1, QUOTE_ROWS + 1):
        sku, quantity, off = lines[row - 1] if row <= len(lines) else (None, None, None)
        optional = row > 1
        blocks += [
            input_block(f"product_{row}", f"Product {row}", select(products, sku),
                        optional=optional),
            input_block(f"qty_{row}", f"Quantity {row}",
                        text_input(str(quantity) if quantity else None, max_length=9),
                        optional=optional),
            input_block(f"disc_{row}", f"Line {row} discount %",
                        text_input(off or None, max_length=6), optional=True),
        ]
    blocks += [
        input_block("quote_discount", "Quote discount %", text_input(discount, max_length=6),
                    optional=True),
        input_block("justification", "Why this price?",
                    text_input(multiline=True, max_length=1000), optional=True),
    ]
    return modal("quote", "Quote", "Save quote", blocks[:100], metadata)


def request_approval(quote_label: str, quote_id: int, version: int) -> View:
    return modal("quote_request", "Request approval", "Request", [
        ui.mrkdwn(f"*{quote_label}*"),
        input_block("justification", "Why this discount?",
                    text_input(multiline=True, max_length=1000), optional=True,
                    hint="Approvers see this next to the numbers."),
    ], {"quote": quote_id, "version": version})


def reject_approval(label: str, step_id: int, version: int) -> View:
    return modal("approval_reject", "Reject", "Reject", [
        ui.mrkdwn(f"*{label}*"),
        input_block("reason", "Reason for the rep", text_input(multiline=True, max_length=1000)),
    ], {"step": step_id, "version": version})
