"""Business rules, one package per feature; `Services` bundles them for app, CLI, scheduler.

`Services` lives in `store.services.bundle` and is imported from there on first use, so
importing one service (which runs this file first) does not import every other one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from store.services.bundle import Services


def __getattr__(name: str) -> Any:
    if name == "Services":
        from store.services.bundle import Services

        return Services
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["Services"]
