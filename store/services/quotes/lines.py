"""A quote line as asked for, and the limits people hear about in words.

`LineSpec` is a pydantic model so a wrong line cannot reach the totals; `line_spec` is how
anything a person typed becomes one, so an out-of-range quantity or discount is an
`InvalidInput` the rep can read, never a pydantic `ValidationError`.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from pydantic import BaseModel, ConfigDict, Field

from store.errors import InvalidInput

MAX_QUANTITY = 1_000_000


class LineSpec(BaseModel):
    """One line as asked for: a product (SKU or name) with quantity and line discount."""

    model_config = ConfigDict(frozen=True)

    product: str = Field(min_length=1)
    quantity: int = Field(gt=0, le=MAX_QUANTITY)
    discount_percent: Decimal = Field(default=Decimal(0), ge=0, le=100)


def check_discount(percent: Decimal | int | str, *, field: str = "discount") -> Decimal:
    """A discount percentage from 0 to 100, or InvalidInput saying so."""
    try:
        value = Decimal(str(percent))
    except InvalidOperation as exc:
        raise InvalidInput(f"“{percent}” is not a percentage.", field=field) from exc
    if not value.is_finite() or not 0 <= value <= 100:
        raise InvalidInput(f"A discount is between 0 and 100 % (not {percent} %).",
                           field=field)
    return value


def line_spec(product: str, quantity: int, discount_percent: Decimal | int | str = 0
              ) -> LineSpec:
    """A `LineSpec` from what a person typed, refused in words when out of range."""
    if not 0 < quantity <= MAX_QUANTITY:
        raise InvalidInput(f"A quantity is a whole number from 1 to {MAX_QUANTITY:,}.",
                           field="quantity")
    percent = check_discount(discount_percent)
    if not product.strip():
        raise InvalidInput("Name the product for each quote line.", field="product")
    return LineSpec(product=product, quantity=quantity, discount_percent=percent)
